"""The rule registry: every check `check()` runs, with a stable id, a title and a rationale.

Each rule is a function from a `Context` to findings, registered with `@rule`. Its docstring
explains why the rule exists; `docs/rules.md` is generated from these (see `render_markdown`).
"""

from __future__ import annotations

import inspect
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from l40_recipes._errors import RecipeError
from l40_recipes._matching import lineage
from l40_recipes._report import Finding, Severity
from l40_recipes._resolution import build_recipe

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Iterator, Mapping

    from l40_recipes._catalog import Catalog, Mixin, Overlay
    from l40_recipes._config import Config
    from l40_recipes._errors import Location, RecipeLoadError
    from l40_recipes._models import ComponentRef
    from l40_recipes._result import RecipeResult

__all__ = [
    "GROUPS",
    "RULES",
    "Context",
    "Rule",
    "all_rules",
    "base_walk",
    "component_refs",
    "render_markdown",
    "rule",
    "sources",
]

#: Plugin item groups, in the order the docs list them.
GROUPS: Final = (
    "schema",
    "references",
    "registry",
    "validators",
    "duplicate-criteria",
    "resolve",
    "floor",
    "coverage",
    "serving",
    "config",
)


@dataclass(frozen=True, slots=True)
class Rule:
    """A registered rule."""

    id: str
    title: str
    severity: Severity
    group: str
    upstream: str
    function: Callable[[Context], Iterable[Finding]]

    @property
    def rationale(self) -> str:
        """The rule function's docstring: why the rule exists."""
        return inspect.cleandoc(self.function.__doc__ or "")


RULES: dict[str, Rule] = {}


def rule(
    rule_id: str,
    title: str,
    *,
    group: str,
    severity: Severity = Severity.ERROR,
    upstream: str = "",
) -> Callable[[Callable[[Context], Iterable[Finding]]], Callable[[Context], Iterable[Finding]]]:
    """Register a rule function under *rule_id*; *upstream* names the upstream test it mirrors."""

    def register(function: Callable[[Context], Iterable[Finding]]) -> Callable[[Context], Iterable[Finding]]:
        assert rule_id not in RULES, rule_id
        assert group in GROUPS, group
        RULES[rule_id] = Rule(rule_id, title, severity, group, upstream, function)
        return function

    return register


@dataclass(slots=True)
class Context:
    """What rules see: the catalog, the configuration, and resolutions computed once."""

    catalog: Catalog
    config: Config
    #: Indexes of the waivers that suppressed a finding; set before the `waiver-unused` rule runs.
    used_waivers: set[int] | None = None
    _resolved: dict[str, RecipeResult | RecipeError] = field(default_factory=dict)
    #: Why each referenced path is unsafe (None: it is safe), found once though five rules ask (the
    #: four that ask about overlays' paths took 45 ms on upstream's catalog asking each time, 12 ms with this).
    path_problems: dict[str, str | None] = field(default_factory=dict)

    def finding(
        self,
        rule_id: str,
        location: Location,
        message: str,
        *,
        hint: str = "",
        overlay: str = "",
        severity: Severity | None = None,
    ) -> Finding:
        """A finding of *rule_id*, by default at the rule's severity (`check()` applies the config)."""
        level = severity if severity is not None else RULES[rule_id].severity
        return Finding.at(rule_id, level, location, message, hint=hint, overlay=overlay)

    @property
    def problems(self) -> tuple[RecipeLoadError, ...]:
        """The load errors collected while loading the catalog for `check()`."""
        return self.catalog._problems

    @property
    def files(self) -> Mapping[str, bytes]:
        """The bytes of every file under `components/`, by path relative to the root."""
        return self.catalog._files

    def overlays(self) -> Iterator[Overlay]:
        """base.yaml (if any), then every overlay file in file order (duplicates included)."""
        if self.catalog.base is not None:
            yield self.catalog.base
        yield from self.catalog.overlay_files

    def resolve(self, overlay: Overlay) -> RecipeResult | RecipeError:
        """The recipe for *overlay*'s own criteria (cached), or the error resolving it."""
        key = overlay.name
        if key not in self._resolved:
            assert overlay.criteria is not None
            try:
                self._resolved[key] = build_recipe(self.catalog, overlay.criteria, version="check")
            except RecipeError as err:
                self._resolved[key] = err
        return self._resolved[key]

    def can_resolve(self) -> bool:
        """Whether the catalog loaded well enough to resolve queries at all."""
        return self.catalog.base is not None and self.catalog.registry is not None


def base_walk(ctx: Context, item: Overlay) -> tuple[list[str], bool]:
    """Names along *item*'s spec.base chain (itself first), and whether the walk closed a cycle.

    On a cycle the name that closes it ends the list; a missing parent is left out.
    """
    walk = lineage(ctx.catalog, item)
    if walk.repeated is not None:  # only a walk that repeats a name can come back to *item*
        for index, name in enumerate(walk.names):
            if name == item.name:
                return [item.name, *walk.names[: index + 1]], True
        return [item.name, *walk.names, walk.repeated], True
    found = walk.names[:-1] if walk.missing is not None else walk.names
    return [item.name, *found], False


def component_refs(item: Overlay | Mixin) -> Iterator[tuple[int, ComponentRef]]:
    """The componentRefs of an overlay or mixin, with their positions."""
    yield from enumerate(item.document.spec.component_refs)


def sources(ctx: Context) -> Iterator[Overlay | Mixin]:
    """Every file that declares componentRefs: base.yaml, the overlays, then the mixins."""
    yield from ctx.overlays()
    yield from ctx.catalog.mixins.values()


def render_markdown() -> str:
    """`docs/rules.md`: every rule, grouped, with id, severity, title, upstream twin and rationale."""
    rules = all_rules()
    lines = [
        "# Rules",
        "",
        "Generated from `l40_recipes/_rules/` by `python -m l40_recipes._rules`; do not edit by hand.",
        "Every rule has a stable id. `--select`/`--ignore`, `[tool.l40-recipes] severity` and waivers use it.",
        "Under `strict`, warnings count as errors.",
        "",
    ]
    for group in GROUPS:
        in_group = sorted((item for item in rules.values() if item.group == group), key=lambda item: item.id)
        if not in_group:
            continue
        lines += [f"## {group}", ""]
        for item in in_group:
            lines += [f"### `{item.id}` — {item.title}", ""]
            twin = f" Upstream twin: `{item.upstream}`." if item.upstream else " Upstream has no such check."
            lines += [f"Default severity: **{item.severity}**.{twin}", "", item.rationale, ""]
    return "\n".join(lines).rstrip() + "\n"


def all_rules() -> dict[str, Rule]:
    """Every registered rule, importing the rule modules on first use."""
    from . import (  # noqa: F401, PLC0415 - registering the rules
        config,
        coverage,
        criteria,
        duplicate_criteria,
        floor,
        references,
        registry,
        resolve,
        schema,
        serving,
        validators,
    )

    return RULES
