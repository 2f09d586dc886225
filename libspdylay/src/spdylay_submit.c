/*
 * spdylay_submit.c: the public spdylay_submit_* functions.  Each checks
 * its arguments, copies what it is given and queues a frame; whether the
 * stream's state allows the frame is decided when it is about to be sent
 * (on_ctrl_not_send reports a refusal).  Their declarations are in
 * spdylay.h, so there is no header of this file's own.
 */
#include <spdylay/spdylay.h>

#include <string.h>

#include "spdylay_frame.h"
#include "spdylay_nv.h"
#include "spdylay_session.h"

static int valid_data_provider(const spdylay_data_provider *data_prd)
{
  return data_prd == NULL || data_prd->read_callback != NULL;
}

/* The DATA item of a body; its stream ID is set once it is known. */
static spdylay_outbound_item *
new_data_item(int32_t stream_id, uint8_t flags,
              const spdylay_data_provider *data_prd)
{
  spdylay_outbound_item *item = spdylay_outbound_item_new(SPDYLAY_DATA);
  if (item) {
    item->frame.data.stream_id = stream_id;
    item->frame.data.flags = flags;
    item->frame.data.data_prd = *data_prd;
  }
  return item;
}

/* Once the session fails, nothing queued after its GOAWAY is ever sent, so
   submissions are refused rather than silently lost. */
static int refused_when_failing(spdylay_session *session)
{
  return (session->goaway_flags & SPDYLAY_GOAWAY_FAILING)
             ? SPDYLAY_ERR_INVALID_STATE
             : 0;
}

static int submit_syn_stream(spdylay_session *session, uint8_t flags,
                             int32_t assoc_stream_id, uint8_t pri,
                             const char **nv,
                             const spdylay_data_provider *data_prd,
                             void *stream_user_data)
{
  spdylay_outbound_item *item;
  char **nv_copy;
  int rv;
  if (session == NULL || nv == NULL ||
      (flags & ~(SPDYLAY_CTRL_FLAG_FIN | SPDYLAY_CTRL_FLAG_UNIDIRECTIONAL)) ||
      !valid_data_provider(data_prd)) {
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
  /* libspdylay 1.4's reference: a priority past the lowest means the
     lowest. */
  if (pri > spdylay_session_get_pri_lowest(session)) {
    pri = spdylay_session_get_pri_lowest(session);
  }
  rv = refused_when_failing(session);
  if (rv != 0) {
    return rv;
  }
  if (!session->server) {
    /* Only servers push. */
    assoc_stream_id = 0;
  } else if (!spdylay_session_valid_push_assoc(session, assoc_stream_id)) {
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
  rv = spdylay_nv_copy(&nv_copy, nv);
  if (rv != 0) {
    return rv;
  }
  item = spdylay_outbound_item_new(SPDYLAY_SYN_STREAM);
  if (item == NULL) {
    spdylay_nv_del(nv_copy);
    return SPDYLAY_ERR_NOMEM;
  }
  spdylay_frame_syn_stream_init(&item->frame.ctrl.syn_stream, session->version,
                                flags, 0, assoc_stream_id, pri, nv_copy);
  /* A push goes out among the control frames, in submission order, so it
     precedes the SYN_REPLY and DATA of its associated stream submitted after
     it (SPDY/3 section 3.3.1): sent later, it would find that stream closed
     by them. */
  item->pri = assoc_stream_id ? SPDYLAY_OB_PRI_CTRL : pri;
  item->aux.stream_user_data = stream_user_data;
  if (data_prd) {
    item->aux.data_item = new_data_item(0, SPDYLAY_DATA_FLAG_FIN, data_prd);
    if (item->aux.data_item == NULL) {
      spdylay_outbound_item_free(item);
      return SPDYLAY_ERR_NOMEM;
    }
  }
  return spdylay_session_add_item_or_free(session, item);
}

int spdylay_submit_request(spdylay_session *session, uint8_t pri,
                           const char **nv,
                           const spdylay_data_provider *data_prd,
                           void *stream_user_data)
{
  uint8_t flags = data_prd ? SPDYLAY_CTRL_FLAG_NONE : SPDYLAY_CTRL_FLAG_FIN;
  return submit_syn_stream(session, flags, 0, pri, nv, data_prd,
                           stream_user_data);
}

int spdylay_submit_syn_stream(spdylay_session *session, uint8_t flags,
                              int32_t assoc_stream_id, uint8_t pri,
                              const char **nv, void *stream_user_data)
{
  return submit_syn_stream(session, flags, assoc_stream_id, pri, nv, NULL,
                           stream_user_data);
}

/* SYN_REPLY or HEADERS on |stream_id|, with an optional body. */
static int submit_headers_frame(spdylay_session *session, int type,
                                uint8_t flags, int32_t stream_id,
                                const char **nv,
                                const spdylay_data_provider *data_prd)
{
  spdylay_outbound_item *item;
  char **nv_copy;
  int rv;
  if (session == NULL || nv == NULL || stream_id <= 0 ||
      (flags & ~SPDYLAY_CTRL_FLAG_FIN) || !valid_data_provider(data_prd)) {
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
  rv = refused_when_failing(session);
  if (rv != 0) {
    return rv;
  }
  rv = spdylay_nv_copy(&nv_copy, nv);
  if (rv != 0) {
    return rv;
  }
  item = spdylay_outbound_item_new(type);
  if (item == NULL) {
    spdylay_nv_del(nv_copy);
    return SPDYLAY_ERR_NOMEM;
  }
  if (type == SPDYLAY_SYN_REPLY) {
    spdylay_frame_syn_reply_init(&item->frame.ctrl.syn_reply, session->version,
                                 flags, stream_id, nv_copy);
  } else {
    spdylay_frame_headers_init(&item->frame.ctrl.headers, session->version,
                               flags, stream_id, nv_copy);
  }
  if (data_prd) {
    item->aux.data_item =
        new_data_item(stream_id, SPDYLAY_DATA_FLAG_FIN, data_prd);
    if (item->aux.data_item == NULL) {
      spdylay_outbound_item_free(item);
      return SPDYLAY_ERR_NOMEM;
    }
  }
  return spdylay_session_add_item_or_free(session, item);
}

int spdylay_submit_response(spdylay_session *session, int32_t stream_id,
                            const char **nv,
                            const spdylay_data_provider *data_prd)
{
  uint8_t flags = data_prd ? SPDYLAY_CTRL_FLAG_NONE : SPDYLAY_CTRL_FLAG_FIN;
  return submit_headers_frame(session, SPDYLAY_SYN_REPLY, flags, stream_id, nv,
                              data_prd);
}

int spdylay_submit_syn_reply(spdylay_session *session, uint8_t flags,
                             int32_t stream_id, const char **nv)
{
  return submit_headers_frame(session, SPDYLAY_SYN_REPLY, flags, stream_id, nv,
                              NULL);
}

int spdylay_submit_headers(spdylay_session *session, uint8_t flags,
                           int32_t stream_id, const char **nv)
{
  return submit_headers_frame(session, SPDYLAY_HEADERS, flags, stream_id, nv,
                              NULL);
}

int spdylay_submit_data(spdylay_session *session, int32_t stream_id,
                        uint8_t flags, const spdylay_data_provider *data_prd)
{
  spdylay_outbound_item *item;
  spdylay_stream *stream;
  if (session == NULL || stream_id <= 0 || data_prd == NULL ||
      !valid_data_provider(data_prd) || (flags & ~SPDYLAY_DATA_FLAG_FIN)) {
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
  if (refused_when_failing(session)) {
    return SPDYLAY_ERR_INVALID_STATE;
  }
  item = new_data_item(stream_id, flags, data_prd);
  if (item == NULL) {
    return SPDYLAY_ERR_NOMEM;
  }
  /* DATA for a stream that is gone is dropped when its turn comes. */
  stream = spdylay_session_get_stream(session, stream_id);
  item->pri = stream ? stream->pri : spdylay_session_get_pri_lowest(session);
  return spdylay_session_add_item_or_free(session, item);
}

int spdylay_submit_rst_stream(spdylay_session *session, int32_t stream_id,
                              uint32_t status_code)
{
  if (session == NULL || stream_id <= 0) {
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
  if (refused_when_failing(session)) {
    return SPDYLAY_ERR_INVALID_STATE;
  }
  return spdylay_session_add_rst_stream(session, stream_id, status_code);
}

int spdylay_submit_ping(spdylay_session *session)
{
  uint32_t unique_id;
  int rv;
  if (session == NULL) {
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
  if (refused_when_failing(session)) {
    return SPDYLAY_ERR_INVALID_STATE;
  }
  unique_id = session->next_unique_id;
  rv = spdylay_session_add_ping(session, unique_id);
  if (rv == 0) {
    /* Wraps modulo 2^32, which keeps the parity. */
    session->next_unique_id += 2;
  }
  return rv;
}

int spdylay_submit_goaway(spdylay_session *session, uint32_t status_code)
{
  if (session == NULL) {
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
  if (refused_when_failing(session)) {
    return SPDYLAY_ERR_INVALID_STATE;
  }
  return spdylay_session_add_goaway(session, status_code);
}

static int valid_settings(uint8_t flags, const spdylay_settings_entry *iv,
                          size_t niv)
{
  unsigned int seen = 0;
  size_t i;
  if ((flags & ~SPDYLAY_FLAG_SETTINGS_CLEAR_SETTINGS) ||
      (iv == NULL && niv > 0)) {
    return 0;
  }
  for (i = 0; i < niv; ++i) {
    int32_t id = iv[i].settings_id;
    if (id <= 0 || id > SPDYLAY_SETTINGS_MAX || (seen & (1u << id)) ||
        (iv[i].flags & ~(SPDYLAY_ID_FLAG_SETTINGS_PERSIST_VALUE |
                         SPDYLAY_ID_FLAG_SETTINGS_PERSISTED)) ||
        iv[i].value > INT32_MAX) {
      return 0;
    }
    seen |= 1u << id;
  }
  return 1;
}

int spdylay_submit_settings(spdylay_session *session, uint8_t flags,
                            const spdylay_settings_entry *iv, size_t niv)
{
  spdylay_outbound_item *item;
  spdylay_settings_entry *iv_copy = NULL;
  int rv;
  if (session == NULL || !valid_settings(flags, iv, niv)) {
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
  if (refused_when_failing(session)) {
    return SPDYLAY_ERR_INVALID_STATE;
  }
  if (niv > 0) {
    iv_copy = malloc(niv * sizeof(spdylay_settings_entry));
    if (iv_copy == NULL) {
      return SPDYLAY_ERR_NOMEM;
    }
    memcpy(iv_copy, iv, niv * sizeof(spdylay_settings_entry));
  }
  item = spdylay_outbound_item_new(SPDYLAY_SETTINGS);
  if (item == NULL) {
    free(iv_copy);
    return SPDYLAY_ERR_NOMEM;
  }
  spdylay_frame_settings_init(&item->frame.ctrl.settings, session->version,
                              flags, iv_copy, niv);
  rv = spdylay_session_add_item_or_free(session, item);
  if (rv != 0) {
    return rv;
  }
  spdylay_session_update_local_settings(session, flags, iv, niv);
  return 0;
}

int spdylay_submit_window_update(spdylay_session *session, int32_t stream_id,
                                 int32_t delta_window_size)
{
  spdylay_stream *stream = NULL;
  int rv;
  if (session == NULL || session->version == SPDYLAY_PROTO_SPDY2 ||
      delta_window_size <= 0 || stream_id < 0 ||
      (stream_id == 0 && session->version != SPDYLAY_PROTO_SPDY3_1)) {
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
  if (refused_when_failing(session)) {
    return SPDYLAY_ERR_INVALID_STATE;
  }
  if (stream_id > 0) {
    stream = spdylay_session_get_stream(session, stream_id);
    if (stream == NULL || stream->state == SPDYLAY_STREAM_CLOSING) {
      return SPDYLAY_ERR_STREAM_CLOSED;
    }
  }
  rv = spdylay_session_add_window_update(session, stream_id, delta_window_size);
  if (rv != 0) {
    return rv;
  }
  spdylay_session_window_update_queued(session, stream, delta_window_size);
  return 0;
}
