"""The resolved recipe document `aicr recipe` prints (`kind: RecipeResult`)."""

from __future__ import annotations

from typing import Any

from ._errors import ErrorCode, RecipeError
from ._model_base import Field
from ._models import ComponentRef, Constraint, Criteria, GoModel, GoStr, ValidationConfig

__all__ = [
    "ConstraintWarning",
    "ExcludedOverlay",
    "RecipeConfiguration",
    "RecipeResult",
    "RecipeResultMetadata",
    "SelectedProfile",
    "SlurmAccountingConfiguration",
    "SlurmConfiguration",
]


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
    mariadb_operator_state: str = Field(default="", key="mariaDBOperatorState")


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
