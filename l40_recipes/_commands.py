"""What each `l40-recipes` command does, given its parsed arguments; returns the exit status."""

from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TextIO

from ._go_text import go_quote
from ._version import PROG, __version__

if TYPE_CHECKING:
    from ._catalog import Catalog
    from ._config import Config
    from ._errors import RecipeError
    from ._model_base import Model
    from ._recipe_argv import Arguments
    from ._report import Finding
    from ._result import RecipeResult


__all__ = [
    "EXIT_FINDINGS",
    "EXIT_INTERNAL",
    "EXIT_USAGE",
    "PROG",
    "QUERY_FLAGS",
    "run_check",
    "run_explain",
    "run_export_layer",
    "run_graph",
    "run_list",
    "run_migrate",
    "run_resolve",
    "run_schema",
]


#: `aicr recipe --format` values, exact case, in the order upstream's error message lists them.
RESOLVE_FORMATS: Final = ("yaml", "json", "table")


QUERY_FLAGS: Final = ("service", "accelerator", "intent", "os", "platform", "nodes")


EXIT_FINDINGS: Final = 1


EXIT_USAGE: Final = 2


EXIT_INTERNAL: Final = 8


def _fail(error: RecipeError) -> int:
    """Print upstream's `[CODE] message` alone on the first line; where and how to fix it on lines of their own."""
    from ._report import visible  # noqa: PLC0415

    lines = [error.upstream_text]
    if error.location is not None:
        lines.append(f"  at {error.location}")
    if error.hint:
        lines.append(f"  hint: {error.hint}")
    print("\n".join(visible(line) for text in lines for line in text.split("\n")), file=sys.stderr)
    return error.exit_code


def _catalog(path: Path | None, *, aicr_version: str | None = None, data: str | None = None) -> Catalog:
    """The catalog a command works on: *path* (default: the shipped one), with the layer *data* over it.

    Without `--aicr-version`, `aicr-version` in the catalog's `[tool.l40-recipes]` chooses the
    release (as for `check`), else its headers do.
    """
    from ._loading import load_catalog  # noqa: PLC0415

    data = data or None  # upstream reads an empty --data as no layer
    if path is not None:
        chosen = aicr_version if aicr_version is not None else _pinned_release(path)
        return load_catalog(path, aicr_version=chosen, data=data)  # paths shown as the user typed them
    return load_catalog(_shipped_root(), aicr_version=aicr_version, data=data)


def _pinned_release(path: Path) -> str | None:
    """`aicr-version` from the `[tool.l40-recipes]` that governs the catalog at *path*, if any.

    Raises:
        RecipeError: the setting names no reproduced release (at its line in pyproject.toml).
    """
    from ._errors import ErrorCode, RecipeError  # noqa: PLC0415
    from ._walk import catalog_root, find_pyproject  # noqa: PLC0415

    if not path.is_dir():
        return None  # loading says what is wrong with the path
    root = catalog_root(path)
    if find_pyproject(root) is None:
        return None  # no settings: the reader of `[tool.l40-recipes]` is not even imported
    from ._config import load_config  # noqa: PLC0415

    config = load_config(root)
    for location, message, hint in config.problems:
        if "aicr-version" in message:
            raise RecipeError(message, code=ErrorCode.INVALID_REQUEST, location=location, hint=hint)
    return config.aicr_version


def _shipped_root() -> Path:
    """The shipped catalog, shown relative to where the command runs (not possible across Windows drives)."""
    from ._shipped import shipped_catalog_root  # noqa: PLC0415

    root = shipped_catalog_root()
    with contextlib.suppress(ValueError):
        root = Path(os.path.relpath(root))
    return root


def _query(args: Arguments) -> dict[str, object]:
    values: dict[str, object] = {}
    for flag in QUERY_FLAGS:
        value = getattr(args, flag)
        if value is None:
            continue
        if flag == "nodes" and value <= 0:
            continue  # upstream applies --nodes only when > 0
        values[flag] = value
    return values


def run_resolve(args: Arguments) -> int:
    from ._errors import ErrorCode, RecipeError  # noqa: PLC0415
    from ._recipe_inputs import check_config, read_inputs, recipe_from_inputs  # noqa: PLC0415
    from ._semantics import aicr_version  # noqa: PLC0415

    try:
        inputs = read_inputs(args)  # upstream reads --config first of all
        known = aicr_version(args.aicr_version or (_pinned_release(args.catalog) if args.catalog else None))
        if known is not None:  # the release is chosen already: the config's errors come first, as upstream's
            check_config(inputs, known)
        # Upstream loads the catalog before it looks at --format: a broken catalog wins over a bad format.
        catalog = _catalog(args.catalog, aicr_version=args.aicr_version, data=inputs.data)
        check_config(inputs, catalog.aicr_version)
        if inputs.format not in RESOLVE_FORMATS:
            message = (
                f"unknown output format: {go_quote(inputs.format)}, valid formats are: {', '.join(RESOLVE_FORMATS)}"
            )
            raise RecipeError(message, code=ErrorCode.INVALID_REQUEST)
        recipe = recipe_from_inputs(inputs, catalog, args.stamp_version)
        _warn_mariadb(recipe)
        # Upstream creates the output file once the recipe is built, before serializing it.
        out = _output(inputs.output)
    except RecipeError as err:
        return _fail(err)
    try:
        if inputs.format == "json":
            text = recipe.to_json() + "\n"
        elif inputs.format == "table":
            from ._table import to_table  # noqa: PLC0415

            text = to_table(recipe)
        else:
            text = recipe.to_yaml()
        out.write(text)
    except RecipeError as err:
        return _fail(RecipeError("failed to serialize recipe", code=err.code, cause=err))
    finally:
        if out is not sys.stdout:
            out.close()
    return 0


def _warn_mariadb(recipe: RecipeResult) -> None:
    """Upstream's warning for MariaDB Operator evidence that threatens an `aicr-provided` install."""
    from ._accounting import mariadb_warning  # noqa: PLC0415

    state = recipe.metadata.mariadb_operator_state
    warning = mariadb_warning(state)
    if warning is not None:
        print(f"[cli] {warning}: component=mariadb-operator state={state}", file=sys.stderr)


def _output(path: str | None) -> TextIO:
    """Where `-o/--output` sends the recipe: stdout for none, empty or `-`, else the file, created or truncated."""
    from ._errors import ErrorCode, RecipeError  # noqa: PLC0415
    from ._recipe_flags import unsupported  # noqa: PLC0415

    target = (path or "").strip()
    if target in ("", "-"):
        return sys.stdout
    if target.startswith("cm://"):
        cause = unsupported("writing to a ConfigMap", "it needs a live cluster, which this tool never contacts")
        raise RecipeError("failed to create output writer", code=ErrorCode.INTERNAL, cause=cause)
    try:
        return Path(target).open("w", encoding="utf-8", newline="")  # closed by run_resolve
    except OSError as err:
        reason = err.strerror or str(err)
        cause = RecipeError(
            f"failed to create output file {go_quote(target)}",
            code=ErrorCode.INTERNAL,
            cause=OSError(f"open {target}: {reason[:1].lower()}{reason[1:]}"),
        )
        raise RecipeError("failed to create output writer", code=ErrorCode.INTERNAL, cause=cause) from err


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


def run_check(args: Arguments) -> int:
    from ._check import check  # noqa: PLC0415
    from ._errors import RecipeError  # noqa: PLC0415
    from ._formats import render  # noqa: PLC0415
    from ._report import Report  # noqa: PLC0415
    from ._rules import all_rules  # noqa: PLC0415

    fmt = args.format or ("github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text")
    findings: list[Finding] = []
    strict = False
    paths, data = args.paths, args.data or None
    if not paths:
        if data is None:
            print(
                f"{PROG} check: error: give a catalog PATH (or --data DIR, checked over the shipped one)",
                file=sys.stderr,
            )
            return EXIT_USAGE
        paths = [_shipped_root()]
    for path in paths:
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
                data=data,
            )
        except (OSError, RecipeError) as err:  # an unreadable directory, an unknown --aicr-version
            print(f"{PROG}: error: {err}", file=sys.stderr)
            return EXIT_USAGE
        findings.extend(report.findings)
        strict = strict or report.strict
    combined = Report.of(findings, strict=strict)
    color = fmt == "text" and _use_color(args.color, sys.stdout)
    sys.stdout.write(render(combined, fmt, rules=all_rules(), color=color, version=__version__))
    return 0 if combined.ok else EXIT_FINDINGS


def run_explain(args: Arguments) -> int:
    from ._criteria import build_query  # noqa: PLC0415
    from ._errors import CriteriaError, RecipeError  # noqa: PLC0415
    from ._explain import explain  # noqa: PLC0415
    from ._resolution import NO_CRITERIA_MESSAGE  # noqa: PLC0415

    try:
        catalog = _catalog(args.catalog, aicr_version=args.aicr_version, data=getattr(args, "data", None))
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


def _explain_serving(args: Arguments, query: str, result: RecipeResult, config: Config) -> int:
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


def run_list(args: Arguments) -> int:
    from ._errors import RecipeError  # noqa: PLC0415
    from ._listing import render_listing, supported_queries  # noqa: PLC0415

    try:
        catalog = _catalog(args.catalog, aicr_version=args.aicr_version, data=getattr(args, "data", None))
    except RecipeError as err:
        return _fail(err)
    sys.stdout.write(render_listing(catalog, supported_queries(catalog), args.format))
    return 0


def run_graph(args: Arguments) -> int:
    from ._criteria import build_query  # noqa: PLC0415
    from ._errors import CriteriaError, RecipeError  # noqa: PLC0415
    from ._graph import forest_graph, query_graph  # noqa: PLC0415
    from ._render_graph import render_graph  # noqa: PLC0415
    from ._resolution import NO_CRITERIA_MESSAGE  # noqa: PLC0415

    try:
        catalog = _catalog(args.catalog, aicr_version=args.aicr_version, data=getattr(args, "data", None))
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


def run_migrate(args: Arguments) -> int:
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


def run_export_layer(args: Arguments) -> int:
    from ._errors import RecipeError  # noqa: PLC0415
    from ._export import export_layer  # noqa: PLC0415
    from ._loading import load_catalog  # noqa: PLC0415

    try:
        over = load_catalog(args.over)
        written = export_layer(args.target, catalog=_catalog(args.catalog), over=over, aicr_version=args.aicr_version)
    except RecipeError as err:
        return _fail(err)
    for relative in written:
        print(f"{args.target}/{relative}")
    print(f"wrote {len(written)} file(s): a layer for `aicr recipe --data {args.target}`", file=sys.stderr)
    return 0


def run_schema(args: Arguments) -> int:
    from ._models import RecipeMetadata, RecipeMixin  # noqa: PLC0415
    from ._registry_models import ComponentRegistry  # noqa: PLC0415

    models: dict[str, type[Model]] = {"recipe": RecipeMetadata, "mixin": RecipeMixin, "registry": ComponentRegistry}
    model = models[args.kind]
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
