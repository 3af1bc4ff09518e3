"""`aicr recipe`'s flags beyond the criteria: their values checked, built or refused as upstream's allow offline."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from ._errors import ErrorCode, RecipeError
from ._go_text import go_quote

if TYPE_CHECKING:
    from ._models import Criteria
    from ._result import RecipeResult
    from ._semantics import AicrVersion

__all__ = [
    "ACCOUNTING_MODES",
    "RUNTIME_INVENTORY_MODES",
    "accounting_mode",
    "apply_runtime_inventory",
    "check_accounting_platform",
    "runtime_inventory_mode",
    "unsupported",
]


#: `--slurm-accounting-mode` values, in the order upstream's message lists them (read trimmed, any case).
ACCOUNTING_MODES: Final = ("disabled", "customer-managed", "aicr-provided")

#: `--runtime-inventory` values, exact case, in upstream's order.
RUNTIME_INVENTORY_MODES: Final = ("enabled", "disabled")

_NOT_HERE: Final = "not implemented by l40-recipes"


def unsupported(what: str, why: str) -> RecipeError:

    return RecipeError(f"{what} is {_NOT_HERE}: {why}", code=ErrorCode.INVALID_REQUEST)


def accounting_mode(value: str | None) -> str | None:
    """`--slurm-accounting-mode`: the mode as upstream reads it (trimmed, any case), None when not given.

    Raises:
        RecipeError: INVALID_REQUEST with upstream's message, for a mode it does not know.
    """
    if value is None:
        return None
    mode = value.strip().lower()
    if mode not in ACCOUNTING_MODES:
        message = f"invalid Slurm accounting mode {go_quote(value)}: must be one of {', '.join(ACCOUNTING_MODES)}"
        raise RecipeError(message, code=ErrorCode.INVALID_REQUEST)
    return mode


def runtime_inventory_mode(value: str | None) -> str | None:

    if value is not None and value not in RUNTIME_INVENTORY_MODES:
        modes = ", ".join(RUNTIME_INVENTORY_MODES)
        raise RecipeError(
            f"invalid runtime inventory mode {go_quote(value)}: must be one of {modes}", code=ErrorCode.INVALID_REQUEST
        )
    return value


def check_accounting_platform(query: Criteria) -> None:
    """Upstream refuses an accounting mode for a query whose platform is not `slurm`, before resolving."""
    if query.platform != "slurm":
        message = "Slurm accounting mode can only be set when recipe platform is slurm"
        raise RecipeError(message, code=ErrorCode.INVALID_REQUEST)


def apply_runtime_inventory(recipe: RecipeResult, mode: str, semantics: AicrVersion) -> RecipeResult:
    """Upstream's `--runtime-inventory`: k8s-aibom installed or not, and the choice recorded in the recipe."""
    from ._merge import deep_merge, topological_sort  # noqa: PLC0415
    from ._result import RecipeConfiguration  # noqa: PLC0415

    refs = list(recipe.component_refs)
    index = next((i for i, ref in enumerate(refs) if ref.name == _INVENTORY_COMPONENT), None)
    if index is None:
        message = (
            f'runtime inventory mode "{mode}" requires the recipe to declare component "{_INVENTORY_COMPONENT}"; '
            "this recipe does not resolve it"
        )
        raise RecipeError(message, code=ErrorCode.INVALID_REQUEST)
    install = mode == "enabled"
    if install and not refs[index].enabled:
        message = (
            f'component "{_INVENTORY_COMPONENT}" is disabled by the recipe and cannot be re-enabled with '
            "--runtime-inventory enabled; remove the override in the recipe or select a recipe that enables it"
        )
        raise RecipeError(message, code=ErrorCode.INVALID_REQUEST)
    # Upstream re-checks the gate after writing `install`; with a decline refused above, the gate now
    # always reads as the mode asks, so there is nothing left to check here.
    ref = refs[index]
    refs[index] = ref.model_copy(update={"overrides": deep_merge(ref.overrides or {}, {"install": install})})
    configuration = recipe.configuration or RecipeConfiguration()
    configuration = configuration.model_copy(update={"runtime_inventory": {"mode": mode}})
    return recipe.model_copy(
        update={
            "api_version": semantics.configured_result_api_version,
            "configuration": configuration,
            "component_refs": refs,
            "deployment_order": topological_sort(refs),
        }
    )


_INVENTORY_COMPONENT: Final = "k8s-aibom"
