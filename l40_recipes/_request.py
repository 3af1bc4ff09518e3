"""The public `resolve()`: what `aicr recipe` is given — criteria, a config file, a snapshot, build options.

With criteria alone the query goes straight to the pipeline (`_resolution.build_recipe`). With a
config file or a snapshot, or a build option, it takes the command line's path (`_recipe_inputs`):
the config is read first, the catalog next (with the config's data layer), then the snapshot's
criteria are detected and overridden by the config's and the caller's, as upstream does.
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from ._catalog import Catalog
from ._criteria import build_query, specificity
from ._errors import CriteriaError, ErrorCode, RecipeError
from ._loading import load_catalog
from ._models import DIMENSIONS, Criteria, is_wild
from ._recipe_inputs import Inputs, check_config, recipe_from_inputs
from ._resolution import NO_CRITERIA_MESSAGE, build_recipe
from ._semantics import AicrVersion, aicr_version as as_aicr_version
from ._shipped import shipped_catalog, shipped_catalog_root

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ._aicr_config import AicrConfig
    from ._result import RecipeResult

__all__ = ["resolve"]

_FORMAT = "yaml"  # an Inputs field the library never uses: it returns the recipe, it does not print it


def resolve(
    criteria: Criteria | Mapping[str, object] | None = None,
    /,
    *,
    catalog: Catalog | str | os.PathLike[str] | None = None,
    profile: str | None = None,
    version: str | None = None,
    aicr_version: AicrVersion | str | None = None,
    data: str | os.PathLike[str] | None = None,
    config: str | os.PathLike[str] | None = None,
    snapshot: str | os.PathLike[str] | None = None,
    accounting_mode: str | None = None,
    runtime_inventory: str | None = None,
    **dimensions: object,
) -> RecipeResult:
    """Resolve a query into a recipe, as `aicr recipe` would.

    >>> resolve(service="eks", accelerator="l40s", intent="inference", os="ubuntu")   # doctest: +SKIP
    RecipeResult(kind='RecipeResult', ...)
    >>> resolve(snapshot="snapshot.yaml", intent="inference")   # doctest: +SKIP

    Args:
        criteria: A `Criteria` (used as given), or a mapping of raw values (parsed like CLI flags).
        catalog: A loaded `Catalog`, or a catalog path; default: the catalog shipped with the package.
        profile: `name=value`, like `aicr recipe --profile`; default: the config's, if any.
        version: `metadata.version` to stamp; default: this package's version.
        aicr_version: The upstream release to resolve as (`"0.20"` or `"1.0"`); default: the
            catalog's own (`Catalog.aicr_version`, detected from its headers).
        data: A directory layered over the catalog, as `aicr recipe --data DIR` (see
            `load_catalog`); only with a catalog path or the shipped catalog, not a loaded `Catalog`.
            Default: the config's `spec.recipe.data`, if any.
        config: An AICRConfig file, as `aicr recipe --config FILE`: its `spec.recipe` fills what the
            other arguments leave unset (criteria per dimension, profile, snapshot, data, modes).
        snapshot: A snapshot file, as `aicr recipe --snapshot FILE`: criteria are detected from it
            (then the config's and the caller's override them) and each candidate overlay's
            constraints are evaluated against its readings.
        accounting_mode: `--slurm-accounting-mode` (`disabled`, `customer-managed`, `aicr-provided`).
        runtime_inventory: `--runtime-inventory` (`enabled` or `disabled`).
        **dimensions: Raw values for `service`, `accelerator` (or `gpu`), `intent`, `os`,
            `platform` and `nodes`, parsed like CLI flags (trimmed, lowercased, aliases applied).

    Raises:
        CriteriaError: a value is not known to upstream or to the catalog.
        CoverageError: a stated dimension has no overlay (upstream's exact message and completions).
        ResolutionError: the composition is inconsistent (cycles, missing parents, mixins, profiles).
        RecipeLoadError: *catalog* is a path whose files do not load.
        RecipeError: *aicr_version* differs from the release a loaded `Catalog` was read as; the
            config or snapshot does not load (upstream's error, code and exit status); a mode is
            not one upstream accepts.
        ValueError: *aicr_version* is not a reproduced release.
        TypeError: *data* with a loaded `Catalog`; a dimension given twice or unknown.
    """
    wanted = as_aicr_version(aicr_version)
    if data is not None and isinstance(catalog, Catalog):
        msg = "data= layers over a catalog path; load the Catalog with load_catalog(path, data=...) instead"
        raise TypeError(msg)
    # A Criteria alone is the query as given: its values are read as flags only for the command
    # line's path (reading them for nothing was 5 % of a public resolve() sweep).
    given = criteria if isinstance(criteria, Criteria) and not dimensions else None
    flag_values = _raw_values(criteria, dimensions) if given is None else {}
    if config is None and snapshot is None and accounting_mode is None and runtime_inventory is None:
        loaded = _as_catalog(catalog, wanted, data)
        query = given if given is not None else _as_query(flag_values, loaded)
        if specificity(query) == 0:
            raise CriteriaError(NO_CRITERIA_MESSAGE)
        return build_recipe(loaded, query, profile=profile, version=version)
    if given is not None:
        flag_values = _raw_values(given, {})
    from ._aicr_config import load_config_file  # noqa: PLC0415

    source = os.fspath(config) if config is not None else ""
    settings = load_config_file(source, defer_header=True) if source else None  # upstream reads it first
    inputs = Inputs(
        config=settings,
        format=_FORMAT,
        output=None,
        profile=profile if profile is not None else (settings.profile or None if settings else None),
        snapshot=os.fspath(snapshot) if snapshot is not None else (settings.snapshot if settings else ""),
        data=_data(data, settings),
        accounting_flag=accounting_mode,
        inventory_flag=runtime_inventory,
        flag_values=_as_flags(flag_values),
        config_source=source,
    )
    if wanted is not None:
        check_config(inputs, wanted)
    loaded = _as_catalog(catalog, wanted, inputs.data)
    check_config(inputs, loaded.aicr_version)
    return recipe_from_inputs(inputs, loaded, version)


def _data(data: str | os.PathLike[str] | None, settings: AicrConfig | None) -> str | None:
    """The data layer as `aicr recipe` settles it: the caller's, unless empty; else the config's."""
    given = os.fspath(data) if data is not None else ""
    return given or ((settings.data or None) if settings is not None else None)


def _as_catalog(
    catalog: Catalog | str | os.PathLike[str] | None, wanted: AicrVersion | None, data: str | os.PathLike[str] | None
) -> Catalog:
    if data is not None:
        if isinstance(catalog, Catalog):
            msg = "the config's data layers over a catalog path; pass the catalog's path instead of a loaded Catalog"
            raise TypeError(msg)
        return load_catalog(shipped_catalog_root() if catalog is None else catalog, aicr_version=wanted, data=data)
    if catalog is None:
        shipped = shipped_catalog()
        if wanted is None or wanted is shipped.aicr_version:
            return shipped
        return load_catalog(shipped_catalog_root(), aicr_version=wanted)
    if isinstance(catalog, Catalog):
        if wanted is not None and wanted is not catalog.aicr_version:
            msg = (
                f"the catalog was loaded as aicr {catalog.aicr_version.name} "
                f"({catalog.aicr_version_source}); it cannot be resolved as aicr {wanted.name}"
            )
            raise RecipeError(
                msg,
                code=ErrorCode.INVALID_REQUEST,
                hint=f'load it with load_catalog(path, aicr_version="{wanted.name}"), or pass the path instead',
            )
        return catalog
    return load_catalog(catalog, aicr_version=wanted)


def _raw_values(
    criteria: Criteria | Mapping[str, object] | None, dimensions: Mapping[str, object]
) -> dict[str, object]:
    """The caller's dimensions as flag values: a `Criteria` gives its stated ones, a mapping its raw ones."""
    if isinstance(criteria, Criteria):
        if dimensions:
            msg = "pass either a Criteria or keyword dimensions, not both"
            raise TypeError(msg)
        stated: dict[str, object] = {
            name: text for name in DIMENSIONS if not is_wild(text := str(getattr(criteria, name)))
        }
        if criteria.nodes > 0:
            stated["nodes"] = criteria.nodes
        return stated
    raw: dict[str, object] = dict(criteria or {})
    for key, value in dimensions.items():
        if key in raw:
            msg = f"dimension {key!r} given twice"
            raise TypeError(msg)
        raw[key] = value
    if "gpu" in raw and "accelerator" in raw:
        msg = "dimension 'accelerator' given twice (as 'gpu')"
        raise TypeError(msg)
    unknown = sorted(set(raw) - {*DIMENSIONS, "gpu", "nodes"})
    if unknown:
        msg = (
            f"unknown criteria dimension(s) {', '.join(map(repr, unknown))}; expected {', '.join(DIMENSIONS)} or nodes"
        )
        raise TypeError(msg)
    return raw


def _as_flags(raw: Mapping[str, object]) -> dict[str, object]:
    """Raw values as the command line's flags hold them: `gpu` is `accelerator`, `nodes` an int.

    Raises:
        CriteriaError: a dimension's value is not a string, or `nodes` is not a node count.
    """
    flags: dict[str, object] = {}
    for key, value in raw.items():
        if value is None:
            continue
        dimension = "accelerator" if key == "gpu" else key
        if dimension == "nodes":
            flags[dimension] = build_query({"nodes": value}).nodes  # the direct path's parse and errors
            continue
        if not isinstance(value, str):
            build_query({dimension: value})  # raises the direct path's error for a value of the wrong type
        flags[dimension] = value
    return flags


def _as_query(raw: Mapping[str, object], catalog: Catalog) -> Criteria:
    return build_query(raw, known=catalog.known_values, semantics=catalog.aicr_version)
