"""spdylay.aio: a SPDY client and server for asyncio.

Each connection is an ``asyncio.Protocol`` driving one ``spdylay.Session``;
requests on a connection run concurrently, bodies stream both ways under
flow control, and the server can push.  See the "asyncio" chapter of the
documentation.
"""

from ._client import GET_BODY_LIMIT, Connection, PushedResponse, Response, connect, get
from ._errors import (
    BodyTooLargeError,
    ConnectionError,
    ConnectionLostError,
    GoawayError,
    NegotiationError,
    PushError,
    ResponseTooLargeError,
    StreamResetError,
)
from ._headers import Headers
from ._server import Request, Server, serve

__all__ = [
    "connect",
    "get",
    "GET_BODY_LIMIT",
    "Connection",
    "Response",
    "PushedResponse",
    "serve",
    "Server",
    "Request",
    "Headers",
    "ConnectionError",
    "ConnectionLostError",
    "NegotiationError",
    "GoawayError",
    "StreamResetError",
    "PushError",
    "BodyTooLargeError",
    "ResponseTooLargeError",
]
