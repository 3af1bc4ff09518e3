"""The base of every model: frozen records validated by pydantic-core, from schemas built on first use.

Models declare fields as annotated class attributes (`name: GoStr = ""`, `items: list[X] =
Field(default_factory=list)`), as pydantic models do, and keep pydantic's model API
(`model_validate`, `model_copy`, `model_construct`, `model_dump`, `model_fields`, `model_extra`,
`model_fields_set`, `model_json_schema`). Validation runs in pydantic-core, the engine pydantic
itself runs, with the core schema pydantic would build for the same annotations (a test compares
them), so values are accepted, converted and refused exactly as before.

What is left out is pydantic's Python layer: importing pydantic and building its model classes
costs a process about 0.15 s of CPU (0.16 s against 0.06 s for pydantic-core with forty models of
this base, measured on the development machine), more than upstream's whole `aicr recipe`. A
class's schema is built the first time it validates, serializes or is nested in another's schema.
"""

from __future__ import annotations

import enum
import inspect
from typing import (
    TYPE_CHECKING,
    Any,
    ClassVar,
    Final,
    Literal,
    TypedDict,
    dataclass_transform,
    get_origin,
)

from pydantic_core import SchemaSerializer, SchemaValidator, core_schema as cs

from ._model_schema import BeforeValidator, annotated_schema, unwrap

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from typing import Self

__all__ = ["BeforeValidator", "Field", "FieldInfo", "Model", "ModelConfig", "to_camel"]


class _Missing(enum.Enum):
    MISSING = enum.auto()


#: "No default": the field is required.
MISSING: Final = _Missing.MISSING


class ModelConfig(TypedDict, total=False):
    """What a model class does with unknown keys, and the key each field is read under.

    A dict with the names of pydantic's `ConfigDict` keys, so that pydantic's JSON Schema
    generator reads it as it reads a pydantic model's.
    """

    #: `allow` keeps unknown keys in `model_extra`; `ignore` (the default) drops them.
    extra: Literal["allow", "ignore"]
    #: The key of a field without an explicit alias (e.g. `to_camel`); by default the field's name.
    alias_generator: Callable[[str], str]


def to_camel(name: str) -> str:
    """`values_file` -> `valuesFile`: the camelCase key of a snake_case field."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


class _FieldSpec:
    """What `Field(...)` returns: a default, or a factory of defaults, and an explicit key."""

    __slots__ = ("alias", "default", "default_factory")

    def __init__(self, default: Any, default_factory: Callable[[], Any] | None, alias: str | None) -> None:
        self.default = default
        self.default_factory = default_factory
        self.alias = alias


def Field(default: Any = MISSING, *, default_factory: Callable[[], Any] | None = None, key: str | None = None) -> Any:
    """A field's default (or *default_factory*) and, with *key*, the key it is read and written under.

    The key is `FieldInfo.alias` (pydantic's name for it). It is not called `alias` here: type
    checkers would then take it for the constructor's keyword, where the field's name is used.
    """
    return _FieldSpec(default, default_factory, key)


class FieldInfo:
    """One field of a model: its type (without `Annotated`), validators, key and default."""

    __slots__ = ("alias", "annotation", "default", "default_factory", "metadata", "name")

    def __init__(
        self,
        name: str,
        hint: Any,
        spec: Any,
        alias_generator: Callable[[str], str] | None,
    ) -> None:
        self.name = name
        self.annotation, self.metadata = unwrap(hint)
        if isinstance(spec, _FieldSpec):
            self.default, self.default_factory, alias = spec.default, spec.default_factory, spec.alias
        else:
            self.default, self.default_factory, alias = spec, None, None
        self.alias: str | None = alias or (alias_generator(name) if alias_generator else None)

    def is_required(self) -> bool:
        """True when the field has neither a default nor a default factory."""
        return self.default is MISSING and self.default_factory is None

    def get_default(self) -> Any:
        """The field's default value (a new one from the factory, if it has one)."""
        return self.default_factory() if self.default_factory is not None else self.default

    def __repr__(self) -> str:
        return f"FieldInfo(name={self.name!r}, annotation={self.annotation!r}, alias={self.alias!r})"


@dataclass_transform(kw_only_default=True, frozen_default=True, field_specifiers=(Field,))
class Model:
    """A frozen record: validated on construction, compared and hashed by value, never changed in place."""

    __slots__ = ("__dict__", "__pydantic_extra__", "__pydantic_fields_set__", "__pydantic_private__")

    model_config: ClassVar[ModelConfig] = {}
    #: The fields, in declaration order (base classes' first), by attribute name.
    model_fields: ClassVar[dict[str, FieldInfo]] = {}
    _core_schema: ClassVar[cs.CoreSchema | None] = None
    _validator: ClassVar[SchemaValidator | None] = None
    _serializer: ClassVar[SchemaSerializer | None] = None

    if TYPE_CHECKING:
        __pydantic_extra__: dict[str, Any] | None
        __pydantic_fields_set__: set[str]
        __pydantic_private__: dict[str, Any] | None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        generator = cls.model_config.get("alias_generator")
        fields: dict[str, FieldInfo] = {}
        for base in reversed(cls.__mro__[1:]):  # inherited fields first, as their class declared them
            if issubclass(base, Model):
                fields.update(base.model_fields)
        # Only this class's own annotations are evaluated: `get_type_hints` would evaluate every
        # base's again for each subclass (the package's 41 models: 10-16 ms -> 2.4-3.4 ms).
        own: dict[str, Any] = inspect.get_annotations(cls, eval_str=True)
        for name, hint in own.items():
            if name.startswith("_") or hint is ClassVar or get_origin(hint) is ClassVar:
                continue
            spec = cls.__dict__.get(name, MISSING)
            if spec is not MISSING:
                delattr(cls, name)  # an instance holds every field: the class keeps no defaults
            fields[name] = FieldInfo(name, hint, spec, generator)
        cls.model_fields = fields
        cls._core_schema = cls._validator = cls._serializer = None

    # --- schemas, built once per class on first use -------------------------------------------

    @classmethod
    def __core_schema__(cls) -> cs.CoreSchema:
        """The core schema pydantic would build for this class."""
        if cls._core_schema is None:
            config = cls.model_config
            fields = {name: _field_schema(info) for name, info in cls.model_fields.items()}
            core_config = cs.CoreConfig(title=cls.__name__)
            if config.get("extra") == "allow":
                core_config["extra_fields_behavior"] = "allow"
            if config.get("alias_generator") is not None:
                core_config["validate_by_alias"] = core_config["validate_by_name"] = True
                core_config["serialize_by_alias"] = True
            cls._core_schema = cs.model_schema(
                cls,
                cs.model_fields_schema(fields, model_name=cls.__name__, computed_fields=[]),
                custom_init=False,
                root_model=False,
                config=core_config,
                ref=f"{cls.__module__}.{cls.__qualname__}:{id(cls)}",
            )
        return cls._core_schema

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> cs.CoreSchema:
        """Let a pydantic model (or `TypeAdapter`) hold this model as a field."""
        return cls.__core_schema__()

    @classmethod
    def _validate(cls) -> SchemaValidator:
        if cls._validator is None:
            cls._validator = SchemaValidator(cls.__core_schema__())
        return cls._validator

    @classmethod
    def _serialize(cls) -> SchemaSerializer:
        if cls._serializer is None:
            cls._serializer = SchemaSerializer(cls.__core_schema__())
        return cls._serializer

    # --- pydantic's model API -------------------------------------------------------------------

    def __init__(self, **data: Any) -> None:
        """Validate *data* (by field name, or by key when the model has aliases) into this instance.

        Raises:
            pydantic_core.ValidationError: a value does not fit its field.
        """
        type(self)._validate().validate_python(data, self_instance=self)

    @classmethod
    def model_validate(
        cls, obj: Any, *, strict: bool | None = None, by_alias: bool | None = None, by_name: bool | None = None
    ) -> Self:
        """*obj* (a mapping, or an instance) validated into this model.

        Raises:
            pydantic_core.ValidationError: a value does not fit its field.
        """
        validated: Self = cls._validate().validate_python(obj, strict=strict, by_alias=by_alias, by_name=by_name)
        return validated

    @classmethod
    def model_validate_json(
        cls, data: str | bytes, *, strict: bool | None = None, by_alias: bool | None = None, by_name: bool | None = None
    ) -> Self:
        """A JSON document validated into this model.

        Raises:
            pydantic_core.ValidationError: the text is not JSON, or a value does not fit its field.
        """
        validated: Self = cls._validate().validate_json(data, strict=strict, by_alias=by_alias, by_name=by_name)
        return validated

    @classmethod
    def model_construct(cls, _fields_set: set[str] | None = None, **values: Any) -> Self:
        """An instance of *values* without validation; missing fields take their defaults."""
        state: dict[str, Any] = {}
        given: set[str] = set()
        for name, info in cls.model_fields.items():
            if info.alias is not None and info.alias in values:
                state[name] = values.pop(info.alias)
                given.add(name)
            elif name in values:
                state[name] = values.pop(name)
                given.add(name)
            elif not info.is_required():
                state[name] = info.get_default()
        extra = values if cls.model_config.get("extra") == "allow" else None
        return cls._assemble(state, given if _fields_set is None else _fields_set, extra)

    @classmethod
    def _assemble(cls, state: dict[str, Any], fields_set: set[str], extra: dict[str, Any] | None) -> Self:
        instance = cls.__new__(cls)
        object.__setattr__(instance, "__dict__", state)
        object.__setattr__(instance, "__pydantic_fields_set__", fields_set)
        object.__setattr__(instance, "__pydantic_extra__", extra)
        object.__setattr__(instance, "__pydantic_private__", None)
        return instance

    def model_copy(self, *, update: dict[str, Any] | None = None, deep: bool = False) -> Self:
        """A copy with the fields (or, where the model allows them, unknown keys) in *update* replaced.

        The copy shares every value it does not replace (with *deep*, copies all of them); nothing
        is validated.
        """
        state, extra = dict(self.__dict__), self.__pydantic_extra__
        extra = None if extra is None else dict(extra)
        if deep:
            import copy  # noqa: PLC0415 - rare

            state, extra = copy.deepcopy(state), copy.deepcopy(extra)
        fields_set = set(self.__pydantic_fields_set__)
        for key, value in (update or {}).items():
            if key in self.model_fields or extra is None:
                state[key] = value
                fields_set.add(key)
            else:
                extra[key] = value
        return type(self)._assemble(state, fields_set, extra)

    def model_dump(
        self,
        *,
        mode: Literal["python", "json"] = "python",
        include: Any = None,
        exclude: Any = None,
        by_alias: bool | None = None,
        exclude_unset: bool = False,
        exclude_defaults: bool = False,
        exclude_none: bool = False,
    ) -> dict[str, Any]:
        """This instance as plain data (*mode* `json`: only JSON types), with pydantic's options."""
        dumped: dict[str, Any] = (
            type(self)
            ._serialize()
            .to_python(
                self,
                mode=mode,
                include=include,
                exclude=exclude,
                by_alias=by_alias,
                exclude_unset=exclude_unset,
                exclude_defaults=exclude_defaults,
                exclude_none=exclude_none,
            )
        )
        return dumped

    def model_dump_json(
        self, *, indent: int | None = None, by_alias: bool | None = None, exclude_none: bool = False
    ) -> str:
        """This instance as JSON text."""
        return (
            type(self)._serialize().to_json(self, indent=indent, by_alias=by_alias, exclude_none=exclude_none).decode()
        )

    @classmethod
    def model_json_schema(cls, *, by_alias: bool = True) -> dict[str, Any]:
        """The JSON Schema of this model's documents, as pydantic writes it."""
        from pydantic.json_schema import GenerateJsonSchema  # noqa: PLC0415 - only the `schema` command needs it

        return GenerateJsonSchema(by_alias=by_alias).generate(cls.__core_schema__(), mode="validation")

    @property
    def model_fields_set(self) -> set[str]:
        """The fields the input gave (a default is not given)."""
        return self.__pydantic_fields_set__

    @property
    def model_extra(self) -> dict[str, Any] | None:
        """Keys the model has no field for, kept when the model allows them (else None)."""
        return self.__pydantic_extra__

    # --- a frozen value -------------------------------------------------------------------------

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen: use model_copy(update={{{name!r}: ...}})")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"{type(self).__name__} is frozen")

    def __eq__(self, other: object) -> bool:
        if type(other) is not type(self):
            return NotImplemented
        assert isinstance(other, Model)
        return self.__dict__ == other.__dict__ and self.__pydantic_extra__ == other.__pydantic_extra__

    def __hash__(self) -> int:
        return hash((type(self), *(self.__dict__[name] for name in self.model_fields)))

    def __iter__(self) -> Iterator[tuple[str, Any]]:
        yield from self.__dict__.items()
        if self.__pydantic_extra__:
            yield from self.__pydantic_extra__.items()

    def __repr_items(self) -> str:
        return ", ".join(f"{name}={value!r}" for name, value in self)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.__repr_items()})"

    def __str__(self) -> str:
        return " ".join(f"{name}={value!r}" for name, value in self)

    def __getstate__(self) -> dict[str, Any]:
        return {
            "__dict__": self.__dict__,
            "__pydantic_extra__": self.__pydantic_extra__,
            "__pydantic_fields_set__": self.__pydantic_fields_set__,
            "__pydantic_private__": self.__pydantic_private__,
        }

    def __setstate__(self, state: dict[str, Any]) -> None:
        for key, value in state.items():
            object.__setattr__(self, key, value)


def _field_schema(info: FieldInfo) -> cs.ModelField:
    schema = annotated_schema(info.annotation, info.metadata)
    if info.default_factory is not None:
        schema = cs.with_default_schema(schema, default_factory=info.default_factory, default_factory_takes_data=False)
    elif info.default is not MISSING:
        schema = cs.with_default_schema(schema, default=info.default)
    if info.alias is None:
        return cs.model_field(schema)
    return cs.model_field(schema, validation_alias=info.alias, serialization_alias=info.alias)
