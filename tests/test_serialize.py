"""Upstream's YAML bytes (yaml.v3, keys sorted, indent 2) and Go's float spelling."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from l40_recipes import Catalog, RecipeError, resolve
from l40_recipes._serialize import _SPECIAL, go_json, go_yaml

from .conftest import UPSTREAM, needs_shared


def _yaml_goldens() -> list[Any]:
    goldens = sorted((UPSTREAM / "goldens-yaml").glob("leaf-yaml__*.json")) if UPSTREAM.is_dir() else []
    if not goldens:
        return [pytest.param(None, marks=needs_shared)]
    return [pytest.param(path, id=path.stem.removeprefix("leaf-yaml__")) for path in goldens]


@needs_shared
def test_yaml_goldens_are_all_present() -> None:
    """All 102 YAML goldens are collected, so parity cannot pass by losing files."""
    assert len(_yaml_goldens()) == 102


@pytest.mark.parametrize("golden", _yaml_goldens())
def test_yaml_matches_upstream_golden_byte_for_byte(golden: Path, upstream: Catalog) -> None:
    """`aicr recipe --format yaml` for an overlay's own criteria, byte for byte (version stamped `dev`)."""
    record = json.loads(golden.read_text())
    if record["exit_code"] != 0:
        with pytest.raises(RecipeError) as caught:
            resolve(catalog=upstream, version="dev", **record["query"])
        assert (caught.value.exit_code, record["stdout"]) == (record["exit_code"], "")
        return
    assert resolve(catalog=upstream, version="dev", **record["query"]).to_yaml() == record["stdout"]


_CASES = json.loads((Path(__file__).parent / "yaml_v3_cases.json").read_text(encoding="utf-8"))["cases"]


@pytest.mark.parametrize("case", _CASES, ids=[case["name"] for case in _CASES])
def test_yaml_matches_what_aicr_printed(case: dict[str, Any]) -> None:
    """Overrides printed by upstream's binary (tests/yaml_v3_cases.json), at the same columns."""
    document = {"componentRefs": [{"overrides": yaml.safe_load(case["overrides"])}]}
    if case["exit_code"]:
        with pytest.raises(RecipeError) as caught:
            go_yaml(document)
        assert caught.value.exit_code == case["exit_code"]
        # Upstream's message names a line of its first-pass text; the rest must agree.
        line_number = re.compile(r"line [0-9]+: ")
        expected = line_number.sub("", case["stderr_error"]).removesuffix(" exitCode=8")
        assert f"[INTERNAL] failed to serialize recipe: {caught.value}" == expected
        return
    assert go_yaml(document) == case["yaml"]


def test_yaml_cases_cover_both_outcomes() -> None:
    """The recorded cases hold printed documents and upstream's re-read failures."""
    assert {case["exit_code"] for case in _CASES} == {0, 8}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({}, "{}\n"),
        ([], "[]\n"),
        (["a", ["b", "c"], [], {}], "- a\n- - b\n  - c\n- []\n- {}\n"),
        ({"a": [{"b": 1, "c": [{"d": None}]}]}, "a:\n  - b: 1\n    c:\n      - d: null\n"),
        ("top", "top\n"),
        ({"z": 1, "a": 2, "B": 3, "é": 4, "1": 5}, '"1": 5\nB: 3\na: 2\nz: 1\né: 4\n'),
        ({True: "t", None: "x", 1.5: "f", 2: "i"}, "1.5: f\n2: i\nnull: x\ntrue: t\n"),
        ({"k": "tail\n\n"}, "k: |+\n  tail\n\n...\n"),
        ({"k": "tail\n\n", "l": 1}, "k: |+\n  tail\n\nl: 1\n"),
        ({"k\nl": {"x": 1}}, "? |-\n  k\n  l\n: x: 1\n"),
        ({"k\n": "v"}, "? |\n  k\n: v\n"),
        ({"k" * 129: [1]}, "? " + "k" * 129 + "\n: - 1\n"),
        ({"d": dt.date(2001, 12, 14)}, "d: 2001-12-14T00:00:00Z\n"),
        ({"t": dt.datetime(2001, 12, 14, 21, 59, 43, 100000)}, "t: 2001-12-14T21:59:43.1Z\n"),
        (
            {"t": dt.datetime(2001, 12, 14, 21, 59, 43, tzinfo=dt.timezone(dt.timedelta(hours=-5)))},
            "t: 2001-12-14T21:59:43-05:00\n",
        ),
        ({"p": Path("x")}, "p: x\n"),
    ],
)
def test_yaml_structure_and_typed_scalars(value: Any, expected: str) -> None:
    """Layout and scalar text as yaml.v3 writes them (cases beyond what the binary was asked)."""
    assert go_yaml(value) == expected


def test_json_of_typed_keys_and_times_as_go() -> None:
    """Integer and time keys get names; times are RFC 3339 strings (observed from aicr 9793720d)."""
    stamp = dt.datetime(2001, 12, 14, tzinfo=dt.UTC)
    assert go_json({"a": {1: "x", "b": stamp}, "t": {stamp: 1}}, indent=None) == (
        '{"a":{"1":"x","b":"2001-12-14T00:00:00Z"},"t":{"2001-12-14T00:00:00Z":1}}'
    )


def test_yaml_of_typed_keys_and_times() -> None:
    """YAML keeps typed keys plain (`1.5: x`) and writes times as RFC 3339 (observed)."""
    stamp = dt.datetime(2001, 12, 14, 21, 59, 43, 100000, tzinfo=dt.UTC)
    assert go_yaml({"m": {True: "x", 1.5: "y", None: "z"}, "ts": stamp}) == (
        'm:\n  1.5: "y"\n  null: z\n  true: x\nts: 2001-12-14T21:59:43.1Z\n'
    )


def _yaml_v3_printable(code: int) -> bool:
    """yaml.v3's `is_printable` (its emitter's test), tab included."""
    return (
        code in (0x09, 0x0A)
        or 0x20 <= code <= 0x7E
        or 0xA0 <= code <= 0xD7FF
        or 0xE000 <= code <= 0xFEFE
        or 0xFF00 <= code <= 0xFFFD
    )


def test_special_characters_are_the_complement_of_yaml_v3_printable() -> None:
    """The characters written escaped are exactly those yaml.v3 cannot print, at every range's edges."""
    edges = {0, 0x09, 0x0A, 0x0B, 0x1F, 0x20, 0x7E, 0x7F, 0x85, 0x9F, 0xA0, 0xD7FF, 0xD800, 0xDFFF, 0xE000}
    edges |= {0xFEFE, 0xFEFF, 0xFF00, 0xFFFD, 0xFFFE, 0xFFFF, 0x10000, 0x10FFFF}
    for code in sorted(edges | {edge + step for edge in edges for step in (-1, 1) if 0 <= edge + step <= 0x10FFFF}):
        assert (_SPECIAL.search(chr(code)) is None) == _yaml_v3_printable(code), hex(code)
