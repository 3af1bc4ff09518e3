"""The YAML snapshot decoder: yaml.v3's type errors, failures and alias limit, on composed nodes."""

from __future__ import annotations

from typing import Any

import pytest

from l40_recipes._snapshot_yaml import SnapshotYamlError, decode_snapshot_yaml
from l40_recipes._yaml import compose_first

_SUBTYPE = "measurements:\n  - type: OS\n    subtypes:\n      - subtype: r\n"


def _decode(text: str) -> Any:
    root = compose_first(text)
    assert root is not None
    return decode_snapshot_yaml(root)


def _failure(text: str) -> str:
    with pytest.raises(SnapshotYamlError) as caught:
        _decode(text)
    return str(caught.value)


def test_type_errors_show_the_tag_and_cut_text() -> None:
    """yaml.v3 names an explicit tag as written and cuts a long value to 7 bytes."""
    assert _failure("kind: [a]\napiVersion: {a: b}\nmeasurements: !foo 12345678901\n") == (
        "yaml: unmarshal errors:\n"
        "  line 1: cannot unmarshal !!seq into header.Kind\n"
        "  line 2: cannot unmarshal !!map into string\n"
        "  line 3: cannot unmarshal !foo `1234567...` into []*measurement.Measurement"
    )


def test_an_item_failure_stops_the_subtype() -> None:
    """The item's unmarshaler wraps its error; the subtype's wraps that; earlier type errors are dropped."""
    text = "metadata: [x]\n" + _SUBTYPE + "        items: [{context: [a]}]\n"
    assert _failure(text) == (
        "[INVALID_REQUEST] failed to decode subtype YAML: [INVALID_REQUEST] failed to decode item entry YAML: "
        "yaml: unmarshal errors:\n  line 6: cannot unmarshal !!seq into map[string]string"
    )


def test_fields_take_any_scalar_text_and_ints_take_numbers() -> None:
    """A Go string field takes `8` as `8`; an int field takes `2.7` as 2; null leaves a field unset."""
    document, why = _decode(
        "kind: 8\napiVersion: ~\nfingerprint: {nodeCount: {value: 2.7}, gpuNodeCount: {value: ~}}\n"
        + _SUBTYPE
        + "        data: {~: dropped, 1: one}\n        context: {k: ~}\n"
    )
    assert why is None
    assert document["kind"] == "8"
    assert document["apiVersion"] is None
    subtype = document["measurements"][0]["subtypes"][0]
    assert subtype["data"] == {"1": "one"}
    assert subtype["context"] == {"k": None}
    assert _failure("fingerprint: {nodeCount: {value: true}}\n") == (
        "yaml: unmarshal errors:\n  line 1: cannot unmarshal !!bool `true` into int"
    )


def test_a_collection_keyed_reading_is_not_reproduced() -> None:
    """yaml.v3 fails with the `%#v` of such a key, which is not reproduced."""
    document, why = _decode(_SUBTYPE + "        data: {a: {[1]: x}}\n")
    assert document is None
    assert why is not None
    assert "a list or a map" in why


def test_excessive_aliasing_fails() -> None:
    """yaml.v3's alias ratio (recorded upstream: tests/snapshot_cases/bad-aliasing.yaml)."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]" for i in range(1, 5)]
    text = _SUBTYPE + "        data:\n" + "".join(f"          {line}\n" for line in lines)
    assert _failure(text) == (
        "[INVALID_REQUEST] failed to decode subtype YAML: yaml: document contains excessive aliasing"
    )
