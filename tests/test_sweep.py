"""The sweep: every combination of criteria values resolves or raises a RecipeError."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from .conftest import needs_shared
from .sweep import combinations, sweep

if TYPE_CHECKING:
    from l40_recipes import Catalog

#: 10 services x 10 accelerators x 3 intents x 7 os x 6 platforms (each with `any`), minus the all-`any` query.
EVERY_COMBINATION = 10 * 10 * 3 * 7 * 6 - 1


def test_combinations_cover_every_value_and_wildcard(shipped: Catalog) -> None:
    """Each dimension ranges over upstream's values plus `any`; only the empty query is left out."""
    queries = list(combinations(shipped))
    assert len(queries) == EVERY_COMBINATION
    assert len({str(query) for query in queries}) == EVERY_COMBINATION


@pytest.mark.parametrize(("fixture", "successes"), [("shipped", 22), pytest.param("upstream", 243, marks=needs_shared)])
def test_sweep_raises_only_recipe_errors(fixture: str, successes: int, request: pytest.FixtureRequest) -> None:
    """The full sweep completes (only RecipeError escapes a resolution) with a pinned number of recipes."""
    catalog = request.getfixturevalue(fixture)
    result = sweep(catalog)
    assert result.combinations == EVERY_COMBINATION
    assert result.successes == successes
    assert set(result.errors) == {"INVALID_REQUEST"}
    assert result.successes + sum(result.errors.values()) == result.combinations
