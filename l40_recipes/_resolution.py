"""Resolve a criteria query into a recipe, step for step as upstream's `BuildRecipeResultWithProfile`.

candidates (maximal leaves) → profile declaration → chains merged root to leaf, each overlay once →
mixins → coverage post-condition → profile application → dependency validation → deployment order →
type canonicalization → registry defaults and health checks → duplicate and coherence checks →
build configuration (Slurm accounting) → coherence again.
"""

from __future__ import annotations

import operator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from . import _coverage
from ._catalog import BASE_NAME, Catalog, load_catalog
from ._criteria import DIMENSIONS, build_query, is_wild, matches, specificity
from ._errors import CriteriaError, ErrorCode, Location, RecipeError, ResolutionError
from ._merge import SpecState, deep_merge, dependency_error, topological_sort
from ._models import (
    ComponentRef,
    Criteria,
    RecipeConfiguration,
    RecipeResult,
    RecipeResultMetadata,
    SlurmAccountingConfiguration,
    SlurmConfiguration,
)
from ._profiles import (
    EffectiveProfile,
    apply_profile,
    check_profile_targets,
    ownership_conflict,
    parse_selection,
)

if TYPE_CHECKING:
    import os
    from collections.abc import Mapping

    from ._catalog import Overlay
    from ._models import Constraint

__all__ = ["candidates", "chain", "resolve", "shipped_catalog", "shipped_catalog_root"]

RECIPE_API_VERSION: Final = "aicr.run/v1alpha2"
CONFIGURED_API_VERSION: Final = "aicr.run/v1alpha3"
NO_CRITERIA_MESSAGE: Final = (
    "no criteria provided: specify at least one of --service, --accelerator, --intent, --os, --platform, "
    "--nodes, --config, or use --snapshot to load from a snapshot file"
)
_MIXIN_MERGEABLE: Final = (
    ("chart", "chart"),
    ("type", "type"),
    ("source", "source"),
    ("version", "version"),
    ("tag", "tag"),
    ("path", "path"),
    ("valuesFile", "values_file"),
    ("overrides", "overrides"),
    ("patches", "patches"),
    ("dependencyRefs", "dependency_refs"),
    ("cleanup", "cleanup"),
    ("expectedResources", "expected_resources"),
    ("healthCheckAsserts", "health_check_asserts"),
    ("healthCheckSkip", "health_check_skip"),
)

_shipped: Catalog | None = None


def shipped_catalog() -> Catalog:
    """The L40/L40S catalog shipped with this package (loaded once per process)."""
    global _shipped  # noqa: PLW0603 - a process-wide cache of an immutable catalog
    if _shipped is None:
        _shipped = load_catalog(shipped_catalog_root())
    return _shipped


def shipped_catalog_root() -> Path:
    """Where the shipped catalog lives: packaged data, or the repository root of a source checkout."""
    packaged = Path(__file__).parent / "_data"
    if (packaged / "overlays").is_dir():
        return packaged
    return Path(__file__).parent.parent  # a source checkout: the catalog sits at the repository root


def resolve(
    criteria: Criteria | Mapping[str, object] | None = None,
    /,
    *,
    catalog: Catalog | str | os.PathLike[str] | None = None,
    profile: str | None = None,
    version: str | None = None,
    **dimensions: object,
) -> RecipeResult:
    """Resolve a query into a recipe, as `aicr recipe` would.

    >>> resolve(service="eks", accelerator="l40s", intent="inference", os="ubuntu")   # doctest: +SKIP
    RecipeResult(kind='RecipeResult', ...)

    Args:
        criteria: A `Criteria` (used as given), or a mapping of raw values (parsed like CLI flags).
        catalog: A loaded `Catalog`, or a catalog path; default: the catalog shipped with the package.
        profile: `name=value`, like `aicr recipe --profile`.
        version: `metadata.version` to stamp; default: this package's version.
        **dimensions: Raw values for `service`, `accelerator` (or `gpu`), `intent`, `os`,
            `platform` and `nodes`, parsed like CLI flags (trimmed, lowercased, aliases applied).

    Raises:
        CriteriaError: a value is not known to upstream or to the catalog.
        CoverageError: a stated dimension has no overlay (upstream's exact message and completions).
        ResolutionError: the composition is inconsistent (cycles, missing parents, mixins, profiles).
        RecipeLoadError: *catalog* is a path whose files do not load.
    """
    loaded = _as_catalog(catalog)
    query = _as_query(criteria, dimensions, loaded)
    if specificity(query) == 0:
        raise CriteriaError(NO_CRITERIA_MESSAGE)
    return build_recipe(loaded, query, profile=profile, version=version)


def _as_catalog(catalog: Catalog | str | os.PathLike[str] | None) -> Catalog:
    if catalog is None:
        return shipped_catalog()
    if isinstance(catalog, Catalog):
        return catalog
    return load_catalog(catalog)


def _as_query(
    criteria: Criteria | Mapping[str, object] | None, dimensions: Mapping[str, object], catalog: Catalog
) -> Criteria:
    if isinstance(criteria, Criteria):
        if dimensions:
            msg = "pass either a Criteria or keyword dimensions, not both"
            raise TypeError(msg)
        return criteria
    raw: dict[str, object] = dict(criteria or {})
    for key, value in dimensions.items():
        if key in raw:
            msg = f"dimension {key!r} given twice"
            raise TypeError(msg)
        raw[key] = value
    unknown = sorted(set(raw) - {*DIMENSIONS, "gpu", "nodes"})
    if unknown:
        msg = (
            f"unknown criteria dimension(s) {', '.join(map(repr, unknown))}; expected {', '.join(DIMENSIONS)} or nodes"
        )
        raise TypeError(msg)
    return build_query(raw, known=catalog.known_values)


def build_recipe(
    catalog: Catalog,
    query: Criteria,
    *,
    profile: str | None = None,
    version: str | None = None,
    coverage_details: bool = True,
) -> RecipeResult:
    """Resolve an already-parsed *query* against *catalog* (no specificity check).

    *coverage_details* False skips composing completions for a coverage error (for sweeps that
    only classify outcomes).
    """
    if catalog.base is None or catalog.registry is None:
        missing = "base.yaml" if catalog.base is None else "registry.yaml"
        msg = f"{missing} not found"
        raise RecipeError(msg, code=ErrorCode.INTERNAL, hint="resolve against a catalog that loads without problems")
    selection = parse_selection(profile)
    found = candidates(catalog, query)
    effective, state, applied = _composition(catalog, found)
    _coverage.verify(catalog, query, applied, details=coverage_details)
    selected = apply_profile(state, effective, selection)
    if version is None:
        from . import __version__  # noqa: PLC0415 - the package imports this module

        version = __version__
    # Without a profile the refs are the memoized composition's own objects, a bounded set that
    # later steps may memoize by identity; a profile makes new refs on every call.
    result = _finalize(catalog, query, state, applied, version, memoize=selected is None)
    if selected is None and query.platform != "slurm":
        return result  # nothing changed since _finalize checked coherence
    if selected is not None:
        check_profile_targets(selected, result.component_refs)
        result = result.model_copy(
            update={
                "api_version": CONFIGURED_API_VERSION,
                "metadata": result.metadata.model_copy(update={"selected_profile": selected}),
            },
        )
    if query.platform == "slurm":
        result = _apply_slurm_accounting(result)
    _check_coherence(result)
    return result


def candidates(catalog: Catalog, query: Criteria) -> list[Overlay]:
    """Matching overlays minus ancestors of other matches, by (specificity, name) (`FindMatchingOverlays`)."""
    found = [overlay for overlay in _possible_matches(catalog, query) if matches(overlay.criteria or Criteria(), query)]
    ancestors: set[str] = set()
    for overlay in found:
        ancestors.update(_ancestor_names(catalog, overlay))
    leaves = [overlay for overlay in found if overlay.name not in ancestors]
    leaves.sort(key=lambda overlay: (specificity(overlay.criteria or Criteria()), overlay.name))
    return leaves


def criteria_index(catalog: Catalog) -> dict[str, dict[str, list[Overlay]]]:
    """Per dimension, the overlays with criteria by raw value (`""` for every wildcard spelling)."""
    index = catalog.memo("criteria-index")
    if index is not None:
        assert isinstance(index, dict)
        return index
    built: dict[str, dict[str, list[Overlay]]] = {dimension: {} for dimension in DIMENSIONS}
    for overlay in catalog.overlays.values():
        criteria = overlay.criteria
        if criteria is None:
            continue
        for dimension in DIMENSIONS:
            value = getattr(criteria, dimension)
            built[dimension].setdefault("" if is_wild(value) else value, []).append(overlay)
    return catalog.remember("criteria-index", built)  # type: ignore[no-any-return]


def _possible_matches(catalog: Catalog, query: Criteria) -> list[Overlay]:
    """A superset of the overlays matching *query*, from the dimension that narrows them most."""
    index = criteria_index(catalog)
    best: tuple[list[Overlay], list[Overlay]] = ([], [])
    best_size = -1
    for dimension in DIMENSIONS:
        by_value = index[dimension]
        value = getattr(query, dimension)
        wild = by_value.get("", [])
        exact = [] if is_wild(value) else by_value.get(value, [])
        size = len(wild) + len(exact)
        if best_size < 0 or size < best_size:
            best, best_size = (wild, exact), size
    return [*best[0], *best[1]]


def _ancestor_names(catalog: Catalog, overlay: Overlay) -> frozenset[str]:
    """Names on *overlay*'s `spec.base` walk, stopping silently at a missing parent or a cycle."""
    key = ("ancestors", overlay.name, overlay.path)
    cached = catalog.memo(key)
    if cached is not None:
        assert isinstance(cached, frozenset)
        return cached
    names: list[str] = []
    visited: set[str] = set()
    base = overlay.base
    while base not in ("", BASE_NAME) and base not in visited:
        visited.add(base)
        names.append(base)
        parent = catalog.get(base)
        if parent is None:
            break
        # The ancestors of a parent are everything reachable from it: reuse them when known, so
        # that a deep chain costs one step per overlay, not one per ancestor.
        known = catalog.memo(("ancestors", parent.name, parent.path))
        if isinstance(known, frozenset):
            return catalog.remember(key, known | visited)  # type: ignore[no-any-return]
        base = parent.base
    return catalog.remember(key, frozenset(names))  # type: ignore[no-any-return]


def chain(catalog: Catalog, name: str) -> list[Overlay]:
    """The inheritance chain of overlay *name*, root first, base.yaml prepended (`resolveInheritanceChain`).

    Raises:
        ResolutionError: `NOT_FOUND` for a missing parent, `INVALID_REQUEST` for a cycle.
    """
    key = ("chain", name)
    cached = catalog.memo(key)
    if isinstance(cached, ResolutionError):
        raise ResolutionError(cached.message, code=cached.code, location=cached.location, hint=cached.hint)
    if cached is not None:
        assert isinstance(cached, list)
        return cached
    links: list[Overlay] = []
    visited: set[str] = set()
    current = name
    previous: Overlay | None = None
    try:
        while current not in ("", BASE_NAME):
            known = catalog.memo(("chain", current)) if links else None
            if isinstance(known, list):
                # The parent's chain is known, so it ends without a cycle (and cannot hold a name
                # walked here, whose chain runs through the parent): extend it.
                links.reverse()
                return catalog.remember(key, [*known, *links])  # type: ignore[no-any-return]
            if current in visited:
                raise ResolutionError(
                    f'circular inheritance detected: recipe "{current}" references itself in inheritance chain',
                    location=previous.locate("spec", "base") if previous else None,
                    hint="break the cycle: one overlay of the loop must inherit from a recipe outside it",
                )
            visited.add(current)
            overlay = catalog.get(current)
            if overlay is None:
                raise ResolutionError(
                    f'recipe "{current}" not found (referenced in inheritance chain)',
                    code=ErrorCode.NOT_FOUND,
                    location=previous.locate("spec", "base") if previous else None,
                    hint=f"add an overlay with metadata.name {current!r}, or fix spec.base",
                )
            links.append(overlay)
            previous = overlay
            current = overlay.base
    except ResolutionError as err:
        catalog.remember(key, err)
        raise
    links.reverse()
    result = ([catalog.base] if catalog.base is not None else []) + links
    return catalog.remember(key, result)  # type: ignore[no-any-return]


def _profile_declaration(catalog: Catalog, found: list[Overlay]) -> EffectiveProfile | None:
    """The single profile declaration among base and every candidate chain (`resolveProfileDeclaration`)."""
    declarations: dict[str, EffectiveProfile] = {}
    if catalog.base is not None and catalog.base.spec.profile is not None:
        declarations[BASE_NAME] = EffectiveProfile(BASE_NAME, catalog.base.spec.profile)
    for overlay in found:
        for link in _declaring(catalog, chain(catalog, overlay.name)):
            source = BASE_NAME if link is catalog.base or link.name == "" else link.name
            profile = link.spec.profile
            if profile is not None:
                declarations[source] = EffectiveProfile(source, profile)
    if len(declarations) > 1:
        sources = " ".join(sorted(declarations))
        msg = f"resolved composition has multiple profile declarations from [{sources}]"
        raise ResolutionError(msg)
    return next(iter(declarations.values()), None)


def _declaring(catalog: Catalog, links: list[Overlay]) -> tuple[Overlay, ...]:
    """The links of a chain that declare a profile, in chain order (memoized per chain end, built on the parent's)."""
    key = ("declaring", links[-1].name) if links else ("declaring",)
    cached = catalog.memo(key)
    if isinstance(cached, tuple):
        return cached
    parent = catalog.memo(("declaring", links[-2].name)) if len(links) > 2 else None
    if isinstance(parent, tuple):
        own = links[-1:]
        found = parent
    else:
        own, found = links, ()
    found += tuple(link for link in own if link.spec.profile is not None)
    catalog.remember(key, found)
    return found


def _composition(catalog: Catalog, found: list[Overlay]) -> tuple[EffectiveProfile | None, SpecState, list[str]]:
    """Profile declaration, merged state and applied overlays for *found* (memoized per candidate list).

    They depend on the candidates alone, and many queries share candidates (every query naming
    an unknown platform reaches the same wildcard overlays), so a catalog composes each list once.
    Failures are not memoized: they raise afresh, with the same error, on every query.
    """
    key = ("composition", *(overlay.name for overlay in found))
    cached = catalog.memo(key)
    if cached is None:
        effective = _profile_declaration(catalog, found)
        state, applied = _compose(catalog, found)
        cached = catalog.remember(key, (effective, state, tuple(applied)))
    effective, state, applied = cached
    # The state is reassigned, never mutated in place, downstream; a copy keeps the memo pristine.
    return effective, state.copy(), list(applied)


def _compose(catalog: Catalog, found: list[Overlay]) -> tuple[SpecState, list[str]]:
    assert catalog.base is not None
    base_spec = catalog.base.spec
    state = SpecState(
        constraints=list(base_spec.constraints),
        component_refs=list(base_spec.component_refs),
        validation=base_spec.validation,
    )
    applied = [BASE_NAME]
    processed: set[str] = set()
    mixin_sources: dict[str, Location] = {}
    for position, overlay in enumerate(found):
        try:
            links = chain(catalog, overlay.name)
        except ResolutionError as err:
            raise ResolutionError(
                "failed to resolve inheritance chain",
                cause=err,
                location=err.location,
                hint=err.hint,
                context={"overlay": overlay.name},
            ) from None
        if position == 0:
            state, applied, mixin_sources = _chain_state(catalog, links)
            if len(found) > 1:
                processed.update(applied[1:])
            continue
        for link in links[1:]:
            if link.name in processed:
                continue
            processed.add(link.name)
            spec = link.spec
            state.merge(spec.constraints, spec.component_refs, spec.validation, spec.mixins)
            applied.append(link.name)
            for index, name in enumerate(spec.mixins):
                mixin_sources.setdefault(name, link.locate("spec", "mixins", index))
    _merge_mixins(catalog, state, mixin_sources)
    return state, applied


def _chain_state(catalog: Catalog, links: list[Overlay]) -> tuple[SpecState, list[str], dict[str, Location]]:
    """base.yaml's state with every link of one chain merged (before mixins), its applied names and mixin sources.

    Memoized per chain end, and built on the longest memoized prefix: resolving every overlay of
    a 2,000-deep chain merges each overlay once, not once per descendant.
    """
    assert catalog.base is not None
    start = 0
    for index in range(len(links) - 1, 0, -1):
        if catalog.memo(("chain-state", links[index].name)) is not None:
            start = index
            break
    if start:
        known_state, known_applied, known_sources = catalog.memo(("chain-state", links[start].name))
        state, applied, sources = known_state.copy(), list(known_applied), dict(known_sources)
    else:
        base_spec = catalog.base.spec
        state = SpecState(list(base_spec.constraints), list(base_spec.component_refs), base_spec.validation)
        applied, sources = [BASE_NAME], {}
    for link in links[start + 1 :]:
        spec = link.spec
        state.merge(spec.constraints, spec.component_refs, spec.validation, spec.mixins)
        applied.append(link.name)
        for index, name in enumerate(spec.mixins):
            sources.setdefault(name, link.locate("spec", "mixins", index))
        catalog.remember(("chain-state", link.name), (state.copy(), tuple(applied), dict(sources)))
    return state, applied, sources


def _merge_mixins(catalog: Catalog, state: SpecState, sources: dict[str, Location]) -> None:
    """Merge every referenced mixin after the chains; conflicts are errors (`mergeMixins`)."""
    if not state.mixins:
        return
    constraint_names = {constraint.name for constraint in state.constraints}
    component_names = {ref.name for ref in state.component_refs}
    constraints: list[Constraint] = []
    refs: list[ComponentRef] = []
    for name in state.mixins:
        mixin = catalog.mixins.get(name)
        if mixin is None:
            raise ResolutionError(
                f'mixin "{name}" not found in recipes/mixins/',
                code=ErrorCode.NOT_FOUND,
                location=sources.get(name),
                hint=f"add mixins/{name}.yaml (kind: RecipeMixin, metadata.name: {name}) or fix spec.mixins",
            )
        spec = mixin.document.spec
        for constraint in spec.constraints:
            if constraint.name in constraint_names:
                raise ResolutionError(
                    f'mixin "{name}" constraint "{constraint.name}" conflicts with inheritance chain or another mixin',
                    location=mixin.locate("spec", "constraints"),
                    hint="remove the constraint from either the mixin or the overlay chain",
                )
        for ref in spec.component_refs:
            if ref.name not in component_names:
                continue
            offending = _mixin_conflict(ref)
            if offending is not None:
                raise ResolutionError(
                    f'mixin "{name}" component "{ref.name}" sets identity/sourcing field "{offending}" which '
                    "conflicts with the inheritance chain; mixins may only contribute Namespace, ManifestFiles, "
                    "or PreManifestFiles to an existing component",
                    location=mixin.locate("spec", "componentRefs"),
                    hint=f"move {offending!r} of {ref.name!r} out of the mixin into an overlay",
                )
        constraints.extend(spec.constraints)
        refs.extend(spec.component_refs)
        constraint_names.update(constraint.name for constraint in spec.constraints)
        component_names.update(ref.name for ref in spec.component_refs)
    # One merge of everything, in mixin order: the same result as merging mixin by mixin (no
    # constraint repeats, refs merge in order), without re-sorting the state once per mixin.
    state.merge(constraints, refs)
    state.mixins = []


def _mixin_conflict(ref: ComponentRef) -> str | None:
    for alias, attribute in _MIXIN_MERGEABLE:
        if getattr(ref, attribute):
            return alias
    return None


def _finalize(
    catalog: Catalog,
    query: Criteria,
    state: SpecState,
    applied: list[str],
    version: str,
    *,
    memoize: bool,
) -> RecipeResult:
    """Upstream `finalizeRecipeResult`, stamping `metadata.version`.

    *memoize* says whether the refs are long-lived objects (see `_deployment_order`).
    """
    order = _deployment_order(catalog, state.component_refs, memoize=memoize)
    refs = [_completed_ref(catalog, ref, memoize=memoize) for ref in state.component_refs]
    result = RecipeResult(
        api_version=RECIPE_API_VERSION,
        metadata=RecipeResultMetadata(version=version, applied_overlays=list(applied)),
        criteria=query,
        constraints=list(state.constraints),
        component_refs=refs,
        deployment_order=order,
        validation=state.validation,
    )
    seen: dict[str, int] = {}
    for index, ref in enumerate(refs):
        if ref.name == "":
            continue
        if ref.name in seen:
            msg = f'recipe has duplicate component ref name "{ref.name}" (refs {seen[ref.name]} and {index})'
            raise ResolutionError(msg, hint="list each component once in base.yaml")
        seen[ref.name] = index
    _check_coherence(result)
    return result


def _deployment_order(catalog: Catalog, refs: list[ComponentRef], *, memoize: bool) -> list[str]:
    """Validate the merged dependencies and order the enabled components.

    With *memoize*, the result is memoized per list of ref objects. Only pass it for refs that
    live as long as the catalog (a memoized composition's), or the memo would grow with every
    call. The memo holds the refs themselves, so their ids cannot be reused while it lives.
    """
    key = ("deployment-order", *map(id, refs))
    cached = catalog.memo(key) if memoize else None
    if cached is not None and all(map(operator.is_, cached[0], refs)):
        return list(cached[1])
    problem = dependency_error(refs)
    if problem is not None:
        raise ResolutionError(
            "merged recipe validation failed",
            cause=RecipeError(problem[0], code=ErrorCode.INVALID_REQUEST),
            hint="every dependencyRefs entry must name a component of the recipe, without cycles",
        )
    try:
        order = topological_sort(refs)
    except RecipeError as err:  # pragma: no cover - dependency_error finds every cycle first
        raise ResolutionError("failed to compute deployment order", code=ErrorCode.INTERNAL, cause=err) from None
    if memoize:
        catalog.remember(key, (tuple(refs), tuple(order)))
    return order


def _completed_ref(catalog: Catalog, ref: ComponentRef, *, memoize: bool) -> ComponentRef:
    """*ref* with its type canonicalized, registry defaults applied and health check inlined.

    With *memoize* (refs that live as long as the catalog, see `_deployment_order`), memoized per
    ref object: compositions share most refs (base.yaml's, a parent's), and the models are
    immutable. The memo holds *ref* itself, so its id cannot be reused meanwhile.
    """
    key = ("completed-ref", id(ref))
    cached = catalog.memo(key) if memoize else None
    if cached is not None and cached[0] is ref:
        completed: ComponentRef = cached[1]
        return completed
    completed = _hydrate_health_check(catalog, _apply_registry_defaults(catalog, _canonical_type(ref)))
    if memoize:
        catalog.remember(key, (ref, completed))
    return completed


def _canonical_type(ref: ComponentRef) -> ComponentRef:
    lowered = ref.type.lower()
    canonical = {"helm": "Helm", "kustomize": "Kustomize"}.get(lowered)
    if canonical is None or canonical == ref.type:
        return ref
    return ref.model_copy(update={"type": canonical})


def _apply_registry_defaults(catalog: Catalog, ref: ComponentRef) -> ComponentRef:
    """Fill unset sourcing fields from the registry (`ApplyRegistryDefaults`); set fields are kept."""
    assert catalog.registry is not None
    config = catalog.registry.get(ref.name)
    if config is None:
        return ref
    update: dict[str, Any] = {}
    component_type = ref.type or config.component_type
    if not ref.type:
        update["type"] = component_type
    if component_type == "Helm":
        helm = config.helm
        for attribute, default in (
            ("source", helm.default_repository),
            ("version", helm.default_version),
            ("namespace", helm.default_namespace),
            ("chart", helm.default_chart.rsplit("/", 1)[-1]),
        ):
            if not getattr(ref, attribute) and default:
                update[attribute] = default
    elif component_type == "Kustomize":
        kustomize = config.kustomize
        for attribute, default in (
            ("source", kustomize.default_source),
            ("tag", kustomize.default_tag),
            ("path", kustomize.default_path),
        ):
            if not getattr(ref, attribute) and default:
                update[attribute] = default
    if not ref.manifest_files and config.manifest_files:
        update["manifest_files"] = list(config.manifest_files)
    return ref.model_copy(update=update) if update else ref


def _hydrate_health_check(catalog: Catalog, ref: ComponentRef) -> ComponentRef:
    """Inline the registry's health-check assert file (`hydrateHealthCheckAsserts`)."""
    assert catalog.registry is not None
    if ref.health_check_skip or ref.health_check_asserts:
        return ref
    config = catalog.registry.get(ref.name)
    if config is None or not config.health_check.assert_file:
        return ref
    assert_file = config.health_check.assert_file
    try:
        text = catalog.read_text(assert_file)
    except RecipeError as err:
        raise ResolutionError(
            f'failed to read healthCheck.assertFile for component "{ref.name}" from "{assert_file}"',
            code=ErrorCode.INTERNAL,
            cause=err,
            location=catalog.registry.locate_component(ref.name, "healthCheck", "assertFile"),
            hint="point healthCheck.assertFile at an existing file inside the catalog (checks/<name>/health-check.yaml)",
        ) from None
    return ref.model_copy(update={"health_check_asserts": text})


def _coherence_problem(ref: ComponentRef) -> str | None:
    """Upstream `ComponentRef.coherenceProblem`, message for message."""
    name = ref.name
    if ref.patches:
        return (
            f'component "{name}" declares patches, but no deployer applies patch files; '
            "remove `patches` (removing it does not change the generated bundle). See #1588."
        )
    kind = ref.type.lower()
    if kind == "helm":
        return _helm_problem(ref)
    if kind == "kustomize":
        if not ref.path:
            return f'component "{name}" is Kustomize but has no path; a path is required to build from'
        if ref.tag and not ref.source:
            return (
                f'component "{name}" is Kustomize with tag "{ref.tag}" but no source; a tag is only '
                "meaningful with a git source"
            )
        if ref.manifest_files:
            return (
                f'component "{name}" is Kustomize but also declares manifestFiles; a component may '
                "declare either Kustomize (tag/path) or raw manifest files, not both"
            )
        return None
    return f'component "{name}" has unsupported type "{ref.type}"; expected "Helm" or "Kustomize"'


def _helm_problem(ref: ComponentRef) -> str | None:
    name = ref.name
    if ref.tag or ref.path:
        return (
            f'component "{name}" is Helm but carries Kustomize field(s) (tag="{ref.tag}", path="{ref.path}"); '
            "the field-classifying deployers would treat it as Kustomize while the Type-switching Flux "
            "deployer would treat it as Helm, so the same ref deploys differently — remove the tag/path, "
            "or convert it into a coherent Kustomize ref (which needs a path, and a source if it sets a tag)"
        )
    for attribute, label, fix in (
        ("chart", "a chart name", "set the exact chart name or omit the field"),
        ("source", "a source", "set the exact repository or omit the field"),
        ("version", "a chart version", "set the exact chart version"),
    ):
        value = getattr(ref, attribute)
        if value != value.strip():
            return f'Helm component "{name}" has {label} with surrounding whitespace ("{value}"); {fix} (see #1615)'
    if ref.version and not ref.version.strip().removeprefix("v"):
        return (
            f'Helm component "{name}" has chart version "{ref.version}", which Flux/Argo CD '
            "normalize to empty for non-OCI outputs and vendored wrappers replace with a "
            "fabricated default; set a full chart version (see #1615)"
        )
    if ref.source:
        if not ref.version:
            return (
                f'Helm component "{name}" has no chart version; set version: on the componentRef — '
                "criteria-resolved recipes may inherit it from helm.defaultVersion in the component registry (see #1615)"
            )
    elif ref.chart:
        return (
            f'Helm component "{name}" has a chart name ("{ref.chart}") but no source repository; '
            "the deployers have no repository to pull from — set source:, or remove the chart "
            "for a manifest-only component (see #1615)"
        )
    elif not ref.manifest_files:
        return (
            f'Helm component "{name}" has no deployable primary (no source, no chart, '
            "and no primary manifestFiles; preManifestFiles alone are auxiliary to a primary "
            "release) — add a chart source or primary manifest files (see #1615)"
        )
    return None


def _check_coherence(result: RecipeResult) -> None:
    """Upstream `RecipeResult.ValidateCoherence`."""
    if result.api_version and result.api_version not in (RECIPE_API_VERSION, CONFIGURED_API_VERSION):
        msg = f'RecipeResult apiVersion "{result.api_version}" is not supported'
        raise ResolutionError(msg)
    _check_accounting(result)
    problems = sorted(
        problem for ref in result.component_refs if ref.enabled and (problem := _coherence_problem(ref)) is not None
    )
    if problems:
        msg = "recipe has incoherent component ref(s): " + "; ".join(problems)
        raise ResolutionError(msg, hint="fix the componentRefs named above in the overlay that sets them")


_SLURM: Final = "slinky-slurm"
_MARIADB_COMPONENTS: Final = ("mariadb-operator-crds", "mariadb-operator", "slurm-accounting-mariadb")


def _accounting_ownership() -> dict[str, list[str]]:
    """Paths the `disabled` accounting mode owns (upstream `AccountingOwnership`)."""
    paths = {_SLURM: ["accounting.enabled", "enabled"]}
    for name in _MARIADB_COMPONENTS:
        paths[name] = ["enabled", "install"]
    return paths


def _apply_slurm_accounting(result: RecipeResult) -> RecipeResult:
    """Upstream `applyBuildConfig` for a Slurm recipe in its default accounting mode, `disabled`.

    Accounting is switched off on slinky-slurm and the MariaDB components are not installed. The
    other modes (`customer-managed`, `aicr-provided`) need upstream's `--slurm-accounting-mode`
    flag, which this package does not offer.
    """
    mode = "disabled"
    selected = result.metadata.selected_profile
    if selected is not None:
        conflict = ownership_conflict(
            f"profile {selected.name}={selected.value}",
            selected.owned_paths,
            f"configuration.slurm.accounting.mode={mode}",
            _accounting_ownership(),
        )
        if conflict is not None:
            raise conflict
    refs = {ref.name: ref for ref in result.component_refs}
    overrides: list[tuple[str, dict[str, Any]]] = [(_SLURM, {"accounting": {"enabled": False}})]
    overrides += [(name, {"install": False}) for name in _MARIADB_COMPONENTS]
    for name, override in overrides:
        ref = refs.get(name)
        if ref is None:
            msg = f'Slurm recipe is missing required accounting component "{name}"'
            raise ResolutionError(msg, hint=f"add {name!r} to the slurm overlay's componentRefs")
        refs[name] = ref.model_copy(update={"overrides": deep_merge(ref.overrides, override)})
    component_refs = [refs[ref.name] for ref in result.component_refs]
    try:
        order = topological_sort(component_refs)
    except RecipeError as err:  # pragma: no cover - the order was computable before gating
        raise ResolutionError(
            "failed to recompute deployment order after applying a build selection",
            code=ErrorCode.INTERNAL,
            cause=err,
        ) from None
    return result.model_copy(
        update={
            "api_version": CONFIGURED_API_VERSION,
            "configuration": RecipeConfiguration(
                slurm=SlurmConfiguration(accounting=SlurmAccountingConfiguration(mode=mode)),
            ),
            "component_refs": component_refs,
            "deployment_order": order,
        },
    )


def _check_accounting(result: RecipeResult) -> None:
    """Upstream `validateAccountingConfiguration` for the modes this package builds."""
    configuration = result.configuration
    if configuration is None or configuration.slurm is None or configuration.slurm.accounting is None:
        return
    if result.api_version != CONFIGURED_API_VERSION:
        msg = f'configuration.slurm.accounting requires apiVersion "{CONFIGURED_API_VERSION}" (got "{result.api_version}")'
        raise ResolutionError(msg)
    if result.criteria.platform != "slurm":
        msg = "configuration.slurm.accounting is only valid for a Slurm recipe"
        raise ResolutionError(msg)
