"""The Go types upstream decodes catalog documents into, named as yaml.v3's errors name them.

One table for every model: its Go struct (`recipe.Constraint`, or an anonymous struct as Go prints
it), and the fields whose Go type is a named type rather than the plain one the field's Python
type gives (`recipe.ComponentType` for a `string`). `go_type` derives every other name from the
field's type, so a model or field type missing here is an error, not a silently wrong message.
"""

from __future__ import annotations

import types
from typing import TYPE_CHECKING, Annotated, Any, Final, Union, get_args, get_origin

from ._models import (
    ComponentRef,
    Constraint,
    Criteria,
    ExpectedResource,
    GoModel,
    NodeSelection,
    ObjectMeta,
    ProfileComponentRef,
    ProfileDeclaration,
    ProfileValue,
    RecipeMetadata,
    RecipeMetadataHeader,
    RecipeMetadataSpec,
    RecipeMixin,
    RecipeMixinSpec,
    ValidationConfig,
    ValidationPhase,
)
from ._registry_models import (
    ComponentConfig,
    ComponentRegistry,
    ComponentValidationConfig,
    HealthCheckConfig,
    HelmConfig,
    KustomizeConfig,
    NodeSchedulingConfig,
    PodSchedulingConfig,
    SchedulingPaths,
    UpgradesConfig,
    ValidatorCatalog,
    ValidatorCatalogMetadata,
    ValidatorEntry,
    WorkloadSchedulingPaths,
)

if TYPE_CHECKING:
    from ._model_base import Model

__all__ = ["GO_FIELDS", "GO_STRUCTS", "go_type"]

_ANONYMOUS_META: Final = 'struct { Name string "json:\\"name\\" yaml:\\"name\\"" }'
_ANONYMOUS_MIXIN_SPEC: Final = (
    'struct { Constraints []recipe.Constraint "json:\\"constraints,omitempty\\" yaml:\\"constraints,omitempty\\""; '
    'ComponentRefs []recipe.ComponentRef "json:\\"componentRefs,omitempty\\" yaml:\\"componentRefs,omitempty\\"" }'
)

#: Each model's Go struct (the 1.0-only registry fields' structs are named as 1.0 names them).
GO_STRUCTS: Final[dict[type[GoModel], str]] = {
    Criteria: "recipe.Criteria",
    Constraint: "recipe.Constraint",
    ExpectedResource: "recipe.ExpectedResource",
    ComponentRef: "recipe.ComponentRef",
    NodeSelection: "recipe.NodeSelection",
    ValidationPhase: "recipe.ValidationPhase",
    ValidationConfig: "recipe.ValidationConfig",
    ProfileComponentRef: "recipe.ProfileComponentRef",
    ProfileValue: "recipe.ProfileValue",
    ProfileDeclaration: "recipe.ProfileDeclaration",
    ObjectMeta: _ANONYMOUS_META,
    RecipeMetadataSpec: "recipe.RecipeMetadataSpec",
    RecipeMetadataHeader: "recipe.RecipeMetadataHeader",
    RecipeMetadata: "recipe.RecipeMetadata",
    RecipeMixinSpec: _ANONYMOUS_MIXIN_SPEC,
    RecipeMixin: "recipe.RecipeMixin",
    HelmConfig: "recipe.HelmConfig",
    KustomizeConfig: "recipe.KustomizeConfig",
    SchedulingPaths: "recipe.SchedulingPaths",
    NodeSchedulingConfig: "recipe.NodeSchedulingConfig",
    WorkloadSchedulingPaths: "recipe.WorkloadSchedulingPaths",
    PodSchedulingConfig: "recipe.PodSchedulingConfig",
    ComponentValidationConfig: "recipe.ComponentValidationConfig",
    HealthCheckConfig: "recipe.HealthCheckConfig",
    UpgradesConfig: "recipe.UpgradesConfig",
    ComponentConfig: "recipe.ComponentConfig",
    ComponentRegistry: "recipe.ComponentRegistry",
    ValidatorEntry: "v1.ValidatorEntry",
    ValidatorCatalogMetadata: "v1.CatalogMetadata",
    ValidatorCatalog: "v1.ValidatorCatalog",
}

#: Fields (model, YAML key) of a named Go type.
GO_FIELDS: Final[dict[tuple[type[Model], str], str]] = {
    (Criteria, "service"): "recipe.CriteriaServiceType",
    (Criteria, "accelerator"): "recipe.CriteriaAcceleratorType",
    (Criteria, "intent"): "recipe.CriteriaIntentType",
    (Criteria, "os"): "recipe.CriteriaOSType",
    (Criteria, "platform"): "recipe.CriteriaPlatformType",
    (ComponentRef, "type"): "recipe.ComponentType",
    (ValidatorEntry, "timeout"): "time.Duration",
    (ValidatorEntry, "env"): "[]v1.EnvVar",
}

_SCALARS: Final = {str: "string", int: "int", bool: "bool"}


def go_type(annotation: Any) -> str:
    """The Go type of a field of Python type *annotation*: `[]recipe.Constraint`, `map[string]string`...

    Raises:
        TypeError: a type with no Go counterpart in the tables (a new model, a new kind of field).
    """
    origin, args = get_origin(annotation), get_args(annotation)
    if annotation is Any:
        return "interface {}"
    if origin is Annotated:
        return go_type(args[0])
    if origin in (Union, types.UnionType):
        arms = [arm for arm in args if arm is not type(None)]
        if len(arms) == 1:
            return go_type(arms[0])  # a pointer: yaml.v3 names the type it points to
    if origin is list:
        return f"[]{go_type(args[0])}"
    if origin is dict and args[0] is str:
        return f"map[string]{go_type(args[1])}"
    if annotation in _SCALARS:
        return _SCALARS[annotation]
    if annotation in GO_STRUCTS:
        return GO_STRUCTS[annotation]
    raise TypeError(f"no Go type for {annotation!r}")
