"""Name/value header lists, between Python pairs and libspdylay's
NULL-terminated ``char **`` arrays.

Both directions pack every string into one NUL-separated blob so that a list
costs a fixed number of allocations and C calls, whatever its length.
"""

from ._errors import InvalidArgumentError
from ._spdylay import ffi, lib


def _encode(text, what):
    if isinstance(text, str):
        return text.encode("utf-8", "surrogateescape")
    if isinstance(text, bytes):
        return text
    if isinstance(text, (bytearray, memoryview)):
        return bytes(text)
    if text is None:
        raise InvalidArgumentError("nv %s must not be None" % what)
    raise InvalidArgumentError("nv %s must be str or bytes, not %s"
                               % (what, type(text).__name__))


def nv_to_c(nv):
    """Returns ``(array, keepalive)``: a ``const char **`` for libspdylay and
    the objects that must outlive the call using it.

    A value holding NUL bytes becomes one entry per NUL-separated part, which
    libspdylay joins again on the wire: C strings cannot carry NUL."""
    parts = []
    append = parts.append
    try:
        for name, value in nv:
            name = _encode(name, "name")
            value = _encode(value, "value")
            if not name:
                raise InvalidArgumentError("nv name must not be empty")
            if b"\0" in name:
                raise InvalidArgumentError("nv name must not contain NUL")
            if b"\0" in value:
                for segment in value.split(b"\0"):
                    if not segment:
                        raise InvalidArgumentError(
                            "nv value %r has an empty NUL-separated part"
                            % value)
                    append(name)
                    append(segment)
            else:
                append(name)
                append(value)
    except InvalidArgumentError:
        raise
    except (TypeError, ValueError) as exc:
        raise InvalidArgumentError(
            "nv must be a sequence of (name, value) pairs") from exc
    count = len(parts)
    parts.append(b"")
    blob = ffi.from_buffer(b"\0".join(parts))
    array = ffi.new("const char *[]", count + 1)
    lib.pyspdylay_nv_split(array, blob, count)
    return array, blob


def nv_from_c(nv):
    """The list of ``(name, value)`` str pairs of a C name/value array.
    Bytes that are not UTF-8 come back as surrogate escapes, so decoding never
    fails and encoding the str again restores the bytes."""
    size = lib.pyspdylay_nv_size(nv)
    if not size:
        return []
    blob = ffi.new("char[]", size)
    lib.pyspdylay_nv_join(nv, blob)
    strings = ffi.unpack(blob, size - 1).decode(
        "utf-8", "surrogateescape").split("\0")
    return list(zip(strings[::2], strings[1::2]))
