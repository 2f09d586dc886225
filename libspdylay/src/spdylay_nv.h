/*
 * spdylay_nv.h: the header-block layer.  Name/value lists as the
 * application gives them and as SYN_STREAM, SYN_REPLY and HEADERS carry
 * them: copying and validating, sorting, SPDY/2's names, and packing and
 * parsing the zlib-compressed header blocks.
 *
 * In memory an nv is a NULL-terminated char* array of alternating names
 * and values, held with all its strings in one allocation that
 * spdylay_nv_del() (plain free) releases.
 */
#ifndef SPDYLAY_NV_H
#define SPDYLAY_NV_H

#include <spdylay/spdylay.h>

#include "spdylay_zlib.h"

/* Internal only, never returned by the public API: a received header block
   past the session's limits.  The inflater stays in step, so the session
   answers with a stream error (FRAME_TOO_LARGE) and goes on. */
#define SPDYLAY_ERR_HEADER_BLOCK_TOO_LARGE (-1001)

/* What a received header block may cost; a bound of 0 means none. */
typedef struct {
  /* Inflated bytes kept for parsing: past them the block is inflated but
     dropped (SPDYLAY_ERR_HEADER_BLOCK_TOO_LARGE). */
  size_t max_inflated;
  /* Inflated bytes past which the rest is not inflated (SPDYLAY_ERR_ZLIB:
     the compression context is lost).  At least |max_inflated|. */
  size_t max_total;
  /* Decoded entries (one per NUL-separated value) and the bytes of their
     names and values: past either, SPDYLAY_ERR_HEADER_BLOCK_TOO_LARGE
     before any nv is built. */
  size_t max_entries;
  size_t max_bytes;
} spdylay_nv_limits;

/* The size of a decoded list as the header list limits count it: its
   entries, and the bytes of their names and values. */
typedef struct {
  size_t entries;
  size_t bytes;
} spdylay_nv_list_size;

/* Validates the application's |nv| (no NULL value, no empty name) and copies
   it into one allocation with names lower-cased.  Several entries may share
   a name: they are joined with NUL into one wire entry when packed.
   Returns 0, SPDYLAY_ERR_INVALID_ARGUMENT or SPDYLAY_ERR_NOMEM. */
int spdylay_nv_copy(char ***nv_ptr, const char **nv);
void spdylay_nv_del(char **nv);

/* Builds the header block of |nv| for |wire_version| and compresses it
   with |deflater| into *buf_ptr at |offset| (after the frame's head and
   fixed fields), growing the buffer as needed.  Names are sorted, equal
   names merged with NUL, and for wire version 2 the SPDY/3 names
   (":method" ":scheme" ":path" ":version" ":host" ":status") translated to
   SPDY/2's ("method" "scheme" "url" "version" "host" "status").  Returns
   the compressed length, or SPDYLAY_ERR_INVALID_ARGUMENT (the block would
   not fit the frame, or |deflater| is another version's; the deflater is
   then untouched), SPDYLAY_ERR_ZLIB or SPDYLAY_ERR_NOMEM. */
ssize_t spdylay_nv_pack_block(uint8_t **buf_ptr, size_t *buflen_ptr,
                              size_t offset, char **nv, uint16_t wire_version,
                              spdylay_zlib *deflater);

/*
 * Inflates the received header block |in| with |inflater|, using
 * *buf_ptr / *buflen_ptr (the session's scratch buffer), and parses it
 * into *nv_ptr, which lies in *nvbuf_ptr / *nvbuflen_ptr (grown as
 * needed, and overwritten by the next block: *nv_ptr is not to be freed),
 * and its size into *size_ptr.  Returns 0 or:
 *   SPDYLAY_ERR_INVALID_FRAME  |inflater| is another version's;
 *   SPDYLAY_ERR_ZLIB           the block does not inflate, or inflates past
 *                              |limits|' max_total (the inflater is now
 *                              unusable: session error);
 *   SPDYLAY_ERR_INVALID_HEADER_BLOCK  it inflated but is malformed: counts
 *                              or lengths overrun, an empty or upper-case
 *                              name, a name twice, an empty NUL-separated
 *                              value segment (stream error);
 *   SPDYLAY_ERR_HEADER_BLOCK_TOO_LARGE  past one of |limits|' other bounds;
 *   SPDYLAY_ERR_NOMEM.
 * On error *nv_ptr and *size_ptr are left alone (*nvbuf_ptr may have
 * grown and been written to).  Blocks are inflated in full,
 * up to max_total, so the inflater stays in step with the peer's deflater.  A
 * value holding NUL-separated values comes out as one nv entry per value, all
 * with the same name; for wire version 2, SPDY/2's names are translated to
 * SPDY/3's.
 */
int spdylay_nv_unpack_block(char ***nv_ptr, const uint8_t *in, size_t inlen,
                            uint16_t wire_version, spdylay_zlib *inflater,
                            uint8_t **buf_ptr, size_t *buflen_ptr,
                            const spdylay_nv_limits *limits,
                            spdylay_nv_list_size *size_ptr, uint8_t **nvbuf_ptr,
                            size_t *nvbuflen_ptr);

#endif /* SPDYLAY_NV_H */
