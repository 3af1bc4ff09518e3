"""Load, resolve and check NVIDIA AICR recipe catalogs exactly as upstream `aicr recipe` does.

>>> from l40_recipes import resolve
>>> recipe = resolve(service="eks", accelerator="l40s", intent="inference", os="ubuntu")  # doctest: +SKIP
>>> recipe.metadata.applied_overlays                                                     # doctest: +SKIP
['base', 'monitoring-hpa', 'l40s-any', 'eks', 'eks-inference', ...]

Names are imported on first use (PEP 562), so `import l40_recipes` and the pytest plugin, which
pytest loads in every run, stay cheap until something is actually used. `_LOCATIONS` is the one
list of exported names; `__all__` is derived from it, and a test checks that the `TYPE_CHECKING`
imports (what type checkers and editors see) name the same objects.
"""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING, Any

from ._version import __version__ as __version__

if TYPE_CHECKING:
    from ._catalog import (
        Catalog as Catalog,
    )
    from ._catalog import (
        Mixin as Mixin,
    )
    from ._catalog import (
        Overlay as Overlay,
    )
    from ._catalog import (
        Registry as Registry,
    )
    from ._catalog import (
        load_catalog as load_catalog,
    )
    from ._check import check as check
    from ._errors import (
        ConstraintError as ConstraintError,
    )
    from ._errors import (
        CoverageError as CoverageError,
    )
    from ._errors import (
        CriteriaError as CriteriaError,
    )
    from ._errors import (
        ErrorCode as ErrorCode,
    )
    from ._errors import (
        Location as Location,
    )
    from ._errors import (
        RecipeError as RecipeError,
    )
    from ._errors import (
        RecipeLoadError as RecipeLoadError,
    )
    from ._errors import (
        ResolutionError as ResolutionError,
    )
    from ._models import (
        ComponentRef as ComponentRef,
    )
    from ._models import (
        Constraint as Constraint,
    )
    from ._models import (
        Criteria as Criteria,
    )
    from ._models import (
        ExpectedResource as ExpectedResource,
    )
    from ._models import (
        NodeSelection as NodeSelection,
    )
    from ._models import (
        ObjectMeta as ObjectMeta,
    )
    from ._models import (
        ProfileComponentRef as ProfileComponentRef,
    )
    from ._models import (
        ProfileDeclaration as ProfileDeclaration,
    )
    from ._models import (
        ProfileValue as ProfileValue,
    )
    from ._models import (
        RecipeMetadata as RecipeMetadata,
    )
    from ._models import (
        RecipeMetadataSpec as RecipeMetadataSpec,
    )
    from ._models import (
        RecipeMixin as RecipeMixin,
    )
    from ._models import (
        RecipeMixinSpec as RecipeMixinSpec,
    )
    from ._models import (
        ValidationConfig as ValidationConfig,
    )
    from ._models import (
        ValidationPhase as ValidationPhase,
    )
    from ._registry_models import (
        ComponentConfig as ComponentConfig,
    )
    from ._registry_models import (
        ComponentRegistry as ComponentRegistry,
    )
    from ._registry_models import (
        ComponentValidationConfig as ComponentValidationConfig,
    )
    from ._registry_models import (
        HealthCheckConfig as HealthCheckConfig,
    )
    from ._registry_models import (
        HelmConfig as HelmConfig,
    )
    from ._registry_models import (
        KustomizeConfig as KustomizeConfig,
    )
    from ._registry_models import (
        NodeSchedulingConfig as NodeSchedulingConfig,
    )
    from ._registry_models import (
        PodSchedulingConfig as PodSchedulingConfig,
    )
    from ._registry_models import (
        SchedulingPaths as SchedulingPaths,
    )
    from ._registry_models import (
        ValidatorCatalog as ValidatorCatalog,
    )
    from ._registry_models import (
        ValidatorCatalogMetadata as ValidatorCatalogMetadata,
    )
    from ._registry_models import (
        ValidatorEntry as ValidatorEntry,
    )
    from ._registry_models import (
        WorkloadSchedulingPaths as WorkloadSchedulingPaths,
    )
    from ._report import Finding as Finding
    from ._report import Report as Report
    from ._report import Severity as Severity
    from ._resolution import resolve as resolve
    from ._result import (
        ConstraintWarning as ConstraintWarning,
    )
    from ._result import (
        ExcludedOverlay as ExcludedOverlay,
    )
    from ._result import (
        RecipeConfiguration as RecipeConfiguration,
    )
    from ._result import (
        RecipeResult as RecipeResult,
    )
    from ._result import (
        RecipeResultMetadata as RecipeResultMetadata,
    )
    from ._result import (
        SelectedProfile as SelectedProfile,
    )
    from ._result import (
        SlurmAccountingConfiguration as SlurmAccountingConfiguration,
    )
    from ._result import (
        SlurmConfiguration as SlurmConfiguration,
    )
    from ._versions import (
        ConstraintExpression as ConstraintExpression,
    )
    from ._versions import (
        Operator as Operator,
    )
    from ._versions import (
        Version as Version,
    )
    from ._versions import (
        evaluate_constraint as evaluate_constraint,
    )
    from ._versions import (
        parse_constraint as parse_constraint,
    )
    from ._versions import (
        parse_version as parse_version,
    )


#: Every exported name and the private module that defines it.
_LOCATIONS = {
    "Catalog": "_catalog",
    "load_catalog": "_catalog",
    "Mixin": "_catalog",
    "Overlay": "_catalog",
    "Registry": "_catalog",
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
    "ExpectedResource": "_models",
    "NodeSelection": "_models",
    "ObjectMeta": "_models",
    "ProfileComponentRef": "_models",
    "ProfileDeclaration": "_models",
    "ProfileValue": "_models",
    "RecipeMetadata": "_models",
    "RecipeMetadataSpec": "_models",
    "RecipeMixin": "_models",
    "RecipeMixinSpec": "_models",
    "ValidationConfig": "_models",
    "ValidationPhase": "_models",
    "ComponentConfig": "_registry_models",
    "ComponentRegistry": "_registry_models",
    "ComponentValidationConfig": "_registry_models",
    "HealthCheckConfig": "_registry_models",
    "HelmConfig": "_registry_models",
    "KustomizeConfig": "_registry_models",
    "NodeSchedulingConfig": "_registry_models",
    "PodSchedulingConfig": "_registry_models",
    "SchedulingPaths": "_registry_models",
    "ValidatorCatalog": "_registry_models",
    "ValidatorCatalogMetadata": "_registry_models",
    "ValidatorEntry": "_registry_models",
    "WorkloadSchedulingPaths": "_registry_models",
    "Finding": "_report",
    "Report": "_report",
    "Severity": "_report",
    "resolve": "_resolution",
    "ConstraintWarning": "_result",
    "ExcludedOverlay": "_result",
    "RecipeConfiguration": "_result",
    "RecipeResult": "_result",
    "RecipeResultMetadata": "_result",
    "SelectedProfile": "_result",
    "SlurmAccountingConfiguration": "_result",
    "SlurmConfiguration": "_result",
    "ConstraintExpression": "_versions",
    "evaluate_constraint": "_versions",
    "Operator": "_versions",
    "parse_constraint": "_versions",
    "parse_version": "_versions",
    "Version": "_versions",
}

__all__ = ["__version__", *_LOCATIONS]  # noqa: PLE0604 - derived from the one table above


def __getattr__(name: str) -> Any:
    module = _LOCATIONS.get(name)
    if module is None:
        msg = f"module 'l40_recipes' has no attribute {name!r}"
        raise AttributeError(msg)
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    if "hypothesis" in sys.modules:  # hypothesis came first: let `st.from_type(Criteria)` work now
        from ._hypothesis import register_types  # noqa: PLC0415

        register_types()
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
