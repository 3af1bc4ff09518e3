"""An AICRConfig file (`aicr recipe --config FILE`): read strictly, validated, and its `spec.recipe` defaults.

Upstream decodes the whole document strictly (an unknown field anywhere is an error, in yaml.v3's
or encoding/json's words), checks kind and apiVersion, requires one spec section and validates
`spec.recipe`. A value given on the command line wins over the file's. Sections other than
`spec.recipe` are read (so their typos fail as upstream's do) but their own validation is not
reproduced: a file that has one is refused, never half-checked.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

from ._aicr_config_schema import ROOT, check_yaml, json_problem, yaml11_bool
from ._errors import ErrorCode, RecipeError
from ._go_text import go_quote
from ._recipe_flags import accounting_mode, runtime_inventory_mode, unsupported
from ._scalars import TypedText

__all__ = ["AicrConfig", "load_config_file"]

#: Upstream's `defaults.MaxConfigBytes`.
MAX_CONFIG_BYTES: Final = 1024 * 1024
_KIND: Final = "AICRConfig"
_API_VERSION: Final = "aicr.run/v1alpha2"
_FORMATS: Final = ("yaml", "json", "table")

_OTHER_SECTIONS: Final = ("snapshot", "bundle", "validate", "verify")
_DIMENSIONS: Final = ("service", "accelerator", "intent", "os", "platform")


@dataclass(frozen=True, slots=True)
class AicrConfig:
    """What `aicr recipe` takes from an AICRConfig's `spec.recipe` (empty strings: not set)."""

    criteria: dict[str, str] = field(default_factory=dict)
    nodes: int = 0
    profile: str = ""
    snapshot: str = ""
    data: str = ""
    output_path: str = ""
    output_format: str = ""
    accounting_mode: str | None = None
    runtime_inventory: str | None = None
    criteria_strict: bool = False


def _invalid(message: str, cause: BaseException | None = None) -> RecipeError:
    return RecipeError(message, code=ErrorCode.INVALID_REQUEST, cause=cause)


def load_config_file(source: str) -> AicrConfig | None:
    """Read and validate the AICRConfig at *source* as `aicr recipe --config` does; None for an empty flag.

    Raises:
        RecipeError: upstream's error (code, text, exit status) for a missing, unreadable or
            malformed file, or one that fails validation; INVALID_REQUEST naming what is not
            reproduced for a URL or a file with sections other than `spec.recipe`.
    """
    if not source:
        return None
    if source.startswith("cm://"):
        raise _invalid(
            "ConfigMap (cm://) sources are not supported by --config; "
            "export the ConfigMap data with `kubectl get cm <name> -o yaml` and pass the resulting file"
        )
    if source.startswith("file://"):
        raise _invalid(
            "file:// URIs are not supported by --config; pass the path directly (e.g. /etc/aicr/config.yaml)"
        )
    if source.startswith(("http://", "https://")):
        raise unsupported("--config from a URL", "it never fetches anything")
    content = _read(source)
    as_json = source.lower().split("?")[0].split("#")[0].endswith(".json")
    wrap = f"failed to parse config from {go_quote(source)}"
    try:
        document = _decode_json(content, source) if as_json else _decode_yaml(content, source)
    except _DecodeError as err:
        raise _invalid(wrap, cause=err.cause) from None
    return _validate(document, source)


class _DecodeError(Exception):
    def __init__(self, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.cause = cause


def _read(path: str) -> bytes:
    try:
        with Path(path).open("rb") as handle:
            content = handle.read(MAX_CONFIG_BYTES + 1)
    except FileNotFoundError:
        cause = OSError(f"open {path}: no such file or directory")
        raise RecipeError(f"config file not found: {go_quote(path)}", code=ErrorCode.NOT_FOUND, cause=cause) from None
    except IsADirectoryError:
        raise _invalid(
            f"failed to read config file {go_quote(path)}", OSError(f"read {path}: is a directory")
        ) from None
    except OSError as err:
        reason = (err.strerror or str(err)).lower()
        raise _invalid(f"failed to open config file {go_quote(path)}", OSError(f"open {path}: {reason}")) from None
    if len(content) > MAX_CONFIG_BYTES:
        raise _invalid(f"config file {go_quote(path)} exceeds {MAX_CONFIG_BYTES}-byte limit")
    return content


def _decode_yaml(content: bytes, source: str) -> dict[str, Any]:
    from ._yaml import parse_yaml  # noqa: PLC0415

    try:
        document = parse_yaml(content, path=source)
    except RecipeError as err:
        if err.cause is not None and str(err.cause).startswith("yaml: "):
            raise _DecodeError(err.cause) from None
        raise unsupported(f"reading --config {source}", f"upstream's decoder error is not reproduced ({err})") from None
    if document.data is None and not document.extra_documents:
        raise _DecodeError(ValueError("EOF"))
    errors: list[tuple[int, str]] = []
    data = document.data if document.data is not None else {}
    check_yaml(data, ROOT, (), document.source, errors)
    if errors:
        lines = "".join(f"\n  line {line}: {message}" for line, message in errors)
        raise _DecodeError(ValueError(f"yaml: unmarshal errors:{lines}"))
    if document.extra_documents:
        trailing = _invalid("unexpected trailing YAML document; AICRConfig accepts a single document")
        raise _DecodeError(trailing)
    return data if isinstance(data, dict) else {}


def _decode_json(content: bytes, source: str) -> dict[str, Any]:
    decoder = json.JSONDecoder()
    text = content.decode("utf-8", "surrogateescape")
    try:
        document, end = decoder.raw_decode(text, len(text) - len(text.lstrip(" \t\r\n")))
    except ValueError:
        if not text.strip(" \t\r\n"):
            raise _DecodeError(ValueError("EOF")) from None
        raise unsupported(
            f"reading --config {source}", "it is not JSON (Go's decoder error text is not reproduced)"
        ) from None
    problem = json_problem(document, ROOT)
    if problem.startswith("unknown:"):
        raise _DecodeError(ValueError(f'json: unknown field "{problem.removeprefix("unknown:")}"'))
    if problem:
        raise unsupported(f"reading --config {source}", f"{problem} (Go's decoder error text is not reproduced)")
    if not isinstance(document, dict):
        raise unsupported(f"reading --config {source}", "its top level is not an object")
    if text[end:].strip(" \t\r\n"):
        raise unsupported(f"reading --config {source}", "data follows the JSON document")
    return document


def _validate(document: dict[str, Any], source: str) -> AicrConfig:
    kind, api_version = _string(document.get("kind")), _string(document.get("apiVersion"))
    if kind != _KIND:
        raise _invalid(f'invalid kind {go_quote(kind)}: expected "{_KIND}"')
    if api_version != _API_VERSION:
        raise _invalid(f'invalid apiVersion {go_quote(api_version)}: expected "{_API_VERSION}"')
    spec = document.get("spec") or {}
    if all(spec.get(section) is None for section in ("snapshot", "recipe", "bundle", "validate", "verify")):
        raise _invalid(
            "config has none of spec.snapshot, spec.recipe, spec.bundle, spec.validate, spec.verify; "
            "at least one is required"
        )
    others = [section for section in _OTHER_SECTIONS if spec.get(section) is not None]
    if others:
        sections = ", ".join(f"spec.{section}" for section in others)
        raise unsupported(f"--config with {sections}", "only spec.recipe is read and validated as upstream does")
    return _recipe(spec.get("recipe") or {})


def _string(value: Any) -> str:
    return "" if value is None else str.__str__(value) if isinstance(value, str) else str(value)


def _section(recipe: dict[str, Any], *keys: str) -> dict[str, Any] | None:
    node: Any = recipe
    for key in keys:
        if not isinstance(node, dict) or node.get(key) is None:
            return None
        node = node[key]
    return node if isinstance(node, dict) else {}


def _recipe(recipe: dict[str, Any]) -> AicrConfig:
    from ._profiles import parse_selection  # noqa: PLC0415

    criteria = _section(recipe, "criteria")
    snapshot = _string((_section(recipe, "input") or {}).get("snapshot"))
    if criteria is not None and snapshot:
        raise _invalid("spec.recipe.criteria and spec.recipe.input.snapshot are mutually exclusive")
    nodes = _int((criteria or {}).get("nodes"))
    if nodes < 0:
        raise _invalid(f"spec.recipe.criteria.nodes must be >= 0, got {nodes}")
    profile = _string(recipe.get("profile"))
    parse_selection(profile)
    inventory_spec = _section(recipe, "configuration", "runtimeInventory")
    inventory = None if inventory_spec is None else _string(inventory_spec.get("mode"))
    if inventory is not None:
        _wrapped(runtime_inventory_mode, inventory, "invalid spec.recipe.configuration.runtimeInventory.mode")
    accounting_spec = _section(recipe, "configuration", "slurm", "accounting")
    accounting = None if accounting_spec is None else _string(accounting_spec.get("mode"))
    if accounting is not None:
        accounting = _wrapped(accounting_mode, accounting, "invalid spec.recipe.configuration.slurm.accounting.mode")
    output = _section(recipe, "output") or {}
    output_format = _string(output.get("format"))
    if output_format and output_format not in _FORMATS:
        raise _invalid(f"invalid spec.recipe.output.format {go_quote(output_format)} (valid: yaml, json, table)")
    strict = recipe.get("criteriaStrict")
    return AicrConfig(
        criteria={name: text for name in _DIMENSIONS if (text := _string((criteria or {}).get(name)))},
        nodes=nodes,
        profile=profile,
        snapshot=snapshot,
        data=_string(recipe.get("data")),
        output_path=_string(output.get("path")),
        output_format=output_format,
        accounting_mode=accounting,
        runtime_inventory=inventory,
        criteria_strict=_bool(strict),
    )


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, TypedText) and value.tag == "!!bool":
        return bool(value.value)
    return bool(yaml11_bool(value))


def _int(value: Any) -> int:
    if value is None:
        return 0
    resolved = value.value if isinstance(value, TypedText) else value
    return int(resolved)


def _wrapped(check: Any, value: str, message: str) -> str | None:
    try:
        result: str | None = check(value)
    except RecipeError as err:
        raise err if err.code == ErrorCode.INVALID_REQUEST else _invalid(message, cause=err) from None
    return result
