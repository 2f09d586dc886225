"""Checks on integer arguments before they reach C, so that no Python value
can overflow a C type: a wrong type raises TypeError, an out-of-range value
InvalidArgumentError."""

from ._errors import InvalidArgumentError
from ._spdylay import ffi

UINT8_MAX = 0xFF
INT32_MIN = -0x80000000
INT32_MAX = 0x7FFFFFFF
UINT32_MAX = 0xFFFFFFFF
SIZE_MAX = (1 << (8 * ffi.sizeof("size_t"))) - 1


def int_in(value, low, high, what):
    if not isinstance(value, int):
        raise TypeError("%s must be an int, not %s"
                        % (what, type(value).__name__))
    if not low <= value <= high:
        raise InvalidArgumentError("%s must be in [%d, %d], not %d"
                                   % (what, low, high, value))
    return value


def stream_id(value):
    """A stream ID: 31 bits on the wire."""
    return int_in(value, 0, INT32_MAX, "stream_id")


def priority(value, lowest):
    """A priority in [0, lowest] (3 for SPDY/2, 7 for SPDY/3).  libspdylay
    1.4 would silently use ``lowest`` for anything larger; the Python API
    refuses it.  Anything but an int is invalid too."""
    if not isinstance(value, int) or not 0 <= value <= lowest:
        raise InvalidArgumentError("pri must be an int in [0, %d], not %r"
                                   % (lowest, value))
    return value


def flags(value):
    return int_in(value, 0, UINT8_MAX, "flags")


def status_code(value):
    return int_in(value, 0, UINT32_MAX, "status_code")
