"""Typed fields decode as strictly as upstream's yaml.v3: its errors, exit codes and findings at the value.

Expected texts and exit codes were observed from aicr 9793720d (`aicr-patched recipe` on mutated
copies of the upstream catalog).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from l40_recipes import RecipeError, check, load_catalog, resolve

from .conftest import MINIMAL_REGISTRY, overlay, write_catalog

if TYPE_CHECKING:
    from pathlib import Path


def _leaf(criteria: str = "service: eks", body: str = "") -> dict[str, str]:
    return {"leaf": overlay("leaf", criteria=criteria, body=body)}


@pytest.mark.parametrize(
    ("nodes", "line"),
    [
        ("'8'", "cannot unmarshal !!str `8` into int"),
        ("1e30", "cannot unmarshal !!float `1e30` into int"),
        ("yes", "cannot unmarshal !!str `yes` into int"),
        ("2001-12-14", "cannot unmarshal !!timestamp `2001-12-14` into int"),
        ("{a: 1}", "cannot unmarshal !!map into int"),
        ("'12345678901'", "cannot unmarshal !!str `1234567...` into int"),
    ],
)
def test_criteria_nodes_refuses_what_yaml_v3_refuses(tmp_path: Path, nodes: str, line: str) -> None:
    """A quoted number is a string to yaml.v3, so an int field refuses it (exit 2), at the value."""
    root = write_catalog(tmp_path, _leaf(f"service: eks, nodes: {nodes}"))
    with pytest.raises(RecipeError) as caught:
        load_catalog(root)
    err = caught.value
    assert err.upstream_text == (
        f"[INVALID_REQUEST] failed to parse overlays/leaf.yaml: yaml: unmarshal errors:\n  line 8: {line}"
    )
    assert err.exit_code == 2
    assert err.location is not None
    assert err.location.path.endswith("overlays/leaf.yaml")
    assert (err.location.line, err.location.column) == (8, 12)
    findings = [(f.file, f.line, f.column) for f in check(root).findings if f.rule == "load-error"]
    assert [(str(root / "overlays/leaf.yaml"), 8, 12)] == findings


@pytest.mark.parametrize(("nodes", "value"), [("0x10", 16), ("1e1", 10), ("4.5", 4), ("010", 8), ("~", 0)])
def test_criteria_nodes_takes_what_yaml_v3_takes(tmp_path: Path, nodes: str, value: int) -> None:
    """Go prefixes, floats (truncated) and null fill an int field as yaml.v3 fills it."""
    root = write_catalog(tmp_path, _leaf(f"service: eks, nodes: {nodes}"))
    catalog = load_catalog(root)
    criteria = catalog.overlays["leaf"].document.spec.criteria
    assert criteria is not None
    assert criteria.nodes == value


def test_max_nodes_as_yaml_v3(tmp_path: Path) -> None:
    """`maxNodes: 4.5` is 4 in the recipe (observed); `maxNodes: '4'` is an error at its line."""
    body = "validation:\n  deployment:\n    nodeSelection: {maxNodes: 4.5}\n"
    root = write_catalog(tmp_path, _leaf(body=body))
    recipe = resolve({"service": "eks"}, catalog=load_catalog(root))
    assert '"maxNodes": 4\n' in recipe.to_json()
    (tmp_path / "overlays" / "leaf.yaml").write_text(
        overlay("leaf", criteria="service: eks", body=body.replace("4.5", "'4'"))
    )
    with pytest.raises(RecipeError) as caught:
        load_catalog(root)
    assert caught.value.upstream_text.endswith("\n  line 10: cannot unmarshal !!str `4` into int")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("'true'", "cannot unmarshal !!str `true` into bool"),
        ("1", "cannot unmarshal !!int `1` into bool"),
    ],
)
def test_registry_booleans_as_yaml_v3(tmp_path: Path, value: str, message: str) -> None:
    """Registry booleans refuse strings and numbers with upstream's INTERNAL error (exit 8)."""
    registry = MINIMAL_REGISTRY.replace(
        "    displayName: GPU Operator\n", f"    displayName: GPU Operator\n    ownsCRDs: {value}\n"
    )
    root = write_catalog(tmp_path, _leaf(), registry=registry)
    with pytest.raises(RecipeError) as caught:
        load_catalog(root)
    assert caught.value.upstream_text == (
        f"[INTERNAL] failed to parse registry.yaml: yaml: unmarshal errors:\n  line 6: {message}"
    )
    assert caught.value.exit_code == 8
    findings = [(f.file, f.line) for f in check(root).findings if f.rule == "load-error"]
    assert [(str(root / "registry.yaml"), 6)] == findings


@pytest.mark.parametrize(("value", "expected"), [("yes", True), ("'off'", False), ("true", True), ("~", False)])
def test_registry_booleans_take_yaml_11_words(tmp_path: Path, value: str, *, expected: bool) -> None:
    """yaml.v3 fills a Go bool from `yes`/`off` text too, quoted or not (observed: `'yes'` loads)."""
    registry = MINIMAL_REGISTRY.replace(
        "    displayName: GPU Operator\n", f"    displayName: GPU Operator\n    ownsCRDs: {value}\n"
    )
    root = write_catalog(tmp_path, _leaf(), registry=registry)
    loaded = load_catalog(root).registry
    assert loaded is not None
    assert loaded.by_name["gpu-operator"].owns_crds is expected


def test_every_unmarshal_error_is_listed_in_line_order(tmp_path: Path) -> None:
    """yaml.v3 reports every field it could not fill, one line each."""
    body = "validation:\n  deployment:\n    nodeSelection: {maxNodes: '4'}\n"
    root = write_catalog(tmp_path, _leaf("service: eks, nodes: '8'", body))
    with pytest.raises(RecipeError) as caught:
        load_catalog(root)
    assert caught.value.upstream_text.endswith(
        "yaml: unmarshal errors:\n  line 8: cannot unmarshal !!str `8` into int\n"
        "  line 11: cannot unmarshal !!str `4` into int"
    )
