"""The AICRConfig types' strict decoding rules, directly."""

from __future__ import annotations

from l40_recipes._aicr_config_schema import ROOT, check_yaml, go_fields, yaml11_bool
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


def test_go_fields() -> None:
    """Struct types list their fields; scalars and containers are not structs."""
    fields = go_fields("config.CriteriaSpec")
    assert fields is not None
    assert fields["nodes"] == "int"
    assert go_fields("[]string") is None


def test_yaml11_words() -> None:
    """yaml.v3 reads these strings into a Go bool; other strings are not booleans."""
    assert (yaml11_bool("Yes"), yaml11_bool("OFF"), yaml11_bool("true"), yaml11_bool(1)) == (True, False, None, None)
