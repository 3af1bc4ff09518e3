"""The recipe documents: criteria, constraints, componentRefs, validation, profiles, overlays and mixins.

Field order follows upstream's Go structs, so `to_document()` emits keys in upstream's JSON order.
YAML keys are the camelCase aliases; Python attributes are snake_case.

Upstream decodes ordinary overlays leniently: a key it does not know is ignored. The models keep
such keys (`extra="allow"`) so that `check()` can report them, but nothing reads them, so they
never change a result. Mixins and profile (`v1alpha3`) overlays are decoded strictly upstream;
the loader rejects their unknown keys with the key's position.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Final

from pydantic_core import PydanticCustomError

from ._model_base import BeforeValidator, Field, Model, ModelConfig, to_camel
from ._scalars import BOOL, FLOAT, INT, YAML11_BOOLS, TypedText, scalar_text, unmarshal_error

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "ANY",
    "DIMENSIONS",
    "UNMARSHAL_ERROR",
    "WILD",
    "ComponentRef",
    "Constraint",
    "Criteria",
    "ExpectedResource",
    "GoBool",
    "GoInt",
    "GoModel",
    "GoStr",
    "GoStrList",
    "NodeSelection",
    "ObjectMeta",
    "ProfileComponentRef",
    "ProfileDeclaration",
    "ProfileValue",
    "RecipeMetadata",
    "RecipeMetadataHeader",
    "RecipeMetadataSpec",
    "RecipeMixin",
    "RecipeMixinSpec",
    "ValidationConfig",
    "ValidationPhase",
    "criteria_string",
    "is_wild",
    "to_document",
    "zero",
]

ANY: Final = "any"
#: Both spellings of "unconstrained".
WILD: Final = ("", ANY)
#: The coverage dimensions, in upstream's order. `nodes` is metadata only.
DIMENSIONS: Final = ("service", "accelerator", "intent", "os", "platform")


def is_wild(value: str) -> bool:
    """`""` and `any` both mean "unconstrained" for matching, specificity and coverage."""
    return value in WILD


def known_values(criteria: Iterable[Criteria | None]) -> dict[str, frozenset[str]]:
    """Every value each dimension takes in some of *criteria* (lower-cased, wildcards left out)."""
    known: dict[str, set[str]] = {dimension: set() for dimension in DIMENSIONS}
    for each in criteria:
        for dimension in () if each is None else DIMENSIONS:
            value = str(getattr(each, dimension)).strip().lower()
            if not is_wild(value):
                known[dimension].add(value)
    return {dimension: frozenset(values) for dimension, values in known.items()}


def zero(default: Any) -> BeforeValidator:
    """A YAML null leaves Go's zero value, as upstream's decoder does."""

    def convert(value: Any) -> Any:
        if value is None:
            return default() if callable(default) else default
        return value

    return BeforeValidator(convert)


#: The error type of a value yaml.v3 cannot decode into a typed field; its message is yaml.v3's.
UNMARSHAL_ERROR: Final = "yaml_unmarshal"
_INT64_MIN: Final = -(2**63)
_INT64_MAX: Final = 2**63 - 1


def _refuse(value: Any, go_type: str) -> PydanticCustomError:
    return PydanticCustomError(
        UNMARSHAL_ERROR, "{detail}", {"detail": unmarshal_error(value, go_type), "go_type": go_type}
    )


def _go_int(value: Any) -> Any:
    """A Go `int` field as yaml.v3 fills it: from an `!!int`, or an `!!float` truncated; never from text."""
    if value is None:
        return 0
    if isinstance(value, TypedText):
        resolved = value.value
        if value.tag == INT and _INT64_MIN <= resolved <= _INT64_MAX:
            return resolved
        if value.tag == FLOAT and not math.isnan(resolved) and resolved <= 2.0**63:
            # Go converts with int64(f): beyond the range (here only 2**63 and below -2**63) it
            # gives the smallest int64 on the machines upstream ships for.
            return int(resolved) if -(2.0**63) <= resolved < 2.0**63 else _INT64_MIN
        raise _refuse(value, "int")
    if isinstance(value, (str, dict, list)):
        raise _refuse(value, "int")
    return value


def _go_bool(value: Any) -> Any:
    """A Go `bool` field as yaml.v3 fills it: from a `!!bool`, or text YAML 1.1 reads as one (`yes`, `off`)."""
    if value is None:
        return False
    if isinstance(value, TypedText):
        if value.tag == BOOL:
            return value.value
        raise _refuse(value, "bool")
    if isinstance(value, str):
        if value in YAML11_BOOLS:
            return YAML11_BOOLS[value]
        raise _refuse(value, "bool")
    if isinstance(value, (dict, list)):
        raise _refuse(value, "bool")
    return value


GoStr = Annotated[str, zero("")]
GoInt = Annotated[int, BeforeValidator(_go_int)]
GoBool = Annotated[bool, BeforeValidator(_go_bool)]
GoStrList = Annotated[list[str], zero(list)]


class GoModel(Model):
    """Base of all models: frozen, camelCase aliases, unknown keys kept in `model_extra`."""

    model_config: ClassVar[ModelConfig] = {"extra": "allow", "alias_generator": to_camel}

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
        # Keys stay as they are: under `overrides` a map may have typed keys (`{1: x}`), which the
        # JSON writer names or refuses as Go does; Go sorts by that name.
        return {key: to_document(value[key]) for key in sorted(value, key=scalar_text)}
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
        return criteria_string(self)


def criteria_string(criteria: Criteria, *, blank_is_any: bool = False) -> str:
    """Upstream's `Criteria.String()`: `criteria(service=eks, accelerator=h100)` or `criteria(any)`.

    A dimension equal to `any` is left out; an empty one prints as `service=` (upstream's quirk),
    unless *blank_is_any* (an overlay's criteria, where an omitted dimension means `any`).
    """
    left_out = WILD if blank_is_any else (ANY,)
    parts = [
        f"{dimension}={value}" for dimension in DIMENSIONS if (value := getattr(criteria, dimension)) not in left_out
    ]
    if criteria.nodes:
        parts.append(f"nodes={criteria.nodes}")
    return f"criteria({', '.join(parts)})" if parts else "criteria(any)"


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
    #: String fields a later layer replaces when it sets them (upstream `mergeComponentRef`).
    REPLACED: ClassVar[tuple[str, ...]] = (
        "namespace",
        "chart",
        "type",
        "source",
        "version",
        "tag",
        "values_file",
        "path",
        "health_check_asserts",
    )

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
    expected_resources: Annotated[list[ExpectedResource], zero(list)] = Field(default_factory=list)
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
    constraints: Annotated[list[Constraint], zero(list)] = Field(default_factory=list)
    component_refs: Annotated[list[ProfileComponentRef], zero(list)] = Field(default_factory=list)


class ProfileDeclaration(GoModel):
    """A configuration profile an overlay declares (apiVersion `aicr.run/v1alpha3`)."""

    name: GoStr = ""
    description: GoStr = ""
    default: GoStr = ""
    values: Annotated[dict[str, ProfileValue], zero(dict)] = Field(default_factory=dict)


class ObjectMeta(GoModel):
    name: GoStr = ""


class RecipeMetadataSpec(GoModel):
    """The `spec` of base.yaml and of every overlay."""

    base: GoStr = ""
    criteria: Criteria | None = None
    mixins: GoStrList = Field(default_factory=list)
    constraints: Annotated[list[Constraint], zero(list)] = Field(default_factory=list)
    component_refs: Annotated[list[ComponentRef], zero(list)] = Field(default_factory=list)
    validation: ValidationConfig | None = None
    profile: ProfileDeclaration | None = None


class RecipeMetadataHeader(GoModel):
    """What upstream reads of an overlay before anything else (`kind`, `apiVersion`, `metadata.name`)."""

    kind: GoStr = ""
    api_version: GoStr = ""
    metadata: Annotated[ObjectMeta, zero(dict)] = Field(default_factory=ObjectMeta)


class RecipeMetadata(GoModel):
    """An overlay or the base recipe (`kind: RecipeMetadata`)."""

    kind: GoStr = ""
    api_version: GoStr = ""
    metadata: Annotated[ObjectMeta, zero(dict)] = Field(default_factory=ObjectMeta)
    spec: Annotated[RecipeMetadataSpec, zero(dict)] = Field(default_factory=RecipeMetadataSpec)


class RecipeMixinSpec(GoModel):
    constraints: Annotated[list[Constraint], zero(list)] = Field(default_factory=list)
    component_refs: Annotated[list[ComponentRef], zero(list)] = Field(default_factory=list)


class RecipeMixin(GoModel):
    """A reusable bundle of constraints and componentRefs (`kind: RecipeMixin`)."""

    kind: GoStr = ""
    api_version: GoStr = ""
    metadata: Annotated[ObjectMeta, zero(dict)] = Field(default_factory=ObjectMeta)
    spec: Annotated[RecipeMixinSpec, zero(dict)] = Field(default_factory=RecipeMixinSpec)


def unknown_keys(model: GoModel, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Paths of keys the models do not know, in document order (free-form `overrides` excluded)."""
    extra = model.model_extra
    found: list[tuple[str | int, ...]] = [(*path, key) for key in extra] if extra else []
    given = model.model_fields_set
    for name, info in type(model).model_fields.items():
        if name not in given:
            continue  # a default holds no keys
        value = getattr(model, name)
        alias = info.alias or name
        if isinstance(value, (GoModel, list, dict)) and alias != "overrides":
            found.extend(_unknown_in(value, (*path, alias)))
    return found


def _unknown_in(value: Any, path: tuple[str | int, ...]) -> list[tuple[str | int, ...]]:
    if isinstance(value, GoModel):
        return unknown_keys(value, path)
    if isinstance(value, list):
        return [found for index, item in enumerate(value) for found in _unknown_in(item, (*path, index))]
    if isinstance(value, dict):
        return [found for key, item in value.items() for found in _unknown_in(item, (*path, key))]
    return []
