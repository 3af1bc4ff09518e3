"""Go's regular-expression syntax errors, and the top-level alternation a pinned pattern may not use.

Expected values come from Go 1.27's `regexp.Compile` (recorded in `go_library_cases.json`).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from l40_recipes._aicr_config_goparse import GoError
from l40_recipes._aicr_config_regexp import go_regexp_check

CASES = json.loads((Path(__file__).parent / "go_library_cases.json").read_text(encoding="utf-8"))["regexps"]


@pytest.mark.parametrize(("pattern", "expected"), CASES)
def test_compile(pattern: str, expected: str) -> None:
    """`ok`, or Go's `error parsing regexp: CODE: `EXPR`` text."""
    try:
        go_regexp_check(pattern)
    except GoError as err:
        got = str(err)
    else:
        got = "ok"
    assert got == expected


@pytest.mark.parametrize(
    ("pattern", "alternation"),
    [
        ("https://a/.*", False),
        ("https://a/(x|y)", False),
        ("https://a/x|https://a/y", False),
        ("https://a/x|.*", True),
        ("https://a/x|", True),
        ("h*x|hy", True),
        ("[|]a", False),
        (r"\|a|\|b", False),
    ],
)
def test_top_level_alternation(pattern: str, alternation: bool) -> None:
    """A `|` outside groups and classes, unless Go factors a common leading literal out of every branch."""
    assert go_regexp_check(pattern) is alternation
