/*
 * spdylay_map.h: the stream table, a hash map from 31-bit stream ID to an
 * entry embedded in the stored object.  Intrusive chaining keeps lookup
 * O(1) and insertion free of allocations except when the table grows.
 */
#ifndef SPDYLAY_MAP_H
#define SPDYLAY_MAP_H

#include <spdylay/spdylay.h>

typedef struct spdylay_map_entry {
  struct spdylay_map_entry *next;
  int32_t key;
} spdylay_map_entry;

typedef struct {
  spdylay_map_entry **table;
  /* Always a power of two. */
  size_t tablelen;
  size_t size;
} spdylay_map;

/* Returns 0 or SPDYLAY_ERR_NOMEM. */
int spdylay_map_init(spdylay_map *map);
/* Frees the table only: the entries belong to their owners. */
void spdylay_map_free(spdylay_map *map);

/* |entry->key| must be set and absent from the map.  Returns 0 or
   SPDYLAY_ERR_NOMEM (the map is then unchanged). */
int spdylay_map_insert(spdylay_map *map, spdylay_map_entry *entry);
spdylay_map_entry *spdylay_map_find(spdylay_map *map, int32_t key);
/* Returns the removed entry or NULL if |key| was absent. */
spdylay_map_entry *spdylay_map_remove(spdylay_map *map, int32_t key);
size_t spdylay_map_size(spdylay_map *map);

/* Calls |func| for every entry, stopping at the first nonzero return,
   which is passed back.  |func| may remove the entry it is given (and free
   it) but must not otherwise change the map. */
int spdylay_map_each(spdylay_map *map,
                     int (*func)(spdylay_map_entry *entry, void *ptr),
                     void *ptr);

#endif /* SPDYLAY_MAP_H */
