/*
 * spdylay_session.c: the SPDY session state machine (see
 * spdylay_session.h): session life, sending queued frames, the
 * incremental reader of inbound frames and what each frame does to the
 * session, flow control, and the session queries of the public API.
 */
#include "spdylay_session.h"

#include <string.h>

#include "spdylay_frame.h"
#include "spdylay_helper.h"
#include "spdylay_not_sent.h"
#include "spdylay_nv.h"

/* prepare_* results besides 0 (a frame is ready in the outbound buffer)
   and negative fatal errors: the item was dropped or parked. */
#define PREPARE_SKIPPED 1

#define STREAM_ID_MASK 0x7fffffffu
/* What spdylay_session_recv() reads per recv_callback call. */
#define RECV_BUFFER_LENGTH 16384
/* mem_recv reports the bytes it consumed as a ssize_t. */
#define SSIZE_BOUND ((size_t)SIZE_MAX / 2)

/*
 * Small predicates
 */

static int flow_controlled(spdylay_session *session)
{
  return session->version >= SPDYLAY_PROTO_SPDY3;
}

static int has_connection_window(spdylay_session *session)
{
  return session->version == SPDYLAY_PROTO_SPDY3_1;
}

static uint16_t wire_version(spdylay_session *session)
{
  return spdylay_frame_wire_version(session->version);
}

int spdylay_session_is_my_stream_id(spdylay_session *session, int32_t stream_id)
{
  return ((stream_id & 1) == 0) == (session->server != 0);
}

int spdylay_session_valid_push_assoc(spdylay_session *session,
                                     int32_t assoc_stream_id)
{
  spdylay_stream *assoc;
  /* Client-initiated stream IDs are odd. */
  if (assoc_stream_id <= 0 || (assoc_stream_id & 1) == 0) {
    return 0;
  }
  assoc = spdylay_session_get_stream(session, assoc_stream_id);
  return assoc && assoc->state != SPDYLAY_STREAM_CLOSING;
}

static int goaway_exchanged(spdylay_session *session)
{
  return (session->goaway_flags &
          (SPDYLAY_GOAWAY_SENT | SPDYLAY_GOAWAY_RECEIVED)) != 0;
}

static int is_failing(spdylay_session *session)
{
  return (session->goaway_flags & SPDYLAY_GOAWAY_FAILING) != 0;
}

/* SPDYLAY_OPT_MAX_AUTO_REPLIES with SPDYLAY_OPT_AUTO_REPLIES_STOP_READING:
   input waits while the peer's replies wait. */
static int reading_held(spdylay_session *session)
{
  return (session->opt_flags & SPDYLAY_OPTMASK_AUTO_REPLIES_STOP_READING) &&
         session->limits.max_auto_replies != 0 &&
         session->limits.auto_replies >= session->limits.max_auto_replies;
}

/* SPDYLAY_OPT_MAX_AUTO_REPLIES without STOP_READING: the session fails. */
static int auto_replies_flooded(spdylay_session *session)
{
  return !(session->opt_flags & SPDYLAY_OPTMASK_AUTO_REPLIES_STOP_READING) &&
         session->limits.max_auto_replies != 0 &&
         session->limits.auto_replies > session->limits.max_auto_replies;
}

/* Counts one more against a peer budget; nonzero once it is spent. */
static int spend_many(uint32_t *spent, uint32_t count, uint32_t bound)
{
  if (bound == 0) {
    return 0;
  }
  *spent = count > UINT32_MAX - *spent ? UINT32_MAX : *spent + count;
  return *spent > bound;
}

static int spend(uint32_t *spent, uint32_t bound)
{
  return spend_many(spent, 1, bound);
}

/* |a| + |b| clamped to [0, 2^31-1]; used for receive-side bookkeeping, where
   the peer is the one who must respect the limit. */
static int32_t saturated_add(int32_t a, int64_t b)
{
  int64_t sum = (int64_t)a + b;
  if (sum > INT32_MAX) {
    return INT32_MAX;
  }
  if (sum < 0) {
    return 0;
  }
  return (int32_t)sum;
}

/* Three-way status for SPDY/2, which lacks the finer SPDY/3 codes. */
static uint32_t v3_status(spdylay_session *session, uint32_t status_code)
{
  return session->version == SPDYLAY_PROTO_SPDY2 ? SPDYLAY_PROTOCOL_ERROR
                                                 : status_code;
}

/*
 * Settings
 */

static void remote_settings_defaults(uint32_t *settings)
{
  memset(settings, 0, sizeof(uint32_t) * SPDYLAY_SETTINGS_COUNT);
  settings[SPDYLAY_SETTINGS_MAX_CONCURRENT_STREAMS] =
      SPDYLAY_INITIAL_MAX_CONCURRENT_STREAMS;
  settings[SPDYLAY_SETTINGS_INITIAL_WINDOW_SIZE] = SPDYLAY_INITIAL_WINDOW_SIZE;
}

/* Until the application announces a limit, the peer may open as many
   streams as it likes, as the drafts say. */
static void local_settings_defaults(uint32_t *settings)
{
  memset(settings, 0, sizeof(uint32_t) * SPDYLAY_SETTINGS_COUNT);
  settings[SPDYLAY_SETTINGS_MAX_CONCURRENT_STREAMS] = INT32_MAX;
  settings[SPDYLAY_SETTINGS_INITIAL_WINDOW_SIZE] = SPDYLAY_INITIAL_WINDOW_SIZE;
}

/*
 * Session life
 */

static int session_new(spdylay_session **session_ptr, int version,
                       const spdylay_session_callbacks *callbacks,
                       void *user_data, int server)
{
  spdylay_session *session;
  int rv;
  if (session_ptr == NULL || callbacks == NULL) {
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
  if (version < SPDYLAY_PROTO_SPDY2 || version > SPDYLAY_PROTO_SPDY3_1) {
    return SPDYLAY_ERR_UNSUPPORTED_VERSION;
  }
  session = calloc(1, sizeof(spdylay_session));
  if (session == NULL) {
    return SPDYLAY_ERR_NOMEM;
  }
  session->version = (uint16_t)version;
  session->server = server;
  session->callbacks = *callbacks;
  session->user_data = user_data;
  session->next_stream_id = server ? 2 : 1;
  session->next_unique_id = server ? 2 : 1;
  remote_settings_defaults(session->remote_settings);
  local_settings_defaults(session->local_settings);
  session->enforced_recv_window =
      session->local_settings[SPDYLAY_SETTINGS_INITIAL_WINDOW_SIZE];
  session->send_window = SPDYLAY_INITIAL_WINDOW_SIZE;
  session->recv_window = SPDYLAY_INITIAL_WINDOW_SIZE;
  session->max_recv_ctrl_frame_buf = SPDYLAY_DEFAULT_MAX_RECV_CTRL_FRAME_BUFFER;
  session->limits.max_header_list_size = SPDYLAY_DEFAULT_MAX_HEADER_LIST_SIZE;
  session->limits.max_header_list_count = SPDYLAY_DEFAULT_MAX_HEADER_LIST_COUNT;
  session->limits.max_auto_replies = SPDYLAY_DEFAULT_MAX_AUTO_REPLIES;
  session->limits.max_settings_entries = SPDYLAY_DEFAULT_MAX_SETTINGS_ENTRIES;
  session->limits.max_peer_resets = SPDYLAY_DEFAULT_MAX_PEER_RESETS;
  session->limits.max_empty_frames = SPDYLAY_DEFAULT_MAX_EMPTY_FRAMES;
  session->limits.max_small_window_updates =
      SPDYLAY_DEFAULT_MAX_SMALL_WINDOW_UPDATES;
  session->limits.max_incoming_streams = SPDYLAY_DEFAULT_MAX_INCOMING_STREAMS;

  rv = spdylay_zlib_deflate_hd_init(&session->deflater, session->version);
  if (rv != 0) {
    goto fail_deflater;
  }
  rv = spdylay_zlib_inflate_hd_init(&session->inflater, session->version);
  if (rv != 0) {
    goto fail_inflater;
  }
  rv = spdylay_map_init(&session->streams);
  if (rv != 0) {
    goto fail_map;
  }
  rv = spdylay_pq_init(&session->ob_pq, spdylay_outbound_item_less);
  if (rv != 0) {
    goto fail_ob_pq;
  }
  rv = spdylay_pq_init(&session->ob_ss_pq, spdylay_outbound_item_less);
  if (rv != 0) {
    goto fail_ob_ss_pq;
  }
  *session_ptr = session;
  return 0;

fail_ob_ss_pq:
  spdylay_pq_free(&session->ob_pq);
fail_ob_pq:
  spdylay_map_free(&session->streams);
fail_map:
  spdylay_zlib_inflate_free(&session->inflater);
fail_inflater:
  spdylay_zlib_deflate_free(&session->deflater);
fail_deflater:
  free(session);
  return rv;
}

int spdylay_session_client_new(spdylay_session **session_ptr, int version,
                               const spdylay_session_callbacks *callbacks,
                               void *user_data)
{
  return session_new(session_ptr, version, callbacks, user_data, 0);
}

int spdylay_session_server_new(spdylay_session **session_ptr, int version,
                               const spdylay_session_callbacks *callbacks,
                               void *user_data)
{
  return session_new(session_ptr, version, callbacks, user_data, 1);
}

static int free_stream(spdylay_map_entry *entry, void *ptr)
{
  (void)ptr;
  spdylay_stream_del((spdylay_stream *)entry);
  return 0;
}

static void drain_queue(spdylay_pq *pq)
{
  spdylay_outbound_item *item;
  while ((item = spdylay_pq_top(pq)) != NULL) {
    spdylay_pq_pop(pq);
    spdylay_outbound_item_free(item);
  }
  spdylay_pq_free(pq);
}

void spdylay_session_del(spdylay_session *session)
{
  if (session == NULL) {
    return;
  }
  spdylay_map_each(&session->streams, free_stream, NULL);
  spdylay_map_free(&session->streams);
  drain_queue(&session->ob_pq);
  drain_queue(&session->ob_ss_pq);
  spdylay_outbound_item_free(session->aob.item);
  free(session->aob.framebuf);
  free(session->iframe.buf);
  free(session->inflatebuf);
  free(session->recv_nvbuf);
  spdylay_zlib_deflate_free(&session->deflater);
  spdylay_zlib_inflate_free(&session->inflater);
  spdylay_client_cert_vector_free(&session->cli_certvec);
  free(session);
}

/*
 * Streams
 */

spdylay_stream *spdylay_session_get_stream(spdylay_session *session,
                                           int32_t stream_id)
{
  spdylay_stream *stream = session->last_stream;
  if (stream != NULL && stream->stream_id == stream_id) {
    return stream;
  }
  stream = (spdylay_stream *)spdylay_map_find(&session->streams, stream_id);
  if (stream != NULL) {
    session->last_stream = stream;
  }
  return stream;
}

static spdylay_stream *open_stream(spdylay_session *session, int32_t stream_id,
                                   uint8_t pri, void *stream_user_data)
{
  spdylay_stream *stream = spdylay_stream_new(
      stream_id, pri, stream_user_data,
      (int32_t)session->remote_settings[SPDYLAY_SETTINGS_INITIAL_WINDOW_SIZE],
      (int32_t)session->enforced_recv_window);
  if (stream == NULL) {
    return NULL;
  }
  if (spdylay_map_insert(&session->streams, &stream->map_entry) != 0) {
    spdylay_stream_del(stream);
    return NULL;
  }
  if (spdylay_session_is_my_stream_id(session, stream_id)) {
    ++session->num_outgoing_streams;
  } else {
    ++session->num_incoming_streams;
  }
  return stream;
}

/* Removes the stream without telling the application. */
static void destroy_stream(spdylay_session *session, spdylay_stream *stream)
{
  if (session->last_stream == stream) {
    session->last_stream = NULL;
  }
  spdylay_map_remove(&session->streams, stream->stream_id);
  if (spdylay_session_is_my_stream_id(session, stream->stream_id)) {
    --session->num_outgoing_streams;
  } else {
    --session->num_incoming_streams;
  }
  spdylay_stream_del(stream);
}

/* on_stream_close, then the stream is gone.  Its user data stays
   reachable until the callback returns. */
static void close_stream(spdylay_session *session, spdylay_stream *stream,
                         uint32_t status_code)
{
  if (session->callbacks.on_stream_close_callback) {
    session->callbacks.on_stream_close_callback(
        session, stream->stream_id, (spdylay_status_code)status_code,
        session->user_data);
  }
  destroy_stream(session, stream);
}

/* Closes the stream normally once both directions are shut.  A stream in
   state CLOSING is left for its RST_STREAM to close. */
static void close_stream_if_done(spdylay_session *session,
                                 spdylay_stream *stream)
{
  if (stream->shut_flags == SPDYLAY_SHUT_RDWR &&
      stream->state != SPDYLAY_STREAM_CLOSING) {
    /* A peer's stream that completed pays back one reset; a RST_STREAM
       whose status code is OK's 0 does not. */
    if (session->limits.peer_resets > 0 &&
        !spdylay_session_is_my_stream_id(session, stream->stream_id)) {
      --session->limits.peer_resets;
    }
    close_stream(session, stream, SPDYLAY_OK);
  }
}

/*
 * Queueing frames
 */

int spdylay_session_add_item(spdylay_session *session,
                             spdylay_outbound_item *item)
{
  item->seq = session->next_seq++;
  if (item->type == SPDYLAY_SYN_STREAM) {
    return spdylay_pq_push(&session->ob_ss_pq, item);
  }
  if (item->type != SPDYLAY_DATA) {
    item->pri = SPDYLAY_OB_PRI_CTRL;
  }
  return spdylay_pq_push(&session->ob_pq, item);
}

int spdylay_session_add_item_or_free(spdylay_session *session,
                                     spdylay_outbound_item *item)
{
  int rv = spdylay_session_add_item(session, item);
  if (rv != 0) {
    spdylay_outbound_item_free(item);
  }
  return rv;
}

/* |auto_reply|: the session queues the frame on its own in answer to the
   peer's input, so it counts against SPDYLAY_OPT_MAX_AUTO_REPLIES. */
static int add_ctrl_item(spdylay_session *session, spdylay_outbound_item *item,
                         int auto_reply)
{
  int rv;
  item->auto_reply = auto_reply;
  rv = spdylay_session_add_item_or_free(session, item);
  if (rv == 0 && auto_reply) {
    ++session->limits.auto_replies;
  }
  return rv;
}

static int add_rst_stream(spdylay_session *session, int32_t stream_id,
                          uint32_t status_code, int auto_reply)
{
  spdylay_stream *stream;
  int rv;
  spdylay_outbound_item *item = spdylay_outbound_item_new(SPDYLAY_RST_STREAM);
  if (item == NULL) {
    return SPDYLAY_ERR_NOMEM;
  }
  spdylay_frame_rst_stream_init(&item->frame.ctrl.rst_stream, session->version,
                                stream_id, status_code);
  rv = add_ctrl_item(session, item, auto_reply);
  if (rv != 0) {
    return rv;
  }
  stream = spdylay_session_get_stream(session, stream_id);
  if (stream) {
    stream->state = SPDYLAY_STREAM_CLOSING;
  }
  return 0;
}

int spdylay_session_add_rst_stream(spdylay_session *session, int32_t stream_id,
                                   uint32_t status_code)
{
  return add_rst_stream(session, stream_id, status_code, 0);
}

static int add_ping(spdylay_session *session, uint32_t unique_id,
                    int auto_reply)
{
  spdylay_outbound_item *item = spdylay_outbound_item_new(SPDYLAY_PING);
  if (item == NULL) {
    return SPDYLAY_ERR_NOMEM;
  }
  spdylay_frame_ping_init(&item->frame.ctrl.ping, session->version, unique_id);
  return add_ctrl_item(session, item, auto_reply);
}

int spdylay_session_add_ping(spdylay_session *session, uint32_t unique_id)
{
  return add_ping(session, unique_id, 0);
}

int spdylay_session_add_goaway(spdylay_session *session, uint32_t status_code)
{
  spdylay_outbound_item *item = spdylay_outbound_item_new(SPDYLAY_GOAWAY);
  if (item == NULL) {
    return SPDYLAY_ERR_NOMEM;
  }
  /* The last-good-stream-id is filled in when the frame is sent, so that
     it covers every stream accepted until then. */
  spdylay_frame_goaway_init(
      &item->frame.ctrl.goaway, session->version, 0,
      session->version == SPDYLAY_PROTO_SPDY2 ? 0 : status_code);
  return add_ctrl_item(session, item, 0);
}

static int add_window_update(spdylay_session *session, int32_t stream_id,
                             int32_t delta_window_size, int auto_reply)
{
  spdylay_outbound_item *item =
      spdylay_outbound_item_new(SPDYLAY_WINDOW_UPDATE);
  if (item == NULL) {
    return SPDYLAY_ERR_NOMEM;
  }
  spdylay_frame_window_update_init(&item->frame.ctrl.window_update,
                                   session->version, stream_id,
                                   delta_window_size);
  return add_ctrl_item(session, item, auto_reply);
}

int spdylay_session_add_window_update(spdylay_session *session,
                                      int32_t stream_id,
                                      int32_t delta_window_size)
{
  return add_window_update(session, stream_id, delta_window_size, 0);
}

int spdylay_session_fail_session(spdylay_session *session, uint32_t status_code)
{
  if (session == NULL) {
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
  /* Set first: even without memory for the GOAWAY, input stops here. */
  session->goaway_flags |= SPDYLAY_GOAWAY_FAILING;
  return spdylay_session_add_goaway(session, status_code);
}

/* The peer broke the protocol in a way that ends the session. */
static int session_error(spdylay_session *session)
{
  return spdylay_session_fail_session(session, SPDYLAY_GOAWAY_PROTOCOL_ERROR);
}

/*
 * Flow control
 */

static int send_window_open(spdylay_session *session, spdylay_stream *stream)
{
  return !flow_controlled(session) ||
         (stream->send_window > 0 &&
          (!has_connection_window(session) || session->send_window > 0));
}

/* Puts the stream's active DATA item in the queue, or parks it while the
   send window is closed. */
static int queue_data(spdylay_session *session, spdylay_stream *stream,
                      spdylay_outbound_item *item)
{
  if (!send_window_open(session, stream)) {
    spdylay_stream_defer_data(stream, item, SPDYLAY_DEFERRED_BY_FLOW_CONTROL);
    return 0;
  }
  item->pri = stream->pri;
  if (spdylay_session_add_item(session, item) != 0) {
    /* Kept, not lost: spdylay_session_resume_data() can retry it. */
    spdylay_stream_defer_data(stream, item, SPDYLAY_DEFERRED_BY_APP);
    return SPDYLAY_ERR_NOMEM;
  }
  return 0;
}

/* Makes |item| the stream's DATA if none is active, else lines it up. */
static int attach_data(spdylay_session *session, spdylay_stream *stream,
                       spdylay_outbound_item *item)
{
  if (stream->active_data) {
    spdylay_stream_push_waiting_data(stream, item);
    return 0;
  }
  stream->active_data = item;
  return queue_data(session, stream, item);
}

static int start_next_data(spdylay_session *session, spdylay_stream *stream)
{
  spdylay_outbound_item *next = spdylay_stream_pop_waiting_data(stream);
  stream->active_data = next;
  return next ? queue_data(session, stream, next) : 0;
}

/* Requeues the stream's DATA if it was parked only by the send window and
   the window has reopened. */
static int resume_flow_blocked(spdylay_session *session, spdylay_stream *stream)
{
  if (stream->deferred_data == NULL ||
      stream->deferred_flags != SPDYLAY_DEFERRED_BY_FLOW_CONTROL ||
      !send_window_open(session, stream)) {
    return 0;
  }
  return queue_data(session, stream,
                    spdylay_stream_detach_deferred_data(stream));
}

/* Whether the stream has DATA that only the send window holds back (queued,
   being sent, or parked by flow control, but not waiting for the
   application or a SYN_REPLY). */
static int data_waits_for_window(const spdylay_stream *stream)
{
  return stream->active_data != NULL &&
         (stream->deferred_data == NULL ||
          stream->deferred_flags == SPDYLAY_DEFERRED_BY_FLOW_CONTROL);
}

/* The most the stream may send now: its window, and in SPDY/3.1 the
   connection's. */
static int32_t usable_send_window(spdylay_session *session,
                                  const spdylay_stream *stream)
{
  if (has_connection_window(session) &&
      session->send_window < stream->send_window) {
    return session->send_window;
  }
  return stream->send_window;
}

/* What a WINDOW_UPDATE did for the DATA we have to send: nothing (no
   stream sending), less than a full DATA frame on every stream sending
   (the dribble), or at least a full frame on one of them. */
typedef enum {
  WINDOW_OPENED_NOTHING,
  WINDOW_OPENED_LESS_THAN_A_FRAME,
  WINDOW_OPENED_A_FRAME
} window_opened;

static window_opened window_opened_for(spdylay_session *session,
                                       const spdylay_stream *stream)
{
  if (!data_waits_for_window(stream)) {
    return WINDOW_OPENED_NOTHING;
  }
  return usable_send_window(session, stream) >= SPDYLAY_DATA_PAYLOAD_LENGTH
             ? WINDOW_OPENED_A_FRAME
             : WINDOW_OPENED_LESS_THAN_A_FRAME;
}

/* A peer that opens its window a few bytes at a time makes us send as
   many tiny DATA frames (the data dribble): past
   SPDYLAY_OPT_MAX_SMALL_WINDOW_UPDATES in a row that leave every stream
   with DATA to send less than one full DATA frame, the session fails.
   Only a full frame made sendable starts the count again: an update on a
   stream with nothing to send, or whose window the connection's still
   holds shut, neither counts nor resets, so it cannot hide the dribble. */
static int count_window_update(spdylay_session *session, window_opened opened)
{
  switch (opened) {
  case WINDOW_OPENED_NOTHING:
    return 0;
  case WINDOW_OPENED_A_FRAME:
    session->limits.small_window_updates = 0;
    return 0;
  default:
    if (spend(&session->limits.small_window_updates,
              session->limits.max_small_window_updates)) {
      return session_error(session);
    }
    return 0;
  }
}

typedef struct {
  spdylay_session *session;
  window_opened opened;
} connection_window_update;

/* Resumes the stream after the connection's window grew, and notes the
   most that update opened on any stream. */
static int resume_after_connection_update(spdylay_map_entry *entry, void *ptr)
{
  connection_window_update *cwu = ptr;
  spdylay_stream *stream = (spdylay_stream *)entry;
  window_opened opened = window_opened_for(cwu->session, stream);
  if (opened > cwu->opened) {
    cwu->opened = opened;
  }
  return resume_flow_blocked(cwu->session, stream);
}

typedef struct {
  spdylay_session *session;
  int32_t delta;
  /* What a growing window opened: a full frame on some stream, and on
     how many streams less than one. */
  window_opened opened;
  uint32_t small_openings;
} window_delta;

static int adjust_send_window(spdylay_map_entry *entry, void *ptr)
{
  window_delta *wd = ptr;
  spdylay_stream *stream = (spdylay_stream *)entry;
  window_opened opened;
  if (spdylay_stream_update_send_window(stream, wd->delta) != 0) {
    return add_rst_stream(wd->session, stream->stream_id,
                          SPDYLAY_FLOW_CONTROL_ERROR, 1);
  }
  opened = window_opened_for(wd->session, stream);
  if (opened == WINDOW_OPENED_LESS_THAN_A_FRAME) {
    wd->small_openings += wd->small_openings < UINT32_MAX;
  } else if (opened == WINDOW_OPENED_A_FRAME) {
    wd->opened = opened;
  }
  return resume_flow_blocked(wd->session, stream);
}

static int adjust_recv_window(spdylay_map_entry *entry, void *ptr)
{
  window_delta *wd = ptr;
  spdylay_stream *stream = (spdylay_stream *)entry;
  stream->recv_window = saturated_add(stream->recv_window, wd->delta);
  return 0;
}

void spdylay_session_window_update_queued(spdylay_session *session,
                                          spdylay_stream *stream, int32_t delta)
{
  if (stream) {
    stream->recv_window = saturated_add(stream->recv_window, delta);
    stream->recv_unacked = saturated_add(stream->recv_unacked, -(int64_t)delta);
  } else {
    session->recv_window = saturated_add(session->recv_window, delta);
    session->recv_unacked =
        saturated_add(session->recv_unacked, -(int64_t)delta);
  }
}

/* Queues WINDOW_UPDATE for the stream once half its window is unacked;
   |auto_reply| when received DATA, not the application, calls for it. */
static int auto_stream_window_update(spdylay_session *session,
                                     spdylay_stream *stream, int auto_reply)
{
  int32_t threshold;
  int rv;
  if (!flow_controlled(session) ||
      (session->opt_flags & SPDYLAY_OPTMASK_NO_AUTO_WINDOW_UPDATE) ||
      (stream->shut_flags & SPDYLAY_SHUT_RD) ||
      stream->state == SPDYLAY_STREAM_CLOSING) {
    return 0;
  }
  threshold =
      (int32_t)(session->local_settings[SPDYLAY_SETTINGS_INITIAL_WINDOW_SIZE] /
                2);
  if (stream->recv_unacked == 0 || stream->recv_unacked < threshold) {
    return 0;
  }
  rv = add_window_update(session, stream->stream_id, stream->recv_unacked,
                         auto_reply);
  if (rv != 0) {
    return rv;
  }
  spdylay_session_window_update_queued(session, stream, stream->recv_unacked);
  return 0;
}

static int auto_connection_window_update(spdylay_session *session,
                                         int auto_reply)
{
  int rv;
  if (!has_connection_window(session) ||
      (session->opt_flags & SPDYLAY_OPTMASK_NO_AUTO_WINDOW_UPDATE) ||
      session->recv_unacked == 0 ||
      session->recv_unacked < SPDYLAY_INITIAL_WINDOW_SIZE / 2) {
    return 0;
  }
  rv = add_window_update(session, 0, session->recv_unacked, auto_reply);
  if (rv != 0) {
    return rv;
  }
  spdylay_session_window_update_queued(session, NULL, session->recv_unacked);
  return 0;
}

/*
 * Sending
 */

/* SYN_STREAMs go out while the peer's concurrency limit allows; after a
   GOAWAY they go out only to be refused (on_ctrl_not_send). */
static int syn_stream_sendable(spdylay_session *session)
{
  return !spdylay_pq_empty(&session->ob_ss_pq) &&
         (goaway_exchanged(session) ||
          session->num_outgoing_streams <
              session
                  ->remote_settings[SPDYLAY_SETTINGS_MAX_CONCURRENT_STREAMS]);
}

static int more_to_send(spdylay_session *session)
{
  return !spdylay_pq_empty(&session->ob_pq) || syn_stream_sendable(session);
}

static spdylay_outbound_item *pop_next_item(spdylay_session *session)
{
  spdylay_outbound_item *item = spdylay_pq_top(&session->ob_pq);
  if (syn_stream_sendable(session)) {
    spdylay_outbound_item *syn = spdylay_pq_top(&session->ob_ss_pq);
    if (item == NULL || spdylay_outbound_item_less(syn, item)) {
      spdylay_pq_pop(&session->ob_ss_pq);
      return syn;
    }
  }
  if (item) {
    spdylay_pq_pop(&session->ob_pq);
    if (item->auto_reply) {
      --session->limits.auto_replies;
    }
  }
  return item;
}

/* Puts a just-popped item back where it was; cannot fail, as the pop left
   room. */
static void push_back_item(spdylay_session *session,
                           spdylay_outbound_item *item)
{
  spdylay_pq_push(item->type == SPDYLAY_SYN_STREAM ? &session->ob_ss_pq
                                                   : &session->ob_pq,
                  item);
  if (item->auto_reply) {
    ++session->limits.auto_replies;
  }
}

static void ctrl_not_sent(spdylay_session *session, spdylay_outbound_item *item,
                          int error_code)
{
  if (session->callbacks.on_ctrl_not_send_callback) {
    spdylay_outbound_item *outer = session->not_sent_item;
    session->not_sent_item = item;
    session->callbacks.on_ctrl_not_send_callback(
        session, (spdylay_frame_type)item->type, &item->frame.ctrl, error_code,
        session->user_data);
    session->not_sent_item = outer;
  }
  spdylay_outbound_item_free(item);
}

void spdylay_session_set_data_frame_buffer_callback(
    spdylay_session *session, spdylay_data_frame_buffer_callback callback)
{
  session->data_frame_buffer_callback = callback;
}

void *spdylay_session_get_not_sent_stream_user_data(spdylay_session *session,
                                                    const spdylay_frame *frame)
{
  const spdylay_outbound_item *item = session->not_sent_item;
  if (item == NULL || item->type != SPDYLAY_SYN_STREAM ||
      &item->frame.ctrl != frame) {
    return NULL;
  }
  return item->aux.stream_user_data;
}

/* Finds the stream a queued frame addresses: 0 with *stream_ptr set, or
   why the frame cannot go out (the stream is gone or being reset). */
static int find_live_stream(spdylay_session *session, int32_t stream_id,
                            spdylay_stream **stream_ptr)
{
  spdylay_stream *stream = spdylay_session_get_stream(session, stream_id);
  if (stream == NULL) {
    return SPDYLAY_ERR_STREAM_CLOSED;
  }
  if (stream->state == SPDYLAY_STREAM_CLOSING) {
    return SPDYLAY_ERR_STREAM_CLOSING;
  }
  *stream_ptr = stream;
  return 0;
}

/* 0 if the control frame may go out now, else why not. */
static int check_ctrl_sendable(spdylay_session *session,
                               spdylay_outbound_item *item)
{
  spdylay_frame *frame = &item->frame.ctrl;
  spdylay_stream *stream;
  int rv;
  switch (item->type) {
  case SPDYLAY_SYN_STREAM:
    if (goaway_exchanged(session)) {
      return SPDYLAY_ERR_SYN_STREAM_NOT_ALLOWED;
    }
    if (session->next_stream_id > INT32_MAX) {
      return SPDYLAY_ERR_STREAM_ID_NOT_AVAILABLE;
    }
    if (frame->syn_stream.assoc_stream_id == 0) {
      return 0;
    }
    return find_live_stream(session, frame->syn_stream.assoc_stream_id,
                            &stream);
  case SPDYLAY_SYN_REPLY:
    rv = find_live_stream(session, frame->syn_reply.stream_id, &stream);
    if (rv != 0) {
      return rv;
    }
    if (spdylay_session_is_my_stream_id(session, stream->stream_id) ||
        stream->state != SPDYLAY_STREAM_OPENING) {
      return SPDYLAY_ERR_INVALID_STREAM_STATE;
    }
    if (stream->shut_flags & SPDYLAY_SHUT_WR) {
      return SPDYLAY_ERR_STREAM_SHUT_WR;
    }
    return 0;
  case SPDYLAY_HEADERS:
    rv = find_live_stream(session, frame->headers.stream_id, &stream);
    if (rv != 0) {
      return rv;
    }
    if (stream->shut_flags & SPDYLAY_SHUT_WR) {
      return SPDYLAY_ERR_STREAM_SHUT_WR;
    }
    if (!spdylay_session_is_my_stream_id(session, stream->stream_id) &&
        stream->state == SPDYLAY_STREAM_OPENING) {
      return SPDYLAY_ERR_INVALID_STREAM_STATE;
    }
    return 0;
  case SPDYLAY_GOAWAY:
    return (session->goaway_flags & SPDYLAY_GOAWAY_SENT)
               ? SPDYLAY_ERR_GOAWAY_ALREADY_SENT
               : 0;
  case SPDYLAY_WINDOW_UPDATE:
    if (frame->window_update.stream_id == 0) {
      return 0;
    }
    return find_live_stream(session, frame->window_update.stream_id, &stream);
  default:
    return 0;
  }
}

static ssize_t pack_ctrl(spdylay_session *session, spdylay_outbound_item *item)
{
  spdylay_frame *frame = &item->frame.ctrl;
  uint8_t **buf = &session->aob.framebuf;
  size_t *cap = &session->aob.framebufcap;
  switch (item->type) {
  case SPDYLAY_SYN_STREAM:
    return spdylay_frame_pack_syn_stream(buf, cap, &frame->syn_stream,
                                         &session->deflater);
  case SPDYLAY_SYN_REPLY:
    return spdylay_frame_pack_syn_reply(buf, cap, &frame->syn_reply,
                                        &session->deflater);
  case SPDYLAY_HEADERS:
    return spdylay_frame_pack_headers(buf, cap, &frame->headers,
                                      &session->deflater);
  case SPDYLAY_RST_STREAM:
    return spdylay_frame_pack_rst_stream(buf, cap, &frame->rst_stream);
  case SPDYLAY_SETTINGS:
    return spdylay_frame_pack_settings(buf, cap, &frame->settings);
  case SPDYLAY_PING:
    return spdylay_frame_pack_ping(buf, cap, &frame->ping);
  case SPDYLAY_GOAWAY:
    frame->goaway.last_good_stream_id = session->last_good_stream_id;
    return spdylay_frame_pack_goaway(buf, cap, &frame->goaway);
  case SPDYLAY_WINDOW_UPDATE:
    return spdylay_frame_pack_window_update(buf, cap, &frame->window_update);
  default:
    return spdylay_frame_pack_credential(buf, cap, &frame->credential);
  }
}

/* Makes the packed control frame the one being written. */
static void activate_ctrl(spdylay_session *session, spdylay_outbound_item *item,
                          size_t framelen)
{
  session->aob.item = item;
  session->aob.frame = session->aob.framebuf;
  session->aob.framebuflen = framelen;
  session->aob.framebufoff = 0;
  if (session->callbacks.before_ctrl_send_callback) {
    session->callbacks.before_ctrl_send_callback(
        session, (spdylay_frame_type)item->type, &item->frame.ctrl,
        session->user_data);
  }
}

/* A control frame failed to pack.  The codec checks sizes and memory
   before it touches the deflater, so only SPDYLAY_ERR_ZLIB leaves the
   header compression out of step with the peer, which ends the session. */
static int ctrl_pack_failed(spdylay_session *session,
                            spdylay_outbound_item *item, int error_code)
{
  if (error_code == SPDYLAY_ERR_NOMEM) {
    push_back_item(session, item);
    return SPDYLAY_ERR_NOMEM;
  }
  ctrl_not_sent(session, item, error_code);
  if (error_code == SPDYLAY_ERR_ZLIB) {
    int rv =
        spdylay_session_fail_session(session, SPDYLAY_GOAWAY_INTERNAL_ERROR);
    if (rv != 0) {
      return rv;
    }
  }
  return PREPARE_SKIPPED;
}

/*
 * For a client SYN_STREAM in SPDY/3+: names the CREDENTIAL slot of its
 * origin, or, when the origin has none yet and the application has
 * certificates for it, makes a CREDENTIAL frame claiming a free slot the
 * frame being written and puts the SYN_STREAM back to follow it.  Returns
 * 0 (send the SYN_STREAM now), PREPARE_SKIPPED (the CREDENTIAL goes
 * first) or a negative error.
 */
static int prepare_credential(spdylay_session *session,
                              spdylay_outbound_item *item)
{
  const spdylay_session_callbacks *cb = &session->callbacks;
  spdylay_syn_stream *syn = &item->frame.ctrl.syn_stream;
  size_t vecsize =
      session->remote_settings[SPDYLAY_SETTINGS_CLIENT_CERTIFICATE_VECTOR_SIZE];
  spdylay_origin origin;
  spdylay_outbound_item *cred;
  ssize_t ncerts, len = 0;
  uint8_t slot;
  int rv;

  syn->slot = 0;
  if (session->server || session->version < SPDYLAY_PROTO_SPDY3 ||
      vecsize == 0 || cb->get_credential_ncerts == NULL ||
      cb->get_credential_proof == NULL || cb->get_credential_cert == NULL ||
      spdylay_origin_from_nv(&origin, syn->nv) != 0) {
    return 0;
  }
  syn->slot =
      spdylay_client_cert_vector_find(&session->cli_certvec, &origin, vecsize);
  if (syn->slot != 0) {
    return 0;
  }
  slot = spdylay_client_cert_vector_free_slot(&session->cli_certvec, vecsize);
  if (slot == 0) {
    return 0;
  }
  ncerts = cb->get_credential_ncerts(session, &origin, session->user_data);
  if (ncerts == 0) {
    return 0;
  }
  if (ncerts < 0) {
    spdylay_outbound_item_free(item);
    return SPDYLAY_ERR_CALLBACK_FAILURE;
  }
  cred = spdylay_outbound_item_new(SPDYLAY_CREDENTIAL);
  if (cred == NULL) {
    push_back_item(session, item);
    return SPDYLAY_ERR_NOMEM;
  }
  rv = spdylay_client_cert_build_credential(
      &cred->frame.ctrl.credential, session, slot, &origin, (size_t)ncerts);
  if (rv == 0) {
    len = spdylay_frame_pack_credential(&session->aob.framebuf,
                                        &session->aob.framebufcap,
                                        &cred->frame.ctrl.credential);
    rv = len < 0 ? (int)len : 0;
  }
  if (rv == 0) {
    rv = spdylay_client_cert_vector_set(&session->cli_certvec, slot, &origin);
  }
  if (rv != 0) {
    spdylay_outbound_item_free(cred);
    if (rv == SPDYLAY_ERR_NOMEM) {
      push_back_item(session, item);
    } else {
      spdylay_outbound_item_free(item);
    }
    return rv;
  }
  push_back_item(session, item);
  activate_ctrl(session, cred, (size_t)len);
  return PREPARE_SKIPPED;
}

/* Assigns the stream ID (IDs reach the wire in order because they are
   given out here), opens the stream so its user data is reachable from
   before_ctrl_send, and packs the frame. */
static int prepare_syn_stream(spdylay_session *session,
                              spdylay_outbound_item *item)
{
  spdylay_syn_stream *syn = &item->frame.ctrl.syn_stream;
  int32_t stream_id = (int32_t)session->next_stream_id;
  spdylay_stream *stream;
  ssize_t len;
  stream =
      open_stream(session, stream_id, syn->pri, item->aux.stream_user_data);
  if (stream == NULL) {
    push_back_item(session, item);
    return SPDYLAY_ERR_NOMEM;
  }
  syn->stream_id = stream_id;
  len = pack_ctrl(session, item);
  if (len < 0) {
    destroy_stream(session, stream);
    syn->stream_id = 0;
    return ctrl_pack_failed(session, item, (int)len);
  }
  session->next_stream_id += 2;
  if (syn->hd.flags & SPDYLAY_CTRL_FLAG_UNIDIRECTIONAL) {
    /* Nothing comes back on a unidirectional stream, not even a
       SYN_REPLY. */
    spdylay_stream_shutdown(stream, SPDYLAY_SHUT_RD);
    stream->state = SPDYLAY_STREAM_OPENED;
  }
  activate_ctrl(session, item, (size_t)len);
  return 0;
}

static int prepare_ctrl(spdylay_session *session, spdylay_outbound_item *item)
{
  ssize_t len;
  int rv = check_ctrl_sendable(session, item);
  if (rv != 0) {
    ctrl_not_sent(session, item, rv);
    return PREPARE_SKIPPED;
  }
  if (item->type == SPDYLAY_SYN_STREAM) {
    rv = prepare_credential(session, item);
    if (rv != 0) {
      return rv == PREPARE_SKIPPED ? 0 : rv;
    }
    return prepare_syn_stream(session, item);
  }
  len = pack_ctrl(session, item);
  if (len < 0) {
    return ctrl_pack_failed(session, item, (int)len);
  }
  activate_ctrl(session, item, (size_t)len);
  return 0;
}

/* Frees a DATA item that will not be sent. */
static void drop_data(spdylay_stream *stream, spdylay_outbound_item *item)
{
  if (stream && stream->active_data == item) {
    stream->active_data = NULL;
  }
  spdylay_outbound_item_free(item);
}

static int prepare_data(spdylay_session *session, spdylay_outbound_item *item)
{
  spdylay_data *data = &item->frame.data;
  spdylay_stream *stream = spdylay_session_get_stream(session, data->stream_id);
  size_t maxlen = SPDYLAY_DATA_PAYLOAD_LENGTH;
  uint8_t *frame = NULL;
  ssize_t n;
  int eof = 0;
  uint8_t flags;

  if (stream == NULL || stream->state == SPDYLAY_STREAM_CLOSING ||
      (stream->shut_flags & SPDYLAY_SHUT_WR)) {
    drop_data(stream, item);
    return PREPARE_SKIPPED;
  }
  if (stream->active_data == NULL) {
    stream->active_data = item;
  } else if (stream->active_data != item) {
    spdylay_stream_push_waiting_data(stream, item);
    return PREPARE_SKIPPED;
  }
  if (!spdylay_session_is_my_stream_id(session, stream->stream_id) &&
      stream->state == SPDYLAY_STREAM_OPENING) {
    spdylay_stream_defer_data(stream, item, SPDYLAY_DEFERRED_UNTIL_REPLY);
    return PREPARE_SKIPPED;
  }
  if (!send_window_open(session, stream)) {
    spdylay_stream_defer_data(stream, item, SPDYLAY_DEFERRED_BY_FLOW_CONTROL);
    return PREPARE_SKIPPED;
  }
  if (flow_controlled(session)) {
    maxlen = spdylay_min(maxlen, (size_t)stream->send_window);
    if (has_connection_window(session)) {
      maxlen = spdylay_min(maxlen, (size_t)session->send_window);
    }
  }
  if (session->data_frame_buffer_callback) {
    frame = session->data_frame_buffer_callback(
        session, SPDYLAY_FRAME_HEAD_LENGTH + maxlen, session->user_data);
  }
  if (frame == NULL) {
    if (spdylay_reserve_buffer(
            &session->aob.framebuf, &session->aob.framebufcap,
            SPDYLAY_FRAME_HEAD_LENGTH + SPDYLAY_DATA_PAYLOAD_LENGTH) != 0) {
      push_back_item(session, item);
      return SPDYLAY_ERR_NOMEM;
    }
    frame = session->aob.framebuf;
  }
  n = data->data_prd.read_callback(
      session, data->stream_id, frame + SPDYLAY_FRAME_HEAD_LENGTH, maxlen, &eof,
      &data->data_prd.source, session->user_data);
  if (n == SPDYLAY_ERR_DEFERRED) {
    spdylay_stream_defer_data(stream, item, SPDYLAY_DEFERRED_BY_APP);
    return PREPARE_SKIPPED;
  }
  if (n == SPDYLAY_ERR_TEMPORAL_CALLBACK_FAILURE) {
    int32_t stream_id = data->stream_id;
    int rv;
    drop_data(stream, item);
    rv = spdylay_session_add_rst_stream(session, stream_id,
                                        SPDYLAY_INTERNAL_ERROR);
    return rv != 0 ? rv : PREPARE_SKIPPED;
  }
  if (n < 0 || (size_t)n > maxlen) {
    drop_data(stream, item);
    return SPDYLAY_ERR_CALLBACK_FAILURE;
  }
  flags = (eof && (data->flags & SPDYLAY_DATA_FLAG_FIN))
              ? SPDYLAY_DATA_FLAG_FIN
              : SPDYLAY_DATA_FLAG_NONE;
  spdylay_frame_pack_data_hd(frame, data->stream_id, flags, (uint32_t)n);
  if (flow_controlled(session)) {
    stream->send_window -= (int32_t)n;
    if (has_connection_window(session)) {
      session->send_window -= (int32_t)n;
    }
  }
  session->aob.item = item;
  session->aob.frame = frame;
  session->aob.framebuflen = SPDYLAY_FRAME_HEAD_LENGTH + (size_t)n;
  session->aob.framebufoff = 0;
  session->aob.data_flags = flags;
  session->aob.data_length = (int32_t)n;
  session->aob.data_eof = eof;
  return 0;
}

/* Queues the body DATA a SYN_STREAM or SYN_REPLY brought along. */
static int start_body(spdylay_session *session, spdylay_stream *stream,
                      spdylay_outbound_item *item)
{
  spdylay_outbound_item *body = item->aux.data_item;
  if (body == NULL) {
    return 0;
  }
  item->aux.data_item = NULL;
  if (stream->state == SPDYLAY_STREAM_CLOSING ||
      (stream->shut_flags & SPDYLAY_SHUT_WR)) {
    spdylay_outbound_item_free(body);
    return 0;
  }
  body->frame.data.stream_id = stream->stream_id;
  return attach_data(session, stream, body);
}

/* The stream state changes a sent control frame brings, after
   on_ctrl_send. */
static int after_ctrl_sent(spdylay_session *session,
                           spdylay_outbound_item *item)
{
  spdylay_frame *frame = &item->frame.ctrl;
  spdylay_stream *stream;
  uint8_t flags = frame->syn_stream.hd.flags;
  int rv = 0;
  if (session->callbacks.on_ctrl_send_callback) {
    session->callbacks.on_ctrl_send_callback(
        session, (spdylay_frame_type)item->type, frame, session->user_data);
  }
  switch (item->type) {
  case SPDYLAY_SYN_STREAM:
    stream = spdylay_session_get_stream(session, frame->syn_stream.stream_id);
    if (stream == NULL) {
      break;
    }
    if (flags & SPDYLAY_CTRL_FLAG_FIN) {
      spdylay_stream_shutdown(stream, SPDYLAY_SHUT_WR);
    }
    rv = start_body(session, stream, item);
    close_stream_if_done(session, stream);
    break;
  case SPDYLAY_SYN_REPLY:
    stream = spdylay_session_get_stream(session, frame->syn_reply.stream_id);
    if (stream == NULL || stream->state == SPDYLAY_STREAM_CLOSING) {
      break;
    }
    stream->state = SPDYLAY_STREAM_OPENED;
    if (flags & SPDYLAY_CTRL_FLAG_FIN) {
      spdylay_stream_shutdown(stream, SPDYLAY_SHUT_WR);
    }
    if (stream->deferred_data &&
        stream->deferred_flags == SPDYLAY_DEFERRED_UNTIL_REPLY) {
      rv = queue_data(session, stream,
                      spdylay_stream_detach_deferred_data(stream));
    }
    if (rv == 0) {
      rv = start_body(session, stream, item);
    }
    close_stream_if_done(session, stream);
    break;
  case SPDYLAY_HEADERS:
    stream = spdylay_session_get_stream(session, frame->headers.stream_id);
    if (stream && (flags & SPDYLAY_CTRL_FLAG_FIN)) {
      spdylay_stream_shutdown(stream, SPDYLAY_SHUT_WR);
      close_stream_if_done(session, stream);
    }
    break;
  case SPDYLAY_RST_STREAM:
    stream = spdylay_session_get_stream(session, frame->rst_stream.stream_id);
    if (stream) {
      close_stream(session, stream, frame->rst_stream.status_code);
    }
    break;
  case SPDYLAY_GOAWAY:
    session->goaway_flags |= SPDYLAY_GOAWAY_SENT;
    break;
  default:
    break;
  }
  spdylay_outbound_item_free(item);
  return rv;
}

static int after_data_sent(spdylay_session *session,
                           spdylay_outbound_item *item)
{
  int32_t stream_id = item->frame.data.stream_id;
  spdylay_stream *stream;
  if (session->callbacks.on_data_send_callback) {
    session->callbacks.on_data_send_callback(
        session, session->aob.data_flags, stream_id, session->aob.data_length,
        session->user_data);
  }
  stream = spdylay_session_get_stream(session, stream_id);
  if (session->aob.data_eof) {
    drop_data(stream, item);
    if (stream == NULL) {
      return 0;
    }
    if (session->aob.data_flags & SPDYLAY_DATA_FLAG_FIN) {
      spdylay_stream_shutdown(stream, SPDYLAY_SHUT_WR);
      close_stream_if_done(session, stream);
      return 0;
    }
    return start_next_data(session, stream);
  }
  if (stream == NULL || stream->state == SPDYLAY_STREAM_CLOSING) {
    drop_data(stream, item);
    return 0;
  }
  return queue_data(session, stream, item);
}

static int session_send(spdylay_session *session)
{
  spdylay_active_outbound *aob = &session->aob;
  for (;;) {
    ssize_t n;
    size_t len;
    int rv;
    if (aob->item == NULL) {
      spdylay_outbound_item *item;
      if (is_failing(session) &&
          (session->goaway_flags & SPDYLAY_GOAWAY_SENT)) {
        return 0;
      }
      item = pop_next_item(session);
      if (item == NULL) {
        return 0;
      }
      rv = item->type == SPDYLAY_DATA ? prepare_data(session, item)
                                      : prepare_ctrl(session, item);
      if (rv < 0) {
        return rv;
      }
      if (rv == PREPARE_SKIPPED) {
        continue;
      }
    }
    len = aob->framebuflen - aob->framebufoff;
    n = session->callbacks.send_callback(
        session, aob->frame + aob->framebufoff, len,
        more_to_send(session) ? SPDYLAY_MSG_MORE : 0, session->user_data);
    if (n == SPDYLAY_ERR_WOULDBLOCK || n == 0) {
      return 0;
    }
    if (n < 0 || (size_t)n > len) {
      return SPDYLAY_ERR_CALLBACK_FAILURE;
    }
    aob->framebufoff += (size_t)n;
    if (aob->framebufoff == aob->framebuflen) {
      spdylay_outbound_item *item = aob->item;
      aob->item = NULL;
      rv = item->type == SPDYLAY_DATA ? after_data_sent(session, item)
                                      : after_ctrl_sent(session, item);
      if (rv != 0) {
        return rv;
      }
    }
  }
}

int spdylay_session_send(spdylay_session *session)
{
  int rv;
  if (session == NULL) {
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
  if (session->entered) {
    return SPDYLAY_ERR_INVALID_STATE;
  }
  if (session->callbacks.send_callback == NULL) {
    return SPDYLAY_ERR_CALLBACK_FAILURE;
  }
  session->entered = 1;
  rv = session_send(session);
  session->entered = 0;
  return rv;
}

/*
 * Receiving: reactions shared by the frame handlers
 */

/* The payload buffer is allocated only once a frame has a payload; an
   empty or skipped one is still passed as a valid pointer, so callbacks and
   the codec need no special case. */
static const uint8_t *payload_ptr(const uint8_t *payload)
{
  static const uint8_t empty[1];
  return payload ? payload : empty;
}

static void ctrl_recv_parse_error(spdylay_session *session, uint16_t type,
                                  const uint8_t *payload, size_t payloadlen,
                                  int error_code)
{
  if (session->callbacks.on_ctrl_recv_parse_error_callback) {
    session->callbacks.on_ctrl_recv_parse_error_callback(
        session, (spdylay_frame_type)type, session->iframe.head,
        SPDYLAY_FRAME_HEAD_LENGTH, payload_ptr(payload), payloadlen, error_code,
        session->user_data);
  }
}

static void ctrl_recv(spdylay_session *session, spdylay_frame_type type,
                      spdylay_frame *frame)
{
  if (session->callbacks.on_ctrl_recv_callback) {
    session->callbacks.on_ctrl_recv_callback(session, type, frame,
                                             session->user_data);
  }
}

static void invalid_ctrl_recv(spdylay_session *session, spdylay_frame_type type,
                              spdylay_frame *frame, uint32_t status_code)
{
  if (session->callbacks.on_invalid_ctrl_recv_callback) {
    session->callbacks.on_invalid_ctrl_recv_callback(
        session, type, frame, status_code, session->user_data);
  }
}

/* RST_STREAM for |stream_id|; stream 0 cannot be reset, so a frame naming
   it ends the session instead. */
static int stream_error(spdylay_session *session, int32_t stream_id,
                        uint32_t status_code)
{
  spdylay_stream *stream;
  int peer_stream_reset;
  int rv;
  if (stream_id == 0) {
    return session_error(session);
  }
  /* A peer that makes us reset the streams it opens, by breaking a rule
     on each (the "MadeYouReset" variant of rapid reset), spends the same
     budget as one that resets them itself. */
  stream = spdylay_session_get_stream(session, stream_id);
  peer_stream_reset = stream != NULL &&
                      stream->state != SPDYLAY_STREAM_CLOSING &&
                      !spdylay_session_is_my_stream_id(session, stream_id);
  rv = add_rst_stream(session, stream_id, status_code, 1);
  if (rv == 0 && peer_stream_reset &&
      spend(&session->limits.peer_resets, session->limits.max_peer_resets)) {
    return session_error(session);
  }
  return rv;
}

/* A well-formed control frame that the stream's state does not allow. */
static int invalid_ctrl(spdylay_session *session, spdylay_frame_type type,
                        spdylay_frame *frame, int32_t stream_id,
                        uint32_t status_code)
{
  invalid_ctrl_recv(session, type, frame, status_code);
  return stream_error(session, stream_id, status_code);
}

static int32_t payload_stream_id(const uint8_t *payload)
{
  return (int32_t)(spdylay_get_uint32(payload) & STREAM_ID_MASK);
}

/* Maps an unpack failure to its reaction: a bad header block costs the
   stream, a malformed frame or a broken inflater the session. */
static int ctrl_unpack_failed(spdylay_session *session, uint16_t type,
                              int error_code)
{
  const uint8_t *payload = session->iframe.buf;
  size_t payloadlen = session->iframe.payloadlen;
  uint32_t status_code;
  int32_t stream_id;
  int new_peer_stream;
  int rv;
  switch (error_code) {
  case SPDYLAY_ERR_NOMEM:
    return SPDYLAY_ERR_NOMEM;
  case SPDYLAY_ERR_HEADER_BLOCK_TOO_LARGE:
    ctrl_recv_parse_error(session, type, payload, payloadlen,
                          SPDYLAY_ERR_INVALID_FRAME);
    status_code = v3_status(session, SPDYLAY_FRAME_TOO_LARGE);
    break;
  case SPDYLAY_ERR_INVALID_HEADER_BLOCK:
    ctrl_recv_parse_error(session, type, payload, payloadlen, error_code);
    status_code = SPDYLAY_PROTOCOL_ERROR;
    break;
  default:
    ctrl_recv_parse_error(session, type, payload, payloadlen, error_code);
    return session_error(session);
  }
  /* Header-block errors come after the fixed part, stream ID included,
     has been read. */
  stream_id = payload_stream_id(payload);
  new_peer_stream = type == SPDYLAY_SYN_STREAM &&
                    stream_id > session->last_recv_stream_id &&
                    !spdylay_session_is_my_stream_id(session, stream_id);
  if (new_peer_stream) {
    session->last_recv_stream_id = stream_id;
  }
  rv = stream_error(session, stream_id, status_code);
  /* The stream was never opened, so stream_error() did not charge it; a
     peer that has us refuse stream after stream for its header blocks
     (each of which we must inflate) spends the reset budget all the
     same. */
  if (rv == 0 && new_peer_stream &&
      spend(&session->limits.peer_resets, session->limits.max_peer_resets)) {
    return session_error(session);
  }
  return rv;
}

/*
 * Receiving: control frames
 */

/* SYN_STREAM with an ID the peer may not use: a stream error in SPDY/2,
   a session error since SPDY/3. */
static int syn_stream_id_error(spdylay_session *session, spdylay_frame *frame)
{
  if (session->version == SPDYLAY_PROTO_SPDY2) {
    return invalid_ctrl(session, SPDYLAY_SYN_STREAM, frame,
                        frame->syn_stream.stream_id, SPDYLAY_PROTOCOL_ERROR);
  }
  invalid_ctrl_recv(session, SPDYLAY_SYN_STREAM, frame, SPDYLAY_PROTOCOL_ERROR);
  return session_error(session);
}

/* Adds the header block just unpacked to the stream's header list;
   nonzero once the whole list is past the header list limits. */
static int add_received_headers(spdylay_session *session,
                                spdylay_stream *stream)
{
  size_t max_entries = session->limits.max_header_list_count;
  size_t max_bytes = session->limits.max_header_list_size;
  const spdylay_nv_list_size *block = &session->iframe.header_list_size;
  if (max_entries == 0 && max_bytes == 0) {
    return 0;
  }
  stream->recv_header_entries =
      block->entries > SIZE_MAX - stream->recv_header_entries
          ? SIZE_MAX
          : stream->recv_header_entries + block->entries;
  stream->recv_header_bytes =
      block->bytes > SIZE_MAX - stream->recv_header_bytes
          ? SIZE_MAX
          : stream->recv_header_bytes + block->bytes;
  return (max_entries != 0 && stream->recv_header_entries > max_entries) ||
         (max_bytes != 0 && stream->recv_header_bytes > max_bytes);
}

static int handle_syn_stream(spdylay_session *session, spdylay_frame *frame)
{
  spdylay_syn_stream *syn = &frame->syn_stream;
  int32_t stream_id = syn->stream_id;
  spdylay_stream *stream;
  if (stream_id == 0 || spdylay_session_is_my_stream_id(session, stream_id)) {
    return syn_stream_id_error(session, frame);
  }
  stream = spdylay_session_get_stream(session, stream_id);
  if (stream) {
    if (stream->state == SPDYLAY_STREAM_CLOSING) {
      return 0;
    }
    /* SPDY/3 section 2.3.2: a second SYN_STREAM on an open stream is a
       protocol error (STREAM_IN_USE is for SYN_REPLY). */
    return invalid_ctrl(session, SPDYLAY_SYN_STREAM, frame, stream_id,
                        SPDYLAY_PROTOCOL_ERROR);
  }
  if (stream_id <= session->last_recv_stream_id) {
    return syn_stream_id_error(session, frame);
  }
  session->last_recv_stream_id = stream_id;
  /* Both drafts: after sending GOAWAY, ignore new streams. */
  if (session->goaway_flags & SPDYLAY_GOAWAY_SENT) {
    return 0;
  }
  if (goaway_exchanged(session) ||
      session->num_incoming_streams >=
          session->local_settings[SPDYLAY_SETTINGS_MAX_CONCURRENT_STREAMS] ||
      (session->limits.max_incoming_streams != 0 &&
       session->num_incoming_streams >= session->limits.max_incoming_streams)) {
    return invalid_ctrl(session, SPDYLAY_SYN_STREAM, frame, stream_id,
                        SPDYLAY_REFUSED_STREAM);
  }
  /* Only servers push, and a push must belong to one of our streams. */
  if (session->server
          ? syn->assoc_stream_id != 0
          : !spdylay_session_valid_push_assoc(session, syn->assoc_stream_id)) {
    return invalid_ctrl(session, SPDYLAY_SYN_STREAM, frame, stream_id,
                        SPDYLAY_PROTOCOL_ERROR);
  }
  stream = open_stream(session, stream_id, syn->pri, NULL);
  if (stream == NULL) {
    return SPDYLAY_ERR_NOMEM;
  }
  /* One block is within the limits (it was unpacked under them). */
  add_received_headers(session, stream);
  session->last_good_stream_id = stream_id;
  if (syn->hd.flags & SPDYLAY_CTRL_FLAG_UNIDIRECTIONAL) {
    /* We may not send on it and owe it no SYN_REPLY. */
    spdylay_stream_shutdown(stream, SPDYLAY_SHUT_WR);
    stream->state = SPDYLAY_STREAM_OPENED;
  }
  ctrl_recv(session, SPDYLAY_SYN_STREAM, frame);
  if (syn->hd.flags & SPDYLAY_CTRL_FLAG_FIN) {
    spdylay_stream_shutdown(stream, SPDYLAY_SHUT_RD);
    if (session->server && session->callbacks.on_request_recv_callback) {
      session->callbacks.on_request_recv_callback(session, stream_id,
                                                  session->user_data);
    }
  }
  close_stream_if_done(session, stream);
  return 0;
}

static int handle_syn_reply(spdylay_session *session, spdylay_frame *frame)
{
  int32_t stream_id = frame->syn_reply.stream_id;
  spdylay_stream *stream = spdylay_session_get_stream(session, stream_id);
  if (stream == NULL || !spdylay_session_is_my_stream_id(session, stream_id)) {
    return invalid_ctrl(session, SPDYLAY_SYN_REPLY, frame, stream_id,
                        SPDYLAY_INVALID_STREAM);
  }
  if (stream->state == SPDYLAY_STREAM_CLOSING) {
    return 0;
  }
  if (stream->state == SPDYLAY_STREAM_OPENED) {
    return invalid_ctrl(session, SPDYLAY_SYN_REPLY, frame, stream_id,
                        v3_status(session, SPDYLAY_STREAM_IN_USE));
  }
  stream->state = SPDYLAY_STREAM_OPENED;
  /* The stream's first block (HEADERS may not precede it): within the
     limits. */
  add_received_headers(session, stream);
  ctrl_recv(session, SPDYLAY_SYN_REPLY, frame);
  if (frame->syn_reply.hd.flags & SPDYLAY_CTRL_FLAG_FIN) {
    spdylay_stream_shutdown(stream, SPDYLAY_SHUT_RD);
    close_stream_if_done(session, stream);
  }
  return 0;
}

static int handle_headers(spdylay_session *session, spdylay_frame *frame)
{
  int32_t stream_id = frame->headers.stream_id;
  spdylay_stream *stream = spdylay_session_get_stream(session, stream_id);
  if (stream == NULL) {
    return invalid_ctrl(session, SPDYLAY_HEADERS, frame, stream_id,
                        SPDYLAY_INVALID_STREAM);
  }
  if (stream->state == SPDYLAY_STREAM_CLOSING) {
    return 0;
  }
  if (stream->shut_flags & SPDYLAY_SHUT_RD) {
    return invalid_ctrl(session, SPDYLAY_HEADERS, frame, stream_id,
                        v3_status(session, SPDYLAY_STREAM_ALREADY_CLOSED));
  }
  if (spdylay_session_is_my_stream_id(session, stream_id) &&
      stream->state == SPDYLAY_STREAM_OPENING) {
    return invalid_ctrl(session, SPDYLAY_HEADERS, frame, stream_id,
                        SPDYLAY_PROTOCOL_ERROR);
  }
  if (add_received_headers(session, stream)) {
    return invalid_ctrl(session, SPDYLAY_HEADERS, frame, stream_id,
                        v3_status(session, SPDYLAY_FRAME_TOO_LARGE));
  }
  ctrl_recv(session, SPDYLAY_HEADERS, frame);
  if (frame->headers.hd.flags & SPDYLAY_CTRL_FLAG_FIN) {
    spdylay_stream_shutdown(stream, SPDYLAY_SHUT_RD);
    if (session->server && session->callbacks.on_request_recv_callback) {
      session->callbacks.on_request_recv_callback(session, stream_id,
                                                  session->user_data);
    }
    close_stream_if_done(session, stream);
  }
  return 0;
}

/* Opening streams and resetting them at once (the rapid reset pattern)
   costs us a stream's work each time and the peer nearly nothing: past
   SPDYLAY_OPT_MAX_PEER_RESETS more resets than completed streams, the
   session fails. */
static int handle_rst_stream(spdylay_session *session, spdylay_frame *frame)
{
  spdylay_stream *stream;
  int peer_stream;
  ctrl_recv(session, SPDYLAY_RST_STREAM, frame);
  stream = spdylay_session_get_stream(session, frame->rst_stream.stream_id);
  if (stream == NULL) {
    return 0;
  }
  peer_stream = !spdylay_session_is_my_stream_id(session, stream->stream_id);
  close_stream(session, stream, frame->rst_stream.status_code);
  if (peer_stream &&
      spend(&session->limits.peer_resets, session->limits.max_peer_resets)) {
    return session_error(session);
  }
  return 0;
}

/* Takes the peer's settings: CLEAR_SETTINGS forgets what it said before;
   a new INITIAL_WINDOW_SIZE moves every open stream's send window by the
   difference (SPDY/3+). */
static int apply_remote_settings(spdylay_session *session,
                                 const spdylay_settings *settings)
{
  uint32_t values[SPDYLAY_SETTINGS_COUNT];
  size_t i;
  if (settings->hd.flags & SPDYLAY_FLAG_SETTINGS_CLEAR_SETTINGS) {
    remote_settings_defaults(values);
  } else {
    memcpy(values, session->remote_settings, sizeof(values));
  }
  for (i = 0; i < settings->niv; ++i) {
    int32_t id = settings->iv[i].settings_id;
    if (id > 0 && id <= SPDYLAY_SETTINGS_MAX) {
      values[id] = settings->iv[i].value;
    }
  }
  if (flow_controlled(session) &&
      values[SPDYLAY_SETTINGS_INITIAL_WINDOW_SIZE] !=
          session->remote_settings[SPDYLAY_SETTINGS_INITIAL_WINDOW_SIZE]) {
    window_delta wd;
    int rv;
    wd.session = session;
    wd.delta =
        (int32_t)((int64_t)values[SPDYLAY_SETTINGS_INITIAL_WINDOW_SIZE] -
                  (int64_t)session
                      ->remote_settings[SPDYLAY_SETTINGS_INITIAL_WINDOW_SIZE]);
    wd.opened = WINDOW_OPENED_NOTHING;
    wd.small_openings = 0;
    rv = spdylay_map_each(&session->streams, adjust_send_window, &wd);
    if (rv != 0) {
      return rv;
    }
    memcpy(session->remote_settings, values, sizeof(values));
    if (wd.delta <= 0) {
      return 0;
    }
    /* Raising the initial window a little is the dribble on every stream
       at once: each stream it leaves short of a full frame counts, and a
       full frame on another stream does not hide them. */
    if (wd.small_openings == 0) {
      return count_window_update(session, wd.opened);
    }
    if (spend_many(&session->limits.small_window_updates, wd.small_openings,
                   session->limits.max_small_window_updates)) {
      return session_error(session);
    }
    return 0;
  }
  memcpy(session->remote_settings, values, sizeof(values));
  return 0;
}

static int handle_settings(spdylay_session *session, spdylay_frame *frame)
{
  size_t i;
  int rv;
  /* Values are 32 bits; only a window must fit a stream's signed window.
     A larger MAX_CONCURRENT_STREAMS simply sets no limit. */
  for (i = 0; i < frame->settings.niv; ++i) {
    if (frame->settings.iv[i].settings_id ==
            SPDYLAY_SETTINGS_INITIAL_WINDOW_SIZE &&
        frame->settings.iv[i].value > INT32_MAX) {
      invalid_ctrl_recv(session, SPDYLAY_SETTINGS, frame,
                        SPDYLAY_PROTOCOL_ERROR);
      return session_error(session);
    }
  }
  rv = apply_remote_settings(session, &frame->settings);
  if (rv != 0) {
    return rv;
  }
  ctrl_recv(session, SPDYLAY_SETTINGS, frame);
  return 0;
}

static int handle_ping(spdylay_session *session, spdylay_frame *frame)
{
  uint32_t unique_id = frame->ping.unique_id;
  ctrl_recv(session, SPDYLAY_PING, frame);
  /* A PING with our own parity answers one of ours; the peer's are
     echoed. */
  if (!spdylay_session_is_my_stream_id(session, (int32_t)(unique_id & 1))) {
    return add_ping(session, unique_id, 1);
  }
  return 0;
}

typedef struct {
  spdylay_session *session;
  int32_t last_good_stream_id;
} goaway_refusal;

static int refuse_after_goaway(spdylay_map_entry *entry, void *ptr)
{
  goaway_refusal *gr = ptr;
  spdylay_stream *stream = (spdylay_stream *)entry;
  if (stream->stream_id > gr->last_good_stream_id &&
      spdylay_session_is_my_stream_id(gr->session, stream->stream_id)) {
    close_stream(gr->session, stream, SPDYLAY_REFUSED_STREAM);
  }
  return 0;
}

static int handle_goaway(spdylay_session *session, spdylay_frame *frame)
{
  goaway_refusal gr;
  session->goaway_flags |= SPDYLAY_GOAWAY_RECEIVED;
  ctrl_recv(session, SPDYLAY_GOAWAY, frame);
  /* The peer did not process our streams past its last-good-stream-id. */
  gr.session = session;
  gr.last_good_stream_id = frame->goaway.last_good_stream_id;
  return spdylay_map_each(&session->streams, refuse_after_goaway, &gr);
}

static int handle_window_update(spdylay_session *session, spdylay_frame *frame)
{
  int32_t stream_id = frame->window_update.stream_id;
  int32_t delta = frame->window_update.delta_window_size;
  spdylay_stream *stream;
  connection_window_update cwu;
  window_opened opened;
  int rv;
  if (stream_id == 0) {
    if (!has_connection_window(session) || delta <= 0) {
      invalid_ctrl_recv(session, SPDYLAY_WINDOW_UPDATE, frame,
                        SPDYLAY_PROTOCOL_ERROR);
      return session_error(session);
    }
    if ((int64_t)session->send_window + delta > INT32_MAX) {
      invalid_ctrl_recv(session, SPDYLAY_WINDOW_UPDATE, frame,
                        SPDYLAY_FLOW_CONTROL_ERROR);
      return session_error(session);
    }
    session->send_window += delta;
    ctrl_recv(session, SPDYLAY_WINDOW_UPDATE, frame);
    cwu.session = session;
    cwu.opened = WINDOW_OPENED_NOTHING;
    rv = spdylay_map_each(&session->streams, resume_after_connection_update,
                          &cwu);
    return rv != 0 ? rv : count_window_update(session, cwu.opened);
  }
  stream = spdylay_session_get_stream(session, stream_id);
  if (stream == NULL || stream->state == SPDYLAY_STREAM_CLOSING) {
    return 0;
  }
  if (delta <= 0) {
    return invalid_ctrl(session, SPDYLAY_WINDOW_UPDATE, frame, stream_id,
                        SPDYLAY_PROTOCOL_ERROR);
  }
  if (spdylay_stream_update_send_window(stream, delta) != 0) {
    return invalid_ctrl(session, SPDYLAY_WINDOW_UPDATE, frame, stream_id,
                        SPDYLAY_FLOW_CONTROL_ERROR);
  }
  ctrl_recv(session, SPDYLAY_WINDOW_UPDATE, frame);
  opened = window_opened_for(session, stream);
  rv = resume_flow_blocked(session, stream);
  return rv != 0 ? rv : count_window_update(session, opened);
}

static int handle_credential(spdylay_session *session, spdylay_frame *frame)
{
  /* Only servers verify client certificates. */
  if (session->server) {
    ctrl_recv(session, SPDYLAY_CREDENTIAL, frame);
  }
  return 0;
}

static int handle_unknown_ctrl(spdylay_session *session)
{
  if (session->callbacks.on_unknown_ctrl_recv_callback) {
    session->callbacks.on_unknown_ctrl_recv_callback(
        session, session->iframe.head, SPDYLAY_FRAME_HEAD_LENGTH,
        payload_ptr(session->iframe.buf), session->iframe.payloadlen,
        session->user_data);
  }
  return 0;
}

/* Whether this session's version defines control frame |type|. */
static int known_ctrl_type(spdylay_session *session, uint16_t type)
{
  switch (type) {
  case SPDYLAY_SYN_STREAM:
  case SPDYLAY_SYN_REPLY:
  case SPDYLAY_RST_STREAM:
  case SPDYLAY_SETTINGS:
  case SPDYLAY_PING:
  case SPDYLAY_GOAWAY:
  case SPDYLAY_HEADERS:
    return 1;
  case SPDYLAY_NOOP:
    return session->version == SPDYLAY_PROTO_SPDY2;
  case SPDYLAY_WINDOW_UPDATE:
  case SPDYLAY_CREDENTIAL:
    return session->version >= SPDYLAY_PROTO_SPDY3;
  default:
    return 0;
  }
}

static int is_header_block_type(uint16_t type)
{
  return type == SPDYLAY_SYN_STREAM || type == SPDYLAY_SYN_REPLY ||
         type == SPDYLAY_HEADERS;
}

/* What a received header block may cost.  A block within the header list
   limits inflates to at most its count, two lengths and a separator per
   entry, and the bytes themselves, so no more is kept for parsing.  The
   rest of a longer block must still be inflated, to keep the compression
   context, and at zlib's ratio of about 1000:1 a 16 KB frame inflates to
   16 MiB: past SPDYLAY_HEADER_BLOCK_INFLATE_FACTOR times what the limits
   keep (or, with no header list limits, past the larger of the buffer
   limit and its default) the block is given up, and the compression
   context and session with it. */
static void header_block_limits(spdylay_session *session,
                                spdylay_nv_limits *limits)
{
  size_t buf = session->max_recv_ctrl_frame_buf;
  uint64_t entries = session->limits.max_header_list_count;
  uint64_t bytes = session->limits.max_header_list_size;
  uint64_t list_bound = 4 + 9 * entries + bytes;
  limits->max_inflated = buf;
  limits->max_total =
      spdylay_max(buf, (size_t)SPDYLAY_DEFAULT_MAX_RECV_CTRL_FRAME_BUFFER);
  if (entries != 0 && bytes != 0) {
    limits->max_inflated = (size_t)spdylay_min(list_bound, (uint64_t)buf);
    limits->max_total =
        (size_t)spdylay_min(list_bound * SPDYLAY_HEADER_BLOCK_INFLATE_FACTOR,
                            (uint64_t)limits->max_total);
  }
  limits->max_entries = (size_t)entries;
  limits->max_bytes = (size_t)bytes;
}

/* Inflates and parses the header block that follows the fixed part of a
   SYN_STREAM, SYN_REPLY or HEADERS whose head is |hd|. */
static int unpack_header_block(spdylay_session *session,
                               const spdylay_ctrl_hd *hd, char ***nv_ptr)
{
  spdylay_inbound_frame *iframe = &session->iframe;
  size_t offset = spdylay_frame_header_block_offset(hd->type, hd->version);
  spdylay_nv_limits limits;
  header_block_limits(session, &limits);
  return spdylay_nv_unpack_block(
      nv_ptr, payload_ptr(iframe->buf) + offset, iframe->payloadlen - offset,
      hd->version, &session->inflater, &session->inflatebuf,
      &session->inflatebuflen, &limits, &iframe->header_list_size,
      &session->recv_nvbuf, &session->recv_nvbuflen);
}

static int unpack_ctrl(spdylay_session *session, uint16_t type,
                       spdylay_frame *frame)
{
  const uint8_t *head = session->iframe.head;
  const uint8_t *payload = payload_ptr(session->iframe.buf);
  size_t len = session->iframe.payloadlen;
  int rv;
  switch (type) {
  case SPDYLAY_SYN_STREAM:
    rv = spdylay_frame_unpack_syn_stream(
        &frame->syn_stream, head, SPDYLAY_FRAME_HEAD_LENGTH, payload, len);
    return rv != 0 ? rv
                   : unpack_header_block(session, &frame->syn_stream.hd,
                                         &frame->syn_stream.nv);
  case SPDYLAY_SYN_REPLY:
    rv = spdylay_frame_unpack_syn_reply(
        &frame->syn_reply, head, SPDYLAY_FRAME_HEAD_LENGTH, payload, len);
    return rv != 0 ? rv
                   : unpack_header_block(session, &frame->syn_reply.hd,
                                         &frame->syn_reply.nv);
  case SPDYLAY_HEADERS:
    rv = spdylay_frame_unpack_headers(&frame->headers, head,
                                      SPDYLAY_FRAME_HEAD_LENGTH, payload, len);
    return rv != 0 ? rv
                   : unpack_header_block(session, &frame->headers.hd,
                                         &frame->headers.nv);
  case SPDYLAY_RST_STREAM:
    return spdylay_frame_unpack_rst_stream(
        &frame->rst_stream, head, SPDYLAY_FRAME_HEAD_LENGTH, payload, len);
  case SPDYLAY_SETTINGS:
    return spdylay_frame_unpack_settings(
        &frame->settings, head, SPDYLAY_FRAME_HEAD_LENGTH, payload, len);
  case SPDYLAY_PING:
    return spdylay_frame_unpack_ping(&frame->ping, head,
                                     SPDYLAY_FRAME_HEAD_LENGTH, payload, len);
  case SPDYLAY_GOAWAY:
    return spdylay_frame_unpack_goaway(&frame->goaway, head,
                                       SPDYLAY_FRAME_HEAD_LENGTH, payload, len);
  case SPDYLAY_WINDOW_UPDATE:
    return spdylay_frame_unpack_window_update(
        &frame->window_update, head, SPDYLAY_FRAME_HEAD_LENGTH, payload, len);
  default:
    return spdylay_frame_unpack_credential(
        &frame->credential, head, SPDYLAY_FRAME_HEAD_LENGTH, payload, len);
  }
}

/* Frames that carry nothing cost a callback each and move nothing forward
   (the empty frames flood): past SPDYLAY_OPT_MAX_EMPTY_FRAMES of them in a
   row, the session fails.  Any frame that carries something starts the
   count again. */
static int count_empty_frame(spdylay_session *session, int empty)
{
  if (!empty) {
    session->limits.empty_frames = 0;
    return 0;
  }
  if (spend(&session->limits.empty_frames, session->limits.max_empty_frames)) {
    return session_error(session);
  }
  return 0;
}

static int count_header_frame(spdylay_session *session, uint16_t type,
                              const spdylay_frame *frame)
{
  switch (type) {
  case SPDYLAY_SYN_STREAM:
  case SPDYLAY_SYN_REPLY:
    return count_empty_frame(session, 0);
  case SPDYLAY_HEADERS:
    return count_empty_frame(
        session, frame->headers.nv[0] == NULL &&
                     !(frame->headers.hd.flags & SPDYLAY_CTRL_FLAG_FIN));
  default:
    return 0;
  }
}

typedef int (*ctrl_handler)(spdylay_session *session, spdylay_frame *frame);

static ctrl_handler handler_of(uint16_t type)
{
  switch (type) {
  case SPDYLAY_SYN_STREAM:
    return handle_syn_stream;
  case SPDYLAY_SYN_REPLY:
    return handle_syn_reply;
  case SPDYLAY_HEADERS:
    return handle_headers;
  case SPDYLAY_RST_STREAM:
    return handle_rst_stream;
  case SPDYLAY_SETTINGS:
    return handle_settings;
  case SPDYLAY_PING:
    return handle_ping;
  case SPDYLAY_GOAWAY:
    return handle_goaway;
  case SPDYLAY_WINDOW_UPDATE:
    return handle_window_update;
  default:
    return handle_credential;
  }
}

/* A whole control frame is buffered: check its version and type, unpack
   it and let its handler act on it. */
/* A received frame's nv lies in the session's recv_nvbuf: the frame does
   not own it. */
static void disown_received_nv(uint16_t type, spdylay_frame *frame)
{
  switch (type) {
  case SPDYLAY_SYN_STREAM:
    frame->syn_stream.nv = NULL;
    break;
  case SPDYLAY_SYN_REPLY:
    frame->syn_reply.nv = NULL;
    break;
  case SPDYLAY_HEADERS:
    frame->headers.nv = NULL;
    break;
  default:
    break;
  }
}

static int process_ctrl_frame(spdylay_session *session)
{
  spdylay_inbound_frame *iframe = &session->iframe;
  spdylay_ctrl_hd hd;
  spdylay_frame frame;
  int rv;
  spdylay_frame_unpack_ctrl_hd(&hd, iframe->head);
  if (hd.version != wire_version(session)) {
    ctrl_recv_parse_error(session, hd.type, iframe->buf, iframe->payloadlen,
                          SPDYLAY_ERR_UNSUPPORTED_VERSION);
    if (hd.type == SPDYLAY_SYN_STREAM && iframe->payloadlen >= 4 &&
        payload_stream_id(iframe->buf) != 0) {
      return add_rst_stream(session, payload_stream_id(iframe->buf),
                            SPDYLAY_UNSUPPORTED_VERSION, 1);
    }
    return 0;
  }
  if (!known_ctrl_type(session, hd.type)) {
    return handle_unknown_ctrl(session);
  }
  if (hd.type == SPDYLAY_NOOP) {
    return 0;
  }
  rv = unpack_ctrl(session, hd.type, &frame);
  if (rv != 0) {
    return ctrl_unpack_failed(session, hd.type, rv);
  }
  rv = handler_of(hd.type)(session, &frame);
  if (rv == 0) {
    rv = count_header_frame(session, hd.type, &frame);
  }
  disown_received_nv(hd.type, &frame);
  spdylay_frame_free((spdylay_frame_type)hd.type, &frame);
  return rv;
}

/* SETTINGS with more entries than SPDYLAY_OPT_MAX_SETTINGS_ENTRIES (4
   bytes of count, 8 per entry) is refused before it is buffered. */
static int settings_too_long(spdylay_session *session,
                             const spdylay_ctrl_hd *hd)
{
  uint64_t max = session->limits.max_settings_entries;
  return hd->type == SPDYLAY_SETTINGS && max != 0 &&
         (uint64_t)hd->length > 4 + 8 * max;
}

/* The payload length a frame of fixed size has (as its unpack function
   requires), or -1 for the others. */
static int64_t fixed_payload_length(spdylay_session *session, uint16_t type)
{
  switch (type) {
  case SPDYLAY_RST_STREAM:
  case SPDYLAY_WINDOW_UPDATE:
    return 8;
  case SPDYLAY_PING:
    return 4;
  case SPDYLAY_GOAWAY:
    return session->version == SPDYLAY_PROTO_SPDY2 ? 4 : 8;
  default:
    return -1;
  }
}

/* A control frame's payload buffer larger than this is given back once the
   frame is processed: one 16 MiB frame must not cost a connection 16 MiB
   for the rest of its life. */
#define RETAINED_FRAME_BUFFER (64 * 1024)

/* Past any valid length: a fixed-size frame longer than its size and than
   a buffer we keep (a shorter one is reported with its payload), or a
   SETTINGS past its entry limit.  Rejected from the head, so that a PING
   announcing 16 MiB is not buffered in full first. */
static int ctrl_too_long(spdylay_session *session, const spdylay_ctrl_hd *hd)
{
  int64_t fixed;
  if (hd->version != wire_version(session) ||
      !known_ctrl_type(session, hd->type)) {
    return 0;
  }
  fixed = fixed_payload_length(session, hd->type);
  return (fixed >= 0 && (int64_t)hd->length > fixed &&
          hd->length > RETAINED_FRAME_BUFFER) ||
         settings_too_long(session, hd);
}

/* A control frame longer than we buffer is skipped unread.  A header
   block skipped leaves the inflater behind the peer's deflater, which
   ends the session, as does SETTINGS past its entry limit. */
static int skip_oversized_ctrl(spdylay_session *session,
                               const spdylay_ctrl_hd *hd)
{
  if (hd->version != wire_version(session)) {
    ctrl_recv_parse_error(session, hd->type, NULL, 0,
                          SPDYLAY_ERR_UNSUPPORTED_VERSION);
    return 0;
  }
  if (!known_ctrl_type(session, hd->type)) {
    return 0;
  }
  ctrl_recv_parse_error(session, hd->type, NULL, 0, SPDYLAY_ERR_INVALID_FRAME);
  return is_header_block_type(hd->type) || ctrl_too_long(session, hd)
             ? session_error(session)
             : 0;
}

/*
 * Receiving: DATA
 */

/* A stream ID that neither side has opened yet: past the last one the peer
   opened, or past the last one we did. */
static int never_opened(spdylay_session *session, int32_t stream_id)
{
  if (spdylay_session_is_my_stream_id(session, stream_id)) {
    return stream_id >= session->next_stream_id;
  }
  return stream_id > session->last_recv_stream_id;
}

/* Decides, from its head, whether a DATA frame reaches the application,
   and charges it to the receive windows. */
static int start_data_frame(spdylay_session *session)
{
  spdylay_inbound_frame *iframe = &session->iframe;
  int32_t stream_id = iframe->data_stream_id;
  int32_t length = (int32_t)iframe->payloadlen;
  spdylay_stream *stream;
  uint32_t status_code = 0;
  if (has_connection_window(session)) {
    if (length > session->recv_window) {
      return session_error(session);
    }
    session->recv_window -= length;
  }
  if (stream_id == 0) {
    return session_error(session);
  }
  stream = spdylay_session_get_stream(session, stream_id);
  if (stream == NULL) {
    /* SPDY/3 section 2.2.2: INVALID_STREAM only until we sent GOAWAY;
       after it, this is the body of a stream we ignored. */
    status_code = (session->goaway_flags & SPDYLAY_GOAWAY_SENT)
                      ? SPDYLAY_OK
                      : SPDYLAY_INVALID_STREAM;
  } else if (stream->state == SPDYLAY_STREAM_CLOSING) {
    status_code = SPDYLAY_OK;
  } else if (stream->shut_flags & SPDYLAY_SHUT_RD) {
    status_code = v3_status(session, SPDYLAY_STREAM_ALREADY_CLOSED);
  } else if (spdylay_session_is_my_stream_id(session, stream_id) &&
             stream->state == SPDYLAY_STREAM_OPENING) {
    /* SPDY/2 makes DATA before SYN_REPLY a session error, as libspdylay
       1.4 does; SPDY/3 a stream error. */
    if (session->version == SPDYLAY_PROTO_SPDY2) {
      return session_error(session);
    }
    status_code = SPDYLAY_PROTOCOL_ERROR;
  } else if (flow_controlled(session) && length > stream->recv_window) {
    status_code = SPDYLAY_FLOW_CONTROL_ERROR;
  } else {
    iframe->data_deliver = 1;
    if (flow_controlled(session)) {
      stream->recv_window -= length;
      if (!(session->opt_flags & SPDYLAY_OPTMASK_NO_AUTO_WINDOW_UPDATE2)) {
        stream->recv_unacked += length;
      } else {
        stream->recv_unconsumed =
            saturated_add(stream->recv_unconsumed, length);
      }
    }
  }
  /* Dropped bytes are never consumed by the application, so they count at
     once. */
  if (has_connection_window(session)) {
    if (!iframe->data_deliver ||
        !(session->opt_flags & SPDYLAY_OPTMASK_NO_AUTO_WINDOW_UPDATE2)) {
      session->recv_unacked = saturated_add(session->recv_unacked, length);
    } else {
      session->recv_unconsumed =
          saturated_add(session->recv_unconsumed, length);
    }
  }
  /* Each costs us a RST_STREAM, twice its size: a peer sending DATA on
     stream after stream it never opened spends the reset budget.  DATA on
     a closed stream does not, as the peer may have sent it before it
     learnt of the close. */
  if (status_code == SPDYLAY_INVALID_STREAM &&
      never_opened(session, stream_id) &&
      spend(&session->limits.peer_resets, session->limits.max_peer_resets)) {
    return session_error(session);
  }
  if (status_code != SPDYLAY_OK) {
    return stream_error(session, stream_id, status_code);
  }
  return 0;
}

/* The stream still wants DATA: a callback may have reset it. */
static spdylay_stream *data_stream(spdylay_session *session)
{
  spdylay_stream *stream;
  if (!session->iframe.data_deliver) {
    return NULL;
  }
  stream = spdylay_session_get_stream(session, session->iframe.data_stream_id);
  if (stream == NULL || stream->state == SPDYLAY_STREAM_CLOSING) {
    session->iframe.data_deliver = 0;
    return NULL;
  }
  return stream;
}

static void data_chunk_recv(spdylay_session *session, const uint8_t *data,
                            size_t len)
{
  spdylay_inbound_frame *iframe = &session->iframe;
  if (data_stream(session) && session->callbacks.on_data_chunk_recv_callback) {
    session->callbacks.on_data_chunk_recv_callback(session, iframe->data_flags,
                                                   iframe->data_stream_id, data,
                                                   len, session->user_data);
  }
}

static int end_data_frame(spdylay_session *session)
{
  spdylay_inbound_frame *iframe = &session->iframe;
  int32_t stream_id = iframe->data_stream_id;
  spdylay_stream *stream = data_stream(session);
  int rv = 0;
  if (stream) {
    if (session->callbacks.on_data_recv_callback) {
      session->callbacks.on_data_recv_callback(
          session, iframe->data_flags, stream_id, (int32_t)iframe->payloadlen,
          session->user_data);
    }
    if (iframe->data_flags & SPDYLAY_DATA_FLAG_FIN) {
      spdylay_stream_shutdown(stream, SPDYLAY_SHUT_RD);
      if (session->server && session->callbacks.on_request_recv_callback) {
        session->callbacks.on_request_recv_callback(session, stream_id,
                                                    session->user_data);
      }
      close_stream_if_done(session, stream);
    } else {
      rv = auto_stream_window_update(session, stream, 1);
    }
  }
  if (rv == 0) {
    rv = auto_connection_window_update(session, 1);
  }
  return rv;
}

/*
 * Receiving: the frame reader
 */

static void reset_inbound(spdylay_inbound_frame *iframe)
{
  if (iframe->bufcap > RETAINED_FRAME_BUFFER) {
    free(iframe->buf);
    iframe->buf = NULL;
    iframe->bufcap = 0;
  }
  iframe->state = SPDYLAY_RECV_HEAD;
  iframe->headoff = 0;
  iframe->payloadlen = 0;
  iframe->payloadoff = 0;
  iframe->data_deliver = 0;
}

/* The 8-byte head is in: choose how to read the payload.  Frames with an
   empty payload are processed at once. */
static int start_frame(spdylay_session *session)
{
  spdylay_inbound_frame *iframe = &session->iframe;
  int empty;
  int rv;
  if (iframe->head[0] & 0x80) {
    spdylay_ctrl_hd hd;
    spdylay_frame_unpack_ctrl_hd(&hd, iframe->head);
    iframe->payloadlen = (size_t)hd.length;
    if (iframe->payloadlen > session->max_recv_ctrl_frame_buf ||
        ctrl_too_long(session, &hd)) {
      iframe->state = SPDYLAY_RECV_SKIP_PAYLOAD;
      return skip_oversized_ctrl(session, &hd);
    }
    if (iframe->payloadlen > 0 &&
        spdylay_reserve_buffer(&iframe->buf, &iframe->bufcap,
                               iframe->payloadlen) != 0) {
      return SPDYLAY_ERR_NOMEM;
    }
    iframe->state = SPDYLAY_RECV_CTRL_PAYLOAD;
    if (iframe->payloadlen == 0) {
      rv = process_ctrl_frame(session);
      reset_inbound(iframe);
      return rv;
    }
    return 0;
  }
  iframe->data_stream_id =
      (int32_t)(spdylay_get_uint32(iframe->head) & STREAM_ID_MASK);
  iframe->data_flags = iframe->head[4];
  iframe->payloadlen = spdylay_get_uint32(iframe->head + 4) & 0xffffffu;
  iframe->state = SPDYLAY_RECV_DATA_PAYLOAD;
  empty =
      iframe->payloadlen == 0 && !(iframe->data_flags & SPDYLAY_DATA_FLAG_FIN);
  rv = start_data_frame(session);
  if (rv == 0 && iframe->payloadlen == 0) {
    rv = end_data_frame(session);
    reset_inbound(iframe);
  }
  return rv != 0 ? rv : count_empty_frame(session, empty);
}

static ssize_t session_mem_recv_frames(spdylay_session *session,
                                       const uint8_t *in, size_t inlen)
{
  spdylay_inbound_frame *iframe = &session->iframe;
  size_t off = 0;
  int rv;
  /* After a session error the rest of the input means nothing. */
  while (off < inlen && !is_failing(session)) {
    size_t avail = inlen - off;
    size_t n;
    switch (iframe->state) {
    case SPDYLAY_RECV_HEAD:
      n = spdylay_min(SPDYLAY_FRAME_HEAD_LENGTH - iframe->headoff, avail);
      memcpy(iframe->head + iframe->headoff, in + off, n);
      iframe->headoff += n;
      off += n;
      if (iframe->headoff == SPDYLAY_FRAME_HEAD_LENGTH) {
        rv = start_frame(session);
        if (rv < 0) {
          return rv;
        }
      }
      break;
    case SPDYLAY_RECV_CTRL_PAYLOAD:
      n = spdylay_min(iframe->payloadlen - iframe->payloadoff, avail);
      memcpy(iframe->buf + iframe->payloadoff, in + off, n);
      iframe->payloadoff += n;
      off += n;
      if (iframe->payloadoff == iframe->payloadlen) {
        rv = process_ctrl_frame(session);
        reset_inbound(iframe);
        if (rv < 0) {
          return rv;
        }
      }
      break;
    case SPDYLAY_RECV_SKIP_PAYLOAD:
      n = spdylay_min(iframe->payloadlen - iframe->payloadoff, avail);
      iframe->payloadoff += n;
      off += n;
      if (iframe->payloadoff == iframe->payloadlen) {
        reset_inbound(iframe);
      }
      break;
    case SPDYLAY_RECV_DATA_PAYLOAD:
      n = spdylay_min(iframe->payloadlen - iframe->payloadoff, avail);
      data_chunk_recv(session, in + off, n);
      iframe->payloadoff += n;
      off += n;
      if (iframe->payloadoff == iframe->payloadlen) {
        rv = end_data_frame(session);
        reset_inbound(iframe);
        if (rv < 0) {
          return rv;
        }
      }
      break;
    }
    /* The peer makes us queue replies faster than they leave. */
    if (auto_replies_flooded(session)) {
      rv = session_error(session);
      if (rv < 0) {
        return rv;
      }
    }
  }
  return (ssize_t)inlen;
}

/* Handlers fail only for lack of memory; the reader may then be
   mid-frame, so the session stops reading and says GOAWAY if it can. */
static ssize_t session_mem_recv(spdylay_session *session, const uint8_t *in,
                                size_t inlen)
{
  ssize_t rv = session_mem_recv_frames(session, in, inlen);
  if (rv < 0) {
    spdylay_session_fail_session(session, SPDYLAY_GOAWAY_INTERNAL_ERROR);
  }
  return rv;
}

ssize_t spdylay_session_mem_recv(spdylay_session *session, const uint8_t *in,
                                 size_t inlen)
{
  ssize_t rv;
  if (session == NULL || (in == NULL && inlen > 0) || inlen > SSIZE_BOUND) {
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
  if (session->entered) {
    return SPDYLAY_ERR_INVALID_STATE;
  }
  session->entered = 1;
  rv = session_mem_recv(session, in, inlen);
  session->entered = 0;
  return rv;
}

int spdylay_session_recv(spdylay_session *session)
{
  uint8_t buf[RECV_BUFFER_LENGTH];
  int rv;
  if (session == NULL) {
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
  if (session->entered) {
    return SPDYLAY_ERR_INVALID_STATE;
  }
  if (session->callbacks.recv_callback == NULL) {
    return SPDYLAY_ERR_CALLBACK_FAILURE;
  }
  session->entered = 1;
  for (;;) {
    ssize_t n;
    /* Bytes already read are all processed: a held session stops here, at
       most one read past the bound. */
    if (reading_held(session)) {
      rv = 0;
      break;
    }
    n = session->callbacks.recv_callback(session, buf, sizeof(buf), 0,
                                         session->user_data);
    if (n == SPDYLAY_ERR_WOULDBLOCK) {
      rv = 0;
      break;
    }
    /* 0 is read(2)'s end of file. */
    if (n == SPDYLAY_ERR_EOF || n == 0) {
      rv = SPDYLAY_ERR_EOF;
      break;
    }
    if (n < 0 || (size_t)n > sizeof(buf)) {
      rv = SPDYLAY_ERR_CALLBACK_FAILURE;
      break;
    }
    n = session_mem_recv(session, buf, (size_t)n);
    if (n < 0) {
      rv = (int)n;
      break;
    }
  }
  session->entered = 0;
  return rv;
}

/*
 * Queries and controls
 */

int spdylay_session_resume_data(spdylay_session *session, int32_t stream_id)
{
  spdylay_stream *stream;
  if (session == NULL) {
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
  stream = spdylay_session_get_stream(session, stream_id);
  if (stream == NULL || stream->deferred_data == NULL ||
      !(stream->deferred_flags & SPDYLAY_DEFERRED_BY_APP)) {
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
  return queue_data(session, stream,
                    spdylay_stream_detach_deferred_data(stream));
}

int spdylay_session_want_read(spdylay_session *session)
{
  if (session == NULL || is_failing(session) || reading_held(session)) {
    return 0;
  }
  return !(goaway_exchanged(session) &&
           spdylay_map_size(&session->streams) == 0);
}

int spdylay_session_want_write(spdylay_session *session)
{
  if (session == NULL ||
      (is_failing(session) && (session->goaway_flags & SPDYLAY_GOAWAY_SENT))) {
    return 0;
  }
  return session->aob.item != NULL || more_to_send(session);
}

void *spdylay_session_get_stream_user_data(spdylay_session *session,
                                           int32_t stream_id)
{
  spdylay_stream *stream;
  if (session == NULL) {
    return NULL;
  }
  stream = spdylay_session_get_stream(session, stream_id);
  return stream ? stream->stream_user_data : NULL;
}

int spdylay_session_set_stream_user_data(spdylay_session *session,
                                         int32_t stream_id,
                                         void *stream_user_data)
{
  spdylay_stream *stream;
  if (session == NULL) {
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
  stream = spdylay_session_get_stream(session, stream_id);
  if (stream == NULL) {
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
  stream->stream_user_data = stream_user_data;
  return 0;
}

size_t spdylay_session_get_outbound_queue_size(spdylay_session *session)
{
  if (session == NULL) {
    return 0;
  }
  return spdylay_pq_size(&session->ob_pq) + spdylay_pq_size(&session->ob_ss_pq);
}

int32_t spdylay_session_get_stream_recv_data_length(spdylay_session *session,
                                                    int32_t stream_id)
{
  spdylay_stream *stream;
  if (session == NULL) {
    return -1;
  }
  stream = spdylay_session_get_stream(session, stream_id);
  if (stream == NULL) {
    return -1;
  }
  return stream->recv_unacked;
}

int32_t spdylay_session_get_recv_data_length(spdylay_session *session)
{
  if (session == NULL) {
    return -1;
  }
  return session->recv_unacked;
}

int spdylay_session_consume(spdylay_session *session, int32_t stream_id,
                            size_t size)
{
  spdylay_stream *stream;
  int64_t amount = size > INT32_MAX ? INT32_MAX : (int64_t)size;
  int32_t given_back;
  int rv;
  if (session == NULL || stream_id <= 0) {
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
  if (!(session->opt_flags & SPDYLAY_OPTMASK_NO_AUTO_WINDOW_UPDATE2)) {
    return SPDYLAY_ERR_INVALID_STATE;
  }
  if (!flow_controlled(session)) {
    return 0;
  }
  /* Only bytes that arrived and were not consumed yet are given back: more
     would open the peer's window past what it may send. */
  if (has_connection_window(session)) {
    given_back = (int32_t)spdylay_min(amount, session->recv_unconsumed);
    session->recv_unconsumed -= given_back;
    session->recv_unacked = saturated_add(session->recv_unacked, given_back);
    rv = auto_connection_window_update(session, 0);
    if (rv != 0) {
      return rv;
    }
  }
  stream = spdylay_session_get_stream(session, stream_id);
  if (stream == NULL) {
    return 0;
  }
  given_back = (int32_t)spdylay_min(amount, stream->recv_unconsumed);
  stream->recv_unconsumed -= given_back;
  stream->recv_unacked = saturated_add(stream->recv_unacked, given_back);
  return auto_stream_window_update(session, stream, 0);
}

uint8_t spdylay_session_get_pri_lowest(spdylay_session *session)
{
  if (session && session->version == SPDYLAY_PROTO_SPDY2) {
    return 3;
  }
  return 7;
}

/* Where a uint32_t bound option is stored, or NULL for other options. */
static uint32_t *bound_option(spdylay_session *session, int optname)
{
  switch (optname) {
  case SPDYLAY_OPT_MAX_HEADER_LIST_SIZE:
    return &session->limits.max_header_list_size;
  case SPDYLAY_OPT_MAX_HEADER_LIST_COUNT:
    return &session->limits.max_header_list_count;
  case SPDYLAY_OPT_MAX_AUTO_REPLIES:
    return &session->limits.max_auto_replies;
  case SPDYLAY_OPT_MAX_SETTINGS_ENTRIES:
    return &session->limits.max_settings_entries;
  case SPDYLAY_OPT_MAX_PEER_RESETS:
    return &session->limits.max_peer_resets;
  case SPDYLAY_OPT_MAX_EMPTY_FRAMES:
    return &session->limits.max_empty_frames;
  case SPDYLAY_OPT_MAX_SMALL_WINDOW_UPDATES:
    return &session->limits.max_small_window_updates;
  case SPDYLAY_OPT_MAX_INCOMING_STREAMS:
    return &session->limits.max_incoming_streams;
  default:
    return NULL;
  }
}

int spdylay_session_set_option(spdylay_session *session, int optname,
                               void *optval, size_t optlen)
{
  uint32_t *bound;
  if (session == NULL || optval == NULL) {
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
  bound = bound_option(session, optname);
  if (bound) {
    if (optlen != sizeof(uint32_t)) {
      return SPDYLAY_ERR_INVALID_ARGUMENT;
    }
    *bound = *(uint32_t *)optval;
    return 0;
  }
  switch (optname) {
  case SPDYLAY_OPT_NO_AUTO_WINDOW_UPDATE:
  case SPDYLAY_OPT_NO_AUTO_WINDOW_UPDATE2:
  case SPDYLAY_OPT_AUTO_REPLIES_STOP_READING: {
    uint8_t mask = optname == SPDYLAY_OPT_NO_AUTO_WINDOW_UPDATE
                       ? SPDYLAY_OPTMASK_NO_AUTO_WINDOW_UPDATE
                   : optname == SPDYLAY_OPT_NO_AUTO_WINDOW_UPDATE2
                       ? SPDYLAY_OPTMASK_NO_AUTO_WINDOW_UPDATE2
                       : SPDYLAY_OPTMASK_AUTO_REPLIES_STOP_READING;
    if (optlen != sizeof(int)) {
      return SPDYLAY_ERR_INVALID_ARGUMENT;
    }
    if (*(int *)optval) {
      session->opt_flags |= mask;
    } else {
      session->opt_flags &= (uint8_t)~mask;
    }
    return 0;
  }
  case SPDYLAY_OPT_MAX_RECV_CTRL_FRAME_BUFFER:
    if (optlen != sizeof(uint32_t) ||
        *(uint32_t *)optval < SPDYLAY_MIN_RECV_CTRL_FRAME_BUFFER) {
      return SPDYLAY_ERR_INVALID_ARGUMENT;
    }
    session->max_recv_ctrl_frame_buf = *(uint32_t *)optval;
    return 0;
  default:
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
}

int spdylay_session_set_initial_client_cert_origin(spdylay_session *session,
                                                   const char *scheme,
                                                   const char *host,
                                                   uint16_t port)
{
  spdylay_origin origin;
  int rv;
  if (session == NULL) {
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
  rv = spdylay_origin_set(&origin, scheme, host, port);
  if (rv != 0) {
    return rv;
  }
  /* The certificate of the TLS handshake proves slot 1. */
  return spdylay_client_cert_vector_set(&session->cli_certvec, 1, &origin);
}

const spdylay_origin *
spdylay_session_get_client_cert_origin(spdylay_session *session, size_t slot)
{
  if (session == NULL || slot == 0 || slot > SPDYLAY_CLIENT_CERT_MAX_SLOTS) {
    return NULL;
  }
  return session->cli_certvec.slots[slot - 1];
}

void spdylay_session_update_local_settings(spdylay_session *session,
                                           uint8_t flags,
                                           const spdylay_settings_entry *iv,
                                           size_t niv)
{
  uint32_t values[SPDYLAY_SETTINGS_COUNT];
  size_t i;
  if (flags & SPDYLAY_FLAG_SETTINGS_CLEAR_SETTINGS) {
    local_settings_defaults(values);
  } else {
    memcpy(values, session->local_settings, sizeof(values));
  }
  for (i = 0; i < niv; ++i) {
    values[iv[i].settings_id] = iv[i].value;
  }
  /* A smaller window is announced but not enforced: SPDY has no SETTINGS
     acknowledgement, so a peer may rightly go on sending within the old
     one until our SETTINGS reaches it. */
  if (flow_controlled(session) && values[SPDYLAY_SETTINGS_INITIAL_WINDOW_SIZE] >
                                      session->enforced_recv_window) {
    window_delta wd;
    wd.session = session;
    wd.delta = (int32_t)(values[SPDYLAY_SETTINGS_INITIAL_WINDOW_SIZE] -
                         session->enforced_recv_window);
    spdylay_map_each(&session->streams, adjust_recv_window, &wd);
    session->enforced_recv_window =
        values[SPDYLAY_SETTINGS_INITIAL_WINDOW_SIZE];
  }
  memcpy(session->local_settings, values, sizeof(values));
}
