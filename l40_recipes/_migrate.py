"""`l40-recipes migrate`: move a catalog's headers to the apiVersions a newer aicr reads.

Upstream offers no conversion ("a file is one version"): aicr 1.0 refuses the alpha headers, and
between 0.20 and 1.0 nothing else in an overlay, mixin or registry changed shape, so the header is
the whole migration. Only the `apiVersion` value is rewritten, on its own line, so comments,
quoting style, key order and line endings survive byte for byte.

This is the only part of the package that writes files, and only when the caller asks; `check`
mode writes nothing. Every rewrite is planned and verified (the new text is parsed again and must
read as the old document with only `apiVersion` changed) before the first file is written, so a
header that cannot be rewritten safely fails the whole run and leaves the catalog as it was. Each
file is replaced atomically, keeping its mode. Symlinks are treated as the loader treats them: one
that leaves the catalog root is an error, and none is ever written through.
"""

from __future__ import annotations

import contextlib
import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from ._catalog import inside
from ._errors import ErrorCode, Location, RecipeError, RecipeLoadError
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
from ._walk import catalog_root, classify_file, read_regular_file, walk
from ._yaml import YamlDocument, parse_yaml

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

    Nothing is written unless every header to rewrite can be rewritten safely: all or nothing.

    Returns:
        Every header rewritten (or that would be), in walk order, then files left alone with a note
        (`aicr.nvidia.com/v1alpha1` files predate the 0.20 schema and need more than a header).

    Raises:
        RecipeError: *to* is not a release this command migrates to, or *path* is not a catalog
            (not a directory, no `overlays/` nor `registry.yaml`, or no recipe file at all).
        RecipeLoadError: a file to migrate is unreadable or not valid YAML, a header cannot be
            rewritten on its own line, or a symlink leaves the catalog or points at a file this
            command does not rewrite (nothing is written in any of these cases).
    """
    mapping = _mapping(to)
    given = Path(path)
    if not given.is_dir():
        msg = f"catalog path {str(given)!r} is not a directory"
        raise RecipeError(msg, code=ErrorCode.NOT_FOUND, hint="pass a catalog root or its overlays/ directory")
    root = catalog_root(given)
    display_root = os.path.normpath(str(root)).replace(os.sep, "/")

    def display(relative: str) -> str:
        return relative if display_root in ("", ".") else f"{display_root}/{relative}"

    if not (root / "overlays").is_dir() and not (root / "registry.yaml").is_file():
        msg = f"{display_root!r} is not a catalog: it has no overlays/ directory and no registry.yaml"
        raise RecipeError(msg, code=ErrorCode.INVALID_REQUEST, hint=_WHERE)
    walked = [
        (relative, link)
        for relative, link in walk(root)
        if classify_file(relative) in ("overlay", "mixin") or relative == "registry.yaml"
    ]
    if not walked:
        msg = f"{display_root!r} holds no overlay, mixin or registry.yaml to migrate"
        raise RecipeError(msg, code=ErrorCode.INVALID_REQUEST, hint=_WHERE)
    # A link to a file that is itself migrated here is done when that file is.
    regular = {(root / relative).resolve() for relative, link in walked if not link}
    planned: list[tuple[Path, bytes, str]] = []
    changes: list[Change] = []
    notes: list[Change] = []
    problems: list[RecipeLoadError] = []
    for relative, link in walked:
        shown = display(relative)
        if link:
            if inside(root, relative) is None:
                problems.append(
                    _link_error(relative, shown, "leaves the catalog root; migrate neither reads nor writes it")
                )
                continue
            if (root / relative).resolve() in regular:
                continue
        content, document = _read(root / relative, shown)
        found = _header(document, mapping, classify_file(relative))
        if found is None:
            continue
        old, new, note = found
        location = document.source.locate_value(("apiVersion",))
        if note:
            notes.append(Change(shown, location.line, old, "", note))
        elif link:
            problems.append(
                _link_error(relative, shown, f"points at a file migrate does not rewrite (its header is {old})")
            )
        else:
            try:
                planned.append((root / relative, _rewrite(content, document, old=old, new=new, shown=shown), shown))
            except RecipeLoadError as err:
                problems.append(err)
                continue
            changes.append(Change(shown, location.line, old, new))
    if problems:
        raise _all_of(problems)
    if not check:
        _write_all(planned)
    return changes + notes


#: Where a catalog is, for the errors that say the path given is not one.
_WHERE: Final = "pass a catalog root (holding overlays/ and registry.yaml) or its overlays/ directory"


def _mapping(to: str) -> dict[str, str]:
    try:
        release = aicr_version(to)
    except ValueError:
        release = None
    mapping = _MAPPINGS.get(release.name) if release is not None else None
    if mapping is None:
        msg = f"cannot migrate to aicr {to!r}; supported: {', '.join(_MAPPINGS)}"
        raise RecipeError(msg, code=ErrorCode.INVALID_REQUEST, hint="use --to 1.0")
    return mapping


def _read(target: Path, shown: str) -> tuple[bytes, YamlDocument]:
    try:
        content = read_regular_file(str(target))
    except OSError as err:
        msg = f"failed to read {shown}: {err.strerror or err}"
        hint = "make it a readable regular file, then migrate again (nothing was written)"
        raise RecipeLoadError(msg, location=Location(shown), hint=hint) from err
    return content, parse_yaml(content, path=shown)


def _header(document: YamlDocument, mapping: dict[str, str], kind_of_file: str) -> tuple[str, str, str] | None:
    """(old, new, note) for a recipe file's header; None when there is nothing to do for it."""
    data = document.data
    if not isinstance(data, dict):
        return None
    old = data.get("apiVersion")
    kind = data.get("kind")
    if not isinstance(old, str) or (kind not in _KINDS and (kind or old not in mapping)):
        return None
    if not kind:
        # 0.20 reads a kind-less overlay as RecipeMetadata; 1.0 refuses it (`kind` is required),
        # and adding a line is more than this command does.
        expected = _EXPECTED_KIND.get(kind_of_file, REGISTRY_KIND)
        return old, "", f"has no kind; aicr 1.0 requires `kind: {expected}`: add it, then migrate again"
    if old == LEGACY_V1ALPHA1:
        return old, "", "predates aicr 0.20 (v0.11 schema); rewrite the file by hand, not only its header"
    new = mapping.get(old)
    return None if new is None else (old, new, "")


def _link_error(relative: str, shown: str, what: str) -> RecipeLoadError:
    return RecipeLoadError(
        f"{relative} is a symlink that {what}",
        location=Location(shown),
        hint="replace the symlink with the file itself (or point it at a file inside the catalog), then migrate again",
    )


def _all_of(problems: list[RecipeLoadError]) -> RecipeLoadError:
    """The first problem, naming the others too, so one run lists everything to fix by hand."""
    first = problems[0]
    if len(problems) == 1:
        return first
    others = "".join(f"\n  also {problem.location}: {problem.message}" for problem in problems[1:])
    message = f"{first.message} (and {len(problems) - 1} more file(s); nothing was written){others}"
    return RecipeLoadError(message, location=first.location, hint=first.hint)


def _rewrite(content: bytes, document: YamlDocument, *, old: str, new: str, shown: str) -> bytes:
    """The file's text with *old* replaced by *new* at the value's position, verified to change nothing else.

    Raises:
        RecipeLoadError: the value is not a plain or quoted scalar on one line (folded, tagged,
            anchored, escaped), or the new text would not parse as the same document with only
            `apiVersion` changed; located at the value's line and column.
    """
    location = document.source.locate_value(("apiVersion",))
    line, column = location.line, location.column

    def refuse(why: str) -> RecipeLoadError:
        return RecipeLoadError(
            f"apiVersion {old!r} cannot be rewritten safely: {why}",
            location=Location(shown, line, column),
            hint=f"write the header by hand as one plain line, `apiVersion: {new}` (nothing was written)",
        )

    lines = content.splitlines(keepends=True)
    if not 0 < line <= len(lines):
        raise refuse("its position in the file is unknown")
    try:
        text = lines[line - 1].decode("utf-8")
    except UnicodeDecodeError:
        raise refuse("its line is not UTF-8") from None
    start = column - 1
    quote = text[start] if start < len(text) and text[start] in "\"'" else ""
    token = f"{quote}{old}{quote}"
    if text[start : start + len(token)] != token:
        raise refuse("it is not written on one line as a plain or quoted scalar (folded, tagged, anchored or escaped)")
    lines[line - 1] = (text[:start] + f"{quote}{new}{quote}" + text[start + len(token) :]).encode("utf-8")
    rewritten = b"".join(lines)
    expected = dict(document.data)
    expected["apiVersion"] = new
    try:
        again = parse_yaml(rewritten, path=shown)
    except RecipeLoadError:
        raise refuse("the rewritten file would not parse") from None
    same_rest = again.extra_documents == document.extra_documents
    if not same_rest or again.data != expected or list(again.data) != list(expected):
        raise refuse("the rewritten file would read differently beyond its apiVersion")
    return rewritten


def _write_all(planned: list[tuple[Path, bytes, str]]) -> None:
    """Write every planned file atomically: stage each next to its target, then replace them all.

    A file is staged in its own directory (so `os.replace` is a rename on one file system) with the
    target's mode, and owner where permitted; a failure while staging removes what was staged.
    """
    staged: list[tuple[str, Path, str]] = []
    try:
        for target, content, shown in planned:
            status = target.stat()
            descriptor, temporary = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
            staged.append((temporary, target, shown))
            with os.fdopen(descriptor, "wb") as stream:
                stream.write(content)
                stream.flush()
                os.fsync(stream.fileno())
            os.chmod(temporary, stat.S_IMODE(status.st_mode))  # noqa: PTH101
            # Keep the owner where permitted (root); elsewhere the writer owns the new file.
            with contextlib.suppress(OSError, AttributeError):
                os.chown(temporary, status.st_uid, status.st_gid)
    except OSError as err:
        for temporary, _, _ in staged:
            Path(temporary).unlink(missing_ok=True)
        shown = staged[-1][2] if staged else planned[len(staged)][2]
        msg = f"failed to write {shown}: {err.strerror or err}"
        raise RecipeError(
            msg, code=ErrorCode.INTERNAL, hint="nothing was changed; fix the cause and run migrate again"
        ) from err
    for index, (temporary, target, shown) in enumerate(staged):
        try:
            Path(temporary).replace(target)
        except OSError as err:  # pragma: no cover - a rename in one directory that fails after staging
            for left, _, _ in staged[index:]:
                Path(left).unlink(missing_ok=True)
            done = ", ".join(item[2] for item in staged[:index]) or "none"
            msg = f"failed to replace {shown}: {err.strerror or err}; already rewritten: {done}"
            raise RecipeError(msg, code=ErrorCode.INTERNAL, hint="run migrate again to finish") from err
