"""Hostile input: every attack ends in findings or a RecipeError naming the file, within bounds, reading nothing outside.

Each case runs in a forked child, so that its CPU time and memory are its own: the child is
limited to 300 MB of address space beyond what it inherited and killed after 60 s; it reports
its findings, what `load_catalog()` raised, its CPU time and every file it opened.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import signal
import sys
import traceback
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from l40_recipes import RecipeError, check, load_catalog, resolve
from l40_recipes._yaml import parse_yaml

from .conftest import overlay, write_catalog
from .hostile import CASES, SECRET, remove_deep_tree

if TYPE_CHECKING:
    from pathlib import Path

#: A hang guard, not a speed target: the issue's 5 s per case is measured by
#: `benchmarks/bench_hostile.py` on an idle machine (RESULTS.md). Here two workers share a loaded
#: 2-core CI machine, where CPU time for the same work varied 3x (5000-overlays' check: 3.4 s idle,
#: 10.1 s in one CI run), so a bound near the target would fail on the machine, not the code. The
#: hangs and quadratic walks this file guards against ran for minutes or forever (the quadratic
#: walks took 25-110 s at these sizes), so they still fail here.
CPU_SECONDS = 30.0
MEMORY_BYTES = 300 * 1024 * 1024

#: Per case: (rule id, line) pairs that must be among the findings at the culprit file, and the
#: error code `load_catalog()` raises (None when it loads).
EXPECTED: dict[str, tuple[set[tuple[str, int]], str | None]] = {
    "yaml-bomb": ({("load-error", 10)}, "INVALID_REQUEST"),  # the alias of a2 that tips the ratio
    "deep-nesting": ({("load-error", 5)}, "INVALID_REQUEST"),
    "huge-scalar": ({("component-type", 9)}, None),
    "huge-file": ({("component-type", 9)}, None),
    "non-utf8": ({("load-error", 2)}, "INVALID_REQUEST"),
    "tabs": ({("load-error", 3)}, "INVALID_REQUEST"),
    "duplicate-keys": ({("load-error", 3)}, "INVALID_REQUEST"),
    "wrong-types": ({("load-error", 5)}, "INVALID_REQUEST"),
    "empty-files": ({("registry-schema", 1)}, None),
    "symlink-out-of-root": ({("load-error", 0)}, "INVALID_REQUEST"),
    "dotdot-paths": ({("path-escape", 10), ("path-escape", 11)}, None),
    "base-cycle": ({("base-cycle", 6)}, None),
    "mixin-cycle": ({("load-error", 5)}, "INVALID_REQUEST"),
    "dependency-cycle": ({("merged-dependencies", 8)}, None),
    "5000-overlays": ({("floor-deployment", 7)}, None),
    "recursive-anchor": ({("load-error", 10)}, "INVALID_REQUEST"),
    "recursive-document": ({("load-error", 1)}, "INVALID_REQUEST"),
    "deep-block-nesting": ({("load-error", 12)}, "INVALID_REQUEST"),
    "huge-integers": ({("version-pin", 10)}, None),
    "nul-paths": ({("path-escape", 10), ("path-escape", 11)}, None),
    "scalar-aliases": ({("load-error", 11)}, "INVALID_REQUEST"),
    "unused-alias-tree": ({("unknown-key", 8)}, None),
    "dotted-constraint": ({("constraint-syntax", 9)}, None),
    "deep-directories": ({("load-error", 2)}, "INVALID_REQUEST"),
    "special-files": ({("load-error", 0)}, "INTERNAL"),
    "fifo-overlay": ({("load-error", 0)}, "INTERNAL"),
    "control-characters": ({("base-reference", 6)}, None),
    "binary-file": ({("load-error", 3)}, "INVALID_REQUEST"),
    "bad-config": ({("config-invalid", 2), ("config-invalid", 3), ("config-invalid", 4), ("config-invalid", 7)}, None),
    "1000-chain": ({("chain-depth", 6)}, None),
    "3000-mixins": ({("floor-conformance", 6)}, None),
    "many-keys": ({("load-error", 10)}, "INVALID_REQUEST"),
}

_QUERIES = ({"service": "eks"}, {"service": "eks", "accelerator": "h100"}, {"service": "eks", "os": "ubuntu"})


def _attack(root: Path) -> dict[str, Any]:
    """What the child reports: findings, the load error's code and line, resolution errors, CPU time, opened files."""
    opened: list[str] = []
    sys.addaudithook(
        lambda event, args: opened.append(args[0]) if event == "open" and isinstance(args[0], str) else None
    )
    started = _cpu()
    report = check(root)
    outcome: dict[str, Any] = {
        "findings": [[finding.rule, finding.file, finding.line, str(finding)] for finding in report.findings],
        "load": None,
        "cpu": {"check": _cpu() - started},
    }
    started = _cpu()
    try:
        catalog = load_catalog(root)
    except RecipeError as err:
        outcome["load"] = [str(err.code), err.location.path if err.location else "", str(err)]
    else:
        for query in _QUERIES:
            with contextlib.suppress(RecipeError):
                resolve(query, catalog=catalog)
    outcome["cpu"]["load and resolve"] = _cpu() - started
    outcome["opened"] = opened
    return outcome


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _virtual_size() -> int | None:
    with contextlib.suppress(OSError), open("/proc/self/statm") as stream:  # noqa: PTH123
        return int(stream.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    return None


def _in_child(root: Path) -> dict[str, Any]:
    """Run `_attack(root)` in a forked child bounded in memory and time; its report, or why it failed."""
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child's coverage is not collected
        os.close(reader)
        try:
            signal.alarm(60)
            size = _virtual_size()
            if size is not None:
                resource.setrlimit(resource.RLIMIT_AS, (size + MEMORY_BYTES, resource.RLIM_INFINITY))
            payload = json.dumps(_attack(root))
        except BaseException:
            payload = json.dumps({"error": traceback.format_exc()})
        with os.fdopen(writer, "w") as stream:
            stream.write(payload)
        os._exit(0)
    os.close(writer)
    with os.fdopen(reader) as stream:
        payload = stream.read()
    _, status = os.waitpid(pid, 0)
    if not payload:
        return {"error": f"the child ended without a report (wait status {status})"}
    result: dict[str, Any] = json.loads(payload)
    return result


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork() to bound each case's memory and time")
@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_catalog(name: str, tmp_path: Path) -> None:
    """check() reports the attack exactly; load raises only RecipeError; 300 MB, no hang; nothing outside read."""
    root = tmp_path / "catalog"
    culprit = CASES[name](root)
    try:
        outcome = _in_child(root)
    finally:
        remove_deep_tree(root)  # pytest's own clean-up of old runs recurses, and deep_directories is too deep
    assert "error" not in outcome, outcome.get("error")
    at_culprit = {(rule, line) for rule, file, line, _ in outcome["findings"] if file.endswith(culprit)}
    expected, load_code = EXPECTED[name]
    assert expected <= at_culprit, [text for *_, text in outcome["findings"]][:8]
    if load_code is None:
        assert outcome["load"] is None, outcome["load"]
    else:
        assert outcome["load"] is not None
        code, file, text = outcome["load"]
        assert code == load_code
        assert file.endswith(culprit) or culprit in text
    assert max(outcome["cpu"].values()) <= CPU_SECONDS, f"{name}: CPU seconds {outcome['cpu']}"
    outside = [path for path in outcome["opened"] if path.startswith(str(tmp_path)) and not path.startswith(str(root))]
    assert outside == []
    assert all(SECRET not in text for *_, text in outcome["findings"])


def test_every_case_has_an_expected_outcome() -> None:
    """A new hostile builder needs its exact outcome written down."""
    assert set(EXPECTED) == set(CASES)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork()")
def test_memory_bound_is_enforced() -> None:
    """The child's memory limit is real: allocating past it fails the case instead of passing silently."""
    size = _virtual_size()
    if size is None:
        pytest.skip("needs /proc/self/statm")
    reader, writer = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child's coverage is not collected
        os.close(reader)
        resource.setrlimit(resource.RLIMIT_AS, (size + MEMORY_BYTES, resource.RLIM_INFINITY))
        try:
            blob = bytearray(2 * MEMORY_BYTES)
            answer = str(len(blob))
        except MemoryError:
            answer = "refused"
        os.write(writer, answer.encode())
        os._exit(0)
    os.close(writer)
    with os.fdopen(reader) as stream:
        answer = stream.read()
    os.waitpid(pid, 0)
    assert answer == "refused"


_YAMLISH = st.lists(
    st.sampled_from(
        [
            "kind: RecipeMetadata\n",
            "spec:\n",
            "  criteria: {service: eks}\n",
            "  base: ",
            "&a ",
            "*a",
            "*b",
            "[",
            "]",
            "{",
            "}",
            ", ",
            ": ",
            "- ",
            "? ",
            "<<: ",
            "!!str ",
            "!!int ",
            "'",
            '"',
            "\\x0b",
            "\\e",
            "\t",
            "\n",
            "  ",
            "0x",
            "1" * 30,
            "1e400",
            ".inf",
            ".nan",
            "~",
            "---\n",
            "#",
            "%YAML 1.2\n",
            "\x00",
            "\x1b",
            "\ufeff",
            "\ud800",
            "é",
            "overrides: ",
            "componentRefs:\n",
            "name: gpu-operator\n",
        ]
    ),
    max_size=40,
).map("".join)

#: check() of a catalog costs far more than parsing: a fifth of the profile's budget (at least 10).
_CHECK_BUDGET = max(10, settings().max_examples // 5)


def _loads_or_refuses(content: bytes | str) -> None:
    with contextlib.suppress(RecipeError):
        parse_yaml(content, path="fuzz.yaml")


@settings(deadline=None)
@given(st.binary(max_size=512) | _YAMLISH)
def test_the_reader_raises_only_recipe_errors(content: bytes | str) -> None:
    """Arbitrary bytes and YAML-ish text parse or end in a RecipeError, nothing else."""
    _loads_or_refuses(content)
    if isinstance(content, str):
        _loads_or_refuses(content.encode("utf-8", errors="surrogatepass"))


@settings(deadline=None, max_examples=_CHECK_BUDGET, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(content=st.binary(max_size=256) | _YAMLISH)
def test_check_returns_findings_for_any_file(content: bytes | str, tmp_path: Path) -> None:
    """check() of a catalog holding any such file returns a report; it never raises."""
    root = tmp_path / "catalog"
    if not root.exists():
        write_catalog(root, {"leaf": overlay("leaf", criteria="service: eks")})
    target = root / "overlays" / "fuzz.yaml"
    target.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8", errors="surrogatepass"))
    report = check(root)
    assert all(finding.file for finding in report.findings)
