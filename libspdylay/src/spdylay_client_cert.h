/*
 * spdylay_client_cert.h: client-certificate origins (scheme, host, port)
 * and the client's vector of CREDENTIAL slots (SPDY/3 and later): which
 * origin each slot proves, so a SYN_STREAM can name the slot of its
 * origin, and which origins still need a CREDENTIAL frame.
 */
#ifndef SPDYLAY_CLIENT_CERT_H
#define SPDYLAY_CLIENT_CERT_H

#include <spdylay/spdylay.h>

/* Buffer sizes: the public limits plus the terminating NUL. */
#define SPDYLAY_ORIGIN_MAX_SCHEME (SPDYLAY_MAX_SCHEME + 1)
#define SPDYLAY_ORIGIN_MAX_HOST (SPDYLAY_MAX_HOSTNAME + 1)
/* SYN_STREAM's slot field is 8 bits wide; slot 0 means "no credential". */
#define SPDYLAY_CLIENT_CERT_MAX_SLOTS 255

struct spdylay_origin {
  char scheme[SPDYLAY_ORIGIN_MAX_SCHEME];
  char host[SPDYLAY_ORIGIN_MAX_HOST];
  uint16_t port;
};

/* Returns 0, or SPDYLAY_ERR_INVALID_ARGUMENT if a string is NULL or does
   not fit. */
int spdylay_origin_set(spdylay_origin *origin, const char *scheme,
                       const char *host, uint16_t port);

/* The origin of a request from its ":scheme" and ":host" (with port, or
   the scheme's default port for http and https).  Returns 0, or -1 when
   |nv| does not name a usable origin. */
int spdylay_origin_from_nv(spdylay_origin *origin, char **nv);

typedef struct {
  /* slots[i] holds slot i+1; NULL when free. */
  spdylay_origin *slots[SPDYLAY_CLIENT_CERT_MAX_SLOTS];
} spdylay_client_cert_vector;

void spdylay_client_cert_vector_free(spdylay_client_cert_vector *vec);

/* The slot (1..|size|) holding |origin|, or 0. */
uint8_t spdylay_client_cert_vector_find(spdylay_client_cert_vector *vec,
                                        const spdylay_origin *origin,
                                        size_t size);

/* The first free slot among 1..|size|, or 0 when all are taken. */
uint8_t spdylay_client_cert_vector_free_slot(spdylay_client_cert_vector *vec,
                                             size_t size);

/* Stores a copy of |origin| in |slot| (1..255), replacing any.  Returns 0
   or SPDYLAY_ERR_NOMEM. */
int spdylay_client_cert_vector_set(spdylay_client_cert_vector *vec,
                                   uint8_t slot, const spdylay_origin *origin);

/* Fills the zeroed |credential| with a CREDENTIAL frame claiming |slot|
   for |origin|, with the proof and the |ncerts| certificates that
   |session|'s get_credential_proof and get_credential_cert callbacks give.
   Returns 0, SPDYLAY_ERR_NOMEM, or SPDYLAY_ERR_CALLBACK_FAILURE when a
   callback fails or the frame would exceed the 24-bit length; on error
   |credential| may own memory that spdylay_frame_free() releases. */
int spdylay_client_cert_build_credential(spdylay_credential *credential,
                                         spdylay_session *session, uint8_t slot,
                                         const spdylay_origin *origin,
                                         size_t ncerts);

#endif /* SPDYLAY_CLIENT_CERT_H */
