"""The types of the public API that are not classes: what a header list and a
bytes-like argument may be, and the signature of each Session callback and of
a DataProvider's read callback, for applications that type-check theirs.

They are plain ``typing`` aliases, built once at import: nothing checks them
at run time.  ``Optional``/``Union`` rather than ``X | Y``, because these
expressions are evaluated, and Python 3.9 cannot evaluate ``X | Y``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Callable, Optional, Union

from ._data import ReadCtrl
from ._frames import CtrlFrame

if TYPE_CHECKING:
    from ._session import Session

#: What the library accepts where it reads bytes from the caller.
BytesLike = Union[bytes, bytearray, memoryview]

#: A header name or value as the caller gives it.
HeaderText = Union[str, bytes, bytearray, memoryview]

#: A header list as the caller gives it (``nv``).
HeaderList = Sequence[tuple[HeaderText, HeaderText]]

#: A received header list (the ``nv`` attribute of frames).
ReceivedHeaderList = list[tuple[str, str]]

#: A SETTINGS entry: ``(settings_id, id_flags, value)``.
SettingsEntry = tuple[int, int, int]

# Callbacks whose return value the session ignores return ``object``, so
# that any function (a lambda, list.append) fits.
SendCallback = Callable[["Session", bytes], Optional[int]]
RecvCallback = Callable[["Session", int], Optional[BytesLike]]
OnCtrlRecvCallback = Callable[["Session", CtrlFrame], object]
OnInvalidCtrlRecvCallback = Callable[["Session", CtrlFrame, int], object]
OnDataChunkRecvCallback = Callable[["Session", int, int, bytes], object]
OnDataRecvCallback = Callable[["Session", int, int, int], object]
BeforeCtrlSendCallback = Callable[["Session", CtrlFrame], object]
OnCtrlSendCallback = Callable[["Session", CtrlFrame], object]
OnCtrlNotSendCallback = Callable[["Session", CtrlFrame, int], object]
OnDataSendCallback = Callable[["Session", int, int, int], object]
OnStreamCloseCallback = Callable[["Session", int, int], object]
OnRequestRecvCallback = Callable[["Session", int], object]
OnCtrlRecvParseErrorCallback = Callable[["Session", int, bytes, bytes, int], object]
OnUnknownCtrlRecvCallback = Callable[["Session", bytes, bytes], object]
ReadCallback = Callable[["Session", int, int, ReadCtrl, Any], Union[BytesLike, int, None]]
