"""`[tool.l40-recipes]` configuration: strictness, rule selection, severities, waivers, policies.

The configuration lives in the `pyproject.toml` found at the catalog root or the nearest directory
above it, like ruff's and pytest's. Only that file is read, and never written.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final

from ._errors import Location
from ._report import Severity
from ._semantics import AICR_VERSIONS, aicr_version as as_aicr_version

if TYPE_CHECKING:
    from collections.abc import Mapping
    from pathlib import Path

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
    #: `aicr-version`: the upstream release the catalog is read as (`0.20`, `1.0`); None: detect.
    aicr_version: str | None = None
    source: str = ""
    #: Problems with the configuration itself: (location, message, hint).
    problems: tuple[tuple[Location, str, str], ...] = ()


def find_pyproject(root: Path) -> Path | None:
    """The `pyproject.toml` at *root* or in the nearest directory above it."""
    for directory in (root.resolve(), *root.resolve().parents):
        candidate = directory / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def load_config(root: Path, *, display: str | None = None) -> Config:
    """Read `[tool.l40-recipes]` for the catalog at *root*; a missing section means defaults."""
    path = find_pyproject(root)
    if path is None:
        return Config()
    shown = display or str(path)
    text = path.read_text(encoding="utf-8", errors="replace")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as err:
        return Config(
            source=shown,
            problems=((Location(shown, 1, 1), f"pyproject.toml is not valid TOML: {err}", "fix the TOML syntax"),),
        )
    section = data.get("tool", {}).get(SECTION)
    if not isinstance(section, dict):
        return Config(source=shown)
    return _parse(section, shown, text)


def _line_of(text: str, needle: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            return number
    return 1


def _parse(section: dict[str, Any], shown: str, text: str) -> Config:
    problems: list[tuple[Location, str, str]] = []

    def problem(needle: str, message: str, hint: str) -> None:
        problems.append((Location(shown, _line_of(text, needle), 1), message, hint))

    def strings(key: str) -> frozenset[str] | None:
        value = section.get(key)
        if value is None:
            return None
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            problem(key, f"[tool.{SECTION}] {key} must be a list of rule ids", f'write {key} = ["rule-id", ...]')
            return None
        return frozenset(value)

    strict = section.get("strict", False)
    if not isinstance(strict, bool):
        problem("strict", f"[tool.{SECTION}] strict must be true or false", "write strict = true")
        strict = False
    severity: dict[str, Severity] = {}
    for rule, level in (section.get("severity") or {}).items():
        try:
            severity[str(rule)] = Severity(level)
        except ValueError:
            problem(
                str(rule), f"severity of {rule!r} must be 'error' or 'warning', not {level!r}", "use error or warning"
            )
    waivers: list[Waiver] = []
    for entry in section.get("waivers") or []:
        rule, overlay, reason = (str(entry.get(key, "")) for key in ("rule", "overlay", "reason"))
        location = Location(shown, _line_of(text, overlay) if overlay else 1, 1)
        if not rule or not overlay:
            problem(
                overlay or "waivers",
                "a waiver needs a rule and an overlay",
                "write {rule = ..., overlay = ..., reason = ...}",
            )
            continue
        if not reason.strip():
            problem(
                overlay, f"the waiver of {rule!r} for {overlay!r} has no reason", "say why the rule does not apply here"
            )
            continue
        waivers.append(Waiver(rule, overlay, reason, location))
    requirements: tuple[Requirement, ...] = DEFAULT_REQUIREMENTS
    if "required-components" in section:
        parsed: list[Requirement] = []
        for entry in section["required-components"] or []:
            when = entry.get("when") or {}
            any_of = entry.get("any-of") or []
            if not isinstance(when, dict) or not isinstance(any_of, list) or not any_of:
                problem(
                    "required-components",
                    "a required-components entry needs `when` and a non-empty `any-of`",
                    "see README",
                )
                continue
            parsed.append(
                Requirement(str(entry.get("name", ", ".join(any_of))), tuple(sorted(when.items())), tuple(any_of)),
            )
        requirements = tuple(parsed)
    raw_version = section.get("aicr-version")
    aicr_version: str | None = None
    if raw_version is not None:
        try:
            found = as_aicr_version(str(raw_version))
            aicr_version = found.name if found is not None else None
        except ValueError:
            problem(
                "aicr-version",
                f"[tool.{SECTION}] aicr-version must be one of {', '.join(AICR_VERSIONS)}, got {raw_version!r}",
                'write aicr-version = "1.0" (or "0.20")',
            )
    exemptions = tuple(
        PinExemption(str(entry.get("overlay", "")), str(entry.get("component", "")), str(entry.get("reason", "")))
        for entry in section.get("version-pin-exemptions") or []
        if str(entry.get("reason", "")).strip()
    )
    return Config(
        strict=strict,
        select=strings("select"),
        ignore=strings("ignore") or frozenset(),
        severity=severity,
        waivers=tuple(waivers),
        requirements=requirements,
        pin_exemptions=exemptions,
        aicr_version=aicr_version,
        source=shown,
        problems=tuple(problems),
    )
