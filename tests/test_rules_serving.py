"""The serving rules on whole catalogs: upstream's, the shipped one, and copies of it with one gate changed."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
import shutil
from pathlib import Path

import pytest

from l40_recipes import Finding, Severity, check, load_catalog
from l40_recipes._resolution import build_recipe
from l40_recipes._rules import serving as serving_rules
from l40_recipes._serving import calibrated_share, throughput_fit
from l40_recipes._serving_gate import analyse_gate
from l40_recipes._serving_tables import Tables, load_tables

from .conftest import REPO, needs_shared

UPSTREAM = (
    Path(os.environ.get("L40_RECIPES_UPSTREAM", REPO.parent / "shared" / "upstream-aicr")) / "9793720d" / "recipes"
)
LEAF = "overlays/l40s-eks-ubuntu-inference-dynamo.yaml"
CATALOG_PARTS = ("overlays", "mixins", "components", "checks", "validators", "registry.yaml")

needs_upstream = needs_shared


def _serving(root: Path | str) -> list[tuple[str, str, str, int]]:
    report = check(root, select=["serving"])
    return [(f.rule, f.severity.value, Path(f.file).name, f.line) for f in report.findings]


@needs_upstream
def test_upstream_catalog_has_no_serving_error_and_only_the_readme_warnings() -> None:
    findings = _serving(UPSTREAM)
    assert [f for f in findings if f[1] == Severity.ERROR.value] == []
    # Each is explained in README ("Serving-fit warnings on upstream's catalog"): the shared 50,000 floor
    # on node shapes smaller than the one it was measured on.
    assert sorted((rule, name) for rule, _, name, _ in findings) == [
        ("serving-throughput-roofline", "h100-aks-ubuntu-inference-dynamo.yaml"),
        ("serving-throughput-roofline", "h100-eks-ubuntu-inference-dynamo.yaml"),
        ("serving-throughput-roofline", "h100-gke-cos-inference-dynamo.yaml"),
        ("serving-throughput-roofline", "rtx-pro-6000-eks-ubuntu-inference-dynamo.yaml"),
    ]


@needs_upstream
def test_every_upstream_gate_set_from_a_measurement_passes_on_the_measured_shape() -> None:
    catalog = load_catalog(UPSTREAM)
    tables, _ = load_tables()
    share = calibrated_share(tables)
    judged = 0
    for measured in tables.measurements:
        overlay = re.search(r"overlays/([\w.-]+)\.yaml", measured.source)
        assert overlay is not None
        item = catalog.overlays[overlay.group(1)]
        assert item.criteria is not None
        result = build_recipe(catalog, item.criteria)
        phase = result.validation.performance if result.validation else None
        assert phase is not None
        constraints = {c.name: c.value for c in phase.constraints or []}
        gate = analyse_gate(item.criteria.accelerator, constraints, tables, share)
        assert gate.throughput is not None
        assert gate.memory is not None
        assert gate.memory.fits
        assert gate.model == measured.model
        assert gate.concurrency == measured.concurrency_per_gpu
        fit = throughput_fit(
            tables.accelerators[gate.accelerator],
            gate.throughput.workload,
            gate.throughput.floor,
            share,
            shapes=(measured.gpus,),
        )
        assert fit.severity is None, measured.source
        judged += 1
    assert judged == len(tables.measurements) == 5


def test_shipped_catalog_is_serving_clean() -> None:
    assert _serving(REPO) == []


@pytest.fixture(name="repo_copy")
def _repo_copy(tmp_path: Path) -> Path:
    root = tmp_path / "catalog"
    root.mkdir()
    for part in CATALOG_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, root / part)
        elif source.is_file():
            shutil.copy2(source, root / part)
    return root


def _set_gate(root: Path, name: str, value: str) -> int:
    """Set performance constraint *name* to *value* in the L40S Dynamo leaf; returns the value's line.

    Works whether the leaf writes its constraints in block or flow style: the old entry is removed and
    the new one goes, as a one-line flow mapping, just before `inference-model`.
    """
    path = root / LEAF
    lines = path.read_text(encoding="utf-8").splitlines()

    def entry(constraint: str) -> int:
        return next(i for i, line in enumerate(lines) if re.search(rf"name: {re.escape(constraint)}\b", line))

    with contextlib.suppress(StopIteration):
        index = entry(name)
        block = not lines[index].lstrip().startswith("- {")
        del lines[index : index + (2 if block else 1)]
    anchor = entry("inference-model")
    indent = lines[anchor][: len(lines[anchor]) - len(lines[anchor].lstrip())]
    lines.insert(anchor, f'{indent}- {{name: {name}, value: "{value}"}}')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return anchor + 1


def _findings(root: Path, rule: str) -> list[tuple[str, Severity, int, str]]:
    """The L40S recipe's findings of *rule*, after checking that every finding sits in the L40S leaf.

    The `l40` spelling of the leaf inherits its performance phase, so its recipe gets the same finding
    at the same line (naming `l40`).
    """
    report = check(root, select=["serving"])
    assert {Path(f.file).name for f in report.findings} <= {Path(LEAF).name}
    assert {f.overlay for f in report.findings} <= {
        "l40s-eks-ubuntu-inference-dynamo",
        "l40-eks-ubuntu-inference-dynamo",
    }
    return [
        (Path(f.file).name, f.severity, f.line, f.message)
        for f in report.findings
        if f.rule == rule and f.overlay == "l40s-eks-ubuntu-inference-dynamo"
    ]


def test_upstreams_shared_floor_in_the_l40s_leaf_is_flagged_at_its_line(repo_copy: Path) -> None:
    line = _set_gate(repo_copy, "inference-throughput", ">= 50000")
    found = _findings(repo_copy, "serving-throughput-roofline")
    assert [(name, severity, at) for name, severity, at, _ in found] == [
        ("l40s-eks-ubuntu-inference-dynamo.yaml", Severity.ERROR, line)
    ]
    message = found[0][3]
    # The leaf runs 128 requests per GPU: even an 8-GPU node's roofline is below the 45,000 pass line.
    assert "required: floor 50,000 tok/s x 0.9 tolerance = 45,000 tok/s" in message
    assert "8 GPU node: roofline 44,225 tok/s" in message
    assert "no node shape can reach it" in message


def test_upstreams_floor_at_upstreams_concurrency_is_a_warning(repo_copy: Path) -> None:
    _set_gate(repo_copy, "inference-concurrency-per-gpu", "256")
    line = _set_gate(repo_copy, "inference-throughput", ">= 50000")
    found = _findings(repo_copy, "serving-throughput-roofline")
    assert [(severity, at) for _, severity, at, _ in found] == [(Severity.WARNING, line)]
    assert "1-GPU (impossible), 4-GPU (impossible), 8-GPU (unlikely)" in found[0][3]


def test_a_modest_floor_passes(repo_copy: Path) -> None:
    _set_gate(repo_copy, "inference-throughput", ">= 2000")
    assert _serving(repo_copy) == []


def test_concurrency_4096_overflows_the_kv_cache(repo_copy: Path) -> None:
    line = _set_gate(repo_copy, "inference-concurrency-per-gpu", "4096")
    found = _findings(repo_copy, "serving-memory")
    assert [(severity, at) for _, severity, at, _ in found] == [(Severity.WARNING, line)]
    assert "KV per token: 2 x 36 layers x 8 KV heads x 128 dims x 2 bytes = 144 KiB" in found[0][3]
    assert "KV total: 4,096 sequences x 256 tokens x 144 KiB = 154.62 GB" in found[0][3]


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        (
            "inference-concurrency-per-gpu",
            "abc",
            '[INVALID_REQUEST] invalid inference-concurrency-per-gpu="abc": must be a positive integer',
        ),
        ("inference-concurrency-per-gpu", "0", "must be a positive integer"),
        ("inference-throughput", "> 50000", 'inference-throughput constraint must start with ">=" (got "> 50000")'),
        ("inference-throughput", ">= 1e400", 'strconv.ParseFloat: parsing "1e400": value out of range'),
    ],
)
def test_a_value_upstream_refuses_is_an_error_at_its_line(repo_copy: Path, name: str, value: str, message: str) -> None:
    line = _set_gate(repo_copy, name, value)
    report = check(repo_copy, select=["serving"])
    # one finding for the value both the l40 and l40s recipes read: the message does not name the accelerator
    found = [(Path(f.file).name, f.severity, f.line, f.message) for f in report.findings]
    assert [(file, severity, at) for file, severity, at, _ in found] == [(Path(LEAF).name, Severity.ERROR, line)]
    assert message in found[0][3]
    assert found[0][3].startswith(f"upstream's inference-perf check refuses {name} {value!r}: [INVALID_REQUEST] ")


def test_a_floor_of_zero_is_a_warning_that_the_gate_tests_nothing(repo_copy: Path) -> None:
    line = _set_gate(repo_copy, "inference-throughput", ">= 0")
    found = _findings(repo_copy, "serving-gate-constraints")
    assert [(severity, at) for _, severity, at, _ in found] == [(Severity.WARNING, line)]
    assert found[0][3] == "inference-throughput floor 0 passes every run on l40s: the gate tests nothing"


def test_a_70b_model_does_not_fit_one_gpu(repo_copy: Path) -> None:
    path = repo_copy / LEAF
    text = path.read_text(encoding="utf-8").replace("Qwen/Qwen3-8B", "meta-llama/Llama-3.1-70B-Instruct")
    path.write_text(text, encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "meta-llama/Llama-3.1-70B-Instruct" in row)
    found = _findings(repo_copy, "serving-memory")
    # inference-concurrency-per-gpu is set in the leaf, so the finding points there when present.
    concurrency = next(
        (i for i, row in enumerate(text.splitlines(), 1) if "name: inference-concurrency-per-gpu" in row), line
    )
    assert [(severity, at) for _, severity, at, _ in found] == [(Severity.ERROR, concurrency)]
    assert "the weights do not fit one GPU" in found[0][3]


def test_an_unknown_model_is_named_with_how_to_add_it(repo_copy: Path) -> None:
    path = repo_copy / LEAF
    text = path.read_text(encoding="utf-8").replace("Qwen/Qwen3-8B", "acme/serving-test-model")
    path.write_text(text, encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if "acme/serving-test-model" in row)
    report = check(repo_copy, select=["serving"])
    assert {(f.rule, f.line) for f in report.findings} == {("serving-model-unknown", line)}
    assert '[tool.l40-recipes.models."acme/serving-test-model"]' in report.findings[0].hint


def test_an_unknown_accelerator_points_at_the_criteria(repo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tables, problems = load_tables()
    without = Tables({k: v for k, v in tables.accelerators.items() if k != "l40s"}, tables.models, tables.measurements)
    monkeypatch.setattr(serving_rules, "load_tables", lambda *_: (without, problems))
    report = check(repo_copy, select=["serving"])
    assert [(f.rule, f.overlay) for f in report.findings] == [
        ("serving-model-unknown", "l40s-eks-ubuntu-inference-dynamo")
    ]
    assert "accelerator 'l40s'" in report.findings[0].message
    assert "[tool.l40-recipes.accelerators.l40s]" in report.findings[0].hint


def test_a_constraint_shared_by_recipes_is_reported_once_per_message() -> None:
    same = Finding(rule="serving-memory", severity=Severity.WARNING, file="a.yaml", line=3, column=5, message="m")
    other = same.model_copy(update={"overlay": "other"})
    different = same.model_copy(update={"message": "n"})
    assert list(serving_rules._once(iter([same, other, different]))) == [same, different]


def test_a_gate_on_defaults_is_reported_at_the_criteria(repo_copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = repo_copy / LEAF
    lines = path.read_text(encoding="utf-8").splitlines()
    for name in ("inference-model", "inference-concurrency-per-gpu"):
        index = next(i for i, line in enumerate(lines) if re.search(rf"name: {name}\b", line))
        del lines[index : index + (1 if lines[index].lstrip().startswith("- {") else 2)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    criteria = next(i for i, line in enumerate(lines, 1) if line.strip().startswith("criteria:"))
    tables, problems = load_tables()
    small = dataclasses.replace(tables.accelerators["l40s"], usable_mib=20_000)
    shrunk = Tables({**tables.accelerators, "l40s": small}, tables.models, tables.measurements)
    monkeypatch.setattr(serving_rules, "load_tables", lambda *_: (shrunk, problems))
    found = _findings(repo_copy, "serving-memory")
    # upstream's defaults: Qwen/Qwen3-8B at 256 requests per GPU
    assert [(severity, at) for _, severity, at, _ in found] == [(Severity.WARNING, criteria)]
    assert found[0][3].startswith("Qwen/Qwen3-8B at 256 requests per GPU on l40s")


_OUR_L40S_FLEET = """
[tool.l40-recipes.accelerators.l40s]
usable-mib = 46068
bandwidth-gbs = 864
interconnect = "pcie"
fp8 = true
gpus-per-node = [8]
source = "test: a fleet of 8-GPU nodes only"

[tool.l40-recipes.models."acme/serving-test-model"]
parameters = 1_000_000_000
layers = 16
kv-heads = 4
head-dim = 64
dtype = "int4"
source = "test: a made-up model"
"""


def test_pyproject_rows_narrow_shapes_and_add_models(repo_copy: Path) -> None:
    (repo_copy / "pyproject.toml").write_text(_OUR_L40S_FLEET, encoding="utf-8")
    _set_gate(repo_copy, "inference-concurrency-per-gpu", "256")
    line = _set_gate(repo_copy, "inference-throughput", ">= 50000")
    found = _findings(repo_copy, "serving-throughput-roofline")
    assert [(severity, at) for _, severity, at, _ in found] == [(Severity.WARNING, line)]
    assert "on 8-GPU (unlikely) (" in found[0][3]
    assert "1 GPU node" not in found[0][3]
    path = repo_copy / LEAF
    path.write_text(path.read_text(encoding="utf-8").replace("Qwen/Qwen3-8B", "acme/serving-test-model"))
    report = check(repo_copy, select=["serving"])
    assert "serving-model-unknown" not in {f.rule for f in report.findings}


def test_bad_pyproject_rows_are_config_findings(repo_copy: Path) -> None:
    text = _OUR_L40S_FLEET.replace('interconnect = "pcie"', 'interconnect = "ib"').replace(
        'dtype = "int4"', 'dtype = "int3"'
    )
    (repo_copy / "pyproject.toml").write_text(text + "\n[tool.l40-recipes]\n", encoding="utf-8")
    report = check(repo_copy, select=["config", "serving"])
    messages = {f.message for f in report.findings if f.rule == "config-invalid"}
    assert "[tool.l40-recipes.accelerators] 'l40s': interconnect must be 'nvlink' or 'pcie', not 'ib'" in messages
    assert any(
        m.startswith("[tool.l40-recipes.models] 'acme/serving-test-model': dtype must be one of") for m in messages
    )
    # the bad l40s row is dropped: the package row (1, 4 and 8 GPUs) still judges the leaf
    assert _serving(repo_copy) == []


def test_a_scalar_table_is_a_config_finding(repo_copy: Path) -> None:
    (repo_copy / "pyproject.toml").write_text("[tool.l40-recipes]\nmodels = 3\n", encoding="utf-8")
    report = check(repo_copy, select=["config"])
    assert [(f.rule, f.line) for f in report.findings] == [("config-invalid", 2)]
    assert report.findings[0].message == "[tool.l40-recipes] models must be a table of rows"
