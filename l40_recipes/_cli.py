"""`l40-recipes`: resolve, check, explain, list, graph and schema from the command line.

Results go to stdout, diagnostics to stderr. Resolution errors print upstream's `[CODE] message`
and exit with upstream's codes (INVALID_REQUEST 2, NOT_FOUND 3, INTERNAL 8). `check` exits 0 when
clean, 1 on findings, 2 on usage errors or unreadable input.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, NoReturn

from ._commands import (
    EXIT_INTERNAL,
    EXIT_USAGE,
    PROG,
    go_quote,
    run_check,
    run_explain,
    run_graph,
    run_list,
    run_migrate,
    run_resolve,
    run_schema,
)
from ._gc import collector_paused
from ._version import __version__

if TYPE_CHECKING:
    from collections.abc import Sequence


__all__ = ["main"]


class _UsageError(Exception):
    """A command-line mistake reported as upstream's INVALID_REQUEST (exit 2)."""


class _FlagValueError(Exception):
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
    syntax = _FlagValueError(_flag_value_message(text, "invalid syntax"))
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
            raise _FlagValueError(_flag_value_message(text, "value out of range"))
    if "_" in digits and not _underscores_ok(text):
        raise syntax
    value = -value if text[:1] == "-" else value
    if not -_MAX_INT64 - 1 <= value <= _MAX_INT64:
        raise _FlagValueError(_flag_value_message(text, "value out of range"))
    return value


def _flag_value_message(text: str, reason: str) -> str:
    quoted = go_quote(text)
    return f"invalid value {quoted} for flag -nodes: strconv.ParseInt: parsing {quoted}: {reason}"


class _Once(argparse.Action):
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
            raise _UsageError(msg)
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
        _FlagValueError: an unknown flag, a flag without its value, or a value the flag's type refuses.
        _UsageError: a single-value flag given twice (after everything else parsed, as upstream checks it).
    """
    namespace = parser.parse_args([])
    counts: dict[str, int] = {}
    try:
        _read_flags(parser, words, namespace, counts)
    except _FlagValueError:
        if not getattr(namespace, "help", False):
            raise
    if getattr(namespace, "help", False):  # even after a bad flag, as upstream shows help then
        parser.print_help()
        raise SystemExit(0)
    for dest in _SINGLE_VALUE_FLAGS:
        if counts.get(dest, 0) > 1:
            msg = f"flag --{dest.replace('_', '-')} can only be specified once"
            raise _UsageError(msg)
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
                raise _UsageError(msg)
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
            raise _FlagValueError(msg)
        counts[action.dest] = counts.get(action.dest, 0) + 1
        if action.nargs == 0:  # a boolean: --help, --criteria-strict, --debug
            flag = _GO_BOOLS.get(value or "true")
            if flag is None:
                msg = f"invalid value {go_quote(value)} for flag -{name}: parse error"
                raise _FlagValueError(msg)
            setattr(namespace, action.dest, flag)
            continue
        if not equals:
            if index == len(words):
                msg = f"flag needs an argument: {word}"
                raise _FlagValueError(msg)
            value = words[index]
            index += 1
        setattr(namespace, action.dest, _typed(action, name, value))


def _typed(action: argparse.Action, name: str, value: str) -> object:
    if action.type is go_int:
        return go_int(value)
    if action.choices is not None and value not in action.choices:
        msg = f"invalid value {go_quote(value)} for flag -{name}: must be one of {', '.join(action.choices)}"
        raise _FlagValueError(msg)
    return Path(value) if action.type is Path else value


class _Parser(argparse.ArgumentParser):
    #: The subcommand parsers by name, so a stray argument is reported with its command's usage.
    commands: dict[str, argparse.ArgumentParser]

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _add_query(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("criteria (as `aicr recipe`)")
    group.add_argument("--service", action=_Once, help="eks, gke, aks, oke, kind, lke, bcm, ocp, metal3")
    group.add_argument("--accelerator", "--gpu", dest="accelerator", action=_Once, help="h100, l40, l40s, ...")
    group.add_argument("--intent", action=_Once, help="training or inference")
    group.add_argument("--os", action=_Once, help="ubuntu, rhel, cos, amazonlinux, ol, talos")
    group.add_argument("--platform", action=_Once, help="dynamo, kubeflow, nim, runai, slurm")
    group.add_argument(
        "--nodes",
        action=_Once,
        type=go_int,
        help="node count, as Go reads an integer (metadata only; applied when > 0)",
    )
    group.add_argument("--profile", action=_Once, help="configuration profile as name=value")
    parser.add_argument(
        "--catalog", type=Path, help="catalog root or overlays/ directory (default: the shipped catalog)"
    )
    _add_aicr_version(parser)


def _add_upstream_recipe_flags(parser: argparse.ArgumentParser) -> None:
    """The rest of `aicr recipe`'s flags (`--data` aside), with what each does here."""
    group = parser.add_argument_group("more `aicr recipe` flags")
    group.add_argument("--slurm-accounting-mode", metavar="MODE", help="disabled, customer-managed or aicr-provided")
    group.add_argument("--runtime-inventory", metavar="MODE", help="enabled or disabled")
    group.add_argument("--criteria-strict", action="store_true", help="accepted; the shipped values are the only ones")
    group.add_argument("-s", "--snapshot", metavar="FILE", help="snapshot file to detect the criteria from")
    group.add_argument("--config", metavar="FILE", help="AICRConfig file with spec.recipe defaults")
    group.add_argument(
        "-k", "--kubeconfig", metavar="FILE", help="accepted and unused: nothing here talks to a cluster"
    )
    group.add_argument("--debug", action="store_true", help="accepted; no effect")
    group.add_argument("--log-json", action="store_true", help="accepted; no effect")


def _add_aicr_version(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--aicr-version",
        choices=("0.20", "1.0"),
        help="upstream aicr release to read the catalog as (default: detected from its headers)",
    )


def _parser() -> _Parser:
    parser = _Parser(prog=PROG, description="Resolve and check NVIDIA AICR recipe catalogs exactly as upstream does.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    # `recipe` (upstream's name) is a parser of its own rather than an alias, so its usage says `recipe`.
    for name, summary in (
        ("resolve", "resolve criteria into a recipe (like `aicr recipe`)"),
        ("recipe", "same as resolve"),
    ):
        resolve = commands.add_parser(name, help=summary)
        _add_query(resolve)
        resolve.add_argument("-t", "--format", default="yaml", action=_Once, help="yaml (default), json or table")
        resolve.add_argument(
            "-o",
            "--output",
            action=_Once,
            metavar="FILE",
            help="write the recipe to FILE instead of stdout (`-`: stdout)",
        )
        resolve.add_argument(
            "--stamp-version", metavar="VERSION", help="metadata.version to stamp (default: this tool's version)"
        )
        _add_upstream_recipe_flags(resolve)

    check = commands.add_parser("check", help="check catalogs against every rule")
    check.add_argument("paths", nargs="+", type=Path, metavar="PATH", help="catalog roots or overlays/ directories")
    check.add_argument(
        "--format",
        choices=("text", "json", "github", "junit", "sarif"),
        help="default: text, or github in GitHub Actions",
    )
    check.add_argument("--strict", action="store_true", default=None, help="warnings fail too")
    check.add_argument("--select", help="comma-separated rule ids or groups to run")
    check.add_argument("--ignore", help="comma-separated rule ids or groups to skip")
    check.add_argument("--color", choices=("auto", "always", "never"), default="auto", help="colour text output")
    _add_aicr_version(check)

    explain = commands.add_parser("explain", help="show which overlay, file and line set every field")
    _add_query(explain)
    explain.add_argument("--format", choices=("text", "json"), default="text")
    explain.add_argument(
        "--serving", action="store_true", help="show the serving rules' arithmetic for the inference-perf gate"
    )

    listing = commands.add_parser("list", help="every query the catalog supports, with its applied overlays")
    listing.add_argument(
        "--catalog", type=Path, help="catalog root or overlays/ directory (default: the shipped catalog)"
    )
    listing.add_argument("--format", choices=("text", "markdown", "json"), default="text")
    _add_aicr_version(listing)

    graph = commands.add_parser(
        "graph", help="the applied overlays and the component graph of a query, as Mermaid or DOT"
    )
    _add_query(graph)
    graph.add_argument("--format", choices=("mermaid", "dot"), default="mermaid")
    graph.add_argument("--all", action="store_true", help="the whole overlay inheritance forest of the catalog")

    migrate = commands.add_parser("migrate", help="rewrite catalog headers for a newer aicr (only the header lines)")
    migrate.add_argument("path", type=Path, metavar="PATH", help="catalog root or overlays/ directory")
    migrate.add_argument("--to", default="1.0", choices=("1.0",), help="target aicr release (default: 1.0)")
    migrate.add_argument("--check", action="store_true", help="write nothing; exit 1 if any header would change")

    schema = commands.add_parser(
        "schema", help="JSON Schema for editors (RecipeMetadata, RecipeMixin, ComponentRegistry)"
    )
    schema.add_argument("kind", nargs="?", default="recipe", choices=("recipe", "mixin", "registry"))
    parser.commands = dict(commands.choices)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = _parser()
    words = list(sys.argv[1:] if argv is None else argv)
    if words[:1] in (["resolve"], ["recipe"]):
        try:
            args = parse_recipe_words(parser.commands[words[0]], words[1:])
        except _UsageError as err:
            print(f"[INVALID_REQUEST] {err}", file=sys.stderr)
            return EXIT_USAGE
        except _FlagValueError as err:
            print(f"Incorrect Usage: {err}", file=sys.stderr)
            return EXIT_FLAG_VALUE
        args.command = words[0]
        return _run_command(args)
    for word in words:
        if not word.startswith("-"):
            break
        if word.split("=", 1)[0] not in parser._option_string_actions:
            parser.error(f"unrecognized arguments: {word}")
    try:
        args, extra = parser.parse_known_args(words)
        if extra:
            parser.commands[args.command].error(f"unrecognized arguments: {' '.join(extra)}")
    except _UsageError as err:
        print(f"[INVALID_REQUEST] {err}", file=sys.stderr)
        return EXIT_USAGE
    except _FlagValueError as err:
        print(f"Incorrect Usage: {err}", file=sys.stderr)
        return EXIT_FLAG_VALUE
    return _run_command(args)


def _run_command(args: argparse.Namespace) -> int:
    handler = {
        "resolve": run_resolve,
        "recipe": run_resolve,
        "check": run_check,
        "explain": run_explain,
        "list": run_list,
        "graph": run_graph,
        "schema": run_schema,
        "migrate": run_migrate,
    }[args.command]
    # A command is one short burst of allocations that all live until it exits: the cyclic
    # collector would only walk them (a fifth of loading and resolving, see `_gc`).
    try:
        with collector_paused():
            status = handler(args)
        sys.stdout.flush()  # a full disk must fail the command, not leave a truncated file behind
    except BrokenPipeError:  # pragma: no cover - `l40-recipes list | head`
        return 0
    except OSError as err:
        print(f"[INTERNAL] failed to write output: {err.strerror or err}", file=sys.stderr)
        _discard_output()
        return EXIT_INTERNAL
    return status


def _discard_output() -> None:
    """Point stdout at the null device, so that the unwritable rest is not flushed again at exit."""
    try:
        descriptor = sys.stdout.fileno()
        null = os.open(os.devnull, os.O_WRONLY)
    except (AttributeError, OSError, ValueError):  # pragma: no cover - stdout replaced by a caller
        return
    os.dup2(null, descriptor)
    os.close(null)


def run() -> NoReturn:
    """The `l40-recipes` console script."""
    sys.exit(main())
