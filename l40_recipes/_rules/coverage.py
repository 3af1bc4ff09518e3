"""The coverage-projection rule: every query an overlay's criteria imply resolves or fails as upstream's coverage check says."""

from __future__ import annotations

from typing import TYPE_CHECKING

from l40_recipes._errors import CoverageError, RecipeError
from l40_recipes._models import DIMENSIONS, Criteria, is_wild
from l40_recipes._resolution import build_recipe

from . import Context, rule
from .resolve import CYCLE_MESSAGE, reaches_cycle

if TYPE_CHECKING:
    from collections.abc import Iterator

    from l40_recipes._report import Finding


@rule(
    "coverage-projection",
    "Every projection of every overlay's criteria resolves or names its gap",
    group="coverage",
    upstream="TestCoverageGoldenMatrix",
)
def coverage_projection(ctx: Context) -> Iterator[Finding]:
    """Each non-empty subset of an overlay's stated dimensions must resolve, or fail with a coverage error.

    Any other failure (a cycle, a mixin conflict, an incoherent component) means some query a user can
    type breaks the tool instead of telling them which criteria to add. Upstream's golden matrix
    aborts on such errors.
    """
    if not ctx.can_resolve():
        return
    seen: set[tuple[tuple[str, str], ...]] = set()
    for name in sorted(ctx.catalog.overlays):
        item = ctx.catalog.overlays[name]
        criteria = item.criteria
        if criteria is None or reaches_cycle(ctx, item):
            continue
        stated = [d for d in DIMENSIONS if not is_wild(getattr(criteria, d))]
        # The full criteria (every bit set) are the `resolves` rule's query: resolved and reported there.
        for mask in range(1, (1 << len(stated)) - 1):
            chosen = tuple((d, getattr(criteria, d)) for i, d in enumerate(stated) if mask & (1 << i))
            if chosen in seen:
                continue
            seen.add(chosen)
            query = Criteria(**dict(chosen))
            try:
                build_recipe(ctx.catalog, query, version="check", coverage_details=False)
            except CoverageError:
                continue
            except RecipeError as err:
                if err.message.startswith(CYCLE_MESSAGE):
                    continue  # another overlay's chain: reported by base-cycle
                yield ctx.finding(
                    "coverage-projection",
                    err.location or item.locate("spec", "criteria"),
                    f"{query} (a projection of {item.name!r}) fails with {err.upstream_text}",
                    hint=err.hint or "fix the composition so this query resolves or reports missing criteria",
                    overlay=item.name,
                )
