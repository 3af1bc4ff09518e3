"""The one YAML reader of the package.

It composes a document with PyYAML's safe composer (the libyaml one when present), then builds
plain Python data from the node graph itself, so that it can:

- reject duplicate mapping keys (as upstream's yaml.v3 does) with both positions;
- share aliased collections instead of copying them, and bound nesting depth, so a "billion
  laughs" file costs the size of its text (the decoder applies yaml.v3's alias ratio);
- remember the line and column of every key and value, so any later finding or error can point
  at the exact place in the file;
- turn scalars into values the way upstream's Go decoder does. Upstream decodes typed fields
  (`version: 1.30`) into Go strings, which keep the *source text* (`"1.30"`), while free-form
  maps (`overrides`) get yaml.v3's types (`1.3`, `true`, timestamps, `!!binary` decoded; `yes`
  stays a string). So scalars keep their text everywhere except under an `overrides` key, where
  they are resolved; a typed scalar that does not resolve to a string is a `TypedText`, so that
  an int or bool field can refuse a string as yaml.v3 does (`nodes: '8'`). Under `overrides`, a
  nested mapping with a key that is not a string keeps typed keys (`{1.5: x}`), as yaml.v3
  decodes it into `map[interface{}]interface{}`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
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
    resolve_node,
    yaml11_reading,
)
from ._source_map import KeyPath, Positions, SourceMap
from ._yaml_errors import duplicate_key, encoding_error, reader_error, syntax_error

__all__ = ["KeyPath", "SourceMap", "YamlDocument", "compose_first", "parse_yaml"]

if TYPE_CHECKING:  # both loaders share SafeLoader's interface; the stubs type them apart
    _BaseLoader = yaml.CSafeLoader
else:
    _BaseLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _PlainScalarLoader(_BaseLoader):
    """The safe loader (libyaml's when present), leaving plain scalars unresolved for our own rules."""

    def resolve(self, kind: type[yaml.Node], value: Any, implicit: tuple[bool, bool]) -> str:
        # Called from libyaml for every untagged node. With no path resolvers registered, PyYAML's
        # own answer for anything but a plain scalar is the default tag of its kind.
        if kind is yaml.ScalarNode:
            return PLAIN_TAG if implicit[0] else _STR_TAG
        return _SEQ_TAG if kind is yaml.SequenceNode else _MAP_TAG


#: Deepest nesting accepted; upstream catalogs stay below 15.
MAX_DEPTH: Final = 100
#: Most nodes in one document (keys, values and items; a recipe has a few hundred). Upstream sets no
#: limit, but composing millions of nodes takes Python minutes and gigabytes: such a file is refused.
MAX_NODES: Final = 100_000
#: Most bytes of scalars that aliases may add once expanded where decoded (one big string aliased
#: many times). yaml.v3 sets no such bound, and scalar aliases alone never reach its node ratio.
MAX_ALIAS_BYTES: Final = 4 * 1024 * 1024
#: Scalars at least this long are tracked as aliases; shorter ones cannot amplify much.
_TRACKED_SCALAR: Final = 256
#: Nesting that the composer (recursive C code) may see; deeper documents are measured first.
_COMPOSE_SAFE_DEPTH: Final = 1000
#: Key under which values are free-form (Helm values) rather than typed fields.
FREEFORM_KEYS: Final = frozenset({"overrides"})
BINARY_HINT: Final = "a `!!binary` value is base64 text"
# How a node is decoded upstream: into a typed Go field, as the `map[string]any` of an `overrides`
# key itself, or as an `interface{}` inside one.
_TYPED: Final = 0
_OVERRIDES: Final = 1
_ANY: Final = 2

_STR_TAG: Final = "tag:yaml.org,2002:str"
_SEQ_TAG: Final = "tag:yaml.org,2002:seq"
_MAP_TAG: Final = "tag:yaml.org,2002:map"
_MERGE_TAG: Final = "tag:yaml.org,2002:merge"


@dataclass(frozen=True, slots=True)
class YamlDocument:
    """The first YAML document of a file, as plain data, with its source map."""

    data: Any
    source: SourceMap
    extra_documents: bool = False
    #: Scalars whose plain text a YAML 1.1 reader would turn into a non-string (`1.30`, `yes`)
    #: although the field is a string: path -> (text, what other readers make of it).
    retyped: dict[KeyPath, tuple[str, str]] = field(default_factory=dict)
    #: Where an alias stands: of a collection (outside `<<` merges), or of a scalar of at least
    #: 256 characters. A collection's value in `data` is the anchor's own object, shared, not
    #: copied, so a document costs memory by its size, not by its expansion; the decoder charges
    #: expansions where upstream decodes them (yaml.v3's alias ratio, see `_decoding`).
    aliases: frozenset[KeyPath] = frozenset()
    #: `!!binary` scalars that are not base64, in document order, when the reader was told to
    #: defer them: yaml.v3 fails only on one it decodes, and a struct does not decode an unknown key.
    bad_binary: tuple[tuple[KeyPath, Location], ...] = ()
    #: Repeated mapping keys, deferred like `bad_binary` (yaml.v3 refuses one in a mapping it
    #: decodes): the mapping's path -> (the repeat's key text, its position, the first one's line).
    duplicates: dict[KeyPath, list[tuple[str, Location, int]]] = field(default_factory=dict)
    #: Where an alias shares its anchor's built value (so nothing below it has a position of its
    #: own): the alias's path -> the anchor's, where yaml.v3 places errors in that value.
    anchors: dict[KeyPath, KeyPath] = field(default_factory=dict)


def parse_yaml(
    content: bytes | str,
    *,
    path: str,
    defer_binary: bool = False,
    freeform: bool = False,
    defer_positions: bool = False,
) -> YamlDocument:
    """Parse the first document of *content*; *path* names the file in errors.

    With *defer_binary*, a `!!binary` scalar that is not base64 is kept as its text and listed in
    `bad_binary`, and a repeated mapping key (the first value kept) in `duplicates`, for the decoder
    to judge (see `_decoding.decode`); otherwise either fails the file. *freeform* reads the whole
    document as Go reads it into a `map[string]any` (scalars resolved, as under `overrides`). With
    *defer_positions*, the source map reads the text again when first asked for a position.

    Raises:
        RecipeLoadError: the text is not YAML, a mapping repeats a key, an anchor contains itself,
            a `!!binary` scalar is not base64, or nesting is too deep. The error names
            `path:line:column`.
    """
    try:
        # A node takes at least one byte (`{a,b,...}` holds a key and a null value per two), so
        # only longer files can hold too many.
        if len(content) > MAX_NODES or _depth_bound(content) > _COMPOSE_SAFE_DEPTH:
            _measure(content, path)
        loader = _PlainScalarLoader(content)  # the pure-Python reader already decodes here
        try:
            # Like upstream's decoder, only the first document is read; of the rest, only whether
            # one starts (a profile file must not have a second document).
            first = loader.get_node() if loader.check_node() else None
            extra = first is not None and loader.check_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as err:
        raise syntax_error(err, path) from None
    except yaml.reader.ReaderError as err:
        raise reader_error(err, content, path) from None
    except UnicodeEncodeError as err:
        raise encoding_error(err, str(content), path) from None
    except yaml.YAMLError as err:  # pragma: no cover - every other error of the reader carries a mark
        raise RecipeLoadError(
            f"failed to parse {path}: {err}",
            location=Location(path),
            hint="save the file as UTF-8 text",
        ) from None
    except RecursionError:
        raise RecipeLoadError(
            f"failed to parse {path}: nesting is too deep",
            location=Location(path),
            hint=f"YAML nesting deeper than {MAX_DEPTH} levels is not a recipe; flatten the document",
        ) from None
    mode = _OVERRIDES if freeform else _TYPED
    if first is None:
        return YamlDocument(None, SourceMap(path), extra_documents=False)
    # Loading upstream's catalog for resolving, deferred positions halve the objects it allocates
    # (27,000 to 12,400), which spares the first load in a process a full garbage collection.
    source = SourceMap(path, fill=lambda: _positions(content, path, mode)) if defer_positions else SourceMap(path)
    builder = _Builder(source, defer_binary=defer_binary, record=not defer_positions)
    data = builder.build(first, (), freeform=mode)
    return YamlDocument(
        data,
        source,
        extra_documents=extra,
        retyped=builder.retyped,
        aliases=frozenset(builder.aliases),
        bad_binary=tuple(builder.bad_binary),
        duplicates=builder.duplicates,
        anchors=builder.anchors,
    )


def compose_first(content: bytes | str) -> yaml.Node | None:
    """The first document's node graph, plain scalars left untagged, for a caller that decodes nodes itself.

    Call it only on text `parse_yaml` read (or refused for a repeated key only): it adds no checks.
    """
    loader = _PlainScalarLoader(content)
    try:
        return loader.get_node() if loader.check_node() else None
    finally:
        loader.dispose()


def _positions(content: bytes | str, path: str, mode: int) -> Positions:
    """The positions of a document `parse_yaml` read with *defer_positions*: read again, the same way."""
    node = compose_first(content)
    source = SourceMap(path)
    if node is not None:
        _Builder(source, defer_binary=True).build(node, (), freeform=mode)
    return source.values, source.keys


def _depth_bound(content: bytes | str) -> int:
    """A cheap upper bound of the document's nesting depth.

    Every flow level needs a `[` or `{`; block levels need indentation or indicators, at least
    one column per two levels, so they are bounded by twice the longest line.
    """
    if len(content) <= _COMPOSE_SAFE_DEPTH:
        return len(content)
    if isinstance(content, bytes):
        flow = content.count(b"[") + content.count(b"{")
        longest = max(map(len, content.split(b"\n")))
    else:
        flow = content.count("[") + content.count("{")
        longest = max(map(len, content.split("\n")))
    return flow + 2 * (longest + 1)


def _measure(content: bytes | str, path: str) -> None:
    """Refuse a first document nested deeper than `MAX_DEPTH` or larger than `MAX_NODES`.

    Reads events only: no recursion, and no node is kept.
    """
    loader = _PlainScalarLoader(content)
    try:
        depth = nodes = 0
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, (yaml.ScalarEvent, yaml.CollectionStartEvent)):
                nodes += 1
                if nodes > MAX_NODES:
                    _refuse_event(event, path, f"has more than {MAX_NODES:,} nodes", "split the document")
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    _refuse_event(event, path, f"nests deeper than {MAX_DEPTH} levels", "flatten the document")
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
            elif isinstance(event, yaml.DocumentEndEvent):
                return
    finally:
        loader.dispose()


def _refuse_event(event: yaml.Event, path: str, what: str, hint: str) -> None:
    mark = event.start_mark
    raise RecipeLoadError(
        f"document {path} {what}",
        location=Location(path, mark.line + 1, mark.column + 1) if mark else Location(path),
        hint=hint,
    )


class _Builder:
    """Turns a composed node graph into plain data while filling a `SourceMap`."""

    def __init__(self, source: SourceMap, *, defer_binary: bool = False, record: bool = True) -> None:
        self.source = source
        #: Where positions are recorded (none when the source map reads them again on demand).
        self.values: dict[KeyPath, tuple[int, int]] | None = source.values if record else None
        self.keys: dict[KeyPath, tuple[int, int]] | None = source.keys if record else None
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
            inner = _ANY if freeform else _TYPED
            built = [self.build(item, (*path, index), freeform=inner) for index, item in enumerate(node.value)]
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
            other = yaml11_reading(text)
            if other is not None:
                self.retyped[path] = (text, other)
        elif tag == _STR_TAG:
            return str(text)
        elif tag == NULL_TAG:
            return None
        short, value = self._resolve(node, path)
        if short == STR:
            return str(text)
        if short == BINARY:
            return str(value)
        if short == NULL:
            return None
        return TypedText(text, short, value)

    def _mapping(self, node: yaml.MappingNode, path: KeyPath, *, freeform: int) -> dict[Any, Any]:
        out: dict[Any, Any] = {}
        merged: dict[Any, Any] = {}
        first_lines: dict[str, int] = {}  # not the source map: a `<<` merge may overwrite that
        keys = self.keys
        typed_keys = freeform == _ANY and not self._string_keys(node)
        for key_node, value_node in node.value:
            if key_node.tag == _MERGE_TAG or (key_node.tag == PLAIN_TAG and key_node.value == "<<"):
                self._merge_into(merged, value_node, path, freeform=freeform)
                continue
            key = self._key(key_node)
            mark = key_node.start_mark
            key_mark = (mark.line + 1, mark.column + 1)
            child = (*path, key)
            if key in first_lines:
                if not self.defer_binary:
                    raise duplicate_key(self.source.path, key, *key_mark, first_line=first_lines[key])
                repeat = (key_node.value, Location(self.source.path, *key_mark), first_lines[key])
                self.duplicates.setdefault(path, []).append(repeat)
                continue
            first_lines[key] = key_mark[0]
            if keys is not None:
                keys[child] = key_mark
            inner = _ANY if freeform else (_OVERRIDES if key in FREEFORM_KEYS else _TYPED)
            value = self.build(value_node, child, freeform=inner)
            out[self._resolve(key_node)[1] if typed_keys else key] = value
        if merged:
            out = {**{k: v for k, v in merged.items() if k not in out}, **out}
        return AnyKeyMap(out) if typed_keys else out

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
