"""`export-layer`: the shipped overlays upstream lacks, as an `aicr --data` layer, and what it resolves to."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from l40_recipes import RecipeError, load_catalog, resolve
from l40_recipes._cli import main
from l40_recipes._export import export_layer, plan_layer
from l40_recipes._listing import supported_queries

from .conftest import MINIMAL_REGISTRY, UPSTREAM_RECIPES, ZZ_EXTRA_ENTRY, overlay, write_catalog

if TYPE_CHECKING:
    from l40_recipes import Catalog, RecipeResult

HERE = Path(__file__).parent

#: Every difference between the standalone shipped catalog and the layer over upstream 9793720d, for all
#: 12 supported queries. Each comes from a file upstream ships and the layer leaves alone (the shipped
#: catalog mirrors aicr 1.0 there): the registry's gpu-operator default, the Gateway API and inference
#: CRDs installed from their publishers instead of agentgateway-crds' bundled manifests (hence the
#: deployment order), and the OKE Kubernetes floor of l40s-oke-inference.
COMMON_DIFFERENCES = {
    "agentgateway-crds.dependency_refs: ['gateway-api-crds', 'inference-extension-crds'] vs []",
    "agentgateway-crds.manifest_files: [] vs ['components/agentgateway-crds/manifests/gateway-api-crds.yaml', "
    "'components/agentgateway-crds/manifests/inference-extension-crds.yaml']",
    "gpu-operator.version: 'v26.7.0' vs 'v26.3.3'",
    "only standalone: gateway-api-crds",
    "only standalone: inference-extension-crds",
    "deployment order",
}
OKE_DIFFERENCES = {"constraint K8s.server.version: '>= 1.32' vs '>= 1.30'"}


def differences(standalone: RecipeResult, layered: RecipeResult) -> set[str]:
    """What differs in components, versions, sourcing, deployment order, constraints and validation."""
    out: set[str] = set()
    names = [ref.name for ref in standalone.component_refs]
    others = {ref.name: ref for ref in layered.component_refs}
    out.update(f"only standalone: {name}" for name in names if name not in others)
    out.update(f"only layered: {name}" for name in others if name not in names)
    fields = ("version", "type", "source", "namespace", "chart", "values_file", "overrides", "manifest_files")
    for ref in standalone.component_refs:
        other = others.get(ref.name)
        for field in fields if other is not None else ():
            if getattr(ref, field) != getattr(other, field):
                out.add(f"{ref.name}.{field}: {getattr(ref, field)!r} vs {getattr(other, field)!r}")
        if other is not None and ref.dependency_refs != other.dependency_refs:
            out.add(f"{ref.name}.dependency_refs: {ref.dependency_refs!r} vs {other.dependency_refs!r}")
    common = set(names) & set(others)
    if [n for n in standalone.deployment_order if n in common] != [n for n in layered.deployment_order if n in common]:
        out.add("deployment order")
    mine = {c.name: c.value for c in standalone.constraints}
    theirs = {c.name: c.value for c in layered.constraints}
    for name in sorted(set(mine) | set(theirs)):
        if mine.get(name) != theirs.get(name):
            out.add(f"constraint {name}: {mine.get(name)!r} vs {theirs.get(name)!r}")
    if json.loads(standalone.to_json()).get("validation") != json.loads(layered.to_json()).get("validation"):
        out.add("validation")
    if standalone.metadata.applied_overlays != layered.metadata.applied_overlays:
        out.add("applied overlays")
    return out


def test_plan_over_upstream(shipped: Catalog, upstream: Catalog) -> None:
    """Over 9793720d: the EKS family, the OKE Ubuntu leaves and l40-any (9793720d predates it), nothing else."""
    plan = plan_layer(shipped, upstream)
    names = {Path(path).stem for path in plan.overlays}
    assert names == {name for name in shipped.overlays if name not in upstream.overlays}
    assert {"l40s-eks-ubuntu-inference-nim", "l40-oke-ubuntu-inference", "l40s-oke-ubuntu-inference"} <= names
    assert "l40-any" in names
    assert not names & {"l40s-any", "l40s-oke-inference", "eks", "base", "monitoring-hpa"}
    assert (plan.mixins, plan.components, plan.files) == ((), (), ())


@pytest.fixture(name="layer", scope="module")
def _layer(tmp_path_factory: pytest.TempPathFactory, shipped: Catalog, upstream: Catalog) -> Path:
    target = tmp_path_factory.mktemp("export") / "layer"
    written = export_layer(target, catalog=shipped, over=upstream)
    assert written == sorted(written)
    assert "registry.yaml" in written
    return target


def test_layer_headers_follow_the_target(layer: Path) -> None:
    """Over 9793720d (read as 0.20) the layer says v1alpha2; only the header line changed."""
    text = (layer / "overlays" / "l40s-eks-inference.yaml").read_text()
    assert "apiVersion: aicr.run/v1alpha2\n" in text
    shipped = (HERE.parent / "overlays" / "l40s-eks-inference.yaml").read_text()
    assert text == shipped.replace("apiVersion: aicr.run/v1beta1\n", "apiVersion: aicr.run/v1alpha2\n")
    registry = (layer / "registry.yaml").read_text()
    assert "apiVersion: aicr.run/v1alpha2\nkind: ComponentRegistry\ncomponents: []\n" in registry


def test_every_supported_query_through_the_layer(layer: Path, shipped: Catalog) -> None:
    """All 12 supported queries resolve through the layer over upstream; only the documented differences."""
    layered = load_catalog(UPSTREAM_RECIPES, data=layer)
    queries = supported_queries(shipped)
    assert len(queries) == 12
    for listed in queries:
        query = dict(listed.query)
        found = differences(resolve(query, catalog=shipped), resolve(query, catalog=layered))
        expected = COMMON_DIFFERENCES | (OKE_DIFFERENCES if query["service"] == "oke" else set())
        assert found == expected, query


def test_layer_resolves_as_aicr_did(layer: Path) -> None:
    """`aicr recipe --data LAYER` (9793720d, recorded) and this project's layering give the same recipes."""
    recorded = json.loads((HERE / "export_layer_aicr.json").read_text())["results"]
    assert len(recorded) == 12
    layered = load_catalog(UPSTREAM_RECIPES, data=layer)
    for entry in recorded:
        recipe = resolve(entry["query"], catalog=layered)
        assert recipe.metadata.applied_overlays == entry["appliedOverlays"]
        assert [f"{ref.name}@{ref.version}" for ref in recipe.component_refs] == entry["components"]
        assert recipe.deployment_order == entry["deploymentOrder"]


def test_refuses_to_overwrite_or_write_inside_a_catalog(tmp_path: Path) -> None:
    source = write_catalog(tmp_path / "src", {"x": overlay("x", criteria="service: eks")})
    over = write_catalog(tmp_path / "over", {})
    catalog, target = load_catalog(source), load_catalog(over)
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "keep.txt").write_text("mine")
    (tmp_path / "file").write_text("x")
    for where, reason in (
        (busy, "not an empty directory"),
        (tmp_path / "file", "not an empty directory"),
        (source / "layer", "inside the catalog"),
        (over, "not an empty directory"),
        (over / "sub" / "layer", "inside the catalog"),
    ):
        with pytest.raises(RecipeError, match=reason):
            export_layer(where, catalog=catalog, over=target)
    assert (busy / "keep.txt").read_text() == "mine"
    assert not (source / "layer").exists()
    (tmp_path / "empty").mkdir()
    assert export_layer(tmp_path / "empty", catalog=catalog, over=target) == ["overlays/x.yaml", "registry.yaml"]


EXTRA_REGISTRY = (
    MINIMAL_REGISTRY + ZZ_EXTRA_ENTRY + "    healthCheck:\n      assertFile: checks/zz-extra/health-check.yaml\n"
)


def test_new_components_mixins_and_files_travel_with_the_layer(tmp_path: Path) -> None:
    """Entries, mixins and files the target lacks are exported; everything the target has stays out."""
    mixin = (
        "kind: RecipeMixin\napiVersion: aicr.run/v1alpha2\nmetadata:\n  name: extra-mixin\nspec:\n  constraints: []\n"
    )
    leaf = overlay(
        "eks-extra",
        criteria="service: eks, intent: training",
        body="""\
        mixins: [extra-mixin]
        componentRefs:
          - name: zz-extra
            type: Helm
            valuesFile: components/zz-extra/values.yaml
          - name: gpu-operator
            type: Helm
            valuesFile: components/gpu-operator/values.yaml
        """,
    )
    source = write_catalog(
        tmp_path / "src",
        {"eks-extra": leaf, "shared": overlay("shared", criteria="service: oke")},
        registry=EXTRA_REGISTRY,
        extra={
            "mixins/extra-mixin.yaml": mixin,
            "components/zz-extra/values.yaml": "a: 1\n",
            "components/gpu-operator/values.yaml": "b: 2\n",
            "checks/zz-extra/health-check.yaml": "kind: Test\n",
        },
    )
    over = write_catalog(
        tmp_path / "over",
        {"shared": overlay("shared", criteria="service: oke")},
        extra={"components/gpu-operator/values.yaml": "theirs: 1\n"},
    )
    catalog, target = load_catalog(source), load_catalog(over)
    plan = plan_layer(catalog, target)
    assert plan.overlays == ("overlays/eks-extra.yaml",)
    assert plan.mixins == ("mixins/extra-mixin.yaml",)
    assert plan.components == ("zz-extra",)
    assert plan.files == ("checks/zz-extra/health-check.yaml", "components/zz-extra/values.yaml")
    layer = tmp_path / "layer"
    export_layer(layer, catalog=catalog, over=target, aicr_version="1.0")
    assert "apiVersion: aicr.run/v1beta1\n" in (layer / "overlays" / "eks-extra.yaml").read_text()
    assert "apiVersion: aicr.run/v1beta1\n" in (layer / "mixins" / "extra-mixin.yaml").read_text()
    export_layer(tmp_path / "layer020", catalog=catalog, over=target)
    recipe = resolve(catalog=over, data=tmp_path / "layer020", service="eks", intent="training")
    assert {ref.name: ref.version for ref in recipe.component_refs}["zz-extra"] == "1.2.3"
    assert "kind: Test" in next(ref for ref in recipe.component_refs if ref.name == "zz-extra").health_check_asserts


def test_plan_needs_registries(tmp_path: Path) -> None:
    source = load_catalog(write_catalog(tmp_path / "src", {}))
    broken = dataclasses.replace(load_catalog(write_catalog(tmp_path / "src", {})), registry=None)
    with pytest.raises(RecipeError, match="registry"):
        plan_layer(source, broken)


def test_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`l40-recipes export-layer DIR --over CATALOG`: the files on stdout; a refusal exits 2."""
    source = write_catalog(tmp_path / "src", {"x": overlay("x", criteria="service: eks")})
    over = write_catalog(tmp_path / "over", {})
    target = tmp_path / "layer"
    assert main(["export-layer", str(target), "--over", str(over), "--catalog", str(source)]) == 0
    captured = capsys.readouterr()
    assert captured.out.splitlines() == [f"{target}/overlays/x.yaml", f"{target}/registry.yaml"]
    assert "wrote 2 file(s)" in captured.err
    assert main(["export-layer", str(target), "--over", str(over), "--catalog", str(source)]) == 2
    assert "refusing to write the layer" in capsys.readouterr().err


def test_write_failure_is_reported(tmp_path: Path) -> None:
    """A DIR that cannot be created (under a file) is an INTERNAL error, not a traceback."""
    catalog = load_catalog(write_catalog(tmp_path / "src", {"x": overlay("x", criteria="service: eks")}))
    over = load_catalog(write_catalog(tmp_path / "over", {}))
    (tmp_path / "file").write_text("x")
    with pytest.raises(RecipeError, match="failed to write the layer") as caught:
        export_layer(tmp_path / "file" / "layer", catalog=catalog, over=over)
    assert caught.value.exit_code == 8


def test_vanished_source_file_is_reported(tmp_path: Path) -> None:
    """A planned file removed before it is copied is an INTERNAL error naming it."""
    source = write_catalog(tmp_path / "src", {"x": overlay("x", criteria="service: eks")})
    catalog = load_catalog(source)
    over = load_catalog(write_catalog(tmp_path / "over", {}))
    (source / "overlays" / "x.yaml").unlink()
    with pytest.raises(RecipeError, match=r"failed to read .*overlays/x\.yaml"):
        export_layer(tmp_path / "layer", catalog=catalog, over=over)
    assert not (tmp_path / "layer").exists()
