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
from ._errors import ErrorCode, RecipeError
from ._matching import candidates
from ._profiles import (
    apply_profile,
    check_profile_targets,
    parse_selection,
)
from ._recipe_flags import apply_runtime_inventory
from ._version import __version__
from ._yaml import parse_yaml

if TYPE_CHECKING:
    from collections.abc import Callable

    from ._composition import Composition
    from ._errors import Location
    from ._models import ComponentRef, Constraint, Criteria
    from ._result import (
        RecipeResult,
    )


__all__ = ["NO_CRITERIA_MESSAGE", "build_recipe", "complete_recipe"]

_Problem = tuple[str, type[Exception], str, "Location | None"]
_FINISHED: Final[Memo[tuple[str, ...], Finished]] = Memo("finished components per composition")
#: A profile-owned component's values file: None when it reads and parses, else the error to raise
#: (message, cause type and text, where; each raise builds its own exceptions). The 102 leaf queries
#: read 6 files 67 times: parsed once per catalog, their first resolutions took 0.036 → 0.028 s (min of 7).
_VALUES_FILES: Final[Memo[str, _Problem | None]] = Memo("profile-owned values files that fail to read or parse")

NO_CRITERIA_MESSAGE: Final = (
    "no criteria provided: specify at least one of --service, --accelerator, --intent, --os, --platform, "
    "--nodes, --config, or use --snapshot to load from a snapshot file"
)


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
    table = catalog.memo(_VALUES_FILES)
    if ref.values_file not in table:
        table[ref.values_file] = _values_file_problem(catalog, ref.values_file)
    problem = table[ref.values_file]
    if problem is not None:
        message, cause, detail, location = problem
        raise RecipeError(message, code=ErrorCode.INTERNAL, cause=cause(detail), location=location)


def _values_file_problem(catalog: Catalog, relative: str) -> _Problem | None:
    """Why the values file *relative* cannot be read or parsed (message, cause type and text, where), or None."""
    try:
        text = catalog.read_text(relative)
    except RecipeError as err:
        detail = err.message.replace("No such file or directory", "file does not exist")
        return f'failed to read values file "{relative}"', OSError, detail, None
    try:
        parse_yaml(text, path=relative)
    except RecipeError as err:
        detail = err.message.removeprefix(f"failed to parse {relative}: ")
        return f'failed to parse values file "{relative}"', ValueError, detail, err.location
    return None
