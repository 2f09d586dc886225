"""Control frames as handed to callbacks: plain Python objects copied out of
libspdylay's frame once per callback, so they stay valid after it returns."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

from ._nv import nv_from_c
from ._spdylay import ffi, lib

if TYPE_CHECKING:
    from ._typing import ReceivedHeaderList


class CtrlFrame:
    """Fields every control frame has.  ``version`` is the version on the
    wire (SPDY/3.1 sends 3), ``frame_type`` one of the frame type constants,
    ``length`` the payload length."""

    __slots__ = ("version", "frame_type", "flags", "length")

    version: int
    frame_type: int
    flags: int
    length: int

    def __init__(self, version: int, frame_type: int, flags: int, length: int) -> None:
        self.version = version
        self.frame_type = frame_type
        self.flags = flags
        self.length = length

    def __repr__(self) -> str:
        fields = ", ".join(
            "%s=%r" % (name, getattr(self, name))
            for cls in reversed(type(self).__mro__)
            for name in getattr(cls, "__slots__", ())
        )
        return "%s(%s)" % (type(self).__name__, fields)


class SynStreamFrame(CtrlFrame):
    __slots__ = ("stream_id", "assoc_stream_id", "pri", "slot", "nv")

    stream_id: int
    assoc_stream_id: int
    pri: int
    slot: int
    nv: ReceivedHeaderList

    def __init__(
        self,
        version: int,
        frame_type: int,
        flags: int,
        length: int,
        stream_id: int,
        assoc_stream_id: int,
        pri: int,
        slot: int,
        nv: ReceivedHeaderList,
    ) -> None:
        CtrlFrame.__init__(self, version, frame_type, flags, length)
        self.stream_id = stream_id
        self.assoc_stream_id = assoc_stream_id
        self.pri = pri
        self.slot = slot
        self.nv = nv


class _StreamHeadersFrame(CtrlFrame):
    """The shape SYN_REPLY and HEADERS share; neither is the other."""

    __slots__ = ("stream_id", "nv")

    stream_id: int
    nv: ReceivedHeaderList

    def __init__(
        self,
        version: int,
        frame_type: int,
        flags: int,
        length: int,
        stream_id: int,
        nv: ReceivedHeaderList,
    ) -> None:
        CtrlFrame.__init__(self, version, frame_type, flags, length)
        self.stream_id = stream_id
        self.nv = nv


class SynReplyFrame(_StreamHeadersFrame):
    __slots__ = ()


class HeadersFrame(_StreamHeadersFrame):
    __slots__ = ()


class RstStreamFrame(CtrlFrame):
    __slots__ = ("stream_id", "status_code")

    stream_id: int
    status_code: int

    def __init__(
        self,
        version: int,
        frame_type: int,
        flags: int,
        length: int,
        stream_id: int,
        status_code: int,
    ) -> None:
        CtrlFrame.__init__(self, version, frame_type, flags, length)
        self.stream_id = stream_id
        self.status_code = status_code


class SettingsFrame(CtrlFrame):
    """``iv`` is a list of ``(settings_id, flags, value)`` tuples."""

    __slots__ = ("iv",)

    iv: list[tuple[int, int, int]]

    def __init__(
        self, version: int, frame_type: int, flags: int, length: int, iv: list[tuple[int, int, int]]
    ) -> None:
        CtrlFrame.__init__(self, version, frame_type, flags, length)
        self.iv = iv


class PingFrame(CtrlFrame):
    __slots__ = ("unique_id",)

    unique_id: int

    def __init__(
        self, version: int, frame_type: int, flags: int, length: int, unique_id: int
    ) -> None:
        CtrlFrame.__init__(self, version, frame_type, flags, length)
        self.unique_id = unique_id


class GoawayFrame(CtrlFrame):
    __slots__ = ("last_good_stream_id", "status_code")

    last_good_stream_id: int
    status_code: int

    def __init__(
        self,
        version: int,
        frame_type: int,
        flags: int,
        length: int,
        last_good_stream_id: int,
        status_code: int,
    ) -> None:
        CtrlFrame.__init__(self, version, frame_type, flags, length)
        self.last_good_stream_id = last_good_stream_id
        self.status_code = status_code


class WindowUpdateFrame(CtrlFrame):
    __slots__ = ("stream_id", "delta_window_size")

    stream_id: int
    delta_window_size: int

    def __init__(
        self,
        version: int,
        frame_type: int,
        flags: int,
        length: int,
        stream_id: int,
        delta_window_size: int,
    ) -> None:
        CtrlFrame.__init__(self, version, frame_type, flags, length)
        self.stream_id = stream_id
        self.delta_window_size = delta_window_size


class CredentialFrame(CtrlFrame):
    """``proof`` is bytes, ``certs`` a list of bytes."""

    __slots__ = ("slot", "proof", "certs")

    slot: int
    proof: bytes
    certs: list[bytes]

    def __init__(
        self,
        version: int,
        frame_type: int,
        flags: int,
        length: int,
        slot: int,
        proof: bytes,
        certs: list[bytes],
    ) -> None:
        CtrlFrame.__init__(self, version, frame_type, flags, length)
        self.slot = slot
        self.proof = proof
        self.certs = certs


class DataFrame:
    """A DATA frame as the networking layer's ``on_frame`` hook sees it:
    the stream it belongs to, its flags (``DATA_FLAG_FIN``) and its payload
    length.  The payload itself goes to the stream, not to the hook."""

    __slots__ = ("stream_id", "flags", "length")

    stream_id: int
    flags: int
    length: int

    def __init__(self, stream_id: int, flags: int, length: int) -> None:
        self.stream_id = stream_id
        self.flags = flags
        self.length = length

    def __repr__(self) -> str:
        return "DataFrame(stream_id=%r, flags=%r, length=%r)" % (
            self.stream_id,
            self.flags,
            self.length,
        )


def _entries(array: Any, count: int) -> Any:
    """The items of a C array; NULL, whatever the count, holds none."""
    return ffi.unpack(array, count) if count and array != ffi.NULL else ()


def _syn_stream(frame: Any) -> SynStreamFrame:
    f = frame.syn_stream
    hd = f.hd
    return SynStreamFrame(
        hd.version,
        hd.type,
        hd.flags,
        hd.length,
        f.stream_id,
        f.assoc_stream_id,
        f.pri,
        f.slot,
        nv_from_c(f.nv),
    )


def _syn_reply(frame: Any) -> SynReplyFrame:
    f = frame.syn_reply
    hd = f.hd
    return SynReplyFrame(hd.version, hd.type, hd.flags, hd.length, f.stream_id, nv_from_c(f.nv))


def _headers(frame: Any) -> HeadersFrame:
    f = frame.headers
    hd = f.hd
    return HeadersFrame(hd.version, hd.type, hd.flags, hd.length, f.stream_id, nv_from_c(f.nv))


def _rst_stream(frame: Any) -> RstStreamFrame:
    f = frame.rst_stream
    hd = f.hd
    return RstStreamFrame(hd.version, hd.type, hd.flags, hd.length, f.stream_id, f.status_code)


def _settings(frame: Any) -> SettingsFrame:
    f = frame.settings
    hd = f.hd
    iv = [(entry.settings_id, entry.flags, entry.value) for entry in _entries(f.iv, f.niv)]
    return SettingsFrame(hd.version, hd.type, hd.flags, hd.length, iv)


def _ping(frame: Any) -> PingFrame:
    f = frame.ping
    hd = f.hd
    return PingFrame(hd.version, hd.type, hd.flags, hd.length, f.unique_id)


def _goaway(frame: Any) -> GoawayFrame:
    f = frame.goaway
    hd = f.hd
    return GoawayFrame(
        hd.version, hd.type, hd.flags, hd.length, f.last_good_stream_id, f.status_code
    )


def _window_update(frame: Any) -> WindowUpdateFrame:
    f = frame.window_update
    hd = f.hd
    return WindowUpdateFrame(
        hd.version, hd.type, hd.flags, hd.length, f.stream_id, f.delta_window_size
    )


def _chunk(chunk: Any) -> bytes:
    if not chunk.length or chunk.data == ffi.NULL:
        return b""
    data: bytes = ffi.buffer(chunk.data, chunk.length)[:]
    return data


def _credential(frame: Any) -> CredentialFrame:
    f = frame.credential
    hd = f.hd
    certs = [_chunk(cert) for cert in _entries(f.certs, f.ncerts)]
    return CredentialFrame(hd.version, hd.type, hd.flags, hd.length, f.slot, _chunk(f.proof), certs)


def _ctrl(frame: Any) -> CtrlFrame:
    hd = frame.ctrl.hd
    return CtrlFrame(hd.version, hd.type, hd.flags, hd.length)


_BUILDERS: dict[int, Callable[[Any], CtrlFrame]] = {
    lib.SPDYLAY_SYN_STREAM: _syn_stream,
    lib.SPDYLAY_SYN_REPLY: _syn_reply,
    lib.SPDYLAY_HEADERS: _headers,
    lib.SPDYLAY_RST_STREAM: _rst_stream,
    lib.SPDYLAY_SETTINGS: _settings,
    lib.SPDYLAY_PING: _ping,
    lib.SPDYLAY_GOAWAY: _goaway,
    lib.SPDYLAY_WINDOW_UPDATE: _window_update,
    lib.SPDYLAY_CREDENTIAL: _credential,
}


# The one number that identifies each frame type's frame: its stream, its
# PING's ID or, for GOAWAY, the last stream the peer may still answer.
_IDS: dict[int, Callable[[Any], int]] = {
    lib.SPDYLAY_SYN_STREAM: lambda frame: frame.syn_stream.stream_id,
    lib.SPDYLAY_SYN_REPLY: lambda frame: frame.syn_reply.stream_id,
    lib.SPDYLAY_HEADERS: lambda frame: frame.headers.stream_id,
    lib.SPDYLAY_RST_STREAM: lambda frame: frame.rst_stream.stream_id,
    lib.SPDYLAY_WINDOW_UPDATE: lambda frame: frame.window_update.stream_id,
    lib.SPDYLAY_PING: lambda frame: frame.ping.unique_id,
    lib.SPDYLAY_GOAWAY: lambda frame: frame.goaway.last_good_stream_id,
}


def frame_id(frame_type: int, frame: Any) -> int:
    """What identifies libspdylay's ``spdylay_frame *`` of this type (see
    _IDS), without converting the rest of it; 0 for the other types and for
    a NULL frame."""
    read = _IDS.get(frame_type)
    if read is None or frame == ffi.NULL:
        return 0
    return read(frame)


def stream_fields(frame_type: int, frame: Any) -> tuple[int, int, int, Any, int]:
    """``(frame_type, frame_id, flags, nv, assoc_stream_id)`` of libspdylay's
    ``spdylay_frame *``: for SYN_STREAM, SYN_REPLY and HEADERS their stream
    ID, flags, header list and (SYN_STREAM) associated stream; for the other
    types frame_id() and None for the header list; flags 0 and no header
    list for a NULL frame."""
    if frame == ffi.NULL:
        return frame_type, 0, 0, None, 0
    if frame_type == _SYN_REPLY:
        f = frame.syn_reply
        return frame_type, f.stream_id, f.hd.flags, nv_from_c(f.nv), 0
    if frame_type == _SYN_STREAM:
        f = frame.syn_stream
        return frame_type, f.stream_id, f.hd.flags, nv_from_c(f.nv), f.assoc_stream_id
    if frame_type == _HEADERS:
        f = frame.headers
        return frame_type, f.stream_id, f.hd.flags, nv_from_c(f.nv), 0
    return frame_type, frame_id(frame_type, frame), frame.ctrl.hd.flags, None, 0


_SYN_STREAM: int = lib.SPDYLAY_SYN_STREAM
_SYN_REPLY: int = lib.SPDYLAY_SYN_REPLY
_HEADERS: int = lib.SPDYLAY_HEADERS


def frame_from_c(frame_type: int, frame: Any) -> CtrlFrame:
    """The Python frame for libspdylay's ``spdylay_frame *`` of this type;
    types without fields of their own (NOOP) get a plain CtrlFrame, and so
    does a NULL frame, with only its type known."""
    if frame == ffi.NULL:
        return CtrlFrame(0, frame_type, 0, 0)
    return _BUILDERS.get(frame_type, _ctrl)(frame)
