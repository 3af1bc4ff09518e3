"""Rules across files: duplicates, inheritance structure, the registry and the validator catalog."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import TYPE_CHECKING, Final

from l40_recipes._matching import lineage
from l40_recipes._models import DIMENSIONS, unknown_keys
from l40_recipes._report import Severity

from . import Context, rule
from .files import path_problem

if TYPE_CHECKING:
    from collections.abc import Iterator

    from l40_recipes._catalog import Overlay
    from l40_recipes._report import Finding

MAX_CHAIN_DEPTH: Final = 10
VALIDATOR_PHASES: Final = ("deployment", "performance", "conformance")


def _raw_key(item: Overlay) -> str:
    assert item.criteria is not None
    return ",".join(f"{d}={getattr(item.criteria, d)}" for d in ("service", "accelerator", "os", "intent", "platform"))


@rule(
    "duplicate-criteria",
    "No two overlays share criteria",
    group="duplicate-criteria",
    upstream="TestNoDuplicateCriteriaAcrossOverlays",
)
def duplicate_criteria(ctx: Context) -> Iterator[Finding]:
    """Two overlays with the same criteria are both applied to the same queries, in name order.

    The later name silently wins every conflict. The key is built from the raw strings, as upstream's
    test builds it (so `""` and `any` differ; see `wildcard-spelling`).
    """
    groups: dict[str, list[Overlay]] = defaultdict(list)
    for item in ctx.catalog.overlays.values():
        if item.criteria is not None:
            groups[_raw_key(item)].append(item)
    for items in groups.values():
        first, *others = sorted(items, key=lambda item: item.path)
        for other in others:
            yield ctx.finding(
                "duplicate-criteria",
                other.locate("spec", "criteria"),
                f"overlay {other.name!r} has the same criteria as {first.name!r} ({first.locate('spec', 'criteria')})",
                hint="merge the two overlays, or make their criteria differ",
                overlay=other.name,
            )


@rule(
    "wildcard-spelling", 'Duplicates hidden by `""` versus `any`', group="duplicate-criteria", severity=Severity.WARNING
)
def wildcard_spelling(ctx: Context) -> Iterator[Finding]:
    """`""` (an omitted key) and `any` match identically, but upstream's duplicate test keys them apart.

    Two overlays whose criteria differ only in that spelling are duplicates upstream cannot see.
    """
    groups: dict[tuple[str, ...], list[Overlay]] = defaultdict(list)
    for item in ctx.catalog.overlays.values():
        if item.criteria is not None:
            groups[tuple(getattr(item.criteria, d) or "any" for d in DIMENSIONS)].append(item)
    for items in groups.values():
        if len({_raw_key(item) for item in items}) < 2:
            continue
        first, *others = sorted(items, key=lambda item: item.path)
        for other in others:
            if _raw_key(other) == _raw_key(first):
                continue
            yield ctx.finding(
                "wildcard-spelling",
                other.locate("spec", "criteria"),
                f'overlay {other.name!r} matches exactly the queries {first.name!r} matches; only `""` versus `any` differs',
                hint="merge the overlays, and write wildcards one way (omit the key)",
                overlay=other.name,
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


def _walk(ctx: Context, item: Overlay) -> tuple[list[str], bool]:
    """Names along *item*'s spec.base chain (itself first), and whether the walk closed a cycle.

    On a cycle the name that closes it ends the list; a missing parent is left out.
    """
    walk = lineage(ctx.catalog, item)
    for index, name in enumerate(walk.names):
        if name == item.name:
            return [item.name, *walk.names[: index + 1]], True
    if walk.repeated is not None:
        return [item.name, *walk.names, walk.repeated], True
    found = walk.names[:-1] if walk.missing is not None else walk.names
    return [item.name, *found], False


@rule("base-cycle", "No inheritance cycles", group="references", upstream="TestNoCircularBaseReferences")
def base_cycle(ctx: Context) -> Iterator[Finding]:
    """A spec.base cycle breaks every query that reaches it.

    Upstream's resolver even hides cycles whose members only match each other (they are all
    "ancestors" and get filtered out); this rule reports each cycle once, at every member.
    """
    for item in ctx.catalog.overlay_files:
        names, cyclic = _walk(ctx, item)
        if cyclic and names[-1] == item.name:
            yield ctx.finding(
                "base-cycle",
                item.locate("spec", "base"),
                f"inheritance cycle: {' -> '.join(names)}",
                hint="one overlay of the loop must inherit from a recipe outside it",
                overlay=item.name,
            )


@rule(
    "chain-depth",
    "Inheritance chains are at most 10 deep",
    group="references",
    upstream="TestInheritanceChainDepthReasonable",
)
def chain_depth(ctx: Context) -> Iterator[Finding]:
    """Deep chains make it impossible to see where a value comes from."""
    for item in ctx.catalog.overlay_files:
        names, cyclic = _walk(ctx, item)
        if not cyclic and len(names) > MAX_CHAIN_DEPTH:
            yield ctx.finding(
                "chain-depth",
                item.locate("spec", "base"),
                f"overlay {item.name!r} is {len(names)} levels deep (limit {MAX_CHAIN_DEPTH})",
                hint="flatten the hierarchy, or move shared content into a mixin",
                overlay=item.name,
            )


@rule("registry-schema", "registry.yaml has the right kind and apiVersion and no unknown keys", group="registry")
def registry_schema(ctx: Context) -> Iterator[Finding]:
    """The registry is decoded leniently: a misspelt key (`defaultVersoin`) is dropped without a word."""
    registry = ctx.catalog.registry
    if registry is None:
        return
    document = registry.document
    if document.kind != "ComponentRegistry":
        yield ctx.finding(
            "registry-schema",
            registry.locate("kind"),
            f"kind is {document.kind!r}, expected 'ComponentRegistry'",
            hint="set `kind: ComponentRegistry`",
        )
    expected = ctx.catalog.aicr_version.ordinary_api_version
    if document.api_version not in ctx.catalog.aicr_version.accepted_ordinary:
        yield ctx.finding(
            "registry-schema",
            registry.locate("apiVersion"),
            f"apiVersion {document.api_version!r} is not {expected!r}",
            hint=f"set `apiVersion: {expected}`",
        )
    for path in unknown_keys(document):
        yield ctx.finding(
            "registry-schema",
            registry.locate(*path),
            f"key {'.'.join(map(str, path))!r} is not part of ComponentRegistry; upstream ignores it",
            hint="fix its spelling or remove it",
            severity=Severity.WARNING,
        )


@rule(
    "registry-fields",
    "Registry components have a name, displayName and override key",
    group="registry",
    upstream="TestComponentRegistry_RequiredFields",
)
def registry_fields(ctx: Context) -> Iterator[Finding]:
    """Bundling and `--set key:path=value` rely on every component's name, display name and override keys."""
    registry = ctx.catalog.registry
    if registry is None:
        return
    for index, component in enumerate(registry.document.components):
        for key, value in (("name", component.name), ("displayName", component.display_name)):
            if not value:
                yield ctx.finding(
                    "registry-fields",
                    registry.locate("components", index),
                    f"component #{index} has no {key}",
                    hint=f"set {key}",
                    overlay=component.name,
                )
        if not component.value_override_keys:
            yield ctx.finding(
                "registry-fields",
                registry.locate("components", index),
                f"component {component.name!r} declares no valueOverrideKeys",
                hint="add at least one override key (e.g. the name without dashes)",
                overlay=component.name,
            )
        if (component.helm.default_repository or component.helm.default_chart) and component.kustomize.default_source:
            yield ctx.finding(
                "registry-fields",
                registry.locate("components", index, "kustomize"),
                f"component {component.name!r} has both helm and kustomize configuration",
                hint="keep one of helm and kustomize",
                overlay=component.name,
            )


@rule(
    "registry-unique",
    "Registry names and override keys are unique",
    group="registry",
    upstream="TestComponentRegistry_UniqueNames / _UniqueOverrideKeys",
)
def registry_unique(ctx: Context) -> Iterator[Finding]:
    """A duplicate name or override key makes lookups depend on file order."""
    registry = ctx.catalog.registry
    if registry is None:
        return
    names: dict[str, int] = {}
    keys: dict[str, str] = {}
    for index, component in enumerate(registry.document.components):
        if component.name in names:
            yield ctx.finding(
                "registry-unique",
                registry.locate("components", index, "name"),
                f"duplicate component name {component.name!r} (first at entry #{names[component.name]})",
                hint="remove or rename one entry",
                overlay=component.name,
            )
        names.setdefault(component.name, index)
        for position, key in enumerate(component.value_override_keys):
            if key in keys and keys[key] != component.name:
                yield ctx.finding(
                    "registry-unique",
                    registry.locate("components", index, "valueOverrideKeys", position),
                    f"valueOverrideKey {key!r} is used by both {keys[key]!r} and {component.name!r}",
                    hint="give each component its own override keys",
                    overlay=component.name,
                )
            keys.setdefault(key, component.name)


@rule(
    "registry-health-check",
    "Every component has a non-empty health check",
    group="registry",
    upstream="TestComponentRegistry_RequiresHealthCheck",
)
def registry_health_check(ctx: Context) -> Iterator[Finding]:
    """Resolution inlines each health check; a missing file fails every query that includes the component."""
    registry = ctx.catalog.registry
    if registry is None:
        return
    for index, component in enumerate(registry.document.components):
        assert_file = component.health_check.assert_file
        where = registry.locate("components", index, "healthCheck", "assertFile")
        if not assert_file:
            yield ctx.finding(
                "registry-health-check",
                registry.locate("components", index),
                f"component {component.name!r} declares no healthCheck.assertFile",
                hint=f"add checks/{component.name}/health-check.yaml and point healthCheck.assertFile at it",
                overlay=component.name,
            )
            continue
        problem = path_problem(ctx.catalog, assert_file)
        if problem is not None:
            yield ctx.finding(
                "path-escape",
                where,
                f"healthCheck.assertFile {assert_file!r} {problem}; it was not read",
                hint="use checks/<name>/health-check.yaml",
                overlay=component.name,
            )
            continue
        try:
            text = ctx.catalog.read_text(assert_file)
        except Exception:
            text = None
        if not text or not text.strip():
            yield ctx.finding(
                "registry-health-check",
                where,
                f"health check {assert_file!r} of {component.name!r} {'is empty' if text is not None else 'does not exist'}",
                hint="write the Chainsaw assert file, or fix the path",
                overlay=component.name,
            )


@rule(
    "registry-manifest-files",
    "Registry manifestFiles exist",
    group="registry",
    upstream="TestComponentRegistry_ManifestFilesResolve",
)
def registry_manifest_files(ctx: Context) -> Iterator[Finding]:
    """Registry manifestFiles become every ref's default manifest list."""
    registry = ctx.catalog.registry
    if registry is None:
        return
    for index, component in enumerate(registry.document.components):
        for position, relative in enumerate(component.manifest_files):
            where = registry.locate("components", index, "manifestFiles", position)
            problem = path_problem(ctx.catalog, relative)
            if problem is not None:
                yield ctx.finding(
                    "path-escape",
                    where,
                    f"manifestFiles entry {relative!r} {problem}; it was not read",
                    hint="use components/<name>/manifests/...",
                    overlay=component.name,
                )
                continue
            content = ctx.catalog.files.get(relative)
            if content is None or not content.strip():
                yield ctx.finding(
                    "registry-manifest-files",
                    where,
                    f"manifestFiles entry {relative!r} of {component.name!r} {'is empty' if content is not None else 'does not exist'}",
                    hint="add the manifest or remove the entry",
                    overlay=component.name,
                )


@rule(
    "registry-base-components",
    "base.yaml components are registered",
    group="registry",
    upstream="TestComponentRegistry_MatchesBaseRecipe",
)
def registry_base_components(ctx: Context) -> Iterator[Finding]:
    """Every recipe contains base.yaml's components; unregistered ones get no version at all."""
    registry, base = ctx.catalog.registry, ctx.catalog.base
    if registry is None or base is None:
        return
    for index, ref in enumerate(base.spec.component_refs):
        if registry.get(ref.name) is None:
            yield ctx.finding(
                "registry-base-components",
                base.locate("spec", "componentRefs", index, "name"),
                f"base component {ref.name!r} is not in registry.yaml",
                hint="register it",
                overlay="base",
            )


_PATH_FIELDS: Final = ("nodeSelectorPaths", "tolerationPaths", "taintPaths", "taintStrPaths")


@rule(
    "registry-path-syntax",
    "Scheduling paths are well formed",
    group="registry",
    upstream="TestComponentRegistry_PathSyntax",
)
def registry_path_syntax(ctx: Context) -> Iterator[Finding]:
    """Scheduling paths address Helm values; an empty segment writes to the wrong key."""
    registry = ctx.catalog.registry
    if registry is None:
        return
    for index, component in enumerate(registry.document.components):
        scheduling = component.node_scheduling
        groups: list[tuple[tuple[str | int, ...], list[str]]] = []
        for role in ("system", "accelerated"):
            paths = getattr(scheduling, role)
            for key in _PATH_FIELDS:
                attribute = re.sub(r"(?<!^)([A-Z])", r"_\1", key).lower()
                groups.append((("nodeScheduling", role, key), getattr(paths, attribute)))
        groups.append((("nodeScheduling", "nodeCountPaths"), scheduling.node_count_paths))
        groups.append(
            (
                ("podScheduling", "workload", "workloadSelectorPaths"),
                component.pod_scheduling.workload.workload_selector_paths,
            )
        )
        groups.append((("storageClassPaths",), component.storage_class_paths))
        for prefix, paths in groups:
            for position, value in enumerate(paths):
                if not value or value.startswith(".") or value.endswith(".") or ".." in value:
                    yield ctx.finding(
                        "registry-path-syntax",
                        registry.locate("components", index, *prefix, position),
                        f"scheduling path {value!r} of {component.name!r} is empty, starts or ends with '.', or has '..'",
                        hint="write a dotted Helm values path such as operator.nodeSelector",
                        overlay=component.name,
                    )


@rule(
    "validators-catalog",
    "validators/catalog.yaml is valid",
    group="validators",
    upstream="pkg/validator/catalog TestLoad",
)
def validators_catalog(ctx: Context) -> Iterator[Finding]:
    """The validator catalog defines what each check name runs; upstream's parser rejects these mistakes."""
    validators = ctx.catalog.validators
    if validators is None:
        return
    document = validators.document
    source = validators.source
    if document.api_version != "validator.nvidia.com/v1alpha1":
        yield ctx.finding(
            "validators-catalog",
            source.locate(("apiVersion",)),
            f"apiVersion {document.api_version!r} is not 'validator.nvidia.com/v1alpha1'",
            hint="set apiVersion: validator.nvidia.com/v1alpha1",
        )
    if document.kind != "ValidatorCatalog":
        yield ctx.finding(
            "validators-catalog",
            source.locate(("kind",)),
            f"kind {document.kind!r} is not 'ValidatorCatalog'",
            hint="set kind: ValidatorCatalog",
        )
    seen: set[str] = set()
    for index, entry in enumerate(document.validators):
        where = source.locate(("validators", index))
        if not entry.name:
            yield ctx.finding("validators-catalog", where, f"validator #{index} has no name", hint="name it")
        elif entry.name in seen:
            yield ctx.finding(
                "validators-catalog",
                source.locate(("validators", index, "name")),
                f"duplicate validator name {entry.name!r}",
                hint="remove or rename one",
            )
        seen.add(entry.name)
        if entry.phase not in VALIDATOR_PHASES:
            yield ctx.finding(
                "validators-catalog",
                source.locate(("validators", index, "phase")),
                f"validator {entry.name!r} has phase {entry.phase!r}; expected one of {', '.join(VALIDATOR_PHASES)}",
                hint="fix the phase",
            )
        if not entry.image:
            yield ctx.finding(
                "validators-catalog", where, f"validator {entry.name!r} has no image", hint="set the container image"
            )
