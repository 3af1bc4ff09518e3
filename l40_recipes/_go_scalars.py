"""How Go's yaml.v3 spells one scalar, and which plain strings it would read back as another type."""

from __future__ import annotations

import datetime as dt
import math
import re
from decimal import Decimal
from typing import Any

__all__ = ["quoted_when_written", "scalar_text"]

#: Plain scalars yaml.v3 resolves to something other than a string by their exact text.
_RESOLVED_WORDS = frozenset(
    [
        "true",
        "True",
        "TRUE",
        "false",
        "False",
        "FALSE",
        "~",
        "null",
        "Null",
        "NULL",
        ".nan",
        ".NaN",
        ".NAN",
        ".inf",
        ".Inf",
        ".INF",
        "+.inf",
        "+.Inf",
        "+.INF",
        "-.inf",
        "-.Inf",
        "-.INF",
        "<<",
    ]
)
#: YAML 1.1 booleans yaml.v3 still quotes when writing.
_OLD_BOOLS = frozenset(
    ["y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "n", "N", "no", "No", "NO", "off", "Off", "OFF"]
)
_BASE60_FLOAT = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?\Z")
_YAML_FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
_DOT_FLOAT = re.compile(r"\.[0-9]+(?:_[0-9]+)*(?:[eE][-+]?[0-9]+(?:_[0-9]+)*)?\Z")
_GO_INT = re.compile(r"([-+]?)(?:0[xX]([0-9a-fA-F]+)|0[bB]([01]+)|0[oO]([0-7]+)|(0[0-7]*)|([1-9][0-9]*))\Z")
_TIMESTAMP = re.compile(
    r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})"
    r"(?:[Tt]([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?:[.,][0-9]+)?(?:Z|[-+][0-9]{2}:[0-9]{2})"
    r"| ([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?:[.,][0-9]+)?)?\Z"
)


def quoted_when_written(text: str) -> bool:
    """Whether yaml.v3 writes the string *text* double-quoted (`stringv`): plain would change its type."""
    return not _plain_is_string(text) or text in _OLD_BOOLS or _BASE60_FLOAT.match(text) is not None


def scalar_text(value: Any) -> str:
    """The text yaml.v3 writes for a scalar: what upstream sorts mapping keys by."""
    if isinstance(value, str):
        return value
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _go_yaml_float(value)
    if isinstance(value, dt.datetime):
        return _rfc3339_nano(value)
    if isinstance(value, dt.date):
        return value.isoformat() + "T00:00:00Z"
    return str(value)


def _go_yaml_float(value: float) -> str:
    """Go's `strconv.FormatFloat(value, 'g', -1, 64)`, with YAML's spellings of infinity and NaN."""
    if math.isnan(value):
        return ".nan"
    if math.isinf(value):
        return ".inf" if value > 0 else "-.inf"
    sign = "-" if math.copysign(1.0, value) < 0 else ""
    if value == 0:
        return sign + "0"
    _, digit_tuple, exponent = Decimal(repr(abs(value))).as_tuple()
    digits = "".join(map(str, digit_tuple)).rstrip("0")
    point = len(digit_tuple) + int(exponent)  # digits before the decimal point
    exp10 = point - 1
    if exp10 < -4 or exp10 >= 6:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mantissa}e{'-' if exp10 < 0 else '+'}{abs(exp10):02d}"
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return sign + digits + "0" * (point - len(digits))
    return f"{sign}{digits[:point]}.{digits[point:]}"


def _rfc3339_nano(value: dt.datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    text = value.strftime("%Y-%m-%dT%H:%M:%S")
    if value.microsecond:
        text += f".{value.microsecond:06d}".rstrip("0")
    offset = value.utcoffset() or dt.timedelta(0)
    if not offset:
        return text + "Z"
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else "+"
    return f"{text}{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _plain_is_string(text: str) -> bool:
    """Whether yaml.v3 resolves *text*, written plain, to a string (its `resolve("", text)`)."""
    if not text or text in _RESOLVED_WORDS:
        return False
    first = text[0]
    if first == ".":
        return not (_DOT_FLOAT.match(text) and _finite(text.replace("_", "")))
    if not (first.isascii() and (first.isdigit() or first in "+-")):
        return True
    if _is_timestamp(text):
        return False
    plain = text.replace("_", "")
    number = _GO_INT.match(plain)
    if number:
        sign, hexa, binary, octal, legacy_octal, decimal = number.groups()
        magnitude = int(
            hexa or binary or octal or legacy_octal or decimal,
            16 if hexa else 2 if binary else 8 if (octal or legacy_octal) else 10,
        )
        if magnitude <= (2**63 if sign == "-" else 2**63 - 1 if sign == "+" else 2**64 - 1):
            return False
    return not (_YAML_FLOAT.match(plain) and _finite(plain))


def _finite(text: str) -> bool:
    return not math.isinf(float(text))


def _is_timestamp(text: str) -> bool:
    match = _TIMESTAMP.match(text)
    if not match:
        return False
    year, month, day = (int(part) for part in match.group(1, 2, 3))
    if not 1 <= month <= 12:
        return False
    leap = year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)
    days = (31, 29 if leap else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)[month - 1]
    if not 1 <= day <= days:
        return False
    clock = match.group(4, 5, 6) if match.group(4) else match.group(7, 8, 9)
    if clock[0] is None:
        return True
    hour, minute, second = (int(part) for part in clock)
    return hour < 24 and minute < 60 and second < 60
