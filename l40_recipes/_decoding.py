"""Decoding parsed YAML into the models, with upstream's checks and error texts for each kind of file."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ValidationError

from ._errors import RecipeError, RecipeLoadError
from ._measurement import validate_path
from ._models import Constraint, GoModel, RecipeMetadata, unknown_keys
from ._semantics import HeaderError

_M = TypeVar("_M", bound=BaseModel)
_T = TypeVar("_T")
if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from ._registry_models import ComponentConfig
    from ._semantics import AicrVersion
    from ._yaml import SourceMap, YamlDocument


def decode(model: type[_M], document: YamlDocument, relative: str, *, what: str) -> _M:
    data = document.data if document.data is not None else {}
    if not isinstance(data, dict):
        raise RecipeLoadError(
            f"failed to parse {relative}: expected a mapping at the top level, found a {type(data).__name__}",
            location=document.source.locate(()),
            hint=f"a {what} file is a YAML mapping",
        )
    try:
        return model.model_validate(data, by_alias=True, by_name=False)
    except ValidationError as err:
        first = err.errors()[0]
        path = _known_prefix(tuple(first["loc"]), document.source)
        where = ".".join(str(part) for part in first["loc"])
        raise RecipeLoadError(
            f"failed to parse {relative}: {where}: {first['msg']}",
            location=document.source.locate_value(path),
            hint=_type_hint(first),
        ) from None


def _known_prefix(path: tuple[str | int, ...], source: SourceMap) -> tuple[str | int, ...]:
    while path and not source.has(path):
        path = path[:-1]
    return path


def _type_hint(error: Any) -> str:
    kind = str(error.get("type", ""))
    if kind.startswith("string"):
        return "write this value as a plain string"
    if kind.startswith(("list", "tuple")):
        return "write this value as a YAML list (`- item`)"
    if kind.startswith(("dict", "model")):
        return "write this value as a YAML mapping (`key: value`)"
    if kind.startswith("int"):
        return "write this value as a whole number"
    if kind.startswith("bool"):
        return "write this value as true or false"
    return "fix the value's type"


def reject_unknown(model: GoModel, document: YamlDocument, relative: str, *, what: str) -> None:
    unknown = unknown_keys(model)
    if unknown:
        key = unknown[0]
        raise RecipeLoadError(
            f'failed to parse {relative} as {what} (unknown fields are not allowed): field "{key[-1]}" is not allowed here',
            location=document.source.locate(key),
            hint=f"remove {'.'.join(map(str, key))!r}, or fix its spelling",
        )


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


def read_header(document: YamlDocument, relative: str, *, what: str) -> tuple[str, str]:
    """`(kind, apiVersion)` of a recipe, mixin or registry file; absent values are `""`."""
    data = document.data
    if data is not None and not isinstance(data, dict):
        raise RecipeLoadError(
            f"failed to parse header for {relative}: the document is a {type(data).__name__}, not a mapping",
            location=document.source.locate(()),
            hint=f"a {what} file is a mapping with kind, apiVersion, metadata and spec",
        )
    header = data or {}
    values: list[str] = []
    for key in ("kind", "apiVersion"):
        value = header.get(key)
        if value is not None and not isinstance(value, str):
            raise RecipeLoadError(
                f"failed to parse header for {relative}: {key} must be a string",
                location=document.source.locate((key,)),
                hint=f"write `{key}` as a plain string",
            )
        values.append(value or "")
    return values[0], values[1]


def gate_header(
    rule: Callable[[str, str, str], _T], kind: str, api_version: str, relative: str, document: YamlDocument
) -> _T:
    """Apply the release's header *rule*, turning its refusal into a load error at the header line."""
    try:
        return rule(kind, api_version, relative)
    except HeaderError as err:
        where = (err.key,) if err.key in (document.data or {}) else ()
        raise RecipeLoadError(err.message, location=document.source.locate(where), hint=err.hint) from None
