"""check(): acceptance on the upstream and shipped catalogs, configuration, waivers and the rules doc."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from l40_recipes import Catalog, Finding, Report, Severity, check
from l40_recipes._config import load_config
from l40_recipes._rules import all_rules, render_markdown

from .conftest import LEGACY_RECIPES, MINIMAL_REGISTRY, REPO, needs_shared, overlay, write_catalog

if TYPE_CHECKING:
    from pathlib import Path

#: §8 of the semantics: the 23 overlays upstream's floor test fails under AICR_VALIDATION_FLOOR_STRICT=1.
PERFORMANCE_GAPS = {
    "a100-aks-training",
    "a100-aks-ubuntu-training",
    "a100-aks-ubuntu-training-kubeflow",
    "a100-eks-training",
    "a100-eks-ubuntu-training",
    "a100-eks-ubuntu-training-kubeflow",
    "a100-gke-cos-training",
    "a100-gke-cos-training-kubeflow",
    "a100-oke-training",
    "a100-oke-ubuntu-training",
    "a100-oke-ubuntu-training-kubeflow",
    "b200-gke-cos-training",
    "b200-gke-cos-training-kubeflow",
    "h100-bcm-training",
    "h100-bcm-ubuntu-training",
    "h100-eks-ubuntu-inference-nim",
    "l40s-oke-training",
    "rtx-pro-6000-eks-training",
    "rtx-pro-6000-eks-ubuntu-inference-nim",
    "rtx-pro-6000-eks-ubuntu-training",
    "rtx-pro-6000-eks-ubuntu-training-kubeflow",
    "rtx-pro-6000-lke-training",
    "rtx-pro-6000-lke-ubuntu-training",
}

#: Every other finding on the upstream catalog, with why it is true (upstream lacks the rule or keeps the
#: exception outside the data): (rule, overlay) -> reason.
UPSTREAM_TRUE_FINDINGS = {
    ("version-pin", "aks"): "upstream exempts this pin in Go test code (versionPinExemptions), not in the catalog",
    **{
        ("serving-throughput-roofline", leaf): "the shared full-node floor fails smaller node shapes (aicr#1254)"
        for leaf in (
            "h100-aks-ubuntu-inference-dynamo",
            "h100-eks-ubuntu-inference-dynamo",
            "h100-gke-cos-inference-dynamo",
            "rtx-pro-6000-eks-ubuntu-inference-dynamo",
        )
    },
    ("api-version", ""): "read as aicr 0.20 without saying so: aicr 1.0 refuses its alpha headers (one warning)",
}


@needs_shared
def test_upstream_catalog_has_no_errors(upstream: Catalog) -> None:
    """Upstream's own tests pass on its catalog, so check() reports no error in default mode."""
    report = check(upstream)
    assert report.ok
    assert report.errors == ()


@needs_shared
def test_upstream_strict_performance_findings_are_exactly_the_23(upstream: Catalog) -> None:
    """Under strict, the performance-floor findings are exactly upstream's 23 strict-mode failures."""
    report = check(upstream, strict=True)
    performance = {finding.overlay for finding in report.findings if finding.rule == "floor-performance"}
    assert performance == PERFORMANCE_GAPS
    others = {(finding.rule, finding.overlay) for finding in report.findings if finding.rule != "floor-performance"}
    assert others == set(UPSTREAM_TRUE_FINDINGS)


def test_shipped_catalog_is_clean_under_strict(shipped: Catalog) -> None:
    """The shipped catalog passes every rule in strict mode; its waivers carry reasons and are all used."""
    report = check(shipped, strict=True)
    assert report.findings == (), str(report)
    config = load_config(REPO)
    assert config.strict
    assert config.waivers
    assert all(waiver.reason for waiver in config.waivers)


def test_check_accepts_a_path_and_reports_load_problems(tmp_path: Path) -> None:
    """A path is loaded collecting problems: broken YAML becomes a finding, never an exception."""
    root = write_catalog(
        tmp_path, {"bad": "kind: RecipeMetadata\nspec: [\n", "ok": overlay("ok", criteria="service: eks")}
    )
    report = check(root)
    assert not report.ok
    load = [finding for finding in report.findings if finding.rule == "load-error"]
    assert load
    assert load[0].file.endswith("overlays/bad.yaml")
    assert load[0].line == 3


def test_missing_registry_is_an_error_finding(tmp_path: Path) -> None:
    """No registry.yaml fails the check loudly, and resolution rules are skipped rather than crash."""
    report = check(write_catalog(tmp_path, {"ok": overlay("ok", criteria="service: eks")}, registry=None))
    assert any("registry.yaml" in finding.message for finding in report.errors)


def test_select_ignore_and_severity(tmp_path: Path) -> None:
    """Rules and groups can be selected or ignored; a severity override applies; strict promotes warnings."""
    root = write_catalog(tmp_path, {"x": overlay("x", criteria="service: eks, nodes: 2")})
    assert {f.rule for f in check(root).findings} >= {"nodes-ignored"}
    assert {f.rule for f in check(root, select=["nodes-ignored"]).findings} == {"nodes-ignored"}
    assert "nodes-ignored" not in {f.rule for f in check(root, ignore=["schema"]).findings}
    assert all(f.severity is Severity.ERROR for f in check(root, strict=True).findings)
    warning = next(f for f in check(root).findings if f.rule == "nodes-ignored")
    assert warning.severity is Severity.WARNING


def _with_pyproject(root: Path, text: str) -> Path:
    (root / "pyproject.toml").write_text(text)
    return root


def test_pyproject_configuration(tmp_path: Path) -> None:
    """[tool.l40-recipes] sets strict, ignore, severities and waivers; unused waivers and bad entries are reported."""
    root = write_catalog(tmp_path, {"x": overlay("x", criteria="service: eks, nodes: 2")})
    _with_pyproject(
        root,
        """
[tool.l40-recipes]
strict = false
ignore = ["required-components"]
[tool.l40-recipes.severity]
nodes-ignored = "error"
version-pin = "fatal"
[[tool.l40-recipes.waivers]]
rule = "floor-performance"
overlay = "x"
reason = "nothing to waive"
[[tool.l40-recipes.waivers]]
rule = "nodes-ignored"
overlay = "x"
reason = ""
""",
    )
    report = check(root)
    rules = {(f.rule, f.severity) for f in report.findings}
    assert ("nodes-ignored", Severity.ERROR) in rules
    assert ("waiver-unused", Severity.WARNING) in rules
    messages = [f.message for f in report.findings if f.rule == "config-invalid"]
    assert any("has no reason" in message for message in messages)
    assert any("'fatal'" in message for message in messages)
    unused = next(f for f in report.findings if f.rule == "waiver-unused")
    assert unused.file.endswith("pyproject.toml")
    assert unused.line == 10


def test_waiver_suppresses_and_unknown_names_are_reported(tmp_path: Path) -> None:
    """A waiver with a reason suppresses its rule for its overlay; unknown rules or overlays are config errors."""
    root = write_catalog(tmp_path, {"x": overlay("x", criteria="service: eks, nodes: 2")})
    _with_pyproject(
        root,
        """
[[tool.l40-recipes.waivers]]
rule = "nodes-ignored"
overlay = "x"
reason = "testing"
[[tool.l40-recipes.waivers]]
rule = "no-such-rule"
overlay = "x"
reason = "r"
[[tool.l40-recipes.waivers]]
rule = "nodes-ignored"
overlay = "ghost"
reason = "r"
""",
    )
    report = check(root)
    assert "nodes-ignored" not in {f.rule for f in report.findings}
    messages = {f.message for f in report.findings if f.rule == "config-invalid"}
    assert "waiver names unknown rule 'no-such-rule'" in messages
    assert "waiver names unknown overlay 'ghost'" in messages


def test_invalid_toml_is_a_finding(tmp_path: Path) -> None:
    """A broken pyproject.toml is reported, not raised."""
    root = _with_pyproject(write_catalog(tmp_path, {}), "[tool.l40-recipes\n")
    assert any(f.rule == "config-invalid" for f in check(root).findings)


def test_required_components_are_configurable(tmp_path: Path) -> None:
    """A custom requirement replaces the defaults and is enforced on resolved recipes."""
    root = write_catalog(tmp_path, {"x": overlay("x", criteria="service: eks, intent: training")})
    _with_pyproject(
        root,
        """
[[tool.l40-recipes.required-components]]
name = "trainer"
when = {intent = "training", service = "!gke"}
any-of = ["kubeflow-trainer"]
""",
    )
    findings = [f for f in check(root).findings if f.rule == "required-components"]
    assert [f.message for f in findings] == [
        "the recipe for criteria(service=eks, intent=training) has no trainer (one of kubeflow-trainer)",
    ]


def test_report_api() -> None:
    """Reports sort, deduplicate, count and render findings."""
    b = Finding(rule="r", severity=Severity.WARNING, file="b.yaml", line=2, column=1, message="m", hint="h")
    a = Finding(rule="r", severity=Severity.ERROR, file="a.yaml", line=9, column=3, message="m")
    report = Report.of([b, a, a])
    assert report.findings == (a, b)
    assert report.counts == {"error": 1, "warning": 1}
    assert not report.ok
    assert str(report).splitlines() == ["a.yaml:9:3: r m", "b.yaml:2:1: r m", "  hint: h", "1 error(s), 1 warning(s)"]
    assert list(report.by_rule()) == ["r"]
    assert Finding(rule="r", severity=Severity.ERROR, file="f", message="m").position == "f"


def test_rules_doc_is_current() -> None:
    """docs/rules.md matches the registered rules (regenerate: python -m l40_recipes._rules docs/rules.md)."""
    expected = render_markdown()
    path = REPO / "docs" / "rules.md"
    if os.environ.get("L40_RECIPES_UPDATE_DOCS") == "1":
        path.write_text(expected)
    assert path.read_text() == expected


def test_rules_doc_command_writes_the_doc(tmp_path: Path) -> None:
    """`python -m l40_recipes._rules PATH` writes the generated document."""
    target = tmp_path / "rules.md"
    subprocess.run([sys.executable, "-m", "l40_recipes._rules", str(target)], check=True, cwd=REPO)
    assert target.read_text() == render_markdown()


def test_every_rule_is_documented() -> None:
    """Each rule has an id, a title, a group and a rationale."""
    rules = all_rules()
    assert len(rules) >= 40
    for rule_id, item in rules.items():
        assert item.title, rule_id
        assert len(item.rationale) > 40, rule_id


@needs_shared
def test_legacy_catalog_findings_name_the_old_api_version() -> None:
    """v0.11.1 uses aicr.nvidia.com/v1alpha1: every overlay gets an api-version error at its line."""
    report = check(LEGACY_RECIPES)
    api = [f for f in report.findings if f.rule == "api-version"]
    assert len(api) == 38
    assert all(f.line == 16 or f.line > 1 for f in api)


@pytest.mark.parametrize(
    ("toml", "line", "message"),
    [
        ('waivers = ["oops"]', 2, "waivers entry 1: must be a table"),
        ('severity = ["x"]', 2, "severity: must be a table"),
        ("strict = 1", 2, "strict: Input should be a valid boolean"),
        ("bogus = 1", 2, "unknown key 'bogus'"),
        ("waivers = 3", 2, "waivers must be an array of tables"),
        ("[[tool.l40-recipes.required-components]]\nwhen = {intent = 1}\nany-of = ['x']", 2, "when.intent"),
        ("[[tool.l40-recipes.required-components]]\nany-of = []", 2, "any-of: List should have at least 1 item"),
        ("[[tool.l40-recipes.waivers]]\nrule = 'r'\noverlay = 'x'\nextra = 1", 2, "unknown key 'extra'"),
        ("[[tool.l40-recipes.version-pin-exemptions]]\noverlay = 'x'\ncomponent = 'c'", 2, "has no reason"),
        ("[[tool.l40-recipes.version-pin-exemptions]]\noverlay = 'x'", 2, "component: Field required"),
    ],
)
def test_malformed_configuration_is_a_finding(tmp_path: Path, toml: str, line: int, message: str) -> None:
    """Every malformed key or entry is a config-invalid finding at its pyproject line, never an exception."""
    root = write_catalog(tmp_path, {"x": overlay("x", criteria="service: eks")})
    _with_pyproject(root, f"[tool.l40-recipes]\n{toml}\n")
    found = [(f.line, f.message) for f in check(root).findings if f.rule == "config-invalid"]
    assert any(at == line and message in text for at, text in found), found


@pytest.mark.parametrize("toml", ["[tool]\nl40-recipes = 1\n", "tool = 1\n"])
def test_a_section_that_is_not_a_table(tmp_path: Path, toml: str) -> None:
    """`tool.l40-recipes` that is no table is reported; a `tool` that is no table means no configuration."""
    root = write_catalog(tmp_path, {"x": overlay("x", criteria="service: eks")})
    _with_pyproject(root, toml)
    found = [f.message for f in check(root).findings if f.rule == "config-invalid"]
    assert found == (["[tool.l40-recipes] must be a table"] if toml.startswith("[tool]") else [])


def test_pyproject_findings_use_the_path_style_of_other_findings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """pyproject.toml is named relative to the root as given, like every catalog file (it was absolute)."""
    write_catalog(tmp_path / "repo" / "catalog", {"x": overlay("x", criteria="service: eks")})
    (tmp_path / "repo" / "pyproject.toml").write_text("[tool.l40-recipes]\nbogus = 1\n")
    monkeypatch.chdir(tmp_path)
    files = {f.file for f in check("repo/catalog").findings}
    assert "repo/pyproject.toml" in files
    assert all(not file.startswith("/") for file in files)


def test_an_unreadable_pyproject_is_a_finding(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A pyproject.toml that cannot be read is reported, not raised."""
    from l40_recipes import _config  # noqa: PLC0415

    root = write_catalog(tmp_path, {"x": overlay("x", criteria="service: eks")})
    monkeypatch.setattr(_config, "find_pyproject", lambda _: tmp_path)  # a directory: reading it fails
    found = [f.message for f in check(root).findings if f.rule == "config-invalid"]
    assert found == ["pyproject.toml cannot be read: Is a directory"]


def test_criteria_enum_lists_the_valid_values(tmp_path: Path) -> None:
    """A criteria value outside upstream's enums is reported with the values that are valid."""
    root = write_catalog(tmp_path, {"leaf": overlay("leaf", criteria="service: eks, os: ubunut")})
    (finding,) = [f for f in check(root).findings if f.rule == "criteria-enum"]
    assert finding.message.startswith("os 'ubunut' is not one of upstream's values: ")
    assert "ubuntu" in finding.message.split(": ", 1)[1].split(", ")


def test_text_output_lists_errors_before_warnings() -> None:
    """Report text puts every error before any warning, each severity in file order."""

    def finding(file: str, severity: Severity) -> Finding:
        return Finding(rule="r", severity=severity, file=file, line=1, column=1, message="m")

    report = Report.of(
        [finding("a.yaml", Severity.WARNING), finding("b.yaml", Severity.ERROR), finding("c.yaml", Severity.ERROR)]
    )
    assert [f.file for f in report.findings] == ["a.yaml", "b.yaml", "c.yaml"]
    assert [f.file for f in report.by_severity()] == ["b.yaml", "c.yaml", "a.yaml"]
    assert str(report).splitlines()[0].startswith("b.yaml:1:1")


def test_a_base_cycle_is_reported_once_per_edge_without_its_cascade(tmp_path: Path) -> None:
    """One edit closing a loop yields one base-cycle finding at each edge's `base:` line, and nothing else."""
    root = write_catalog(
        tmp_path,
        {
            "eks": overlay("eks", base="eks-inference", criteria="service: eks"),
            "eks-inference": overlay("eks-inference", base="eks", criteria="service: eks, intent: inference"),
            "leaf": overlay(
                "leaf", base="eks-inference", criteria="service: eks, intent: inference, accelerator: h100"
            ),
        },
    )
    errors = [(f.file.rsplit("/", 1)[-1], f.line, f.rule) for f in check(root).errors]
    assert errors == [("eks-inference.yaml", 6, "base-cycle"), ("eks.yaml", 6, "base-cycle")]


def test_registry_defects_are_each_reported_at_their_line(tmp_path: Path) -> None:
    """Registry rules on a small registry: unknown keys, missing fields, both package kinds, bad manifests, duplicates."""
    registry = MINIMAL_REGISTRY + (
        "  - name: extra\n"
        "    displayName: Extra\n"
        "    typoKey: 1\n"
        "    helm:\n"
        "      defaultRepository: https://example.invalid/charts\n"
        "      defaultChart: extra/extra\n"
        "    kustomize:\n"
        "      defaultSource: https://example.invalid/kustomize\n"
        "    manifestFiles:\n"
        "      - ../../etc/passwd\n"
        "      - components/extra/missing.yaml\n"
        "  - name: extra\n"
        "    displayName: Extra again\n"
        "    valueOverrideKeys: [extra]\n"
    )
    root = write_catalog(tmp_path, {"leaf": overlay("leaf", criteria="service: eks")}, registry=registry)
    found = {(f.rule, f.line) for f in check(root).findings}
    assert {
        ("registry-fields", 24),
        ("registry-health-check", 24),
        ("registry-schema", 26),
        ("registry-fields", 30),
        ("path-escape", 33),
        ("registry-manifest-files", 34),
        ("registry-unique", 35),
    } <= found


def test_a_chain_deeper_than_ten_is_reported(tmp_path: Path) -> None:
    """chain-depth names the overlay whose spec.base chain is eleven deep, and no shallower one."""
    chain = {"c1": overlay("c1", criteria="service: eks")}
    for depth in range(2, 12):
        chain[f"c{depth}"] = overlay(f"c{depth}", base=f"c{depth - 1}", criteria=f"service: eks, nodes: {depth}")
    deep = [f.overlay for f in check(write_catalog(tmp_path, chain)).findings if f.rule == "chain-depth"]
    assert deep == ["c11"]


def test_data_layer_from_config_and_argument(tmp_path: Path) -> None:
    """`data=` (or `[tool.l40-recipes] data`) checks a layer over the catalog, reporting only its files."""
    from l40_recipes import load_catalog  # noqa: PLC0415

    root = write_catalog(tmp_path / "cat", {"gke": overlay("gke", criteria="service: GKE")})
    layer = tmp_path / "cat" / "layer"
    (layer / "overlays").mkdir(parents=True)
    (layer / "registry.yaml").write_text("components: []\n")
    (layer / "overlays" / "x.yaml").write_text(overlay("x", criteria="service: EKS"))
    plain = check(root)
    assert any(finding.file.endswith("overlays/gke.yaml") for finding in plain.findings)
    layered = check(root, data=layer)
    assert layered.findings
    assert {finding.file for finding in layered.findings} == {f"{layer}/overlays/x.yaml"}
    (root / "pyproject.toml").write_text('[tool.l40-recipes]\ndata = "layer"\n')
    configured = check(root)
    assert [finding.rule for finding in configured.findings] == [finding.rule for finding in layered.findings]
    assert all(finding.file.endswith("layer/overlays/x.yaml") for finding in configured.findings)
    with pytest.raises(TypeError, match="load_catalog"):
        check(load_catalog(root), data=layer)
    loaded = load_catalog(root, data=layer)
    assert [finding.rule for finding in check(loaded).findings] == [finding.rule for finding in layered.findings]
    (root / "pyproject.toml").write_text("[tool.l40-recipes]\ndata = 3\n")
    problems = check(root).findings
    assert any(finding.rule == "config-invalid" and "data" in finding.message for finding in problems)
