"""The repository carries only text written here: no file of it repeats upstream AICR's files.

Facts (names, versions, values) may match upstream; whole files and runs of six or more consecutive lines
may not. Lines are compared after folding white space; blank lines do not count. An Apache licence notice
is the one shared block allowed, so its lines are left out on both sides before comparing, and the
LICENSE file (the Apache text itself) is not compared.

The upstream tree is read from `L40_RECIPES_UPSTREAM` (default `../shared/upstream-aicr` next to the
repository); without it the test is skipped.
"""

from __future__ import annotations

import hashlib
import os
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

from .conftest import REPO, needs_shared

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

RUN = 6
_MAX_BYTES = 4 * 1024 * 1024

# Lines of the Apache-2.0 notice (and the copyright line above it), folded. A line of a file that folds to
# one of these, after any leading comment marker, is left out of the comparison.
_LICENCE_WORDS = (
    "copyright",
    'licensed under the apache license, version 2.0 (the "license");',
    "you may not use this file except in compliance with the license.",
    "you may obtain a copy of the license at",
    "http://www.apache.org/licenses/license-2.0",
    "unless required by applicable law or agreed to in writing, software",
    'distributed under the license is distributed on an "as is" basis,',
    "without warranties or conditions of any kind, either express or implied.",
    "see the license for the specific language governing permissions and",
    "limitations under the license.",
    "spdx-license-identifier:",
)


def _upstream_root() -> Path:
    configured = os.environ.get("L40_RECIPES_UPSTREAM")
    if configured:
        path = Path(configured)
        return path if path.is_absolute() else (REPO / path).resolve()
    return (REPO / ".." / "shared" / "upstream-aicr").resolve()


def _is_licence(folded: str) -> bool:
    text = folded.lstrip("#/*-; ").lower()
    if not text:
        return True  # a bare comment marker inside a notice
    return any(text.startswith(words) for words in _LICENCE_WORDS)


def folded_lines(text: str) -> list[str]:
    """The lines that count: white space folded, blank and licence lines dropped."""
    lines = []
    for raw in text.splitlines():
        folded = " ".join(raw.split())
        if folded and not _is_licence(folded):
            lines.append(folded)
    return lines


def windows(lines: list[str], size: int = RUN) -> Iterator[tuple[bytes, int]]:
    """A digest of every run of *size* consecutive lines, with the index of its first line."""
    for start in range(len(lines) - size + 1):
        yield hashlib.blake2b("\n".join(lines[start : start + size]).encode(), digest_size=12).digest(), start


def _read(path: Path) -> bytes | None:
    try:
        if not path.is_file() or path.is_symlink() or path.stat().st_size > _MAX_BYTES:
            return None
        return path.read_bytes()
    except OSError:
        return None


def _decode(data: bytes) -> str | None:
    if b"\0" in data:
        return None
    return data.decode("utf-8", errors="replace")


def _all_files(root: Path) -> Iterator[Path]:
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith(".git"))
        for name in sorted(filenames):
            yield Path(dirpath) / name


def repository_files() -> list[Path]:
    """The tracked files (and untracked, not ignored ones) of the repository; a plain walk outside git."""
    try:
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=REPO,
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        skipped = {".git", ".venv", "__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"}
        return [p for p in _all_files(REPO) if not skipped & set(p.relative_to(REPO).parts)]
    return sorted(REPO / name for name in listed.decode().split("\0") if name)


class UpstreamIndex:
    """Whole-file digests and six-line window digests of every upstream text file."""

    def __init__(self, files: Iterable[Path]) -> None:
        self.whole: dict[bytes, Path] = {}
        self.runs: dict[bytes, tuple[Path, int]] = {}
        for path in files:
            data = _read(path)
            if data is None:
                continue
            self.whole.setdefault(hashlib.blake2b(data, digest_size=16).digest(), path)
            text = _decode(data)
            if text is None:
                continue
            for digest, start in windows(folded_lines(text)):
                self.runs.setdefault(digest, (path, start))

    def findings(self, path: Path) -> list[str]:
        """What *path* shares with upstream: an identical file, or the first shared run of lines."""
        data = _read(path)
        if data is None:
            return []
        if not data.strip():
            return []
        same = self.whole.get(hashlib.blake2b(data, digest_size=16).digest())
        if same is not None:
            return [f"identical to {same}"]
        text = _decode(data)
        if text is None:
            return []
        lines = folded_lines(text)
        for digest, start in windows(lines):
            hit = self.runs.get(digest)
            if hit is not None:
                shared = " / ".join(lines[start : start + RUN])
                return [f"shares {RUN} lines with {hit[0]} (folded line {hit[1] + 1}): {shared[:200]}"]
        return []


UPSTREAM = _upstream_root()
needs_upstream = needs_shared


def test_folding_drops_blank_and_licence_lines_and_folds_space() -> None:
    """Blank lines, the Apache notice and white-space differences do not count."""
    text = '# Copyright (c) 2026, someone\n#\n# Licensed under the Apache License, Version 2.0 (the "License");\n\n  a:   1\n\tb: 2\n'
    assert folded_lines(text) == ["a: 1", "b: 2"]


def test_a_six_line_run_is_found_and_five_are_not(tmp_path: Path) -> None:
    """The detector flags six shared lines in a different layout, not five, and flags identical files."""
    theirs = tmp_path / "theirs.yaml"
    theirs.write_text("".join(f"line {n}\n" for n in range(10)))
    index = UpstreamIndex([theirs])
    six = tmp_path / "six.yaml"
    six.write_text("mine\n" + "".join(f"   line  {n}\n\n" for n in range(2, 8)) + "mine too\n")
    five = tmp_path / "five.yaml"
    five.write_text("mine\n" + "".join(f"line {n}\n" for n in range(2, 7)) + "mine too\n")
    same = tmp_path / "same.yaml"
    same.write_bytes(theirs.read_bytes())
    assert index.findings(six)
    assert not index.findings(five)
    assert index.findings(same) == [f"identical to {theirs}"]


def test_licence_header_alone_is_not_a_finding(tmp_path: Path) -> None:
    """Two files sharing only the Apache notice are distinct."""
    notice = (
        "# Copyright (c) 2026, Someone.  All rights reserved.\n#\n"
        '# Licensed under the Apache License, Version 2.0 (the "License");\n'
        "# you may not use this file except in compliance with the License.\n"
        "# You may obtain a copy of the License at\n#\n#     http://www.apache.org/licenses/LICENSE-2.0\n#\n"
        "# Unless required by applicable law or agreed to in writing, software\n"
        '# distributed under the License is distributed on an "AS IS" BASIS,\n'
        "# WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.\n"
        "# See the License for the specific language governing permissions and\n"
        "# limitations under the License.\n"
    )
    theirs = tmp_path / "theirs.yaml"
    theirs.write_text(notice + "kind: A\n")
    mine = tmp_path / "mine.yaml"
    mine.write_text(notice + "kind: B\n")
    assert not UpstreamIndex([theirs]).findings(mine)


def test_repository_files_are_listed() -> None:
    """The walk sees the shipped catalog and this very file."""
    files = {path.relative_to(REPO).as_posix() for path in repository_files()}
    assert {"registry.yaml", "tests/test_provenance.py", "overlays/base.yaml"} <= files


@needs_upstream
def test_no_repository_file_repeats_upstream() -> None:
    """No file of the repository is upstream's, or shares six consecutive lines with one of upstream's."""
    index = UpstreamIndex(_all_files(UPSTREAM))
    assert index.runs, f"nothing read under {UPSTREAM}"
    problems = []
    for path in repository_files():
        if path.name.startswith(("LICENSE", "NOTICE")):
            continue  # the licence text itself is the one file meant to be the same everywhere
        for finding in index.findings(path):
            problems.append(f"{path.relative_to(REPO)}: {finding}")
    assert not problems, "\n".join(problems)
