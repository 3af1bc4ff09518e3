"""Rules about what files point at: parents, components, dependencies, checks, values and manifest files, pinned versions."""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Final

from l40_recipes._decoding import check_free_form_aliases
from l40_recipes._errors import Location, RecipeLoadError
from l40_recipes._merge import SpecState, dependency_error
from l40_recipes._report import Severity
from l40_recipes._yaml import parse_yaml

from . import Context, base_walk, component_refs, rule, sources

if TYPE_CHECKING:
    from collections.abc import Iterator

    from l40_recipes._catalog import Catalog, Mixin, Overlay
    from l40_recipes._report import Finding
    from l40_recipes._yaml import KeyPath


MAX_CHAIN_DEPTH: Final = 10
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


def checked_path(ctx: Context, relative: str) -> str | None:
    """`path_problem` of *relative* in the checked catalog, computed once per check."""
    problems = ctx.path_problems
    if relative not in problems:
        problems[relative] = path_problem(ctx.catalog, relative)
    return problems[relative]


def _referenced_paths(item: Overlay | Mixin) -> Iterator[tuple[KeyPath, str, str]]:
    for index, ref in component_refs(item):
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
    for item in sources(ctx):
        for path, relative, key in _referenced_paths(item):
            problem = checked_path(ctx, relative)
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
            if key != "valuesFile" or checked_path(ctx, relative):
                continue
            if not relative.startswith("components/") or "/manifests/" in relative:
                reason = "must be under components/ and not a manifests/ file"
            elif relative not in ctx.files:
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
    for item in sources(ctx):
        for path, relative, key in _referenced_paths(item):
            if key == "valuesFile" or checked_path(ctx, relative):
                continue
            content = ctx.files.get(relative)
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
    for relative in sorted(ctx.files):
        if "/manifests/" in relative or not relative.endswith((".yaml", ".yml")):
            continue
        try:
            document = parse_yaml(ctx.files[relative], path=ctx.catalog.display(relative))
            check_free_form_aliases(document, ctx.catalog.display(relative))
        except RecipeLoadError as err:
            location = err.location or Location(ctx.catalog.display(relative))
            message = f"{err.message}: {err.cause}" if err.cause is not None else err.message
            yield ctx.finding("values-file-yaml", location, message, hint=err.hint or "")


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
        for index, ref in component_refs(item):
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
    for item in sources(ctx):
        for index, ref in component_refs(item):
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
    for item in sources(ctx):
        for index, ref in component_refs(item):
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
    for relative in sorted(ctx.files):
        if "/manifests/" not in relative or not relative.endswith(".yaml"):
            continue
        text = ctx.files[relative].decode("utf-8", errors="replace")
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


@rule("base-cycle", "No inheritance cycles", group="references", upstream="TestNoCircularBaseReferences")
def base_cycle(ctx: Context) -> Iterator[Finding]:
    """A spec.base cycle breaks every query that reaches it.

    Upstream's resolver even hides cycles whose members only match each other (they are all
    "ancestors" and get filtered out); this rule reports each cycle once, at every member.
    """
    for item in ctx.catalog.overlay_files:
        names, cyclic = base_walk(ctx, item)
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
        names, cyclic = base_walk(ctx, item)
        if not cyclic and len(names) > MAX_CHAIN_DEPTH:
            yield ctx.finding(
                "chain-depth",
                item.locate("spec", "base"),
                f"overlay {item.name!r} is {len(names)} levels deep (limit {MAX_CHAIN_DEPTH})",
                hint="flatten the hierarchy, or move shared content into a mixin",
                overlay=item.name,
            )


@rule(
    "merged-dependencies",
    "base + overlay has valid dependencies",
    group="references",
    upstream="TestMergedRecipesHaveNoCycles",
)
def merged_dependencies(ctx: Context) -> Iterator[Finding]:
    """Each overlay merged onto base.yaml alone must have resolvable, acyclic dependencyRefs."""
    base = ctx.catalog.base
    if base is None:
        return
    # Only componentRefs decide dependencies, so an overlay without any has base.yaml's verdict
    # (on the refs as a merge leaves them: one per name, sorted).
    merged_base = SpecState(component_refs=list(base.spec.component_refs))
    merged_base.merge((), ())
    base_problem = dependency_error(merged_base.component_refs)
    for item in ctx.catalog.overlay_files:
        problem = base_problem
        if item.spec.component_refs:
            state = merged_base.copy()
            state.merge((), item.spec.component_refs)
            problem = dependency_error(state.component_refs)
        if problem is not None:
            yield ctx.finding(
                "merged-dependencies",
                item.locate("spec", "componentRefs"),
                f"base.yaml + {item.name}: {problem[0]}",
                hint="declare the dependency in this overlay or base.yaml, and break any cycle",
                overlay=item.name,
            )
