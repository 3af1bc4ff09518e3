"""Load, resolve and check NVIDIA AICR recipe catalogs exactly as upstream `aicr recipe` does.

>>> from l40_recipes import resolve
>>> recipe = resolve(service="eks", accelerator="l40s", intent="inference", os="ubuntu")  # doctest: +SKIP
>>> recipe.metadata.applied_overlays                                                     # doctest: +SKIP
['base', 'monitoring-hpa', 'l40s-any', 'eks', 'eks-inference', ...]

Names are imported on first use (PEP 562), so `import l40_recipes` and the pytest plugin, which
pytest loads in every run, stay cheap until something is actually used.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._catalog import Catalog, Mixin, Overlay, Registry, load_catalog
    from ._check import check
    from ._errors import (
        ConstraintError,
        CoverageError,
        CriteriaError,
        ErrorCode,
        Location,
        RecipeError,
        RecipeLoadError,
        ResolutionError,
    )
    from ._models import ComponentRef, Constraint, Criteria, RecipeResult, ValidationConfig, ValidationPhase
    from ._report import Finding, Report, Severity
    from ._resolution import resolve
    from ._versions import Version, evaluate_constraint, parse_constraint, parse_version

__version__ = "0.1.0"

_LOCATIONS = {
    "Catalog": "_catalog",
    "Mixin": "_catalog",
    "Overlay": "_catalog",
    "Registry": "_catalog",
    "load_catalog": "_catalog",
    "check": "_check",
    "ConstraintError": "_errors",
    "CoverageError": "_errors",
    "CriteriaError": "_errors",
    "ErrorCode": "_errors",
    "Location": "_errors",
    "RecipeError": "_errors",
    "RecipeLoadError": "_errors",
    "ResolutionError": "_errors",
    "ComponentRef": "_models",
    "Constraint": "_models",
    "Criteria": "_models",
    "RecipeResult": "_models",
    "ValidationConfig": "_models",
    "ValidationPhase": "_models",
    "Finding": "_report",
    "Report": "_report",
    "Severity": "_report",
    "resolve": "_resolution",
    "Version": "_versions",
    "evaluate_constraint": "_versions",
    "parse_constraint": "_versions",
    "parse_version": "_versions",
}

__all__ = [
    "Catalog",
    "ComponentRef",
    "Constraint",
    "ConstraintError",
    "CoverageError",
    "Criteria",
    "CriteriaError",
    "ErrorCode",
    "Finding",
    "Location",
    "Mixin",
    "Overlay",
    "RecipeError",
    "RecipeLoadError",
    "RecipeResult",
    "Registry",
    "Report",
    "ResolutionError",
    "Severity",
    "ValidationConfig",
    "ValidationPhase",
    "Version",
    "__version__",
    "check",
    "evaluate_constraint",
    "load_catalog",
    "parse_constraint",
    "parse_version",
    "resolve",
]


def __getattr__(name: str) -> Any:
    module = _LOCATIONS.get(name)
    if module is None:
        msg = f"module 'l40_recipes' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
