"""The trampolines libspdylay calls (through the shim) while a Session runs
``send()`` or ``recv()``.

Each recovers its Session from the handle (a weak reference, so the handle
never keeps a Session alive) and calls the application.  No exception may
escape into C: cffi would print it and go on as if nothing happened.  So
every line that can raise, the application's and ours, runs inside the
``try`` whose ``except`` stores the exception on the Session (the first one
is re-raised by the ``send()``/``recv()`` that ran it, with its traceback)
and, where C expects a result, fails the call.

The application's callback runs with the Session's lock released (and
taken again before C resumes), so that a callback may call into another
Session whose own callbacks call back into this one, from another thread,
without the two threads waiting for each other's lock.  Our own bookkeeping
around it runs with the lock held.
"""

from __future__ import annotations

import sys
from functools import partial
from threading import get_ident as _get_ident
from typing import TYPE_CHECKING, Any, Callable, Optional, TypeVar, cast

from ._errors import CallbackFailureError, TemporalCallbackFailureError
from ._frames import frame_from_c, frame_id, stream_fields
from ._spdylay import ffi, lib

if TYPE_CHECKING:
    from ._session import Session

# What turns a callback's C arguments into the application's.
_Convert = Optional[Callable[..., tuple[Any, ...]]]
_Function = TypeVar("_Function", bound=Callable[..., Any])
_Result = TypeVar("_Result")

_from_handle = ffi.from_handle
_unpack = ffi.unpack
_memmove = ffi.memmove
_NULL = ffi.NULL
_read_ahead = lib.pyspdylay_read_ahead
_READ_EOF = lib.PYSPDYLAY_READ_EOF
_READ_AHEAD: int = lib.PYSPDYLAY_READ_AHEAD
_ERR_DEFERRED: int = lib.SPDYLAY_ERR_DEFERRED
_ERR_TEMPORAL_CALLBACK_FAILURE: int = lib.SPDYLAY_ERR_TEMPORAL_CALLBACK_FAILURE
_ERR_CALLBACK_FAILURE: int = lib.SPDYLAY_ERR_CALLBACK_FAILURE

# What read_cb is asked for at a time (see pyspdylay_read).
READ_LENGTH = 65536


def call_unlocked(session: Session, callback: Callable[..., _Result], *args: Any) -> _Result:
    """``callback(session, *args)`` with the session's lock released.  Inside
    send() or recv() this thread holds it exactly once; no other thread can
    start I/O meanwhile, as send()/recv()/close() wait for the running one
    to end.  Called any other way (the lock not ours), it just calls.  The
    trampolines that run for every frame, and send() and recv() around
    send_cb and recv_cb, spell this out inline instead: a Python call with
    packed arguments costs as much as the lock's release and acquire
    together."""
    if session._io_thread != _get_ident():
        return callback(session, *args)
    lock = session._lock
    lock.release()
    try:
        return callback(session, *args)
    finally:
        lock.acquire()


def _bytes(pointer: Any, length: int) -> bytes:
    """C bytes as Python bytes; NULL, whatever the length, is none."""
    return _unpack(pointer, length) if length and pointer != _NULL else b""


def _frame(frame_type: int, frame: Any, *rest: Any) -> tuple[Any, ...]:
    return (frame_from_c(frame_type, frame),) + rest


def _parse_error(
    frame_type: int, head: Any, headlen: int, payload: Any, payloadlen: int, error_code: int
) -> tuple[int, bytes, bytes, int]:
    return (frame_type, _bytes(head, headlen), _bytes(payload, payloadlen), error_code)


class FrameIds(partial):  # type: ignore[type-arg]
    """A frame callback (``on_ctrl_send_cb``, ``on_ctrl_recv_cb``,
    ``before_ctrl_send_cb``, ``on_invalid_ctrl_recv_cb``) that needs only
    each frame's type and ID: ``FrameIds(function)`` is called as
    ``function(session, frame_type, frame_id, *rest)`` (frame_id as
    _frames.frame_id gives it, rest the callback's arguments after the
    frame), and no frame object or header block is built for it.
    For ``on_ctrl_send_cb``, see SentFrameIds."""


class SentFrameIds(partial):  # type: ignore[type-arg]
    """An ``on_ctrl_send_cb`` called as ``function(session, frame_type,
    frame_id, stream_user_data)``, with what FrameIds gives and the sent
    SYN_STREAM's stream_user_data (None for other frames), which the shim
    hands over with the frame: no frame object, no header block and no
    lookup of the stream.  Session._send_ctrl_types() limits the frame
    types it is called for.  spdylay.aio learns the stream ID of each
    request it sent this way."""


class StreamFrames(partial):  # type: ignore[type-arg]
    """An ``on_ctrl_recv_cb`` called as ``function(session, frame_type,
    frame_id, flags, nv, assoc_stream_id)`` (_frames.stream_fields): the
    header list and stream of SYN_STREAM, SYN_REPLY and HEADERS, the ID of
    the others as FrameIds gives it, and no frame object.  spdylay.aio
    receives frames this way."""


def _unknown_ctrl(head: Any, headlen: int, payload: Any, payloadlen: int) -> tuple[bytes, bytes]:
    return _bytes(head, headlen), _bytes(payload, payloadlen)


# Every callback the shim forwards only when the application passes it (its
# PYSPDYLAY_FORWARDED list): the name shared by the
# Session argument (name + "_cb"), the shim's bit PYSPDYLAY_<NAME> and the
# extern "Python" function pyspdylay_<name>, and what turns the C arguments
# after the handle into the application's (None: they pass unchanged).
# The four that run for every exchange, on_data_chunk_recv,
# on_request_recv, on_ctrl_recv and on_ctrl_send (which also gets the key of
# a sent SYN_STREAM's stream from the shim), are written out below instead
# (convert "written out"):
# the generic trampoline's packed arguments and attribute lookup by name
# cost about as much as the rest of the call.  So is on_ctrl_not_send, which
# also runs without an application callback, to release what a SYN_STREAM
# that will never be sent kept.
_WRITTEN_OUT = "written out"
_FORWARDED_CALLBACKS: tuple[tuple[str, _Convert | str], ...] = (
    ("on_ctrl_recv", _WRITTEN_OUT),
    ("on_invalid_ctrl_recv", _frame),
    ("on_data_chunk_recv", _WRITTEN_OUT),
    ("on_data_recv", None),
    ("before_ctrl_send", _frame),
    ("on_ctrl_send", _WRITTEN_OUT),
    ("on_ctrl_not_send", _WRITTEN_OUT),
    ("on_data_send", None),
    ("on_request_recv", _WRITTEN_OUT),
    ("on_ctrl_recv_parse_error", _parse_error),
    ("on_unknown_ctrl_recv", _unknown_ctrl),
)


def _trampoline(attribute: str, convert: _Convert) -> Callable[..., None]:
    # The Session is alive whenever its C session calls back (only its own
    # send()/recv() run C); the None check only keeps a bug from escaping.
    # The conversion reads C memory, so it runs with the lock held.
    def trampoline(handle: Any, *args: Any) -> None:
        session = _from_handle(handle)()
        if session is None:
            return
        try:
            callback = getattr(session, attribute)
            if callback.__class__ is FrameIds:
                args = (args[0], frame_id(args[0], args[1])) + args[2:]
            elif convert is not None:
                args = convert(*args)
            if session._io_thread != _get_ident():
                callback(session, *args)
                return
            lock = session._lock
            lock.release()
            try:
                callback(session, *args)
            finally:
                lock.acquire()
        except BaseException as exc:
            session._store_exception(exc)

    return trampoline


# (Session argument, shim bit) for each forwarded callback.
FORWARDED = tuple(
    (name + "_cb", getattr(lib, "PYSPDYLAY_" + name.upper())) for name, _ in _FORWARDED_CALLBACKS
)

for _name, _convert in _FORWARDED_CALLBACKS:
    if _convert is not _WRITTEN_OUT:
        ffi.def_extern(name="pyspdylay_" + _name)(
            _trampoline("_" + _name + "_cb", cast("_Convert", _convert))
        )
del _name, _convert


def _extern(function: _Function) -> _Function:
    """``@ffi.def_extern()`` that keeps the function's type for mypy (cffi
    has none)."""
    ffi.def_extern()(function)
    return function


@_extern
def pyspdylay_on_data_chunk_recv(
    handle: Any, flags: int, stream_id: int, data: Any, length: int
) -> None:
    session = _from_handle(handle)()
    if session is None:
        return
    try:
        slot = session._chunk_slot
        if slot:
            # Built by the shim for this call, from the input (see
            # _shim_python.h).
            chunk = slot.pop()
        else:
            chunk = _unpack(data, length) if length and data != _NULL else b""
        callback = session._on_data_chunk_recv_cb
        if session._io_thread != _get_ident():
            callback(session, flags, stream_id, chunk)
            return
        lock = session._lock
        lock.release()
        try:
            callback(session, flags, stream_id, chunk)
        finally:
            lock.acquire()
    except BaseException as exc:
        session._store_exception(exc)


@_extern
def pyspdylay_on_request_recv(handle: Any, stream_id: int) -> None:
    session = _from_handle(handle)()
    if session is None:
        return
    try:
        callback = session._on_request_recv_cb
        if session._io_thread != _get_ident():
            callback(session, stream_id)
            return
        lock = session._lock
        lock.release()
        try:
            callback(session, stream_id)
        finally:
            lock.acquire()
    except BaseException as exc:
        session._store_exception(exc)


def _control_frame(handle: Any, sent: bool, frame_type: int, frame: Any, key: int) -> None:
    """on_ctrl_recv (``sent`` false) and on_ctrl_send, whose wrappers
    (StreamFrames, SentFrameIds, FrameIds) decide what the frame becomes;
    ``key`` is the key of a sent SYN_STREAM's stream, else 0."""
    session = _from_handle(handle)()
    if session is None:
        return
    try:
        callback = session._on_ctrl_send_cb if sent else session._on_ctrl_recv_cb
        kind = callback.__class__
        args: tuple[Any, ...]
        # The conversion reads C memory, so it runs with the lock held.
        if kind is StreamFrames:
            args = stream_fields(frame_type, frame)
        elif kind is SentFrameIds:
            # A stream keeps its key, with its user data, until it closes.
            args = (
                frame_type,
                frame_id(frame_type, frame),
                session._streams.user_data(key) if key else None,
            )
        elif kind is FrameIds:
            args = (frame_type, frame_id(frame_type, frame))
        else:
            args = (frame_from_c(frame_type, frame),)
            kind = None
        if kind is not None and not (callback.args or callback.keywords):
            # The wrapped function, called directly: PyPy's partial.__call__
            # is Python code that builds a dict of keywords for every call.
            callback = callback.func
        if session._io_thread != _get_ident():
            callback(session, *args)
            return
        lock = session._lock
        lock.release()
        try:
            callback(session, *args)
        finally:
            lock.acquire()
    except BaseException as exc:
        session._store_exception(exc)


@_extern
def pyspdylay_on_ctrl_recv(handle: Any, frame_type: int, frame: Any) -> None:
    _control_frame(handle, False, frame_type, frame, 0)


@_extern
def pyspdylay_on_ctrl_send(handle: Any, frame_type: int, frame: Any, key: int) -> None:
    _control_frame(handle, True, frame_type, frame, key)


@_extern
def pyspdylay_on_ctrl_not_send(
    handle: Any, frame_type: int, frame: Any, error_code: int, key: int
) -> None:
    """``key`` is nonzero for a SYN_STREAM that will never be sent: no
    stream was opened for it, so no on_stream_close releases what it kept."""
    session = _from_handle(handle)()
    if session is None:
        return
    try:
        try:
            callback = session._on_ctrl_not_send_cb
            if callback is not None:
                call_unlocked(session, callback, frame_from_c(frame_type, frame), error_code)
        finally:
            if key:
                session._streams.release(key)
    except BaseException as exc:
        session._store_exception(exc)


@_extern
def pyspdylay_on_stream_close(handle: Any, stream_id: int, status_code: int, key: int) -> None:
    session = _from_handle(handle)()
    if session is None:
        return
    try:
        callback = session._on_stream_close_cb
        streams = session._streams
        last_key = streams.last_key
        try:
            if callback is not None:
                if session._io_thread != _get_ident():
                    callback(session, stream_id, status_code)
                else:
                    lock = session._lock
                    lock.release()
                    try:
                        callback(session, stream_id, status_code)
                    finally:
                        lock.acquire()
        finally:
            if key:
                streams.release(key)
            if streams.last_key != last_key:
                # The callback (or another thread meanwhile) handed out a
                # key: it may have given the stream one (user data, a
                # DataProvider), and what it attached goes with the stream.
                attached = lib.pyspdylay_stream_key(session._ptr, stream_id)
                if attached and attached != key:
                    streams.release(attached)
    except BaseException as exc:
        session._store_exception(exc)


# On CPython a bytes object never moves, so the shim slices the frames out
# of read_cb's bytes object itself, one copy of most body bytes fewer; on
# PyPy, where bytes can move, keeping a pointer takes from_buffer, which
# costs more than the copy (bulk ran at 0.69x of the copy).
_BORROW = sys.implementation.name == "cpython"


@_extern
def pyspdylay_read(handle: Any, key: int, stream_id: int, buf: Any, length: int, eof: Any) -> int:
    """Asks read_cb for up to READ_LENGTH bytes however small the frame
    being built (``length`` is only the frame's room): the shim slices what
    does not fit into the stream's next frames, so a body crosses from
    Python once per READ_LENGTH bytes, not once per frame."""
    session = _from_handle(handle)()
    if session is None:
        return _ERR_CALLBACK_FAILURE
    try:
        # One ReadCtrl per Session: read_cb calls never nest (no second
        # send() starts before this one ends) and it is valid only during
        # the call.
        read_ctrl = session._read_ctrl
        read_ctrl.flags = 0
        asked = READ_LENGTH if length < READ_LENGTH else length
        streams = session._streams
        borrowed = streams.borrowed
        if borrowed:
            # The shim asks Python only once it holds nothing more of
            # this provider's: what it borrowed is free, unless the output
            # being built still points into it (StreamTable.let_go spelt
            # out: this runs for every read).
            held = borrowed.pop(key, None)
            if held is not None and session._ctx.out_span_count:
                streams.retired.append(held)
        try:
            provider = streams.provider(key)
        except KeyError:
            provider = streams.adopt(session._ptr, stream_id, key)
        if session._io_thread != _get_ident():
            data = provider.read_cb(session, stream_id, asked, read_ctrl, provider.source)
        else:
            lock = session._lock
            lock.release()
            try:
                data = provider.read_cb(session, stream_id, asked, read_ctrl, provider.source)
            finally:
                lock.acquire()
        if data.__class__ is not bytes:
            if isinstance(data, int):
                if data == _ERR_DEFERRED:
                    return _ERR_DEFERRED
                raise CallbackFailureError(
                    "read_cb returned the int %d; only ERR_DEFERRED is allowed" % data
                )
            data = b"" if data is None else memoryview(data).cast("B").tobytes()
        size = len(data)
        if size > asked:
            raise CallbackFailureError(
                "read_cb returned %d bytes, more than the %d asked for" % (size, asked)
            )
        flags = read_ctrl.flags
        if flags.__class__ is not int and not isinstance(flags, int):
            raise CallbackFailureError(
                "read_ctrl.flags must be an int (READ_EOF or 0), not %r" % (flags,)
            )
        at_eof = flags & _READ_EOF
        if not size and not at_eof:
            # Nothing yet: an empty DATA frame now, and a call again at
            # once, would spin in this send() and flood the peer.
            session._read_again.append(stream_id)
            return _ERR_DEFERRED
        if size > length:
            # The shim serves this frame and the next from what it keeps.
            if _BORROW:
                # cffi hands C the bytes object's own buffer (as
                # PyBytes_AsString gives it, valid while the object lives),
                # and the object stays in ``borrowed`` until the shim has let
                # go of it.
                failed = _read_ahead(session._ctx, key, stream_id, data, size, at_eof, 1)
                if not failed:
                    borrowed[key] = data
            else:
                failed = _read_ahead(session._ctx, key, stream_id, data, size, at_eof, 0)
            if failed:
                raise MemoryError("no memory for the rest of read_cb's data")
            return _READ_AHEAD
        if size:
            _memmove(buf, data, size)
        if at_eof:
            eof[0] = 1
        return size
    except TemporalCallbackFailureError:
        return _ERR_TEMPORAL_CALLBACK_FAILURE
    except BaseException as exc:
        session._store_exception(exc)
        return _ERR_CALLBACK_FAILURE
