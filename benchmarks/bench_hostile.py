"""Time and peak memory of check() on each hostile catalog (targets: 2 s and 200 MB each).

Run from the repository root: `python benchmarks/bench_hostile.py`. Each case runs in its own
process so that its peak resident memory is its own.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent

CHILD = """
import json, resource, sys, tempfile, time
from pathlib import Path
sys.path.insert(0, {repo!r})
from tests.hostile import CASES
from l40_recipes import check
root = Path(tempfile.mkdtemp()) / "catalog"
CASES[{name!r}](root)
started = time.perf_counter()
report = check(root)
elapsed = time.perf_counter() - started
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({{"seconds": elapsed, "peak_mb": peak, "findings": len(report.findings)}}))
"""


def main() -> int:
    sys.path.insert(0, str(REPO))
    from tests.hostile import CASES  # noqa: PLC0415 - the corpus lives with the tests

    print(f"{'case':22} {'check s':>8} {'peak MB':>8} findings")
    for name in sorted(CASES):
        completed = subprocess.run(
            [sys.executable, "-c", CHILD.format(repo=str(REPO), name=name)], capture_output=True, text=True, check=True
        )
        result = json.loads(completed.stdout)
        print(f"{name:22} {result['seconds']:8.2f} {result['peak_mb']:8.1f} {result['findings']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
