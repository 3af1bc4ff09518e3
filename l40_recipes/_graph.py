"""The two pictures a reviewer wants of a query: the overlays it applies and its component graph.

`query_graph()` builds, for one query, the applied overlays in application order with their
`spec.base` edges and mixins (the leaf and the other maximal-leaf candidates marked), and the
component DAG from `dependencyRefs` in deployment order, each component labelled with its version
and the overlay that set it. `forest_graph()` builds a whole catalog's inheritance forest. Both
only read the catalog and reuse resolution as is; `_render_graph` writes them as Mermaid or DOT.

A query that fails to resolve still gets its overlay part (as far as the chains can be walked, a
missing parent shown as such) and the error, so a picture shows where the chain broke.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final, Literal

from ._catalog import BASE_NAME
from ._criteria import build_query
from ._errors import RecipeError
from ._explain import explain
from ._matching import candidates, lineage
from ._models import DIMENSIONS, is_wild

if TYPE_CHECKING:
    from collections.abc import Iterable

    from ._catalog import Catalog, Overlay
    from ._models import Criteria
    from ._report import Finding
    from ._result import RecipeResult

__all__ = ["ComponentNode", "Graph", "MixinNode", "OverlayNode", "failure_graphs", "forest_graph", "query_graph"]

#: `base` is the root recipe; `leaf` the most specific candidate; `candidate` another maximal
#: leaf; `applied` an ancestor merged on the way; `missing` a `spec.base` naming no overlay;
#: `overlay` any overlay of a forest.
Role = Literal["base", "leaf", "candidate", "applied", "missing", "overlay"]
#: At most this many pictures per failing item: enough to see the break, not a wall of text.
FAILURE_GRAPHS: Final = 5
#: A coverage finding names the projection that failed: `criteria(service=eks, intent=inference) (a projection of ...`.
_PROJECTION: Final = re.compile(r"criteria\(([a-z]+=[a-z0-9.-]*(?:, [a-z]+=[a-z0-9.-]*)*)\) \(a projection of ")


@dataclass(frozen=True, slots=True)
class OverlayNode:
    """An overlay (or base.yaml, or a missing parent) of the picture."""

    name: str
    path: str
    role: Role
    criteria: str = ""


@dataclass(frozen=True, slots=True)
class MixinNode:
    """A mixin an applied overlay names (`path` is empty when the catalog has no such mixin)."""

    name: str
    path: str


@dataclass(frozen=True, slots=True)
class ComponentNode:
    """A component of the recipe: its version (or Kustomize tag) and who set it."""

    name: str
    version: str
    set_by: str
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class Graph:
    """Nodes in a fixed order and edges as name pairs, ready for a renderer.

    Attributes:
        title: What the overlay part shows: the query's overlays, or the catalog's forest.
        overlays: Application order for a query (base first); roots first, then by depth and name, for a forest.
        bases: `(parent, child)` for every `spec.base` link drawn.
        mixins: In order of first mention.
        mixin_edges: `(overlay, mixin)`.
        components: Deployment order, then disabled components in `componentRefs` order.
        dependencies: `(dependency, dependent)`: the dependency deploys first.
        error: Upstream's `[CODE] message` when the query does not resolve.
        exit_code: Upstream's CLI exit status for that error (0 when the query resolves).
    """

    title: str
    overlays: tuple[OverlayNode, ...]
    bases: tuple[tuple[str, str], ...]
    mixins: tuple[MixinNode, ...] = ()
    mixin_edges: tuple[tuple[str, str], ...] = ()
    components: tuple[ComponentNode, ...] = ()
    dependencies: tuple[tuple[str, str], ...] = field(default=())
    error: str = ""
    exit_code: int = 0


def query_graph(catalog: Catalog, query: Criteria, *, profile: str | None = None) -> Graph:
    """The overlay chain and component DAG of *query* (an already-parsed `Criteria`) against *catalog*."""
    found = candidates(catalog, query)
    result: RecipeResult | None = None
    set_by: dict[str, str] = {}
    error = ""
    exit_code = 0
    try:
        result, fields = explain(catalog, query, profile=profile)
    except RecipeError as err:
        error, exit_code = err.upstream_text, err.exit_code
    else:
        for item in fields:
            if item.set_by is not None:
                set_by.setdefault(item.path, item.set_by.source)
    applied = list(result.metadata.applied_overlays) if result is not None else _walk_chains(catalog, found)
    leaf = found[-1].name if found and (result is not None or _states_query(found[-1], query)) else ""
    others = {overlay.name for overlay in found}
    nodes: list[OverlayNode] = []
    bases: list[tuple[str, str]] = []
    for name in applied:
        nodes.append(_overlay_node(catalog, name, _role(name, leaf, others)))
        parent = _parent(catalog, name)
        if parent is not None:
            bases.append((parent, name))
    nodes += _missing_parents(catalog, bases)
    mixins, mixin_edges = _mixins(catalog, applied)
    components: list[ComponentNode] = []
    dependencies: list[tuple[str, str]] = []
    if result is not None:
        refs = {ref.name: ref for ref in result.component_refs}
        ordered = [*result.deployment_order, *(ref.name for ref in result.component_refs)]
        for name in dict.fromkeys(ordered):
            ref = refs[name]
            key = "tag" if not ref.version and ref.tag else "version"
            source = set_by.get(f"componentRefs.{name}.{key}") or set_by.get(f"componentRefs.{name}.type", "")
            components.append(ComponentNode(name, ref.version or ref.tag, source, enabled=ref.enabled))
        position = {node.name: index for index, node in enumerate(components)}
        dependencies = [
            (dependency, ref.name)
            for ref in sorted(result.component_refs, key=lambda ref: position[ref.name])
            for dependency in ref.dependency_refs
        ]
    return Graph(
        title=f"overlays of {query}, in application order",
        overlays=tuple(nodes),
        bases=tuple(bases),
        mixins=mixins,
        mixin_edges=mixin_edges,
        components=tuple(components),
        dependencies=tuple(dependencies),
        error=error,
        exit_code=exit_code,
    )


def forest_graph(catalog: Catalog) -> Graph:
    """Every overlay of *catalog* with its `spec.base` edge and mixins: the whole inheritance forest."""
    names = ([BASE_NAME] if catalog.base is not None else []) + sorted(catalog.overlays)
    names.sort(key=lambda name: (_depth(catalog, name), name))
    nodes = [_overlay_node(catalog, name, "base" if name == BASE_NAME else "overlay") for name in names]
    bases = [(parent, name) for name in names if (parent := _parent(catalog, name)) is not None]
    nodes += _missing_parents(catalog, bases)
    mixins, mixin_edges = _mixins(catalog, names)
    return Graph(
        title="overlay inheritance forest (spec.base)",
        overlays=tuple(nodes),
        bases=tuple(bases),
        mixins=mixins,
        mixin_edges=mixin_edges,
    )


def _states_query(overlay: Overlay, query: Criteria) -> bool:
    """Whether *overlay* states every dimension *query* states (a failing query's leaf must; a wildcard is not one)."""
    stated = overlay.criteria
    return stated is not None and all(
        is_wild(getattr(query, dimension)) or getattr(stated, dimension) == getattr(query, dimension)
        for dimension in DIMENSIONS
    )


def _role(name: str, leaf: str, candidates: set[str]) -> Role:
    if name == BASE_NAME:
        return "base"
    if name == leaf:
        return "leaf"
    return "candidate" if name in candidates else "applied"


def _overlay_node(catalog: Catalog, name: str, role: Role) -> OverlayNode:
    overlay = catalog.base if name == BASE_NAME else catalog.get(name)
    if overlay is None:  # a catalog without base.yaml: resolution fails, the picture says why
        return OverlayNode(name, "", "missing")
    return OverlayNode(name, overlay.path, role, _criteria_text(overlay))


def _criteria_text(overlay: Overlay) -> str:
    criteria = overlay.criteria
    if criteria is None:
        return ""
    return ", ".join(
        f"{dimension}={getattr(criteria, dimension)}"
        for dimension in DIMENSIONS
        if not is_wild(getattr(criteria, dimension))
    )


def _parent(catalog: Catalog, name: str) -> str | None:
    """The parent drawn for *name*: its `spec.base`, or base.yaml for a root overlay; None for base.yaml."""
    if name == BASE_NAME:
        return None
    overlay = catalog.get(name)
    if overlay is None:  # a missing parent: nothing above it
        return None
    return overlay.base or BASE_NAME


def _depth(catalog: Catalog, name: str) -> int:
    """Links from *name* up to base.yaml, a missing parent or a repeated name (a cycle)."""
    overlay = None if name == BASE_NAME else catalog.get(name)
    if overlay is None:
        return 0
    walk = lineage(catalog, overlay)
    if name in walk.names:  # the walk comes back to where it started
        return walk.names.index(name)
    ends_at_base = walk.missing is None and walk.repeated is None
    return len(walk.names) + ends_at_base


def _walk_chains(catalog: Catalog, found: list[Overlay]) -> list[str]:
    """Application order as resolution would merge it (base.yaml first), without failing on a broken chain.

    A chain ends below a missing parent, or where a name repeats (a cycle).
    """
    applied = [BASE_NAME]
    for overlay in found:
        links = [overlay.name]
        walk = lineage(catalog, overlay)
        for name in walk.names:
            if name in (overlay.name, walk.missing):
                break
            links.append(name)
        applied += [name for name in reversed(links) if name not in applied]
    return applied


def _missing_parents(catalog: Catalog, bases: list[tuple[str, str]]) -> list[OverlayNode]:
    """A node for every parent that `spec.base` names but the catalog lacks, in order of first mention."""
    missing = [parent for parent, _ in bases if parent != BASE_NAME and catalog.get(parent) is None]
    return [OverlayNode(parent, "", "missing") for parent in dict.fromkeys(missing)]


def _mixins(catalog: Catalog, names: list[str]) -> tuple[tuple[MixinNode, ...], tuple[tuple[str, str], ...]]:
    nodes: dict[str, MixinNode] = {}
    edges: dict[tuple[str, str], None] = {}  # ordered, each edge once (`mixins: [a, a]` draws one)
    for name in names:
        overlay = catalog.base if name == BASE_NAME else catalog.get(name)
        if overlay is None:  # base.yaml absent from the catalog
            continue
        for mixin in overlay.spec.mixins:
            if mixin not in nodes:
                found = catalog.mixins.get(mixin)
                nodes[mixin] = MixinNode(mixin, found.path if found is not None else "")
            edges[name, mixin] = None
    return tuple(nodes.values()), tuple(edges)


def failure_graphs(catalog: Catalog, findings: Iterable[Finding]) -> list[tuple[str, Graph]]:
    """`(query, graph)` for the queries behind *findings*, at most `FAILURE_GRAPHS`, in finding order.

    A finding's query is the projection a coverage finding names, otherwise the criteria of the
    overlay it is about; findings about no overlay with criteria have none.
    """
    graphs: dict[str, Graph] = {}
    for finding in findings:
        query = _finding_query(catalog, finding)
        if query is None or str(query) in graphs:
            continue
        if len(graphs) == FAILURE_GRAPHS:
            break
        graphs[str(query)] = query_graph(catalog, query)
    return list(graphs.items())


def _finding_query(catalog: Catalog, finding: Finding) -> Criteria | None:
    overlay = catalog.overlays.get(finding.overlay)
    criteria = overlay.criteria if overlay is not None else None
    spellings: list[dict[str, str]] = []
    projection = _PROJECTION.match(finding.message)
    if projection is not None:
        spellings.append(dict(part.split("=", 1) for part in projection.group(1).split(", ")))
    if criteria is not None:
        spellings.append({d: value for d in DIMENSIONS if not is_wild(value := getattr(criteria, d))})
    for raw in spellings:  # as a user would type it, so the picture's title reads like the query
        try:
            return build_query(raw, known=catalog.known_values)
        except RecipeError:
            continue
    return None  # only a projection no query can spell, of no overlay (the catalog's own values always parse)
