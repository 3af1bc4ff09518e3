"""Immutable pydantic models for every AICR document the package reads or writes.

Field order follows upstream's Go structs, so `to_document()` emits keys in upstream's JSON order.
YAML keys are the camelCase aliases; Python attributes are snake_case.

Upstream decodes ordinary overlays leniently: a key it does not know is ignored. The models keep
such keys (`extra="allow"`) so that `check()` can report them, but nothing reads them, so they
never change a result. Mixins and profile (`v1alpha3`) overlays are decoded strictly upstream;
the loader rejects their unknown keys with the key's position.
"""

from __future__ import annotations

import sys
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field
from pydantic.alias_generators import to_camel

__all__ = [
    "ComponentConfig",
    "ComponentRef",
    "ComponentRegistry",
    "Constraint",
    "Criteria",
    "ExpectedResource",
    "NodeSelection",
    "ProfileComponentRef",
    "ProfileDeclaration",
    "ProfileValue",
    "RecipeMetadata",
    "RecipeMetadataSpec",
    "RecipeMixin",
    "RecipeResult",
    "SelectedProfile",
    "ValidationConfig",
    "ValidationPhase",
    "ValidatorCatalog",
    "ValidatorEntry",
    "to_document",
]


def _zero(default: Any) -> BeforeValidator:
    """A YAML null leaves Go's zero value, as upstream's decoder does."""

    def convert(value: Any) -> Any:
        if value is None:
            return default() if callable(default) else default
        return value

    return BeforeValidator(convert)


GoStr = Annotated[str, _zero("")]
GoInt = Annotated[int, _zero(0)]
GoBool = Annotated[bool, _zero(False)]
GoStrList = Annotated[list[str], _zero(list)]


class GoModel(BaseModel):
    """Base of all models: frozen, camelCase aliases, unknown keys kept in `model_extra`."""

    model_config = ConfigDict(
        frozen=True,
        extra="allow",
        alias_generator=to_camel,
        validate_by_alias=True,
        validate_by_name=True,
        serialize_by_alias=True,
    )

    #: Aliases emitted even when empty (upstream fields without `omitempty`).
    always: ClassVar[frozenset[str]] = frozenset()

    def to_document(self) -> dict[str, Any]:
        """This model as upstream's JSON document (omitempty applied, map keys sorted)."""
        document = to_document(self)
        assert isinstance(document, dict)
        return document


def to_document(value: Any) -> Any:
    """Render models, maps and lists the way Go's `encoding/json` renders upstream's structs."""
    if isinstance(value, GoModel):
        out: dict[str, Any] = {}
        for name, info in type(value).model_fields.items():
            item = getattr(value, name)
            alias = info.alias or name
            if alias not in value.always and _is_empty(item):
                continue
            out[alias] = to_document(item)
        return out
    if isinstance(value, dict):
        return {str(key): to_document(value[key]) for key in sorted(value, key=str)}
    if isinstance(value, (list, tuple)):
        return [to_document(item) for item in value]
    return value


def _is_empty(value: Any) -> bool:
    return (
        value is None
        or value is False
        or (not isinstance(value, bool) and value in ("", 0))
        or (isinstance(value, (list, dict, tuple)) and not value)
    )


class Criteria(GoModel):
    """Criteria dimensions. Omitted keys are `""`, which matches like `any`.

    A query built with `Criteria.query()` or `resolve(...)` starts every dimension at `any`.
    """

    service: GoStr = ""
    accelerator: GoStr = ""
    intent: GoStr = ""
    os: GoStr = ""
    platform: GoStr = ""
    nodes: GoInt = 0

    def __str__(self) -> str:
        from ._criteria import criteria_string  # noqa: PLC0415 - keeps the model module free of logic

        return criteria_string(self)


class Constraint(GoModel):
    """A named constraint; `value` is an expression such as `>= 1.30` (see `evaluate_constraint`)."""

    always = frozenset({"name", "value"})

    name: GoStr = ""
    value: GoStr = ""
    severity: GoStr = ""
    remediation: GoStr = ""
    unit: GoStr = ""


class ExpectedResource(GoModel):
    """A Kubernetes resource a component is expected to create."""

    always = frozenset({"kind", "name"})

    kind: GoStr = ""
    name: GoStr = ""
    namespace: GoStr = ""


class ComponentRef(GoModel):
    """A component of a recipe: Helm or Kustomize sourcing, values and dependencies."""

    always = frozenset({"name", "type", "source"})

    name: GoStr = ""
    namespace: GoStr = ""
    chart: GoStr = ""
    type: GoStr = ""
    source: GoStr = ""
    version: GoStr = ""
    tag: GoStr = ""
    values_file: GoStr = ""
    overrides: dict[str, Any] | None = None
    patches: GoStrList = Field(default_factory=list)
    dependency_refs: GoStrList = Field(default_factory=list)
    manifest_files: GoStrList = Field(default_factory=list)
    pre_manifest_files: GoStrList = Field(default_factory=list)
    path: GoStr = ""
    cleanup: GoBool = False
    expected_resources: Annotated[list[ExpectedResource], _zero(list)] = Field(default_factory=list)
    health_check_asserts: GoStr = ""
    health_check_skip: GoBool = False

    @property
    def enabled(self) -> bool:
        """False iff `overrides.enabled` or `overrides.install` is boolean false (upstream `IsEnabled`)."""
        overrides = self.overrides or {}
        return all(overrides.get(key, True) is not False for key in ("enabled", "install"))


class NodeSelection(GoModel):
    """Which nodes a validation phase runs on."""

    selector: dict[str, GoStr] | None = None
    max_nodes: GoInt = 0
    exclude_nodes: GoStrList = Field(default_factory=list)


class ValidationPhase(GoModel):
    """One validation phase. `None` lists mean "inherit"; `[]` clears what was inherited."""

    timeout: GoStr = ""
    constraints: list[Constraint] | None = None
    checks: list[GoStr] | None = None
    node_selection: NodeSelection | None = None
    infrastructure: GoStr = ""


class ValidationConfig(GoModel):
    """The four validation phases; a phase exists iff it is not `None`."""

    readiness: ValidationPhase | None = None
    deployment: ValidationPhase | None = None
    performance: ValidationPhase | None = None
    conformance: ValidationPhase | None = None

    PHASES: ClassVar[tuple[str, ...]] = ("readiness", "deployment", "performance", "conformance")

    def phase(self, name: str) -> ValidationPhase | None:
        """The phase called *name* (`readiness`, `deployment`, `performance`, `conformance`)."""
        value = getattr(self, name)
        assert value is None or isinstance(value, ValidationPhase)
        return value


class ProfileComponentRef(GoModel):
    """Overrides one profile value applies to one component."""

    name: GoStr = ""
    overrides: dict[str, Any] | None = None


class ProfileValue(GoModel):
    """One selectable value of a profile."""

    advertiser: GoStr = ""
    constraints: Annotated[list[Constraint], _zero(list)] = Field(default_factory=list)
    component_refs: Annotated[list[ProfileComponentRef], _zero(list)] = Field(default_factory=list)


class ProfileDeclaration(GoModel):
    """A configuration profile an overlay declares (apiVersion `aicr.run/v1alpha3`)."""

    name: GoStr = ""
    description: GoStr = ""
    default: GoStr = ""
    values: Annotated[dict[str, ProfileValue], _zero(dict)] = Field(default_factory=dict)


class _Named(GoModel):
    name: GoStr = ""


class RecipeMetadataSpec(GoModel):
    """The `spec` of base.yaml and of every overlay."""

    base: GoStr = ""
    criteria: Criteria | None = None
    mixins: GoStrList = Field(default_factory=list)
    constraints: Annotated[list[Constraint], _zero(list)] = Field(default_factory=list)
    component_refs: Annotated[list[ComponentRef], _zero(list)] = Field(default_factory=list)
    validation: ValidationConfig | None = None
    profile: ProfileDeclaration | None = None


class RecipeMetadata(GoModel):
    """An overlay or the base recipe (`kind: RecipeMetadata`)."""

    kind: GoStr = ""
    api_version: GoStr = ""
    metadata: Annotated[_Named, _zero(dict)] = Field(default_factory=_Named)
    spec: Annotated[RecipeMetadataSpec, _zero(dict)] = Field(default_factory=RecipeMetadataSpec)


class _MixinSpec(GoModel):
    constraints: Annotated[list[Constraint], _zero(list)] = Field(default_factory=list)
    component_refs: Annotated[list[ComponentRef], _zero(list)] = Field(default_factory=list)


class RecipeMixin(GoModel):
    """A reusable bundle of constraints and componentRefs (`kind: RecipeMixin`)."""

    kind: GoStr = ""
    api_version: GoStr = ""
    metadata: Annotated[_Named, _zero(dict)] = Field(default_factory=_Named)
    spec: Annotated[_MixinSpec, _zero(dict)] = Field(default_factory=_MixinSpec)


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

    system: Annotated[SchedulingPaths, _zero(dict)] = Field(default_factory=SchedulingPaths)
    accelerated: Annotated[SchedulingPaths, _zero(dict)] = Field(default_factory=SchedulingPaths)
    node_count_paths: GoStrList = Field(default_factory=list)


class WorkloadSchedulingPaths(GoModel):
    """Helm value paths for workload selectors."""

    workload_selector_paths: GoStrList = Field(default_factory=list)


class PodSchedulingConfig(GoModel):
    """Pod scheduling paths."""

    workload: Annotated[WorkloadSchedulingPaths, _zero(dict)] = Field(default_factory=WorkloadSchedulingPaths)


class ComponentValidationConfig(GoModel):
    """A registry-declared validation function."""

    function: GoStr = ""
    severity: GoStr = ""
    conditions: dict[str, GoStrList] | None = None
    message: GoStr = ""


class HealthCheckConfig(GoModel):
    """Where a component's Chainsaw health-check assert file lives."""

    assert_file: GoStr = ""


class ComponentConfig(GoModel):
    """One component of the registry."""

    name: GoStr = ""
    display_name: GoStr = ""
    value_override_keys: GoStrList = Field(default_factory=list)
    helm: Annotated[HelmConfig, _zero(dict)] = Field(default_factory=HelmConfig)
    kustomize: Annotated[KustomizeConfig, _zero(dict)] = Field(default_factory=KustomizeConfig)
    node_scheduling: Annotated[NodeSchedulingConfig, _zero(dict)] = Field(default_factory=NodeSchedulingConfig)
    pod_scheduling: Annotated[PodSchedulingConfig, _zero(dict)] = Field(default_factory=PodSchedulingConfig)
    storage_class_paths: GoStrList = Field(default_factory=list)
    shared_storage_class_paths: GoStrList = Field(default_factory=list)
    validations: Annotated[list[ComponentValidationConfig], _zero(list)] = Field(default_factory=list)
    health_check: Annotated[HealthCheckConfig, _zero(dict)] = Field(default_factory=HealthCheckConfig)
    manifest_files: GoStrList = Field(default_factory=list)
    gke_critical_priority: GoBool = False
    has_self_ref_crds: GoBool = Field(default=False, alias="hasSelfRefCRDs")
    owns_crds: GoBool = Field(default=False, alias="ownsCRDs")
    manifests_use_chart_crds: GoBool = Field(default=False, alias="manifestsUseChartCRDs")

    @property
    def component_type(self) -> str:
        """`Kustomize` iff `kustomize.defaultSource` is set, else `Helm`."""
        return "Kustomize" if self.kustomize.default_source else "Helm"


class ComponentRegistry(GoModel):
    """`registry.yaml`: every component a catalog may reference, with its defaults."""

    api_version: GoStr = ""
    kind: GoStr = ""
    components: Annotated[list[ComponentConfig], _zero(list)] = Field(default_factory=list)


class ValidatorEntry(GoModel):
    """One validator of `validators/catalog.yaml`."""

    name: GoStr = ""
    phase: GoStr = ""
    description: GoStr = ""
    image: GoStr = ""
    timeout: GoStr = ""
    args: GoStrList = Field(default_factory=list)
    env: Annotated[list[Any], _zero(list)] = Field(default_factory=list)


class _ValidatorCatalogMeta(GoModel):
    name: GoStr = ""
    version: GoStr = ""


class ValidatorCatalog(GoModel):
    """`validators/catalog.yaml`: the checks validation phases may name."""

    api_version: GoStr = ""
    kind: GoStr = ""
    metadata: Annotated[_ValidatorCatalogMeta, _zero(dict)] = Field(default_factory=_ValidatorCatalogMeta)
    validators: Annotated[list[ValidatorEntry], _zero(list)] = Field(default_factory=list)


class ExcludedOverlay(GoModel):
    """An overlay a snapshot constraint excluded (snapshot resolution only)."""

    always = frozenset({"name"})

    name: GoStr = ""
    reason: GoStr = ""


class ConstraintWarning(GoModel):
    """A failed snapshot constraint (snapshot resolution only)."""

    always = frozenset({"overlay", "constraint", "expected", "reason"})

    overlay: GoStr = ""
    constraint: GoStr = ""
    expected: GoStr = ""
    actual: GoStr = ""
    reason: GoStr = ""


class SelectedProfile(GoModel):
    """The profile value a recipe was resolved with, and the override paths it owns."""

    always = frozenset({"name", "value", "ownedPaths"})

    name: str
    value: str
    advertiser: str = ""
    owned_paths: dict[str, list[str]]


class RecipeResultMetadata(GoModel):
    """`metadata` of a resolved recipe."""

    version: str = ""
    applied_overlays: list[str] = Field(default_factory=list)
    excluded_overlays: list[ExcludedOverlay] = Field(default_factory=list)
    constraint_warnings: list[ConstraintWarning] = Field(default_factory=list)
    gpu_driver_state: str = ""
    selected_profile: SelectedProfile | None = None
    mariadb_operator_state: str = Field(default="", alias="mariaDBOperatorState")


class SlurmAccountingConfiguration(GoModel):
    """Slurm accounting mode of a slurm-platform recipe."""

    always = frozenset({"mode"})

    mode: str


class SlurmConfiguration(GoModel):
    """Slurm build configuration."""

    accounting: SlurmAccountingConfiguration | None = None


class RecipeConfiguration(GoModel):
    """Build-time configuration recorded in a recipe (`aicr.run/v1alpha3` results only)."""

    slurm: SlurmConfiguration | None = None
    runtime_inventory: dict[str, Any] | None = None


class RecipeResult(GoModel):
    """A resolved recipe, as upstream's `aicr recipe` emits it.

    Attributes:
        metadata: `version`, `appliedOverlays` (in merge order), and `selectedProfile` when a
            profile applied.
        criteria: The query, with `any` for unset dimensions.
        component_refs: Components sorted by name, registry defaults and health checks filled.
        deployment_order: Enabled components, dependencies first, ties broken alphabetically.
        validation: The merged validation phases.
    """

    always = frozenset({"kind", "apiVersion", "metadata", "criteria", "componentRefs", "deploymentOrder"})

    kind: str = "RecipeResult"
    api_version: str = "aicr.run/v1alpha2"
    metadata: RecipeResultMetadata = Field(default_factory=RecipeResultMetadata)
    criteria: Criteria = Field(default_factory=Criteria)
    configuration: RecipeConfiguration | None = None
    constraints: list[Constraint] = Field(default_factory=list)
    component_refs: list[ComponentRef] = Field(default_factory=list)
    deployment_order: list[str] = Field(default_factory=list)
    validation: ValidationConfig | None = None

    def to_dict(self) -> dict[str, Any]:
        """The recipe as upstream's JSON document: struct key order, empty fields omitted."""
        return self.to_document()

    def to_json(self, *, indent: int | None = 2) -> str:
        """The recipe as JSON, byte-compatible with upstream's output where Go allows.

        Go escapes `<`, `>` and `&` in strings; so does this.

        Raises:
            RecipeError: `INTERNAL`, as upstream's JSON writer, when a value has no JSON form
                (an infinite or NaN number from `overrides: {a: .inf}`).
        """
        from ._errors import ErrorCode, RecipeError  # noqa: PLC0415
        from ._serialize import go_json  # noqa: PLC0415 - serialization helpers load on use

        try:
            return go_json(self.to_dict(), indent=indent)
        except ValueError as err:
            raise RecipeError("failed to serialize to JSON", code=ErrorCode.INTERNAL, cause=err) from None

    def to_yaml(self) -> str:
        """The recipe as YAML with keys sorted, as upstream's YAML output sorts them."""
        from ._serialize import go_yaml  # noqa: PLC0415

        return go_yaml(self.to_dict())

    def component(self, name: str) -> ComponentRef | None:
        """The componentRef called *name*, or None."""
        return next((ref for ref in self.component_refs if ref.name == name), None)


if "hypothesis" in sys.modules:  # hypothesis was imported first: register `st.from_type(Criteria)` now
    from ._hypothesis import register_types

    register_types()
