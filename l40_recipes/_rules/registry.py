"""Rules about `registry.yaml`: schema, required fields, unique names and keys, health checks, manifests, paths."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Final

from l40_recipes._models import unknown_keys
from l40_recipes._report import Severity

from . import Context, rule
from .references import checked_path

if TYPE_CHECKING:
    from collections.abc import Iterator

    from l40_recipes._report import Finding


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
        problem = checked_path(ctx, assert_file)
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
            problem = checked_path(ctx, relative)
            if problem is not None:
                yield ctx.finding(
                    "path-escape",
                    where,
                    f"manifestFiles entry {relative!r} {problem}; it was not read",
                    hint="use components/<name>/manifests/...",
                    overlay=component.name,
                )
                continue
            content = ctx.files.get(relative)
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
