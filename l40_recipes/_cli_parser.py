"""The argparse parsers of the command line, built only when a command needs one.

`resolve` and `recipe` read their words by upstream's rules (`_recipe_argv`) and build their parser
from the same flag table only to print help; every other command is read by these parsers.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from ._commands import EXIT_USAGE
from ._recipe_argv import RECIPE_FLAGS, SHARED_FLAGS, UsageError
from ._version import PROG, __version__

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ._recipe_argv import Flag

__all__ = ["Once", "Parser", "build_parser"]


class Parser(argparse.ArgumentParser):
    """A parser that exits with the usage status, and knows its subcommands' parsers."""

    #: The subcommand parsers by name, so a stray argument is reported with its command's usage.
    commands: dict[str, argparse.ArgumentParser]

    def error(self, message: str) -> NoReturn:
        """Print the usage and *message* to stderr; exit with the usage status."""
        self.print_usage(sys.stderr)
        print(f"{self.prog}: error: {message}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)


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


def _add_flags(parser: argparse.ArgumentParser, flags: Sequence[Flag]) -> None:
    """Declare *flags* (a table of `_recipe_argv`) on *parser*, each in its help section."""
    groups: dict[str, Any] = {}
    for flag in flags:
        target: Any = parser
        if flag.group is not None:
            if flag.group not in groups:
                groups[flag.group] = parser.add_argument_group(flag.group)
            target = groups[flag.group]
        options: dict[str, Any] = {"dest": flag.dest, "help": flag.help}
        if not flag.takes_value:
            options["action"] = "store_true"
        else:
            options.update(metavar=flag.metavar, type=flag.convert, choices=flag.choices)
            if flag.once:
                options["action"] = Once
        target.add_argument(*flag.names, **options)


def _add_aicr_version(parser: argparse.ArgumentParser) -> None:
    _add_flags(parser, [flag for flag in SHARED_FLAGS if flag.dest == "aicr_version"])


def build_parser() -> Parser:
    """The parser of the whole command line, with one subparser per command."""
    parser = Parser(prog=PROG, description="Resolve and check NVIDIA AICR recipe catalogs exactly as upstream does.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=Parser)

    # `recipe` (upstream's name) is a parser of its own rather than an alias, so its usage says `recipe`.
    for name, summary in (
        ("resolve", "resolve criteria into a recipe (like `aicr recipe`)"),
        ("recipe", "same as resolve"),
    ):
        _add_flags(commands.add_parser(name, help=summary), RECIPE_FLAGS)

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
    _add_flags(explain, SHARED_FLAGS)
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
    _add_flags(graph, SHARED_FLAGS)
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
