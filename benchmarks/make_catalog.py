"""Write a large, realistic catalog: the upstream catalog plus copies of its accelerator-bound overlays.

`python benchmarks/make_catalog.py DEST [OVERLAYS] [SOURCE]` copies SOURCE (default: upstream
9793720d's `recipes/` under L40_RECIPES_UPSTREAM, or beside this repository) to DEST, then adds
copies of every overlay that states an accelerator until `overlays/` holds OVERLAYS files (default
5,000). Copy number K of overlay `NAME` is `NAME-rK` with accelerator `ACCEL-rK`, so that every copy
has criteria of its own; a `spec.base` naming another accelerator-bound overlay points at that
overlay's copy K, so each copy set is a whole subtree under the original (accelerator-free) parents.
The copies keep upstream's bytes otherwise: components, mixins, constraints, validation phases and
comments. Nothing here is committed data: the catalog is generated from the reference tree at run
time.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

_DEFAULT = Path(__file__).resolve().parent.parent.parent / "shared" / "upstream-aicr"
UPSTREAM = Path(os.environ.get("L40_RECIPES_UPSTREAM") or _DEFAULT) / "9793720d" / "recipes"

_NAME = re.compile(r"^(metadata:\n(?:[ \t]*#.*\n|\s*\n)*  name: )(\S+)$", re.MULTILINE)
_BASE = re.compile(r"^(  base: )(\S+)$", re.MULTILINE)
_ACCELERATOR = re.compile(r"^(    accelerator: )(\S+)$", re.MULTILINE)


def bound_overlays(source: Path) -> dict[str, tuple[str, str]]:
    """File stem → (metadata.name, text) for every overlay whose criteria state an accelerator."""
    found: dict[str, tuple[str, str]] = {}
    for path in sorted((source / "overlays").glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        name, accelerator = _NAME.search(text), _ACCELERATOR.search(text)
        if name is None or accelerator is None or accelerator.group(2).strip("'\"") in {"any", ""}:
            continue
        found[path.stem] = (name.group(2), text)
    return found


def copy_overlay(text: str, replica: int, bound_names: set[str]) -> str:
    """*text* as copy number *replica*: its name, accelerator and (when bound) parent suffixed."""
    text = _NAME.sub(lambda m: f"{m.group(1)}{m.group(2)}-r{replica}", text, count=1)
    text = _ACCELERATOR.sub(lambda m: f"{m.group(1)}{m.group(2)}-r{replica}", text, count=1)
    return _BASE.sub(
        lambda m: f"{m.group(1)}{m.group(2)}-r{replica}" if m.group(2) in bound_names else m.group(0), text, count=1
    )


def make_catalog(dest: Path, overlays: int = 5000, source: Path = UPSTREAM) -> int:
    """Write the catalog; return the number of overlay files it holds."""
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(source, dest)
    bound = bound_overlays(source)
    if not bound:
        msg = f"{source} has no accelerator-bound overlays to copy"
        raise SystemExit(msg)
    names = {name for name, _ in bound.values()}
    count = len(list((dest / "overlays").glob("*.yaml")))
    replica = 0
    while count < overlays:
        replica += 1
        for stem, (_, text) in bound.items():
            if count >= overlays:
                break
            (dest / "overlays" / f"{stem}-r{replica}.yaml").write_text(
                copy_overlay(text, replica, names), encoding="utf-8"
            )
            count += 1
    return count


def main() -> int:
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    dest = Path(sys.argv[1])
    overlays = int(sys.argv[2]) if len(sys.argv) > 2 else 5000
    source = Path(sys.argv[3]) if len(sys.argv) > 3 else UPSTREAM
    print(f"{dest}: {make_catalog(dest, overlays, source)} overlays")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
