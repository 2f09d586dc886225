/*
 * spdylay_stream.c: per-stream state (see spdylay_stream.h).
 */
#include "spdylay_stream.h"

#include <string.h>

spdylay_stream *spdylay_stream_new(int32_t stream_id, uint8_t pri,
                                   void *stream_user_data, int32_t send_window,
                                   int32_t recv_window)
{
  /* Not calloc, as for outbound items (spdylay_outbound_item_new()). */
  spdylay_stream *stream = malloc(sizeof(spdylay_stream));
  if (stream == NULL) {
    return NULL;
  }
  memset(stream, 0, sizeof(*stream));
  stream->map_entry.key = stream_id;
  stream->stream_id = stream_id;
  stream->state = SPDYLAY_STREAM_OPENING;
  stream->pri = pri;
  stream->stream_user_data = stream_user_data;
  stream->send_window = send_window;
  stream->recv_window = recv_window;
  return stream;
}

void spdylay_stream_del(spdylay_stream *stream)
{
  spdylay_outbound_item *item;
  if (stream == NULL) {
    return;
  }
  spdylay_outbound_item_free(stream->deferred_data);
  while ((item = spdylay_stream_pop_waiting_data(stream)) != NULL) {
    spdylay_outbound_item_free(item);
  }
  free(stream);
}

void spdylay_stream_shutdown(spdylay_stream *stream, spdylay_shut_flag flag)
{
  stream->shut_flags |= (uint8_t)flag;
}

void spdylay_stream_defer_data(spdylay_stream *stream,
                               spdylay_outbound_item *item,
                               spdylay_deferred_flag flag)
{
  stream->deferred_data = item;
  stream->deferred_flags = (uint8_t)flag;
}

spdylay_outbound_item *
spdylay_stream_detach_deferred_data(spdylay_stream *stream)
{
  spdylay_outbound_item *item = stream->deferred_data;
  stream->deferred_data = NULL;
  stream->deferred_flags = SPDYLAY_DEFERRED_NONE;
  return item;
}

void spdylay_stream_push_waiting_data(spdylay_stream *stream,
                                      spdylay_outbound_item *item)
{
  item->next = NULL;
  if (stream->waiting_tail) {
    stream->waiting_tail->next = item;
  } else {
    stream->waiting_head = item;
  }
  stream->waiting_tail = item;
}

spdylay_outbound_item *spdylay_stream_pop_waiting_data(spdylay_stream *stream)
{
  spdylay_outbound_item *item = stream->waiting_head;
  if (item) {
    stream->waiting_head = item->next;
    if (stream->waiting_head == NULL) {
      stream->waiting_tail = NULL;
    }
    item->next = NULL;
  }
  return item;
}

int spdylay_stream_update_send_window(spdylay_stream *stream, int32_t delta)
{
  int64_t window = (int64_t)stream->send_window + delta;
  if (window > INT32_MAX || window < INT32_MIN) {
    return -1;
  }
  stream->send_window = (int32_t)window;
  return 0;
}
