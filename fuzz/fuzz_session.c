/*
 * fuzz_session.c: libFuzzer target that feeds arbitrary peer bytes to a
 * client or server session of any SPDY version, through the public API only.
 *
 * The first input byte picks the set-up:
 *   bits 0    side (0 client, 1 server)
 *   bits 1-2  version (0 SPDY/2, 1 SPDY/3, 2 and 3 SPDY/3.1)
 *   bit  3    client: POST with a body instead of GET; server: also push
 *   bit  4    SPDYLAY_OPT_MAX_RECV_CTRL_FRAME_BUFFER at its minimum, 8192,
 *             and every peer-limit option at 3, so that their edges are
 *             reached
 *   bit  5    SPDYLAY_OPT_NO_AUTO_WINDOW_UPDATE and
 *             SPDYLAY_OPT_AUTO_REPLIES_STOP_READING
 *   bits 6-7  how many pieces the rest is cut into (1 to 4)
 * All pieces but the last go through spdylay_session_mem_recv(); the last
 * goes through spdylay_session_recv() in small reads, so both input paths
 * are exercised.  spdylay_session_send() runs after each piece, its output
 * discarded.  The callbacks read every field the session hands them, so
 * AddressSanitizer sees any frame that points at freed or foreign memory.
 */
#include <spdylay/spdylay.h>

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char RESPONSE_BODY[] = "fuzz response body";

typedef struct {
  const uint8_t *pending;
  size_t pending_len;
  int push;
} fuzz_peer;

/* A contract of the API was broken: stop here so libFuzzer keeps the input. */
static void require(int condition)
{
  if (!condition) {
    abort();
  }
}

static ssize_t discard_send(spdylay_session *session, const uint8_t *data,
                            size_t length, int flags, void *user_data)
{
  (void)session;
  (void)flags;
  (void)user_data;
  require(length == 0 || data != NULL);
  return (ssize_t)length;
}

/* Hands out the pending input a few bytes at a time, then reports EOF. */
static ssize_t trickle_recv(spdylay_session *session, uint8_t *buf,
                            size_t length, int flags, void *user_data)
{
  fuzz_peer *peer = user_data;
  size_t n = peer->pending_len < 7 ? peer->pending_len : 7;
  (void)session;
  (void)flags;
  if (peer->pending_len == 0) {
    return SPDYLAY_ERR_EOF;
  }
  if (n > length) {
    n = length;
  }
  memcpy(buf, peer->pending, n);
  peer->pending += n;
  peer->pending_len -= n;
  return (ssize_t)n;
}

static size_t touch_nv(char **nv)
{
  size_t total = 0;
  size_t i;
  require(nv != NULL);
  for (i = 0; nv[i] != NULL; ++i) {
    total += strlen(nv[i]);
  }
  require(i % 2 == 0);
  return total;
}

static void touch_frame(spdylay_frame_type type, spdylay_frame *frame)
{
  size_t i;
  switch (type) {
  case SPDYLAY_SYN_STREAM:
    touch_nv(frame->syn_stream.nv);
    break;
  case SPDYLAY_SYN_REPLY:
    touch_nv(frame->syn_reply.nv);
    break;
  case SPDYLAY_HEADERS:
    touch_nv(frame->headers.nv);
    break;
  case SPDYLAY_SETTINGS:
    for (i = 0; i < frame->settings.niv; ++i) {
      require(frame->settings.iv[i].settings_id >= 0);
    }
    break;
  default:
    break;
  }
}

static void on_ctrl_recv(spdylay_session *session, spdylay_frame_type type,
                         spdylay_frame *frame, void *user_data)
{
  (void)session;
  (void)user_data;
  touch_frame(type, frame);
}

static void on_invalid_ctrl_recv(spdylay_session *session,
                                 spdylay_frame_type type, spdylay_frame *frame,
                                 uint32_t status_code, void *user_data)
{
  (void)session;
  (void)status_code;
  (void)user_data;
  touch_frame(type, frame);
}

/* Reads the first and last byte so that AddressSanitizer checks the span. */
static void touch_bytes(const uint8_t *bytes, size_t len)
{
  volatile uint8_t sink;
  if (len > 0) {
    sink = (uint8_t)(bytes[0] ^ bytes[len - 1]);
    (void)sink;
  }
}

static void on_data_chunk_recv(spdylay_session *session, uint8_t flags,
                               int32_t stream_id, const uint8_t *data,
                               size_t len, void *user_data)
{
  (void)session;
  (void)flags;
  (void)stream_id;
  (void)user_data;
  touch_bytes(data, len);
}

static void on_parse_error(spdylay_session *session, spdylay_frame_type type,
                           const uint8_t *head, size_t headlen,
                           const uint8_t *payload, size_t payloadlen,
                           int error_code, void *user_data)
{
  (void)session;
  (void)type;
  (void)user_data;
  require(error_code < 0);
  touch_bytes(head, headlen);
  touch_bytes(payload, payloadlen);
}

static void on_unknown_ctrl(spdylay_session *session, const uint8_t *head,
                            size_t headlen, const uint8_t *payload,
                            size_t payloadlen, void *user_data)
{
  (void)session;
  (void)user_data;
  touch_bytes(head, headlen);
  touch_bytes(payload, payloadlen);
}

static ssize_t read_body(spdylay_session *session, int32_t stream_id,
                         uint8_t *buf, size_t length, int *eof,
                         spdylay_data_source *source, void *user_data)
{
  size_t n = sizeof(RESPONSE_BODY) - 1;
  (void)session;
  (void)stream_id;
  (void)source;
  (void)user_data;
  if (n > length) {
    n = length;
  }
  memcpy(buf, RESPONSE_BODY, n);
  *eof = 1;
  return (ssize_t)n;
}

static void on_request_recv(spdylay_session *session, int32_t stream_id,
                            void *user_data)
{
  static const char *response_nv[] = {":status",  "200 OK",       ":version",
                                      "HTTP/1.1", "content-type", "text/plain",
                                      NULL};
  static const char *push_nv[] = {
      ":scheme", "http",   ":host",    "127.0.0.1", ":path", "/pushed",
      ":status", "200 OK", ":version", "HTTP/1.1",  NULL};
  fuzz_peer *peer = user_data;
  spdylay_data_provider body;
  body.source.ptr = NULL;
  body.read_callback = read_body;
  if (peer->push) {
    spdylay_submit_syn_stream(
        session, SPDYLAY_CTRL_FLAG_FIN | SPDYLAY_CTRL_FLAG_UNIDIRECTIONAL,
        stream_id, 0, push_nv, NULL);
  }
  spdylay_submit_response(session, stream_id, response_nv, &body);
}

static int submit_request(spdylay_session *session, int post)
{
  static const char *get_nv[] = {
      ":method",  "GET",   ":scheme",   "http",   ":path", "/", ":version",
      "HTTP/1.1", ":host", "127.0.0.1", "accept", "*/*",   NULL};
  static const char *post_nv[] = {
      ":method",  "POST",     ":scheme", "http",      ":path", "/upload",
      ":version", "HTTP/1.1", ":host",   "127.0.0.1", NULL};
  spdylay_data_provider body;
  body.source.ptr = NULL;
  body.read_callback = read_body;
  if (post) {
    return spdylay_submit_request(session, 3, post_nv, &body, NULL);
  }
  return spdylay_submit_request(session, 3, get_nv, NULL, NULL);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
  static const int versions[] = {SPDYLAY_PROTO_SPDY2, SPDYLAY_PROTO_SPDY3,
                                 SPDYLAY_PROTO_SPDY3_1, SPDYLAY_PROTO_SPDY3_1};
  spdylay_session_callbacks callbacks;
  spdylay_session *session = NULL;
  fuzz_peer peer;
  uint8_t setup;
  int server, version, rv;
  size_t pieces, piece_len, i;

  if (size == 0) {
    return 0;
  }
  setup = data[0];
  ++data;
  --size;
  server = setup & 1;
  version = versions[(setup >> 1) & 3];
  pieces = 1 + (size_t)(setup >> 6);

  memset(&peer, 0, sizeof(peer));
  peer.push = (setup >> 3) & 1;
  memset(&callbacks, 0, sizeof(callbacks));
  callbacks.send_callback = discard_send;
  callbacks.recv_callback = trickle_recv;
  callbacks.on_ctrl_recv_callback = on_ctrl_recv;
  callbacks.on_invalid_ctrl_recv_callback = on_invalid_ctrl_recv;
  callbacks.on_data_chunk_recv_callback = on_data_chunk_recv;
  callbacks.on_request_recv_callback = on_request_recv;
  callbacks.on_ctrl_recv_parse_error_callback = on_parse_error;
  callbacks.on_unknown_ctrl_recv_callback = on_unknown_ctrl;

  if (server) {
    rv = spdylay_session_server_new(&session, version, &callbacks, &peer);
  } else {
    rv = spdylay_session_client_new(&session, version, &callbacks, &peer);
  }
  require(rv == 0 && session != NULL);

  if (setup & 0x10) {
    static const int peer_limits[] = {
        SPDYLAY_OPT_MAX_HEADER_LIST_SIZE,     SPDYLAY_OPT_MAX_HEADER_LIST_COUNT,
        SPDYLAY_OPT_MAX_AUTO_REPLIES,         SPDYLAY_OPT_MAX_SETTINGS_ENTRIES,
        SPDYLAY_OPT_MAX_PEER_RESETS,          SPDYLAY_OPT_MAX_EMPTY_FRAMES,
        SPDYLAY_OPT_MAX_SMALL_WINDOW_UPDATES, SPDYLAY_OPT_MAX_INCOMING_STREAMS};
    uint32_t limit = 8192;
    uint32_t tight = 3;
    require(spdylay_session_set_option(session,
                                       SPDYLAY_OPT_MAX_RECV_CTRL_FRAME_BUFFER,
                                       &limit, sizeof(limit)) == 0);
    for (i = 0; i < sizeof(peer_limits) / sizeof(peer_limits[0]); ++i) {
      require(spdylay_session_set_option(session, peer_limits[i], &tight,
                                         sizeof(tight)) == 0);
    }
  }
  if (setup & 0x20) {
    int on = 1;
    require(spdylay_session_set_option(session,
                                       SPDYLAY_OPT_NO_AUTO_WINDOW_UPDATE, &on,
                                       sizeof(on)) == 0);
    require(spdylay_session_set_option(session,
                                       SPDYLAY_OPT_AUTO_REPLIES_STOP_READING,
                                       &on, sizeof(on)) == 0);
  }
  if (!server) {
    require(submit_request(session, peer.push) == 0);
  }
  if (spdylay_session_send(session) != 0) {
    spdylay_session_del(session);
    return 0;
  }

  piece_len = size / pieces;
  for (i = 0; i + 1 < pieces; ++i) {
    ssize_t consumed = spdylay_session_mem_recv(session, data, piece_len);
    if (consumed < 0) {
      spdylay_session_del(session);
      return 0;
    }
    require((size_t)consumed == piece_len);
    data += piece_len;
    size -= piece_len;
    if (spdylay_session_send(session) != 0) {
      spdylay_session_del(session);
      return 0;
    }
  }
  peer.pending = data;
  peer.pending_len = size;
  spdylay_session_recv(session);
  spdylay_session_send(session);
  /* The queries must hold up in whatever state the input left the session,
     failed sessions included. */
  spdylay_session_want_read(session);
  spdylay_session_want_write(session);
  spdylay_session_get_outbound_queue_size(session);
  spdylay_session_get_recv_data_length(session);
  spdylay_session_del(session);
  return 0;
}
