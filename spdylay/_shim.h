/*
 * _shim.h: the C side of spdylay._spdylay between libspdylay and Python.
 *
 * The shim crosses the C/Python boundary as rarely as possible: it owns a
 * per-session output buffer that coalesces every frame one send() produces,
 * and it forwards only the callbacks the application registered, dropping
 * the arguments the Python side does not need.  It uses libspdylay 1.4's
 * public API and no Python header, so it compiles on its own against either
 * the bundled core or an installed libspdylay; built with the bundled core
 * (PYSPDYLAY_BUNDLED_CORE), it also asks the core what that API cannot tell
 * (libspdylay/src/spdylay_not_sent.h).  What needs Python's C API, on
 * CPython only, is in _shim_python.h, compiled into cffi's source.
 */
#ifndef PYSPDYLAY_SHIM_H
#define PYSPDYLAY_SHIM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <spdylay/spdylay.h>

/* libspdylay 1.4 itself has none of the peer-limit options: there they get
   the bundled core's values and set_option refuses them. */
#ifndef SPDYLAY_PEER_LIMIT_OPTIONS
enum {
  SPDYLAY_OPT_MAX_HEADER_LIST_SIZE = 4,
  SPDYLAY_OPT_MAX_HEADER_LIST_COUNT = 5,
  SPDYLAY_OPT_MAX_AUTO_REPLIES = 6,
  SPDYLAY_OPT_AUTO_REPLIES_STOP_READING = 7,
  SPDYLAY_OPT_MAX_SETTINGS_ENTRIES = 8,
  SPDYLAY_OPT_MAX_PEER_RESETS = 9,
  SPDYLAY_OPT_MAX_EMPTY_FRAMES = 10,
  SPDYLAY_OPT_MAX_SMALL_WINDOW_UPDATES = 11,
  SPDYLAY_OPT_MAX_INCOMING_STREAMS = 12
};
#endif

/* PYSPDYLAY_READ_AHEAD: pyspdylay_read's answer when it kept what read_cb
   returned with pyspdylay_read_ahead() (see _shim.c); no libspdylay error
   has its value. */
enum {
  PYSPDYLAY_CLIENT = 1,
  PYSPDYLAY_SERVER = 2,
  PYSPDYLAY_READ_EOF = 1,
  PYSPDYLAY_READ_AHEAD = -2
};

/*
 * The callbacks forwarded to Python only when the application registers
 * them, one entry each: X(BIT, name, python_params, core_params, arguments)
 * makes the bit PYSPDYLAY_BIT for pyspdylay_new()'s |forward|, declares
 * pyspdylay_name(python_params) (written in Python), and defines
 * shim_name(core_params), registered as libspdylay's name##_callback, which
 * calls pyspdylay_name(arguments).  The builder reads this list to declare
 * the Python functions to cffi: keep python_params free of parentheses.
 */
#define PYSPDYLAY_FORWARDED(X)                                                 \
  X(ON_CTRL_RECV, on_ctrl_recv,                                                \
    (void *handle, int type, spdylay_frame *frame),                            \
    (spdylay_session * session, spdylay_frame_type type,                       \
     spdylay_frame * frame, void *user_data),                                  \
    (PYSPDYLAY_HANDLE(user_data), (int)type, frame))                           \
  X(ON_INVALID_CTRL_RECV, on_invalid_ctrl_recv,                                \
    (void *handle, int type, spdylay_frame *frame, uint32_t status_code),      \
    (spdylay_session * session, spdylay_frame_type type,                       \
     spdylay_frame * frame, uint32_t status_code, void *user_data),            \
    (PYSPDYLAY_HANDLE(user_data), (int)type, frame, status_code))              \
  X(ON_DATA_CHUNK_RECV, on_data_chunk_recv,                                    \
    (void *handle, uint8_t flags, int32_t stream_id, const char *data,         \
     size_t length),                                                           \
    (spdylay_session * session, uint8_t flags, int32_t stream_id,              \
     const uint8_t *data, size_t length, void *user_data),                     \
    (PYSPDYLAY_HANDLE(user_data), flags, stream_id, (const char *)data,        \
     length))                                                                  \
  X(ON_DATA_RECV, on_data_recv,                                                \
    (void *handle, uint8_t flags, int32_t stream_id, int32_t length),          \
    (spdylay_session * session, uint8_t flags, int32_t stream_id,              \
     int32_t length, void *user_data),                                         \
    (PYSPDYLAY_HANDLE(user_data), flags, stream_id, length))                   \
  X(BEFORE_CTRL_SEND, before_ctrl_send,                                        \
    (void *handle, int type, spdylay_frame *frame),                            \
    (spdylay_session * session, spdylay_frame_type type,                       \
     spdylay_frame * frame, void *user_data),                                  \
    (PYSPDYLAY_HANDLE(user_data), (int)type, frame))                           \
  X(ON_CTRL_SEND, on_ctrl_send,                                                \
    (void *handle, int type, spdylay_frame *frame, uintptr_t key),             \
    (spdylay_session * session, spdylay_frame_type type,                       \
     spdylay_frame * frame, void *user_data),                                  \
    (PYSPDYLAY_HANDLE(user_data), (int)type, frame,                            \
     pyspdylay_sent_key(session, type, frame)))                                \
  X(ON_CTRL_NOT_SEND, on_ctrl_not_send,                                        \
    (void *handle, int type, spdylay_frame *frame, int error_code,             \
     uintptr_t key),                                                           \
    (spdylay_session * session, spdylay_frame_type type,                       \
     spdylay_frame * frame, int error_code, void *user_data),                  \
    (PYSPDYLAY_HANDLE(user_data), (int)type, frame, error_code,                \
     pyspdylay_not_sent_key(session, frame)))                                  \
  X(ON_DATA_SEND, on_data_send,                                                \
    (void *handle, uint8_t flags, int32_t stream_id, int32_t length),          \
    (spdylay_session * session, uint8_t flags, int32_t stream_id,              \
     int32_t length, void *user_data),                                         \
    (PYSPDYLAY_HANDLE(user_data), flags, stream_id, length))                   \
  X(ON_REQUEST_RECV, on_request_recv, (void *handle, int32_t stream_id),       \
    (spdylay_session * session, int32_t stream_id, void *user_data),           \
    (PYSPDYLAY_HANDLE(user_data), stream_id))                                  \
  X(ON_CTRL_RECV_PARSE_ERROR, on_ctrl_recv_parse_error,                        \
    (void *handle, int type, const char *head, size_t headlen,                 \
     const char *payload, size_t payloadlen, int error_code),                  \
    (spdylay_session * session, spdylay_frame_type type, const uint8_t *head,  \
     size_t headlen, const uint8_t *payload, size_t payloadlen,                \
     int error_code, void *user_data),                                         \
    (PYSPDYLAY_HANDLE(user_data), (int)type, (const char *)head, headlen,      \
     (const char *)payload, payloadlen, error_code))                           \
  X(ON_UNKNOWN_CTRL_RECV, on_unknown_ctrl_recv,                                \
    (void *handle, const char *head, size_t headlen, const char *payload,      \
     size_t payloadlen),                                                       \
    (spdylay_session * session, const uint8_t *head, size_t headlen,           \
     const uint8_t *payload, size_t payloadlen, void *user_data),              \
    (PYSPDYLAY_HANDLE(user_data), (const char *)head, headlen,                 \
     (const char *)payload, payloadlen))

#define PYSPDYLAY_INDEX(BIT, name, python_params, core_params, arguments)      \
  PYSPDYLAY_INDEX_##BIT,
#define PYSPDYLAY_BIT(BIT, name, python_params, core_params, arguments)        \
  PYSPDYLAY_##BIT = 1 << PYSPDYLAY_INDEX_##BIT,
enum { PYSPDYLAY_FORWARDED(PYSPDYLAY_INDEX) };
enum { PYSPDYLAY_FORWARDED(PYSPDYLAY_BIT) };
#undef PYSPDYLAY_INDEX
#undef PYSPDYLAY_BIT

/* DATA that one read_cb call returned beyond the frame it was asked for
   (see _shim.c). */
typedef struct pyspdylay_ahead pyspdylay_ahead;

/* Where one gathered DATA chunk lies in the input being received. */
typedef struct {
  const char *bytes;
  size_t len;
} pyspdylay_span;

/* A DATA payload of the output that is not copied into it: it lies in
   read_cb's bytes object and belongs at offset |at| of the output. */
typedef struct {
  size_t at;
  const char *bytes;
  size_t len;
} pyspdylay_out_span;

typedef struct pyspdylay_ctx pyspdylay_ctx;

/* Builds the bytes of the pending chunk, |length| bytes in its spans, as
   one Python object for pyspdylay_on_data_chunk_recv to take (see
   _shim_python.h); nonzero when it could not. */
typedef int (*pyspdylay_chunk_builder)(pyspdylay_ctx *ctx, size_t length);

/* Builds the output, |length| bytes with its spans, as one Python object
   for send() to take (see _shim_python.h); nonzero when it could not. */
typedef int (*pyspdylay_out_builder)(pyspdylay_ctx *ctx, size_t length);

/* libspdylay's user_data for one Python Session. */
struct pyspdylay_ctx {
  spdylay_session *session;
  void *handle;
  char *out;
  size_t out_len;
  size_t out_cap;
  int out_full;
  /* Set while the DATA frame being built lies at the end of |out| (see
     shim_data_frame_buffer in _shim.c), until shim_send takes it; with an
     output builder its payload may be left where it lies instead
     (|frame_payload|, |frame_payload_len|), then a span of the output. */
  int frame_in_place;
  const char *frame_payload;
  size_t frame_payload_len;
  /* With a builder (CPython), DATA payloads served from read_cb's bytes
     object stay there as spans, |out_spanned| bytes in all, and the output
     crosses to Python as one bytes object built from |out| and the spans
     before pyspdylay_send() returns: one copy of each sent body byte
     fewer.  |out_cap| always has room for the spans too.  From then until
     pyspdylay_out_consume(), |out| is empty and Python holds the output's
     |out_detached| bytes. */
  pyspdylay_out_builder out_builder;
  void *out_slot;
  pyspdylay_out_span *out_spans;
  size_t out_span_count;
  size_t out_span_cap;
  size_t out_spanned;
  size_t out_detached;
  pyspdylay_ahead *ahead;
  /* DATA chunks received but not yet handed to Python: consecutive chunks
     of one stream with the same flags cross as one call. */
  char *chunk;
  size_t chunk_len;
  size_t chunk_cap;
  size_t chunk_hint;
  int32_t chunk_stream_id;
  uint8_t chunk_flags;
  /* With a builder, the pending chunk is not copied into |chunk| but kept
     as spans of the input of the running pyspdylay_mem_recv (|in|, |inlen|),
     and crosses to Python as one bytes object the builder makes from them:
     one copy of each DATA byte fewer.  The builder is dropped for good the
     first time the core hands over DATA that does not lie in the input. */
  pyspdylay_chunk_builder chunk_builder;
  void *chunk_slot;
  const uint8_t *in;
  size_t inlen;
  pyspdylay_span *spans;
  size_t span_count;
  size_t span_cap;
  /* The frame types (bit 1 << type) on_ctrl_send crosses to Python for. */
  unsigned int ctrl_send_types;
};

/* The Session's handle, from libspdylay's user_data, for a call into
   Python: the pending DATA chunk goes first, so that Python sees events in
   the order libspdylay produced them. */
void *pyspdylay_python_handle(void *user_data);
#define PYSPDYLAY_HANDLE(user_data) pyspdylay_python_handle(user_data)

/* From on_ctrl_not_send_callback: the key Python keeps the objects of a
   SYN_STREAM that will never be sent under (its stream_user_data and
   DataProvider), for Python to release them; 0 for other frames, and
   always with an installed libspdylay, whose API does not tell (see
   _shim.c). */
uintptr_t pyspdylay_not_sent_key(spdylay_session *session,
                                 const spdylay_frame *frame);

/* From on_ctrl_send_callback: the key of a sent SYN_STREAM's stream, 0 for
   other frames. */
uintptr_t pyspdylay_sent_key(spdylay_session *session, spdylay_frame_type type,
                             const spdylay_frame *frame);

/* cdef begin: the functions Python calls.  The builder gives the lines
   up to "cdef end" to cffi's cdef as they are, so only plain declarations
   go here. */
pyspdylay_ctx *pyspdylay_new(int side, int version, unsigned int forward,
                             void *handle, int *error);
void pyspdylay_del(pyspdylay_ctx *ctx);
int64_t pyspdylay_send(pyspdylay_ctx *ctx);
int pyspdylay_out_consume(pyspdylay_ctx *ctx, const char *data, size_t length);
int pyspdylay_want_write(pyspdylay_ctx *ctx);
ssize_t pyspdylay_mem_recv(pyspdylay_ctx *ctx, const uint8_t *in, size_t inlen);
int pyspdylay_read_ahead(pyspdylay_ctx *ctx, uintptr_t key, int32_t stream_id,
                         const char *data, size_t length, int eof, int borrow);
uintptr_t pyspdylay_stream_key(spdylay_session *session, int32_t stream_id);
int pyspdylay_submit_request(spdylay_session *session, uint8_t pri,
                             const char *nv, size_t nvlen,
                             uintptr_t provider_key, uintptr_t stream_key);
int64_t pyspdylay_submit_response(spdylay_session *session, int32_t stream_id,
                                  const char *nv, size_t nvlen,
                                  uintptr_t provider_key, uintptr_t stream_key);
int pyspdylay_submit_syn_stream(spdylay_session *session, uint8_t flags,
                                int32_t assoc_stream_id, uint8_t pri,
                                const char *nv, size_t nvlen,
                                uintptr_t stream_key);
int pyspdylay_submit_stream_headers(spdylay_session *session, int frame_type,
                                    uint8_t flags, int32_t stream_id,
                                    const char *nv, size_t nvlen);
int64_t pyspdylay_submit_data(spdylay_session *session, int32_t stream_id,
                              uint8_t flags, uintptr_t provider_key,
                              uintptr_t stream_key);
/* on_ctrl_send crosses to Python only for the frame types whose bit
   (1 << type) is set in |types| (all of them at first). */
void pyspdylay_set_ctrl_send_types(pyspdylay_ctx *ctx, unsigned int types);
/* Defined in _shim_python.h: on CPython, makes the session's gathered DATA
   chunks and its output cross as bytes objects built in C, appended to the
   lists whose id()s are |chunk_slot| and |out_slot| (which must outlive the
   session), and returns 1; on other interpreters does nothing and returns
   0. */
int pyspdylay_build_in_c(pyspdylay_ctx *ctx, uintptr_t chunk_slot,
                         uintptr_t out_slot);
/* Defined in _shim_python.h: on CPython, appends |nv|'s (name, value) pairs
   as tuples of str to the list whose id() is |pairs| and returns 1 (also for
   a NULL |nv|), or -1, the list part-filled, when Python ran out of memory;
   on other interpreters does nothing and returns 0. */
int pyspdylay_nv_into_pairs(char **nv, uintptr_t pairs);
/* cdef end */

/* For the output builder: copies the output, |out| with its spans put
   back where they belong, to |dst|, which has room for all of it. */
void pyspdylay_out_gather(const pyspdylay_ctx *ctx, char *dst);

/* Implemented in Python (extern "Python+C" in the builder's cdef); the
   first argument is the Session's handle. */
#define PYSPDYLAY_DECLARE(BIT, name, python_params, core_params, arguments)    \
  void pyspdylay_##name python_params;
PYSPDYLAY_FORWARDED(PYSPDYLAY_DECLARE)
#undef PYSPDYLAY_DECLARE
/* python begin: the builder declares each function up to "python end" to
   cffi as extern "Python+C", so only plain declarations go here. */
void pyspdylay_on_stream_close(void *handle, int32_t stream_id,
                               uint32_t status_code, uintptr_t key);
ssize_t pyspdylay_read(void *handle, uintptr_t key, int32_t stream_id,
                       char *buf, size_t length, int *eof);
/* python end */

#endif /* PYSPDYLAY_SHIM_H */
