"""Slurm accounting: the build configuration upstream applies to Slurm recipes (`applyBuildConfig`).

Three modes decide who owns the accounting database: `disabled` (none, the default), `customer-managed`
(accounting on, the user's database) and `aicr-provided` (accounting on, MariaDB installed with the
recipe). Runtime inventory (`_recipe_flags.apply_runtime_inventory`) is applied before the mode.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from ._errors import ErrorCode, RecipeError, ResolutionError
from ._go_text import go_quote, go_trim_space, go_v
from ._merge import deep_merge, topological_sort
from ._profiles import ownership_conflict
from ._result import (
    RecipeConfiguration,
    RecipeResult,
    SlurmAccountingConfiguration,
    SlurmConfiguration,
)
from ._scalars import AnyKeyMap, unmarshal_error

if TYPE_CHECKING:
    from ._models import ComponentRef
    from ._semantics import AicrVersion

__all__ = [
    "DISABLED",
    "MARIADB_STATES",
    "accounting_ownership",
    "apply_slurm_accounting",
    "check_accounting",
    "mariadb_operator_state",
    "mariadb_warning",
    "recompute_order",
]

_SLURM: Final = "slinky-slurm"
DISABLED: Final = "disabled"
_CUSTOMER: Final = "customer-managed"
_PROVIDED: Final = "aicr-provided"
_MODES: Final = (DISABLED, _CUSTOMER, _PROVIDED)

_MARIADB_COMPONENTS: Final = ("mariadb-operator-crds", "mariadb-operator", "slurm-accounting-mariadb")

#: The database connection contract `aicr-provided` fixes, per component (beyond what every mode owns).
_PROVIDED_PATHS: Final = {
    _SLURM: tuple(
        f"accounting.storageConfig.{leaf}"
        for leaf in ("database", "host", "passwordKeyRef.key", "passwordKeyRef.name", "port", "username")
    ),
    "slurm-accounting-mariadb": (
        "databases",
        "fullnameOverride",
        "grants",
        "mariadb.cleanupPolicy",
        "mariadb.database",
        *(
            f"mariadb.{secret}.{leaf}"
            for secret in ("passwordSecretKeyRef", "rootPasswordSecretKeyRef")
            for leaf in ("generate", "key", "name")
        ),
        "mariadb.username",
        "namespaceOverride",
        "users",
    ),
}


def accounting_ownership(mode: str = DISABLED) -> dict[str, list[str]]:
    """Paths *mode* owns (upstream `AccountingOwnership`).

    Every mode owns the gates; `aicr-provided` owns the MariaDB connection settings too.
    """
    paths = {_SLURM: ["accounting.enabled", "enabled"]}
    for name in _MARIADB_COMPONENTS:
        paths[name] = ["enabled", "install"]
    if mode == _PROVIDED:
        for name, extra in _PROVIDED_PATHS.items():
            paths[name] = [*paths[name], *extra]
    return paths


def _check_profile_ownership(result: RecipeResult, mode: str) -> None:
    selected = result.metadata.selected_profile
    if selected is None:
        return
    conflict = ownership_conflict(
        f"profile {selected.name}={selected.value}",
        selected.owned_paths,
        f"configuration.slurm.accounting.mode={mode}",
        accounting_ownership(mode),
    )
    if conflict is not None:
        raise conflict


def recompute_order(result: RecipeResult) -> RecipeResult:
    """The deployment order again, after a build selection changed which components are enabled."""
    try:
        order = topological_sort(result.component_refs)
    except RecipeError as err:  # pragma: no cover - the order was computable before the selection
        raise ResolutionError(
            "failed to recompute deployment order after applying a build selection",
            code=ErrorCode.INTERNAL,
            cause=err,
        ) from None
    return result.model_copy(update={"deployment_order": order})


def apply_slurm_accounting(result: RecipeResult, semantics: AicrVersion, mode: str = DISABLED) -> RecipeResult:
    """Upstream `applyBuildConfig`'s accounting half for a Slurm recipe in *mode*.

    slinky-slurm's `accounting.enabled` is on unless *mode* is `disabled` (and then its health check
    gains a step that waits for the accounting StatefulSet); the MariaDB components install only
    for `aicr-provided`. The deployment order is recomputed.

    Raises:
        RecipeError: INVALID_REQUEST for a profile owning a path the mode owns, or a Slurm recipe
            lacking a component, health check or namespace the mode needs.
    """
    _check_profile_ownership(result, mode)
    configuration = result.configuration or RecipeConfiguration()
    slurm = SlurmConfiguration(accounting=SlurmAccountingConfiguration(mode=mode))
    enabled = mode != DISABLED
    refs = {ref.name: ref for ref in result.component_refs}
    _override(refs, _SLURM, {"accounting": {"enabled": enabled}})
    if enabled:
        refs[_SLURM] = _with_accounting_step(refs[_SLURM])
    for name in _MARIADB_COMPONENTS:
        _override(refs, name, {"install": mode == _PROVIDED})
    updated = result.model_copy(
        update={
            "api_version": semantics.configured_result_api_version,
            "configuration": configuration.model_copy(update={"slurm": slurm}),
            "component_refs": [refs[ref.name] for ref in result.component_refs],
        },
    )
    return recompute_order(updated)


def _override(refs: dict[str, ComponentRef], name: str, override: dict[str, Any]) -> None:
    ref = refs.get(name)
    if ref is None:
        msg = f"Slurm recipe is missing required accounting component {go_quote(name)}"
        raise ResolutionError(msg, hint=f"add {name!r} to the slurm overlay's componentRefs")
    refs[name] = ref.model_copy(update={"overrides": deep_merge(ref.overrides, override)})


def _invalid(message: str, hint: str | None = None, cause: BaseException | None = None) -> RecipeError:
    return RecipeError(message, code=ErrorCode.INVALID_REQUEST, hint=hint, cause=cause)


def _with_accounting_step(ref: ComponentRef) -> ComponentRef:
    """slinky-slurm with a last health-check step asserting its accounting StatefulSet is available.

    The check is read as Go reads it into a map (comments dropped) and written back with keys sorted,
    as upstream re-serializes it.
    """
    from ._serialize import go_yaml  # noqa: PLC0415
    from ._yaml import parse_yaml  # noqa: PLC0415

    if not go_trim_space(ref.health_check_asserts):
        raise _invalid(
            "enabled Slurm accounting requires a slinky-slurm health check",
            hint="give slinky-slurm a healthCheck.assertFile in registry.yaml or in the overlay",
        )
    if not go_trim_space(ref.namespace):
        raise _invalid(
            "enabled Slurm accounting requires a namespace for slinky-slurm",
            hint="set slinky-slurm's namespace in registry.yaml or in the overlay",
        )
    where = f"{ref.name} healthCheckAsserts"
    unreadable = "failed to parse slinky-slurm health check for accounting specialization"
    try:
        document = parse_yaml(ref.health_check_asserts, path=where, freeform=True)
    except RecipeError as err:  # yaml.v3's own text is the cause; our position refers to the check's text
        detail = (
            err.cause if err.cause is not None else ValueError(err.message.removeprefix(f"failed to parse {where}: "))
        )
        raise _invalid(unreadable, hint="fix the YAML of slinky-slurm's health check file", cause=detail) from None
    check = document.data
    if check is not None and not isinstance(check, dict):
        line = document.source.values[()][0]
        typed = parse_yaml(ref.health_check_asserts, path=where).data  # the scalar's tag, as yaml.v3 names it
        reason = f"yaml: unmarshal errors:\n  line {line}: {unmarshal_error(typed, 'map[string]interface {}')}"
        raise _invalid(unreadable, hint="the check must be a mapping", cause=ValueError(reason))
    spec = (check or {}).get("spec")
    if not isinstance(spec, dict) or isinstance(spec, AnyKeyMap):
        raise _invalid("slinky-slurm health check has no object spec", hint="the check needs a `spec:` mapping")
    steps = spec.get("steps")
    if not isinstance(steps, list):
        raise _invalid("slinky-slurm health check has no steps list", hint="the check needs `spec.steps:` as a list")
    step = {
        "name": "validate-accounting-ready",
        "try": [
            {
                "assert": {
                    "resource": {
                        "apiVersion": "apps/v1",
                        "kind": "StatefulSet",
                        "metadata": {"name": f"{ref.name}-accounting", "namespace": ref.namespace},
                        "status": {"(availableReplicas > `0`)": True},
                    },
                },
            },
        ],
    }
    assert check is not None  # spec was found in it
    rewritten = {**check, "spec": {**spec, "steps": [*steps, step]}}
    return ref.model_copy(update={"health_check_asserts": go_yaml(rewritten)})


def check_accounting(result: RecipeResult, semantics: AicrVersion) -> None:
    """Upstream `validateAccountingConfiguration`: a recorded mode is canonical and fully applied.

    A configuration needs the release's profile-track apiVersion (`aicr.run/v1beta2` at 1.0:
    `aicr.run/v1` with a configuration is an error), a Slurm recipe, no profile owning the mode's
    paths, the gates the mode sets, and the components it turns on enabled.
    """
    configured = semantics.configured_result_api_version
    configuration = result.configuration
    if configuration is None or configuration.slurm is None or configuration.slurm.accounting is None:
        return
    if result.api_version != configured:
        msg = f'configuration.slurm.accounting requires apiVersion "{configured}" (got "{result.api_version}")'
        raise ResolutionError(msg)
    if result.criteria.platform != "slurm":
        msg = "configuration.slurm.accounting is only valid for a Slurm recipe"
        raise ResolutionError(msg)
    mode = configuration.slurm.accounting.mode
    canonical = go_trim_space(mode).lower()
    if canonical not in _MODES:
        msg = f"invalid Slurm accounting mode {go_quote(mode)}: must be one of {', '.join(_MODES)}"
        raise _invalid(msg)
    if canonical != mode:
        msg = (
            f"configuration.slurm.accounting.mode must use canonical value {go_quote(canonical)} (got {go_quote(mode)})"
        )
        raise _invalid(msg)
    _check_profile_ownership(result, mode)
    gates: list[tuple[str, tuple[str, ...], bool]] = [(_SLURM, ("accounting", "enabled"), mode != DISABLED)]
    gates += [(name, ("install",), mode == _PROVIDED) for name in _MARIADB_COMPONENTS]
    for name, path, expected in gates:
        ref = _required(result, name)
        actual = _lookup(ref.overrides, path)
        if actual is not expected:
            msg = (
                f"component {go_quote(name)} override {'.'.join(path)} must be {str(expected).lower()} "
                f"for the selected Slurm accounting mode (got {go_v(actual)})"
            )
            raise _invalid(msg)
        if expected and not ref.enabled:
            msg = f"component {go_quote(name)} must be enabled for Slurm accounting mode {go_quote(mode)}"
            raise _invalid(msg, hint=f"remove the override that disables {name} in the overlays")


def _required(result: RecipeResult, name: str) -> ComponentRef:
    ref = result.component(name)
    if ref is None:  # a recipe read back, not one built here (applying the mode required it)
        raise _invalid(f"accounting mode requires component {go_quote(name)}")
    return ref


def _lookup(overrides: dict[str, Any] | None, path: tuple[str, ...]) -> Any:
    value: Any = overrides
    for key in path:
        if not isinstance(value, dict):
            return value
        value = value.get(key)
    return value


#: The MariaDB Operator evidence states a snapshot records, by precedence (the last wins).
MARIADB_STATES: Final = ("absent", "api-detected", "unknown", "crs-detected")

_MARIADB_WARNINGS: Final = {
    "crs-detected": (
        "AICR-provided Slurm accounting conflicts with existing official MariaDB resources; "
        "`aicr bundle` will block installation. Regenerate the recipe with "
        "--slurm-accounting-mode customer-managed to use the existing database"
    ),
    "unknown": (
        "MariaDB Operator conflict evidence is inconclusive for AICR-provided Slurm accounting; "
        "`aicr bundle` will block installation. Capture a fresh snapshot with sufficient "
        "Kubernetes discovery permissions, or regenerate the recipe with "
        "--slurm-accounting-mode customer-managed"
    ),
    "api-detected": (
        "the official MariaDB Operator API is present but no MariaDB resources were detected; "
        "AICR-provided Slurm accounting may reuse the existing CRDs, and bundling is allowed. "
        "Use --slurm-accounting-mode customer-managed if the existing operator owns the database"
    ),
}


def mariadb_operator_state(readings: list[object | None]) -> str:
    """The state of the official MariaDB Operator from each K8s measurement's `mariadb-operator` reading.

    *readings* holds, per measurement with that subtype, its `collection-state` value (None when
    absent). An unrecognised or missing reading counts as `unknown`; the most alarming state wins.
    """
    best = ""
    for reading in readings:
        state = reading if isinstance(reading, str) and reading in MARIADB_STATES else "unknown"
        if not best or MARIADB_STATES.index(state) > MARIADB_STATES.index(best):
            best = state
    return best


def mariadb_warning(state: str) -> str | None:
    """The warning upstream logs for a recipe resolved with *state* in `aicr-provided` mode, if any."""
    return _MARIADB_WARNINGS.get(state)
