"""Every model has its Go type, and every field's Go type is derived or named: none is missing."""

from __future__ import annotations

from typing import Any

import pytest

from l40_recipes import _models, _registry_models
from l40_recipes._go_types import GO_FIELDS, GO_STRUCTS, go_type
from l40_recipes._models import ComponentRef, Criteria, GoModel, NodeSelection, ObjectMeta, RecipeMixinSpec


def _all_models() -> list[type[GoModel]]:
    found: list[type[GoModel]] = []
    pending: list[type[GoModel]] = [GoModel]
    while pending:
        model = pending.pop()
        for sub in model.__subclasses__():
            if sub.__module__ in (_models.__name__, _registry_models.__name__):
                found.append(sub)
            pending.append(sub)
    return sorted(found, key=lambda model: model.__name__)


MODELS = _all_models()


def test_every_model_class_is_in_the_table() -> None:
    assert len(MODELS) == len(GO_STRUCTS)
    assert set(MODELS) == set(GO_STRUCTS)


@pytest.mark.parametrize("model", MODELS, ids=lambda model: model.__name__)
def test_every_field_has_a_go_type(model: type[GoModel]) -> None:
    for name, info in model.model_fields.items():
        assert go_type(info.annotation), f"{model.__name__}.{name}"


def test_named_fields_exist() -> None:
    for model, key in GO_FIELDS:
        assert key in {info.alias or name for name, info in model.model_fields.items()}


@pytest.mark.parametrize(
    ("annotation", "expected"),
    [
        (ComponentRef.model_fields["expected_resources"].annotation, "[]recipe.ExpectedResource"),
        (ComponentRef.model_fields["overrides"].annotation, "map[string]interface {}"),
        (NodeSelection.model_fields["selector"].annotation, "map[string]string"),
        (Criteria.model_fields["nodes"].annotation, "int"),
        (dict[str, list[str]], "map[string][]string"),
        (ObjectMeta, 'struct { Name string "json:\\"name\\" yaml:\\"name\\"" }'),
    ],
)
def test_go_type_as_go_prints_it(annotation: Any, expected: str) -> None:
    assert go_type(annotation) == expected


def test_anonymous_structs_as_go_prints_them() -> None:
    """Observed in aicr 9793720d's errors for a mixin's `spec`."""
    assert go_type(RecipeMixinSpec) == (
        'struct { Constraints []recipe.Constraint "json:\\"constraints,omitempty\\" yaml:\\"constraints,omitempty\\""; '
        'ComponentRefs []recipe.ComponentRef "json:\\"componentRefs,omitempty\\" yaml:\\"componentRefs,omitempty\\"" }'
    )


@pytest.mark.parametrize("annotation", [float, dict[int, str], int | str, GoModel])
def test_a_type_without_a_go_name_is_an_error(annotation: Any) -> None:
    with pytest.raises(TypeError, match="no Go type"):
        go_type(annotation)
