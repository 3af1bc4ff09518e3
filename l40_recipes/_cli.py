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
from typing import TYPE_CHECKING, NoReturn

from ._commands import (
    EXIT_INTERNAL,
    EXIT_USAGE,
    PROG,
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
from ._recipe_argv import EXIT_FLAG_VALUE, FlagValueError, Once, UsageError, go_int, parse_recipe_words
from ._version import __version__

if TYPE_CHECKING:
    from collections.abc import Sequence


__all__ = ["main"]


class _Parser(argparse.ArgumentParser):
    #: The subcommand parsers by name, so a stray argument is reported with its command's usage.
    commands: dict[str, argparse.ArgumentParser]

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


def _add_query(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("criteria (as `aicr recipe`)")
    group.add_argument("--service", action=Once, help="eks, gke, aks, oke, kind, lke, bcm, ocp, metal3")
    group.add_argument("--accelerator", "--gpu", dest="accelerator", action=Once, help="h100, l40, l40s, ...")
    group.add_argument("--intent", action=Once, help="training or inference")
    group.add_argument("--os", action=Once, help="ubuntu, rhel, cos, amazonlinux, ol, talos")
    group.add_argument("--platform", action=Once, help="dynamo, kubeflow, nim, runai, slurm")
    group.add_argument(
        "--nodes",
        action=Once,
        type=go_int,
        help="node count, as Go reads an integer (metadata only; applied when > 0)",
    )
    group.add_argument("--profile", action=Once, help="configuration profile as name=value")
    parser.add_argument(
        "--catalog", type=Path, help="catalog root or overlays/ directory (default: the shipped catalog)"
    )
    _add_aicr_version(parser)
    parser.add_argument("--data", metavar="DIR", help="external data layered over the catalog (as `aicr --data`)")


def _add_upstream_recipe_flags(parser: argparse.ArgumentParser) -> None:
    """The rest of `aicr recipe`'s flags (`--data` aside), with what each does here."""
    group = parser.add_argument_group("more `aicr recipe` flags")
    group.add_argument("--slurm-accounting-mode", metavar="MODE", help="disabled, customer-managed or aicr-provided")
    group.add_argument("--runtime-inventory", metavar="MODE", help="enabled or disabled")
    group.add_argument("--criteria-strict", action="store_true", help="accepted; the shipped values are the only ones")
    group.add_argument(
        "-s", "--snapshot", metavar="FILE", help="snapshot file: criteria detected, overlays checked against it"
    )
    group.add_argument("--config", metavar="FILE", help="AICRConfig file: spec.recipe fills the flags not given")
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
        resolve.add_argument("-t", "--format", action=Once, help="yaml (default), json or table")
        resolve.add_argument(
            "-o",
            "--output",
            action=Once,
            metavar="FILE",
            help="write the recipe to FILE instead of stdout (`-`: stdout)",
        )
        resolve.add_argument(
            "--stamp-version", metavar="VERSION", help="metadata.version to stamp (default: this tool's version)"
        )
        _add_upstream_recipe_flags(resolve)

    check = commands.add_parser("check", help="check catalogs against every rule")
    check.add_argument("paths", nargs="*", type=Path, metavar="PATH", help="catalog roots or overlays/ directories")
    check.add_argument("--data", metavar="DIR", help="check the data layer DIR over each PATH (default: shipped)")
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

    export = commands.add_parser("export-layer", help="write the overlays a catalog lacks as an `aicr --data` layer")
    export.add_argument("target", type=Path, metavar="DIR", help="a new or empty directory to write the layer into")
    export.add_argument("--over", type=Path, required=True, metavar="CATALOG", help="catalog the layer is for")
    export.add_argument("--catalog", type=Path, help="catalog to export from (default: the shipped catalog)")
    _add_aicr_version(export)

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
    try:
        args = _parse(parser, words)
    except UsageError as err:
        print(f"[INVALID_REQUEST] {err}", file=sys.stderr)
        return EXIT_USAGE
    except FlagValueError as err:
        print(f"Incorrect Usage: {err}", file=sys.stderr)
        return EXIT_FLAG_VALUE
    return _run_command(args)


def _parse(parser: _Parser, words: list[str]) -> argparse.Namespace:
    """*words* read as `aicr recipe` reads them for `resolve`/`recipe`, by argparse for the rest."""
    if words[:1] in (["resolve"], ["recipe"]):
        args = parse_recipe_words(parser.commands[words[0]], words[1:])
        args.command = words[0]
        return args
    for word in words:
        if not word.startswith("-"):
            break
        if word.split("=", 1)[0] not in parser._option_string_actions:
            parser.error(f"unrecognized arguments: {word}")
    args, extra = parser.parse_known_args(words)
    if extra:
        parser.commands[args.command].error(f"unrecognized arguments: {' '.join(extra)}")
    return args


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
