/*
 * spdylay_gzip.c: inflating gzip- or zlib-encoded bodies piece by piece.
 */
#include "spdylay_gzip.h"

#include <limits.h>

#include "spdylay_helper.h"

/* 15-bit window, plus 32: detect a gzip or a zlib header by itself. */
#define SPDYLAY_GZIP_WINDOW_BITS (15 + 32)

int spdylay_gzip_inflate_new(spdylay_gzip **inflater_ptr)
{
  spdylay_gzip *inflater = calloc(1, sizeof(spdylay_gzip));
  int rv;
  if (inflater == NULL) {
    return SPDYLAY_ERR_NOMEM;
  }
  rv = inflateInit2(&inflater->zst, SPDYLAY_GZIP_WINDOW_BITS);
  if (rv != Z_OK) {
    free(inflater);
    return rv == Z_MEM_ERROR ? SPDYLAY_ERR_NOMEM : SPDYLAY_ERR_GZIP;
  }
  *inflater_ptr = inflater;
  return 0;
}

void spdylay_gzip_inflate_del(spdylay_gzip *inflater)
{
  if (inflater == NULL) {
    return;
  }
  inflateEnd(&inflater->zst);
  free(inflater);
}

int spdylay_gzip_inflate(spdylay_gzip *inflater, uint8_t *out,
                         size_t *outlen_ptr, const uint8_t *in,
                         size_t *inlen_ptr)
{
  z_stream *zst = &inflater->zst;
  size_t outlen = spdylay_min(*outlen_ptr, (size_t)UINT_MAX);
  size_t inlen = spdylay_min(*inlen_ptr, (size_t)UINT_MAX);
  int rv;

  zst->next_in = (Bytef *)in;
  zst->avail_in = (uInt)inlen;
  zst->next_out = out;
  zst->avail_out = (uInt)outlen;
  for (;;) {
    rv = inflate(zst, Z_NO_FLUSH);
    if (rv == Z_STREAM_END && zst->avail_in != 0) {
      /* A body may hold several gzip members back to back. */
      if (inflateReset(zst) != Z_OK) {
        return SPDYLAY_ERR_GZIP;
      }
      continue;
    }
    break;
  }
  switch (rv) {
  case Z_OK:
  case Z_STREAM_END:
  case Z_BUF_ERROR:
    *outlen_ptr = outlen - zst->avail_out;
    *inlen_ptr = inlen - zst->avail_in;
    return 0;
  default:
    return SPDYLAY_ERR_GZIP;
  }
}
