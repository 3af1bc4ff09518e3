"""Which upstream `aicr` a catalog is read, resolved and checked as: the one seam where a release's rules plug in.

Two releases are reproduced:

- `0.20`: upstream main at 9793720d (2026-08-21), three days before v0.20.0. Headers are not
  gated; results say `aicr.run/v1alpha2` (`v1alpha3` with a profile or a build configuration).
- `1.0`: v1.0.0, from the v1.0-era upstream sources that could be recovered (`pkg/header`,
  the loader, `metadata_store.go`, `criteria_registry.go`, `oskind`) and the v1.0 CLI
  reference. Headers are gated per kind before anything is decoded; the alpha values are retired;
  results say `aicr.run/v1` (`v1beta2`); mixins may set registry-allowlisted override paths.

Everything that differs between the two is a field of `AicrVersion`; the loader, the resolver and
the rules ask the catalog's `AicrVersion` instead of testing a version number. A catalog chooses
its version at load (`detect()`), or the caller forces one (`aicr_version=`).

Known gaps of the 1.0 rules, where the upstream source was not recovered (see README): the registry
header message (v1.0 `components.go`) and the v1.0 wording of the profile discriminator
(`profile.go`) are written by analogy with the recovered messages and marked so below. The
refusal of blank or bare-`v` chart versions and of padded chart/source/version values, listed among
v1.0's changes, is 9793720d's own component coherence check (`_components.py`): both releases apply it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING, Final, Literal

from ._errors import Location, RecipeLoadError
from ._models import ANY, DIMENSIONS

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Mapping

__all__ = [
    "AICR_VERSIONS",
    "MIXIN_KIND",
    "RECIPE_METADATA_KIND",
    "REGISTRY_KIND",
    "V0_20",
    "V1ALPHA3",
    "V1_0",
    "AicrVersion",
    "HeaderError",
    "OverlayHeader",
    "aicr_version",
    "detect",
]

RECIPE_METADATA_KIND: Final = "RecipeMetadata"
MIXIN_KIND: Final = "RecipeMixin"
REGISTRY_KIND: Final = "ComponentRegistry"
_GROUP: Final = "aicr.run"
V1ALPHA2: Final = "aicr.run/v1alpha2"
V1ALPHA3: Final = "aicr.run/v1alpha3"
LEGACY_V1ALPHA1: Final = "aicr.nvidia.com/v1alpha1"
V1BETA1: Final = "aicr.run/v1beta1"
V1BETA2: Final = "aicr.run/v1beta2"
V1: Final = "aicr.run/v1"
#: The release that stopped reading the alpha values (upstream `header.AlphaRemovedIn`).
ALPHA_REMOVED_IN: Final = "v1.0.0"

#: How an overlay-tree file's header classifies it: not a recipe (skipped), or a recipe decoded
#: leniently (`ordinary`) or strictly (`profile`).
OverlayHeader = Literal["skip", "ordinary", "profile"]


class HeaderError(Exception):
    """A header a release refuses: the message, the header key at fault and how to fix it."""

    def __init__(self, message: str, key: str, hint: str) -> None:
        super().__init__(message)
        self.message = message
        self.key = key
        self.hint = hint


def retirement_note(api_version: str, *, absent_was_accepted: bool = False) -> str:
    """Upstream `header.RetirementNote` (`RetirementNoteWithAbsent` for a reader that once took no value)."""
    if api_version in (V1ALPHA2, V1ALPHA3):
        return f" ({api_version} was retired in {ALPHA_REMOVED_IN})"
    if absent_was_accepted and not api_version:
        return f" (an absent apiVersion was accepted before {ALPHA_REMOVED_IN})"
    return ""


# --- header rules -------------------------------------------------------------------------------

_NON_METADATA_KINDS: Final = frozenset(
    {
        "AICRConfig",
        "BundleProvenance",
        REGISTRY_KIND,
        "RecipeCriteria",
        MIXIN_KIND,
        "RecipeResult",
        "Recipe",
        "Snapshot",
    },
)


def _ungated_overlay(kind: str, api_version: str, relative: str) -> OverlayHeader:
    """9793720d: only a `v1alpha3` file must be RecipeMetadata; other kinds are skipped."""
    if api_version == V1ALPHA3 and kind != RECIPE_METADATA_KIND:
        raise HeaderError(
            f'profile catalog file {relative} requires kind "{RECIPE_METADATA_KIND}", got "{kind}"',
            "kind",
            f"set `kind: {RECIPE_METADATA_KIND}`",
        )
    if kind not in ("", RECIPE_METADATA_KIND):
        return "skip"
    return "profile" if api_version == V1ALPHA3 else "ordinary"


def _gated_overlay(kind: str, api_version: str, relative: str) -> OverlayHeader:
    """v1.0 `classifyRecipeMetadataCatalogHeader`: `kind` is required, only the beta values load."""
    if kind != RECIPE_METADATA_KIND:
        if kind in _NON_METADATA_KINDS or not api_version.startswith(_GROUP + "/"):
            return "skip"
        raise HeaderError(
            f'AICR catalog file {relative} has kind "{kind}", expected "{RECIPE_METADATA_KIND}"; fix the wire '
            "kind or move the unrelated document outside the recipe catalog",
            "kind",
            f"set `kind: {RECIPE_METADATA_KIND}`",
        )
    if api_version == V1BETA2:
        return "profile"
    if api_version != V1BETA1:
        raise HeaderError(
            f'RecipeMetadata file {relative} has apiVersion "{api_version}"{retirement_note(api_version)}, '
            f'expected "{V1BETA1}" or "{V1BETA2}"; update the catalog header for this aicr release',
            "apiVersion",
            _migrate_hint(api_version, f"set `apiVersion: {V1BETA1}` (`{V1BETA2}` for an overlay with spec.profile)"),
        )
    return "ordinary"


def _ungated_mixin(kind: str, api_version: str, relative: str) -> None:
    """9793720d checks a mixin's kind after decoding it (see the loader); its apiVersion is free."""


def _gated_mixin(kind: str, api_version: str, relative: str) -> None:
    """v1.0 `validateRecipeMixinCatalogHeader`, checked before the strict decode."""
    if kind != MIXIN_KIND:
        raise HeaderError(
            f'mixin file {relative} has kind "{kind}", expected "{MIXIN_KIND}"; use a RecipeMixin document '
            "compatible with this aicr release",
            "kind",
            f"set `kind: {MIXIN_KIND}`",
        )
    if api_version != V1BETA1:
        raise HeaderError(
            f'mixin file {relative} has apiVersion "{api_version}"{retirement_note(api_version)}, expected '
            f'"{V1BETA1}" for {MIXIN_KIND}; update the catalog header for this aicr release',
            "apiVersion",
            _migrate_hint(api_version, f"set `apiVersion: {V1BETA1}`"),
        )


def _gated_registry(kind: str, api_version: str, relative: str) -> None:
    """v1.0 checks a registry header before merging it (ADR-022 §8).

    The v1.0 source of this check (`components.go`) was not recovered: the rule (kind
    ComponentRegistry, apiVersion `aicr.run/v1beta1`) is documented, the wording below is ours,
    modelled on the recovered mixin message.
    """
    if kind != REGISTRY_KIND:
        raise HeaderError(
            f'registry file {relative} has kind "{kind}", expected "{REGISTRY_KIND}"; use a ComponentRegistry '
            "document compatible with this aicr release",
            "kind",
            f"set `kind: {REGISTRY_KIND}`",
        )
    if api_version != V1BETA1:
        raise HeaderError(
            f'registry file {relative} has apiVersion "{api_version}"{retirement_note(api_version)}, expected '
            f'"{V1BETA1}" for {REGISTRY_KIND}; update the catalog header for this aicr release',
            "apiVersion",
            _migrate_hint(api_version, f"set `apiVersion: {V1BETA1}`"),
        )


def _migrate_hint(api_version: str, fallback: str) -> str:
    if api_version in (V1ALPHA2, V1ALPHA3):
        return f"run `l40-recipes migrate --to 1.0 <catalog>` to rewrite the headers, or {fallback}"
    return fallback


# --- criteria -----------------------------------------------------------------------------------

_ENUM_0_20: Final[dict[str, tuple[str, ...]]] = {
    "service": ("aks", "bcm", "eks", "gke", "kind", "lke", "metal3", "ocp", "oke"),
    "accelerator": ("a100", "b200", "gb200", "gb300", "h100", "h200", "l40", "l40s", "rtx-pro-6000"),
    "intent": ("inference", "training"),
    "os": ("amazonlinux", "cos", "ol", "rhel", "talos", "ubuntu"),
    "platform": ("dynamo", "kubeflow", "nim", "runai", "slurm"),
}
_ALIASES_0_20: Final[dict[str, dict[str, str]]] = {
    "service": {"": ANY, ANY: ANY, "self-managed": ANY, "self": ANY, "vanilla": ANY, "openshift": "ocp"},
    "accelerator": {"": ANY, ANY: ANY},
    "intent": {"": ANY, ANY: ANY},
    "os": {"": ANY, ANY: ANY, "al2": "amazonlinux", "al2023": "amazonlinux"},
    "platform": {"": ANY, ANY: ANY},
}
# v1.0 `criteria.go` was not recovered: the values are the v1.0 CLI reference's lists plus
# `oskind.All()` (sles) and the `kueue` platform of the v1beta1 kueue overlays.
_ENUM_1_0: Final[dict[str, tuple[str, ...]]] = {
    "service": ("aks", "bcm", "eks", "generic", "gke", "k0s", "kind", "lke", "metal3", "ocp", "oke", "rke2"),
    "accelerator": ("a100", "b200", "gb200", "gb300", "h100", "h200", "l40", "l40s", "rtx-pro-6000", "vr200"),
    "intent": ("inference", "training"),
    "os": ("amazonlinux", "cos", "ol", "rhel", "sles", "talos", "ubuntu"),
    "platform": ("dynamo", "kubeflow", "kueue", "nim", "runai", "slurm"),
}
_ALIASES_1_0: Final[dict[str, dict[str, str]]] = {
    **_ALIASES_0_20,
    "service": {
        "": ANY,
        ANY: ANY,
        "self-managed": "generic",
        "self": "generic",
        "vanilla": "generic",
        "openshift": "ocp",
    },
}


def _freeze(table: Mapping[str, Mapping[str, str]]) -> Mapping[str, Mapping[str, str]]:
    return MappingProxyType({key: MappingProxyType(dict(value)) for key, value in table.items()})


# --- the versions -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AicrVersion:
    """Everything a catalog's upstream release decides that differs between releases.

    Attributes:
        name: `0.20` or `1.0`, as `--aicr-version` spells it.
        reproduces: The upstream state reproduced, in words.
        enum_values: The criteria values accepted without a catalog, per dimension.
        aliases: Query spellings mapped to a canonical value, per dimension.
        ordinary_api_version: The apiVersion of ordinary overlays, mixins and the registry.
        profile_api_version: The apiVersion of an overlay with `spec.profile` (and only those).
        result_api_version: A resolved recipe's apiVersion.
        configured_result_api_version: A resolved recipe's apiVersion with a profile or configuration.
        overlay_header: Classify an overlay-tree file by `(kind, apiVersion, path)`, or raise `HeaderError`.
        mixin_header: Check a mixin's header before it is decoded, or raise `HeaderError`.
        mixin_parse_failure: Upstream's message for a mixin that is not YAML (`{path}` for its path).
        registry_header: Check a `registry.yaml` header (the catalog's, then a data layer's, before they
            are merged), or raise `HeaderError`; None when the release does not read it.
        mixin_forbidden: ComponentRef fields a mixin may not set on a component the chain has.
        mixin_contributions: What a mixin may contribute to such a component, as upstream says it.
        mixin_override_allowlist: Whether mixin `overrides` are checked against the registry's
            `mixinSafeOverridePaths` (instead of being forbidden outright).
        accepted_ordinary: Header values `check()` accepts for ordinary overlays, mixins and the registry.
        accepted_profile: Header values `check()` accepts for profile overlays.
        superseded_by: The newer reproduced release that refuses this one's headers, or `""`.
        alpha_retired: Whether the alpha apiVersions are retired (v1.0.0): a snapshot without one is
            refused too, refusals name the retirement, and a config's errors name its file. A
            snapshot carries `result_api_version`, a config `ordinary_api_version` (upstream's
            stable and authoring tracks).
    """

    name: str
    reproduces: str
    enum_values: Mapping[str, tuple[str, ...]]
    aliases: Mapping[str, Mapping[str, str]]
    ordinary_api_version: str
    profile_api_version: str
    result_api_version: str
    configured_result_api_version: str
    overlay_header: Callable[[str, str, str], OverlayHeader]
    mixin_header: Callable[[str, str, str], None]
    mixin_parse_failure: str
    registry_header: Callable[[str, str, str], None] | None
    mixin_forbidden: tuple[str, ...]
    mixin_contributions: str
    mixin_override_allowlist: bool
    accepted_ordinary: tuple[str, ...]
    accepted_profile: tuple[str, ...]
    superseded_by: str
    alpha_retired: bool
    parse_table: Mapping[str, Mapping[str, str]] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        table = {
            dimension: {**{value: value for value in self.enum_values[dimension]}, **self.aliases[dimension]}
            for dimension in DIMENSIONS
        }
        object.__setattr__(self, "parse_table", _freeze(table))

    def __repr__(self) -> str:
        return f"AicrVersion({self.name!r})"

    @property
    def result_api_versions(self) -> tuple[str, str]:
        """Both apiVersions a resolved recipe of this release may carry."""
        return (self.result_api_version, self.configured_result_api_version)


#: Identity and sourcing fields a mixin may not set on a component the chain already has, at
#: 9793720d (`mergeMixins`): everything but namespace and the manifest lists.
_MIXIN_FORBIDDEN_0_20: Final = (
    "chart",
    "type",
    "source",
    "version",
    "tag",
    "path",
    "values_file",
    "overrides",
    "patches",
    "dependency_refs",
    "cleanup",
    "expected_resources",
    "health_check_asserts",
    "health_check_skip",
)

V0_20: Final = AicrVersion(
    name="0.20",
    reproduces="upstream main at 9793720d (2026-08-21), three days before v0.20.0",
    enum_values=MappingProxyType(_ENUM_0_20),
    aliases=_freeze(_ALIASES_0_20),
    ordinary_api_version=V1ALPHA2,
    profile_api_version=V1ALPHA3,
    result_api_version=V1ALPHA2,
    configured_result_api_version=V1ALPHA3,
    overlay_header=_ungated_overlay,
    mixin_header=_ungated_mixin,
    mixin_parse_failure="failed to parse mixin {path} (unknown fields are not allowed)",
    registry_header=None,  # 9793720d restamps a registry header (the catalog's or a layer's) unread
    mixin_forbidden=_MIXIN_FORBIDDEN_0_20,
    mixin_contributions="Namespace, ManifestFiles, or PreManifestFiles",
    mixin_override_allowlist=False,
    # Upstream's 0.20 tests require the alpha values; the beta ones are their successors (v0.21+).
    accepted_ordinary=(V1ALPHA2, V1BETA1),
    accepted_profile=(V1ALPHA3, V1BETA2),
    superseded_by="1.0",
    alpha_retired=False,
)

V1_0: Final = AicrVersion(
    name="1.0",
    reproduces="v1.0.0 (recovered header, loader, metadata store and criteria sources; v1.0 CLI reference)",
    enum_values=MappingProxyType(_ENUM_1_0),
    aliases=_freeze(_ALIASES_1_0),
    ordinary_api_version=V1BETA1,
    profile_api_version=V1BETA2,
    result_api_version=V1,
    configured_result_api_version=V1BETA2,
    overlay_header=_gated_overlay,
    mixin_header=_gated_mixin,
    mixin_parse_failure="failed to parse mixin header {path}",  # v1.0 reads the header first
    registry_header=_gated_registry,
    mixin_forbidden=tuple(name for name in _MIXIN_FORBIDDEN_0_20 if name not in ("overrides", "dependency_refs")),
    mixin_contributions=(
        "Namespace, ManifestFiles, PreManifestFiles, DependencyRefs, or registry-allowlisted Overrides paths"
    ),
    mixin_override_allowlist=True,
    accepted_ordinary=(V1BETA1,),
    accepted_profile=(V1BETA2,),
    superseded_by="",
    alpha_retired=True,
)

#: Every reproduced release, by the name `--aicr-version` takes.
AICR_VERSIONS: Final[Mapping[str, AicrVersion]] = MappingProxyType({V0_20.name: V0_20, V1_0.name: V1_0})

#: Header values that say which release a catalog was written for.
_EVIDENCE: Final[Mapping[str, AicrVersion]] = MappingProxyType(
    {V1ALPHA2: V0_20, V1ALPHA3: V0_20, LEGACY_V1ALPHA1: V0_20, V1BETA1: V1_0, V1BETA2: V1_0},
)


def aicr_version(value: object) -> AicrVersion | None:
    """*value* as an `AicrVersion`: a release name (`0.20`, `1.0`, also `v1.0.0`-style), or None for "detect".

    Typed `object`: it guards public entry points, whose callers may pass anything.

    Raises:
        ValueError: the name is not a reproduced release.
        TypeError: *value* is not a string (a float such as `1.0` cannot name `0.20`, which it would read as `0.2`).
    """
    if value is None or isinstance(value, AicrVersion):
        return value
    if not isinstance(value, str):
        msg = (
            f"aicr_version must be a release name such as '1.0' or an AicrVersion, not {type(value).__name__} {value!r}"
        )
        raise TypeError(msg)
    name = value.strip().lower().removeprefix("v")
    for suffix in (".0",):
        if name not in AICR_VERSIONS and name.endswith(suffix):
            name = name.removesuffix(suffix)
    found = AICR_VERSIONS.get(name)
    if found is None:
        msg = f"unknown aicr version {value!r}; expected one of {', '.join(AICR_VERSIONS)}"
        raise ValueError(msg)
    return found


#: At most this many files of each side are named in the mixed-header error (the count gives the rest).
_NAMED: Final = 5


def _some(paths: list[str], display: Callable[[str], str]) -> str:
    shown = ", ".join(map(display, paths[:_NAMED]))
    return shown if len(paths) <= _NAMED else f"{shown} and {len(paths) - _NAMED} more"


def detect(
    headers: Iterable[tuple[str, str]],
    *,
    display: Callable[[str], str] = str,
    locate: Callable[[str], Location | None] = lambda _relative: None,
) -> AicrVersion | None:
    """The release the catalog files' `(path, apiVersion)` headers were written for, or None when none says.

    A mix is reported at the first 0.20 header (*locate* gives its position), the one to migrate.

    Raises:
        RecipeLoadError: files of both releases are mixed; the message lists each side's files.
    """
    sides: dict[str, list[str]] = {}
    for relative, api_version in headers:
        found = _EVIDENCE.get(api_version)
        if found is not None:
            sides.setdefault(found.name, []).append(relative)
    if len(sides) > 1:
        old, new = sides[V0_20.name], sides[V1_0.name]
        msg = (
            f"catalog mixes aicr 0.20 and aicr 1.0 headers: {len(old)} file(s) use "
            f"{V1ALPHA2}/{V1ALPHA3} ({_some(old, display)}) and {len(new)} file(s) use "
            f"{V1BETA1}/{V1BETA2} ({_some(new, display)})"
        )
        raise RecipeLoadError(
            msg,
            location=locate(old[0]),
            hint="a catalog is read as one aicr release: run `l40-recipes migrate --to 1.0 <catalog>` to move "
            "every header to 1.0, or fix the stray files",
        )
    if not sides:
        return None
    return AICR_VERSIONS[next(iter(sides))]
