"""Shared fixtures: the upstream catalogs under ../shared, read in place, and tiny catalogs in tmp_path."""

from __future__ import annotations

import shutil
import textwrap
from pathlib import Path

import pytest

from l40_recipes import Catalog, load_catalog

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
UPSTREAM = SHARED / "upstream-aicr" / "9793720d"
UPSTREAM_RECIPES = UPSTREAM / "recipes"
LEGACY_RECIPES = SHARED / "upstream-aicr" / "v0.11.1" / "recipes"

needs_shared = pytest.mark.skipif(
    not UPSTREAM_RECIPES.is_dir(),
    reason="../shared/upstream-aicr is absent: upstream parity tests need the upstream catalogs beside the repo",
)


@pytest.fixture(name="upstream", scope="session")
def _upstream() -> Catalog:
    if not UPSTREAM_RECIPES.is_dir():
        pytest.skip("../shared/upstream-aicr/9793720d is absent")
    return load_catalog(UPSTREAM_RECIPES)


@pytest.fixture(name="shipped", scope="session")
def _shipped() -> Catalog:
    return load_catalog(REPO)


@pytest.fixture(name="upstream_copy")
def _upstream_copy(tmp_path: Path) -> Path:
    """A writable copy of the upstream catalog, for mutation tests."""
    if not UPSTREAM_RECIPES.is_dir():
        pytest.skip("../shared/upstream-aicr/9793720d is absent")
    target = tmp_path / "recipes"
    shutil.copytree(UPSTREAM_RECIPES, target)
    for path in target.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    return target


MINIMAL_REGISTRY = """\
apiVersion: aicr.run/v1alpha2
kind: ComponentRegistry
components:
  - name: gpu-operator
    displayName: GPU Operator
    valueOverrideKeys: [gpuoperator]
    helm:
      defaultRepository: https://helm.ngc.nvidia.com/nvidia
      defaultChart: nvidia/gpu-operator
      defaultVersion: v26.3.3
      defaultNamespace: gpu-operator
    healthCheck:
      assertFile: checks/gpu-operator/health-check.yaml
  - name: cert-manager
    displayName: cert-manager
    valueOverrideKeys: [certmanager]
    helm:
      defaultRepository: https://charts.jetstack.io
      defaultChart: jetstack/cert-manager
      defaultVersion: v1.20.2
      defaultNamespace: cert-manager
    healthCheck:
      assertFile: checks/cert-manager/health-check.yaml
"""

MINIMAL_BASE = """\
kind: RecipeMetadata
apiVersion: aicr.run/v1alpha2
metadata:
  name: base
spec:
  constraints:
    - value: ">= 1.25"
      name: K8s.server.version
  componentRefs:
    - name: cert-manager
      type: Helm
    - name: gpu-operator
      type: Helm
      dependencyRefs: [cert-manager]
"""


def write_catalog(
    root: Path,
    overlays: dict[str, str],
    *,
    base: str = MINIMAL_BASE,
    registry: str | None = MINIMAL_REGISTRY,
    extra: dict[str, str] | None = None,
) -> Path:
    """Write a small catalog under *root*; *overlays* maps file stems to YAML text."""
    (root / "overlays").mkdir(parents=True, exist_ok=True)
    (root / "overlays" / "base.yaml").write_text(textwrap.dedent(base))
    for stem, text in overlays.items():
        (root / "overlays" / f"{stem}.yaml").write_text(textwrap.dedent(text))
    if registry is not None:
        (root / "registry.yaml").write_text(registry)
    for component in ("gpu-operator", "cert-manager"):
        (root / "checks" / component).mkdir(parents=True, exist_ok=True)
        (root / "checks" / component / "health-check.yaml").write_text("kind: Test\n")
    for relative, text in (extra or {}).items():
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def overlay(
    name: str, *, base: str = "", criteria: str = "", body: str = "", api_version: str = "aicr.run/v1alpha2"
) -> str:
    """YAML text of an overlay."""
    lines = [
        "kind: RecipeMetadata",
        f"apiVersion: {api_version}",
        "metadata:",
        f"  name: {name}",
        "spec:",
    ]
    if base:
        lines.append(f"  base: {base}")
    if criteria:
        lines.append("  criteria:")
        lines.extend(f"    {part.strip()}" for part in criteria.split(","))
    if body:
        lines.extend("  " + line for line in textwrap.dedent(body).splitlines())
    return "\n".join(lines) + "\n"
