"""The merge policy: by-name refs, deep overrides, per-field phase merge, purity."""

from __future__ import annotations

from typing import Any

import pytest

from l40_recipes import ComponentRef, Constraint, ValidationConfig, ValidationPhase
from l40_recipes._merge import (
    SpecState,
    deep_merge,
    merge_component_ref,
    merge_phase,
    merge_validation,
    topological_sort,
)
from l40_recipes._scalars import AnyKeyMap


def test_deep_merge_replaces_lists_and_never_mutates() -> None:
    """Maps merge recursively; lists, scalars and nulls replace; inputs stay untouched."""
    base = {"driver": {"enabled": True, "version": "1"}, "list": [1, 2], "gone": {"a": 1}}
    top = {"driver": {"enabled": False}, "list": [3], "gone": None}
    merged = deep_merge(base, top)
    assert merged == {"driver": {"enabled": False, "version": "1"}, "list": [3], "gone": None}
    assert base == {"driver": {"enabled": True, "version": "1"}, "list": [1, 2], "gone": {"a": 1}}
    merged["driver"]["enabled"] = "mutated"
    assert top == {"driver": {"enabled": False}, "list": [3], "gone": None}


def test_deep_merge_type_clashes_order_and_sharing() -> None:
    """A clash is won by the top side; keys keep base order, new ones last; values only one side has are shared."""
    only_top = {"x": [1]}
    only_base = {"y": {"z": 1}}
    base = {"a": 1, "b": {"c": 1}, "kept": only_base}
    top = {"new": only_top, "b": 2, "a": {"d": 1}}
    merged = deep_merge(base, top)
    assert merged == {"a": {"d": 1}, "b": 2, "kept": {"y": {"z": 1}}, "new": {"x": [1]}}
    assert list(merged) == ["a", "b", "kept", "new"]
    assert merged["kept"] is only_base
    assert merged["new"] is only_top
    assert deep_merge(None, {}) == {}


def test_component_ref_merge_table() -> None:
    """Set strings win, empty ones inherit; dependencyRefs and manifestFiles union; cleanup sticks."""
    base = ComponentRef(
        name="a", version="1", dependency_refs=["x", "y"], manifest_files=["m1"], cleanup=True, patches=["p"]
    )
    top = ComponentRef(name="a", version="", source="s", dependency_refs=["y", "z"], manifest_files=["m1", "m2", "m2"])
    merged = merge_component_ref(base, top)
    assert (merged.version, merged.source) == ("1", "s")
    assert merged.dependency_refs == ["x", "y", "z"]
    assert merged.manifest_files == ["m1", "m2"]
    assert merged.cleanup is True
    assert merged.patches == ["p"]
    assert merge_component_ref(base, ComponentRef(name="a")) is base


def test_phase_merge_union_clear_and_replace_in_place() -> None:
    """Checks union in first-appearance order; `[]` clears; same-name constraints replace in place."""
    base = ValidationPhase(
        checks=["a", "b"],
        constraints=[Constraint(name="x", value="1"), Constraint(name="y", value="2")],
        timeout="5m",
    )
    top = ValidationPhase(
        checks=["b", "c"], constraints=[Constraint(name="z", value="9"), Constraint(name="x", value="3")]
    )
    merged = merge_phase(base, top)
    assert merged is not None
    assert merged.checks == ["a", "b", "c"]
    assert [(c.name, c.value) for c in merged.constraints or []] == [("x", "3"), ("y", "2"), ("z", "9")]
    assert merged.timeout == "5m"
    cleared = merge_phase(base, ValidationPhase(checks=[], constraints=[]))
    assert cleared is not None
    assert (cleared.checks, cleared.constraints) == ([], [])
    assert cleared.to_document() == {"timeout": "5m"}
    inherited = merge_phase(base, ValidationPhase())
    assert inherited is not None
    assert inherited.checks == ["a", "b"]
    assert merge_phase(None, top) is top
    assert merge_phase(base, None) is base


def test_validation_merge_leaves_absent_phases() -> None:
    """An overlay without a phase keeps the inherited one."""
    base = ValidationConfig(conformance=ValidationPhase(checks=["a"]))
    top = ValidationConfig(deployment=ValidationPhase(checks=["d"]))
    merged = merge_validation(base, top)
    assert merged is not None
    assert merged.conformance == base.conformance
    assert merged.deployment == top.deployment
    assert merge_validation(None, top) is top


def test_spec_state_sorts_by_name_and_merges_duplicates() -> None:
    """Constraints and refs are re-sorted by name; a duplicate ref inside one overlay merges."""
    state = SpecState(constraints=[Constraint(name="b", value="1")], component_refs=[ComponentRef(name="z")])
    state.merge(
        [Constraint(name="a", value="2"), Constraint(name="b", value="3")],
        [ComponentRef(name="y", version="1"), ComponentRef(name="y", source="s")],
        mixins=["m", "m"],
    )
    assert [(c.name, c.value) for c in state.constraints] == [("a", "2"), ("b", "3")]
    assert [(r.name, r.version, r.source) for r in state.component_refs] == [("y", "1", "s"), ("z", "", "")]
    assert state.mixins == ["m"]


def test_topological_sort_is_alphabetical_kahn() -> None:
    """The smallest ready name deploys first; disabled components are skipped and satisfy edges."""
    refs = [
        ComponentRef(name="c", dependency_refs=["a"]),
        ComponentRef(name="b"),
        ComponentRef(name="a", dependency_refs=["off"]),
        ComponentRef(name="off", overrides={"install": False}),
    ]
    assert topological_sort(refs) == ["a", "b", "c"]


def test_merging_into_an_alias_leaves_its_twin_alone() -> None:
    """Two aliases of one anchor are two maps upstream; merging into one must not change the other."""
    shared = {"k": 1}
    merged = deep_merge(None, {"a": shared, "b": shared})
    merged = deep_merge(merged, {"a": {"k": 2}})
    assert merged == {"a": {"k": 2}, "b": {"k": 1}}
    assert shared == {"k": 1}


@pytest.mark.parametrize(
    ("base", "top", "expected"),
    [
        # Observed from aicr 9793720d: neither side merges when one has a non-string key.
        ({"m": {"a": 1}}, {"m": AnyKeyMap({1: "x"})}, {"m": {1: "x"}}),
        ({"m": AnyKeyMap({1: "x"})}, {"m": {"b": 2}}, {"m": {"b": 2}}),
        ({"m": {"a": 1}}, {"m": {"b": 2}}, {"m": {"a": 1, "b": 2}}),
    ],
)
def test_maps_with_typed_keys_are_replaced_not_merged(base: Any, top: Any, expected: Any) -> None:
    """yaml.v3's map[interface{}]interface{} is not a map[string]any, so upstream's merge replaces it."""
    assert deep_merge(base, top) == expected
