"""The stated-criteria coverage post-condition (upstream `coverage.go:verifyCriteriaCoverage`).

A query that states a dimension must reach an overlay that carries exactly that value; otherwise
the error lists the criteria tuples that would complete the query. When every dimension is
covered but no single overlay carries them all, an unstated `os` that would reach more overlays
must be stated (joint sufficiency).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from ._catalog import Memo
from ._errors import CoverageError
from ._matching import candidates, criteria_index, lineage
from ._models import DIMENSIONS, WILD, is_wild

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ._catalog import Catalog, Overlay
    from ._models import Criteria

__all__ = ["completion_key", "verify"]

#: Dimensions that must be stated when stating them would reach more overlays.
STRICT_DIMENSIONS: Final = frozenset({"os"})

_CARRIED: Final[Memo[tuple[str, ...], int]] = Memo("criteria carried by applied overlays, as bits")
_BITS: Final[Memo[tuple[str, str], int]] = Memo("one bit per (dimension, value) an overlay states")
_ROWS: Final[Memo[tuple[str, str], tuple[tuple[tuple[int, str], ...], ...]]] = Memo(
    "distinct criteria rows by carried value"
)


def _value(criteria: Criteria | None, dimension: str) -> str:
    return "" if criteria is None else str(getattr(criteria, dimension))


def _stated(value: str) -> bool:
    return not is_wild(value)


def completion_key(completion: dict[str, str]) -> str:
    """Render a completion tuple as upstream does: `service=eks, os=ubuntu` (dimension order)."""
    return ", ".join(f"{dimension}={completion[dimension]}" for dimension in DIMENSIONS if dimension in completion)


def verify(
    catalog: Catalog, query: Criteria, applied: Sequence[str], *, details: bool = True, excluded: Sequence[str] = ()
) -> None:
    """Raise `CoverageError` unless every stated dimension is covered and jointly sufficient.

    Without *details* the error names the uncovered dimensions only (no completions, and a short
    message without the query): for callers that only need to know that a query is a coverage gap.
    *excluded* names the overlays a snapshot's constraints excluded: a dimension only they provide
    says so, and is marked `constraintExcluded` (which stops snapshot relaxation). With *details*
    the error's message, completions and hint are composed when first read (`CoverageError.deferred`).
    """
    carried = _carried(catalog, applied)
    bits = catalog.memo(_BITS)
    uncovered = [
        dimension
        for dimension in DIMENSIONS
        if (want := getattr(query, dimension)) not in WILD and not carried & bits.get((dimension, want), 0)
    ]
    if not uncovered:
        _verify_joint(catalog, query, applied)
        return
    if not details:
        raise CoverageError(
            f"stated {', '.join(uncovered)} not covered",
            context={"uncovered": [{"dimension": dimension} for dimension in uncovered]},
        )
    excluded = tuple(excluded)  # the error is composed when read: keep what it will read as it is now
    raise CoverageError.deferred(lambda: _uncovered_error(catalog, query, uncovered, excluded))


def _uncovered_error(
    catalog: Catalog, query: Criteria, uncovered: list[str], excluded: Sequence[str]
) -> tuple[str, dict[str, Any], str]:
    """The coverage error's message, context and hint: each uncovered dimension with its completions."""
    clauses: list[str] = []
    entries: list[dict[str, object]] = []
    asked = tuple("" if is_wild(value := _value(query, dimension)) else value for dimension in DIMENSIONS)
    rendered = str(query)
    for dimension in uncovered:
        want = _value(query, dimension)
        completions = _completions(catalog, asked, dimension, want)
        constraint_excluded = any(_value(_criteria_of(catalog, name), dimension) == want for name in excluded)
        if not completions and constraint_excluded:
            clauses.append(
                f"{dimension} '{want}' for {rendered} is provided only by overlays excluded by failing constraints "
                "(see excludedOverlays)"
            )
        else:
            clauses.append(_clause(rendered, dimension, want, completions))
        entries.append(
            {
                "dimension": dimension,
                "requestedValue": want,
                "validCompletions": completions,
                "validCompletionKeys": [completion_key(completion) for completion in completions],
                "constraintExcluded": constraint_excluded,
            },
        )
    return "; ".join(clauses), {"uncovered": entries}, _hint(entries)


def _carried(catalog: Catalog, applied: Sequence[str]) -> int:
    """The (dimension, value) pairs the criteria of the applied overlays state, as bits of `_BITS` (memoized per list).

    One int per applied list instead of a set of pairs: on a 5,000-overlay catalog the sets were
    6 MiB of the memory resolving every overlay adds (see benchmarks/RESULTS.md).
    """
    table = catalog.memo(_CARRIED)
    key = tuple(applied)
    found = table.get(key)
    if found is not None:
        return found
    # A chain's applied list extends its parent's: start from the parent's bits when they are
    # known, so that a deep chain costs one step per overlay, not one per ancestor.
    parent = table.get(key[:-1]) if len(key) > 1 else None
    carried = parent if parent is not None else 0
    bits = catalog.memo(_BITS)
    for name in key[-1:] if parent is not None else key:
        criteria = _criteria_of(catalog, name)
        if criteria is None:
            continue
        for dimension in DIMENSIONS:
            value = _value(criteria, dimension)
            if _stated(value):
                carried |= bits.setdefault((dimension, value), 1 << len(bits))
    table[key] = carried
    return carried


def _hint(entries: list[dict[str, object]]) -> str:
    first = entries[0]
    keys = first["validCompletionKeys"]
    assert isinstance(keys, list)
    if not keys:
        return f"no overlay in the catalog sets {first['dimension']}: {first['requestedValue']}; drop that criterion"
    return f"add criteria such as ({keys[0]})"


def _criteria_of(catalog: Catalog, name: str) -> Criteria | None:
    overlay = catalog.get(name)
    return None if overlay is None else overlay.criteria


def _completions(catalog: Catalog, asked: tuple[str, ...], dimension: str, want: str) -> list[dict[str, str]]:
    """Minimal tuples of unstated values that overlays carrying `dimension=want` require.

    *asked* holds the query's values in dimension order, `""` where it leaves one wild.
    """
    found: dict[str, dict[str, str]] = {}
    # Each distinct criteria of the overlays carrying dimension=want once, as its other stated
    # (position, value) pairs: this loop runs for every uncovered dimension of every failing query
    # (30,000 in a sweep), where attribute reads and helper calls per field made completions the
    # largest cost of a public resolve() sweep (see benchmarks/RESULTS.md).
    for stated in _rows_carrying(catalog, dimension, want):
        completion: dict[str, str] = {}
        for position, overlay_value in stated:
            query_value = asked[position]
            if not query_value:
                completion[DIMENSIONS[position]] = overlay_value
            elif query_value != overlay_value:
                break
        else:
            if completion:
                found[completion_key(completion)] = completion
    # A tuple is dropped when a strict subset of it is also a completion; tuples have at most four
    # keys, so checking each tuple's subsets keeps this linear in the number of overlays.
    keys = set(found)
    minimal = [
        completion
        for completion in found.values()
        if not any(completion_key(dict(subset)) in keys for subset in _proper_subsets(completion))
    ]
    minimal.sort(key=lambda completion: (len(completion), completion_key(completion)))
    return minimal


def _rows_carrying(catalog: Catalog, dimension: str, want: str) -> tuple[tuple[tuple[int, str], ...], ...]:
    """Distinct criteria of the overlays whose *dimension* is exactly *want*: their other stated (position, value)."""
    table = catalog.memo(_ROWS)
    rows = table.get((dimension, want))
    if rows is None:
        distinct = dict.fromkeys(
            tuple(
                (position, value)
                for position, other in enumerate(DIMENSIONS)
                if other != dimension and not is_wild(value := str(getattr(overlay.criteria, other)))
            )
            for overlay in criteria_index(catalog)[dimension].get(want, [])
        )
        rows = table[(dimension, want)] = tuple(distinct)
    return rows


def _proper_subsets(completion: dict[str, str]) -> list[list[tuple[str, str]]]:
    items = list(completion.items())
    return [[item for bit, item in enumerate(items) if mask & (1 << bit)] for mask in range(1, (1 << len(items)) - 1)]


def _clause(stated: str, dimension: str, want: str, completions: list[dict[str, str]]) -> str:
    if not completions:
        return f"no recipe provides {dimension} '{want}' for {stated}"
    keys = {key for completion in completions for key in completion}
    if all(len(completion) == 1 for completion in completions) and len(keys) == 1:
        key = next(iter(keys))
        values = ", ".join(sorted(completion[key] for completion in completions))
        return f"{dimension} '{want}' for {stated} requires {key} (valid: {values})"
    rendered = ", ".join(f"({completion_key(completion)})" for completion in completions)
    return f"{dimension} '{want}' requires additional criteria; supported combinations: {rendered}"


def _verify_joint(catalog: Catalog, query: Criteria, applied: Sequence[str]) -> None:
    stated = [(dimension, value) for dimension in DIMENSIONS if (value := getattr(query, dimension)) not in WILD]
    for name in reversed(applied):  # the leaf, last, carries the query most often; any match will do
        criteria = _criteria_of(catalog, name)
        if criteria is not None and all(getattr(criteria, dimension) == value for dimension, value in stated):
            return
    applied_set = set(applied)
    gaps: list[tuple[str, list[str]]] = []
    for dimension in DIMENSIONS:
        if dimension not in STRICT_DIMENSIONS or _stated(_value(query, dimension)):
            continue
        reachable = [
            value
            for value in _declared_values(catalog, dimension)
            if _reaches_unapplied(catalog, _with(query, dimension, value), applied_set)
        ]
        if reachable:
            gaps.append((dimension, reachable))
    if not gaps:
        return
    clauses = ", ".join(f"{dimension} (valid: {', '.join(values)})" for dimension, values in gaps)
    message = f"{query} has no recipe covering that combination; specify {clauses}"
    first_dimension, first_values = gaps[0]
    raise CoverageError(
        message,
        context={"strictDimensions": [{"dimension": d, "validValues": v} for d, v in gaps]},
        hint=f"add {first_dimension}={first_values[0]} (or another valid value) to the query",
    )


def _with(query: Criteria, dimension: str, value: str) -> Criteria:
    """*query* with one dimension replaced (a probe; built without re-validating the known-good fields)."""
    return type(query).model_construct(**{**query.__dict__, dimension: value})


def _declared_values(catalog: Catalog, dimension: str) -> list[str]:
    return sorted(value for value in criteria_index(catalog)[dimension] if value)


def _reaches_unapplied(catalog: Catalog, probe: Criteria, applied: set[str]) -> bool:
    return any(name not in applied for match in candidates(catalog, probe) for name in _chain_names(catalog, match))


def _chain_names(catalog: Catalog, overlay: Overlay) -> list[str]:
    """Upstream `inheritanceChainNames`: the overlay, its ancestors, then base.yaml's own name.

    Upstream loops forever on a `spec.base` cycle; the walk here stops at the first repeat.
    """
    walk = lineage(catalog, overlay)
    back = next((index for index, parent in enumerate(walk.parents) if parent is overlay), None)
    if back is not None:  # the walk comes back to this very file: stop before repeating it
        return [overlay.name, *(parent.name for parent in walk.parents[:back])]
    names = [overlay.name, *(parent.name for parent in walk.parents)]
    if walk.explicit_base and catalog.base is not None:
        names.append(catalog.base.name)
    return names
