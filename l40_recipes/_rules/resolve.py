"""Rules on resolved recipes: every overlay's own criteria resolve, with the components its intent and platform require; shared helpers for rules that read resolved recipes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from l40_recipes._errors import RecipeError
from l40_recipes._matching import lineage
from l40_recipes._models import ANY, DIMENSIONS, criteria_string, is_wild
from l40_recipes._result import RecipeResult

from . import Context, rule

#: Upstream's message for a spec.base cycle met while resolving.
CYCLE_MESSAGE: Final = "circular inheritance detected"

if TYPE_CHECKING:
    from collections.abc import Iterator

    from l40_recipes._catalog import Overlay
    from l40_recipes._report import Finding


def gateable(item: Overlay) -> bool:
    """Upstream's floor scope: overlays with criteria whose service and intent are not the literal `any`."""
    criteria = item.criteria
    return criteria is not None and ANY not in (criteria.intent, criteria.service)


def accelerator_bound(item: Overlay) -> bool:
    """The overlay names a concrete accelerator."""
    return item.criteria is not None and not is_wild(item.criteria.accelerator)


def query_text(item: Overlay) -> str:
    assert item.criteria is not None
    return criteria_string(item.criteria, blank_is_any=True)


def resolved_recipes(ctx: Context) -> Iterator[tuple[Overlay, RecipeResult]]:
    if not ctx.can_resolve():
        return
    for name in sorted(ctx.catalog.overlays):
        item = ctx.catalog.overlays[name]
        if not gateable(item):
            continue
        result = ctx.resolve(item)
        if isinstance(result, RecipeResult):
            yield item, result


def reaches_cycle(ctx: Context, item: Overlay) -> bool:
    """Whether *item*'s spec.base chain runs into a cycle: `base-cycle` reports it, once per edge.

    Every query through such a chain fails (or, as upstream filters a cycle's members out as
    ancestors, resolves to something unrelated), so rules that resolve skip it rather than repeat it.
    """
    return lineage(ctx.catalog, item).repeated is not None  # as base_walk's flag, without building the walk


@rule("resolves", "Every overlay's own criteria resolve", group="resolve", upstream="TestEveryLeafCriteriaResolves")
def resolves(ctx: Context) -> Iterator[Finding]:
    """An overlay unreachable through its own criteria is dead weight, or a broken query for its users."""
    if not ctx.can_resolve():
        return
    for name in sorted(ctx.catalog.overlays):
        item = ctx.catalog.overlays[name]
        if item.criteria is None or reaches_cycle(ctx, item):
            continue
        result = ctx.resolve(item)
        if isinstance(result, RecipeError) and not result.message.startswith(CYCLE_MESSAGE):
            where = result.location or item.locate("spec", "criteria")
            yield ctx.finding(
                "resolves",
                where,
                f"{query_text(item)} (the criteria of {item.name!r}) does not resolve: {result.upstream_text}",
                hint=result.hint or "fix the overlay or its chain so its own criteria resolve",
                overlay=item.name,
            )


@rule("required-components", "Recipes contain the components their intent and platform need", group="resolve")
def required_components(ctx: Context) -> Iterator[Finding]:
    """Accelerator recipes need a GPU operator, inference an inference gateway, Dynamo `dynamo-platform`, NIM `k8s-nim-operator`.

    The requirements are configurable under `[[tool.l40-recipes.required-components]]`.
    """
    for item, result in resolved_recipes(ctx):
        criteria = item.criteria
        assert criteria is not None
        raw = {d: getattr(criteria, d) for d in DIMENSIONS}
        enabled = {ref.name for ref in result.component_refs if ref.enabled}
        for requirement in ctx.config.requirements:
            if requirement.applies(raw) and not enabled & set(requirement.any_of):
                yield ctx.finding(
                    "required-components",
                    item.locate("spec", "criteria"),
                    f"the recipe for {query_text(item)} has no {requirement.name} (one of {', '.join(requirement.any_of)})",
                    hint=f"add {requirement.any_of[0]!r} to this overlay or a parent, or enable it",
                    overlay=item.name,
                )
