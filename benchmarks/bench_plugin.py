"""Wall time of `pytest --l40-recipes <upstream overlays>` from the repository root (target: < 3 s on 2 cores).

Run: `python benchmarks/bench_plugin.py [runs]`.
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OVERLAYS = REPO.parent / "shared" / "upstream-aicr" / "9793720d" / "recipes" / "overlays"


def main() -> int:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    if not OVERLAYS.is_dir():
        print(f"{OVERLAYS} is absent, skipped")
        return 0
    command = [sys.executable, "-m", "pytest", "--l40-recipes", str(OVERLAYS), "-q", "-p", "no:cacheprovider"]
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        completed = subprocess.run(command, cwd=REPO, capture_output=True, text=True, check=False)
        times.append(time.perf_counter() - started)
        if completed.returncode != 0:
            print(completed.stdout[-2000:])
            return completed.returncode
    summary = completed.stdout.strip().splitlines()[-1]
    print(
        f"pytest --l40-recipes upstream overlays: median {statistics.median(times):.2f} s over {runs} runs ({summary})"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
