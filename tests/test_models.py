"""Models and upstream's JSON/YAML document form."""

from __future__ import annotations

import json
import math

import pytest
import yaml
from pydantic import ValidationError

from l40_recipes import Catalog, ComponentRef, Criteria, resolve
from l40_recipes._scalars import TypedText
from l40_recipes._serialize import go_json


def test_omitempty_and_always_fields() -> None:
    """Empty fields are omitted except upstream's always-emitted ones (type, source, name)."""
    assert ComponentRef(name="a").to_document() == {"name": "a", "type": "", "source": ""}


def test_enabled_reads_enabled_and_install() -> None:
    """A component is disabled by a boolean false `enabled` or `install`; other values keep it on."""
    assert ComponentRef(name="a").enabled
    assert not ComponentRef(name="a", overrides={"enabled": False}).enabled
    assert not ComponentRef(name="a", overrides={"install": False}).enabled
    assert ComponentRef(name="a", overrides={"enabled": "false"}).enabled


def test_document_key_order_is_upstreams(shipped: Catalog) -> None:
    """Top-level keys follow upstream's struct order; override maps are sorted like Go's encoder."""
    result = resolve(service="eks", accelerator="l40s", intent="inference", os="ubuntu", catalog=shipped)
    document = result.to_dict()
    assert list(document) == [
        "kind",
        "apiVersion",
        "metadata",
        "criteria",
        "constraints",
        "componentRefs",
        "deploymentOrder",
        "validation",
    ]
    overrides = next(ref for ref in document["componentRefs"] if ref["name"] == "kube-prometheus-stack")["overrides"]
    assert list(overrides) == sorted(overrides)
    assert json.loads(result.to_json()) == document
    assert yaml.safe_load(result.to_yaml()) == document


def test_go_json_escapes_and_floats() -> None:
    """Strings escape <, > and & as Go does; floats use Go's shortest form."""
    assert go_json({"v": ">= 1.2 & <"}, indent=None) == '{"v":"\\u003e= 1.2 \\u0026 \\u003c"}'
    assert (
        go_json([1.0, 1.5, 1e21, 1.2345e-05, 1e-7, None, True], indent=None)
        == "[1,1.5,1e+21,0.000012345,1e-07,null,true]"
    )
    assert go_json({"a": [], "b": {}}) == '{\n  "a": [],\n  "b": {}\n}'


def test_yaml_output_sorts_keys_and_uses_literal_blocks(shipped: Catalog) -> None:
    """YAML output sorts keys as upstream does and writes multi-line health checks as blocks."""
    text = resolve(service="oke", accelerator="l40s", intent="inference", os="ol", catalog=shipped).to_yaml()
    assert text.startswith("apiVersion: aicr.run/v1\ncomponentRefs:\n")
    assert "healthCheckAsserts: |" in text


@pytest.mark.parametrize(
    ("text", "tag", "value", "expected"),
    [
        ("-.inf", "!!float", -math.inf, -(2**63)),  # Go's int64(-Inf) on amd64
        ("9.3e18", "!!float", 9.3e18, None),
        (".nan", "!!float", math.nan, None),
        ("9223372036854775808", "!!int", 2**63, None),
        ("-4.9", "!!float", -4.9, -4),
        ("true", "!!bool", True, None),
    ],
)
def test_go_int_fields_as_yaml_v3(text: str, tag: str, value: object, expected: int | None) -> None:
    """An int field takes an `!!int` in range or an `!!float` truncated; anything else is yaml.v3's error."""
    scalar = TypedText(text, tag, value)
    if expected is None:
        with pytest.raises(ValidationError, match="cannot unmarshal"):
            Criteria.model_validate({"nodes": scalar})
    else:
        assert Criteria.model_validate({"nodes": scalar}).nodes == expected


@pytest.mark.parametrize("value", [{}, [], "maybe", TypedText("2001-12-14", "!!timestamp", None)])
def test_go_bool_fields_refuse_other_kinds(value: object) -> None:
    """A bool field refuses maps, lists, other text and other tags."""
    with pytest.raises(ValidationError, match="cannot unmarshal"):
        ComponentRef.model_validate({"cleanup": value})


def test_go_fields_from_python_values() -> None:
    """Python callers pass ints and bools as they are."""
    assert Criteria(nodes=4).nodes == 4
    assert ComponentRef(cleanup=True).cleanup is True
    assert ComponentRef.model_validate({"cleanup": None}).cleanup is False
