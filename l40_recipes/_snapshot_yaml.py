"""A YAML snapshot decoded as yaml.v3 decodes it into upstream's snapshot types.

The decoder walks the composed nodes with the Go type each one lands in: a wrong shape is a type
error naming the node's line and the Go type (`line 3: cannot unmarshal !!int `5` into
[]*measurement.Measurement`), collected and reported together, as yaml.v3 does; a subtype or item
is decoded by upstream's own unmarshaler into an anonymous struct, whose failure stops the decoding
at once, wrapped in upstream's words. A reading is decoded into `interface{}` (see `_go_values`).
The result is plain data shaped like the JSON document (`kind`, `apiVersion`, `measurements`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, TypeAlias

import yaml

from ._go_text import go_quote
from ._go_values import GoMap, go_key, go_percent_v, parse_go_timestamp
from ._scalars import BINARY, MERGE, NULL, STR, TIMESTAMP, BinaryError, resolve_node, short_tag

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["SnapshotYamlError", "decode_snapshot_yaml"]

_SUBTYPE: Final = (
    'struct { Name string "yaml:\\"subtype\\""; Data map[string]interface {} "yaml:\\"data\\""; '
    'Context map[string]string "yaml:\\"context\\""; Items []measurement.ItemEntry "yaml:\\"items\\"" }'
)
_ITEM: Final = (
    'struct { Context map[string]string "yaml:\\"context\\""; Data map[string]interface {} "yaml:\\"data\\"" }'
)
_STR_STYLES: Final = frozenset({"'", '"', "|", ">"})


class SnapshotYamlError(Exception):
    """What yaml.v3 returns for the document: the text after `failed to decode YAML: `."""


class _Fail(Exception):
    """A failure that stops yaml.v3 at once (its `fail`), carrying the error's text."""


class _NotReproduced(Exception):
    """A decoding whose outcome is not reproduced (the reason)."""


_Decode: TypeAlias = "Callable[[_Decoder, yaml.Node], tuple[bool, Any]]"


class _Decoder:
    """One yaml.v3 decoder: its type errors and alias accounting (`Node.Decode` starts a new one)."""

    def __init__(self) -> None:
        self.terrors: list[str] = []
        self.seen: set[int] = set()
        self.alias_depth = 0
        self.decode_count = 0
        self.alias_count = 0

    def enter(self, node: yaml.Node) -> bool:
        """Count one decode; whether *node* was met before (an alias, which yaml.v3 counts apart)."""
        self.decode_count += 1
        again = id(node) in self.seen
        self.seen.add(id(node))
        if self.alias_depth > 0 or again:
            self.alias_count += 1
        if self.alias_count > 100 and self.decode_count > 1000:
            ratio = self.alias_count / self.decode_count
            if ratio > _allowed_alias_ratio(self.decode_count):
                raise _Fail("yaml: document contains excessive aliasing")
        return again

    def terror(self, node: yaml.Node, go_type: str) -> None:
        if isinstance(node, yaml.ScalarNode):
            value = str(node.value)
            raw = value.encode("utf-8", "surrogatepass")
            text = raw[:7].decode("utf-8", "replace") + "..." if len(raw) > 10 else value
            shown = f"{_tag(node)} `{text}`"
        else:
            shown = "!!map" if isinstance(node, yaml.MappingNode) else "!!seq"
        self.terrors.append(f"line {node.start_mark.line + 1}: cannot unmarshal {shown} into {go_type}")


def _allowed_alias_ratio(count: int) -> float:
    low, high = 400_000, 4_000_000
    if count <= low:
        return 0.99
    if count >= high:
        return 0.10
    return 0.99 - 0.89 * ((count - low) / (high - low))


def _tag(node: yaml.ScalarNode) -> str:
    """The node's tag as yaml.v3 records it: explicit, `!!str` when quoted, else the resolved one."""
    return _resolved(node)[0]


def _resolved(node: yaml.ScalarNode) -> tuple[str, Any]:
    if short_tag(node.tag) == STR and node.style in _STR_STYLES:
        return STR, str(node.value)
    try:
        tag, value = resolve_node(node)
    except BinaryError as err:
        raise _Fail(f"yaml: {err}") from None
    if tag == STR and not short_tag(node.tag):
        stamp = parse_go_timestamp(str(node.value))
        if stamp is not None:  # a year Python's datetime cannot hold
            return TIMESTAMP, stamp
    if tag == TIMESTAMP:
        value = parse_go_timestamp(str(node.value))
    return tag, value


def _is_null(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and _tag(node) == NULL


def _is_merge(node: yaml.Node) -> bool:
    return isinstance(node, yaml.ScalarNode) and node.value == "<<" and _tag(node) in (MERGE, "!", "")


def _string(decoder: _Decoder, node: yaml.Node, go_type: str = "string") -> tuple[bool, Any]:
    """A Go string field: any scalar's text (a `!!binary` one's bytes); null leaves it unset."""
    if not isinstance(node, yaml.ScalarNode):
        decoder.terror(node, go_type)
        return False, None
    tag, value = _resolved(node)
    if tag == NULL:
        return False, None
    return True, value if tag == BINARY else str(node.value)


def _int(decoder: _Decoder, node: yaml.Node) -> tuple[bool, Any]:
    if isinstance(node, yaml.ScalarNode):
        tag, value = _resolved(node)
        if tag == NULL:
            return False, None
        if not isinstance(value, bool) and isinstance(value, int | float) and value <= 2**63 - 1:
            return True, int(value)
    decoder.terror(node, "int")
    return False, None


def _any(decoder: _Decoder, node: yaml.Node) -> tuple[bool, Any]:
    """An `interface{}`: the resolved scalar, `[]interface{}`, or a string- or any-keyed map."""
    again = decoder.enter(node)
    decoder.alias_depth += again
    try:
        if isinstance(node, yaml.ScalarNode):
            return True, _resolved(node)[1]
        if isinstance(node, yaml.SequenceNode):
            return True, [value for good, value in (_any(decoder, item) for item in node.value) if good]
        string_keys = all(isinstance(key, yaml.ScalarNode) and _tag(key) in (STR, MERGE) for key, _ in node.value)
        if string_keys:
            return _map(decoder, node, _string, lambda _: _any)
        return _map(decoder, node, _any_key, lambda _: _any, GoMap())
    finally:
        decoder.alias_depth -= again


def _any_key(decoder: _Decoder, node: yaml.Node) -> tuple[bool, Any]:
    good, value = _any(decoder, node)
    if isinstance(value, list | dict):
        raise _NotReproduced("a reading's map has a key that is a list or a map (yaml.v3's `%#v` of it)")
    return good, go_key(value)


def _duplicates(decoder: _Decoder, node: yaml.Node) -> bool:
    """yaml.v3's unique-key check: two keys of one kind with the same text (`1` and `"1"` too)."""
    count = len(decoder.terrors)
    pairs = [(key, key.value if isinstance(key, yaml.ScalarNode) else "") for key, _ in node.value]
    for index, (first, text) in enumerate(pairs):
        for later, other in pairs[index + 1 :]:
            if type(first) is type(later) and text == other:
                line, was = later.start_mark.line + 1, first.start_mark.line + 1
                decoder.terrors.append(f"line {line}: mapping key {go_quote(str(other))} already defined at line {was}")
    return len(decoder.terrors) > count


def _map(
    decoder: _Decoder,
    node: yaml.Node,
    key_decode: _Decode,
    value_for: Callable[[Any], _Decode],
    out: dict[Any, Any] | None = None,
) -> tuple[bool, Any]:
    """A mapping into a map or a struct: keys in order, a `<<` merge filling what the mapping leaves unset."""
    result: dict[Any, Any] = {} if out is None else out
    if _duplicates(decoder, node):
        return False, None
    merge = None
    for key_node, value_node in node.value:
        if _is_merge(key_node):
            merge = value_node
            continue
        good, key = key_decode(decoder, key_node)
        if not good:
            continue
        good, value = value_for(key)(decoder, value_node)
        if good or _is_null(value_node):
            result[key] = value
    if merge is not None:
        for source in _merge_sources(merge):
            _, extra = _map(decoder, source, key_decode, value_for, type(result)())
            for key, value in (extra or {}).items():
                result.setdefault(key, value)
    return True, result


def _merge_sources(node: yaml.Node) -> list[yaml.MappingNode]:
    sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
    if not all(isinstance(source, yaml.MappingNode) for source in sources):
        raise _Fail("yaml: map merge requires map or sequence of maps as the value")
    return list(sources)


def _collection(kind: type[yaml.Node], go_type: str, body: Callable[[_Decoder, Any], tuple[bool, Any]]) -> _Decode:
    """A Go map, struct or slice: null leaves it unset, another shape is a type error."""

    def decode(decoder: _Decoder, node: yaml.Node) -> tuple[bool, Any]:
        decoder.enter(node)
        if isinstance(node, kind):
            return body(decoder, node)
        if not _is_null(node):
            decoder.terror(node, go_type)
        return False, None

    return decode


def _typed_map(value_decode: _Decode, go_type: str) -> _Decode:
    return _collection(yaml.MappingNode, go_type, lambda d, n: _map(d, n, _string, lambda _: value_decode))


def _struct(fields: dict[str, _Decode], go_type: str) -> _Decode:
    def name(decoder: _Decoder, node: yaml.Node) -> tuple[bool, Any]:
        good, text = _string(decoder, node)
        return good and text in fields, text

    return _collection(yaml.MappingNode, go_type, lambda d, n: _map(d, n, name, fields.__getitem__))


def _slice(element: _Decode, go_type: str) -> _Decode:
    def body(decoder: _Decoder, node: yaml.SequenceNode) -> tuple[bool, Any]:
        decoded = (element(decoder, item) for item in node.value)
        return True, [value for good, value in decoded if good]  # an element that fails is left out

    return _collection(yaml.SequenceNode, go_type, body)


def _pointer(target: _Decode) -> _Decode:
    """A `*T` element: null is a nil pointer, kept."""
    return lambda decoder, node: (True, None) if _is_null(node) else target(decoder, node)


def _named_string(go_type: str) -> _Decode:
    return lambda decoder, node: _string(decoder, node, go_type)


def _type_error(terrors: list[str]) -> str:
    return "yaml: unmarshal errors:\n  " + "\n  ".join(terrors)


def _unmarshaler(body: _Decode, what: str) -> _Decode:
    """Upstream's `UnmarshalYAML`: a fresh decoder into an anonymous struct; any failure stops everything."""

    def decode(outer: _Decoder, node: yaml.Node) -> tuple[bool, Any]:
        del outer  # upstream's unmarshaler decodes with a decoder of its own
        if _is_null(node):
            return False, None  # a null struct element is left out
        inner = _Decoder()
        try:
            _, value = body(inner, node)
        except _Fail as err:
            raise _Fail(f"[INVALID_REQUEST] failed to decode {what} YAML: {err}") from None
        if inner.terrors:
            raise _Fail(f"[INVALID_REQUEST] failed to decode {what} YAML: {_type_error(inner.terrors)}")
        value = dict(value or {})
        if isinstance(value.get("data"), dict):
            value["data"] = {key: _to_reading(item) for key, item in value["data"].items()}
        return True, value

    return decode


def _to_reading(value: Any) -> Any:
    """Upstream's `ToReading`: a bool, number or string as it is, anything else its `%v` text."""
    if isinstance(value, bool | int | float | str):
        return value
    return go_percent_v(value)


_STRINGS: Final = _typed_map(_string, "map[string]string")
_READINGS: Final = _typed_map(_any, "map[string]interface {}")
_ITEM_DECODE: Final = _unmarshaler(_struct({"context": _STRINGS, "data": _READINGS}, _ITEM), "item entry")
_SUBTYPE_DECODE: Final = _unmarshaler(
    _struct(
        {
            "subtype": _string,
            "data": _READINGS,
            "context": _STRINGS,
            "items": _slice(_ITEM_DECODE, "[]measurement.ItemEntry"),
        },
        _SUBTYPE,
    ),
    "subtype",
)
_MEASUREMENT: Final = _struct(
    {"type": _named_string("measurement.Type"), "subtypes": _slice(_SUBTYPE_DECODE, "[]measurement.Subtype")},
    "measurement.Measurement",
)


def _dimension(go_type: str, fields: tuple[str, ...], value: _Decode = _string) -> _Decode:
    return _struct({"value": value, **dict.fromkeys(fields, _string)}, go_type)


_FINGERPRINT: Final = _struct(
    {
        **dict.fromkeys(
            ("service", "accelerator", "gpuModel", "k8sVersion", "region"),
            _dimension("fingerprint.Dimension", ("source", "note")),
        ),
        "os": _dimension("fingerprint.OSDimension", ("version", "source")),
        **dict.fromkeys(("nodeCount", "gpuNodeCount"), _dimension("fingerprint.IntDimension", ("source",), _int)),
    },
    "fingerprint.Fingerprint",
)
_SNAPSHOT: Final = _struct(
    {
        "kind": _named_string("header.Kind"),
        "apiVersion": _string,
        "metadata": _STRINGS,
        "fingerprint": _pointer(_FINGERPRINT),
        "measurements": _slice(_pointer(_MEASUREMENT), "[]*measurement.Measurement"),
    },
    "snapshotter.Snapshot",
)


def decode_snapshot_yaml(root: yaml.Node) -> tuple[dict[str, Any] | None, str | None]:
    """The document as upstream reads it (`kind`, `apiVersion`, `measurements`), or None and why not reproduced.

    Raises:
        SnapshotYamlError: yaml.v3's (or upstream's unmarshaler's) error for the document.
    """
    decoder = _Decoder()
    try:
        _, document = _SNAPSHOT(decoder, root)
    except _Fail as err:
        raise SnapshotYamlError(str(err)) from None
    except _NotReproduced as err:
        return None, str(err)
    if decoder.terrors:
        raise SnapshotYamlError(_type_error(decoder.terrors))
    document = document or {}
    return {key: document.get(key) for key in ("kind", "apiVersion", "measurements")}, None
