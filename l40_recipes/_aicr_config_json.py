r"""An AICRConfig in JSON, decoded as upstream's `json.Decoder` (unknown fields refused) decodes it.

The binary is built with Go 1.27, whose encoding/json runs on the json/v2 engine: the scanner
(`_go_json`) stops at the first syntax error; a value that scans is then stored into the config's Go types, where the first unknown field or type mismatch
is the error, naming the root type and the JSON path (`json: cannot unmarshal string into Go
struct field AICRConfig.spec.recipe.criteria.nodes of type int`). Keys match fields exactly,
else case-insensitively; a repeated key decodes into what the first one left. A second value
after the document is refused as upstream's loader refuses it.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

from ._aicr_config_schema import ROOT, go_fields
from ._errors import ErrorCode, RecipeError
from ._go_json import scan_value, skip_space
from ._go_text import go_quote

__all__ = ["decode_json"]

#: A `\\uD800`-style escape that is not half of a pair; Go decodes it as U+FFFD.
_LONE_SURROGATE: Final = re.compile("[\ud800-\udfff]")


class _Number(str):
    """A JSON number, kept as its literal text (Go parses it per target type)."""

    __slots__ = ()


class _Object(list[tuple[str, Any]]):
    """A JSON object: its members in order, repeated keys kept."""

    __slots__ = ()


def decode_json(content: bytes) -> dict[str, Any]:
    """Decode *content* into the AICRConfig document (a dict of its fields).

    Raises:
        ValueError: the Go library's own error (syntax, `EOF`, type, unknown field).
        RecipeError: upstream's INVALID_REQUEST for data after the document.
    """
    start = skip_space(content, 0)
    if start == len(content):
        raise ValueError("EOF")
    end = scan_value(content, start)
    value = json.loads(
        content[start:end].decode("utf-8", "replace"),
        object_pairs_hook=_Object,
        parse_int=_Number,
        parse_float=_Number,
    )
    errors: list[str] = []
    document = _store(value, ROOT, (), None, errors=errors)
    if errors:
        raise ValueError(errors[0])
    rest = skip_space(content, end)
    if rest < len(content):
        try:
            scan_value(content, rest)
        except ValueError as err:
            raise RecipeError("trailing JSON data is not valid", code=ErrorCode.INVALID_REQUEST, cause=err) from None
        raise RecipeError("unexpected trailing data after JSON document", code=ErrorCode.INVALID_REQUEST)
    return document if isinstance(document, dict) else {}


# --- storing into the Go types ------------------------------------------------------------------------


def _kind(value: Any) -> str:
    if isinstance(value, _Object):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, _Number):
        return "number"
    return "string"


def _type_error(value: str, go_type: str, stack: tuple[str, ...]) -> str:
    if not stack:
        return f"json: cannot unmarshal {value} into Go value of type {go_type}"
    # Go names the root type and the JSON path; a path ending in an index drops "Go struct field".
    into = "" if stack[-1].isdigit() else "Go struct field "
    return f"json: cannot unmarshal {value} into {into}AICRConfig.{'.'.join(stack)} of type {go_type}"


def _store(value: Any, go_type: str, stack: tuple[str, ...], old: Any, *, errors: list[str]) -> Any:
    """*value* stored into a Go *go_type* that held *old*; the first problem is appended to *errors*."""
    if value is None:
        return None
    fields = go_fields(go_type)
    if fields is not None:
        if not isinstance(value, _Object):
            errors.append(_type_error(_kind(value), go_type, stack))
            return old
        target = dict(old) if isinstance(old, dict) else {}
        by_fold = {name.lower(): name for name in fields}
        for key, item in value:
            name = key if key in fields else by_fold.get(key.lower())
            if name is None:
                errors.append(f"json: unknown field {go_quote(key)}")
                continue
            target[name] = _store(item, fields[name], (*stack, name), target.get(name), errors=errors)
        return target
    if go_type in ("[]string", "map[string]string"):
        wanted = list if go_type == "[]string" else _Object
        if not isinstance(value, wanted) or (wanted is list and isinstance(value, _Object)):
            errors.append(_type_error(_kind(value), go_type, stack))
            return old
        if isinstance(value, _Object):
            merged = dict(old) if isinstance(old, dict) else {}
            for key, item in value:
                merged[key] = _store(item, "string", (*stack, key), merged.get(key), errors=errors) or ""
            return merged
        return [_store(item, "string", (*stack, str(i)), None, errors=errors) or "" for i, item in enumerate(value)]
    return _scalar(value, go_type, stack, old, errors=errors)


def _scalar(value: Any, go_type: str, stack: tuple[str, ...], old: Any, *, errors: list[str]) -> Any:
    kind = _kind(value)
    if go_type == "int" and kind == "number":
        if re.fullmatch(r"-?[0-9]+", value) and -(1 << 63) <= int(value) < (1 << 63):
            return int(value)
        errors.append(_type_error(f"number {value}", go_type, stack))
        return old
    if (go_type, kind) in (("string", "string"), ("bool", "bool")):
        return _LONE_SURROGATE.sub("\ufffd", value) if kind == "string" else value
    errors.append(_type_error(kind, go_type, stack))
    return old
