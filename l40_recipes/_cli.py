"""`l40-recipes`: resolve, check, explain, list, graph and schema from the command line.

Results go to stdout, diagnostics to stderr. Resolution errors print upstream's `[CODE] message`
and exit with upstream's codes (INVALID_REQUEST 2, NOT_FOUND 3, INTERNAL 8). `check` exits 0 when
clean, 1 on findings, 2 on usage errors or unreadable input.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, NoReturn, TextIO

from ._gc import collector_paused

if TYPE_CHECKING:
    from collections.abc import Sequence

    from ._catalog import Catalog
    from ._config import Config
    from ._errors import RecipeError
    from ._report import Finding
    from ._result import RecipeResult

__all__ = ["main"]

PROG: Final = "l40-recipes"
RESOLVE_FORMATS: Final = ("yaml", "json")
QUERY_FLAGS: Final = ("service", "accelerator", "intent", "os", "platform", "nodes")
EXIT_FINDINGS: Final = 1
EXIT_USAGE: Final = 2
EXIT_INTERNAL: Final = 8


class _UsageError(Exception):
    """A command-line mistake reported as upstream's INVALID_REQUEST (exit 2)."""


class _Once(argparse.Action):
    """Reject a flag given twice, as upstream's CLI does."""

    def __call__(
        self,
        parser: argparse.ArgumentParser,
        namespace: argparse.Namespace,
        values: Any,
        option_string: str | None = None,
    ) -> None:
        seen: set[str] = namespace.__dict__.setdefault("_seen", set())
        if self.dest in seen:
            flag = f"--{self.dest}" if self.dest != "accelerator" else (option_string or "--accelerator")
            msg = f"flag {flag} can only be specified once"
            raise _UsageError(msg)
        seen.add(self.dest)
        setattr(namespace, self.dest, values)


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
    group.add_argument("--nodes", action=_Once, type=int, help="node count (metadata only; applied when > 0)")
    group.add_argument("--profile", action=_Once, help="configuration profile as name=value")
    parser.add_argument(
        "--catalog", type=Path, help="catalog root or overlays/ directory (default: the shipped catalog)"
    )
    _add_aicr_version(parser)


def _add_aicr_version(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--aicr-version",
        choices=("0.20", "1.0"),
        help="upstream aicr release to read the catalog as (default: detected from its headers)",
    )


def _parser() -> _Parser:
    parser = _Parser(prog=PROG, description="Resolve and check NVIDIA AICR recipe catalogs exactly as upstream does.")
    parser.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    # `recipe` (upstream's name) is a parser of its own rather than an alias, so its usage says `recipe`.
    for name, summary in (
        ("resolve", "resolve criteria into a recipe (like `aicr recipe`)"),
        ("recipe", "same as resolve"),
    ):
        resolve = commands.add_parser(name, help=summary)
        _add_query(resolve)
        resolve.add_argument("--format", default="yaml", action=_Once, help="yaml (default) or json")
        resolve.add_argument(
            "--stamp-version", metavar="VERSION", help="metadata.version to stamp (default: this tool's version)"
        )

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


def _version() -> str:
    from ._version import __version__  # noqa: PLC0415

    return __version__


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit status."""
    parser = _parser()
    words = list(sys.argv[1:] if argv is None else argv)
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
    handler = {
        "resolve": _resolve,
        "recipe": _resolve,
        "check": _check,
        "explain": _explain,
        "list": _list,
        "graph": _graph,
        "schema": _schema,
        "migrate": _migrate,
    }[args.command]
    # A command is one short burst of allocations that all live until it exits: the cyclic
    # collector would only walk them (about 5% of a `resolve`).
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


def _fail(error: RecipeError) -> int:
    from ._report import visible  # noqa: PLC0415

    print("\n".join(visible(line) for line in str(error).split("\n")), file=sys.stderr)
    return error.exit_code


def _catalog(path: Path | None, *, aicr_version: str | None = None) -> Catalog:
    from ._loading import load_catalog  # noqa: PLC0415
    from ._shipped import shipped_catalog_root  # noqa: PLC0415

    if path is not None:
        return load_catalog(path, aicr_version=aicr_version)  # paths shown as the user typed them
    root = shipped_catalog_root()
    # Show the shipped catalog's paths relative to where the command runs (not possible across Windows drives).
    with contextlib.suppress(ValueError):
        root = Path(os.path.relpath(root))
    return load_catalog(root, aicr_version=aicr_version)


def _query(args: argparse.Namespace) -> dict[str, object]:
    values: dict[str, object] = {}
    for flag in QUERY_FLAGS:
        value = getattr(args, flag)
        if value is None:
            continue
        if flag == "nodes" and value <= 0:
            continue  # upstream applies --nodes only when > 0
        values[flag] = value
    return values


def _resolve(args: argparse.Namespace) -> int:
    from ._errors import RecipeError  # noqa: PLC0415
    from ._resolution import resolve  # noqa: PLC0415

    fmt = str(args.format).lower()
    if fmt not in RESOLVE_FORMATS:
        print(
            f'[INVALID_REQUEST] unknown output format: "{args.format}", valid formats are: {", ".join(RESOLVE_FORMATS)}',
            file=sys.stderr,
        )
        return EXIT_USAGE
    try:
        catalog = _catalog(args.catalog, aicr_version=args.aicr_version)
        recipe = resolve(_query(args), catalog=catalog, profile=args.profile, version=args.stamp_version)
    except RecipeError as err:
        return _fail(err)
    try:
        text = recipe.to_json() + "\n" if fmt == "json" else recipe.to_yaml()
    except RecipeError as err:
        return _fail(RecipeError("failed to serialize recipe", code=err.code, cause=err))
    sys.stdout.write(text)
    return 0


def _use_color(choice: str, stream: TextIO) -> bool:
    if choice != "auto":
        return choice == "always"
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    return stream.isatty() and os.environ.get("TERM") != "dumb"


def _split(value: str | None) -> list[str] | None:
    return [item.strip() for item in value.split(",") if item.strip()] if value else None


def _check(args: argparse.Namespace) -> int:
    from ._check import check  # noqa: PLC0415
    from ._errors import RecipeError  # noqa: PLC0415
    from ._formats import render  # noqa: PLC0415
    from ._report import Report  # noqa: PLC0415
    from ._rules import all_rules  # noqa: PLC0415

    fmt = args.format or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    findings: list[Finding] = []
    strict = False
    for path in args.paths:
        try:
            if not path.is_dir():
                print(f"{PROG}: error: {path} is not a catalog directory", file=sys.stderr)
                return EXIT_USAGE
            report = check(
                path,
                strict=args.strict,
                select=_split(args.select),
                ignore=_split(args.ignore),
                aicr_version=args.aicr_version,
            )
        except (OSError, RecipeError) as err:  # an unreadable directory, an unknown --aicr-version
            print(f"{PROG}: error: {err}", file=sys.stderr)
            return EXIT_USAGE
        findings.extend(report.findings)
        strict = strict or report.strict
    combined = Report.of(findings, strict=strict)
    color = fmt == "text" and _use_color(args.color, sys.stdout)
    sys.stdout.write(render(combined, fmt, rules=all_rules(), color=color, version=_version()))
    return 0 if combined.ok else EXIT_FINDINGS


def _explain(args: argparse.Namespace) -> int:
    from ._criteria import build_query  # noqa: PLC0415
    from ._errors import CriteriaError, RecipeError  # noqa: PLC0415
    from ._explain import explain  # noqa: PLC0415
    from ._resolution import NO_CRITERIA_MESSAGE  # noqa: PLC0415

    try:
        catalog = _catalog(args.catalog, aicr_version=args.aicr_version)
        query = build_query(_query(args), known=catalog.known_values, semantics=catalog.aicr_version)
        if query == build_query({}):
            raise CriteriaError(NO_CRITERIA_MESSAGE)
        result, fields = explain(catalog, query, profile=args.profile)
    except RecipeError as err:
        return _fail(err)
    if args.serving:
        from ._config import load_config  # noqa: PLC0415

        return _explain_serving(args, str(query), result, load_config(catalog.root))
    if args.format == "json":
        document = {
            "criteria": str(query),
            "appliedOverlays": result.metadata.applied_overlays,
            "fields": [field.as_dict() for field in fields],
        }
        sys.stdout.write(json.dumps(document, indent=2, default=str) + "\n")
        return 0
    out = [f"{query}: {', '.join(result.metadata.applied_overlays)}", ""]
    for field in fields:
        out.append(f"{field.path} = {_yaml_value(field.value)}")
        if field.set_by is not None:
            out.append(f"    set by {field.set_by.source} at {field.set_by.location}")
        out.extend(
            f"    overrides {_yaml_value(item.value)} from {item.source} at {item.location}"
            for item in field.overridden
        )
    sys.stdout.write("\n".join(out) + "\n")
    return 0


def _explain_serving(args: argparse.Namespace, query: str, result: RecipeResult, config: Config) -> int:
    from ._explain import explain_serving  # noqa: PLC0415

    lines = explain_serving(result, result.criteria.accelerator, accelerators=config.accelerators, models=config.models)
    if args.format == "json":
        document = {"criteria": query, "appliedOverlays": result.metadata.applied_overlays, "serving": lines}
        sys.stdout.write(json.dumps(document, indent=2) + "\n")
    else:
        sys.stdout.write("\n".join([f"{query}: {', '.join(result.metadata.applied_overlays)}", "", *lines]) + "\n")
    return 0


def _yaml_value(value: object) -> str:
    """*value* spelt as YAML on one line (`false`, `null`, `'1.30'`, `{a: 1}`), as the catalog spells it."""
    import yaml  # noqa: PLC0415

    text: str = yaml.safe_dump(value, default_flow_style=True, width=sys.maxsize, sort_keys=False)
    return text.removesuffix("\n...\n").strip()


def _list(args: argparse.Namespace) -> int:
    from ._errors import RecipeError  # noqa: PLC0415
    from ._listing import render_listing, supported_queries  # noqa: PLC0415

    try:
        catalog = _catalog(args.catalog, aicr_version=args.aicr_version)
    except RecipeError as err:
        return _fail(err)
    sys.stdout.write(render_listing(catalog, supported_queries(catalog), args.format))
    return 0


def _graph(args: argparse.Namespace) -> int:
    from ._criteria import build_query  # noqa: PLC0415
    from ._errors import CriteriaError, RecipeError  # noqa: PLC0415
    from ._graph import forest_graph, query_graph  # noqa: PLC0415
    from ._render_graph import render_graph  # noqa: PLC0415
    from ._resolution import NO_CRITERIA_MESSAGE  # noqa: PLC0415

    try:
        catalog = _catalog(args.catalog, aicr_version=args.aicr_version)
        query = build_query(_query(args), known=catalog.known_values, semantics=catalog.aicr_version)
        if args.all:
            if query != build_query({}):
                raise CriteriaError("graph --all draws the whole catalog: give either --all or criteria")
            graph = forest_graph(catalog)
        elif query == build_query({}):
            raise CriteriaError(NO_CRITERIA_MESSAGE)
        else:
            graph = query_graph(catalog, query, profile=args.profile)
    except RecipeError as err:
        return _fail(err)
    sys.stdout.write(render_graph(graph, args.format))
    if graph.error:  # the picture shows where the chain broke; the status still says it broke
        print(graph.error, file=sys.stderr)
    return graph.exit_code


def _migrate(args: argparse.Namespace) -> int:
    from ._errors import RecipeError  # noqa: PLC0415
    from ._migrate import migrate  # noqa: PLC0415

    try:
        changes = migrate(args.path, to=args.to, check=args.check)
    except RecipeError as err:
        return _fail(err)
    rewritten = [change for change in changes if not change.note]
    for change in changes:
        print(change, file=sys.stderr if change.note else sys.stdout)
    verb = "would rewrite" if args.check else "rewrote"
    print(f"{verb} {len(rewritten)} header(s) for aicr {args.to}", file=sys.stderr)
    # A file that needs more than a header (a note) is never done: exit 1 in both modes.
    return EXIT_FINDINGS if (args.check and rewritten) or len(rewritten) < len(changes) else 0


def _schema(args: argparse.Namespace) -> int:
    from ._models import RecipeMetadata, RecipeMixin  # noqa: PLC0415
    from ._registry_models import ComponentRegistry  # noqa: PLC0415

    model = {"recipe": RecipeMetadata, "mixin": RecipeMixin, "registry": ComponentRegistry}[args.kind]
    schema = model.model_json_schema(by_alias=True)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    _close_objects(schema)
    sys.stdout.write(json.dumps(schema, indent=2) + "\n")
    return 0


def _close_objects(node: Any) -> None:
    """Models reject unknown keys in editors (upstream ignores them silently); free-form maps stay open."""
    if isinstance(node, dict):
        if node.get("type") == "object" and "properties" in node:
            node["additionalProperties"] = False
        for value in node.values():
            _close_objects(value)
    elif isinstance(node, list):
        for value in node:
            _close_objects(value)
