/*
 * spdylay_helper.c: network byte order, the growable buffer every packer
 * writes into, and the text behind spdylay_strerror().
 */
#include "spdylay_helper.h"

#include <stddef.h>
#include <stdint.h>

/* Small frames are the common case: start big enough that a session's
   buffers rarely grow again. */
#define SPDYLAY_BUFFER_MIN_CAPACITY 4096

void spdylay_put_uint16be(uint8_t *buf, uint16_t n)
{
  buf[0] = (uint8_t)(n >> 8);
  buf[1] = (uint8_t)n;
}

void spdylay_put_uint32be(uint8_t *buf, uint32_t n)
{
  buf[0] = (uint8_t)(n >> 24);
  buf[1] = (uint8_t)(n >> 16);
  buf[2] = (uint8_t)(n >> 8);
  buf[3] = (uint8_t)n;
}

uint16_t spdylay_get_uint16(const uint8_t *data)
{
  return (uint16_t)((data[0] << 8) | data[1]);
}

uint32_t spdylay_get_uint32(const uint8_t *data)
{
  return ((uint32_t)data[0] << 24) | ((uint32_t)data[1] << 16) |
         ((uint32_t)data[2] << 8) | (uint32_t)data[3];
}

int spdylay_reserve_buffer(uint8_t **buf_ptr, size_t *buflen_ptr,
                           size_t min_length)
{
  size_t newlen;
  uint8_t *buf;
  if (*buflen_ptr >= min_length) {
    return 0;
  }
  /* No object may be larger than PTRDIFF_MAX; do not even ask. */
  if (min_length > (size_t)PTRDIFF_MAX) {
    return SPDYLAY_ERR_NOMEM;
  }
  newlen = spdylay_min(*buflen_ptr * 2, (size_t)PTRDIFF_MAX);
  newlen = spdylay_max(newlen, min_length);
  newlen = spdylay_max(newlen, (size_t)SPDYLAY_BUFFER_MIN_CAPACITY);
  buf = realloc(*buf_ptr, newlen);
  if (buf == NULL) {
    return SPDYLAY_ERR_NOMEM;
  }
  *buf_ptr = buf;
  *buflen_ptr = newlen;
  return 0;
}

const char *spdylay_strerror(int error_code)
{
  switch (error_code) {
  case 0:
    return "Success";
  case SPDYLAY_ERR_INVALID_ARGUMENT:
    return "Invalid argument";
  case SPDYLAY_ERR_ZLIB:
    return "Zlib error";
  case SPDYLAY_ERR_UNSUPPORTED_VERSION:
    return "Unsupported SPDY version";
  case SPDYLAY_ERR_WOULDBLOCK:
    return "Operation would block";
  case SPDYLAY_ERR_PROTO:
    return "Protocol error";
  case SPDYLAY_ERR_INVALID_FRAME:
    return "Invalid frame octets";
  case SPDYLAY_ERR_EOF:
    return "EOF";
  case SPDYLAY_ERR_DEFERRED:
    return "Data transfer deferred";
  case SPDYLAY_ERR_STREAM_ID_NOT_AVAILABLE:
    return "No more Stream ID available";
  case SPDYLAY_ERR_STREAM_CLOSED:
    return "Stream was already closed or invalid";
  case SPDYLAY_ERR_STREAM_CLOSING:
    return "Stream is closing";
  case SPDYLAY_ERR_STREAM_SHUT_WR:
    return "The transmission is not allowed for this stream";
  case SPDYLAY_ERR_INVALID_STREAM_ID:
    return "Stream ID is invalid";
  case SPDYLAY_ERR_INVALID_STREAM_STATE:
    return "Invalid stream state";
  case SPDYLAY_ERR_DEFERRED_DATA_EXIST:
    return "Another DATA frame has already been deferred";
  case SPDYLAY_ERR_SYN_STREAM_NOT_ALLOWED:
    return "SYN_STREAM is not allowed";
  case SPDYLAY_ERR_GOAWAY_ALREADY_SENT:
    return "GOAWAY has already been sent";
  case SPDYLAY_ERR_INVALID_HEADER_BLOCK:
    return "Invalid header block";
  case SPDYLAY_ERR_INVALID_STATE:
    return "Invalid state";
  case SPDYLAY_ERR_GZIP:
    return "Gzip error";
  case SPDYLAY_ERR_TEMPORAL_CALLBACK_FAILURE:
    return "The user callback function failed due to the temporal error";
  case SPDYLAY_ERR_FRAME_TOO_LARGE:
    return "The frame is too large";
  case SPDYLAY_ERR_FATAL:
    return "Fatal error";
  case SPDYLAY_ERR_NOMEM:
    return "Out of memory";
  case SPDYLAY_ERR_CALLBACK_FAILURE:
    return "The user callback function failed";
  default:
    return "Unknown error code";
  }
}
