"""The asyncio SPDY client: ``connect()``, ``Connection``, ``Response`` and
``get()``."""

import asyncio
import ssl as _ssl
import urllib.parse
import weakref
from collections.abc import Coroutine, Iterable, Mapping
from typing import TYPE_CHECKING, Any, Callable, Optional, Union, cast

from .._args import settings_entries
from .._constants import CANCEL, CLIENT, CTRL_FLAG_FIN, OK, PROTO_SPDY3_1, REFUSED_STREAM
from .._errors import InvalidStateError
from .._limits import HEADER_BYTES_LIMIT, check_count, header_bytes
from .._tls import check_version, client_context, offer_spdy
from .._urls import split_url
from ._errors import (
    ConnectionLostError,
    GoawayError,
    ResponseTooLargeError,
    StreamResetError,
    reset_error,
)
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

Body = Union[bytes, bytearray, memoryview, Any]
HeaderPairs = Iterable[tuple[str, str]]

# The pushes one Response keeps; the server's further pushes with it are
# refused (RST_STREAM REFUSED_STREAM).  Each keeps at most one flow-control
# window of unread body (SPDY/2: the connection's read limit), so a
# response the application holds costs a bounded amount whatever the
# server pushes.
PUSHES_PER_RESPONSE_LIMIT = 100
# get() holds a body whole: past this, a peer sending without end could
# take all the memory there is.  Streaming (request() and async for) has
# no such bound to need.
GET_BODY_LIMIT = 64 * 1024 * 1024
# How long Connection.close() lets the transport flush what is queued before
# it aborts the connection.
CLOSE_GRACE_SECONDS = 1.0


def _split_status(value: str) -> tuple[int, str]:
    """(code, reason) of a ":status" value such as "200 OK"."""
    code, _, reason = value.partition(" ")
    try:
        return int(code), reason
    except ValueError:
        return 0, value


_NO_HEADERS = Headers()


class Response(BodyReader):
    """A response, available once its headers arrived.

    ``status`` (int) and ``reason`` come from ``:status``; ``headers`` holds
    the other headers (``Headers``: pairs plus case-insensitive lookup).
    The body is read with ``await read()`` or ``async for chunk in resp``
    (raising StreamResetError if the stream is reset, ConnectionLostError if
    the connection goes);
    the peer may send only as much as the application has taken plus one
    flow-control window.  ``pushed`` lists the ``PushedResponse`` objects
    the server pushed with this response, as they arrive.
    """

    def __init__(self, stream: "_ClientStream", incoming: IncomingBody) -> None:
        self._stream: _ClientStream = stream
        self._incoming = incoming
        self._body: Optional[bytes] = None
        self.status = 0
        self.reason = ""
        self.headers = _NO_HEADERS
        self.pushed: list[PushedResponse] = []

    @property
    def stream_id(self) -> int:
        """The SPDY stream this response came on."""
        return self._stream.stream_id

    def _set_headers(self, nv: "ReceivedHeaderList") -> None:
        plain = []
        for pair in nv:
            name = pair[0]
            if name[:1] != ":":
                plain.append(pair)
            elif name == ":status":
                self.status, self.reason = _split_status(pair[1])
        headers = self.headers
        self.headers = Headers._adopt(plain if headers is _NO_HEADERS else list(headers) + plain)

    async def close(self) -> None:
        """Cancels the stream (RST_STREAM with CANCEL) unless its body has
        already arrived in full; unread body is dropped.  The pushes that
        came with it are closed too."""
        self._close()
        for pushed in self.pushed:
            pushed._close()

    def _close(self) -> None:
        self._stream.cancel()
        self._incoming.discard()

    def __repr__(self) -> str:
        return "<%s %d %s stream %d>" % (
            type(self).__name__,
            self.status,
            self.reason,
            self.stream_id,
        )


class PushedResponse(Response):
    """A stream the server pushed: ``path`` is the resource it pushed (its
    ``:path``), ``url`` the full URL; otherwise a ``Response``."""

    def __init__(self, stream: "_ClientStream", incoming: IncomingBody) -> None:
        super().__init__(stream, incoming)
        self.path = ""
        self.url = ""

    def _set_headers(self, nv: "ReceivedHeaderList") -> None:
        fields = dict(nv)
        if ":path" in fields:
            target = fields[":path"]
            if "://" in target:
                # SPDY/2 pushes name the resource by its absolute URL. The
                # path is what follows the authority, taken as it is: the
                # peer's authority is not ours to validate (urlsplit would
                # raise for some).
                authority_and_path = target.split("://", 1)[1].split("#", 1)[0]
                slash = authority_and_path.find("/")
                self.url = target
                self.path = authority_and_path[slash:] if slash >= 0 else "/"
            else:
                self.path = target
                self.url = "%s://%s%s" % (
                    fields.get(":scheme", "http"),
                    fields.get(":host", ""),
                    target,
                )
        super()._set_headers(nv)


class _ClientStream:
    """One request's stream: its Response, received body and request body.

    While the stream is open, it and its Response refer to each other.
    When it closes it lets go of the Response and the body, and it lets go
    of the headers future once that is resolved, so that a finished request
    is freed by reference counting instead of waiting for the cycle
    collector, which with many requests in flight cost the client a fifth
    of its time.  The protocol reaches only open streams (``streams``,
    ``unsent``), whose ``response`` and ``body`` are set."""

    __slots__ = (
        "proto",
        "stream_id",
        "response",
        "headers_future",
        "body",
        "outgoing",
        "cancel_when_opened",
        "finished",
        "header_bytes",
    )

    def __init__(self, proto: "_ClientProtocol", response_class: type[Response] = Response) -> None:
        self.proto = proto
        self.stream_id = 0
        body = IncomingBody(proto, self)
        self.body: Optional[IncomingBody] = body
        self.response: Optional[Response] = response_class(self, body)
        self.headers_future: Optional[asyncio.Future[Response]] = proto.loop.create_future()
        self.outgoing: Optional[OutgoingBody] = None
        self.cancel_when_opened = False
        self.finished = False
        self.header_bytes = 0

    def opened(self, stream_id: int) -> None:
        self.stream_id = stream_id
        self.proto.unsent.discard(self)
        if self.cancel_when_opened:
            self._reset()

    def headers_received(self, nv: "ReceivedHeaderList", fin: int) -> None:
        if self.finished:
            return
        # Set while the stream is open (not finished); annotated rather
        # than cast, which is a call, on this path of every response.
        body: IncomingBody = self.body  # type: ignore[assignment]
        response: Response = self.response  # type: ignore[assignment]
        self.header_bytes += header_bytes(nv)
        if self.header_bytes > HEADER_BYTES_LIMIT:
            self.fail(
                StreamResetError(
                    "the response headers are larger than %d bytes: the stream "
                    "was cancelled" % HEADER_BYTES_LIMIT,
                    status_code=CANCEL,
                )
            )
            body.discard()
            self._reset()
            return
        response._set_headers(nv)
        future = self.headers_future
        if future is not None:
            self.headers_future = None
            # Cancelled when its request was (or timed out).
            if not future.done():
                future.set_result(response)
        if fin:
            body.finish()

    def closed(self, status_code: int) -> None:
        self.finished = True
        if self.outgoing is not None:
            self.outgoing.cancel()
        if status_code != OK:
            if status_code == REFUSED_STREAM and self.proto.goaway_seen:
                self.fail(GoawayError("the server sent GOAWAY before processing the request"))
            else:
                self.fail(reset_error(status_code))
            cast(IncomingBody, self.body).discard()
        self.response = self.body = None

    def fail(self, exc: BaseException) -> None:
        self.finished = True
        if self.outgoing is not None:
            self.outgoing.cancel()
        future = self.headers_future
        if future is not None:
            self.headers_future = None
            if not future.done():
                future.set_exception(exc)
                # Retrieved here so an abandoned request logs nothing.
                future.exception()
        if self.body is not None:
            self.body.fail(exc)

    def cancel(self) -> None:
        """RST_STREAM with CANCEL, once the stream exists; nothing else."""
        future = self.headers_future
        if (
            self.finished
            or (future is None or future.done())
            and cast(IncomingBody, self.body).finished
        ):
            return
        if self.stream_id:
            self._reset()
        else:
            self.cancel_when_opened = True

    def _reset(self) -> None:
        session = self.proto.session
        if session is not None:
            session.submit_rst_stream(self.stream_id, CANCEL)
            self.proto.schedule_flush()


class _PushedStream(_ClientStream):
    """A pushed stream.  Its PushedResponse belongs to the ``pushed`` list
    of the response it came with (and to the application, if it keeps it):
    the stream refers to it only weakly, so that once nobody holds it, and
    so nobody can read it, the stream is cancelled and the window its unread
    body holds is given back (``forsaken``).  Without that, every push a
    client ignores would keep a stream open and a window of body buffered
    for as long as the connection lives."""

    __slots__ = ("_owner", "_response_ref")

    def __init__(self, proto: "_ClientProtocol", stream_id: int, owner: list["PushedResponse"]):
        self._owner: Optional[list[PushedResponse]] = owner
        self._response_ref: Optional[weakref.ReferenceType[Response]] = None
        super().__init__(proto, PushedResponse)
        self.stream_id = stream_id

    @property
    def response(self) -> Optional[Response]:
        ref = self._response_ref
        return None if ref is None else ref()

    @response.setter
    def response(self, response: Optional[Response]) -> None:
        if response is None:
            self._response_ref = None
            return
        # Let go of the list at once: kept, it would keep the response alive
        # through the finalizer below, which holds this stream.
        owner, self._owner = self._owner, None
        cast("list[Response]", owner).append(response)
        self._response_ref = weakref.ref(response)
        loop = self.proto.loop
        body = cast(IncomingBody, self.body)

        def forsaken() -> None:
            # Freed by the garbage collector, perhaps in the middle of a
            # session call: the rest waits for the loop.
            if not loop.is_closed():
                loop.call_soon(self.forsaken, body)

        weakref.finalize(response, forsaken).atexit = False

    def forsaken(self, body: IncomingBody) -> None:
        """Nobody holds the PushedResponse any more."""
        if self.proto.session is None:
            return
        self.cancel()
        body.discard()


class _ClientProtocol(SessionProtocol):
    side = CLIENT

    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        version: Optional[int],
        settings: list[tuple[int, int, int]],
        on_push: Optional[Callable[[PushedResponse], Any]],
    ) -> None:
        super().__init__(loop, version)
        self.settings = settings
        self.on_push = on_push
        self.unsent: set[_ClientStream] = set()
        # The priority of a request that names none: the middle one.
        self.default_priority = 0
        self.goaway_seen = False
        self.push_tasks: set[asyncio.Task[Any]] = set()

    def started(self) -> None:
        session = cast("Session", self.session)
        self.default_priority = session.get_pri_lowest() // 2
        if self.settings:
            session.submit_settings(0, self.settings)

    def syn_stream_received(
        self, stream_id: int, assoc_stream_id: int, flags: int, nv: "ReceivedHeaderList"
    ) -> None:
        parent = self.streams.get(assoc_stream_id)
        if parent is None:
            # Nobody is left to take it: its request has gone.
            cast("Session", self.session).submit_rst_stream(stream_id, CANCEL)
            return
        if len(cast(Response, parent.response).pushed) >= PUSHES_PER_RESPONSE_LIMIT:
            cast("Session", self.session).submit_rst_stream(stream_id, REFUSED_STREAM)
            return
        stream = _PushedStream(self, stream_id, cast(Response, parent.response).pushed)
        self.streams[stream_id] = stream
        pushed = cast(PushedResponse, stream.response)
        stream.headers_received(nv, flags & CTRL_FLAG_FIN)
        if self.on_push is not None:
            try:
                result = self.on_push(pushed)
                if asyncio.iscoroutine(result):
                    task = self.loop.create_task(result)
                    self.push_tasks.add(task)
                    task.add_done_callback(self._push_task_done)
            except Exception:
                log.exception("on_push hook failed")

    def _push_task_done(self, task: "asyncio.Task[Any]") -> None:
        self.push_tasks.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("on_push hook failed", exc_info=task.exception())

    def syn_stream_not_sent(self, frame: "SynStreamFrame", error_code: int) -> None:
        # After GOAWAY (or with stream IDs used up) no SYN_STREAM can go out
        # any more, so every request still waiting fails alike.
        self._fail_unsent(GoawayError("the request was not sent: the connection is going away"))

    def goaway_received(self, last_good_stream_id: int) -> None:
        self.goaway_seen = True
        self._fail_unsent(GoawayError("the server sent GOAWAY; the request was not sent"))

    def _fail_unsent(self, error: BaseException) -> None:
        unsent, self.unsent = self.unsent, set()
        for stream in unsent:
            stream.fail(error)

    def lost(self, error: BaseException) -> None:
        self._fail_unsent(error)
        for task in list(self.push_tasks):
            task.cancel()


class Connection:
    """A client connection (made by ``connect()``); ``async with conn:``
    closes it on the way out.  Requests run concurrently on it."""

    def __init__(self, proto: _ClientProtocol, host: str, port: int, scheme: str) -> None:
        self._proto = proto
        # An IPv6 literal is bracketed in an authority, as in a URL.
        authority = ("[%s]:%d" if ":" in host else "%s:%d") % (host, port)
        # The same pair objects in every request: the session's check that
        # a header list is the one it packed last finds them equal at once,
        # by identity.
        self._fixed_nv = ((":version", "HTTP/1.1"), (":host", authority), (":scheme", scheme))

    @property
    def version(self) -> int:
        """The SPDY version spoken (a ``PROTO_*`` constant)."""
        return self._proto.version

    @property
    def on_push(self) -> Optional[Callable[[PushedResponse], Any]]:
        """Called with every ``PushedResponse`` as it arrives; a coroutine
        it returns runs as a task.  Pushes are in ``Response.pushed``
        either way."""
        return self._proto.on_push

    @on_push.setter
    def on_push(self, hook: Optional[Callable[[PushedResponse], Any]]) -> None:
        self._proto.on_push = hook

    async def request(
        self,
        method: str,
        path: str,
        headers: HeaderPairs = (),
        body: Optional[Body] = None,
        *,
        priority: Optional[int] = None,
        timeout: Optional[float] = None,
    ) -> Response:
        """Sends a request and returns its ``Response`` once the response
        headers have arrived (the body streams in after).

        ``body`` is bytes, a binary file object or an async iterable of
        bytes, sent under flow control.  ``priority`` is 0 (most urgent) to
        ``3`` (SPDY/2) or ``7``; the default is the middle.  ``timeout``
        bounds the wait for the response headers: on expiry the stream is
        cancelled and asyncio.TimeoutError raised.  Cancelling the task
        cancels the stream (RST_STREAM CANCEL) and nothing else.
        """
        proto = self._proto
        session = proto.session
        # The server's GOAWAY first: it says why the connection is gone, and
        # that the request may be retried on a new one.
        if proto.goaway_seen:
            raise GoawayError("the server sent GOAWAY: the connection is going away")
        if session is None:
            # The session goes with the connection, and lost_error is set then.
            raise proto.gone_error()
        if proto.goaway_sent:
            raise GoawayError("the connection is going away")
        if priority is None:
            priority = proto.default_priority
        nv = [(":method", method), (":path", path), *self._fixed_nv]
        if headers:
            nv.extend([(name.lower(), value) for name, value in headers])
        stream = _ClientStream(proto)
        # Unresolved until the request is sent.
        headers_future: asyncio.Future[Response] = stream.headers_future  # type: ignore[assignment]
        provider = None
        if body is not None and body != b"":
            provider, stream.outgoing = body_provider(proto, body, stream.fail)
        try:
            session.submit_request(priority, nv, provider, stream_user_data=stream)
        except BaseException as exc:
            if stream.outgoing is not None:
                stream.outgoing.cancel()
            if isinstance(exc, InvalidStateError):
                # The session failed (a protocol error from the peer) and the
                # transport has not closed yet.
                raise ConnectionLostError("the SPDY session has failed") from exc
            raise
        proto.unsent.add(stream)
        proto.schedule_flush()
        try:
            if timeout is None:
                return await headers_future
            return await asyncio.wait_for(headers_future, timeout)
        except (asyncio.CancelledError, asyncio.TimeoutError):
            stream.cancel()
            raise

    def get(
        self, path: str, headers: HeaderPairs = (), **kwargs: Any
    ) -> "Coroutine[Any, Any, Response]":
        """``request("GET", path, headers, **kwargs)``: that coroutine
        itself, not one more awaiting it."""
        return self.request("GET", path, headers, **kwargs)

    async def ping(self) -> float:
        """Sends PING and returns the round-trip time in seconds."""
        return await self._proto.ping()

    async def close(self) -> None:
        """Sends GOAWAY and closes the connection; requests still waiting
        get ConnectionLostError.  What is queued to send gets
        ``CLOSE_GRACE_SECONDS`` (1 s) to go out; if the peer takes nothing
        meanwhile, the connection is aborted.  Idempotent."""
        proto = self._proto
        if proto.session is not None:
            proto.submit_goaway()
            proto.flush()
            proto.close_transport()
        closed = proto.closed
        if not closed.done():
            # A peer that reads nothing would keep the transport flushing
            # for ever.
            await asyncio.wait([closed], timeout=CLOSE_GRACE_SECONDS)
            if not closed.done():
                proto.transport.abort()
        await asyncio.shield(closed)

    @property
    def closed(self) -> bool:
        """True once the connection has closed."""
        return self._proto.closed.done()

    @property
    def going_away(self) -> bool:
        """True once the server has sent GOAWAY: new requests fail with
        GoawayError, the ones it accepted still complete."""
        return self._proto.goaway_seen

    async def wait_closed(self) -> None:
        """Returns once the connection has closed, from either side."""
        await asyncio.shield(self._proto.closed)

    async def __aenter__(self) -> "Connection":
        return self

    async def __aexit__(self, *exc_info: Any) -> None:
        await self.close()


def _client_ssl(
    ssl: Union[None, bool, _ssl.SSLContext], version: Optional[int]
) -> Optional[_ssl.SSLContext]:
    if ssl is None or ssl is False:
        return None
    if ssl is True:
        return client_context(version=version)
    if isinstance(ssl, _ssl.SSLContext):
        return offer_spdy(ssl, version)
    raise TypeError("ssl must be None, True or an ssl.SSLContext")


async def connect(
    host: str,
    port: int,
    *,
    ssl: Union[None, bool, _ssl.SSLContext] = None,
    version: Optional[int] = None,
    server_hostname: Optional[str] = None,
    settings: Optional[Mapping[int, int]] = None,
    on_push: Optional[Callable[[PushedResponse], Any]] = None,
) -> Connection:
    """Opens a SPDY connection to ``host``:``port``.

    ``ssl``: None for plain TCP, True for TLS verified against the system's
    trust store, or an ``ssl.SSLContext`` (made to offer SPDY by ALPN).
    ``version``: the ``PROTO_*`` to speak; over TLS only it is offered, over
    plain TCP (which cannot negotiate) it defaults to PROTO_SPDY3_1.
    ``settings``: SETTINGS to send first, ``{SETTINGS_*: value}``.
    ``on_push``: see ``Connection.on_push``.  Raises NegotiationError if the
    server agrees on no SPDY version, OSError if the connection fails.
    """
    check_version(version)
    # Checked before connecting: refused inside connection_made, they could
    # only fail the connection.
    entries = [(key, 0, value) for key, value in (settings or {}).items()]
    settings_entries(entries)
    loop = asyncio.get_running_loop()
    context = _client_ssl(ssl, version)
    if context is None and version is None:
        version = PROTO_SPDY3_1
    kwargs: dict[str, Any] = {}
    if context is not None:
        kwargs["ssl"] = context
        kwargs["server_hostname"] = host if server_hostname is None else server_hostname
    transport, proto = await loop.create_connection(
        lambda: _ClientProtocol(loop, version, entries, on_push), host, port, **kwargs
    )
    try:
        await proto.ready
    except BaseException:
        transport.abort()
        raise
    return Connection(proto, host, port, "https" if context is not None else "http")


async def get(
    url: str,
    headers: HeaderPairs = (),
    *,
    ssl: Union[None, bool, _ssl.SSLContext] = None,
    version: Optional[int] = None,
    timeout: Optional[float] = None,
    body_limit: Optional[int] = GET_BODY_LIMIT,
) -> Response:
    """Fetches ``url`` (http:// or https://) on a connection of its own and
    returns the Response with its body already read (``await
    resp.read()`` returns it).  ``ssl`` defaults to True for https.
    ``timeout`` bounds the whole fetch (connecting, the TLS handshake, the
    headers and the body): on expiry asyncio.TimeoutError is raised.  A
    body past ``body_limit`` bytes (None: no limit) cancels the stream and
    raises ResponseTooLargeError: the body is held in memory whole."""
    if body_limit is not None:
        check_count(body_limit, 0, "body_limit")
    fetch = _fetch(url, headers, ssl, version, body_limit)
    if timeout is None:
        return await fetch
    return await asyncio.wait_for(fetch, timeout)


async def _fetch(
    url: str,
    headers: HeaderPairs,
    ssl: Union[None, bool, _ssl.SSLContext],
    version: Optional[int],
    body_limit: Optional[int],
) -> Response:
    scheme, host, port = split_url(url)
    parts = urllib.parse.urlsplit(url)
    secure = scheme == "https"
    if ssl is None and secure:
        ssl = True
    path = parts.path or "/"
    if parts.query:
        path += "?" + parts.query
    async with await connect(host, port, ssl=ssl, version=version) as conn:
        response = await conn.request("GET", path, headers)
        if body_limit is None:
            await response.read()
            return response
        chunks = []
        size = 0
        async for chunk in response:
            size += len(chunk)
            if size > body_limit:
                await response.close()
                raise ResponseTooLargeError(
                    "the response body from %s is over the limit of %d bytes" % (url, body_limit)
                )
            chunks.append(chunk)
        # What read() returns from now on.
        response._body = b"".join(chunks)
        return response
