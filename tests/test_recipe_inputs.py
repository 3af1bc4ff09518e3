"""`recipe --snapshot` and `--config` against aicr 9793720d's recorded answers (tests/snapshot_cases).

Each case of `cases.json` is an `aicr recipe` command line run in that directory against the upstream
catalog, a copy of the shipped one, or
`mini/` (a small catalog of our own whose overlays are excluded by the snapshots' readings); `expected/NAME.json` holds what aicr printed (stdout byte for
byte, the exit status, and the `[CODE] message` of a failure), recorded by `record.py`. A case marked
`refused` is one whose upstream handling is not reproduced: it must fail with a message that says so.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from l40_recipes._cli import main

from .conftest import UPSTREAM_RECIPES, needs_shared

CASES = Path(__file__).parent / "snapshot_cases"


def _cases() -> list[Any]:
    params = []
    for name, catalog, args, *flags in json.loads((CASES / "cases.json").read_text()):
        marks = [needs_shared] if catalog == "upstream" else []
        params.append(pytest.param(name, catalog, args, "refused" in flags, id=name, marks=marks))
    return params


def _run(capsys: pytest.CaptureFixture[str], argv: list[str]) -> tuple[int, str, str]:
    code = main(argv)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize(("name", "catalog", "args", "refused"), _cases())
def test_recorded_case(
    name: str,
    catalog: str,
    args: list[str],
    refused: bool,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Same exit status, same stdout bytes, and upstream's error text as the first stderr line(s)."""
    monkeypatch.chdir(CASES)
    argv = ["recipe", *args, "--stamp-version", "dev"]
    # upstream 9793720d reads every catalog as 0.20; here the shipped one is detected as 1.0, and
    # `mini/` sits under this repository's pyproject.toml, whose `aicr-version` pins 1.0
    argv += ["--aicr-version", "0.20"]
    if catalog != "shipped":
        argv += ["--catalog", str(UPSTREAM_RECIPES if catalog == "upstream" else CASES / catalog)]
    code, out, err = _run(capsys, argv)
    if refused:
        assert code == 2
        assert "is not implemented by l40-recipes" in err
        return
    expected = json.loads((CASES / "expected" / f"{name}.json").read_text())
    assert (code, out) == (expected["exit_code"], expected["stdout"])
    if code:
        assert err.startswith(expected["error"])
