"""Configuration profiles (upstream `profile.go`, `profile_resolution.go`, apiVersion `aicr.run/v1alpha3`)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from ._errors import ErrorCode, RecipeError, ResolutionError
from ._merge import SpecState, deep_merge
from ._result import SelectedProfile
from ._semantics import V1ALPHA3

if TYPE_CHECKING:
    from collections.abc import Callable

    from ._models import ComponentRef, Constraint, ProfileDeclaration, RecipeMetadata

__all__ = [
    "EffectiveProfile",
    "apply_profile",
    "check_profile_targets",
    "owned_paths",
    "parse_selection",
    "validate_metadata_profile",
]

ENABLED_PATH: Final = "enabled"
ADVERTISER_EXTERNAL: Final = "external"
_IDENTIFIER: Final = re.compile(r"^[A-Za-z0-9._-]+$")
_JSON_SAFE_INTEGER: Final = 2**53 - 1


def _invalid(message: str) -> ResolutionError:
    return ResolutionError(message, code=ErrorCode.INVALID_REQUEST)


@dataclass(frozen=True, slots=True)
class EffectiveProfile:
    """The one profile declaration of a composition, and the overlay that declared it."""

    source: str
    declaration: ProfileDeclaration


def parse_selection(raw: str | None) -> tuple[str, str] | None:
    """Parse `--profile name=value`; None means "use the declaration's default".

    Raises:
        ResolutionError: not exactly `name=value`, or either side is not `[A-Za-z0-9._-]+`.
    """
    if not raw:
        return None
    if raw.strip() != raw or raw.count("=") != 1:
        raise _invalid("profile must use the exact name=value form")
    name, _, value = raw.partition("=")
    if not _IDENTIFIER.match(name) or not _IDENTIFIER.match(value):
        raise _invalid("profile name and value must match [A-Za-z0-9._-]+")
    return name, value


def validate_metadata_profile(metadata: RecipeMetadata, profile_api_version: str = V1ALPHA3) -> None:
    """Upstream `ValidateRecipeMetadataProfile`: the profile apiVersion iff a profile, and the profile is valid.

    *profile_api_version* is the release's (`aicr.run/v1alpha3` at 0.20, `aicr.run/v1beta2` at
    1.0; v1.0 `profile.go` was not recovered, so its wording is assumed unchanged).
    """
    profile = metadata.spec.profile
    if metadata.api_version == profile_api_version and profile is None:
        raise _invalid(f'RecipeMetadata uses apiVersion "{profile_api_version}" but has no spec.profile declaration')
    if profile is not None and metadata.api_version != profile_api_version:
        raise _invalid(
            f'RecipeMetadata declares spec.profile but uses apiVersion "{metadata.api_version}"; '
            f'expected "{profile_api_version}"',
        )
    if profile is not None:
        owned_paths(profile)


def owned_paths(declaration: ProfileDeclaration) -> dict[str, list[str]]:
    """Validate *declaration* (upstream `ValidateProfileDeclaration`) and return its owned paths.

    Every value must assign the same component paths ("union totality"); the owned paths are
    those, per component, plus the synthetic `enabled`.
    """
    name = declaration.name
    if not _IDENTIFIER.match(name):
        raise _invalid("profile name must match [A-Za-z0-9._-]+")
    if not _IDENTIFIER.match(declaration.default):
        raise _invalid("profile default must match [A-Za-z0-9._-]+")
    if not declaration.values:
        raise _invalid(f'profile "{name}" must declare at least one value')
    if declaration.default not in declaration.values:
        raise _invalid(f'profile "{name}" default "{declaration.default}" is not a declared value')
    lowered: dict[str, str] = {}
    for value_name in declaration.values:
        previous = lowered.setdefault(value_name.lower(), value_name)
        if previous != value_name:
            raise _invalid(
                f'profile "{name}" values "{previous}" and "{value_name}" differ only by case; '
                "evidence path segments are lowercase, so value names must be case-insensitively unique",
            )
    expected: list[str] | None = None
    owned: dict[str, set[str]] = {}
    for value_name in sorted(declaration.values):
        if not _IDENTIFIER.match(value_name):
            raise _invalid(f'profile value "{value_name}" must match [A-Za-z0-9._-]+')
        value = declaration.values[value_name]
        if value.advertiser not in ("", ADVERTISER_EXTERNAL):
            raise _invalid(
                f'unknown advertiser "{value.advertiser}"; the only supported value is "{ADVERTISER_EXTERNAL}"'
            )
        seen_constraints: set[str] = set()
        for constraint in value.constraints:
            if constraint.name == "":
                raise _invalid(f'profile "{name}" value "{value_name}" declares a constraint with no name')
            if constraint.value == "":
                raise _invalid(f'profile "{name}" value "{value_name}" constraint "{constraint.name}" has no value')
            if constraint.name in seen_constraints:
                raise _invalid(f'profile "{name}" value "{value_name}" repeats constraint "{constraint.name}"')
            seen_constraints.add(constraint.name)
        seen_components: set[str] = set()
        value_paths: list[str] = []
        for ref in value.component_refs:
            if ref.name == "":
                raise _invalid(f'profile "{name}" value "{value_name}" has a componentRef with an empty name')
            if ref.name in seen_components:
                raise _invalid(f'profile "{name}" value "{value_name}" repeats componentRef "{ref.name}"')
            seen_components.add(ref.name)
            if ENABLED_PATH in (ref.overrides or {}):
                raise _invalid(
                    f'profile "{name}" value "{value_name}" component "{ref.name}" may not assign overrides.enabled'
                )
            paths = _flatten(ref.overrides or {}, ())
            value_paths.extend(f"{ref.name}:{path}" for path in paths)
            owned.setdefault(ref.name, set()).update(paths)
            owned[ref.name].add(ENABLED_PATH)
        value_paths.sort()
        if expected is None:
            expected = value_paths
        elif value_paths != expected:
            raise _invalid(
                f'profile "{name}" violates union totality: value "{value_name}" assigns '
                f"[{' '.join(value_paths)}], expected [{' '.join(expected)}]",
            )
    return {component: sorted(paths) for component, paths in owned.items()}


def _flatten(overrides: dict[str, Any], prefix: tuple[str, ...]) -> list[str]:
    paths: list[str] = []
    for key, value in overrides.items():
        path = (*prefix, key)
        dotted = ".".join(path)
        if key == "" or "." in key:
            raise _invalid(f'profile override key "{key}" must be nonempty and may not contain a literal dot')
        if isinstance(value, dict):
            if not value:
                raise _invalid(f'profile override "{dotted}" assigns an empty map')
            paths.extend(_flatten(value, path))
            continue
        _check_scalar(value, dotted)
        paths.append(dotted)
    return sorted(paths)


def _check_scalar(value: Any, path: str) -> None:
    if isinstance(value, list):
        for index, item in enumerate(value):
            if isinstance(item, dict):
                for key, nested in item.items():
                    _check_scalar(nested, f"{path}[{index}].{key}")
            else:
                _check_scalar(item, f"{path}[{index}]")
        return
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return
    if isinstance(value, int) and abs(value) > _JSON_SAFE_INTEGER:
        raise _invalid(f'profile override "{path}" contains integer {value} outside the JSON round-trip-safe range')
    if isinstance(value, float):
        if not math.isfinite(value):
            raise _invalid(f'profile override "{path}" contains a non-finite float')
        if value.is_integer() and abs(value) > _JSON_SAFE_INTEGER:
            raise _invalid(
                f'profile override "{path}" contains an integer-valued float outside the JSON round-trip-safe range',
            )


def apply_profile(
    state: SpecState,
    effective: EffectiveProfile | None,
    selection: tuple[str, str] | None,
    *,
    evaluate: Callable[[Constraint, str, str], None] | None = None,
) -> SelectedProfile | None:
    """Select a profile value and apply it to *state* (upstream `applyEffectiveProfile`).

    *evaluate* (snapshot resolution) checks each of the value's constraints once it is known not to
    collide, with the profile's name and value, and raises when upstream would.
    """
    if effective is None:
        if selection is not None:
            raise _invalid(f'profile "{selection[0]}" was selected, but the resolved composition declares no profile')
        return None
    declaration = effective.declaration
    owned = owned_paths(declaration)
    value_name = declaration.default
    if selection is not None:
        if selection[0] != declaration.name:
            raise _invalid(f'resolved composition declares profile "{declaration.name}", not "{selection[0]}"')
        value_name = selection[1]
    value = declaration.values.get(value_name)
    if value is None:
        names = " ".join(sorted(declaration.values))
        raise _invalid(f'profile "{declaration.name}" has no value "{value_name}"; valid values: [{names}]')
    refs = {ref.name: ref for ref in state.component_refs}
    for component in sorted(owned):
        ref = refs.get(component)
        if ref is None or not ref.enabled:
            raise _invalid(
                f'profile "{declaration.name}" references component "{component}", '
                "which is not enabled in the surviving composition",
            )
    taken = {constraint.name for constraint in state.constraints}
    for constraint in value.constraints:
        if constraint.name in taken:
            raise _invalid(
                f'profile "{declaration.name}" value "{value_name}" constraint "{constraint.name}" '
                "collides with the composed recipe",
            )
        taken.add(constraint.name)
        if evaluate is not None:
            evaluate(constraint, declaration.name, value_name)
    state.constraints = sorted([*state.constraints, *value.constraints], key=lambda constraint: constraint.name)
    updated: dict[str, ComponentRef] = {}
    for profile_ref in value.component_refs:
        ref = updated.get(profile_ref.name, refs[profile_ref.name])
        updated[profile_ref.name] = ref.model_copy(
            update={"overrides": deep_merge(ref.overrides, profile_ref.overrides or {})},
        )
    state.component_refs = [updated.get(ref.name, ref) for ref in state.component_refs]
    return SelectedProfile(name=declaration.name, value=value_name, advertiser=value.advertiser, owned_paths=owned)


def check_profile_targets(
    selected: SelectedProfile, refs: list[ComponentRef], *, values: Callable[[ComponentRef], None] | None = None
) -> None:
    """A profile may own override paths only of components that consume values (not Kustomize).

    Upstream's `ValidateProfileValuesWithContext` also re-reads every owned path from the hydrated
    chart values; after `apply_profile` every owned path is assigned by construction, so what can
    still fail on catalog data is this check and reading the values file (*values*, per component).
    """
    by_name = {ref.name: ref for ref in refs}
    for component in sorted(selected.owned_paths):
        ref = by_name[component]
        if ref.type == "Kustomize" and any(path != ENABLED_PATH for path in selected.owned_paths[component]):
            raise _invalid(
                f'profile-owned component "{component}" has type "{ref.type}", which does not consume values overrides',
            )
        if values is not None:
            values(ref)  # component by component, after its own checks, as upstream hydrates them


def ownership_conflict(
    first_name: str, first: dict[str, list[str]], second_name: str, second: dict[str, list[str]]
) -> RecipeError | None:
    """Upstream `ValidateOwnershipDisjoint`: two owners may not claim intersecting paths."""
    for component in sorted(set(first) & set(second)):
        for first_path in sorted(first[component]):
            for second_path in sorted(second[component]):
                a, b = first_path.split("."), second_path.split(".")
                if a[: min(len(a), len(b))] == b[: min(len(a), len(b))]:
                    return _invalid(
                        f'configuration ownership conflict: "{first_name}" owns {component}.{first_path}, '
                        f'which intersects "{second_name}" path {component}.{second_path}',
                    )
    return None
