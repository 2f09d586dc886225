/*
 * spdylay_frame.h: the frame codec.  Packs control frames and DATA heads
 * into wire bytes and unpacks them again, for SPDY/2, SPDY/3 and SPDY/3.1.
 * The header blocks of SYN_STREAM, SYN_REPLY and HEADERS are
 * spdylay_nv.h's: the packers call it, and the session inflates a
 * received block after unpacking the frame's fixed part.
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
/* Its documented minimum in libspdylay 1.4. */
#define SPDYLAY_MIN_RECV_CTRL_FRAME_BUFFER 8192

/* The version field sent on the wire: 3 for SPDY/3.1. */
uint16_t spdylay_frame_wire_version(uint16_t version);

/* Control-frame head: control bit, 15-bit version, type, flags, length. */
void spdylay_frame_pack_ctrl_hd(uint8_t *buf, const spdylay_ctrl_hd *hd);
void spdylay_frame_unpack_ctrl_hd(spdylay_ctrl_hd *hd, const uint8_t *head);

/* DATA head: 31-bit stream ID, flags, 24-bit length. */
void spdylay_frame_pack_data_hd(uint8_t *buf, int32_t stream_id, uint8_t flags,
                                uint32_t length);

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
 * the payload would not fit in 24 bits.  Header blocks are built from
 * frame->nv by spdylay_nv_pack_block().
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
ssize_t spdylay_frame_pack_window_update(uint8_t **buf_ptr, size_t *buflen_ptr,
                                         spdylay_window_update *frame);
ssize_t spdylay_frame_pack_credential(uint8_t **buf_ptr, size_t *buflen_ptr,
                                      spdylay_credential *frame);

/*
 * Unpackers read a control frame from its 8-byte |head| and its |payload|
 * (exactly hd.length bytes), fill |frame| (hd included), and return 0 or
 * SPDYLAY_ERR_INVALID_FRAME (the fixed part has the wrong size or a field
 * is out of range: session error).  For SYN_STREAM, SYN_REPLY and HEADERS
 * they read only the fixed part and leave nv NULL: the header block that
 * follows it, at spdylay_frame_header_block_offset(), is the caller's to
 * give to spdylay_nv_unpack_block().
 */
int spdylay_frame_unpack_syn_stream(spdylay_syn_stream *frame,
                                    const uint8_t *head, size_t headlen,
                                    const uint8_t *payload, size_t payloadlen);
int spdylay_frame_unpack_syn_reply(spdylay_syn_reply *frame,
                                   const uint8_t *head, size_t headlen,
                                   const uint8_t *payload, size_t payloadlen);
int spdylay_frame_unpack_headers(spdylay_headers *frame, const uint8_t *head,
                                 size_t headlen, const uint8_t *payload,
                                 size_t payloadlen);
/* Where the header block of a SYN_STREAM, SYN_REPLY or HEADERS of
   |wire_version| starts in its payload: after the fixed part. */
size_t spdylay_frame_header_block_offset(uint16_t type, uint16_t wire_version);
int spdylay_frame_unpack_rst_stream(spdylay_rst_stream *frame,
                                    const uint8_t *head, size_t headlen,
                                    const uint8_t *payload, size_t payloadlen);
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
                                    const uint8_t *payload, size_t payloadlen);

#endif /* SPDYLAY_FRAME_H */
