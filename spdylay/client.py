"""The SPDY client: ``urlfetch``, ``UrlFetcher``, ``BaseSPDYStreamHandler``
and ``UrlFetchError``, python-spdylay's client API.

One ``UrlFetcher`` is one connection: every URL given to it is a stream on
the same Session, multiplexed, driven by a ``SessionLoop`` on the caller's
thread.  The stream handlers' methods run on that thread too.
"""

from __future__ import annotations

import collections
import io
import socket
import ssl
import time
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, BinaryIO, Callable, cast

from . import __version__
from ._callbacks import FrameIds, StreamFrames
from ._constants import (
    CANCEL,
    CLIENT,
    ERR_UNSUPPORTED_VERSION,
    GOAWAY_OK,
    HEADERS,
    INTERNAL_ERROR,
    PROTO_SPDY3_1,
    READ_EOF,
    REFUSED_STREAM,
    SETTINGS,
    SYN_REPLY,
    SYN_STREAM,
)
from ._data import DataProvider
from ._errors import Error
from ._frames import HeadersFrame, SynReplyFrame, SynStreamFrame
from ._loop import SessionLoop
from ._tls import check_version, client_context, negotiated_version, offer_spdy
from ._urls import checked_urlsplit, split_url

if TYPE_CHECKING:
    from ._data import ReadCtrl
    from ._frames import CtrlFrame
    from ._loop import FrameHook
    from ._session import Session
    from ._typing import BytesLike, ReceivedHeaderList

#: What makes a URL's stream handler: ``StreamHandlerClass(url, fetcher)``.
StreamHandlerFactory = Callable[[str, "UrlFetcher"], "BaseSPDYStreamHandler"]

USER_AGENT = "spdylay/" + __version__

# Seconds the TCP connection and the TLS handshake may take together, so that
# a server that accepts and then says nothing cannot hang loop().
CONNECT_TIMEOUT = 30.0


class UrlFetchError(Error):
    """The connection could not be made: the host is unreachable, the TLS
    handshake or certificate verification failed, the server negotiated
    no SPDY version (or, over plain TCP, speaks another), or it closed the
    connection without sending a byte (as a TLS server does to a plain TCP
    client).  The message says which."""


class BaseSPDYStreamHandler:
    """Receives one response.  ``UrlFetcher`` makes one per URL with
    ``StreamHandlerClass(url, fetcher)``; ``stream_id`` is set once the
    request has been sent.  Override the ``on_*`` methods."""

    def __init__(self, url: str, fetcher: UrlFetcher) -> None:
        self.url = url
        self.fetcher = fetcher
        self.stream_id: int | None = None

    def on_header(self, nv: ReceivedHeaderList) -> None:
        """The response headers arrived (SYN_REPLY, then any HEADERS):
        ``nv`` is a list of ``(name, value)`` str pairs."""

    def on_data(self, data: bytes) -> None:
        """A chunk of the response body arrived (bytes)."""

    def on_close(self, status_code: int) -> None:
        """The stream ended: ``OK`` when the response is complete, else the
        RST_STREAM status code that ended it (see the documentation)."""


# How many times a request the server refused with RST_STREAM
# REFUSED_STREAM (sent before its SETTINGS limit reached us) is sent again:
# not at all when part of a body that cannot be read again went out.
REFUSED_ATTEMPTS = 3
# Streams opened before the server's SETTINGS arrive (after them the session
# keeps to the announced limit): a server refuses the streams past its limit,
# and one that has to refuse too many at once ends the session.
STREAMS_BEFORE_SETTINGS = 100


class _Request:
    """One URL's stream: its handler and its body source."""

    __slots__ = (
        "url",
        "handler",
        "closed",
        "body",
        "body_start",
        "body_offset",
        "attempts",
        "answered",
        "body_read",
    )

    body_start: int | None
    body_offset: int | None

    def __init__(
        self,
        url: str,
        handler: BaseSPDYStreamHandler,
        body: BinaryIO | None,
        body_start: int | None,
    ) -> None:
        self.url = url
        self.handler = handler
        self.closed = False
        self.body = body
        # Streams sharing one seekable file each read from its own offset.
        self.body_start = body_start
        self.body_offset = body_start
        self.attempts = 0
        self.answered = False
        # Some of an unseekable body was read: a refused stream cannot be
        # sent again with the whole of it.
        self.body_read = False


def _read_body(
    session: Session, stream_id: int, length: int, read_ctrl: ReadCtrl, request: _Request
) -> bytes:
    # A provider exists only for a request with a body.
    body = cast(BinaryIO, request.body)
    if request.body_offset is not None:
        body.seek(request.body_offset)
    data = body.read(length)
    if data is None:
        # A non-blocking file with nothing to read yet: asked again at the
        # next send(), not taken for the end of the body.
        return b""
    if request.body_offset is not None:
        request.body_offset = body.tell()
    elif data:
        request.body_read = True
    if not data:
        read_ctrl.flags = READ_EOF
    return data


def _binary_body(body: BytesLike | BinaryIO | None, requests: int) -> BinaryIO | None:
    """``body`` as a binary file (bytes become one), refused with TypeError
    when it is neither bytes nor a binary file, and with ValueError when it
    is an unseekable file that ``requests`` requests would each read."""
    if body is None:
        return None
    if isinstance(body, (bytes, bytearray, memoryview)):
        return io.BytesIO(bytes(body))
    # A text file has read() too: its str would fail only once the request
    # is on the wire.
    if (
        not hasattr(body, "read")
        or isinstance(body, io.TextIOBase)
        or not isinstance(body.read(0), (bytes, bytearray, memoryview))
    ):
        raise TypeError("body must be bytes or a binary file object")
    if requests > 1 and not body.seekable():
        raise ValueError("a body sent to several URLs must be bytes or a seekable file")
    return body


class UrlFetcher:
    """Fetches ``urls`` over one connection to ``server_address`` (host,
    port): TLS with ALPN when ``tls`` is true, plain TCP at ``version``
    (default SPDY/3.1) otherwise.  ``loop()`` runs until every stream has
    closed."""

    def __init__(
        self,
        server_address: tuple[str, int],
        urls: str | Iterable[str],
        StreamHandlerClass: StreamHandlerFactory,
        *,
        tls: bool = True,
        server_hostname: str | None = None,
        method: str = "GET",
        headers: Iterable[tuple[str, str]] = (),
        body: BytesLike | BinaryIO | None = None,
        timeout: float | None = None,
        version: int | None = None,
        ssl_context: ssl.SSLContext | None = None,
        verify: bool = True,
        on_frame: FrameHook | None = None,
        connect_timeout: float = CONNECT_TIMEOUT,
    ) -> None:
        self.server_address: tuple[Any, ...] = tuple(server_address)
        self.urls = [urls] if isinstance(urls, str) else list(urls)
        self.StreamHandlerClass = StreamHandlerClass
        self.tls = tls
        self.server_hostname = server_hostname or self.server_address[0]
        self.method = method
        self.headers = [(name, value) for name, value in headers]
        self.body = _binary_body(body, len(self.urls))
        # Every request, in every loop(), sends a seekable body from here.
        self._body_start = (
            self.body.tell() if self.body is not None and self.body.seekable() else None
        )
        self._looped = False
        self.timeout = timeout
        self.connect_timeout = connect_timeout
        self.version = check_version(version)
        self.ssl_context = ssl_context
        self.verify = verify
        self.on_frame = on_frame
        self.spdy_version: int | None = None
        self._loop: SessionLoop | None = None
        self._waiting: collections.deque[_Request] = collections.deque()
        self._unsent: collections.deque[_Request] = collections.deque()
        self._sent: dict[int, _Request] = {}
        self._nv_by_url: dict[str, list[tuple[str, str]]] = {}
        for url in self.urls:
            # A URL that cannot be parsed is refused now, not once connected.
            self._request_nv(url)
        self._start_connection_state()

    def _start_connection_state(self) -> None:
        """What one loop() learns about its connection, as it is before."""
        self._settings_received = False
        self._ended = False
        self._open = 0
        # When the requests still open end: every request of a loop() is
        # submitted at once, when it has connected, so they share it.
        self._deadline: float | None = None
        self._write_wait_start: float | None = None
        self._stalled = False

    def _where(self) -> str:
        return "%s:%d" % self.server_address[:2]

    def _timed_out(self, what: str) -> UrlFetchError:
        return UrlFetchError(
            "%s %s timed out after %g seconds" % (what, self._where(), self.connect_timeout)
        )

    def _connect(self) -> tuple[socket.socket, int]:
        started = time.monotonic()
        try:
            sock = socket.create_connection(self.server_address, timeout=self.connect_timeout)
        except socket.timeout as exc:
            raise self._timed_out("connecting to") from exc
        except (OSError, UnicodeError) as exc:
            # UnicodeError: a host name IDNA cannot encode (an empty label,
            # one over 63 characters).
            raise UrlFetchError("cannot connect to %s: %s" % (self._where(), exc)) from exc
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if not self.tls:
                return sock, (PROTO_SPDY3_1 if self.version is None else self.version)
            if self.ssl_context is None:
                context = client_context(self.verify, version=self.version)
            else:
                context = offer_spdy(self.ssl_context, self.version)
        except BaseException:
            sock.close()
            raise
        if self.connect_timeout is not None:
            # The handshake gets what the connection left of the bound.
            sock.settimeout(max(0.001, self.connect_timeout - (time.monotonic() - started)))
        try:
            sock = context.wrap_socket(sock, server_hostname=self.server_hostname)
        except socket.timeout as exc:
            sock.close()
            raise self._timed_out("the TLS handshake with") from exc
        except (OSError, ssl.CertificateError) as exc:
            sock.close()
            raise UrlFetchError("TLS handshake with %s failed: %s" % (self._where(), exc)) from exc
        version = negotiated_version(sock)
        if not version:
            chosen = sock.selected_alpn_protocol()
            sock.close()
            raise UrlFetchError(
                "%s negotiated no SPDY version (it chose %s)"
                % (self._where(), "nothing" if chosen is None else repr(chosen))
            )
        return sock, version

    def _request_nv(self, url: str) -> list[tuple[str, str]]:
        # A URL fetched many times (-m, a benchmark, a request sent again
        # after REFUSED_STREAM) is parsed once; the session copies the list.
        nv = self._nv_by_url.get(url)
        if nv is None:
            nv = self._nv_by_url[url] = self._make_request_nv(url)
        return nv

    def _make_request_nv(self, url: str) -> list[tuple[str, str]]:
        parts = checked_urlsplit(url)
        path = parts.path or "/"
        if parts.query:
            path += "?" + parts.query
        nv = [
            (":method", self.method),
            (":scheme", parts.scheme or "http"),
            (":path", path),
            (":version", "HTTP/1.1"),
            # Without any user:password@ the URL carries: that is no host.
            (":host", parts.netloc.rpartition("@")[2] or self._where()),
        ]
        given = {name.lower() for name, _ in self.headers}
        nv.extend(
            default
            for default in (("accept", "*/*"), ("user-agent", USER_AGENT))
            if default[0] not in given
        )
        nv.extend(self.headers)
        return nv

    def loop(self) -> None:
        """Connects, sends every request and runs until every stream has
        closed.  Raises UrlFetchError when the connection cannot be made;
        exceptions raised by the stream handlers propagate.  Each call
        fetches every URL again, on a new connection."""
        if self._looped and self.body is not None and self._body_start is None:
            raise ValueError(
                "the body is an unseekable file that an earlier loop() has read: "
                "it cannot be sent again"
            )
        self._looped = True
        self._start_connection_state()
        sock, version = self._connect()
        self.spdy_version = version
        try:
            loop = self._loop = SessionLoop(
                sock,
                CLIENT,
                version,
                on_frame=self.on_frame,
                before_ctrl_send_cb=FrameIds(self._before_ctrl_send),
                on_ctrl_not_send_cb=self._on_ctrl_not_send,
                on_ctrl_recv_cb=(
                    StreamFrames(self._on_ctrl_recv)
                    if self.on_frame is None
                    else self._on_ctrl_recv_frame
                ),
                on_data_chunk_recv_cb=self._on_data_chunk_recv,
                on_stream_close_cb=self._on_stream_close,
                on_ctrl_recv_parse_error_cb=self._on_parse_error,
            )
        except BaseException:
            sock.close()
            raise
        if self.timeout is not None:
            self._deadline = time.monotonic() + self.timeout
        try:
            for url in self.urls:
                self._waiting.append(
                    _Request(url, self.StreamHandlerClass(url, self), self.body, self._body_start)
                )
                self._open += 1
            self._submit_waiting()
            if self._open:
                loop.run(self._expire, self._watch_output)
            # The connection ended under these: closed by the server, reset,
            # or dropped because the server stopped reading.
            self._ended = True
            if self._open and not loop.received and not self._stalled:
                # No connection to speak of, as when connecting fails: the
                # stream handlers hear nothing.
                raise UrlFetchError(
                    "%s closed the connection without sending a byte%s"
                    % (
                        self._where(),
                        ""
                        if self.tls
                        else " (a TLS server? this connection speaks SPDY over plain TCP)",
                    )
                )
            for request in list(self._waiting) + list(self._unsent) + list(self._sent.values()):
                self._close(request, INTERNAL_ERROR)
            if self._stalled:
                raise UrlFetchError(
                    "%s stopped reading: nothing could be sent to it for %g "
                    "seconds, so the connection was dropped"
                    % (self._where(), cast(float, self.timeout))
                )  # set, to stall
        finally:
            self._waiting.clear()
            self._unsent.clear()
            self._sent.clear()
            loop.close()
            self._loop = None

    def _submit_waiting(self) -> None:
        """Submits the waiting requests: all of them once the server's
        SETTINGS have arrived, else up to STREAMS_BEFORE_SETTINGS open."""
        while (
            self._waiting
            and not self._ended
            and (
                self._settings_received
                or len(self._unsent) + len(self._sent) < STREAMS_BEFORE_SETTINGS
            )
        ):
            try:
                self._submit(self._waiting[0])
            except Error:
                # The session has failed: what still waits ends with it.
                self._ended = True
                return
            self._waiting.popleft()

    def _submit(self, request: _Request) -> None:
        request.attempts += 1
        request.body_offset = request.body_start
        request.handler.stream_id = None
        provider = None if request.body is None else DataProvider(request, _read_body)
        cast(SessionLoop, self._loop).session.submit_request(
            0, self._request_nv(request.url), provider, request
        )
        self._unsent.append(request)

    def _watch_output(self) -> None:
        """Starts the stall clock when the socket did not take all there was
        to send, and stops it once it has: frames submitted since the last
        send, which the socket has not been offered yet, are no stall."""
        if self.timeout is None:
            return
        if not cast(SessionLoop, self._loop).session.want_write():
            self._write_wait_start = None
        elif self._write_wait_start is None:
            self._write_wait_start = time.monotonic()

    def _expire(self) -> float | None:
        """Ends the requests still open once their time is up, and drops
        the connection once the socket has taken nothing for ``timeout``
        seconds while there was something to send; returns the seconds
        until the next deadline."""
        if self.timeout is None:
            return None
        now = time.monotonic()
        loop = cast(SessionLoop, self._loop)
        session = loop.session
        soonest = self._deadline
        if soonest is not None and soonest <= now:
            self._deadline = soonest = None
            self._expire_open_requests(session)
        if session.want_write():
            # Output the socket has not been offered yet starts the stall
            # clock only if the coming send leaves some of it: look again
            # by then.
            waiting_since = now if self._write_wait_start is None else self._write_wait_start
            stall_deadline = max(waiting_since, loop.last_sent) + self.timeout
            if self._write_wait_start is not None and stall_deadline <= now:
                self._stalled = True
                loop.stop()
                return None
            if soonest is None or stall_deadline < soonest:
                soonest = stall_deadline
        return None if soonest is None else max(0.0, soonest - now)

    def _expire_open_requests(self, session: Session) -> None:
        """Ends every open request with CANCEL: the sent ones are reset,
        the RST_STREAM going out when the socket lets it (which a server
        that stopped reading never does).  The SYN_STREAMs the session
        holds back (the server's stream limit is reached) stay unsent: the
        GOAWAY submitted once nothing is open goes out first, and no stream
        opens after it."""
        # Taken first, so that no stream closed here lets one be submitted
        # only to be cancelled.
        waiting = list(self._waiting)
        self._waiting.clear()
        for stream_id, request in list(self._sent.items()):
            self._reset(session, stream_id, CANCEL)
            self._close(request, CANCEL)
        for request in list(self._unsent) + waiting:
            self._close(request, CANCEL)

    def _reset(self, session: Session, stream_id: int, status_code: int) -> None:
        try:
            session.submit_rst_stream(stream_id, status_code)
        except Error:
            # The session has failed (the peer broke the protocol, or it
            # ran out of memory): it sends nothing but its GOAWAY and then
            # ends, the stream with it.
            pass

    def _close(self, request: _Request, status_code: int) -> None:
        """Ends ``request`` for its handler.  One the session still holds
        stays in ``_unsent`` until the session says what became of its
        SYN_STREAM, which keeps ``_unsent`` in the session's order."""
        if request.closed:
            return
        request.closed = True
        self._open -= 1
        if request.handler.stream_id is not None:
            self._sent.pop(request.handler.stream_id, None)
        elif request in self._waiting:
            self._waiting.remove(request)
        self._submit_waiting()
        if not self._open:
            try:
                cast(SessionLoop, self._loop).session.submit_goaway(GOAWAY_OK)
            except Error:
                pass  # the session has failed: there is nothing to send on
        request.handler.on_close(status_code)

    # Session callbacks.

    def _before_ctrl_send(self, session: Session, frame_type: int, frame_id: int) -> None:
        """before_ctrl_send_cb as FrameIds calls it: no frame object, and
        no request header list converted back from C."""
        if frame_type == SYN_STREAM:
            request = session.get_stream_user_data(frame_id)
            self._unsent.remove(request)
            request.handler.stream_id = frame_id
            self._sent[frame_id] = request

    def _on_ctrl_not_send(self, session: Session, frame: CtrlFrame, error_code: int) -> None:
        if frame.frame_type == SYN_STREAM and self._unsent:
            self._close(self._unsent.popleft(), REFUSED_STREAM)

    def _on_ctrl_recv(
        self,
        session: Session,
        frame_type: int,
        frame_id: int,
        flags: int,
        nv: ReceivedHeaderList | None,
        assoc_stream_id: int,
    ) -> None:
        """on_ctrl_recv_cb as StreamFrames calls it: the frame's type, its
        stream (frame_id) and its header list, with no frame object."""
        if frame_type == SYN_REPLY or frame_type == HEADERS:
            request = self._sent.get(frame_id)
            if request is not None:
                request.answered = True
                request.handler.on_header(cast("ReceivedHeaderList", nv))
        elif frame_type == SYN_STREAM:
            # A server push: nothing here asked for it, and an open pushed
            # stream would keep the connection from ending.
            self._reset(session, frame_id, REFUSED_STREAM)
        elif frame_type == SETTINGS and not self._settings_received:
            self._settings_received = True
            self._submit_waiting()

    def _on_ctrl_recv_frame(self, session: Session, frame: CtrlFrame) -> None:
        """on_ctrl_recv_cb under a frame hook, which is given frame
        objects."""
        if isinstance(frame, (SynStreamFrame, SynReplyFrame, HeadersFrame)):
            self._on_ctrl_recv(session, frame.frame_type, frame.stream_id, frame.flags, frame.nv, 0)
        else:
            self._on_ctrl_recv(session, frame.frame_type, 0, frame.flags, None, 0)

    def _on_data_chunk_recv(
        self, session: Session, flags: int, stream_id: int, data: bytes
    ) -> None:
        request = self._sent.get(stream_id)
        if request is not None:
            request.handler.on_data(data)

    def _on_parse_error(
        self, session: Session, frame_type: int, head: bytes, payload: bytes, error_code: int
    ) -> None:
        if error_code == ERR_UNSUPPORTED_VERSION:
            # Every frame of a peer speaking another version is ignored:
            # waiting would be for ever.
            raise UrlFetchError(
                "%s speaks another SPDY version (its frames are version %d; "
                "plain TCP has no negotiation: use the server's version)"
                % (self._where(), (head[0] & 0x7F) << 8 | head[1])
            )

    def _on_stream_close(self, session: Session, stream_id: int, status_code: int) -> None:
        request = self._sent.get(stream_id)
        if request is None:
            return
        # A stream the server reset with REFUSED_STREAM before answering
        # it closes with that status code; the server did not act on it.
        if (
            status_code == REFUSED_STREAM
            and not request.answered
            and request.attempts < REFUSED_ATTEMPTS
            and not request.body_read
        ):
            del self._sent[stream_id]
            self._submit(request)
        else:
            self._close(request, status_code)


def urlfetch(
    url_or_urls: str | Iterable[str],
    StreamHandlerClass: StreamHandlerFactory,
    *,
    method: str = "GET",
    headers: Iterable[tuple[str, str]] = (),
    body: BytesLike | BinaryIO | None = None,
    timeout: float | None = None,
    version: int | None = None,
    ssl_context: ssl.SSLContext | None = None,
    verify: bool = True,
    on_frame: FrameHook | None = None,
    connect_timeout: float = CONNECT_TIMEOUT,
) -> None:
    """Fetches one URL or a list of them; URLs with the same scheme, host and
    port share one connection (a ``UrlFetcher``), connections are made one
    after the other.  The keyword arguments are ``UrlFetcher``'s."""
    urls = [url_or_urls] if isinstance(url_or_urls, str) else list(url_or_urls)
    groups: dict[tuple[str, str, int], list[str]] = {}
    for url in urls:
        groups.setdefault(split_url(url), []).append(url)
    # Checked against every request, not each connection's share of them:
    # the connections read the one file in turn.
    body = _binary_body(body, len(urls))
    # Made before any connects, so that every one records where a seekable
    # body starts before the first has read it.
    fetchers = [
        UrlFetcher(
            (host, port),
            group,
            StreamHandlerClass,
            tls=scheme == "https",
            server_hostname=host,
            method=method,
            headers=headers,
            body=body,
            timeout=timeout,
            version=version,
            ssl_context=ssl_context,
            verify=verify,
            on_frame=on_frame,
            connect_timeout=connect_timeout,
        )
        for (scheme, host, port), group in groups.items()
    ]
    for fetcher in fetchers:
        fetcher.loop()
