"""Candidates: the matching overlays that no other match inherits from, by (specificity, name)."""

from __future__ import annotations

import itertools
from typing import TYPE_CHECKING

import pytest

from l40_recipes import Criteria, load_catalog
from l40_recipes._criteria import matches, specificity
from l40_recipes._matching import candidates, lineage

from .conftest import UPSTREAM_RECIPES, needs_shared, overlay, write_catalog

if TYPE_CHECKING:
    from pathlib import Path

    from l40_recipes import Catalog
    from l40_recipes._catalog import Overlay


def _by_definition(catalog: Catalog, query: Criteria) -> list[Overlay]:
    """`FindMatchingOverlays` read literally: every overlay tested, ancestors of matches dropped."""
    found = [o for o in catalog.overlays.values() if o.criteria is not None and matches(o.criteria, query)]
    ancestors = {name for o in found for name in lineage(catalog, o).names}
    leaves = [o for o in found if o.name not in ancestors]
    return sorted(leaves, key=lambda o: (specificity(o.criteria) if o.criteria else 0, o.name))


def _names(overlays: list[Overlay]) -> list[str]:
    return [o.name for o in overlays]


def test_candidates_agree_with_the_definition_on_every_query(tmp_path: Path) -> None:
    """Wild spellings, stated values, chains and unknown values: the bit sets select what matching does."""
    root = write_catalog(
        tmp_path,
        {
            "svc": overlay("svc", criteria="service: eks"),
            "svc-any": overlay("svc-any", criteria="service: any, intent: training"),
            "svc-gpu": overlay("svc-gpu", base="svc", criteria="service: eks, accelerator: h100"),
            "svc-gpu-os": overlay("svc-gpu-os", base="svc-gpu", criteria="service: eks, accelerator: h100, os: ubuntu"),
            "gpu": overlay("gpu", criteria="accelerator: h100, intent: training"),
            "os-only": overlay("os-only", criteria="os: ubuntu, platform: kubeflow"),
            "gke": overlay("gke", criteria="service: gke, accelerator: l40"),
            "bare": overlay("bare"),  # no criteria: never a candidate
            "loop-a": overlay(
                "loop-a", base="loop-b", criteria="service: aks"
            ),  # a cycle: each is the other's ancestor
            "loop-b": overlay("loop-b", base="loop-a", criteria="service: aks, intent: inference"),
            "lost": overlay("lost", base="missing", criteria="platform: other"),
        },
    )
    catalog = load_catalog(root)
    values = {
        "service": ["any", "", "eks", "gke", "aks"],
        "accelerator": ["any", "h100", "l40"],
        "intent": ["any", "training", "inference"],
        "os": ["any", "ubuntu"],
        "platform": ["any", "kubeflow", "other"],
    }
    seen: set[tuple[str, ...]] = set()
    for combo in itertools.product(*values.values()):
        query = Criteria.model_validate(dict(zip(values, combo, strict=True)))
        expected = _names(_by_definition(catalog, query))
        assert _names(candidates(catalog, query)) == expected, combo
        seen.add(tuple(expected))
    assert len(seen) > 10  # the queries reach many different candidate lists
    assert ("svc-gpu-os",) in seen
    assert ("lost",) in seen
    assert ("gpu", "svc-any") in seen or ("svc-any", "gpu") in seen


@needs_shared
@pytest.mark.parametrize("every", [13])
def test_candidates_agree_with_the_definition_on_upstream(every: int) -> None:
    """A sample of the upstream sweep's queries (every 13th) selects the same candidates, in order."""
    from .sweep import combinations  # noqa: PLC0415

    catalog = load_catalog(UPSTREAM_RECIPES)
    checked = 0
    for index, query in enumerate(combinations(catalog)):
        if index % every == 0:
            assert _names(candidates(catalog, query)) == _names(_by_definition(catalog, query)), query
            checked += 1
    assert checked > 900
