"""The shipped L40/L40S catalog: every supported query, pinned by a snapshot file."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from l40_recipes import Catalog, CoverageError, RecipeResult, evaluate_constraint, load_catalog, resolve
from l40_recipes._models import DIMENSIONS, is_wild

from .conftest import REPO

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = os.environ.get("L40_RECIPES_UPDATE_SNAPSHOTS") == "1"


def _queries() -> dict[str, dict[str, str]]:
    """One query per overlay bound to a service: its own criteria."""
    catalog = load_catalog(REPO)
    queries: dict[str, dict[str, str]] = {}
    for name, item in sorted(catalog.overlays.items()):
        criteria = item.criteria
        if criteria is None or is_wild(criteria.service):
            continue
        queries[name] = {d: getattr(criteria, d) for d in DIMENSIONS if not is_wild(getattr(criteria, d))}
    return queries


QUERIES = _queries()


def test_every_snapshot_belongs_to_a_supported_query() -> None:
    """No stale snapshot files: each one is a supported query of the catalog."""
    assert {path.stem for path in SNAPSHOTS.glob("*.json")} == set(QUERIES)


@pytest.mark.parametrize("name", sorted(QUERIES))
def test_snapshot(name: str, shipped: Catalog) -> None:
    """The resolved recipe equals its snapshot; a change is a deliberate diff (L40_RECIPES_UPDATE_SNAPSHOTS=1)."""
    document = resolve(catalog=shipped, version="snapshot", **QUERIES[name]).to_dict()
    path = SNAPSHOTS / f"{name}.json"
    if UPDATE:
        path.write_text(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    assert path.is_file(), f"no snapshot for {name}: run with L40_RECIPES_UPDATE_SNAPSHOTS=1 and review the diff"
    assert json.loads(path.read_text()) == document


def _accelerator_leaves() -> list[str]:
    return [name for name, query in QUERIES.items() if "accelerator" in query]


@pytest.mark.parametrize("name", _accelerator_leaves())
def test_accelerator_leaves_carry_the_floor_and_satisfy_it(name: str, shipped: Catalog) -> None:
    """Every L40/L40S leaf has the deployment floor, and the gpu-operator it deploys meets it."""
    result = resolve(catalog=shipped, **QUERIES[name])
    assert result.validation is not None
    deployment = result.validation.deployment
    assert deployment is not None
    assert "gpu-operator-version" in (deployment.checks or [])
    floor = next(c for c in deployment.constraints or [] if c.name == "Deployment.gpu-operator.version")
    assert floor.value == ">= v24.6.0"
    gpu_operator = result.component("gpu-operator")
    assert gpu_operator is not None
    assert evaluate_constraint(floor.value, gpu_operator.version)
    assert result.validation.conformance is not None


@pytest.mark.parametrize(
    ("platform", "components"),
    [("dynamo", {"dynamo-platform", "grove", "kai-scheduler"}), ("nim", {"k8s-nim-operator"})],
)
@pytest.mark.parametrize("accelerator", ["l40", "l40s"])
def test_platform_components(platform: str, components: set[str], accelerator: str) -> None:
    """Dynamo and NIM leaves deploy their platform; resolve() uses the shipped catalog by default."""
    result = resolve(service="eks", accelerator=accelerator, intent="inference", os="ubuntu", platform=platform)
    assert components <= set(result.deployment_order)
    assert {"agentgateway", "gpu-operator"} <= set(result.deployment_order)


def test_dynamo_performance_gates_ttft_only(shipped: Catalog) -> None:
    """The dynamo leaf gates TTFT, not upstream's 50k tok/s throughput floor."""
    result = resolve(
        service="eks", accelerator="l40s", intent="inference", os="ubuntu", platform="dynamo", catalog=shipped
    )
    assert result.validation is not None
    performance = result.validation.performance
    assert performance is not None
    names = {c.name: c.value for c in performance.constraints or []}
    assert names["inference-ttft-p99"] == "<= 2000"
    assert "inference-throughput" not in names
    nim = resolve(service="eks", accelerator="l40s", intent="inference", os="ubuntu", platform="nim", catalog=shipped)
    assert nim.validation is not None
    assert nim.validation.performance is None


def _strip(result: RecipeResult) -> dict[str, object]:
    document = result.to_dict()
    document.pop("criteria")
    document["metadata"] = {}
    return document


@pytest.mark.parametrize("name", sorted(name for name in QUERIES if name.startswith("l40s-")))
def test_l40_and_l40s_spellings_give_the_same_recipe(name: str, shipped: Catalog) -> None:
    """`--accelerator l40` and `--accelerator l40s` differ only in criteria and applied overlays."""
    l40s = resolve(catalog=shipped, **QUERIES[name])
    l40 = resolve(catalog=shipped, **{**QUERIES[name], "accelerator": "l40"})
    assert _strip(l40) == _strip(l40s)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ({"service": "gke", "accelerator": "l40s", "intent": "inference"}, "no recipe provides service 'gke'"),
        ({"service": "aks", "accelerator": "l40", "intent": "inference"}, "no recipe provides service 'aks'"),
        ({"service": "eks", "accelerator": "l40s", "intent": "training"}, "no recipe provides intent 'training'"),
        ({"service": "oke", "accelerator": "l40s", "intent": "inference"}, "requires os (valid: ol, ubuntu)"),
    ],
)
def test_not_shipped_queries_fail_with_upstream_coverage_errors(query: dict[str, str], message: str) -> None:
    """GKE, AKS and training are not shipped; OKE needs an os; each says so as upstream would."""
    with pytest.raises(CoverageError, match=message.replace("(", r"\(").replace(")", r"\)")) as caught:
        resolve(**query)
    assert caught.value.exit_code == 2
