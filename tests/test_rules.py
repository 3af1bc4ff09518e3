"""Mutation suite: single defects in a copy of upstream's catalog, each caught by its rule at its line."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

import pytest

from l40_recipes import Severity, check

from .conftest import HAVE_UPSTREAM, REPO, UPSTREAM_RECIPES, needs_shared

if TYPE_CHECKING:
    from pathlib import Path


@dataclass(frozen=True)
class Mutation:
    """Replace *old* by *new* in *file* (or write *new* when *old* is None); expect *rule* at *marker*'s line.

    *expect_file* defaults to *file*; the expected line is the first line of that file (after the
    edit) containing *marker* (the *nth* such line). *allowed* lists rules whose errors legitimately follow from the defect.
    """

    id: str
    file: str
    old: str | None
    new: str
    rule: str
    marker: str
    expect_file: str = ""
    allowed: frozenset[str] = field(default_factory=frozenset)
    nth: int = 1


def _m(
    id: str,
    file: str,
    old: str | None,
    new: str,
    rule: str,
    marker: str,
    *,
    expect_file: str = "",
    allowed: tuple[str, ...] = (),
    nth: int = 1,
) -> Mutation:
    if "resolves" in allowed or rule == "resolves":
        # A query that no longer resolves also breaks the projections of its criteria.
        allowed = (*allowed, "coverage-projection")
    return Mutation(id, file, old, new, rule, marker, expect_file, frozenset(allowed), nth)


EKS = "overlays/eks.yaml"
L40S_ANY = "overlays/l40s-any.yaml"
L40S_OKE = "overlays/l40s-oke-inference.yaml"
REGISTRY = "registry.yaml"
VALIDATORS = "validators/catalog.yaml"
RTX_DYNAMO = "overlays/rtx-pro-6000-eks-ubuntu-inference-dynamo.yaml"
RESOLVES = ("resolves",)
BROKEN_EKS = ("base-reference", "resolves")
# An overlay stating only `platform` matches every Dynamo query and drags its parent (eks) into them.
LEAKED_PARENT = ("intermediate-criteria", "leaf-criteria", "floor-monotonicity", "required-components")
NEW_OVERLAY = "kind: RecipeMetadata\napiVersion: aicr.run/v1alpha2\nmetadata:\n  name: {name}\nspec:\n{spec}"

MUTATIONS = [
    _m(
        "drop-floor-check",
        L40S_ANY,
        "        - gpu-operator-version\n",
        "",
        "floor-deployment",
        "  criteria:",
        expect_file=L40S_OKE,
    ),
    _m(
        "drop-floor-constraint",
        L40S_ANY,
        '        - name: Deployment.gpu-operator.version\n          value: ">= v24.6.0"\n',
        "",
        "floor-deployment",
        "  criteria:",
        expect_file=L40S_OKE,
    ),
    _m("loosen-k8s-floor", L40S_OKE, 'value: ">= 1.30"', 'value: ">= 1.20"', "floor-monotonicity", ">= 1.20"),
    _m(
        "loosen-wildcard-floor",
        L40S_OKE,
        "  validation:\n",
        '  validation:\n    deployment:\n      constraints:\n        - name: Deployment.gpu-operator.version\n          value: ">= v23.0.0"\n',
        "floor-monotonicity",
        ">= v23.0.0",
    ),
    _m(
        "pin-below-floor",
        L40S_OKE,
        "    - name: gpu-operator\n      type: Helm\n",
        "    - name: gpu-operator\n      type: Helm\n      version: v23.3.0\n",
        "static-version-floor",
        "version: v23.3.0",
    ),
    _m("unparseable-floor", L40S_ANY, '">= v24.6.0"', '">= latest"', "static-version-floor", ">= latest"),
    _m(
        "base-cycle",
        EKS,
        "spec:\n",
        "spec:\n  base: eks-training\n",
        "base-cycle",
        "base: eks-training",
        allowed=RESOLVES,
    ),
    _m(
        "values-file-escape",
        EKS,
        "valuesFile: components/aws-efa/values.yaml",
        "valuesFile: ../../etc/passwd",
        "path-escape",
        "../../etc/passwd",
    ),
    _m(
        "values-file-absolute",
        EKS,
        "valuesFile: components/aws-efa/values.yaml",
        "valuesFile: /etc/passwd",
        "path-escape",
        "/etc/passwd",
    ),
    _m(
        "duplicate-key",
        EKS,
        "    service: eks\n",
        "    service: eks\n    service: gke\n",
        "load-error",
        "service: gke",
        allowed=BROKEN_EKS,
    ),
    _m(
        "misspelt-check",
        EKS,
        "        - platform-health\n",
        "        - platform-healht\n",
        "check-name",
        "platform-healht",
    ),
    _m(
        "check-in-wrong-phase",
        EKS,
        "        - platform-health\n",
        "        - operator-health\n",
        "check-name",
        "- operator-health",
    ),
    _m(
        "unknown-component",
        EKS,
        "    - name: aws-efa\n",
        "    - name: aws-efaa\n",
        "unknown-component",
        "aws-efaa",
        allowed=RESOLVES,
    ),
    _m(
        "missing-parent",
        "overlays/eks-inference.yaml",
        "base: eks\n",
        "base: ekss\n",
        "base-reference",
        "base: ekss",
        allowed=RESOLVES,
    ),
    _m(
        "criteria-case",
        "overlays/h100-any.yaml",
        "accelerator: h100",
        "accelerator: H100",
        "criteria-case",
        "accelerator: H100",
        allowed=("floor-deployment",),
    ),
    _m(
        "criteria-enum",
        "overlays/a100-any.yaml",
        "accelerator: a100",
        "accelerator: a1000",
        "criteria-enum",
        "accelerator: a1000",
        allowed=("floor-deployment",),
    ),
    _m(
        "duplicate-criteria",
        "overlays/zz-eks-copy.yaml",
        None,
        NEW_OVERLAY.format(name="zz-eks-copy", spec="  criteria:\n    service: eks\n"),
        "duplicate-criteria",
        "criteria:",
    ),
    _m(
        "duplicate-name",
        "overlays/zz-eks.yaml",
        None,
        NEW_OVERLAY.format(name="eks", spec="  criteria:\n    service: eks\n"),
        "duplicate-name",
        "name: eks",
        allowed=("floor-conformance",),
    ),
    _m(
        "leaf-without-dimension",
        "overlays/zz-leaf.yaml",
        None,
        NEW_OVERLAY.format(name="zz-leaf", spec="  base: eks\n  criteria:\n    platform: dynamo\n"),
        "leaf-criteria",
        "criteria:",
        allowed=LEAKED_PARENT,
    ),
    _m(
        "intermediate-without-dimension",
        "overlays/zz-mid.yaml",
        None,
        NEW_OVERLAY.format(name="zz-mid", spec="  base: eks\n  criteria:\n    platform: dynamo\n"),
        "intermediate-criteria",
        "criteria:",
        allowed=LEAKED_PARENT,
    ),
    _m(
        "criteria-missing",
        "overlays/h100-kind-training.yaml",
        "  criteria:\n",
        "  nocriteria:\n",
        "criteria-missing",
        "spec:",
    ),
    _m(
        "dependency-unknown",
        "overlays/rtx-pro-6000-eks-inference.yaml",
        "        - nodewright-operator\n",
        "        - nodewright-operatorx\n",
        "dependency-ref",
        "nodewright-operatorx",
        allowed=("merged-dependencies", "resolves"),
    ),
    _m(
        "dependency-cycle",
        EKS,
        "    - name: aws-efa\n      type: Helm\n",
        "    - name: aws-efa\n      type: Helm\n      dependencyRefs: [aws-ebs-csi-driver]\n"
        "    - name: aws-ebs-csi-driver\n      dependencyRefs: [aws-efa]\n",
        "merged-dependencies",
        "componentRefs:",
        allowed=("resolves", "component-type"),
    ),
    _m(
        "type-case",
        EKS,
        "    - name: aws-efa\n      type: Helm\n",
        "    - name: aws-efa\n      type: helm\n",
        "component-type",
        "type: helm",
    ),
    _m(
        "type-missing",
        EKS,
        "    - name: aws-efa\n      type: Helm\n",
        "    - name: aws-efa\n",
        "component-type",
        "- name: aws-efa",
    ),
    _m("constraint-value", EKS, 'value: ">= 1.28"', 'value: ">= "', "constraint-syntax", 'value: ">= "'),
    _m(
        "constraint-type",
        EKS,
        "    - name: K8s.server.version\n",
        "    - name: NodeTopology.summary.node-count\n",
        "constraint-syntax",
        "NodeTopology.summary.node-count",
    ),
    _m(
        "bad-measurement-path",
        EKS,
        "    - name: K8s.server.version\n",
        "    - name: K8s.server.versoin\n",
        "load-error",
        "versoin",
        allowed=BROKEN_EKS,
    ),
    _m(
        "values-file-missing",
        EKS,
        "components/aws-efa/values.yaml",
        "components/aws-efa/missing.yaml",
        "values-file",
        "missing.yaml",
    ),
    _m("values-file-not-yaml", "components/aws-efa/values.yaml", None, "a: 1\na: 2\n", "values-file-yaml", "a: 2"),
    _m(
        "manifest-missing",
        "mixins/platform-inference.yaml",
        "components/agentgateway/manifests/inference-gateway.yaml",
        "components/agentgateway/manifests/nope.yaml",
        "manifest-file",
        "nope.yaml",
    ),
    _m(
        "health-check-empty",
        "checks/aws-efa/health-check.yaml",
        None,
        "\n",
        "registry-health-check",
        "assertFile: checks/aws-efa/",
        expect_file=REGISTRY,
    ),
    _m(
        "health-check-escape",
        REGISTRY,
        "assertFile: checks/aws-efa/health-check.yaml",
        "assertFile: ../../../etc/hostname",
        "path-escape",
        "etc/hostname",
        allowed=RESOLVES,
    ),
    _m(
        "override-key-clash",
        REGISTRY,
        "      - awsefa\n",
        "      - certmanager\n",
        "registry-unique",
        "      - certmanager",
        nth=2,
    ),
    _m("display-name-missing", REGISTRY, "    displayName: aws-efa\n", "", "registry-fields", "- name: aws-efa"),
    _m(
        "scheduling-path",
        REGISTRY,
        "          - nodeSelector\n        tolerationPaths:\n          - tolerations\n\n  - name: cert-manager",
        "          - .nodeSelector\n        tolerationPaths:\n          - tolerations\n\n  - name: cert-manager",
        "registry-path-syntax",
        "- .nodeSelector",
    ),
    _m(
        "registry-kind",
        REGISTRY,
        "kind: ComponentRegistry",
        "kind: ComponentRegistryX",
        "registry-schema",
        "kind: ComponentRegistryX",
    ),
    _m(
        "validator-phase",
        VALIDATORS,
        "  - name: operator-health\n    phase: deployment\n",
        "  - name: operator-health\n    phase: deploy\n",
        "validators-catalog",
        "phase: deploy",
        allowed=("check-name",),
    ),
    _m(
        "validator-duplicate",
        VALIDATORS,
        "  - name: expected-resources\n",
        "  - name: operator-health\n",
        "validators-catalog",
        "  - name: operator-health",
        allowed=("check-name",),
        nth=2,
    ),
    _m(
        "api-version",
        EKS,
        "apiVersion: aicr.run/v1alpha2",
        "apiVersion: aicr.run/v1alpha1",
        "api-version",
        "apiVersion:",
    ),
    _m("kind-missing", EKS, "kind: RecipeMetadata\n", "", "required-fields", "apiVersion:"),
    _m(
        "profile-under-v1alpha2",
        "overlays/aks.yaml",
        "apiVersion: aicr.run/v1alpha3",
        "apiVersion: aicr.run/v1alpha2",
        "load-error",
        "  profile:",
        allowed=BROKEN_EKS,
    ),
    _m(
        "mixin-unknown-field",
        "mixins/os-ubuntu.yaml",
        "spec:\n",
        "spec:\n  validation: {}\n",
        "load-error",
        "validation:",
        allowed=RESOLVES,
    ),
    _m(
        "mixin-missing",
        "overlays/eks-inference.yaml",
        "    - platform-inference\n",
        "    - platform-inferencex\n",
        "resolves",
        "platform-inferencex",
        allowed=RESOLVES,
    ),
    _m(
        "platform-component-disabled",
        RTX_DYNAMO,
        "      valuesFile: components/dynamo-platform/values.yaml\n",
        "      valuesFile: components/dynamo-platform/values.yaml\n      overrides:\n        enabled: false\n",
        "required-components",
        "  criteria:",
    ),
    _m(
        "remove-conformance",
        EKS,
        "  validation:\n    conformance:\n",
        "  validation:\n    readiness:\n",
        "floor-conformance",
        "  criteria:",
        allowed=("check-name",),
    ),
    _m(
        "empty-performance-phase-clears",
        RTX_DYNAMO,
        "        - inference-perf\n",
        "        - inference-perfx\n",
        "check-name",
        "inference-perfx",
    ),
]


#: The shipped catalog's own text stands in for the upstream files it has no twin of.
L40S_DYNAMO = "overlays/l40s-eks-ubuntu-inference-dynamo.yaml"
SHIPPED_ONLY = [
    _m(
        "criteria-case",
        L40S_ANY,
        "accelerator: l40s",
        "accelerator: L40S",
        "criteria-case",
        "accelerator: L40S",
        allowed=("floor-deployment",),
    ),
    _m(
        "criteria-enum",
        "overlays/l40-any.yaml",
        "accelerator: l40\n",
        "accelerator: l4000\n",
        "criteria-enum",
        "accelerator: l4000",
        allowed=("floor-deployment",),
    ),
    _m(
        "criteria-missing",
        L40S_DYNAMO,
        "  criteria: {",
        "  nocriteria: {",
        "criteria-missing",
        "spec:",
        allowed=("unknown-key",),
    ),
    _m(
        "base-cycle",
        EKS,
        "spec:\n",
        "spec:\n  base: eks-inference\n",
        "base-cycle",
        "base: eks-inference",
        allowed=RESOLVES,
    ),
    _m(
        "dependency-unknown",
        L40S_DYNAMO,
        "dependencyRefs: [grove,",
        "dependencyRefs: [grovex,",
        "dependency-ref",
        "grovex",
        allowed=("merged-dependencies", "resolves"),
    ),
    _m(
        "platform-component-disabled",
        L40S_DYNAMO,
        "    valuesFile: components/dynamo-platform/values.yaml\n",
        "    valuesFile: components/dynamo-platform/values.yaml\n    overrides: {enabled: false}\n",
        "required-components",
        "  criteria:",
    ),
    _m(
        "empty-performance-phase-clears",
        L40S_DYNAMO,
        "checks: [inference-perf]",
        "checks: [inference-perfx]",
        "check-name",
        "inference-perfx",
    ),
    _m(
        "drop-floor-check",
        L40S_ANY,
        "expected-resources, gpu-operator-version, check-nvidia-smi]",
        "expected-resources, check-nvidia-smi]",
        "floor-deployment",
        "  criteria:",
        expect_file=L40S_OKE,
    ),
    _m(
        "drop-floor-constraint",
        L40S_ANY,
        "      constraints:\n      - {name: Deployment.gpu-operator.version, value: '>= v24.6.0'}\n",
        "",
        "floor-deployment",
        "  criteria:",
        expect_file=L40S_OKE,
    ),
    _m("loosen-k8s-floor", L40S_OKE, "value: '>= 1.32'", "value: '>= 1.20'", "floor-monotonicity", ">= 1.20"),
    _m(
        "pin-below-floor",
        L40S_OKE,
        "  - name: gpu-operator\n",
        "  - name: gpu-operator\n    version: v23.3.0\n",
        "static-version-floor",
        "version: v23.3.0",
    ),
    _m("unparseable-floor", L40S_ANY, "'>= v24.6.0'", "'>= latest'", "static-version-floor", ">= latest"),
    _m(
        "duplicate-key",
        EKS,
        "criteria: {service: eks}",
        "criteria: {service: eks, service: gke}",
        "load-error",
        "service: gke",
        allowed=BROKEN_EKS,
    ),
    _m(
        "misspelt-check",
        EKS,
        "checks: [platform-health,",
        "checks: [platform-healht,",
        "check-name",
        "platform-healht",
    ),
    _m(
        "check-in-wrong-phase",
        EKS,
        "checks: [platform-health,",
        "checks: [operator-health,",
        "check-name",
        "[operator-health",
    ),
    _m(
        "unknown-component",
        EKS,
        "{name: aws-efa, type: Helm,",
        "{name: aws-efaa, type: Helm,",
        "unknown-component",
        "aws-efaa",
        allowed=RESOLVES,
    ),
    _m(
        "dependency-cycle",
        EKS,
        "  - {name: aws-efa, type: Helm, valuesFile: components/aws-efa/values.yaml}\n",
        "  - {name: aws-efa, type: Helm, valuesFile: components/aws-efa/values.yaml, dependencyRefs: [aws-ebs-csi-driver]}\n"
        "  - {name: aws-ebs-csi-driver, type: Helm, dependencyRefs: [aws-efa]}\n",
        "merged-dependencies",
        "componentRefs:",
        allowed=RESOLVES,
    ),
    _m(
        "type-case",
        EKS,
        "{name: aws-efa, type: Helm,",
        "{name: aws-efa, type: helm,",
        "component-type",
        "type: helm",
    ),
    _m(
        "type-missing",
        EKS,
        "{name: aws-efa, type: Helm,",
        "{name: aws-efa,",
        "component-type",
        "name: aws-efa",
    ),
    _m("constraint-value", EKS, "value: '>= 1.32'", "value: '>= '", "constraint-syntax", "value: '>= '"),
    _m(
        "constraint-type",
        EKS,
        "{name: K8s.server.version,",
        "{name: NodeTopology.summary.node-count,",
        "constraint-syntax",
        "NodeTopology.summary.node-count",
    ),
    _m(
        "bad-measurement-path",
        EKS,
        "{name: K8s.server.version,",
        "{name: K8s.server.versoin,",
        "load-error",
        "versoin",
        allowed=BROKEN_EKS,
    ),
    _m(
        "override-key-clash",
        REGISTRY,
        "valueOverrideKeys: [awsefa, efa]",
        "valueOverrideKeys: [certmanager, efa]",
        "registry-unique",
        "valueOverrideKeys: [certmanager",
        nth=2,
    ),
    _m(
        "scheduling-path",
        REGISTRY,
        "nodeSelectorPaths: [nodeSelector], tolerationPaths: [tolerations]}}\n    valueOverrideKeys: [awsefa",
        "nodeSelectorPaths: [.nodeSelector], tolerationPaths: [tolerations]}}\n    valueOverrideKeys: [awsefa",
        "registry-path-syntax",
        "[.nodeSelector]",
    ),
    _m(
        "validator-phase",
        VALIDATORS,
        "  phase: deployment\n  timeout: 2m\n- name: expected-resources\n",
        "  phase: deploy\n  timeout: 2m\n- name: expected-resources\n",
        "validators-catalog",
        "phase: deploy",
        allowed=("check-name",),
    ),
    _m(
        "validator-duplicate",
        VALIDATORS,
        "- name: expected-resources\n",
        "- name: operator-health\n",
        "validators-catalog",
        "- name: operator-health",
        allowed=("check-name",),
        nth=2,
    ),
    _m(
        "profile-under-v1alpha2",
        EKS,
        "  criteria: {service: eks}\n",
        "  criteria: {service: eks}\n  profile:\n    name: gpuStack\n    default: managed\n"
        "    values:\n      managed: {}\n",
        "load-error",
        "  profile:",
        allowed=BROKEN_EKS,
    ),
    _m(
        "mixin-missing",
        "overlays/eks-inference.yaml",
        "mixins: [platform-inference]",
        "mixins: [platform-inferencex]",
        "resolves",
        "platform-inferencex",
    ),
]
#: The shipped catalog is strict (warnings fail), and a defect that breaks its NIM overlays leaves
#: their waivers unused.
SHIPPED_ALLOWED = frozenset({"waiver-unused", "version-pin"})
#: What of the repository is the shipped catalog (its policy in pyproject.toml included).
SHIPPED_PARTS = ("overlays", "mixins", "components", "checks", "validators", "registry.yaml", "pyproject.toml")


def _applies(mutation: Mutation, root: Path) -> bool:
    if mutation.old is None:
        return True
    target = root / mutation.file
    return target.is_file() and mutation.old in target.read_text()


#: The shipped catalog is written for aicr 1.0 (pinned in pyproject.toml), which gates every header
#: before decoding: a file added to it is spelled `aicr.run/v1beta1`, and a wrong or missing kind, or
#: a stray alpha header, is the gate's load error (the file is dropped, so what needs it breaks too).
_NEW_FILES_1_0 = ("duplicate-criteria", "duplicate-name", "leaf-without-dimension", "intermediate-without-dimension")
SHIPPED_ONLY += [
    replace(m, new=m.new.replace("aicr.run/v1alpha2", "aicr.run/v1beta1")) for m in MUTATIONS if m.id in _NEW_FILES_1_0
]
SHIPPED_ONLY += [
    _m("registry-kind", REGISTRY, "kind: ComponentRegistry", "kind: ComponentRegistryX", "load-error", "kind:"),
    _m("kind-missing", EKS, "kind: RecipeMetadata\n", "", "load-error", "apiVersion:", allowed=BROKEN_EKS),
    _m(
        "api-version",
        EKS,
        "apiVersion: aicr.run/v1beta1",
        "apiVersion: aicr.run/v1alpha2",
        "load-error",
        "apiVersion:",
        allowed=BROKEN_EKS,
    ),
]


def _cases() -> list[Any]:
    shipped_ids = {mutation.id for mutation in SHIPPED_ONLY}
    shipped = [m for m in MUTATIONS if m.id not in shipped_ids and _applies(m, REPO)] + SHIPPED_ONLY
    return [pytest.param("shipped", m, id=f"shipped-{m.id}") for m in shipped] + [
        pytest.param("upstream", m, id=f"upstream-{m.id}", marks=needs_shared) for m in MUTATIONS
    ]


@pytest.fixture(name="pristines", scope="module")
def _pristines(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """One read-only-never-written copy per source catalog, made once; mutations hard-link to it."""
    copies: dict[str, Path] = {}
    shipped = tmp_path_factory.mktemp("shipped") / "recipes"
    for part in SHIPPED_PARTS:
        source = REPO / part
        if source.is_dir():
            shutil.copytree(source, shipped / part)
        else:
            shutil.copyfile(source, shipped / part)
    copies["shipped"] = shipped
    if HAVE_UPSTREAM:
        target = tmp_path_factory.mktemp("upstream") / "recipes"
        shutil.copytree(UPSTREAM_RECIPES, target)
        for path in target.rglob("*"):
            path.chmod(0o755 if path.is_dir() else 0o644)
        copies["upstream"] = target
    return copies


def test_mutations_cover_every_kind_of_rule() -> None:
    """The suite has at least 40 mutations, one per rule family at least, on both catalogs."""
    assert len(MUTATIONS) >= 40
    assert len({mutation.id for mutation in MUTATIONS}) == len(MUTATIONS)
    shipped = {case.id for case in _cases() if case.id is not None and case.id.startswith("shipped-")}
    assert len(shipped) >= 40
    assert {mutation.rule for mutation in MUTATIONS} <= {
        mutation.rule for mutation in (*MUTATIONS, *SHIPPED_ONLY) if f"shipped-{mutation.id}" in shipped
    } | {"load-error"}


@pytest.mark.parametrize(("source", "mutation"), _cases())
def test_mutation_is_caught_at_its_line(
    source: str, mutation: Mutation, pristines: dict[str, Path], tmp_path: Path
) -> None:
    """The defect yields the expected rule at the expected file and line, and no unrelated error."""
    root = tmp_path / "recipes"
    # Hard links share the pristine copy's bytes; the one mutated file is replaced, never written through.
    shutil.copytree(pristines[source], root, copy_function=os.link)
    target = root / mutation.file
    if mutation.old is None:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.unlink(missing_ok=True)
        target.write_text(mutation.new)
    else:
        text = target.read_text()
        assert mutation.old in text, f"{mutation.id}: catalog text changed"
        target.unlink()
        target.write_text(text.replace(mutation.old, mutation.new, 1))
    expect = root / (mutation.expect_file or mutation.file)
    lines = expect.read_text().splitlines()
    line = [number for number, text in enumerate(lines, start=1) if mutation.marker in text][mutation.nth - 1]
    report = check(root)
    hits = [
        f
        for f in report.findings
        if f.rule == mutation.rule and f.file.endswith("/" + (mutation.expect_file or mutation.file))
    ]
    assert any(f.line == line for f in hits), (
        f"{mutation.rule} not at line {line}: {[f'{f.position} {f.rule}' for f in hits]}"
    )
    unrelated = [
        f"{f.position} {f.rule}"
        for f in report.findings
        if f.severity is Severity.ERROR
        and f.rule not in {mutation.rule, *mutation.allowed, *(SHIPPED_ALLOWED if source == "shipped" else ())}
    ]
    assert unrelated == []


def test_each_referenced_path_is_judged_once_per_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """The rules that ask whether a path is safe share one answer per path (it resolves symlinks)."""
    from l40_recipes._rules import references  # noqa: PLC0415

    asked: list[str] = []
    judge = references.path_problem

    def counting(catalog: Any, relative: str) -> str | None:
        asked.append(relative)
        return judge(catalog, relative)

    monkeypatch.setattr(references, "path_problem", counting)
    check(REPO)
    assert asked
    assert len(asked) == len(set(asked))
