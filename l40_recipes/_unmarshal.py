"""yaml.v3's unmarshal errors: what its decoder refuses when it fills upstream's Go types from a document.

The parsed YAML is walked against a model's fields as yaml.v3 walks the node tree against the Go
struct, and every refusal is collected in document order, in yaml.v3's words:

- a value its field's type cannot take (`line 7: cannot unmarshal !!seq into string`), at the value;
- with known fields (a strict decode), each key a struct lacks
  (`line 9: field extra not found in type recipe.Constraint`), at the key. A lenient decode skips
  such a key and everything under it.

A null leaves a field's zero value. The Go type names come from `_go_types`; the scalar rules
(which tags a Go `int` or `bool` takes) are the models' own validators, so both agree.
"""

from __future__ import annotations

import types
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, Union, get_args, get_origin

from pydantic_core import PydanticCustomError

from ._go_types import GO_FIELDS, go_type
from ._model_base import BeforeValidator, Model
from ._scalars import scalar_text, unmarshal_error

if TYPE_CHECKING:
    from ._errors import Location
    from ._yaml import YamlDocument

__all__ = ["Refusal", "unmarshal_errors"]


@dataclass(frozen=True, slots=True)
class Refusal:
    """One of yaml.v3's unmarshal errors: where, its text (without `line N: `), and how to fix it."""

    location: Location
    message: str
    hint: str


def unmarshal_errors(model: type[Model], document: YamlDocument, *, strict: bool) -> list[Refusal]:
    """yaml.v3's unmarshal errors decoding *document* into *model*, in document order.

    The document's repeated keys (read with `defer_binary`) are refused in a mapping yaml.v3
    decodes, and then nothing else of that mapping is decoded.
    """
    found: list[Refusal] = []
    _Walk(document, strict, found).value(document.data, model, (), go_type(model))
    return found


_Field = tuple[Any, tuple[Any, ...], str]
_FIELDS: dict[type[Model], dict[str, _Field]] = {}


def _fields(model: type[Model]) -> dict[str, _Field]:
    """A model's fields by YAML key: the field type, its validators and its Go type."""
    fields = _FIELDS.get(model)
    if fields is None:
        fields = _FIELDS[model] = {
            (info.alias or name): (
                info.annotation,
                _validators(info.metadata),
                GO_FIELDS.get((model, info.alias or name)) or go_type(info.annotation),
            )
            for name, info in model.model_fields.items()
        }
    return fields


def _validators(metadata: Any) -> tuple[Any, ...]:
    return tuple(meta.func for meta in metadata if isinstance(meta, BeforeValidator))


_PLANS: dict[int, tuple[str, Any, tuple[Any, ...]]] = {}
_GO_NAMES: dict[int, str] = {}


def _plan(annotation: Any) -> tuple[str, Any, tuple[Any, ...]]:
    """How a field type decodes, memoized: `struct`, `list`, `dict`, `any` or `scalar`.

    With the model or item type, and the validators its `Annotated` layers carry.
    """
    plan = _PLANS.get(id(annotation))
    if plan is None:
        plan = _PLANS[id(annotation)] = _make_plan(annotation)
    return plan


def _make_plan(annotation: Any) -> tuple[str, Any, tuple[Any, ...]]:
    validators: tuple[Any, ...] = ()
    while True:
        origin, args = get_origin(annotation), get_args(annotation)
        if origin is Annotated:
            annotation = args[0]
            validators += _validators(args[1:])
        elif origin in (Union, types.UnionType):
            annotation = next(arm for arm in args if arm is not type(None))
        else:
            break
    if annotation is Any:
        return "any", None, ()
    if isinstance(annotation, type) and issubclass(annotation, Model):
        return "struct", annotation, ()
    if origin in (list, dict):
        return ("list" if origin is list else "dict"), args[-1], ()
    return "scalar", None, validators


@dataclass(slots=True)
class _Walk:
    document: YamlDocument
    strict: bool
    found: list[Refusal]

    def value(
        self, value: Any, annotation: Any, path: tuple[str | int, ...], go: str, validators: tuple[Any, ...] = ()
    ) -> None:
        if value is None:
            return  # a null leaves the zero value
        kind, target, own = _plan(annotation)
        if kind == "struct":
            self.struct(value, target, path, go)
        elif kind in ("list", "dict"):
            self.container(value, target, path, go, list if kind == "list" else dict)
        elif kind == "any":
            if self.document.duplicates:
                self.free_form(value, path)
        elif isinstance(value, (dict, list)):
            self.refuse(path, unmarshal_error(value, go), go)
        else:
            for validate in validators + own:
                try:
                    validate(value)
                except PydanticCustomError as err:  # the models' Go scalar rules raise only yaml.v3's refusals
                    self.refuse(path, err.message(), go)

    def struct(self, value: Any, model: type[Model], path: tuple[str | int, ...], go: str) -> None:
        if not isinstance(value, dict):
            self.refuse(path, unmarshal_error(value, go), go)
            return
        if self.repeated(path):
            return
        fields = _fields(model)
        for key, item in value.items():
            field = fields.get(key) if isinstance(key, str) else None
            if field is not None:
                self.value(item, field[0], (*path, key), field[2], field[1])
            elif self.strict:
                where = (*path, key)
                self.found.append(
                    Refusal(
                        self.document.source.locate(where),
                        f"field {scalar_text(key)} not found in type {go}",
                        f"remove {'.'.join(map(str, where))!r}, or fix its spelling",
                    )
                )

    def container(self, value: Any, item: Any, path: tuple[str | int, ...], go: str, kind: type) -> None:
        if not isinstance(value, kind):
            self.refuse(path, unmarshal_error(value, go), go)
            return
        if kind is dict and self.repeated(path):
            return
        inner = _GO_NAMES.get(id(item)) or _GO_NAMES.setdefault(id(item), go_type(item))
        given: Any = value
        entries = enumerate(given) if isinstance(given, list) else given.items()
        for key, child in entries:
            self.value(child, item, (*path, key), inner)

    def repeated(self, path: tuple[str | int, ...]) -> bool:
        """Refuse the repeated keys of the mapping at *path*, if any: yaml.v3 then skips the mapping."""
        for key, location, first in self.document.duplicates.get(path, ()):
            self.found.append(
                Refusal(
                    location,
                    f'mapping key "{key}" already defined at line {first}',
                    f"remove one of the two {key!r} entries; YAML readers disagree on which one wins",
                )
            )
        return path in self.document.duplicates

    def free_form(self, value: Any, path: tuple[str | int, ...]) -> None:
        """A free-form value decodes whole: only its repeated keys are refused."""
        if isinstance(value, dict):
            if not self.repeated(path):
                for key, child in value.items():
                    self.free_form(child, (*path, key))
        elif isinstance(value, list):
            for index, child in enumerate(value):
                self.free_form(child, (*path, index))

    def refuse(self, path: tuple[str | int, ...], message: str, go: str) -> None:
        source = self.document.source
        known = path
        while known and not source.has(known):
            known = known[:-1]
        anchor = self.document.anchors.get(known)
        if anchor is not None and known != path:  # a value an alias shares: yaml.v3 names the anchor's lines
            self.refuse((*anchor, *path[len(known) :]), message, go)
            return
        self.found.append(Refusal(source.locate_value(known), message, _hint(go)))


def _hint(go: str) -> str:
    if go == "int":
        return "write this value as a whole number, unquoted (a quoted value is a string)"
    if go == "bool":
        return "write this value as true or false, unquoted (a quoted value is a string)"
    if go.startswith("[]"):
        return "write this value as a YAML list (`- item`)"
    if go.startswith(("map[", "struct", "recipe.", "v1.")) and not go.endswith("Type"):
        return "write this value as a YAML mapping (`key: value`)"
    return "write this value as a plain string"
