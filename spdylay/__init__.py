"""spdylay: SPDY/2, SPDY/3 and SPDY/3.1 for Python, over libspdylay.

``Session`` runs one connection, ``DataProvider`` supplies request and
response bodies, frames reach callbacks as ``CtrlFrame`` subclasses.  A
Session does no I/O itself: it calls ``send_cb`` and ``recv_cb``, or is fed
bytes with ``Session.recv(data)``.  ``ThreadedSPDYServer`` and ``urlfetch``
run Sessions over real sockets, plain or TLS.
"""

import importlib
from typing import TYPE_CHECKING, Any

from . import _constants
from ._constants import *  # noqa: F401,F403
from ._data import DataProvider, ReadCtrl
from ._errors import (
    CallbackFailureError,
    EOFError,
    Error,
    InvalidArgumentError,
    InvalidStateError,
    StreamClosedError,
    TemporalCallbackFailureError,
    UnsupportedVersionError,
    ZlibError,
)
from ._frames import (
    CredentialFrame,
    CtrlFrame,
    DataFrame,
    GoawayFrame,
    HeadersFrame,
    PingFrame,
    RstStreamFrame,
    SettingsFrame,
    SynReplyFrame,
    SynStreamFrame,
    WindowUpdateFrame,
)
from ._npn import get_npn_protocols, npn_get_version
from ._session import Session
from ._spdylay import lib as _lib
from ._typing import (
    BeforeCtrlSendCallback,
    BytesLike,
    HeaderList,
    HeaderText,
    OnCtrlNotSendCallback,
    OnCtrlRecvCallback,
    OnCtrlRecvParseErrorCallback,
    OnCtrlSendCallback,
    OnDataChunkRecvCallback,
    OnDataRecvCallback,
    OnDataSendCallback,
    OnInvalidCtrlRecvCallback,
    OnRequestRecvCallback,
    OnStreamCloseCallback,
    OnUnknownCtrlRecvCallback,
    ReadCallback,
    ReceivedHeaderList,
    RecvCallback,
    SendCallback,
    SettingsEntry,
)

__version__ = "0.1.0"

#: Which libspdylay the extension was built with: ``"bundled"`` (the core
#: shipped in this package) or ``"system"`` (an installed libspdylay, with
#: ``SPDYLAY_USE_SYSTEM=1``).
core = "system" if _lib.PYSPDYLAY_SYSTEM_CORE else "bundled"

# The networking layer (and with it ssl, http.server, email, socketserver)
# is imported on first use: it takes twice as long to import as the rest of
# the package, which a program driving Sessions itself never needs.
_NETWORKING = {
    "client": ("BaseSPDYStreamHandler", "UrlFetcher", "UrlFetchError", "urlfetch"),
    "server": ("BaseSPDYRequestHandler", "ThreadedSPDYServer"),
}
_NETWORKING_MODULE = {name: module for module, names in _NETWORKING.items() for name in names}

if TYPE_CHECKING:
    # What __getattr__ provides, for the type checker.
    from .client import BaseSPDYStreamHandler, UrlFetcher, UrlFetchError, urlfetch
    from .server import BaseSPDYRequestHandler, ThreadedSPDYServer


def __getattr__(name: str) -> Any:
    if name in _NETWORKING:
        # Importing the submodule sets it as this package's attribute.
        return importlib.import_module("." + name, __name__)
    module = _NETWORKING_MODULE.get(name)
    if module is None:
        raise AttributeError("module %r has no attribute %r" % (__name__, name))
    value = getattr(importlib.import_module("." + module, __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_NETWORKING) | set(_NETWORKING_MODULE))


__all__ = [
    "Session",
    "DataProvider",
    "ReadCtrl",
    "BytesLike",
    "HeaderText",
    "HeaderList",
    "ReceivedHeaderList",
    "SettingsEntry",
    "SendCallback",
    "RecvCallback",
    "OnCtrlRecvCallback",
    "OnInvalidCtrlRecvCallback",
    "OnDataChunkRecvCallback",
    "OnDataRecvCallback",
    "BeforeCtrlSendCallback",
    "OnCtrlSendCallback",
    "OnCtrlNotSendCallback",
    "OnDataSendCallback",
    "OnStreamCloseCallback",
    "OnRequestRecvCallback",
    "OnCtrlRecvParseErrorCallback",
    "OnUnknownCtrlRecvCallback",
    "ReadCallback",
    "CtrlFrame",
    "SynStreamFrame",
    "SynReplyFrame",
    "HeadersFrame",
    "RstStreamFrame",
    "SettingsFrame",
    "PingFrame",
    "GoawayFrame",
    "WindowUpdateFrame",
    "CredentialFrame",
    "Error",
    "CallbackFailureError",
    "TemporalCallbackFailureError",
    "InvalidArgumentError",
    "InvalidStateError",
    "ZlibError",
    "UnsupportedVersionError",
    "StreamClosedError",
    "EOFError",
    "get_npn_protocols",
    "npn_get_version",
    "core",
    "ThreadedSPDYServer",
    "BaseSPDYRequestHandler",
    "urlfetch",
    "UrlFetcher",
    "BaseSPDYStreamHandler",
    "UrlFetchError",
    "DataFrame",
]
__all__ += [name for name in vars(_constants) if name.isupper()]
