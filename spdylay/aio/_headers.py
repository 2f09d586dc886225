"""Headers: the name/value pairs of a request or response, in wire order,
with a case-insensitive lookup by name."""

from collections.abc import Iterable, Sequence
from typing import Optional, Union, overload


class Headers(Sequence[tuple[str, str]]):
    """An immutable sequence of ``(name, value)`` str pairs, plus lookup by
    name: ``headers["content-type"]`` (the first value; KeyError when
    absent), ``headers.get(name, default)``, ``headers.getall(name)`` (every
    value, in order) and ``name in headers``.  Names compare
    case-insensitively."""

    __slots__ = ("_pairs", "_index")

    def __init__(self, pairs: Iterable[tuple[str, str]] = ()) -> None:
        self._pairs = [(name, value) for name, value in pairs]
        self._index: Optional[dict[str, list[str]]] = None

    @classmethod
    def _adopt(cls, pairs: list[tuple[str, str]]) -> "Headers":
        """Headers over ``pairs`` itself, a new list of str pairs nobody
        else holds: no copy (one is made per request received)."""
        headers = cls.__new__(cls)
        headers._pairs = pairs
        headers._index = None
        return headers

    def _extend(self, pairs: Iterable[tuple[str, str]]) -> None:
        """Adds pairs that arrived later (HEADERS after SYN_STREAM)."""
        self._pairs.extend(pairs)
        self._index = None

    def _lookup(self) -> dict[str, list[str]]:
        # Built on the first lookup: many responses are never asked for a
        # header by name.
        index = self._index
        if index is None:
            index = self._index = {}
            for name, value in self._pairs:
                index.setdefault(name.lower(), []).append(value)
        return index

    @overload
    def __getitem__(self, key: int) -> tuple[str, str]: ...

    @overload
    def __getitem__(self, key: slice) -> list[tuple[str, str]]: ...

    @overload
    def __getitem__(self, key: str) -> str: ...

    def __getitem__(
        self, key: Union[int, slice, str]
    ) -> Union[tuple[str, str], list[tuple[str, str]], str]:
        if isinstance(key, str):
            return self._lookup()[key.lower()][0]
        return self._pairs[key]

    def __len__(self) -> int:
        return len(self._pairs)

    def __contains__(self, item: object) -> bool:
        if isinstance(item, str):
            return item.lower() in self._lookup()
        return item in self._pairs

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Headers):
            return self._pairs == other._pairs
        if isinstance(other, (list, tuple)):
            return self._pairs == [tuple(pair) for pair in other]
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def get(self, name: str, default: Optional[str] = None) -> Optional[str]:
        """The first value of header ``name``, or ``default``."""
        values = self._lookup().get(name.lower())
        return values[0] if values else default

    def getall(self, name: str) -> list[str]:
        """Every value of header ``name``, in order (empty when absent)."""
        return list(self._lookup().get(name.lower(), ()))

    def __repr__(self) -> str:
        return "Headers(%r)" % (self._pairs,)
