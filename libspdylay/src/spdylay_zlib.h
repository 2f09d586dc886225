/*
 * spdylay_zlib.h: the header-block compression contexts, one per direction
 * per session, primed with each SPDY version's dictionary.
 */
#ifndef SPDYLAY_ZLIB_H
#define SPDYLAY_ZLIB_H

#include <zlib.h>

#include <spdylay/spdylay.h>

typedef struct {
  z_stream zst;
  /* The protocol version (SPDYLAY_PROTO_*) whose dictionary is in use. */
  uint16_t version;
  /* Nonzero once the dictionary has been handed to inflate. */
  int dict_set;
} spdylay_zlib;

/* Return 0, SPDYLAY_ERR_UNSUPPORTED_VERSION or SPDYLAY_ERR_ZLIB. */
int spdylay_zlib_deflate_hd_init(spdylay_zlib *deflater, uint16_t version);
int spdylay_zlib_inflate_hd_init(spdylay_zlib *inflater, uint16_t version);
void spdylay_zlib_deflate_free(spdylay_zlib *deflater);
void spdylay_zlib_inflate_free(spdylay_zlib *inflater);

/* Upper bound of the deflated size of |len| input bytes. */
size_t spdylay_zlib_deflate_hd_bound(spdylay_zlib *deflater, size_t len);

/* Compresses |inlen| bytes into |out| (|outlen| bytes, at least the bound)
   with a sync flush, so the block ends on a byte boundary the peer can
   inflate on its own.  Returns the bytes written or SPDYLAY_ERR_ZLIB. */
ssize_t spdylay_zlib_deflate_hd(spdylay_zlib *deflater, uint8_t *out,
                                size_t outlen, const uint8_t *in, size_t inlen);

/* Inflates the whole of |in| into *buf_ptr (capacity *buflen_ptr, grown as
   needed).  Output beyond |max_out| bytes is inflated but discarded, so the
   stream stays in step with the peer while memory stays bounded; *outlen_ptr
   receives the full inflated size.  Output beyond |max_total| bytes is not
   inflated at all, which bounds the time a small block can cost.  Returns
   0, SPDYLAY_ERR_ZLIB (corrupt stream or |max_total| reached: the context
   is unusable from now on) or SPDYLAY_ERR_NOMEM. */
int spdylay_zlib_inflate_hd(spdylay_zlib *inflater, uint8_t **buf_ptr,
                            size_t *buflen_ptr, size_t *outlen_ptr,
                            size_t max_out, size_t max_total, const uint8_t *in,
                            size_t inlen);

#endif /* SPDYLAY_ZLIB_H */
