"""Text read and quoted as upstream's Go code does: `strconv`'s Atoi, ParseFloat, Quote; `strings.TrimSpace`.

Upstream parses flag and constraint values with these, and quotes values into its messages with `%q`.
Python's `int()`, `float()`, `repr()` and `str.strip()` differ at the edges (Unicode digits, `1e400`
as infinity, `+nan`, hexadecimal floats, U+001C..U+001F as white space); whatever must read a value
or word a message as upstream does uses these instead.
"""

from __future__ import annotations

import math
import re
from typing import Any, Final

from ._scalars import go_yaml_float

__all__ = ["StrconvError", "go_atoi", "go_parse_float", "go_quote", "go_trim_space", "go_v"]

_INT64_MAX: Final = 2**63 - 1
_ATOI: Final = re.compile(r"[-+]?[0-9]+\Z")
_DECIMAL: Final = re.compile(r"[-+]?(?:[0-9_]+\.?[0-9_]*|\.[0-9_]+)(?:[eE][-+]?[0-9][0-9_]*)?\Z")
_HEX: Final = re.compile(r"[-+]?0[xX](?:[0-9a-fA-F_]+\.?[0-9a-fA-F_]*|\.[0-9a-fA-F_]+)[pP][-+]?[0-9][0-9_]*\Z")
_SPECIAL: Final = {
    "inf": math.inf,
    "+inf": math.inf,
    "-inf": -math.inf,
    "infinity": math.inf,
    "+infinity": math.inf,
    "-infinity": -math.inf,
    "nan": math.nan,
}


def go_quote(text: str) -> str:
    """*text* as Go's `%q` prints it (`strconv.Quote`), for messages that must read as upstream's."""
    out = ['"']
    for char in text:
        if char in _GO_ESCAPES:
            out.append(_GO_ESCAPES[char])
        elif char.isprintable():
            out.append(char)
        elif ord(char) < 0x80 or 0xDC80 <= ord(char) <= 0xDCFF:  # a raw byte (surrogate-escaped)
            out.append(f"\\x{ord(char) & 0xFF:02x}")
        elif ord(char) < 0x10000:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(f"\\U{ord(char):08x}")
    out.append('"')
    return "".join(out)


_GO_ESCAPES: Final = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
    "\\": "\\\\",
    '"': '\\"',
}


class StrconvError(ValueError):
    """A text Go's parser rejects; the message is Go's (`strconv.ParseFloat: parsing "x": invalid syntax`)."""


def _error(function: str, text: str, reason: str) -> StrconvError:
    return StrconvError(f"strconv.{function}: parsing {go_quote(text)}: {reason}")


def go_atoi(text: str) -> int:
    """`strconv.Atoi`: optional sign, ASCII decimal digits, within int64.

    Raises:
        StrconvError: with Go's message (`invalid syntax` or `value out of range`).
    """
    if not _ATOI.match(text):
        raise _error("Atoi", text, "invalid syntax")
    digits = text.lstrip("+-").lstrip("0")
    if len(digits) > 19 or int(digits or "0") > _INT64_MAX + text.startswith("-"):
        raise _error("Atoi", text, "value out of range")
    return int(text)


def go_parse_float(text: str) -> float:
    """`strconv.ParseFloat(text, 64)`: decimal and hexadecimal floats, `inf`/`infinity`/`nan` in any case.

    Underscores are accepted only between digits (or after a base prefix), as Go's `underscoreOK`
    requires; a finite literal too large for float64 is a range error, not infinity.

    Raises:
        StrconvError: with Go's message (`invalid syntax` or `value out of range`).
    """
    special = _SPECIAL.get(text.lower())
    if special is not None:
        return special
    hexadecimal = _HEX.match(text) is not None
    if not (hexadecimal or _DECIMAL.match(text)) or not _underscores_ok(text, hexadecimal=hexadecimal):
        raise _error("ParseFloat", text, "invalid syntax")
    mantissa = re.split(r"[pPeE]", text[2:] if hexadecimal else text, maxsplit=1)[0]
    if not any(char.isalnum() for char in mantissa.replace("_", "")):
        raise _error("ParseFloat", text, "invalid syntax")
    clean = text.replace("_", "")
    try:
        value = float.fromhex(clean) if hexadecimal else float(clean)
    except OverflowError:
        value = math.inf
    if math.isinf(value):
        raise _error("ParseFloat", text, "value out of range")
    return value


def _underscores_ok(text: str, *, hexadecimal: bool) -> bool:
    """Go's `underscoreOK`: each `_` sits between two digits (a base prefix counts as a digit)."""
    body = text.lstrip("+-")
    previous = "^"
    start = 0
    if len(body) >= 2 and body[0] == "0" and body[1] in "xXbBoO":
        previous, start = "0", 2
    for char in body[start:]:
        if char.isdigit() or (hexadecimal and char in "abcdefABCDEF"):
            previous = "0"
        elif char == "_":
            if previous != "0":
                return False
            previous = "_"
        elif previous == "_":
            return False
        else:
            previous = "!"
    return previous != "_"


def go_trim_space(text: str) -> str:
    """Go's `strings.TrimSpace`: Unicode white space, which (unlike Python's) excludes U+001C..U+001F."""
    start, end = 0, len(text)
    while start < end and _go_space(text[start]):
        start += 1
    while end > start and _go_space(text[end - 1]):
        end -= 1
    return text[start:end]


def _go_space(char: str) -> bool:
    return char.isspace() and char not in "\x1c\x1d\x1e\x1f"


def go_v(value: Any) -> str:
    """*value* as Go's `fmt` prints it with `%v` (maps with their keys sorted)."""
    if isinstance(value, dict):
        return "map[" + " ".join(f"{go_v(key)}:{go_v(value[key])}" for key in sorted(value, key=str)) + "]"
    if isinstance(value, list):
        return "[" + " ".join(go_v(item) for item in value) + "]"
    if value is None:
        return "<nil>"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "+Inf" if value > 0 else "-Inf"
        return go_yaml_float(value)  # the same `strconv.FormatFloat(value, 'g', -1, 64)`
    return str(value)
