"""The command line's parse cache: exact by content, plain data only, never in the way."""

from __future__ import annotations

import pickle
from typing import TYPE_CHECKING

import pytest

from l40_recipes import RecipeLoadError, _cache, load_catalog, resolve
from l40_recipes._cache import FORMAT, ParseCache, cache_directory
from l40_recipes._cli import main
from l40_recipes._loading import _load
from l40_recipes._yaml import parse_yaml

from .conftest import overlay, write_catalog

if TYPE_CHECKING:
    from pathlib import Path

    from l40_recipes._yaml import Document

LEAF = overlay("leaf", criteria="service: eks", body="constraints:\n  - {name: K8s.server.version, value: '>= 1.30'}\n")


@pytest.fixture(name="parses")
def _parses(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[str]:
    """Cache in a fresh directory and record every file the cache had to parse."""
    monkeypatch.setenv("L40_RECIPES_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("L40_RECIPES_NO_CACHE", raising=False)
    parsed: list[str] = []
    real = parse_yaml

    def counting(content: bytes | str, *, path: str) -> Document:
        parsed.append(path.rsplit("/", 1)[-1])
        return real(content, path=path)

    monkeypatch.setattr(_cache, "parse_yaml", counting)
    return parsed


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({"L40_RECIPES_NO_CACHE": "1", "L40_RECIPES_CACHE_DIR": "/x"}, None),
        ({"L40_RECIPES_NO_CACHE": "0", "L40_RECIPES_CACHE_DIR": "/x"}, "/x"),
        ({"XDG_CACHE_HOME": "/xdg"}, "/xdg/l40-recipes"),
        ({"HOME": "/home/someone"}, "/home/someone/.cache/l40-recipes"),
    ],
)
def test_cache_directory(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], expected: str | None) -> None:
    """NO_CACHE turns it off; CACHE_DIR, then XDG_CACHE_HOME, then ~/.cache decide where it lives."""
    for name in ("L40_RECIPES_NO_CACHE", "L40_RECIPES_CACHE_DIR", "XDG_CACHE_HOME"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    directory = cache_directory()
    assert (None if directory is None else directory.as_posix()) == expected


def test_second_load_parses_nothing_and_equals_the_first(tmp_path: Path, parses: list[str]) -> None:
    """A warm cache yields the same documents, positions and results without parsing."""
    root = write_catalog(tmp_path / "catalog", {"leaf": LEAF})
    first = _load(root, collect=False, cache=True)
    assert sorted(parses) == ["base.yaml", "leaf.yaml", "registry.yaml"]
    parses.clear()
    second = _load(root, collect=False, cache=True)
    assert parses == []
    plain = load_catalog(root)
    for catalog in (first, second):
        leaf = catalog.overlays["leaf"]
        assert leaf.document == plain.overlays["leaf"].document
        assert leaf.locate("spec", "constraints", 0, "value") == plain.overlays["leaf"].locate(
            "spec", "constraints", 0, "value"
        )
        assert resolve(service="eks", catalog=catalog) == resolve(service="eks", catalog=plain)


def test_a_changed_file_is_parsed_again(tmp_path: Path, parses: list[str]) -> None:
    """Entries are keyed by content: an edit is seen at once, even with the same size and mtime."""
    root = write_catalog(tmp_path / "catalog", {"leaf": LEAF})
    _load(root, collect=False, cache=True)
    parses.clear()
    path = root / "overlays" / "leaf.yaml"
    stat = path.stat()
    path.write_text(path.read_text().replace("1.30", "1.31"))
    assert path.stat().st_size == stat.st_size
    catalog = _load(root, collect=False, cache=True)
    assert parses == ["leaf.yaml"]
    assert catalog.overlays["leaf"].spec.constraints[0].value == ">= 1.31"


def test_parse_errors_are_never_cached(tmp_path: Path, parses: list[str]) -> None:
    """A broken file fails on every run with its position, cache or not."""
    root = write_catalog(tmp_path / "catalog", {"bad": "kind: RecipeMetadata\nspec: [\n"})
    for _ in range(2):
        with pytest.raises(RecipeLoadError) as caught:
            _load(root, collect=False, cache=True)
        assert "bad.yaml:3:1" in str(caught.value.location)
    assert parses.count("bad.yaml") == 2


def test_removed_files_leave_the_cache(tmp_path: Path, parses: list[str]) -> None:
    """The stored entries are those the last load used."""
    root = write_catalog(tmp_path / "catalog", {"leaf": LEAF, "other": overlay("other", criteria="service: gke")})
    _load(root, collect=False, cache=True)
    (root / "overlays" / "other.yaml").unlink()
    _load(root, collect=False, cache=True)
    cache = ParseCache.for_root(root)
    assert cache is not None
    _, entries = pickle.loads(cache.path.read_bytes())
    assert sorted(entries) == ["overlays/base.yaml", "overlays/leaf.yaml", "registry.yaml"]


@pytest.mark.parametrize(
    "content",
    [
        b"not a pickle",
        pickle.dumps((FORMAT + 1, {})),
        pickle.dumps((FORMAT, {"overlays/leaf.yaml": "not an entry"})),
        # A pickle naming a function: refused by the unpickler, never called.
        pickle.dumps((FORMAT, {"overlays/leaf.yaml": (b"", print)})),
    ],
)
def test_damaged_or_foreign_cache_files_are_ignored(tmp_path: Path, parses: list[str], content: bytes) -> None:
    """Anything but our own plain data is ignored and replaced."""
    root = write_catalog(tmp_path / "catalog", {"leaf": LEAF})
    cache = ParseCache.for_root(root)
    assert cache is not None
    cache.path.parent.mkdir(parents=True)
    cache.path.write_bytes(content)
    catalog = _load(root, collect=False, cache=True)
    assert "leaf" in catalog.overlays
    assert "leaf.yaml" in parses
    assert pickle.loads(cache.path.read_bytes())[0] == FORMAT


def test_an_unwritable_cache_never_fails_a_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A cache directory that cannot be created is ignored."""
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setenv("L40_RECIPES_CACHE_DIR", str(blocker / "cache"))
    root = write_catalog(tmp_path / "catalog", {"leaf": LEAF})
    assert "leaf" in _load(root, collect=False, cache=True).overlays
    assert blocker.read_text() == ""


def test_command_line_caches_outside_the_catalog_unless_told_not_to(
    tmp_path: Path, parses: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """`resolve` and `check` fill the cache; `--no-cache` neither reads nor writes it."""
    root = write_catalog(tmp_path / "catalog", {"leaf": LEAF})
    before = sorted(path.relative_to(root) for path in root.rglob("*"))
    assert main(["--no-cache", "resolve", "--service", "eks", "--catalog", str(root)]) == 0
    assert not (tmp_path / "cache").exists()
    assert main(["resolve", "--service", "eks", "--catalog", str(root)]) == 0
    capsys.readouterr()
    assert main(["check", str(root)]) == 1  # the leaf has no conformance phase
    cold = capsys.readouterr().out
    assert len(list((tmp_path / "cache").iterdir())) == 1
    parses.clear()
    assert main(["check", str(root)]) == 1
    assert capsys.readouterr().out == cold
    assert parses == []
    assert sorted(path.relative_to(root) for path in root.rglob("*")) == before


def test_turned_off_by_the_environment(tmp_path: Path, parses: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    """`L40_RECIPES_NO_CACHE=1` makes a caching load parse everything and write nothing."""
    monkeypatch.setenv("L40_RECIPES_NO_CACHE", "1")
    root = write_catalog(tmp_path / "catalog", {"leaf": LEAF})
    for _ in range(2):
        _load(root, collect=False, cache=True)
    assert parses == []  # the cache's parser was never asked
    assert not (tmp_path / "cache").exists()


def test_a_failed_write_leaves_no_temporary_file(tmp_path: Path, parses: list[str]) -> None:
    """When the cache file cannot be replaced, the temporary file is removed and the load succeeds."""
    root = write_catalog(tmp_path / "catalog", {"leaf": LEAF})
    cache = ParseCache.for_root(root)
    assert cache is not None
    cache.path.mkdir(parents=True)  # a directory where the cache file should go
    assert "leaf" in _load(root, collect=False, cache=True).overlays
    assert sorted(path.name for path in cache.path.parent.iterdir()) == [cache.path.name]
