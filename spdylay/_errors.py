"""The exceptions of spdylay, and the one place where libspdylay's error codes
become them."""

from __future__ import annotations

import builtins
from typing import TypeVar

from ._spdylay import ffi, lib

_Exception = TypeVar("_Exception", bound=BaseException)


class Error(Exception):
    """Base class of every spdylay error.  ``error_code`` is the libspdylay
    ``ERR_*`` code behind it, or ``None`` when the error was found in Python
    or raised by the application.

    Like any Python exception it takes any arguments, none included
    (python-spdylay programs ``raise spdylay.EOFError()``); ``error_code``
    is keyword-only so that a second positional argument stays an ordinary
    exception argument."""

    error_code: int | None

    def __init__(self, *args: object, error_code: int | None = None) -> None:
        super().__init__(*args)
        self.error_code = error_code


class InvalidArgumentError(Error, ValueError):
    """An argument is out of range or malformed (also a ``ValueError``)."""


class ZlibError(Error):
    """zlib could not be initialised or failed."""


class UnsupportedVersionError(Error):
    """The SPDY version is not one this library speaks."""


class StreamClosedError(Error):
    """The stream is closed or does not exist."""


class CallbackFailureError(Error):
    """A callback failed; the session is unusable afterwards.  Callbacks raise
    it to signal a fatal error."""


class TemporalCallbackFailureError(Error):
    """Raised by a ``DataProvider`` read callback to reset only its stream
    (RST_STREAM with INTERNAL_ERROR)."""


class InvalidStateError(Error, RuntimeError):
    """The call is not allowed now: the session is closed, or ``send()`` /
    ``recv()`` / ``close()`` was called from inside one of its callbacks
    (also a ``RuntimeError``)."""


class EOFError(Error, builtins.EOFError):
    """The peer closed the connection (also the built-in ``EOFError``)."""


_CLASSES: dict[int, type[Error]] = {
    lib.SPDYLAY_ERR_INVALID_ARGUMENT: InvalidArgumentError,
    lib.SPDYLAY_ERR_ZLIB: ZlibError,
    lib.SPDYLAY_ERR_UNSUPPORTED_VERSION: UnsupportedVersionError,
    lib.SPDYLAY_ERR_STREAM_CLOSED: StreamClosedError,
    lib.SPDYLAY_ERR_CALLBACK_FAILURE: CallbackFailureError,
    lib.SPDYLAY_ERR_TEMPORAL_CALLBACK_FAILURE: TemporalCallbackFailureError,
    lib.SPDYLAY_ERR_INVALID_STATE: InvalidStateError,
    lib.SPDYLAY_ERR_EOF: EOFError,
}


_CODES: dict[type[Error], int] = {cls: code for code, cls in _CLASSES.items()}


def with_error_code(exc: _Exception) -> _Exception:
    """``exc`` with ``error_code`` filled in when it is a spdylay error an
    application callback raised without one (``raise EOFError()``): as it
    leaves ``send()`` or ``recv()`` it carries the code the package would
    have used.  Returns ``exc``."""
    if isinstance(exc, Error) and exc.error_code is None:
        exc.error_code = _CODES.get(type(exc))
    return exc


def error_for(error_code: int) -> Exception:
    """The exception for a negative libspdylay return value."""
    text = lib.spdylay_strerror(error_code)
    message = (
        "libspdylay error %d" % error_code
        if text == ffi.NULL
        else ffi.string(text).decode("ascii", "replace")
    )
    if error_code == lib.SPDYLAY_ERR_NOMEM:
        return MemoryError(message)
    return _CLASSES.get(error_code, Error)(message, error_code=error_code)
