"""Time check() on the upstream 9793720d catalog and on the shipped catalog.

Run from the repository root: `python benchmarks/bench_check.py`. Target on a 2-core machine:
check() of the upstream catalog well under 1 s.
"""

from __future__ import annotations

import time
from pathlib import Path

from l40_recipes import check, load_catalog

REPO = Path(__file__).resolve().parent.parent
UPSTREAM = REPO.parent / "shared" / "upstream-aicr" / "9793720d" / "recipes"


def main() -> int:
    for name, path in (("upstream 9793720d", UPSTREAM), ("shipped", REPO)):
        if not path.is_dir():
            print(f"{name}: {path} is absent, skipped")
            continue
        started = time.perf_counter()
        report = check(path)
        total = time.perf_counter() - started
        loaded = time.perf_counter()
        load_catalog(path)
        load = time.perf_counter() - loaded
        print(f"{name}: check() {total:.3f} s (load alone {load:.3f} s): {report.counts}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
