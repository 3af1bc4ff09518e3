"""`[tool.l40-recipes]` read from pyproject.toml: where a bad serving row is reported."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from l40_recipes._config import load_config

if TYPE_CHECKING:
    from pathlib import Path

_ROW = 'usable-mib = nan\nbandwidth-gbs = 1\ninterconnect = "pcie"\nfp8 = true\ngpus-per-node = [1]\nsource = "s"\n'


def _problem_lines(tmp_path: Path, text: str) -> list[tuple[int, str]]:
    (tmp_path / "pyproject.toml").write_text(text, encoding="utf-8")
    config = load_config(tmp_path)
    return [(location.line, message) for location, message, _ in config.problems]


@pytest.mark.parametrize(
    ("text", "line"),
    [
        # the row's name appears earlier in the file (a project named after it, a comment): not its line
        (
            '[project]\nname = "l40s"\n# l40s rows below\n[tool.l40-recipes]\n[tool.l40-recipes.accelerators.l40s]\n'
            + _ROW,
            5,
        ),
        ("[tool.l40-recipes.accelerators.'l40s']\n" + _ROW, 1),
        ('[tool."l40-recipes".accelerators."l40s"]\n' + _ROW, 1),
        ("[tool.l40-recipes.accelerators]\nh100 = {}\nl40s = { usable-mib = nan }\n", 3),
        ("[tool.l40-recipes]\nstrict = false\naccelerators.l40s.usable-mib = nan\n", 3),
    ],
    ids=["header-after-mentions", "single-quoted", "quoted-section", "under-table", "dotted"],
)
def test_a_bad_serving_row_is_reported_at_its_own_line(tmp_path: Path, text: str, line: int) -> None:
    found = [(at, message) for at, message in _problem_lines(tmp_path, text) if "'l40s'" in message]
    assert [at for at, _ in found] == [line]


def test_a_model_row_with_a_slash_is_found_by_its_quoted_header(tmp_path: Path) -> None:
    text = (
        '[tool.l40-recipes.models."acme/a"]\nparameters = 1\n\n'
        '[tool.l40-recipes.models."acme/m"]\nparameters = 1\nlayers = inf\n'
    )
    assert [at for at, message in _problem_lines(tmp_path, text) if "'acme/m'" in message] == [4]
