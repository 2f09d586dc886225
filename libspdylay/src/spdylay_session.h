/*
 * spdylay_session.h: the SPDY session state machine: stream table,
 * outbound queues and the frame being written, the incremental reader of
 * inbound frames, settings, flow-control windows and the GOAWAY state.
 * The spdylay_session_* functions of the public API live in
 * spdylay_session.c; the internal ones below serve spdylay_submit.c.
 */
#ifndef SPDYLAY_SESSION_H
#define SPDYLAY_SESSION_H

#include <spdylay/spdylay.h>

#include "spdylay_client_cert.h"
#include "spdylay_data_frame_buffer.h"
#include "spdylay_map.h"
#include "spdylay_nv.h"
#include "spdylay_outbound_item.h"
#include "spdylay_pq.h"
#include "spdylay_stream.h"
#include "spdylay_zlib.h"

typedef enum {
  /* Reading the 8-byte head of the next frame. */
  SPDYLAY_RECV_HEAD,
  /* Buffering a control frame's payload. */
  SPDYLAY_RECV_CTRL_PAYLOAD,
  /* Handing a DATA payload to the application as it arrives. */
  SPDYLAY_RECV_DATA_PAYLOAD,
  /* Discarding a payload too large to buffer. */
  SPDYLAY_RECV_SKIP_PAYLOAD
} spdylay_inbound_state;

typedef struct {
  spdylay_inbound_state state;
  uint8_t head[8];
  size_t headoff;
  /* Control-frame payload buffer, reused from frame to frame. */
  uint8_t *buf;
  size_t bufcap;
  size_t payloadlen;
  size_t payloadoff;
  /* The DATA frame being read. */
  int32_t data_stream_id;
  uint8_t data_flags;
  /* Zero when the DATA payload is being dropped. */
  int data_deliver;
  /* The header block of the control frame last unpacked, as the header
     list limits count it (counted once, while parsing). */
  spdylay_nv_list_size header_list_size;
} spdylay_inbound_frame;

typedef struct {
  /* The frame being written, NULL when none. */
  spdylay_outbound_item *item;
  /* Where the frame being written lies: |framebuf|, or for a DATA frame
     the buffer the data frame buffer callback gave. */
  uint8_t *frame;
  /* Outgoing frame buffer, reused from frame to frame. */
  uint8_t *framebuf;
  size_t framebufcap;
  size_t framebuflen;
  size_t framebufoff;
  /* For a DATA item: the frame's flags, payload length and whether the
     read callback reached eof. */
  uint8_t data_flags;
  int32_t data_length;
  int data_eof;
} spdylay_active_outbound;

typedef enum {
  SPDYLAY_GOAWAY_NONE = 0,
  SPDYLAY_GOAWAY_SENT = 0x1,
  SPDYLAY_GOAWAY_RECEIVED = 0x2,
  /* fail_session or a session error: input is ignored from now on and the
     connection is over once the GOAWAY is out. */
  SPDYLAY_GOAWAY_FAILING = 0x4
} spdylay_goaway_flag;

/* Room for settings IDs 1..SPDYLAY_SETTINGS_MAX used as indexes. */
#define SPDYLAY_SETTINGS_COUNT (SPDYLAY_SETTINGS_MAX + 1)

typedef enum {
  SPDYLAY_OPTMASK_NO_AUTO_WINDOW_UPDATE = 0x1,
  SPDYLAY_OPTMASK_NO_AUTO_WINDOW_UPDATE2 = 0x2,
  SPDYLAY_OPTMASK_AUTO_REPLIES_STOP_READING = 0x4
} spdylay_optmask;

/* Defaults of the bounds on what a peer can make the session spend
   (the spdylay extension options of spdylay.h). */
#define SPDYLAY_DEFAULT_MAX_HEADER_LIST_SIZE 65536
#define SPDYLAY_DEFAULT_MAX_HEADER_LIST_COUNT 1000
#define SPDYLAY_DEFAULT_MAX_AUTO_REPLIES 1000
#define SPDYLAY_DEFAULT_MAX_SETTINGS_ENTRIES 32
#define SPDYLAY_DEFAULT_MAX_PEER_RESETS 1000
#define SPDYLAY_DEFAULT_MAX_EMPTY_FRAMES 1000
#define SPDYLAY_DEFAULT_MAX_SMALL_WINDOW_UPDATES 1000
#define SPDYLAY_DEFAULT_MAX_INCOMING_STREAMS 1000
/* A header block may inflate to this many times what the header list
   limits let the session keep of it (4 + 9 * count + size bytes); past
   that the session fails.  The blocks in between are refused with
   RST_STREAM FRAME_TOO_LARGE. */
#define SPDYLAY_HEADER_BLOCK_INFLATE_FACTOR 2

/* The bounds themselves (0: none) and what the peer has spent of them. */
typedef struct {
  uint32_t max_header_list_size;
  uint32_t max_header_list_count;
  uint32_t max_auto_replies;
  uint32_t max_settings_entries;
  uint32_t max_peer_resets;
  uint32_t max_empty_frames;
  uint32_t max_small_window_updates;
  uint32_t max_incoming_streams;
  /* Queued frames with auto_reply set. */
  size_t auto_replies;
  /* Streams the peer opened and reset (or had us reset, or sent DATA on
     without opening), less those it let complete. */
  uint32_t peer_resets;
  /* Frames in a row that carried nothing. */
  uint32_t empty_frames;
  /* WINDOW_UPDATEs in a row that left less than a full DATA frame. */
  uint32_t small_window_updates;
} spdylay_peer_limits;

struct spdylay_session {
  /* SPDYLAY_PROTO_SPDY2, _SPDY3 or _SPDY3_1. */
  uint16_t version;
  int server;
  spdylay_session_callbacks callbacks;
  /* See spdylay_data_frame_buffer.h; NULL when not set. */
  spdylay_data_frame_buffer_callback data_frame_buffer_callback;
  void *user_data;

  spdylay_map streams;
  /* The stream found last, or NULL: DATA frames look their stream up
     several times each, nearly always the same one. */
  spdylay_stream *last_stream;
  /* Open streams we initiated / the peer initiated. */
  size_t num_outgoing_streams;
  size_t num_incoming_streams;

  /* Every queued frame except SYN_STREAM. */
  spdylay_pq ob_pq;
  /* SYN_STREAMs, released as MAX_CONCURRENT_STREAMS allows. */
  spdylay_pq ob_ss_pq;
  uint64_t next_seq;
  spdylay_active_outbound aob;
  /* The control frame on_ctrl_not_send_callback is being told about, NULL
     outside that callback (see spdylay_not_sent.h). */
  spdylay_outbound_item *not_sent_item;

  spdylay_inbound_frame iframe;
  /* Scratch space the header-block inflater works in. */
  uint8_t *inflatebuf;
  size_t inflatebuflen;
  /* The nv of the control frame being received: reused from frame to
     frame, so that a received header list costs no allocation. */
  uint8_t *recv_nvbuf;
  size_t recv_nvbuflen;

  spdylay_zlib deflater;
  spdylay_zlib inflater;

  /* The next ID for a stream we open; past 2^31-1 none is left. */
  int64_t next_stream_id;
  /* The highest peer-initiated stream ID seen in a SYN_STREAM. */
  int32_t last_recv_stream_id;
  /* The highest peer-initiated stream ID accepted: GOAWAY's
     last-good-stream-id. */
  int32_t last_good_stream_id;
  uint32_t next_unique_id;
  uint8_t goaway_flags;
  /* Nonzero inside send, recv or mem_recv: they refuse to nest. */
  int entered;

  /* Indexed by settings ID. */
  uint32_t remote_settings[SPDYLAY_SETTINGS_COUNT];
  uint32_t local_settings[SPDYLAY_SETTINGS_COUNT];
  /* The largest SETTINGS_INITIAL_WINDOW_SIZE we have announced: what new
     streams' receive windows start from (see
     spdylay_session_update_local_settings()). */
  uint32_t enforced_recv_window;

  /* Connection-level flow control (SPDY/3.1), as for streams. */
  int32_t send_window;
  int32_t recv_window;
  int32_t recv_unacked;
  int32_t recv_unconsumed;

  uint8_t opt_flags;
  size_t max_recv_ctrl_frame_buf;
  spdylay_peer_limits limits;

  spdylay_client_cert_vector cli_certvec;
};

/* The stream or NULL; streams in state CLOSING are returned too. */
spdylay_stream *spdylay_session_get_stream(spdylay_session *session,
                                           int32_t stream_id);

/* Nonzero if |stream_id| has the parity of the streams this side opens. */
int spdylay_session_is_my_stream_id(spdylay_session *session,
                                    int32_t stream_id);

/* Nonzero if a server may push a stream associated with |assoc_stream_id|:
   an open (not CLOSING) stream that the client opened.  The server asks
   when submitting a push, the client when receiving one. */
int spdylay_session_valid_push_assoc(spdylay_session *session,
                                     int32_t assoc_stream_id);

/* Queues |item| (its pri already set for DATA and SYN_STREAM), giving it the
   next sequence number; the queue owns it on success.  Returns 0 or
   SPDYLAY_ERR_NOMEM. */
int spdylay_session_add_item(spdylay_session *session,
                             spdylay_outbound_item *item);
/* The same, freeing |item| when it cannot be queued. */
int spdylay_session_add_item_or_free(spdylay_session *session,
                                     spdylay_outbound_item *item);

/* Queue a control frame built from the arguments.  RST_STREAM also puts
   the stream, if open, in state CLOSING.  Return 0 or SPDYLAY_ERR_NOMEM. */
int spdylay_session_add_rst_stream(spdylay_session *session, int32_t stream_id,
                                   uint32_t status_code);
int spdylay_session_add_ping(spdylay_session *session, uint32_t unique_id);
int spdylay_session_add_goaway(spdylay_session *session, uint32_t status_code);
int spdylay_session_add_window_update(spdylay_session *session,
                                      int32_t stream_id,
                                      int32_t delta_window_size);

/* Applies settings we announce: local MAX_CONCURRENT_STREAMS limits the
   peer's streams, local INITIAL_WINDOW_SIZE resizes our receive windows.
   |iv| must already be validated. */
void spdylay_session_update_local_settings(spdylay_session *session,
                                           uint8_t flags,
                                           const spdylay_settings_entry *iv,
                                           size_t niv);

/* Records that a WINDOW_UPDATE of |delta| was queued for |stream| (NULL for
   the connection window): the peer may send that much more. */
void spdylay_session_window_update_queued(spdylay_session *session,
                                          spdylay_stream *stream,
                                          int32_t delta);

#endif /* SPDYLAY_SESSION_H */
