"""One thread driving one Session over one non-blocking socket, plain or TLS:
the engine under the threaded client and server.

Only the loop's own thread touches the Session.  Other threads (request
handlers writing a response, a server shutting down) hand it work with
``call_soon``, which wakes the loop through a socket pair when it is waiting
in ``select``, so a blocked ``select`` never delays them; a loop that is
awake takes the calls before it next waits, with no wake-up.
"""

from __future__ import annotations

import collections
import selectors
import socket
import ssl
import threading
import time
from typing import Any, Callable, Union

from ._errors import EOFError
from ._frames import CtrlFrame, DataFrame
from ._session import Session

#: The frame hook: ``on_frame(direction, frame)``, direction "recv" or "send".
FrameHook = Callable[[str, Union[CtrlFrame, DataFrame]], object]

_WOULD_BLOCK = (BlockingIOError, ssl.SSLWantReadError, ssl.SSLWantWriteError)
# A peer that resets the connection or breaks TLS has ended it, as EOF does.
_LOST = (ConnectionError, ssl.SSLError)
_READ = selectors.EVENT_READ
_WRITE = selectors.EVENT_WRITE
# The most one read takes before what the session made of it is sent.  A
# peer with many streams in flight sends its frames in bursts (about 110 KB
# for 100 small responses); were a burst read and processed whole before
# anything went out, the peer would idle meanwhile and the two ends would
# take turns.  Sending between slices hands the peer its next work (the
# requests that replace the streams answered so far) while this end is
# still busy with the rest, so both ends work at once.
RECV_SLICE = 16384


def _hooked(on_frame: FrameHook, callbacks: dict[str, Any]) -> dict[str, Any]:
    """``callbacks`` with ``on_frame(direction, frame)`` called first for every
    control and DATA frame sent and received."""
    hooked = dict(callbacks)

    def control(direction: str, name: str) -> None:
        inner = callbacks.get(name)

        def callback(session: Session, frame: CtrlFrame) -> None:
            on_frame(direction, frame)
            if inner is not None:
                inner(session, frame)

        hooked[name] = callback

    def data(direction: str, name: str) -> None:
        inner = callbacks.get(name)

        def callback(session: Session, flags: int, stream_id: int, length: int) -> None:
            on_frame(direction, DataFrame(stream_id, flags, length))
            if inner is not None:
                inner(session, flags, stream_id, length)

        hooked[name] = callback

    control("recv", "on_ctrl_recv_cb")
    control("send", "on_ctrl_send_cb")
    data("recv", "on_data_recv_cb")
    data("send", "on_data_send_cb")
    return hooked


class SessionLoop:
    """A Session over ``sock`` (made non-blocking here), run by ``run()``.
    ``callbacks`` are Session keyword arguments; ``on_frame`` is the frame
    hook of the public API."""

    def __init__(
        self,
        sock: socket.socket,
        side: int,
        version: int,
        on_frame: FrameHook | None = None,
        **callbacks: Any,
    ) -> None:
        sock.setblocking(False)
        self.sock = sock
        self._calls: collections.deque[tuple[Callable[..., object], tuple[Any, ...]]] = (
            collections.deque()
        )
        self._lock = threading.Lock()
        self._finished = False
        # Under _lock: the loop waits in select (or is about to) and needs a
        # wake-up byte to see a new call; one has been sent since it began
        # waiting.
        self._waiting = False
        self._woken = False
        self._stopping = False
        # time.monotonic() when the socket last took a byte, and when a
        # byte last arrived.
        self.last_sent = self.last_received = time.monotonic()
        # Whether a byte has ever arrived.
        self.received = False
        # Per Session.recv() call in _receive(): whether _recv may still
        # read, and whether a read found the socket empty.
        self._may_read = False
        self._drained = False
        if on_frame is not None:
            callbacks = _hooked(on_frame, callbacks)
        # Before the socket pair, which nothing would close if this failed.
        self.session = Session(side, version, send_cb=self._send, recv_cb=self._recv, **callbacks)
        self._wake_recv, self._wake_send = socket.socketpair()
        self._wake_recv.setblocking(False)
        self._wake_send.setblocking(False)

    def _send(self, session: Session, data: bytes) -> int:
        try:
            sent = self.sock.send(data)
        except _WOULD_BLOCK:
            return 0
        except _LOST as exc:
            raise EOFError("the connection was lost: %s" % (exc,)) from exc
        if sent:
            self.last_sent = time.monotonic()
        return sent

    def _recv(self, session: Session, length: int) -> bytes | None:
        # One read per Session.recv() call: _receive() sends in between.
        if not self._may_read:
            return None
        self._may_read = False
        try:
            data = self.sock.recv(min(length, RECV_SLICE))
        except _WOULD_BLOCK:
            self._drained = True
            return None
        except _LOST as exc:
            raise EOFError("the connection was lost: %s" % (exc,)) from exc
        if not data:
            raise EOFError("the peer closed the connection")
        self.last_received = time.monotonic()
        self.received = True
        return data

    def call_soon(self, function: Callable[..., object], *args: Any) -> bool:
        """Runs ``function(*args)`` on the loop's thread; thread-safe.
        Returns False, and drops the call, once the loop has ended."""
        with self._lock:
            if self._finished:
                return False
            self._calls.append((function, args))
            self._wake_up()
        return True

    def call_unwoken(self, function: Callable[..., object], *args: Any) -> bool:
        """Queues ``function(*args)`` as ``call_soon`` does, but without
        waking the loop: a loop that is running takes it before it next
        waits, one that waits in ``select`` only once something wakes it
        (``wake()``, another ``call_soon``, the socket).  Returns whether
        the loop waits and needs that wake-up; thread-safe."""
        with self._lock:
            if self._finished:
                return False
            self._calls.append((function, args))
            return self._waiting and not self._woken

    def wake(self) -> None:
        """Has a loop waiting in ``select`` run its queued calls
        (thread-safe)."""
        with self._lock:
            if not self._finished:
                self._wake_up()

    def _wake_up(self) -> None:
        # One wake-up per wait: the loop takes every call queued by then.
        # It is sent under the lock so that close() cannot close the pair
        # between the check and the send.
        if self._waiting and not self._woken:
            self._woken = True
            try:
                self._wake_send.send(b"\0")
            except BlockingIOError:
                pass  # the pair is full of wake-ups: the loop will run

    def stop(self) -> None:
        """Ends ``run()`` soon, whatever is still open (thread-safe)."""
        self.call_soon(self._stop)

    def _stop(self) -> None:
        self._stopping = True

    def _run_calls(self) -> None:
        with self._lock:
            if not self._calls:
                return
            calls = self._calls
            self._calls = collections.deque()
        for function, args in calls:
            function(*args)

    def run(
        self,
        next_timeout: Callable[[], float | None] | None = None,
        before_wait: Callable[[], object] | None = None,
    ) -> None:
        """Sends and receives until the session wants neither, the peer
        closes the connection, or ``stop()``.  ``next_timeout()``, if given,
        is called every round and returns the seconds until it must be
        called again (or None); ``before_wait()``, if given, every round
        once the session has sent what it could, before the loop waits for
        the socket.  Socket errors and exceptions raised by callbacks
        propagate."""
        session = self.session
        selector = selectors.DefaultSelector()
        try:
            selector.register(self._wake_recv, _READ)
            selector.register(self.sock, _READ)
            interest = _READ
            while True:
                self._run_calls()
                timeout = None if next_timeout is None else next_timeout()
                session.send()
                want_read = session.want_read()
                want_write = session.want_write()
                if self._stopping or not (want_read or want_write):
                    return
                wanted = (_READ if want_read else 0) | (_WRITE if want_write else 0)
                if wanted != interest:
                    selector.modify(self.sock, wanted)
                    interest = wanted
                if before_wait is not None:
                    before_wait()
                with self._lock:
                    if self._calls:
                        timeout = 0  # run them first: look at the socket only
                    else:
                        self._waiting = True
                ready = selector.select(timeout)
                with self._lock:
                    self._waiting = self._woken = False
                for key, events in ready:
                    if key.fileobj is self._wake_recv:
                        self._drain_wakeups()
                    elif events & _READ:
                        self._receive()
        except EOFError:
            return
        finally:
            with self._lock:
                self._finished = True
                self._calls.clear()
            selector.close()

    def _receive(self) -> None:
        """Reads and processes what the socket holds, a slice at a time,
        sending what the session has to send after each slice."""
        session = self.session
        while True:
            self._may_read = True
            self._drained = False
            session.recv()
            if self._drained or self._may_read:
                return  # the socket is empty, or the session read nothing
            session.send()
            if self._stopping or not session.want_read():
                return

    def _drain_wakeups(self) -> None:
        try:
            while self._wake_recv.recv(4096):
                pass
        except BlockingIOError:
            pass

    def close(self) -> None:
        """Frees the session and closes the sockets (after ``run()``, or
        instead of it); ``call_soon`` refuses calls from then on."""
        with self._lock:
            self._finished = True
            self._calls.clear()
            self._wake_recv.close()
            self._wake_send.close()
        self.session.close()
        self.sock.close()
