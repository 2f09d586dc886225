"""The threaded SPDY server: ``ThreadedSPDYServer`` and
``BaseSPDYRequestHandler``, python-spdylay's server API.

Each accepted connection gets a thread that runs its Session in a
``SessionLoop``.  Each request gets a handler object and a worker thread of
its own (workers are reused, and a new one starts when none is idle),
so a slow handler holds back neither the other streams of its connection nor
other connections.  A handler's ``wfile`` feeds a bounded buffer that a
DataProvider drains as flow control allows: the handler blocks while the
buffer is full, and the I/O thread resumes the deferred DATA when the handler
adds more.
"""

from __future__ import annotations

import collections
import email.utils
import html
import http.server
import io
import math
import socket
import socketserver
import ssl
import sys
import threading
import time
import traceback
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, Callable, cast

from . import __version__
from ._callbacks import StreamFrames
from ._constants import (
    CANCEL,
    CTRL_FLAG_FIN,
    DATA_FLAG_FIN,
    ERR_DEFERRED,
    FLAG_SETTINGS_NONE,
    GOAWAY_OK,
    HEADERS,
    ID_FLAG_SETTINGS_NONE,
    INTERNAL_ERROR,
    PROTO_SPDY3_1,
    READ_EOF,
    SERVER,
    SETTINGS_MAX_CONCURRENT_STREAMS,
    SYN_STREAM,
)
from ._data import DataProvider
from ._errors import Error, InvalidStateError
from ._limits import HEADER_BYTES_LIMIT, IDLE_TIMEOUT, check_count, check_seconds, header_bytes
from ._loop import SessionLoop
from ._nv import LastPacked
from ._printable import printable
from ._tls import check_version, negotiated_version, offer_spdy, server_context

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

    from ._data import ReadCtrl
    from ._frames import CtrlFrame, HeadersFrame, SynStreamFrame
    from ._loop import FrameHook
    from ._session import Session

# How many response bytes a handler may have written ahead of what the
# connection has sent; past it, wfile.write() blocks.
RESPONSE_BUFFER_LIMIT = 64 * 1024

# How long a TLS client may take to finish its handshake.
HANDSHAKE_TIMEOUT = 30.0

_NO_BODY_STATUSES = frozenset((204, 304))

# (second, its date header text) of the last date_time_string() call.
_last_date = (-1, "")


# The first byte of a TLS record carrying a handshake message, which a TLS
# client's first bytes are.
_TLS_HANDSHAKE = 0x16
# The first byte of a SPDY control frame (its control bit and the high byte of
# the version).
_SPDY_CONTROL = 0x80


def _not_tls(first: bytes) -> str | None:
    """Why a client whose first byte is ``first`` (b"" if it closed the
    connection) is not starting TLS, or None if it may be.  OpenSSL would
    read a SPDY control frame's bytes as the header of a record longer than
    the frame, and wait for the rest until HANDSHAKE_TIMEOUT."""
    if not first:
        return "the client closed the connection"
    if first[0] == _TLS_HANDSHAKE:
        return None
    if first[0] == _SPDY_CONTROL:
        return "the client sent a SPDY frame without TLS (a client speaking plain TCP?)"
    return "the client did not start TLS (its first byte is 0x%02x)" % first[0]


class _ResponseWriter(io.RawIOBase):
    """A handler's ``wfile``: bytes written here are sent on the stream as
    flow control allows.  The first write sends the response headers."""

    def __init__(self, handler: BaseSPDYRequestHandler) -> None:
        super().__init__()
        self._handler: BaseSPDYRequestHandler | None = handler

    def writable(self) -> bool:
        return True

    def write(self, data: ReadableBuffer) -> int:
        if self.closed:
            raise ValueError("write to a finished response")
        handler = cast(BaseSPDYRequestHandler, self._handler)  # open
        handler.end_headers()
        if handler.command == "HEAD":
            # Not sent, as http.server's own handlers leave a HEAD body
            # out: ``do_HEAD = do_GET`` works.
            return memoryview(data).nbytes
        return handler._stream.write(data)

    def close(self) -> None:
        super().close()
        # The handler holds its wfile: without the cycle, the handler and
        # all it holds go as soon as it returns, instead of waiting for the
        # garbage collector, whose collections they would set off (about 3
        # us a request at 100 streams in flight).
        self._handler = None


class _ClientStalled(ConnectionResetError):
    """Raised in a handler whose client took none of its response for the
    server's idle_timeout: its stream is being reset."""


class _Stream:
    """One request on a server connection, from SYN_STREAM to close.

    The request fields belong to the connection's I/O thread.  The response
    fields are shared with the handler's thread, under the connection's
    ``lock``: the handler adds headers and body and marks the stream
    ``queued`` for the I/O thread, which takes everything added since in
    one ``flush``.  So a response written while the I/O thread is busy
    reaches the session as one item (headers, body and end together), and
    a handler never waits for the I/O thread except when the body buffer is
    full.
    """

    __slots__ = (
        "connection",
        "stream_id",
        "nv",
        "header_bytes",
        "request_body",
        "counted_body_bytes",
        "refusal",
        "handled",
        "status",
        "reply",
        "has_body",
        "no_body_reason",
        "chunks",
        "offset",
        "buffered",
        "finished",
        "deferred",
        "queued",
        "returned",
        "space",
    )

    def __init__(self, connection: _Connection, stream_id: int) -> None:
        self.connection = connection
        self.stream_id = stream_id
        self.nv: list[tuple[str, str]] = []
        self.header_bytes = 0
        # None once the handler has it (as its rfile).
        self.request_body: bytearray | None = bytearray()
        # What the body counts against the connection's body_bytes, from its
        # first byte until its handler has returned.
        self.counted_body_bytes = 0
        # (code, message) when the request is answered with an error
        # instead of being handed to a do_ method.
        self.refusal: tuple[int, str] | None = None
        self.handled = False
        # The stream's close status code, once it has closed.
        self.status: int | None = None
        # The response headers, from the handler until the I/O thread has
        # submitted them.
        self.reply: list[tuple[str, str]] | None = None
        self.has_body = False
        self.no_body_reason = ""
        # The body written and not sent yet: chunks[0][offset:], chunks[1:].
        self.chunks: collections.deque[bytes] = collections.deque()
        self.offset = 0
        self.buffered = 0
        self.finished = False
        # The session's DATA for this stream waits (ERR_DEFERRED) for more
        # body or its end.
        self.deferred = False
        # A flush of this stream is on the I/O thread's call queue.
        self.queued = False
        # The handler has returned (its request body may be released).
        self.returned = False
        # Held by the I/O thread while a handler waits in write() for room
        # in the buffer; released when the buffer drains or the stream
        # closes.
        self.space: threading.Lock | None = None

    def add_headers(self, nv: list[tuple[str, str]]) -> bool:
        """Adds ``nv``; False (and nothing added) once the headers would
        pass HEADER_BYTES_LIMIT (the request is then answered 431)."""
        self.header_bytes += header_bytes(nv)
        if self.header_bytes > HEADER_BYTES_LIMIT:
            self.nv = []
            self.refusal = (431, "Request headers larger than %d bytes" % HEADER_BYTES_LIMIT)
            return False
        self.nv.extend(nv)
        return True

    # On the handler's thread.

    def _queue(self) -> None:
        """Has the I/O thread flush this stream soon; under the lock."""
        if not self.queued:
            self.queued = True
            connection = self.connection
            if connection.loop.call_unwoken(connection.flush, self):
                connection.server._workers.wake_when_drained(connection.loop)

    def _check_open(self) -> None:
        if self.status is not None:
            raise ConnectionResetError(
                "stream %d was closed (status code %d) before the response "
                "was sent" % (self.stream_id, self.status)
            )

    def send_headers(self, nv: list[tuple[str, str]], with_body: bool, reason: str) -> None:
        with self.connection.lock:
            self.reply = nv
            self.has_body = with_body
            self.no_body_reason = reason
            self._queue()

    def write(self, data: ReadableBuffer) -> int:
        """Adds ``data`` to the body, waiting while the buffer is full;
        returns its length."""
        if not self.has_body:
            raise ValueError("this response has no body (%s)" % self.no_body_reason)
        lock = self.connection.lock
        if data.__class__ is bytes:
            length = len(data)
            if length:
                with lock:
                    self._check_open()
                    if self.buffered + length <= RESPONSE_BUFFER_LIMIT:
                        # Immutable, and it fits: buffered as it is, with
                        # no view of it made (the usual write).
                        self.chunks.append(data)
                        self.buffered += length
                        if self.deferred:
                            self._queue()
                        return length
            view = memoryview(data)
        else:
            view = memoryview(data).cast("B")
        length = len(view)
        while view:
            with lock:
                self._check_open()
                room = RESPONSE_BUFFER_LIMIT - self.buffered
                if room > 0:
                    piece = view[:room]
                    self.chunks.append(
                        data if len(piece) == length and data.__class__ is bytes else bytes(piece)
                    )
                    self.buffered += len(piece)
                    view = view[room:]
                    if self.deferred:
                        self._queue()
                    continue
                space = self.space = threading.Lock()
                space.acquire()
            self._wait_for_room(space)
        return length

    def _wait_for_room(self, space: threading.Lock) -> None:
        """Waits until the I/O thread releases ``space``; a client that
        takes none of the body for the server's idle_timeout gets the
        stream reset, and the handler a ConnectionResetError."""
        connection = self.connection
        timeout = connection.server.idle_timeout
        if timeout is None:
            space.acquire()
            return
        if space.acquire(timeout=timeout):
            return
        with connection.lock:
            if self.space is space:
                self.space = None
                stalled = True
            else:
                stalled = False  # released as the wait ended
        if not stalled:
            return
        connection.loop.call_soon(connection.reset, self, CANCEL)
        raise _ClientStalled(
            "stream %d: the client took none of the response for %g seconds"
            % (self.stream_id, timeout)
        )

    def finish_body(self) -> None:
        with self.connection.lock:
            self.finished = True
            if self.deferred:
                self._queue()

    def handler_returned(self) -> None:
        connection = self.connection
        with connection.lock:
            self.returned = True
            connection.running -= 1
            # The idle clock (_close_if_idle) starts again from here.
            connection.idle_since = time.monotonic()
            # Only a request body, or a request waiting for a handler,
            # needs the I/O thread to hear of it.
            if self.counted_body_bytes or connection.waiting:
                self._queue()

    # On the I/O thread.

    def read(self, length: int, read_ctrl: ReadCtrl) -> bytes | int:
        """The next body bytes for the session, at most ``length``."""
        with self.connection.lock:
            buffered = self.buffered
            if not buffered:
                if self.finished:
                    self._end(read_ctrl)
                    return b""
                self.deferred = True
                return ERR_DEFERRED
            chunks = self.chunks
            if buffered <= length and len(chunks) == 1 and not self.offset:
                data = chunks.popleft()
            else:
                data = self._take(min(length, buffered))
            self.buffered = buffered - len(data)
            if self.finished and not self.buffered:
                self._end(read_ctrl)
            space = self.space
            if space is not None:
                self.space = None
                space.release()
            return data

    def _end(self, read_ctrl: ReadCtrl) -> None:
        """The response's last DATA frame is being sent."""
        read_ctrl.flags = READ_EOF
        if self.refusal is not None:
            # The rest of a refused request's body would only be discarded,
            # for as long as the client cares to upload: once this frame
            # has gone (the session finishes a frame it has started before
            # the next), a reset stops it, unless the stream has closed.
            connection = self.connection
            connection.loop.call_soon(connection.reset, self, CANCEL)

    def _take(self, length: int) -> bytes:
        chunks = self.chunks
        parts = []
        while length:
            chunk = chunks[0]
            end = self.offset + length
            if end < len(chunk):
                parts.append(memoryview(chunk)[self.offset : end])
                self.offset = end
                break
            parts.append(memoryview(chunk)[self.offset :])
            length -= len(chunk) - self.offset
            chunks.popleft()
            self.offset = 0
        return b"".join(parts)

    def closed(self, status_code: int) -> None:
        with self.connection.lock:
            self.status = status_code
            space = self.space
            if space is not None:
                self.space = None
                space.release()


class _Workers:
    """Threads for request handlers, reused.  The threads not running a
    handler are either looking for work or parked, each on a lock of its
    own.  Whenever a job waits, at least one thread is looking: a thread
    that takes a job while others wait wakes (or starts) the next one before
    running it, so no job ever waits for another to finish, and a burst of
    quick jobs is run by the few threads the burst actually needs.  A
    thread parked for IDLE_SECONDS ends.  When no thread can be started
    (the system's limit), the jobs wait for the next thread that looks:
    one finishing its job, or one the next job starts."""

    IDLE_SECONDS = 10.0

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._jobs: collections.deque[tuple[Callable[..., object], tuple[Any, ...]]] = (
            collections.deque()
        )
        self._parked: list[threading.Lock] = []
        self._looking = 0
        # Connection loops to wake once no job waits (wake_when_drained),
        # in the order they asked.
        self._unwoken: dict[SessionLoop, None] = {}

    def run_all(self, jobs: Iterable[tuple[Callable[..., object], tuple[Any, ...]]]) -> None:
        """Runs every ``function(*args)`` of ``jobs``, each on a thread."""
        with self._lock:
            self._jobs.extend(jobs)
            wake = None if self._looking or not self._jobs else self._enlist()
        if wake is not None:
            self._wake(wake)

    def wake_when_drained(self, loop: SessionLoop) -> None:
        """Wakes ``loop`` (which has calls queued for it) now, or, while
        jobs wait and a thread is looking for them, once the thread that
        takes the last of them is about to run it.  So the responses of a
        burst of quick handlers reach their connection's I/O thread in one
        wake-up, when the burst has been run, instead of waking it to take
        the interpreter lock from the workers at every response; a handler
        that blocks or sleeps holds back none of them, since the last job
        is taken, and the loops woken, whatever the handlers do."""
        with self._lock:
            if self._jobs and self._looking:
                self._unwoken[loop] = None
                return
        loop.wake()

    def _enlist(self) -> threading.Lock | bool:
        """Counts one more thread as looking, under the lock: a parked
        one's lock to release, or True for a new thread to start."""
        self._looking += 1
        if self._parked:
            return self._parked.pop()
        return True

    def _wake(self, wake: threading.Lock | bool) -> None:
        if wake is not True:
            cast(threading.Lock, wake).release()
            return
        try:
            threading.Thread(target=self._work, daemon=True, name="spdylay request handler").start()
        except RuntimeError as exc:
            with self._lock:
                self._looking -= 1
                # With no thread looking, the waiting jobs may wait for a
                # long handler to end: the loops that wait for them do not.
                unwoken = self._unwoken if not self._looking else {}
                if unwoken:
                    self._unwoken = {}
            sys.stderr.write("spdylay: cannot start a request handler thread: %s\n" % (exc,))
            for loop in unwoken:
                loop.wake()

    def _work(self) -> None:
        parking = threading.Lock()
        parking.acquire()
        lock = self._lock
        jobs = self._jobs
        while True:
            with lock:
                if not jobs:
                    self._looking -= 1
                    self._parked.append(parking)
                    job = None
                else:
                    job = jobs.popleft()
                    self._looking -= 1
                    wake = self._enlist() if jobs and not self._looking else None
                    unwoken = None
                    if not jobs and self._unwoken:
                        unwoken = self._unwoken
                        self._unwoken = {}
            if job is None:
                if parking.acquire(timeout=self.IDLE_SECONDS):
                    continue  # woken, and counted as looking by the waker
                with lock:
                    if parking in self._parked:
                        self._parked.remove(parking)
                        return
                # Woken as the wait ended: take the release that woke it.
                parking.acquire()
                continue
            if wake is not None:
                self._wake(wake)
            if unwoken is not None:
                for loop in unwoken:
                    loop.wake()
            function, args = job
            function(*args)
            with lock:
                self._looking += 1


class _Connection:
    """One accepted connection: its Session and its open streams."""

    def __init__(
        self,
        server: ThreadedSPDYServer,
        sock: socket.socket,
        client_address: tuple[Any, ...],
        version: int,
    ) -> None:
        self.server = server
        self.client_address = client_address
        self.version = version
        self.streams: dict[int, _Stream] = {}
        # Request body bytes held for this connection's streams, received or
        # in the rfile of a handler still running: at most
        # server.connection_body_limit.
        self.body_bytes = 0
        self.idle_since = time.monotonic()
        # Guards the response fields of this connection's streams (_Stream),
        # and running.
        self.lock = threading.Lock()
        # Handlers given to the workers that have not returned: at most
        # server.max_concurrent_streams, so that streams a client resets
        # (or closes by finishing them) cannot pile up running handlers.
        self.running = 0
        # Requests ready for a handler, in arrival order, until _start_handlers
        # gives them to the workers; a stream that closes first gets none.
        self.waiting: dict[int, _Stream] = {}
        # The response headers its handlers checked last (_send_headers).
        self.checked_replies = LastPacked()
        # Every response body is read through this one provider.
        self._provider = DataProvider(None, self._read_response)
        self.loop = SessionLoop(
            sock,
            SERVER,
            version,
            on_frame=server.on_frame,
            on_ctrl_recv_cb=(
                StreamFrames(self._on_header_block)
                if server.on_frame is None
                else self._on_ctrl_recv
            ),
            on_data_chunk_recv_cb=self._on_data_chunk_recv,
            on_data_recv_cb=self._on_data_recv,
            on_stream_close_cb=self._on_stream_close,
        )
        self.loop.session.submit_settings(
            FLAG_SETTINGS_NONE,
            [
                (
                    SETTINGS_MAX_CONCURRENT_STREAMS,
                    ID_FLAG_SETTINGS_NONE,
                    server.max_concurrent_streams,
                )
            ],
        )

    def _on_header_block(
        self,
        session: Session,
        frame_type: int,
        stream_id: int,
        flags: int,
        nv: list[tuple[str, str]] | None,
        assoc_stream_id: int,
    ) -> None:
        """on_ctrl_recv_cb as StreamFrames calls it: a received frame's
        type, its stream and its header list (None for frames that carry
        none), with no frame object built.  A SYN_STREAM or HEADERS with
        FLAG_FIN ends its request, as on_request_recv_cb would say next
        (a callback fewer for most requests)."""
        stream: _Stream | None
        if frame_type == SYN_STREAM:
            stream = self.streams[stream_id] = _Stream(self, stream_id)
        elif frame_type == HEADERS:
            stream = self.streams.get(stream_id)
            if stream is None or stream.handled:
                return
        else:
            return
        if not stream.add_headers(cast("list[tuple[str, str]]", nv)) or flags & CTRL_FLAG_FIN:
            self._start_handler(stream)

    def _on_ctrl_recv(self, session: Session, frame: CtrlFrame) -> None:
        """on_ctrl_recv_cb under a frame hook, which is given frame
        objects."""
        # frame_type says which frame class it is.
        if frame.frame_type == SYN_STREAM or frame.frame_type == HEADERS:
            headers = cast("SynStreamFrame | HeadersFrame", frame)
            self._on_header_block(
                session, frame.frame_type, headers.stream_id, frame.flags, headers.nv, 0
            )

    def _on_data_chunk_recv(
        self, session: Session, flags: int, stream_id: int, data: bytes
    ) -> None:
        stream = self.streams.get(stream_id)
        if stream is None or stream.handled:
            return
        server = self.server
        request_body = cast(bytearray, stream.request_body)  # not handled yet
        if len(request_body) + len(data) > server.request_body_limit:
            self._refuse_body(
                stream, "Request body larger than %d bytes" % server.request_body_limit
            )
        elif self.body_bytes + len(data) > server.connection_body_limit:
            self._refuse_body(
                stream,
                "Request bodies on one connection "
                "larger than %d bytes together" % server.connection_body_limit,
            )
        else:
            request_body += data
            stream.counted_body_bytes += len(data)
            self.body_bytes += len(data)

    def _refuse_body(self, stream: _Stream, message: str) -> None:
        stream.refusal = (413, message)
        stream.request_body = bytearray()
        self.release_body(stream)
        self._start_handler(stream)

    def release_body(self, stream: _Stream) -> None:
        """The stream's body is no longer held (refused, its handler has
        returned, or the stream has closed)."""
        self.body_bytes -= stream.counted_body_bytes
        stream.counted_body_bytes = 0

    def _on_data_recv(self, session: Session, flags: int, stream_id: int, length: int) -> None:
        """A DATA frame with FLAG_FIN ends its request's body."""
        if flags & DATA_FLAG_FIN:
            stream = self.streams.get(stream_id)
            if stream is not None and not stream.handled:
                self._start_handler(stream)

    def _start_handler(self, stream: _Stream) -> None:
        stream.handled = True
        self.waiting[stream.stream_id] = stream

    def _start_handlers(self) -> None:
        """Hands the waiting requests to the workers together, once the I/O
        thread has nothing more to do, as many as the bound on running
        handlers allows."""
        waiting = self.waiting
        if not waiting:
            return
        with self.lock:
            room = self.server.max_concurrent_streams - self.running
            if room <= 0:
                return
            if len(waiting) <= room:
                streams = list(waiting.values())
                waiting.clear()
            else:
                streams = [waiting.pop(stream_id) for stream_id in list(waiting)[:room]]
            self.running += len(streams)
        handle = self.server._handle_stream
        self.server._workers.run_all([(handle, (stream,)) for stream in streams])

    def _on_stream_close(self, session: Session, stream_id: int, status_code: int) -> None:
        stream = self.streams.pop(stream_id, None)
        if stream is not None:
            self.waiting.pop(stream_id, None)
            stream.closed(status_code)
            # Here rather than only when the handler returns: the client may
            # send its next request as soon as this response has ended.
            self.release_body(stream)
        if not self.streams:
            self.idle_since = time.monotonic()

    def _close_if_idle(self) -> float | None:
        """Sends GOAWAY and ends the connection once, for the server's
        idle_timeout, it has had no open stream and received nothing, or
        has had open streams but no handler running and moved no byte
        either way (a client that stalls its requests or stops reading
        holds nothing for ever); returns the seconds until it must be asked
        again."""
        idle_timeout = self.server.idle_timeout
        if idle_timeout is None:
            return None
        loop = self.loop
        if not self.streams:
            last = max(self.idle_since, loop.last_received)
        elif self.running:
            return idle_timeout
        else:
            last = max(self.idle_since, loop.last_received, loop.last_sent)
        deadline = last + idle_timeout
        now = time.monotonic()
        if deadline > now:
            return deadline - now
        self.goaway()
        # The GOAWAY is sent in the round that runs this stop.
        self.loop.stop()
        return None

    # Run on the I/O thread, posted by handler threads and the server.

    def flush(self, stream: _Stream) -> None:
        """Hands the session what the stream's handler has added since the
        last flush: the response headers (with the body's provider), or
        more body for DATA that waited for it."""
        with self.lock:
            stream.queued = False
            reply = stream.reply
            stream.reply = None
            resume = stream.deferred and (stream.buffered or stream.finished)
            if resume:
                stream.deferred = False
            has_body = stream.has_body
        if stream.returned:
            self.release_body(stream)
        if stream.status is not None:
            return
        session = self.loop.session
        if reply is not None:
            try:
                session.submit_response(
                    stream.stream_id, reply, self._provider if has_body else None
                )
            except InvalidStateError:
                pass  # the session has failed (a peer past its limits): it ends
        elif resume:
            session.resume_data(stream.stream_id)

    def _read_response(
        self, session: Session, stream_id: int, length: int, read_ctrl: ReadCtrl, source: None
    ) -> bytes | int:
        # The session reads only from open streams, which are all here.
        return self.streams[stream_id].read(length, read_ctrl)

    def reset(self, stream: _Stream, status_code: int) -> None:
        if stream.status is None:
            self.loop.session.submit_rst_stream(stream.stream_id, status_code)

    def goaway(self) -> None:
        try:
            self.loop.session.submit_goaway(GOAWAY_OK)
        except Error:
            pass  # a GOAWAY went out already

    def run(self) -> None:
        try:
            self.loop.run(self._close_if_idle, self._start_handlers)
        finally:
            for stream in list(self.streams.values()):
                stream.closed(CANCEL)
            self.streams.clear()
            self.loop.close()


class BaseSPDYRequestHandler:
    """Handles one request (one stream), modelled on
    ``http.server.BaseHTTPRequestHandler``: ``handle()`` calls
    ``do_<METHOD>()``; the handler answers with ``send_response()``,
    ``send_header()`` and ``wfile.write()``, or ``send_error()``."""

    server_version = "spdylay/" + __version__
    sys_version = "Python/" + sys.version.split()[0]
    responses = http.server.BaseHTTPRequestHandler.responses
    error_message_format = http.server.BaseHTTPRequestHandler.error_message_format
    error_content_type = http.server.BaseHTTPRequestHandler.error_content_type

    def __init__(
        self, request: _Stream, client_address: tuple[Any, ...], server: ThreadedSPDYServer
    ) -> None:
        self._stream = request
        self.client_address = client_address
        self.server = server
        self.stream_id = request.stream_id
        self.spdy_version = request.connection.version
        self.headers = request.nv
        # The first of repeated names counts.
        fields = dict(reversed(request.nv))
        self.command = fields.get(":method", "")
        self.path = fields.get(":path", "")
        self.request_version = fields.get(":version", "")
        self.rfile = io.BytesIO(cast(bytearray, request.request_body))
        # The body arrived in full (or was refused): rfile has the only copy.
        request.request_body = None
        self.wfile = _ResponseWriter(self)
        self._status: str | None = None
        self._response_headers: list[tuple[str, str]] = []
        self._headers_sent = False

    def handle(self) -> None:
        """Dispatches the request to ``do_<METHOD>``: 400 without a method or
        path, 501 for a method with no handler."""
        if not self.command or not self.path:
            self.send_error(400, "The request has no :method or :path")
            return
        method = getattr(self, "do_" + self.command, None)
        if method is None:
            self.send_error(501, "Unsupported method (%r)" % self.command)
            return
        method()

    def send_response(self, code: int, message: str | None = None) -> None:
        """Starts the response with status ``code``; adds the ``server`` and
        ``date`` headers."""
        self.log_request(code)
        self.send_response_only(code, message)
        self._response_headers.append(("server", self.version_string()))
        self._response_headers.append(("date", self.date_time_string()))

    def send_response_only(self, code: int, message: str | None = None) -> None:
        """Starts the response with status ``code`` only: no log line, no
        ``server`` or ``date`` header."""
        if self._headers_sent:
            raise RuntimeError("the response headers were sent already")
        if message is None:
            message = self.responses.get(code, ("",))[0]
        self._status = ("%d %s" % (code, message)).rstrip()
        self._code = code
        self._response_headers = []

    def send_header(self, name: str, value: object) -> None:
        """Adds a response header (names are sent lower-cased)."""
        if self._headers_sent:
            raise RuntimeError("the response headers were sent already")
        if self._status is None:
            raise RuntimeError("send_response() must come before send_header()")
        self._response_headers.append((name, str(value)))

    def end_headers(self) -> None:
        """Sends the response headers now; the body follows through
        ``wfile``.  Optional: the first ``wfile.write()`` and the end of the
        handler send them too."""
        self._send_headers(with_body=True)

    def flush_headers(self) -> None:
        """The same as :meth:`end_headers` (``http.server`` sends its
        buffered header lines here; a SPDY response has them in one
        frame)."""
        self._send_headers(with_body=True)

    def _send_headers(self, with_body: bool) -> None:
        if self._headers_sent:
            return
        if self._status is None:
            raise RuntimeError("send_response() must come before the body")
        stream = self._stream
        nv = [(":status", self._status), (":version", "HTTP/1.1")]
        nv.extend(self._response_headers)
        # A header the session would refuse fails here, in the handler,
        # rather than on the connection's I/O thread; a list the same as
        # the connection's last response's is known to pass.
        stream.connection.checked_replies.pack(nv)
        if self.command == "HEAD":
            with_body, reason = False, "HEAD request"
        elif self._code in _NO_BODY_STATUSES or self._code < 200:
            with_body, reason = False, "status %d" % self._code
        else:
            reason = "it was sent without one"
        self._headers_sent = True
        stream.send_headers(nv, with_body, reason)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Answers with status ``code`` (and its standard reason phrase) and
        an HTML page saying ``message`` (default: that phrase) and
        ``explain`` (default: the status's description)."""
        short, description = self.responses.get(code, ("???", "???"))
        if message is None:
            message = short
        if explain is None:
            explain = description
        self.log_error("code %d, message %s", code, message)
        self.send_response(code)
        self.send_header("content-type", self.error_content_type)
        body = b""
        if code >= 200 and code not in _NO_BODY_STATUSES:
            body = (
                self.error_message_format
                % {
                    "code": code,
                    "message": html.escape(message, quote=False),
                    "explain": html.escape(explain, quote=False),
                }
            ).encode("utf-8", "replace")
            self.send_header("content-length", str(len(body)))
        if body and self.command != "HEAD":
            self.wfile.write(body)
        else:
            self._send_headers(with_body=False)

    def finish(self) -> None:
        """Ends the response: sends the headers if no byte of the body was
        written, then the end of the body; ``wfile`` is closed."""
        if not self._headers_sent:
            if self._status is None:
                self.log_error("the handler sent no response")
                self.send_error(500, "The handler sent no response")
            else:
                self._send_headers(with_body=True)
        if self._stream.has_body:
            self._stream.finish_body()
        self.wfile.close()

    def version_string(self) -> str:
        """The ``server`` header: ``server_version`` and ``sys_version``."""
        return self.server_version + " " + self.sys_version

    def date_time_string(self, timestamp: float | None = None) -> str:
        """``timestamp`` (default: now) formatted for the ``date`` header."""
        global _last_date
        if timestamp is None:
            timestamp = time.time()
        # The header has a resolution of one second: the text of the last
        # second asked for serves every response within it.
        second = math.floor(timestamp)
        last = _last_date
        if last[0] != second:
            last = _last_date = (second, email.utils.formatdate(second, usegmt=True))
        return last[1]

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        self.log_message(
            '"%s %s %s" %s %s', self.command, self.path, self.request_version, code, size
        )

    def log_error(self, format: str, *args: Any) -> None:
        self.log_message(format, *args)

    def log_message(self, format: str, *args: Any) -> None:
        """Writes one line to stderr, as ``http.server`` does, with the
        characters that are not printable escaped: the path and the other
        request fields come from the client."""
        sys.stderr.write(
            "%s - - [%s] %s\n"
            % (self.client_address[0], self.log_date_time_string(), printable(format % args))
        )

    def log_date_time_string(self) -> str:
        return time.strftime("%d/%b/%Y %H:%M:%S")


def _address_family(server_address: tuple[str, int]) -> socket.AddressFamily:
    """The family to listen with, as ``http.server`` picks it: that of the
    first address ``getaddrinfo`` gives (AF_INET6 for ``"::1"``)."""
    host, port = server_address[:2]
    infos = socket.getaddrinfo(host or None, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)
    return infos[0][0]


class ThreadedSPDYServer(socketserver.ThreadingMixIn, socketserver.TCPServer):
    """A SPDY server: one thread per connection, a worker thread per request
    (reused once free).  TLS with ALPN when ``cert_file``/``key_file`` or
    ``ssl_context`` are given, plain TCP at ``version`` otherwise."""

    daemon_threads = True
    allow_reuse_address = True

    # For the type checker: what this server's attributes hold (socketserver's
    # stubs declare them for socketserver's own handlers and addresses).
    server_address: tuple[Any, ...]
    RequestHandlerClass: type[BaseSPDYRequestHandler]  # type: ignore[assignment]

    def __init__(
        self,
        server_address: tuple[str, int],
        RequestHandlerClass: type[BaseSPDYRequestHandler],
        cert_file: str | None = None,
        key_file: str | None = None,
        *,
        version: int | None = None,
        ssl_context: ssl.SSLContext | None = None,
        max_concurrent_streams: int = 100,
        request_body_limit: int = 16 * 1024 * 1024,
        on_frame: FrameHook | None = None,
        idle_timeout: float | None = IDLE_TIMEOUT,
        connection_body_limit: int = 64 * 1024 * 1024,
    ) -> None:
        check_version(version)
        check_seconds(idle_timeout, "idle_timeout")
        check_count(max_concurrent_streams, 1, "max_concurrent_streams")
        check_count(request_body_limit, 0, "request_body_limit")
        check_count(connection_body_limit, 0, "connection_body_limit")
        if ssl_context is None and (cert_file is not None or key_file is not None):
            if cert_file is None or key_file is None:
                raise ValueError("TLS needs both cert_file and key_file")
            ssl_context = server_context(cert_file, key_file, version)
        elif ssl_context is not None:
            offer_spdy(ssl_context, version)
        self.ssl_context = ssl_context
        self.version = PROTO_SPDY3_1 if version is None else version
        self.max_concurrent_streams = max_concurrent_streams
        self.request_body_limit = request_body_limit
        self.connection_body_limit = connection_body_limit
        self.idle_timeout = idle_timeout
        self.on_frame = on_frame
        self._connections: set[_Connection] = set()
        self._connections_lock = threading.Lock()
        # Set by shutdown() and server_close(), under _connections_lock: a
        # connection whose TLS handshake ends after them is told GOAWAY at
        # once, or closed, instead of outliving them.
        self._shut_down = False
        self._closed = False
        # The thread of each accepted connection and its socket as accepted
        # (socketserver does not keep daemon threads), for server_close().
        self._accepted: dict[threading.Thread, socket.socket] = {}
        self._serving = threading.Event()
        self._workers = _Workers()
        self.address_family = _address_family(server_address)
        # socketserver's stubs want a socketserver.BaseRequestHandler class:
        # this server makes its handlers itself (_handle_stream).
        super().__init__(server_address, RequestHandlerClass)  # type: ignore[arg-type]

    def start(self, daemon: bool = False) -> None:
        """Runs ``serve_forever()`` in a new thread."""
        thread = threading.Thread(
            target=self.serve_forever,
            daemon=daemon,
            name="spdylay server %s:%d" % self.server_address[:2],
        )
        thread.start()
        self._serving.wait()

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        self._serving.set()
        try:
            super().serve_forever(poll_interval)
        finally:
            self._serving.clear()

    def shutdown(self) -> None:
        """Stops accepting connections and sends GOAWAY on every open one;
        each closes once its streams have finished."""
        if self._serving.is_set():
            super().shutdown()
        with self._connections_lock:
            self._shut_down = True
        for connection in self._open_connections():
            connection.loop.call_soon(connection.goaway)

    def server_close(self) -> None:
        """Closes the listening socket and every connection, open streams
        or not, and waits for their threads."""
        with self._connections_lock:
            self._closed = True
            accepted = dict(self._accepted)
        accepted.pop(threading.current_thread(), None)
        for connection in self._open_connections():
            connection.loop.stop()
        for sock in accepted.values():
            # Ends a TLS handshake in progress at once rather than after
            # HANDSHAKE_TIMEOUT; a socket TLS has taken over is detached and
            # refuses (the loop.stop() above ends that one).
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        super().server_close()
        for thread in accepted:
            thread.join()

    def __exit__(self, *exc_info: object) -> None:
        self.shutdown()
        self.server_close()

    def _open_connections(self) -> list[_Connection]:
        with self._connections_lock:
            return list(self._connections)

    def process_request_thread(self, request: Any, client_address: Any) -> None:
        thread = threading.current_thread()
        with self._connections_lock:
            closed = self._closed
            if not closed:
                self._accepted[thread] = request
        if closed:
            self.shutdown_request(request)
            return
        try:
            super().process_request_thread(request, client_address)
        finally:
            with self._connections_lock:
                del self._accepted[thread]

    def finish_request(self, request: Any, client_address: Any) -> None:
        if self.ssl_context is None:
            version = self.version
        else:
            request.settimeout(HANDSHAKE_TIMEOUT)
            try:
                refusal = _not_tls(request.recv(1, socket.MSG_PEEK))
                if refusal is None:
                    request = self.ssl_context.wrap_socket(request, server_side=True)
            except OSError as exc:
                refusal = str(exc)
            if refusal is not None:
                sys.stderr.write(
                    "spdylay: TLS handshake with %s failed: %s\n" % (client_address[0], refusal)
                )
                return
            version = negotiated_version(request)
            if not version:
                # The wrapped socket replaced the accepted one, which
                # shutdown_request() closes: close this one now.
                request.close()
                return
        with self._connections_lock:
            if self._closed:
                if self.ssl_context is not None:
                    request.close()
                return
            connection = _Connection(self, request, client_address, version)
            self._connections.add(connection)
            if self._shut_down:
                connection.goaway()
        try:
            connection.run()
        finally:
            with self._connections_lock:
                self._connections.discard(connection)

    def shutdown_request(self, request: Any) -> None:
        self.close_request(request)

    def _handle_stream(self, stream: _Stream) -> None:
        handler: BaseSPDYRequestHandler | None = None
        if stream.status is not None:
            # Closed (reset by the client, say) before a worker took it.
            stream.handler_returned()
            return
        try:
            handler = self.RequestHandlerClass(stream, stream.connection.client_address, self)
            if stream.refusal is not None:
                handler.send_error(*stream.refusal)
            else:
                handler.handle()
            handler.finish()
        except ConnectionResetError as exc:
            if stream.status is None and exc.__class__ is not _ClientStalled:
                self._handler_failed(stream, handler)
            else:
                # The client reset the stream, went away or stalled it:
                # routine, and nothing left to answer.
                sys.stderr.write("spdylay: %s\n" % (exc,))
        except BaseException:
            # SystemExit and KeyboardInterrupt too: they end this handler,
            # not the worker thread, which goes on serving.
            self._handler_failed(stream, handler)
        finally:
            stream.handler_returned()

    def _handler_failed(self, stream: _Stream, handler: BaseSPDYRequestHandler | None) -> None:
        sys.stderr.write(
            "spdylay: handler for stream %d from %s failed:\n%s"
            % (stream.stream_id, stream.connection.client_address[0], traceback.format_exc())
        )
        if stream.status is not None:
            return
        if handler is not None and not handler._headers_sent:
            try:
                handler.send_error(500)
                handler.finish()
                return
            except Exception:
                pass  # send_error itself failed: reset the stream instead
        stream.connection.loop.call_soon(stream.connection.reset, stream, INTERNAL_ERROR)
