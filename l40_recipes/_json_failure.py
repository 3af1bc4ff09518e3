"""Where Go's JSON encoder stops on a map key it cannot name: the JSON pointer and byte offset it reports.

Go 1.27's `encoding/json` (the toolchain upstream's binary is built with) names a map's keys before
writing its values, and fails on a boolean, float or null key with
`jsontext: object member name must be a string within "<pointer>" after offset <n>`, where the
offset counts the compact encoding up to the map's `{`, plus one.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

from ._scalars import rfc3339_nano

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = ["NonStringKey", "json_name", "non_string_key_message"]


class NonStringKey(Exception):
    """A mapping key JSON has no name for (`go_json` works out where)."""


def json_name(key: Any) -> str:
    """The JSON member name Go's encoder gives a map key of an `interface{}`-keyed map."""
    if isinstance(key, str):
        return key
    if isinstance(key, int) and not isinstance(key, bool):
        return str(key)
    if isinstance(key, dt.datetime):
        return rfc3339_nano(key)
    raise NonStringKey


def non_string_key_message(value: Any, emit: Callable[[Any, list[str]], None]) -> str:
    """Go's error for the first map with a non-string key: its JSON pointer and compact byte offset."""
    out: list[str] = []
    failure = _first_bad_key(value, "", out, emit)
    assert failure is not None  # _emit found one, in the same order
    offset = len("".join(out).encode("utf-8", "surrogatepass")) + 1
    return (
        "json: unsupported value: jsontext: object member name must be a string"
        f" within {_go_quote(_truncate_pointer(failure))} after offset {offset}"
    )


def _first_bad_key(value: Any, pointer: str, out: list[str], emit: Callable[[Any, list[str]], None]) -> str | None:
    """Write *value* compactly into *out* up to the first map whose keys JSON cannot name; that map's pointer."""
    if isinstance(value, dict):
        out.append("{")
        try:
            names = [json_name(key) for key in value]
        except NonStringKey:
            return pointer
        for index, (name, item) in enumerate(zip(names, value.values(), strict=True)):
            out.append("," if index else "")
            emit(name, out)
            out.append(":")
            found = _first_bad_key(item, f"{pointer}/{name.replace('~', '~0').replace('/', '~1')}", out, emit)
            if found is not None:
                return found
        out.append("}")
    elif isinstance(value, (list, tuple)):
        out.append("[")
        for index, item in enumerate(value):
            out.append("," if index else "")
            found = _first_bad_key(item, f"{pointer}/{index}", out, emit)
            if found is not None:
                return found
        out.append("]")
    else:
        emit(value, out)
    return None


def _truncate_pointer(pointer: str, limit: int = 100) -> str:
    """Go's `jsonwire.TruncatePointer`: a long pointer keeps its ends around an ellipsis."""
    if len(pointer.encode("utf-8", "surrogatepass")) <= limit:
        return pointer
    # Names here are text, so cutting by characters keeps runes whole; pointers are mostly ASCII.
    head, tail = limit // 2, len(pointer) - limit // 2
    slash = pointer.rfind("/", 0, head)
    if slash > 0:
        head = slash
    slash = pointer.find("/", tail)
    if slash >= 0:
        tail = slash + 1
    middle = {0: "…", 1: "…/…"}.get(pointer.count("/", head, tail), "…/…/…")
    if pointer[head:tail].startswith("/") and middle != "…":
        middle = middle.removeprefix("…")
    if pointer[head:tail].endswith("/") and middle != "…":
        middle = middle.removesuffix("…")
    return pointer[:head] + middle + pointer[tail:]


def _go_quote(text: str) -> str:
    """Go's `strconv.Quote` for the printable text of a pointer (controls escaped)."""
    body = json.dumps(text, ensure_ascii=False)[1:-1]
    return '"' + body + '"'
