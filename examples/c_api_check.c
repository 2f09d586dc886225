/*
 * c_api_check.c: a C program written against libspdylay's public API and
 * nothing else of it (only <spdylay/spdylay.h>), as a user of libspdylay 1.4
 * would write it.  For SPDY/2, SPDY/3 and SPDY/3.1 a client and a server
 * session talk through in-memory buffers: a POST with a body, a response
 * with a body, a PING and a GOAWAY; then the NPN list, client-certificate
 * origins and option limits.  Every step is checked; the program
 * prints one line per version and exits 0 only if all of them passed.
 *
 * tests/test_c_api.py builds and runs it against the bundled core.
 */
#include <spdylay/spdylay.h>

#include <stdio.h>
#include <string.h>

#define BUFFER_SIZE 65536

static const char REQUEST_BODY[] = "name=spdylay&check=c-api";
static const char RESPONSE_BODY[] = "the response body, sent as DATA";

typedef struct {
  unsigned char bytes[BUFFER_SIZE];
  size_t len;
} buffer;

typedef struct {
  buffer *out;
  /* What arrived: headers of interest, the body, and events. */
  char method[16];
  char path[64];
  char status[32];
  char content_type[64];
  char body[256];
  size_t body_len;
  int32_t stream_id;
  /* The priority of the last SYN_STREAM received. */
  int pri;
  /* Frames whose frame->ctrl.hd.type disagreed with their type. */
  int mistyped;
  int requests;
  int closed;
  int pings;
  int goaways;
  const char *body_to_send;
  size_t body_sent;
} peer;

static int failures;

static void check(int ok, const char *version, const char *what)
{
  if (!ok) {
    printf("%s: FAILED: %s\n", version, what);
    ++failures;
  }
}

static ssize_t buffer_send(spdylay_session *session, const uint8_t *data,
                           size_t length, int flags, void *user_data)
{
  peer *self = user_data;
  (void)session;
  (void)flags;
  if (length > BUFFER_SIZE - self->out->len) {
    length = BUFFER_SIZE - self->out->len;
  }
  if (length == 0) {
    return SPDYLAY_ERR_WOULDBLOCK;
  }
  memcpy(self->out->bytes + self->out->len, data, length);
  self->out->len += length;
  return (ssize_t)length;
}

static void copy_value(char *dest, size_t size, const char *value)
{
  size_t n = strlen(value);
  if (n >= size) {
    n = size - 1;
  }
  memcpy(dest, value, n);
  dest[n] = '\0';
}

static void remember_headers(peer *self, char **nv)
{
  size_t i;
  for (i = 0; nv[i] != NULL; i += 2) {
    if (strcmp(nv[i], ":method") == 0) {
      copy_value(self->method, sizeof(self->method), nv[i + 1]);
    } else if (strcmp(nv[i], ":path") == 0) {
      copy_value(self->path, sizeof(self->path), nv[i + 1]);
    } else if (strcmp(nv[i], ":status") == 0) {
      copy_value(self->status, sizeof(self->status), nv[i + 1]);
    } else if (strcmp(nv[i], "content-type") == 0) {
      copy_value(self->content_type, sizeof(self->content_type), nv[i + 1]);
    }
  }
}

static void on_ctrl_recv(spdylay_session *session, spdylay_frame_type type,
                         spdylay_frame *frame, void *user_data)
{
  peer *self = user_data;
  (void)session;
  if (frame->ctrl.hd.type != type) {
    ++self->mistyped;
  }
  switch (type) {
  case SPDYLAY_SYN_STREAM:
    self->stream_id = frame->syn_stream.stream_id;
    self->pri = frame->syn_stream.pri;
    remember_headers(self, frame->syn_stream.nv);
    break;
  case SPDYLAY_SYN_REPLY:
    self->stream_id = frame->syn_reply.stream_id;
    remember_headers(self, frame->syn_reply.nv);
    break;
  case SPDYLAY_PING:
    ++self->pings;
    break;
  case SPDYLAY_GOAWAY:
    ++self->goaways;
    break;
  default:
    break;
  }
}

static void on_data_chunk_recv(spdylay_session *session, uint8_t flags,
                               int32_t stream_id, const uint8_t *data,
                               size_t len, void *user_data)
{
  peer *self = user_data;
  (void)session;
  (void)flags;
  (void)stream_id;
  if (len > sizeof(self->body) - 1 - self->body_len) {
    len = sizeof(self->body) - 1 - self->body_len;
  }
  memcpy(self->body + self->body_len, data, len);
  self->body_len += len;
  self->body[self->body_len] = '\0';
}

static ssize_t read_body(spdylay_session *session, int32_t stream_id,
                         uint8_t *buf, size_t length, int *eof,
                         spdylay_data_source *source, void *user_data)
{
  const char *body = source->ptr;
  peer *self = user_data;
  size_t left = strlen(body) - self->body_sent;
  (void)session;
  (void)stream_id;
  /* Small chunks, so that the body spans several DATA frames. */
  if (length > 10) {
    length = 10;
  }
  if (length > left) {
    length = left;
  }
  memcpy(buf, body + self->body_sent, length);
  self->body_sent += length;
  *eof = self->body_sent == strlen(body);
  return (ssize_t)length;
}

static void on_request_recv(spdylay_session *session, int32_t stream_id,
                            void *user_data)
{
  static const char *nv[] = {":status",  "200 OK",       ":version",
                             "HTTP/1.1", "content-type", "text/plain",
                             NULL};
  peer *self = user_data;
  spdylay_data_provider body;
  ++self->requests;
  body.source.ptr = (void *)RESPONSE_BODY;
  body.read_callback = read_body;
  if (spdylay_submit_response(session, stream_id, nv, &body) != 0) {
    self->requests = -1000;
  }
}

static void on_stream_close(spdylay_session *session, int32_t stream_id,
                            spdylay_status_code status_code, void *user_data)
{
  peer *self = user_data;
  (void)session;
  if (stream_id == self->stream_id && status_code == SPDYLAY_OK) {
    ++self->closed;
  }
}

/* Moves bytes both ways until neither session has anything to send. */
static int exchange(spdylay_session *client, peer *client_peer,
                    spdylay_session *server, peer *server_peer)
{
  int round;
  for (round = 0; round < 100; ++round) {
    ssize_t consumed;
    if (spdylay_session_send(client) != 0 ||
        spdylay_session_send(server) != 0) {
      return -1;
    }
    if (client_peer->out->len == 0 && server_peer->out->len == 0) {
      return 0;
    }
    consumed = spdylay_session_mem_recv(server, client_peer->out->bytes,
                                        client_peer->out->len);
    if (consumed != (ssize_t)client_peer->out->len) {
      return -1;
    }
    client_peer->out->len = 0;
    consumed = spdylay_session_mem_recv(client, server_peer->out->bytes,
                                        server_peer->out->len);
    if (consumed != (ssize_t)server_peer->out->len) {
      return -1;
    }
    server_peer->out->len = 0;
  }
  return -1;
}

static void check_version(int version, const char *name)
{
  static const char *request_nv[] = {
      ":method",   "POST",         ":scheme",
      "http",      ":path",        "/c-api",
      ":version",  "HTTP/1.1",     ":host",
      "127.0.0.1", "Content-Type", "application/x-www-form-urlencoded",
      NULL};
  static buffer to_server, to_client;
  static peer client_peer, server_peer;
  spdylay_session_callbacks callbacks;
  spdylay_session *client = NULL, *server = NULL;
  spdylay_data_provider request_body;
  int failures_before = failures;

  memset(&client_peer, 0, sizeof(client_peer));
  memset(&server_peer, 0, sizeof(server_peer));
  to_server.len = to_client.len = 0;
  client_peer.out = &to_server;
  server_peer.out = &to_client;

  memset(&callbacks, 0, sizeof(callbacks));
  callbacks.send_callback = buffer_send;
  callbacks.on_ctrl_recv_callback = on_ctrl_recv;
  callbacks.on_data_chunk_recv_callback = on_data_chunk_recv;
  callbacks.on_stream_close_callback = on_stream_close;
  callbacks.on_request_recv_callback = on_request_recv;
  check(spdylay_session_client_new(&client, version, &callbacks,
                                   &client_peer) == 0,
        name, "spdylay_session_client_new");
  check(spdylay_session_server_new(&server, version, &callbacks,
                                   &server_peer) == 0,
        name, "spdylay_session_server_new");
  if (client == NULL || server == NULL) {
    spdylay_session_del(client);
    spdylay_session_del(server);
    return;
  }
  check(spdylay_session_get_pri_lowest(client) ==
            (version == SPDYLAY_PROTO_SPDY2 ? 3 : 7),
        name, "spdylay_session_get_pri_lowest");

  request_body.source.ptr = (void *)REQUEST_BODY;
  request_body.read_callback = read_body;
  /* libspdylay 1.4's reference: a priority past the lowest is the
     lowest. */
  check(spdylay_submit_request(client, 255, request_nv, &request_body, NULL) ==
            0,
        name, "spdylay_submit_request");
  check(spdylay_session_want_write(client), name,
        "client wants to write after submit");
  check(exchange(client, &client_peer, server, &server_peer) == 0, name,
        "request/response exchange");

  check(server_peer.requests == 1, name, "server saw one complete request");
  check(server_peer.stream_id == 1, name, "first client stream has ID 1");
  check(server_peer.pri == spdylay_session_get_pri_lowest(client), name,
        "priority 255 sent as the lowest");
  check(strcmp(server_peer.method, "POST") == 0, name, ":method arrived");
  check(strcmp(server_peer.path, "/c-api") == 0, name, ":path arrived");
  check(strcmp(server_peer.content_type, "application/x-www-form-urlencoded") ==
            0,
        name, "header name lower-cased, value intact");
  check(strcmp(server_peer.body, REQUEST_BODY) == 0, name,
        "request body arrived whole");
  check(strcmp(client_peer.status, "200 OK") == 0, name, ":status arrived");
  check(strcmp(client_peer.content_type, "text/plain") == 0, name,
        "response header arrived");
  check(strcmp(client_peer.body, RESPONSE_BODY) == 0, name,
        "response body arrived whole");
  check(client_peer.closed == 1 && server_peer.closed == 1, name,
        "stream closed on both sides with OK");

  check(spdylay_submit_ping(client) == 0, name, "spdylay_submit_ping");
  check(exchange(client, &client_peer, server, &server_peer) == 0, name,
        "ping exchange");
  check(server_peer.pings == 1 && client_peer.pings == 1, name,
        "ping received and echoed");

  check(spdylay_submit_goaway(server, SPDYLAY_GOAWAY_OK) == 0, name,
        "spdylay_submit_goaway");
  check(exchange(client, &client_peer, server, &server_peer) == 0, name,
        "goaway exchange");
  check(client_peer.goaways == 1, name, "goaway received");
  check(!spdylay_session_want_write(client) &&
            !spdylay_session_want_write(server),
        name, "nothing left to send");
  check(client_peer.mistyped == 0 && server_peer.mistyped == 0, name,
        "frame->ctrl.hd.type names every frame's type");

  spdylay_session_del(client);
  spdylay_session_del(server);
  if (failures == failures_before) {
    printf("%s: ok\n", name);
  }
}

static void check_api(void)
{
  spdylay_session_callbacks callbacks;
  spdylay_session *session = NULL;
  const spdylay_npn_proto *protos;
  const spdylay_origin *origin;
  size_t nprotos = 0;
  uint32_t buffer_size;

  protos = spdylay_npn_get_proto_list(&nprotos);
  check(nprotos == 3 && protos[0].len == 8 &&
            memcmp(protos[0].proto, "spdy/3.1", 8) == 0 &&
            protos[0].version == SPDYLAY_PROTO_SPDY3_1 &&
            protos[2].version == SPDYLAY_PROTO_SPDY2,
        "api", "spdylay_npn_get_proto_list, newest first");

  memset(&callbacks, 0, sizeof(callbacks));
  if (spdylay_session_client_new(&session, SPDYLAY_PROTO_SPDY3, &callbacks,
                                 NULL) != 0) {
    check(0, "api", "spdylay_session_client_new");
    return;
  }
  check(spdylay_session_get_client_cert_origin(session, 1) == NULL, "api",
        "no client-certificate origin before one is set");
  check(spdylay_session_set_initial_client_cert_origin(session, "https",
                                                       "example.org", 443) == 0,
        "api", "spdylay_session_set_initial_client_cert_origin");
  origin = spdylay_session_get_client_cert_origin(session, 1);
  check(origin != NULL &&
            strcmp(spdylay_origin_get_scheme(origin), "https") == 0 &&
            strcmp(spdylay_origin_get_host(origin), "example.org") == 0 &&
            spdylay_origin_get_port(origin) == 443,
        "api", "spdylay_session_get_client_cert_origin");
  check(spdylay_session_get_client_cert_origin(session, 0) == NULL, "api",
        "slot 0 holds no origin");

  buffer_size = 8191;
  check(spdylay_session_set_option(
            session, SPDYLAY_OPT_MAX_RECV_CTRL_FRAME_BUFFER, &buffer_size,
            sizeof(buffer_size)) == SPDYLAY_ERR_INVALID_ARGUMENT,
        "api", "a control-frame buffer under 8192 bytes is refused");
  buffer_size = 8192;
  check(spdylay_session_set_option(session,
                                   SPDYLAY_OPT_MAX_RECV_CTRL_FRAME_BUFFER,
                                   &buffer_size, sizeof(buffer_size)) == 0,
        "api", "a control-frame buffer of 8192 bytes is accepted");
  spdylay_session_del(session);
}

int main(void)
{
  spdylay_session_callbacks callbacks;
  spdylay_session *session = NULL;
  memset(&callbacks, 0, sizeof(callbacks));
  check(spdylay_session_client_new(&session, 1, &callbacks, NULL) ==
            SPDYLAY_ERR_UNSUPPORTED_VERSION,
        "api", "an unknown version is refused");
  check(strlen(spdylay_strerror(SPDYLAY_ERR_INVALID_ARGUMENT)) > 0, "api",
        "spdylay_strerror");
  check_api();
  check_version(SPDYLAY_PROTO_SPDY2, "SPDY/2");
  check_version(SPDYLAY_PROTO_SPDY3, "SPDY/3");
  check_version(SPDYLAY_PROTO_SPDY3_1, "SPDY/3.1");
  return failures == 0 ? 0 : 1;
}
