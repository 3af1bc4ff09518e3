"""The queries a catalog supports, with the overlays each applies and the machines it targets.

A supported query is the criteria of an overlay that states a service, an accelerator and an
intent: a recipe someone asks for, as opposed to the building blocks (`eks`, `l40s-any`) it
inherits from. Rows are sorted by their flags, dimension by dimension, so the table is stable.

Targets (cloud machine types) are not resolution data, and upstream's loader rejects unknown keys,
so they live in a structured comment of an overlay, one line per target group::

    # l40-recipes: targets: AWS g6e (1, 4 or 8 x L40S)

A query's targets are those of the last applied overlay that carries such lines (the leaf, or
the nearest ancestor that does).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from ._errors import RecipeError
from ._models import DIMENSIONS, is_wild
from ._resolution import build_recipe

if TYPE_CHECKING:
    from ._catalog import Catalog

__all__ = ["FORMATS", "Listed", "render_listing", "supported_queries", "targets"]

FORMATS: Final = ("text", "markdown", "json")
REQUIRED: Final = ("service", "accelerator", "intent")
_TARGETS: Final = re.compile(r"^#[ \t]*l40-recipes:[ \t]*targets:[ \t]*(\S[^\r\n]*?)[ \t]*\r?$", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Listed:
    """One supported query: the overlay whose criteria it is, its flags, and what it resolves to."""

    overlay: str
    query: tuple[tuple[str, str], ...]
    applied: tuple[str, ...]
    error: str
    targets: tuple[str, ...]

    @property
    def command(self) -> str:
        """The query as `l40-recipes resolve` flags."""
        return " ".join(f"--{dimension} {value}" for dimension, value in self.query)

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form (`appliedOverlays` is upstream's error text when the query fails)."""
        return {
            "overlay": self.overlay,
            "query": dict(self.query),
            "appliedOverlays": list(self.applied) if not self.error else self.error,
            "targets": list(self.targets),
        }


def supported_queries(catalog: Catalog) -> list[Listed]:
    """Every supported query of *catalog*, resolved, sorted by its flags."""
    rows: list[Listed] = []
    for name, overlay in catalog.overlays.items():
        criteria = overlay.criteria
        if criteria is None or any(is_wild(getattr(criteria, dimension)) for dimension in REQUIRED):
            continue
        query = tuple(
            (dimension, str(getattr(criteria, dimension)))
            for dimension in DIMENSIONS
            if not is_wild(getattr(criteria, dimension))
        )
        try:
            applied = tuple(build_recipe(catalog, criteria, version="list").metadata.applied_overlays)
        except RecipeError as err:
            rows.append(Listed(name, query, (), err.upstream_text, targets(catalog, [name])))
            continue
        rows.append(Listed(name, query, applied, "", targets(catalog, applied)))
    rows.sort(key=lambda row: (_sort_key(row.query), row.overlay))
    return rows


def _sort_key(query: tuple[tuple[str, str], ...]) -> tuple[str, ...]:
    values = dict(query)
    return tuple(values.get(dimension, "") for dimension in DIMENSIONS)


def targets(catalog: Catalog, applied: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The target lines of the last overlay in *applied* that has any (none when no overlay does)."""
    for name in reversed(applied):
        overlay = catalog.get(name)
        if overlay is None:
            continue
        try:
            text = catalog.read_text(overlay.path)
        except RecipeError:  # removed or unreadable since it was loaded: no targets from it
            continue
        found = tuple(match.group(1) for match in _TARGETS.finditer(text))
        if found:
            return found
    return ()


def render_listing(catalog: Catalog, rows: list[Listed], fmt: str) -> str:
    """*rows* as `text`, `markdown` (the README's table) or `json`."""
    if fmt == "json":
        return json.dumps([row.as_dict() for row in rows], indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return _markdown(catalog, rows)
    out: list[str] = []
    for row in rows:
        shown = ", ".join(row.applied) if not row.error else f"error: {row.error}"
        out.append(f"{row.command}\n    {shown}\n")
        if row.targets:
            out.append(f"    targets: {'; '.join(row.targets)}\n")
    return "".join(out)


def _common_prefix(catalog: Catalog, rows: list[Listed]) -> tuple[str, ...]:
    """The overlays every resolved row applies first and that state no criteria (base.yaml, wildcards)."""
    resolved = [row.applied for row in rows if not row.error]
    if not resolved:
        return ()
    shared = (index for index, names in enumerate(zip(*resolved, strict=False)) if not _applied_by_all(catalog, names))
    return resolved[0][: next(shared, min(map(len, resolved)))]


def _applied_by_all(catalog: Catalog, names: tuple[str, ...]) -> bool:
    """Whether every row applies the same overlay here, and it states no criteria."""
    overlay = catalog.get(names[0])
    if len(set(names)) != 1 or overlay is None:
        return False
    criteria = overlay.criteria
    return criteria is None or all(is_wild(getattr(criteria, dimension)) for dimension in DIMENSIONS)


def _cell(text: str) -> str:
    """A Markdown table cell: pipes escaped, no line breaks."""
    return " ".join(text.split()).replace("|", "\\|")


def _markdown(catalog: Catalog, rows: list[Listed]) -> str:
    prefix = _common_prefix(catalog, rows)
    header = "applied overlays"
    if prefix:
        header += f" (after {', '.join(f'`{name}`' for name in prefix)})"
    with_targets = any(row.targets for row in rows)
    columns = ["query", header, *(["targets"] if with_targets else [])]
    out = [f"| {' | '.join(columns)} |", "|" + "---|" * len(columns)]
    for row in rows:
        applied = ", ".join(row.applied[len(prefix) :]) if not row.error else f"error: {row.error}"
        cells = [f"`{row.command}`", _cell(applied)]
        if with_targets:
            cells.append(_cell("; ".join(row.targets)))
        out.append(f"| {' | '.join(cells)} |")
    return "\n".join(out) + "\n"
