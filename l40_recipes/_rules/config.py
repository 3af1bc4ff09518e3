"""Rules about `[tool.l40-recipes]` itself: it is valid, and no waiver goes unused."""

from __future__ import annotations

from typing import TYPE_CHECKING

from l40_recipes._report import Severity

from . import RULES, Context, rule

if TYPE_CHECKING:
    from collections.abc import Iterator

    from l40_recipes._report import Finding


@rule("config-invalid", "[tool.l40-recipes] is valid", group="config")
def config_invalid(ctx: Context) -> Iterator[Finding]:
    """A configuration mistake (a waiver without a reason, an unknown severity) must not pass silently."""
    for location, message, hint in ctx.config.problems:
        yield ctx.finding("config-invalid", location, message, hint=hint)
    for waiver in ctx.config.waivers:
        if waiver.rule not in RULES:
            yield ctx.finding(
                "config-invalid",
                waiver.location,
                f"waiver names unknown rule {waiver.rule!r}",
                hint="see docs/rules.md",
            )
        elif waiver.overlay not in ctx.catalog.overlays and waiver.overlay not in ("base", *ctx.catalog.mixins):
            yield ctx.finding(
                "config-invalid",
                waiver.location,
                f"waiver names unknown overlay {waiver.overlay!r}",
                hint="fix the overlay name",
            )


@rule(
    "waiver-unused",
    "Every waiver still suppresses something",
    group="config",
    severity=Severity.WARNING,
    upstream="knownGaps hygiene check",
)
def waiver_unused(ctx: Context) -> Iterator[Finding]:
    """A waiver that suppresses nothing is stale: the gap it excused is fixed, or the rule no longer fires.

    Upstream's floor test fails on stale known-gap entries for the same reason.
    """
    used = ctx.used_waivers or set()
    for index, waiver in enumerate(ctx.config.waivers):
        if index not in used and waiver.rule in RULES:
            yield ctx.finding(
                "waiver-unused",
                waiver.location,
                f"the waiver of {waiver.rule!r} for {waiver.overlay!r} no longer suppresses anything",
                hint="remove the waiver",
            )
