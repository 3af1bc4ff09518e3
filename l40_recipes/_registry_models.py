"""The component registry and validator catalog documents (`registry.yaml`, `validators/catalog.yaml`)."""

from __future__ import annotations

from typing import Annotated, Any

from ._model_base import Field
from ._models import GoBool, GoModel, GoStr, GoStrList, zero

__all__ = [
    "ComponentConfig",
    "ComponentRegistry",
    "ComponentValidationConfig",
    "HealthCheckConfig",
    "HelmConfig",
    "KustomizeConfig",
    "NodeSchedulingConfig",
    "PodSchedulingConfig",
    "SchedulingPaths",
    "UpgradesConfig",
    "ValidatorCatalog",
    "ValidatorCatalogMetadata",
    "ValidatorEntry",
    "WorkloadSchedulingPaths",
]


class HelmConfig(GoModel):
    """Registry Helm defaults."""

    default_repository: GoStr = ""
    default_chart: GoStr = ""
    default_version: GoStr = ""
    default_namespace: GoStr = ""


class KustomizeConfig(GoModel):
    """Registry Kustomize defaults."""

    default_source: GoStr = ""
    default_path: GoStr = ""
    default_tag: GoStr = ""


class SchedulingPaths(GoModel):
    """Helm value paths where node selectors, tolerations and taints are injected."""

    node_selector_paths: GoStrList = Field(default_factory=list)
    toleration_paths: GoStrList = Field(default_factory=list)
    taint_paths: GoStrList = Field(default_factory=list)
    taint_str_paths: GoStrList = Field(default_factory=list)


class NodeSchedulingConfig(GoModel):
    """Scheduling paths for system and accelerated nodes."""

    system: Annotated[SchedulingPaths, zero(dict)] = Field(default_factory=SchedulingPaths)
    accelerated: Annotated[SchedulingPaths, zero(dict)] = Field(default_factory=SchedulingPaths)
    node_count_paths: GoStrList = Field(default_factory=list)


class WorkloadSchedulingPaths(GoModel):
    """Helm value paths for workload selectors."""

    workload_selector_paths: GoStrList = Field(default_factory=list)


class PodSchedulingConfig(GoModel):
    """Pod scheduling paths."""

    workload: Annotated[WorkloadSchedulingPaths, zero(dict)] = Field(default_factory=WorkloadSchedulingPaths)


class ComponentValidationConfig(GoModel):
    """A registry-declared validation function."""

    function: GoStr = ""
    severity: GoStr = ""
    conditions: dict[str, GoStrList] | None = None
    message: GoStr = ""


class HealthCheckConfig(GoModel):
    """Where a component's Chainsaw health-check assert file lives."""

    assert_file: GoStr = ""


class UpgradesConfig(GoModel):
    """Where a component's `ComponentUpgrades` document lives (aicr 1.0, ADR-021); read, not used."""

    file: GoStr = ""


class ComponentConfig(GoModel):
    """One component of the registry."""

    name: GoStr = ""
    display_name: GoStr = ""
    value_override_keys: GoStrList = Field(default_factory=list)
    helm: Annotated[HelmConfig, zero(dict)] = Field(default_factory=HelmConfig)
    kustomize: Annotated[KustomizeConfig, zero(dict)] = Field(default_factory=KustomizeConfig)
    node_scheduling: Annotated[NodeSchedulingConfig, zero(dict)] = Field(default_factory=NodeSchedulingConfig)
    pod_scheduling: Annotated[PodSchedulingConfig, zero(dict)] = Field(default_factory=PodSchedulingConfig)
    storage_class_paths: GoStrList = Field(default_factory=list)
    shared_storage_class_paths: GoStrList = Field(default_factory=list)
    validations: Annotated[list[ComponentValidationConfig], zero(list)] = Field(default_factory=list)
    health_check: Annotated[HealthCheckConfig, zero(dict)] = Field(default_factory=HealthCheckConfig)
    manifest_files: GoStrList = Field(default_factory=list)
    gke_critical_priority: GoBool = False
    has_self_ref_crds: GoBool = Field(default=False, key="hasSelfRefCRDs")
    owns_crds: GoBool = Field(default=False, key="ownsCRDs")
    manifests_use_chart_crds: GoBool = Field(default=False, key="manifestsUseChartCRDs")
    #: Override paths a mixin may set on this component (aicr 1.0; empty: the component has not opted in).
    mixin_safe_override_paths: GoStrList = Field(default_factory=list)
    upgrades: Annotated[UpgradesConfig, zero(dict)] = Field(default_factory=UpgradesConfig)

    @property
    def component_type(self) -> str:
        """`Kustomize` iff `kustomize.defaultSource` is set, else `Helm`."""
        return "Kustomize" if self.kustomize.default_source else "Helm"


class ComponentRegistry(GoModel):
    """`registry.yaml`: every component a catalog may reference, with its defaults."""

    api_version: GoStr = ""
    kind: GoStr = ""
    components: Annotated[list[ComponentConfig], zero(list)] = Field(default_factory=list)


class ValidatorEntry(GoModel):
    """One validator of `validators/catalog.yaml`."""

    name: GoStr = ""
    phase: GoStr = ""
    description: GoStr = ""
    image: GoStr = ""
    timeout: GoStr = ""
    args: GoStrList = Field(default_factory=list)
    env: Annotated[list[Any], zero(list)] = Field(default_factory=list)


class ValidatorCatalogMetadata(GoModel):
    name: GoStr = ""
    version: GoStr = ""


class ValidatorCatalog(GoModel):
    """`validators/catalog.yaml`: the checks validation phases may name."""

    api_version: GoStr = ""
    kind: GoStr = ""
    metadata: Annotated[ValidatorCatalogMetadata, zero(dict)] = Field(default_factory=ValidatorCatalogMetadata)
    validators: Annotated[list[ValidatorEntry], zero(list)] = Field(default_factory=list)
