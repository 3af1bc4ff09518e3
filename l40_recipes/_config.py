"""`[tool.l40-recipes]` configuration: strictness, rule selection, severities, waivers, policies.

The configuration lives in the `pyproject.toml` found at the catalog root or the nearest directory
above it, like ruff's and pytest's. Only that file is read, and never written.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from ._errors import Location
from ._report import Severity
from ._semantics import AICR_VERSIONS, aicr_version as as_aicr_version
from ._walk import find_pyproject

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from pathlib import Path

    from pydantic_core import ErrorDetails

__all__ = ["Config", "PinExemption", "Requirement", "Waiver", "find_pyproject", "load_config"]

SECTION: Final = "l40-recipes"


@dataclass(frozen=True, slots=True)
class Waiver:
    """Downgrade one rule for one overlay to nothing, with the reason recorded."""

    rule: str
    overlay: str
    reason: str
    location: Location


@dataclass(frozen=True, slots=True)
class Requirement:
    """Components a resolved recipe must contain when its query matches *when*.

    *when* maps dimensions to a value, `*` for "any concrete value", or `!value` for "anything but
    value"; the recipe must contain, enabled, at least one of *any_of*.
    """

    name: str
    when: tuple[tuple[str, str], ...]
    any_of: tuple[str, ...]

    def applies(self, criteria: Mapping[str, str]) -> bool:
        """Whether an overlay with these (raw) criteria must satisfy this requirement."""
        for dimension, wanted in self.when:
            value = criteria.get(dimension, "")
            concrete = value not in ("", "any")
            if wanted == "*":
                if not concrete:
                    return False
            elif wanted.startswith("!"):
                if value == wanted[1:]:
                    return False
            elif value != wanted:
                return False
        return True


@dataclass(frozen=True, slots=True)
class PinExemption:
    """An overlay allowed to pin a component version, with the reason."""

    overlay: str
    component: str
    reason: str


DEFAULT_REQUIREMENTS: Final = (
    Requirement("GPU operator", (("accelerator", "*"),), ("gpu-operator", "gpu-operator-ocp", "gpu-operator-ocp-olm")),
    # OpenShift brings its own Gateway API implementation; upstream's OCP recipes deploy none.
    Requirement("inference gateway", (("intent", "inference"), ("service", "!ocp")), ("agentgateway", "kgateway")),
    Requirement("Dynamo platform", (("platform", "dynamo"),), ("dynamo-platform",)),
    Requirement("NIM operator", (("platform", "nim"),), ("k8s-nim-operator", "k8s-nim-operator-ocp")),
)


@dataclass(frozen=True, slots=True)
class Config:
    """Effective configuration of one `check()`."""

    strict: bool = False
    select: frozenset[str] | None = None
    ignore: frozenset[str] = frozenset()
    severity: Mapping[str, Severity] = field(default_factory=dict)
    waivers: tuple[Waiver, ...] = ()
    requirements: tuple[Requirement, ...] = DEFAULT_REQUIREMENTS
    pin_exemptions: tuple[PinExemption, ...] = ()
    #: Extra serving-table rows (docs/serving.md), validated: accelerator name / model id -> row.
    accelerators: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    models: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    #: `aicr-version`: the upstream release the catalog is read as (`0.20`, `1.0`); None: detect.
    aicr_version: str | None = None
    #: `data`: a data layer to check over the catalog (as `aicr --data`), joined to the file's directory.
    data: str | None = None
    source: str = ""
    #: Problems with the configuration itself: (location, message, hint).
    problems: tuple[tuple[Location, str, str], ...] = ()


def load_config(root: Path, *, display: str | None = None, display_root: str | None = None) -> Config:
    """Read `[tool.l40-recipes]` for the catalog at *root*; a missing section means defaults.

    Findings name the file *display*, else the file relative to the catalog root shown as
    *display_root* (as every other finding names its file), else its absolute path.
    """
    path = find_pyproject(root)
    if path is None:
        return Config()
    shown = display or str(path)
    if display is None and display_root is not None:
        relative = os.path.relpath(path, root.resolve())
        shown = os.path.normpath(os.path.join(display_root, relative)).replace(os.sep, "/")  # noqa: PTH118
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as err:
        return Config(
            source=shown,
            problems=((Location(shown), f"pyproject.toml cannot be read: {err.strerror or err}", "make it readable"),),
        )
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        return Config(
            source=shown,
            problems=((Location(shown, 1, 1), f"pyproject.toml is not valid TOML: {err}", "fix the TOML syntax"),),
        )
    tool = data.get("tool")
    section = tool.get(SECTION) if isinstance(tool, dict) else None
    if section is None:
        return Config(source=shown)
    if not isinstance(section, dict):
        line = _line_of(text, f"{SECTION} =")
        return Config(
            source=shown,
            problems=(
                (Location(shown, line, 1), f"[tool.{SECTION}] must be a table", "write a [tool.l40-recipes] table"),
            ),
        )
    return _parse(section, shown, text, base=str(path.parent))


#: The arrays of tables of `[tool.l40-recipes]`, each entry validated by its model in `_config_entries`.
_TABLES: Final = ("waivers", "required-components", "version-pin-exemptions")
#: Serving-table rows (docs/serving.md), each checked by the serving tables' own parser.
_ROW_TABLES: Final = ("accelerators", "models")
_HINTS: Final = {
    "accelerators": "write [tool.l40-recipes.accelerators.<name>] rows; see docs/serving.md for the keys",
    "models": 'write [tool.l40-recipes.models."<id>"] rows; see docs/serving.md for the keys',
    "strict": "write strict = true or strict = false",
    "aicr-version": 'write aicr-version = "1.0" (or "0.20")',
    "data": 'write data = "path/to/layer" (a directory holding registry.yaml, relative to this file)',
    "select": 'write select = ["rule-id", "group", ...]',
    "ignore": 'write ignore = ["rule-id", "group", ...]',
    "severity": 'write severity = { rule-id = "error" } (error or warning)',
    "waivers": 'write [[tool.l40-recipes.waivers]] with rule = "...", overlay = "...", reason = "..."',
    "required-components": 'write [[tool.l40-recipes.required-components]] with when = {...} and any-of = ["..."]',
    "version-pin-exemptions": "write [[tool.l40-recipes.version-pin-exemptions]] with overlay, component and reason",
}


def _line_of(text: str, needle: str, occurrence: int = 0) -> int:
    """The line of the *occurrence*-th line containing *needle* (the first when fewer), else 1."""
    found = [number for number, line in enumerate(text.splitlines(), start=1) if needle in line]
    if not found:
        return 1
    return found[occurrence] if occurrence < len(found) else found[0]


def _toml_key(name: str) -> str:
    """A pattern for TOML key *name*, bare or quoted."""
    quoted = re.escape(name)
    return rf"""(?:{quoted}|"{quoted}"|'{quoted}')"""


def _row_line(text: str, table: str, name: str | None) -> int:
    """The line of row *name* of `[tool.l40-recipes.<table>]` (of the table when *name* is None).

    A row is found as its own header (`[tool.l40-recipes.models."acme/m"]`), as a key under the
    table's header (`"acme/m" = {...}`) or as a dotted key (`models."acme/m".layers = ...`); failing
    all three, the table's first mention, else line 1.
    """
    dot = r"\s*\.\s*"
    table_key = dot.join((_toml_key("tool"), _toml_key(SECTION), _toml_key(table)))
    row = "" if name is None else dot + _toml_key(name)
    lines = text.splitlines()
    header = re.compile(rf"\s*\[\s*{table_key}{row}\s*\]")
    for number, line in enumerate(lines, start=1):
        if header.match(line):
            return number
    if name is not None:
        table_header = re.compile(rf"\s*\[\s*{table_key}\s*\]")
        inner = re.compile(rf"\s*{_toml_key(name)}\s*[.=]")
        dotted = re.compile(rf"\s*{_toml_key(table)}{row}\s*[.=]")
        under = False
        for number, line in enumerate(lines, start=1):
            if line.lstrip().startswith("["):
                under = bool(table_header.match(line))
            elif (under and inner.match(line)) or dotted.match(line):
                return number
    return _line_of(text, table)


def _describe(error: ErrorDetails) -> str:
    where = ".".join(str(part) for part in error["loc"])
    if error["type"] == "extra_forbidden":
        return f"unknown key {where!r}"
    if error["type"] in ("model_type", "dict_type"):
        return f"{where}: must be a table" if where else "must be a table"
    return f"{where}: {error['msg']}" if where else str(error["msg"])


def _parse(section: dict[str, Any], shown: str, text: str, *, base: str) -> Config:
    # pydantic is imported only here: by a process that reads a `[tool.l40-recipes]` section.
    from pydantic import ValidationError  # noqa: PLC0415

    from ._config_entries import ENTRIES, Section  # noqa: PLC0415

    problems: list[tuple[Location, str, str]] = []

    def problem(line: int, message: str, hint: str) -> None:
        problems.append((Location(shown, line, 1), message, hint))

    plain = {key: value for key, value in section.items() if key not in _TABLES and key not in _ROW_TABLES}
    settings = Section()
    try:
        settings = Section.model_validate(plain)
    except ValidationError as err:
        bad = {str(error["loc"][0]) for error in err.errors() if error["loc"]}
        for error in err.errors():
            key = str(error["loc"][0]) if error["loc"] else SECTION
            problem(
                _line_of(text, key),
                f"[tool.{SECTION}] {_describe(error)}",
                _HINTS.get(key, f"remove it; known keys: {', '.join(sorted((*_HINTS,)))}"),
            )
        settings = Section.model_validate({key: value for key, value in plain.items() if key not in bad})
    severity: dict[str, Severity] = {}
    for rule_id, level in settings.severity.items():
        try:
            severity[rule_id] = Severity(level)
        except ValueError:
            problem(
                _line_of(text, rule_id),
                f"severity of {rule_id!r} must be 'error' or 'warning', not {level!r}",
                "use error or warning",
            )
    entries: dict[str, list[Any]] = {}
    for key, model in ENTRIES.items():
        raw = section.get(key)
        if raw is None:
            continue
        if not isinstance(raw, list):
            problem(_line_of(text, key), f"[tool.{SECTION}] {key} must be an array of tables", _HINTS[key])
            entries[key] = []
            continue
        valid: list[Any] = []
        for index, item in enumerate(raw):
            line = _line_of(text, f"[[tool.{SECTION}.{key}]]", index) if f"[[tool.{SECTION}.{key}]]" in text else 0
            try:
                entry = model.model_validate(item)
                entry._line = line or _line_of(text, key)
                valid.append(entry)
            except ValidationError as err:
                for error in err.errors():
                    detail = _describe(error)
                    needle = str(error["loc"][0]) if error["loc"] else key
                    problem(
                        line or _line_of(text, needle),
                        f"[tool.{SECTION}] {key} entry {index + 1}: {detail}",
                        _HINTS[key],
                    )
        entries[key] = valid
    waivers: list[Waiver] = []
    for entry in entries.get("waivers", []):
        rule, overlay, reason = entry.rule, entry.overlay, entry.reason
        location = Location(shown, _line_of(text, overlay) if overlay else 1, 1)
        if not rule or not overlay:
            problem(
                _line_of(text, overlay or "waivers"),
                "a waiver needs a rule and an overlay",
                "write {rule = ..., overlay = ..., reason = ...}",
            )
            continue
        if not reason.strip():
            problem(
                location.line or 1,
                f"the waiver of {rule!r} for {overlay!r} has no reason",
                "say why the rule does not apply here",
            )
            continue
        waivers.append(Waiver(rule, overlay, reason, location))
    requirements: tuple[Requirement, ...] = DEFAULT_REQUIREMENTS
    if "required-components" in section:
        requirements = tuple(
            Requirement(entry.name or ", ".join(entry.any_of), tuple(sorted(entry.when.items())), tuple(entry.any_of))
            for entry in entries.get("required-components", [])
        )
    exemptions: list[PinExemption] = []
    for entry in entries.get("version-pin-exemptions", []):
        if not entry.reason.strip():
            problem(
                entry._line,
                f"the version-pin exemption of {entry.component!r} for {entry.overlay!r} has no reason",
                "say why the pin is needed; an exemption without a reason is ignored",
            )
            continue
        exemptions.append(PinExemption(entry.overlay, entry.component, entry.reason))
    accelerators, models = _serving_rows(
        section, lambda table, name, message, hint: problem(_row_line(text, table, name), message, hint)
    )
    aicr_version: str | None = None
    if settings.aicr_version is not None:
        try:
            found = as_aicr_version(settings.aicr_version)
            aicr_version = found.name if found is not None else None
        except ValueError:
            problem(
                _line_of(text, "aicr-version"),
                f"[tool.{SECTION}] aicr-version must be one of {', '.join(AICR_VERSIONS)}, got {settings.aicr_version!r}",
                'write aicr-version = "1.0" (or "0.20")',
            )
    return Config(
        strict=settings.strict,
        select=frozenset(settings.select) if settings.select is not None else None,
        ignore=frozenset(settings.ignore or ()),
        severity=severity,
        waivers=tuple(waivers),
        requirements=requirements,
        pin_exemptions=tuple(exemptions),
        accelerators=accelerators,
        models=models,
        aicr_version=aicr_version,
        data=_relative_to_cwd(os.path.join(base, settings.data)) if settings.data else None,  # noqa: PTH118
        source=shown,
        problems=tuple(problems),
    )


def _relative_to_cwd(path: str) -> str:
    """*path* relative to the working directory when it can be (findings then name short paths)."""
    try:
        return os.path.relpath(path)
    except ValueError:  # pragma: no cover - another Windows drive
        return path


def _serving_rows(
    section: Mapping[str, Any], problem: Callable[[str, str | None, str, str], None]
) -> tuple[dict[str, Mapping[str, Any]], dict[str, Mapping[str, Any]]]:
    """`accelerators` and `models`: rows the serving tables accept; each bad row is a problem and skipped."""
    from ._serving_tables import TableError, parse_accelerator, parse_model  # noqa: PLC0415

    kept: tuple[dict[str, Mapping[str, Any]], dict[str, Mapping[str, Any]]] = ({}, {})
    for key, parse, rows in (("accelerators", parse_accelerator, kept[0]), ("models", parse_model, kept[1])):
        table = section.get(key)
        if table is None:
            continue
        if not isinstance(table, dict):
            problem(key, None, f"[tool.{SECTION}] {key} must be a table of rows", "see docs/serving.md for the keys")
            continue
        for name, row in table.items():
            try:
                parse(str(name), row)
            except TableError as err:
                problem(key, str(name), f"[tool.{SECTION}.{key}] {name!r}: {err}", "see docs/serving.md for the keys")
                continue
            rows[str(name)] = row
    return kept
