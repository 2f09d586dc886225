"""The exceptions spdylay.aio raises in the tasks waiting on a connection or
a stream."""

import builtins
from typing import Optional

from .._constants import CANCEL, REFUSED_STREAM
from .._errors import Error


class ConnectionError(Error, builtins.ConnectionError):
    """The connection cannot carry the request or response any more (also
    the built-in ``ConnectionError``)."""


class ConnectionLostError(ConnectionError):
    """The connection closed (the peer closed it, it failed, or this side
    closed it) while the task was waiting on it."""


class NegotiationError(ConnectionError):
    """The TLS handshake agreed on no SPDY version (ALPN), or, over plain
    TCP, the server speaks another SPDY version than the one asked for."""


class GoawayError(ConnectionError):
    """The peer sent GOAWAY: it will not process this request, which may be
    retried on a new connection."""


class StreamResetError(Error):
    """The stream was reset (RST_STREAM) before it finished.  ``status_code``
    is the RST_STREAM status (``spdylay.CANCEL``, ``spdylay.REFUSED_STREAM``,
    ...), None for one a program raises without one."""

    def __init__(self, *args: object, status_code: Optional[int] = None) -> None:
        super().__init__(*args)
        self.status_code = status_code


class PushError(Error):
    """A pushed stream could not be opened: the request's stream closed
    first, or the connection is going away."""


class BodyTooLargeError(Error):
    """The request body is larger than the server's ``request_body_limit``;
    the server has answered 413 and reset the stream."""


class ResponseTooLargeError(Error):
    """The response body is larger than ``get()``'s ``body_limit``; the
    stream has been cancelled."""


def reset_error(status_code: int) -> StreamResetError:
    """The exception for a stream closed with a non-OK ``status_code``."""
    if status_code == CANCEL:
        reason = "the stream was cancelled"
    elif status_code == REFUSED_STREAM:
        reason = "the peer refused the stream"
    else:
        reason = "the stream was reset with status %d" % status_code
    return StreamResetError(reason, status_code=status_code)
