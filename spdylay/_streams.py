"""What a Session keeps alive for its streams until they close.

libspdylay holds only integers for Python: a stream's C user data is its
*stream key*, a submitted DataProvider's C source is its *provider key*.
Keys come from one counter and are never reused, so a stale key can at
worst miss a lookup.  The objects stay here because C calls back for them
later: a DataProvider is read whenever the stream's DATA is sent, and
stream_user_data is what ``get_stream_user_data()`` answers until the
stream closes (``on_stream_close`` releases both).  A SYN_STREAM that is
never sent opens no stream: ``on_ctrl_not_send`` releases its key instead.
A DataProvider submitted on a stream that does not exist is kept only
weakly: libspdylay drops its DATA unless a SYN_STREAM still queued opens
the stream first, and then it is read as long as the program holds it, as
python-spdylay asks programs to.
"""

from __future__ import annotations

import weakref
from typing import Any, Callable

from ._data import DataProvider
from ._errors import TemporalCallbackFailureError
from ._spdylay import ffi, lib

_cast = ffi.cast


class StreamTable:
    """Stream user data and DataProviders, in separate maps, by key."""

    __slots__ = (
        "_user_data",
        "_stream_providers",
        "_providers",
        "_unattached",
        "last_key",
        "provider",
        "borrowed",
        "output",
        "retired",
    )

    def __init__(self) -> None:
        # stream key -> stream_user_data (None when only providers are kept)
        self._user_data: dict[int, Any] = {}
        # stream key -> the provider keys submitted on that stream
        self._stream_providers: dict[int, list[int]] = {}
        # provider key -> DataProvider
        self._providers: dict[int, DataProvider] = {}
        # provider(provider_key): the DataProvider, for the read trampoline
        # twice per body at least, so the dict's own lookup, not a method
        # that calls it.
        self.provider: Callable[[int], DataProvider] = self._providers.__getitem__
        # provider key -> a DataProvider submitted on a stream that did not
        # exist, held by the program alone (see adopt)
        self._unattached: weakref.WeakValueDictionary[int, DataProvider] = (
            weakref.WeakValueDictionary()
        )
        # provider key -> the buffer of read_cb's bytes whose rest the shim
        # holds for the provider's next frames without a copy (see
        # pyspdylay_read): kept until the provider is read again or its
        # stream closes, when the shim has let go of it.
        self.borrowed: dict[int, Any] = {}
        # The shim's context, whose output may still point into borrowed
        # buffers (its spans, see _shim.h) while send() runs: a buffer let
        # go of meanwhile waits in ``retired`` until send() has the output
        # built.  Set by the Session.
        self.output: Any = None
        self.retired: list[Any] = []
        # The key handed out last: one that has not moved over a callback
        # says the callback attached nothing new.
        self.last_key = 0

    def new_key(self) -> int:
        self.last_key += 1
        return self.last_key

    def new_provider_key(self, data_prd: object) -> int:
        """The key the shim reads ``data_prd`` under; the provider is kept
        only once attach() is given that key."""
        if not isinstance(data_prd, DataProvider):
            raise TypeError("data_prd must be a DataProvider, not %s" % type(data_prd).__name__)
        return self.new_key()

    @staticmethod
    def key_of(ptr: Any, stream_id: int) -> int:
        """The stream's key, or 0 if it has none (or does not exist)."""
        key: int = lib.pyspdylay_stream_key(ptr, stream_id)
        return key

    def bind(self, ptr: Any, stream_id: int) -> int:
        """Gives an existing stream a new key as its C user data; returns
        the key, or libspdylay's (negative) error when there is no such
        stream."""
        key = self.new_key()
        rv = lib.spdylay_session_set_stream_user_data(ptr, stream_id, _cast("void *", key))
        return rv if rv != 0 else key

    def attach(
        self,
        key: int,
        user_data: Any = None,
        provider_key: int = 0,
        provider: DataProvider | None = None,
    ) -> None:
        """Keeps ``user_data`` (for a stream new to the table) and the
        DataProvider ``provider`` submitted under ``provider_key`` for the
        stream with key ``key`` until release(key)."""
        if key not in self._user_data:
            self._user_data[key] = user_data
            self._stream_providers[key] = []
        if provider is not None:
            self._stream_providers[key].append(provider_key)
            self._providers[provider_key] = provider

    def keep_unattached(self, provider_key: int, provider: DataProvider) -> None:
        """Remembers, weakly, ``provider``, submitted under ``provider_key``
        on a stream that does not exist."""
        self._unattached[provider_key] = provider

    def adopt(self, ptr: Any, stream_id: int, provider_key: int) -> DataProvider:
        """The DataProvider under ``provider_key``, which keep_unattached()
        was given, now that its stream exists and its DATA is being read:
        kept for the stream from now on.  TemporalCallbackFailureError (the
        stream is reset) if the program no longer holds it."""
        provider = self._unattached.pop(provider_key, None)
        if provider is None:
            raise TemporalCallbackFailureError(
                "the DataProvider submitted before stream %d existed was "
                "released before its DATA was read" % stream_id
            )
        key = self.key_of(ptr, stream_id) or self.bind(ptr, stream_id)
        if key < 0:
            raise TemporalCallbackFailureError("stream %d has gone" % stream_id)
        self.attach(key, None, provider_key, provider)
        return provider

    def set_user_data(self, key: int, user_data: Any) -> None:
        self._user_data[key] = user_data

    def user_data(self, key: int) -> Any:
        return self._user_data[key]

    def let_go(self, provider_key: int) -> None:
        """The shim holds no more of what it borrowed for the provider."""
        held = self.borrowed.pop(provider_key, None)
        if held is not None and self.output.out_span_count:
            self.retired.append(held)

    def release(self, key: int) -> None:
        """Drops what the closed stream with key ``key`` kept."""
        del self._user_data[key]
        providers = self._providers
        borrowed = self.borrowed
        for provider_key in self._stream_providers.pop(key):
            del providers[provider_key]
            if borrowed:
                self.let_go(provider_key)

    def clear(self) -> None:
        self._user_data.clear()
        self._stream_providers.clear()
        self._providers.clear()
        self._unattached.clear()
        self.borrowed.clear()
        self.retired.clear()
