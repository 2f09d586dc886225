/*
 * spdylay_outbound_item.h: one queued outgoing frame, either a control
 * frame or a stream's DATA (its data provider, read a frame at a time),
 * with the (priority, sequence) key the outbound queues order it by.
 */
#ifndef SPDYLAY_OUTBOUND_ITEM_H
#define SPDYLAY_OUTBOUND_ITEM_H

#include <spdylay/spdylay.h>

/* Never a control frame type: marks a DATA item. */
#define SPDYLAY_DATA 0

/* Priority of control frames other than SYN_STREAM: ahead of every
   stream's frames. */
#define SPDYLAY_OB_PRI_CTRL (-1)

typedef struct {
  int32_t stream_id;
  /* SPDYLAY_DATA_FLAG_FIN: put FIN on the frame that reaches eof. */
  uint8_t flags;
  spdylay_data_provider data_prd;
} spdylay_data;

struct spdylay_outbound_item;

/* What a SYN_STREAM or SYN_REPLY item carries besides its frame. */
typedef struct {
  /* SYN_STREAM: attached to the stream when it is opened. */
  void *stream_user_data;
  /* The body's DATA item, queued once the header frame is sent; NULL if
     the header frame carries FIN. */
  struct spdylay_outbound_item *data_item;
} spdylay_syn_aux;

typedef struct spdylay_outbound_item {
  /* The ints come first, together, so that an item takes 96 bytes (see
     spdylay_stream). */
  /* A spdylay_frame_type, or SPDYLAY_DATA. */
  int type;
  /* SPDYLAY_OB_PRI_CTRL or the stream priority. */
  int pri;
  /* Nonzero for a frame the session queued on its own in answer to the
     peer (PING reply, RST_STREAM, automatic WINDOW_UPDATE): while queued
     it counts against SPDYLAY_OPT_MAX_AUTO_REPLIES. */
  int auto_reply;
  union {
    spdylay_frame ctrl;
    spdylay_data data;
  } frame;
  spdylay_syn_aux aux;
  /* Submission order among equal priorities; renewed each time a DATA
     item is requeued so that streams of one priority take turns. */
  uint64_t seq;
  /* Links DATA items waiting behind a stream's active one. */
  struct spdylay_outbound_item *next;
} spdylay_outbound_item;

/* A zeroed item, or NULL when out of memory. */
spdylay_outbound_item *spdylay_outbound_item_new(int type);

/* Frees the item, what its frame owns, and its aux DATA item.  NULL is
   allowed. */
void spdylay_outbound_item_free(spdylay_outbound_item *item);

/* The queue order: lower priority value first, then lower sequence. */
int spdylay_outbound_item_less(const void *lhs, const void *rhs);

#endif /* SPDYLAY_OUTBOUND_ITEM_H */
