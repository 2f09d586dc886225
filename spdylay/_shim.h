/*
 * _shim.h: the C side of spdylay._spdylay between libspdylay and Python.
 *
 * The shim crosses the C/Python boundary as rarely as possible: it owns a
 * per-session output buffer that coalesces every frame one send() produces,
 * and it forwards only the callbacks the application registered, dropping
 * the arguments the Python side does not need.  It uses only libspdylay
 * 1.4's public API and no Python header, so it compiles on its own against
 * either the bundled core or an installed libspdylay.
 */
#ifndef PYSPDYLAY_SHIM_H
#define PYSPDYLAY_SHIM_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <spdylay/spdylay.h>

enum { PYSPDYLAY_CLIENT = 1, PYSPDYLAY_SERVER = 2, PYSPDYLAY_READ_EOF = 1 };

/* One bit per application callback the shim forwards to Python. */
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

/* libspdylay's user_data for one Python Session. */
typedef struct {
  spdylay_session *session;
  void *handle;
  char *out;
  size_t out_len;
  size_t out_cap;
  int out_full;
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

/* Implemented in Python (extern "Python+C" in the builder's cdef); the
   first argument is the Session's handle. */
void pyspdylay_on_ctrl_recv(void *, int, spdylay_frame *);
void pyspdylay_on_invalid_ctrl_recv(void *, int, spdylay_frame *, uint32_t);
void pyspdylay_on_data_chunk_recv(void *, uint8_t, int32_t, const char *,
                                  size_t);
void pyspdylay_on_data_recv(void *, uint8_t, int32_t, int32_t);
void pyspdylay_before_ctrl_send(void *, int, spdylay_frame *);
void pyspdylay_on_ctrl_send(void *, int, spdylay_frame *);
void pyspdylay_on_ctrl_not_send(void *, int, spdylay_frame *, int);
void pyspdylay_on_data_send(void *, uint8_t, int32_t, int32_t);
void pyspdylay_on_stream_close(void *, int32_t, int, uintptr_t);
void pyspdylay_on_request_recv(void *, int32_t);
void pyspdylay_on_ctrl_recv_parse_error(void *, int, const char *, size_t,
                                        const char *, size_t, int);
void pyspdylay_on_unknown_ctrl_recv(void *, const char *, size_t,
                                    const char *, size_t);
ssize_t pyspdylay_read(void *, uintptr_t, int32_t, char *, size_t, int *);

#endif /* PYSPDYLAY_SHIM_H */
