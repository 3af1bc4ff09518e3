"""Mermaid and DOT writers: stable ids, escaped labels, output both syntax checks accept (and the checks reject bad text)."""

from __future__ import annotations

import pytest

from l40_recipes._graph import ComponentNode, Graph, MixinNode, OverlayNode
from l40_recipes._render_graph import node_id, render_graph, to_dot, to_mermaid

from .graph_syntax import dot_label_lines, parse_dot, parse_mermaid

HOSTILE = 'a"b#c<d>&e`f|g\\h;i]j[k{l}m--n->o end'


def _graph(name: str = HOSTILE) -> Graph:
    return Graph(
        title=f"overlays of {name}",
        overlays=(
            OverlayNode("base", "overlays/base.yaml", "base"),
            OverlayNode(name, f"overlays/{name}.yaml", "leaf", "service=eks"),
            OverlayNode("end", "", "missing"),
        ),
        bases=(("base", name), ("end", name)),
        mixins=(MixinNode(name, ""),),
        mixin_edges=((name, name),),
        components=(
            ComponentNode(name, "v1", "registry"),
            ComponentNode("subgraph", "", "", enabled=False),
        ),
        dependencies=((name, "subgraph"),),
        error=f"[INTERNAL] {name}\nsecond line",
        exit_code=8,
    )


@pytest.mark.parametrize(
    ("name", "expected"),
    [("l40s-eks-inference", "R_l40s_eks_inference"), ("end", "R_end"), ("0day", "R_0day")],
)
def test_simple_names_keep_a_readable_id(name: str, expected: str) -> None:
    """Lowercase DNS-style names map to `R_` plus the name, so a graph diff reads like a catalog diff."""
    assert node_id("R", name) == expected


def test_ids_never_collide() -> None:
    """Names that would spell the same readable id get digests instead; kinds never share ids."""
    names = ["a-b", "a_b", "A-b", "a.b", "a b", "a-b ", ""]
    ids = {node_id("R", name) for name in names}
    assert len(ids) == len(names)
    assert node_id("R", "x") != node_id("C", "x")
    assert node_id("R", "a_b").startswith("RX")


def test_mermaid_escapes_every_label_character() -> None:
    """Quotes, `#`, angle brackets, `&`, backticks and pipes become entity codes; line breaks become spaces."""
    text = to_mermaid(_graph())
    chart = parse_mermaid(text)
    leaf = chart.nodes[node_id("R", HOSTILE)]
    assert leaf == [HOSTILE, f"overlays/{HOSTILE}.yaml", "service=eks"]
    assert chart.nodes["ERROR"] == ["does not resolve", f"[INTERNAL] {HOSTILE} second line"]
    assert chart.subgraph_titles["overlays"] == f"overlays of {HOSTILE}"
    assert chart.nodes[node_id("C", "subgraph")] == ["subgraph", "(no version)", "disabled"]
    assert chart.nodes[node_id("M", HOSTILE)] == [f"mixin {HOSTILE}", "missing: no mixin has this name"]
    assert chart.classes == {
        "leaf": [node_id("R", HOSTILE)],
        "missing": ["R_end", node_id("M", HOSTILE)],
        "disabled": ["C_subgraph"],
        "error": ["ERROR"],
    }
    assert (node_id("C", HOSTILE), "-->", "", "C_subgraph") in chart.edges


def test_dot_escapes_every_label_character() -> None:
    """Quotes and backslashes are escaped; the parsed labels decode to the names."""
    graph = _graph()
    dot = parse_dot(to_dot(graph))
    assert dot_label_lines(dot.nodes[node_id("R", HOSTILE)]["label"]) == [
        HOSTILE,
        f"overlays/{HOSTILE}.yaml",
        "service=eks",
    ]
    assert dot_label_lines(dot.cluster_labels["cluster_overlays"]) == [f"overlays of {HOSTILE}"]
    assert dot.nodes["ERROR"]["shape"] == "note"
    assert dot.nodes["C_subgraph"]["fontcolor"] == "#757575"
    assert [(a, b) for a, b, _ in dot.edges] == [
        ("R_base", node_id("R", HOSTILE)),
        ("R_end", node_id("R", HOSTILE)),
        (node_id("R", HOSTILE), node_id("M", HOSTILE)),
        (node_id("C", HOSTILE), "C_subgraph"),
    ]


def test_render_graph_dispatches_on_format() -> None:
    """`dot` gives DOT; anything else the CLI lets through is Mermaid."""
    graph = _graph("x")
    assert render_graph(graph, "dot") == to_dot(graph)
    assert render_graph(graph, "mermaid") == to_mermaid(graph)


def test_a_graph_without_mixins_or_components_has_only_the_overlay_part() -> None:
    """Empty parts are left out rather than drawn as empty boxes."""
    graph = Graph(title="t", overlays=(OverlayNode("base", "overlays/base.yaml", "base"),), bases=())
    assert list(parse_mermaid(to_mermaid(graph)).subgraphs) == ["overlays"]
    assert list(parse_dot(to_dot(graph)).clusters) == ["cluster_overlays"]


@pytest.mark.parametrize(
    "text",
    [
        'graph TD\n  A["x"]\n',  # not a flowchart header
        'flowchart TB\n  subgraph s["t"]\n  A["x"]\n',  # subgraph never closed
        "flowchart TB\n  end\n",  # end without subgraph
        'flowchart TB\n  A["say "hi""]\n',  # raw quote in a label
        'flowchart TB\n  A["a#b"]\n',  # `#` outside an entity
        'flowchart TB\n  A["<b>x</b>"]\n',  # HTML other than <br/>
        'flowchart TB\n  A["x"]\n  A --> B\n',  # edge to an undeclared node
        'flowchart TB\n  end["x"]\n',  # keyword as id
        'flowchart TB\n  A["x"]\n  A["y"]\n',  # declared twice
        'flowchart TB\n  A["x"]\n  class A leaf\n',  # class before classDef
        "flowchart TB\n  direction LR\n",  # direction outside a subgraph
        'flowchart TB\n  A["x"]',  # no final newline
    ],
)
def test_mermaid_check_rejects_what_mermaid_rejects(text: str) -> None:
    """The Mermaid check is not a rubber stamp."""
    with pytest.raises(SyntaxError):
        parse_mermaid(text)


@pytest.mark.parametrize(
    "text",
    [
        'digraph { "a" [label="x"]; ',  # unclosed brace
        'digraph { "a" -> "b"; }',  # undeclared node
        'digraph { "a"; "b"; "a" -- "b"; }',  # undirected edge in a digraph
        'digraph { "a" [label="x\\q"]; }',  # unknown escape
        'digraph { "a" [label=]; }',  # attribute without value
        'graph { "a"; }',  # not a digraph
        'digraph { "a"; "a"; }',  # declared twice
        'digraph { "a" } extra',  # text after the graph
        'digraph { "a" [label="x"] ; @ }',  # not a token
        "digraph { node; }",  # attribute statement without a list
    ],
)
def test_dot_check_rejects_bad_dot(text: str) -> None:
    """The DOT check is not a rubber stamp."""
    with pytest.raises(SyntaxError):
        _parse_dot_labels(text)


def _parse_dot_labels(text: str) -> None:
    for attributes in parse_dot(text).nodes.values():
        if "label" in attributes:
            dot_label_lines(attributes["label"])


def test_dot_check_reads_the_full_grammar_subset() -> None:
    """Anonymous subgraphs, edge chains, `ID = ID`, repeated attribute lists and numerals parse."""
    graph = parse_dot(
        "strict digraph g { a; b; c; { d } a -> b -> c [w=1.5][x=-2]; rank = same; subgraph { e }; node [shape=box] }"
    )
    assert [(a, b) for a, b, _ in graph.edges] == [("a", "b"), ("b", "c")]
    assert graph.edges[0][2] == {"w": "1.5", "x": "-2"}
    assert set(graph.nodes) == {"a", "b", "c", "d", "e"}
