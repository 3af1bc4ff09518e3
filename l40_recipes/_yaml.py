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

import re
from dataclasses import dataclass, field
from functools import partial
from typing import TYPE_CHECKING, Any, Final

import yaml

from ._errors import Location, RecipeLoadError
from ._scalars import PLAIN_TAG
from ._source_map import KeyPath, Positions, SourceMap
from ._yaml_build import BINARY_HINT, FREEFORM_KEYS, MAX_DEPTH, OVERRIDES, STR_TAG, TYPED, Builder
from ._yaml_errors import encoding_error, reader_error, syntax_error

__all__ = [
    "BINARY_HINT",
    "FREEFORM_KEYS",
    "MAX_DEPTH",
    "KeyPath",
    "SourceMap",
    "YamlDocument",
    "compose_first",
    "parse_yaml",
]

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
            return PLAIN_TAG if implicit[0] else STR_TAG
        return _SEQ_TAG if kind is yaml.SequenceNode else _MAP_TAG


#: Most nodes in one document (keys, values and items; a recipe has a few hundred). Upstream sets no
#: limit, but composing millions of nodes takes Python minutes and gigabytes: such a file is refused.
MAX_NODES: Final = 100_000
#: Most bytes of scalars that aliases may add once expanded where decoded (one big string aliased
#: many times). yaml.v3 sets no such bound, and scalar aliases alone never reach its node ratio.
MAX_ALIAS_BYTES: Final = 4 * 1024 * 1024
#: Nesting that the composer (recursive C code) may see; deeper documents are measured first.
_COMPOSE_SAFE_DEPTH: Final = 1000

_SEQ_TAG: Final = "tag:yaml.org,2002:seq"
_MAP_TAG: Final = "tag:yaml.org,2002:map"
#: What an anchor needs: `&` and a name character (a comment or a quoted text may match too).
_ANCHOR_BYTES: Final = re.compile(rb"&[^\s,\[\]{}]")
_ANCHOR_TEXT: Final = re.compile(r"&[^\s,\[\]{}]")
_NONE: Final[frozenset[KeyPath]] = frozenset()  # one for every document without aliases


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
    mode = OVERRIDES if freeform else TYPED
    if first is None:
        return YamlDocument(None, SourceMap(path), extra_documents=False)
    # Loading upstream's catalog for resolving, deferred positions halve the objects it allocates
    # (27,000 to 13,000), which spares the first load in a process a full garbage collection.
    source = SourceMap(path, fill=partial(_positions, content, path, mode)) if defer_positions else SourceMap(path)
    builder = Builder(source, defer_binary=defer_binary, record=not defer_positions, shared=_anchors(content))
    data = builder.build(first, (), freeform=mode)
    return YamlDocument(
        data,
        source,
        extra_documents=extra,
        retyped=builder.retyped,
        aliases=frozenset(builder.aliases) if builder.aliases else _NONE,
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
    assert node is not None  # `parse_yaml` defers only a document it read
    source = SourceMap(path)
    Builder(source, defer_binary=True).build(node, (), freeform=mode)
    return source.values, source.keys


def _anchors(content: bytes | str) -> bool:
    """Whether the text may hold an anchor (`&` and a name): without one, no node is met twice."""
    if isinstance(content, bytes):
        return _ANCHOR_BYTES.search(content) is not None
    return _ANCHOR_TEXT.search(content) is not None


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
