"""Time and peak memory of check() on each hostile catalog (targets: 2 s and 200 MB each).

Run from the repository root: `python benchmarks/bench_hostile.py [runs]`. Each run of each case
is its own process, so that its peak resident memory is its own; the table shows the median time
and the largest peak over the runs (default 3: single runs move by ±20 % on shared machines).
"""

from __future__ import annotations

import json
import statistics
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

CHILD = """
import json, resource, sys, tempfile, time
from pathlib import Path
sys.path.insert(0, {repo!r})
from tests.hostile import CASES, GIANTS
from l40_recipes import check
root = Path(tempfile.mkdtemp()) / "catalog"
{{**CASES, **GIANTS}}[{name!r}](root)
started = time.perf_counter()
report = check(root)
elapsed = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"seconds": elapsed, "peak_mb": peak, "findings": len(report.findings)}}))
"""


def main() -> int:
    sys.path.insert(0, str(REPO))
    from tests.hostile import CASES, GIANTS  # noqa: PLC0415 - the corpus lives with the tests

    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    print(f"{'case':22} {'check s':>8} {'max s':>6} {'peak MB':>8} findings  ({runs} runs; median time, largest peak)")
    for name in sorted({**CASES, **GIANTS}):
        results = [
            json.loads(
                subprocess.run(
                    [sys.executable, "-c", CHILD.format(repo=str(REPO), name=name)],
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout
            )
            for _ in range(runs)
        ]
        seconds = [result["seconds"] for result in results]
        peak = max(result["peak_mb"] for result in results)
        findings = {result["findings"] for result in results}
        print(f"{name:22} {statistics.median(seconds):8.2f} {max(seconds):6.2f} {peak:8.1f} {sorted(findings)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
