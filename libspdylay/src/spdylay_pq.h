/*
 * spdylay_pq.h: a binary-heap priority queue of pointers, ordered by a
 * caller-supplied "less" function; the least element is on top.
 */
#ifndef SPDYLAY_PQ_H
#define SPDYLAY_PQ_H

#include <spdylay/spdylay.h>

typedef int (*spdylay_pq_less)(const void *lhs, const void *rhs);

typedef struct {
  void **q;
  size_t length;
  size_t capacity;
  spdylay_pq_less less;
} spdylay_pq;

/* Returns 0 or SPDYLAY_ERR_NOMEM. */
int spdylay_pq_init(spdylay_pq *pq, spdylay_pq_less less);
/* Frees the heap only: the elements belong to the caller. */
void spdylay_pq_free(spdylay_pq *pq);

/* Returns 0 or SPDYLAY_ERR_NOMEM (the queue is then unchanged). */
int spdylay_pq_push(spdylay_pq *pq, void *item);
/* The least element, or NULL when empty. */
void *spdylay_pq_top(spdylay_pq *pq);
/* Removes the least element; no-op when empty. */
void spdylay_pq_pop(spdylay_pq *pq);
int spdylay_pq_empty(spdylay_pq *pq);
size_t spdylay_pq_size(spdylay_pq *pq);

#endif /* SPDYLAY_PQ_H */
