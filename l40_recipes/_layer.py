"""An external data layer over a catalog, as `aicr recipe --data DIR` layers a directory over its embedded one.

The rules reproduced (observed from aicr 9793720d, `LayeredDataProvider` and the metadata walk):

- DIR must exist, be a directory and hold `registry.yaml`.
- Every file under DIR is walked (not only the catalog layout): a symlink anywhere is refused, and so
  is a file over 10 MiB. These are checked before anything is loaded.
- Layer files are walked first, then the catalog's files whose path the layer does not have: a
  same-path layer file replaces the catalog's. Overlays are keyed by `metadata.name`, last in walk
  order winning, so a layer overlay that reuses a catalog overlay's name under another path loses.
- `registry.yaml` is merged by component name: a layer entry replaces the catalog entry of the same
  name in place; new names are appended in layer order. The layer registry's own header is not read.
- An error in a layer file during the walk is wrapped as `[INTERNAL] failed to walk external
  directory tree: ...` (exit 8); a layer overlay with a non-zero `criteria.nodes` is refused.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Final

from ._errors import ErrorCode, Location, RecipeError, RecipeLoadError

if TYPE_CHECKING:
    from collections.abc import Iterator

    from ._registry_models import ComponentConfig

__all__ = ["MAX_FILE_BYTES", "MERGED_FILES", "Layer", "merge_by_name", "open_layer", "walk_failure"]

#: Upstream's per-file limit for external data (`defaults.MaxExternalDataFileBytes`).
MAX_FILE_BYTES: Final = 10 * 1024 * 1024

#: Layer files that are merged into the catalog's rather than replacing them.
MERGED_FILES: Final = frozenset({"registry.yaml", "validators/catalog.yaml"})


@dataclass(frozen=True, slots=True)
class Layer:
    """An external data directory, validated as upstream validates it before loading.

    Attributes:
        root: The directory.
        display_root: The directory as the user gave it, for messages and findings.
        files: Every file of the layer, relative to its root, in Go `filepath.WalkDir` order.
    """

    root: Path
    display_root: str
    files: tuple[str, ...]
    _members: frozenset[str] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_members", frozenset(self.files))

    def has(self, relative: str) -> bool:
        """Whether *relative* is a file of the layer."""
        return relative in self._members

    def replaces(self, relative: str) -> bool:
        """Whether the layer's *relative* is read instead of the catalog's (merged files are not)."""
        return relative in self._members and relative not in MERGED_FILES

    def display(self, relative: str) -> str:
        """*relative* joined to the layer directory as the user gave it."""
        return relative if self.display_root in ("", ".") else f"{self.display_root}/{relative}"


def open_layer(path: str | os.PathLike[str]) -> Layer:
    """Validate the data directory *path* as upstream does before it loads anything.

    Raises:
        RecipeError: upstream's `[INVALID_REQUEST] construct layered data provider: ...` (exit 2)
            wrapping why: the directory is missing, not a directory, has no `registry.yaml`, holds a
            symlink or a file over 10 MiB, or cannot be walked.
    """
    given = os.fspath(path)
    display_root = os.path.normpath(given).replace(os.sep, "/") if given else given
    try:
        info = os.stat(given)  # noqa: PTH116 - the path as given, as upstream's os.Stat
    except OSError as err:
        cause = RecipeError(
            f"external data directory not found: {given}",
            code=ErrorCode.NOT_FOUND,
            cause=OSError(f"stat {given}: {_reason(err)}"),
        )
        raise _construct(cause, given, "pass an existing directory holding registry.yaml") from None
    if not stat.S_ISDIR(info.st_mode):
        cause = RecipeError(f"external data path is not a directory: {given}", code=ErrorCode.INVALID_REQUEST)
        raise _construct(cause, given, "pass the directory that holds the layer's registry.yaml")
    if not os.path.exists(os.path.join(given, "registry.yaml")):  # noqa: PTH110, PTH118 - as upstream's os.Stat
        cause = RecipeError(
            f"registry.yaml is required in external data directory: {given}", code=ErrorCode.INVALID_REQUEST
        )
        raise _construct(cause, given, "add a registry.yaml (kind: ComponentRegistry; `components: []` is enough)")
    try:
        files = tuple(_validated_files(given))
    except RecipeError as err:
        cause = RecipeError("external directory validation failed", code=ErrorCode.INTERNAL, cause=err)
        raise _construct(cause, given, err.hint) from None
    return Layer(Path(given), display_root, files)


def _construct(cause: RecipeError, given: str, hint: str | None) -> RecipeError:
    return RecipeError(
        "construct layered data provider",
        code=ErrorCode.INVALID_REQUEST,
        cause=cause,
        location=Location(given),
        hint=hint,
    )


def _reason(err: OSError) -> str:
    reason = err.strerror or str(err)
    return reason[:1].lower() + reason[1:]


def _validated_files(root: str) -> Iterator[str]:
    """The layer's files in walk order (sorted per directory); raises at the first refused entry."""
    stack: list[tuple[str, list[os.DirEntry[str]]]] = [("", _entries(root))]
    while stack:
        prefix, entries = stack[-1]
        if not entries:
            stack.pop()
            continue
        entry = entries.pop()  # listings are sorted in reverse: the next name in order is last
        relative = prefix + entry.name
        if entry.is_symlink():
            raise RecipeError(
                f"symlinks not allowed: {relative}",
                code=ErrorCode.INVALID_REQUEST,
                hint="copy the file into the data directory instead of linking it",
            )
        if entry.is_dir(follow_symlinks=False):
            stack.append((relative + "/", _entries(entry.path)))
            continue
        size = entry.stat(follow_symlinks=False).st_size
        if size > MAX_FILE_BYTES:
            raise RecipeError(
                f"file too large ({size} bytes, max {MAX_FILE_BYTES}): {relative}",
                code=ErrorCode.INVALID_REQUEST,
                hint="upstream reads no data file over 10 MiB",
            )
        yield relative


def _entries(directory: str) -> list[os.DirEntry[str]]:
    try:
        with os.scandir(directory) as listing:
            return sorted(listing, key=lambda entry: entry.name, reverse=True)
    except OSError as err:
        raise RecipeError(
            "failed to walk external directory",
            code=ErrorCode.INTERNAL,
            cause=OSError(f"open {directory}: {_reason(err)}"),
            hint="make every directory of the layer readable",
        ) from None


def walk_failure(err: RecipeLoadError) -> RecipeLoadError:
    """*err*, raised by a layer file during the walk, wrapped as upstream wraps it (exit 8)."""
    return RecipeLoadError(
        "failed to walk external directory tree",
        code=ErrorCode.INTERNAL,
        cause=RecipeError(err.message, code=err.code, cause=err.cause),
        location=err.location,
        hint=err.hint,
    )


def merge_by_name(
    catalog: list[ComponentConfig], layer: list[ComponentConfig]
) -> list[tuple[bool, int, ComponentConfig]]:
    """Upstream's registry merge: (from the layer?, index in its file, entry), in merged order.

    A catalog entry whose name the layer also names is replaced in place by the layer's last entry of
    that name; layer entries with new names are appended in layer order (duplicates included). A
    layer entry without a name never replaces anything.
    """
    replacement: dict[str, int] = {}
    for index, item in enumerate(layer):
        if item.name:
            replacement[item.name] = index
    merged: list[tuple[bool, int, ComponentConfig]] = []
    seen: set[str] = set()
    for index, item in enumerate(catalog):
        found = replacement.get(item.name)
        merged.append((True, found, layer[found]) if found is not None else (False, index, item))
        seen.add(item.name)
    merged.extend((True, index, item) for index, item in enumerate(layer) if item.name not in seen)
    return merged
