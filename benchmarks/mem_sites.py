"""Where the memory held after resolving a large catalog was allocated, by package call site.

`python benchmarks/mem_sites.py CATALOG [FRAMES] [TOP]`, run in the checkout to measure (it imports
the package of the current directory, as bench_compare.py's probe does), loads CATALOG (e.g.
make_catalog.py's 5,000 overlays), resolves every overlay's own criteria, as bench_compare.py's
last row does, and prints what tracemalloc still holds then: in total, by the line that allocated
it, and grouped by the innermost FRAMES (default 3) frames inside `l40_recipes` that led there
(innermost first: `A < B` reads "A, called from B"). The process's peak memory is reached at that
point, so these are the sites that make the peak. Run it in two checkouts and compare the rows;
file names are printed relative to the checkout.
"""

from __future__ import annotations

import contextlib
import sys
import tracemalloc
from collections import Counter
from pathlib import Path


def site(frame: tracemalloc.Frame) -> str:
    name = frame.filename
    marker = name.rfind("l40_recipes/")
    return f"{name[marker:] if marker >= 0 else Path(name).name}:{frame.lineno}"


def main() -> int:
    catalog_path = Path(sys.argv[1])
    frames = int(sys.argv[2]) if len(sys.argv) > 2 else 3
    top = int(sys.argv[3]) if len(sys.argv) > 3 else 15
    sys.path.insert(0, str(Path.cwd()))
    import l40_recipes  # noqa: PLC0415 - the current directory's package, once sys.path says so
    from l40_recipes import RecipeError, load_catalog, resolve  # noqa: PLC0415

    print(f"measuring {l40_recipes.__file__}")
    tracemalloc.start(25)
    catalog = load_catalog(catalog_path)
    for overlay in list(catalog.overlays.values()):
        if overlay.criteria is not None:
            with contextlib.suppress(RecipeError):
                resolve(overlay.criteria, catalog=catalog, version="dev")
    held, peak = tracemalloc.get_traced_memory()
    snapshot = tracemalloc.take_snapshot().filter_traces([tracemalloc.Filter(False, tracemalloc.__file__)])
    tracemalloc.stop()
    print(f"held {held / 2**20:.1f} MiB, traced peak {peak / 2**20:.1f} MiB\n\nby allocating line:")
    for stat in snapshot.statistics("lineno")[:top]:
        print(f"  {stat.size / 2**20:7.2f} MiB {stat.count:8d} blocks  {site(stat.traceback[0])}")
    sizes: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    for trace in snapshot.traces:
        ours = [frame for frame in trace.traceback if "l40_recipes" in frame.filename][::-1][:frames]
        key = " < ".join(site(frame) for frame in ours) or f"(outside the package) {site(trace.traceback[0])}"
        sizes[key] += trace.size
        counts[key] += 1
    print(f"\nby the innermost {frames} package frames:")
    for key, size in sizes.most_common(top):
        print(f"  {size / 2**20:7.2f} MiB {counts[key]:8d} blocks  {key}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
