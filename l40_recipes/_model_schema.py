"""Core schemas of annotated field types, as pydantic builds them for the same annotations.

`_model_base` builds each model's schema from these; a model class nested as a field's type gives
its own (`__core_schema__`).
"""

from __future__ import annotations

import enum
import types
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Final, Literal, Union, get_args, get_origin

from pydantic_core import core_schema as cs

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["BeforeValidator", "annotated_schema", "unwrap"]


@dataclass(frozen=True, slots=True)
class BeforeValidator:
    """`Annotated` metadata: *func* takes the raw input before the type validates it."""

    func: Callable[[Any], Any]


def unwrap(hint: Any) -> tuple[Any, list[Any]]:
    """`Annotated[T, m1, m2]` -> (T, [m1, m2]); any other type -> (it, [])."""
    if get_origin(hint) is Annotated:
        inner, *metadata = get_args(hint)
        return inner, metadata
    return hint, []


def annotated_schema(annotation: Any, metadata: list[Any]) -> cs.CoreSchema:
    """The schema of *annotation* with the `BeforeValidator`s of *metadata* applied around it."""
    schema = _schema(annotation)
    for meta in metadata:  # the last validator is outermost: it runs first, as pydantic orders them
        if isinstance(meta, BeforeValidator):
            schema = cs.no_info_before_validator_function(meta.func, schema)
    return schema


_PLAIN: Final[dict[Any, Callable[[], cs.CoreSchema]]] = {
    str: cs.str_schema,
    int: cs.int_schema,
    bool: cs.bool_schema,
    float: cs.float_schema,
    Any: cs.any_schema,
    object: cs.any_schema,
}


def _schema(annotation: Any) -> cs.CoreSchema:
    """The core schema of one type: plain types, models, enums, `list`, `tuple[T, ...]`, `dict`, `T | None`."""
    plain = _PLAIN.get(annotation)
    if plain is not None:
        return plain()
    origin, args = get_origin(annotation), get_args(annotation)
    if origin is Annotated:
        return annotated_schema(*unwrap(annotation))
    if isinstance(annotation, type) and hasattr(annotation, "__core_schema__"):  # a model class
        schema: cs.CoreSchema = annotation.__core_schema__()
        return schema
    if isinstance(annotation, type) and issubclass(annotation, enum.Enum):
        members = list(annotation.__members__.values())
        sub_type: Literal["str", "int"] | None = (
            "str" if issubclass(annotation, str) else "int" if issubclass(annotation, int) else None
        )
        ref = f"{annotation.__module__}.{annotation.__qualname__}:{id(annotation)}"
        return cs.enum_schema(annotation, members, sub_type=sub_type, ref=ref)
    if origin is list:
        return cs.list_schema(_schema(args[0]))
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        return cs.tuple_schema([_schema(args[0])], variadic_item_index=0)
    if origin is dict:
        return cs.dict_schema(_schema(args[0]), _schema(args[1]))
    if origin in (Union, types.UnionType) and type(None) in args:
        others = [arg for arg in args if arg is not type(None)]
        inner = _schema(others[0]) if len(others) == 1 else cs.union_schema([_schema(arg) for arg in others])
        return cs.nullable_schema(inner)
    msg = f"no schema for {annotation!r}"
    raise TypeError(msg)
