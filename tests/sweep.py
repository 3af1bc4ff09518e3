"""Resolve every combination of criteria values against a catalog (each dimension also `any`)."""

from __future__ import annotations

import itertools
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from l40_recipes._criteria import specificity
from l40_recipes._errors import RecipeError
from l40_recipes._models import ANY, DIMENSIONS, Criteria
from l40_recipes._resolution import build_recipe
from l40_recipes._semantics import V0_20

if TYPE_CHECKING:
    from collections.abc import Iterator

    from l40_recipes._catalog import Catalog

__all__ = ["SweepResult", "combinations", "sweep"]


def combinations(catalog: Catalog | None = None) -> Iterator[Criteria]:
    """Every query over upstream's values (the catalog's release's, and the catalog's own), each dimension also `any`.

    Queries with nothing stated are left out: the CLI rejects them before resolving.
    """
    values = []
    for dimension in DIMENSIONS:
        enums = (catalog.aicr_version if catalog else V0_20).enum_values
        known = set(enums[dimension]) | set(catalog.known_values.get(dimension, ()) if catalog else ())
        values.append([ANY, *sorted(known)])
    for combo in itertools.product(*values):
        query = Criteria.model_validate(dict(zip(DIMENSIONS, combo, strict=True)))
        if specificity(query):
            yield query


@dataclass(slots=True)
class SweepResult:
    """Counts of one sweep."""

    combinations: int = 0
    successes: int = 0
    errors: Counter[str] = field(default_factory=Counter)


def sweep(catalog: Catalog) -> SweepResult:
    """Resolve every combination; only `RecipeError` may escape a resolution (anything else propagates)."""
    result = SweepResult()
    for query in combinations(catalog):
        result.combinations += 1
        try:
            build_recipe(catalog, query, version="sweep", coverage_details=False)
        except RecipeError as err:
            result.errors[err.code.value] += 1
        else:
            result.successes += 1
    return result
