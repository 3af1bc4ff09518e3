"""Where every value of a resolved recipe comes from: the overlay, file and line that set it, and what it overrode."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ._matching import candidates, chain
from ._models import ComponentRef
from ._profiles import owned_paths
from ._resolution import build_recipe

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from ._catalog import Catalog
    from ._errors import Location
    from ._models import Constraint, Criteria, ValidationConfig
    from ._result import RecipeResult
    from ._yaml import SourceMap

__all__ = ["Contribution", "Explained", "explain", "explain_serving"]

#: (alias, attribute) of the string fields a later layer replaces; the inlined health check is not explained.
_REF_FIELDS = tuple(
    (ComponentRef.model_fields[name].alias or name, name)
    for name in ComponentRef.REPLACED
    if name != "health_check_asserts"
)
_REGISTRY_DEFAULTS = {
    "source": ("helm", "defaultRepository"),
    "version": ("helm", "defaultVersion"),
    "namespace": ("helm", "defaultNamespace"),
    "chart": ("helm", "defaultChart"),
}
_KUSTOMIZE_DEFAULTS = {
    "source": ("kustomize", "defaultSource"),
    "tag": ("kustomize", "defaultTag"),
    "path": ("kustomize", "defaultPath"),
}


@dataclass(frozen=True, slots=True)
class Contribution:
    """One overlay, mixin, profile or registry entry setting a field."""

    source: str
    location: Location
    value: Any


@dataclass(frozen=True, slots=True)
class Explained:
    """A field of the recipe, its final value, who set it and whom it overrode."""

    path: str
    value: Any
    set_by: Contribution | None
    overridden: tuple[Contribution, ...]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""

        def contribution(item: Contribution) -> dict[str, Any]:
            return {"source": item.source, "location": str(item.location), "value": item.value}

        return {
            "path": self.path,
            "value": self.value,
            "setBy": contribution(self.set_by) if self.set_by else None,
            "overridden": [contribution(item) for item in self.overridden],
        }


def explain(catalog: Catalog, query: Criteria, *, profile: str | None = None) -> tuple[RecipeResult, list[Explained]]:
    """Resolve *query* and attribute every field of the result to where it was set."""
    result = build_recipe(catalog, query, profile=profile)
    contributions: dict[str, list[Contribution]] = {}

    def add(path: str, source: str, location: Location, value: Any) -> None:
        contributions.setdefault(path, []).append(Contribution(source, location, value))

    mixins: list[str] = []
    for name in result.metadata.applied_overlays:
        overlay = catalog.get(name)
        if overlay is None:
            continue
        spec = overlay.spec
        entries = (
            *_constraint_entries(spec.constraints),
            *_ref_entries(spec.component_refs),
            *_validation_entries(spec.validation),
        )
        _collect_entries(overlay.source, overlay.name, iter(entries), add)
        mixins += [mixin for mixin in overlay.spec.mixins if mixin not in mixins]
    for name in mixins:
        mixin = catalog.mixins.get(name)
        if mixin is not None:
            mixin_spec = mixin.document.spec
            entries = (*_constraint_entries(mixin_spec.constraints), *_ref_entries(mixin_spec.component_refs))
            _collect_entries(mixin.source, f"mixin {name}", iter(entries), add)
    _collect_profile(catalog, result, query, add)
    _collect_registry(catalog, result, contributions, add)
    return result, list(_explained(result, contributions))


#: (field path in the recipe, position relative to `spec`, value)
_Entry = tuple[str, tuple[str | int, ...], Any]


def _constraint_entries(constraints: list[Constraint]) -> Iterator[_Entry]:
    for index, constraint in enumerate(constraints):
        yield f"constraints.{constraint.name}", ("constraints", index, "value"), constraint.value


def _ref_entries(refs: list[ComponentRef]) -> Iterator[_Entry]:
    for index, ref in enumerate(refs):
        base = ("componentRefs", index)
        for alias, attribute in _REF_FIELDS:
            if value := getattr(ref, attribute):
                yield f"componentRefs.{ref.name}.{alias}", (*base, alias), value
        for leaf, value in _leaves(ref.overrides or {}, ()):
            yield f"componentRefs.{ref.name}.overrides.{'.'.join(leaf)}", (*base, "overrides", *leaf), value
        for alias, values in _list_fields(ref):
            for position, value in enumerate(values):
                yield f"componentRefs.{ref.name}.{alias}[{value}]", (*base, alias, position), value


def _validation_entries(validation: ValidationConfig | None) -> Iterator[_Entry]:
    if validation is None:
        return
    for phase_name in validation.PHASES:
        phase = validation.phase(phase_name)
        if phase is None:
            continue
        base = ("validation", phase_name)
        for position, check in enumerate(phase.checks or []):
            yield f"validation.{phase_name}.checks[{check}]", (*base, "checks", position), check
        for position, constraint in enumerate(phase.constraints or []):
            where = (*base, "constraints", position, "value")
            yield f"validation.{phase_name}.constraints.{constraint.name}", where, constraint.value
        for key in ("timeout", "infrastructure"):
            if value := getattr(phase, key):
                yield f"validation.{phase_name}.{key}", (*base, key), value


def _collect_entries(source: SourceMap, name: str, entries: Iterator[_Entry], add: Any) -> None:
    for field, where, value in entries:
        add(field, name, source.locate_value(("spec", *where)), value)


def _collect_profile(catalog: Catalog, result: RecipeResult, query: Criteria, add: Any) -> None:
    selected = result.metadata.selected_profile
    if selected is None:
        return
    for overlay in (link for leaf in candidates(catalog, query) for link in chain(catalog, leaf.name)):
        declaration = overlay.spec.profile
        if declaration is None or declaration.name != selected.name:
            continue
        owned_paths(declaration)
        value = declaration.values[selected.value]
        source = f"profile {selected.name}={selected.value} ({overlay.name})"
        for position, ref in enumerate(value.component_refs):
            base = ("spec", "profile", "values", selected.value, "componentRefs", position, "overrides")
            for leaf, leaf_value in _leaves(ref.overrides or {}, ()):
                add(
                    f"componentRefs.{ref.name}.overrides.{'.'.join(leaf)}",
                    source,
                    overlay.source.locate_value((*base, *leaf)),
                    leaf_value,
                )
        for position, constraint in enumerate(value.constraints):
            where = ("spec", "profile", "values", selected.value, "constraints", position, "value")
            add(f"constraints.{constraint.name}", source, overlay.source.locate_value(where), constraint.value)
        return


def _collect_registry(
    catalog: Catalog, result: RecipeResult, contributions: dict[str, list[Contribution]], add: Any
) -> None:
    registry = catalog.registry
    if registry is None:
        return
    for ref in result.component_refs:
        config = registry.get(ref.name)
        if config is None:
            continue
        defaults = _KUSTOMIZE_DEFAULTS if ref.type == "Kustomize" else _REGISTRY_DEFAULTS
        for alias, (section, key) in defaults.items():
            path = f"componentRefs.{ref.name}.{alias}"
            if path not in contributions and getattr(ref, alias):
                add(path, "registry", registry.locate_component(ref.name, section, key), getattr(ref, alias))
        if f"componentRefs.{ref.name}.type" not in contributions:
            add(f"componentRefs.{ref.name}.type", "registry", registry.locate_component(ref.name), ref.type)
        if ref.health_check_asserts and config.health_check.assert_file:
            add(
                f"componentRefs.{ref.name}.healthCheckAsserts",
                "registry",
                registry.locate_component(ref.name, "healthCheck", "assertFile"),
                config.health_check.assert_file,
            )
        for value in ref.manifest_files:
            path = f"componentRefs.{ref.name}.manifestFiles[{value}]"
            if path not in contributions and value in config.manifest_files:
                add(path, "registry", registry.locate_component(ref.name, "manifestFiles"), value)


def _list_fields(ref: ComponentRef) -> tuple[tuple[str, list[str]], ...]:
    """A ref's list fields whose entries are attributed one by one."""
    return (
        ("dependencyRefs", ref.dependency_refs),
        ("manifestFiles", ref.manifest_files),
        ("preManifestFiles", ref.pre_manifest_files),
    )


def _leaves(tree: dict[str, Any], prefix: tuple[str, ...]) -> Iterator[tuple[tuple[str, ...], Any]]:
    for key, value in tree.items():
        if isinstance(value, dict) and value:
            yield from _leaves(value, (*prefix, key))
        else:
            yield (*prefix, key), value


def _final_values(result: RecipeResult) -> Iterator[tuple[str, Any]]:
    for field, _, value in _constraint_entries(result.constraints):
        yield field, value
    for ref in result.component_refs:
        for field, _, value in _ref_entries([ref]):
            yield field, value
        if ref.health_check_asserts:
            yield f"componentRefs.{ref.name}.healthCheckAsserts", "(inlined)"
    for field, _, value in _validation_entries(result.validation):
        yield field, value


def _explained(result: RecipeResult, contributions: dict[str, list[Contribution]]) -> Iterator[Explained]:
    for path, value in _final_values(result):
        history = contributions.get(path, [])
        if path.endswith(".healthCheckAsserts"):
            winner = history[-1] if history else None
            yield Explained(path, value, winner, ())
            continue
        winners = [item for item in history if item.value == value]
        winner = (winners[0] if "[" in path else winners[-1]) if winners else None
        overridden = tuple(
            item
            for item in history
            if item is not winner and (winner is None or history.index(item) < history.index(winner))
        )
        yield Explained(path, value, winner, overridden if "[" not in path else ())


def explain_serving(
    result: RecipeResult,
    accelerator: str,
    *,
    accelerators: Mapping[str, object] | None = None,
    models: Mapping[str, object] | None = None,
) -> list[str]:
    """The serving rules' arithmetic for *result*'s `inference-perf` gate on *accelerator*, one step a line.

    *accelerators* and *models* are extra table rows, as `[tool.l40-recipes]` gives them.
    """
    from ._serving import calibrated_share  # noqa: PLC0415
    from ._serving_gate import analyse_gate, first_constraints  # noqa: PLC0415
    from ._serving_tables import load_tables  # noqa: PLC0415

    phase = result.validation.performance if result.validation else None
    if phase is None or "inference-perf" not in (phase.checks or []):
        return ["the recipe's performance phase does not run inference-perf: no serving gate to judge"]
    if accelerator in ("", "any"):
        return ["the query names no accelerator: add --accelerator to judge the serving gate"]
    tables, problems = load_tables(accelerators, models)
    constraints = first_constraints((c.name, c.value) for c in phase.constraints or [])
    components = [ref.name for ref in result.component_refs]
    gate = analyse_gate(accelerator, constraints, tables, calibrated_share(tables), components=components)
    return [f"table row skipped: {problem}" for problem in problems] + gate.explanation()
