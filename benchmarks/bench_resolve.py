"""Load the upstream 9793720d catalog and resolve every golden query and coverage projection.

Run from the repository root: `python benchmarks/bench_resolve.py [path/to/recipes]`.
Target on a 2-core machine: load + all 102 leaf resolutions well under 1 s.
"""

from __future__ import annotations

import contextlib
import json
import sys
import time
from pathlib import Path

import yaml

from l40_recipes import Criteria, RecipeError, load_catalog, resolve
from l40_recipes._models import DIMENSIONS, is_wild
from l40_recipes._resolution import build_recipe

UPSTREAM = Path(__file__).resolve().parent.parent.parent / "shared" / "upstream-aicr" / "9793720d"


def main() -> int:
    recipes = Path(sys.argv[1]) if len(sys.argv) > 1 else UPSTREAM / "recipes"
    goldens = sorted((recipes.parent / "goldens").glob("leaf__*.json"))
    started = time.perf_counter()
    catalog = load_catalog(recipes)
    loaded = time.perf_counter()
    for path in goldens:
        with contextlib.suppress(RecipeError):
            resolve(catalog=catalog, version="dev", **json.loads(path.read_text())["query"])
    leaves = time.perf_counter()
    golden = yaml.safe_load((recipes.parent / "pkg-recipe-testdata" / "coverage_golden.yaml").read_text())
    projections = 0
    seen: set[str] = set()
    for item in catalog.overlays.values():
        if item.criteria is None:
            continue
        stated = [d for d in DIMENSIONS if not is_wild(getattr(item.criteria, d))]
        for mask in range(1, 1 << len(stated)):
            query = Criteria(**{d: getattr(item.criteria, d) for i, d in enumerate(stated) if mask & (1 << i)})
            if str(query) not in golden or str(query) in seen:
                continue
            seen.add(str(query))
            projections += 1
            with contextlib.suppress(RecipeError):
                build_recipe(catalog, query)
    finished = time.perf_counter()
    queries = len(goldens) + projections
    print(f"catalog: {recipes}")
    print(f"load: {loaded - started:.3f} s")
    print(f"load + {len(goldens)} leaf resolutions: {leaves - started:.3f} s")
    print(f"{projections} coverage projections: {finished - leaves:.3f} s")
    print(f"total: {finished - started:.3f} s for {queries} queries ({queries / (finished - loaded):.0f} queries/s)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
