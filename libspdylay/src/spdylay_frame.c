/*
 * spdylay_frame.c: the frame codec.  Turns frame structs into wire bytes
 * and back for SPDY/2 and SPDY/3(.1); the header blocks inside
 * SYN_STREAM, SYN_REPLY and HEADERS belong to spdylay_nv.c.
 */
#include "spdylay_frame.h"

#include <string.h>

#include "spdylay_helper.h"
#include "spdylay_nv.h"

#define SPDYLAY_STREAM_ID_MASK 0x7fffffff
#define SPDYLAY_LENGTH_MASK 0xffffff
#define SPDYLAY_VERSION_MASK 0x7fff
#define SPDYLAY_CONTROL_BIT 0x8000

/* Payload sizes fixed by the drafts. */
#define SPDYLAY_SYN_STREAM_FIXED_LENGTH 10
#define SPDYLAY_SPDY2_SYN_REPLY_FIXED_LENGTH 6
#define SPDYLAY_SPDY3_SYN_REPLY_FIXED_LENGTH 4
#define SPDYLAY_RST_STREAM_LENGTH 8
#define SPDYLAY_SETTINGS_FIXED_LENGTH 4
#define SPDYLAY_SETTINGS_ENTRY_LENGTH 8
#define SPDYLAY_PING_LENGTH 4
#define SPDYLAY_SPDY2_GOAWAY_LENGTH 4
#define SPDYLAY_SPDY3_GOAWAY_LENGTH 8
#define SPDYLAY_WINDOW_UPDATE_LENGTH 8
/* Slot and proof length. */
#define SPDYLAY_CREDENTIAL_FIXED_LENGTH 6
#define SPDYLAY_CREDENTIAL_CERT_LENGTH_SIZE 4

#define SPDYLAY_SPDY2_PRI_LOWEST 3
#define SPDYLAY_SPDY3_PRI_LOWEST 7
#define SPDYLAY_SPDY2_PRI_SHIFT 6
#define SPDYLAY_SPDY3_PRI_SHIFT 5

#define SPDYLAY_SETTINGS_ID_MAX 0xffffff

static int is_spdy2(uint16_t wire_version)
{
  return wire_version == SPDYLAY_PROTO_SPDY2;
}

static int is_known_wire_version(uint16_t wire_version)
{
  return wire_version == SPDYLAY_PROTO_SPDY2 ||
         wire_version == SPDYLAY_PROTO_SPDY3;
}

uint16_t spdylay_frame_wire_version(uint16_t version)
{
  return version == SPDYLAY_PROTO_SPDY3_1 ? SPDYLAY_PROTO_SPDY3 : version;
}

void spdylay_frame_pack_ctrl_hd(uint8_t *buf, const spdylay_ctrl_hd *hd)
{
  spdylay_put_uint16be(buf, (uint16_t)(SPDYLAY_CONTROL_BIT |
                                       (hd->version & SPDYLAY_VERSION_MASK)));
  spdylay_put_uint16be(buf + 2, hd->type);
  spdylay_put_uint32be(buf + 4, (uint32_t)hd->length & SPDYLAY_LENGTH_MASK);
  buf[4] = hd->flags;
}

void spdylay_frame_unpack_ctrl_hd(spdylay_ctrl_hd *hd, const uint8_t *head)
{
  hd->version = spdylay_get_uint16(head) & SPDYLAY_VERSION_MASK;
  hd->type = spdylay_get_uint16(head + 2);
  hd->flags = head[4];
  hd->length = (int32_t)(spdylay_get_uint32(head + 4) & SPDYLAY_LENGTH_MASK);
}

void spdylay_frame_pack_data_hd(uint8_t *buf, int32_t stream_id, uint8_t flags,
                                uint32_t length)
{
  spdylay_put_uint32be(buf, (uint32_t)stream_id & SPDYLAY_STREAM_ID_MASK);
  spdylay_put_uint32be(buf + 4, length & SPDYLAY_LENGTH_MASK);
  buf[4] = flags;
}

/*
 * Frame initializers and release
 */

static void init_ctrl_hd(spdylay_ctrl_hd *hd, uint16_t version, uint16_t type,
                         uint8_t flags)
{
  hd->version = spdylay_frame_wire_version(version);
  hd->type = type;
  hd->flags = flags;
  hd->length = 0;
}

void spdylay_frame_syn_stream_init(spdylay_syn_stream *frame, uint16_t version,
                                   uint8_t flags, int32_t stream_id,
                                   int32_t assoc_stream_id, uint8_t pri,
                                   char **nv)
{
  memset(frame, 0, sizeof(*frame));
  init_ctrl_hd(&frame->hd, version, SPDYLAY_SYN_STREAM, flags);
  frame->stream_id = stream_id;
  frame->assoc_stream_id = assoc_stream_id;
  frame->pri = pri;
  frame->nv = nv;
}

void spdylay_frame_syn_reply_init(spdylay_syn_reply *frame, uint16_t version,
                                  uint8_t flags, int32_t stream_id, char **nv)
{
  memset(frame, 0, sizeof(*frame));
  init_ctrl_hd(&frame->hd, version, SPDYLAY_SYN_REPLY, flags);
  frame->stream_id = stream_id;
  frame->nv = nv;
}

void spdylay_frame_headers_init(spdylay_headers *frame, uint16_t version,
                                uint8_t flags, int32_t stream_id, char **nv)
{
  memset(frame, 0, sizeof(*frame));
  init_ctrl_hd(&frame->hd, version, SPDYLAY_HEADERS, flags);
  frame->stream_id = stream_id;
  frame->nv = nv;
}

void spdylay_frame_rst_stream_init(spdylay_rst_stream *frame, uint16_t version,
                                   int32_t stream_id, uint32_t status_code)
{
  memset(frame, 0, sizeof(*frame));
  init_ctrl_hd(&frame->hd, version, SPDYLAY_RST_STREAM, 0);
  frame->stream_id = stream_id;
  frame->status_code = status_code;
}

void spdylay_frame_settings_init(spdylay_settings *frame, uint16_t version,
                                 uint8_t flags, spdylay_settings_entry *iv,
                                 size_t niv)
{
  memset(frame, 0, sizeof(*frame));
  init_ctrl_hd(&frame->hd, version, SPDYLAY_SETTINGS, flags);
  frame->iv = iv;
  frame->niv = niv;
}

void spdylay_frame_ping_init(spdylay_ping *frame, uint16_t version,
                             uint32_t unique_id)
{
  memset(frame, 0, sizeof(*frame));
  init_ctrl_hd(&frame->hd, version, SPDYLAY_PING, 0);
  frame->unique_id = unique_id;
}

void spdylay_frame_goaway_init(spdylay_goaway *frame, uint16_t version,
                               int32_t last_good_stream_id,
                               uint32_t status_code)
{
  memset(frame, 0, sizeof(*frame));
  init_ctrl_hd(&frame->hd, version, SPDYLAY_GOAWAY, 0);
  frame->last_good_stream_id = last_good_stream_id;
  frame->status_code = status_code;
}

void spdylay_frame_window_update_init(spdylay_window_update *frame,
                                      uint16_t version, int32_t stream_id,
                                      int32_t delta_window_size)
{
  memset(frame, 0, sizeof(*frame));
  init_ctrl_hd(&frame->hd, version, SPDYLAY_WINDOW_UPDATE, 0);
  frame->stream_id = stream_id;
  frame->delta_window_size = delta_window_size;
}

static void credential_free(spdylay_credential *frame)
{
  size_t i;
  free(frame->proof.data);
  frame->proof.data = NULL;
  for (i = 0; i < frame->ncerts; ++i) {
    free(frame->certs[i].data);
  }
  free(frame->certs);
  frame->certs = NULL;
  frame->ncerts = 0;
}

void spdylay_frame_free(spdylay_frame_type type, spdylay_frame *frame)
{
  switch (type) {
  case SPDYLAY_SYN_STREAM:
    spdylay_nv_del(frame->syn_stream.nv);
    frame->syn_stream.nv = NULL;
    break;
  case SPDYLAY_SYN_REPLY:
    spdylay_nv_del(frame->syn_reply.nv);
    frame->syn_reply.nv = NULL;
    break;
  case SPDYLAY_HEADERS:
    spdylay_nv_del(frame->headers.nv);
    frame->headers.nv = NULL;
    break;
  case SPDYLAY_SETTINGS:
    free(frame->settings.iv);
    frame->settings.iv = NULL;
    frame->settings.niv = 0;
    break;
  case SPDYLAY_CREDENTIAL:
    credential_free(&frame->credential);
    break;
  default:
    break;
  }
}

/*
 * Packers
 */

/* Makes room for a frame without a header block and writes its head. */
static int start_fixed_frame(uint8_t **buf_ptr, size_t *buflen_ptr,
                             spdylay_ctrl_hd *hd, uint16_t type, size_t length)
{
  int rv;
  if (!is_known_wire_version(hd->version) ||
      length > SPDYLAY_MAX_FRAME_LENGTH) {
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
  rv = spdylay_reserve_buffer(buf_ptr, buflen_ptr,
                              SPDYLAY_FRAME_HEAD_LENGTH + length);
  if (rv != 0) {
    return rv;
  }
  hd->type = type;
  hd->length = (int32_t)length;
  spdylay_frame_pack_ctrl_hd(*buf_ptr, hd);
  return 0;
}

static size_t syn_reply_fixed_length(uint16_t wire_version)
{
  return is_spdy2(wire_version) ? SPDYLAY_SPDY2_SYN_REPLY_FIXED_LENGTH
                                : SPDYLAY_SPDY3_SYN_REPLY_FIXED_LENGTH;
}

/* Packs a frame whose fixed part is a stream ID (plus SPDY/2's two unused
   bytes) followed by a header block: SYN_REPLY and HEADERS. */
static ssize_t pack_stream_nv_frame(uint8_t **buf_ptr, size_t *buflen_ptr,
                                    spdylay_ctrl_hd *hd, uint16_t type,
                                    int32_t stream_id, char **nv,
                                    spdylay_zlib *deflater)
{
  size_t fixedlen;
  ssize_t blocklen;
  uint8_t *buf;
  if (!is_known_wire_version(hd->version)) {
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
  fixedlen = syn_reply_fixed_length(hd->version);
  blocklen = spdylay_nv_pack_block(buf_ptr, buflen_ptr,
                                   SPDYLAY_FRAME_HEAD_LENGTH + fixedlen, nv,
                                   hd->version, deflater);
  if (blocklen < 0) {
    return blocklen;
  }
  buf = *buf_ptr;
  hd->type = type;
  hd->length = (int32_t)(fixedlen + (size_t)blocklen);
  spdylay_frame_pack_ctrl_hd(buf, hd);
  spdylay_put_uint32be(buf + 8, (uint32_t)stream_id & SPDYLAY_STREAM_ID_MASK);
  if (is_spdy2(hd->version)) {
    spdylay_put_uint16be(buf + 12, 0);
  }
  return SPDYLAY_FRAME_HEAD_LENGTH + hd->length;
}

ssize_t spdylay_frame_pack_syn_stream(uint8_t **buf_ptr, size_t *buflen_ptr,
                                      spdylay_syn_stream *frame,
                                      spdylay_zlib *deflater)
{
  int spdy2 = is_spdy2(frame->hd.version);
  ssize_t blocklen;
  uint8_t *buf;
  if (!is_known_wire_version(frame->hd.version) ||
      frame->pri >
          (spdy2 ? SPDYLAY_SPDY2_PRI_LOWEST : SPDYLAY_SPDY3_PRI_LOWEST)) {
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
  blocklen = spdylay_nv_pack_block(buf_ptr, buflen_ptr,
                                   SPDYLAY_FRAME_HEAD_LENGTH +
                                       SPDYLAY_SYN_STREAM_FIXED_LENGTH,
                                   frame->nv, frame->hd.version, deflater);
  if (blocklen < 0) {
    return blocklen;
  }
  buf = *buf_ptr;
  frame->hd.type = SPDYLAY_SYN_STREAM;
  frame->hd.length =
      (int32_t)(SPDYLAY_SYN_STREAM_FIXED_LENGTH + (size_t)blocklen);
  spdylay_frame_pack_ctrl_hd(buf, &frame->hd);
  spdylay_put_uint32be(buf + 8,
                       (uint32_t)frame->stream_id & SPDYLAY_STREAM_ID_MASK);
  spdylay_put_uint32be(buf + 12, (uint32_t)frame->assoc_stream_id &
                                     SPDYLAY_STREAM_ID_MASK);
  if (spdy2) {
    buf[16] = (uint8_t)(frame->pri << SPDYLAY_SPDY2_PRI_SHIFT);
    buf[17] = 0;
  } else {
    buf[16] = (uint8_t)(frame->pri << SPDYLAY_SPDY3_PRI_SHIFT);
    buf[17] = frame->slot;
  }
  return SPDYLAY_FRAME_HEAD_LENGTH + frame->hd.length;
}

ssize_t spdylay_frame_pack_syn_reply(uint8_t **buf_ptr, size_t *buflen_ptr,
                                     spdylay_syn_reply *frame,
                                     spdylay_zlib *deflater)
{
  return pack_stream_nv_frame(buf_ptr, buflen_ptr, &frame->hd,
                              SPDYLAY_SYN_REPLY, frame->stream_id, frame->nv,
                              deflater);
}

ssize_t spdylay_frame_pack_headers(uint8_t **buf_ptr, size_t *buflen_ptr,
                                   spdylay_headers *frame,
                                   spdylay_zlib *deflater)
{
  return pack_stream_nv_frame(buf_ptr, buflen_ptr, &frame->hd, SPDYLAY_HEADERS,
                              frame->stream_id, frame->nv, deflater);
}

ssize_t spdylay_frame_pack_rst_stream(uint8_t **buf_ptr, size_t *buflen_ptr,
                                      spdylay_rst_stream *frame)
{
  uint8_t *buf;
  int rv = start_fixed_frame(buf_ptr, buflen_ptr, &frame->hd,
                             SPDYLAY_RST_STREAM, SPDYLAY_RST_STREAM_LENGTH);
  if (rv != 0) {
    return rv;
  }
  buf = *buf_ptr;
  spdylay_put_uint32be(buf + 8,
                       (uint32_t)frame->stream_id & SPDYLAY_STREAM_ID_MASK);
  spdylay_put_uint32be(buf + 12, frame->status_code);
  return SPDYLAY_FRAME_HEAD_LENGTH + SPDYLAY_RST_STREAM_LENGTH;
}

ssize_t spdylay_frame_pack_settings(uint8_t **buf_ptr, size_t *buflen_ptr,
                                    spdylay_settings *frame)
{
  size_t i, length;
  uint8_t *p;
  int rv;
  if (frame->niv > (SPDYLAY_MAX_FRAME_LENGTH - SPDYLAY_SETTINGS_FIXED_LENGTH) /
                       SPDYLAY_SETTINGS_ENTRY_LENGTH) {
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
  for (i = 0; i < frame->niv; ++i) {
    if (frame->iv[i].settings_id < 0 ||
        frame->iv[i].settings_id > SPDYLAY_SETTINGS_ID_MAX) {
      return SPDYLAY_ERR_INVALID_ARGUMENT;
    }
  }
  length = SPDYLAY_SETTINGS_FIXED_LENGTH +
           frame->niv * SPDYLAY_SETTINGS_ENTRY_LENGTH;
  rv = start_fixed_frame(buf_ptr, buflen_ptr, &frame->hd, SPDYLAY_SETTINGS,
                         length);
  if (rv != 0) {
    return rv;
  }
  p = *buf_ptr + SPDYLAY_FRAME_HEAD_LENGTH;
  spdylay_put_uint32be(p, (uint32_t)frame->niv);
  p += SPDYLAY_SETTINGS_FIXED_LENGTH;
  for (i = 0; i < frame->niv; ++i, p += SPDYLAY_SETTINGS_ENTRY_LENGTH) {
    uint32_t id = (uint32_t)frame->iv[i].settings_id;
    if (is_spdy2(frame->hd.version)) {
      /* SPDY/2 shipped its IDs little-endian, ahead of the flags. */
      p[0] = (uint8_t)id;
      p[1] = (uint8_t)(id >> 8);
      p[2] = (uint8_t)(id >> 16);
      p[3] = frame->iv[i].flags;
    } else {
      spdylay_put_uint32be(p, id);
      p[0] = frame->iv[i].flags;
    }
    spdylay_put_uint32be(p + 4, frame->iv[i].value);
  }
  return (ssize_t)(SPDYLAY_FRAME_HEAD_LENGTH + length);
}

ssize_t spdylay_frame_pack_ping(uint8_t **buf_ptr, size_t *buflen_ptr,
                                spdylay_ping *frame)
{
  int rv = start_fixed_frame(buf_ptr, buflen_ptr, &frame->hd, SPDYLAY_PING,
                             SPDYLAY_PING_LENGTH);
  if (rv != 0) {
    return rv;
  }
  spdylay_put_uint32be(*buf_ptr + 8, frame->unique_id);
  return SPDYLAY_FRAME_HEAD_LENGTH + SPDYLAY_PING_LENGTH;
}

ssize_t spdylay_frame_pack_goaway(uint8_t **buf_ptr, size_t *buflen_ptr,
                                  spdylay_goaway *frame)
{
  int spdy2 = is_spdy2(frame->hd.version);
  size_t length =
      spdy2 ? SPDYLAY_SPDY2_GOAWAY_LENGTH : SPDYLAY_SPDY3_GOAWAY_LENGTH;
  int rv = start_fixed_frame(buf_ptr, buflen_ptr, &frame->hd, SPDYLAY_GOAWAY,
                             length);
  if (rv != 0) {
    return rv;
  }
  spdylay_put_uint32be(*buf_ptr + 8, (uint32_t)frame->last_good_stream_id &
                                         SPDYLAY_STREAM_ID_MASK);
  if (!spdy2) {
    spdylay_put_uint32be(*buf_ptr + 12, frame->status_code);
  }
  return (ssize_t)(SPDYLAY_FRAME_HEAD_LENGTH + length);
}

ssize_t spdylay_frame_pack_window_update(uint8_t **buf_ptr, size_t *buflen_ptr,
                                         spdylay_window_update *frame)
{
  int rv;
  if (is_spdy2(frame->hd.version)) {
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
  rv = start_fixed_frame(buf_ptr, buflen_ptr, &frame->hd, SPDYLAY_WINDOW_UPDATE,
                         SPDYLAY_WINDOW_UPDATE_LENGTH);
  if (rv != 0) {
    return rv;
  }
  spdylay_put_uint32be(*buf_ptr + 8,
                       (uint32_t)frame->stream_id & SPDYLAY_STREAM_ID_MASK);
  spdylay_put_uint32be(*buf_ptr + 12, (uint32_t)frame->delta_window_size &
                                          SPDYLAY_STREAM_ID_MASK);
  return SPDYLAY_FRAME_HEAD_LENGTH + SPDYLAY_WINDOW_UPDATE_LENGTH;
}

ssize_t spdylay_frame_pack_credential(uint8_t **buf_ptr, size_t *buflen_ptr,
                                      spdylay_credential *frame)
{
  size_t length = SPDYLAY_CREDENTIAL_FIXED_LENGTH;
  size_t i;
  uint8_t *p;
  int rv;
  if (is_spdy2(frame->hd.version) ||
      frame->proof.length > SPDYLAY_MAX_FRAME_LENGTH) {
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
  length += frame->proof.length;
  for (i = 0; i < frame->ncerts; ++i) {
    if (frame->certs[i].length > SPDYLAY_MAX_FRAME_LENGTH) {
      return SPDYLAY_ERR_INVALID_ARGUMENT;
    }
    length += SPDYLAY_CREDENTIAL_CERT_LENGTH_SIZE + frame->certs[i].length;
    if (length > SPDYLAY_MAX_FRAME_LENGTH) {
      return SPDYLAY_ERR_INVALID_ARGUMENT;
    }
  }
  rv = start_fixed_frame(buf_ptr, buflen_ptr, &frame->hd, SPDYLAY_CREDENTIAL,
                         length);
  if (rv != 0) {
    return rv;
  }
  p = *buf_ptr + SPDYLAY_FRAME_HEAD_LENGTH;
  spdylay_put_uint16be(p, frame->slot);
  spdylay_put_uint32be(p + 2, (uint32_t)frame->proof.length);
  p += SPDYLAY_CREDENTIAL_FIXED_LENGTH;
  if (frame->proof.length > 0) {
    memcpy(p, frame->proof.data, frame->proof.length);
    p += frame->proof.length;
  }
  for (i = 0; i < frame->ncerts; ++i) {
    spdylay_put_uint32be(p, (uint32_t)frame->certs[i].length);
    p += SPDYLAY_CREDENTIAL_CERT_LENGTH_SIZE;
    if (frame->certs[i].length > 0) {
      memcpy(p, frame->certs[i].data, frame->certs[i].length);
      p += frame->certs[i].length;
    }
  }
  return (ssize_t)(SPDYLAY_FRAME_HEAD_LENGTH + length);
}

/*
 * Unpackers
 */

/* Reads the head every unpacker starts from and checks what all frames
   share: a version this codec speaks and a payload of the stated size. */
static int unpack_head(spdylay_ctrl_hd *hd, const uint8_t *head, size_t headlen,
                       size_t payloadlen)
{
  if (headlen != SPDYLAY_FRAME_HEAD_LENGTH) {
    return SPDYLAY_ERR_INVALID_FRAME;
  }
  spdylay_frame_unpack_ctrl_hd(hd, head);
  if (!is_known_wire_version(hd->version) || (size_t)hd->length != payloadlen) {
    return SPDYLAY_ERR_INVALID_FRAME;
  }
  return 0;
}

size_t spdylay_frame_header_block_offset(uint16_t type, uint16_t wire_version)
{
  return type == SPDYLAY_SYN_STREAM ? SPDYLAY_SYN_STREAM_FIXED_LENGTH
                                    : syn_reply_fixed_length(wire_version);
}

int spdylay_frame_unpack_syn_stream(spdylay_syn_stream *frame,
                                    const uint8_t *head, size_t headlen,
                                    const uint8_t *payload, size_t payloadlen)
{
  int rv;
  memset(frame, 0, sizeof(*frame));
  rv = unpack_head(&frame->hd, head, headlen, payloadlen);
  if (rv != 0) {
    return rv;
  }
  if (payloadlen < SPDYLAY_SYN_STREAM_FIXED_LENGTH) {
    return SPDYLAY_ERR_INVALID_FRAME;
  }
  frame->stream_id =
      (int32_t)(spdylay_get_uint32(payload) & SPDYLAY_STREAM_ID_MASK);
  frame->assoc_stream_id =
      (int32_t)(spdylay_get_uint32(payload + 4) & SPDYLAY_STREAM_ID_MASK);
  if (is_spdy2(frame->hd.version)) {
    frame->pri = (uint8_t)(payload[8] >> SPDYLAY_SPDY2_PRI_SHIFT);
  } else {
    frame->pri = (uint8_t)(payload[8] >> SPDYLAY_SPDY3_PRI_SHIFT);
    frame->slot = payload[9];
  }
  return 0;
}

/* SYN_REPLY and HEADERS share their layout. */
static int unpack_stream_nv_frame(spdylay_ctrl_hd *hd, int32_t *stream_id_ptr,
                                  const uint8_t *head, size_t headlen,
                                  const uint8_t *payload, size_t payloadlen)
{
  int rv = unpack_head(hd, head, headlen, payloadlen);
  if (rv != 0) {
    return rv;
  }
  if (payloadlen < syn_reply_fixed_length(hd->version)) {
    return SPDYLAY_ERR_INVALID_FRAME;
  }
  *stream_id_ptr =
      (int32_t)(spdylay_get_uint32(payload) & SPDYLAY_STREAM_ID_MASK);
  return 0;
}

int spdylay_frame_unpack_syn_reply(spdylay_syn_reply *frame,
                                   const uint8_t *head, size_t headlen,
                                   const uint8_t *payload, size_t payloadlen)
{
  memset(frame, 0, sizeof(*frame));
  return unpack_stream_nv_frame(&frame->hd, &frame->stream_id, head, headlen,
                                payload, payloadlen);
}

int spdylay_frame_unpack_headers(spdylay_headers *frame, const uint8_t *head,
                                 size_t headlen, const uint8_t *payload,
                                 size_t payloadlen)
{
  memset(frame, 0, sizeof(*frame));
  return unpack_stream_nv_frame(&frame->hd, &frame->stream_id, head, headlen,
                                payload, payloadlen);
}

int spdylay_frame_unpack_rst_stream(spdylay_rst_stream *frame,
                                    const uint8_t *head, size_t headlen,
                                    const uint8_t *payload, size_t payloadlen)
{
  int rv;
  memset(frame, 0, sizeof(*frame));
  rv = unpack_head(&frame->hd, head, headlen, payloadlen);
  if (rv != 0) {
    return rv;
  }
  if (payloadlen != SPDYLAY_RST_STREAM_LENGTH) {
    return SPDYLAY_ERR_INVALID_FRAME;
  }
  frame->stream_id =
      (int32_t)(spdylay_get_uint32(payload) & SPDYLAY_STREAM_ID_MASK);
  frame->status_code = spdylay_get_uint32(payload + 4);
  return 0;
}

int spdylay_frame_unpack_settings(spdylay_settings *frame, const uint8_t *head,
                                  size_t headlen, const uint8_t *payload,
                                  size_t payloadlen)
{
  size_t niv, i;
  const uint8_t *p;
  int rv;
  memset(frame, 0, sizeof(*frame));
  rv = unpack_head(&frame->hd, head, headlen, payloadlen);
  if (rv != 0) {
    return rv;
  }
  if (payloadlen < SPDYLAY_SETTINGS_FIXED_LENGTH) {
    return SPDYLAY_ERR_INVALID_FRAME;
  }
  niv = spdylay_get_uint32(payload);
  if ((payloadlen - SPDYLAY_SETTINGS_FIXED_LENGTH) %
              SPDYLAY_SETTINGS_ENTRY_LENGTH !=
          0 ||
      (payloadlen - SPDYLAY_SETTINGS_FIXED_LENGTH) /
              SPDYLAY_SETTINGS_ENTRY_LENGTH !=
          niv) {
    return SPDYLAY_ERR_INVALID_FRAME;
  }
  if (niv == 0) {
    return 0;
  }
  frame->iv = malloc(niv * sizeof(spdylay_settings_entry));
  if (frame->iv == NULL) {
    return SPDYLAY_ERR_NOMEM;
  }
  frame->niv = niv;
  p = payload + SPDYLAY_SETTINGS_FIXED_LENGTH;
  for (i = 0; i < niv; ++i, p += SPDYLAY_SETTINGS_ENTRY_LENGTH) {
    spdylay_settings_entry *entry = &frame->iv[i];
    if (is_spdy2(frame->hd.version)) {
      entry->settings_id = (int32_t)((uint32_t)p[0] | ((uint32_t)p[1] << 8) |
                                     ((uint32_t)p[2] << 16));
      entry->flags = p[3];
    } else {
      entry->flags = p[0];
      entry->settings_id =
          (int32_t)(spdylay_get_uint32(p) & SPDYLAY_SETTINGS_ID_MAX);
    }
    entry->value = spdylay_get_uint32(p + 4);
  }
  return 0;
}

int spdylay_frame_unpack_ping(spdylay_ping *frame, const uint8_t *head,
                              size_t headlen, const uint8_t *payload,
                              size_t payloadlen)
{
  int rv;
  memset(frame, 0, sizeof(*frame));
  rv = unpack_head(&frame->hd, head, headlen, payloadlen);
  if (rv != 0) {
    return rv;
  }
  if (payloadlen != SPDYLAY_PING_LENGTH) {
    return SPDYLAY_ERR_INVALID_FRAME;
  }
  frame->unique_id = spdylay_get_uint32(payload);
  return 0;
}

int spdylay_frame_unpack_goaway(spdylay_goaway *frame, const uint8_t *head,
                                size_t headlen, const uint8_t *payload,
                                size_t payloadlen)
{
  int spdy2;
  int rv;
  memset(frame, 0, sizeof(*frame));
  rv = unpack_head(&frame->hd, head, headlen, payloadlen);
  if (rv != 0) {
    return rv;
  }
  spdy2 = is_spdy2(frame->hd.version);
  if (payloadlen !=
      (spdy2 ? SPDYLAY_SPDY2_GOAWAY_LENGTH : SPDYLAY_SPDY3_GOAWAY_LENGTH)) {
    return SPDYLAY_ERR_INVALID_FRAME;
  }
  frame->last_good_stream_id =
      (int32_t)(spdylay_get_uint32(payload) & SPDYLAY_STREAM_ID_MASK);
  if (!spdy2) {
    frame->status_code = spdylay_get_uint32(payload + 4);
  }
  return 0;
}

int spdylay_frame_unpack_window_update(spdylay_window_update *frame,
                                       const uint8_t *head, size_t headlen,
                                       const uint8_t *payload,
                                       size_t payloadlen)
{
  int rv;
  memset(frame, 0, sizeof(*frame));
  rv = unpack_head(&frame->hd, head, headlen, payloadlen);
  if (rv != 0) {
    return rv;
  }
  if (is_spdy2(frame->hd.version) ||
      payloadlen != SPDYLAY_WINDOW_UPDATE_LENGTH) {
    return SPDYLAY_ERR_INVALID_FRAME;
  }
  frame->stream_id =
      (int32_t)(spdylay_get_uint32(payload) & SPDYLAY_STREAM_ID_MASK);
  frame->delta_window_size =
      (int32_t)(spdylay_get_uint32(payload + 4) & SPDYLAY_STREAM_ID_MASK);
  return 0;
}

/* Copies |len| bytes into a new chunk; empty chunks allocate nothing. */
static int copy_chunk(spdylay_mem_chunk *chunk, const uint8_t *data, size_t len)
{
  chunk->length = len;
  chunk->data = NULL;
  if (len == 0) {
    return 0;
  }
  chunk->data = malloc(len);
  if (chunk->data == NULL) {
    return SPDYLAY_ERR_NOMEM;
  }
  memcpy(chunk->data, data, len);
  return 0;
}

int spdylay_frame_unpack_credential(spdylay_credential *frame,
                                    const uint8_t *head, size_t headlen,
                                    const uint8_t *payload, size_t payloadlen)
{
  const uint8_t *p, *end = payload + payloadlen;
  size_t prooflen, ncerts = 0, i;
  int rv;
  memset(frame, 0, sizeof(*frame));
  rv = unpack_head(&frame->hd, head, headlen, payloadlen);
  if (rv != 0) {
    return rv;
  }
  if (is_spdy2(frame->hd.version) ||
      payloadlen < SPDYLAY_CREDENTIAL_FIXED_LENGTH) {
    return SPDYLAY_ERR_INVALID_FRAME;
  }
  prooflen = spdylay_get_uint32(payload + 2);
  if (prooflen > payloadlen - SPDYLAY_CREDENTIAL_FIXED_LENGTH) {
    return SPDYLAY_ERR_INVALID_FRAME;
  }
  /* Count the certificates, checking every length, before allocating. */
  for (p = payload + SPDYLAY_CREDENTIAL_FIXED_LENGTH + prooflen; p != end;
       ++ncerts) {
    size_t certlen;
    if ((size_t)(end - p) < SPDYLAY_CREDENTIAL_CERT_LENGTH_SIZE) {
      return SPDYLAY_ERR_INVALID_FRAME;
    }
    certlen = spdylay_get_uint32(p);
    p += SPDYLAY_CREDENTIAL_CERT_LENGTH_SIZE;
    if (certlen > (size_t)(end - p)) {
      return SPDYLAY_ERR_INVALID_FRAME;
    }
    p += certlen;
  }
  frame->slot = spdylay_get_uint16(payload);
  rv = copy_chunk(&frame->proof, payload + SPDYLAY_CREDENTIAL_FIXED_LENGTH,
                  prooflen);
  if (rv != 0) {
    return rv;
  }
  if (ncerts == 0) {
    return 0;
  }
  frame->certs = calloc(ncerts, sizeof(spdylay_mem_chunk));
  if (frame->certs == NULL) {
    credential_free(frame);
    return SPDYLAY_ERR_NOMEM;
  }
  frame->ncerts = ncerts;
  p = payload + SPDYLAY_CREDENTIAL_FIXED_LENGTH + prooflen;
  for (i = 0; i < ncerts; ++i) {
    size_t certlen = spdylay_get_uint32(p);
    p += SPDYLAY_CREDENTIAL_CERT_LENGTH_SIZE;
    rv = copy_chunk(&frame->certs[i], p, certlen);
    if (rv != 0) {
      credential_free(frame);
      return rv;
    }
    p += certlen;
  }
  return 0;
}
