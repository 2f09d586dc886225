/*
 * spdylay_stream.h: one stream's state: its place in the SYN_STREAM /
 * SYN_REPLY exchange, which directions are shut, its flow-control windows
 * and the DATA items it holds back (deferred, window-blocked, or waiting
 * behind the one being sent).
 */
#ifndef SPDYLAY_STREAM_H
#define SPDYLAY_STREAM_H

#include <spdylay/spdylay.h>

#include "spdylay_map.h"
#include "spdylay_outbound_item.h"

typedef enum {
  /* SYN_STREAM sent and no SYN_REPLY yet (local stream), or SYN_STREAM
     received and no SYN_REPLY sent yet (peer's stream). */
  SPDYLAY_STREAM_OPENING,
  /* The SYN_REPLY has been exchanged (or none is due: push streams). */
  SPDYLAY_STREAM_OPENED,
  /* RST_STREAM is queued: frames for the stream are dropped and it closes
     once the RST_STREAM is sent. */
  SPDYLAY_STREAM_CLOSING
} spdylay_stream_state;

typedef enum {
  SPDYLAY_SHUT_NONE = 0,
  /* Nothing more will arrive (FIN received, or a push we sent). */
  SPDYLAY_SHUT_RD = 0x1,
  /* Nothing more may be sent (FIN sent, or a push we received). */
  SPDYLAY_SHUT_WR = 0x2,
  SPDYLAY_SHUT_RDWR = SPDYLAY_SHUT_RD | SPDYLAY_SHUT_WR
} spdylay_shut_flag;

typedef enum {
  SPDYLAY_DEFERRED_NONE = 0,
  /* The read callback returned SPDYLAY_ERR_DEFERRED: waits for
     spdylay_session_resume_data(). */
  SPDYLAY_DEFERRED_BY_APP = 0x1,
  /* The send window is exhausted: waits for WINDOW_UPDATE or SETTINGS. */
  SPDYLAY_DEFERRED_BY_FLOW_CONTROL = 0x2,
  /* The peer's stream has no SYN_REPLY out yet: DATA may not precede it. */
  SPDYLAY_DEFERRED_UNTIL_REPLY = 0x4
} spdylay_deferred_flag;

typedef struct {
  /* First member: the map hands back this entry as the stream. */
  spdylay_map_entry map_entry;
  /* The small fields come first, together, so that a stream takes 96
     bytes: the size class of outbound items, whose freed blocks then
     serve both. */
  int32_t stream_id;
  spdylay_stream_state state;
  uint8_t shut_flags;
  uint8_t pri;
  uint8_t deferred_flags;
  /* Bytes we may still send (SPDY/3+); may go negative when the peer
     shrinks SETTINGS_INITIAL_WINDOW_SIZE. */
  int32_t send_window;
  /* Bytes the peer may still send us before a WINDOW_UPDATE. */
  int32_t recv_window;
  /* Received (or, with NO_AUTO_WINDOW_UPDATE2, consumed) bytes not yet
     acknowledged by a WINDOW_UPDATE. */
  int32_t recv_unacked;
  /* With NO_AUTO_WINDOW_UPDATE2: bytes handed to the application that it
     has not consumed yet, the most spdylay_session_consume() gives back. */
  int32_t recv_unconsumed;
  void *stream_user_data;
  /* The DATA item being sent on this stream, wherever it is (queue,
     outbound buffer or deferred slot); NULL when none. */
  spdylay_outbound_item *active_data;
  /* |active_data| when it is parked here rather than queued. */
  spdylay_outbound_item *deferred_data;
  /* Further DATA items submitted while one was active, in order. */
  spdylay_outbound_item *waiting_head;
  spdylay_outbound_item *waiting_tail;
  /* Entries and bytes of names and values the peer has sent on this stream
     (its SYN_STREAM or SYN_REPLY and every HEADERS since): one header
     list, held to SPDYLAY_OPT_MAX_HEADER_LIST_COUNT and _SIZE as a whole
     so that HEADERS frames cannot add up without end.  Saturate. */
  size_t recv_header_entries;
  size_t recv_header_bytes;
} spdylay_stream;

/* A new stream in state OPENING, or NULL when out of memory. */
spdylay_stream *spdylay_stream_new(int32_t stream_id, uint8_t pri,
                                   void *stream_user_data, int32_t send_window,
                                   int32_t recv_window);

/* Frees the stream and every DATA item it holds (the deferred one and the
   waiting ones; a queued active item is the queue's to drop). */
void spdylay_stream_del(spdylay_stream *stream);

void spdylay_stream_shutdown(spdylay_stream *stream, spdylay_shut_flag flag);

/* Parks |item| (the active DATA) with |flag|. */
void spdylay_stream_defer_data(spdylay_stream *stream,
                               spdylay_outbound_item *item,
                               spdylay_deferred_flag flag);
/* Unparks and returns the deferred item. */
spdylay_outbound_item *
spdylay_stream_detach_deferred_data(spdylay_stream *stream);

void spdylay_stream_push_waiting_data(spdylay_stream *stream,
                                      spdylay_outbound_item *item);
/* The oldest waiting DATA item, unlinked, or NULL. */
spdylay_outbound_item *spdylay_stream_pop_waiting_data(spdylay_stream *stream);

/* Adds |delta| to the send window.  Returns 0, or -1 (window unchanged)
   if the result would leave the int32_t range (past 2^31-1). */
int spdylay_stream_update_send_window(spdylay_stream *stream, int32_t delta);

#endif /* SPDYLAY_STREAM_H */
