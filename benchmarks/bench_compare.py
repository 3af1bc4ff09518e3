"""Two checkouts of this repository, interleaved, through the public API only.

`python benchmarks/bench_compare.py OLD_CHECKOUT NEW_CHECKOUT [ROUNDS]` runs, ROUNDS times and
alternating between the two (so both see the same machine load), one process per checkout, run in
that checkout so that it imports that checkout's package, which measures: loading upstream's
9793720d catalog and resolving its 102 golden queries, `check()` of it, 432 queries through the
public `resolve()`, the 12,599-combination sweep of bench_sweep.py (every criteria combination,
each dimension also `any`) through the public `resolve()`, `check()` of tests/hostile.py's
5,000-overlays catalog, and resolving every overlay's own criteria on a realistic 5,000-overlay
catalog (make_catalog.py), with the process's peak memory; and one `l40-recipes resolve` process.
It prints the median CPU seconds (wall seconds for the process, MiB for memory), the ratio of the
medians NEW/OLD, and the smallest and largest ratio of one round's two runs (the noise), with the
load average seen at each round. Both generated catalogs and the sweep's query list are written
once, by this checkout's scripts, and read by both trees.

Each checkout's package is compiled to bytecode first, as `pip install` does: without it, a
process under PYTHONDONTWRITEBYTECODE compiles every module it imports, and the command-line row
measures the compiler. Checkouts before the re-cut need `deepmerge` installed (their dependency).
"""

from __future__ import annotations

import compileall
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

from l40_recipes import load_catalog  # noqa: E402 - this checkout's, only to list the sweep's queries
from tests.hostile import many_overlays  # noqa: E402 - the corpus lives with the tests
from tests.sweep import combinations  # noqa: E402 - bench_sweep.py's combinations

#: As the tests find it: `L40_RECIPES_UPSTREAM=DIR`, by default `../shared/upstream-aicr` beside the repository.
UPSTREAM = Path(os.environ.get("L40_RECIPES_UPSTREAM") or REPO.parent / "shared" / "upstream-aicr") / "9793720d"

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
catalog = load_catalog(upstream / "recipes")
sweep = [json.loads(line) for line in Path(sys.argv[4]).read_text().splitlines()]
start = time.process_time()
for query in sweep:
    with contextlib.suppress(RecipeError):
        resolve(catalog=catalog, version="dev", **query)
out[f"sweep: {len(sweep):,} combinations via resolve()"] = time.process_time() - start
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


def sweep_queries(path: Path) -> None:
    """bench_sweep.py's combinations over the upstream catalog, as `resolve()` keywords, one JSON line each."""
    catalog = load_catalog(UPSTREAM / "recipes")
    lines = []
    for query in combinations(catalog):
        lines.append(json.dumps({key: value for key, value in query.model_dump().items() if value != "any"}))
    path.write_text("\n".join(lines) + "\n")


def run(command: list[str], tree: Path, env: dict[str, str]) -> str:
    done = subprocess.run(command, capture_output=True, text=True, env=env, cwd=tree, check=False)
    if done.returncode != 0:
        raise SystemExit(f"{tree}: {command[:3]} failed ({done.returncode}):\n{done.stderr}")
    return done.stdout


def main() -> int:
    old, new = Path(sys.argv[1]).resolve(), Path(sys.argv[2]).resolve()
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 5
    cli = [sys.executable, "-m", "l40_recipes", "resolve", "--catalog", str(UPSTREAM / "recipes"), "--format", "json"]
    cli += ["--service", "eks", "--accelerator", "h100", "--intent", "training", "--os", "ubuntu"]
    base = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    envs = {tree: {**base, "PYTHONPATH": str(tree)} for tree in (old, new)}
    for tree in (old, new):
        compileall.compile_dir(tree / "l40_recipes", quiet=1)
        where = run([sys.executable, "-c", "import l40_recipes._cli as m; print(m.__file__)"], tree, envs[tree])
        if not where.startswith(str(tree)):
            raise SystemExit(f"the command line run in {tree} imports {where.strip()}")
        print(f"{tree}: the command line runs {where.strip()}", file=sys.stderr)
    work = Path(tempfile.mkdtemp(prefix="bench-compare-"))
    many_overlays(work / "hostile")
    make_catalog(work / "realistic", 5000, UPSTREAM / "recipes")
    sweep_queries(work / "sweep.jsonl")
    results: dict[Path, dict[str, list[float]]] = {old: {}, new: {}}
    loads: list[float] = []
    for number in range(1, rounds + 1):
        loads.append(os.getloadavg()[0])
        print(f"round {number}/{rounds}, load average {loads[-1]:.2f}", file=sys.stderr)
        for tree in (old, new):
            probe = [sys.executable, "-c", PROBE, str(UPSTREAM), str(work / "hostile"), str(work / "realistic")]
            figures = json.loads(run([*probe, str(work / "sweep.jsonl")], tree, envs[tree]))
            started = time.perf_counter()
            run(cli, tree, envs[tree])
            figures["one `l40-recipes resolve` process (wall)"] = time.perf_counter() - started
            for name, value in figures.items():
                results[tree].setdefault(name, []).append(value)
    loads.append(os.getloadavg()[0])
    print(
        f"load average (1 min) {min(loads):.2f}-{max(loads):.2f} over the run; medians of {rounds} interleaved rounds"
    )
    print("| work | old | new | new/old | one round's new/old, min-max |\n|---|---|---|---|---|")
    for name, values in results[old].items():
        before, after = statistics.median(values), statistics.median(results[new][name])
        ratios = [b / a for a, b in zip(values, results[new][name], strict=True)]
        unit = "MiB" if "MiB" in name else "s"
        print(
            f"| {name} | {before:.3f} {unit} | {after:.3f} {unit} | {after / before:.2f}x "
            f"| {min(ratios):.2f}-{max(ratios):.2f}x |"
        )
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
