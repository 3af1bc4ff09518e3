"""Two checkouts of this repository, interleaved, through the public API only.

`python benchmarks/bench_compare.py OLD_CHECKOUT NEW_CHECKOUT [ROUNDS]` runs, ROUNDS times and
alternating between the two (so both see the same machine load), one process per checkout that
measures: loading upstream's 9793720d catalog and resolving its 102 golden queries, `check()` of it,
432 queries through the public `resolve()`; and one `l40-recipes resolve` process. It prints the
median CPU seconds (wall seconds for the process) and the ratio NEW/OLD.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

UPSTREAM = Path(__file__).resolve().parent.parent.parent / "shared" / "upstream-aicr" / "9793720d"

PROBE = """
import contextlib, itertools, json, sys, time
from pathlib import Path
from l40_recipes import RecipeError, check, load_catalog, resolve
upstream = Path(sys.argv[1])
out = {}
start = time.process_time()
catalog = load_catalog(upstream / "recipes")
for path in sorted((upstream / "goldens").glob("leaf__*.json")):
    with contextlib.suppress(RecipeError):
        resolve(catalog=catalog, version="dev", **json.loads(path.read_text())["query"])
out["load + 102 golden queries"] = time.process_time() - start
start = time.process_time()
check(upstream / "recipes")
out["check() of upstream"] = time.process_time() - start
catalog = load_catalog(upstream / "recipes")
services = ["aks", "eks", "gke", "oke", "ocp", "kind", "lke", "any"]
accelerators = ["h100", "b200", "gb200", "rtx-pro-6000", "l40s", "any"]
start = time.process_time()
for query in itertools.product(services, accelerators, ["inference", "training", "any"], ["ubuntu", "cos", "any"]):
    with contextlib.suppress(RecipeError):
        resolve(catalog=catalog, version="dev", **dict(zip(("service", "accelerator", "intent", "os"), query)))
out["432 queries via resolve()"] = time.process_time() - start
print(json.dumps(out))
"""


def main() -> int:
    old, new = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    cli = [sys.executable, "-m", "l40_recipes", "resolve", "--catalog", str(UPSTREAM / "recipes"), "--format", "json"]
    cli += ["--service", "eks", "--accelerator", "h100", "--intent", "training", "--os", "ubuntu"]
    results: dict[Path, dict[str, list[float]]] = {old: {}, new: {}}
    for _ in range(rounds):
        for tree in (old, new):
            env = {**os.environ, "PYTHONPATH": str(tree)}
            probe = [sys.executable, "-c", PROBE, str(UPSTREAM)]
            figures = json.loads(subprocess.run(probe, capture_output=True, text=True, env=env, check=True).stdout)
            started = time.perf_counter()
            subprocess.run(cli, capture_output=True, env=env, check=True)
            figures["one `l40-recipes resolve` process (wall)"] = time.perf_counter() - started
            for name, value in figures.items():
                results[tree].setdefault(name, []).append(value)
    print(f"load average {os.getloadavg()[0]:.2f}; medians of {rounds} interleaved rounds")
    print("| work | old | new | new/old |\n|---|---|---|---|")
    for name, values in results[old].items():
        before, after = statistics.median(values), statistics.median(results[new][name])
        print(f"| {name} | {before:.3f} s | {after:.3f} s | {after / before:.2f}x |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
