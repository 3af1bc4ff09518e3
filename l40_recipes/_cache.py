"""The command line's parse cache: parsed YAML documents by file content, so repeated runs skip parsing.

Parsing YAML is two thirds of loading a catalog, and a command such as `l40-recipes resolve` run
from a script or a pre-commit hook loads the same catalog again and again. The cache keeps, per
catalog root, each file's parsed document (data, positions, retyped scalars) under a digest of
the file's bytes: a file whose bytes changed is parsed again, so a stale entry can never be used.
Files that fail to parse are never cached, so their errors are raised every time.

It lives outside the catalog: `$L40_RECIPES_CACHE_DIR`, else `$XDG_CACHE_HOME/l40-recipes`, else
`~/.cache/l40-recipes`; `L40_RECIPES_NO_CACHE=1` (or `l40-recipes --no-cache`) turns it off. Each
catalog's entries are one file, replaced atomically, and read back with an unpickler that refuses
every class and function, so it can only yield plain data. Any problem reading or writing it is
ignored: the cache can make a run faster, never change its result or fail it. The library's
`load_catalog()` does not use it.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import os
import pickle
import sys
import tempfile
from pathlib import Path
from typing import Any, Final

import yaml

from ._yaml import Document, SourceMap, parse_yaml

__all__ = ["ParseCache", "cache_directory"]

#: Bumped whenever the cached tuple's shape or the parser's output changes.
FORMAT: Final = 1


def cache_directory() -> Path | None:
    """Where cache files go, or None when caching is turned off."""
    if os.environ.get("L40_RECIPES_NO_CACHE", "").strip() not in ("", "0"):
        return None
    explicit = os.environ.get("L40_RECIPES_CACHE_DIR", "").strip()
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(base) if base else Path.home() / ".cache") / "l40-recipes"


class _PlainUnpickler(pickle.Unpickler):
    """Loads only plain data: every class or function reference is refused."""

    def find_class(self, module: str, name: str) -> Any:
        msg = f"the parse cache holds plain data only, not {module}.{name}"
        raise pickle.UnpicklingError(msg)


class ParseCache:
    """Parsed documents of one catalog root, keyed by relative path and content digest."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stored = self._read()
        self._used: dict[str, tuple[Any, ...]] = {}
        self._changed = False

    @classmethod
    def for_root(cls, root: Path) -> ParseCache | None:
        """The cache of catalog *root*, or None when caching is turned off."""
        directory = cache_directory()
        if directory is None:
            return None
        from ._version import __version__  # noqa: PLC0415 - the package imports this module's users

        identity = "\0".join(
            (
                str(FORMAT),
                __version__,
                yaml.__version__,
                str(hasattr(yaml, "CSafeLoader")),
                sys.version,
                str(root.resolve()),
            ),
        )
        return cls(directory / f"{hashlib.sha256(identity.encode()).hexdigest()[:32]}.pickle")

    def parse(self, content: bytes, *, relative: str, display: str) -> Document:
        """The document of *content* (file *relative*, shown as *display*): cached, or parsed now.

        Raises:
            RecipeLoadError: as `parse_yaml()`; nothing is cached for the file then.
        """
        digest = hashlib.blake2b(content, digest_size=20).digest()
        stored = self._stored.get(relative)
        if isinstance(stored, tuple) and len(stored) == 6 and stored[0] == digest:
            self._used[relative] = stored
            _, data, values, keys, retyped, extra = stored
            return Document(data, SourceMap(display, values, keys), extra_documents=extra, retyped=retyped)
        document = parse_yaml(content, path=display)
        source = document.source
        self._used[relative] = (
            digest,
            document.data,
            source.values,
            source.keys,
            document.retyped,
            document.extra_documents,
        )
        self._changed = True
        return document

    def save(self) -> None:
        """Write the entries this load used, when they differ from the stored ones (never raises)."""
        if not self._changed and self._used.keys() == self._stored.keys():
            return
        temporary: str | None = None
        try:
            self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile(dir=self.path.parent, suffix=".tmp", delete=False) as stream:
                temporary = stream.name
                pickle.dump((FORMAT, self._used), stream, protocol=pickle.HIGHEST_PROTOCOL)
            Path(temporary).replace(self.path)
        except (OSError, pickle.PicklingError, RecursionError):
            if temporary is not None:
                with contextlib.suppress(OSError):
                    Path(temporary).unlink()

    def _read(self) -> dict[str, object]:
        # Whatever the file holds is checked before use: it may be damaged or from elsewhere.
        try:
            blob = self.path.read_bytes()
            loaded = _PlainUnpickler(io.BytesIO(blob)).load()
        except Exception:
            return {}
        if not (isinstance(loaded, tuple) and len(loaded) == 2 and loaded[0] == FORMAT and isinstance(loaded[1], dict)):
            return {}
        entries: dict[str, object] = loaded[1]
        return entries
