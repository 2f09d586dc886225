/*
 * spdylay_npn.h: NPN protocol negotiation.  The functions are public and
 * declared in spdylay.h; this header names the protocol strings the
 * library advertises so that the core and its tests agree on them.
 */
#ifndef SPDYLAY_NPN_H
#define SPDYLAY_NPN_H

#include <spdylay/spdylay.h>

#define SPDYLAY_NPN_SPDY3_1 "spdy/3.1"
#define SPDYLAY_NPN_SPDY3 "spdy/3"
#define SPDYLAY_NPN_SPDY2 "spdy/2"
#define SPDYLAY_NPN_HTTP1_1 "http/1.1"

#endif /* SPDYLAY_NPN_H */
