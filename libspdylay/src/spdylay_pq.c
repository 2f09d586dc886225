/*
 * spdylay_pq.c: the binary-heap priority queue (see spdylay_pq.h).
 */
#include "spdylay_pq.h"

#define INITIAL_CAPACITY 16

int spdylay_pq_init(spdylay_pq *pq, spdylay_pq_less less)
{
  pq->q = malloc(INITIAL_CAPACITY * sizeof(void *));
  if (pq->q == NULL) {
    return SPDYLAY_ERR_NOMEM;
  }
  pq->length = 0;
  pq->capacity = INITIAL_CAPACITY;
  pq->less = less;
  return 0;
}

void spdylay_pq_free(spdylay_pq *pq)
{
  free(pq->q);
  pq->q = NULL;
}

int spdylay_pq_push(spdylay_pq *pq, void *item)
{
  size_t i;
  if (pq->length == pq->capacity) {
    void **q = realloc(pq->q, pq->capacity * 2 * sizeof(void *));
    if (q == NULL) {
      return SPDYLAY_ERR_NOMEM;
    }
    pq->q = q;
    pq->capacity *= 2;
  }
  i = pq->length++;
  while (i > 0) {
    size_t parent = (i - 1) / 2;
    if (!pq->less(item, pq->q[parent])) {
      break;
    }
    pq->q[i] = pq->q[parent];
    i = parent;
  }
  pq->q[i] = item;
  return 0;
}

void *spdylay_pq_top(spdylay_pq *pq)
{
  return pq->length ? pq->q[0] : NULL;
}

void spdylay_pq_pop(spdylay_pq *pq)
{
  void *last;
  size_t i = 0;
  if (pq->length == 0) {
    return;
  }
  last = pq->q[--pq->length];
  for (;;) {
    size_t child = 2 * i + 1;
    if (child >= pq->length) {
      break;
    }
    if (child + 1 < pq->length && pq->less(pq->q[child + 1], pq->q[child])) {
      ++child;
    }
    if (!pq->less(pq->q[child], last)) {
      break;
    }
    pq->q[i] = pq->q[child];
    i = child;
  }
  pq->q[i] = last;
}

int spdylay_pq_empty(spdylay_pq *pq)
{
  return pq->length == 0;
}

size_t spdylay_pq_size(spdylay_pq *pq)
{
  return pq->length;
}
