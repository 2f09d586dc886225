"""Session: one SPDY connection's state, over a libspdylay session."""

from __future__ import annotations

import builtins
import threading
import weakref
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, NoReturn, overload

from . import _args, _callbacks
from ._constants import (
    CLIENT,
    OPT_AUTO_REPLIES_STOP_READING,
    OPT_MAX_AUTO_REPLIES,
    OPT_MAX_EMPTY_FRAMES,
    OPT_MAX_HEADER_LIST_COUNT,
    OPT_MAX_HEADER_LIST_SIZE,
    OPT_MAX_INCOMING_STREAMS,
    OPT_MAX_PEER_RESETS,
    OPT_MAX_RECV_CTRL_FRAME_BUFFER,
    OPT_MAX_SETTINGS_ENTRIES,
    OPT_MAX_SMALL_WINDOW_UPDATES,
    OPT_NO_AUTO_WINDOW_UPDATE,
    OPT_NO_AUTO_WINDOW_UPDATE2,
    PROTO_SPDY2,
    PROTO_SPDY3,
    PROTO_SPDY3_1,
    SERVER,
)
from ._data import ReadCtrl
from ._errors import (
    CallbackFailureError,
    EOFError,
    Error,
    InvalidArgumentError,
    InvalidStateError,
    UnsupportedVersionError,
    error_for,
    with_error_code,
)
from ._nv import LastPacked, pack_nv
from ._spdylay import ffi, lib
from ._streams import StreamTable

if TYPE_CHECKING:
    from ._data import DataProvider
    from ._typing import (
        BeforeCtrlSendCallback,
        BytesLike,
        HeaderList,
        OnCtrlNotSendCallback,
        OnCtrlRecvCallback,
        OnCtrlRecvParseErrorCallback,
        OnCtrlSendCallback,
        OnDataChunkRecvCallback,
        OnDataRecvCallback,
        OnDataSendCallback,
        OnInvalidCtrlRecvCallback,
        OnRequestRecvCallback,
        OnStreamCloseCallback,
        OnUnknownCtrlRecvCallback,
        RecvCallback,
        SendCallback,
        SettingsEntry,
    )

# What recv() asks recv_cb for at a time.
RECV_LENGTH = 131072

# A libspdylay session holds two zlib streams; telling the GC about that
# memory makes PyPy collect dropped sessions early enough.
_SESSION_MEMORY = 400000

_BOOL_OPTIONS = (
    OPT_NO_AUTO_WINDOW_UPDATE,
    OPT_NO_AUTO_WINDOW_UPDATE2,
    OPT_AUTO_REPLIES_STOP_READING,
)

# Options taking a uint32_t: the name their errors give and the smallest
# value (0 lifts a bound; the control frame buffer has libspdylay 1.4's
# minimum).
_COUNT_OPTIONS = {
    OPT_MAX_RECV_CTRL_FRAME_BUFFER: (
        "OPT_MAX_RECV_CTRL_FRAME_BUFFER",
        _args.MIN_RECV_CTRL_FRAME_BUFFER,
    ),
    OPT_MAX_HEADER_LIST_SIZE: ("OPT_MAX_HEADER_LIST_SIZE", 0),
    OPT_MAX_HEADER_LIST_COUNT: ("OPT_MAX_HEADER_LIST_COUNT", 0),
    OPT_MAX_AUTO_REPLIES: ("OPT_MAX_AUTO_REPLIES", 0),
    OPT_MAX_SETTINGS_ENTRIES: ("OPT_MAX_SETTINGS_ENTRIES", 0),
    OPT_MAX_PEER_RESETS: ("OPT_MAX_PEER_RESETS", 0),
    OPT_MAX_EMPTY_FRAMES: ("OPT_MAX_EMPTY_FRAMES", 0),
    OPT_MAX_SMALL_WINDOW_UPDATES: ("OPT_MAX_SMALL_WINDOW_UPDATES", 0),
    OPT_MAX_INCOMING_STREAMS: ("OPT_MAX_INCOMING_STREAMS", 0),
}

_FORWARDED = _callbacks.FORWARDED

_CALLBACK_ARGUMENTS = ("send_cb", "recv_cb", "on_stream_close_cb") + tuple(
    name for name, _ in _FORWARDED
)

_NULL = ffi.NULL
_unpack = ffi.unpack
_from_buffer = ffi.from_buffer
_get_ident = threading.get_ident
_send = lib.pyspdylay_send
_out_consume = lib.pyspdylay_out_consume
_mem_recv = lib.pyspdylay_mem_recv


def _check(rv: int) -> None:
    if rv < 0:
        raise error_for(rv)


class Session:
    """A SPDY session (see the documentation for every argument).

    Objects the session must call back into (DataProviders, stream_user_data)
    are held by the Session until their stream closes, or until the session
    drops the request that brought them unsent.  ``close()`` (or
    leaving a ``with`` block) frees the session at once; after that every
    method raises InvalidStateError.  A Session may be shared between threads:
    calls are serialized.
    """

    CLIENT = CLIENT
    SERVER = SERVER
    PROTO_SPDY2 = PROTO_SPDY2
    PROTO_SPDY3 = PROTO_SPDY3
    PROTO_SPDY3_1 = PROTO_SPDY3_1

    __slots__ = (
        "__weakref__",
        "_user_data",
        "_ctx",
        "_ptr",
        "_handle",
        "_lock",
        "_failed",
        "_io_thread",
        "_io_waiters",
        "_io_idle",
        "_exception",
        "_holds_reads",
        "_streams",
        "_send_cb",
        "_recv_cb",
        "_on_stream_close_cb",
        "_version",
        "_pri_lowest",
        "_read_ctrl",
        "_read_again",
        "_request_nv",
        "_response_nv",
        "_chunk_slot",
        "_out_slot",
    ) + tuple("_" + name for name, _ in _FORWARDED)

    # The cffi objects of the C session (None once closed).
    _ctx: Any
    _ptr: Any
    # Set from the constructor's argument, like every forwarded callback
    # (see _FORWARDED); send() and recv() call this one themselves too.
    _on_data_chunk_recv_cb: OnDataChunkRecvCallback | None

    def __init__(
        self,
        side: int,
        version: int,
        config: Mapping[int, int] | None = None,
        send_cb: SendCallback | None = None,
        recv_cb: RecvCallback | None = None,
        on_ctrl_recv_cb: OnCtrlRecvCallback | None = None,
        on_data_chunk_recv_cb: OnDataChunkRecvCallback | None = None,
        on_stream_close_cb: OnStreamCloseCallback | None = None,
        on_request_recv_cb: OnRequestRecvCallback | None = None,
        user_data: Any = None,
        *,
        on_invalid_ctrl_recv_cb: OnInvalidCtrlRecvCallback | None = None,
        on_data_recv_cb: OnDataRecvCallback | None = None,
        before_ctrl_send_cb: BeforeCtrlSendCallback | None = None,
        on_ctrl_send_cb: OnCtrlSendCallback | None = None,
        on_ctrl_not_send_cb: OnCtrlNotSendCallback | None = None,
        on_data_send_cb: OnDataSendCallback | None = None,
        on_ctrl_recv_parse_error_cb: OnCtrlRecvParseErrorCallback | None = None,
        on_unknown_ctrl_recv_cb: OnUnknownCtrlRecvCallback | None = None,
    ) -> None:
        self._ctx = self._ptr = None
        if side != CLIENT and side != SERVER:
            raise InvalidArgumentError("side must be CLIENT or SERVER, not %r" % (side,))
        if not isinstance(version, int):
            raise TypeError("version must be an int, not %s" % type(version).__name__)
        if not _args.INT32_MIN <= version <= _args.INT32_MAX:
            raise UnsupportedVersionError("unsupported SPDY version %d" % version)
        callbacks = locals()
        for name in _CALLBACK_ARGUMENTS:
            if callbacks[name] is not None and not callable(callbacks[name]):
                raise TypeError("%s must be callable or None" % name)
        forward = 0
        for name, bit in _FORWARDED:
            setattr(self, "_" + name, callbacks[name])
            if callbacks[name] is not None:
                forward |= bit
        self._send_cb = send_cb
        self._recv_cb = recv_cb
        self._on_stream_close_cb = on_stream_close_cb
        self._user_data = user_data
        self._version = version
        self._lock = threading.RLock()
        self._io_thread: int | None = None
        self._io_waiters = 0
        self._io_idle = threading.Condition(self._lock)
        self._failed = False
        self._exception: BaseException | None = None
        self._holds_reads = False
        self._streams = StreamTable()
        self._read_ctrl = ReadCtrl()
        # Streams whose read_cb returned nothing, without READ_EOF: their
        # DATA waits (deferred) for the next send() to ask again.
        self._read_again: list[int] = []
        self._request_nv = LastPacked()
        self._response_nv = LastPacked()
        # The C session's user data leads back here; it must live as long
        # as the C session.  A weak reference, so it never keeps us alive.
        self._handle = ffi.new_handle(weakref.ref(self))
        error = ffi.new("int *")
        ctx = lib.pyspdylay_new(side, version, forward, self._handle, error)
        if ctx == _NULL:
            raise error_for(error[0])
        self._ctx = ffi.gc(ctx, lib.pyspdylay_del, size=_SESSION_MEMORY)
        self._ptr = ctx.session
        # On CPython the shim builds each gathered DATA chunk's bytes object
        # itself, straight from the input, and leaves it in the first list
        # for pyspdylay_on_data_chunk_recv or recv(); likewise each send()'s
        # output, built from the frames and read_cb's bytes objects (which
        # the StreamTable keeps until it is built), in the second.  The lists
        # live as long as the Session, so as long as the C session.
        self._chunk_slot: list[bytes] = []
        self._out_slot: list[bytes] = []
        lib.pyspdylay_build_in_c(ctx, id(self._chunk_slot), id(self._out_slot))
        self._streams.output = ctx
        # Fixed by the version: asked once, not on every submit.
        self._pri_lowest: int = lib.spdylay_session_get_pri_lowest(self._ptr)
        if config is not None:
            try:
                self._configure(config)
            except BaseException:
                self.close()
                raise

    def _configure(self, config: Mapping[int, int]) -> None:
        if not isinstance(config, Mapping):
            raise TypeError("config must be a mapping of OPT_* to values")
        for option, value in config.items():
            if option in _BOOL_OPTIONS:
                if not isinstance(value, int):
                    raise InvalidArgumentError("option %r takes a bool, not %r" % (option, value))
                ctype, value = "int", int(bool(value))
                if option == OPT_AUTO_REPLIES_STOP_READING:
                    self._holds_reads = bool(value)
            elif option in _COUNT_OPTIONS:
                name, minimum = _COUNT_OPTIONS[option]
                if (
                    not isinstance(value, int)
                    or isinstance(value, bool)
                    or not minimum <= value <= _args.UINT32_MAX
                ):
                    raise InvalidArgumentError(
                        "%s takes an integer from %d to 2**32-1, not %r" % (name, minimum, value)
                    )
                ctype = "uint32_t"
            else:
                raise InvalidArgumentError("unknown option %r" % (option,))
            _check(
                lib.spdylay_session_set_option(
                    self._ptr, option, ffi.new(ctype + " *", value), ffi.sizeof(ctype)
                )
            )

    def _send_ctrl_types(self, frame_types: Iterable[int]) -> None:
        """Private (spdylay.aio): from now on on_ctrl_send_cb is called only
        for frames of these types (all of them until this is called)."""
        mask = 0
        for frame_type in frame_types:
            mask |= 1 << frame_type
        self._live()
        lib.pyspdylay_set_ctrl_send_types(self._ctx, mask)

    @property
    def user_data(self) -> Any:
        """The ``user_data`` given to the constructor (read-only)."""
        return self._user_data

    # Lifetime.

    def close(self) -> None:
        """Frees the session now.  Idempotent; not allowed from callbacks."""
        with self._lock:
            self._wait_for_io("close")
            ctx = self._ctx
            if ctx is None:
                return
            self._ctx = self._ptr = None
            ffi.release(ctx)
            self._streams.clear()

    def __reduce__(self) -> NoReturn:
        # A copy would share the C session and use it after the original
        # closes it.
        raise TypeError("Session objects cannot be copied or pickled")

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def _live(self) -> Any:
        ptr = self._ptr
        if ptr is None:
            raise InvalidStateError("the session is closed")
        return ptr

    # I/O.

    def _wait_for_io(self, name: str) -> None:
        """With the lock held: waits until no send()/recv() is running.  The
        lock is released while callbacks run (see _callbacks), so another
        thread may be here then; the I/O thread itself, in a callback, may
        not.  Waiters are counted so that send() and recv() notify only
        when someone waits."""
        io_thread = self._io_thread
        while io_thread is not None:
            if io_thread == threading.get_ident():
                raise InvalidStateError("%s() cannot be called from the session's callbacks" % name)
            self._io_waiters += 1
            try:
                self._io_idle.wait()
            finally:
                self._io_waiters -= 1
            io_thread = self._io_thread

    def _ready_for_io(self, name: str) -> Any:
        """With the lock held, for send() or recv() (``name``): waits for
        the running one to end; raises if the session is closed or failed.
        Returns the shim's context."""
        if self._io_thread is not None:
            self._wait_for_io(name)
        ctx = self._ctx
        if ctx is None:
            raise InvalidStateError("the session is closed")
        if self._failed:
            raise InvalidStateError("the session failed with a fatal error; close it")
        return ctx

    def _store_exception(self, exc: BaseException) -> None:
        if self._exception is None:
            self._exception = exc

    def _raise_pending(self, rv: int) -> None:
        """After a C call that ran callbacks: raise what the first failing
        callback raised, else the C error, if any.  A fatal C error
        (CALLBACK_FAILURE, NOMEM) leaves the C session unusable, so the
        session stops wanting I/O."""
        if rv <= lib.SPDYLAY_ERR_FATAL:
            self._failed = True
        exc = self._exception
        if exc is not None:
            self._exception = None
            try:
                raise with_error_code(exc)
            finally:
                exc = None
        if rv < 0:
            raise error_for(rv)

    def send(self) -> None:
        """Sends queued frames through ``send_cb`` until the queue is empty
        or ``send_cb`` would block.  Frames are coalesced: ``send_cb``
        normally gets everything in one call.  Bytes it does not take stay
        queued (``want_write()`` stays true) for the next ``send()``."""
        with self._lock:
            # Only what is not the usual case costs a method call, here and
            # in recv(): one costs more than the rest of the checks.
            ctx = self._ctx
            if self._io_thread is not None or ctx is None or self._failed:
                ctx = self._ready_for_io("send")
            self._io_thread = _get_ident()
            try:
                send_cb = self._send_cb
                if send_cb is None:
                    raise InvalidStateError("send() needs a send_cb")
                if self._read_again:
                    self._resume_reads()
                lock = self._lock
                out_slot = self._out_slot
                retired = self._streams.retired
                while True:
                    # The output's length, or the core's error.
                    length = _send(ctx)
                    if retired:
                        # The output no longer points into them.
                        retired.clear()
                    # Checked here first: a method call per frame batch
                    # costs more.
                    if length < 0 or self._exception is not None:
                        if out_slot:
                            # Built, not sent: it stays queued.
                            _out_consume(ctx, out_slot.pop(), 0)
                        self._raise_pending(length if length < 0 else 0)
                    if not length:
                        return
                    data = out_slot.pop() if out_slot else _unpack(ctx.out, length)
                    # This thread holds the lock once (see _wait_for_io);
                    # send_cb runs without it, as every callback does.
                    lock.release()
                    try:
                        sent = send_cb(self, data)
                    except BaseException as exc:
                        lock.acquire()
                        # Whatever send_cb did, the output stays queued.
                        _out_consume(ctx, data, 0)
                        if isinstance(exc, Error):
                            with_error_code(exc)
                        raise
                    lock.acquire()
                    if sent.__class__ is not int or not 0 < sent <= length:
                        # None and 0 mean "would block"; b"", [] or 0.0 are
                        # mistakes, not counts.
                        if sent is None or (type(sent) is int and sent == 0):
                            _out_consume(ctx, data, 0)
                            return
                        if not isinstance(sent, int) or not 0 < sent <= length:
                            _out_consume(ctx, data, 0)
                            raise CallbackFailureError(
                                "send_cb must return the number of bytes sent "
                                "(0 to %d) or None, not %r" % (length, sent)
                            )
                    # Whether the shim refused a frame, which is still queued.
                    more = _out_consume(ctx, data, sent)
                    if sent < length or not more:
                        return
            finally:
                self._io_thread = None
                # Condition.notify_all() is Python code in threading.py,
                # costlier than the C call it ends; each waiter counts
                # itself out again.
                if self._io_waiters:
                    self._io_idle.notify_all()

    def recv(self, data: BytesLike | None = None) -> None:
        """Processes ``data`` (any bytes-like object), or, when it is None,
        what ``recv_cb`` returns until it returns nothing.  Raises
        spdylay.EOFError when ``recv_cb`` reports end of file."""
        with self._lock:
            ctx = self._ctx
            if self._io_thread is not None or ctx is None or self._failed:
                ctx = self._ready_for_io("recv")
            self._io_thread = _get_ident()
            try:
                if data is not None:
                    self._feed(data)
                    return
                recv_cb = self._recv_cb
                if recv_cb is None:
                    raise InvalidStateError("recv() without data needs a recv_cb")
                lock = self._lock
                chunk_slot = self._chunk_slot
                while True:
                    lock.release()
                    try:
                        data = recv_cb(self, RECV_LENGTH)
                    except builtins.EOFError as exc:
                        if isinstance(exc, EOFError):
                            with_error_code(exc)
                            raise
                        raise EOFError(
                            str(exc) or "end of file", error_code=lib.SPDYLAY_ERR_EOF
                        ) from exc
                    except Error as exc:
                        with_error_code(exc)
                        raise
                    finally:
                        lock.acquire()
                    if not data:
                        return
                    if data.__class__ is bytes:
                        # _feed() spelt out for what recv_cb usually returns.
                        rv = _mem_recv(ctx, data, len(data))
                        if chunk_slot:
                            self._hand_over_chunk(ctx, chunk_slot.pop())
                        if rv < 0 or self._exception is not None:
                            self._raise_pending(rv)
                    else:
                        self._feed(data)
                    # Back-pressure: the peer's replies must leave first.
                    if self._holds_reads and not lib.spdylay_session_want_read(ctx.session):
                        return
            finally:
                self._io_thread = None
                if self._io_waiters:
                    self._io_idle.notify_all()

    def _feed(self, data: BytesLike) -> None:
        ctx = self._ctx
        if data.__class__ is bytes:
            # cffi passes a bytes object's own buffer, without from_buffer's
            # context manager, which costs as much as the call.
            rv = _mem_recv(ctx, data, len(data))
        else:
            if isinstance(data, str):
                # cffi's own message would speak of addresses.
                raise TypeError("received data must be a bytes-like object, not str")
            with _from_buffer("uint8_t[]", data) as buf:
                rv = _mem_recv(ctx, buf, len(buf))
        if self._chunk_slot:
            self._hand_over_chunk(ctx, self._chunk_slot.pop())
        # Checked here first: a method call per recv() costs more.
        if rv < 0 or self._exception is not None:
            self._raise_pending(rv)

    def _hand_over_chunk(self, ctx: Any, chunk: bytes) -> None:
        """Calls on_data_chunk_recv_cb with the last DATA chunk of a
        pyspdylay_mem_recv(), which the shim left built in the slot instead
        of crossing into Python for it: the callback the trampoline would
        have made next, run as the trampoline runs it (without the lock, an
        exception kept for the caller to raise)."""
        flags = ctx.chunk_flags
        stream_id = ctx.chunk_stream_id
        # Set whenever the shim gathers chunks.
        callback: Any = self._on_data_chunk_recv_cb
        lock = self._lock
        lock.release()
        try:
            callback(self, flags, stream_id, chunk)
        except BaseException as exc:
            self._store_exception(exc)
        finally:
            lock.acquire()

    def _resume_reads(self) -> None:
        streams, self._read_again = self._read_again, []
        for stream_id in streams:
            # The stream may have closed since: nothing to resume then.
            lib.spdylay_session_resume_data(self._ptr, stream_id)

    def resume_data(self, stream_id: int) -> None:
        """Puts the stream's deferred DATA back in the queue; raises
        InvalidArgumentError if there is no such stream or deferred DATA."""
        with self._lock:
            _check(lib.spdylay_session_resume_data(self._live(), _args.stream_id(stream_id)))

    def want_read(self) -> bool:
        with self._lock:
            # _live() spelt out: exchange loops ask this once per round.
            ptr = self._ptr
            if ptr is None:
                raise InvalidStateError("the session is closed")
            return not self._failed and lib.spdylay_session_want_read(ptr) != 0

    def want_write(self) -> bool:
        with self._lock:
            ctx = self._ctx
            if ctx is None:
                raise InvalidStateError("the session is closed")
            return not self._failed and (
                lib.pyspdylay_want_write(ctx) != 0 or bool(self._read_again)
            )

    # Queries.

    def get_stream_user_data(self, stream_id: int) -> Any:
        with self._lock:
            key = self._streams.key_of(self._live(), _args.stream_id(stream_id))
            return self._streams.user_data(key) if key else None

    def set_stream_user_data(self, stream_id: int, stream_user_data: Any) -> None:
        """Replaces the stream's user data; InvalidArgumentError if the
        stream does not exist."""
        with self._lock:
            ptr = self._live()
            stream_id = _args.stream_id(stream_id)
            streams = self._streams
            key = streams.key_of(ptr, stream_id)
            if key:
                streams.set_user_data(key, stream_user_data)
                return
            key = streams.bind(ptr, stream_id)
            _check(key)
            streams.attach(key, stream_user_data)

    def get_outbound_queue_size(self) -> int:
        with self._lock:
            size: int = lib.spdylay_session_get_outbound_queue_size(self._live())
            return size

    def get_pri_lowest(self) -> int:
        with self._lock:
            lowest: int = lib.spdylay_session_get_pri_lowest(self._live())
            return lowest

    def get_stream_recv_data_length(self, stream_id: int) -> int:
        """DATA bytes received on the stream and not yet acknowledged by
        WINDOW_UPDATE, or -1 if the stream does not exist."""
        with self._lock:
            length: int = lib.spdylay_session_get_stream_recv_data_length(
                self._live(), _args.stream_id(stream_id)
            )
            return length

    def get_recv_data_length(self) -> int:
        """The same for the whole connection: 0 when the version has no
        connection window (SPDY/2, SPDY/3)."""
        with self._lock:
            length: int = lib.spdylay_session_get_recv_data_length(self._live())
            return length

    def consume(self, stream_id: int, size: int) -> None:
        """With OPT_NO_AUTO_WINDOW_UPDATE2: reports ``size`` bytes of the
        stream's DATA as processed, reopening its flow-control windows."""
        with self._lock:
            _check(
                lib.spdylay_session_consume(
                    self._live(),
                    _args.stream_id(stream_id),
                    _args.int_in(size, 0, _args.SIZE_MAX, "size"),
                )
            )

    def _keep_provider(self, rv: int, data_prd: DataProvider, provider_key: int) -> None:
        """After a submit of ``data_prd`` on an existing stream: ``rv`` is
        the shim's answer, an error or the stream's key, which the shim gave
        the stream if it had none.  The provider is kept under that key
        until the stream closes; a key of 0 means there is no such stream
        (libspdylay drops its DATA unless a queued SYN_STREAM opens the
        stream first), so it is kept only weakly (StreamTable.adopt)."""
        _check(rv)
        if rv:
            self._streams.attach(rv, None, provider_key, data_prd)
        else:
            self._streams.keep_unattached(provider_key, data_prd)

    # Submitting frames: the shim's submit functions take the packed
    # name/value list (see pack_nv) and the provider's key.

    def submit_request(
        self,
        pri: int,
        nv: HeaderList,
        data_prd: DataProvider | None = None,
        stream_user_data: Any = None,
    ) -> None:
        """Queues a SYN_STREAM carrying the request ``nv``, followed by DATA
        from ``data_prd`` (FIN on the SYN_STREAM when it is None)."""
        with self._lock:
            ptr = self._live()
            pri = _args.priority(pri, self._pri_lowest)
            packed = self._request_nv.pack(nv)
            streams = self._streams
            if data_prd is None:
                provider_key = 0
            else:
                provider_key = streams.new_provider_key(data_prd)
            if data_prd is None and stream_user_data is None:
                key = 0
            else:
                key = streams.new_key()
            rv = lib.pyspdylay_submit_request(ptr, pri, packed, len(packed), provider_key, key)
            if rv < 0:
                raise error_for(rv)
            if key:
                streams.attach(key, stream_user_data, provider_key, data_prd)

    def submit_response(
        self, stream_id: int, nv: HeaderList, data_prd: DataProvider | None = None
    ) -> None:
        """Queues a SYN_REPLY carrying ``nv`` on the stream, followed by DATA
        from ``data_prd`` (FIN on the SYN_REPLY when it is None)."""
        with self._lock:
            ptr = self._live()
            stream_id = _args.frame_stream_id(stream_id)
            packed = self._response_nv.pack(nv)
            if data_prd is None:
                rv = lib.pyspdylay_submit_response(ptr, stream_id, packed, len(packed), 0, 0)
                if rv < 0:
                    raise error_for(rv)
                return
            streams = self._streams
            key = streams.new_provider_key(data_prd)
            rv = lib.pyspdylay_submit_response(
                ptr, stream_id, packed, len(packed), key, streams.new_key()
            )
            # _keep_provider and _check spelt out: this runs for every
            # response.
            if rv > 0:
                streams.attach(rv, None, key, data_prd)
            elif rv < 0:
                raise error_for(rv)
            else:
                streams.keep_unattached(key, data_prd)

    @overload
    def submit_syn_stream(
        self,
        flags: int,
        assoc_stream_id: int,
        pri: int,
        nv: HeaderList,
        stream_user_data: Any = None,
    ) -> None: ...

    @overload
    def submit_syn_stream(
        self,
        flags: int,
        pri: int,
        nv: HeaderList,
        assoc_stream_id: int = 0,
        stream_user_data: Any = None,
    ) -> None: ...

    def submit_syn_stream(self, *args: Any, **kwargs: Any) -> None:
        """Queues a SYN_STREAM.  Takes the documented form
        ``(flags, assoc_stream_id, pri, nv, stream_user_data=None)`` and
        python-spdylay's released form ``(flags, pri, nv, assoc_stream_id=0,
        stream_user_data=None)``, told apart by whether the third positional
        argument is an integer (pri) or anything else (nv), unless a list or
        tuple follows it: that is the documented form's nv after a bad pri.
        A call that leaves out assoc_stream_id, which the documented form
        requires, is in the released form."""
        released = (
            (
                len(args) >= 3
                and not isinstance(args[2], int)
                and not (len(args) >= 4 and isinstance(args[3], (list, tuple)))
            )
            or (len(args) == 2 and "pri" not in kwargs)
            or (len(args) <= 1 and "assoc_stream_id" not in kwargs)
        )
        try:
            flags, assoc_stream_id, pri, nv, stream_user_data = (
                _released_syn_stream_args if released else _syn_stream_args
            )(*args, **kwargs)
        except TypeError:
            raise TypeError(
                "submit_syn_stream() takes (flags, assoc_stream_id, pri, nv, "
                "stream_user_data=None) or python-spdylay's released (flags, pri, "
                "nv, assoc_stream_id=0, stream_user_data=None); got %d positional "
                "arguments and the keywords %s" % (len(args), sorted(kwargs) or "none")
            ) from None
        with self._lock:
            ptr = self._live()
            flags = _args.flags(flags, _args.SYN_STREAM_FLAGS)
            assoc_stream_id = _args.int_in(assoc_stream_id, 0, _args.INT32_MAX, "assoc_stream_id")
            pri = _args.priority(pri, self._pri_lowest)
            packed = pack_nv(nv)
            key = 0 if stream_user_data is None else self._streams.new_key()
            _check(
                lib.pyspdylay_submit_syn_stream(
                    ptr, flags, assoc_stream_id, pri, packed, len(packed), key
                )
            )
            if key:
                self._streams.attach(key, stream_user_data)

    def submit_syn_reply(self, flags: int, stream_id: int, nv: HeaderList) -> None:
        self._submit_stream_headers(lib.SPDYLAY_SYN_REPLY, flags, stream_id, nv)

    def submit_headers(self, flags: int, stream_id: int, nv: HeaderList) -> None:
        self._submit_stream_headers(lib.SPDYLAY_HEADERS, flags, stream_id, nv)

    def _submit_stream_headers(
        self, frame_type: int, flags: int, stream_id: int, nv: HeaderList
    ) -> None:
        with self._lock:
            ptr = self._live()
            flags = _args.flags(flags, _args.HEADERS_FLAGS)
            stream_id = _args.frame_stream_id(stream_id)
            packed = pack_nv(nv)
            _check(
                lib.pyspdylay_submit_stream_headers(
                    ptr, frame_type, flags, stream_id, packed, len(packed)
                )
            )

    def submit_data(self, stream_id: int, flags: int, data_prd: DataProvider) -> None:
        """Queues DATA frames read from ``data_prd``; DATA_FLAG_FIN in
        ``flags`` puts FIN on the last one."""
        with self._lock:
            ptr = self._live()
            stream_id = _args.frame_stream_id(stream_id)
            flags = _args.flags(flags, _args.DATA_FLAGS)
            streams = self._streams
            key = streams.new_provider_key(data_prd)
            self._keep_provider(
                lib.pyspdylay_submit_data(ptr, stream_id, flags, key, streams.new_key()),
                data_prd,
                key,
            )

    def submit_rst_stream(self, stream_id: int, status_code: int) -> None:
        with self._lock:
            _check(
                lib.spdylay_submit_rst_stream(
                    self._live(), _args.frame_stream_id(stream_id), _args.status_code(status_code)
                )
            )

    def submit_ping(self) -> None:
        with self._lock:
            _check(lib.spdylay_submit_ping(self._live()))

    def submit_goaway(self, status_code: int) -> None:
        with self._lock:
            _check(lib.spdylay_submit_goaway(self._live(), _args.status_code(status_code)))

    def fail_session(self, status_code: int) -> None:
        """Queues GOAWAY and stops reading: close the connection once it is
        sent."""
        with self._lock:
            _check(lib.spdylay_session_fail_session(self._live(), _args.status_code(status_code)))

    def submit_settings(self, flags: int, iv: Iterable[SettingsEntry]) -> None:
        """Stores and queues SETTINGS; ``iv`` is a sequence of
        ``(settings_id, flags, value)``."""
        with self._lock:
            ptr = self._live()
            flags = _args.flags(flags, _args.SETTINGS_FLAGS)
            entries = _args.settings_entries(iv)
            array = ffi.new("spdylay_settings_entry[]", len(entries))
            for c_entry, (settings_id, id_flags, value) in zip(array, entries):
                c_entry.settings_id = settings_id
                c_entry.flags = id_flags
                c_entry.value = value
            _check(lib.spdylay_submit_settings(ptr, flags, array, len(entries)))

    def submit_window_update(self, stream_id: int, delta_window_size: int) -> None:
        """Queues WINDOW_UPDATE; ``delta_window_size`` must be in
        [1, 2**31-1] and the stream open (else StreamClosedError)."""
        with self._lock:
            ptr = self._live()
            if self._version == PROTO_SPDY2:
                raise InvalidArgumentError("SPDY/2 has no WINDOW_UPDATE")
            # Stream 0 is the connection window, which only SPDY/3.1 has.
            low = 0 if self._version == PROTO_SPDY3_1 else 1
            _check(
                lib.spdylay_submit_window_update(
                    ptr,
                    _args.int_in(stream_id, low, _args.INT32_MAX, "stream_id"),
                    _args.int_in(delta_window_size, 1, _args.INT32_MAX, "delta_window_size"),
                )
            )


def _syn_stream_args(
    flags: Any, assoc_stream_id: Any, pri: Any, nv: Any, stream_user_data: Any = None
) -> tuple[Any, Any, Any, Any, Any]:
    return flags, assoc_stream_id, pri, nv, stream_user_data


def _released_syn_stream_args(
    flags: Any, pri: Any, nv: Any, assoc_stream_id: Any = 0, stream_user_data: Any = None
) -> tuple[Any, Any, Any, Any, Any]:
    return flags, assoc_stream_id, pri, nv, stream_user_data
