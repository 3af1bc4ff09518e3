"""Each model's core schema is the one pydantic builds for the same annotations, field by field."""

from __future__ import annotations

import enum
import inspect
import re
import types
from typing import Annotated, Any, Union, get_args, get_origin

import pydantic
import pytest

import l40_recipes
from l40_recipes._model_base import MISSING, Model, to_camel
from l40_recipes._model_schema import BeforeValidator, annotated_schema, unwrap


def _models() -> list[type[Model]]:
    found: dict[str, type[Model]] = {}
    for module in (
        "l40_recipes._models",
        "l40_recipes._registry_models",
        "l40_recipes._result",
        "l40_recipes._report",
    ):
        for _, value in inspect.getmembers(__import__(module, fromlist=["_"]), inspect.isclass):
            if issubclass(value, Model) and value is not Model and value.model_fields:
                found[f"{value.__module__}.{value.__qualname__}"] = value
    return [found[name] for name in sorted(found)]


def _pydantic_twin(model: type[Model]) -> type[pydantic.BaseModel]:
    """The pydantic model with *model*'s fields, validators, defaults, keys and configuration."""
    fields: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        hint = _pydantic_hint(info.annotation, info.metadata)
        if info.default_factory is not None:
            spec = pydantic.Field(default_factory=info.default_factory, alias=info.alias)
        elif info.default is not MISSING:
            spec = pydantic.Field(default=info.default, alias=info.alias)
        else:
            spec = pydantic.Field(alias=info.alias)
        fields[name] = (hint, spec)
    config = model.model_config
    settings = pydantic.ConfigDict(title=model.__name__)
    if config.get("extra") == "allow":
        settings["extra"] = "allow"
    if config.get("alias_generator") is not None:
        settings["validate_by_alias"] = settings["validate_by_name"] = settings["serialize_by_alias"] = True
    twin: type[pydantic.BaseModel] = pydantic.create_model(model.__name__, __config__=settings, **fields)
    return twin


def _pydantic_hint(annotation: Any, metadata: list[Any]) -> Any:
    """*annotation* with this base's validators, at any depth, as pydantic's own."""
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return _pydantic_hint(*unwrap(annotation))
    if args and origin in (list, dict, tuple):
        annotation = origin[tuple(_pydantic_hint(*unwrap(arg)) if arg is not Ellipsis else arg for arg in args)]
    elif args and origin in (Union, types.UnionType):
        annotation = Union[tuple(_pydantic_hint(*unwrap(arg)) for arg in args)]  # noqa: UP007 - built from parts
    validators = [pydantic.BeforeValidator(meta.func) for meta in metadata if isinstance(meta, BeforeValidator)]
    return Annotated[(annotation, *validators)] if validators else annotation


def _comparable(schema: Any, definitions: dict[str, Any] | None = None) -> Any:
    """*schema* with definitions inlined, metadata dropped, and the classes and refs named alike."""
    if isinstance(schema, dict):
        if schema.get("type") == "definitions":
            inner = {**(definitions or {}), **{item["ref"]: item for item in schema["definitions"]}}
            return _comparable(schema["schema"], inner)
        if schema.get("type") == "definition-ref":
            assert definitions is not None
            return _comparable(definitions[schema["schema_ref"]], definitions)
        return {key: _comparable(value, definitions) for key, value in schema.items() if key not in ("metadata", "cls")}
    if isinstance(schema, list):
        return [_comparable(item, definitions) for item in schema]
    if isinstance(schema, str):
        return re.sub(r":\d+$", "", re.sub(r"^[\w.]*\.", "", schema))
    return schema


@pytest.mark.parametrize("model", _models(), ids=lambda model: model.__name__)
def test_schema_is_the_one_pydantic_builds(model: type[Model]) -> None:
    """Validation runs in pydantic-core with the same schema pydantic builds for these annotations."""
    assert _comparable(model.__core_schema__()) == _comparable(_pydantic_twin(model).__pydantic_core_schema__)


def test_every_model_is_compared() -> None:
    """The comparison covers every exported model class (a new module of models must be added above)."""
    exported = {
        value
        for name in l40_recipes.__all__
        if isinstance(value := getattr(l40_recipes, name), type) and issubclass(value, Model)
    }
    assert exported <= set(_models())


class _Level(enum.IntEnum):
    LOW = 1


class _Plain(enum.Enum):
    ONE = "one"


@pytest.mark.parametrize(
    "annotation",
    [tuple[int, ...], float, object, int | str | None, list[Annotated[str, "note"]], _Level, _Plain],
    ids=str,
)
def test_types_beyond_the_models(annotation: Any) -> None:
    """Types no model uses yet get the schema pydantic builds for them (foreign metadata ignored)."""
    expected = pydantic.TypeAdapter(annotation).core_schema
    assert _comparable(annotated_schema(*unwrap(annotation))) == _comparable(expected)


def test_a_type_without_a_schema_is_refused() -> None:
    """A field type the base cannot validate fails when the class is first used, naming the type."""
    with pytest.raises(TypeError, match="no schema for"):
        annotated_schema(set[int], [])


def test_camel_case_keys() -> None:
    """Field names become upstream's keys as pydantic's `to_camel` makes them for these names."""
    from pydantic.alias_generators import to_camel as pydantic_to_camel  # noqa: PLC0415

    for name in ("values_file", "api_version", "max_nodes", "health_check_asserts", "name", "gke_critical_priority"):
        assert to_camel(name) == pydantic_to_camel(name)
