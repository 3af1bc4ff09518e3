"""Slurm accounting: the build configuration upstream applies to Slurm recipes (`applyBuildConfig`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from ._errors import ErrorCode, RecipeError, ResolutionError
from ._merge import deep_merge, topological_sort
from ._profiles import (
    ownership_conflict,
)
from ._result import (
    RecipeConfiguration,
    RecipeResult,
    SlurmAccountingConfiguration,
    SlurmConfiguration,
)

if TYPE_CHECKING:
    from ._semantics import AicrVersion

_SLURM: Final = "slinky-slurm"


_MARIADB_COMPONENTS: Final = ("mariadb-operator-crds", "mariadb-operator", "slurm-accounting-mariadb")


def accounting_ownership() -> dict[str, list[str]]:
    """Paths the `disabled` accounting mode owns (upstream `AccountingOwnership`)."""
    paths = {_SLURM: ["accounting.enabled", "enabled"]}
    for name in _MARIADB_COMPONENTS:
        paths[name] = ["enabled", "install"]
    return paths


def apply_slurm_accounting(result: RecipeResult, semantics: AicrVersion) -> RecipeResult:
    """Upstream `applyBuildConfig` for a Slurm recipe in its default accounting mode, `disabled`.

    Accounting is switched off on slinky-slurm and the MariaDB components are not installed. The
    other modes (`customer-managed`, `aicr-provided`) need upstream's `--slurm-accounting-mode`
    flag, which this package does not offer.
    """
    mode = "disabled"
    selected = result.metadata.selected_profile
    if selected is not None:
        conflict = ownership_conflict(
            f"profile {selected.name}={selected.value}",
            selected.owned_paths,
            f"configuration.slurm.accounting.mode={mode}",
            accounting_ownership(),
        )
        if conflict is not None:
            raise conflict
    refs = {ref.name: ref for ref in result.component_refs}
    overrides: list[tuple[str, dict[str, Any]]] = [(_SLURM, {"accounting": {"enabled": False}})]
    overrides += [(name, {"install": False}) for name in _MARIADB_COMPONENTS]
    for name, override in overrides:
        ref = refs.get(name)
        if ref is None:
            msg = f'Slurm recipe is missing required accounting component "{name}"'
            raise ResolutionError(msg, hint=f"add {name!r} to the slurm overlay's componentRefs")
        refs[name] = ref.model_copy(update={"overrides": deep_merge(ref.overrides, override)})
    component_refs = [refs[ref.name] for ref in result.component_refs]
    try:
        order = topological_sort(component_refs)
    except RecipeError as err:  # pragma: no cover - the order was computable before gating
        raise ResolutionError(
            "failed to recompute deployment order after applying a build selection",
            code=ErrorCode.INTERNAL,
            cause=err,
        ) from None
    return result.model_copy(
        update={
            "api_version": semantics.configured_result_api_version,
            "configuration": RecipeConfiguration(
                slurm=SlurmConfiguration(accounting=SlurmAccountingConfiguration(mode=mode)),
            ),
            "component_refs": component_refs,
            "deployment_order": order,
        },
    )


def check_accounting(result: RecipeResult, semantics: AicrVersion) -> None:
    """Upstream `validateAccountingConfiguration` for the modes this package builds.

    A configuration needs the release's profile-track apiVersion (`aicr.run/v1beta2` at 1.0:
    `aicr.run/v1` with a configuration is an error).
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
