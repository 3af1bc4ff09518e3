"""Rules about validation floors: upstream's phase floor on resolved recipes, static version floors and their monotonicity."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from l40_recipes._errors import ConstraintError, Location
from l40_recipes._models import ValidationConfig
from l40_recipes._report import Severity
from l40_recipes._versions import Operator, Version, parse_constraint, parse_version

from . import Context, rule
from .resolve import accelerator_bound, query_text, resolved_recipes

if TYPE_CHECKING:
    from collections.abc import Iterator

    from l40_recipes._catalog import Overlay
    from l40_recipes._report import Finding
    from l40_recipes._result import RecipeResult


_FLOOR_CHECK: Final = "gpu-operator-version"
_FLOOR_CONSTRAINT: Final = "Deployment.gpu-operator.version"
_LOWER_BOUNDS: Final = (Operator.GTE, Operator.GT)


def _phase(result: RecipeResult, name: str) -> object:
    return result.validation.phase(name) if result.validation else None


@rule(
    "floor-conformance",
    "Gateable overlays have a conformance phase",
    group="floor",
    upstream="TestOverlayValidationPhaseFloor",
)
def floor_conformance(ctx: Context) -> Iterator[Finding]:
    """Every recipe a query can reach must say how to prove the cluster conforms.

    Evaluated on the resolved recipe, so a phase inherited from a parent or a wildcard overlay counts.
    """
    for item, result in resolved_recipes(ctx):
        if _phase(result, "conformance") is None:
            yield ctx.finding(
                "floor-conformance",
                item.locate("spec", "criteria"),
                f"the recipe for {query_text(item)} has no conformance phase",
                hint="add validation.conformance.checks here or in a parent overlay",
                overlay=item.name,
            )


@rule(
    "floor-deployment",
    "Accelerator recipes gate the GPU operator version",
    group="floor",
    upstream="TestOverlayValidationPhaseFloor",
)
def floor_deployment(ctx: Context) -> Iterator[Finding]:
    """A recipe bound to an accelerator must verify the deployed GPU operator.

    Its deployment phase needs the `gpu-operator-version` check and a `Deployment.gpu-operator.version`
    constraint, usually inherited from the `<accelerator>-any` wildcard overlay.
    """
    for item, result in resolved_recipes(ctx):
        if not accelerator_bound(item):
            continue
        deployment = result.validation.deployment if result.validation else None
        missing: list[str] = []
        if deployment is None:
            missing.append("the deployment phase")
        else:
            if _FLOOR_CHECK not in (deployment.checks or []):
                missing.append(f"the {_FLOOR_CHECK} check")
            if not any(c.name == _FLOOR_CONSTRAINT for c in deployment.constraints or []):
                missing.append(f"the {_FLOOR_CONSTRAINT} constraint")
        if missing:
            accelerator = item.criteria.accelerator if item.criteria else ""
            yield ctx.finding(
                "floor-deployment",
                item.locate("spec", "criteria"),
                f"the recipe for {query_text(item)} lacks {' and '.join(missing)}",
                hint=f"add a `{accelerator}-any` overlay (service: any) with the deployment floor, or add it here",
                overlay=item.name,
            )


@rule(
    "floor-performance",
    "Training, Dynamo and NIM recipes have a performance phase",
    group="floor",
    severity=Severity.WARNING,
    upstream="TestOverlayValidationPhaseFloor (AICR_VALIDATION_FLOOR_STRICT)",
)
def floor_performance(ctx: Context) -> Iterator[Finding]:
    """Upstream recommends a performance gate for accelerator-bound training and Dynamo/NIM inference recipes.

    It is a warning by default and an error under strict mode, as upstream's
    `AICR_VALIDATION_FLOOR_STRICT=1`. An emptied `performance: {}` counts as present.
    """
    for item, result in resolved_recipes(ctx):
        criteria = item.criteria
        assert criteria is not None
        if not accelerator_bound(item) or criteria.service == "kind":
            continue
        wanted = criteria.intent == "training" or (
            criteria.intent == "inference" and criteria.platform in ("dynamo", "nim")
        )
        if wanted and _phase(result, "performance") is None:
            yield ctx.finding(
                "floor-performance",
                item.locate("spec", "criteria"),
                f"the recipe for {query_text(item)} has no performance phase",
                hint="add a passable performance gate, or waive this rule for the overlay with the reason",
                overlay=item.name,
            )


def origin_of_constraint(ctx: Context, result: RecipeResult, scope: str, name: str) -> Location | None:
    """Where the effective constraint *name* in *scope* (`constraints` or a phase) was last set."""
    found: Location | None = None
    for overlay_name in result.metadata.applied_overlays:
        item = ctx.catalog.get(overlay_name)
        if item is None:
            continue
        spec = item.spec
        entries: list[tuple[tuple[str | int, ...], str]]
        if scope == "constraints":
            entries = [(("spec", "constraints", i), c.name) for i, c in enumerate(spec.constraints)]
        else:
            phase = spec.validation.phase(scope) if spec.validation else None
            entries = [
                (("spec", "validation", scope, "constraints", i), c.name)
                for i, c in enumerate((phase.constraints or []) if phase else [])
            ]
        for path, constraint_name in entries:
            if constraint_name == name:
                found = item.source.locate_value((*path, "value"))
    return found


def _origin_of_version(ctx: Context, result: RecipeResult, component: str) -> Location | None:
    """Where the component's deployed version was set: the last overlay or mixin pin, else the registry."""
    found: Location | None = None
    sources = [ctx.catalog.get(name) for name in result.metadata.applied_overlays]
    mixins = [ctx.catalog.mixins.get(name) for item in sources if item for name in item.spec.mixins]
    for source in (*sources, *mixins):
        if source is None:
            continue
        for index, ref in enumerate(source.document.spec.component_refs):
            if ref.name == component and ref.version:
                found = source.source.locate_value(("spec", "componentRefs", index, "version"))
    if found is None and ctx.catalog.registry is not None and ctx.catalog.registry.get(component) is not None:
        found = ctx.catalog.registry.locate_component(component, "helm", "defaultVersion")
    return found


def _component_floors(validation: ValidationConfig | None) -> Iterator[tuple[str, str, str]]:
    if validation is None:
        return
    for phase_name in validation.PHASES:
        phase = validation.phase(phase_name)
        for constraint in (phase.constraints or []) if phase else []:
            parts = constraint.name.split(".")
            if len(parts) == 3 and parts[0] == "Deployment" and parts[2] == "version":
                yield phase_name, parts[1], constraint.value


@rule("static-version-floor", "Deployed versions satisfy their floors", group="floor")
def static_version_floor(ctx: Context) -> Iterator[Finding]:
    """No upstream test checks that the version a recipe deploys meets its own `Deployment.<component>.version`.

    Upstream only evaluates that constraint against a live cluster, after the deployment. This rule
    evaluates it against the pinned or registry-default version, with upstream's comparison rules.
    """
    for item, result in resolved_recipes(ctx):
        for phase_name, component, value in _component_floors(result.validation):
            floor_at = origin_of_constraint(ctx, result, phase_name, f"Deployment.{component}.version")
            floor_where = f" set by {floor_at}" if floor_at else ""
            ref = result.component(component)
            if ref is None or not ref.enabled:
                yield ctx.finding(
                    "static-version-floor",
                    item.locate("spec", "criteria"),
                    f"the recipe for {query_text(item)} has floor `{value}`{floor_where} on {component!r}, which it does not deploy",
                    hint=f"deploy {component!r} or drop the floor",
                    overlay=item.name,
                )
                continue
            version_at = _origin_of_version(ctx, result, component)
            version_where = f" from {version_at}" if version_at else ""
            actual = ref.version if ref.version.startswith("v") or not ref.version else f"v{ref.version}"
            try:
                satisfied = parse_constraint(value).evaluate(actual)
            except ConstraintError as err:
                yield ctx.finding(
                    "static-version-floor",
                    floor_at or item.locate("spec", "criteria"),
                    f"floor `{value}`{floor_where} cannot be compared with {component} `{ref.version}`{version_where}: {err.upstream_text}",
                    hint="write both as versions (e.g. v24.6.0)",
                    overlay=item.name,
                )
                continue
            if not satisfied:
                yield ctx.finding(
                    "static-version-floor",
                    version_at or item.locate("spec", "criteria"),
                    f"floor `{value}`{floor_where}; {component} `{ref.version}`{version_where} does not satisfy it "
                    f"(recipe for {query_text(item)})",
                    hint=f"raise {component} to a version that meets the floor, or correct the floor",
                    overlay=item.name,
                )


def _lower_bound(value: str) -> tuple[Operator, Version] | None:
    try:
        parsed = parse_constraint(value)
        if parsed.operator not in _LOWER_BOUNDS:
            return None
        return parsed.operator, parse_version(parsed.value)
    except ConstraintError:
        return None


def _scoped_constraints(item: Overlay) -> Iterator[tuple[str, tuple[str | int, ...], str, str | None]]:
    """(scope, path, name, value) for each constraint an overlay sets; value None marks a cleared phase."""
    for index, constraint in enumerate(item.spec.constraints):
        yield "constraints", ("spec", "constraints", index), constraint.name, constraint.value
    validation = item.spec.validation
    for phase_name in ValidationConfig.PHASES:
        phase = validation.phase(phase_name) if validation else None
        if phase is None or phase.constraints is None:
            continue
        if not phase.constraints:
            yield phase_name, (), "", None
        for index, constraint in enumerate(phase.constraints):
            yield (
                phase_name,
                ("spec", "validation", phase_name, "constraints", index),
                constraint.name,
                constraint.value,
            )


@rule("floor-monotonicity", "Overlays never loosen an inherited floor", group="floor")
def floor_monotonicity(ctx: Context) -> Iterator[Finding]:
    """A same-name constraint replaces the inherited one, so a child can silently lower a parent's floor.

    For example `K8s.server.version >= 1.28` under a parent's `>= 1.30`, or a leaf's
    `Deployment.gpu-operator.version >= v23.0.0` under the wildcard overlay's `>= v24.6.0`.
    Evaluated in each recipe's merge order.
    """
    seen: set[tuple[str, tuple[str | int, ...]]] = set()
    # The constraints in force after each applied list walked so far: a recipe whose list extends
    # one already walked (a chain's child) walks only its last overlay, so deep chains stay linear.
    after: dict[tuple[str, ...], dict[tuple[str, str], tuple[str, Location]]] = {}
    for _, result in resolved_recipes(ctx):
        applied = tuple(result.metadata.applied_overlays)
        known = after.get(applied[:-1])
        current: dict[tuple[str, str], tuple[str, Location]] = dict(known) if known is not None else {}
        for overlay_name in applied[-1:] if known is not None else applied:
            item = ctx.catalog.get(overlay_name)
            if item is None:
                continue
            for scope, path, name, value in _scoped_constraints(item):
                if value is None:
                    current = {key: entry for key, entry in current.items() if key[0] != scope}
                    continue
                location = item.source.locate_value((*path, "value"))
                previous = current.get((scope, name))
                current[(scope, name)] = (value, location)
                if previous is None or (item.path, path) in seen:
                    continue
                old, new = _lower_bound(previous[0]), _lower_bound(value)
                if old is None or new is None:
                    continue
                cmp = new[1].compare(old[1])
                looser = cmp < 0 or (cmp == 0 and old[0] is Operator.GT and new[0] is Operator.GTE)
                if looser:
                    seen.add((item.path, path))
                    yield ctx.finding(
                        "floor-monotonicity",
                        location,
                        f"{name} `{value}` loosens the inherited `{previous[0]}` set by {previous[1]}",
                        hint=f"keep the floor at least `{previous[0]}`, or lower it where it is set if that is intended",
                        overlay=item.name,
                    )
        after[applied] = current
