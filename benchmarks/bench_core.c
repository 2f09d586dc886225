/*
 * bench_core.c: throughput of the C core, public API only.
 *
 * A client and a server session talk to each other through two in-memory
 * pipes on one thread, so the figures measure framing, header compression,
 * stream bookkeeping and flow control, not the kernel.  For each version:
 *   - small exchanges/s: GET (SYN_STREAM) answered by SYN_REPLY and a 1 KiB
 *     body, CONCURRENCY requests in flight at a time;
 *   - MB/s for one large response body, with flow control in force.
 * Every received byte is counted and checked, so a broken core fails the run
 * (exit 1) instead of printing a fast figure.
 *
 * Usage: bench_core [small_exchanges] [large_megabytes]; benchmarks/README.md
 * gives the build command and the figures measured.
 */
#define _POSIX_C_SOURCE 200809L

#include <spdylay/spdylay.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define SMALL_BODY_SIZE 1024
#define CONCURRENCY 100
/* A pipe refuses more than this, as a socket buffer would, so that a sender
   without flow control (SPDY/2) cannot queue the whole large body at once. */
#define PIPE_CAPACITY (256 * 1024)

typedef struct {
  uint8_t *bytes;
  size_t len;
} pipe_buffer;

typedef struct {
  pipe_buffer *out;
  /* Server: bytes still to send in the current large body (0: small mode). */
  uint64_t large_remaining;
  /* Client: body bytes and finished streams seen so far. */
  uint64_t body_bytes;
  uint64_t streams_closed;
  uint64_t streams_failed;
} endpoint;

static uint8_t filler[16384];

static void die(const char *what, int code)
{
  fprintf(stderr, "bench_core: %s failed: %s\n", what, spdylay_strerror(code));
  exit(1);
}

static double now_seconds(void)
{
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static ssize_t pipe_send(spdylay_session *session, const uint8_t *data,
                         size_t length, int flags, void *user_data)
{
  endpoint *self = user_data;
  pipe_buffer *out = self->out;
  size_t room = PIPE_CAPACITY - out->len;
  (void)session;
  (void)flags;
  if (room == 0) {
    return SPDYLAY_ERR_WOULDBLOCK;
  }
  if (length > room) {
    length = room;
  }
  memcpy(out->bytes + out->len, data, length);
  out->len += length;
  return (ssize_t)length;
}

static ssize_t read_small_body(spdylay_session *session, int32_t stream_id,
                               uint8_t *buf, size_t length, int *eof,
                               spdylay_data_source *source, void *user_data)
{
  size_t n = SMALL_BODY_SIZE < length ? SMALL_BODY_SIZE : length;
  (void)session;
  (void)stream_id;
  (void)source;
  (void)user_data;
  memcpy(buf, filler, n);
  *eof = n == SMALL_BODY_SIZE;
  return (ssize_t)n;
}

static ssize_t read_large_body(spdylay_session *session, int32_t stream_id,
                               uint8_t *buf, size_t length, int *eof,
                               spdylay_data_source *source, void *user_data)
{
  endpoint *self = user_data;
  size_t n = length;
  (void)session;
  (void)stream_id;
  (void)source;
  if (n > sizeof(filler)) {
    n = sizeof(filler);
  }
  if (n > self->large_remaining) {
    n = (size_t)self->large_remaining;
  }
  memcpy(buf, filler, n);
  self->large_remaining -= n;
  *eof = self->large_remaining == 0;
  return (ssize_t)n;
}

static void on_request_recv(spdylay_session *session, int32_t stream_id,
                            void *user_data)
{
  static const char *nv[] = {
      ":status",  "200 OK",       ":version",
      "HTTP/1.1", "content-type", "application/octet-stream",
      NULL};
  endpoint *self = user_data;
  spdylay_data_provider body;
  int rv;
  body.source.ptr = NULL;
  body.read_callback =
      self->large_remaining > 0 ? read_large_body : read_small_body;
  rv = spdylay_submit_response(session, stream_id, nv, &body);
  if (rv != 0) {
    die("spdylay_submit_response", rv);
  }
}

static void on_data_chunk_recv(spdylay_session *session, uint8_t flags,
                               int32_t stream_id, const uint8_t *data,
                               size_t len, void *user_data)
{
  endpoint *self = user_data;
  (void)session;
  (void)flags;
  (void)stream_id;
  (void)data;
  self->body_bytes += len;
}

static void on_stream_close(spdylay_session *session, int32_t stream_id,
                            spdylay_status_code status_code, void *user_data)
{
  endpoint *self = user_data;
  (void)session;
  (void)stream_id;
  ++self->streams_closed;
  if (status_code != SPDYLAY_OK) {
    ++self->streams_failed;
  }
}

typedef struct {
  spdylay_session *client;
  spdylay_session *server;
  endpoint client_end;
  endpoint server_end;
  pipe_buffer to_server;
  pipe_buffer to_client;
} connection;

static void connection_open(connection *conn, int version)
{
  spdylay_session_callbacks callbacks;
  int rv;
  memset(conn, 0, sizeof(*conn));
  conn->to_server.bytes = malloc(PIPE_CAPACITY);
  conn->to_client.bytes = malloc(PIPE_CAPACITY);
  if (conn->to_server.bytes == NULL || conn->to_client.bytes == NULL) {
    die("malloc", SPDYLAY_ERR_NOMEM);
  }
  conn->client_end.out = &conn->to_server;
  conn->server_end.out = &conn->to_client;

  memset(&callbacks, 0, sizeof(callbacks));
  callbacks.send_callback = pipe_send;
  callbacks.on_data_chunk_recv_callback = on_data_chunk_recv;
  callbacks.on_stream_close_callback = on_stream_close;
  rv = spdylay_session_client_new(&conn->client, version, &callbacks,
                                  &conn->client_end);
  if (rv != 0) {
    die("spdylay_session_client_new", rv);
  }
  memset(&callbacks, 0, sizeof(callbacks));
  callbacks.send_callback = pipe_send;
  callbacks.on_request_recv_callback = on_request_recv;
  rv = spdylay_session_server_new(&conn->server, version, &callbacks,
                                  &conn->server_end);
  if (rv != 0) {
    die("spdylay_session_server_new", rv);
  }
}

static void connection_close(connection *conn)
{
  spdylay_session_del(conn->client);
  spdylay_session_del(conn->server);
  free(conn->to_server.bytes);
  free(conn->to_client.bytes);
}

static void deliver(spdylay_session *receiver, pipe_buffer *in)
{
  ssize_t consumed;
  if (in->len == 0) {
    return;
  }
  consumed = spdylay_session_mem_recv(receiver, in->bytes, in->len);
  if (consumed < 0) {
    die("spdylay_session_mem_recv", (int)consumed);
  }
  if ((size_t)consumed != in->len) {
    fprintf(stderr, "bench_core: mem_recv consumed %ld of %lu bytes\n",
            (long)consumed, (unsigned long)in->len);
    exit(1);
  }
  in->len = 0;
}

/* Moves bytes both ways until the client has seen |closed_target| streams
   close. */
static void pump_until(connection *conn, uint64_t closed_target)
{
  int rv;
  while (conn->client_end.streams_closed < closed_target) {
    rv = spdylay_session_send(conn->client);
    if (rv != 0) {
      die("client spdylay_session_send", rv);
    }
    deliver(conn->server, &conn->to_server);
    rv = spdylay_session_send(conn->server);
    if (rv != 0) {
      die("server spdylay_session_send", rv);
    }
    if (conn->to_client.len == 0 && conn->to_server.len == 0 &&
        !spdylay_session_want_write(conn->client) &&
        !spdylay_session_want_write(conn->server)) {
      fprintf(stderr, "bench_core: the sessions stalled\n");
      exit(1);
    }
    deliver(conn->client, &conn->to_client);
  }
}

static void submit_get(connection *conn)
{
  static const char *nv[] = {":method", "GET",       ":scheme",  "http",
                             ":path",   "/bench",    ":version", "HTTP/1.1",
                             ":host",   "127.0.0.1", NULL};
  int rv = spdylay_submit_request(conn->client, 3, nv, NULL, NULL);
  if (rv != 0) {
    die("spdylay_submit_request", rv);
  }
}

static double small_exchanges_per_second(int version, uint64_t count)
{
  connection conn;
  uint64_t submitted = 0;
  double started, elapsed;
  connection_open(&conn, version);
  started = now_seconds();
  while (submitted < count) {
    uint64_t batch =
        count - submitted < CONCURRENCY ? count - submitted : CONCURRENCY;
    uint64_t i;
    for (i = 0; i < batch; ++i) {
      submit_get(&conn);
    }
    submitted += batch;
    pump_until(&conn, submitted);
  }
  elapsed = now_seconds() - started;
  if (conn.client_end.streams_failed != 0 ||
      conn.client_end.body_bytes != count * SMALL_BODY_SIZE) {
    fprintf(stderr, "bench_core: small exchanges lost data\n");
    exit(1);
  }
  connection_close(&conn);
  return (double)count / elapsed;
}

static double large_megabytes_per_second(int version, uint64_t megabytes)
{
  connection conn;
  uint64_t total = megabytes * 1000000u;
  double started, elapsed;
  connection_open(&conn, version);
  conn.server_end.large_remaining = total;
  started = now_seconds();
  submit_get(&conn);
  pump_until(&conn, 1);
  elapsed = now_seconds() - started;
  if (conn.client_end.streams_failed != 0 ||
      conn.client_end.body_bytes != total) {
    fprintf(stderr, "bench_core: the large response lost data\n");
    exit(1);
  }
  connection_close(&conn);
  return (double)megabytes / elapsed;
}

int main(int argc, char **argv)
{
  static const struct {
    const char *name;
    int version;
  } versions[] = {{"SPDY/2", SPDYLAY_PROTO_SPDY2},
                  {"SPDY/3", SPDYLAY_PROTO_SPDY3},
                  {"SPDY/3.1", SPDYLAY_PROTO_SPDY3_1}};
  uint64_t small_count = argc > 1 ? strtoull(argv[1], NULL, 10) : 200000;
  uint64_t large_megabytes = argc > 2 ? strtoull(argv[2], NULL, 10) : 100;
  size_t i;
  if (small_count == 0 || large_megabytes == 0) {
    fprintf(stderr, "usage: %s [small_exchanges] [large_megabytes]\n", argv[0]);
    return 2;
  }
  memset(filler, 'x', sizeof(filler));
  printf("in-memory client <-> server, one thread; %llu small exchanges "
         "(GET, SYN_REPLY, %d-byte body, %d in flight), one %llu MB "
         "response\n",
         (unsigned long long)small_count, SMALL_BODY_SIZE, CONCURRENCY,
         (unsigned long long)large_megabytes);
  printf("%-9s %18s %16s\n", "version", "small exchanges/s", "large MB/s");
  for (i = 0; i < sizeof(versions) / sizeof(versions[0]); ++i) {
    double small = small_exchanges_per_second(versions[i].version, small_count);
    double large =
        large_megabytes_per_second(versions[i].version, large_megabytes);
    printf("%-9s %18.0f %16.1f\n", versions[i].name, small, large);
    fflush(stdout);
  }
  return 0;
}
