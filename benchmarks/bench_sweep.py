"""Resolve every combination of criteria values (each dimension also `any`) against the upstream and shipped catalogs.

Run from the repository root: `python benchmarks/bench_sweep.py`. Prints combinations, successes,
errors by code and queries per second; any exception other than RecipeError aborts the run.
"""

from __future__ import annotations

import time
from pathlib import Path

from l40_recipes import load_catalog
from tests.sweep import sweep

REPO = Path(__file__).resolve().parent.parent
CATALOGS = {"upstream 9793720d": REPO.parent / "shared" / "upstream-aicr" / "9793720d" / "recipes", "shipped": REPO}


def main() -> int:
    for name, path in CATALOGS.items():
        if not path.is_dir():
            print(f"{name}: {path} is absent, skipped")
            continue
        catalog = load_catalog(path)
        started = time.perf_counter()
        result = sweep(catalog)
        elapsed = time.perf_counter() - started
        errors = ", ".join(f"{code} {count}" for code, count in sorted(result.errors.items()))
        print(
            f"{name}: {result.combinations} combinations, {result.successes} successes, errors: {errors or 'none'}; "
            f"{elapsed:.2f} s ({result.combinations / elapsed:.0f} queries/s)",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
