"""Writers that reproduce upstream's JSON and YAML bytes (Go's `encoding/json` and yaml.v3)."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
from decimal import Decimal
from typing import Any

from ._json_failure import NonStringKey, json_name, non_string_key_message
from ._scalars import quoted_when_written, rfc3339_nano, scalar_text

__all__ = ["go_json", "go_yaml"]

_GO_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}


def go_json(value: Any, *, indent: int | None = 2) -> str:
    """Encode *value* as Go's `json.MarshalIndent` would (HTML-escaped strings, Go float format).

    Raises:
        ValueError: with Go's message, for a value JSON cannot hold: an infinite or NaN number, or
            a mapping key that is a boolean, a float or null (yaml.v3 decodes `{1.5: x}` under
            `overrides` into such a map; integer and time keys become strings, as in Go).
    """
    parts: list[str] = []
    try:
        _emit(value, parts, indent, 0)
    except NonStringKey:
        raise ValueError(non_string_key_message(value, _emit_compact)) from None
    return "".join(parts)


def _emit(value: Any, out: list[str], indent: int | None, depth: int) -> None:
    if isinstance(value, dict):
        if not value:
            out.append("{}")
            return
        out.append("{")
        # Go names every key of a map before writing a value, so a bad key fails before a bad value.
        names = [key if isinstance(key, str) else json_name(key) for key in value]
        for index, (name, item) in enumerate(zip(names, value.values(), strict=True)):
            out.append("," if index else "")
            _newline(out, indent, depth + 1)
            out.append(_go_string(name))
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
    elif isinstance(value, dt.datetime):
        out.append(_go_string(rfc3339_nano(value)))
    else:
        out.append(_go_string(str(value)))


def _emit_compact(value: Any, out: list[str]) -> None:
    _emit(value, out, None, 0)


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
#: Characters yaml.v3 cannot print as they are (its `is_printable`), a tab aside: every code point
#: but `\t`, `\n`, `\x20-\x7e`, `\xa0-\ud7ff`, `\ue000-\ufefe` and `\uff00-\ufffd`. Written as the
#: ranges themselves: the negated class compiles in 4.4 ms, this one in 0.8 ms (every process that
#: writes a recipe compiles it).
_SPECIAL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff\ufeff\ufffe\uffff\U00010000-\U0010ffff]")
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
            exact = top or (not in_seq and col4 % 4 == 0)
            self.scalar(text, style, indent, simple_key=False, exact=exact, in_seq=in_seq)

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
        keyed = sorted(((scalar_text(key), key, item) for key, item in mapping.items()), key=lambda entry: entry[0])
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

    def scalar(
        self, text: str, style: int, indent: int, *, simple_key: bool, exact: bool, in_seq: bool = False
    ) -> None:
        """Write a scalar in the style yaml.v3's emitter settles on for the *style* requested.

        *exact*: yaml.v3's first pass put a literal block where its indentation indicator says;
        *in_seq*: the scalar is a sequence item.
        """
        self.open_ended = False
        style = _settle_style(text, style, simple_key=simple_key)
        if style == _LITERAL and text[0] in " \n":
            text = _reread_literal(text, exact=exact, in_seq=in_seq)
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


def _reread_literal(text: str, *, exact: bool, in_seq: bool) -> str:
    """The value yaml.v3 reads back from its own literal block, which needed an indentation indicator.

    Its first pass writes a leading line break as the header's own line end, so the break is lost.
    Where the block sits 2 columns left of what its indicator says (in a sequence, or a mapping at
    a column that is not a multiple of 4), lines indented 2 or more lose 2 spaces and any other
    line is a syntax error, which upstream reports as an internal error (its message names a line
    of the first pass's text, which is not reproduced).
    """
    if text[0] == "\n":
        text = text[1:]
    if exact:
        return text
    lines = text.split("\n")
    if any(line and not line.startswith("  ") for line in lines):
        from ._errors import ErrorCode, RecipeError  # noqa: PLC0415 - only for this rare failure

        msg = "failed to parse YAML for sort"
        expected = "'-' indicator" if in_seq else "key"
        cause = ValueError(f"yaml: did not find expected {expected}")
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
        return value, _DOUBLE if quoted_when_written(value) else _PLAIN
    return scalar_text(value), _PLAIN
