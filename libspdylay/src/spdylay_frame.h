/*
 * spdylay_frame.h: the frame codec.  Packs control frames, DATA heads and
 * header blocks into wire bytes and unpacks them again, for SPDY/2, SPDY/3
 * and SPDY/3.1, with SPDY/2's header names translated at the edge.
 *
 * Every "version" argument here is a protocol version (SPDYLAY_PROTO_*);
 * frames carry the wire version (2 or 3) in hd.version.
 */
#ifndef SPDYLAY_FRAME_H
#define SPDYLAY_FRAME_H

#include <spdylay/spdylay.h>

#include "spdylay_zlib.h"

#define SPDYLAY_FRAME_HEAD_LENGTH 8
/* The 24-bit length field's ceiling. */
#define SPDYLAY_MAX_FRAME_LENGTH ((1 << 24) - 1)
/* The largest DATA payload the session puts in one frame. */
#define SPDYLAY_DATA_PAYLOAD_LENGTH 4096
/* Default for SPDYLAY_OPT_MAX_RECV_CTRL_FRAME_BUFFER. */
#define SPDYLAY_DEFAULT_MAX_RECV_CTRL_FRAME_BUFFER (1 << 24)

/* Internal only, never returned by the public API: a received header block
   inflated past the session's limit.  The inflater stays in step, so the
   session answers with a stream error (FRAME_TOO_LARGE) and goes on. */
#define SPDYLAY_ERR_HEADER_BLOCK_TOO_LARGE (-1001)

/* The version field sent on the wire: 3 for SPDY/3.1. */
uint16_t spdylay_frame_wire_version(uint16_t version);

/* Control-frame head: control bit, 15-bit version, type, flags, length. */
void spdylay_frame_pack_ctrl_hd(uint8_t *buf, const spdylay_ctrl_hd *hd);
void spdylay_frame_unpack_ctrl_hd(spdylay_ctrl_hd *hd, const uint8_t *head);

/* DATA head: 31-bit stream ID, flags, 24-bit length. */
void spdylay_frame_pack_data_hd(uint8_t *buf, int32_t stream_id,
                                uint8_t flags, uint32_t length);

/*
 * Name/value lists.  In memory an nv is a NULL-terminated char* array of
 * alternating names and values, held with all its strings in one
 * allocation that spdylay_frame_nv_del() (plain free) releases.
 */

/* Validates the application's |nv| (no NULL value, no empty name) and copies
   it into one allocation with names lower-cased.  Several entries may share
   a name: they are joined with NUL into one wire entry when packed.
   Returns 0, SPDYLAY_ERR_INVALID_ARGUMENT or SPDYLAY_ERR_NOMEM. */
int spdylay_frame_nv_copy(char ***nv_ptr, const char **nv);
void spdylay_frame_nv_del(char **nv);

/*
 * Initializers take the protocol version, store its wire version, and take
 * ownership of |nv| / |iv|.  hd.length is filled in when packing.
 */
void spdylay_frame_syn_stream_init(spdylay_syn_stream *frame, uint16_t version,
                                   uint8_t flags, int32_t stream_id,
                                   int32_t assoc_stream_id, uint8_t pri,
                                   char **nv);
void spdylay_frame_syn_reply_init(spdylay_syn_reply *frame, uint16_t version,
                                  uint8_t flags, int32_t stream_id, char **nv);
void spdylay_frame_headers_init(spdylay_headers *frame, uint16_t version,
                                uint8_t flags, int32_t stream_id, char **nv);
void spdylay_frame_rst_stream_init(spdylay_rst_stream *frame, uint16_t version,
                                   int32_t stream_id, uint32_t status_code);
void spdylay_frame_settings_init(spdylay_settings *frame, uint16_t version,
                                 uint8_t flags, spdylay_settings_entry *iv,
                                 size_t niv);
void spdylay_frame_ping_init(spdylay_ping *frame, uint16_t version,
                             uint32_t unique_id);
void spdylay_frame_goaway_init(spdylay_goaway *frame, uint16_t version,
                               int32_t last_good_stream_id,
                               uint32_t status_code);
void spdylay_frame_window_update_init(spdylay_window_update *frame,
                                      uint16_t version, int32_t stream_id,
                                      int32_t delta_window_size);

/* Releases what a frame owns (nv, iv, certificates), by frame type.
   Frames without owned memory are accepted and left alone. */
void spdylay_frame_free(spdylay_frame_type type, spdylay_frame *frame);

/*
 * Packers write the whole frame (8-byte head included) into *buf_ptr,
 * growing it with spdylay_reserve_buffer(), set frame->hd.length, and
 * return the frame's total length or a negative error code:
 * SPDYLAY_ERR_NOMEM, SPDYLAY_ERR_ZLIB, or SPDYLAY_ERR_INVALID_ARGUMENT when
 * the payload would not fit in 24 bits.
 * Header blocks are built from frame->nv with names sorted, equal names
 * merged with NUL, and for wire version 2 the SPDY/3 names
 * (":method" ":scheme" ":path" ":version" ":host" ":status") translated to
 * SPDY/2's ("method" "scheme" "url" "version" "host" "status").
 */
ssize_t spdylay_frame_pack_syn_stream(uint8_t **buf_ptr, size_t *buflen_ptr,
                                      spdylay_syn_stream *frame,
                                      spdylay_zlib *deflater);
ssize_t spdylay_frame_pack_syn_reply(uint8_t **buf_ptr, size_t *buflen_ptr,
                                     spdylay_syn_reply *frame,
                                     spdylay_zlib *deflater);
ssize_t spdylay_frame_pack_headers(uint8_t **buf_ptr, size_t *buflen_ptr,
                                   spdylay_headers *frame,
                                   spdylay_zlib *deflater);
ssize_t spdylay_frame_pack_rst_stream(uint8_t **buf_ptr, size_t *buflen_ptr,
                                      spdylay_rst_stream *frame);
ssize_t spdylay_frame_pack_settings(uint8_t **buf_ptr, size_t *buflen_ptr,
                                    spdylay_settings *frame);
ssize_t spdylay_frame_pack_ping(uint8_t **buf_ptr, size_t *buflen_ptr,
                                spdylay_ping *frame);
ssize_t spdylay_frame_pack_goaway(uint8_t **buf_ptr, size_t *buflen_ptr,
                                  spdylay_goaway *frame);
ssize_t spdylay_frame_pack_window_update(uint8_t **buf_ptr,
                                         size_t *buflen_ptr,
                                         spdylay_window_update *frame);
ssize_t spdylay_frame_pack_credential(uint8_t **buf_ptr, size_t *buflen_ptr,
                                      spdylay_credential *frame);

/*
 * Unpackers read a control frame from its 8-byte |head| and its |payload|
 * (exactly hd.length bytes), fill |frame| (hd included), and return 0 or:
 *   SPDYLAY_ERR_INVALID_FRAME  the fixed part has the wrong size or a field
 *                              is out of range (session error);
 *   SPDYLAY_ERR_ZLIB           the header block does not inflate (the
 *                              inflater is now unusable: session error);
 *   SPDYLAY_ERR_INVALID_HEADER_BLOCK  it inflated but is malformed: counts
 *                              or lengths overrun, an empty or upper-case
 *                              name, a name twice, an empty NUL-separated
 *                              value segment (stream error);
 *   SPDYLAY_ERR_HEADER_BLOCK_TOO_LARGE  inflated past |max_hd_len|;
 *   SPDYLAY_ERR_NOMEM.
 * On error |frame| owns nothing.  Header blocks are always inflated in full
 * so the inflater stays in step with the peer's deflater; *buf_ptr /
 * *buflen_ptr is the session's scratch buffer for that.  A value holding
 * NUL-separated values comes out as one nv entry per value, all with the
 * same name; for wire version 2, SPDY/2's names are translated to SPDY/3's.
 */
int spdylay_frame_unpack_syn_stream(spdylay_syn_stream *frame,
                                    const uint8_t *head, size_t headlen,
                                    const uint8_t *payload, size_t payloadlen,
                                    spdylay_zlib *inflater, uint8_t **buf_ptr,
                                    size_t *buflen_ptr, size_t max_hd_len);
int spdylay_frame_unpack_syn_reply(spdylay_syn_reply *frame,
                                   const uint8_t *head, size_t headlen,
                                   const uint8_t *payload, size_t payloadlen,
                                   spdylay_zlib *inflater, uint8_t **buf_ptr,
                                   size_t *buflen_ptr, size_t max_hd_len);
int spdylay_frame_unpack_headers(spdylay_headers *frame, const uint8_t *head,
                                 size_t headlen, const uint8_t *payload,
                                 size_t payloadlen, spdylay_zlib *inflater,
                                 uint8_t **buf_ptr, size_t *buflen_ptr,
                                 size_t max_hd_len);
int spdylay_frame_unpack_rst_stream(spdylay_rst_stream *frame,
                                    const uint8_t *head, size_t headlen,
                                    const uint8_t *payload,
                                    size_t payloadlen);
/* Also rejects a SETTINGS entry count that disagrees with the length. */
int spdylay_frame_unpack_settings(spdylay_settings *frame, const uint8_t *head,
                                  size_t headlen, const uint8_t *payload,
                                  size_t payloadlen);
int spdylay_frame_unpack_ping(spdylay_ping *frame, const uint8_t *head,
                              size_t headlen, const uint8_t *payload,
                              size_t payloadlen);
/* SPDY/2 GOAWAY is 4 bytes (no status), SPDY/3's 8. */
int spdylay_frame_unpack_goaway(spdylay_goaway *frame, const uint8_t *head,
                                size_t headlen, const uint8_t *payload,
                                size_t payloadlen);
int spdylay_frame_unpack_window_update(spdylay_window_update *frame,
                                       const uint8_t *head, size_t headlen,
                                       const uint8_t *payload,
                                       size_t payloadlen);
int spdylay_frame_unpack_credential(spdylay_credential *frame,
                                    const uint8_t *head, size_t headlen,
                                    const uint8_t *payload,
                                    size_t payloadlen);

#endif /* SPDYLAY_FRAME_H */
