"""The asyncio protocol under spdylay.aio's client and server: one
``spdylay.Session`` per connection, driven from what the transport reads
(an ``asyncio.BufferedProtocol``: reads land in one buffer per loop).

The hot path is ``buffer_updated`` -> ``Session.recv`` -> callbacks, which
resolve futures and fill body queues; the bytes the session wants to send are
written once per loop iteration (``schedule_flush``), after the tasks those
callbacks woke have had their turn to submit frames.

Flow control: in SPDY/3 and SPDY/3.1 the session runs with
OPT_NO_AUTO_WINDOW_UPDATE2, and a received chunk is reported with
``Session.consume`` only when the application takes it, so a slow reader
keeps the peer's window for that stream closed (SPDY/3.1's connection window
is opened to CONNECTION_WINDOW so that it does not stall the others).
SPDY/2 has no flow control: the connection stops reading from the socket
(TCP pushes back) while more than
``SPDY2_BUFFER_LIMIT`` received bytes wait for the application.  On the
sending side the session is not asked for bytes while the transport's write
buffer is above its high-water mark, and a body from an async iterable is
read ahead at most ``SOURCE_READ_AHEAD`` bytes.
"""

import asyncio
import collections
import logging
import weakref
from typing import TYPE_CHECKING, Any, Callable, Optional, Union, cast

from .._callbacks import SentFrameIds, StreamFrames
from .._constants import (
    CLIENT,
    CTRL_FLAG_FIN,
    DATA_FLAG_FIN,
    ERR_DEFERRED,
    ERR_UNSUPPORTED_VERSION,
    GOAWAY,
    HEADERS,
    OPT_NO_AUTO_WINDOW_UPDATE2,
    PING,
    PROTO_SPDY2,
    PROTO_SPDY3_1,
    READ_EOF,
    SYN_REPLY,
    SYN_STREAM,
)
from .._data import DataProvider
from .._errors import Error, InvalidStateError, TemporalCallbackFailureError
from .._session import Session
from .._tls import negotiated_version
from ._errors import ConnectionLostError, NegotiationError

if TYPE_CHECKING:
    from collections.abc import AsyncIterable

    from .._data import ReadCtrl
    from .._frames import (
        CtrlFrame,
        SynStreamFrame,
    )
    from .._typing import BytesLike, ReadCallback, ReceivedHeaderList

# A stream of the client or the server (_ClientStream, _ServerStream,
# _PushStream): the protocol calls the methods they share.
Stream = Any

log = logging.getLogger("spdylay.aio")

SPDY2_BUFFER_LIMIT = 1 << 20
SOURCE_READ_AHEAD = 65536
# SPDY/3.1's connection window starts as small as one stream's (64 KiB), so
# one response its reader neglects would stall every other stream; it is
# opened to this size at once, leaving the per-stream windows to push back.
CONNECTION_WINDOW = 8 << 20
INITIAL_WINDOW = 65536


def _wake(waiter: "Optional[asyncio.Future[Any]]") -> None:
    if waiter is not None and not waiter.done():
        waiter.set_result(None)


class IncomingBody:
    """A stream's received body, taken by the application chunk by chunk;
    each chunk taken reopens the peer's window by its size."""

    __slots__ = (
        "_proto",
        "_stream",
        "_chunks",
        "_done",
        "_error",
        "_waiter",
        "_discarding",
        "received",
        "limit",
    )

    def __init__(
        self, proto: "SessionProtocol", stream: Stream, limit: Optional[int] = None
    ) -> None:
        self._proto = proto
        self._stream = stream
        self._chunks: collections.deque[bytes] = collections.deque()
        self._done = False
        self._error: Optional[BaseException] = None
        self._waiter: Optional[asyncio.Future[None]] = None
        self._discarding = False
        self.received = 0
        self.limit = limit

    @property
    def finished(self) -> bool:
        return self._done

    def feed(self, data: bytes) -> bool:
        """Queues a received chunk; returns False when it was not queued
        (nobody will read it, or it is over the limit)."""
        self.received += len(data)
        if self._discarding:
            self._proto.dropped(self._stream.stream_id, len(data))
            return False
        if self.limit is not None and self.received > self.limit:
            self._proto.dropped(self._stream.stream_id, len(data))
            self._stream.body_too_large()
            return False
        self._chunks.append(data)
        # _wake() spelt out: this runs for every chunk and every body.
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)
        return True

    def finish(self) -> None:
        self._done = True
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def fail(self, exc: BaseException) -> None:
        if not self._done and self._error is None:
            self._error = exc
            _wake(self._waiter)

    def discard(self) -> None:
        """Gives the window back for every chunk nobody will read, now and
        from now on."""
        self._discarding = True
        chunks = self._chunks
        while chunks:
            self._proto.consumed(self._stream, len(chunks.popleft()))

    async def next_chunk(self) -> bytes:
        """The next chunk, or b"" at the end of the body.  A task cancelled
        while waiting here cancels the stream."""
        chunks = self._chunks
        while not chunks:
            if self._error is not None:
                raise self._error
            if self._done:
                return b""
            proto = self._proto
            waiter = self._waiter = proto.loop.create_future()
            proto.peer_waits += 1
            try:
                await waiter
            except asyncio.CancelledError:
                self._stream.cancel()
                raise
            finally:
                self._waiter = None
                proto.peer_waits -= 1
        chunk = chunks.popleft()
        self._proto.consumed(self._stream, len(chunk))
        return chunk

    @property
    def complete(self) -> bool:
        """True when the whole body is here: ``take_all()`` returns it."""
        return self._done and self._error is None

    def take_all(self) -> bytes:
        """The whole body, once ``complete`` (the usual case for small
        bodies): no waiting, and the window is reopened in one call."""
        chunks = self._chunks
        # A small body is one chunk: no join, which would copy it.
        body = chunks.popleft() if len(chunks) == 1 else b"".join(chunks)
        chunks.clear()
        self._proto.consumed(self._stream, len(body))
        return body

    async def read_all(self) -> bytes:
        if self.complete:
            return self.take_all()
        parts: list[bytes] = []
        while True:
            chunk = await self.next_chunk()
            if not chunk:
                return b"".join(parts)
            parts.append(chunk)


class BodyReader:
    """``read()`` and ``async for`` over a stream's received body, for
    Response and Request (their ``_incoming``)."""

    __slots__ = ()

    # Set by Response and Request.
    _stream: Stream
    _incoming: IncomingBody
    _body: Optional[bytes]

    async def read(self) -> bytes:
        """The whole body (what ``async for`` has not taken).  Calling it
        again returns the same bytes."""
        if self._body is None:
            body = self._incoming
            # Response and Request (no __slots__) hold _body.
            self._body = (  # type: ignore[misc]
                body.take_all() if body.complete else await body.read_all()
            )
        return self._body

    def __aiter__(self) -> "BodyReader":
        return self

    async def __anext__(self) -> bytes:
        chunk: bytes = await self._incoming.next_chunk()
        if not chunk:
            raise StopAsyncIteration
        return chunk


def _read_remaining(
    session: Session, stream_id: int, length: int, read_ctrl: "ReadCtrl", source: list[Any]
) -> Union[bytes, memoryview]:
    """read_cb of a bytes body: ``source`` holds what is left of it (after
    the first frame, a memoryview, so that a long body is not copied again
    for every frame)."""
    data = source[0]
    if len(data) <= length:
        read_ctrl.flags = READ_EOF
        return cast("Union[bytes, memoryview]", data)
    view = memoryview(data)
    source[0] = view[length:]
    return view[:length]


def body_provider(
    proto: "SessionProtocol",
    body: Union[bytes, bytearray, memoryview, Any],
    on_error: Callable[[BaseException], object],
) -> "tuple[DataProvider, Optional[OutgoingBody]]":
    """The DataProvider that sends ``body`` (bytes, a binary file object or
    an async iterable of bytes) under flow control, and the OutgoingBody
    behind it, which is to be cancelled if the stream goes first (None for
    bytes, which need no reading)."""
    if body.__class__ is bytes or isinstance(body, (bytes, bytearray, memoryview)):
        return DataProvider([bytes(body)], _read_remaining), None
    outgoing = OutgoingBody(proto, body, on_error)
    return outgoing.provider, outgoing


class OutgoingBody:
    """A body being sent under flow control, as a DataProvider: a binary
    file object (read as the window opens), or an async iterable of bytes
    (read ahead by a task, at most SOURCE_READ_AHEAD bytes).

    ``on_error(exc)`` is called when the file or iterable raises; the stream
    is then reset with INTERNAL_ERROR."""

    __slots__ = (
        "_proto",
        "_on_error",
        "_file",
        "_buffer",
        "_eof",
        "_error",
        "_deferred_stream",
        "_room",
        "_task",
        "provider",
    )

    def __init__(
        self,
        proto: "SessionProtocol",
        body: Any,
        on_error: Callable[[BaseException], object],
    ) -> None:
        self._proto = proto
        self._on_error = on_error
        self._error: Optional[BaseException] = None
        self._task: Optional[asyncio.Task[None]] = None
        read: ReadCallback
        if hasattr(body, "read"):
            self._file = body
            read = self._read_file
        elif hasattr(body, "__aiter__"):
            self._buffer = bytearray()
            self._eof = False
            self._deferred_stream = 0
            self._room: Optional[asyncio.Future[None]] = None
            self._task = proto.loop.create_task(self._pump(body))
            read = self._read_ahead
        else:
            raise TypeError(
                "a body is bytes, a binary file object or an "
                "async iterable of bytes, not %s" % type(body).__name__
            )
        self.provider = DataProvider(None, read)

    def cancel(self) -> None:
        """Stops reading the source (the stream is gone)."""
        if self._task is not None:
            self._task.cancel()

    def _read_file(
        self, session: Session, stream_id: int, length: int, read_ctrl: "ReadCtrl", source: object
    ) -> Union[bytes, bytearray, memoryview]:
        try:
            chunk = self._file.read(length)
            if not isinstance(chunk, (bytes, bytearray, memoryview)):
                raise TypeError(
                    "a body file must be opened in binary mode: "
                    "its read() returned %s" % type(chunk).__name__
                )
        except Exception as exc:
            self._failed(exc)
            raise TemporalCallbackFailureError("the body file failed") from exc
        if not chunk:
            read_ctrl.flags = READ_EOF
            return b""
        return chunk

    def _read_ahead(
        self, session: Session, stream_id: int, length: int, read_ctrl: "ReadCtrl", source: object
    ) -> Union[bytes, int]:
        if self._error is not None:
            raise TemporalCallbackFailureError("the body source failed")
        buffer = self._buffer
        if not buffer:
            if self._eof:
                read_ctrl.flags = READ_EOF
                return b""
            self._deferred_stream = stream_id
            return ERR_DEFERRED
        chunk = bytes(buffer[:length])
        del buffer[:length]
        if self._eof and not buffer:
            read_ctrl.flags = READ_EOF
        _wake(self._room)
        return chunk

    async def _pump(self, source: "AsyncIterable[bytes]") -> None:
        proto = self._proto
        loop = proto.loop
        chunks = source.__aiter__()
        # Counted as busy except while it waits for the peer to take the
        # body (the server's idle check).
        proto.busy_sources += 1
        try:
            async for chunk in chunks:
                self._buffer += chunk
                self._resume()
                while len(self._buffer) >= SOURCE_READ_AHEAD:
                    self._room = loop.create_future()
                    proto.busy_sources -= 1
                    try:
                        await self._room
                    finally:
                        proto.busy_sources += 1
                    self._room = None
        except asyncio.CancelledError:
            # The stream is gone: let the source clean up now, not whenever
            # the garbage collector finalizes it.
            aclose = getattr(chunks, "aclose", None)
            if aclose is not None:
                await aclose()
            raise
        except Exception as exc:
            self._failed(exc)
            self._resume()
            return
        finally:
            proto.busy_sources -= 1
        self._eof = True
        self._resume()

    def _failed(self, exc: BaseException) -> None:
        if self._error is None:
            self._error = exc
            self._on_error(exc)

    def _resume(self) -> None:
        stream_id = self._deferred_stream
        if not stream_id:
            return
        self._deferred_stream = 0
        proto = self._proto
        session = proto.session
        if session is None:
            return
        try:
            session.resume_data(stream_id)
        except Error:
            # The stream closed meanwhile: nothing waits for this body.
            return
        proto.schedule_flush()


# What a connection reads into: one buffer per event loop, shared by its
# connections.  A read fills it and buffer_updated() hands it to
# Session.recv(), which copies out whatever it keeps, before the loop does
# anything else, so no two reads ever use it at once.  Reading into it
# spares each read the 256 KiB bytes object asyncio's data_received() path
# allocates (and the heap the pages back): a sixth of a small request's CPU.
INPUT_BUFFER_SIZE = 256 * 1024
# What the session is handed at a time.  A burst of small responses (100
# of them arrive as about 110 KB) processed whole would have the client
# wake every waiting task before any of them could send its next request,
# so the peer would idle meanwhile and the two ends take turns.  After a
# slice in which streams ended, the rest waits for the next loop iteration:
# the tasks woken run first and what they send goes out, and the peer works
# while this end processes the rest.  Input for at most one open stream,
# and the rest after a slice in which no stream ended (long bodies, most
# likely), go at once: slices would split DATA frames into more chunks,
# which costs a long body 5% more.  Servers slice the same way; their
# streams seldom end in input (only when the client resets them), so their
# input is rarely held back.
INPUT_SLICE = 32 * 1024
# Unprocessed input past this much is processed at once, with no wait: a
# peer sending faster than the slices go cannot grow it without bound.
INPUT_BACKLOG_LIMIT = INPUT_BUFFER_SIZE
_input_buffers: "weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, memoryview]" = (
    weakref.WeakKeyDictionary()
)


def _input_buffer(loop: asyncio.AbstractEventLoop) -> memoryview:
    buffer = _input_buffers.get(loop)
    if buffer is None:
        buffer = _input_buffers[loop] = memoryview(bytearray(INPUT_BUFFER_SIZE))
    return buffer


class SessionProtocol(asyncio.BufferedProtocol):
    """One connection's Session.  Subclasses give ``side`` and define what
    the connection starts with (``started()``), and how it handles a stream
    the peer opens (``syn_stream_received(stream_id, assoc_stream_id, flags,
    nv)``), a SYN_STREAM that could
    not go out (``syn_stream_not_sent(frame, error_code)``), GOAWAY
    (``goaway_received(last_good_stream_id)``) and the end of the
    connection (``lost(error)``)."""

    side: int
    # The frames sent that _on_ctrl_sent acts on: no other crosses from C.
    CTRL_SENT_TYPES = (SYN_STREAM, PING)

    def __init__(self, loop: asyncio.AbstractEventLoop, version: Optional[int]) -> None:
        self.loop = loop
        self.requested_version = version
        self.version = 0
        self.session: Optional[Session] = None
        # An asyncio.Transport once connection_made() has run.
        self.transport: Any = None
        self.streams: dict[int, Stream] = {}
        self.ready: asyncio.Future[None] = loop.create_future()
        self.closed: asyncio.Future[None] = loop.create_future()
        self.lost_error: Optional[BaseException] = None
        # The session refused a submission (InvalidStateError): it has
        # failed, a peer having passed one of its limits, and the connection
        # ends once its GOAWAY has gone out.
        self.session_failed = False
        self.goaway_sent = False
        self._flush_scheduled = False
        self._write_paused = False
        self._read_paused = False
        self._manual_window = False
        self._buffered = 0
        # Bytes of closed streams the application took: they reopen only the
        # connection's window (SPDY/3.1), all at once when flushing, by a
        # consume() naming one of those (never reused) stream IDs.
        self._released = 0
        self._released_stream_id = 0
        self._pings: collections.deque[asyncio.Future[float]] = collections.deque()
        self._ping_started: dict[int, tuple[asyncio.Future[float], float]] = {}
        self.last_received = loop.time()
        # Since when the transport has asked us to stop writing (None: it
        # has not): the peer takes nothing meanwhile.
        self.write_paused_since: Optional[float] = None
        # Tasks waiting for the peer to send body (IncomingBody.next_chunk),
        # and body sources (OutgoingBody._pump) not waiting for the peer.
        self.peer_waits = 0
        self.busy_sources = 0
        self._input = _input_buffer(loop)
        # Input read but not yet handed to the session (see INPUT_SLICE),
        # and how many streams have closed, which ends a slice's turn.
        self._backlog = b""
        self._streams_closed = 0

    # asyncio.Protocol

    def connection_made(self, transport: Any) -> None:
        self.transport = transport
        version = self.requested_version
        tls = transport.get_extra_info("ssl_object")
        if tls is not None:
            version = negotiated_version(tls)
            if not version:
                self._not_ready(
                    NegotiationError(
                        "the peer agreed on no SPDY version (ALPN: %r)"
                        % (tls.selected_alpn_protocol(),)
                    )
                )
                return
        elif version is None:
            version = PROTO_SPDY3_1
        self.version = version
        try:
            self._start_session(version)
        except Exception as exc:
            self._not_ready(exc)
            return
        self.flush()
        self.ready.set_result(None)

    def _not_ready(self, exc: BaseException) -> None:
        """The connection cannot start: ``connect()`` raises ``exc``; a
        server's connection just closes."""
        session, self.session = self.session, None
        if session is not None:
            session.close()
        self.ready.set_exception(exc)
        # Only a client awaits ready; a server's must not log it as lost.
        self.ready.exception()
        self.transport.abort()

    def _start_session(self, version: int) -> None:
        """The connection's Session, with what it starts with queued."""
        self._manual_window = version != PROTO_SPDY2
        config = {OPT_NO_AUTO_WINDOW_UPDATE2: True} if self._manual_window else None
        self.session = Session(
            self.side,
            version,
            config=config,
            send_cb=self._send,
            on_ctrl_recv_cb=StreamFrames(self._on_ctrl_recv),
            on_data_chunk_recv_cb=self._on_data_chunk_recv,
            on_data_recv_cb=self._on_data_recv,
            on_ctrl_send_cb=SentFrameIds(self._on_ctrl_sent),
            on_ctrl_not_send_cb=self._on_ctrl_not_send,
            on_stream_close_cb=self._on_stream_close,
            on_ctrl_recv_parse_error_cb=self._on_parse_error,
        )
        self.session._send_ctrl_types(self.CTRL_SENT_TYPES)
        if version == PROTO_SPDY3_1:
            self.session.submit_window_update(0, CONNECTION_WINDOW - INITIAL_WINDOW)
        self.started()

    # asyncio.BufferedProtocol

    def get_buffer(self, sizehint: int) -> memoryview:
        return self._input

    def buffer_updated(self, nbytes: int) -> None:
        self.data_received(self._input[:nbytes])

    def data_received(self, data: "BytesLike") -> None:
        self.last_received = self.loop.time()
        if self._backlog:
            # Behind what is still waiting; the shared buffer is reused.
            self._backlog += data
        else:
            self._receive(memoryview(data), True)

    def _receive(self, data: memoryview, pause: bool) -> None:
        """Hands ``data`` to the session a slice at a time while streams end
        in them; after such a slice, with ``pause``, keeps the rest for the
        next loop iteration."""
        session = self.session
        if session is None:
            return
        end = len(data)
        try:
            if end <= INPUT_SLICE or len(self.streams) < 2:
                session.recv(data)
            else:
                start = 0
                while start < end:
                    closed = self._streams_closed
                    session.recv(data[start : start + INPUT_SLICE])
                    start += INPUT_SLICE
                    if start >= end or self.lost_error is not None:
                        # Ended, or the connection was given up in this
                        # slice: what follows is not for anyone.
                        break
                    if closed == self._streams_closed:
                        session.recv(data[start:])
                        break
                    if pause and end - start <= INPUT_BACKLOG_LIMIT:
                        self._backlog = bytes(data[start:])
                        self.loop.call_soon(self._receive_backlog)
                        break
        except Exception as exc:
            self.abort(exc)
            return
        self.received()
        self.schedule_flush()

    def _receive_backlog(self) -> None:
        data, self._backlog = self._backlog, b""
        if data:
            self._receive(memoryview(data), True)

    def received(self) -> None:
        """Called after the session has processed input."""

    def eof_received(self) -> bool:
        return False

    def pause_writing(self) -> None:
        self._write_paused = True
        self.write_paused_since = self.loop.time()

    def resume_writing(self) -> None:
        self._write_paused = False
        self.write_paused_since = None
        self.schedule_flush()

    def connection_lost(self, exc: Optional[BaseException]) -> None:
        # What the peer sent before it closed counts: its last frames; not
        # once this end has given the connection up.
        data, self._backlog = self._backlog, b""
        if data and self.lost_error is None:
            self._receive(memoryview(data), False)
        error = self.lost_error
        if error is None:
            error = self.lost_error = ConnectionLostError(
                "the connection was lost" if exc else "the connection closed"
            )
            error.__cause__ = exc
        if not self.ready.done():
            self.ready.set_exception(error)
        streams = list(self.streams.values())
        self.streams.clear()
        for stream in streams:
            stream.fail(error)
        # A ping() cancelled or timed out leaves its waiter done (cancelled).
        waiters = [*self._pings, *(waiter for waiter, _ in self._ping_started.values())]
        self._pings.clear()
        self._ping_started.clear()
        for waiter in waiters:
            if not waiter.done():
                waiter.set_exception(error)
        self.lost(error)
        session, self.session = self.session, None
        if session is not None:
            try:
                session.close()
            except InvalidStateError:
                self.loop.call_soon(session.close)
        if not self.closed.done():
            self.closed.set_result(None)

    # Writing

    def _send(self, session: Session, data: bytes) -> int:
        if self._write_paused:
            return 0
        self.transport.write(data)
        return len(data)

    def schedule_flush(self) -> None:
        if not self._flush_scheduled:
            self._flush_scheduled = True
            self.loop.call_soon(self.flush)

    def flush(self) -> None:
        self._flush_scheduled = False
        session = self.session
        if session is None or self._write_paused or self.transport.is_closing():
            return
        try:
            if self._released:
                session.consume(self._released_stream_id, self._released)
                self._released = 0
            session.send()
        except Exception as exc:
            self.abort(exc)
            return
        if not session.want_read() and not session.want_write():
            self.transport.close()

    def abort(self, exc: BaseException) -> None:
        """Ends the connection after a failure of the session itself."""
        log.error("SPDY session failed; closing the connection", exc_info=exc)
        if self.lost_error is None:
            self.lost_error = ConnectionLostError("the SPDY session failed: %s" % (exc,))
            self.lost_error.__cause__ = exc
        self.transport.abort()

    def close_transport(self) -> None:
        if self.transport is not None:
            self.transport.close()

    def dropped(self, stream_id: int, size: int) -> None:
        """``size`` bytes of the stream's DATA arrived that nobody will read:
        the window is given back at once."""
        session = self.session
        if self._manual_window and session is not None and size:
            session.consume(stream_id, size)
            self.schedule_flush()

    def consumed(self, stream: Stream, size: int) -> None:
        """The application took ``size`` bytes of the stream's body."""
        if self._manual_window:
            if not stream.finished:
                self.dropped(stream.stream_id, size)
            elif self.version == PROTO_SPDY3_1 and size:
                self._released += size
                self._released_stream_id = stream.stream_id
                self.schedule_flush()
            return
        self._buffered -= size
        if self._read_paused and self._buffered <= SPDY2_BUFFER_LIMIT // 2:
            self._read_paused = False
            self.transport.resume_reading()

    def submit_goaway(self) -> None:
        """Sends GOAWAY (once): no new streams; open ones may finish."""
        if self.goaway_sent or self.session is None:
            return
        self.goaway_sent = True
        try:
            self.session.submit_goaway(0)
        except InvalidStateError:
            return  # the session has failed: nothing more goes out on it
        self.schedule_flush()

    def gone_error(self) -> BaseException:
        """A new exception like ``lost_error``, for one more call made after
        the connection has gone: raising the stored one again would grow its
        traceback with every caller's frames."""
        lost = cast(BaseException, self.lost_error)
        error = type(lost)(*lost.args)
        error.__cause__ = lost.__cause__
        return error

    async def ping(self) -> float:
        session = self.session
        if session is None:
            # The session goes with the connection, and lost_error is set then.
            raise self.gone_error()
        waiter: asyncio.Future[float] = self.loop.create_future()
        self._pings.append(waiter)
        session.submit_ping()
        self.schedule_flush()
        try:
            return await waiter
        except asyncio.CancelledError:
            # Not waited for any more: its echo, if it comes, finds no entry.
            # A waiter still queued in _pings stays there until its PING
            # goes out, which keeps the later ones paired with their own.
            for ping_id, (started, _) in self._ping_started.items():
                if started is waiter:
                    del self._ping_started[ping_id]
                    break
            raise

    # Session callbacks

    if TYPE_CHECKING:
        # What the subclasses define.

        def started(self) -> None: ...

        def syn_stream_received(
            self, stream_id: int, assoc_stream_id: int, flags: int, nv: "ReceivedHeaderList"
        ) -> None: ...

        def syn_stream_not_sent(self, frame: "SynStreamFrame", error_code: int) -> None: ...

        def goaway_received(self, last_good_stream_id: int) -> None: ...

        def lost(self, error: BaseException) -> None: ...

    def _on_ctrl_recv(
        self,
        session: Session,
        frame_type: int,
        frame_id: int,
        flags: int,
        nv: "Optional[ReceivedHeaderList]",
        assoc_stream_id: int,
    ) -> None:
        """on_ctrl_recv_cb, given the fields of the frame (StreamFrames):
        no frame object is built."""
        if frame_type == SYN_REPLY or frame_type == HEADERS:
            stream = self.streams.get(frame_id)
            if stream is not None and stream.body is not None:
                stream.headers_received(nv, flags & CTRL_FLAG_FIN)
        elif frame_type == SYN_STREAM:
            self.syn_stream_received(
                frame_id, assoc_stream_id, flags, cast("ReceivedHeaderList", nv)
            )
        elif frame_type == PING:
            started = self._ping_started.pop(frame_id, None)
            if started is not None:
                waiter, start = started
                if not waiter.done():
                    waiter.set_result(self.loop.time() - start)
        elif frame_type == GOAWAY:
            self.goaway_received(frame_id)

    def _on_ctrl_sent(
        self, session: Session, frame_type: int, frame_id: int, stream: Optional[Stream]
    ) -> None:
        """on_ctrl_send_cb, given only the frame's type and ID and a
        SYN_STREAM's stream (SentFrameIds), for CTRL_SENT_TYPES: no header
        block of a frame sent is converted to Python."""
        if frame_type == SYN_STREAM:
            if stream is not None:
                self.streams[frame_id] = stream
                stream.opened(frame_id)
        elif frame_type == PING and (frame_id & 1) == (self.side == CLIENT):
            if self._pings:
                waiter = self._pings.popleft()
                if not waiter.done():
                    self._ping_started[frame_id] = (waiter, self.loop.time())

    def _on_ctrl_not_send(self, session: Session, frame: "CtrlFrame", error_code: int) -> None:
        if frame.frame_type == SYN_STREAM:
            self.syn_stream_not_sent(cast("SynStreamFrame", frame), error_code)

    def _on_parse_error(
        self, session: Session, frame_type: int, head: bytes, payload: bytes, error_code: int
    ) -> None:
        if error_code == ERR_UNSUPPORTED_VERSION and self.side == CLIENT:
            # The session ignores every frame of another version (a server
            # refuses such a request with RST_STREAM UNSUPPORTED_VERSION, in
            # its own version): the requests would wait for ever.
            if self.lost_error is None:
                self.lost_error = NegotiationError(
                    "the server speaks SPDY version %d, not %d (plain TCP has no "
                    "negotiation: use the server's version)"
                    % ((head[0] & 0x7F) << 8 | head[1], 2 if self.version == PROTO_SPDY2 else 3)
                )
            self.transport.abort()

    def _on_data_chunk_recv(
        self, session: Session, flags: int, stream_id: int, data: bytes
    ) -> None:
        stream = self.streams.get(stream_id)
        if stream is None or stream.body is None:
            self.dropped(stream_id, len(data))
            return
        body = stream.body
        if body.feed(data) and not self._manual_window:
            self._buffered += len(data)
            if not self._read_paused and self._buffered > SPDY2_BUFFER_LIMIT:
                self._read_paused = True
                self.transport.pause_reading()

    def _on_data_recv(self, session: Session, flags: int, stream_id: int, length: int) -> None:
        # Not FIN on the body's last chunk (tried, to save this callback):
        # with it node's spdy server reset one request in five with
        # INVALID_STREAM in tests/test_aio_interop_node.py.
        if flags & DATA_FLAG_FIN:
            stream = self.streams.get(stream_id)
            if stream is not None and stream.body is not None:
                stream.body.finish()

    def _on_stream_close(self, session: Session, stream_id: int, status_code: int) -> None:
        self._streams_closed += 1
        stream = self.streams.pop(stream_id, None)
        if stream is not None:
            stream.closed(status_code)
