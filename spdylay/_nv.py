"""Name/value header lists, between Python pairs and libspdylay's
NULL-terminated ``char **`` arrays.

A list to send is packed into one NUL-separated blob, so that it costs a
fixed number of allocations and C calls whatever its length.  A received
list's pairs are built by the shim on CPython, in one call, and string by
string on PyPy, whose JIT makes that the fastest way there.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from ._errors import InvalidArgumentError
from ._spdylay import ffi, lib

if TYPE_CHECKING:
    from ._typing import HeaderList, ReceivedHeaderList


def _encode(text: object, what: str) -> bytes:
    if isinstance(text, str):
        return text.encode("utf-8", "surrogateescape")
    if isinstance(text, bytes):
        return text
    if isinstance(text, (bytearray, memoryview)):
        return bytes(text)
    if text is None:
        raise InvalidArgumentError("nv %s must not be None" % what)
    raise InvalidArgumentError("nv %s must be str or bytes, not %s" % (what, type(text).__name__))


def _flatten(nv: HeaderList) -> list[Any]:
    """[name, value, name, value, ...] of a sequence of pairs.  Only tuples
    and lists count as pairs: a mapping, or a list of two-character strings,
    would unpack too, into names and values that were never meant."""
    # Exact lists and tuples skip the isinstance checks, which cost more
    # than the flattening itself (Mapping's through the ABC machinery).
    if (
        nv.__class__ is not list
        and nv.__class__ is not tuple
        and isinstance(nv, (str, bytes, bytearray, memoryview, Mapping))
    ):
        raise InvalidArgumentError(
            "nv must be a sequence of (name, value) pairs, not %s" % type(nv).__name__
        )
    strings: list[Any] = []
    extend = strings.extend
    try:
        for pair in nv:
            if pair.__class__ is not tuple and not isinstance(pair, (tuple, list)):
                raise InvalidArgumentError(
                    "nv entries must be (name, value) pairs, not %r" % (pair,)
                )
            name, value = pair
            extend((name, value))
    except (TypeError, ValueError) as exc:
        raise InvalidArgumentError("nv must be a sequence of (name, value) pairs") from exc
    return strings


def _encode_one_by_one(strings: list[Any]) -> bytes:
    """The NUL-joined blob of ``strings`` (names and values alternating) when
    they are not all plain str: bytes, NUL-separated values, bad entries."""
    parts: list[bytes] = []
    append = parts.append
    for index in range(0, len(strings), 2):
        name = _encode(strings[index], "name")
        value = _encode(strings[index + 1], "value")
        if not name:
            raise InvalidArgumentError("nv name must not be empty")
        if b"\0" in name:
            raise InvalidArgumentError("nv name must not contain NUL")
        if b"\0" in value:
            for segment in value.split(b"\0"):
                if not segment:
                    raise InvalidArgumentError(
                        "nv value %r has an empty NUL-separated part" % value
                    )
                append(name)
                append(segment)
        else:
            append(name)
            append(value)
    parts.append(b"")
    return b"\0".join(parts)


def pack_nv(nv: HeaderList) -> bytes:
    """The packed form the shim's submit functions take: every name and
    value, alternating, each ending with a NUL byte.

    A value holding NUL bytes becomes one entry per NUL-separated part, which
    libspdylay joins again on the wire: C strings cannot carry NUL."""
    return _pack(nv)[0]


def _pack(nv: HeaderList) -> tuple[bytes, bool]:
    """pack_nv()'s answer, and whether ``nv`` was exact (name, value) tuples
    of exact str only (see _exact_str_pairs), the shape whose packed form
    LastPacked may keep."""
    exact = nv.__class__ is list or nv.__class__ is tuple
    if exact:
        # The common shape, exact tuples of two, flattened without
        # _flatten's per-pair checks; anything else goes through them.
        strings: list[Any] = []
        extend = strings.extend
        for pair in nv:
            if pair.__class__ is not tuple or len(pair) != 2:
                strings = _flatten(nv)
                exact = False
                break
            if pair[0].__class__ is not str or pair[1].__class__ is not str:
                exact = False
            extend(pair)
    else:
        strings = _flatten(nv)
    count = len(strings)
    try:
        text = "\0".join(strings)
    except TypeError:
        text = None
    # The common case, all str without NUL or empty names, costs one join and
    # one encode for the whole list.
    if text is not None and text.count("\0") == count - 1 and "" not in strings[0::2]:
        try:
            return (text + "\0").encode("utf-8", "surrogateescape"), exact
        except UnicodeEncodeError as exc:
            raise InvalidArgumentError("nv holds a string UTF-8 cannot encode") from exc
    try:
        return _encode_one_by_one(strings), False
    except UnicodeEncodeError as exc:
        raise InvalidArgumentError("nv holds a string UTF-8 cannot encode") from exc


def _exact_str_pairs(pairs: tuple[Any, ...]) -> bool:
    """Whether ``pairs`` holds only exact tuples of exact str, whose equality
    is their content's: a subclass, or any other type (mock.ANY), may call
    itself equal to a header it does not pack to, and its comparison wins
    over str's."""
    for pair in pairs:
        if (
            pair.__class__ is not tuple
            or pair[0].__class__ is not str
            or pair[1].__class__ is not str
        ):
            return False
    return True


class LastPacked:
    """The header list one kind of submit packed last and its packed form,
    so that the same list again costs a comparison instead of packing it:
    programs tend to submit the same headers over and over (a client's
    request headers, a server's response headers).  Only lists of exact
    (name, value) tuples of exact str are kept, as a tuple of their pairs:
    those cannot change afterwards, and a list of them equal to one packs
    the same (str compares by content).  The list and its packed form are
    kept as one attribute, so threads may share a LastPacked."""

    __slots__ = ("last",)

    def __init__(self) -> None:
        self.last: tuple[tuple[Any, ...], bytes] | None = None

    def pack(self, nv: HeaderList) -> bytes:
        if nv.__class__ is not list and nv.__class__ is not tuple:
            return pack_nv(nv)
        pairs = tuple(nv)
        last = self.last
        if last is not None:
            try:
                same = pairs == last[0]
            except Exception:
                # An entry whose comparison fails is no header: _pack says so.
                same = False
            if same and _exact_str_pairs(pairs):
                return last[1]
        packed, exact = _pack(nv)
        if exact:
            self.last = (pairs, packed)
        return packed


def _nv_from_c_in_shim(nv: Any) -> ReceivedHeaderList:
    """nv_from_c on CPython: the shim builds the pairs itself, in 0.7 us for
    eight headers where cffi takes 1.7."""
    pairs: ReceivedHeaderList = []
    if lib.pyspdylay_nv_into_pairs(nv, id(pairs)) > 0:
        return pairs
    return _nv_from_c_by_cffi(nv)


def _nv_from_c_by_cffi(nv: Any) -> ReceivedHeaderList:
    """nv_from_c with cffi alone, string by string, which PyPy's JIT makes
    the fastest way there (0.2 us for eight headers)."""
    pairs: ReceivedHeaderList = []
    if nv == ffi.NULL:
        return pairs
    string = ffi.string
    index = 0
    while nv[index] != ffi.NULL and nv[index + 1] != ffi.NULL:
        pairs.append(
            (
                string(nv[index]).decode("utf-8", "surrogateescape"),
                string(nv[index + 1]).decode("utf-8", "surrogateescape"),
            )
        )
        index += 2
    return pairs


# The list of ``(name, value)`` str pairs of a C name/value array; NULL
# (libspdylay 1.4 passes it for a header block it could not decode) is an
# empty list.  Bytes that are not UTF-8 come back as surrogate escapes, so
# decoding never fails and encoding the str again restores the bytes.
nv_from_c = (
    _nv_from_c_in_shim if lib.pyspdylay_nv_into_pairs(ffi.NULL, 0) > 0 else _nv_from_c_by_cffi
)
