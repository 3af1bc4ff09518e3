"""An AICRConfig file (`aicr recipe --config FILE`): read strictly, validated, and its `spec.recipe` defaults.

Upstream decodes the whole document strictly (an unknown field anywhere is an error, in yaml.v3's
or encoding/json's words), checks kind and apiVersion, requires one spec section and validates
every section (`_aicr_config_sections` for those other than `spec.recipe`). A value given on the
command line wins over the file's. The header accepted depends on the release (0.20:
`aicr.run/v1alpha2`, 1.0: `aicr.run/v1beta1`), known only once the catalog is read: the reader
accepts both and `check_config_release` applies the release's rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from ._aicr_config_json import decode_json
from ._aicr_config_schema import ROOT, check_yaml, yaml11_bool
from ._aicr_config_sections import check_handoff, go_int, go_string, validate_section
from ._errors import ErrorCode, RecipeError
from ._go_text import go_quote
from ._recipe_flags import accounting_mode, runtime_inventory_mode, unsupported
from ._scalars import TypedText
from ._semantics import V0_20, V1ALPHA2, V1BETA1, retirement_note

if TYPE_CHECKING:
    from ._semantics import AicrVersion

__all__ = ["AicrConfig", "check_config_release", "load_config_file"]

#: Upstream's `defaults.MaxConfigBytes`.
MAX_CONFIG_BYTES: Final = 1024 * 1024
_KIND: Final = "AICRConfig"
_FORMATS: Final = ("yaml", "json", "table")

_SECTIONS: Final = ("snapshot", "recipe", "bundle", "validate", "verify")
_DIMENSIONS: Final = ("service", "accelerator", "intent", "os", "platform")


@dataclass(frozen=True, slots=True)
class AicrConfig:
    """What `aicr recipe` takes from an AICRConfig's `spec.recipe` (empty strings: not set).

    `kind`, `api_version` and `problem` (the first validation error, when loading deferred it) are
    for `check_config_release`, which judges them in the catalog's release's words. A config with a
    problem, a wrong kind or a header neither release accepts holds nothing else.
    """

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
    api_version: str = V1ALPHA2
    kind: str = _KIND
    problem: RecipeError | None = field(default=None, repr=False, compare=False)


def _invalid(message: str, cause: BaseException | None = None) -> RecipeError:
    return RecipeError(message, code=ErrorCode.INVALID_REQUEST, cause=cause)


def load_config_file(source: str, *, defer_header: bool = False) -> AicrConfig | None:
    """Read and validate the AICRConfig at *source* as `aicr recipe --config` does; None for an empty flag.

    By default the document is judged as 0.20 (9793720d) judges it. With *defer_header* (the release
    is not known yet) nothing after decoding raises: both releases' headers are accepted, and the
    header, the kind and the first validation error are recorded for `check_config_release`, which
    the caller runs once the catalog's release is known (upstream checks kind, then apiVersion, then
    the sections: recording them keeps that order in either release's words).

    Raises:
        RecipeError: upstream's error (code, text, exit status) for a missing, unreadable or
            malformed file, or one that fails validation; INVALID_REQUEST naming what is not
            reproduced for a URL (nothing is fetched).
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
        document = _decode_json(content) if as_json else _decode_yaml(content, source)
    except _DecodeError as err:
        raise _invalid(wrap, cause=err.cause) from None
    config = _validate(document)
    if not defer_header:
        check_config_release(config, source, V0_20)
    return config


def check_config_release(config: AicrConfig, source: str, semantics: AicrVersion) -> None:
    """Refuse a config the catalog's release refuses (kind, header, then its validation), in its words.

    0.20 (9793720d) accepts `aicr.run/v1alpha2` only and says `invalid apiVersion "X": expected
    "aicr.run/v1alpha2"`. 1.0 accepts `aicr.run/v1beta1` only. Its exact text was not recovered; it
    is written here by analogy with v0.21's (`invalid apiVersion %q: expected %q or %q; update the
    config header to a version accepted by this aicr release`): one accepted value, the retirement
    note (`header.RetirementNote`) after the observed value, and the 1.0 loader's wrap naming the
    file (`failed to validate config from %q`, worded after the parse wrap) around every validation
    error. README lists it among the known gaps of the 1.0 rules.

    Raises:
        RecipeError: INVALID_REQUEST (exit status 2), upstream's error for the release.
    """
    expected = semantics.ordinary_api_version  # upstream's authoring track: configs, overlays, mixins
    problem = config.problem
    if config.kind != _KIND:
        problem = _invalid(f'invalid kind {go_quote(config.kind)}: expected "{_KIND}"')
    elif config.api_version != expected and not semantics.alpha_retired:
        problem = _invalid(f'invalid apiVersion {go_quote(config.api_version)}: expected "{expected}"')
    elif config.api_version != expected:
        problem = _invalid(
            f"invalid apiVersion {go_quote(config.api_version)}{retirement_note(config.api_version)}: "
            f'expected "{expected}"; update the config header to a version accepted by this aicr release'
        )
    if problem is None:
        return
    if semantics.alpha_retired:
        raise _invalid(f"failed to validate config from {go_quote(source)}", cause=problem)
    raise problem


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
        raise _DecodeError(_yaml_v3_error(err)) from None
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


def _yaml_v3_error(err: RecipeError) -> BaseException:
    """yaml.v3's error for what our reader refused (its words differ for a few of yaml.v3's checks).

    A recursive anchor or a document past the reader's size limits keeps our reader's own error
    (file, line and column named): yaml.v3 reports those per field, which is not reproduced.
    """
    if err.cause is not None and str(err.cause).startswith("yaml: "):
        return err.cause
    if "!!binary value contains invalid base64 data" in err.message:
        return ValueError("yaml: !!binary value contains invalid base64 data")
    if err.message == "map merge requires a mapping or a list of mappings":
        return ValueError("yaml: map merge requires map or sequence of maps as the value")
    if err.message == "mapping keys must be scalars" and err.location is not None:
        return ValueError(f"yaml: unmarshal errors:\n  line {err.location.line}: cannot unmarshal !!seq into string")
    raise err


def _decode_json(content: bytes) -> dict[str, Any]:
    try:
        return decode_json(content)
    except (RecipeError, ValueError) as err:
        raise _DecodeError(err) from None


def _validate(document: dict[str, Any]) -> AicrConfig:
    kind, api_version = go_string(document.get("kind")), go_string(document.get("apiVersion"))
    if kind != _KIND or api_version not in (V1ALPHA2, V1BETA1):
        return AicrConfig(api_version=api_version, kind=kind)
    try:
        return _validate_spec(document.get("spec") or {}, api_version)
    except RecipeError as err:
        return AicrConfig(api_version=api_version, problem=err)


def _validate_spec(spec: dict[str, Any], api_version: str) -> AicrConfig:
    if all(spec.get(section) is None for section in _SECTIONS):
        raise _invalid(
            "config has none of spec.snapshot, spec.recipe, spec.bundle, spec.validate, spec.verify; "
            "at least one is required"
        )
    config = AicrConfig(api_version=api_version)
    for section in _SECTIONS:
        value = spec.get(section)
        if value is None:
            continue
        if section == "recipe":
            config = _recipe(value if isinstance(value, dict) else {}, api_version)
        else:
            validate_section(section, value if isinstance(value, dict) else {})
    check_handoff(spec)
    return config


def _section(recipe: dict[str, Any], *keys: str) -> dict[str, Any] | None:
    node: Any = recipe
    for key in keys:
        if not isinstance(node, dict) or node.get(key) is None:
            return None
        node = node[key]
    return node if isinstance(node, dict) else {}


def _recipe(recipe: dict[str, Any], api_version: str) -> AicrConfig:
    from ._profiles import parse_selection  # noqa: PLC0415

    criteria = _section(recipe, "criteria")
    snapshot = go_string((_section(recipe, "input") or {}).get("snapshot"))
    if criteria is not None and snapshot:
        raise _invalid("spec.recipe.criteria and spec.recipe.input.snapshot are mutually exclusive")
    nodes = go_int((criteria or {}).get("nodes"))
    if nodes < 0:
        raise _invalid(f"spec.recipe.criteria.nodes must be >= 0, got {nodes}")
    profile = go_string(recipe.get("profile"))
    parse_selection(profile)
    inventory_spec = _section(recipe, "configuration", "runtimeInventory")
    inventory = None if inventory_spec is None else go_string(inventory_spec.get("mode"))
    if inventory is not None:
        _wrapped(runtime_inventory_mode, inventory, "invalid spec.recipe.configuration.runtimeInventory.mode")
    accounting_spec = _section(recipe, "configuration", "slurm", "accounting")
    accounting = None if accounting_spec is None else go_string(accounting_spec.get("mode"))
    if accounting is not None:
        accounting = _wrapped(accounting_mode, accounting, "invalid spec.recipe.configuration.slurm.accounting.mode")
    output = _section(recipe, "output") or {}
    output_format = go_string(output.get("format"))
    if output_format and output_format not in _FORMATS:
        raise _invalid(f"invalid spec.recipe.output.format {go_quote(output_format)} (valid: yaml, json, table)")
    strict = recipe.get("criteriaStrict")
    return AicrConfig(
        criteria={name: text for name in _DIMENSIONS if (text := go_string((criteria or {}).get(name)))},
        nodes=nodes,
        profile=profile,
        snapshot=snapshot,
        data=go_string(recipe.get("data")),
        output_path=go_string(output.get("path")),
        output_format=output_format,
        accounting_mode=accounting,
        runtime_inventory=inventory,
        criteria_strict=_bool(strict),
        api_version=api_version,
    )


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, TypedText) and value.tag == "!!bool":
        return bool(value.value)
    return bool(yaml11_bool(value))


def _wrapped(check: Any, value: str, message: str) -> str | None:
    try:
        result: str | None = check(value)
    except RecipeError as err:
        raise err if err.code == ErrorCode.INVALID_REQUEST else _invalid(message, cause=err) from None
    return result
