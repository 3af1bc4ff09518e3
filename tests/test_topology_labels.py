"""Node labels from a snapshot's topology: items or `value|nodes` readings, and upstream's consistency errors."""

from __future__ import annotations

import pytest

from l40_recipes import RecipeError
from l40_recipes._snapshot import Item, Reading, Subtype
from l40_recipes._topology_labels import label_readings, truncation

KEY = "nvidia.com/gpu.product"


def _labels(data: dict[str, Reading], *items: tuple[str, str, dict[str, Reading]]) -> Subtype:
    return Subtype("label", data, {}, tuple(Item({"key": k, "value": v}, d) for k, v, d in items))


def test_data_readings_are_sorted_with_truncation() -> None:
    """`value|a,b (+2 more)`: two nodes listed, four carry it."""
    readings = label_readings(_labels({"b": "x|n1", "a": "y|n1,n2 (+2 more)"}))
    assert [(r.key, r.value, r.nodes, r.node_count, r.truncated) for r in readings] == [
        ("a", "y", ("n1", "n2 (+2 more)"), 4, True),
        ("b", "x", ("n1",), 1, False),
    ]
    assert truncation("n1") == (0, False)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"node-count": 1, "truncated": False}, 'topology item 0: carries neither "node-list" nor "node-list-ref"'),
        ({"node-count": 1, "node-list": 5, "truncated": False}, 'data field "node-list" is not a string'),
        ({"node-count": -1, "node-list": "", "truncated": False}, 'data field "node-count" is negative (-1)'),
        ({"node-count": 1, "node-list": "n1"}, 'missing required data field "truncated"'),
        ({"node-count": 2, "node-list": "n1", "truncated": False}, '"node-count" is 2 but the node list names 1'),
        ({"node-count": 1, "node-list": "n1", "truncated": True}, '"truncated" is true but the node list does not'),
        ({"node-count": 1, "node-list-ref": "other", "truncated": False}, 'names "other" but this reading folds onto'),
    ],
)
def test_inconsistent_items_fail(data: dict[str, Reading], message: str) -> None:
    """Each item is checked as upstream checks it, with its index and upstream's words."""
    with pytest.raises(RecipeError) as caught:
        label_readings(_labels({KEY: "v|n1"}, (KEY, "v", data)))
    assert message in caught.value.upstream_text


def test_references_fold_onto_suffixed_keys() -> None:
    """Two values of one key are stored as `key.value`; an item references its own entry."""
    data: dict[str, Reading] = {f"{KEY}.A": "A|n1", f"{KEY}.B": "B|n2,n3"}
    items: list[tuple[str, str, dict[str, Reading]]] = [
        (KEY, value, {"node-count": count, "node-list-ref": f"{KEY}.{value}", "truncated": False})
        for value, count in (("A", 1), ("B", 2))
    ]
    readings = label_readings(_labels(data, *items))
    assert [(r.value, r.nodes, r.raw_key) for r in readings] == [
        ("A", ("n1",), f"{KEY}.A"),
        ("B", ("n2", "n3"), f"{KEY}.B"),
    ]
