/*
 * spdylay_gzip.h: the streaming gzip/zlib decoder offered to applications
 * for response bodies.  Its functions are declared in spdylay.h; this
 * header completes the opaque type.
 */
#ifndef SPDYLAY_GZIP_H
#define SPDYLAY_GZIP_H

#include <zlib.h>

#include <spdylay/spdylay.h>

struct spdylay_gzip {
  z_stream zst;
};

#endif /* SPDYLAY_GZIP_H */
