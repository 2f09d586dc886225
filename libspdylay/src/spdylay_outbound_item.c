/*
 * spdylay_outbound_item.c: queued outgoing frames (see
 * spdylay_outbound_item.h).
 */
#include "spdylay_outbound_item.h"

#include <string.h>

#include "spdylay_frame.h"

/* Not calloc: glibc's calloc passes its per-thread cache by, and items
   come and go several times per stream. */
spdylay_outbound_item *spdylay_outbound_item_new(int type)
{
  spdylay_outbound_item *item = malloc(sizeof(spdylay_outbound_item));
  if (item) {
    memset(item, 0, sizeof(*item));
    item->type = type;
  }
  return item;
}

void spdylay_outbound_item_free(spdylay_outbound_item *item)
{
  if (item == NULL) {
    return;
  }
  if (item->type != SPDYLAY_DATA) {
    spdylay_frame_free((spdylay_frame_type)item->type, &item->frame.ctrl);
  }
  spdylay_outbound_item_free(item->aux.data_item);
  free(item);
}

int spdylay_outbound_item_less(const void *lhs, const void *rhs)
{
  const spdylay_outbound_item *a = lhs;
  const spdylay_outbound_item *b = rhs;
  if (a->pri != b->pri) {
    return a->pri < b->pri;
  }
  return a->seq < b->seq;
}
