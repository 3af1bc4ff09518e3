"""The catalog walk: what is yielded, and that nothing a walk meets can hang or vanish silently."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest

from l40_recipes import check
from l40_recipes._walk import find_catalog_root, read_regular_file, walk

from .conftest import overlay, write_catalog

if TYPE_CHECKING:
    from pathlib import Path

needs_fifo = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs os.mkfifo (POSIX)")


@needs_fifo
def test_a_fifo_named_like_an_overlay_is_a_load_error_at_its_path(tmp_path: Path) -> None:
    """Skipping it would let a contributor hide a file from the check; reading it must not block."""
    root = write_catalog(tmp_path, {"eks": overlay("eks", criteria="service: eks")})
    os.mkfifo(root / "overlays" / "attack.yaml")
    assert ("overlays/attack.yaml", False) in list(walk(root))
    report = check(root)
    [finding] = [f for f in report.errors if f.file.endswith("overlays/attack.yaml")]
    assert finding.rule == "load-error"
    assert "not a regular file" in finding.message


def test_walk_order_is_sorted_and_limited_to_the_layout(tmp_path: Path) -> None:
    root = write_catalog(tmp_path, {"b": overlay("b", criteria="service: eks"), "a": overlay("a")})
    (root / "notes.txt").write_text("not part of the layout")
    walked = [relative for relative, _ in walk(root)]
    assert walked == sorted(walked)
    assert "notes.txt" not in walked
    assert walked.index("overlays/a.yaml") < walked.index("overlays/b.yaml")


def test_find_catalog_root_of_a_directory_it_cannot_examine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A permission error while probing for the layout means "not found here", never an exception."""

    def refuse(*_args: object, **_kwargs: object) -> os.stat_result:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(os, "stat", refuse)
    assert find_catalog_root(tmp_path) is None


def test_a_file_is_read_whole_and_a_directory_is_refused_as_opening_it_would(tmp_path: Path) -> None:
    big = bytes(range(256)) * 1000  # past one read's chunk
    (tmp_path / "big").write_bytes(big)
    (tmp_path / "empty").write_bytes(b"")
    assert read_regular_file(str(tmp_path / "big")) == big
    assert read_regular_file(str(tmp_path / "empty")) == b""
    with pytest.raises(IsADirectoryError, match="Is a directory"):
        read_regular_file(str(tmp_path))
