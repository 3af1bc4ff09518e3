"""Rules about overlays whose criteria collide, spelled alike or not."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from l40_recipes._models import DIMENSIONS
from l40_recipes._report import Severity

from . import Context, rule

if TYPE_CHECKING:
    from collections.abc import Iterator

    from l40_recipes._catalog import Overlay
    from l40_recipes._report import Finding


def _raw_key(item: Overlay) -> str:
    assert item.criteria is not None
    return ",".join(f"{d}={getattr(item.criteria, d)}" for d in ("service", "accelerator", "os", "intent", "platform"))


@rule(
    "duplicate-criteria",
    "No two overlays share criteria",
    group="duplicate-criteria",
    upstream="TestNoDuplicateCriteriaAcrossOverlays",
)
def duplicate_criteria(ctx: Context) -> Iterator[Finding]:
    """Two overlays with the same criteria are both applied to the same queries, in name order.

    The later name silently wins every conflict. The key is built from the raw strings, as upstream's
    test builds it (so `""` and `any` differ; see `wildcard-spelling`).
    """
    groups: dict[str, list[Overlay]] = defaultdict(list)
    for item in ctx.catalog.overlays.values():
        if item.criteria is not None:
            groups[_raw_key(item)].append(item)
    for items in groups.values():
        first, *others = sorted(items, key=lambda item: item.path)
        for other in others:
            yield ctx.finding(
                "duplicate-criteria",
                other.locate("spec", "criteria"),
                f"overlay {other.name!r} has the same criteria as {first.name!r} ({first.locate('spec', 'criteria')})",
                hint="merge the two overlays, or make their criteria differ",
                overlay=other.name,
            )


@rule(
    "wildcard-spelling", 'Duplicates hidden by `""` versus `any`', group="duplicate-criteria", severity=Severity.WARNING
)
def wildcard_spelling(ctx: Context) -> Iterator[Finding]:
    """`""` (an omitted key) and `any` match identically, but upstream's duplicate test keys them apart.

    Two overlays whose criteria differ only in that spelling are duplicates upstream cannot see.
    """
    groups: dict[tuple[str, ...], list[Overlay]] = defaultdict(list)
    for item in ctx.catalog.overlays.values():
        if item.criteria is not None:
            groups[tuple(getattr(item.criteria, d) or "any" for d in DIMENSIONS)].append(item)
    for items in groups.values():
        if len({_raw_key(item) for item in items}) < 2:
            continue
        first, *others = sorted(items, key=lambda item: item.path)
        for other in others:
            if _raw_key(other) == _raw_key(first):
                continue
            yield ctx.finding(
                "wildcard-spelling",
                other.locate("spec", "criteria"),
                f'overlay {other.name!r} matches exactly the queries {first.name!r} matches; only `""` versus `any` differs',
                hint="merge the overlays, and write wildcards one way (omit the key)",
                overlay=other.name,
            )
