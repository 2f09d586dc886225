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

#define PYSPDYLAY_FORWARDER(BIT, name, python_params, core_params,         \
                            arguments)                                        \
  static void shim_##name core_params {                                       \
    (void)session;                                                            \
    pyspdylay_##name arguments;                                               \
  }
PYSPDYLAY_FORWARDED(PYSPDYLAY_FORWARDER)
#undef PYSPDYLAY_FORWARDER

/* Always registered: the Python side releases what it keeps for a stream
   (stream_user_data, DataProviders) here, under the key it stored as the
   stream's user data. */
static void shim_on_stream_close(spdylay_session *session, int32_t stream_id,
                                 spdylay_status_code status_code,
                                 void *user_data) {
  uintptr_t key = (uintptr_t)spdylay_session_get_stream_user_data(session,
                                                                  stream_id);
  /* The peer's RST_STREAM status, 32 unsigned bits from the wire. */
  pyspdylay_on_stream_close(PYSPDYLAY_HANDLE(user_data), stream_id,
                            (uint32_t)status_code, key);
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
#define PYSPDYLAY_REGISTER(BIT, name, python_params, core_params,         \
                           arguments)                                         \
  if (forward & PYSPDYLAY_##BIT) {                                            \
    callbacks.name##_callback = shim_##name;                                  \
  }
  PYSPDYLAY_FORWARDED(PYSPDYLAY_REGISTER)
#undef PYSPDYLAY_REGISTER
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
