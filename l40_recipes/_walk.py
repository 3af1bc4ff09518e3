"""Which files of a catalog root are read: upstream's layout, walked in Go `fs.WalkDir` order, and how each is classified."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


#: Top-level entries of a catalog root that are walked (upstream's `recipes/` layout).
LAYOUT: Final = ("checks", "components", "mixins", "overlays", "registry.yaml", "validators")


def classify_file(relative: str) -> str:
    """How upstream classifies a walked file: `mixin`, `component`, `overlay`, or `other`."""
    filename = relative.rsplit("/", 1)[-1]
    if "checks/" in relative:
        return "other"
    if relative.startswith("mixins/"):
        return "mixin" if filename.endswith(".yaml") else "other"
    if "components/" in relative:
        return "component"
    if not filename.endswith(".yaml") or filename in ("registry.yaml", "data-v1.yaml"):
        return "other"
    return "overlay"


def walk(root: Path) -> Iterator[tuple[str, bool]]:
    """(relative path, is a symlink) of the catalog's files, in Go `fs.WalkDir` order (sorted per directory).

    Symlinks are yielded, never followed: reading one goes through the root check, and one that
    names a directory fails to read like any unreadable file. Sockets, FIFOs and devices are skipped.
    """
    yield from _walk_directory(str(root), "", top=True)


def _walk_directory(directory: str, prefix: str, *, top: bool = False) -> Iterator[tuple[str, bool]]:
    try:
        with os.scandir(directory) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError:
        return
    for entry in entries:
        if top and entry.name not in LAYOUT:
            continue
        relative = prefix + entry.name
        try:
            if entry.is_symlink():
                yield relative, True
            elif entry.is_dir(follow_symlinks=False):
                yield from _walk_directory(entry.path, relative + "/")
            elif entry.is_file(follow_symlinks=False):
                yield relative, False
        except OSError:  # pragma: no cover - the entry vanished between listing and stat
            continue
