"""The trampolines libspdylay calls (through the shim) while a Session runs
``send()`` or ``recv()``.

Each recovers its Session from the handle (a weak reference, so the handle
never keeps a Session alive) and calls the application.  No exception may
escape into C: the first one a callback raises is stored on the Session and
re-raised by the ``send()``/``recv()`` that ran it, with its traceback.
"""

from ._data import ReadCtrl
from ._errors import CallbackFailureError, TemporalCallbackFailureError
from ._frames import frame_from_c
from ._spdylay import ffi, lib

_from_handle = ffi.from_handle
_unpack = ffi.unpack
_memmove = ffi.memmove
_READ_EOF = lib.PYSPDYLAY_READ_EOF
_ERR_DEFERRED = lib.SPDYLAY_ERR_DEFERRED
_ERR_TEMPORAL_CALLBACK_FAILURE = lib.SPDYLAY_ERR_TEMPORAL_CALLBACK_FAILURE
_ERR_CALLBACK_FAILURE = lib.SPDYLAY_ERR_CALLBACK_FAILURE


def _bytes(pointer, length):
    """C bytes as Python bytes; libspdylay may pass NULL for zero bytes."""
    return _unpack(pointer, length) if length else b""


@ffi.def_extern()
def pyspdylay_on_ctrl_recv(handle, frame_type, frame):
    session = _from_handle(handle)()
    try:
        session._on_ctrl_recv_cb(session, frame_from_c(frame_type, frame))
    except BaseException as exc:
        session._store_exception(exc)


@ffi.def_extern()
def pyspdylay_on_invalid_ctrl_recv(handle, frame_type, frame, status_code):
    session = _from_handle(handle)()
    try:
        session._on_invalid_ctrl_recv_cb(
            session, frame_from_c(frame_type, frame), status_code)
    except BaseException as exc:
        session._store_exception(exc)


@ffi.def_extern()
def pyspdylay_on_data_chunk_recv(handle, flags, stream_id, data, length):
    session = _from_handle(handle)()
    try:
        session._on_data_chunk_recv_cb(
            session, flags, stream_id, _bytes(data, length))
    except BaseException as exc:
        session._store_exception(exc)


@ffi.def_extern()
def pyspdylay_on_data_recv(handle, flags, stream_id, length):
    session = _from_handle(handle)()
    try:
        session._on_data_recv_cb(session, flags, stream_id, length)
    except BaseException as exc:
        session._store_exception(exc)


@ffi.def_extern()
def pyspdylay_before_ctrl_send(handle, frame_type, frame):
    session = _from_handle(handle)()
    try:
        session._before_ctrl_send_cb(session, frame_from_c(frame_type, frame))
    except BaseException as exc:
        session._store_exception(exc)


@ffi.def_extern()
def pyspdylay_on_ctrl_send(handle, frame_type, frame):
    session = _from_handle(handle)()
    try:
        session._on_ctrl_send_cb(session, frame_from_c(frame_type, frame))
    except BaseException as exc:
        session._store_exception(exc)


@ffi.def_extern()
def pyspdylay_on_ctrl_not_send(handle, frame_type, frame, error_code):
    session = _from_handle(handle)()
    try:
        session._on_ctrl_not_send_cb(
            session, frame_from_c(frame_type, frame), error_code)
    except BaseException as exc:
        session._store_exception(exc)


@ffi.def_extern()
def pyspdylay_on_data_send(handle, flags, stream_id, length):
    session = _from_handle(handle)()
    try:
        session._on_data_send_cb(session, flags, stream_id, length)
    except BaseException as exc:
        session._store_exception(exc)


@ffi.def_extern()
def pyspdylay_on_stream_close(handle, stream_id, status_code, key):
    session = _from_handle(handle)()
    callback = session._on_stream_close_cb
    if callback is not None:
        try:
            callback(session, stream_id, status_code)
        except BaseException as exc:
            session._store_exception(exc)
    if key:
        session._release_stream(key)


@ffi.def_extern()
def pyspdylay_on_request_recv(handle, stream_id):
    session = _from_handle(handle)()
    try:
        session._on_request_recv_cb(session, stream_id)
    except BaseException as exc:
        session._store_exception(exc)


@ffi.def_extern()
def pyspdylay_on_ctrl_recv_parse_error(handle, frame_type, head, headlen,
                                       payload, payloadlen, error_code):
    session = _from_handle(handle)()
    try:
        session._on_ctrl_recv_parse_error_cb(
            session, frame_type, _bytes(head, headlen),
            _bytes(payload, payloadlen), error_code)
    except BaseException as exc:
        session._store_exception(exc)


@ffi.def_extern()
def pyspdylay_on_unknown_ctrl_recv(handle, head, headlen, payload,
                                   payloadlen):
    session = _from_handle(handle)()
    try:
        session._on_unknown_ctrl_recv_cb(session, _bytes(head, headlen),
                                         _bytes(payload, payloadlen))
    except BaseException as exc:
        session._store_exception(exc)


@ffi.def_extern()
def pyspdylay_read(handle, key, stream_id, buf, length, eof):
    session = _from_handle(handle)()
    read_ctrl = ReadCtrl()
    try:
        provider = session._kept[key]
        data = provider.read_cb(session, stream_id, length, read_ctrl,
                                provider.source)
        if data.__class__ is not bytes:
            if isinstance(data, int):
                if data == _ERR_DEFERRED:
                    return _ERR_DEFERRED
                raise CallbackFailureError(
                    "read_cb returned the int %d; only ERR_DEFERRED is allowed"
                    % data)
            data = b"" if data is None else memoryview(data).cast(
                "B").tobytes()
        size = len(data)
        if size > length:
            raise CallbackFailureError(
                "read_cb returned %d bytes, more than the %d asked for"
                % (size, length))
    except TemporalCallbackFailureError:
        return _ERR_TEMPORAL_CALLBACK_FAILURE
    except BaseException as exc:
        session._store_exception(exc)
        return _ERR_CALLBACK_FAILURE
    _memmove(buf, data, size)
    if read_ctrl.flags & _READ_EOF:
        eof[0] = 1
    return size

