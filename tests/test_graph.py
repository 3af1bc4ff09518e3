"""The graph of a query names every applied overlay and component, with exactly the recipe's dependency edges.

Checked for every supported query of the shipped catalog and every golden query of upstream's, on
the model and on both renderings, each parsed by the syntax checks in `graph_syntax`.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from l40_recipes import Catalog, load_catalog, resolve
from l40_recipes._cli import main
from l40_recipes._criteria import build_query
from l40_recipes._graph import FAILURE_GRAPHS, failure_graphs, forest_graph, query_graph
from l40_recipes._listing import supported_queries
from l40_recipes._loading import load_catalog_for_check
from l40_recipes._render_graph import node_id, to_dot, to_mermaid
from l40_recipes._report import Finding, Severity

from .conftest import REPO, needs_shared, overlay, write_catalog
from .graph_syntax import dot_label_lines, parse_dot, parse_mermaid

if TYPE_CHECKING:
    from l40_recipes._result import RecipeResult

UPSTREAM_ROOT = Path(os.environ.get("L40_RECIPES_UPSTREAM", REPO.parent / "shared" / "upstream-aicr"))
GOLDENS = UPSTREAM_ROOT / "9793720d" / "goldens"
RECIPES = UPSTREAM_ROOT / "9793720d" / "recipes"
SHIPPED = load_catalog(REPO)


def _shipped_params() -> list[Any]:
    return [pytest.param(dict(row.query), id=row.overlay) for row in supported_queries(SHIPPED)]


def _golden_params() -> list[Any]:
    goldens = sorted(GOLDENS.glob("leaf__*.json")) if GOLDENS.is_dir() else []
    if not goldens:
        return [pytest.param(None, marks=needs_shared)]
    return [pytest.param(path, id=path.stem.removeprefix("leaf__")) for path in goldens]


def _check_graph(catalog: Catalog, query: dict[str, Any], result: RecipeResult) -> None:
    """The model and both renderings agree with *result*."""
    graph = query_graph(catalog, build_query(query, known=catalog.known_values))
    applied = result.metadata.applied_overlays
    dependencies = {(dependency, ref.name) for ref in result.component_refs for dependency in ref.dependency_refs}
    components = {ref.name for ref in result.component_refs}
    assert graph.error == ""
    assert [node.name for node in graph.overlays] == applied
    assert {node.name for node in graph.components} == components
    assert set(graph.dependencies) == dependencies
    assert len(graph.dependencies) == len(dependencies)
    enabled = [node.name for node in graph.components if node.enabled]
    assert enabled[: len(result.deployment_order)] == result.deployment_order
    leaves = [node.name for node in graph.overlays if node.role == "leaf"]
    assert len(leaves) == 1
    assert leaves[0] in applied

    mermaid = parse_mermaid(to_mermaid(graph))
    names = {identifier: lines[0] for identifier, lines in mermaid.nodes.items()}
    assert set(mermaid.subgraphs["overlays"]) == {node_id("R", name) for name in applied}
    assert [names[identifier] for identifier in mermaid.subgraphs["overlays"]] == applied
    assert {names[identifier] for identifier in mermaid.subgraphs["components"]} == components
    drawn = {(names[a], names[b]) for a, _, _, b in mermaid.edges if a.startswith("C") and b.startswith("C")}
    assert drawn == dependencies
    for ref in result.component_refs:
        label = mermaid.nodes[node_id("C", ref.name)]
        assert label[1] == (ref.version or ref.tag or "(no version)")
    assert mermaid.classes["leaf"] == [node_id("R", leaves[0])]

    dot = parse_dot(to_dot(graph))
    dot_names = {identifier: dot_label_lines(attributes["label"])[0] for identifier, attributes in dot.nodes.items()}
    assert [dot_names[identifier] for identifier in dot.clusters["cluster_overlays"]] == applied
    assert {dot_names[identifier] for identifier in dot.clusters["cluster_components"]} == components
    dot_edges = {(dot_names[a], dot_names[b]) for a, b, _ in dot.edges if a.startswith("C") and b.startswith("C")}
    assert dot_edges == dependencies


@pytest.mark.parametrize("query", _shipped_params())
def test_shipped_query_graph(query: dict[str, Any]) -> None:
    """Every supported query of the shipped catalog draws its recipe."""
    _check_graph(SHIPPED, query, resolve(query, catalog=SHIPPED))


def test_shipped_catalog_has_supported_queries() -> None:
    """The parametrization above cannot pass by being empty."""
    assert len(_shipped_params()) == 12


@pytest.mark.parametrize("golden", _golden_params())
def test_upstream_golden_graph(golden: Path, upstream: Catalog) -> None:
    """Every upstream golden query draws its recipe, or the error upstream reports, with the overlays it reached."""
    record = json.loads(golden.read_text())
    query = record["query"]
    if not query:  # no criteria at all: the command refuses before drawing, as `resolve` does
        assert main(["graph", "--catalog", str(RECIPES)]) == record["exit_code"]
        return
    if record["exit_code"] != 0:
        graph = query_graph(upstream, build_query(query, known=upstream.known_values))
        assert graph.exit_code == record["exit_code"]
        assert f"error={graph.error} exitCode=" in record["stderr_plain"]
        parse_mermaid(to_mermaid(graph))
        parse_dot(to_dot(graph))
        return
    result = resolve(query, catalog=upstream, version="dev")
    assert result.metadata.applied_overlays == json.loads(record["stdout"])["metadata"]["appliedOverlays"]
    _check_graph(upstream, query, result)


def test_component_labels_name_the_overlay_that_set_the_version(tmp_path: Path) -> None:
    """A version an overlay sets is attributed to it; one from the registry to the registry."""
    root = write_catalog(
        tmp_path,
        {
            "leaf": overlay(
                "leaf",
                criteria="service: eks",
                body="componentRefs:\n  - name: gpu-operator\n    type: Helm\n    version: v25.10.0\n",
            )
        },
    )
    catalog = load_catalog(root)
    graph = query_graph(catalog, build_query({"service": "eks"}))
    by_name = {node.name: node for node in graph.components}
    assert (by_name["gpu-operator"].version, by_name["gpu-operator"].set_by) == ("v25.10.0", "leaf")
    assert (by_name["cert-manager"].version, by_name["cert-manager"].set_by) == ("v1.20.2", "registry")


def test_candidates_are_marked_and_the_most_specific_is_the_leaf(tmp_path: Path) -> None:
    """Two maximal leaves: the more specific one is the leaf, the other a candidate; ancestors are plain."""
    root = write_catalog(
        tmp_path,
        {
            "shared": overlay("shared", criteria="service: eks"),
            "a": overlay("a", base="shared", criteria="service: eks, intent: inference"),
            "b": overlay("b", base="shared", criteria="service: eks, accelerator: h100, intent: inference"),
        },
    )
    graph = query_graph(
        load_catalog(root), build_query({"service": "eks", "accelerator": "h100", "intent": "inference"})
    )
    roles = {node.name: node.role for node in graph.overlays}
    assert roles == {"base": "base", "shared": "applied", "a": "candidate", "b": "leaf"}
    assert set(graph.bases) == {("base", "shared"), ("shared", "a"), ("shared", "b")}


def test_a_broken_chain_is_drawn_up_to_the_missing_parent(tmp_path: Path) -> None:
    """A `spec.base` naming no overlay: the chain is drawn, the missing parent marked, the error attached."""
    root = write_catalog(tmp_path, {"leaf": overlay("leaf", base="gone", criteria="service: eks")})
    graph = query_graph(load_catalog(root), build_query({"service": "eks"}))
    assert graph.exit_code == 3
    assert 'recipe "gone" not found' in graph.error
    assert [(node.name, node.role) for node in graph.overlays] == [
        ("base", "base"),
        ("leaf", "leaf"),
        ("gone", "missing"),
    ]
    assert ("gone", "leaf") in graph.bases
    assert graph.components == ()
    mermaid = parse_mermaid(to_mermaid(graph))
    assert mermaid.classes["missing"] == [node_id("R", "gone")]
    assert mermaid.nodes["ERROR"][0] == "does not resolve"
    dot = parse_dot(to_dot(graph))
    assert dot_label_lines(dot.nodes["ERROR"]["label"])[1] == graph.error


def test_a_failing_query_marks_no_wildcard_overlay_as_its_leaf(tmp_path: Path) -> None:
    """Coverage fails (no overlay states the accelerator): the best wildcard candidate is a candidate, not the leaf."""
    root = write_catalog(
        tmp_path,
        {
            "eks": overlay("eks", criteria="service: eks"),
            "eks-inference": overlay("eks-inference", base="eks", criteria="service: eks, intent: inference"),
        },
    )
    graph = query_graph(
        load_catalog(root), build_query({"service": "eks", "accelerator": "h100", "intent": "inference"})
    )
    assert graph.exit_code == 2
    roles = {node.name: node.role for node in graph.overlays}
    assert "leaf" not in roles.values()
    assert roles["eks-inference"] == "candidate"
    assert "leaf" not in parse_mermaid(to_mermaid(graph)).classes
    # the same overlays for a query they state: resolved, and the most specific is the leaf
    stated = query_graph(load_catalog(root), build_query({"service": "eks", "intent": "inference"}))
    assert {node.name: node.role for node in stated.overlays}["eks-inference"] == "leaf"


def test_a_cycle_is_drawn_once(tmp_path: Path) -> None:
    """A `spec.base` cycle ends the walk where a name repeats: each overlay once, both edges drawn."""
    root = write_catalog(
        tmp_path,
        {
            "leaf": overlay("leaf", base="a", criteria="service: eks"),
            "a": overlay("a", base="b"),
            "b": overlay("b", base="a"),
        },
    )
    catalog = load_catalog(root)
    graph = query_graph(catalog, build_query({"service": "eks"}))
    assert "circular inheritance" in graph.error
    assert [node.name for node in graph.overlays] == ["base", "b", "a", "leaf"]
    assert set(graph.bases) == {("b", "a"), ("a", "b"), ("a", "leaf")}
    parse_mermaid(to_mermaid(graph))
    forest = forest_graph(catalog)
    assert {node.name for node in forest.overlays} == {"base", "a", "b", "leaf"}
    parse_mermaid(to_mermaid(forest))
    parse_dot(to_dot(forest))


def test_mixins_are_drawn_from_the_overlays_naming_them(tmp_path: Path) -> None:
    """Mixins appear once each, with an edge from every overlay naming them; a missing one is marked."""
    root = write_catalog(
        tmp_path,
        {
            "parent": overlay("parent", criteria="service: eks", body="mixins: [extra, gone]"),
            "leaf": overlay("leaf", base="parent", criteria="service: eks, intent: inference", body="mixins: [extra]"),
        },
        extra={
            "mixins/extra.yaml": "kind: RecipeMixin\napiVersion: aicr.run/v1alpha2\nmetadata:\n  name: extra\nspec: {}\n"
        },
    )
    catalog = load_catalog(root)
    graph = query_graph(catalog, build_query({"service": "eks", "intent": "inference"}))
    assert [(node.name, node.path) for node in graph.mixins] == [("extra", "mixins/extra.yaml"), ("gone", "")]
    assert graph.mixin_edges == (("parent", "extra"), ("parent", "gone"), ("leaf", "extra"))
    mermaid = parse_mermaid(to_mermaid(graph))
    assert mermaid.classes["missing"] == [node_id("M", "gone")]
    assert ("R_leaf", "-.->", "mixin", "M_extra") in mermaid.edges


def test_forest_holds_every_overlay_and_base_edge(upstream: Catalog) -> None:
    """`graph --all`: every overlay of the catalog, roots first, every `spec.base` as an edge, parsed in both languages."""
    forest = forest_graph(upstream)
    names = [node.name for node in forest.overlays]
    assert sorted(names) == sorted(["base", *upstream.overlays])
    assert names[0] == "base"
    expected = {(item.base or "base", name) for name, item in upstream.overlays.items()}
    assert set(forest.bases) == expected
    position = {name: index for index, name in enumerate(names)}
    assert all(position[parent] < position[child] for parent, child in forest.bases)
    mermaid = parse_mermaid(to_mermaid(forest))
    assert len(mermaid.nodes) == len(names) + len(forest.mixins)
    dot = parse_dot(to_dot(forest))
    assert len([edge for edge in dot.edges if edge[2].get("label") != "mixin"]) == len(expected)


def test_forest_marks_missing_parents(tmp_path: Path) -> None:
    """A parent no overlay provides is one `missing` node, however many children name it."""
    root = write_catalog(
        tmp_path,
        {
            "a": overlay("a", base="gone", criteria="service: eks"),
            "b": overlay("b", base="gone", criteria="intent: inference"),
        },
    )
    forest = forest_graph(load_catalog(root))
    assert [node.name for node in forest.overlays if node.role == "missing"] == ["gone"]
    assert set(forest.bases) == {("gone", "a"), ("gone", "b")}


def test_profile_is_passed_through(upstream: Catalog) -> None:
    """A profile changes the recipe, and the graph is of that recipe."""
    query = build_query({"service": "aks", "accelerator": "h100", "intent": "training"}, known=upstream.known_values)
    result = resolve(query, catalog=upstream)
    selected = result.metadata.selected_profile
    assert selected is not None
    profiled = query_graph(upstream, query, profile=f"{selected.name}={selected.value}")
    assert profiled.error == ""
    assert {node.name for node in profiled.components} == {ref.name for ref in result.component_refs}


def test_same_input_same_output() -> None:
    """Determinism: a graph rendered twice from fresh loads is byte-identical."""
    query = {"service": "eks", "accelerator": "l40s", "intent": "inference", "os": "ubuntu", "platform": "dynamo"}
    first = query_graph(load_catalog(REPO), build_query(query))
    second = query_graph(load_catalog(REPO), build_query(query))
    assert to_mermaid(first) == to_mermaid(second)
    assert to_dot(first) == to_dot(second)


def test_a_catalog_without_base_yaml(tmp_path: Path) -> None:
    """No base.yaml (a catalog loaded for checking, as the plugin does): base is drawn as missing, with the error."""
    root = write_catalog(tmp_path, {"leaf": overlay("leaf", criteria="service: eks", body="mixins: [m]")})
    (root / "overlays" / "base.yaml").unlink()
    graph = query_graph(load_catalog_for_check(root), build_query({"service": "eks"}))
    assert [(node.name, node.role) for node in graph.overlays] == [("base", "missing"), ("leaf", "leaf")]
    assert graph.mixin_edges == (("leaf", "m"),)
    assert "base.yaml not found" in graph.error
    assert graph.exit_code == 8


def test_graph_command(capsys: pytest.CaptureFixture[str]) -> None:
    """`graph` prints Mermaid by default, DOT on request, the forest with --all."""
    dynamo = ["--service", "eks", "--accelerator", "l40s", "--intent", "inference", "--os", "ubuntu"]
    dynamo += ["--platform", "dynamo"]
    assert main(["graph", *dynamo]) == 0
    chart = parse_mermaid(capsys.readouterr().out)
    assert chart.classes["leaf"] == ["R_l40s_eks_ubuntu_inference_dynamo"]
    assert main(["graph", *dynamo, "--format", "dot"]) == 0
    assert "C_dynamo_platform" in parse_dot(capsys.readouterr().out).nodes
    assert main(["graph", "--all", "--catalog", str(REPO)]) == 0
    forest = parse_mermaid(capsys.readouterr().out)
    assert len(forest.subgraphs["overlays"]) == len(SHIPPED.overlays) + 1


def test_graph_command_failures(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """No criteria, an unknown value or an unreadable catalog fail as `resolve` does; a query that
    does not resolve is still drawn, then fails with upstream's error and status."""
    assert main(["graph"]) == 2
    assert "no criteria provided" in capsys.readouterr().err
    assert main(["graph", "--service", "nope"]) == 2
    capsys.readouterr()
    assert main(["graph", "--all", "--service", "eks"]) == 2
    assert "give either --all or criteria" in capsys.readouterr().err
    assert main(["graph", "--service", "gke", "--accelerator", "l40s", "--intent", "inference"]) == 2
    captured = capsys.readouterr()
    assert "no recipe provides service 'gke'" in captured.err
    assert parse_mermaid(captured.out).nodes["ERROR"][0] == "does not resolve"
    root = write_catalog(tmp_path, {})
    (root / "overlays" / "base.yaml").write_text("kind: [")
    assert main(["graph", "--all", "--catalog", str(root)]) != 0


def _finding(message: str, overlay_name: str = "", rule: str = "resolves") -> Finding:
    return Finding(rule=rule, severity=Severity.ERROR, file="overlays/x.yaml", message=message, overlay=overlay_name)


def test_failure_graphs_draw_each_failing_query_once(tmp_path: Path) -> None:
    """A coverage finding's projection is drawn; otherwise the overlay's criteria; duplicates and overlay-less findings are skipped."""
    root = write_catalog(
        tmp_path,
        {
            "leaf": overlay("leaf", base="gone", criteria="service: eks, intent: inference"),
            "odd": overlay("odd", criteria="service: GKE"),
            "alien": overlay("alien", criteria="service: made-up"),
        },
    )
    catalog = load_catalog_for_check(root)
    findings = [
        _finding("criteria(service=eks) (a projection of 'leaf') fails with ...", "leaf", "coverage-projection"),
        _finding("resolves criteria(service=eks, intent=inference) ...", "leaf"),
        _finding("again", "leaf"),
        _finding("criteria(service=nope) (a projection of 'leaf') fails", "leaf", "coverage-projection"),
        _finding("about the registry"),
        _finding("never matches", "odd"),
        _finding("unknown service", "alien"),
        _finding("criteria(service=nope) (a projection of 'gone') fails", "", "coverage-projection"),
    ]
    graphs = failure_graphs(catalog, findings)
    assert [query for query, _ in graphs] == [
        "criteria(service=eks)",
        "criteria(service=eks, intent=inference)",
        "criteria(service=gke)",
        "criteria(service=made-up)",
    ]
    for _, graph in graphs:
        parse_mermaid(to_mermaid(graph))
    assert 'R_gone["gone<br/>missing: no overlay has this name"]' in to_mermaid(graphs[1][1])


def test_failure_graphs_are_bounded(tmp_path: Path) -> None:
    """At most FAILURE_GRAPHS pictures per item, however many queries fail."""
    names = [f"o{index}" for index in range(FAILURE_GRAPHS + 3)]
    root = write_catalog(
        tmp_path, {name: overlay(name, base="gone", criteria=f"service: eks, os: {name}") for name in names}
    )
    catalog = load_catalog_for_check(root)
    graphs = failure_graphs(catalog, [_finding("x", name) for name in names])
    assert len(graphs) == FAILURE_GRAPHS


def test_readme_mermaid_example_is_the_command_output(capsys: pytest.CaptureFixture[str]) -> None:
    """The README's Mermaid block is `l40-recipes graph` of the L40S Dynamo query, byte for byte (regenerate it so)."""
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    start = readme.index("```mermaid\n") + len("```mermaid\n")
    block = readme[start : readme.index("```\n", start)]
    query = ["--service", "eks", "--accelerator", "l40s", "--intent", "inference", "--os", "ubuntu"]
    assert main(["graph", *query, "--platform", "dynamo"]) == 0
    assert capsys.readouterr().out == block
    parse_mermaid(block)
