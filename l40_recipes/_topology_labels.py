"""A snapshot's node labels as upstream reads them (`topology.LabelReadings`): which nodes carry which value.

`aicr snapshot` writes the label subtype twice: `items` (one per key and value, with its node count,
truncation flag and either an inline `node-list` or a `node-list-ref` to the `data` entry it folds
onto) and `data` (`key: value|node1,node2`, the key suffixed with `.value` when one key has several
values). Items are read when there are any; every inconsistency is upstream's error, in its words.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from ._errors import ErrorCode, RecipeError
from ._go_text import go_quote
from ._snapshot import reading_text

if TYPE_CHECKING:
    from ._snapshot import Item, Subtype

__all__ = ["LabelReading", "label_readings", "truncation"]

_TRUNCATED: Final = re.compile(r"\(\+(\d+) more\)$")
_INT64: Final = 1 << 63


@dataclass(frozen=True, slots=True)
class LabelReading:
    """One label key and value, the nodes listed for it, how many carry it, and the key it is stored under."""

    key: str
    value: str
    nodes: tuple[str, ...]
    node_count: int
    truncated: bool
    raw_key: str


def _invalid(message: str, cause: RecipeError | None = None) -> RecipeError:
    return RecipeError(message, code=ErrorCode.INVALID_REQUEST, cause=cause)


def truncation(listed: str) -> tuple[int, bool]:
    """How many nodes a `(+N more)` suffix withholds, and whether there is one (upstream's marker rule).

    Raises:
        RecipeError: a marker whose count does not fit Go's int.
    """
    found = _TRUNCATED.search(listed)
    if found is None:
        return 0, False
    digits = found.group(1)
    if len(digits.lstrip("0")) > 19 or int(digits) >= _INT64:
        raise _invalid(f"node list truncation marker {go_quote(digits)} is not a usable count")
    return int(digits), True


def _nodes(listed: str) -> tuple[str, ...]:
    return tuple(listed.split(",")) if listed else ()


def label_readings(labels: Subtype) -> list[LabelReading]:
    """The readings of a label subtype: from its items (in item order) or its data (sorted by key and value).

    Raises:
        RecipeError: INVALID_REQUEST with upstream's message for an inconsistent item or marker.
    """
    if labels.items:
        return _from_items(labels)
    readings = []
    for key in sorted(labels.data):
        value, _, listed = reading_text(labels.data[key]).partition("|")
        nodes = _nodes(listed)
        try:
            hidden, marked = truncation(listed)
        except RecipeError as err:
            raise _invalid(f"label reading {go_quote(key)}", err) from None
        readings.append(LabelReading(key, value, nodes, len(nodes) + hidden, marked, key))
    return sorted(readings, key=lambda reading: (reading.key, reading.value))


def _from_items(labels: Subtype) -> list[LabelReading]:
    keys = []
    for index, item in enumerate(labels.items):
        key = item.context.get("key", "")
        if not key:
            raise _invalid(f'topology item {index}: missing required context field "key"')
        keys.append(key)
    per_key = Counter(keys)
    raw_keys = [
        f"{key}.{item.context.get('value', '')}" if per_key[key] > 1 else key
        for key, item in zip(keys, labels.items, strict=True)
    ]
    folds = Counter(raw_keys)
    readings = []
    for index, (key, raw_key, item) in enumerate(zip(keys, raw_keys, labels.items, strict=True)):
        nodes, count, truncated = _item_nodes(item, index, labels, raw_key, folds)
        readings.append(LabelReading(key, item.context.get("value", ""), nodes, count, truncated, raw_key))
    return readings


def _item_nodes(
    item: Item, index: int, labels: Subtype, raw_key: str, folds: Counter[str]
) -> tuple[tuple[str, ...], int, bool]:
    listed = _node_list(item, index, labels, raw_key, folds)
    nodes = _nodes(listed)
    try:
        hidden, marked = truncation(listed)
    except RecipeError as err:
        raise _invalid(f"topology item {index}", err) from None
    count = _item_int(item, "node-count", index)
    truncated = item.data.get("truncated")
    if "truncated" not in item.data:
        raise _invalid(f'topology item {index}: missing required data field "truncated"')
    if not isinstance(truncated, bool):
        raise _invalid(f'topology item {index}: data field "truncated" is not a boolean')
    if marked != truncated:
        carries = "carries" if marked else "does not carry"
        message = f'topology item {index}: "truncated" is {str(truncated).lower()} but the node list {carries} the truncation marker'
        raise _invalid(message)
    if count != len(nodes) + hidden:
        message = f'topology item {index}: "node-count" is {count} but the node list names {len(nodes)} and withholds {hidden}'
        raise _invalid(message)
    return nodes, count, truncated


def _item_int(item: Item, field: str, index: int) -> int:
    if field not in item.data:
        raise _invalid(f"topology item {index}: missing required data field {go_quote(field)}")
    value = item.data[field]
    if isinstance(value, float) and value.is_integer() and abs(value) < 2.0**63:
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not -_INT64 <= value < _INT64:
        raise _invalid(f"topology item {index}: data field {go_quote(field)} is not an integer")
    if value < 0:
        raise _invalid(f"topology item {index}: data field {go_quote(field)} is negative ({value})")
    return value


def _node_list(item: Item, index: int, labels: Subtype, raw_key: str, folds: Counter[str]) -> str:
    """Upstream `resolveNodeList`: the inline list, or the node part of the `data` entry the item references."""
    has_list = "node-list" in item.data
    has_ref = "node-list-ref" in item.data
    ref = item.data.get("node-list-ref")
    if has_ref and (not isinstance(ref, str) or not ref):
        raise _invalid(f'topology item {index}: data field "node-list-ref" is not a non-empty string')
    if has_list and has_ref:
        message = f'topology item {index}: carries both "node-list" and "node-list-ref"; membership has one source'
        raise _invalid(message)
    if not has_list and not has_ref:
        raise _invalid(f'topology item {index}: carries neither "node-list" nor "node-list-ref"')
    if has_list:
        inline = item.data["node-list"]
        if not isinstance(inline, str):
            raise _invalid(f'topology item {index}: data field "node-list" is not a string')
        return inline
    assert isinstance(ref, str)
    if ref != raw_key:
        message = f'topology item {index}: "node-list-ref" names {go_quote(ref)} but this reading folds onto {go_quote(raw_key)}'
        raise _invalid(message)
    if folds[ref] != 1:
        message = f"topology item {index}: {folds[ref]} readings fold onto {go_quote(ref)}, so it cannot be referenced"
        raise _invalid(message)
    if ref not in labels.data:
        raise _invalid(f'topology item {index}: "node-list-ref" {go_quote(ref)} names no data entry')
    return reading_text(labels.data[ref]).split("|")[-1]
