"""Rules about a single file's shape: it loads, carries its header, names, known keys, constraint syntax and types."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final

from l40_recipes._errors import ConstraintError
from l40_recipes._models import unknown_keys
from l40_recipes._report import Severity
from l40_recipes._semantics import ALPHA_REMOVED_IN, MIXIN_KIND, RECIPE_METADATA_KIND
from l40_recipes._versions import parse_constraint

from . import Context, component_refs, rule, sources

if TYPE_CHECKING:
    from collections.abc import Iterator

    from l40_recipes._catalog import Mixin, Overlay
    from l40_recipes._models import ValidationConfig
    from l40_recipes._report import Finding
    from l40_recipes._yaml import KeyPath

#: `Type.rest`; *rest* must hold an inner dot (`Type.Subtype.Key`), checked apart so matching stays linear.
_CONSTRAINT_NAME: Final = re.compile(r"[A-Za-z0-9]+\.([A-Za-z0-9_/.-]+)")
_CONSTRAINT_TYPES: Final = ("K8s", "OS", "GPU", "SystemD")
_VERSION_KEYS: Final = frozenset({"version", "tag", "value", "defaultVersion", "defaultTag", "timeout"})


def _is_constraint_name(name: str) -> bool:
    """Whether *name* is `Type.Subtype.Key` (the key may hold more dots)."""
    match = _CONSTRAINT_NAME.fullmatch(name)
    return match is not None and "." in match.group(1)[1:-1]


@rule(
    "load-error", "The file loads", group="schema", upstream="buildMetadataStore / TestAllMetadataFilesParseCorrectly"
)
def load_errors(ctx: Context) -> Iterator[Finding]:
    """A file upstream cannot load stops every `aicr` command that reads the catalog.

    Syntax errors, duplicate keys, values of the wrong type, unknown keys in strictly decoded files
    (mixins, `aicr.run/v1alpha3` profile overlays), invalid measurement paths and a missing
    base.yaml or registry.yaml all end here, at the exact position.
    """
    for problem in ctx.problems:
        location = problem.location
        assert location is not None
        yield ctx.finding("load-error", location, problem.upstream_text, hint=problem.hint or "")


@rule(
    "required-fields",
    "kind, apiVersion and metadata.name are set",
    group="schema",
    upstream="TestAllMetadataFilesHaveRequiredFields",
)
def required_fields(ctx: Context) -> Iterator[Finding]:
    """Upstream accepts an empty `kind` as RecipeMetadata and keys overlays by `metadata.name`.

    A missing name silently collides with every other unnamed overlay; a missing kind or apiVersion
    makes the file's meaning depend on defaults that later releases change.
    """
    for item in sources(ctx):
        document = item.document
        expected = MIXIN_KIND if item.path.startswith("mixins/") else RECIPE_METADATA_KIND
        for key, value in (("kind", document.kind), ("apiVersion", document.api_version)):
            if not value:
                yield ctx.finding(
                    "required-fields",
                    item.source.locate(()),
                    f"{item.path} has no {key}",
                    hint=f"add `{key}: {expected if key == 'kind' else ctx.catalog.aicr_version.ordinary_api_version}`",
                    overlay=item.name,
                )
        if not document.metadata.name:
            yield ctx.finding(
                "required-fields",
                item.source.locate(("metadata",)),
                f"{item.path} has no metadata.name",
                hint="name the overlay; overlays are merged and referenced by name",
                overlay=item.name,
            )


@rule(
    "api-version",
    "apiVersion is the current one for the kind",
    group="schema",
    upstream="TestAllMetadataFilesHaveRequiredFields",
)
def api_versions(ctx: Context) -> Iterator[Finding]:
    """Each release's headers: at 0.20 `aicr.run/v1alpha2`, and `aicr.run/v1alpha3` exactly when a file declares a profile.

    The 0.20 loader tolerates other values, so an outdated apiVersion (such as v0.11's
    `aicr.nvidia.com/v1alpha1`) only fails in upstream's CI; this rule says so at the line.
    `aicr.run/v1beta1` and `v1beta2` (AICR v0.22+) are accepted as their successors. At 1.0 only
    those are accepted (the loader refuses the rest).

    A catalog read as 0.20 without being told so also gets one warning: aicr 1.0 refuses its
    alpha headers, and `l40-recipes migrate` rewrites them. Setting `aicr-version = "0.20"` in
    `[tool.l40-recipes]` says the catalog targets 0.20 on purpose and silences it.
    """
    semantics = ctx.catalog.aicr_version
    retired: list[Overlay | Mixin] = []
    for item in sources(ctx):
        version = item.document.api_version
        if not version:
            continue
        profile = getattr(item.document.spec, "profile", None) is not None
        allowed = semantics.accepted_profile if profile else semantics.accepted_ordinary
        if version in (semantics.ordinary_api_version, semantics.profile_api_version) and semantics.superseded_by:
            retired.append(item)
        if version not in allowed:
            what = "a profile overlay" if profile else ("a mixin" if item.path.startswith("mixins/") else "an overlay")
            yield ctx.finding(
                "api-version",
                item.source.locate_value(("apiVersion",)),
                f"apiVersion {version!r} is not valid for {what}; expected {allowed[0]!r}",
                hint=f"set `apiVersion: {allowed[0]}`",
                overlay=item.name,
            )
    on_purpose = ctx.catalog.aicr_version_source == "forced" or ctx.config.aicr_version == semantics.name
    registry = ctx.catalog.registry
    retired_registry = (
        registry is not None
        and bool(semantics.superseded_by)
        and registry.document.api_version in (semantics.ordinary_api_version, semantics.profile_api_version)
    )
    if (retired or retired_registry) and not on_purpose:
        newer = semantics.superseded_by
        first = retired[0].source if retired else registry.source if registry is not None else None
        assert first is not None
        yield ctx.finding(
            "api-version",
            first.locate_value(("apiVersion",)),
            f"the catalog is read as aicr {semantics.name}: {len(retired) + retired_registry} file(s) use "
            f"{semantics.ordinary_api_version}/{semantics.profile_api_version} headers, which aicr >= {newer} refuses "
            f"(retired in {ALPHA_REMOVED_IN})",
            hint=f"run `l40-recipes migrate --to {newer} {ctx.catalog.display_root}` (rewrites only the header "
            f'lines), or set `aicr-version = "{semantics.name}"` in [tool.l40-recipes] to target '
            f"aicr {semantics.name} on purpose",
            severity=Severity.WARNING,
        )


@rule("unknown-key", "No keys upstream ignores", group="schema", severity=Severity.WARNING)
def unknown_keys_rule(ctx: Context) -> Iterator[Finding]:
    """Upstream decodes ordinary overlays leniently: a misspelt key (`dependsOn`, `valuesfile`) is dropped.

    The recipe then silently lacks what the author wrote. Strictly decoded files fail to load instead
    (see `load-error`).
    """
    for item in ctx.overlays():
        for path in unknown_keys(item.document):
            yield ctx.finding(
                "unknown-key",
                item.source.locate(path),
                f"key {'.'.join(map(str, path))!r} is not part of RecipeMetadata; upstream ignores it",
                hint="fix its spelling or remove it",
                overlay=item.name,
            )


def _constraints_of(item: Overlay | Mixin) -> Iterator[tuple[KeyPath, str, str]]:
    spec = item.document.spec
    for index, constraint in enumerate(spec.constraints):
        yield ("spec", "constraints", index), constraint.name, constraint.value
    validation: ValidationConfig | None = getattr(spec, "validation", None)
    if validation is None:
        return
    for phase_name in validation.PHASES:
        phase = validation.phase(phase_name)
        for index, constraint in enumerate((phase.constraints or []) if phase else []):
            yield ("spec", "validation", phase_name, "constraints", index), constraint.name, constraint.value


@rule(
    "constraint-syntax",
    "Constraints have valid names and expressions",
    group="schema",
    upstream="TestAllConstraintsSyntaxValid",
)
def constraint_syntax(ctx: Context) -> Iterator[Finding]:
    """A constraint whose value does not parse fails at validation time, on a live cluster.

    Top-level constraint names must be `Type.Subtype.Key` measurement paths of type K8s, OS, GPU or
    SystemD (upstream's test); every constraint value must parse as an expression (`>= 1.30`, `ubuntu`).
    """
    for item in sources(ctx):
        for path, name, value in _constraints_of(item):
            if path[1] == "constraints" and not (_is_constraint_name(name) and name.split(".")[0] in _CONSTRAINT_TYPES):
                yield ctx.finding(
                    "constraint-syntax",
                    item.source.locate_value((*path, "name")),
                    f"constraint name {name!r} is not a Type.Subtype.Key path of type {', '.join(_CONSTRAINT_TYPES)}",
                    hint="use a measurement path such as K8s.server.version",
                    overlay=item.name,
                )
            if not name:
                yield ctx.finding(
                    "constraint-syntax",
                    item.source.locate((*path,)),
                    "constraint has no name",
                    hint="name it",
                    overlay=item.name,
                )
            try:
                parse_constraint(value)
            except ConstraintError as err:
                yield ctx.finding(
                    "constraint-syntax",
                    item.source.locate_value((*path, "value")),
                    f"constraint {name!r} value {value!r}: {err.message}",
                    hint="write an expression such as '>= 1.30' or an exact value",
                    overlay=item.name,
                )


@rule(
    "component-type", "componentRef types are explicit and valid", group="schema", upstream="TestAllComponentTypesValid"
)
def component_type(ctx: Context) -> Iterator[Finding]:
    """Deployers switch on `type`; upstream requires it spelled `Helm` or `Kustomize`, and set on every enabled ref."""
    for item in sources(ctx):
        in_overlay = not item.path.startswith("mixins/")
        for index, ref in component_refs(item):
            path = ("spec", "componentRefs", index)
            if ref.type and ref.type not in ("Helm", "Kustomize"):
                yield ctx.finding(
                    "component-type",
                    item.source.locate_value((*path, "type")),
                    f"component {ref.name!r} has type {ref.type!r}; expected 'Helm' or 'Kustomize'",
                    hint="write the type with upstream's capitalization",
                    overlay=item.name,
                )
            elif in_overlay and not ref.type and ref.enabled:
                yield ctx.finding(
                    "component-type",
                    item.source.locate(path),
                    f"component {ref.name!r} sets no type",
                    hint="add `type: Helm` (or Kustomize) to the componentRef",
                    overlay=item.name,
                )


@rule("yaml-retyped", "Version-like values are quoted", group="schema", severity=Severity.WARNING)
def yaml_retyped(ctx: Context) -> Iterator[Finding]:
    """YAML turns unquoted `1.30` into the number 1.3 and `010` into 8.

    Upstream keeps the text for typed fields, but every other YAML tool (and upstream itself inside
    `overrides`, which become Helm values) reads the number. Quote such values.
    """
    for item in ctx.overlays():
        for path, (text, reading) in item.retyped.items():
            in_overrides = "overrides" in path
            if not in_overrides and (path[-1] not in _VERSION_KEYS or "." not in text):
                continue
            yield ctx.finding(
                "yaml-retyped",
                item.source.locate_value(path),
                f"{'.'.join(map(str, path))}: YAML reads {text} as {reading}"
                + (" (upstream too: it is a Helm value)" if in_overrides else ""),
                hint=f'quote it: "{text}"',
                overlay=item.name,
            )


@rule("duplicate-name", "Overlay names are unique", group="schema")
def duplicate_name(ctx: Context) -> Iterator[Finding]:
    """Upstream keys overlays by metadata.name; a second file with the same name silently replaces the first."""
    seen: dict[str, Overlay] = {}
    for item in ctx.catalog.overlay_files:
        if item.name in seen:
            yield ctx.finding(
                "duplicate-name",
                item.locate("metadata", "name"),
                f"overlay name {item.name!r} is also used by {seen[item.name].path}; this file replaces it",
                hint="give each overlay its own metadata.name",
                overlay=item.name,
            )
        else:
            seen[item.name] = item
