"""Two checkouts of this repository, interleaved, through the public API only.

`python benchmarks/bench_compare.py OLD_CHECKOUT NEW_CHECKOUT [ROUNDS]` runs, ROUNDS times and
alternating between the two (so both see the same machine load), one process per checkout, run in
that checkout so that it imports that checkout's package, which measures: loading upstream's
9793720d catalog and resolving its 102 golden queries, `check()` of it, 432 queries through the
public `resolve()`, `check()` of tests/hostile.py's 5,000-overlays catalog, and resolving every
overlay's own criteria on a realistic 5,000-overlay catalog (make_catalog.py), with the process's
peak memory; and one `l40-recipes resolve` process. It prints the median CPU seconds (wall seconds
for the process, MiB for memory) and the ratio NEW/OLD. Both generated catalogs are written once,
by this checkout's scripts, and read by both trees.
"""

from __future__ import annotations

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))
sys.path.insert(0, str(REPO))

from make_catalog import make_catalog  # noqa: E402 - a sibling script

from tests.hostile import many_overlays  # noqa: E402 - the corpus lives with the tests

UPSTREAM = Path(__file__).resolve().parent.parent.parent / "shared" / "upstream-aicr" / "9793720d"

PROBE = """
import contextlib, itertools, json, resource, sys, time
from pathlib import Path
import l40_recipes
from l40_recipes import RecipeError, check, load_catalog, resolve
assert l40_recipes.__file__.startswith(str(Path.cwd())), f"measuring {l40_recipes.__file__}, not this tree"
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
start = time.process_time()
check(sys.argv[2])
out["check() of the hostile 5,000 overlays"] = time.process_time() - start
start = time.process_time()
catalog = load_catalog(sys.argv[3])
for overlay in list(catalog.overlays.values()):
    if overlay.criteria is not None:
        with contextlib.suppress(RecipeError):
            resolve(overlay.criteria, catalog=catalog, version="dev")
out["load + resolve all, realistic 5,000 overlays"] = time.process_time() - start
out["peak MiB (the process, after all of the above)"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


def main() -> int:
    old, new = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    cli = [sys.executable, "-m", "l40_recipes", "resolve", "--catalog", str(UPSTREAM / "recipes"), "--format", "json"]
    cli += ["--service", "eks", "--accelerator", "h100", "--intent", "training", "--os", "ubuntu"]
    work = Path(tempfile.mkdtemp(prefix="bench-compare-"))
    many_overlays(work / "hostile")
    make_catalog(work / "realistic", 5000)
    results: dict[Path, dict[str, list[float]]] = {old: {}, new: {}}
    for _ in range(rounds):
        for tree in (old, new):
            env = {**os.environ, "PYTHONPATH": str(tree)}
            probe = [sys.executable, "-c", PROBE, str(UPSTREAM), str(work / "hostile"), str(work / "realistic")]
            figures = json.loads(
                subprocess.run(probe, capture_output=True, text=True, env=env, check=True, cwd=tree).stdout
            )
            started = time.perf_counter()
            subprocess.run(cli, capture_output=True, env=env, check=True, cwd=tree)
            figures["one `l40-recipes resolve` process (wall)"] = time.perf_counter() - started
            for name, value in figures.items():
                results[tree].setdefault(name, []).append(value)
    print(f"load average {os.getloadavg()[0]:.2f}; medians of {rounds} interleaved rounds")
    print("| work | old | new | new/old |\n|---|---|---|---|")
    for name, values in results[old].items():
        before, after = statistics.median(values), statistics.median(results[new][name])
        unit = "MiB" if "MiB" in name else "s"
        print(f"| {name} | {before:.3f} {unit} | {after:.3f} {unit} | {after / before:.2f}x |")
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
