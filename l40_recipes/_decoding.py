"""Decoding parsed YAML into the models, with upstream's checks and error texts for each kind of file."""

from __future__ import annotations

import contextlib
import types
from typing import TYPE_CHECKING, Annotated, Any, Final, TypeVar, Union, get_args, get_origin

from pydantic_core import ValidationError

from ._errors import RecipeError, RecipeLoadError
from ._measurement import validate_path
from ._model_base import Model
from ._models import Constraint, RecipeMetadata, RecipeMetadataHeader
from ._registry_models import ComponentRegistry
from ._scalars import scalar_text
from ._semantics import HeaderError
from ._unmarshal import unmarshal_errors
from ._yaml import BINARY_HINT, MAX_ALIAS_BYTES
from ._yaml_errors import YamlError

_M = TypeVar("_M", bound=Model)
_T = TypeVar("_T")
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from ._registry_models import ComponentConfig
    from ._semantics import AicrVersion
    from ._yaml import SourceMap, YamlDocument


def decode(
    model: type[_M],
    document: YamlDocument,
    relative: str,
    *,
    strict: bool = False,
    message: str = "failed to parse {path}",
) -> _M:
    """*document* decoded into *model* as yaml.v3 decodes it (*strict*: with known fields).

    Raises:
        RecipeLoadError: *message* (`{path}`: *relative*) with yaml.v3's error as the cause: a bad
            `!!binary` value, excessive aliasing, or every unmarshal error, in document order.
    """
    bad_binary(document, relative, lambda path: decodes(model, path), message)
    if document.aliases:
        _AliasRatio(document, relative).walk(document.data, model, ())
    if not strict:
        taken = _taken(model, document)
        if taken is not None:
            return taken
    refuse_unmarshal(model, document, relative, strict=strict, message=message)
    try:
        return model.model_validate(document.data or {}, by_alias=True, by_name=False)
    except ValidationError as err:  # pragma: no cover - the walk refuses first whatever the models refuse
        first = err.errors()[0]
        path = tuple(first["loc"])
        while path and not document.source.has(path):
            path = path[:-1]
        raise RecipeLoadError(
            f"failed to parse {relative}: {'.'.join(str(part) for part in first['loc'])}: {first['msg']}",
            location=document.source.locate_value(path),
            hint="fix the value's type",
        ) from None


def _taken(model: type[_M], document: YamlDocument) -> _M | None:
    """*document* as *model* when the model takes it and no mapping repeats a key, else None.

    The models refuse what yaml.v3 refuses into these fields, so a document they take needs no
    walk; only a refusal does, to be named in yaml.v3's words. Loading upstream's catalog under
    cProfile, five times: the walks took 0.111 s in all, 0.030 s with this (header probes left).
    The header probes of one load: walked 1.7 ms, validated 0.8 ms (best of 20, CPU).
    """
    if not document.duplicates:
        with contextlib.suppress(ValidationError):
            return model.model_validate(document.data or {}, by_alias=True, by_name=False)
    return None


def refuse_unmarshal(model: type[Model], document: YamlDocument, relative: str, *, strict: bool, message: str) -> None:
    """Fail as yaml.v3 does when it cannot fill *model* from *document*: all its unmarshal errors at once.

    Raises:
        RecipeLoadError: *message* with `yaml: unmarshal errors:` and a `line N: ...` line per error,
            at the first one.
    """
    refusals = unmarshal_errors(model, document, strict=strict)
    if refusals:
        lines = "".join(f"\n  line {refusal.location.line}: {refusal.message}" for refusal in refusals)
        raise RecipeLoadError(
            message.replace("{path}", relative),
            cause=UnmarshalError(f"yaml: unmarshal errors:{lines}"),
            location=refusals[0].location,
            hint=refusals[0].hint,
        )


def bad_binary(
    document: YamlDocument,
    relative: str,
    decoded: Callable[[tuple[str | int, ...]], bool],
    message: str = "failed to parse {path}",
) -> None:
    """Fail as yaml.v3 does on the first non-base64 `!!binary` scalar at a path it *decoded*.

    Raises:
        RecipeLoadError: *message* (`{path}`: *relative*) with yaml.v3's error as the cause.
    """
    repeated = document.duplicates  # yaml.v3 decodes nothing of a mapping that repeats a key
    for path, location in document.bad_binary:
        if decoded(path) and not any(path[:depth] in repeated for depth in range(len(path))):
            raise RecipeLoadError(
                message.replace("{path}", relative),
                cause=UnmarshalError("yaml: !!binary value contains invalid base64 data"),
                location=location,
                hint=BINARY_HINT,
            )


def decodes(model: Any, path: tuple[str | int, ...]) -> bool:
    """Whether yaml.v3 decodes the value at *path* of a document it decodes into *model*.

    A struct skips a key it has no field for (and everything under it); a free-form map or an
    `any` decodes everything below it.
    """
    annotation = model
    for part in path:
        shape, inner = _shape(annotation)
        if shape == "model":
            annotation = _fields(inner).get(part) if isinstance(part, str) else None
            if annotation is None:
                return False
        elif shape in ("list", "dict", "any"):
            annotation = inner
        else:
            return False
    return True


def check_free_form_aliases(document: YamlDocument, relative: str) -> None:
    """yaml.v3's alias ratio for a document decoded whole into `map[string]any` (a values file).

    Raises:
        RecipeLoadError: `yaml: document contains excessive aliasing`, or too much text added by aliases.
    """
    if document.aliases:
        _AliasRatio(document, relative).walk(document.data, Any, ())


class UnmarshalError(YamlError):
    """An error of yaml.v3's decoder, in its text.

    `yaml: unmarshal errors:` with one `line N: ...` line per field it could not fill, or
    `yaml: document contains excessive aliasing`.
    """


#: yaml.v3's alias ratio: below this many decoded nodes, aliases may make up 99 % of them; above the
#: high mark, 10 %; in between, the share falls linearly.
_RATIO_LOW: Final = 400_000
_RATIO_HIGH: Final = 4_000_000


def allowed_alias_ratio(decoded: int) -> float:
    """yaml.v3's `allowedAliasRatio`: the share of decoded nodes that may come from aliases."""
    if decoded <= _RATIO_LOW:
        return 0.99
    if decoded >= _RATIO_HIGH:
        return 0.10
    return 0.99 - 0.89 * ((decoded - _RATIO_LOW) / (_RATIO_HIGH - _RATIO_LOW))


def excessive_aliasing(decoded: int, aliased: int) -> bool:
    """yaml.v3's test, made at every node it decodes."""
    return aliased > 100 and decoded > 1000 and aliased / decoded > allowed_alias_ratio(decoded)


class _AliasRatio:
    """Counts the nodes yaml.v3 would decode into *model*, and those coming from aliases.

    Upstream decodes only the fields a struct knows (plus everything under a free-form map), so an
    alias under an unknown key costs nothing there, nor here. An alias's expansion is counted, not
    built (the reader shares the anchor's object), memoized per object and field type, so a
    "billion laughs" costs the size of its text. The test is made after each alias: within one
    expansion the alias share only grows, so that is where yaml.v3's per-node test first fails.
    """

    def __init__(self, document: YamlDocument, relative: str) -> None:
        self.document = document
        self.relative = relative
        self.decoded = 1  # the document node
        self.aliased = 0
        self.aliased_bytes = 0
        self._sizes: dict[tuple[int, int], tuple[int, int]] = {}

    def walk(self, value: Any, annotation: Any, path: tuple[str | int, ...]) -> None:
        if path in self.document.aliases:
            size, text = self._expanded(value, annotation)
            self.decoded += 1 + size  # the alias node, then its anchor's nodes again
            self.aliased += size
            self.aliased_bytes += text
            self._bound(path)
            return
        self.decoded += 1
        for name, child, inner, key in _children(value, annotation):
            self.decoded += key  # a mapping key is decoded too
            if inner is not None:
                self.walk(child, inner, (*path, name))

    def _bound(self, path: tuple[str | int, ...]) -> None:
        location = self.document.source.locate_value(path)
        if excessive_aliasing(self.decoded, self.aliased):
            raise RecipeLoadError(
                f"failed to parse {self.relative}",
                cause=UnmarshalError("yaml: document contains excessive aliasing"),
                location=location,
                hint="an alias chain that multiplies nodes (a YAML bomb); write the values out or alias less",
            )
        if self.aliased_bytes > MAX_ALIAS_BYTES:
            raise RecipeLoadError(
                f"document {self.relative} expands aliases to more than {MAX_ALIAS_BYTES:,} bytes of text",
                location=location,
                hint="write the long value once instead of aliasing it many times",
            )

    def _expanded(self, value: Any, annotation: Any) -> tuple[int, int]:
        """Nodes and scalar bytes *value* decodes to as *annotation* (memoized: aliases share objects)."""
        if not isinstance(value, (dict, list)):
            return 1, len(value) if isinstance(value, str) else 0
        memo = (id(value), id(annotation))
        size = self._sizes.get(memo)
        if size is None:
            nodes, text = 1, 0
            for name, child, inner, key in _children(value, annotation):
                nodes += key
                text += len(name) if key and isinstance(name, str) else 0
                if inner is not None:
                    child_nodes, child_text = self._expanded(child, inner)
                    nodes += child_nodes
                    text += child_text
            size = self._sizes[memo] = (nodes, text)
        return size


def _children(value: Any, annotation: Any) -> list[tuple[str | int, Any, Any, int]]:
    """Per child: its path element, itself, its field type (None: upstream skips it), 1 for a mapping entry."""
    shape, inner = _shape(annotation)
    if isinstance(value, dict):
        if shape == "model":
            fields = _fields(inner)
            return [
                (_name(key), item, fields.get(key) if isinstance(key, str) else None, 1) for key, item in value.items()
            ]
        if shape in ("dict", "any"):
            return [(_name(key), item, inner, 1) for key, item in value.items()]
        return []
    if isinstance(value, list) and shape in ("list", "any"):
        return [(index, item, inner, 0) for index, item in enumerate(value)]
    return []


def _name(key: Any) -> str:
    return key if isinstance(key, str) else scalar_text(key)


_SHAPES: dict[int, tuple[str, Any]] = {}
_FIELDS: dict[type[Model], dict[str, Any]] = {}


def _shape(annotation: Any) -> tuple[str, Any]:
    """What a field type decodes: ("model", class), ("list"|"dict", item type), ("any", Any) or ("scalar", None)."""
    known = _SHAPES.get(id(annotation))
    if known is None:
        known = _SHAPES[id(annotation)] = _shape_of(annotation)
    return known


def _shape_of(annotation: Any) -> tuple[str, Any]:
    origin = get_origin(annotation)
    if origin is Annotated:
        return _shape_of(get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        arms = [arm for arm in get_args(annotation) if arm is not type(None)]
        return _shape_of(arms[0]) if len(arms) == 1 else ("any", Any)
    if origin is list:
        return "list", get_args(annotation)[0]
    if origin is dict:
        return "dict", get_args(annotation)[1]
    if isinstance(annotation, type) and issubclass(annotation, Model):
        return "model", annotation
    if annotation is Any:
        return "any", Any
    return "scalar", None


def _fields(model: type[Model]) -> dict[str, Any]:
    """A model's field types by their YAML key."""
    fields = _FIELDS.get(model)
    if fields is None:
        fields = _FIELDS[model] = {(info.alias or name): info.annotation for name, info in model.model_fields.items()}
    return fields


def check_constraint_paths(
    constraints: Sequence[Constraint],
    relative: str,
    prefix: tuple[str | int, ...],
    source: SourceMap,
) -> None:
    for index, constraint in enumerate(constraints):
        try:
            validate_path(constraint.name)
        except RecipeError as err:
            label = ".".join(str(part) for part in prefix)
            raise RecipeLoadError(
                f"{relative}: {label}[{index}]",
                cause=err,
                location=source.locate_value((*prefix, index, "name")),
                hint="constraint names here are measurement paths such as K8s.server.version or OS.release.ID",
            ) from None


def check_profile_contract(metadata: RecipeMetadata, relative: str, source: SourceMap, semantics: AicrVersion) -> None:
    from ._profiles import validate_metadata_profile  # noqa: PLC0415 - avoids an import cycle

    try:
        validate_metadata_profile(metadata, semantics.profile_api_version)
    except RecipeError as err:
        raise RecipeLoadError(  # upstream propagates this coded error as it is, naming no file
            err.message,
            code=err.code,
            cause=err.cause,
            location=source.locate(("spec", "profile") if metadata.spec.profile else ("apiVersion",)),
            hint=err.hint
            or f"profile overlays use apiVersion {semantics.profile_api_version} and a complete spec.profile",
        ) from None


def registry_rejection(component: ComponentConfig) -> tuple[str, tuple[str | int, ...], str] | None:
    reserved = "deployer"
    if component.name == reserved:
        return (
            f'registry component "{component.name}" uses the reserved deployer override key as its name; '
            f'"{reserved}" is reserved for --set deployer:<key> Argo deployer options',
            ("name",),
            "rename the component",
        )
    if reserved in component.value_override_keys:
        return (
            f'registry component "{component.name}" declares the reserved override key "{reserved}"; '
            "it is reserved for --set deployer:<key> Argo deployer options",
            ("valueOverrideKeys",),
            f"remove {reserved!r} from valueOverrideKeys",
        )
    if component.component_type == "Kustomize" and component.manifest_files:
        return (
            f'registry component "{component.name}" is Kustomize but declares manifestFiles; a component may '
            "declare either Kustomize (tag/path) or raw manifest files, not both",
            ("manifestFiles",),
            "remove manifestFiles or the kustomize block",
        )
    return None


#: Upstream's message for a mixin its strict decode refuses (every release).
MIXIN_STRICT: Final = "failed to parse mixin {path} (unknown fields are not allowed)"


#: The header probe's message per kind of file (a mixin's depends on the release: see `read_header`).
_HEADER_PROBES: Final = {"recipe": "failed to parse header for {path}", "registry": "failed to parse {path}"}


def decode_overlay(document: YamlDocument, relative: str, *, strict: bool, api_version: str) -> RecipeMetadata:
    """An overlay decoded as upstream decodes it: a profile (*strict*) overlay with known fields."""
    message = f"failed to parse {{path}} as strict {api_version} RecipeMetadata" if strict else "failed to parse {path}"
    return decode(RecipeMetadata, document, relative, strict=strict, message=message)


def read_header(
    document: YamlDocument, relative: str, *, what: str, semantics: AicrVersion | None = None
) -> tuple[str, str]:
    """`(kind, apiVersion)` of a recipe, mixin or registry file; absent values (or not strings) are `""`.

    The header is first decoded as upstream decodes it before the whole file: a recipe's into
    `RecipeMetadataHeader`, a mixin's too where the release (*semantics*) probes it (v1.0; 9793720d
    decodes a mixin once, strictly), the registry's (read in one decode) whole.

    Raises:
        RecipeLoadError: *message* (`{path}`: *relative*) with yaml.v3's error as the cause.
    """
    message = _HEADER_PROBES.get(what)
    if what == "mixin" and semantics is not None and semantics.mixin_parse_failure != MIXIN_STRICT:
        message = semantics.mixin_parse_failure
    if message is not None:
        probe: type[Model] = ComponentRegistry if what == "registry" else RecipeMetadataHeader
        bad_binary(document, relative, lambda path: decodes(probe, path), message)
        if _taken(probe, document) is None:
            refuse_unmarshal(probe, document, relative, strict=False, message=message)
    header = document.data if isinstance(document.data, dict) else {}
    values = [header.get(key) for key in ("kind", "apiVersion")]
    kind, api_version = (value if isinstance(value, str) else "" for value in values)
    return kind, api_version


def gate_header(
    rule: Callable[[str, str, str], _T], kind: str, api_version: str, relative: str, document: YamlDocument
) -> _T:
    """Apply the release's header *rule*, turning its refusal into a load error at the header line."""
    try:
        return rule(kind, api_version, relative)
    except HeaderError as err:
        where = (err.key,) if err.key in (document.data or {}) else ()
        raise RecipeLoadError(err.message, location=document.source.locate(where), hint=err.hint) from None
