/*
 * spdylay_npn.c: choosing and naming the SPDY version over NPN.
 */
#include "spdylay_npn.h"

#include <string.h>

#define STR_LEN(S) (sizeof(S) - 1)

/* Newest first, the order a client prefers them in. */
static const spdylay_npn_proto proto_list[] = {
    {(const unsigned char *)SPDYLAY_NPN_SPDY3_1, STR_LEN(SPDYLAY_NPN_SPDY3_1),
     SPDYLAY_PROTO_SPDY3_1},
    {(const unsigned char *)SPDYLAY_NPN_SPDY3, STR_LEN(SPDYLAY_NPN_SPDY3),
     SPDYLAY_PROTO_SPDY3},
    {(const unsigned char *)SPDYLAY_NPN_SPDY2, STR_LEN(SPDYLAY_NPN_SPDY2),
     SPDYLAY_PROTO_SPDY2}};

static int proto_equals(const unsigned char *proto, size_t protolen,
                        const char *name, size_t namelen)
{
  return protolen == namelen && memcmp(proto, name, namelen) == 0;
}

uint16_t spdylay_npn_get_version(const unsigned char *proto, size_t protolen)
{
  if (proto == NULL) {
    return 0;
  }
  if (proto_equals(proto, protolen, SPDYLAY_NPN_SPDY3_1,
                   STR_LEN(SPDYLAY_NPN_SPDY3_1))) {
    return SPDYLAY_PROTO_SPDY3_1;
  }
  if (proto_equals(proto, protolen, SPDYLAY_NPN_SPDY3,
                   STR_LEN(SPDYLAY_NPN_SPDY3))) {
    return SPDYLAY_PROTO_SPDY3;
  }
  if (proto_equals(proto, protolen, SPDYLAY_NPN_SPDY2,
                   STR_LEN(SPDYLAY_NPN_SPDY2))) {
    return SPDYLAY_PROTO_SPDY2;
  }
  return 0;
}

const spdylay_npn_proto *spdylay_npn_get_proto_list(size_t *len_ptr)
{
  *len_ptr = sizeof(proto_list) / sizeof(proto_list[0]);
  return proto_list;
}

int spdylay_select_next_protocol(unsigned char **out, unsigned char *outlen,
                                 const unsigned char *in, unsigned int inlen)
{
  /* -1: nothing usable yet, 0: http/1.1, else the SPDY version. */
  int best = -1;
  const unsigned char *best_proto = NULL;
  unsigned char best_len = 0;
  unsigned int i = 0;

  if (in == NULL) {
    return -1;
  }
  /* A length running past the end ends the list: what it claims is not
     there to be read. */
  while (i < inlen && in[i] <= inlen - i - 1) {
    const unsigned char *proto = in + i + 1;
    unsigned char len = in[i];
    int candidate = spdylay_npn_get_version(proto, len);
    if (candidate == 0 && !proto_equals(proto, len, SPDYLAY_NPN_HTTP1_1,
                                        STR_LEN(SPDYLAY_NPN_HTTP1_1))) {
      candidate = -1;
    }
    if (candidate > best) {
      best = candidate;
      best_proto = proto;
      best_len = len;
    }
    i += 1u + len;
  }
  if (best >= 0) {
    *out = (unsigned char *)best_proto;
    *outlen = best_len;
  }
  return best;
}
