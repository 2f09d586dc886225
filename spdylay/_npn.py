"""NPN (Next Protocol Negotiation) helpers for TLS connections."""

from ._spdylay import ffi, lib


def get_npn_protocols():
    """The NPN protocol names this library speaks, newest first, as str
    (for ``ssl.SSLContext.set_npn_protocols``)."""
    length = ffi.new("size_t *")
    wire = ffi.unpack(ffi.cast("char *", lib.spdylay_npn_get_proto_list(length)),
                      length[0])
    protocols = []
    offset = 0
    while offset < len(wire):
        end = offset + 1 + wire[offset]
        protocols.append(wire[offset + 1:end].decode("ascii"))
        offset = end
    return protocols


def npn_get_version(proto):
    """The PROTO_* constant for an NPN protocol name (str or bytes), or 0 if
    this library does not speak it."""
    if isinstance(proto, str):
        proto = proto.encode("utf-8", "surrogateescape")
    elif not isinstance(proto, bytes):
        raise TypeError("proto must be str or bytes, not %s"
                        % type(proto).__name__)
    return lib.spdylay_npn_get_version(proto, len(proto))
