"""`l40-recipes`: resolve, check, explain, list, graph and schema from the command line.

Results go to stdout, diagnostics to stderr. Resolution errors print upstream's `[CODE] message`
and exit with upstream's codes (INVALID_REQUEST 2, NOT_FOUND 3, INTERNAL 8). `check` exits 0 when
clean, 1 on findings, 2 on usage errors or unreadable input.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, NoReturn

from ._commands import (
    EXIT_INTERNAL,
    EXIT_USAGE,
    run_check,
    run_explain,
    run_export_layer,
    run_graph,
    run_list,
    run_migrate,
    run_resolve,
    run_schema,
)
from ._gc import collector_paused
from ._recipe_argv import EXIT_FLAG_VALUE, FlagValueError, HelpRequested, UsageError, parse_recipe_words

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ._recipe_argv import Arguments


__all__ = ["main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    words = list(sys.argv[1:] if argv is None else argv)
    try:
        args = _parse(words)
    except UsageError as err:
        print(f"[INVALID_REQUEST] {err}", file=sys.stderr)
        return EXIT_USAGE
    except FlagValueError as err:
        print(f"Incorrect Usage: {err}", file=sys.stderr)
        return EXIT_FLAG_VALUE
    return _run_command(args)


def _parse(words: list[str]) -> Arguments:
    """*words* read as `aicr recipe` reads them for `resolve`/`recipe`, by argparse for the rest."""
    if words[:1] in (["resolve"], ["recipe"]):
        try:
            recipe = parse_recipe_words(words[1:])
        except HelpRequested:
            from ._cli_parser import build_parser  # noqa: PLC0415 - `resolve` needs no argparse, see `_recipe_argv`

            build_parser().commands[words[0]].print_help()
            raise SystemExit(0) from None
        recipe.command = words[0]
        return recipe
    from ._cli_parser import build_parser  # noqa: PLC0415

    parser = build_parser()
    for word in words:
        if not word.startswith("-"):
            break
        if word.split("=", 1)[0] not in parser._option_string_actions:
            parser.error(f"unrecognized arguments: {word}")
    args, extra = parser.parse_known_args(words)
    if extra:
        parser.commands[args.command].error(f"unrecognized arguments: {' '.join(extra)}")
    return args


def _run_command(args: Arguments) -> int:
    handler = {
        "resolve": run_resolve,
        "recipe": run_resolve,
        "check": run_check,
        "explain": run_explain,
        "list": run_list,
        "graph": run_graph,
        "schema": run_schema,
        "migrate": run_migrate,
        "export-layer": run_export_layer,
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
