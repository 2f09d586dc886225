"""NPN (Next Protocol Negotiation) helpers for TLS connections."""

from __future__ import annotations

from ._spdylay import ffi, lib


def get_npn_protocols() -> list[str]:
    """The NPN protocol names this library speaks, newest first, as str
    (for ``ssl.SSLContext.set_npn_protocols``)."""
    length = ffi.new("size_t *")
    entries = lib.spdylay_npn_get_proto_list(length)
    if entries == ffi.NULL:
        return []
    return [
        ffi.unpack(ffi.cast("char *", entry.proto), entry.len).decode("ascii", "replace")
        for entry in ffi.unpack(entries, length[0])
        if entry.proto != ffi.NULL
    ]


def npn_get_version(proto: str | bytes | None) -> int:
    """The PROTO_* constant for an NPN protocol name (str or bytes), or 0 if
    this library does not speak it.  None, what ``ssl`` reports when nothing
    was negotiated, is 0 too, so its result can be passed straight in."""
    if proto is None:
        return 0
    if isinstance(proto, str):
        proto = proto.encode("utf-8", "surrogateescape")
    elif not isinstance(proto, bytes):
        raise TypeError("proto must be str or bytes, not %s" % type(proto).__name__)
    version: int = lib.spdylay_npn_get_version(proto, len(proto))
    return version
