"""Resolving a query against a snapshot (upstream `BuildRecipeResultWithEvaluatorAndProfile` and its retry).

Each candidate's own constraints are evaluated: a failing (or unreadable) one excludes the
candidate, with warnings. The survivors are composed; constraints that mixins contributed are then
evaluated, and a failure excludes every candidate whose chain names that mixin (the rest are
composed again). A profile declaration must survive, coverage is verified knowing what was
excluded, and the selected profile value's constraints must hold. When coverage fails only on
dimensions the snapshot detected (never on one the user stated, nor one whose overlay a constraint
excluded), those dimensions are relaxed to `any` and the query is resolved once more. Finally the
GPU driver state the snapshot shows is recorded.
"""

from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any, Final

from ._accounting import mariadb_operator_state
from ._composition import composition, profile_declaration
from ._coverage import verify
from ._errors import CoverageError, ErrorCode, RecipeError
from ._matching import candidates, chain
from ._models import ANY, DIMENSIONS, WILD
from ._result import ConstraintWarning, ExcludedOverlay
from ._scalars import TypedText
from ._snapshot_eval import Evaluation, evaluate, is_not_found

if TYPE_CHECKING:
    from collections.abc import Collection

    from ._catalog import Catalog, Overlay
    from ._models import ComponentRef, Constraint, Criteria
    from ._result import RecipeResult
    from ._snapshot import Snapshot

__all__ = ["gpu_driver_state", "resolve_snapshot"]

_CONSTRAINT_FAILED: Final = "constraint-failed"
_MIXIN_CONSTRAINT_FAILED: Final = "mixin-constraint-failed"


def resolve_snapshot(
    catalog: Catalog,
    query: Criteria,
    snapshot: Snapshot,
    *,
    stated: Collection[str],
    profile: str | None = None,
    version: str | None = None,
    accounting: str | None = None,
    inventory: str | None = None,
) -> RecipeResult:
    """Resolve *query* (detected, then overridden by config and flags) against *snapshot*.

    *stated* names the dimensions the user gave (by config or flag), which are never relaxed.
    *accounting* and *inventory* are the build selections (see `complete_recipe`); with
    `aicr-provided` accounting, the MariaDB Operator state the snapshot shows is recorded.
    """
    modes = {"accounting": accounting, "inventory": inventory}
    try:
        result = _build(catalog, query, snapshot, profile, version, modes=modes)
    except CoverageError as err:
        relaxed = _relaxed(err, query, stated)
        if relaxed is None:
            raise
        result = _build(catalog, relaxed, snapshot, profile, version, modes=modes)
    result = _with_driver_state(catalog, result, snapshot)
    return _with_mariadb_state(result, snapshot)


def _with_mariadb_state(result: RecipeResult, snapshot: Snapshot) -> RecipeResult:
    configuration = result.configuration
    slurm = configuration.slurm if configuration is not None else None
    if slurm is None or slurm.accounting is None or slurm.accounting.mode != "aicr-provided":
        return result
    readings: list[object | None] = []
    for item in snapshot.measurements:
        subtype = item.subtype(_MARIADB_SUBTYPE) if item is not None and item.type == "K8s" else None
        if subtype is not None:
            readings.append(subtype.data.get("collection-state"))
    metadata = result.metadata.model_copy(update={"mariadb_operator_state": mariadb_operator_state(readings)})
    return result.model_copy(update={"metadata": metadata})


_MARIADB_SUBTYPE: Final = "mariadb-operator"


def _build(
    catalog: Catalog,
    query: Criteria,
    snapshot: Snapshot,
    profile: str | None,
    version: str | None,
    *,
    modes: dict[str, str | None],
) -> RecipeResult:
    from ._resolution import complete_recipe  # noqa: PLC0415 - the orchestrator imports this module's callers

    if catalog.base is None or catalog.registry is None:
        missing = "base.yaml" if catalog.base is None else "registry.yaml"
        raise RecipeError(f"{missing} not found", code=ErrorCode.INTERNAL)
    found = candidates(catalog, query)
    declared = profile_declaration(catalog, found)
    surviving: list[Overlay] = []
    excluded: list[ExcludedOverlay] = []
    warnings: list[ConstraintWarning] = []
    for overlay in found:
        failed = _overlay_warnings(overlay, snapshot)
        if failed:
            excluded.append(ExcludedOverlay(name=overlay.name, reason=_CONSTRAINT_FAILED))
            warnings.extend(failed)
        else:
            surviving.append(overlay)
    composed = composition(catalog, surviving)
    dropped, mixin_warnings = _mixin_failures(
        catalog, composed.state.constraints, composed.applied, surviving, snapshot
    )
    if dropped:
        excluded.extend(ExcludedOverlay(name=overlay.name, reason=_MIXIN_CONSTRAINT_FAILED) for overlay in dropped)
        warnings.extend(mixin_warnings)
        composed = composition(catalog, [overlay for overlay in surviving if overlay not in dropped])
    if declared is not None and (composed.profile is None or composed.profile.source != declared.source):
        message = f'profile declaration from overlay "{declared.source}" was removed by snapshot constraint filtering'
        raise RecipeError(message, code=ErrorCode.INVALID_REQUEST)
    verify(catalog, query, composed.applied, excluded=[item.name for item in excluded])

    def check_profile(constraint: Constraint, name: str, value: str) -> None:
        _check_profile_constraint(constraint, name, value, snapshot)

    result = complete_recipe(
        catalog, query, composed, profile=profile, version=version, evaluate=check_profile, **modes
    )
    metadata = result.metadata.model_copy(update={"excluded_overlays": excluded, "constraint_warnings": warnings})
    return result.model_copy(update={"metadata": metadata})


def _evaluated(constraint: Constraint, snapshot: Snapshot) -> Evaluation:
    """Evaluate *constraint*; an error other than NOT_FOUND fails the resolution (upstream fails closed)."""
    if not constraint.name:
        raise RecipeError("constraint name is required for snapshot evaluation", code=ErrorCode.INVALID_REQUEST)
    if not constraint.value:
        message = f'constraint "{constraint.name}" value is required for snapshot evaluation'
        raise RecipeError(message, code=ErrorCode.INVALID_REQUEST)
    outcome = evaluate(constraint, snapshot)
    if outcome.error is not None and not is_not_found(outcome.error):
        raise outcome.error
    return outcome


def _overlay_warnings(overlay: Overlay, snapshot: Snapshot) -> list[ConstraintWarning]:
    """The warnings of the overlay's own constraints that fail; none means it passes."""
    warnings: list[ConstraintWarning] = []
    for constraint in overlay.spec.constraints:
        outcome = _evaluated(constraint, snapshot)
        if outcome.error is not None:
            reason = outcome.error.upstream_text
        elif not outcome.passed:
            reason = f"expected {constraint.value}, got {outcome.actual}"
        else:
            continue
        warnings.append(
            ConstraintWarning(
                overlay=overlay.name,
                constraint=constraint.name,
                expected=constraint.value,
                actual=outcome.actual,
                reason=reason,
            )
        )
    return warnings


def _mixin_failures(
    catalog: Catalog,
    constraints: list[Constraint],
    applied: tuple[str, ...],
    surviving: list[Overlay],
    snapshot: Snapshot,
) -> tuple[list[Overlay], list[ConstraintWarning]]:
    """The candidates whose mixins' constraints fail (in candidate order), and the warnings, per constraint."""
    from_mixins = {
        constraint.name
        for name in applied
        if (overlay := catalog.get(name)) is not None
        for mixin in overlay.spec.mixins
        if (found := catalog.mixins.get(mixin)) is not None
        for constraint in found.document.spec.constraints
    }
    if not from_mixins:
        return [], []
    index = _mixin_constraint_index(catalog, surviving)
    failed: set[str] = set()
    warnings: list[ConstraintWarning] = []
    for constraint in constraints:
        if constraint.name not in from_mixins:
            continue
        outcome = _evaluated(constraint, snapshot)
        if outcome.passed:
            continue
        affected = index.get(constraint.name, [])
        if not affected:
            raise RecipeError("failed to map mixin constraint to candidate chain", code=ErrorCode.INTERNAL)
        detail = (
            outcome.error.upstream_text
            if outcome.error is not None
            else f"expected {constraint.value}, got {outcome.actual}"
        )
        for candidate in affected:
            failed.add(candidate)
            warnings.append(
                ConstraintWarning(
                    overlay=candidate,
                    constraint=constraint.name,
                    expected=constraint.value,
                    actual=outcome.actual,
                    reason=f"{_MIXIN_CONSTRAINT_FAILED}: {detail}",
                )
            )
    return [overlay for overlay in surviving if overlay.name in failed], warnings


def _mixin_constraint_index(catalog: Catalog, surviving: list[Overlay]) -> dict[str, list[str]]:
    """Per mixin constraint name, the candidates whose chain names a mixin carrying it (upstream's index)."""
    index: dict[str, list[str]] = {}
    for candidate in surviving:
        seen: set[str] = set()
        for link in chain(catalog, candidate.name):
            for mixin_name in link.spec.mixins:
                mixin = catalog.mixins.get(mixin_name)
                if mixin is None:
                    continue
                for constraint in mixin.document.spec.constraints:
                    if constraint.name not in seen:
                        seen.add(constraint.name)
                        index.setdefault(constraint.name, []).append(candidate.name)
    return index


def _check_profile_constraint(constraint: Constraint, name: str, value: str, snapshot: Snapshot) -> None:
    outcome = evaluate(constraint, snapshot)
    if outcome.error is not None and is_not_found(outcome.error):
        message = f'profile {name}={value} cannot be validated because reading "{constraint.name}" is unavailable'
        raise RecipeError(message, code=ErrorCode.INVALID_REQUEST)
    if outcome.error is not None:
        raise outcome.error
    if not outcome.passed:
        raise RecipeError(
            f'profile {name}={value} constraint "{constraint.name}" failed', code=ErrorCode.INVALID_REQUEST
        )


def _relaxed(error: CoverageError, query: Criteria, stated: Collection[str]) -> Criteria | None:
    """The query with its uncovered, detected dimensions set to `any`; None when upstream does not retry."""
    entries = error.context.get("uncovered") or []
    names = [str(entry["dimension"]) for entry in entries if entry.get("dimension") in DIMENSIONS]
    if not names:
        return None
    for entry in entries:
        if entry.get("dimension") in stated or entry.get("constraintExcluded"):
            return None
    relaxed = query.model_copy(update=dict.fromkeys(names, ANY))
    if all(getattr(relaxed, dimension) in WILD for dimension in DIMENSIONS):
        return None  # every stated dimension was uncovered: the retry would be the generic recipe
    return relaxed


def gpu_driver_state(snapshot: Snapshot) -> str:
    """`preinstalled`, `absent`, or `""` (unknown or not observed), from the first GPU measurement's hardware."""
    gpu = next((m for m in snapshot.measurements if m is not None and m.type == "GPU"), None)
    hardware = gpu.subtype("hardware") if gpu is not None else None
    if hardware is None:
        return ""
    present = hardware.data.get("gpu-present")
    if present is False:
        return ""
    count = hardware.data.get("gpu-count")
    if not isinstance(count, bool) and isinstance(count, int | float) and count == 0:
        return ""
    loaded = hardware.data.get("driver-loaded")
    if not isinstance(loaded, bool):
        return ""
    return "preinstalled" if loaded else "absent"


def _with_driver_state(catalog: Catalog, result: RecipeResult, snapshot: Snapshot) -> RecipeResult:
    """Record the driver state; with a preinstalled driver, turn gpu-operator's driver install off where upstream does.

    Upstream injects `driver.enabled: false` into gpu-operator's overrides when its hydrated values
    already declare `driver.enabled: false` (a preinstalled-driver profile) and no selected profile
    owns that path. Upstream asks the profile's effective lock set: its declared paths plus, when it
    owns advertisement, the allocation-policy closure, which adds only `enabled` and
    `devicePlugin.enabled` to gpu-operator and so never covers `driver.enabled`.
    """
    state = gpu_driver_state(snapshot)
    metadata = result.metadata.model_copy(update={"gpu_driver_state": state})
    result = result.model_copy(update={"metadata": metadata})
    ref = result.component(_GPU_OPERATOR)
    if state != "preinstalled" or ref is None:
        return result
    selected = result.metadata.selected_profile
    owned = selected.owned_paths.get(_GPU_OPERATOR, []) if selected is not None else []
    if any(_paths_intersect(path, _DRIVER_ENABLED) for path in owned):
        return result  # the profile owns driver.enabled: upstream leaves it alone
    if not _declares_driver_off(catalog, ref):
        return result  # upstream only warns
    overrides = copy.deepcopy(ref.overrides or {})
    driver = overrides.get("driver")
    if not isinstance(driver, dict):
        driver = overrides["driver"] = {}
    driver["enabled"] = False
    refs = [item.model_copy(update={"overrides": overrides}) if item is ref else item for item in result.component_refs]
    return result.model_copy(update={"component_refs": refs})


_GPU_OPERATOR: Final = "gpu-operator"
_DRIVER_ENABLED: Final = "driver.enabled"


def _paths_intersect(first: str, second: str) -> bool:
    """Upstream `PathsIntersect`: one dotted path is a prefix of the other (segment by segment)."""
    a, b = first.split("."), second.split(".")
    return all(x == y for x, y in zip(a, b, strict=False))


def _declares_driver_off(catalog: Catalog, ref: ComponentRef) -> bool:
    """Whether gpu-operator's values (base values, valuesFile, overrides merged) set `driver.enabled: false`.

    A values file that cannot be read or parsed makes upstream warn and answer no; so does this.
    """
    from ._composition import raw_layers  # noqa: PLC0415

    try:
        layers = raw_layers(catalog, ref)
    except RecipeError:
        return False
    merged: dict[Any, Any] = {}
    for layer in layers:
        _merge_values(merged, layer)
    driver = merged.get("driver")
    if not isinstance(driver, dict):
        return False
    enabled = driver.get("enabled")
    if isinstance(enabled, TypedText):
        enabled = enabled.value if enabled.tag == "!!bool" else str(enabled)
    return enabled is False


def _merge_values(target: dict[Any, Any], source: dict[Any, Any]) -> None:
    """Upstream `mergeValues`: maps merge key by key, a null deletes, anything else replaces."""
    for key, value in source.items():
        if value is None:
            target.pop(key, None)
        elif isinstance(value, dict) and isinstance(target.get(key), dict):
            _merge_values(target[key], value)
        else:
            target[key] = copy.deepcopy(value) if isinstance(value, dict | list) else value
