"""Wall time of one `l40-recipes resolve` on the upstream catalog (target: < 0.3 s on 2 cores).

Run: `python benchmarks/bench_cli.py [runs]`. Bytecode is compiled first, as `pip install` does.
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


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    if not RECIPES.is_dir():
        print(f"{RECIPES} is absent, skipped")
        return 0
    compileall.compile_dir(REPO / "l40_recipes", quiet=1)
    script = shutil.which("l40-recipes") or "l40-recipes"
    argv = [script, "resolve", "--service", "eks", "--accelerator", "h100", "--intent", "inference", "--os", "ubuntu"]
    argv += ["--format", "json", "--catalog", str(RECIPES)]
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run(argv, capture_output=True, check=True, env=env)
        times.append(time.perf_counter() - started)
    print(
        f"l40-recipes resolve (upstream catalog): median {statistics.median(times):.3f} s, best {min(times):.3f} s over {runs} runs"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
