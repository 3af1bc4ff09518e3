"""The AICRConfig types' strict decoding rules, directly."""

from __future__ import annotations

import pytest

from l40_recipes._aicr_config_schema import ROOT, check_yaml, json_problem, yaml11_bool
from l40_recipes._yaml import parse_yaml


def test_yaml_errors_follow_the_document() -> None:
    """Unknown keys at their key's line, type errors at their value's line, in document order."""
    document = parse_yaml("kind: AICRConfig\nspec:\n  recipe:\n    profile: [a]\n  nope: 1\n", path="c.yaml")
    errors: list[tuple[int, str]] = []
    check_yaml(document.data, ROOT, (), document.source, errors)
    assert errors == [
        (4, "cannot unmarshal !!seq into string"),
        (5, "field nope not found in type config.Spec"),
    ]


@pytest.mark.parametrize(
    ("document", "problem"),
    [
        ({"spec": {"recipe": {"criteria": {"nodes": 4}}}}, ""),
        ({"spec": {"recipe": {"bogus": 1}}}, "unknown:bogus"),
        ({"Kind": "AICRConfig"}, "field 'Kind' matches a field only case-insensitively"),
        ({"spec": {"recipe": {"criteriaStrict": "yes"}}}, "a value is not a bool"),
    ],
)
def test_json_problems(document: dict[str, object], problem: str) -> None:
    """The first problem encoding/json would stop at, unknown fields told apart."""
    assert json_problem(document, ROOT) == problem


def test_yaml11_words() -> None:
    """yaml.v3 reads these strings into a Go bool; other strings are not booleans."""
    assert (yaml11_bool("Yes"), yaml11_bool("OFF"), yaml11_bool("true"), yaml11_bool(1)) == (True, False, None, None)
