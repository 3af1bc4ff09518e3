"""The `NodeTopology.gpu-nodes.label` constraint: a label every GPU node carries, or none does (upstream `gpu_nodes.go`).

Its value is `key=value` (every GPU node carries the label with that value) or `!key` (no GPU node
carries the key). GPU nodes are those labelled `cloud.google.com/gke-accelerator`. Node sets come
from the snapshot's topology labels; a truncated or malformed node list, or one node under two
values of a key, is an error (the snapshot cannot answer), and no topology labels or no GPU nodes
is `NOT_FOUND`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from ._errors import ErrorCode, RecipeError
from ._go_text import go_quote
from ._snapshot import reading_text
from ._topology_labels import label_readings

if TYPE_CHECKING:
    from ._snapshot import Snapshot, Subtype

__all__ = ["evaluate_gpu_nodes_label"]

_UNIVERSE: Final = "cloud.google.com/gke-accelerator"
_MAX_REPORTED: Final = 5
_NAME: Final = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]\Z")
_SUBDOMAIN: Final = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*\Z")
_REGENERATE: Final = "regenerate the snapshot with a current aicr build"
_TRUNCATED_HINT: Final = (
    "is truncated — node-set constraints cannot be evaluated on a partial node list; "
    "regenerate the snapshot without --max-nodes-per-entry"
)


@dataclass(frozen=True, slots=True)
class _NodeSet:
    value: str
    nodes: tuple[str, ...]
    raw: str
    truncated: bool = False


def _invalid(message: str, cause: RecipeError | None = None) -> RecipeError:
    return RecipeError(message, code=ErrorCode.INVALID_REQUEST, cause=cause)


def _subdomain(text: str) -> bool:
    """Kubernetes' `IsDNS1123Subdomain` (no error messages needed: only whether it holds)."""
    return len(text) <= 253 and _SUBDOMAIN.match(text) is not None


def _label_key(key: str) -> bool:
    """Kubernetes' `IsQualifiedName`: an optional DNS subdomain prefix and `/`, then a name of at most 63."""
    parts = key.split("/")
    if len(parts) > 2 or (len(parts) == 2 and not (parts[0] and _subdomain(parts[0]))):
        return False
    name = parts[-1]
    return 0 < len(name) <= 63 and _NAME.match(name) is not None


def _label_value(value: str) -> bool:
    return len(value) <= 63 and (value == "" or _NAME.match(value) is not None)


def _parse(raw: str) -> tuple[str, str, bool]:
    text = raw.strip()
    if text.startswith("!"):
        key = text[1:].strip()
        if not _label_key(key):
            raise _invalid(
                'invalid node-set constraint value: negated form is "!<label-key>" with a valid label key and no value'
            )
        return key, "", True
    key, equals, want = text.partition("=")
    if not equals:
        raise _invalid('invalid node-set constraint value: expected "<label-key>=<value>" or "!<label-key>"')
    if not _label_key(key) or not _label_value(want):
        raise _invalid("invalid node-set constraint value: label key or value is not valid")
    return key, want, False


def evaluate_gpu_nodes_label(value: str, snapshot: Snapshot) -> tuple[bool, str, RecipeError | None]:
    """Whether the constraint holds, the reading upstream reports, and the error (NOT_FOUND or fatal), if any."""
    try:
        key, want, negated = _parse(value)
    except RecipeError as err:
        return False, "", err
    topology = next((m for m in snapshot.measurements if m is not None and m.type == "NodeTopology"), None)
    labels = topology.subtype("label") if topology is not None else None
    if labels is None:
        message = (
            "snapshot carries no NodeTopology label readings — re-capture with a current aicr build "
            "and verify the snapshot agent can list nodes"
        )
        return False, "", RecipeError(message, code=ErrorCode.NOT_FOUND)
    try:
        universe = {node for entry in _entries(labels, _UNIVERSE) for node in entry.nodes}
        if not universe:
            message = (
                f'GPU-node universe is empty: snapshot has no "{_UNIVERSE}" label readings — '
                "the constraint cannot be evaluated on a cluster without identifiable GPU nodes"
            )
            return False, "", RecipeError(message, code=ErrorCode.NOT_FOUND)
        targets = _entries(labels, key)
    except RecipeError as err:
        return False, "", err
    if negated:
        offenders = sorted({node for entry in targets for node in entry.nodes if node in universe})
        if not offenders:
            return True, f"none of {len(universe)} GPU node(s) carry label {key}", None
        return False, f"{len(offenders)} of {len(universe)} GPU node(s) carry label {key}: {_summary(offenders)}", None
    matched = {node for entry in targets if entry.value == want for node in entry.nodes}
    missing = sorted(node for node in universe if node not in matched)
    if not missing:
        return True, f"all {len(universe)} GPU node(s) carry {key}={want}", None
    return False, f"{len(missing)} of {len(universe)} GPU node(s) missing {key}={want}: {_summary(missing)}", None


def _summary(nodes: list[str]) -> str:
    if len(nodes) <= _MAX_REPORTED:
        return ",".join(nodes)
    return ",".join(nodes[:_MAX_REPORTED]) + f" (+{len(nodes) - _MAX_REPORTED} more)"


def _entries(labels: Subtype, key: str) -> list[_NodeSet]:
    return _from_items(labels, key) if labels.items else _from_data(labels, key)


def _valid_nodes(nodes: tuple[str, ...]) -> bool:
    return bool(nodes) and all(_subdomain(node) for node in nodes)


def _from_items(labels: Subtype, key: str) -> list[_NodeSet]:
    try:
        readings = label_readings(labels)
    except RecipeError as err:
        raise _invalid("failed to decode NodeTopology label readings", err) from None
    entries = []
    for reading in readings:
        if reading.key != key:
            continue
        if reading.truncated:
            raise _invalid(f"label reading {go_quote(reading.raw_key)} {_TRUNCATED_HINT}")
        if not _valid_nodes(reading.nodes):
            shown = "[" + " ".join(reading.nodes) + "]"
            message = (
                f"label reading {go_quote(reading.raw_key)} is malformed (nodes {shown}) — expected canonical node "
                f"names; {_REGENERATE}"
            )
            raise _invalid(message)
        entries.append(_NodeSet(reading.value, reading.nodes, reading.raw_key))
    seen: dict[str, str] = {}
    for entry in entries:
        for node in entry.nodes:
            previous = seen.get(node)
            if previous is not None and previous != entry.value:
                message = (
                    f"label readings for {go_quote(key)} are inconsistent: node {go_quote(node)} appears under both "
                    f"value {go_quote(previous)} and value {go_quote(entry.value)}, but a node carries exactly one "
                    f"value per label key — the snapshot is corrupt or hand-edited; {_REGENERATE}"
                )
                raise _invalid(message)
            seen[node] = entry.value
    return entries


def _from_data(labels: Subtype, key: str) -> list[_NodeSet]:
    prefix = key + "."
    plain: list[_NodeSet] = []
    prefixed: list[_NodeSet] = []
    for stored in sorted(labels.data):  # upstream walks a Go map; sorted is one of its orders
        if stored != key and not stored.startswith(prefix):
            continue
        raw = reading_text(labels.data[stored])
        value, bar, listed = raw.partition("|")
        if stored != key and value != stored[len(prefix) :]:
            continue  # another label key sharing the dotted prefix
        truncated = re.search(r"\(\+(\d+) more\)$", listed) is not None
        nodes: tuple[str, ...] = ()
        well_formed = bool(bar) and raw.count("|") == 1
        if well_formed and not truncated:
            nodes = tuple(listed.split(",")) if listed else ()
            well_formed = _valid_nodes(nodes)
        if not well_formed:
            message = (
                f"label reading {go_quote(stored)} is malformed ({go_quote(raw)}) — expected "
                f'"<value>|<node1,node2,...>" with canonical node names; {_REGENERATE}'
            )
            raise _invalid(message)
        (plain if stored == key else prefixed).append(_NodeSet(value, nodes, stored, truncated))
    entries = plain
    if not plain and len(prefixed) == 1:
        message = (
            f"label readings for {go_quote(key)} are ambiguous: a single disambiguated-shape entry "
            f"{go_quote(prefixed[0].raw)} exists without the plain key — either a distinct label sharing the dotted "
            "name, or the remnant of an encoding collision that overwrote the key's other entries (#2003); rename "
            "the conflicting label or use a lossless snapshot encoding"
        )
        raise _invalid(message)
    if not plain and len(prefixed) >= 2:
        seen: set[str] = set()
        for entry in prefixed:
            for node in entry.nodes:
                if node in seen:
                    message = (
                        f"label readings for {go_quote(key)} are ambiguous: node {go_quote(node)} appears under two "
                        "values, so a distinct dotted label collided with the disambiguated encoding (reading "
                        f"{go_quote(entry.raw)} is one of the colliding parties); rename the conflicting label or use "
                        "a lossless snapshot encoding"
                    )
                    raise _invalid(message)
                seen.add(node)
        entries = prefixed
    for entry in entries:
        if entry.truncated:
            raise _invalid(f"label reading {go_quote(entry.raw)} {_TRUNCATED_HINT}")
    return entries
