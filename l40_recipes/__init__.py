"""Load, resolve and check NVIDIA AICR recipe catalogs exactly as upstream `aicr recipe` does.

>>> from l40_recipes import resolve
>>> recipe = resolve(service="eks", accelerator="l40s", intent="inference", os="ubuntu")  # doctest: +SKIP
>>> recipe.metadata.applied_overlays                                                     # doctest: +SKIP
['base', 'monitoring-hpa', 'l40s-any', 'eks', 'eks-inference', ...]
"""

from __future__ import annotations

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
