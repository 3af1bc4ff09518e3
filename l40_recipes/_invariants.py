"""What every successful resolution must satisfy, whatever the catalog (used by fuzzing and tests)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._criteria import matches
from ._errors import ConstraintError
from ._matching import ancestor_names
from ._models import ANY, DIMENSIONS, is_wild
from ._versions import evaluate_constraint

if TYPE_CHECKING:
    from ._catalog import Catalog
    from ._models import Criteria
    from ._result import RecipeResult

__all__ = ["InvariantError", "check_invariants", "resolve_call"]

GPU_OPERATOR_FLOOR = "Deployment.gpu-operator.version"


class InvariantError(AssertionError):
    """A resolved recipe breaks an invariant; the message names the query as `resolve(...)` arguments."""


def resolve_call(query: Criteria) -> str:
    """*query* as the `resolve(...)` call that reproduces it."""
    arguments = [
        f"{dimension}={getattr(query, dimension)!r}"
        for dimension in DIMENSIONS
        if not is_wild(getattr(query, dimension))
    ]
    if query.nodes:
        arguments.append(f"nodes={query.nodes}")
    return f"resolve({', '.join(arguments)})"


def check_invariants(catalog: Catalog, query: Criteria, result: RecipeResult) -> None:
    """Raise `InvariantError` when *result* breaks one of the resolution invariants.

    - `deploymentOrder` is a topological order of exactly the enabled components;
    - every applied overlay matches the query or is an ancestor of one that does;
    - a recipe with a concrete accelerator that applied a wildcard (`service: any`) overlay carries
      the `Deployment.gpu-operator.version` floor;
    - every deployed component with a `Deployment.<component>.version` floor satisfies it.
    """
    call = resolve_call(query)
    refs = {ref.name: ref for ref in result.component_refs}
    enabled = {name for name, ref in refs.items() if ref.enabled}
    if set(result.deployment_order) != enabled or len(result.deployment_order) != len(enabled):
        msg = (
            f"{call}: deploymentOrder {result.deployment_order} is not exactly the enabled components {sorted(enabled)}"
        )
        raise InvariantError(msg)
    position = {name: index for index, name in enumerate(result.deployment_order)}
    for name in result.deployment_order:
        for dependency in refs[name].dependency_refs:
            if dependency in enabled and position[dependency] > position[name]:
                msg = f"{call}: {name!r} deploys before its dependency {dependency!r}"
                raise InvariantError(msg)
    applied = result.metadata.applied_overlays[1:]
    matching = {
        name for name in applied if (item := catalog.get(name)) and item.criteria and matches(item.criteria, query)
    }
    reachable = matching | {ancestor for name in matching for ancestor in ancestor_names(catalog, name)}
    stray = [name for name in applied if name not in reachable]
    if stray:
        msg = f"{call}: applied overlays {stray} neither match the query nor are ancestors of a match"
        raise InvariantError(msg)
    wildcard = any((item := catalog.get(name)) and item.criteria and item.criteria.service == ANY for name in applied)
    deployment = result.validation.deployment if result.validation else None
    floors = [c for c in (deployment.constraints or []) if c.name.startswith("Deployment.")] if deployment else []
    if not is_wild(query.accelerator) and wildcard and not any(c.name == GPU_OPERATOR_FLOOR for c in floors):
        msg = f"{call}: the recipe applies a wildcard overlay but lacks the {GPU_OPERATOR_FLOOR} floor"
        raise InvariantError(msg)
    for floor in floors:
        component, _, field = floor.name.removeprefix("Deployment.").rpartition(".")
        ref = refs.get(component)
        if field != "version" or ref is None or not ref.enabled or not ref.version:
            continue
        try:
            satisfied = evaluate_constraint(floor.value, ref.version)
        except ConstraintError as err:
            msg = f"{call}: floor {floor.name} {floor.value!r} cannot be evaluated: {err}"
            raise InvariantError(msg) from None
        if not satisfied:
            msg = f"{call}: {component} {ref.version} does not satisfy its floor {floor.name} {floor.value!r}"
            raise InvariantError(msg)
