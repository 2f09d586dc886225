"""Bounds on what a peer may make this package hold, shared by the threaded
and the asyncio layers."""

from __future__ import annotations

from collections.abc import Iterable

# How many bytes of header names and values one stream's SYN_STREAM,
# SYN_REPLY and HEADERS frames may carry together.  HEADERS frames may follow
# one another for as long as the stream is open, so without a bound a peer
# could grow a stream's headers for ever.  It stays below the bundled core's
# own bound (OPT_MAX_HEADER_LIST_SIZE, 64 KiB by default), so that the peer
# gets an HTTP answer (431, or CANCEL) rather than the core's RST_STREAM, and
# it still holds on a libspdylay 1.4 that has no such bound.
HEADER_BYTES_LIMIT = 32 * 1024


def header_bytes(nv: Iterable[tuple[str, str]]) -> int:
    """The size ``nv`` counts against HEADER_BYTES_LIMIT."""
    # A plain loop: it runs for every header block received, and a
    # generator under sum() costs half as much again.
    size = 0
    for name, value in nv:
        size += len(name) + len(value)
    return size


# Seconds a server connection with no open stream may go without receiving a
# byte before the server sends GOAWAY and closes it.
IDLE_TIMEOUT = 120.0


def check_count(value: object, least: int, name: str) -> None:
    """Refuses a ``value`` for a count or size argument other than an int
    from ``least`` to 2**31-1 (what SETTINGS and the session take)."""
    if not isinstance(value, int) or isinstance(value, bool) or not least <= value <= 2**31 - 1:
        raise ValueError("%s must be an int from %d to 2**31-1, not %r" % (name, least, value))


def check_seconds(value: object, name: str) -> None:
    """Refuses a ``value`` for a timeout argument other than None or a
    positive number."""
    if value is not None and (
        not isinstance(value, (int, float)) or isinstance(value, bool) or not value > 0
    ):
        raise ValueError("%s must be None or a number of seconds above 0, not %r" % (name, value))
