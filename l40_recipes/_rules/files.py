"""Rules about single files: shape, criteria, references and YAML traps."""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Final

from l40_recipes._criteria import ENUM_VALUES, parse_dimension
from l40_recipes._errors import ConstraintError, CriteriaError, Location, RecipeLoadError
from l40_recipes._headers import MIXIN_KIND, RECIPE_METADATA_KIND
from l40_recipes._models import DIMENSIONS, is_wild, unknown_keys
from l40_recipes._report import Severity
from l40_recipes._semantics import ALPHA_REMOVED_IN
from l40_recipes._versions import parse_constraint
from l40_recipes._yaml import parse_yaml

from . import Context, rule

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from l40_recipes._catalog import Catalog, Mixin, Overlay
    from l40_recipes._models import ComponentRef, ValidationConfig
    from l40_recipes._report import Finding
    from l40_recipes._yaml import Path

#: `Type.rest`; *rest* must hold an inner dot (`Type.Subtype.Key`), checked apart so matching stays linear.
_CONSTRAINT_NAME: Final = re.compile(r"[A-Za-z0-9]+\.([A-Za-z0-9_/.-]+)")
_CONSTRAINT_TYPES: Final = ("K8s", "OS", "GPU", "SystemD")
_VERSION_KEYS: Final = frozenset({"version", "tag", "value", "defaultVersion", "defaultTag", "timeout"})


def _is_constraint_name(name: str) -> bool:
    """Whether *name* is `Type.Subtype.Key` (the key may hold more dots)."""
    match = _CONSTRAINT_NAME.fullmatch(name)
    return match is not None and "." in match.group(1)[1:-1]


def _refs(item: Overlay | Mixin) -> Iterator[tuple[int, ComponentRef]]:
    yield from enumerate(item.document.spec.component_refs)


def _sources(ctx: Context) -> Iterator[Overlay | Mixin]:
    yield from ctx.overlays()
    yield from ctx.catalog.mixins.values()


@rule(
    "load-error", "The file loads", group="schema", upstream="buildMetadataStore / TestAllMetadataFilesParseCorrectly"
)
def load_errors(ctx: Context) -> Iterator[Finding]:
    """A file upstream cannot load stops every `aicr` command that reads the catalog.

    Syntax errors, duplicate keys, values of the wrong type, unknown keys in strictly decoded files
    (mixins, `aicr.run/v1alpha3` profile overlays), invalid measurement paths and a missing
    base.yaml or registry.yaml all end here, at the exact position.
    """
    for problem in ctx.catalog.problems:
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
    for item in _sources(ctx):
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
    for item in _sources(ctx):
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
    if retired and not on_purpose:
        newer = semantics.superseded_by
        yield ctx.finding(
            "api-version",
            retired[0].source.locate_value(("apiVersion",)),
            f"the catalog is read as aicr {semantics.name}: {len(retired)} file(s) use "
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


@rule("criteria-missing", "Every overlay has criteria", group="schema", upstream="TestAllOverlayCriteriaUseValidEnums")
def criteria_missing(ctx: Context) -> Iterator[Finding]:
    """An overlay without `spec.criteria` never matches a query; it can only be reached as a parent."""
    for item in ctx.catalog.overlay_files:
        if item.criteria is None:
            yield ctx.finding(
                "criteria-missing",
                item.source.locate(("spec",)),
                f"overlay {item.name!r} has no spec.criteria, so no query ever selects it",
                hint="add the criteria this overlay serves (service, accelerator, intent, os, platform)",
                overlay=item.name,
            )


@rule("criteria-enum", "Criteria values are known", group="schema", upstream="TestAllOverlayCriteriaUseValidEnums")
def criteria_enum(ctx: Context) -> Iterator[Finding]:
    """A value outside upstream's enums is only accepted through the catalog's own registry.

    Queries against the embedded catalog would reject it, and it usually is a typo (`ubunut`).
    """
    for item in ctx.catalog.overlay_files:
        criteria = item.criteria
        if criteria is None:
            continue
        for dimension in DIMENSIONS:
            value = getattr(criteria, dimension)
            if is_wild(value):
                continue
            try:
                parse_dimension(dimension, value, semantics=ctx.catalog.aicr_version)
            except CriteriaError:
                yield ctx.finding(
                    "criteria-enum",
                    item.source.locate_value(("spec", "criteria", dimension)),
                    f"{dimension} {value!r} is not one of upstream's values: {', '.join(ENUM_VALUES[dimension])}",
                    hint=f"use a known {dimension} or register the value through a catalog overlay on purpose",
                    overlay=item.name,
                )


@rule("criteria-case", "Criteria values are canonical", group="schema")
def criteria_case(ctx: Context) -> Iterator[Finding]:
    """Overlay criteria are compared byte for byte with the parsed, lowercased query.

    `accelerator: H100`, `service: self` or `os: al2` therefore never match anything, and upstream's
    enum test (case-insensitive) does not notice.
    """
    for item in ctx.catalog.overlay_files:
        criteria = item.criteria
        if criteria is None:
            continue
        for dimension in DIMENSIONS:
            value = getattr(criteria, dimension)
            if is_wild(value):
                continue
            try:
                canonical = parse_dimension(
                    dimension, value, known={dimension: {value.strip().lower()}}, semantics=ctx.catalog.aicr_version
                )
            except CriteriaError:
                continue
            if canonical != value:
                yield ctx.finding(
                    "criteria-case",
                    item.source.locate_value(("spec", "criteria", dimension)),
                    f"{dimension} {value!r} never matches: queries are normalized to {canonical!r}",
                    hint=f"write `{dimension}: {canonical}`",
                    overlay=item.name,
                )


@rule("nodes-ignored", "criteria.nodes has no effect", group="schema", severity=Severity.WARNING)
def nodes_ignored(ctx: Context) -> Iterator[Finding]:
    """Upstream stopped matching on `nodes` (#1781) and rejects it in external catalogs.

    An overlay that sets it matches every node count.
    """
    for item in ctx.catalog.overlay_files:
        if item.criteria is not None and item.criteria.nodes:
            yield ctx.finding(
                "nodes-ignored",
                item.source.locate(("spec", "criteria", "nodes")),
                f"criteria.nodes={item.criteria.nodes} is ignored when selecting overlays",
                hint="remove criteria.nodes",
                overlay=item.name,
            )


def _children(catalog: Catalog) -> set[str]:
    return {item.base for item in catalog.overlay_files if item.base}


@rule(
    "intermediate-criteria",
    "Intermediate overlays state a dimension",
    group="schema",
    upstream="TestIntermediateRecipesHavePartialCriteria",
)
def intermediate_criteria(ctx: Context) -> Iterator[Finding]:
    """An overlay with a parent and criteria must set service, accelerator, os or intent.

    Otherwise it matches every query that reaches its dimensions and is applied far more widely
    than its place in the hierarchy suggests.
    """
    yield from _criteria_shape(ctx, "intermediate-criteria", lambda item: bool(item.base))


@rule(
    "leaf-criteria", "Leaf overlays state a dimension", group="schema", upstream="TestLeafRecipesHaveCompleteCriteria"
)
def leaf_criteria(ctx: Context) -> Iterator[Finding]:
    """An overlay that is nobody's parent must set service, accelerator, os or intent (`any` counts).

    Despite upstream's test name, complete criteria are not required.
    """
    children = _children(ctx.catalog)
    yield from _criteria_shape(ctx, "leaf-criteria", lambda item: item.name not in children)


def _criteria_shape(ctx: Context, rule_id: str, selected: Callable[[Overlay], bool]) -> Iterator[Finding]:
    for item in ctx.catalog.overlay_files:
        criteria = item.criteria
        if criteria is None or not selected(item):
            continue
        if any(getattr(criteria, d) for d in ("service", "accelerator", "os", "intent")):
            continue
        yield ctx.finding(
            rule_id,
            item.source.locate(("spec", "criteria")),
            f"overlay {item.name!r} states none of service, accelerator, os or intent",
            hint="state at least one of them, or fold this overlay into its parent",
            overlay=item.name,
        )


def _constraints_of(item: Overlay | Mixin) -> Iterator[tuple[Path, str, str]]:
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
    for item in _sources(ctx):
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
    for item in _sources(ctx):
        in_overlay = not item.path.startswith("mixins/")
        for index, ref in _refs(item):
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
        for path, (text, reading) in item.yaml.retyped.items():
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


def path_problem(catalog: Catalog, relative: str) -> str | None:
    """Why *relative* is not a safe catalog path, or None."""
    if not relative:
        return "is empty"
    if "\0" in relative:
        return "contains a NUL byte"
    if PurePosixPath(relative).is_absolute() or relative.startswith("\\") or re.match(r"^[A-Za-z]:", relative):
        return "is absolute"
    if ".." in PurePosixPath(relative).parts:
        return "goes up with '..'"
    if not catalog.contains_path(relative):
        return "resolves (through a symlink) outside the catalog root"
    return None


def _referenced_paths(item: Overlay | Mixin) -> Iterator[tuple[Path, str, str]]:
    for index, ref in _refs(item):
        base = ("spec", "componentRefs", index)
        if ref.values_file:
            yield (*base, "valuesFile"), ref.values_file, "valuesFile"
        for key, files in (("manifestFiles", ref.manifest_files), ("preManifestFiles", ref.pre_manifest_files)):
            for position, file in enumerate(files):
                yield (*base, key, position), file, key


@rule("path-escape", "Referenced paths stay inside the catalog", group="references")
def path_escape(ctx: Context) -> Iterator[Finding]:
    """A valuesFile or manifest path outside the catalog root (absolute, `..`, or a symlink out) is never read.

    Upstream reads through its data provider; a path that escapes either fails there or, worse,
    bundles a file from the machine that generated the recipe.
    """
    for item in _sources(ctx):
        for path, relative, key in _referenced_paths(item):
            problem = path_problem(ctx.catalog, relative)
            if problem is not None:
                yield ctx.finding(
                    "path-escape",
                    item.source.locate_value(path),
                    f"{key} {relative!r} {problem}; it was not read",
                    hint="use a path relative to the catalog root, such as components/<name>/values.yaml",
                    overlay=item.name,
                )


@rule(
    "values-file",
    "valuesFile exists under components/",
    group="references",
    upstream="TestAllValuesFileReferencesExist",
)
def values_file(ctx: Context) -> Iterator[Finding]:
    """Resolution does not read values files; bundling does, long after `aicr recipe` reported success."""
    for item in ctx.overlays():
        for path, relative, key in _referenced_paths(item):
            if key != "valuesFile" or path_problem(ctx.catalog, relative):
                continue
            if not relative.startswith("components/") or "/manifests/" in relative:
                reason = "must be under components/ and not a manifests/ file"
            elif relative not in ctx.catalog.files:
                reason = "does not exist"
            else:
                continue
            yield ctx.finding(
                "values-file",
                item.source.locate_value(path),
                f"valuesFile {relative!r} {reason}",
                hint="point valuesFile at components/<component>/values*.yaml",
                overlay=item.name,
            )


@rule(
    "manifest-file",
    "Manifest files exist and are not empty",
    group="references",
    upstream="TestComponentRegistry_ManifestFilesResolve",
)
def manifest_file(ctx: Context) -> Iterator[Finding]:
    """Upstream only checks valuesFile in overlays; a missing manifestFiles/preManifestFiles entry breaks the bundle."""
    for item in _sources(ctx):
        for path, relative, key in _referenced_paths(item):
            if key == "valuesFile" or path_problem(ctx.catalog, relative):
                continue
            content = ctx.catalog.files.get(relative)
            if content is None or not content.strip():
                yield ctx.finding(
                    "manifest-file",
                    item.source.locate_value(path),
                    f"{key} entry {relative!r} {'is empty' if content is not None else 'does not exist'}",
                    hint="add the manifest under components/<component>/manifests/ or remove the entry",
                    overlay=item.name,
                )


@rule(
    "values-file-yaml",
    "Component values files are YAML",
    group="references",
    upstream="TestAllValuesFilesParseAsValidYAML",
)
def values_file_yaml(ctx: Context) -> Iterator[Finding]:
    """A values file that is not YAML fails `helm install`, not `aicr recipe`."""
    for relative in sorted(ctx.catalog.files):
        if "/manifests/" in relative or not relative.endswith((".yaml", ".yml")):
            continue
        try:
            parse_yaml(ctx.catalog.files[relative], path=ctx.catalog.display(relative))
        except RecipeLoadError as err:
            location = err.location or Location(ctx.catalog.display(relative))
            yield ctx.finding("values-file-yaml", location, err.message, hint=err.hint or "")


@rule(
    "dependency-ref",
    "dependencyRefs name components of the file or base.yaml",
    group="references",
    upstream="TestAllDependencyReferencesExist",
)
def dependency_ref(ctx: Context) -> Iterator[Finding]:
    """Upstream's test requires each dependency to be declared in the same file or in base.yaml.

    That keeps an overlay valid whatever else gets merged with it.
    """
    base_names = {ref.name for ref in ctx.catalog.base.spec.component_refs} if ctx.catalog.base else set()
    for item in ctx.catalog.overlay_files:
        names = base_names | {ref.name for ref in item.spec.component_refs}
        for index, ref in _refs(item):
            for position, dependency in enumerate(ref.dependency_refs):
                if dependency not in names:
                    yield ctx.finding(
                        "dependency-ref",
                        item.source.locate_value(("spec", "componentRefs", index, "dependencyRefs", position)),
                        f"component {ref.name!r} depends on {dependency!r}, which neither this file nor base.yaml declares",
                        hint=f"declare {dependency!r} in this overlay or in base.yaml, or fix the name",
                        overlay=item.name,
                    )


@rule(
    "unknown-component",
    "componentRefs name registry components",
    group="references",
    upstream="TestAllComponentNamesMatchKnownComponents",
)
def unknown_component(ctx: Context) -> Iterator[Finding]:
    """A component the registry does not know gets no defaults, no version and no health check."""
    registry = ctx.catalog.registry
    if registry is None:
        return
    for item in _sources(ctx):
        for index, ref in _refs(item):
            if registry.get(ref.name) is None:
                yield ctx.finding(
                    "unknown-component",
                    item.source.locate_value(("spec", "componentRefs", index, "name")),
                    f"component {ref.name!r} is not in registry.yaml",
                    hint="add it to registry.yaml or fix the name",
                    overlay=item.name,
                )


@rule(
    "base-reference",
    "spec.base names an existing overlay",
    group="references",
    upstream="TestAllBaseReferencesPointToExistingRecipes",
)
def base_reference(ctx: Context) -> Iterator[Finding]:
    """A missing parent makes every query that selects the overlay fail with NOT_FOUND."""
    for item in ctx.catalog.overlay_files:
        if item.base and ctx.catalog.get(item.base) is None:
            yield ctx.finding(
                "base-reference",
                item.source.locate_value(("spec", "base")),
                f"spec.base {item.base!r} names no overlay",
                hint="fix the name, or add the parent overlay",
                overlay=item.name,
            )


@rule("check-name", "Validation checks exist in the validator catalog", group="references")
def check_name(ctx: Context) -> Iterator[Finding]:
    """No upstream test checks that a phase's check names exist in `validators/catalog.yaml` for that phase.

    A misspelt check is skipped at validation time, so the phase silently gates less.
    """
    validators = ctx.catalog.validators
    if validators is None:
        return
    known: dict[str, set[str]] = {}
    for entry in validators.document.validators:
        known.setdefault(entry.phase, set()).add(entry.name)
    for item in ctx.overlays():
        validation = item.spec.validation
        if validation is None:
            continue
        for phase_name in validation.PHASES:
            phase = validation.phase(phase_name)
            for index, check in enumerate((phase.checks or []) if phase else []):
                if check in known.get(phase_name, set()):
                    continue
                elsewhere = sorted(name for name, checks in known.items() if check in checks)
                detail = f"; it is a {', '.join(elsewhere)} check" if elsewhere else ""
                yield ctx.finding(
                    "check-name",
                    item.source.locate_value(("spec", "validation", phase_name, "checks", index)),
                    f"{phase_name} check {check!r} is not in validators/catalog.yaml for that phase{detail}",
                    hint="use a check name the validator catalog lists under this phase",
                    overlay=item.name,
                )


@rule(
    "version-pin",
    "Versions come from the registry",
    group="references",
    severity=Severity.WARNING,
    upstream="TestOverlayVersionPinsMatchRegistry",
)
def version_pin(ctx: Context) -> Iterator[Finding]:
    """The registry is the single source of component versions; a pin in an overlay drifts from it unnoticed.

    Exempt a pin with a reason under `[[tool.l40-recipes.version-pin-exemptions]]`.
    """
    exempt = {(entry.overlay, entry.component) for entry in ctx.config.pin_exemptions}
    registry = ctx.catalog.registry
    for item in _sources(ctx):
        for index, ref in _refs(item):
            key = "tag" if ref.type == "Kustomize" else "version"
            pinned = ref.tag if key == "tag" else ref.version
            if not pinned or (item.name, ref.name) in exempt:
                continue
            config = registry.get(ref.name) if registry else None
            default = (config.kustomize.default_tag if key == "tag" else config.helm.default_version) if config else ""
            yield ctx.finding(
                "version-pin",
                item.source.locate_value(("spec", "componentRefs", index, key)),
                f"component {ref.name!r} pins {key} {pinned!r}"
                + (f" (registry default {default!r})" if default else ""),
                hint="drop the pin and let registry.yaml decide, or add a version-pin exemption with a reason",
                overlay=item.name,
            )


# The group/versions client-go's `scheme.Scheme` knows (Kubernetes 1.34), which upstream's test treats
# as built in. Anything else is a custom resource whose CRD a chart installs.
BUILTIN_API_VERSIONS: Final = frozenset(
    {"v1"}
    | {
        f"{group}/{version}"
        for group, versions in {
            "admissionregistration.k8s.io": ("v1", "v1alpha1", "v1beta1"),
            "apiserverinternal.k8s.io": ("v1alpha1",),
            "apps": ("v1", "v1beta1", "v1beta2"),
            "authentication.k8s.io": ("v1", "v1alpha1", "v1beta1"),
            "authorization.k8s.io": ("v1", "v1beta1"),
            "autoscaling": ("v1", "v2", "v2beta1", "v2beta2"),
            "batch": ("v1", "v1beta1"),
            "certificates.k8s.io": ("v1", "v1alpha1", "v1beta1"),
            "coordination.k8s.io": ("v1", "v1alpha2", "v1beta1"),
            "discovery.k8s.io": ("v1", "v1beta1"),
            "events.k8s.io": ("v1", "v1beta1"),
            "extensions": ("v1beta1",),
            "flowcontrol.apiserver.k8s.io": ("v1", "v1beta1", "v1beta2", "v1beta3"),
            "networking.k8s.io": ("v1", "v1alpha1", "v1beta1"),
            "node.k8s.io": ("v1", "v1alpha1", "v1beta1"),
            "policy": ("v1", "v1beta1"),
            "rbac.authorization.k8s.io": ("v1", "v1alpha1", "v1beta1"),
            "resource.k8s.io": ("v1", "v1alpha3", "v1beta1", "v1beta2"),
            "scheduling.k8s.io": ("v1", "v1alpha1", "v1beta1"),
            "storage.k8s.io": ("v1", "v1alpha1", "v1beta1"),
            "storagemigration.k8s.io": ("v1alpha1",),
        }.items()
        for version in versions
    },
)
_API_VERSION_LINE: Final = re.compile(r"(?m)^apiVersion:\s*(\S+)")
_HELM_HOOK: Final = re.compile(r"(?m)[\"']?helm\.sh/hook[\"']?:\s*")
_SKIP_HOOK: Final = re.compile(r"(?m)[\"']?aicr/skip-hook-validation[\"']?:\s*[\"']?true[\"']?")


@rule(
    "manifest-helm-hook",
    "Custom-resource manifests are Helm hooks",
    group="references",
    upstream="TestManifestHelmHooksRequired",
)
def manifest_helm_hook(ctx: Context) -> Iterator[Finding]:
    """A custom resource applied with its chart can race the CRD the chart installs, and fail the install.

    Manifests under `components/*/manifests/` whose first apiVersion is not built into Kubernetes need
    `helm.sh/hook: post-install,post-upgrade` (or the opt-out `aicr/skip-hook-validation: "true"`).
    """
    for relative in sorted(ctx.catalog.files):
        if "/manifests/" not in relative or not relative.endswith(".yaml"):
            continue
        text = ctx.catalog.files[relative].decode("utf-8", errors="replace")
        match = _API_VERSION_LINE.search(text)
        if match is None or match.group(1) in BUILTIN_API_VERSIONS:
            continue
        if _SKIP_HOOK.search(text) or _HELM_HOOK.search(text):
            continue
        line = text.count("\n", 0, match.start()) + 1
        yield ctx.finding(
            "manifest-helm-hook",
            Location(ctx.catalog.display(relative), line, 1),
            f"manifest has custom apiVersion {match.group(1)!r} but no helm.sh/hook annotation",
            hint='annotate it: "helm.sh/hook": post-install,post-upgrade, "helm.sh/hook-weight": "10", '
            '"helm.sh/hook-delete-policy": before-hook-creation',
        )
