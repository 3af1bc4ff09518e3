"""Record `aicr recipe`'s answers for cases.json into expected/ (run by hand; needs AICR_BIN, a build
of upstream whose catalog is read from AICR_EMBED_DIR, and L40_RECIPES_UPSTREAM or ../shared).
Case names given as arguments record only those cases."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent.parent
UPSTREAM = Path(os.environ.get("L40_RECIPES_UPSTREAM") or REPO.parent / "shared" / "upstream-aicr")


def shipped_copy(target: Path) -> Path:
    for name in ("registry.yaml", "overlays", "components", "mixins", "checks", "validators"):
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, target / name)
        else:
            shutil.copy(source, target / name)
    return target


def main() -> None:
    binary = os.environ["AICR_BIN"]
    out = HERE / "expected"
    out.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        catalogs = {
            "upstream": str(UPSTREAM / "9793720d" / "recipes"),
            "shipped": str(shipped_copy(Path(tmp))),
            "mini": str(HERE / "mini"),
        }
        for name, catalog, args, *_ in json.loads((HERE / "cases.json").read_text()):
            if sys.argv[1:] and name not in sys.argv[1:]:
                continue
            env = {**os.environ, "AICR_EMBED_DIR": catalogs[catalog]}
            done = subprocess.run(
                [binary, "recipe", *args],
                cwd=HERE,
                env=env,
                capture_output=True,
                text=True,
                errors="replace",
                check=False,
            )
            error = ""
            found = re.search(r"command failed: error=(.*) exitCode=\d+\n?\Z", done.stderr, re.S)
            if found:
                error = found.group(1)
            record = {"exit_code": done.returncode, "stdout": done.stdout, "error": error}
            (out / f"{name}.json").write_text(json.dumps(record, indent=1) + "\n")
            print(name, done.returncode, error[:100], file=sys.stderr)


if __name__ == "__main__":
    main()
