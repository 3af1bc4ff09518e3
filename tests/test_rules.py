"""Mutation suite: single defects in a copy of upstream's catalog, each caught by its rule at its line."""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import pytest

from l40_recipes import Severity, check

from .conftest import UPSTREAM_RECIPES, require_upstream

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


@pytest.fixture(name="pristine", scope="module")
def _pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    require_upstream()
    target = tmp_path_factory.mktemp("upstream") / "recipes"
    shutil.copytree(UPSTREAM_RECIPES, target)
    for path in target.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    return target


def test_mutations_cover_every_kind_of_rule() -> None:
    """The suite has at least 40 mutations, one per rule family at least."""
    assert len(MUTATIONS) >= 40
    assert len({mutation.id for mutation in MUTATIONS}) == len(MUTATIONS)


@pytest.mark.parametrize("mutation", MUTATIONS, ids=[mutation.id for mutation in MUTATIONS])
def test_mutation_is_caught_at_its_line(mutation: Mutation, pristine: Path, tmp_path: Path) -> None:
    """The defect yields the expected rule at the expected file and line, and no unrelated error."""
    root = tmp_path / "recipes"
    shutil.copytree(pristine, root)
    target = root / mutation.file
    if mutation.old is None:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(mutation.new)
    else:
        text = target.read_text()
        assert mutation.old in text, f"{mutation.id}: upstream text changed"
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
        if f.severity is Severity.ERROR and f.rule not in {mutation.rule, *mutation.allowed}
    ]
    assert unrelated == []
