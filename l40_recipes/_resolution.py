"""Resolve a criteria query into a recipe, step for step as upstream's `BuildRecipeResultWithProfile`.

candidates (maximal leaves) → profile declaration → chains merged root to leaf, each overlay once →
mixins → coverage post-condition → profile application → dependency validation → deployment order →
type canonicalization → registry defaults and health checks → duplicate and coherence checks →
build configuration (runtime inventory, then Slurm accounting) → coherence again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from . import _coverage
from ._accounting import DISABLED, apply_slurm_accounting
from ._catalog import Catalog, Memo
from ._components import Finished, assemble, check_coherence, finish
from ._composition import composition
from ._criteria import build_query, specificity
from ._errors import CriteriaError, ErrorCode, RecipeError
from ._loading import load_catalog
from ._matching import candidates
from ._models import DIMENSIONS, ComponentRef, Criteria
from ._profiles import (
    apply_profile,
    check_profile_targets,
    parse_selection,
)
from ._recipe_flags import apply_runtime_inventory
from ._semantics import AicrVersion, aicr_version as as_aicr_version
from ._shipped import shipped_catalog, shipped_catalog_root
from ._version import __version__
from ._yaml import parse_yaml

if TYPE_CHECKING:
    import os
    from collections.abc import Callable, Mapping

    from ._composition import Composition
    from ._models import Constraint
    from ._result import (
        RecipeResult,
    )


__all__ = ["NO_CRITERIA_MESSAGE", "build_recipe", "complete_recipe", "resolve"]

_FINISHED: Final[Memo[tuple[str, ...], Finished]] = Memo("finished components per composition")

NO_CRITERIA_MESSAGE: Final = (
    "no criteria provided: specify at least one of --service, --accelerator, --intent, --os, --platform, "
    "--nodes, --config, or use --snapshot to load from a snapshot file"
)


def resolve(
    criteria: Criteria | Mapping[str, object] | None = None,
    /,
    *,
    catalog: Catalog | str | os.PathLike[str] | None = None,
    profile: str | None = None,
    version: str | None = None,
    aicr_version: AicrVersion | str | None = None,
    data: str | os.PathLike[str] | None = None,
    **dimensions: object,
) -> RecipeResult:
    """Resolve a query into a recipe, as `aicr recipe` would.

    >>> resolve(service="eks", accelerator="l40s", intent="inference", os="ubuntu")   # doctest: +SKIP
    RecipeResult(kind='RecipeResult', ...)

    Args:
        criteria: A `Criteria` (used as given), or a mapping of raw values (parsed like CLI flags).
        catalog: A loaded `Catalog`, or a catalog path; default: the catalog shipped with the package.
        profile: `name=value`, like `aicr recipe --profile`.
        version: `metadata.version` to stamp; default: this package's version.
        aicr_version: The upstream release to resolve as (`"0.20"` or `"1.0"`); default: the
            catalog's own (`Catalog.aicr_version`, detected from its headers).
        data: A directory layered over the catalog, as `aicr recipe --data DIR` (see
            `load_catalog`); only with a catalog path or the shipped catalog, not a loaded `Catalog`.
        **dimensions: Raw values for `service`, `accelerator` (or `gpu`), `intent`, `os`,
            `platform` and `nodes`, parsed like CLI flags (trimmed, lowercased, aliases applied).

    Raises:
        CriteriaError: a value is not known to upstream or to the catalog.
        CoverageError: a stated dimension has no overlay (upstream's exact message and completions).
        ResolutionError: the composition is inconsistent (cycles, missing parents, mixins, profiles).
        RecipeLoadError: *catalog* is a path whose files do not load.
        RecipeError: *aicr_version* differs from the release a loaded `Catalog` was read as.
        ValueError: *aicr_version* is not a reproduced release.
    """
    if data is not None:
        if isinstance(catalog, Catalog):
            msg = "data= layers over a catalog path; load the Catalog with load_catalog(path, data=...) instead"
            raise TypeError(msg)
        root = shipped_catalog_root() if catalog is None else catalog
        loaded = load_catalog(root, aicr_version=as_aicr_version(aicr_version), data=data)
    else:
        loaded = _as_catalog(catalog, as_aicr_version(aicr_version))
    query = _as_query(criteria, dimensions, loaded)
    if specificity(query) == 0:
        raise CriteriaError(NO_CRITERIA_MESSAGE)
    return build_recipe(loaded, query, profile=profile, version=version)


def _as_catalog(catalog: Catalog | str | os.PathLike[str] | None, wanted: AicrVersion | None) -> Catalog:
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


def _as_query(
    criteria: Criteria | Mapping[str, object] | None, dimensions: Mapping[str, object], catalog: Catalog
) -> Criteria:
    if isinstance(criteria, Criteria):
        if dimensions:
            msg = "pass either a Criteria or keyword dimensions, not both"
            raise TypeError(msg)
        return criteria
    raw: dict[str, object] = dict(criteria or {})
    for key, value in dimensions.items():
        if key in raw:
            msg = f"dimension {key!r} given twice"
            raise TypeError(msg)
        raw[key] = value
    unknown = sorted(set(raw) - {*DIMENSIONS, "gpu", "nodes"})
    if unknown:
        msg = (
            f"unknown criteria dimension(s) {', '.join(map(repr, unknown))}; expected {', '.join(DIMENSIONS)} or nodes"
        )
        raise TypeError(msg)
    return build_query(raw, known=catalog.known_values, semantics=catalog.aicr_version)


def build_recipe(
    catalog: Catalog,
    query: Criteria,
    *,
    profile: str | None = None,
    version: str | None = None,
    coverage_details: bool = True,
    accounting: str | None = None,
    inventory: str | None = None,
) -> RecipeResult:
    """Resolve an already-parsed *query* against *catalog* (no specificity check).

    *coverage_details* False skips composing completions for a coverage error (for sweeps that
    only classify outcomes). *accounting* and *inventory* are the build selections (see
    `complete_recipe`).
    """
    if catalog.base is None or catalog.registry is None:
        missing = "base.yaml" if catalog.base is None else "registry.yaml"
        msg = f"{missing} not found"
        raise RecipeError(msg, code=ErrorCode.INTERNAL, hint="resolve against a catalog that loads without problems")
    found = candidates(catalog, query)
    composed = composition(catalog, found)
    _coverage.verify(catalog, query, composed.applied, details=coverage_details)
    return complete_recipe(
        catalog, query, composed, profile=profile, version=version, accounting=accounting, inventory=inventory
    )


def complete_recipe(
    catalog: Catalog,
    query: Criteria,
    composed: Composition,
    *,
    profile: str | None = None,
    version: str | None = None,
    evaluate: Callable[[Constraint, str, str], None] | None = None,
    accounting: str | None = None,
    inventory: str | None = None,
) -> RecipeResult:
    """A verified *composed* made a recipe: the profile applied, components finished, build configuration.

    *evaluate* checks the selected profile value's constraints (snapshot resolution; see `apply_profile`).
    The build configuration is upstream's order: the runtime *inventory* mode (`enabled`/`disabled`,
    None: as the recipe declares), then for a Slurm query the Slurm *accounting* mode (canonical,
    None: `disabled`; refused for another platform before resolving, see `check_accounting_platform`).
    """
    selection = parse_selection(profile)  # upstream parses --profile only once coverage holds
    state = composed.state.copy()
    selected = apply_profile(state, composed.profile, selection, evaluate=evaluate)
    if selected is None:  # the composition's own components: finish them once per catalog
        table = catalog.memo(_FINISHED)
        finished = table.get(composed.key)
        if finished is None:
            finished = table[composed.key] = finish(catalog, state.component_refs, shared=True)
    else:
        finished = finish(catalog, state.component_refs)
    semantics = catalog.aicr_version
    result = assemble(
        query, state, composed.applied, finished, __version__ if version is None else version, semantics=semantics
    )
    if selected is None and query.platform != "slurm" and inventory is None:
        return result  # nothing changed since assemble() checked coherence
    if selected is not None:
        check_profile_targets(selected, result.component_refs, values=lambda ref: _read_values_file(catalog, ref))
        result = result.model_copy(
            update={
                "api_version": semantics.configured_result_api_version,
                "metadata": result.metadata.model_copy(update={"selected_profile": selected}),
            },
        )
    if inventory is not None:
        result = apply_runtime_inventory(result, inventory, semantics)
    if query.platform == "slurm":
        result = apply_slurm_accounting(result, semantics, accounting or DISABLED)
    check_coherence(result, semantics)
    return result


def _read_values_file(catalog: Catalog, ref: ComponentRef) -> None:
    """Read and parse a profile-owned component's `valuesFile`, as upstream does to check the owned paths.

    A missing or unparsable file is upstream's INTERNAL error (exit 8); the paths it owns are assigned
    by the profile whatever the file holds, so its content is not otherwise looked at.
    """
    if not ref.values_file:
        return
    try:
        text = catalog.read_text(ref.values_file)
    except RecipeError as err:
        detail = err.message.replace("No such file or directory", "file does not exist")
        message = f'failed to read values file "{ref.values_file}"'
        raise RecipeError(message, code=ErrorCode.INTERNAL, cause=OSError(detail)) from None
    try:
        parse_yaml(text, path=ref.values_file)
    except RecipeError as err:
        detail = err.message.removeprefix(f"failed to parse {ref.values_file}: ")
        message = f'failed to parse values file "{ref.values_file}"'
        raise RecipeError(message, code=ErrorCode.INTERNAL, cause=ValueError(detail), location=err.location) from None
