/*
 * _shim.c: libspdylay's callbacks for a Python Session (see _shim.h).
 */
#define _POSIX_C_SOURCE 200809L

#include "_shim.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#ifdef PYSPDYLAY_BUNDLED_CORE
#include "spdylay_data_frame_buffer.h"
#include "spdylay_not_sent.h"
#endif

/* Frames are accepted into the output buffer until it holds this much; then
   the send callback reports "would block" so that send() hands the bytes to
   Python before the core produces more: memory stays bounded for big
   bodies. */
#define PYSPDYLAY_OUT_HIGH_WATER 65536

/* |array|, holding |count| of its |*cap| entries of |size| bytes, with
   room for one more: grown (and |*cap| with it) when full; NULL, the array
   unchanged, for lack of memory. */
static void *room_for_one(void *array, size_t *cap, size_t count, size_t size)
{
  size_t grown_cap;
  void *grown;
  if (count < *cap) {
    return array;
  }
  if (*cap > SIZE_MAX / 2 / size) {
    return NULL;
  }
  grown_cap = *cap ? *cap * 2 : 32;
  grown = realloc(array, grown_cap * size);
  if (grown != NULL) {
    *cap = grown_cap;
  }
  return grown;
}

/* The output's length with its spans. */
static size_t out_total(const pyspdylay_ctx *ctx)
{
  return ctx->out_len + ctx->out_spanned;
}

/* Makes room for |length| more bytes of output, spans included; nonzero
   for lack of memory. */
static int reserve_out(pyspdylay_ctx *ctx, size_t length)
{
  size_t need, total = out_total(ctx);
  if (length > SIZE_MAX - total) {
    return -1;
  }
  need = total + length;
  if (need > ctx->out_cap) {
    size_t cap = ctx->out_cap ? ctx->out_cap : 4096;
    char *grown;
    while (cap < need) {
      cap = cap > SIZE_MAX / 2 ? need : cap * 2;
    }
    grown = realloc(ctx->out, cap);
    if (grown == NULL) {
      return -1;
    }
    ctx->out = grown;
    ctx->out_cap = cap;
  }
  return 0;
}

/* Appends a span to the output's; nonzero for lack of memory. */
static int add_out_span(pyspdylay_ctx *ctx, const char *bytes, size_t length)
{
  pyspdylay_out_span *spans = room_for_one(ctx->out_spans, &ctx->out_span_cap,
                                           ctx->out_span_count, sizeof(*spans));
  if (spans == NULL) {
    return -1;
  }
  ctx->out_spans = spans;
  ctx->out_spans[ctx->out_span_count].at = ctx->out_len;
  ctx->out_spans[ctx->out_span_count].bytes = bytes;
  ctx->out_spans[ctx->out_span_count].len = length;
  ++ctx->out_span_count;
  ctx->out_spanned += length;
  return 0;
}

void pyspdylay_out_gather(const pyspdylay_ctx *ctx, char *dst)
{
  size_t from = 0, i;
  for (i = 0; i < ctx->out_span_count; ++i) {
    const pyspdylay_out_span *span = &ctx->out_spans[i];
    memcpy(dst, ctx->out + from, span->at - from);
    dst += span->at - from;
    memcpy(dst, span->bytes, span->len);
    dst += span->len;
    from = span->at;
  }
  memcpy(dst, ctx->out + from, ctx->out_len - from);
}

/* Copies the spans into |out| itself, where they belong (reserve_out keeps
   room for them), last first so that nothing is overwritten before it
   moved. */
static void fill_in_spans(pyspdylay_ctx *ctx)
{
  size_t end = out_total(ctx), from = ctx->out_len, i = ctx->out_span_count;
  while (i > 0) {
    const pyspdylay_out_span *span = &ctx->out_spans[--i];
    size_t after = from - span->at;
    memmove(ctx->out + end - after, ctx->out + span->at, after);
    end -= after;
    memcpy(ctx->out + end - span->len, span->bytes, span->len);
    end -= span->len;
    from = span->at;
  }
  ctx->out_len = out_total(ctx);
  ctx->out_span_count = 0;
  ctx->out_spanned = 0;
}

static ssize_t shim_send(spdylay_session *session, const uint8_t *data,
                         size_t length, int flags, void *user_data)
{
  pyspdylay_ctx *ctx = user_data;
  (void)session;
  (void)flags;
  if (length > (size_t)SSIZE_MAX) {
    return SPDYLAY_ERR_CALLBACK_FAILURE;
  }
  if (ctx->frame_in_place) {
    /* The DATA frame shim_data_frame_buffer placed: it lies where the
       output ends, in room already made, and is taken whole; a payload
       left in read_cb's bytes object becomes a span. */
    size_t payload = ctx->frame_payload_len;
    ctx->frame_in_place = 0;
    ctx->frame_payload_len = 0;
    if (data != (const uint8_t *)ctx->out + ctx->out_len || payload > length ||
        length > ctx->out_cap - out_total(ctx)) {
      return SPDYLAY_ERR_CALLBACK_FAILURE;
    }
    ctx->out_len += length - payload;
    if (payload != 0 && add_out_span(ctx, ctx->frame_payload, payload) != 0) {
      /* Without memory for a span, the payload is copied after all. */
      memcpy(ctx->out + ctx->out_len, ctx->frame_payload, payload);
      ctx->out_len += payload;
    }
    return (ssize_t)length;
  }
  if (out_total(ctx) >= PYSPDYLAY_OUT_HIGH_WATER) {
    ctx->out_full = 1;
    return SPDYLAY_ERR_WOULDBLOCK;
  }
  if (reserve_out(ctx, length) != 0) {
    return SPDYLAY_ERR_CALLBACK_FAILURE;
  }
  /* After the spans, if any: each belongs where |out| ended when it was
     taken. */
  memcpy(ctx->out + ctx->out_len, data, length);
  ctx->out_len += length;
  return (ssize_t)length;
}

#ifdef PYSPDYLAY_BUNDLED_CORE
/* The bundled core's DATA frame buffer callback: while the output takes
   more (below the high water mark, where shim_send would take the frame
   anyway), the frame is built where the output ends, and shim_send finds
   it in place instead of copying it.  Nothing touches the output between
   here and that shim_send: Python's send() alone consumes it, and no
   send() runs from a callback (the read callback runs in between). */
static uint8_t *shim_data_frame_buffer(spdylay_session *session, size_t length,
                                       void *user_data)
{
  pyspdylay_ctx *ctx = user_data;
  (void)session;
  if (out_total(ctx) >= PYSPDYLAY_OUT_HIGH_WATER ||
      reserve_out(ctx, length) != 0) {
    return NULL;
  }
  ctx->frame_in_place = 1;
  return (uint8_t *)ctx->out + ctx->out_len;
}
#endif

/* DATA one read_cb call returned beyond the frame it was asked for: the
   shim slices it into the following frames of its stream without calling
   Python again.  |bytes| points at the |len| bytes not served yet, in
   |data|, a copy, or, when borrowed, in read_cb's bytes object, which
   Python keeps alive until the provider is read again or its stream closes
   (by then this is freed). */
struct pyspdylay_ahead {
  struct pyspdylay_ahead *next;
  uintptr_t key;
  int32_t stream_id;
  int eof;
  int borrowed;
  size_t len;
  const char *bytes;
  char data[];
};

/* Hands the pending DATA chunk, if any, to Python: built as one bytes
   object from its spans (which Python then finds in the slot, and no
   pointer), or, should that fail, span by span; else from |chunk|. */
static void flush_chunk(pyspdylay_ctx *ctx)
{
  size_t length = ctx->chunk_len;
  size_t count = ctx->span_count, i;
  int built;
  if (length == 0) {
    return;
  }
  ctx->chunk_len = 0;
  if (count == 0) {
    pyspdylay_on_data_chunk_recv(ctx->handle, ctx->chunk_flags,
                                 ctx->chunk_stream_id, ctx->chunk, length);
    return;
  }
  built = ctx->chunk_builder(ctx, length) == 0;
  ctx->span_count = 0;
  if (built) {
    pyspdylay_on_data_chunk_recv(ctx->handle, ctx->chunk_flags,
                                 ctx->chunk_stream_id, NULL, length);
  } else {
    for (i = 0; i < count; ++i) {
      pyspdylay_on_data_chunk_recv(ctx->handle, ctx->chunk_flags,
                                   ctx->chunk_stream_id, ctx->spans[i].bytes,
                                   ctx->spans[i].len);
    }
  }
}

void *pyspdylay_python_handle(void *user_data)
{
  pyspdylay_ctx *ctx = user_data;
  flush_chunk(ctx);
  return ctx->handle;
}

/* The stream user data the shim gives libspdylay is always Python's key. */
uintptr_t pyspdylay_not_sent_key(spdylay_session *session,
                                 const spdylay_frame *frame)
{
#ifdef PYSPDYLAY_BUNDLED_CORE
  return (uintptr_t)spdylay_session_get_not_sent_stream_user_data(session,
                                                                  frame);
#else
  /* libspdylay 1.4 hands the frame over with stream ID 0 and no way to
     find its stream_user_data: Python releases it when the session
     closes. */
  (void)session;
  (void)frame;
  return 0;
#endif
}

uintptr_t pyspdylay_sent_key(spdylay_session *session, spdylay_frame_type type,
                             const spdylay_frame *frame)
{
  if (type != SPDYLAY_SYN_STREAM || frame == NULL) {
    return 0;
  }
  return (uintptr_t)spdylay_session_get_stream_user_data(
      session, frame->syn_stream.stream_id);
}

#define PYSPDYLAY_FORWARDER(BIT, name, python_params, core_params, arguments)  \
  static void shim_##name core_params                                          \
  {                                                                            \
    (void)session;                                                             \
    pyspdylay_##name arguments;                                                \
  }
PYSPDYLAY_FORWARDED(PYSPDYLAY_FORWARDER)
#undef PYSPDYLAY_FORWARDER

/* Registered when the application has no on_ctrl_not_send_cb: Python
   hears only of the SYN_STREAMs whose objects it keeps, to release them. */
static void release_not_sent(spdylay_session *session, spdylay_frame_type type,
                             spdylay_frame *frame, int error_code,
                             void *user_data)
{
  uintptr_t key = pyspdylay_not_sent_key(session, frame);
  if (key != 0) {
    pyspdylay_on_ctrl_not_send(PYSPDYLAY_HANDLE(user_data), (int)type, frame,
                               error_code, key);
  }
}

/* Registered instead of shim_on_ctrl_send: Python hears only of the frame
   types it asked for. */
static void filter_ctrl_send(spdylay_session *session, spdylay_frame_type type,
                             spdylay_frame *frame, void *user_data)
{
  const pyspdylay_ctx *ctx = user_data;
  if ((unsigned int)type < CHAR_BIT * sizeof(ctx->ctrl_send_types) &&
      (ctx->ctrl_send_types >> type & 1u) != 0) {
    shim_on_ctrl_send(session, type, frame, user_data);
  }
}

void pyspdylay_set_ctrl_send_types(pyspdylay_ctx *ctx, unsigned int types)
{
  ctx->ctrl_send_types = types;
}

/* Whether |length| bytes at |data| lie in the input of the running
   pyspdylay_mem_recv, which stays valid until it returns. */
static int in_input(const pyspdylay_ctx *ctx, const uint8_t *data,
                    size_t length)
{
  uintptr_t at = (uintptr_t)data, start = (uintptr_t)ctx->in;
  return ctx->in != NULL && at >= start && length <= ctx->inlen &&
         at - start <= ctx->inlen - length;
}

/* Appends a span to the pending chunk's; nonzero for lack of memory. */
static int add_span(pyspdylay_ctx *ctx, const char *bytes, size_t length)
{
  pyspdylay_span *spans =
      room_for_one(ctx->spans, &ctx->span_cap, ctx->span_count, sizeof(*spans));
  if (spans == NULL) {
    return -1;
  }
  ctx->spans = spans;
  ctx->spans[ctx->span_count].bytes = bytes;
  ctx->spans[ctx->span_count].len = length;
  ++ctx->span_count;
  return 0;
}

/* Registered instead of shim_on_data_chunk_recv: appends to the pending
   chunk, which pyspdylay_mem_recv() or the next other callback hands over.
   libspdylay's pointer is only valid during this call, as far as its API
   says: the bytes are copied, or, with a chunk builder, kept as a span
   when they lie in the input, which outlives the pending chunk. */
static void gather_data_chunk(spdylay_session *session, uint8_t flags,
                              int32_t stream_id, const uint8_t *data,
                              size_t length, void *user_data)
{
  pyspdylay_ctx *ctx = user_data;
  if (length == 0) {
    /* Nothing to gather (and |data| may be NULL). */
    shim_on_data_chunk_recv(session, flags, stream_id, data, length, user_data);
    return;
  }
  if (ctx->chunk_len != 0 &&
      (ctx->chunk_stream_id != stream_id || ctx->chunk_flags != flags)) {
    flush_chunk(ctx);
  }
  if (ctx->chunk_builder != NULL) {
    if (!in_input(ctx, data, length)) {
      /* This core copies DATA before handing it over: gather by copying. */
      flush_chunk(ctx);
      ctx->chunk_builder = NULL;
    } else if (add_span(ctx, (const char *)data, length) == 0) {
      ctx->chunk_len += length;
      ctx->chunk_stream_id = stream_id;
      ctx->chunk_flags = flags;
      return;
    } else {
      flush_chunk(ctx);
      shim_on_data_chunk_recv(session, flags, stream_id, data, length,
                              user_data);
      return;
    }
  }
  if (length > ctx->chunk_cap - ctx->chunk_len) {
    size_t cap = ctx->chunk_cap ? ctx->chunk_cap : ctx->chunk_hint;
    char *grown = NULL;
    if (length <= SIZE_MAX / 2 - ctx->chunk_len) {
      while (cap < ctx->chunk_len + length) {
        cap *= 2;
      }
      grown = realloc(ctx->chunk, cap);
    }
    if (grown == NULL) {
      /* Without room to batch, the chunk crosses on its own. */
      shim_on_data_chunk_recv(session, flags, stream_id, data, length,
                              user_data);
      return;
    }
    ctx->chunk = grown;
    ctx->chunk_cap = cap;
  }
  memcpy(ctx->chunk + ctx->chunk_len, data, length);
  ctx->chunk_len += length;
  ctx->chunk_stream_id = stream_id;
  ctx->chunk_flags = flags;
}

/* Always registered: the Python side releases what it keeps for a stream
   (stream_user_data, DataProviders) here, under the key it stored as the
   stream's user data. */
static void shim_on_stream_close(spdylay_session *session, int32_t stream_id,
                                 spdylay_status_code status_code,
                                 void *user_data)
{
  /* The pending chunk's callback may still give the stream its key. */
  void *handle = PYSPDYLAY_HANDLE(user_data);
  uintptr_t key =
      (uintptr_t)spdylay_session_get_stream_user_data(session, stream_id);
  pyspdylay_ahead **link = &((pyspdylay_ctx *)user_data)->ahead;
  while (*link) {
    pyspdylay_ahead *ahead = *link;
    if (ahead->stream_id == stream_id) {
      *link = ahead->next;
      free(ahead);
    } else {
      link = &ahead->next;
    }
  }
  /* The peer's RST_STREAM status, 32 unsigned bits from the wire. */
  pyspdylay_on_stream_close(handle, stream_id, (uint32_t)status_code, key);
}

/* Serves the next frame of provider |key| from what read_cb returned
   beyond the frames before, if any is left: its length, else -1. */
static ssize_t serve_ahead(pyspdylay_ctx *ctx, uintptr_t key, uint8_t *buf,
                           size_t length, int *eof)
{
  pyspdylay_ahead **link = &ctx->ahead;
  pyspdylay_ahead *ahead;
  size_t n;
  while (*link && (*link)->key != key) {
    link = &(*link)->next;
  }
  ahead = *link;
  if (ahead == NULL) {
    return -1;
  }
  n = ahead->len < length ? ahead->len : length;
  if (n > (size_t)SSIZE_MAX) {
    return SPDYLAY_ERR_CALLBACK_FAILURE;
  }
  if (ahead->borrowed && ctx->frame_in_place && ctx->out_builder != NULL) {
    /* The frame is built in the output, and its payload may stay in
       read_cb's bytes object, which Python keeps until the output is built
       (see shim_send). */
    ctx->frame_payload = ahead->bytes;
    ctx->frame_payload_len = n;
  } else {
    memcpy(buf, ahead->bytes, n);
  }
  ahead->bytes += n;
  ahead->len -= n;
  if (ahead->len == 0) {
    *eof = ahead->eof;
    *link = ahead->next;
    free(ahead);
  }
  return (ssize_t)n;
}

/* Serves the next frame from what read_cb returned beyond the last one, or
   asks Python once the provider has nothing left over.  When read_cb
   returns more than the frame's room, Python keeps all of it with
   pyspdylay_read_ahead() and answers PYSPDYLAY_READ_AHEAD: the first frame
   is served from there too, which spares Python a copy call. */
static ssize_t shim_read(spdylay_session *session, int32_t stream_id,
                         uint8_t *buf, size_t length, int *eof,
                         spdylay_data_source *source, void *user_data)
{
  pyspdylay_ctx *ctx = user_data;
  uintptr_t key = (uintptr_t)source->ptr;
  ssize_t n = serve_ahead(ctx, key, buf, length, eof);
  (void)session;
  if (n == -1) {
    n = pyspdylay_read(PYSPDYLAY_HANDLE(user_data), key, stream_id, (char *)buf,
                       length, eof);
    if (n == PYSPDYLAY_READ_AHEAD) {
      n = serve_ahead(ctx, key, buf, length, eof);
      /* Python kept more than the frame's room: a byte at least is left. */
      if (n <= 0) {
        n = SPDYLAY_ERR_CALLBACK_FAILURE;
      }
    }
  }
  if (n < 0) {
    /* No frame follows (deferred, reset or failed): a buffer given for it
       in the output is not used. */
    ctx->frame_in_place = 0;
    ctx->frame_payload_len = 0;
  }
  return n;
}

/* Keeps the |length| bytes of |data| (length > 0) that read_cb returned for
   provider |key| of |stream_id|, for its next frames; |eof| then applies
   after the last of them.  With |borrow| the bytes are not copied: the
   caller keeps |data| alive and unchanged until it reads |key| again or the
   stream closes.  Returns nonzero for lack of memory. */
int pyspdylay_read_ahead(pyspdylay_ctx *ctx, uintptr_t key, int32_t stream_id,
                         const char *data, size_t length, int eof, int borrow)
{
  pyspdylay_ahead *ahead;
  if (borrow) {
    ahead = malloc(sizeof(*ahead));
  } else if (length > SIZE_MAX - sizeof(*ahead)) {
    return -1;
  } else {
    ahead = malloc(sizeof(*ahead) + length);
  }
  if (ahead == NULL) {
    return -1;
  }
  ahead->key = key;
  ahead->stream_id = stream_id;
  ahead->eof = eof;
  ahead->borrowed = borrow;
  ahead->len = length;
  if (borrow) {
    ahead->bytes = data;
  } else {
    memcpy(ahead->data, data, length);
    ahead->bytes = ahead->data;
  }
  ahead->next = ctx->ahead;
  ctx->ahead = ahead;
  return 0;
}

pyspdylay_ctx *pyspdylay_new(int side, int version, unsigned int forward,
                             void *handle, int *error)
{
  spdylay_session_callbacks callbacks;
  pyspdylay_ctx *ctx = calloc(1, sizeof(*ctx));
  if (ctx == NULL) {
    *error = SPDYLAY_ERR_NOMEM;
    return NULL;
  }
  ctx->handle = handle;
  ctx->chunk_hint = 4096;
  ctx->ctrl_send_types = ~0u;
  memset(&callbacks, 0, sizeof(callbacks));
  callbacks.send_callback = shim_send;
  callbacks.on_stream_close_callback = shim_on_stream_close;
#define PYSPDYLAY_REGISTER(BIT, name, python_params, core_params, arguments)   \
  if (forward & PYSPDYLAY_##BIT) {                                             \
    callbacks.name##_callback = shim_##name;                                   \
  }
  PYSPDYLAY_FORWARDED(PYSPDYLAY_REGISTER)
#undef PYSPDYLAY_REGISTER
  if (forward & PYSPDYLAY_ON_DATA_CHUNK_RECV) {
    callbacks.on_data_chunk_recv_callback = gather_data_chunk;
  }
  if (forward & PYSPDYLAY_ON_CTRL_SEND) {
    callbacks.on_ctrl_send_callback = filter_ctrl_send;
  }
  if (!(forward & PYSPDYLAY_ON_CTRL_NOT_SEND)) {
    callbacks.on_ctrl_not_send_callback = release_not_sent;
  }
  if (side == PYSPDYLAY_CLIENT) {
    *error =
        spdylay_session_client_new(&ctx->session, version, &callbacks, ctx);
  } else if (side == PYSPDYLAY_SERVER) {
    *error =
        spdylay_session_server_new(&ctx->session, version, &callbacks, ctx);
  } else {
    *error = SPDYLAY_ERR_INVALID_ARGUMENT;
  }
  if (*error != 0) {
    free(ctx);
    return NULL;
  }
#ifdef PYSPDYLAY_BUNDLED_CORE
  spdylay_session_set_data_frame_buffer_callback(ctx->session,
                                                 shim_data_frame_buffer);
#endif
  return ctx;
}

void pyspdylay_del(pyspdylay_ctx *ctx)
{
  spdylay_session_del(ctx->session);
  while (ctx->ahead) {
    pyspdylay_ahead *next = ctx->ahead->next;
    free(ctx->ahead);
    ctx->ahead = next;
  }
  free(ctx->chunk);
  free(ctx->spans);
  free(ctx->out_spans);
  free(ctx->out);
  free(ctx);
}

/* spdylay_session_mem_recv(), then the last pending DATA chunk: every
   callback has run when it returns, so spans of |in| never outlive it.
   A last chunk the builder makes into a bytes object does not cross as a
   callback: Python finds it in the slot when this returns, its flags and
   stream in |chunk_flags| and |chunk_stream_id|, and calls
   on_data_chunk_recv_cb itself, as the trampoline would have next (see
   Session.recv).  The chunk buffer is freed so that an idle session holds
   no receive memory (the span list, a few hundred bytes, is kept). */
ssize_t pyspdylay_mem_recv(pyspdylay_ctx *ctx, const uint8_t *in, size_t inlen)
{
  ssize_t rv;
  /* No chunk can be longer than the input: sizing the buffer for it at
     once spares growing it frame by frame. */
  ctx->chunk_hint = inlen < 4096 ? 4096 : inlen;
  ctx->in = in;
  ctx->inlen = inlen;
  rv = spdylay_session_mem_recv(ctx->session, in, inlen);
  if (ctx->chunk_len != 0 && ctx->span_count != 0 &&
      ctx->chunk_builder(ctx, ctx->chunk_len) == 0) {
    ctx->chunk_len = 0;
    ctx->span_count = 0;
  } else {
    flush_chunk(ctx);
  }
  ctx->in = NULL;
  ctx->inlen = 0;
  free(ctx->chunk);
  ctx->chunk = NULL;
  ctx->chunk_cap = 0;
  return rv;
}

/* spdylay_session_send() into the output: its error, or else the length
   of the output, so that send() learns both in one call.  With a builder
   (CPython) the output is built into a bytes object for Python to take
   from the slot (which spares Python a call to copy it out, spans or
   not); after an error, or without memory for the object, spans are
   filled in: they never outlive this call, so Python holds read_cb's bytes
   objects only that long. */
int64_t pyspdylay_send(pyspdylay_ctx *ctx)
{
  int rv;
  size_t total;
  if (ctx->out_detached != 0) {
    /* The output Python took was not given back. */
    return SPDYLAY_ERR_INVALID_STATE;
  }
  rv = spdylay_session_send(ctx->session);
  total = out_total(ctx);
  if (total > (size_t)INT64_MAX) {
    return SPDYLAY_ERR_CALLBACK_FAILURE;
  }
  if (rv == 0 && total != 0 && ctx->out_builder != NULL &&
      ctx->out_builder(ctx, total) == 0) {
    ctx->out_len = 0;
    ctx->out_span_count = 0;
    ctx->out_spanned = 0;
    ctx->out_detached = total;
  } else if (ctx->out_span_count != 0) {
    fill_in_spans(ctx);
  }
  return rv < 0 ? rv : (int64_t)total;
}

/* Drops the first |length| bytes of the output, which Python has sent:
   |data| is the output Python got, which, once built into a bytes object,
   is no longer in |out|, so what send_cb did not take goes back into it
   (there is room: see reserve_out).  Returns whether the output had been
   full, i.e. frames are still queued that the output refused. */
int pyspdylay_out_consume(pyspdylay_ctx *ctx, const char *data, size_t length)
{
  int full = ctx->out_full;
  size_t detached = ctx->out_detached;
  ctx->out_full = 0;
  if (detached != 0) {
    ctx->out_detached = 0;
    if (length < detached) {
      memcpy(ctx->out, data + length, detached - length);
      ctx->out_len = detached - length;
    }
    return full;
  }
  if (length > ctx->out_len) {
    length = ctx->out_len;
  }
  memmove(ctx->out, ctx->out + length, ctx->out_len - length);
  ctx->out_len -= length;
  return full;
}

/* Whether the session has frames to send, queued or in the output. */
int pyspdylay_want_write(pyspdylay_ctx *ctx)
{
  return spdylay_session_want_write(ctx->session) != 0 || ctx->out_len != 0 ||
         ctx->out_detached != 0;
}

/* The Python side stores integer keys, not pointers, as stream user data, so
   a stale key can at worst miss a dictionary lookup. */
uintptr_t pyspdylay_stream_key(spdylay_session *session, int32_t stream_id)
{
  return (uintptr_t)spdylay_session_get_stream_user_data(session, stream_id);
}

/* The submit functions below take a name/value list as Python packs it,
   |nvlen| bytes of NUL-terminated strings, names and values alternating,
   and DataProviders as the key Python reads them under (0 for none): a
   submit costs one call, and no array or provider object in Python. */

/* Name/value arrays up to this length are built on the stack. */
#define PYSPDYLAY_NV_ON_STACK 64

/* Points the entries of a NULL-terminated array at the strings of the
   packed list; the array is |stack| when it fits, else allocated (free it
   with free_nv).  NULL for lack of memory or a list that does not end with
   NUL. */
static const char **split_nv(const char *nv, size_t nvlen, const char **stack)
{
  const char **array = stack;
  size_t count = 0, i, off;
  if (nvlen > 0 && nv[nvlen - 1] != '\0') {
    return NULL;
  }
  for (off = 0; off < nvlen; ++off) {
    count += nv[off] == '\0';
  }
  if (count >= PYSPDYLAY_NV_ON_STACK) {
    if (count > SIZE_MAX / sizeof(*array) - 1) {
      return NULL;
    }
    array = malloc((count + 1) * sizeof(*array));
    if (array == NULL) {
      return NULL;
    }
  }
  for (i = 0, off = 0; i < count; ++i) {
    array[i] = nv + off;
    off += strlen(nv + off) + 1;
  }
  array[count] = NULL;
  return array;
}

static void free_nv(const char **array, const char **stack)
{
  if (array != stack) {
    free(array);
  }
}

static const spdylay_data_provider *
provider_for(spdylay_data_provider *provider, uintptr_t key)
{
  if (key == 0) {
    return NULL;
  }
  provider->source.ptr = (void *)key;
  provider->read_callback = shim_read;
  return provider;
}

/* Which libspdylay function submit_nv() calls, and the arguments besides
   the name/value list that it passes (each uses some of them). */
typedef enum {
  SUBMIT_REQUEST,
  SUBMIT_RESPONSE,
  SUBMIT_SYN_STREAM,
  SUBMIT_SYN_REPLY,
  SUBMIT_HEADERS
} submit_kind;

typedef struct {
  submit_kind kind;
  uint8_t flags;
  uint8_t pri;
  int32_t stream_id;
  int32_t assoc_stream_id;
  uintptr_t provider_key;
  uintptr_t stream_key;
} submit_args;

static int submit_nv(spdylay_session *session, const submit_args *args,
                     const char *nv, size_t nvlen)
{
  const char *stack[PYSPDYLAY_NV_ON_STACK];
  const char **array = split_nv(nv, nvlen, stack);
  spdylay_data_provider provider;
  const spdylay_data_provider *data_prd =
      provider_for(&provider, args->provider_key);
  int rv = SPDYLAY_ERR_INVALID_ARGUMENT;
  if (array == NULL) {
    return SPDYLAY_ERR_NOMEM;
  }
  switch (args->kind) {
  case SUBMIT_REQUEST:
    rv = spdylay_submit_request(session, args->pri, array, data_prd,
                                (void *)args->stream_key);
    break;
  case SUBMIT_RESPONSE:
    rv = spdylay_submit_response(session, args->stream_id, array, data_prd);
    break;
  case SUBMIT_SYN_STREAM:
    rv = spdylay_submit_syn_stream(session, args->flags, args->assoc_stream_id,
                                   args->pri, array, (void *)args->stream_key);
    break;
  case SUBMIT_SYN_REPLY:
    rv = spdylay_submit_syn_reply(session, args->flags, args->stream_id, array);
    break;
  case SUBMIT_HEADERS:
    rv = spdylay_submit_headers(session, args->flags, args->stream_id, array);
    break;
  }
  free_nv(array, stack);
  return rv;
}

int pyspdylay_submit_request(spdylay_session *session, uint8_t pri,
                             const char *nv, size_t nvlen,
                             uintptr_t provider_key, uintptr_t stream_key)
{
  submit_args args = {SUBMIT_REQUEST, 0, 0, 0, 0, 0, 0};
  args.pri = pri;
  args.provider_key = provider_key;
  args.stream_key = stream_key;
  return submit_nv(session, &args, nv, nvlen);
}

/* After a DATA provider was submitted on an existing stream: the key the
   provider is kept under on the Python side, the stream's own or, if it has
   none yet, |stream_key|, given to it now; 0 when there is no such stream
   (libspdylay drops the DATA unless a SYN_STREAM still queued opens the
   stream before it is sent). */
static int64_t keep_key(spdylay_session *session, int32_t stream_id,
                        uintptr_t stream_key)
{
  uintptr_t key =
      (uintptr_t)spdylay_session_get_stream_user_data(session, stream_id);
  if (key == 0 && spdylay_session_set_stream_user_data(
                      session, stream_id, (void *)stream_key) == 0) {
    key = stream_key;
  }
  /* Python's keys count up from 1 and never get near INT64_MAX. */
  return key > (uintptr_t)INT64_MAX ? SPDYLAY_ERR_INVALID_STATE : (int64_t)key;
}

/* Returns libspdylay's error, or, with a provider, keep_key()'s answer. */
int64_t pyspdylay_submit_response(spdylay_session *session, int32_t stream_id,
                                  const char *nv, size_t nvlen,
                                  uintptr_t provider_key, uintptr_t stream_key)
{
  submit_args args = {SUBMIT_RESPONSE, 0, 0, 0, 0, 0, 0};
  int rv;
  args.stream_id = stream_id;
  args.provider_key = provider_key;
  rv = submit_nv(session, &args, nv, nvlen);
  if (rv != 0 || provider_key == 0) {
    return rv;
  }
  return keep_key(session, stream_id, stream_key);
}

int pyspdylay_submit_syn_stream(spdylay_session *session, uint8_t flags,
                                int32_t assoc_stream_id, uint8_t pri,
                                const char *nv, size_t nvlen,
                                uintptr_t stream_key)
{
  submit_args args = {SUBMIT_SYN_STREAM, 0, 0, 0, 0, 0, 0};
  args.flags = flags;
  args.assoc_stream_id = assoc_stream_id;
  args.pri = pri;
  args.stream_key = stream_key;
  return submit_nv(session, &args, nv, nvlen);
}

/* SYN_REPLY or HEADERS, as |frame_type| says. */
int pyspdylay_submit_stream_headers(spdylay_session *session, int frame_type,
                                    uint8_t flags, int32_t stream_id,
                                    const char *nv, size_t nvlen)
{
  submit_args args = {SUBMIT_HEADERS, 0, 0, 0, 0, 0, 0};
  if (frame_type == SPDYLAY_SYN_REPLY) {
    args.kind = SUBMIT_SYN_REPLY;
  } else if (frame_type != SPDYLAY_HEADERS) {
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
  args.flags = flags;
  args.stream_id = stream_id;
  return submit_nv(session, &args, nv, nvlen);
}

/* Returns libspdylay's error or keep_key()'s answer. */
int64_t pyspdylay_submit_data(spdylay_session *session, int32_t stream_id,
                              uint8_t flags, uintptr_t provider_key,
                              uintptr_t stream_key)
{
  spdylay_data_provider provider;
  int rv = spdylay_submit_data(session, stream_id, flags,
                               provider_for(&provider, provider_key));
  if (rv != 0) {
    return rv;
  }
  return keep_key(session, stream_id, stream_key);
}
