"""yaml.v3's unmarshal errors, walked over the models: texts, order, strictness, positions and hints.

Texts were observed from aicr 9793720d (`aicr-patched recipe` on mutated catalogs); the catalog
cases with upstream's full messages are in `decode_cases.json` (see `test_decoding.py`).
"""

from __future__ import annotations

import pytest

from l40_recipes._models import RecipeMetadata, RecipeMetadataHeader, RecipeMixin
from l40_recipes._registry_models import ComponentRegistry
from l40_recipes._unmarshal import unmarshal_errors
from l40_recipes._yaml import parse_yaml


def _errors(model: type, text: str, *, strict: bool) -> list[tuple[int, int, str]]:
    document = parse_yaml(text, path="f.yaml", defer_binary=True)
    return [
        (refusal.location.line, refusal.location.column, refusal.message)
        for refusal in unmarshal_errors(model, document, strict=strict)
    ]


_MIXIN = """kind: RecipeMixin
metadata: {name: x, extra: 1}
spec:
  componentRefs:
    - {name: [a], overrides: [x], patches: {a: b}, cleanup: 'x', expectedResources: x, type: {}}
  xspec: 1
  constraints:
    - {name: a, value: [a], zz: 1}
"""


def test_strict_lists_every_error_in_document_order() -> None:
    """As observed for a mixin (M-cref-types): each value's error, and each unknown key at the key."""
    meta = 'struct { Name string "json:\\"name\\" yaml:\\"name\\"" }'
    assert _errors(RecipeMixin, _MIXIN, strict=True) == [
        (2, 21, f"field extra not found in type {meta}"),
        (5, 14, "cannot unmarshal !!seq into string"),
        (5, 30, "cannot unmarshal !!seq into map[string]interface {}"),
        (5, 44, "cannot unmarshal !!map into []string"),
        (5, 61, "cannot unmarshal !!str `x` into bool"),
        (5, 85, "cannot unmarshal !!str `x` into []recipe.ExpectedResource"),
        (5, 94, "cannot unmarshal !!map into recipe.ComponentType"),
        (6, 3, _errors(RecipeMixin, "spec: {xspec: 1}", strict=True)[0][2]),
        (8, 24, "cannot unmarshal !!seq into string"),
        (8, 29, "field zz not found in type recipe.Constraint"),
    ]


def test_lenient_skips_unknown_keys_and_everything_under_them() -> None:
    assert _errors(RecipeMixin, _MIXIN, strict=False)[0] == (5, 14, "cannot unmarshal !!seq into string")
    assert len(_errors(RecipeMixin, _MIXIN, strict=False)) == 7
    assert _errors(RecipeMetadata, "spec: {zz: {criteria: [x]}}\n", strict=False) == []


def test_pointers_maps_and_named_strings() -> None:
    text = (
        "spec:\n  criteria: {service: [a], nodes: 'x'}\n"
        "  validation: {readiness: [a], deployment: {nodeSelection: {selector: [a], maxNodes: x}}}\n"
        "  profile: {values: {a: [x], b: {componentRefs: {a: 1}}}}\n"
    )
    assert [message for _, _, message in _errors(RecipeMetadata, text, strict=False)] == [
        "cannot unmarshal !!seq into recipe.CriteriaServiceType",
        "cannot unmarshal !!str `x` into int",
        "cannot unmarshal !!seq into recipe.ValidationPhase",
        "cannot unmarshal !!seq into map[string]string",
        "cannot unmarshal !!str `x` into int",
        "cannot unmarshal !!seq into recipe.ProfileValue",
        "cannot unmarshal !!map into []recipe.ProfileComponentRef",
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", []),
        ("~\n", []),
        ("kind: ~\nmetadata: ~\nspec: {criteria: ~, constraints: ~}\n", []),
        ("- a\n", [(1, 1, "cannot unmarshal !!seq into recipe.RecipeMetadata")]),
        ("hello\n", [(1, 1, "cannot unmarshal !!str `hello` into recipe.RecipeMetadata")]),
        ("spec: {componentRefs: [{overrides: {a: [1, {b: 2}]}}]}\n", []),
    ],
)
def test_nulls_and_free_form_values_take_anything(text: str, expected: list[tuple[int, int, str]]) -> None:
    assert _errors(RecipeMetadata, text, strict=True) == expected


def test_the_header_probe_reads_only_the_header() -> None:
    text = "kind: [a]\nmetadata: {name: {b: 1}, zz: 1}\nspec: [x]\n"
    assert _errors(RecipeMetadataHeader, text, strict=False) == [
        (1, 7, "cannot unmarshal !!seq into string"),
        (2, 18, "cannot unmarshal !!map into string"),
    ]


def test_a_value_brought_by_an_alias_is_at_its_anchor() -> None:
    """yaml.v3 names the anchored node's line (observed: E-alias-seq), also for what is inside it."""
    text = "x: &l [1, 2]\nspec:\n  criteria: *l\n"
    assert _errors(RecipeMetadata, text, strict=False) == [(1, 4, "cannot unmarshal !!seq into recipe.Criteria")]
    text = "x: &c\n  service: eks\n  nodes: [1]\ny: &d {criteria: *c}\nspec: *d\n"
    assert _errors(RecipeMetadata, text, strict=False) == [(3, 10, "cannot unmarshal !!seq into int")]


def test_hints_say_how_to_write_the_value() -> None:
    document = parse_yaml(
        "components:\n  - {name: [a], helm: x, gkeCriticalPriority: z, validations: {}, zz: 1}\n", path="r.yaml"
    )
    hints = [refusal.hint for refusal in unmarshal_errors(ComponentRegistry, document, strict=True)]
    assert hints == [
        "write this value as a plain string",
        "write this value as a YAML mapping (`key: value`)",
        "write this value as true or false, unquoted (a quoted value is a string)",
        "write this value as a YAML list (`- item`)",
        "remove 'components.0.zz', or fix its spelling",
    ]


def test_a_repeated_key_refuses_its_mapping_where_it_is_decoded() -> None:
    """Observed (R-several, E-validation): the repeat is refused and nothing else of that mapping is."""
    text = "spec:\n  criteria: {service: [a], service: b}\n  zz: {a: 1, a: 2}\n  componentRefs:\n"
    text += "    - {name: x, overrides: {k: {m: [{a: 1, a: 2}]}}, type: [z]}\n"
    text += "  validation: {readiness: {nodeSelection: {selector: {a: [1], a: 2}}}}\n"
    document = parse_yaml(text, path="f.yaml", defer_binary=True)
    found = unmarshal_errors(RecipeMetadata, document, strict=False)
    assert [(refusal.location.line, refusal.message) for refusal in found] == [
        (2, 'mapping key "service" already defined at line 2'),
        (5, 'mapping key "a" already defined at line 5'),
        (5, "cannot unmarshal !!seq into recipe.ComponentType"),
        (6, 'mapping key "a" already defined at line 6'),
    ]
    assert found[0].hint == "remove one of the two 'service' entries; YAML readers disagree on which one wins"
