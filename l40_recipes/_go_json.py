r"""Go 1.27 encoding/json's scanner: where one JSON value ends, or its first syntax error in Go's words.

Go 1.27's encoding/json runs on the json/v2 engine and renders its syntax errors as v1 does
(`invalid character 'x' after object key`, `invalid escape sequence `\q` in string`,
`unexpected EOF`). Only the extent of a value is found here; decoding it is the caller's.
"""

from __future__ import annotations

from typing import Final

from ._go_text import go_quote

__all__ = ["scan_value", "skip_space"]

_SPACE: Final = b" \t\r\n"
_LITERALS: Final = {ord("t"): b"true", ord("f"): b"false", ord("n"): b"null"}
_ESCAPES: Final = frozenset(b'"\\/bfnrtu')


def skip_space(content: bytes, index: int) -> int:
    while index < len(content) and content[index] in _SPACE:
        index += 1
    return index


def _char(char: str) -> str:
    """Go's `strconv.QuoteRune`."""
    if char == "'":
        return "'\\''"
    if char == '"':
        return "'\"'"
    return "'" + go_quote(char)[1:-1] + "'"


def _bad(byte: int, context: str, at: tuple[bytes, int] | None = None) -> ValueError:
    char = chr(byte)
    if at is not None and byte >= 0x80:
        content, index = at
        char = content[index : index + 4].decode("utf-8", "ignore")[:1] or "\ufffd"
    return ValueError(f"invalid character {_char(char)} {context}")


class _Eof(ValueError):
    def __init__(self) -> None:
        super().__init__("unexpected EOF")


def _at(content: bytes, index: int) -> int:
    if index >= len(content):
        raise _Eof
    return content[index]


def scan_value(content: bytes, index: int) -> int:
    """The index after the JSON value starting at *index*; ValueError with Go's text if there is none."""
    return _value(content, index, "looking for beginning of value")


def _value(content: bytes, index: int, context: str) -> int:
    byte = _at(content, index)
    if byte == ord("{"):
        return _object(content, index + 1)
    if byte == ord("["):
        return _array(content, index + 1)
    if byte == ord('"'):
        return _string(content, index + 1)
    if byte == ord("-") or ord("0") <= byte <= ord("9"):
        return _number(content, index)
    literal = _LITERALS.get(byte)
    if literal is None:
        raise _bad(byte, context, (content, index))
    for offset in range(1, len(literal)):
        got = _at(content, index + offset)
        if got != literal[offset]:
            raise _bad(got, f"in literal {literal.decode()} (expecting {_char(chr(literal[offset]))})")
    return index + len(literal)


def _object(content: bytes, index: int) -> int:
    index = skip_space(content, index)
    if _at(content, index) == ord("}"):
        return index + 1
    while True:
        byte = _at(content, index)
        if byte != ord('"'):
            raise _bad(byte, "looking for beginning of object key string")
        index = skip_space(content, _string(content, index + 1))
        byte = _at(content, index)
        if byte != ord(":"):
            raise _bad(byte, "after object key")
        index = skip_space(content, _value(content, skip_space(content, index + 1), "looking for beginning of value"))
        byte = _at(content, index)
        if byte == ord("}"):
            return index + 1
        if byte != ord(","):
            raise _bad(byte, "after object key:value pair")
        index = skip_space(content, index + 1)


def _array(content: bytes, index: int) -> int:
    index = skip_space(content, index)
    if _at(content, index) == ord("]"):
        return index + 1
    while True:
        index = skip_space(content, _value(content, index, "looking for beginning of value"))
        byte = _at(content, index)
        if byte == ord("]"):
            return index + 1
        if byte != ord(","):
            raise _bad(byte, "after array element")
        index = skip_space(content, index + 1)


def _string(content: bytes, index: int) -> int:
    while True:
        byte = _at(content, index)
        if byte == ord('"'):
            return index + 1
        if byte < 0x20:
            raise _bad(byte, "in string")
        if byte == ord("\\"):
            escape = _at(content, index + 1)
            if escape not in _ESCAPES:
                raise _bad_escape(content[index : index + 2])
            index += 2
            if escape == ord("u"):
                for offset in range(4):
                    digit = _at(content, index + offset)
                    if chr(digit) not in "0123456789abcdefABCDEF":
                        raise _bad_escape(content[index - 2 : index + 4])
                index += 4
            continue
        index += 1


def _bad_escape(text: bytes) -> ValueError:
    return ValueError(f"invalid escape sequence `{text.decode('utf-8', 'replace')}` in string")


def _digits(content: bytes, index: int, context: str) -> int:
    byte = _at(content, index)
    if not ord("0") <= byte <= ord("9"):
        raise _bad(byte, context)
    while index < len(content) and ord("0") <= content[index] <= ord("9"):
        index += 1
    return index


def _number(content: bytes, index: int) -> int:
    if content[index] == ord("-"):
        index += 1
    index = index + 1 if _at(content, index) == ord("0") else _digits(content, index, "in numeric literal")
    if content[index : index + 1] == b".":
        index = _digits(content, index + 1, "in numeric literal")
    if content[index : index + 1] in (b"e", b"E"):
        index += 1
        if _at(content, index) in b"+-":
            index += 1
        index = _digits(content, index, "in numeric literal")
    return index
