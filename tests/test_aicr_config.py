"""AICRConfig files: strict decoding in yaml.v3's and encoding/json's words, validation, spec.recipe."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from l40_recipes import RecipeError
from l40_recipes._aicr_config import load_config_file

if TYPE_CHECKING:
    from pathlib import Path

HEADER = "kind: AICRConfig\napiVersion: aicr.run/v1alpha2\n"


def _load(tmp_path: Path, text: str, name: str = "c.yaml") -> object:
    path = tmp_path / name
    path.write_text(text)
    return load_config_file(str(path))


def test_recipe_section_is_read(tmp_path: Path) -> None:
    """Criteria (as written: parsed later against the catalog), nodes, profile, output, modes."""
    config = _load(
        tmp_path,
        HEADER + "spec:\n  recipe:\n    criteria: {service: EKS, nodes: 4.0}\n    profile: a=b\n"
        "    output: {path: out.json, format: json}\n    data: layer\n    criteriaStrict: 'Yes'\n"
        "    configuration:\n      slurm: {accounting: {mode: ' Disabled '}}\n      runtimeInventory: {mode: enabled}\n",
    )
    assert config is not None
    assert repr(config) == (
        "AicrConfig(criteria={'service': 'EKS'}, nodes=4, profile='a=b', snapshot='', data='layer', "
        "output_path='out.json', output_format='json', accounting_mode='disabled', runtime_inventory='enabled', "
        "criteria_strict=True)"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "spec:\n  recipe:\n    criteria:\n      nodes: [1]\n      bogus: 1\n  extra: {}\n",
            "yaml: unmarshal errors:\n  line 6: cannot unmarshal !!seq into int\n"
            "  line 7: field bogus not found in type config.CriteriaSpec\n"
            "  line 8: field extra not found in type config.Spec",
        ),
        ("spec:\n  recipe:\n    criteriaStrict: 'maybe'\n", "line 5: cannot unmarshal !!str `maybe` into bool"),
        ("spec:\n  recipe:\n    output: []\n", "line 5: cannot unmarshal !!seq into config.RecipeOutputSpec"),
        ("", "EOF"),
    ],
)
def test_strict_decoding_errors(tmp_path: Path, text: str, message: str) -> None:
    """Every field yaml.v3 cannot fill, in document order, under upstream's wrapper (observed from aicr 9793720d)."""
    with pytest.raises(RecipeError) as caught:
        _load(tmp_path, (HEADER if text else "") + text)
    assert caught.value.upstream_text.startswith(f'[INVALID_REQUEST] failed to parse config from "{tmp_path}/c.yaml": ')
    assert message in caught.value.upstream_text


@pytest.mark.parametrize(
    ("recipe", "message"),
    [
        ("runtimeInventory: {mode: sometimes}", 'invalid runtime inventory mode "sometimes"'),
        ("slurm: {accounting: {mode: x}}", 'invalid Slurm accounting mode "x"'),
    ],
)
def test_modes_are_validated(tmp_path: Path, recipe: str, message: str) -> None:
    """The configuration modes fail as the flags do, at load time."""
    with pytest.raises(RecipeError, match=message):
        _load(tmp_path, HEADER + f"spec:\n  recipe:\n    configuration: {{{recipe}}}\n")


def test_json_unknown_field_and_refusals(tmp_path: Path) -> None:
    """JSON: encoding/json's unknown-field text; type errors and URLs are refused by name."""
    body = '{"kind": "AICRConfig", "apiVersion": "aicr.run/v1alpha2", "spec": {"recipe": {"x": 1}}}'
    with pytest.raises(RecipeError, match='json: unknown field "x"'):
        _load(tmp_path, body, "c.json")
    body = '{"kind": "AICRConfig", "apiVersion": "aicr.run/v1alpha2", "spec": {"recipe": {"criteria": {"nodes": "4"}}}}'
    with pytest.raises(RecipeError, match="is not implemented by l40-recipes"):
        _load(tmp_path, body, "c.json")
    with pytest.raises(RecipeError, match="--config from a URL"):
        load_config_file("https://example.invalid/c.yaml")
    assert load_config_file("") is None


def test_other_sections_are_refused(tmp_path: Path) -> None:
    """spec.validate and the like are decoded (typos fail) but their validation is not reproduced."""
    with pytest.raises(RecipeError, match=r"spec\.validate"):
        _load(tmp_path, HEADER + "spec:\n  recipe: {}\n  validate:\n    execution: {timeout: 5m}\n")
    with pytest.raises(RecipeError, match=r"field tiemout not found in type config\.ValidateExecutionSpec"):
        _load(tmp_path, HEADER + "spec:\n  validate:\n    execution: {tiemout: 5m}\n")
