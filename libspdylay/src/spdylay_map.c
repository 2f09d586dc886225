/*
 * spdylay_map.c: the stream ID hash map (see spdylay_map.h).
 */
#include "spdylay_map.h"

#include <string.h>

#define INITIAL_TABLE_LENGTH 16

/* Fibonacci hashing: stream IDs advance by 2, so the low bits alone would
   leave half the buckets empty. */
static size_t bucket_of(int32_t key, size_t tablelen)
{
  uint32_t h = (uint32_t)key * 2654435769u;
  return (size_t)(h ^ (h >> 16)) & (tablelen - 1);
}

int spdylay_map_init(spdylay_map *map)
{
  map->table = calloc(INITIAL_TABLE_LENGTH, sizeof(spdylay_map_entry *));
  if (map->table == NULL) {
    return SPDYLAY_ERR_NOMEM;
  }
  map->tablelen = INITIAL_TABLE_LENGTH;
  map->size = 0;
  return 0;
}

void spdylay_map_free(spdylay_map *map)
{
  free(map->table);
  map->table = NULL;
}

static int grow(spdylay_map *map)
{
  size_t newlen = map->tablelen * 2;
  spdylay_map_entry **newtable;
  size_t i;
  newtable = calloc(newlen, sizeof(spdylay_map_entry *));
  if (newtable == NULL) {
    return SPDYLAY_ERR_NOMEM;
  }
  for (i = 0; i < map->tablelen; ++i) {
    spdylay_map_entry *entry = map->table[i];
    while (entry) {
      spdylay_map_entry *next = entry->next;
      size_t b = bucket_of(entry->key, newlen);
      entry->next = newtable[b];
      newtable[b] = entry;
      entry = next;
    }
  }
  free(map->table);
  map->table = newtable;
  map->tablelen = newlen;
  return 0;
}

int spdylay_map_insert(spdylay_map *map, spdylay_map_entry *entry)
{
  size_t b;
  /* Keep the load factor under 3/4 so chains stay short. */
  if ((map->size + 1) * 4 > map->tablelen * 3) {
    int rv = grow(map);
    if (rv != 0) {
      return rv;
    }
  }
  b = bucket_of(entry->key, map->tablelen);
  entry->next = map->table[b];
  map->table[b] = entry;
  ++map->size;
  return 0;
}

spdylay_map_entry *spdylay_map_find(spdylay_map *map, int32_t key)
{
  spdylay_map_entry *entry = map->table[bucket_of(key, map->tablelen)];
  while (entry && entry->key != key) {
    entry = entry->next;
  }
  return entry;
}

spdylay_map_entry *spdylay_map_remove(spdylay_map *map, int32_t key)
{
  spdylay_map_entry **link = &map->table[bucket_of(key, map->tablelen)];
  while (*link) {
    spdylay_map_entry *entry = *link;
    if (entry->key == key) {
      *link = entry->next;
      --map->size;
      return entry;
    }
    link = &entry->next;
  }
  return NULL;
}

size_t spdylay_map_size(spdylay_map *map)
{
  return map->size;
}

int spdylay_map_each(spdylay_map *map,
                     int (*func)(spdylay_map_entry *entry, void *ptr),
                     void *ptr)
{
  size_t i;
  for (i = 0; i < map->tablelen; ++i) {
    spdylay_map_entry *entry = map->table[i];
    while (entry) {
      /* Read before the call: |func| may unlink and free |entry|. */
      spdylay_map_entry *next = entry->next;
      int rv = func(entry, ptr);
      if (rv != 0) {
        return rv;
      }
      entry = next;
    }
  }
  return 0;
}
