/*
 * spdylay_not_sent.h: the stream user data of a SYN_STREAM that will never
 * be sent.  libspdylay 1.4's on_ctrl_not_send_callback gets such a frame
 * with stream ID 0, because its stream is opened only when it is sent, so
 * its stream_user_data cannot be looked up through the public API and an
 * application cannot free what it attached.  The bundled core answers that
 * here, outside the public API (spdylay.h stays 1.4's); the Python binding
 * uses it when built with the bundled core.
 */
#ifndef SPDYLAY_NOT_SENT_H
#define SPDYLAY_NOT_SENT_H

#include <spdylay/spdylay.h>

/* Called from on_ctrl_not_send_callback with the |frame| it got: the
   stream_user_data the SYN_STREAM was submitted with, or NULL for any other
   frame, any other moment, or a SYN_STREAM submitted without one. */
void *spdylay_session_get_not_sent_stream_user_data(spdylay_session *session,
                                                    const spdylay_frame *frame);

#endif /* SPDYLAY_NOT_SENT_H */
