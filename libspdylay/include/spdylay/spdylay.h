/*
 * spdylay.h: the public C API of libspdylay (SPDY/2, SPDY/3, SPDY/3.1).
 *
 * The names, signatures, values and struct layouts follow libspdylay 1.4,
 * so code written for that library compiles unchanged against this one.
 * The library does no I/O of its own: it talks to the network through the
 * send and recv callbacks the application provides.
 *
 * Do not call spdylay_session_send(), spdylay_session_recv() or
 * spdylay_session_mem_recv() from inside a callback: those calls return
 * SPDYLAY_ERR_INVALID_STATE there.  Submitting frames from callbacks is fine.
 */
#ifndef SPDYLAY_H
#define SPDYLAY_H

#ifdef __cplusplus
extern "C" {
#endif

#include <stdlib.h>
#include <stdint.h>
#include <sys/types.h>

#define SPDYLAY_VERSION "1.4.0"

/* Default SETTINGS_MAX_CONCURRENT_STREAMS until the peer says otherwise:
   no limit. */
#define SPDYLAY_INITIAL_MAX_CONCURRENT_STREAMS ((1U << 31) - 1)

/* Initial stream and connection flow-control window (SPDY/3 and later). */
#define SPDYLAY_INITIAL_WINDOW_SIZE 65536

/* The longest scheme and host name a client-certificate origin holds. */
#define SPDYLAY_MAX_SCHEME 255
#define SPDYLAY_MAX_HOSTNAME 255

struct spdylay_session;
typedef struct spdylay_session spdylay_session;

typedef enum {
  SPDYLAY_PROTO_SPDY2 = 2,
  SPDYLAY_PROTO_SPDY3 = 3,
  SPDYLAY_PROTO_SPDY3_1 = 4
} spdylay_proto_version;

typedef enum {
  SPDYLAY_ERR_INVALID_ARGUMENT = -501,
  SPDYLAY_ERR_ZLIB = -502,
  SPDYLAY_ERR_UNSUPPORTED_VERSION = -503,
  SPDYLAY_ERR_WOULDBLOCK = -504,
  SPDYLAY_ERR_PROTO = -505,
  SPDYLAY_ERR_INVALID_FRAME = -506,
  SPDYLAY_ERR_EOF = -507,
  SPDYLAY_ERR_DEFERRED = -508,
  SPDYLAY_ERR_STREAM_ID_NOT_AVAILABLE = -509,
  SPDYLAY_ERR_STREAM_CLOSED = -510,
  SPDYLAY_ERR_STREAM_CLOSING = -511,
  SPDYLAY_ERR_STREAM_SHUT_WR = -512,
  SPDYLAY_ERR_INVALID_STREAM_ID = -513,
  SPDYLAY_ERR_INVALID_STREAM_STATE = -514,
  SPDYLAY_ERR_DEFERRED_DATA_EXIST = -515,
  SPDYLAY_ERR_SYN_STREAM_NOT_ALLOWED = -516,
  SPDYLAY_ERR_GOAWAY_ALREADY_SENT = -517,
  SPDYLAY_ERR_INVALID_HEADER_BLOCK = -518,
  SPDYLAY_ERR_INVALID_STATE = -519,
  SPDYLAY_ERR_GZIP = -520,
  SPDYLAY_ERR_TEMPORAL_CALLBACK_FAILURE = -521,
  SPDYLAY_ERR_FRAME_TOO_LARGE = -522,
  /* Errors below SPDYLAY_ERR_FATAL leave the session unusable. */
  SPDYLAY_ERR_FATAL = -900,
  SPDYLAY_ERR_NOMEM = -901,
  SPDYLAY_ERR_CALLBACK_FAILURE = -902
} spdylay_error;

/* Flags passed to spdylay_send_callback. */
typedef enum {
  /* More data follows this call; the application may delay the write. */
  SPDYLAY_MSG_MORE = 1
} spdylay_io_flag;

typedef enum {
  SPDYLAY_SYN_STREAM = 1,
  SPDYLAY_SYN_REPLY = 2,
  SPDYLAY_RST_STREAM = 3,
  SPDYLAY_SETTINGS = 4,
  /* SPDY/2 only; ignored when received. */
  SPDYLAY_NOOP = 5,
  SPDYLAY_PING = 6,
  SPDYLAY_GOAWAY = 7,
  SPDYLAY_HEADERS = 8,
  /* SPDY/3 and later. */
  SPDYLAY_WINDOW_UPDATE = 9,
  /* SPDY/3 and later. */
  SPDYLAY_CREDENTIAL = 10
} spdylay_frame_type;

typedef enum {
  SPDYLAY_CTRL_FLAG_NONE = 0,
  SPDYLAY_CTRL_FLAG_FIN = 0x1,
  SPDYLAY_CTRL_FLAG_UNIDIRECTIONAL = 0x2
} spdylay_ctrl_flag;

typedef enum {
  SPDYLAY_DATA_FLAG_NONE = 0,
  SPDYLAY_DATA_FLAG_FIN = 0x1
} spdylay_data_flag;

typedef enum {
  SPDYLAY_FLAG_SETTINGS_NONE = 0,
  SPDYLAY_FLAG_SETTINGS_CLEAR_SETTINGS = 1
} spdylay_settings_flag;

typedef enum {
  SPDYLAY_ID_FLAG_SETTINGS_NONE = 0,
  SPDYLAY_ID_FLAG_SETTINGS_PERSIST_VALUE = 1,
  SPDYLAY_ID_FLAG_SETTINGS_PERSISTED = 2
} spdylay_settings_id_flag;

typedef enum {
  SPDYLAY_SETTINGS_UPLOAD_BANDWIDTH = 1,
  SPDYLAY_SETTINGS_DOWNLOAD_BANDWIDTH = 2,
  SPDYLAY_SETTINGS_ROUND_TRIP_TIME = 3,
  SPDYLAY_SETTINGS_MAX_CONCURRENT_STREAMS = 4,
  SPDYLAY_SETTINGS_CURRENT_CWND = 5,
  SPDYLAY_SETTINGS_DOWNLOAD_RETRANS_RATE = 6,
  SPDYLAY_SETTINGS_INITIAL_WINDOW_SIZE = 7,
  SPDYLAY_SETTINGS_CLIENT_CERTIFICATE_VECTOR_SIZE = 8,
  /* The largest known ID. */
  SPDYLAY_SETTINGS_MAX = 8
} spdylay_settings_id;

/* RST_STREAM status codes.  SPDYLAY_OK is never sent; the codes from
   SPDYLAY_STREAM_IN_USE up exist only in SPDY/3 and later. */
typedef enum {
  SPDYLAY_OK = 0,
  SPDYLAY_PROTOCOL_ERROR = 1,
  SPDYLAY_INVALID_STREAM = 2,
  SPDYLAY_REFUSED_STREAM = 3,
  SPDYLAY_UNSUPPORTED_VERSION = 4,
  SPDYLAY_CANCEL = 5,
  SPDYLAY_INTERNAL_ERROR = 6,
  SPDYLAY_FLOW_CONTROL_ERROR = 7,
  SPDYLAY_STREAM_IN_USE = 8,
  SPDYLAY_STREAM_ALREADY_CLOSED = 9,
  SPDYLAY_INVALID_CREDENTIALS = 10,
  SPDYLAY_FRAME_TOO_LARGE = 11
} spdylay_status_code;

/* GOAWAY status codes (SPDY/3 and later; SPDY/2 GOAWAY has none). */
typedef enum {
  SPDYLAY_GOAWAY_OK = 0,
  SPDYLAY_GOAWAY_PROTOCOL_ERROR = 1,
  SPDYLAY_GOAWAY_INTERNAL_ERROR = 2
} spdylay_goaway_status_code;

/* The common part of every control frame. */
typedef struct {
  /* Wire version: 2 or 3 (SPDY/3.1 sends 3). */
  uint16_t version;
  /* One of spdylay_frame_type. */
  uint16_t type;
  uint8_t flags;
  /* Length of the payload that follows the 8-byte head. */
  int32_t length;
} spdylay_ctrl_hd;

/* What every control frame starts with: spdylay_frame's ctrl member gives
   the type of any frame, as frame->ctrl.hd.type. */
typedef struct {
  spdylay_ctrl_hd hd;
} spdylay_ctrl_frame;

/* nv members below are NULL-terminated arrays of alternating names and
   values: nv[0] name, nv[1] value, nv[2] name, ... NULL.  A value may hold
   several values separated by NUL bytes, as the wire format allows. */

typedef struct {
  spdylay_ctrl_hd hd;
  int32_t stream_id;
  int32_t assoc_stream_id;
  /* 0 is the highest priority. */
  uint8_t pri;
  /* CREDENTIAL slot (SPDY/3 and later). */
  uint8_t slot;
  char **nv;
} spdylay_syn_stream;

typedef struct {
  spdylay_ctrl_hd hd;
  int32_t stream_id;
  char **nv;
} spdylay_syn_reply;

typedef struct {
  spdylay_ctrl_hd hd;
  int32_t stream_id;
  char **nv;
} spdylay_headers;

typedef struct {
  spdylay_ctrl_hd hd;
  int32_t stream_id;
  uint32_t status_code;
} spdylay_rst_stream;

typedef struct {
  int32_t settings_id;
  uint8_t flags;
  uint32_t value;
} spdylay_settings_entry;

typedef struct {
  spdylay_ctrl_hd hd;
  size_t niv;
  spdylay_settings_entry *iv;
} spdylay_settings;

typedef struct {
  spdylay_ctrl_hd hd;
  uint32_t unique_id;
} spdylay_ping;

typedef struct {
  spdylay_ctrl_hd hd;
  int32_t last_good_stream_id;
  /* Always 0 in SPDY/2. */
  uint32_t status_code;
} spdylay_goaway;

typedef struct {
  spdylay_ctrl_hd hd;
  /* 0 addresses the connection window (SPDY/3.1). */
  int32_t stream_id;
  int32_t delta_window_size;
} spdylay_window_update;

typedef struct {
  uint8_t *data;
  size_t length;
} spdylay_mem_chunk;

typedef struct {
  spdylay_ctrl_hd hd;
  uint16_t slot;
  spdylay_mem_chunk proof;
  spdylay_mem_chunk *certs;
  size_t ncerts;
} spdylay_credential;

typedef union {
  int fd;
  void *ptr;
} spdylay_data_source;

/*
 * Fills at most |length| bytes of |buf| with body data for |stream_id| and
 * returns how many it wrote.  Setting *eof to 1 marks the last chunk.
 * Returning SPDYLAY_ERR_DEFERRED parks the stream's DATA until
 * spdylay_session_resume_data(); SPDYLAY_ERR_TEMPORAL_CALLBACK_FAILURE
 * resets the stream with INTERNAL_ERROR; SPDYLAY_ERR_CALLBACK_FAILURE fails
 * the whole session.
 */
typedef ssize_t (*spdylay_data_source_read_callback)(
    spdylay_session *session, int32_t stream_id, uint8_t *buf, size_t length,
    int *eof, spdylay_data_source *source, void *user_data);

typedef struct {
  spdylay_data_source source;
  spdylay_data_source_read_callback read_callback;
} spdylay_data_provider;

typedef union {
  spdylay_ctrl_frame ctrl;
  spdylay_syn_stream syn_stream;
  spdylay_syn_reply syn_reply;
  spdylay_rst_stream rst_stream;
  spdylay_settings settings;
  spdylay_ping ping;
  spdylay_goaway goaway;
  spdylay_headers headers;
  spdylay_window_update window_update;
  spdylay_credential credential;
} spdylay_frame;

/* The origin (scheme, host, port) a client certificate is offered for. */
struct spdylay_origin;
typedef struct spdylay_origin spdylay_origin;

const char *spdylay_origin_get_scheme(const spdylay_origin *origin);
const char *spdylay_origin_get_host(const spdylay_origin *origin);
uint16_t spdylay_origin_get_port(const spdylay_origin *origin);

/* Writes up to |length| bytes of |data| to the peer; returns the count
   written, SPDYLAY_ERR_WOULDBLOCK, or SPDYLAY_ERR_CALLBACK_FAILURE. */
typedef ssize_t (*spdylay_send_callback)(spdylay_session *session,
                                         const uint8_t *data, size_t length,
                                         int flags, void *user_data);

/* Reads up to |length| bytes from the peer into |buf|; returns the count,
   SPDYLAY_ERR_WOULDBLOCK, SPDYLAY_ERR_EOF or SPDYLAY_ERR_CALLBACK_FAILURE. */
typedef ssize_t (*spdylay_recv_callback)(spdylay_session *session, uint8_t *buf,
                                         size_t length, int flags,
                                         void *user_data);

typedef void (*spdylay_on_ctrl_recv_callback)(spdylay_session *session,
                                              spdylay_frame_type type,
                                              spdylay_frame *frame,
                                              void *user_data);

/* A well-formed control frame arrived that is not valid in the stream's
   state; |status_code| is the RST_STREAM code the session answered with. */
typedef void (*spdylay_on_invalid_ctrl_recv_callback)(spdylay_session *session,
                                                      spdylay_frame_type type,
                                                      spdylay_frame *frame,
                                                      uint32_t status_code,
                                                      void *user_data);

typedef void (*spdylay_on_data_chunk_recv_callback)(
    spdylay_session *session, uint8_t flags, int32_t stream_id,
    const uint8_t *data, size_t len, void *user_data);

/* A whole DATA frame has been received. */
typedef void (*spdylay_on_data_recv_callback)(spdylay_session *session,
                                              uint8_t flags, int32_t stream_id,
                                              int32_t length, void *user_data);

/* Called just before a control frame is written; stream IDs of SYN_STREAM
   are assigned at this point. */
typedef void (*spdylay_before_ctrl_send_callback)(spdylay_session *session,
                                                  spdylay_frame_type type,
                                                  spdylay_frame *frame,
                                                  void *user_data);

typedef void (*spdylay_on_ctrl_send_callback)(spdylay_session *session,
                                              spdylay_frame_type type,
                                              spdylay_frame *frame,
                                              void *user_data);

/* A queued control frame was dropped; |error_code| says why. */
typedef void (*spdylay_on_ctrl_not_send_callback)(spdylay_session *session,
                                                  spdylay_frame_type type,
                                                  spdylay_frame *frame,
                                                  int error_code,
                                                  void *user_data);

typedef void (*spdylay_on_data_send_callback)(spdylay_session *session,
                                              uint8_t flags, int32_t stream_id,
                                              int32_t length, void *user_data);

typedef void (*spdylay_on_stream_close_callback)(
    spdylay_session *session, int32_t stream_id,
    spdylay_status_code status_code, void *user_data);

/* The peer's request on |stream_id| is complete (FIN received). */
typedef void (*spdylay_on_request_recv_callback)(spdylay_session *session,
                                                 int32_t stream_id,
                                                 void *user_data);

/* Client certificates (SPDY/3 and later, client side).  Before a
   SYN_STREAM to an origin that has no CREDENTIAL slot yet, and if the
   server's SETTINGS_CLIENT_CERTIFICATE_VECTOR_SIZE is nonzero, the session
   asks get_credential_ncerts for the number of certificates (0: send
   none).  get_credential_proof and get_credential_cert are then each called
   twice: first with a zero length (and a NULL buffer) to return the length
   in bytes, then with a buffer of that length to fill.  A negative return
   makes spdylay_session_send() fail with SPDYLAY_ERR_CALLBACK_FAILURE. */
typedef ssize_t (*spdylay_get_credential_proof)(spdylay_session *session,
                                                const spdylay_origin *origin,
                                                uint8_t *proof, size_t prooflen,
                                                void *user_data);

typedef ssize_t (*spdylay_get_credential_ncerts)(spdylay_session *session,
                                                 const spdylay_origin *origin,
                                                 void *user_data);

typedef ssize_t (*spdylay_get_credential_cert)(spdylay_session *session,
                                               const spdylay_origin *origin,
                                               size_t idx, uint8_t *cert,
                                               size_t certlen, void *user_data);

/* A control frame of a known type could not be parsed. */
typedef void (*spdylay_on_ctrl_recv_parse_error_callback)(
    spdylay_session *session, spdylay_frame_type type, const uint8_t *head,
    size_t headlen, const uint8_t *payload, size_t payloadlen, int error_code,
    void *user_data);

/* A control frame of a type this library does not know arrived. */
typedef void (*spdylay_on_unknown_ctrl_recv_callback)(
    spdylay_session *session, const uint8_t *head, size_t headlen,
    const uint8_t *payload, size_t payloadlen, void *user_data);

typedef struct {
  spdylay_send_callback send_callback;
  spdylay_recv_callback recv_callback;
  spdylay_on_ctrl_recv_callback on_ctrl_recv_callback;
  spdylay_on_invalid_ctrl_recv_callback on_invalid_ctrl_recv_callback;
  spdylay_on_data_chunk_recv_callback on_data_chunk_recv_callback;
  spdylay_on_data_recv_callback on_data_recv_callback;
  spdylay_before_ctrl_send_callback before_ctrl_send_callback;
  spdylay_on_ctrl_send_callback on_ctrl_send_callback;
  spdylay_on_ctrl_not_send_callback on_ctrl_not_send_callback;
  spdylay_on_data_send_callback on_data_send_callback;
  spdylay_on_stream_close_callback on_stream_close_callback;
  spdylay_on_request_recv_callback on_request_recv_callback;
  spdylay_get_credential_proof get_credential_proof;
  spdylay_get_credential_ncerts get_credential_ncerts;
  spdylay_get_credential_cert get_credential_cert;
  spdylay_on_ctrl_recv_parse_error_callback on_ctrl_recv_parse_error_callback;
  spdylay_on_unknown_ctrl_recv_callback on_unknown_ctrl_recv_callback;
} spdylay_session_callbacks;

/* Returns 0, SPDYLAY_ERR_UNSUPPORTED_VERSION, SPDYLAY_ERR_ZLIB or
   SPDYLAY_ERR_NOMEM.  |callbacks| is copied. */
int spdylay_session_client_new(spdylay_session **session_ptr, int version,
                               const spdylay_session_callbacks *callbacks,
                               void *user_data);

int spdylay_session_server_new(spdylay_session **session_ptr, int version,
                               const spdylay_session_callbacks *callbacks,
                               void *user_data);

/* Frees the session and everything it holds.  NULL is allowed. */
void spdylay_session_del(spdylay_session *session);

/* Defined when spdylay_opt has the peer-limit options below, which
   libspdylay 1.4 does not. */
#define SPDYLAY_PEER_LIMIT_OPTIONS 1

typedef enum {
  /* int: nonzero stops automatic WINDOW_UPDATE; the application sends them
     with spdylay_submit_window_update(). */
  SPDYLAY_OPT_NO_AUTO_WINDOW_UPDATE = 1,
  /* uint32_t: the most bytes a received control frame may occupy, header
     block decompressed included (default 16 MiB). */
  SPDYLAY_OPT_MAX_RECV_CTRL_FRAME_BUFFER = 2,
  /* int: nonzero makes WINDOW_UPDATE follow only the bytes the application
     reports with spdylay_session_consume(). */
  SPDYLAY_OPT_NO_AUTO_WINDOW_UPDATE2 = 3,
  /*
   * spdylay extensions, not in libspdylay 1.4: bounds on what a peer can
   * make the session spend (see the HTTP/2 advisories CVE-2019-9511..9518
   * and CVE-2023-44487).  Each takes a uint32_t; 0 lifts the bound.
   */
  /* The most bytes of names and values a received header block may
     decode to (default 65536).  Larger blocks are inflated (so the
     compression context stays in step) but not kept: RST_STREAM
     FRAME_TOO_LARGE (PROTOCOL_ERROR in SPDY/2).  A stream's blocks
     (SYN_STREAM or SYN_REPLY, then every HEADERS) count together: a
     HEADERS taking the stream past it goes to on_invalid_ctrl_recv and
     is answered alike.  With both header list bounds set, a block is
     inflated to at most twice 4 + 9 * count + size bytes, what they let
     the session keep of it, whatever the buffer limit: past that, keeping the
     compression context would cost the peer nothing and us its zlib work, so
     the session fails with GOAWAY PROTOCOL_ERROR (on_ctrl_recv_parse_error gets
     SPDYLAY_ERR_ZLIB). */
  SPDYLAY_OPT_MAX_HEADER_LIST_SIZE = 4,
  /* The most name/value entries, NUL-separated values counted one by one,
     a received header block may decode to (default 1000); answered as
     SPDYLAY_OPT_MAX_HEADER_LIST_SIZE. */
  SPDYLAY_OPT_MAX_HEADER_LIST_COUNT = 5,
  /* The most frames the peer makes the session queue on its own (PING
     replies, RST_STREAMs answering bad frames, automatic WINDOW_UPDATEs)
     that may wait unsent (default 1000).  Past it the session fails with
     GOAWAY PROTOCOL_ERROR, or, with SPDYLAY_OPT_AUTO_REPLIES_STOP_READING,
     stops reading until enough of them are sent. */
  SPDYLAY_OPT_MAX_AUTO_REPLIES = 6,
  /* int: nonzero makes SPDYLAY_OPT_MAX_AUTO_REPLIES stop reading instead
     of failing: spdylay_session_want_read() returns 0 and
     spdylay_session_recv() stops calling the recv callback until the
     replies are sent (bytes already read are processed, so the bound
     holds to within one read). */
  SPDYLAY_OPT_AUTO_REPLIES_STOP_READING = 7,
  /* The most entries a received SETTINGS frame may carry (default 32);
     more fail the session with GOAWAY PROTOCOL_ERROR. */
  SPDYLAY_OPT_MAX_SETTINGS_ENTRIES = 8,
  /* How many more streams the peer may open and reset than it lets
     complete (default 1000): each RST_STREAM from the peer on a stream it
     opened spends one, whatever its status code, as does each
     RST_STREAM answering the peer's error on such a stream, refusing a
     SYN_STREAM for its header block or answering DATA on a stream ID
     neither side has opened yet (not DATA on a closed stream); each of its
     streams closing normally (FIN both ways) gives one back.  Past it the
     session fails with GOAWAY PROTOCOL_ERROR. */
  SPDYLAY_OPT_MAX_PEER_RESETS = 9,
  /* How many frames that carry nothing in a row the peer may send
     (default 1000): DATA with no payload and no FIN, HEADERS with no
     header and no FIN.  Past it the session fails with GOAWAY
     PROTOCOL_ERROR. */
  SPDYLAY_OPT_MAX_EMPTY_FRAMES = 10,
  /* How many WINDOW_UPDATEs in a row may leave every stream with DATA
     waiting less than one full DATA frame (4096 bytes) to send, in
     SPDY/3.1 the connection window counted (default 1000).  An update
     concerning no waiting DATA neither counts nor restarts the count; a
     SETTINGS raising INITIAL_WINDOW_SIZE counts once per stream it leaves
     short of a full frame.  Past it the session fails with GOAWAY
     PROTOCOL_ERROR. */
  SPDYLAY_OPT_MAX_SMALL_WINDOW_UPDATES = 11,
  /* The most streams the peer may have open at once (default 1000),
     whether or not SETTINGS_MAX_CONCURRENT_STREAMS was announced (the
     lower of the two applies).  More are refused with RST_STREAM
     REFUSED_STREAM. */
  SPDYLAY_OPT_MAX_INCOMING_STREAMS = 12
} spdylay_opt;

/* Returns 0 or SPDYLAY_ERR_INVALID_ARGUMENT. */
int spdylay_session_set_option(spdylay_session *session, int optname,
                               void *optval, size_t optlen);

/* Remembers the origin of the initial connection, for CREDENTIAL slot 1. */
int spdylay_session_set_initial_client_cert_origin(spdylay_session *session,
                                                   const char *scheme,
                                                   const char *host,
                                                   uint16_t port);

/* The origin CREDENTIAL slot |slot| (1 and up) proves, or NULL if the slot
   is empty or out of range. */
const spdylay_origin *
spdylay_session_get_client_cert_origin(spdylay_session *session, size_t slot);

/* Sends queued frames until the queue is empty or the send callback
   returns SPDYLAY_ERR_WOULDBLOCK.  Returns 0 or a negative error code
   (SPDYLAY_ERR_NOMEM, SPDYLAY_ERR_CALLBACK_FAILURE, SPDYLAY_ERR_INVALID_STATE).
 */
int spdylay_session_send(spdylay_session *session);

/* Reads with the recv callback and processes frames until it would block.
   Returns 0, SPDYLAY_ERR_EOF, or another negative error code. */
int spdylay_session_recv(spdylay_session *session);

/* Processes |inlen| bytes already read; returns how many were consumed
   (all of them unless an error occurred) or a negative error code. */
ssize_t spdylay_session_mem_recv(spdylay_session *session, const uint8_t *in,
                                 size_t inlen);

/* Puts a deferred DATA frame back in the queue.  Returns 0 or
   SPDYLAY_ERR_INVALID_ARGUMENT if there is no such stream or no deferred
   DATA on it. */
int spdylay_session_resume_data(spdylay_session *session, int32_t stream_id);

int spdylay_session_want_read(spdylay_session *session);
int spdylay_session_want_write(spdylay_session *session);

void *spdylay_session_get_stream_user_data(spdylay_session *session,
                                           int32_t stream_id);

/* Returns 0 or SPDYLAY_ERR_INVALID_ARGUMENT if the stream does not exist. */
int spdylay_session_set_stream_user_data(spdylay_session *session,
                                         int32_t stream_id,
                                         void *stream_user_data);

/* Frames waiting to be sent, deferred DATA not counted. */
size_t spdylay_session_get_outbound_queue_size(spdylay_session *session);

/* DATA bytes received on the stream (or, for the connection, in SPDY/3.1)
   and not yet acknowledged by WINDOW_UPDATE; -1 if unknown. */
int32_t spdylay_session_get_stream_recv_data_length(spdylay_session *session,
                                                    int32_t stream_id);
int32_t spdylay_session_get_recv_data_length(spdylay_session *session);

/* With SPDYLAY_OPT_NO_AUTO_WINDOW_UPDATE2: tells the session that |size|
   bytes of |stream_id|'s DATA have been processed, so that its windows can
   be reopened.  Returns 0, SPDYLAY_ERR_INVALID_ARGUMENT,
   SPDYLAY_ERR_INVALID_STATE (option not set) or SPDYLAY_ERR_NOMEM. */
int spdylay_session_consume(spdylay_session *session, int32_t stream_id,
                            size_t size);

/* 3 for SPDY/2, 7 for SPDY/3 and SPDY/3.1. */
uint8_t spdylay_session_get_pri_lowest(spdylay_session *session);

/* Queues GOAWAY and stops reading; the connection should be closed once
   it is sent.  Returns 0 or SPDYLAY_ERR_NOMEM.  From then on (as after a
   session error caused by the peer) the spdylay_submit_* functions return
   SPDYLAY_ERR_INVALID_STATE: nothing queued after the GOAWAY is sent. */
int spdylay_session_fail_session(spdylay_session *session,
                                 uint32_t status_code);

/* A human-readable description of an error code. */
const char *spdylay_strerror(int error_code);

/* SYN_STREAM with the request headers in |nv| (":method", ":scheme",
   ":path", ":version", ":host"), then body DATA from |data_prd| if it is not
   NULL.  The stream ID is assigned when the frame is sent.  Returns 0,
   SPDYLAY_ERR_INVALID_ARGUMENT or SPDYLAY_ERR_NOMEM. */
int spdylay_submit_request(spdylay_session *session, uint8_t pri,
                           const char **nv,
                           const spdylay_data_provider *data_prd,
                           void *stream_user_data);

/* SYN_REPLY with ":status" and ":version", then body DATA from |data_prd|. */
int spdylay_submit_response(spdylay_session *session, int32_t stream_id,
                            const char **nv,
                            const spdylay_data_provider *data_prd);

int spdylay_submit_syn_stream(spdylay_session *session, uint8_t flags,
                              int32_t assoc_stream_id, uint8_t pri,
                              const char **nv, void *stream_user_data);

int spdylay_submit_syn_reply(spdylay_session *session, uint8_t flags,
                             int32_t stream_id, const char **nv);

int spdylay_submit_headers(spdylay_session *session, uint8_t flags,
                           int32_t stream_id, const char **nv);

int spdylay_submit_data(spdylay_session *session, int32_t stream_id,
                        uint8_t flags, const spdylay_data_provider *data_prd);

int spdylay_submit_rst_stream(spdylay_session *session, int32_t stream_id,
                              uint32_t status_code);

int spdylay_submit_ping(spdylay_session *session);

int spdylay_submit_goaway(spdylay_session *session, uint32_t status_code);

/* Stores the settings as local settings and queues SETTINGS.  Returns
   SPDYLAY_ERR_INVALID_ARGUMENT for a duplicate or unknown ID or an
   invalid value. */
int spdylay_submit_settings(spdylay_session *session, uint8_t flags,
                            const spdylay_settings_entry *iv, size_t niv);

/* |delta_window_size| must be in [1, 2^31-1]; |stream_id| 0 addresses the
   connection window in SPDY/3.1.  Returns 0, SPDYLAY_ERR_INVALID_ARGUMENT,
   SPDYLAY_ERR_STREAM_CLOSED or SPDYLAY_ERR_NOMEM. */
int spdylay_submit_window_update(spdylay_session *session, int32_t stream_id,
                                 int32_t delta_window_size);

/* NPN: picks from the server's length-prefixed list |in| the newest SPDY
   version this library speaks, else "http/1.1".  Returns that SPDY version
   (SPDYLAY_PROTO_*), 0 for http/1.1, or -1 when nothing matches (|out| and
   |outlen| are then left alone). */
int spdylay_select_next_protocol(unsigned char **out, unsigned char *outlen,
                                 const unsigned char *in, unsigned int inlen);

/* One NPN protocol this library speaks: its name (|len| bytes, not
   NUL-terminated) and the SPDYLAY_PROTO_* it stands for. */
typedef struct {
  const unsigned char *proto;
  uint8_t len;
  uint16_t version;
} spdylay_npn_proto;

/* The SPDY versions supported, newest first: an array of *len_ptr
   entries. */
const spdylay_npn_proto *spdylay_npn_get_proto_list(size_t *len_ptr);

/* The SPDYLAY_PROTO_* for an NPN protocol string, or 0 if unsupported. */
uint16_t spdylay_npn_get_version(const unsigned char *proto, size_t protolen);

/* Streaming gzip (and zlib) decoder for response bodies. */
struct spdylay_gzip;
typedef struct spdylay_gzip spdylay_gzip;

int spdylay_gzip_inflate_new(spdylay_gzip **inflater_ptr);
void spdylay_gzip_inflate_del(spdylay_gzip *inflater);

/* Inflates from |in| (*inlen_ptr bytes) into |out| (*outlen_ptr bytes);
   on return *outlen_ptr holds the bytes written and *inlen_ptr the bytes
   read.  Returns 0 or SPDYLAY_ERR_GZIP. */
int spdylay_gzip_inflate(spdylay_gzip *inflater, uint8_t *out,
                         size_t *outlen_ptr, const uint8_t *in,
                         size_t *inlen_ptr);

#ifdef __cplusplus
}
#endif

#endif /* SPDYLAY_H */
