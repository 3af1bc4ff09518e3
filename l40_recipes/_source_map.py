"""Where each key and value of a YAML document sits in its file: paths into a document, and their positions."""

from __future__ import annotations

from dataclasses import dataclass, field

from ._errors import Location

__all__ = ["KeyPath", "SourceMap"]

#: A path into a document: mapping keys and sequence indexes, e.g. `("spec", "componentRefs", 0)`.
KeyPath = tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class SourceMap:
    """Where each key and value of one document sits in its file.

    Paths are tuples of mapping keys and sequence indexes, e.g.
    `("spec", "componentRefs", 0, "version")`.
    """

    path: str
    values: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)
    keys: dict[KeyPath, tuple[int, int]] = field(default_factory=dict)

    def locate(self, path: KeyPath = ()) -> Location:
        """The position of *path*: its key when it is a mapping entry, else its value.

        A path that does not exist in the document (a missing field) resolves to its nearest
        existing ancestor, so a "missing X" finding points at the mapping that lacks X.
        """
        probe = tuple(path)
        while True:
            mark = self.keys.get(probe) or self.values.get(probe)
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
