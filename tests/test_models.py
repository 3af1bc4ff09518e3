"""Models and upstream's JSON/YAML document form."""

from __future__ import annotations

import json

import yaml

from l40_recipes import Catalog, ComponentRef, resolve
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
