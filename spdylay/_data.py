"""DataProvider: where the body of a stream comes from."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._typing import ReadCallback


class DataProvider:
    """A body source: ``read_cb(session, stream_id, length, read_ctrl,
    source)`` is called whenever the session can send DATA on the stream.

    It returns at most ``length`` bytes (any bytes-like object; returning more
    fails the session with CallbackFailureError), or ``ERR_DEFERRED`` to park
    the stream until ``Session.resume_data()``.  Setting ``read_ctrl.flags``
    to ``READ_EOF`` marks the returned bytes as the last ones.  Raising
    TemporalCallbackFailureError resets the stream with INTERNAL_ERROR; any
    other exception fails the session and propagates out of ``send()``.

    The Session keeps the provider alive until its stream closes: the
    application need not hold on to it.
    """

    __slots__ = ("source", "read_cb", "__weakref__")

    source: Any
    read_cb: ReadCallback

    def __init__(self, source: Any, read_cb: ReadCallback) -> None:
        if not callable(read_cb):
            raise TypeError("read_cb must be callable")
        self.source = source
        self.read_cb = read_cb


class ReadCtrl:
    """The ``read_ctrl`` argument of a read callback."""

    __slots__ = ("flags",)

    flags: int

    def __init__(self) -> None:
        self.flags = 0
