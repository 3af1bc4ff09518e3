"""Wall time of one `l40-recipes resolve` on the upstream catalog (target: < 0.3 s on 2 cores).

Run: `python benchmarks/bench_cli.py [runs]`. Bytecode is compiled first, as `pip install` does.
Two commands run interleaved, so that both see the same machine load:

- `floor`: a Python process that imports the runtime dependencies every command needs (PyYAML and
  pydantic-core) and exits;
- `resolve`: `l40-recipes resolve ...`, every file parsed.
"""

from __future__ import annotations

import compileall
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
RECIPES = REPO.parent / "shared" / "upstream-aicr" / "9793720d" / "recipes"
FLOOR = "import yaml, pydantic_core\n"


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    if not RECIPES.is_dir():
        print(f"{RECIPES} is absent, skipped")
        return 0
    compileall.compile_dir(REPO / "l40_recipes", quiet=1)
    script = shutil.which("l40-recipes") or "l40-recipes"
    query = ["--service", "eks", "--accelerator", "h100", "--intent", "inference", "--os", "ubuntu"]
    query += ["--format", "json", "--catalog", str(RECIPES)]
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    commands = {
        "floor (PyYAML + pydantic-core)": [sys.executable, "-c", FLOOR],
        "resolve": [script, "resolve", *query],
    }
    times: dict[str, list[float]] = {name: [] for name in commands}
    for _ in range(runs):
        for name, command in commands.items():
            started = time.perf_counter()
            subprocess.run(command, capture_output=True, check=True, env=env)
            times[name].append(time.perf_counter() - started)
    print(f"one `l40-recipes resolve` on the upstream catalog, {runs} runs each, interleaved:")
    for name, measured in times.items():
        print(f"  {name:29} median {statistics.median(measured):.3f} s, best {min(measured):.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
