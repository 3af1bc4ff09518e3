"""Scalars as upstream's yaml.v3 types them, read and written: the one place that knows its resolution rules.

Reading: `resolve(tag, text)` is yaml.v3's `resolve` — YAML 1.2 core plus `0777` octals, Go's
number ranges, RFC 3339 timestamps, `!!binary` — giving a short tag and a Python value. The YAML
reader uses it for free-form values (`overrides`) and to type-check fields (`nodes: '8'` is a
`!!str` where an int belongs). Writing: `quoted_when_written(text)` asks the same function whether a
string written plain would read back as another type; `scalar_text(value)` is the text yaml.v3
writes for a non-string scalar (also what upstream sorts mapping keys by).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import math
import re
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    import yaml

__all__ = [
    "BINARY",
    "BOOL",
    "FLOAT",
    "INT",
    "MERGE",
    "NULL",
    "STR",
    "TIMESTAMP",
    "AnyKeyMap",
    "BinaryError",
    "TypedText",
    "quoted_when_written",
    "resolve",
    "resolve_node",
    "resolve_plain",
    "scalar_text",
    "short_tag",
    "unmarshal_error",
]

#: Tag given to untagged plain scalars; PyYAML would resolve them with YAML 1.1 rules instead.
PLAIN_TAG: Final = "!l40-recipes/plain"
NULL_TAG: Final = "tag:yaml.org,2002:null"
_LONG_PREFIX: Final = "tag:yaml.org,2002:"

# yaml.v3's short tags.
NULL: Final = "!!null"
BOOL: Final = "!!bool"
STR: Final = "!!str"
INT: Final = "!!int"
FLOAT: Final = "!!float"
TIMESTAMP: Final = "!!timestamp"
BINARY: Final = "!!binary"
MERGE: Final = "!!merge"

NULLS: Final = frozenset({"", "~", "null", "Null", "NULL"})

#: First characters of the plain scalars a YAML 1.1 or 1.2 reader may turn into a non-string.
YAML11_FIRST: Final = frozenset("yYnNoOtTfF+-.0123456789")

#: Plain scalars resolved by their exact text.
_WORDS: Final[dict[str, tuple[str, Any]]] = {
    **dict.fromkeys(("true", "True", "TRUE"), (BOOL, True)),
    **dict.fromkeys(("false", "False", "FALSE"), (BOOL, False)),
    **dict.fromkeys(NULLS, (NULL, None)),
    **dict.fromkeys((".nan", ".NaN", ".NAN"), (FLOAT, math.nan)),
    **dict.fromkeys((".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF"), (FLOAT, math.inf)),
    **dict.fromkeys(("-.inf", "-.Inf", "-.INF"), (FLOAT, -math.inf)),
    "<<": (MERGE, "<<"),
}
#: Tags whose text yaml.v3 resolves; any other tag keeps the text as it is.
_RESOLVABLE: Final = frozenset({"", STR, BOOL, INT, FLOAT, NULL, TIMESTAMP})
#: YAML 1.1 booleans yaml.v3 still quotes when writing (and accepts for a Go `bool` field).
YAML11_BOOLS: Final[dict[str, bool]] = {
    **dict.fromkeys(("y", "Y", "yes", "Yes", "YES", "on", "On", "ON"), True),
    **dict.fromkeys(("n", "N", "no", "No", "NO", "off", "Off", "OFF"), False),
}
_BASE60_FLOAT: Final = re.compile(r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?\Z")
_YAML_FLOAT: Final = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
#: What Go's `strconv.ParseFloat` accepts after a leading dot (underscores between digits included).
_DOT_FLOAT: Final = re.compile(r"\.[0-9]+(?:_[0-9]+)*(?:[eE][-+]?[0-9]+(?:_[0-9]+)*)?\Z")
_GO_INT: Final = re.compile(r"([-+]?)(?:0[xX]([0-9a-fA-F]+)|0[bB]([01]+)|0[oO]([0-7]+)|(0[0-7]*)|([1-9][0-9]*))\Z")
_TIMESTAMP: Final = re.compile(
    r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})"
    r"(?:(?:[Tt]([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?:[.,]([0-9]+))?(Z|[-+][0-9]{2}:[0-9]{2}))"
    r"|(?: ([0-9]{1,2}):([0-9]{1,2}):([0-9]{1,2})(?:[.,]([0-9]+))?))?\Z"
)
_INT64_MIN: Final = -(2**63)
_INT64_MAX: Final = 2**63 - 1
_UINT64_MAX: Final = 2**64 - 1


class TypedText(str):
    """A typed field's scalar that yaml.v3 resolves to something other than a string.

    It reads as its source text (what a Go string field takes), and carries the short `tag` and the
    resolved `value` (what an int or bool field takes, if the type fits).
    """

    tag: str
    value: Any

    def __new__(cls, text: str, tag: str = STR, value: Any = None) -> TypedText:
        made = super().__new__(cls, text)
        made.tag = tag
        made.value = text if value is None else value
        return made


class AnyKeyMap(dict[Any, Any]):
    """A mapping under `overrides` with a key that is not a string (`{1: x}`, `{true: x}`).

    yaml.v3 decodes it into `map[interface{}]interface{}`, which upstream's override merge does not
    merge into (nor merge another map into): a later layer's value replaces it whole.
    """


class BinaryError(ValueError):
    """A `!!binary` scalar that is not base64 (yaml.v3 fails the whole document)."""


def short_tag(tag: str | None) -> str:
    """yaml.v3's short form of a composed node's tag; `""` for an untagged plain scalar."""
    if not tag or tag == PLAIN_TAG:
        return ""
    if tag.startswith(_LONG_PREFIX):
        return "!!" + tag[len(_LONG_PREFIX) :]
    return tag


def resolve_node(node: yaml.ScalarNode) -> tuple[str, Any]:
    """`resolve` for a composed scalar node (quoted scalars are strings), `!!binary` decoded.

    Raises:
        BinaryError: a `!!binary` scalar whose text is not base64.
    """
    tag = short_tag(node.tag)
    if tag == BINARY:
        return BINARY, decode_binary(str(node.value))
    return resolve(tag, str(node.value))


def decode_binary(text: str) -> str:
    """The bytes of a `!!binary` scalar, as the Go string yaml.v3 decodes them into."""
    try:
        data = base64.b64decode(text.replace("\n", "").replace("\r", ""), validate=True)
    except (binascii.Error, ValueError):
        msg = "!!binary value contains invalid base64 data"
        raise BinaryError(msg) from None
    return data.decode("utf-8", errors="replace")


def resolve(tag: str, text: str) -> tuple[str, Any]:
    """yaml.v3's `resolve(tag, text)`: the short tag and value a scalar decodes to in an `interface{}`.

    *tag* is a short tag (`""` for untagged plain scalars, `!!str` for quoted ones). Integers keep
    Go's int64/uint64 range (past it they are floats; past the float range, strings), and no text
    (even past Python's 4,300-digit limit) raises.
    """
    if tag not in _RESOLVABLE:
        return tag, text
    if tag == STR:
        return STR, text
    word = _WORDS.get(text)
    if word is not None:
        return word
    first = text[0]
    if first == ".":
        if _DOT_FLOAT.match(text):
            value = float(text.replace("_", ""))
            if not math.isinf(value):
                return _retag(tag, FLOAT, value)
        return STR, text
    if not (first.isascii() and (first.isdigit() or first in "+-")):
        return STR, text
    if tag in ("", TIMESTAMP):
        stamp = _timestamp(text)
        if stamp is not None:
            return TIMESTAMP, stamp
    plain = text.replace("_", "")
    number = _go_int(plain)
    if number is not None:
        return _retag(tag, INT, number)
    if _YAML_FLOAT.match(plain):
        value = float(plain)
        if not math.isinf(value):
            return _retag(tag, FLOAT, value)
    return STR, text


def _retag(tag: str, resolved: str, value: Any) -> tuple[str, Any]:
    # An explicit `!!float` turns an integer into a float, as yaml.v3 does.
    if tag == FLOAT and resolved == INT:
        return FLOAT, float(value)
    return resolved, value


def _go_int(plain: str) -> int | None:
    """`strconv.ParseInt(plain, 0, 64)`, then `ParseUint`: None when neither accepts it."""
    match = _GO_INT.match(plain)
    if match is None:
        return None
    sign, hexa, binary, octal, legacy_octal, decimal = match.groups()
    digits = (hexa or binary or octal or legacy_octal or decimal).lstrip("0") or "0"
    if len(digits) > 64:  # 2**64 has at most 64 digits in any of these bases
        return None
    magnitude = int(digits, 16 if hexa else 2 if binary else 8 if (octal or legacy_octal) else 10)
    if sign == "-":
        return -magnitude if magnitude <= -_INT64_MIN else None
    # ParseUint takes no sign: a `+` keeps the int64 range.
    return magnitude if magnitude <= (_INT64_MAX if sign == "+" else _UINT64_MAX) else None


def _timestamp(text: str) -> dt.datetime | None:
    """yaml.v3's `parseTimestamp`: RFC 3339 (short fields, `t` allowed), space-separated, or a date.

    Go keeps nanoseconds; Python keeps microseconds, so digits past the sixth are dropped. A year
    Python's `datetime` cannot hold (0000) leaves the text a string.
    """
    match = _TIMESTAMP.match(text)
    if match is None:
        return None
    groups = match.groups()
    year, month, day = (int(part) for part in groups[:3])
    if groups[3] is not None:
        clock, fraction, zone = groups[3:6], groups[6], groups[7]
    elif groups[8] is not None:
        clock, fraction, zone = groups[8:11], groups[11], None
    else:
        clock, fraction, zone = ("0", "0", "0"), None, None
    hour, minute, second = (int(part) for part in clock)
    tzinfo = dt.UTC
    if zone and zone != "Z":
        hours, minutes = int(zone[1:3]), int(zone[4:6])
        if hours > 23 or minutes > 59:  # pragma: no cover - Go refuses such offsets too
            return None
        offset = dt.timedelta(hours=hours, minutes=minutes)
        tzinfo = dt.timezone(-offset if zone[0] == "-" else offset)
    micro = int((fraction or "0")[:6].ljust(6, "0"))
    try:
        return dt.datetime(year, month, day, hour, minute, second, micro, tzinfo=tzinfo)
    except ValueError:  # day past the month's end, hour 24, year 0
        return None


def unmarshal_error(value: Any, go_type: str) -> str:
    """yaml.v3's message for a value its decoder cannot put into a Go field of *go_type*.

    *value* is what the YAML reader built: a dict, a list, a plain string (a `!!str`), or a
    `TypedText` (another tag). Long text is cut to 7 bytes, as yaml.v3 does.
    """
    if isinstance(value, dict):
        return f"cannot unmarshal !!map into {go_type}"
    if isinstance(value, list):
        return f"cannot unmarshal !!seq into {go_type}"
    tag = value.tag if isinstance(value, TypedText) else STR
    raw = str(value).encode("utf-8", "surrogatepass")
    shown = raw[:7].decode("utf-8", "replace") + "..." if len(raw) > 10 else str(value)
    return f"cannot unmarshal {tag} `{shown}` into {go_type}"


def resolve_plain(text: str) -> Any:
    """The value of an untagged plain scalar, as yaml.v3 decodes it into `interface{}`."""
    return resolve("", text)[1]


def looks_versioned(text: str) -> bool:
    """Text a human reads as a version or a code: `1.30`, `010`, `1e3`-free."""
    return bool(re.match(r"^[0-9]+(\.[0-9]+)+$", text)) or (len(text) > 1 and text.startswith("0") and text.isdigit())


def yaml11_reading(text: str, resolved: tuple[str, Any] | None = None) -> str | None:
    """What a YAML 1.1 reader (PyYAML, many editors) would make of a plain scalar, if not a string.

    *resolved*: `resolve("", text)`, when the caller has it already.
    """
    if text.lower() in {"yes", "no", "on", "off"}:
        return "a boolean"
    tag, value = resolve("", text) if resolved is None else resolved
    if tag == BOOL:
        return "a boolean"
    if tag == INT:
        return f"the integer {value}"
    if tag == FLOAT:
        return f"the number {value!r}"
    return None


# --- Writing --------------------------------------------------------------------------------------


def quoted_when_written(text: str) -> bool:
    """Whether yaml.v3 writes the string *text* double-quoted (`stringv`): plain would change its type."""
    return resolve("", text)[0] != STR or text in YAML11_BOOLS or _BASE60_FLOAT.match(text) is not None


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
        return go_yaml_float(value)
    if isinstance(value, dt.datetime):
        return rfc3339_nano(value)
    if isinstance(value, dt.date):
        return value.isoformat() + "T00:00:00Z"
    return str(value)


def go_yaml_float(value: float) -> str:
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


def rfc3339_nano(value: dt.datetime) -> str:
    """Go's `time.RFC3339Nano` text of a time (what `time.Time` marshals to in JSON and YAML)."""
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
