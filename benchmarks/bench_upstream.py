"""Every row of issue 17's table, side by side with upstream's Go at 9793720d, runs interleaved.

Run from the repository root: `python benchmarks/bench_upstream.py [ROUNDS]` (default 5).

Upstream's side comes from three optional builds (see ../shared/tools/aicr-peer/README.md):

- `AICR_BIN`: the `aicr` binary (its embedded catalog is upstream 9793720d's);
- `AICR_BENCHRECIPE`: the in-process load + resolve driver (default /work/aicr-build/benchrecipe
  when it exists), given the same catalog directory (`-data`) and the same query list;
- `AICR_RECIPE_TEST` + `AICR_SRC`: `pkg/recipe`'s precompiled tests (`go test -c ./pkg/recipe`) and
  the source tree they run in (for their `testdata/`); only the tests over the catalog data run.

Each round runs, per row, the Python side then the Go side, so that both see the same machine
load. Figures are CPU seconds (user + system of the process, or `time.process_time()` inside it)
except where upstream's driver reports only wall time: its in-process load and resolution passes.
For those rows both sides are wall seconds measured in-process, and the Python CPU figure is shown
beside them. Ratios are Python/Go: min over rounds of the per-round ratio, and median.

Two rows are floors, not work we do: a process that only imports our runtime dependencies
(PyYAML and pydantic-core), beside upstream's whole command; and libyaml's event stream (through
PyYAML's C parser) for the YAML files a load parses, beside upstream's whole load. A goal below
its floor cannot be reached by tuning the code above it. One more row shows what a process that
imports pydantic and builds one model costs: what every command paid before the models moved
onto pydantic-core alone.

The plugin row runs where a user runs it: in a virtual environment holding what the README's first
command installs (`pip install . pytest`), built once per run under the work directory; when it
cannot be built (no package index), in this environment with plugin autoloading off and only ours
loaded, which is the same set of plugins. Two more rows run it in this development environment:
with every plugin installed here (pytest-xdist, pytest-cov, pytest-randomly, hypothesis's), and
with hypothesis's disabled (its plugin imports all of hypothesis at the end of every pytest
session, whether or not a test used it: 0.1-0.5 s that is not ours).

Every child runs without PYTHONDONTWRITEBYTECODE, as installed packages run: pip compiles their
bytecode, and pytest caches the modules it rewrites (a plugin's whole package) the same way.

Without a Go build, each row prints the Python figures against a yardstick measured in the same
round (a fixed pure-Python workload, `yardstick`), so that figures from different machines or
phases of a shared machine can be compared as multiples of it.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "benchmarks"))

from make_catalog import UPSTREAM, make_catalog  # noqa: E402 - a sibling script

GOLDENS = UPSTREAM.parent / "goldens"
DEFAULT_DRIVER = Path("/work/aicr-build/benchrecipe")
CLI_QUERY = ["--service", "eks", "--accelerator", "h100", "--intent", "training", "--os", "ubuntu", "--format", "yaml"]
#: The tests of `pkg/recipe` that read the catalog data (what `pytest --l40-recipes` and `check()` check).
GO_CATALOG_TESTS = (
    "^(TestAll|TestNo|TestInheritance|TestIntermediate|TestLeaf|TestBase|TestMerged|TestMonitoring|TestManifestHelm"
    "|TestEveryLeafCriteriaResolves|TestCoverageGoldenMatrix|TestOverlayValidationPhaseFloor"
    "|TestOverlayVersionPinsMatchRegistry|TestComponentRegistry_)"
)

PROBE = """
import json, resource, sys, time
from l40_recipes import Criteria, RecipeError, check, load_catalog, resolve
task, catalog_dir, queries_file = sys.argv[1:4]
queries = [json.loads(line) for line in open(queries_file)]
out = {}
def timed(name, work):
    wall, cpu = time.perf_counter(), time.process_time()
    value = work()
    out[name] = {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}
    return value
def resolve_all():
    for query in queries:
        try:
            resolve(Criteria(**query), catalog=catalog, version="bench")
        except RecipeError:
            pass
if task == "check":
    timed("check", lambda: check(catalog_dir))
elif task == "events":  # the floor of reading: libyaml's events for the YAML files a load parses
    import yaml
    from pathlib import Path
    root = Path(catalog_dir)
    names = ["registry.yaml", *(f"{d}/{p.name}" for d in ("overlays", "mixins", "validators")
             for p in sorted((root / d).glob("*.yaml")))]
    texts = [(root / name).read_bytes() for name in names]
    timed("events", lambda: [sum(1 for _ in yaml.parse(text, Loader=yaml.CSafeLoader)) for text in texts])
    out["files"], out["bytes"] = len(texts), sum(map(len, texts))
else:
    catalog = timed("load", lambda: load_catalog(catalog_dir))
    timed("resolve", resolve_all)
out["peak_mib"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""

#: The floor of any process of ours: importing the runtime dependencies it cannot do without.
IMPORT_FLOOR = "import yaml, pydantic_core\n"
#: What a process using pydantic models paid before the models moved onto pydantic-core alone.
PYDANTIC_FLOOR = "from pydantic import BaseModel\nclass M(BaseModel):\n    x: int\nM(x=1)\n"
YARDSTICK = (
    "import time\nt = time.process_time()\nsum(i * i for i in range(2_000_000))\nprint(time.process_time() - t)\n"
)


@dataclass
class Run:
    """One process: wall and CPU seconds, peak resident MiB, its standard output."""

    wall: float
    cpu: float
    peak_mib: float
    stdout: str


#: What every child runs with: this environment, writing bytecode as an installed package's does.
CHILD_ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}


def run(command: list[str], *, cwd: Path | None = None, env: dict[str, str] | None = None) -> Run:
    """Run *command* to completion and take its own resource usage (not the sum over all children)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, cwd=cwd, env=env or CHILD_ENV)
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read().decode(), err.read().decode()
    if process.returncode not in (0, 1):  # `aicr recipe` and the tests exit 1 on a failed resolution/test
        msg = f"{command[0]} exited {process.returncode}: {stderr[-2000:]}"
        raise RuntimeError(msg)
    return Run(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024, stdout)


@dataclass
class Row:
    """One row of the table: per-round Python and Go figures (same unit), and extra Python figures."""

    name: str
    unit: str
    python: list[float] = field(default_factory=list)
    go: list[float] = field(default_factory=list)
    python_cpu: list[float] = field(default_factory=list)

    def add(self, python: float, go: float | None, python_cpu: float | None = None) -> None:
        self.python.append(python)
        if go is not None:
            self.go.append(go)
        if python_cpu is not None:
            self.python_cpu.append(python_cpu)

    def line(self, yardstick: float) -> str:
        python = statistics.median(self.python)
        text = f"| {self.name} | {self.unit} | {python:.3f}"
        if self.python_cpu:
            text += f" (CPU {statistics.median(self.python_cpu):.3f})"
        if not self.go:
            return text + f" | — | {python / yardstick:.1f} yardsticks |"
        ratios = [p / g for p, g in zip(self.python, self.go, strict=True)]
        return text + f" | {statistics.median(self.go):.3f} | {min(ratios):.2f}x / {statistics.median(ratios):.2f}x |"


def user_environment(work: Path) -> tuple[list[str], dict[str, str], str]:
    """The command that runs pytest as a user of the plugin does, its environment, and what it is.

    A virtual environment with what the README's first command installs (`pip install . pytest`);
    without a package index to build it from, this interpreter with only our plugin loaded.
    """
    venv = work / "user-venv"
    python = venv / "bin" / "python"
    try:
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True, capture_output=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", str(REPO), "pytest"],
            check=True,
            capture_output=True,
            env=CHILD_ENV,
            timeout=600,
        )
    except (subprocess.SubprocessError, OSError):
        env = {**CHILD_ENV, "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"}
        return [sys.executable, "-m", "pytest", "-p", "l40_recipes.pytest_plugin"], env, "autoload off, ours only"
    # One run first, as a user's first run: pytest rewrites the plugin's package and caches it.
    run([str(python), "-m", "pytest", "--l40-recipes", str(UPSTREAM / "overlays"), "-q"], cwd=work)
    return [str(python), "-m", "pytest"], CHILD_ENV, "`pip install . pytest` venv"


def write_queries(path: Path, queries: list[dict[str, str]]) -> None:
    path.write_text("".join(json.dumps(query) + "\n" for query in queries), encoding="utf-8")


def leaf_queries() -> list[dict[str, str]]:
    return [json.loads(path.read_text())["query"] for path in sorted(GOLDENS.glob("leaf__*.json"))]


def sweep_queries() -> list[dict[str, str]]:
    sys.path.insert(0, str(REPO))
    from l40_recipes import load_catalog  # noqa: PLC0415 - only the query list is built in this process
    from tests.sweep import combinations  # noqa: PLC0415

    catalog = load_catalog(UPSTREAM)
    return [
        {key: value for key, value in query.model_dump().items() if value != "any"} for query in combinations(catalog)
    ]


def own_queries(catalog_dir: Path) -> list[dict[str, str]]:
    """Every overlay's own criteria (the leaves and the intermediates), in file order."""
    sys.path.insert(0, str(REPO))
    from l40_recipes import load_catalog  # noqa: PLC0415

    catalog = load_catalog(catalog_dir)
    return [
        {key: value for key, value in overlay.criteria.model_dump().items() if value not in ("", "any")}
        for overlay in catalog.overlays.values()
        if overlay.criteria is not None
    ]


def main() -> int:
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    if not UPSTREAM.is_dir():
        print(f"{UPSTREAM} is absent, skipped")
        return 0
    aicr = os.environ.get("AICR_BIN")
    driver = os.environ.get("AICR_BENCHRECIPE") or (str(DEFAULT_DRIVER) if DEFAULT_DRIVER.exists() else None)
    go_tests, go_src = os.environ.get("AICR_RECIPE_TEST"), os.environ.get("AICR_SRC")
    work = Path(tempfile.mkdtemp(prefix="bench-upstream-"))
    big = work / "big"
    make_catalog(big, 5000)
    files = {"leaves": work / "leaves.jsonl", "sweep": work / "sweep.jsonl", "big": work / "big.jsonl"}
    write_queries(files["leaves"], leaf_queries())
    write_queries(files["sweep"], sweep_queries())
    write_queries(files["big"], own_queries(big))
    counts = {name: len(path.read_text().splitlines()) for name, path in files.items()}
    python = sys.executable
    console = Path(python).parent / "l40-recipes"
    script = [str(console)] if console.exists() else [python, "-m", "l40_recipes"]

    hypothesis_installed = importlib.util.find_spec("hypothesis") is not None
    user_pytest, user_env, user_kind = user_environment(work)
    rows = {
        "cli": Row("one `resolve` on the command line (whole process)", "CPU s"),
        "load": Row("`load_catalog` of the upstream catalog", "wall s in process"),
        "leaves": Row(f"first resolution of each of the {counts['leaves']} leaf queries, in process", "wall s"),
        "sweep": Row(f"{counts['sweep']:,}-combination sweep through the public `resolve()`", "wall s"),
        "plugin": Row(
            f"`pytest --l40-recipes` on upstream ({user_kind}) vs upstream's precompiled catalog tests", "CPU s"
        ),
        "plugin-dev": Row("the same in this development environment (xdist, cov, randomly, hypothesis)", "CPU s"),
        "plugin-nohyp": Row(
            "the same in this development environment, hypothesis's plugin disabled (`-p no:hypothesispytest`)",
            "CPU s",
        ),
        "check": Row("`check()` (in process) vs the same Go tests (process)", "CPU s"),
        "memory": Row(f"peak memory, 5,000-overlay catalog (load + resolve {counts['big']} own criteria)", "MiB"),
        "big": Row("load, 5,000 realistic overlays", "wall s in process"),
        "floor-imports": Row("floor: a process importing PyYAML and pydantic-core vs `aicr recipe`", "CPU s"),
        "floor-pydantic": Row("a process importing pydantic and building one model vs `aicr recipe`", "CPU s"),
        "floor-events": Row(
            "floor: libyaml's events (PyYAML) for the files a load parses vs Go's load", "CPU s / wall s"
        ),
    }
    yardsticks: list[float] = []
    for round_number in range(1, rounds + 1):
        print(f"round {round_number}/{rounds}, load average {os.getloadavg()[0]:.2f}", file=sys.stderr)
        yardsticks.append(float(run([python, "-c", YARDSTICK]).stdout))

        py = run([*script, "resolve", "--catalog", str(UPSTREAM), *CLI_QUERY])
        go = run([aicr, "recipe", *CLI_QUERY]) if aicr else None
        rows["cli"].add(py.cpu, go.cpu if go else None)
        rows["floor-imports"].add(run([python, "-c", IMPORT_FLOOR]).cpu, go.cpu if go else None)
        rows["floor-pydantic"].add(run([python, "-c", PYDANTIC_FLOOR]).cpu, go.cpu if go else None)

        def probe(task: str, catalog_dir: Path, queries: Path) -> dict[str, Any]:
            figures: dict[str, Any] = json.loads(
                run([python, "-c", PROBE, task, str(catalog_dir), str(queries)]).stdout
            )
            return figures

        def peer(catalog_dir: Path, queries: Path) -> tuple[dict[str, float], Run] | None:
            if driver is None:
                return None
            done = run([driver, "-data", str(catalog_dir), str(queries)])
            return json.loads(done.stdout), done

        py_leaves = probe("resolve", UPSTREAM, files["leaves"])
        go_leaves = peer(UPSTREAM, files["leaves"])
        rows["load"].add(
            py_leaves["load"]["wall"], go_leaves[0]["load_s"] if go_leaves else None, py_leaves["load"]["cpu"]
        )
        rows["leaves"].add(
            py_leaves["resolve"]["wall"],
            go_leaves[0]["first_pass_s"] if go_leaves else None,
            py_leaves["resolve"]["cpu"],
        )

        events = probe("events", UPSTREAM, files["leaves"])
        rows["floor-events"].add(events["events"]["cpu"], go_leaves[0]["load_s"] if go_leaves else None)

        py_sweep = probe("resolve", UPSTREAM, files["sweep"])
        go_sweep = peer(UPSTREAM, files["sweep"])
        rows["sweep"].add(
            py_sweep["resolve"]["wall"], go_sweep[0]["first_pass_s"] if go_sweep else None, py_sweep["resolve"]["cpu"]
        )

        plugin_args = ["--l40-recipes", str(UPSTREAM / "overlays"), "-q", "-p", "no:cacheprovider"]
        plugin_command = [python, "-m", "pytest", *plugin_args]
        py_plugin = run([*user_pytest, *plugin_args], cwd=work, env=user_env)
        go_test = (
            run([go_tests, "-test.count=1", "-test.run", GO_CATALOG_TESTS], cwd=Path(go_src) / "pkg" / "recipe")
            if go_tests and go_src
            else None
        )
        rows["plugin"].add(py_plugin.cpu, go_test.cpu if go_test else None)
        rows["plugin-dev"].add(run(plugin_command, cwd=REPO).cpu, go_test.cpu if go_test else None)
        if hypothesis_installed:  # its plugin imports all of hypothesis at the end of every session
            py_plugin = run([*plugin_command, "-p", "no:hypothesispytest"], cwd=REPO)
            rows["plugin-nohyp"].add(py_plugin.cpu, go_test.cpu if go_test else None)
        py_check = probe("check", UPSTREAM, files["leaves"])
        rows["check"].add(py_check["check"]["cpu"], go_test.cpu if go_test else None)

        py_big = probe("resolve", big, files["big"])
        go_big = peer(big, files["big"])
        rows["memory"].add(py_big["peak_mib"], go_big[1].peak_mib if go_big else None)
        rows["big"].add(py_big["load"]["wall"], go_big[0]["load_s"] if go_big else None, py_big["load"]["cpu"])

    yardstick = statistics.median(yardsticks)
    print(
        f"{rounds} interleaved rounds; load average {os.getloadavg()[0]:.2f} at the end; yardstick {yardstick:.3f} CPU s"
    )
    print(f"Go: AICR_BIN={aicr or '—'}, driver={driver or '—'}, tests={go_tests or '—'}")
    print("| work | unit | Python (median) | Go (median) | Python/Go min / median |\n|---|---|---|---|---|")
    for row in rows.values():
        if row.python:
            print(row.line(yardstick))
    with contextlib.suppress(OSError):
        shutil.rmtree(work)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
