"""`NodeTopology.gpu-nodes.label`: every GPU node carries a label value, or none carries the key."""

from __future__ import annotations

import pytest

from l40_recipes._errors import ErrorCode
from l40_recipes._gpu_nodes import evaluate_gpu_nodes_label
from l40_recipes._snapshot import Measurement, Reading, Snapshot, Subtype

GPU = "cloud.google.com/gke-accelerator"
NODES = "g1,g2,g3,g4,g5,g6"


def _snapshot(data: dict[str, Reading]) -> Snapshot:
    topology = Measurement("NodeTopology", (Subtype("label", data, {}, ()),))
    return Snapshot(path="s.yaml", kind="", api_version="", measurements=(topology,))


@pytest.mark.parametrize(
    ("value", "data", "passed", "actual"),
    [
        ("!opt-out", {}, True, "none of 6 GPU node(s) carry label opt-out"),
        ("!opt-out", {"opt-out": "true|g1,x9"}, False, "1 of 6 GPU node(s) carry label opt-out: g1"),
        ("pool=a", {"pool": f"a|{NODES}"}, True, "all 6 GPU node(s) carry pool=a"),
        ("pool=a", {"pool.a": "a|g1", "pool.b": "b|g2"}, False, "5 of 6 GPU node(s) missing pool=a: g2,g3,g4,g5,g6"),
        ("pool=a", {}, False, "6 of 6 GPU node(s) missing pool=a: g1,g2,g3,g4,g5 (+1 more)"),
    ],
)
def test_node_sets(value: str, data: dict[str, Reading], passed: bool, actual: str) -> None:
    """Only GPU nodes count; at most five names are reported."""
    outcome = evaluate_gpu_nodes_label(value, _snapshot({GPU: f"nvidia-b200|{NODES}", **data}))
    assert outcome == (passed, actual, None)


@pytest.mark.parametrize(
    ("value", "data", "code", "text"),
    [
        ("pool", {}, ErrorCode.INVALID_REQUEST, 'expected "<label-key>=<value>" or "!<label-key>"'),
        ("!bad key", {}, ErrorCode.INVALID_REQUEST, "negated form"),
        ("pool=a", {"pool": "a|G1"}, ErrorCode.INVALID_REQUEST, 'label reading "pool" is malformed ("a|G1")'),
        ("pool=a", {"pool.a": "a|g1"}, ErrorCode.INVALID_REQUEST, "are ambiguous: a single disambiguated-shape entry"),
        ("pool=a", {"pool": "a|g1 (+3 more)"}, ErrorCode.INVALID_REQUEST, 'label reading "pool" is truncated'),
    ],
)
def test_errors(value: str, data: dict[str, Reading], code: ErrorCode, text: str) -> None:
    """Bad values and unreadable node sets are errors; upstream's words."""
    _, _, error = evaluate_gpu_nodes_label(value, _snapshot({GPU: f"nvidia-b200|{NODES}", **data}))
    assert error is not None
    assert error.code is code
    assert text in error.upstream_text


def test_not_found_without_gpu_nodes() -> None:
    """No GPU-node label (or no labels at all) is NOT_FOUND: the overlay is excluded, not the resolution failed."""
    _, _, error = evaluate_gpu_nodes_label("!x", _snapshot({"pool": "a|g1"}))
    assert error is not None
    assert error.code is ErrorCode.NOT_FOUND
    assert error.message.startswith(f'GPU-node universe is empty: snapshot has no "{GPU}" label readings')
    empty = Snapshot(path="s.yaml", kind="", api_version="", measurements=())
    assert evaluate_gpu_nodes_label("!x", empty)[2] is not None
