"""Checks on arguments before they reach C, so that no Python value can
overflow a C type or trip a C library's assertion (libspdylay 1.4 aborts the
process for some): a wrong type raises TypeError, an out-of-range value
InvalidArgumentError, whichever libspdylay is underneath."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from ._errors import InvalidArgumentError
from ._spdylay import ffi, lib

if TYPE_CHECKING:
    from ._typing import SettingsEntry

UINT8_MAX = 0xFF
INT32_MIN = -0x80000000
INT32_MAX = 0x7FFFFFFF
UINT32_MAX = 0xFFFFFFFF
SIZE_MAX = (1 << (8 * ffi.sizeof("size_t"))) - 1
# libspdylay 1.4's documented minimum for OPT_MAX_RECV_CTRL_FRAME_BUFFER.
MIN_RECV_CTRL_FRAME_BUFFER = 8192


def int_in(value: object, low: int, high: int, what: str) -> int:
    if not isinstance(value, int):
        raise TypeError("%s must be an int, not %s" % (what, type(value).__name__))
    if not low <= value <= high:
        raise InvalidArgumentError("%s must be in [%d, %d], not %d" % (what, low, high, value))
    return value


def stream_id(value: object) -> int:
    """A stream ID: 31 bits on the wire."""
    return int_in(value, 0, INT32_MAX, "stream_id")


def frame_stream_id(value: object) -> int:
    """The stream a frame is submitted on: 0 is no stream."""
    return int_in(value, 1, INT32_MAX, "stream_id")


def priority(value: object, lowest: int) -> int:
    """A priority in [0, lowest] (3 for SPDY/2, 7 for SPDY/3).  libspdylay
    1.4 would silently use ``lowest`` for anything larger; the Python API
    refuses it.  Anything but an int is invalid too."""
    if not isinstance(value, int) or not 0 <= value <= lowest:
        raise InvalidArgumentError("pri must be an int in [0, %d], not %r" % (lowest, value))
    return value


def flags(value: object, allowed: int, what: str = "flags") -> int:
    """Flag bits, only those in ``allowed``."""
    value = int_in(value, 0, UINT8_MAX, what)
    if value & ~allowed:
        raise InvalidArgumentError("%s 0x%02x has bits other than 0x%02x" % (what, value, allowed))
    return value


SYN_STREAM_FLAGS = lib.SPDYLAY_CTRL_FLAG_FIN | lib.SPDYLAY_CTRL_FLAG_UNIDIRECTIONAL
HEADERS_FLAGS = lib.SPDYLAY_CTRL_FLAG_FIN
DATA_FLAGS = lib.SPDYLAY_DATA_FLAG_FIN
SETTINGS_FLAGS = lib.SPDYLAY_FLAG_SETTINGS_CLEAR_SETTINGS
SETTINGS_ID_FLAGS = (
    lib.SPDYLAY_ID_FLAG_SETTINGS_PERSIST_VALUE | lib.SPDYLAY_ID_FLAG_SETTINGS_PERSISTED
)


def settings_entries(iv: Iterable[SettingsEntry]) -> list[tuple[int, ...]]:
    """``iv`` as a list of ``(settings_id, flags, value)`` tuples: IDs from 1
    to SETTINGS_MAX, each once, known flags, values a 31-bit count."""
    try:
        entries = [tuple(entry) for entry in iv]
    except TypeError as exc:
        raise InvalidArgumentError("iv must be a sequence of (settings_id, flags, value)") from exc
    seen = set()
    for entry in entries:
        if len(entry) != 3:
            raise InvalidArgumentError(
                "iv entries are (settings_id, flags, value), not %r" % (entry,)
            )
        settings_id, id_flags, value = entry
        int_in(settings_id, 1, lib.SPDYLAY_SETTINGS_MAX, "settings_id")
        if settings_id in seen:
            raise InvalidArgumentError("settings_id %d appears twice in iv" % settings_id)
        seen.add(settings_id)
        flags(id_flags, SETTINGS_ID_FLAGS, "settings flags")
        int_in(value, 0, INT32_MAX, "settings value")
    return entries


def status_code(value: object) -> int:
    return int_in(value, 0, UINT32_MAX, "status_code")
