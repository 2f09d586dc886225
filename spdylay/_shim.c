/*
 * _shim.c: libspdylay's callbacks for a Python Session (see _shim.h).
 */
#define _POSIX_C_SOURCE 200809L

#include "_shim.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

/* Frames are accepted into the output buffer until it holds this much; then
   the send callback reports "would block" so that send() hands the bytes to
   Python before the core produces more: memory stays bounded for big
   bodies. */
#define PYSPDYLAY_OUT_HIGH_WATER 65536

#define PYSPDYLAY_HANDLE(user_data) (((pyspdylay_ctx *)(user_data))->handle)

static ssize_t shim_send(spdylay_session *session, const uint8_t *data,
                         size_t length, int flags, void *user_data) {
  pyspdylay_ctx *ctx = user_data;
  size_t need;
  (void)session;
  (void)flags;
  if (ctx->out_len >= PYSPDYLAY_OUT_HIGH_WATER) {
    ctx->out_full = 1;
    return SPDYLAY_ERR_WOULDBLOCK;
  }
  if (length > (size_t)SSIZE_MAX || length > SIZE_MAX - ctx->out_len) {
    return SPDYLAY_ERR_CALLBACK_FAILURE;
  }
  need = ctx->out_len + length;
  if (need > ctx->out_cap) {
    size_t cap = ctx->out_cap ? ctx->out_cap : 4096;
    char *grown;
    while (cap < need) {
      cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    }
    grown = realloc(ctx->out, cap);
    if (grown == NULL) {
      return SPDYLAY_ERR_CALLBACK_FAILURE;
    }
    ctx->out = grown;
    ctx->out_cap = cap;
  }
  memcpy(ctx->out + ctx->out_len, data, length);
  ctx->out_len = need;
  return (ssize_t)length;
}

static void shim_on_ctrl_recv(spdylay_session *session,
                              spdylay_frame_type type, spdylay_frame *frame,
                              void *user_data) {
  (void)session;
  pyspdylay_on_ctrl_recv(PYSPDYLAY_HANDLE(user_data), (int)type, frame);
}

static void shim_on_invalid_ctrl_recv(spdylay_session *session,
                                      spdylay_frame_type type,
                                      spdylay_frame *frame,
                                      uint32_t status_code, void *user_data) {
  (void)session;
  pyspdylay_on_invalid_ctrl_recv(PYSPDYLAY_HANDLE(user_data), (int)type,
                                 frame, status_code);
}

static void shim_on_data_chunk_recv(spdylay_session *session, uint8_t flags,
                                    int32_t stream_id, const uint8_t *data,
                                    size_t len, void *user_data) {
  (void)session;
  pyspdylay_on_data_chunk_recv(PYSPDYLAY_HANDLE(user_data), flags, stream_id,
                               (const char *)data, len);
}

static void shim_on_data_recv(spdylay_session *session, uint8_t flags,
                              int32_t stream_id, int32_t length,
                              void *user_data) {
  (void)session;
  pyspdylay_on_data_recv(PYSPDYLAY_HANDLE(user_data), flags, stream_id,
                         length);
}

static void shim_before_ctrl_send(spdylay_session *session,
                                  spdylay_frame_type type,
                                  spdylay_frame *frame, void *user_data) {
  (void)session;
  pyspdylay_before_ctrl_send(PYSPDYLAY_HANDLE(user_data), (int)type, frame);
}

static void shim_on_ctrl_send(spdylay_session *session,
                              spdylay_frame_type type, spdylay_frame *frame,
                              void *user_data) {
  (void)session;
  pyspdylay_on_ctrl_send(PYSPDYLAY_HANDLE(user_data), (int)type, frame);
}

static void shim_on_ctrl_not_send(spdylay_session *session,
                                  spdylay_frame_type type,
                                  spdylay_frame *frame, int error_code,
                                  void *user_data) {
  (void)session;
  pyspdylay_on_ctrl_not_send(PYSPDYLAY_HANDLE(user_data), (int)type, frame,
                             error_code);
}

static void shim_on_data_send(spdylay_session *session, uint8_t flags,
                              int32_t stream_id, int32_t length,
                              void *user_data) {
  (void)session;
  pyspdylay_on_data_send(PYSPDYLAY_HANDLE(user_data), flags, stream_id,
                         length);
}

/* Always registered: the Python side releases what it keeps for a stream
   (stream_user_data, DataProviders) here, under the key it stored as the
   stream's user data. */
static void shim_on_stream_close(spdylay_session *session, int32_t stream_id,
                                 spdylay_status_code status_code,
                                 void *user_data) {
  uintptr_t key = (uintptr_t)spdylay_session_get_stream_user_data(session,
                                                                  stream_id);
  pyspdylay_on_stream_close(PYSPDYLAY_HANDLE(user_data), stream_id,
                            (int)status_code, key);
}

static void shim_on_request_recv(spdylay_session *session, int32_t stream_id,
                                 void *user_data) {
  (void)session;
  pyspdylay_on_request_recv(PYSPDYLAY_HANDLE(user_data), stream_id);
}

static void shim_on_ctrl_recv_parse_error(spdylay_session *session,
                                          spdylay_frame_type type,
                                          const uint8_t *head, size_t headlen,
                                          const uint8_t *payload,
                                          size_t payloadlen, int error_code,
                                          void *user_data) {
  (void)session;
  pyspdylay_on_ctrl_recv_parse_error(PYSPDYLAY_HANDLE(user_data), (int)type,
                                     (const char *)head, headlen,
                                     (const char *)payload, payloadlen,
                                     error_code);
}

static void shim_on_unknown_ctrl_recv(spdylay_session *session,
                                      const uint8_t *head, size_t headlen,
                                      const uint8_t *payload,
                                      size_t payloadlen, void *user_data) {
  (void)session;
  pyspdylay_on_unknown_ctrl_recv(PYSPDYLAY_HANDLE(user_data),
                                 (const char *)head, headlen,
                                 (const char *)payload, payloadlen);
}

static ssize_t shim_read(spdylay_session *session, int32_t stream_id,
                         uint8_t *buf, size_t length, int *eof,
                         spdylay_data_source *source, void *user_data) {
  (void)session;
  return pyspdylay_read(PYSPDYLAY_HANDLE(user_data), (uintptr_t)source->ptr,
                        stream_id, (char *)buf, length, eof);
}

pyspdylay_ctx *pyspdylay_new(int side, int version, unsigned int forward,
                             void *handle, int *error) {
  spdylay_session_callbacks callbacks;
  pyspdylay_ctx *ctx = calloc(1, sizeof(*ctx));
  if (ctx == NULL) {
    *error = SPDYLAY_ERR_NOMEM;
    return NULL;
  }
  ctx->handle = handle;
  memset(&callbacks, 0, sizeof(callbacks));
  callbacks.send_callback = shim_send;
  callbacks.on_stream_close_callback = shim_on_stream_close;
#define PYSPDYLAY_FORWARD(bit, member, function) \
  if (forward & (bit)) callbacks.member = function
  PYSPDYLAY_FORWARD(PYSPDYLAY_ON_CTRL_RECV, on_ctrl_recv_callback,
                    shim_on_ctrl_recv);
  PYSPDYLAY_FORWARD(PYSPDYLAY_ON_INVALID_CTRL_RECV,
                    on_invalid_ctrl_recv_callback, shim_on_invalid_ctrl_recv);
  PYSPDYLAY_FORWARD(PYSPDYLAY_ON_DATA_CHUNK_RECV, on_data_chunk_recv_callback,
                    shim_on_data_chunk_recv);
  PYSPDYLAY_FORWARD(PYSPDYLAY_ON_DATA_RECV, on_data_recv_callback,
                    shim_on_data_recv);
  PYSPDYLAY_FORWARD(PYSPDYLAY_BEFORE_CTRL_SEND, before_ctrl_send_callback,
                    shim_before_ctrl_send);
  PYSPDYLAY_FORWARD(PYSPDYLAY_ON_CTRL_SEND, on_ctrl_send_callback,
                    shim_on_ctrl_send);
  PYSPDYLAY_FORWARD(PYSPDYLAY_ON_CTRL_NOT_SEND, on_ctrl_not_send_callback,
                    shim_on_ctrl_not_send);
  PYSPDYLAY_FORWARD(PYSPDYLAY_ON_DATA_SEND, on_data_send_callback,
                    shim_on_data_send);
  PYSPDYLAY_FORWARD(PYSPDYLAY_ON_REQUEST_RECV, on_request_recv_callback,
                    shim_on_request_recv);
  PYSPDYLAY_FORWARD(PYSPDYLAY_ON_CTRL_RECV_PARSE_ERROR,
                    on_ctrl_recv_parse_error_callback,
                    shim_on_ctrl_recv_parse_error);
  PYSPDYLAY_FORWARD(PYSPDYLAY_ON_UNKNOWN_CTRL_RECV,
                    on_unknown_ctrl_recv_callback, shim_on_unknown_ctrl_recv);
#undef PYSPDYLAY_FORWARD
  if (side == PYSPDYLAY_CLIENT) {
    *error = spdylay_session_client_new(&ctx->session, version, &callbacks,
                                        ctx);
  } else if (side == PYSPDYLAY_SERVER) {
    *error = spdylay_session_server_new(&ctx->session, version, &callbacks,
                                        ctx);
  } else {
    *error = SPDYLAY_ERR_INVALID_ARGUMENT;
  }
  if (*error != 0) {
    free(ctx);
    return NULL;
  }
  return ctx;
}

void pyspdylay_del(pyspdylay_ctx *ctx) {
  spdylay_session_del(ctx->session);
  free(ctx->out);
  free(ctx);
}

/* Drops the first |length| bytes of the output, which Python has sent. */
void pyspdylay_out_consume(pyspdylay_ctx *ctx, size_t length) {
  if (length > ctx->out_len) {
    length = ctx->out_len;
  }
  memmove(ctx->out, ctx->out + length, ctx->out_len - length);
  ctx->out_len -= length;
  ctx->out_full = 0;
}

/* The Python side stores integer keys, not pointers, as stream user data, so
   a stale key can at worst miss a dictionary lookup. */
uintptr_t pyspdylay_stream_key(spdylay_session *session, int32_t stream_id) {
  return (uintptr_t)spdylay_session_get_stream_user_data(session, stream_id);
}

void pyspdylay_data_provider_init(spdylay_data_provider *provider,
                                  uintptr_t key) {
  provider->source.ptr = (void *)key;
  provider->read_callback = shim_read;
}

/* Received name/value lists cross to Python as one NUL-joined blob, decoded
   and split there in one step each: the strings never contain NUL because
   libspdylay splits NUL-separated values into separate entries. */
size_t pyspdylay_nv_size(char **nv) {
  size_t size = 0;
  for (; *nv; ++nv) {
    size += strlen(*nv) + 1;
  }
  return size;
}

void pyspdylay_nv_join(char **nv, char *out) {
  for (; *nv; ++nv) {
    size_t length = strlen(*nv) + 1;
    memcpy(out, *nv, length);
    out += length;
  }
}

/* Points |nv| at the |count| NUL-terminated strings packed in |blob| and
   terminates it: the whole list costs Python two allocations. */
void pyspdylay_nv_split(const char **nv, char *blob, size_t count) {
  size_t i;
  for (i = 0; i < count; ++i) {
    nv[i] = blob;
    blob += strlen(blob) + 1;
  }
  nv[count] = NULL;
}
