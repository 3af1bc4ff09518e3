"""Shared fixtures: the upstream reference data (L40_RECIPES_UPSTREAM), read in place, and tiny catalogs in tmp_path."""

from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest
from hypothesis import settings

from l40_recipes import Catalog, load_catalog

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
#: The upstream reference data (catalogs at two commits, goldens, upstream test data) is not ours to
#: ship, so the parity tests read it from outside the repository: `L40_RECIPES_UPSTREAM=DIR`, by
#: default `../shared/upstream-aicr` beside the repository.
UPSTREAM_ROOT = Path(os.environ.get("L40_RECIPES_UPSTREAM") or SHARED / "upstream-aicr")
UPSTREAM = UPSTREAM_ROOT / "9793720d"
UPSTREAM_RECIPES = UPSTREAM / "recipes"
LEGACY_RECIPES = UPSTREAM_ROOT / "v0.11.1" / "recipes"
HAVE_UPSTREAM = UPSTREAM_RECIPES.is_dir()
#: CI sets this: there the parity data must be present, and a parity test that would skip fails.
REQUIRE_UPSTREAM = os.environ.get("L40_RECIPES_REQUIRE_UPSTREAM", "") not in ("", "0")
UPSTREAM_HINT = (
    f"upstream parity data is absent ({UPSTREAM_ROOT}): "
    "set L40_RECIPES_UPSTREAM=DIR (default ../shared/upstream-aicr) to run the parity tests"
)

#: Marks a test that needs the upstream reference data (tests using the `upstream` fixture are
#: marked automatically).
needs_shared = pytest.mark.upstream


def require_upstream() -> None:
    """Skip (or, under L40_RECIPES_REQUIRE_UPSTREAM, fail) when the parity data is absent.

    Every parity skip is raised here, from one line with one reason, so `-ra` folds them into a
    single summary line.
    """
    if HAVE_UPSTREAM:
        return
    if REQUIRE_UPSTREAM:
        pytest.fail(f"L40_RECIPES_REQUIRE_UPSTREAM is set, yet the {UPSTREAM_HINT}", pytrace=False)
    pytest.skip(UPSTREAM_HINT)


# Property tests pin no budget: the suite runs under the quick `l40-recipes-dev` profile, which
# `--hypothesis-profile=NAME` (loaded by hypothesis's plugin after this file) replaces.
settings.load_profile("l40-recipes-dev")


def pytest_configure(config: pytest.Config) -> None:
    """Declare the `upstream` marker."""
    config.addinivalue_line("markers", "upstream: needs the upstream reference data (L40_RECIPES_UPSTREAM)")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that reads the upstream catalog through a fixture."""
    for item in items:
        if "upstream" in getattr(item, "fixturenames", ()):
            item.add_marker(needs_shared)


def pytest_runtest_setup(item: pytest.Item) -> None:
    """Parity tests skip, with one reason, when the reference data is absent."""
    if item.get_closest_marker("upstream") is not None:
        require_upstream()


def pytest_report_header() -> str:
    """Say up front whether the parity tests run."""
    if HAVE_UPSTREAM:
        return f"upstream parity data: {UPSTREAM_ROOT}"
    return UPSTREAM_HINT


@pytest.fixture(name="unmeasured")
def _unmeasured(monkeypatch: pytest.MonkeyPatch) -> None:
    """Processes the test starts are not measured by coverage (what they run is measured in-process).

    `coverage run` with `patch = ["subprocess"]` measures every child process through these
    variables; tracing a child that only repeats in-process work makes it several times slower.
    """
    for name in ("COVERAGE_PROCESS_START", "COVERAGE_PROCESS_CONFIG"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(name="upstream", scope="session")
def _upstream() -> Catalog:
    require_upstream()
    return load_catalog(UPSTREAM_RECIPES)


@pytest.fixture(name="shipped", scope="session")
def _shipped() -> Catalog:
    return load_catalog(REPO)


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


#: A registry entry no catalog has, for tests that add a component (a layer's, an export's).
ZZ_EXTRA_ENTRY = """\
  - name: zz-extra
    displayName: zz-extra
    valueOverrideKeys: [zzextra]
    helm:
      defaultRepository: https://example.com/charts
      defaultChart: example/zz-extra
      defaultVersion: 1.2.3
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
