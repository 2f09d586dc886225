/*
 * spdylay_client_cert.c: origins, the CREDENTIAL slot vector and the
 * CREDENTIAL frames a client sends (see spdylay_client_cert.h).
 */
#include "spdylay_client_cert.h"

#include <stdlib.h>
#include <string.h>

#include "spdylay_frame.h"
#include "spdylay_session.h"

const char *spdylay_origin_get_scheme(const spdylay_origin *origin)
{
  return origin->scheme;
}

const char *spdylay_origin_get_host(const spdylay_origin *origin)
{
  return origin->host;
}

uint16_t spdylay_origin_get_port(const spdylay_origin *origin)
{
  return origin->port;
}

static int copy_bounded(char *dst, size_t dstlen, const char *src,
                        size_t srclen)
{
  if (srclen >= dstlen) {
    return -1;
  }
  memcpy(dst, src, srclen);
  dst[srclen] = '\0';
  return 0;
}

int spdylay_origin_set(spdylay_origin *origin, const char *scheme,
                       const char *host, uint16_t port)
{
  if (scheme == NULL || host == NULL ||
      copy_bounded(origin->scheme, sizeof(origin->scheme), scheme,
                   strlen(scheme)) != 0 ||
      copy_bounded(origin->host, sizeof(origin->host), host, strlen(host)) !=
          0) {
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
  origin->port = port;
  return 0;
}

static const char *nv_find(char **nv, const char *name)
{
  for (; nv[0]; nv += 2) {
    if (strcmp(nv[0], name) == 0) {
      return nv[1];
    }
  }
  return NULL;
}

/* Parses 1..65535 from exactly |len| decimal digits. */
static int parse_port(uint16_t *port, const char *s, size_t len)
{
  uint32_t n = 0;
  size_t i;
  if (len == 0 || len > 5) {
    return -1;
  }
  for (i = 0; i < len; ++i) {
    if (s[i] < '0' || s[i] > '9') {
      return -1;
    }
    n = n * 10 + (uint32_t)(s[i] - '0');
  }
  if (n == 0 || n > 65535) {
    return -1;
  }
  *port = (uint16_t)n;
  return 0;
}

int spdylay_origin_from_nv(spdylay_origin *origin, char **nv)
{
  const char *scheme = nv_find(nv, ":scheme");
  const char *host = nv_find(nv, ":host");
  const char *colon;
  size_t hostlen;
  if (scheme == NULL || host == NULL ||
      copy_bounded(origin->scheme, sizeof(origin->scheme), scheme,
                   strlen(scheme)) != 0) {
    return -1;
  }
  /* The port follows the last colon, unless that colon is inside an IPv6
     literal ("[::1]"). */
  colon = strrchr(host, ':');
  if (colon && strchr(colon, ']') == NULL) {
    hostlen = (size_t)(colon - host);
    if (parse_port(&origin->port, colon + 1, strlen(colon + 1)) != 0) {
      return -1;
    }
  } else {
    hostlen = strlen(host);
    if (strcmp(scheme, "https") == 0) {
      origin->port = 443;
    } else if (strcmp(scheme, "http") == 0) {
      origin->port = 80;
    } else {
      return -1;
    }
  }
  if (hostlen == 0 ||
      copy_bounded(origin->host, sizeof(origin->host), host, hostlen) != 0) {
    return -1;
  }
  return 0;
}

static int origin_equal(const spdylay_origin *a, const spdylay_origin *b)
{
  return a->port == b->port && strcmp(a->scheme, b->scheme) == 0 &&
         strcmp(a->host, b->host) == 0;
}

/* The peer's vector size may exceed what a SYN_STREAM can name. */
static size_t slots_in_use(size_t size)
{
  return size < SPDYLAY_CLIENT_CERT_MAX_SLOTS ? size
                                              : SPDYLAY_CLIENT_CERT_MAX_SLOTS;
}

void spdylay_client_cert_vector_free(spdylay_client_cert_vector *vec)
{
  size_t i;
  for (i = 0; i < SPDYLAY_CLIENT_CERT_MAX_SLOTS; ++i) {
    free(vec->slots[i]);
    vec->slots[i] = NULL;
  }
}

uint8_t spdylay_client_cert_vector_find(spdylay_client_cert_vector *vec,
                                        const spdylay_origin *origin,
                                        size_t size)
{
  size_t i;
  size = slots_in_use(size);
  for (i = 0; i < size; ++i) {
    if (vec->slots[i] && origin_equal(vec->slots[i], origin)) {
      return (uint8_t)(i + 1);
    }
  }
  return 0;
}

uint8_t spdylay_client_cert_vector_free_slot(spdylay_client_cert_vector *vec,
                                             size_t size)
{
  size_t i;
  size = slots_in_use(size);
  for (i = 0; i < size; ++i) {
    if (vec->slots[i] == NULL) {
      return (uint8_t)(i + 1);
    }
  }
  return 0;
}

int spdylay_client_cert_vector_set(spdylay_client_cert_vector *vec,
                                   uint8_t slot, const spdylay_origin *origin)
{
  spdylay_origin *copy;
  if (slot == 0) {
    return SPDYLAY_ERR_INVALID_ARGUMENT;
  }
  copy = malloc(sizeof(spdylay_origin));
  if (copy == NULL) {
    return SPDYLAY_ERR_NOMEM;
  }
  *copy = *origin;
  free(vec->slots[slot - 1]);
  vec->slots[slot - 1] = copy;
  return 0;
}

/* Each proof and certificate is asked for its length first (a call with a
   zero-length buffer), then for its bytes. */
int spdylay_client_cert_build_credential(spdylay_credential *credential,
                                         spdylay_session *session, uint8_t slot,
                                         const spdylay_origin *origin,
                                         size_t ncerts)
{
  const spdylay_session_callbacks *cb = &session->callbacks;
  /* Slot (2) and proof length (4); the whole must fit a frame. */
  size_t total = 6;
  ssize_t len;
  size_t i;
  credential->hd.version = spdylay_frame_wire_version(session->version);
  credential->hd.type = SPDYLAY_CREDENTIAL;
  credential->slot = slot;
  len = cb->get_credential_proof(session, origin, NULL, 0, session->user_data);
  if (len < 0 || (size_t)len > SPDYLAY_MAX_FRAME_LENGTH - total) {
    return SPDYLAY_ERR_CALLBACK_FAILURE;
  }
  total += (size_t)len;
  if (len > 0) {
    credential->proof.data = malloc((size_t)len);
    if (credential->proof.data == NULL) {
      return SPDYLAY_ERR_NOMEM;
    }
    credential->proof.length = (size_t)len;
    if (cb->get_credential_proof(session, origin, credential->proof.data,
                                 (size_t)len, session->user_data) < 0) {
      return SPDYLAY_ERR_CALLBACK_FAILURE;
    }
  }
  credential->certs = calloc(ncerts, sizeof(spdylay_mem_chunk));
  if (credential->certs == NULL) {
    return SPDYLAY_ERR_NOMEM;
  }
  credential->ncerts = ncerts;
  for (i = 0; i < ncerts; ++i) {
    spdylay_mem_chunk *cert = &credential->certs[i];
    len = cb->get_credential_cert(session, origin, i, NULL, 0,
                                  session->user_data);
    if (len < 0 || (size_t)len > SPDYLAY_MAX_FRAME_LENGTH - total ||
        SPDYLAY_MAX_FRAME_LENGTH - total - (size_t)len < 4) {
      return SPDYLAY_ERR_CALLBACK_FAILURE;
    }
    total += 4 + (size_t)len;
    if (len == 0) {
      continue;
    }
    cert->data = malloc((size_t)len);
    if (cert->data == NULL) {
      return SPDYLAY_ERR_NOMEM;
    }
    cert->length = (size_t)len;
    if (cb->get_credential_cert(session, origin, i, cert->data, (size_t)len,
                                session->user_data) < 0) {
      return SPDYLAY_ERR_CALLBACK_FAILURE;
    }
  }
  return 0;
}
