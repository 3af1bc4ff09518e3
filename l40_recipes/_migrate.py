"""`l40-recipes migrate`: move a catalog's headers to the apiVersions a newer aicr reads.

Upstream offers no conversion ("a file is one version"): aicr 1.0 refuses the alpha headers, and
between 0.20 and 1.0 nothing else in an overlay, mixin or registry changed shape, so the header is
the whole migration. Only the `apiVersion` value is rewritten, on its own line, so comments,
quoting style, key order and line endings survive byte for byte.

This is the only part of the package that writes files, and only when the caller asks; `check`
mode writes nothing. Files that are symlinks are never written through.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from ._errors import ErrorCode, RecipeError, RecipeLoadError
from ._semantics import (
    LEGACY_V1ALPHA1,
    MIXIN_KIND,
    RECIPE_METADATA_KIND,
    REGISTRY_KIND,
    V1ALPHA2,
    V1ALPHA3,
    V1BETA1,
    V1BETA2,
    aicr_version,
)
from ._walk import catalog_root, classify_file, walk
from ._yaml import parse_yaml

__all__ = ["Change", "migrate"]

#: Per target release: old header value → new one. A profile overlay (`v1alpha3`) moves to `v1beta2`.
_MAPPINGS: Final[dict[str, dict[str, str]]] = {"1.0": {V1ALPHA2: V1BETA1, V1ALPHA3: V1BETA2}}
_KINDS: Final = frozenset({RECIPE_METADATA_KIND, MIXIN_KIND, REGISTRY_KIND})
_EXPECTED_KIND: Final = {"overlay": RECIPE_METADATA_KIND, "mixin": MIXIN_KIND}


@dataclass(frozen=True, slots=True)
class Change:
    """One header that was (or, in check mode, would be) rewritten; or a file that cannot be.

    Attributes:
        path: The file, as the user should see it (joined to the root they passed).
        line: The 1-based line of the `apiVersion` value.
        old: The value found.
        new: The value written, or `""` when the file cannot be migrated (see `note`).
        note: Why the file was left alone, when it was.
    """

    path: str
    line: int
    old: str
    new: str
    note: str = ""

    def __str__(self) -> str:
        if self.note:
            return f"{self.path}:{self.line}: {self.old}: {self.note}"
        return f"{self.path}:{self.line}: {self.old} -> {self.new}"


def migrate(path: str | os.PathLike[str], *, to: str = "1.0", check: bool = False) -> list[Change]:
    """Rewrite the headers of the catalog at *path* for aicr *to*; with *check*, only report them.

    Returns:
        Every header rewritten (or that would be), in walk order, then files left alone with a note
        (`aicr.nvidia.com/v1alpha1` files predate the 0.20 schema and need more than a header).

    Raises:
        RecipeError: *to* is not a release this command migrates to, or *path* is not a catalog.
        RecipeLoadError: a file to rewrite is not valid YAML (nothing is written in that case).
    """
    try:
        release = aicr_version(to)
    except ValueError:
        release = None
    mapping = _MAPPINGS.get(release.name) if release is not None else None
    if mapping is None:
        msg = f"cannot migrate to aicr {to!r}; supported: {', '.join(_MAPPINGS)}"
        raise RecipeError(msg, code=ErrorCode.INVALID_REQUEST, hint="use --to 1.0")
    given = Path(path)
    if not given.is_dir():
        msg = f"catalog path {str(given)!r} is not a directory"
        raise RecipeError(msg, code=ErrorCode.NOT_FOUND, hint="pass a catalog root or its overlays/ directory")
    root = catalog_root(given)
    display_root = os.path.normpath(str(root)).replace(os.sep, "/")

    def display(relative: str) -> str:
        return relative if display_root in ("", ".") else f"{display_root}/{relative}"

    planned: list[tuple[Path, bytes, int, int, str, str]] = []
    changes: list[Change] = []
    notes: list[Change] = []
    for relative, link in walk(root):
        if link or (classify_file(relative) not in ("overlay", "mixin") and relative != "registry.yaml"):
            continue
        target = root / relative
        content = target.read_bytes()
        document = parse_yaml(content, path=display(relative))
        data = document.data
        if not isinstance(data, dict):
            continue
        old = data.get("apiVersion")
        kind = data.get("kind")
        if not isinstance(old, str) or (kind not in _KINDS and (kind or old not in mapping)):
            continue
        location = document.source.locate_value(("apiVersion",))
        if not kind:
            # 0.20 reads a kind-less overlay as RecipeMetadata; 1.0 refuses it (`kind` is required),
            # and adding a line is more than this command does.
            expected = _EXPECTED_KIND.get(classify_file(relative), REGISTRY_KIND)
            notes.append(
                Change(
                    display(relative),
                    location.line,
                    old,
                    "",
                    f"has no kind; aicr 1.0 requires `kind: {expected}`: add it, then migrate again",
                ),
            )
            continue
        if old == LEGACY_V1ALPHA1:
            notes.append(
                Change(
                    display(relative),
                    location.line,
                    old,
                    "",
                    "predates aicr 0.20 (v0.11 schema); rewrite the file by hand, not only its header",
                ),
            )
            continue
        new = mapping.get(old)
        if new is None:
            continue
        planned.append((target, content, location.line, location.column, old, new))
        changes.append(Change(display(relative), location.line, old, new))
    if not check:
        for target, content, line, column, old, new in planned:
            target.write_bytes(
                _rewrite(content, line, column, old=old, new=new, shown=display(target.relative_to(root).as_posix()))
            )
    return changes + notes


def _rewrite(content: bytes, line: int, column: int, *, old: str, new: str, shown: str) -> bytes:
    """*content* with *old* replaced by *new* at *line*:*column* (the value's position), nothing else."""
    lines = content.splitlines(keepends=True)
    text = lines[line - 1].decode("utf-8")
    start = column - 1
    quote = text[start] if start < len(text) and text[start] in "\"'" else ""
    token = f"{quote}{old}{quote}"
    if text[start : start + len(token)] != token:
        msg = f"{shown}:{line}: apiVersion {old!r} is not written on one line as a plain or quoted scalar"
        raise RecipeLoadError(msg, hint=f"set `apiVersion: {new}` by hand")
    lines[line - 1] = (text[:start] + f"{quote}{new}{quote}" + text[start + len(token) :]).encode("utf-8")
    return b"".join(lines)
