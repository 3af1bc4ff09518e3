"""Scalars as upstream's yaml.v3 types them: YAML 1.2 core plus `0777` octals, Go's number ranges, and the YAML 1.1 readings that catch authors out."""

from __future__ import annotations

import math
import re
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    import yaml

#: Tag given to untagged plain scalars; PyYAML would resolve them with YAML 1.1 rules instead.
PLAIN_TAG: Final = "!l40-recipes/plain"
NULL_TAG: Final = "tag:yaml.org,2002:null"
BOOL_TAG: Final = "tag:yaml.org,2002:bool"
INT_TAG: Final = "tag:yaml.org,2002:int"
FLOAT_TAG: Final = "tag:yaml.org,2002:float"

NULLS: Final = frozenset({"", "~", "null", "Null", "NULL"})


#: First characters of the plain scalars a YAML 1.1 or 1.2 reader may turn into a non-string.
YAML11_FIRST: Final = frozenset("yYnNoOtTfF+-.0123456789")


_MAP_VALUES: Final[dict[str, Any]] = {
    "true": True,
    "True": True,
    "TRUE": True,
    "false": False,
    "False": False,
    "FALSE": False,
    ".nan": math.nan,
    ".NaN": math.nan,
    ".NAN": math.nan,
    ".inf": math.inf,
    ".Inf": math.inf,
    ".INF": math.inf,
    "+.inf": math.inf,
    "+.Inf": math.inf,
    "+.INF": math.inf,
    "-.inf": -math.inf,
    "-.Inf": -math.inf,
    "-.INF": -math.inf,
}


_GO_FLOAT: Final = re.compile(r"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")


_GO_INT: Final = re.compile(
    r"^[-+]?(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$",
)


_INT64_MIN: Final = -(2**63)


_UINT64_MAX: Final = 2**64 - 1


def resolve_scalar(node: yaml.ScalarNode) -> Any:
    """Resolve a scalar as upstream's yaml.v3 does when decoding into `interface{}`."""
    text = str(node.value)
    if node.tag == PLAIN_TAG or node.tag in (NULL_TAG, BOOL_TAG, INT_TAG, FLOAT_TAG):
        return resolve_plain(text)
    return text  # quoted, `!!str`, or a local tag such as `!foo`: keep the text


def resolve_plain(text: str) -> Any:
    """Resolve an untagged plain scalar with yaml.v3's rules (YAML 1.2 core, plus `0777` octals)."""
    if text in NULLS:
        return None
    if text in _MAP_VALUES:
        return _MAP_VALUES[text]
    if not text or text[0] not in "+-.0123456789":
        return text
    if text[0] == ".":
        return _go_parse_float(text)
    plain = text.replace("_", "")
    if _GO_INT.match(plain):
        value = _go_parse_int(plain)
        if value is not None:
            return value
    if _GO_FLOAT.match(plain):
        return _go_float(plain, text)
    return text


def _go_parse_int(text: str) -> int | None:
    """`strconv.ParseInt`/`ParseUint` with base 0 and 64 bits: None when out of range.

    Digits are counted before converting, so no text (even past Python's 4,300-digit limit) raises.
    """
    sign = -1 if text.startswith("-") else 1
    digits = text.lstrip("+-")
    lowered = digits.lower()
    base = 10
    if lowered.startswith(("0x", "0o", "0b")):
        base, digits = {"x": 16, "o": 8, "b": 2}[lowered[1]], digits[2:]
    elif len(digits) > 1 and digits.startswith("0"):
        base = 8
    digits = digits.lstrip("0") or "0"
    if len(digits) > 64:  # 2**64 has at most 64 digits in any of these bases
        return None
    value = sign * int(digits, base)
    return value if _INT64_MIN <= value <= _UINT64_MAX else None


def _go_float(plain: str, text: str) -> Any:
    """`strconv.ParseFloat(plain, 64)`; text beyond the float range stays a string, as in yaml.v3."""
    value = float(plain)
    return text if math.isinf(value) else value


def _go_parse_float(text: str) -> Any:
    try:
        return _go_float(text, text) if _GO_FLOAT.match(text) else text
    except ValueError:  # pragma: no cover - the pattern admits only parseable text
        return text


def looks_versioned(text: str) -> bool:
    """Text a human reads as a version or a code: `1.30`, `010`, `1e3`-free."""
    return bool(re.match(r"^[0-9]+(\.[0-9]+)+$", text)) or (len(text) > 1 and text.startswith("0") and text.isdigit())


def yaml11_reading(text: str) -> str | None:
    """What a YAML 1.1 reader (PyYAML, many editors) would make of a plain scalar, if not a string."""
    if text.lower() in {"yes", "no", "on", "off"}:
        return "a boolean"
    value = resolve_plain(text)
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return f"the integer {value}"
    if isinstance(value, float):
        return f"the number {value!r}"
    return None
