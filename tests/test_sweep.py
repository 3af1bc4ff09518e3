"""The sweep: every combination of criteria values resolves or raises a RecipeError."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from .conftest import needs_shared
from .sweep import combinations, sweep

if TYPE_CHECKING:
    from l40_recipes import Catalog

#: Per release, each dimension's values plus `any`, minus the all-`any` query. aicr 0.20 (upstream's
#: catalog): 10 services x 10 accelerators x 3 intents x 7 os x 6 platforms. aicr 1.0 (the shipped
#: catalog) adds the services generic, k0s and rke2, the accelerator vr200, the os sles and the
#: platform kueue: 13 x 11 x 3 x 8 x 7.
EVERY_COMBINATION_0_20 = 10 * 10 * 3 * 7 * 6 - 1
EVERY_COMBINATION_1_0 = 13 * 11 * 3 * 8 * 7 - 1


def test_combinations_cover_every_value_and_wildcard(shipped: Catalog) -> None:
    """Each dimension ranges over the catalog's release's values plus `any`; only the empty query is left out."""
    queries = list(combinations(shipped))
    assert len(queries) == EVERY_COMBINATION_1_0
    assert len({str(query) for query in queries}) == EVERY_COMBINATION_1_0


@pytest.mark.parametrize(
    ("fixture", "every", "successes"),
    [
        ("shipped", EVERY_COMBINATION_1_0, 22),
        pytest.param("upstream", EVERY_COMBINATION_0_20, 243, marks=needs_shared),
    ],
)
def test_sweep_raises_only_recipe_errors(
    fixture: str, every: int, successes: int, request: pytest.FixtureRequest
) -> None:
    """The full sweep completes (only RecipeError escapes a resolution) with a pinned number of recipes."""
    catalog = request.getfixturevalue(fixture)
    result = sweep(catalog)
    assert result.combinations == every
    assert result.successes == successes
    assert set(result.errors) == {"INVALID_REQUEST"}
    assert result.successes + sum(result.errors.values()) == result.combinations
