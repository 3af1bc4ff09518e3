"""Reading `aicr recipe` command lines as upstream's CLI library (urfave/cli v3) reads them.

argparse and urfave/cli disagree on abbreviations, on values that look like flags, on repeated
flags and on what ends the flags; `recipe` and `resolve` take upstream's command lines, so their
words are read here, with the flags an argparse parser declares.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from ._commands import PROG
from ._go_text import go_quote, go_trim_space

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = [
    "EXIT_FLAG_VALUE",
    "FlagValueError",
    "Once",
    "UsageError",
    "go_int",
    "parse_recipe_words",
]


class UsageError(Exception):
    """A command-line mistake reported as upstream's INVALID_REQUEST (exit 2)."""


class FlagValueError(Exception):
    """A flag value the CLI library itself refuses: upstream prints `Incorrect Usage: ...` and exits 1."""


#: Upstream's exit status for a flag value its CLI library cannot parse.
EXIT_FLAG_VALUE = 1


_MAX_INT64 = (1 << 63) - 1


def _underscores_ok(text: str) -> bool:
    """Go's rule for `_` in a base-0 integer whose other characters are digits: only between digits.

    A base prefix counts as a digit, so `0x_1` is allowed and `_1`, `1_` and `1__0` are not.
    """
    digits = text[1:] if text[:1] in ("+", "-") else text
    if len(digits) >= 2 and digits[0] == "0" and digits[1].lower() in ("b", "o", "x"):
        digits = "0" + digits[2:]
    return not (digits.startswith("_") or digits.endswith("_") or "__" in digits)


def go_int(text: str) -> int:
    """`--nodes` as upstream's CLI parses it: Go's `strconv.ParseInt(text, 0, 64)`.

    A base prefix picks the base (`0x`, `0b`, `0o`, or a bare leading `0` for octal), `_` may separate
    digits, and nothing else is allowed: no spaces, no empty string, nothing outside int64.
    """
    syntax = FlagValueError(_flag_value_message(text, "invalid syntax"))
    digits = text[1:] if text[:1] in ("+", "-") else text
    base = 10
    if digits[:1] == "0":
        base, digits = {"b": (2, digits[2:]), "o": (8, digits[2:]), "x": (16, digits[2:])}.get(
            digits[1:2].lower() if len(digits) >= 3 else "", (8, digits[1:])
        )
    elif not digits:
        raise syntax
    value = 0
    for char in digits:
        if char == "_":
            continue
        digit = int(char, 36) if char.isascii() and char.isalnum() else 36
        if digit >= base:
            raise syntax
        value = value * base + digit
        if value >= 1 << 64:  # Go stops at the first digit past uint64, before looking at the rest
            raise FlagValueError(_flag_value_message(text, "value out of range"))
    if "_" in digits and not _underscores_ok(text):
        raise syntax
    value = -value if text[:1] == "-" else value
    if not -_MAX_INT64 - 1 <= value <= _MAX_INT64:
        raise FlagValueError(_flag_value_message(text, "value out of range"))
    return value


def _flag_value_message(text: str, reason: str) -> str:
    quoted = go_quote(text)
    return f"invalid value {quoted} for flag -nodes: strconv.ParseInt: parsing {quoted}: {reason}"


class Once(argparse.Action):
    """Reject a flag given twice (`explain` and `graph`, which argparse reads)."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        seen: set[str] = namespace.__dict__.setdefault("_seen", set())
        if self.dest in seen:
            msg = f"flag --{self.dest} can only be specified once"
            raise UsageError(msg)
        seen.add(self.dest)
        setattr(namespace, self.dest, values)


#: The flags `aicr recipe` refuses to see twice, in the order it checks them (`--nodes` is not one: last wins).
_SINGLE_VALUE_FLAGS: Final = (
    "service",
    "accelerator",
    "intent",
    "os",
    "platform",
    "profile",
    "slurm_accounting_mode",
    "runtime_inventory",
    "snapshot",
    "config",
    "output",
    "format",
)


#: Words that name a subcommand of `aicr recipe`, which this tool does not have.
_UPSTREAM_SUBCOMMANDS: Final = ("list", "sign-catalog", "verify-catalog")


#: Go's `strconv.ParseBool`, which upstream's CLI library uses for a boolean flag given `=value`.
_GO_BOOLS: Final = {
    **dict.fromkeys(("1", "t", "T", "TRUE", "true", "True"), True),
    **dict.fromkeys(("0", "f", "F", "FALSE", "false", "False"), False),
}


def _second_byte_is_letter(word: str) -> bool:
    """Whether the word's second byte, read as a Latin-1 rune, is a letter (upstream's test for a flag)."""
    second = word.encode("utf-8", "surrogateescape")[1]
    return chr(second).isalpha()


def parse_recipe_words(parser: argparse.ArgumentParser, words: Sequence[str]) -> argparse.Namespace:
    """Read `recipe`/`resolve` arguments by the rules of upstream's CLI library (urfave/cli v3), not argparse's.

    A flag is `-name` or `--name` (any of its names, short or long, with one or two dashes), with its value
    after `=` or in the next word, whatever that word looks like. No abbreviations. Words that are not flags
    are ignored; `--`, a lone `-` or a word like `-1` ends the flags. A boolean flag takes a value only
    after `=`. The flags are those *parser* declares; its defaults fill in what is not given.

    Raises:
        FlagValueError: an unknown flag, a flag without its value, or a value the flag's type refuses.
        UsageError: a single-value flag given twice (after everything else parsed, as upstream checks it).
    """
    namespace = parser.parse_args([])
    counts: dict[str, int] = {}
    try:
        _read_flags(parser, words, namespace, counts)
    except FlagValueError:
        if not getattr(namespace, "help", False):
            raise
    if getattr(namespace, "help", False):  # even after a bad flag, as upstream shows help then
        parser.print_help()
        raise SystemExit(0)
    for dest in _SINGLE_VALUE_FLAGS:
        if counts.get(dest, 0) > 1:
            msg = f"flag --{dest.replace('_', '-')} can only be specified once"
            raise UsageError(msg)
    return namespace


def _read_flags(
    parser: argparse.ArgumentParser, words: Sequence[str], namespace: argparse.Namespace, counts: dict[str, int]
) -> None:
    """Set *namespace* from *words*, counting each flag in *counts*; stops at the first bad flag."""
    actions = {option.lstrip("-"): action for action in parser._actions for option in action.option_strings}
    index = 0
    while index < len(words):
        word = go_trim_space(words[index])
        index += 1
        if not word or word[0] != "-":
            if word in _UPSTREAM_SUBCOMMANDS:
                msg = f"`aicr recipe {word}` has no counterpart in {PROG}"
                raise UsageError(msg)
            continue
        if word == "--" or len(word) == 1:
            break
        dashes = 2 if word[1] == "-" else 1
        if dashes == 1 and not _second_byte_is_letter(word):
            break
        name, equals, value = word[dashes:].partition("=")
        action = actions.get(name)
        if action is None:
            msg = f"flag provided but not defined: -{name}"
            raise FlagValueError(msg)
        counts[action.dest] = counts.get(action.dest, 0) + 1
        if action.nargs == 0:  # a boolean: --help, --criteria-strict, --debug
            flag = _GO_BOOLS.get(value or "true")
            if flag is None:
                msg = f"invalid value {go_quote(value)} for flag -{name}: parse error"
                raise FlagValueError(msg)
            setattr(namespace, action.dest, flag)
            continue
        if not equals:
            if index == len(words):
                msg = f"flag needs an argument: {word}"
                raise FlagValueError(msg)
            value = words[index]
            index += 1
        setattr(namespace, action.dest, _typed(action, name, value))


def _typed(action: argparse.Action, name: str, value: str) -> object:
    if action.type is go_int:
        return go_int(value)
    if action.choices is not None and value not in action.choices:
        msg = f"invalid value {go_quote(value)} for flag -{name}: must be one of {', '.join(action.choices)}"
        raise FlagValueError(msg)
    return Path(value) if action.type is Path else value
