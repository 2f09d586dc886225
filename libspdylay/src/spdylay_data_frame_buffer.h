/*
 * spdylay_data_frame_buffer.h: where the bundled core builds a DATA frame.
 * libspdylay 1.4 reads a DATA payload into its own frame buffer and hands
 * the frame to send_callback, which must copy it if it keeps it.  An
 * application that gathers frames into a buffer of its own (the Python
 * binding does, for one send_cb call per send()) can let the core build
 * each DATA frame straight there instead, one copy of every body byte
 * fewer.  Outside the public API (spdylay.h stays 1.4's).
 */
#ifndef SPDYLAY_DATA_FRAME_BUFFER_H
#define SPDYLAY_DATA_FRAME_BUFFER_H

#include <spdylay/spdylay.h>

/* Asked before each DATA frame is read: |length| is the most the frame can
   take (its 8-byte head and the payload the read callback may write).
   Answers a buffer of at least |length| bytes, or NULL for the core's own.
   The core writes the frame there and hands it to send_callback at that
   address, next, unless the read callback answers an error or
   SPDYLAY_ERR_DEFERRED, in which case the buffer is not used at all.  The
   buffer must stay valid and unchanged until send_callback has taken the
   whole frame (it may take it in parts over several calls). */
typedef uint8_t *(*spdylay_data_frame_buffer_callback)(spdylay_session *session,
                                                       size_t length,
                                                       void *user_data);

/* Sets (NULL: removes) the session's DATA frame buffer callback. */
void spdylay_session_set_data_frame_buffer_callback(
    spdylay_session *session, spdylay_data_frame_buffer_callback callback);

#endif /* SPDYLAY_DATA_FRAME_BUFFER_H */
