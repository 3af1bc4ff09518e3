"""How a YAML document that cannot be read is reported: in yaml.v3's words, with the position and a fix.

Upstream wraps the error of its YAML library (`yaml: line 5: did not find expected node content`)
in a message that names the file (`failed to parse header for overlays/x.yaml`). The reader here
raises a `RecipeLoadError` whose cause is a `YamlError` carrying that library text, so each caller
can put upstream's own message in front of it, while the position (1-based, as an editor counts)
and the hint stay beside it.

yaml.v3 is a port of libyaml, so with PyYAML's libyaml reader (the C loader) the problem texts
are the same. Its line number follows yaml.v3's rule: the line of the *context* mark (where the
construct being read began) when that is not the first line, else the problem's; both counted
from 0, plus one for errors of the scanner, whose mark has not moved past the line yet.
"""

from __future__ import annotations

from typing import Final

import yaml

from ._errors import ErrorCode, Location, RecipeError, RecipeLoadError

__all__ = [
    "SYNTAX_HINT",
    "YamlError",
    "duplicate_key",
    "encoding_error",
    "reader_error",
    "registry_failure",
    "syntax_error",
]

SYNTAX_HINT: Final = "fix the YAML syntax at this position (indent with spaces, close brackets and quotes)"


class YamlError(ValueError):
    """An error of upstream's YAML library, in its text (`yaml: line 5: ...`, `yaml: unmarshal errors: ...`)."""


def syntax_error(err: yaml.MarkedYAMLError, path: str) -> RecipeLoadError:
    """A scanner or parser error of the document *path* names."""
    mark = err.problem_mark or err.context_mark
    location = Location(path, mark.line + 1, mark.column + 1) if mark else Location(path)
    return RecipeLoadError(
        f"failed to parse {path}", cause=YamlError(_go_text(err)), location=location, hint=SYNTAX_HINT
    )


def _go_text(err: yaml.MarkedYAMLError) -> str:
    # PyYAML leaves out the context mark when libyaml has no context text; libyaml then set it to
    # the problem mark, so the problem mark stands in for it.
    context = err.context_mark if err.context is not None else err.problem_mark
    line = 0
    for mark in (context, err.problem_mark):
        if mark is not None and mark.line != 0:
            line = mark.line + (1 if isinstance(err, yaml.scanner.ScannerError) else 0)
            break
    where = f"line {line}: " if line else ""
    return f"yaml: {where}{err.problem or err.context or 'unknown problem parsing YAML content'}"


def reader_error(err: yaml.reader.ReaderError, content: bytes | str, path: str) -> RecipeLoadError:
    """Bytes that are not UTF-8 text, or a character YAML does not allow."""
    line, column = _line_column(content, err.position)
    character = err.character
    detail = ""
    if isinstance(character, int) and character >= 0:
        detail = f"byte 0x{character:02X} starts no UTF-8 character; " if "UTF-8" in str(err.reason) else ""
        detail = detail or f"character U+{character:04X} is not allowed in YAML; "
    return RecipeLoadError(
        f"failed to parse {path}",
        cause=YamlError(f"yaml: {err.reason}"),
        location=Location(path, line, column),
        hint=f"{detail}save the file as UTF-8 text without control characters (a YAML file is text, not binary)",
    )


def encoding_error(err: UnicodeEncodeError, content: str, path: str) -> RecipeLoadError:
    """Text (not bytes) holding a lone surrogate: it has no UTF-8 form, so no reader sees it as YAML."""
    line, column = _line_column(content, err.start)
    return RecipeLoadError(
        f"failed to parse {path}",
        cause=YamlError(f"yaml: invalid character U+{ord(content[err.start]):04X}"),
        location=Location(path, line, column),
        hint="save the file as UTF-8 text",
    )


def duplicate_key(path: str, key: object, line: int, column: int, first_line: int) -> RecipeLoadError:
    """A mapping that repeats *key*: yaml.v3 refuses it when it decodes the document."""
    shown = f'"{key}"' if isinstance(key, str) else str(key)
    return RecipeLoadError(
        f"failed to parse {path}",
        cause=YamlError(
            f"yaml: unmarshal errors:\n  line {line}: mapping key {shown} already defined at line {first_line}"
        ),
        location=Location(path, line, column),
        hint=f"remove one of the two {key!r} entries; YAML readers disagree on which one wins",
    )


def registry_failure(err: RecipeLoadError) -> RecipeLoadError:
    """*err*, met reading `registry.yaml`, as upstream reports it: INTERNAL, the library's text as the cause."""
    cause = err.cause if isinstance(err.cause, YamlError) else RecipeError(err.message, code=err.code)
    return RecipeLoadError(
        "failed to parse registry.yaml", code=ErrorCode.INTERNAL, cause=cause, location=err.location, hint=err.hint
    )


def _line_column(content: bytes | str, offset: int) -> tuple[int, int]:
    """Line and column (1-based, in characters) of *offset*, an index into *content*."""
    prefix = content[: max(offset, 0)]
    if isinstance(prefix, bytes):
        start = prefix.rfind(b"\n") + 1
        return prefix.count(b"\n") + 1, len(prefix[start:].decode("utf-8", errors="replace")) + 1
    start = prefix.rfind("\n") + 1
    return prefix.count("\n") + 1, len(prefix) - start + 1
