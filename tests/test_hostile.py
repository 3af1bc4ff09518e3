"""Hostile input: every attack ends in findings or a RecipeError naming the file, and nothing outside the root is read."""

from __future__ import annotations

import contextlib
import sys
from typing import TYPE_CHECKING

import pytest

from l40_recipes import RecipeError, check, load_catalog, resolve

from .hostile import CASES, SECRET

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path


class Opened:
    """Records the paths opened between `start()` and the end of the test (a `sys` audit hook)."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        self.active = False
        sys.addaudithook(self._hook)  # audit hooks cannot be removed: the flag switches it off

    def _hook(self, event: str, args: tuple[object, ...]) -> None:
        if self.active and event == "open" and isinstance(args[0], str):
            self.paths.append(args[0])

    def start(self) -> None:
        self.active = True


@pytest.fixture(name="opened")
def _opened() -> Iterator[Opened]:
    recorder = Opened()
    yield recorder
    recorder.active = False


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_catalog(name: str, tmp_path: Path, opened: Opened) -> None:
    """check() reports the attack at its file; load and resolve raise only RecipeError; no file outside is read."""
    root = tmp_path / "catalog"
    builder: Callable[[Path], str] = CASES[name]
    culprit = builder(root)
    opened.start()
    report = check(root)
    assert any(finding.file.endswith(culprit) for finding in report.findings), [str(f) for f in report.findings][:5]
    try:
        catalog = load_catalog(root)
    except RecipeError as err:
        assert err.location is not None
        assert str(err.location).split(":")[0].endswith(culprit) or culprit in str(err)
    else:
        for query in (
            {"service": "eks"},
            {"service": "eks", "accelerator": "h100"},
            {"service": "eks", "os": "ubuntu"},
        ):
            with contextlib.suppress(RecipeError):
                resolve(query, catalog=catalog)
    outside = [path for path in opened.paths if path.startswith(str(tmp_path)) and not path.startswith(str(root))]
    assert outside == []
    assert all(SECRET not in str(finding) for finding in report.findings)
