"""Plain data from a composed YAML node graph: upstream's scalar types, shared aliases, repeated keys, positions.

See `_yaml` (the reader) for what the data holds and why.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

import yaml

from ._errors import Location, RecipeLoadError
from ._scalars import (
    BINARY,
    FLOAT,
    INT,
    MERGE,
    NULL,
    NULL_TAG,
    NULLS,
    PLAIN_TAG,
    STR,
    YAML11_FIRST,
    AnyKeyMap,
    BinaryError,
    TypedText,
    looks_versioned,
    resolve,
    resolve_node,
    yaml11_reading,
)
from ._yaml_errors import duplicate_key

if TYPE_CHECKING:
    from ._source_map import KeyPath, SourceMap

__all__ = ["ANY", "BINARY_HINT", "FREEFORM_KEYS", "MAX_DEPTH", "OVERRIDES", "STR_TAG", "TYPED", "Builder"]

#: Deepest nesting accepted; upstream catalogs stay below 15.
MAX_DEPTH: Final = 100
#: Scalars at least this long are tracked as aliases; shorter ones cannot amplify much.
_TRACKED_SCALAR: Final = 256
#: Key under which values are free-form (Helm values) rather than typed fields.
FREEFORM_KEYS: Final = frozenset({"overrides"})
BINARY_HINT: Final = "a `!!binary` value is base64 text"
# How a node is decoded upstream: into a typed Go field, as the `map[string]any` of an `overrides`
# key itself, or as an `interface{}` inside one.
TYPED: Final = 0
OVERRIDES: Final = 1
ANY: Final = 2

STR_TAG: Final = "tag:yaml.org,2002:str"
_MERGE_TAG: Final = "tag:yaml.org,2002:merge"


class Builder:
    """Turns a composed node graph into plain data while filling a `SourceMap`."""

    def __init__(
        self, source: SourceMap, *, defer_binary: bool = False, record: bool = True, shared: bool = True
    ) -> None:
        self.source = source
        #: Where positions are recorded (none when the source map reads them again on demand).
        self.values: dict[KeyPath, tuple[int, int]] | None = source.values if record else None
        self.keys: dict[KeyPath, tuple[int, int]] | None = source.keys if record else None
        #: Whether a node may be met twice (an alias): if not, nothing is tracked by node.
        self.shared = shared
        # A plain text scalar of a typed field is taken where it stands, without a call, when there
        # is neither a position to record nor an alias to count: building upstream's catalog then
        # takes 3.8 ms instead of 5.6 ms (best of 15, CPU).
        self.inline = not record and not shared
        self.retyped: dict[KeyPath, tuple[str, str]] = {}
        self.aliases: set[KeyPath] = set()
        self.defer_binary = defer_binary
        self.bad_binary: list[tuple[KeyPath, Location]] = []
        self.duplicates: dict[KeyPath, list[tuple[str, Location, int]]] = {}
        self.anchors: dict[KeyPath, KeyPath] = {}
        self._first: dict[int, KeyPath] = {}  # where each collection was first built
        # Collections built, by node and decoding (an anchor may be aliased under `overrides`,
        # where its scalars resolve, and elsewhere, where they keep their text).
        self._built: dict[tuple[int, int], Any] = {}
        self._done: set[int] = set()  # the nodes of `_built`
        self._open: set[int] = set()  # collections being built: an alias to one is a cycle
        self._scalars: set[int] = set()  # long scalars seen: a second sight is an alias

    def build(self, node: yaml.Node, path: KeyPath, *, freeform: int, merged: bool = False) -> Any:
        # The hot loop of loading: one call per node of every file, so it avoids helper calls.
        if len(path) > MAX_DEPTH:
            self._refuse(node, f"nests deeper than {MAX_DEPTH} levels", "flatten the document")
        if self.values is not None:
            mark = node.start_mark
            self.values[path] = (mark.line + 1, mark.column + 1)
        if isinstance(node, yaml.ScalarNode):
            if len(node.value) >= _TRACKED_SCALAR:
                self._count_scalar(node, path)
            if freeform:
                return self._freeform_scalar(node, path)
            return self._typed_scalar(node, path)
        if not self.shared:
            if isinstance(node, yaml.MappingNode):
                return self._mapping(node, path, freeform=freeform)
            return self._sequence(node, path, freeform=freeform)
        identity = id(node)
        if identity in self._open:
            # yaml.v3 refuses this too ("anchor ... value contains itself"); expanding it never ends.
            self._refuse(node, "has an anchor whose value contains an alias to itself", "remove the recursive alias")
        if identity in self._done:
            # An alias of a collection: shared, not copied; what it adds is counted where decoded.
            if not merged:
                self.aliases.add(path)
            done = self._built.get((identity, freeform))
            if done is not None:
                self.anchors[path] = self._first[identity]
                return done
        self._first.setdefault(identity, path)
        self._open.add(identity)
        if isinstance(node, yaml.MappingNode):
            built: Any = self._mapping(node, path, freeform=freeform)
        else:
            built = self._sequence(node, path, freeform=freeform)
        self._open.discard(identity)
        self._built[identity, freeform] = built
        self._done.add(identity)
        return built

    def _count_scalar(self, node: yaml.ScalarNode, path: KeyPath) -> None:
        identity = id(node)
        if identity in self._scalars:
            self.aliases.add(path)
        else:
            self._scalars.add(identity)

    def _freeform_scalar(self, node: yaml.ScalarNode, path: KeyPath) -> Any:
        tag, value = self._resolve(node, path)
        numeric = tag in (INT, FLOAT)
        if node.tag == PLAIN_TAG and numeric and looks_versioned(node.value) and str(value) != node.value:
            self.retyped[path] = (node.value, f"the number {value!r}")
        return value

    def _resolve(self, node: yaml.ScalarNode, path: KeyPath | None = None) -> tuple[str, Any]:
        """The scalar's short tag and value; a bad `!!binary` value is deferred (at *path*) or fails."""
        if node.tag == PLAIN_TAG:  # no rule of `resolve` applies to most plain text (every key under `overrides`)
            text = node.value
            if text not in NULLS and text[0] not in YAML11_FIRST and text != "<<":
                return STR, text
        try:
            return resolve_node(node)
        except BinaryError as err:
            location = Location(self.source.path, node.start_mark.line + 1, node.start_mark.column + 1)
            if path is None or not self.defer_binary:
                raise RecipeLoadError(
                    f"failed to parse {self.source.path}: {err}", location=location, hint=BINARY_HINT
                ) from None
            self.bad_binary.append((path, location))
            return STR, str(node.value)

    def _refuse(self, node: yaml.Node, what: str, hint: str) -> None:
        raise RecipeLoadError(
            f"document {self.source.path} {what}",
            location=Location(self.source.path, node.start_mark.line + 1, node.start_mark.column + 1),
            hint=hint,
        )

    def _typed_scalar(self, node: yaml.ScalarNode, path: KeyPath) -> str | None:
        # Upstream decodes typed fields with yaml.v3: a null leaves the Go zero value, a string
        # field takes the scalar's source text (a `!!binary` one its bytes), and an int or bool
        # field takes the resolved value if its type fits: the text keeps the resolution along.
        tag, text = node.tag, node.value
        if tag == PLAIN_TAG:
            if text in NULLS:
                return None
            if text[0] not in YAML11_FIRST:  # every other plain scalar is a string to every reader
                return str(text)
            short, value = resolve("", text)  # a plain scalar is never `!!binary`: nothing to defer
            other = yaml11_reading(text, (short, value))
            if other is not None:
                self.retyped[path] = (text, other)
        elif tag == STR_TAG:
            return str(text)
        elif tag == NULL_TAG:
            return None
        else:
            short, value = self._resolve(node, path)
        if short == STR:
            return str(text)
        if short == BINARY:
            return str(value)
        if short == NULL:
            return None
        return TypedText(text, short, value)

    def _sequence(self, node: yaml.Node, path: KeyPath, *, freeform: int) -> list[Any]:
        inner = ANY if freeform else TYPED
        out: list[Any] = []
        for index, item in enumerate(node.value):
            if self.inline and not inner and item.tag == PLAIN_TAG:  # see `inline`
                text = item.value
                if text not in NULLS and text[0] not in YAML11_FIRST:
                    out.append(text)
                    continue
            out.append(self.build(item, (*path, index), freeform=inner))
        return out

    def _mapping(self, node: yaml.MappingNode, path: KeyPath, *, freeform: int) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        merged: dict[Any, Any] = {}
        first: dict[str, yaml.Node] = {}  # each key's first node (not `out`: a `<<` merge may set it)
        keys = self.keys
        typed_keys = freeform == ANY and not self._string_keys(node)
        inline = self.inline and not freeform
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG or (key_node.tag == PLAIN_TAG and key_node.value == "<<"):
                self._merge_into(merged, value_node, path, freeform=freeform)
                continue
            key = self._key(key_node)
            if key in first:
                self._repeated(key_node, key, first[key], path)
                continue
            first[key] = key_node
            if inline and value_node.tag == PLAIN_TAG and key not in FREEFORM_KEYS:  # see `inline`
                text = value_node.value
                if text not in NULLS and text[0] not in YAML11_FIRST:
                    out[key] = text
                    continue
            child = (*path, key)
            if keys is not None:
                keys[child] = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            inner = ANY if freeform else (OVERRIDES if key in FREEFORM_KEYS else TYPED)
            value = self.build(value_node, child, freeform=inner)
            out[self._resolve(key_node)[1] if typed_keys else key] = value
        if merged:
            out = {**{k: v for k, v in merged.items() if k not in out}, **out}
        return AnyKeyMap(out) if typed_keys else out

    def _repeated(self, node: yaml.Node, key: str, first: yaml.Node, path: KeyPath) -> None:
        """A key repeated in the mapping at *path*: deferred (see `YamlDocument.duplicates`), or refused."""
        line, column, first_line = node.start_mark.line + 1, node.start_mark.column + 1, first.start_mark.line + 1
        if not self.defer_binary:
            raise duplicate_key(self.source.path, key, line, column, first_line=first_line)
        repeat = (node.value, Location(self.source.path, line, column), first_line)
        self.duplicates.setdefault(path, []).append(repeat)

    def _string_keys(self, node: yaml.MappingNode) -> bool:
        """yaml.v3's `isStringMap`: every key is a string (or `<<`), so the map is `map[string]any`."""
        for key_node, _ in node.value:
            if not isinstance(key_node, yaml.ScalarNode) or self._resolve(key_node)[0] not in (STR, MERGE):
                return False
        return True

    def _merge_into(self, merged: dict[Any, Any], node: yaml.Node, path: KeyPath, *, freeform: int) -> None:
        sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
        for source in sources:
            value = self.build(source, path, freeform=freeform, merged=True)
            if not isinstance(value, dict):
                raise RecipeLoadError(
                    "map merge requires a mapping or a list of mappings",
                    location=Location(self.source.path, source.start_mark.line + 1, source.start_mark.column + 1),
                    hint="point `<<:` at an anchored mapping (`<<: *defaults`)",
                )
            for key, item in value.items():
                merged.setdefault(key, item)

    def _key(self, node: yaml.Node) -> str:
        if not isinstance(node, yaml.ScalarNode):
            raise RecipeLoadError(
                "mapping keys must be scalars",
                location=Location(self.source.path, node.start_mark.line + 1, node.start_mark.column + 1),
                hint="use a plain string as the key",
            )
        if node.tag in (PLAIN_TAG, NULL_TAG) and node.value in NULLS:
            return ""
        return str(node.value)
