"""Writers that reproduce upstream's JSON and YAML bytes (Go's `encoding/json` and yaml.v3)."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from decimal import Decimal
from typing import Any

__all__ = ["go_json", "go_yaml"]

_GO_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def go_json(value: Any, *, indent: int | None = 2) -> str:
    """Encode *value* as Go's `json.MarshalIndent` would (HTML-escaped strings, Go float format)."""
    parts: list[str] = []
    _emit(value, parts, indent, 0)
    return "".join(parts)


def _emit(value: Any, out: list[str], indent: int | None, depth: int) -> None:
    if isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        out.append("{")
        for index, (key, item) in enumerate(value.items()):
            out.append("," if index else "")
            _newline(out, indent, depth + 1)
            out.append(_go_string(str(key)))
            out.append(": " if indent is not None else ":")
            _emit(item, out, indent, depth + 1)
        _newline(out, indent, depth)
        out.append("}")
    elif isinstance(value, (list, tuple)):
        if not value:
            out.append("[]")
            return
        out.append("[")
        for index, item in enumerate(value):
            out.append("," if index else "")
            _newline(out, indent, depth + 1)
            _emit(item, out, indent, depth + 1)
        _newline(out, indent, depth)
        out.append("]")
    elif isinstance(value, str):
        out.append(_go_string(value))
    elif value is None or isinstance(value, bool):
        out.append(json.dumps(value))
    elif isinstance(value, int):
        out.append(str(value))
    elif isinstance(value, float):
        out.append(_go_float(value))
    else:
        out.append(_go_string(str(value)))


def _newline(out: list[str], indent: int | None, depth: int) -> None:
    if indent is not None:
        out.append("\n" + " " * (indent * depth))


def _go_string(text: str) -> str:
    encoded = json.dumps(text, ensure_ascii=False)
    for char, escape in _GO_ESCAPES.items():
        encoded = encoded.replace(char, escape)
    return encoded


def _go_float(value: float) -> str:
    if math.isnan(value) or math.isinf(value):
        # Go's encoding/json error text, with Go's spelling of the value.
        msg = f"json: unsupported value: {'NaN' if math.isnan(value) else ('+Inf' if value > 0 else '-Inf')}"
        raise ValueError(msg)
    magnitude = abs(value)
    if magnitude != 0 and (magnitude < 1e-6 or magnitude >= 1e21):
        mantissa, _, exponent = repr(value).partition("e")
        sign = "-" if exponent.startswith("-") else "+"
        return f"{mantissa}e{sign}{int(exponent.lstrip('+-')):02d}"
    if value == int(value):
        return str(int(value))
    return format(Decimal(repr(value)), "f")


# --- YAML -----------------------------------------------------------------------------------------
#
# Upstream marshals with yaml.v3, parses the text back into nodes, sorts every mapping's keys by
# their text and encodes again with an indent of 2. The emitter below writes that result directly:
# block collections only (empty ones as `{}` and `[]`), sequences indented under their key, no line
# wrapping, and yaml.v3's choice of scalar style. PyYAML (and libyaml behind it) cannot be told to
# indent sequences under their key, so it is not used here; regular expressions keep a 10 MB scalar
# fast.

_BREAKS = "\n\r\x85\u2028\u2029"
_BREAK_CLASS = "[\n\r\x85\u2028\u2029]"
#: Characters yaml.v3 cannot print as they are (its `is_printable`), a tab aside.
_SPECIAL = re.compile(r"[^\t\n\x20-\x7e\xa0-\ud7ff\ue000-\ufefe\uff00-\ufffd]")
#: An indicator that forbids a plain scalar in block context, anywhere after the first character.
_BLOCK_INDICATOR = re.compile(f":(?=[ \\t]|\\Z)|[ \\t\\x00{_BREAKS}]#")
_SPACE_BREAK = re.compile(f" {_BREAK_CLASS}")
_BREAK_SPACE = re.compile(f"{_BREAK_CLASS} ")
_ANY_BREAK = re.compile(_BREAK_CLASS)
_LITERAL_LINES = re.compile("([\n\u2028\u2029])")
#: The escapes `_double_quoted` leaves to its translation table.
_RARE_ESCAPE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ufffe\uffff]")
#: Characters outside the Basic Multilingual Plane (and lone surrogates): yaml.v3 escapes them all.
_WIDE_ESCAPE = re.compile(r"[\ud800-\udfff\U00010000-\U0010ffff]")
_NAMED_ESCAPES = {
    "\x00": "0",
    "\x07": "a",
    "\x08": "b",
    "\t": "t",
    "\n": "n",
    "\x0b": "v",
    "\x0c": "f",
    "\r": "r",
    "\x1b": "e",
    '"': '"',
    "\\": "\\",
    "\x85": "N",
    "\u2028": "L",
    "\u2029": "P",
}
_FIRST_INDICATORS = frozenset("#,[]{}&*!|>'\"%@`")

_PLAIN, _SINGLE, _DOUBLE, _LITERAL = range(4)

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


def go_yaml(value: Any) -> str:
    """Encode *value* as upstream's YAML writer does: yaml.v3, keys sorted, indent 2."""
    emitter = _YamlEmitter()
    emitter.node(value, 0, 0, in_seq=False, top=True)
    text = "".join(emitter.out)
    if not text.endswith(("\n", "\u2028", "\u2029")):
        text += "\n"
    if emitter.open_ended:
        text += "...\n"
    return text


class _YamlEmitter:
    """A writer for one document; `out` collects the text, `open_ended` marks a trailing `|+` block."""

    def __init__(self) -> None:
        self.out: list[str] = []
        self.open_ended = False

    # `col4` is where yaml.v3's first pass (indent 4) put the enclosing collection, `in_seq` whether
    # that collection is a sequence: together they decide whether the first pass wrote a literal block
    # that reads back as it was written.

    def node(self, value: Any, indent: int, col4: int, *, in_seq: bool, top: bool = False) -> None:
        """Write *value*, whose block contents sit at *indent*, after an indicator (or at the start)."""
        out = self.out
        lead = "" if top else " "
        if isinstance(value, (dict, list, tuple)):
            if not value:
                out.append(lead + ("{}" if isinstance(value, dict) else "[]"))
            else:
                out.append(lead)
                self.collection(value, indent, _child_col4(col4, in_seq=in_seq))
        else:
            text, style = _scalar(value)
            out.append(lead)
            self.scalar(text, style, indent, simple_key=False, exact=top or (not in_seq and col4 % 4 == 0))

    def value(self, value: Any, indent: int, col4: int) -> None:
        """Write a mapping value after its `:`: block collections start on the next line."""
        if isinstance(value, (dict, list, tuple)) and value:
            self.newline(indent)
            self.collection(value, indent, _child_col4(col4, in_seq=False))
        else:
            self.node(value, indent, col4, in_seq=False)

    def collection(self, value: dict[Any, Any] | list[Any] | tuple[Any, ...], indent: int, col4: int) -> None:
        if isinstance(value, dict):
            self.mapping(value, indent, col4)
        else:
            self.sequence(value, indent, col4)

    def newline(self, indent: int) -> None:
        """Start a line at *indent*; a literal block that ended with a line break has started it."""
        if self.out[-1].endswith(("\n", "\u2028", "\u2029")):
            self.out.append(" " * indent)
        else:
            self.out.append("\n" + " " * indent)

    def mapping(self, mapping: dict[Any, Any], indent: int, col4: int) -> None:
        out = self.out
        keyed = sorted(((_key_text(key), key, item) for key, item in mapping.items()), key=lambda entry: entry[0])
        for index, (text, key, item) in enumerate(keyed):
            if index:
                self.newline(indent)
            key_text, style = _scalar(key)
            if not _ANY_BREAK.search(key_text) and len(text.encode("utf-8", "surrogatepass")) <= 128:
                self.scalar(key_text, style, indent + 2, simple_key=True, exact=True)
                out.append(":")
                self.value(item, indent + 2, col4)
            else:
                out.append("?")
                self.node(key, indent + 2, col4, in_seq=False)
                self.newline(indent)
                out.append(":")
                self.node(item, indent + 2, col4, in_seq=False)

    def sequence(self, sequence: list[Any] | tuple[Any, ...], indent: int, col4: int) -> None:
        out = self.out
        for index, item in enumerate(sequence):
            if index:
                self.newline(indent)
            out.append("-")
            self.node(item, indent + 2, col4, in_seq=True)

    def scalar(self, text: str, style: int, indent: int, *, simple_key: bool, exact: bool) -> None:
        """Write a scalar in the style yaml.v3's emitter settles on for the *style* requested.

        *exact*: yaml.v3's first pass put a literal block where its indentation indicator says.
        """
        self.open_ended = False
        style = _settle_style(text, style, simple_key=simple_key)
        if style == _LITERAL and text[0] in " \n":
            text = _reread_literal(text, exact=exact)
            style = _settle_style(text, style, simple_key=simple_key)
        out = self.out
        if text == "<<" and style != _LITERAL:
            out.append("!!merge <<")
        elif style == _PLAIN:
            out.append(text)
        elif style == _SINGLE:
            out.append(_single_quoted(text, indent))
        elif style == _DOUBLE:
            out.append('"' + _double_quoted(text) + '"')
        else:
            out.append(self.literal(text, indent))

    def literal(self, text: str, indent: int) -> str:
        hints = "2" if text[0] in " " + _BREAKS else ""
        if text[-1] not in _BREAKS:
            hints += "-"
        elif len(text) == 1 or text[-2] in _BREAKS:
            hints += "+"
            self.open_ended = True
        pad = " " * indent
        parts = ["|" + hints]
        after_break = False
        for piece in _LITERAL_LINES.split(text):
            if piece in ("\n", "\u2028", "\u2029"):
                parts.append(piece)
                after_break = True
            elif piece:
                parts.append((pad if after_break else "\n" + pad) + piece)
        return "".join(parts)


def _child_col4(col4: int, *, in_seq: bool) -> int:
    """Where yaml.v3's first pass (indent 4) puts a block collection nested in one at *col4*."""
    return col4 + 2 if in_seq else (col4 // 4 + 1) * 4


def _reread_literal(text: str, *, exact: bool) -> str:
    """The value yaml.v3 reads back from its own literal block, which needed an indentation indicator.

    Its first pass writes a leading line break as the header's own line end, so the break is lost.
    Where the block sits 2 columns left of what its indicator says (in a sequence, or a mapping at
    a column that is not a multiple of 4), lines indented 2 or more lose 2 spaces and any other
    line is a syntax error, which upstream reports as an internal error.
    """
    if text[0] == "\n":
        text = text[1:]
    if exact:
        return text
    lines = text.split("\n")
    if any(line and not line.startswith("  ") for line in lines):
        from ._errors import ErrorCode, RecipeError  # noqa: PLC0415 - only for this rare failure

        msg = "failed to parse YAML for sort"
        cause = ValueError("yaml: a literal block is indented less than its indentation indicator says")
        raise RecipeError(msg, code=ErrorCode.INTERNAL, cause=cause)
    return "\n".join(line[2:] for line in lines)


def _settle_style(text: str, style: int, *, simple_key: bool) -> int:
    """yaml.v3's `select_scalar_style` in block context, from its analysis of *text*."""
    if not text:
        # yaml.v3 never asks for a plain empty string (it reads back as null); a literal block cannot
        # hold one.
        return _DOUBLE if style == _LITERAL else style
    special = _SPECIAL.search(text) is not None
    tabs = "\t" in text
    space_break = _SPACE_BREAK.search(text) is not None
    break_space = _BREAK_SPACE.search(text) is not None
    breaks = _ANY_BREAK.search(text) is not None
    if style == _PLAIN:
        first = text[0]
        indicators = (
            first in _FIRST_INDICATORS
            or (first in "?:-" and (len(text) == 1 or text[1] in " \t"))
            or text.startswith(("---", "..."))
            or _BLOCK_INDICATOR.search(text, 1) is not None
        )
        edges = first in " " + _BREAKS or text[-1] in " " + _BREAKS
        if indicators or edges or special or tabs or space_break or break_space or breaks:
            style = _SINGLE
    if style == _SINGLE and (special or tabs or space_break or break_space):
        style = _DOUBLE
    if style == _LITERAL and (special or space_break or text[-1] == " " or simple_key):
        style = _DOUBLE
    return style


def _single_quoted(text: str, indent: int) -> str:
    body = text.replace("'", "''")
    if _ANY_BREAK.search(body):
        # A line break inside single quotes: yaml.v3 writes the break and indents what follows.
        pieces = re.split(f"({_BREAK_CLASS}+)", body)
        pad = " " * indent
        body = "".join(
            (("\n" if piece[0] == "\n" else "") + piece) if index % 2 else (pad + piece if index and piece else piece)
            for index, piece in enumerate(pieces)
        )
    return "'" + body + "'"


def _double_quoted(text: str) -> str:
    """The body of yaml.v3's double-quoted scalar: str.replace for the usual escapes keeps it fast."""
    if text.startswith("\ufeff"):
        # yaml.v3's byte-order-mark test looks at the scalar's first bytes whatever the position,
        # so a scalar that starts with one is escaped from end to end.
        return "".join(map(_escape_char, text))
    for char, escape in (("\\", "\\\\"), ('"', '\\"'), ("\n", "\\n"), ("\t", "\\t")):
        if char in text:
            text = text.replace(char, escape)
    if _RARE_ESCAPE.search(text):
        text = text.translate(_ESCAPE_TABLE)
    if _WIDE_ESCAPE.search(text):
        pieces = _WIDE_ESCAPE.split(text)
        chars = _WIDE_ESCAPE.findall(text)
        escapes = {char: _escape_char(char) for char in set(chars)}
        text = pieces[0] + "".join(escapes[char] + piece for char, piece in zip(chars, pieces[1:], strict=True))
    return text


def _escape_char(char: str) -> str:
    named = _NAMED_ESCAPES.get(char)
    if named is not None:
        return "\\" + named
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02X}"
    if code <= 0xFFFF:
        return f"\\u{code:04X}"
    return f"\\U{code:08X}"


#: The rarer escapes inside double quotes: unprintable characters, line breaks other than LF, the
#: byte-order mark.
_ESCAPE_TABLE = {
    code: _escape_char(chr(code))
    for code in (*range(9), *range(0x0B, 0x20), *range(0x7F, 0xA0), 0x2028, 0x2029, 0xFEFF, 0xFFFE, 0xFFFF)
}


def _scalar(value: Any) -> tuple[str, int]:
    """A scalar's text and the style yaml.v3's encoder asks for (`stringv`, `floatv`, ...)."""
    if isinstance(value, str):
        if "\n" in value:
            return value, _LITERAL
        if _plain_is_string(value) and value not in _OLD_BOOLS and not _BASE60_FLOAT.match(value):
            return value, _PLAIN
        return value, _DOUBLE
    return _key_text(value), _PLAIN


def _key_text(value: Any) -> str:
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
