"""The asyncio SPDY server: ``serve()``, ``Server`` and the ``Request`` a
handler receives."""

import asyncio
import http
import ssl as _ssl
from collections.abc import Awaitable, Iterable
from typing import TYPE_CHECKING, Any, Callable, Optional, cast

from .._constants import (
    CANCEL,
    CTRL_FLAG_FIN,
    CTRL_FLAG_UNIDIRECTIONAL,
    DATA_FLAG_FIN,
    INTERNAL_ERROR,
    OK,
    PROTO_SPDY2,
    SERVER,
    SETTINGS_MAX_CONCURRENT_STREAMS,
    SYN_REPLY,
)
from .._errors import InvalidStateError
from .._limits import HEADER_BYTES_LIMIT, IDLE_TIMEOUT, check_count, check_seconds, header_bytes
from .._printable import printable
from .._tls import check_version, offer_spdy
from ._eager import start_eagerly
from ._errors import BodyTooLargeError, ConnectionLostError, PushError, reset_error
from ._headers import Headers
from ._protocol import (
    BodyReader,
    IncomingBody,
    OutgoingBody,
    SessionProtocol,
    body_provider,
    log,
)

if TYPE_CHECKING:
    from .._frames import SynStreamFrame
    from .._session import Session
    from .._typing import ReceivedHeaderList

DEFAULT_REQUEST_BODY_LIMIT = 16 * 1024 * 1024
INTERNAL_ERROR_BODY = b"internal server error\n"


# The ":status" pair of each status HTTP names, and the ":version" pair:
# the same objects in every response, which the session's check that a
# header list is the one it packed last finds equal at once, by identity.
_STATUS_PAIRS = {
    int(status): (":status", "%d %s" % (status, status.phrase)) for status in http.HTTPStatus
}
_VERSION_PAIR = (":version", "HTTP/1.1")


def _response_nv(status: int, headers: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    status_pair = _STATUS_PAIRS.get(status)
    if status_pair is None:
        if not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 999:
            raise ValueError("status must be an int from 100 to 999, not %r" % (status,))
        status_pair = (":status", str(status))
    nv = [status_pair, _VERSION_PAIR]
    if headers:
        nv += [(name.lower(), value) for name, value in headers]
    return nv


class Request(BodyReader):
    """A request as the handler sees it: ``method``, ``path``, ``scheme``,
    ``host`` (from ``:method``, ``:path``, ``:scheme``, ``:host``),
    ``headers`` (the other headers, as ``Headers``) and ``stream_id``.  The
    body is read with ``await read()`` or ``async for chunk in request``
    (raising BodyTooLargeError past the server's ``request_body_limit``,
    StreamResetError if the client resets the stream);
    the client may send only as much as the handler has taken plus one
    flow-control window."""

    def __init__(self, stream: "_ServerStream", nv: list[tuple[str, str]]) -> None:
        self._stream: _ServerStream = stream
        self._incoming = stream.open_body
        self._body: Optional[bytes] = None
        method = path = scheme = host = ""
        plain = []
        for pair in nv:
            name = pair[0]
            if name[:1] != ":":
                plain.append(pair)
            elif name == ":method":
                method = pair[1]
            elif name == ":path":
                path = pair[1]
            elif name == ":scheme":
                scheme = pair[1]
            elif name == ":host":
                host = pair[1]
        self.method: str = method
        self.path: str = path
        self.scheme: str = scheme
        self.host: str = host
        self.headers = Headers._adopt(plain)

    @property
    def stream_id(self) -> int:
        """The SPDY stream the request came on."""
        return self._stream.stream_id

    @property
    def version(self) -> int:
        """The SPDY version of the connection (a ``PROTO_*`` constant)."""
        return self._stream.proto.version

    @property
    def responded(self) -> bool:
        """True once a response has been queued for this request."""
        return self._stream.responded

    async def respond(
        self, status: int = 200, headers: Iterable[tuple[str, str]] = (), body: Any = b""
    ) -> None:
        """Queues the response: ``status`` (an int; the reason phrase is
        added), ``headers`` as name/value pairs, ``body`` as bytes, a binary
        file object or an async iterable of bytes, sent under flow control.
        Raises InvalidStateError if a response was already queued."""
        self._stream.respond(status, headers, body)

    async def push(
        self,
        path: str,
        headers: Iterable[tuple[str, str]] = (),
        body: Any = b"",
        *,
        status: int = 200,
    ) -> None:
        """Pushes ``path`` to the client with this request (server push),
        before the response finishes: returns once the pushed stream is
        open, its body then follows like a response body.  Raises PushError
        if the stream cannot be opened (the request's stream has closed, or
        the connection is going away)."""
        await self._stream.push(path, headers, body, status)


HandlerResult = Optional[tuple[int, Iterable[tuple[str, str]], Any]]
Handler = Callable[[Request], Awaitable[HandlerResult]]


class _PushStream:
    """A stream this server pushes: the SYN_STREAM, then its body."""

    __slots__ = ("proto", "stream_id", "assoc_stream_id", "body", "provider", "outgoing", "sent")

    def __init__(self, proto: "_ServerProtocol", assoc_stream_id: int, body: Any) -> None:
        self.proto = proto
        self.stream_id = 0
        self.assoc_stream_id = assoc_stream_id
        self.body = None
        self.provider, self.outgoing = body_provider(proto, body, self.body_failed)
        self.sent: asyncio.Future[None] = proto.loop.create_future()

    def opened(self, stream_id: int) -> None:
        self.stream_id = stream_id
        self.proto.forget_push(self)
        cast("Session", self.proto.session).submit_data(stream_id, DATA_FLAG_FIN, self.provider)
        if not self.sent.done():
            self.sent.set_result(None)

    def body_failed(self, exc: BaseException) -> None:
        log.error("the body of pushed stream %d failed", self.stream_id, exc_info=exc)

    def closed(self, status_code: int) -> None:
        if self.outgoing is not None:
            self.outgoing.cancel()

    def fail(self, exc: BaseException) -> None:
        if self.outgoing is not None:
            self.outgoing.cancel()
        if not self.sent.done():
            self.sent.set_exception(exc)
            self.sent.exception()


class _ServerStream:
    """One request's stream on the server: its Request, the handler task
    and the response.

    It and its Request refer to each other until the stream has closed and
    its handler has returned; then it lets go of the Request, the body and
    the handler's task (``release()``), so that they are freed by reference counting instead
    of waiting for the cycle collector.  The protocol reaches only open
    streams, whose ``request`` and ``body`` are set."""

    __slots__ = (
        "proto",
        "stream_id",
        "request",
        "body",
        "outgoing",
        "task",
        "responded",
        "finished",
        "header_bytes",
        "headers_refused",
        "handled",
    )

    def __init__(
        self, proto: "_ServerProtocol", stream_id: int, flags: int, nv: "ReceivedHeaderList"
    ) -> None:
        self.proto = proto
        self.stream_id = stream_id
        self.body: Optional[IncomingBody] = IncomingBody(
            proto, self, proto.server.request_body_limit
        )
        self.request: Optional[Request] = Request(self, nv)
        self.outgoing: Optional[OutgoingBody] = None
        self.task: Optional[asyncio.Task[None]] = None
        self.responded = False
        self.finished = False
        self.header_bytes = header_bytes(nv)
        self.headers_refused = False
        self.handled = False
        if flags & CTRL_FLAG_FIN:
            self.body.finish()

    @property
    def open_body(self) -> IncomingBody:
        """The body, while the stream is open or its handler runs."""
        return cast(IncomingBody, self.body)

    async def run(self, handler: "Handler") -> None:
        request = cast(Request, self.request)
        try:
            result = await handler(request)
            if result is not None:
                status, headers, body = result
                self.respond(status, headers, body)
            elif not self.responded:
                raise InvalidStateError(
                    "the handler returned None without calling request.respond()"
                )
        except asyncio.CancelledError:
            raise
        except BodyTooLargeError:
            # Already answered with 413 by body_too_large().
            pass
        except Exception as exc:
            if isinstance(exc, ConnectionLostError) and self._connection_gone():
                # Routine: the connection ended under the handler, and so
                # would every other handler of it; nothing can be answered.
                log.debug("stream %d: %s", self.stream_id, exc)
            else:
                log.exception(
                    "handler failed for %s %s", printable(request.method), printable(request.path)
                )
                self._internal_error()
        finally:
            self.open_body.discard()
            self.handled = True
            if self.task is not None:
                # It ran as a task, for a while maybe: the idle clock starts
                # again from here.
                self.proto.idle_since = self.proto.loop.time()
            if self.finished:
                self.release()

    def release(self) -> None:
        # A cancelled handler's task holds its traceback, whose frames hold
        # this stream.
        self.request = self.body = self.task = None

    def _connection_gone(self) -> bool:
        proto = self.proto
        return proto.session is None or proto.session_failed

    def _internal_error(self) -> None:
        if self.finished or self._connection_gone():
            return
        if self.responded:
            self._reset(INTERNAL_ERROR)
        else:
            self.respond(500, [("content-type", "text/plain")], INTERNAL_ERROR_BODY)

    def respond(self, status: int, headers: Iterable[tuple[str, str]], body: Any) -> None:
        if self.responded:
            raise InvalidStateError("a response was already queued for stream %d" % self.stream_id)
        proto = self.proto
        session = proto.session
        if session is None:
            # The session goes with the connection, and lost_error is set then.
            raise proto.gone_error()
        nv = _response_nv(status, headers)
        provider = None
        if body is not None and body != b"":
            provider, self.outgoing = body_provider(proto, body, self.body_failed)
        self.responded = True
        try:
            session.submit_response(self.stream_id, nv, provider)
        except InvalidStateError:
            proto.session_failed = True
            raise ConnectionLostError(
                "the SPDY session failed: stream %d cannot be answered" % self.stream_id
            ) from None
        proto.schedule_flush()

    async def push(
        self, path: str, headers: Iterable[tuple[str, str]], body: Any, status: int
    ) -> None:
        proto = self.proto
        session = proto.session
        if session is None:
            raise proto.gone_error()
        if self.finished or proto.goaway_sent:
            raise PushError(
                "cannot push on stream %d: it has closed or the "
                "connection is going away" % self.stream_id
            )
        request = cast(Request, self.request)
        if proto.version == PROTO_SPDY2:
            # SPDY/2 names a pushed resource by its absolute URL.
            path = "%s://%s%s" % (request.scheme, request.host, path)
        nv = [(":scheme", request.scheme), (":host", request.host), (":path", path)] + _response_nv(
            status, headers
        )
        pushed = _PushStream(proto, self.stream_id, body)
        session.submit_syn_stream(
            CTRL_FLAG_UNIDIRECTIONAL, self.stream_id, session.get_pri_lowest() // 2, nv, pushed
        )
        proto.pending_pushes.setdefault(self.stream_id, []).append(pushed)
        proto.schedule_flush()
        await pushed.sent

    def body_failed(self, exc: BaseException) -> None:
        log.error("the response body of stream %d failed", self.stream_id, exc_info=exc)

    def body_too_large(self) -> None:
        body = self.open_body
        body.fail(
            BodyTooLargeError(
                "the request body is over the limit of %d bytes" % cast(int, body.limit)
            )
        )
        body.discard()
        if self.responded:
            self._reset(CANCEL)
        else:
            # The 413 must reach the client before the reset that stops its
            # upload, and frames of one stream may be reordered by priority,
            # so the reset waits for the SYN_REPLY to go out.
            self.respond(413, [], b"")
            self.proto.reset_after_reply_sent(self.stream_id, CANCEL)

    def _reset(self, status_code: int) -> None:
        proto = self.proto
        session = proto.session
        if session is not None and not proto.session_failed:
            try:
                session.submit_rst_stream(self.stream_id, status_code)
            except InvalidStateError:
                proto.session_failed = True  # nothing more goes out on it
                return
            proto.schedule_flush()

    def cancel(self) -> None:
        """The handler was cancelled while reading: the client gets CANCEL
        (unless the cancelling was headers_too_large()'s, which answers)."""
        if not self.finished and not self.headers_refused:
            self._reset(CANCEL)

    def headers_too_large(self) -> None:
        """The request's headers went past HEADER_BYTES_LIMIT: the handler
        is stopped and the client answered 431, as ThreadedSPDYServer does
        (or, once a response has started, the stream is reset)."""
        self.headers_refused = True
        task = self.task
        if task is not None and not task.done():
            task.cancel()
        self.open_body.discard()
        if self.responded:
            self._reset(CANCEL)
        else:
            self.respond(
                431,
                [("content-type", "text/plain")],
                b"request headers larger than %d bytes\n" % HEADER_BYTES_LIMIT,
            )

    def headers_received(self, nv: list[tuple[str, str]], fin: int) -> None:
        if not self.finished and not self.headers_refused:
            self.header_bytes += header_bytes(nv)
            if self.header_bytes > HEADER_BYTES_LIMIT:
                self.headers_too_large()
            else:
                cast(Request, self.request).headers._extend(nv)
        if fin:
            self.open_body.finish()

    def closed(self, status_code: int) -> None:
        self.finished = True
        self.proto.forget_reset(self.stream_id)
        if self.outgoing is not None and status_code != OK:
            self.outgoing.cancel()
        if status_code != OK:
            body = self.open_body
            body.fail(reset_error(status_code))
            body.discard()
            task = self.task
            if task is not None and not task.done():
                task.cancel()
        if self.handled:
            self.release()

    def fail(self, exc: BaseException) -> None:
        self.finished = True
        if self.outgoing is not None:
            self.outgoing.cancel()
        if self.body is not None:
            self.body.fail(exc)


class _ServerProtocol(SessionProtocol):
    side = SERVER

    def __init__(self, loop: asyncio.AbstractEventLoop, server: "Server") -> None:
        super().__init__(loop, server.version)
        self.server = server
        self.tasks: set[asyncio.Task[None]] = set()
        # Streams received whose handlers start once recv() has returned.
        self.unstarted: list[_ServerStream] = []
        self.pending_pushes: dict[int, list[_PushStream]] = {}
        self.reset_after_reply: dict[int, int] = {}
        self.idle_since = loop.time()
        self._idle_timer: Optional[asyncio.TimerHandle] = None

    def connection_made(self, transport: Any) -> None:
        self.server._connections.add(self)
        super().connection_made(transport)

    def started(self) -> None:
        cast("Session", self.session).submit_settings(
            0, [(SETTINGS_MAX_CONCURRENT_STREAMS, 0, self.server.max_concurrent_streams)]
        )
        if self.server.closing:
            self.submit_goaway()
        self._check_idle_in(self.server.idle_timeout)

    def _check_idle_in(self, delay: Optional[float]) -> None:
        if delay is not None:
            self._idle_timer = self.loop.call_later(delay, self._close_if_idle)

    def _close_if_idle(self) -> None:
        """Sends GOAWAY and closes the connection once it has received
        nothing for the server's idle_timeout and either has no open stream
        or waits for the client on all of them: no handler or body source
        busy with work of its own, and nothing it could write, or a
        transport that has taken no byte for that long.  So a client that
        stalls its requests or stops reading holds nothing for ever."""
        # Scheduled only when there is an idle_timeout.
        idle_timeout = cast(float, self.server.idle_timeout)
        last = max(self.idle_since, self.last_received)
        if self.streams or self.tasks:
            session = self.session
            busy = len(self.tasks) > self.peer_waits or self.busy_sources
            if self.write_paused_since is not None:
                last = max(last, self.write_paused_since)
            elif session is not None and session.want_write():
                busy = True
            if busy:
                self._check_idle_in(idle_timeout)
                return
        remaining = last + idle_timeout - self.loop.time()
        if remaining > 0:
            self._check_idle_in(remaining)
            return
        self.submit_goaway()
        self.flush()
        self.close_transport()

    def _on_stream_close(self, session: "Session", stream_id: int, status_code: int) -> None:
        super()._on_stream_close(session, stream_id, status_code)
        if not self.streams:
            self.idle_since = self.loop.time()

    def reset_after_reply_sent(self, stream_id: int, status_code: int) -> None:
        """Resets the stream with ``status_code`` once its SYN_REPLY has
        gone out; until none is left to reset, SYN_REPLYs sent cross to
        _on_ctrl_sent."""
        if not self.reset_after_reply and self.session is not None:
            self.session._send_ctrl_types(self.CTRL_SENT_TYPES + (SYN_REPLY,))
        self.reset_after_reply[stream_id] = status_code

    def forget_reset(self, stream_id: int) -> Optional[int]:
        status_code = self.reset_after_reply.pop(stream_id, None)
        if status_code is not None and not self.reset_after_reply and self.session is not None:
            self.session._send_ctrl_types(self.CTRL_SENT_TYPES)
        return status_code

    def _on_ctrl_sent(
        self, session: "Session", frame_type: int, frame_id: int, stream: Optional[Any]
    ) -> None:
        if frame_type == SYN_REPLY:
            status_code = self.forget_reset(frame_id)
            if status_code is not None:
                session.submit_rst_stream(frame_id, status_code)
        super()._on_ctrl_sent(session, frame_type, frame_id, stream)

    def syn_stream_received(
        self, stream_id: int, assoc_stream_id: int, flags: int, nv: "ReceivedHeaderList"
    ) -> None:
        stream = _ServerStream(self, stream_id, flags, nv)
        self.streams[stream_id] = stream
        if stream.header_bytes > HEADER_BYTES_LIMIT:
            stream.headers_too_large()
            return
        self.unstarted.append(stream)

    def received(self) -> None:
        if self.unstarted:
            self._start_handlers()

    def _start_handlers(self) -> None:
        """Runs the handler of every stream the peer opened in the data just
        received, each up to its first suspension (start_eagerly): a handler
        that answers at once costs no task, and its response goes out with
        the next write.  A stream reset in the same data, or refused for its
        headers, gets no handler, as it would have if its task had been
        cancelled before it started."""
        streams, self.unstarted = self.unstarted, []
        if self.transport.is_closing():
            # The session failed: the streams fail with the connection.
            return
        handler = self.server.handler
        loop = self.loop
        for stream in streams:
            if stream.finished or stream.headers_refused:
                continue
            task = start_eagerly(loop, stream.run(handler))
            if task is not None:
                stream.task = task
                self.tasks.add(task)
                task.add_done_callback(self.tasks.discard)

    def forget_push(self, pushed: _PushStream) -> None:
        pending = self.pending_pushes.get(pushed.assoc_stream_id)
        if pending is not None:
            pending.remove(pushed)
            if not pending:
                del self.pending_pushes[pushed.assoc_stream_id]

    def syn_stream_not_sent(self, frame: "SynStreamFrame", error_code: int) -> None:
        for pushed in self.pending_pushes.pop(frame.assoc_stream_id, ()):
            pushed.fail(
                PushError(
                    "the pushed stream was not opened: the request's stream "
                    "closed first or the connection is going away"
                )
            )

    def goaway_received(self, last_good_stream_id: int) -> None:
        pass

    def lost(self, error: BaseException) -> None:
        self.server._connections.discard(self)
        if self._idle_timer is not None:
            self._idle_timer.cancel()
        pending, self.pending_pushes = self.pending_pushes, {}
        for pushes in pending.values():
            for pushed in pushes:
                pushed.fail(error)
        for task in list(self.tasks):
            task.cancel()


class Server:
    """A listening SPDY server (made by ``serve()``); ``async with server:``
    closes it on the way out."""

    def __init__(
        self,
        handler: Handler,
        version: Optional[int],
        max_concurrent_streams: int,
        request_body_limit: int,
        idle_timeout: Optional[float] = IDLE_TIMEOUT,
    ) -> None:
        self.handler = handler
        self.idle_timeout = idle_timeout
        self.version = version
        self.max_concurrent_streams = max_concurrent_streams
        self.request_body_limit = request_body_limit
        self.closing = False
        self._connections: set[_ServerProtocol] = set()
        # Set by serve() once it listens.
        self._server: Optional[asyncio.Server] = None
        self._closed: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    @property
    def sockets(self) -> tuple[Any, ...]:
        """The listening sockets."""
        return tuple(self._server.sockets) if self._server else ()

    @property
    def port(self) -> int:
        """The port of the first listening socket (handy with port 0)."""
        port: int = self.sockets[0].getsockname()[1]
        return port

    async def serve_forever(self) -> None:
        """Serves until ``close()`` (or until the task is cancelled, which
        closes the server)."""
        # Not asyncio's serve_forever(): cancelled, it waits (Python 3.12+)
        # for every connection to close, which ours do only after close().
        try:
            await asyncio.shield(self._closed)
        except asyncio.CancelledError:
            await self.close()
            raise

    async def close(self, timeout: float = 10.0) -> None:
        """Stops listening, sends GOAWAY on every connection and waits up
        to ``timeout`` seconds for the open streams to finish; then closes
        what is left and cancels the handlers still running.  Nothing is
        left pending when it returns."""
        self.closing = True
        server = cast(asyncio.Server, self._server)
        server.close()
        connections = list(self._connections)
        for proto in connections:
            proto.submit_goaway()
        waiting = [proto.closed for proto in connections]
        if waiting:
            await asyncio.wait(waiting, timeout=timeout)
        for proto in connections:
            if not proto.closed.done():
                proto.transport.abort()
        if waiting:
            await asyncio.wait(waiting)
        tasks = [task for proto in connections for task in proto.tasks]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        await server.wait_closed()
        if not self._closed.done():
            self._closed.set_result(None)

    async def __aenter__(self) -> "Server":
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.close()


async def serve(
    handler: Handler,
    host: Optional[str],
    port: int,
    *,
    ssl: Optional[_ssl.SSLContext] = None,
    version: Optional[int] = None,
    max_concurrent_streams: int = 100,
    request_body_limit: int = DEFAULT_REQUEST_BODY_LIMIT,
    idle_timeout: Optional[float] = IDLE_TIMEOUT,
) -> Server:
    """Starts a SPDY server on ``host``:``port`` (port 0: a free one, see
    ``Server.port``) and returns it.

    ``handler(request)`` is an async function called for each request,
    eagerly: its first step runs as soon as the request is received, and a
    task runs the rest only if it suspends (see start_eagerly).  It
    returns ``(status, headers, body)`` or None after ``await
    request.respond(...)``; if it raises, the client gets a 500 (or, once
    the response has started, RST_STREAM INTERNAL_ERROR) and the exception
    is logged to the ``spdylay.aio`` logger.

    ``ssl``: an ``ssl.SSLContext`` for TLS (made to offer SPDY by ALPN; the
    version is what ALPN agrees on), or None for plain TCP, which speaks
    ``version`` (default PROTO_SPDY3_1).  ``max_concurrent_streams`` is
    announced in SETTINGS.  A request body over ``request_body_limit``
    bytes is answered 413 and its stream reset.  A connection that receives
    nothing for ``idle_timeout`` seconds while it has no open stream, or
    only streams that wait for the client, is sent GOAWAY and closed
    (None: never).
    """
    check_version(version)
    check_seconds(idle_timeout, "idle_timeout")
    check_count(max_concurrent_streams, 1, "max_concurrent_streams")
    check_count(request_body_limit, 0, "request_body_limit")
    loop = asyncio.get_running_loop()
    if ssl is not None:
        if not isinstance(ssl, _ssl.SSLContext):
            raise TypeError("ssl must be None or an ssl.SSLContext")
        offer_spdy(ssl, version)
    server = Server(handler, version, max_concurrent_streams, request_body_limit, idle_timeout)
    server._server = await loop.create_server(
        lambda: _ServerProtocol(loop, server), host, port, ssl=ssl
    )
    return server
