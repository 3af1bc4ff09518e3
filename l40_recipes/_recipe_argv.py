"""Reading `aicr recipe` command lines as upstream's CLI library (urfave/cli v3) reads them.

argparse and urfave/cli disagree on abbreviations, on values that look like flags, on repeated
flags and on what ends the flags; `recipe` and `resolve` take upstream's command lines, so their
words are read here, by the table of flags below. The same table builds their argparse parsers,
which only print help: a plain `resolve` imports no argparse (nor the `shutil`, `gettext` and
`locale` it pulls in), which spares it 9-15 ms of the 0.16-0.20 s it takes (best and median of
15 processes, CPU).
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import TYPE_CHECKING, Final, NamedTuple, TypeAlias

from ._go_text import go_quote, go_trim_space
from ._version import PROG

if TYPE_CHECKING:
    import argparse
    from collections.abc import Callable, Sequence

__all__ = [
    "CRITERIA_GROUP",
    "EXIT_FLAG_VALUE",
    "RECIPE_FLAGS",
    "SHARED_FLAGS",
    "Arguments",
    "Flag",
    "FlagValueError",
    "HelpRequested",
    "UsageError",
    "go_int",
    "parse_recipe_words",
]

#: A command's parsed arguments: argparse's, or those read here for `resolve`/`recipe`.
Arguments: TypeAlias = "argparse.Namespace | SimpleNamespace"


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


class HelpRequested(Exception):
    """`-h`/`--help` was among the words: upstream prints the command's help and exits 0, whatever else they hold."""


class Flag(NamedTuple):
    """One flag of `recipe`/`resolve`: its names, where its value goes, how it is read, and its help."""

    #: Every name, with its dashes (`-t`, `--format`); upstream accepts each with one dash or two.
    names: tuple[str, ...]
    dest: str
    help: str
    #: The help section (None: the command's own options).
    group: str | None = None
    metavar: str | None = None
    #: False for a boolean flag, which takes a value only after `=`.
    takes_value: bool = True
    #: How the value is read (`go_int`, `Path`); None keeps the text.
    convert: Callable[[str], object] | None = None
    choices: tuple[str, ...] | None = None
    #: Refused when given twice by the commands argparse reads (`explain`, `graph`).
    once: bool = False


CRITERIA_GROUP: Final = "criteria (as `aicr recipe`)"
_UPSTREAM_GROUP: Final = "more `aicr recipe` flags"

#: The flags `resolve`, `explain` and `graph` share (the criteria, the catalog and its release), in help order.
SHARED_FLAGS: Final = (
    Flag(("--service",), "service", "eks, gke, aks, oke, kind, lke, bcm, ocp, metal3", CRITERIA_GROUP, once=True),
    Flag(("--accelerator", "--gpu"), "accelerator", "h100, l40, l40s, ...", CRITERIA_GROUP, once=True),
    Flag(("--intent",), "intent", "training or inference", CRITERIA_GROUP, once=True),
    Flag(("--os",), "os", "ubuntu, rhel, cos, amazonlinux, ol, talos", CRITERIA_GROUP, once=True),
    Flag(("--platform",), "platform", "dynamo, kubeflow, nim, runai, slurm", CRITERIA_GROUP, once=True),
    Flag(
        ("--nodes",),
        "nodes",
        "node count, as Go reads an integer (metadata only; applied when > 0)",
        CRITERIA_GROUP,
        convert=go_int,
        once=True,
    ),
    Flag(("--profile",), "profile", "configuration profile as name=value", CRITERIA_GROUP, once=True),
    Flag(("--catalog",), "catalog", "catalog root or overlays/ directory (default: the shipped catalog)", convert=Path),
    Flag(
        ("--aicr-version",),
        "aicr_version",
        "upstream aicr release to read the catalog as (default: detected from its headers)",
        choices=("0.20", "1.0"),
    ),
    Flag(("--data",), "data", "external data layered over the catalog (as `aicr --data`)", metavar="DIR"),
)

#: Every flag of `recipe` and `resolve` (`-h`/`--help` aside), in their help's order.
RECIPE_FLAGS: Final = (
    *SHARED_FLAGS,
    Flag(("-t", "--format"), "format", "yaml (default), json or table", once=True),
    Flag(
        ("-o", "--output"),
        "output",
        "write the recipe to FILE instead of stdout (`-`: stdout)",
        metavar="FILE",
        once=True,
    ),
    Flag(
        ("--stamp-version",),
        "stamp_version",
        "metadata.version to stamp (default: this tool's version)",
        metavar="VERSION",
    ),
    Flag(
        ("--slurm-accounting-mode",),
        "slurm_accounting_mode",
        "disabled, customer-managed or aicr-provided",
        _UPSTREAM_GROUP,
        "MODE",
    ),
    Flag(("--runtime-inventory",), "runtime_inventory", "enabled or disabled", _UPSTREAM_GROUP, "MODE"),
    Flag(
        ("--criteria-strict",),
        "criteria_strict",
        "accepted; the shipped values are the only ones",
        _UPSTREAM_GROUP,
        takes_value=False,
    ),
    Flag(
        ("-s", "--snapshot"),
        "snapshot",
        "snapshot file: criteria detected, overlays checked against it",
        _UPSTREAM_GROUP,
        "FILE",
    ),
    Flag(("--config",), "config", "AICRConfig file: spec.recipe fills the flags not given", _UPSTREAM_GROUP, "FILE"),
    Flag(
        ("-k", "--kubeconfig"),
        "kubeconfig",
        "accepted and unused: nothing here talks to a cluster",
        _UPSTREAM_GROUP,
        "FILE",
    ),
    Flag(("--debug",), "debug", "accepted; no effect", _UPSTREAM_GROUP, takes_value=False),
    Flag(("--log-json",), "log_json", "accepted; no effect", _UPSTREAM_GROUP, takes_value=False),
)

_HELP: Final = Flag(("-h", "--help"), "help", "show this help message and exit", takes_value=False)
#: Each flag by every name it answers to, without dashes.
_BY_NAME: Final = {name.lstrip("-"): flag for flag in (*RECIPE_FLAGS, _HELP) for name in flag.names}


def parse_recipe_words(words: Sequence[str]) -> SimpleNamespace:
    """Read `recipe`/`resolve` arguments by the rules of upstream's CLI library (urfave/cli v3), not argparse's.

    A flag is `-name` or `--name` (any of its names, short or long, with one or two dashes), with its value
    after `=` or in the next word, whatever that word looks like. No abbreviations. Words that are not flags
    are ignored; `--`, a lone `-` or a word like `-1` ends the flags. A boolean flag takes a value only
    after `=`. Flags not given are None (a boolean one False).

    Raises:
        HelpRequested: `-h`/`--help` is set, even when a flag before or after it is wrong (as upstream).
        FlagValueError: an unknown flag, a flag without its value, or a value the flag's type refuses.
        UsageError: a single-value flag given twice (after everything else parsed, as upstream checks it).
    """
    namespace = SimpleNamespace(**{flag.dest: None if flag.takes_value else False for flag in RECIPE_FLAGS})
    counts: dict[str, int] = {}
    try:
        _read_flags(words, namespace, counts)
    except FlagValueError:
        if not getattr(namespace, "help", False):
            raise
    if getattr(namespace, "help", False):
        raise HelpRequested
    for dest in _SINGLE_VALUE_FLAGS:
        if counts.get(dest, 0) > 1:
            msg = f"flag --{dest.replace('_', '-')} can only be specified once"
            raise UsageError(msg)
    return namespace


def _read_flags(words: Sequence[str], namespace: SimpleNamespace, counts: dict[str, int]) -> None:
    """Set *namespace* from *words*, counting each flag in *counts*; stops at the first bad flag."""
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
        flag = _BY_NAME.get(name)
        if flag is None:
            msg = f"flag provided but not defined: -{name}"
            raise FlagValueError(msg)
        counts[flag.dest] = counts.get(flag.dest, 0) + 1
        if not flag.takes_value:  # a boolean: --help, --criteria-strict, --debug
            setting = _GO_BOOLS.get(value or "true")
            if setting is None:
                msg = f"invalid value {go_quote(value)} for flag -{name}: parse error"
                raise FlagValueError(msg)
            setattr(namespace, flag.dest, setting)
            continue
        if not equals:
            if index == len(words):
                msg = f"flag needs an argument: {word}"
                raise FlagValueError(msg)
            value = words[index]
            index += 1
        setattr(namespace, flag.dest, _typed(flag, name, value))


def _typed(flag: Flag, name: str, value: str) -> object:
    if flag.choices is not None and value not in flag.choices:
        msg = f"invalid value {go_quote(value)} for flag -{name}: must be one of {', '.join(flag.choices)}"
        raise FlagValueError(msg)
    return value if flag.convert is None else flag.convert(value)
