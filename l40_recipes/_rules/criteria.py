"""Rules about the criteria an overlay states: present, known, canonical, and shaped as leaves and intermediates need."""

from __future__ import annotations

from typing import TYPE_CHECKING

from l40_recipes._criteria import ENUM_VALUES, parse_dimension
from l40_recipes._errors import CriteriaError
from l40_recipes._models import DIMENSIONS, is_wild
from l40_recipes._report import Severity

from . import Context, rule

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from l40_recipes._catalog import Catalog, Overlay
    from l40_recipes._report import Finding


@rule("criteria-missing", "Every overlay has criteria", group="schema", upstream="TestAllOverlayCriteriaUseValidEnums")
def criteria_missing(ctx: Context) -> Iterator[Finding]:
    """An overlay without `spec.criteria` never matches a query; it can only be reached as a parent."""
    for item in ctx.catalog.overlay_files:
        if item.criteria is None:
            yield ctx.finding(
                "criteria-missing",
                item.source.locate(("spec",)),
                f"overlay {item.name!r} has no spec.criteria, so no query ever selects it",
                hint="add the criteria this overlay serves (service, accelerator, intent, os, platform)",
                overlay=item.name,
            )


@rule("criteria-enum", "Criteria values are known", group="schema", upstream="TestAllOverlayCriteriaUseValidEnums")
def criteria_enum(ctx: Context) -> Iterator[Finding]:
    """A value outside upstream's enums is only accepted through the catalog's own registry.

    Queries against the embedded catalog would reject it, and it usually is a typo (`ubunut`).
    """
    for item in ctx.catalog.overlay_files:
        criteria = item.criteria
        if criteria is None:
            continue
        for dimension in DIMENSIONS:
            value = getattr(criteria, dimension)
            if is_wild(value):
                continue
            try:
                parse_dimension(dimension, value, semantics=ctx.catalog.aicr_version)
            except CriteriaError:
                yield ctx.finding(
                    "criteria-enum",
                    item.source.locate_value(("spec", "criteria", dimension)),
                    f"{dimension} {value!r} is not one of upstream's values: {', '.join(ENUM_VALUES[dimension])}",
                    hint=f"use a known {dimension} or register the value through a catalog overlay on purpose",
                    overlay=item.name,
                )


@rule("criteria-case", "Criteria values are canonical", group="schema")
def criteria_case(ctx: Context) -> Iterator[Finding]:
    """Overlay criteria are compared byte for byte with the parsed, lowercased query.

    `accelerator: H100`, `service: self` or `os: al2` therefore never match anything, and upstream's
    enum test (case-insensitive) does not notice.
    """
    for item in ctx.catalog.overlay_files:
        criteria = item.criteria
        if criteria is None:
            continue
        for dimension in DIMENSIONS:
            value = getattr(criteria, dimension)
            if is_wild(value):
                continue
            try:
                canonical = parse_dimension(
                    dimension, value, known={dimension: {value.strip().lower()}}, semantics=ctx.catalog.aicr_version
                )
            except CriteriaError:
                continue
            if canonical != value:
                yield ctx.finding(
                    "criteria-case",
                    item.source.locate_value(("spec", "criteria", dimension)),
                    f"{dimension} {value!r} never matches: queries are normalized to {canonical!r}",
                    hint=f"write `{dimension}: {canonical}`",
                    overlay=item.name,
                )


@rule("nodes-ignored", "criteria.nodes has no effect", group="schema", severity=Severity.WARNING)
def nodes_ignored(ctx: Context) -> Iterator[Finding]:
    """Upstream stopped matching on `nodes` (#1781) and rejects it in external catalogs.

    An overlay that sets it matches every node count.
    """
    for item in ctx.catalog.overlay_files:
        if item.criteria is not None and item.criteria.nodes:
            yield ctx.finding(
                "nodes-ignored",
                item.source.locate(("spec", "criteria", "nodes")),
                f"criteria.nodes={item.criteria.nodes} is ignored when selecting overlays",
                hint="remove criteria.nodes",
                overlay=item.name,
            )


def _children(catalog: Catalog) -> set[str]:
    return {item.base for item in catalog.overlay_files if item.base}


@rule(
    "intermediate-criteria",
    "Intermediate overlays state a dimension",
    group="schema",
    upstream="TestIntermediateRecipesHavePartialCriteria",
)
def intermediate_criteria(ctx: Context) -> Iterator[Finding]:
    """An overlay with a parent and criteria must set service, accelerator, os or intent.

    Otherwise it matches every query that reaches its dimensions and is applied far more widely
    than its place in the hierarchy suggests.
    """
    yield from _criteria_shape(ctx, "intermediate-criteria", lambda item: bool(item.base))


@rule(
    "leaf-criteria", "Leaf overlays state a dimension", group="schema", upstream="TestLeafRecipesHaveCompleteCriteria"
)
def leaf_criteria(ctx: Context) -> Iterator[Finding]:
    """An overlay that is nobody's parent must set service, accelerator, os or intent (`any` counts).

    Despite upstream's test name, complete criteria are not required.
    """
    children = _children(ctx.catalog)
    yield from _criteria_shape(ctx, "leaf-criteria", lambda item: item.name not in children)


def _criteria_shape(ctx: Context, rule_id: str, selected: Callable[[Overlay], bool]) -> Iterator[Finding]:
    for item in ctx.catalog.overlay_files:
        criteria = item.criteria
        if criteria is None or not selected(item):
            continue
        if any(getattr(criteria, d) for d in ("service", "accelerator", "os", "intent")):
            continue
        yield ctx.finding(
            rule_id,
            item.source.locate(("spec", "criteria")),
            f"overlay {item.name!r} states none of service, accelerator, os or intent",
            hint="state at least one of them, or fold this overlay into its parent",
            overlay=item.name,
        )
