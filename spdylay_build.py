"""cffi builder for ``spdylay._spdylay`` (out-of-line, API mode).

By default the extension compiles the bundled libspdylay core (libspdylay/src)
together with a small shim; with ``SPDYLAY_USE_SYSTEM=1`` it links an installed
libspdylay instead, found with pkg-config.  The cdef and the shim use only
libspdylay 1.4's public API, so both builds behave the same.

The shim exists to cross the C/Python boundary as rarely as possible: it owns a
per-session output buffer that coalesces every frame one ``send()`` produces,
and it forwards only the callbacks the application registered, dropping the
arguments the Python side does not need.
"""

import os
import shlex
import subprocess

from cffi import FFI

HERE = os.path.dirname(os.path.abspath(__file__))

CDEF = """
typedef struct spdylay_session spdylay_session;

/* Constants only by name; their values come from the header. */
enum {
  SPDYLAY_PROTO_SPDY2 = ..., SPDYLAY_PROTO_SPDY3 = ...,
  SPDYLAY_PROTO_SPDY3_1 = ...
};

enum {
  SPDYLAY_ERR_INVALID_ARGUMENT = ..., SPDYLAY_ERR_ZLIB = ...,
  SPDYLAY_ERR_UNSUPPORTED_VERSION = ..., SPDYLAY_ERR_WOULDBLOCK = ...,
  SPDYLAY_ERR_PROTO = ..., SPDYLAY_ERR_INVALID_FRAME = ...,
  SPDYLAY_ERR_EOF = ..., SPDYLAY_ERR_DEFERRED = ...,
  SPDYLAY_ERR_STREAM_ID_NOT_AVAILABLE = ..., SPDYLAY_ERR_STREAM_CLOSED = ...,
  SPDYLAY_ERR_STREAM_CLOSING = ..., SPDYLAY_ERR_STREAM_SHUT_WR = ...,
  SPDYLAY_ERR_INVALID_STREAM_ID = ..., SPDYLAY_ERR_INVALID_STREAM_STATE = ...,
  SPDYLAY_ERR_DEFERRED_DATA_EXIST = ..., SPDYLAY_ERR_SYN_STREAM_NOT_ALLOWED = ...,
  SPDYLAY_ERR_GOAWAY_ALREADY_SENT = ..., SPDYLAY_ERR_INVALID_HEADER_BLOCK = ...,
  SPDYLAY_ERR_INVALID_STATE = ..., SPDYLAY_ERR_GZIP = ...,
  SPDYLAY_ERR_TEMPORAL_CALLBACK_FAILURE = ..., SPDYLAY_ERR_FLOW_CONTROL = ...,
  SPDYLAY_ERR_FATAL = ..., SPDYLAY_ERR_NOMEM = ...,
  SPDYLAY_ERR_CALLBACK_FAILURE = ...
};

enum {
  SPDYLAY_SYN_STREAM = ..., SPDYLAY_SYN_REPLY = ..., SPDYLAY_RST_STREAM = ...,
  SPDYLAY_SETTINGS = ..., SPDYLAY_NOOP = ..., SPDYLAY_PING = ...,
  SPDYLAY_GOAWAY = ..., SPDYLAY_HEADERS = ..., SPDYLAY_WINDOW_UPDATE = ...,
  SPDYLAY_CREDENTIAL = ...
};

enum {
  SPDYLAY_CTRL_FLAG_NONE = ..., SPDYLAY_CTRL_FLAG_FIN = ...,
  SPDYLAY_CTRL_FLAG_UNIDIRECTIONAL = ...
};

enum {
  SPDYLAY_DATA_FLAG_NONE = ..., SPDYLAY_DATA_FLAG_FIN = ...
};

enum {
  SPDYLAY_FLAG_SETTINGS_NONE = ..., SPDYLAY_FLAG_SETTINGS_CLEAR_SETTINGS = ...
};

enum {
  SPDYLAY_ID_FLAG_SETTINGS_NONE = ...,
  SPDYLAY_ID_FLAG_SETTINGS_PERSIST_VALUE = ...,
  SPDYLAY_ID_FLAG_SETTINGS_PERSISTED = ...
};

enum {
  SPDYLAY_SETTINGS_UPLOAD_BANDWIDTH = ...,
  SPDYLAY_SETTINGS_DOWNLOAD_BANDWIDTH = ...,
  SPDYLAY_SETTINGS_ROUND_TRIP_TIME = ...,
  SPDYLAY_SETTINGS_MAX_CONCURRENT_STREAMS = ...,
  SPDYLAY_SETTINGS_CURRENT_CWND = ...,
  SPDYLAY_SETTINGS_DOWNLOAD_RETRANS_RATE = ...,
  SPDYLAY_SETTINGS_INITIAL_WINDOW_SIZE = ...,
  SPDYLAY_SETTINGS_CLIENT_CERTIFICATE_VECTOR_SIZE = ...,
  SPDYLAY_SETTINGS_MAX = ...
};

enum {
  SPDYLAY_OK = ..., SPDYLAY_PROTOCOL_ERROR = ..., SPDYLAY_INVALID_STREAM = ...,
  SPDYLAY_REFUSED_STREAM = ..., SPDYLAY_UNSUPPORTED_VERSION = ...,
  SPDYLAY_CANCEL = ..., SPDYLAY_INTERNAL_ERROR = ...,
  SPDYLAY_FLOW_CONTROL_ERROR = ..., SPDYLAY_STREAM_IN_USE = ...,
  SPDYLAY_STREAM_ALREADY_CLOSED = ..., SPDYLAY_INVALID_CREDENTIALS = ...,
  SPDYLAY_FRAME_TOO_LARGE = ...
};

enum {
  SPDYLAY_GOAWAY_OK = ..., SPDYLAY_GOAWAY_PROTOCOL_ERROR = ...,
  SPDYLAY_GOAWAY_INTERNAL_ERROR = ...
};

enum {
  SPDYLAY_OPT_NO_AUTO_WINDOW_UPDATE = ...,
  SPDYLAY_OPT_MAX_RECV_CTRL_FRAME_BUFFER = ...,
  SPDYLAY_OPT_NO_AUTO_WINDOW_UPDATE2 = ...
};

typedef struct {
  uint16_t version;
  uint16_t type;
  uint8_t flags;
  int32_t length;
  ...;
} spdylay_ctrl_hd;

typedef struct {
  spdylay_ctrl_hd hd;
  int32_t stream_id;
  int32_t assoc_stream_id;
  uint8_t pri;
  uint8_t slot;
  char **nv;
  ...;
} spdylay_syn_stream;

typedef struct { spdylay_ctrl_hd hd; int32_t stream_id; char **nv; ...; }
  spdylay_syn_reply;
typedef struct { spdylay_ctrl_hd hd; int32_t stream_id; char **nv; ...; }
  spdylay_headers;
typedef struct { spdylay_ctrl_hd hd; int32_t stream_id; uint32_t status_code;
                 ...; } spdylay_rst_stream;

typedef struct {
  int32_t settings_id;
  uint8_t flags;
  uint32_t value;
  ...;
} spdylay_settings_entry;

typedef struct { spdylay_ctrl_hd hd; size_t niv; spdylay_settings_entry *iv;
                 ...; } spdylay_settings;
typedef struct { spdylay_ctrl_hd hd; uint32_t unique_id; ...; } spdylay_ping;
typedef struct { spdylay_ctrl_hd hd; int32_t last_good_stream_id;
                 uint32_t status_code; ...; } spdylay_goaway;
typedef struct { spdylay_ctrl_hd hd; int32_t stream_id;
                 int32_t delta_window_size; ...; } spdylay_window_update;

typedef struct { uint8_t *data; size_t length; ...; } spdylay_mem_chunk;

typedef struct {
  spdylay_ctrl_hd hd;
  uint16_t slot;
  spdylay_mem_chunk proof;
  spdylay_mem_chunk *certs;
  size_t ncerts;
  ...;
} spdylay_credential;

typedef union {
  spdylay_syn_stream syn_stream;
  spdylay_syn_reply syn_reply;
  spdylay_rst_stream rst_stream;
  spdylay_settings settings;
  spdylay_ping ping;
  spdylay_goaway goaway;
  spdylay_headers headers;
  spdylay_window_update window_update;
  spdylay_credential credential;
  ...;
} spdylay_frame;

typedef struct { ...; } spdylay_data_provider;

int spdylay_session_set_option(spdylay_session *session, int optname,
                               void *optval, size_t optlen);
int spdylay_session_send(spdylay_session *session);
ssize_t spdylay_session_mem_recv(spdylay_session *session, const uint8_t *in,
                                 size_t inlen);
int spdylay_session_resume_data(spdylay_session *session, int32_t stream_id);
int spdylay_session_want_read(spdylay_session *session);
int spdylay_session_want_write(spdylay_session *session);
int spdylay_session_set_stream_user_data(spdylay_session *session,
                                         int32_t stream_id,
                                         void *stream_user_data);
size_t spdylay_session_get_outbound_queue_size(spdylay_session *session);
int32_t spdylay_session_get_stream_recv_data_length(spdylay_session *session,
                                                    int32_t stream_id);
int32_t spdylay_session_get_recv_data_length(spdylay_session *session);
int spdylay_session_consume(spdylay_session *session, int32_t stream_id,
                            size_t size);
uint8_t spdylay_session_get_pri_lowest(spdylay_session *session);
int spdylay_session_fail_session(spdylay_session *session,
                                 uint32_t status_code);
const char *spdylay_strerror(int error_code);

int spdylay_submit_request(spdylay_session *session, uint8_t pri,
                           const char **nv,
                           const spdylay_data_provider *data_prd,
                           void *stream_user_data);
int spdylay_submit_response(spdylay_session *session, int32_t stream_id,
                            const char **nv,
                            const spdylay_data_provider *data_prd);
int spdylay_submit_syn_stream(spdylay_session *session, uint8_t flags,
                              int32_t assoc_stream_id, uint8_t pri,
                              const char **nv, void *stream_user_data);
int spdylay_submit_syn_reply(spdylay_session *session, uint8_t flags,
                             int32_t stream_id, const char **nv);
int spdylay_submit_headers(spdylay_session *session, uint8_t flags,
                           int32_t stream_id, const char **nv);
int spdylay_submit_data(spdylay_session *session, int32_t stream_id,
                        uint8_t flags, const spdylay_data_provider *data_prd);
int spdylay_submit_rst_stream(spdylay_session *session, int32_t stream_id,
                              uint32_t status_code);
int spdylay_submit_ping(spdylay_session *session);
int spdylay_submit_goaway(spdylay_session *session, uint32_t status_code);
int spdylay_submit_settings(spdylay_session *session, uint8_t flags,
                            const spdylay_settings_entry *iv, size_t niv);
int spdylay_submit_window_update(spdylay_session *session, int32_t stream_id,
                                 int32_t delta_window_size);

const unsigned char *spdylay_npn_get_proto_list(size_t *len_ptr);
uint16_t spdylay_npn_get_version(const unsigned char *proto, size_t protolen);

/* The shim. */

enum {
  PYSPDYLAY_CLIENT = ..., PYSPDYLAY_SERVER = ..., PYSPDYLAY_READ_EOF = ...
};

/* One bit per application callback the shim forwards to Python. */
enum {
  PYSPDYLAY_ON_CTRL_RECV = ..., PYSPDYLAY_ON_INVALID_CTRL_RECV = ...,
  PYSPDYLAY_ON_DATA_CHUNK_RECV = ..., PYSPDYLAY_ON_DATA_RECV = ...,
  PYSPDYLAY_BEFORE_CTRL_SEND = ..., PYSPDYLAY_ON_CTRL_SEND = ...,
  PYSPDYLAY_ON_CTRL_NOT_SEND = ..., PYSPDYLAY_ON_DATA_SEND = ...,
  PYSPDYLAY_ON_REQUEST_RECV = ..., PYSPDYLAY_ON_CTRL_RECV_PARSE_ERROR = ...,
  PYSPDYLAY_ON_UNKNOWN_CTRL_RECV = ...
};

typedef struct {
  spdylay_session *session;
  char *out;
  size_t out_len;
  int out_full;
  ...;
} pyspdylay_ctx;

pyspdylay_ctx *pyspdylay_new(int side, int version, unsigned int forward,
                             void *handle, int *error);
void pyspdylay_del(pyspdylay_ctx *ctx);
void pyspdylay_out_consume(pyspdylay_ctx *ctx, size_t length);
uintptr_t pyspdylay_stream_key(spdylay_session *session, int32_t stream_id);
void pyspdylay_data_provider_init(spdylay_data_provider *provider,
                                  uintptr_t key);
size_t pyspdylay_nv_size(char **nv);
void pyspdylay_nv_join(char **nv, char *out);
void pyspdylay_nv_split(const char **nv, char *blob, size_t count);

extern "Python" void pyspdylay_on_ctrl_recv(void *, int, spdylay_frame *);
extern "Python" void pyspdylay_on_invalid_ctrl_recv(void *, int,
                                                    spdylay_frame *, uint32_t);
extern "Python" void pyspdylay_on_data_chunk_recv(void *, uint8_t, int32_t,
                                                  const char *, size_t);
extern "Python" void pyspdylay_on_data_recv(void *, uint8_t, int32_t, int32_t);
extern "Python" void pyspdylay_before_ctrl_send(void *, int, spdylay_frame *);
extern "Python" void pyspdylay_on_ctrl_send(void *, int, spdylay_frame *);
extern "Python" void pyspdylay_on_ctrl_not_send(void *, int, spdylay_frame *,
                                                int);
extern "Python" void pyspdylay_on_data_send(void *, uint8_t, int32_t, int32_t);
extern "Python" void pyspdylay_on_stream_close(void *, int32_t, int,
                                               uintptr_t);
extern "Python" void pyspdylay_on_request_recv(void *, int32_t);
extern "Python" void pyspdylay_on_ctrl_recv_parse_error(
    void *, int, const char *, size_t, const char *, size_t, int);
extern "Python" void pyspdylay_on_unknown_ctrl_recv(void *, const char *,
                                                    size_t, const char *,
                                                    size_t);
extern "Python" ssize_t pyspdylay_read(void *, uintptr_t, int32_t, char *,
                                       size_t, int *);
"""

SHIM = r"""
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <spdylay/spdylay.h>

enum { PYSPDYLAY_CLIENT = 1, PYSPDYLAY_SERVER = 2, PYSPDYLAY_READ_EOF = 1 };

enum {
  PYSPDYLAY_ON_CTRL_RECV = 1 << 0,
  PYSPDYLAY_ON_INVALID_CTRL_RECV = 1 << 1,
  PYSPDYLAY_ON_DATA_CHUNK_RECV = 1 << 2,
  PYSPDYLAY_ON_DATA_RECV = 1 << 3,
  PYSPDYLAY_BEFORE_CTRL_SEND = 1 << 4,
  PYSPDYLAY_ON_CTRL_SEND = 1 << 5,
  PYSPDYLAY_ON_CTRL_NOT_SEND = 1 << 6,
  PYSPDYLAY_ON_DATA_SEND = 1 << 7,
  PYSPDYLAY_ON_REQUEST_RECV = 1 << 8,
  PYSPDYLAY_ON_CTRL_RECV_PARSE_ERROR = 1 << 9,
  PYSPDYLAY_ON_UNKNOWN_CTRL_RECV = 1 << 10
};

/* Frames are accepted into the output buffer until it holds this much; then
   the send callback reports "would block" so that send() hands the bytes to
   Python before the core produces more: memory stays bounded for big
   bodies. */
#define PYSPDYLAY_OUT_HIGH_WATER 65536

/* libspdylay's user_data for one Python Session. */
typedef struct {
  spdylay_session *session;
  void *handle;
  char *out;
  size_t out_len;
  size_t out_cap;
  int out_full;
} pyspdylay_ctx;

static void pyspdylay_on_ctrl_recv(void *, int, spdylay_frame *);
static void pyspdylay_on_invalid_ctrl_recv(void *, int, spdylay_frame *,
                                           uint32_t);
static void pyspdylay_on_data_chunk_recv(void *, uint8_t, int32_t,
                                         const char *, size_t);
static void pyspdylay_on_data_recv(void *, uint8_t, int32_t, int32_t);
static void pyspdylay_before_ctrl_send(void *, int, spdylay_frame *);
static void pyspdylay_on_ctrl_send(void *, int, spdylay_frame *);
static void pyspdylay_on_ctrl_not_send(void *, int, spdylay_frame *, int);
static void pyspdylay_on_data_send(void *, uint8_t, int32_t, int32_t);
static void pyspdylay_on_stream_close(void *, int32_t, int, uintptr_t);
static void pyspdylay_on_request_recv(void *, int32_t);
static void pyspdylay_on_ctrl_recv_parse_error(void *, int, const char *,
                                               size_t, const char *, size_t,
                                               int);
static void pyspdylay_on_unknown_ctrl_recv(void *, const char *, size_t,
                                           const char *, size_t);
static ssize_t pyspdylay_read(void *, uintptr_t, int32_t, char *, size_t,
                              int *);

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

static pyspdylay_ctx *pyspdylay_new(int side, int version,
                                    unsigned int forward, void *handle,
                                    int *error) {
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

static void pyspdylay_del(pyspdylay_ctx *ctx) {
  spdylay_session_del(ctx->session);
  free(ctx->out);
  free(ctx);
}

/* Drops the first |length| bytes of the output, which Python has sent. */
static void pyspdylay_out_consume(pyspdylay_ctx *ctx, size_t length) {
  if (length > ctx->out_len) {
    length = ctx->out_len;
  }
  memmove(ctx->out, ctx->out + length, ctx->out_len - length);
  ctx->out_len -= length;
  ctx->out_full = 0;
}

/* The Python side stores integer keys, not pointers, as stream user data, so
   a stale key can at worst miss a dictionary lookup. */
static uintptr_t pyspdylay_stream_key(spdylay_session *session,
                                      int32_t stream_id) {
  return (uintptr_t)spdylay_session_get_stream_user_data(session, stream_id);
}

static void pyspdylay_data_provider_init(spdylay_data_provider *provider,
                                         uintptr_t key) {
  provider->source.ptr = (void *)key;
  provider->read_callback = shim_read;
}

/* Received name/value lists cross to Python as one NUL-joined blob, decoded
   and split there in one step each: the strings never contain NUL because
   libspdylay splits NUL-separated values into separate entries. */
static size_t pyspdylay_nv_size(char **nv) {
  size_t size = 0;
  for (; *nv; ++nv) {
    size += strlen(*nv) + 1;
  }
  return size;
}

static void pyspdylay_nv_join(char **nv, char *out) {
  for (; *nv; ++nv) {
    size_t length = strlen(*nv) + 1;
    memcpy(out, *nv, length);
    out += length;
  }
}

/* Points |nv| at the |count| NUL-terminated strings packed in |blob| and
   terminates it: the whole list costs Python two allocations. */
static void pyspdylay_nv_split(const char **nv, char *blob, size_t count) {
  size_t i;
  for (i = 0; i < count; ++i) {
    nv[i] = blob;
    blob += strlen(blob) + 1;
  }
  nv[count] = NULL;
}
"""


def _path(*parts):
    """A path inside the source tree, relative when building from its top so
    that setuptools accepts it for the sdist, absolute otherwise."""
    path = os.path.join(HERE, *parts)
    if os.path.abspath(os.getcwd()) == HERE:
        return os.path.relpath(path, HERE)
    return path


def _system_flags():
    """Compiler and linker flags for an installed libspdylay."""
    try:
        cflags = subprocess.check_output(
            ["pkg-config", "--cflags", "libspdylay"], text=True)
        libs = subprocess.check_output(
            ["pkg-config", "--libs", "libspdylay"], text=True)
    except (OSError, subprocess.CalledProcessError):
        return {"libraries": ["spdylay"]}
    return {"extra_compile_args": shlex.split(cflags),
            "extra_link_args": shlex.split(libs)}


def _bundled_flags():
    src = _path("libspdylay", "src")
    return {
        "sources": sorted(os.path.join(src, name) for name in os.listdir(src)
                          if name.endswith(".c")),
        "include_dirs": [_path("libspdylay", "include")],
        "libraries": ["z"],
    }


USE_SYSTEM = os.environ.get("SPDYLAY_USE_SYSTEM") == "1"


def _flags():
    flags = _system_flags() if USE_SYSTEM else _bundled_flags()
    flags["extra_compile_args"] = ["-std=c99"] + flags.get(
        "extra_compile_args", [])
    return flags


# Naming the core in the generated C makes switching SPDYLAY_USE_SYSTEM
# rewrite that file, so setuptools rebuilds instead of reusing build/.
CORE_LINE = "/* libspdylay: %s */\n" % ("system" if USE_SYSTEM else "bundled")

ffibuilder = FFI()
ffibuilder.cdef(CDEF)
ffibuilder.set_source("spdylay._spdylay", CORE_LINE + SHIM, **_flags())
