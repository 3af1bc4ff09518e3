"""Composition: the candidates' chains merged root to leaf, each overlay once, then the mixins.

Upstream `mergeOverlayChains`, `mergeMixins` and `resolveProfileDeclaration`. What a mixin may
contribute to a component the chain already has is the catalog's release's rule
(`AicrVersion.mixin_forbidden`, `mixin_override_allowlist`): at 0.20 only namespace and manifest
lists; at 1.0 also dependencyRefs (union-merged) and overrides at the paths the registry
allowlists in `mixinSafeOverridePaths`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from ._catalog import BASE_NAME, Catalog, Memo
from ._decoding import check_free_form_aliases
from ._errors import ErrorCode, Location, RecipeError, ResolutionError
from ._matching import chain
from ._merge import SpecState
from ._profiles import (
    EffectiveProfile,
)
from ._yaml import parse_yaml

if TYPE_CHECKING:
    from ._catalog import Mixin, Overlay
    from ._models import ComponentRef, Constraint
    from ._semantics import AicrVersion


def profile_declaration(catalog: Catalog, found: list[Overlay]) -> EffectiveProfile | None:
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
    table = catalog.memo(_DECLARING)
    end = links[-1].name if links else ""
    found = table.get(end)
    if found is not None:
        return found
    parent = table.get(links[-2].name) if len(links) > 2 else None
    own = links[-1:] if parent is not None else links
    found = table[end] = (parent or ()) + tuple(link for link in own if link.spec.profile is not None)
    return found


@dataclass(frozen=True, slots=True)
class Composition:
    """What a list of candidates composes into; shared, so callers copy `state` before changing it.

    Attributes:
        key: The candidates' names, in order: what the composition depends on.
        profile: The one profile declaration among the chains, if any.
        state: The merged constraints, components and validation, mixins included.
        applied: The overlays merged, base first, each once.
    """

    key: tuple[str, ...]
    profile: EffectiveProfile | None
    state: SpecState
    applied: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class _ChainState:
    """One chain merged onto base.yaml (mixins not yet): the state, what it applied, where each mixin was named."""

    state: SpecState
    applied: tuple[str, ...]
    mixin_sources: dict[str, tuple[Overlay, int]]  # the link and index naming each mixin


_COMPOSITIONS: Final[Memo[tuple[str, ...], Composition]] = Memo("compositions by candidate names")
_CHAIN_STATES: Final[Memo[str, _ChainState]] = Memo("merged chain states by chain end")
_DECLARING: Final[Memo[str, tuple[Overlay, ...]]] = Memo("profile-declaring links by chain end")
_STARTS: Final[Memo[tuple[str, ...], int]] = Memo("ids of the states later candidates are merged onto")
_STEPS: Final[Memo[tuple[int, str], _ChainState]] = Memo("a later candidate's merged state, by start and chain end")


def composition(catalog: Catalog, found: list[Overlay]) -> Composition:
    """The composition of the candidates *found* (memoized per candidate list).

    It depends on the candidates alone, and many queries share candidates (every query naming an
    unknown platform reaches the same wildcard overlays), so a catalog composes each list once.
    Failures are not memoized: they raise afresh, with the same error, on every query.
    """
    key = tuple(overlay.name for overlay in found)
    table = catalog.memo(_COMPOSITIONS)
    cached = table.get(key)
    if cached is None:
        profile = profile_declaration(catalog, found)
        state, applied = _compose(catalog, found)
        cached = table[key] = Composition(key, profile, state, tuple(applied))
    return cached


def _compose(catalog: Catalog, found: list[Overlay]) -> tuple[SpecState, list[str]]:
    state = SpecState()
    applied: list[str] = []
    processed: set[str] = set()
    mixin_sources: dict[str, tuple[Overlay, int]] = {}
    for position, overlay in enumerate(found):
        # `profile_declaration` walked every candidate's chain first and raised a broken one's error
        # unwrapped, as upstream's profile lookup does; so this walk cannot fail (and upstream's
        # "failed to resolve inheritance chain" wrapper here is unreachable at 9793720d and later).
        links = chain(catalog, overlay.name)
        if position == 0:
            first = _chain_state(catalog, links)
            state, applied, mixin_sources = first.state.copy(), list(first.applied), dict(first.mixin_sources)
            processed.update(applied[1:])
            continue
        # The state after a candidate's chain depends only on the state before it (named by what that
        # applied) and the chain's end: memoized, so a candidate deeper on an already merged chain
        # merges only its own links (each overlay of a 2,000-deep chain as the last candidate of its
        # query: check 25 s to 4 s). One state per candidate, not per link: memory stays flat.
        steps = catalog.memo(_STEPS)
        starts = catalog.memo(_STARTS)
        start = starts.setdefault(tuple(applied), len(starts))
        resume = next((index for index in range(len(links) - 1, 0, -1) if (start, links[index].name) in steps), 0)
        later = position < len(found) - 1  # only a later candidate needs to know what this one merged
        if resume:
            if later:
                processed.update(link.name for link in links[1 : resume + 1])
            known = steps[start, links[resume].name]
            state, applied, mixin_sources = known.state.copy(), list(known.applied), dict(known.mixin_sources)
        for link in links[resume + 1 :]:
            if link.name in processed:
                continue
            processed.add(link.name)
            spec = link.spec
            state.merge(spec.constraints, spec.component_refs, spec.validation, spec.mixins)
            applied.append(link.name)
            for index, name in enumerate(spec.mixins):
                mixin_sources.setdefault(name, (link, index))  # located only for an error
        if resume < len(links) - 1:
            steps[start, links[-1].name] = _ChainState(state.copy(), tuple(applied), dict(mixin_sources))
    if not found:
        first = _chain_state(catalog, chain(catalog, BASE_NAME))
        state, applied = first.state.copy(), list(first.applied)
    _merge_mixins(catalog, state, mixin_sources)
    return state, applied


def _chain_state(catalog: Catalog, links: list[Overlay]) -> _ChainState:
    """The merged state of one chain (`links`, base.yaml first), memoized per chain end.

    Built on the longest memoized prefix: resolving every overlay of a 2,000-deep chain merges each
    overlay once, not once per descendant (measured: 110 s to about 4 s for `check()`).
    """
    assert catalog.base is not None
    table = catalog.memo(_CHAIN_STATES)
    start = next((index for index in range(len(links) - 1, 0, -1) if links[index].name in table), 0)
    if start:
        known = table[links[start].name]
        state, applied, sources = known.state.copy(), list(known.applied), dict(known.mixin_sources)
    else:
        base_spec = catalog.base.spec
        state = SpecState(list(base_spec.constraints), list(base_spec.component_refs), base_spec.validation)
        applied, sources = [BASE_NAME], {}
    done = _ChainState(state.copy(), tuple(applied), dict(sources))
    for link in links[start + 1 :]:
        spec = link.spec
        state.merge(spec.constraints, spec.component_refs, spec.validation, spec.mixins)
        applied.append(link.name)
        for index, name in enumerate(spec.mixins):
            sources.setdefault(name, (link, index))
        done = table[link.name] = _ChainState(state.copy(), tuple(applied), dict(sources))
    return done


def _merge_mixins(catalog: Catalog, state: SpecState, sources: dict[str, tuple[Overlay, int]]) -> None:
    """Merge every referenced mixin after the chains; conflicts are errors (`mergeMixins`)."""
    if not state.mixins:
        return
    semantics = catalog.aicr_version
    constraint_names = {constraint.name for constraint in state.constraints}
    component_names = {ref.name for ref in state.component_refs}
    constraints: list[Constraint] = []
    refs: list[ComponentRef] = []
    for name in state.mixins:
        mixin = catalog.mixins.get(name)
        if mixin is None:
            named = sources.get(name)
            raise ResolutionError(
                f'mixin "{name}" not found in recipes/mixins/',
                code=ErrorCode.NOT_FOUND,
                location=named[0].locate("spec", "mixins", named[1]) if named else None,
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
        if semantics.mixin_override_allowlist:  # part of the same 1.0 rule: one entry per component
            _reject_duplicate_refs(name, mixin)
        for ref in spec.component_refs:
            existing = ref.name in component_names
            if existing:
                offending = _mixin_conflict(ref, semantics)
                if offending is not None:
                    raise ResolutionError(
                        f'mixin "{name}" component "{ref.name}" sets identity/sourcing field "{offending}" which '
                        f"conflicts with the inheritance chain; mixins may only contribute "
                        f"{semantics.mixin_contributions} to an existing component",
                        location=mixin.locate("spec", "componentRefs"),
                        hint=f"move {offending!r} of {ref.name!r} out of the mixin into an overlay",
                    )
            if semantics.mixin_override_allowlist:
                _check_mixin_overrides(catalog, state, name, mixin, ref, existing=existing)
        if semantics.mixin_override_allowlist:
            # 1.0 checks each mixin against the chain and the mixins merged before it.
            state.merge(spec.constraints, spec.component_refs)
        else:
            constraints.extend(spec.constraints)
            refs.extend(spec.component_refs)
        constraint_names.update(constraint.name for constraint in spec.constraints)
        component_names.update(ref.name for ref in spec.component_refs)
    # One merge of everything, in mixin order: the same result as merging mixin by mixin (no
    # constraint repeats, refs merge in order), without re-sorting the state once per mixin.
    state.merge(constraints, refs)
    state.mixins = []


def _mixin_conflict(ref: ComponentRef, semantics: AicrVersion) -> str | None:
    for attribute in semantics.mixin_forbidden:
        if getattr(ref, attribute):
            return type(ref).model_fields[attribute].alias or attribute
    return None


# --- 1.0: registry-allowlisted mixin overrides (upstream v1.0 `mergeMixins` and its helpers) ----


def _reject_duplicate_refs(name: str, mixin: Mixin) -> None:
    seen: set[str] = set()
    for ref in mixin.document.spec.component_refs:
        if ref.name in seen:
            raise ResolutionError(
                f'mixin "{name}" declares component "{ref.name}" more than once in its own componentRefs list',
                location=mixin.locate("spec", "componentRefs"),
                hint=f"merge the entries for {ref.name!r} into one",
            )
        seen.add(ref.name)


def _allowlist(catalog: Catalog, component: str) -> list[str]:
    registry = catalog.registry
    config = registry.get(component) if registry is not None else None
    return list(config.mixin_safe_override_paths) if config is not None else []


def _check_mixin_overrides(
    catalog: Catalog, state: SpecState, name: str, mixin: Mixin, ref: ComponentRef, *, existing: bool
) -> None:
    """The 1.0 checks of one mixin componentRef: allowlist, collisions, empty maps, disabled target."""
    allowlist = _allowlist(catalog, ref.name)
    where = mixin.locate("spec", "componentRefs")
    if not existing:
        # A component without an allowlist has not opted in: a mixin introducing it is free.
        if not allowlist:
            return
        if ref.values_file:
            raise ResolutionError(
                f'mixin "{name}" component "{ref.name}" sets valuesFile "{ref.values_file}" while introducing an '
                "allowlisted component; a mixin may only supply such a component's values via "
                "registry-allowlisted inline overrides, never a values file",
                location=where,
                hint=f"move the values of {ref.name!r} into inline overrides at allowlisted paths",
            )
    if not ref.overrides:
        return
    label = f'mixin "{name}" component "{ref.name}" overrides'
    _reject_empty_maps(ref.overrides, label, where)
    paths = _leaf_paths(ref.overrides, label, where)
    for path in paths:
        if path not in allowlist:
            raise ResolutionError(
                f'mixin "{name}" component "{ref.name}" sets overrides path "{path}", which is not in the '
                f"component's registry-declared mixinSafeOverridePaths allowlist [{' '.join(allowlist)}] — a mixin "
                "may only set paths its target component has explicitly opted in for mixin use",
                location=where,
                hint=f"add {path!r} to mixinSafeOverridePaths of {ref.name!r} in registry.yaml, or set it in an overlay",
            )
    layers: list[dict[str, Any]] = []
    if existing:
        current = next(item for item in state.component_refs if item.name == ref.name)
        layers = raw_layers(catalog, current)
    for path in paths:
        for layer in layers:
            configured = _configured_prefix(layer, path)
            if configured is not None:
                raise ResolutionError(
                    f'mixin "{name}" component "{ref.name}" overrides path "{path}" collides with path '
                    f'"{configured}" already set by the leaf\'s own chain or another mixin — mixins may not '
                    "silently overwrite a value the chain already configured",
                    location=where,
                    hint=f"set {path!r} either in the chain or in the mixin, not both",
                )
    for layer in reversed(layers):
        if "enabled" in layer:
            if layer["enabled"] is False:
                # logging (with the traceback, string and textwrap modules it imports) is loaded only
                # for this warning: 3-5 ms that no other resolution needs.
                import logging  # noqa: PLC0415

                logging.getLogger("l40_recipes").warning(
                    'mixin "%s" sets overrides on component "%s", which the recipe\'s inheritance chain already '
                    "disables (overrides.enabled: false) -- these values will have no effect unless something "
                    "later re-enables the component",
                    name,
                    ref.name,
                )
            break


def _reject_empty_maps(values: dict[str, Any], label: str, where: Location, prefix: str = "") -> None:
    for key in sorted(values, key=str):
        value = values[key]
        path = f"{prefix}.{key}" if prefix else str(key)
        if not isinstance(value, dict):
            continue
        if not value:
            raise ResolutionError(
                f'{label}: path "{path}" is an empty map ({{}}); a mixin override must set a real scalar or '
                "non-empty map, never an empty one -- an empty map can silently blank an existing value at an "
                "ancestor path, or pass an allowlist check on the leaf path itself and write a map where the "
                "chart expects a scalar",
                location=where,
                hint=f"remove {path!r} or give it a value",
            )
        _reject_empty_maps(value, label, where, path)


def _leaf_paths(values: dict[str, Any], label: str, where: Location) -> list[str]:
    """Sorted dotted leaf paths of *values*; keys must be non-empty and dot-free."""
    paths: list[str] = []

    def visit(node: dict[str, Any], prefix: str) -> None:
        for key in sorted(node, key=str):
            text = str(key)
            if text == "" or "." in text:
                raise ResolutionError(
                    f'{label}: override key "{text}" must be nonempty and may not contain a literal dot',
                    location=where,
                    hint="nest the keys instead of writing a dotted key",
                )
            path = f"{prefix}.{text}" if prefix else text
            value = node[key]
            if isinstance(value, dict) and value:
                visit(value, path)
            else:
                paths.append(path)

    visit(values, "")
    return sorted(paths)


def _configured_prefix(raw: dict[str, Any], path: str) -> str | None:
    """The shallowest prefix of *path* that *raw* sets (any value, null included), or None."""
    segments = path.split(".")
    current: dict[str, Any] = raw
    for index, segment in enumerate(segments):
        if segment not in current:
            return None
        value = current[segment]
        if not isinstance(value, dict) or not value or index == len(segments) - 1:
            return ".".join(segments[: index + 1])
        current = value
    return None  # pragma: no cover - the loop always returns on the last segment


def raw_layers(catalog: Catalog, ref: ComponentRef) -> list[dict[str, Any]]:
    """The unmerged values that configure *ref*: base values.yaml, its valuesFile, its overrides."""
    layers: list[dict[str, Any]] = []
    if ref.values_file:
        base = f"components/{ref.name}/values.yaml"
        if ref.values_file != base:
            found = _values(catalog, base, ref.name, missing_ok=True)
            if found is not None:
                layers.append(found)
        found = _values(catalog, ref.values_file, ref.name, missing_ok=False)
        layers.append(found or {})
    if ref.overrides:
        layers.append(ref.overrides)
    return layers


def _values(catalog: Catalog, relative: str, component: str, *, missing_ok: bool) -> dict[str, Any] | None:
    if missing_ok and not catalog.has_path(relative):
        return None  # no base values.yaml: no base layer (one that cannot be read is an error, as upstream's)
    try:
        text = catalog.read_text(relative)
    except RecipeError as err:
        raise ResolutionError(
            f'read values file "{relative}" for component "{component}" mixin collision check',
            code=ErrorCode.INTERNAL,
            cause=err,
        ) from None
    try:
        document = parse_yaml(text.encode(), path=catalog.display(relative))
        check_free_form_aliases(document, catalog.display(relative))  # upstream decodes it into a map
        data = document.data
    except RecipeError as err:
        raise ResolutionError(
            f'parse values file "{relative}" for component "{component}" mixin collision check',
            code=ErrorCode.INTERNAL,
            cause=err,
        ) from None
    return data if isinstance(data, dict) else {}
