/*
 * spdylay_helper.h: byte-order helpers, growable buffers and the error
 * strings shared by every part of the core.
 */
#ifndef SPDYLAY_HELPER_H
#define SPDYLAY_HELPER_H

#include <spdylay/spdylay.h>

#define spdylay_min(A, B) ((A) < (B) ? (A) : (B))
#define spdylay_max(A, B) ((A) > (B) ? (A) : (B))

/* Big-endian (network order) stores and loads. */
void spdylay_put_uint16be(uint8_t *buf, uint16_t n);
void spdylay_put_uint32be(uint8_t *buf, uint32_t n);
uint16_t spdylay_get_uint16(const uint8_t *data);
uint32_t spdylay_get_uint32(const uint8_t *data);

/* Makes *buf_ptr (capacity *buflen_ptr) hold at least |min_length| bytes,
   growing it geometrically; contents are kept.  Returns 0 or
   SPDYLAY_ERR_NOMEM (the old buffer is then untouched). */
int spdylay_reserve_buffer(uint8_t **buf_ptr, size_t *buflen_ptr,
                           size_t min_length);

#endif /* SPDYLAY_HELPER_H */
