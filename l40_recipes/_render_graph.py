"""Write a `Graph` as a Mermaid `flowchart` or a Graphviz DOT digraph.

Node ids are derived from names, not positions, so inserting an overlay changes only its own lines
of a diff: `R_`, `M_` and `C_` plus the name with `-` spelled `_` for overlays, mixins and
components whose names are lowercase letters, digits and `-` only (every real catalog's), and
`RX`, `MX`, `CX` plus a digest of the name otherwise, so two names never share an id. Labels are
escaped for each language: Mermaid entity codes (`#quot;`, `#35;`, ...) inside `"..."`, DOT
backslash escapes inside `"..."`. Edges point the way things happen: parent to child (`spec.base`),
dependency to dependent (deployment order).
"""

from __future__ import annotations

import hashlib
import re
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from ._graph import ComponentNode, Graph, MixinNode, OverlayNode

__all__ = ["FORMATS", "render_graph", "to_dot", "to_mermaid"]

FORMATS: Final = ("mermaid", "dot")
_SIMPLE: Final = re.compile(r"[a-z0-9][a-z0-9-]*")
_MERMAID_ENTITIES: Final = {
    "#": "#35;",
    '"': "#quot;",
    "&": "#amp;",
    "<": "#lt;",
    ">": "#gt;",
    "`": "#96;",
    "|": "#124;",
}
#: Mermaid `classDef` / DOT attributes per node role (leaf highlighted, candidates marked).
_MERMAID_CLASSES: Final = (
    ("leaf", "fill:#d9f2d9,stroke:#2e7d32,stroke-width:3px"),
    ("candidate", "stroke:#2e7d32,stroke-width:2px,stroke-dasharray:4 2"),
    ("missing", "fill:#fde0dc,stroke:#c62828,stroke-dasharray:4 2"),
    ("disabled", "fill:#eeeeee,stroke:#9e9e9e,color:#757575"),
    ("error", "fill:#fde0dc,stroke:#c62828"),
)
_DOT_STYLES: Final = {
    "leaf": 'style="rounded,filled,bold", fillcolor="#d9f2d9", color="#2e7d32", penwidth=3',
    "candidate": 'style="rounded,dashed,bold", color="#2e7d32", penwidth=2',
    "missing": 'style="rounded,dashed,filled", fillcolor="#fde0dc", color="#c62828"',
    "disabled": 'style="rounded,filled", fillcolor="#eeeeee", color="#9e9e9e", fontcolor="#757575"',
    "error": 'style="filled", fillcolor="#fde0dc", color="#c62828", shape=note',
}
_ERROR_ID: Final = "ERROR"


def render_graph(graph: Graph, fmt: str) -> str:
    """*graph* in `mermaid` or `dot` (see `FORMATS`)."""
    if fmt == "dot":
        return to_dot(graph)
    return to_mermaid(graph)


def node_id(kind: str, name: str) -> str:
    """A stable identifier, valid in both languages, for the *kind* (`R`, `M`, `C`) node called *name*."""
    if _SIMPLE.fullmatch(name):
        return f"{kind}_{name.replace('-', '_')}"
    return _digest(kind, name)


def _digest(kind: str, name: str) -> str:
    return f"{kind}X{hashlib.sha256(name.encode('utf-8', 'surrogatepass')).hexdigest()[:16]}"


def _overlay_lines(node: OverlayNode) -> list[str]:
    if node.role == "missing":
        return [node.name, "missing: no overlay has this name"]
    lines = [node.name, node.path]
    if node.criteria:
        lines.append(node.criteria)
    return lines


def _mixin_lines(node: MixinNode) -> list[str]:
    return [f"mixin {node.name}", node.path or "missing: no mixin has this name"]


def _component_lines(node: ComponentNode) -> list[str]:
    lines = [node.name, node.version or "(no version)"]
    if node.set_by:
        lines.append(f"set by {node.set_by}")
    if not node.enabled:
        lines.append("disabled")
    return lines


def _overlay_class(node: OverlayNode) -> str | None:
    return node.role if node.role in ("leaf", "candidate", "missing") else None


def _mixin_class(node: MixinNode) -> str | None:
    return None if node.path else "missing"


def _component_class(node: ComponentNode) -> str | None:
    return None if node.enabled else "disabled"


def _sections(graph: Graph) -> list[tuple[str, str, list[tuple[str, list[str], str | None]]]]:
    """(cluster id, title, [(node id, label lines, class)]) for each non-empty part."""
    overlays = [(node_id("R", node.name), _overlay_lines(node), _overlay_class(node)) for node in graph.overlays]
    if graph.error:
        overlays.append((_ERROR_ID, ["does not resolve", graph.error], "error"))
    sections = [("overlays", graph.title, overlays)]
    if graph.mixins:
        sections.append(
            (
                "mixins",
                "mixins",
                [(node_id("M", node.name), _mixin_lines(node), _mixin_class(node)) for node in graph.mixins],
            )
        )
    if graph.components:
        sections.append(
            (
                "components",
                "components, in deployment order",
                [
                    (node_id("C", node.name), _component_lines(node), _component_class(node))
                    for node in graph.components
                ],
            )
        )
    return sections


def _edges(graph: Graph) -> list[tuple[str, str, str]]:
    """(from id, to id, kind) with kind `base`, `mixin` or `depends`."""
    edges = [(node_id("R", parent), node_id("R", child), "base") for parent, child in graph.bases]
    edges += [(node_id("R", overlay), node_id("M", mixin), "mixin") for overlay, mixin in graph.mixin_edges]
    edges += [
        (node_id("C", dependency), node_id("C", dependent), "depends") for dependency, dependent in graph.dependencies
    ]
    return edges


def _mermaid_text(text: str) -> str:
    text = " ".join(text.split())  # no line breaks or tabs inside a label line
    return "".join(_MERMAID_ENTITIES.get(char, char) for char in text)


def _mermaid_label(lines: list[str]) -> str:
    return '"' + "<br/>".join(_mermaid_text(line) for line in lines) + '"'


def to_mermaid(graph: Graph) -> str:
    """A Mermaid `flowchart TB`: one subgraph per part, then the edges, then the role classes."""
    out = ["flowchart TB"]
    classes: dict[str, list[str]] = {}
    for cluster, title, nodes in _sections(graph):
        out.append(f"  subgraph {cluster}[{_mermaid_label([title])}]")
        out.append("    direction TB")
        for identifier, lines, css in nodes:
            out.append(f"    {identifier}[{_mermaid_label(lines)}]")
            if css is not None:
                classes.setdefault(css, []).append(identifier)
        out.append("  end")
    arrows = {"base": "-->", "mixin": "-.->|mixin|", "depends": "-->"}
    out += [f"  {source} {arrows[kind]} {target}" for source, target, kind in _edges(graph)]
    for css, style in _MERMAID_CLASSES:
        if css in classes:
            out.append(f"  classDef {css} {style}")
            out.append(f"  class {','.join(classes[css])} {css}")
    return "\n".join(out) + "\n"


def _dot_text(text: str) -> str:
    text = " ".join(text.split())
    return text.replace("\\", "\\\\").replace('"', '\\"')


def _dot_label(lines: list[str]) -> str:
    return '"' + "\\n".join(_dot_text(line) for line in lines) + '"'


def to_dot(graph: Graph) -> str:
    """A Graphviz digraph: one cluster per part, then the edges."""
    out = [
        'digraph "l40-recipes" {',
        "  rankdir=TB;",
        '  node [shape=box, style=rounded, fontname="Helvetica"];',
        '  edge [fontname="Helvetica"];',
    ]
    for cluster, title, nodes in _sections(graph):
        out.append(f"  subgraph cluster_{cluster} {{")
        out.append(f"    label={_dot_label([title])};")
        for identifier, lines, css in nodes:
            style = f", {_DOT_STYLES[css]}" if css is not None else ""
            out.append(f'    "{identifier}" [label={_dot_label(lines)}{style}];')
        out.append("  }")
    attributes = {"base": "", "mixin": ' [style=dashed, label="mixin"]', "depends": ""}
    out += [f'  "{source}" -> "{target}"{attributes[kind]};' for source, target, kind in _edges(graph)]
    out.append("}")
    return "\n".join(out) + "\n"
