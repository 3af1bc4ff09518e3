"""Criteria queries: parsing, matching, specificity and upstream's string form (`pkg/recipe/criteria.go`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from ._errors import CriteriaError
from ._models import ANY, DIMENSIONS, WILD, Criteria
from ._semantics import V0_20

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from ._semantics import AicrVersion

__all__ = ["ENUM_VALUES", "build_query", "matches", "parse_dimension", "specificity"]

#: The values upstream's parser accepts without a catalog at 0.20 (9793720d), per dimension; each
#: release's own are `AicrVersion.enum_values`.
ENUM_VALUES: Final[Mapping[str, tuple[str, ...]]] = V0_20.enum_values


def parse_dimension(
    dimension: str,
    raw: str,
    *,
    known: Mapping[str, Iterable[str]] | None = None,
    semantics: AicrVersion = V0_20,
) -> str:
    """Normalize one query value: trim, lowercase, apply *semantics*' aliases; accept catalog-registered values.

    Raises:
        CriteriaError: `invalid <dimension> type: <raw>`, upstream's message, with *raw* as given.
    """
    table = semantics.parse_table
    if dimension not in table:
        msg = f"unknown criteria dimension {dimension!r}; expected one of {', '.join(DIMENSIONS)} or nodes"
        raise CriteriaError(msg)
    normalized = raw.strip().lower()
    canonical = table[dimension].get(normalized)
    if canonical is not None:
        return canonical
    if known is not None and normalized in set(known.get(dimension, ())):
        return normalized
    raise CriteriaError(f"invalid {dimension} type: {raw}")


def build_query(
    values: Mapping[str, object],
    *,
    known: Mapping[str, Iterable[str]] | None = None,
    semantics: AicrVersion = V0_20,
) -> Criteria:
    """Build a query the way `aicr recipe` does: every dimension starts at `any`.

    Values are parsed with *semantics*' enums and aliases (the catalog's `aicr_version`).

    *values* maps dimension names (and `gpu` as an alias of `accelerator`, and `nodes`) to raw
    values; `None` leaves a dimension unset.

    Raises:
        CriteriaError: a value is unknown (upstream's `error parsing criteria: ...`), or `nodes` is
            not a non-negative integer.
    """
    fields: dict[str, object] = dict.fromkeys(DIMENSIONS, ANY)
    fields["nodes"] = 0
    for key, raw in values.items():
        if raw is None:
            continue
        dimension = "accelerator" if key == "gpu" else key
        try:
            if dimension == "nodes":
                fields["nodes"] = _parse_nodes(raw)
            elif not isinstance(raw, str):
                msg = f"{dimension} must be a string, got {type(raw).__name__} {raw!r}"
                raise CriteriaError(msg)
            else:
                fields[dimension] = parse_dimension(dimension, raw, known=known, semantics=semantics)
        except CriteriaError as err:
            raise CriteriaError("error parsing criteria", cause=err) from None
    return Criteria.model_validate(fields)


#: Go's `int` (64 bits) bounds `nodes`; decimal text longer than this cannot fit.
_INT_BITS: Final = 63
_INT_DIGITS: Final = 19


def _parse_nodes(raw: object) -> int:
    if isinstance(raw, bool) or not isinstance(raw, (int, str)):
        msg = f"invalid nodes value: {raw}"
        raise CriteriaError(msg)
    if isinstance(raw, str) and len(raw.strip().lstrip("+-").lstrip("0")) > _INT_DIGITS:
        raise CriteriaError(f"invalid nodes value: {raw[:40]}...: value out of range")
    try:
        nodes = int(raw)
    except ValueError:
        raise CriteriaError(f"invalid nodes value: {raw}") from None
    if nodes.bit_length() > _INT_BITS:  # beyond Go's int: no node count, and too long to print
        raise CriteriaError("invalid nodes value: value out of range")
    if nodes < 0:
        raise CriteriaError(f"invalid nodes count: {nodes} (must be >= 0)")
    return nodes


def matches(overlay: Criteria, query: Criteria) -> bool:
    """Whether an overlay's criteria match a query (upstream `Matches`; `nodes` is ignored).

    Asymmetric: a wild overlay value matches anything; a wild query value matches only wild
    overlay values. Overlay values are compared byte for byte, so `H100` never matches.
    """
    for dimension in DIMENSIONS:
        want: str = getattr(overlay, dimension)
        # A stated overlay value never equals a wild query value, so one comparison decides.
        if want not in WILD and getattr(query, dimension) != want:
            return False
    return True


def specificity(criteria: Criteria) -> int:
    """Number of non-wild dimensions, plus one when `nodes` is set."""
    return sum(1 for dimension in DIMENSIONS if getattr(criteria, dimension) not in WILD) + (criteria.nodes != 0)
