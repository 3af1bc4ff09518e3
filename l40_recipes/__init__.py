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
        Mixin as Mixin,
        Overlay as Overlay,
        Registry as Registry,
        ValidatorsFile as ValidatorsFile,
    )
    from ._check import check as check
    from ._errors import (
        ConstraintError as ConstraintError,
        CoverageError as CoverageError,
        CriteriaError as CriteriaError,
        ErrorCode as ErrorCode,
        Location as Location,
        RecipeError as RecipeError,
        RecipeLoadError as RecipeLoadError,
        ResolutionError as ResolutionError,
    )
    from ._layer import Layer as Layer
    from ._loading import load_catalog as load_catalog
    from ._models import (
        ComponentRef as ComponentRef,
        Constraint as Constraint,
        Criteria as Criteria,
        ExpectedResource as ExpectedResource,
        NodeSelection as NodeSelection,
        ObjectMeta as ObjectMeta,
        ProfileComponentRef as ProfileComponentRef,
        ProfileDeclaration as ProfileDeclaration,
        ProfileValue as ProfileValue,
        RecipeMetadata as RecipeMetadata,
        RecipeMetadataSpec as RecipeMetadataSpec,
        RecipeMixin as RecipeMixin,
        RecipeMixinSpec as RecipeMixinSpec,
        ValidationConfig as ValidationConfig,
        ValidationPhase as ValidationPhase,
    )
    from ._registry_models import (
        ComponentConfig as ComponentConfig,
        ComponentRegistry as ComponentRegistry,
        ComponentValidationConfig as ComponentValidationConfig,
        HealthCheckConfig as HealthCheckConfig,
        HelmConfig as HelmConfig,
        KustomizeConfig as KustomizeConfig,
        NodeSchedulingConfig as NodeSchedulingConfig,
        PodSchedulingConfig as PodSchedulingConfig,
        SchedulingPaths as SchedulingPaths,
        UpgradesConfig as UpgradesConfig,
        ValidatorCatalog as ValidatorCatalog,
        ValidatorCatalogMetadata as ValidatorCatalogMetadata,
        ValidatorEntry as ValidatorEntry,
        WorkloadSchedulingPaths as WorkloadSchedulingPaths,
    )
    from ._report import Finding as Finding, Report as Report, Severity as Severity
    from ._request import resolve as resolve
    from ._result import (
        ConstraintWarning as ConstraintWarning,
        ExcludedOverlay as ExcludedOverlay,
        RecipeConfiguration as RecipeConfiguration,
        RecipeResult as RecipeResult,
        RecipeResultMetadata as RecipeResultMetadata,
        SelectedProfile as SelectedProfile,
        SlurmAccountingConfiguration as SlurmAccountingConfiguration,
        SlurmConfiguration as SlurmConfiguration,
    )
    from ._semantics import AicrVersion as AicrVersion, OverlayHeader as OverlayHeader
    from ._versions import (
        ConstraintExpression as ConstraintExpression,
        Operator as Operator,
        Version as Version,
        evaluate_constraint as evaluate_constraint,
        parse_constraint as parse_constraint,
        parse_version as parse_version,
    )
    from ._yaml import KeyPath as KeyPath, SourceMap as SourceMap, YamlDocument as YamlDocument

#: Every exported name and the private module that defines it.
_LOCATIONS = {
    "UpgradesConfig": "_registry_models",
    "Catalog": "_catalog",
    "load_catalog": "_loading",
    "Layer": "_layer",
    "AicrVersion": "_semantics",
    "OverlayHeader": "_semantics",
    "Mixin": "_catalog",
    "Overlay": "_catalog",
    "Registry": "_catalog",
    "ValidatorsFile": "_catalog",
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
    "KeyPath": "_yaml",
    "SourceMap": "_yaml",
    "YamlDocument": "_yaml",
    "resolve": "_request",
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
