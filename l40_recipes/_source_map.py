"""Where each key and value of a YAML document sits in its file: paths into a document, and their positions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._errors import Location

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["KeyPath", "Positions", "SourceMap"]

#: A path into a document: mapping keys and sequence indexes, e.g. `("spec", "componentRefs", 0)`.
KeyPath = tuple[str | int, ...]
#: `(values, keys)`: the line and column of every value, and of every mapping key, by path.
Positions = tuple[dict[KeyPath, tuple[int, int]], dict[KeyPath, tuple[int, int]]]


class SourceMap:
    """Where each key and value of one document sits in its file.

    Paths are tuples of mapping keys and sequence indexes, e.g.
    `("spec", "componentRefs", 0, "version")`.

    The positions may be given, or found on first use by *fill* (the reader parses the kept text again):
    a catalog loaded for resolving needs the positions of few of its files, and only when
    something goes wrong, so it does not keep two tuples per key and value of every file.
    """

    __slots__ = ("_fill", "_keys", "_path", "_values")

    def __init__(
        self,
        path: str,
        values: dict[KeyPath, tuple[int, int]] | None = None,
        keys: dict[KeyPath, tuple[int, int]] | None = None,
        *,
        fill: Callable[[], Positions] | None = None,
    ) -> None:
        self._path = path
        self._fill = None if values is not None or keys is not None else fill
        self._values = {} if values is None else values
        self._keys = {} if keys is None else keys

    @property
    def path(self) -> str:
        """The file, as errors name it."""
        return self._path

    @property
    def values(self) -> dict[KeyPath, tuple[int, int]]:
        """`(line, column)` of every value, by path (the document's own: `()`)."""
        self._read()
        return self._values

    @property
    def keys(self) -> dict[KeyPath, tuple[int, int]]:
        """`(line, column)` of every mapping key, by the path of its value."""
        self._read()
        return self._keys

    def _read(self) -> None:
        fill = self._fill
        if fill is not None:
            self._fill = None
            self._values, self._keys = fill()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SourceMap):
            return NotImplemented
        return (self.path, self.values, self.keys) == (other.path, other.values, other.keys)

    def __hash__(self) -> int:  # equal maps name the same file
        return hash(self._path)

    def __repr__(self) -> str:
        return f"SourceMap({self.path!r}, values={self.values!r}, keys={self.keys!r})"

    def locate(self, path: KeyPath = ()) -> Location:
        """The position of *path*: its key when it is a mapping entry, else its value.

        A path that does not exist in the document (a missing field) resolves to its nearest
        existing ancestor, so a "missing X" finding points at the mapping that lacks X.
        """
        keys, values = self.keys, self.values
        probe = tuple(path)
        while True:
            mark = keys.get(probe) or values.get(probe)
            if mark is not None:
                return Location(self.path, mark[0], mark[1])
            if not probe:
                return Location(self.path, 1, 1)
            probe = probe[:-1]

    def locate_value(self, path: KeyPath) -> Location:
        """The position of *path*'s value (the scalar itself, not its key)."""
        mark = self.values.get(tuple(path))
        if mark is None:
            return self.locate(path)
        return Location(self.path, mark[0], mark[1])

    def has(self, path: KeyPath) -> bool:
        """Whether *path* exists in the document."""
        return tuple(path) in self.values
