"""Criteria queries: parsing, matching, specificity and upstream's string form (`pkg/recipe/criteria.go`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from ._errors import CriteriaError
from ._models import ANY, DIMENSIONS, WILD, Criteria

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

__all__ = ["ENUM_VALUES", "build_query", "matches", "parse_dimension", "specificity"]

#: The values upstream's parser accepts without a catalog (9793720d), per dimension.
ENUM_VALUES: Final[dict[str, tuple[str, ...]]] = {
    "service": ("aks", "bcm", "eks", "gke", "kind", "lke", "metal3", "ocp", "oke"),
    "accelerator": ("a100", "b200", "gb200", "gb300", "h100", "h200", "l40", "l40s", "rtx-pro-6000"),
    "intent": ("inference", "training"),
    "os": ("amazonlinux", "cos", "ol", "rhel", "talos", "ubuntu"),
    "platform": ("dynamo", "kubeflow", "nim", "runai", "slurm"),
}

_ALIASES: Final[dict[str, dict[str, str]]] = {
    "service": {"": ANY, ANY: ANY, "self-managed": ANY, "self": ANY, "vanilla": ANY, "openshift": "ocp"},
    "accelerator": {"": ANY, ANY: ANY},
    "intent": {"": ANY, ANY: ANY},
    "os": {"": ANY, ANY: ANY, "al2": "amazonlinux", "al2023": "amazonlinux"},
    "platform": {"": ANY, ANY: ANY},
}
_PARSE_TABLE: Final[dict[str, dict[str, str]]] = {
    dimension: {**{value: value for value in ENUM_VALUES[dimension]}, **_ALIASES[dimension]} for dimension in DIMENSIONS
}


def parse_dimension(dimension: str, raw: str, *, known: Mapping[str, Iterable[str]] | None = None) -> str:
    """Normalize one query value: trim, lowercase, apply aliases; accept catalog-registered values.

    Raises:
        CriteriaError: `invalid <dimension> type: <raw>`, upstream's message, with *raw* as given.
    """
    if dimension not in _PARSE_TABLE:
        msg = f"unknown criteria dimension {dimension!r}; expected one of {', '.join(DIMENSIONS)} or nodes"
        raise CriteriaError(msg)
    normalized = raw.strip().lower()
    canonical = _PARSE_TABLE[dimension].get(normalized)
    if canonical is not None:
        return canonical
    if known is not None and normalized in set(known.get(dimension, ())):
        return normalized
    raise CriteriaError(f"invalid {dimension} type: {raw}")


def build_query(
    values: Mapping[str, object],
    *,
    known: Mapping[str, Iterable[str]] | None = None,
) -> Criteria:
    """Build a query the way `aicr recipe` does: every dimension starts at `any`.

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
                fields[dimension] = parse_dimension(dimension, raw, known=known)
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
