"""Configuration profiles: selection, application, ownership and their errors."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from l40_recipes import Catalog, ResolutionError, resolve
from l40_recipes._models import ProfileDeclaration, RecipeMetadata
from l40_recipes._profiles import owned_paths, ownership_conflict, parse_selection, validate_metadata_profile

from .conftest import needs_shared, overlay, write_catalog

if TYPE_CHECKING:
    from pathlib import Path
    from typing import Any

AKS = {"service": "aks", "accelerator": "h100", "intent": "training"}


@needs_shared
def test_default_and_explicit_selection(upstream: Catalog) -> None:
    """The default value applies without --profile; an explicit value replaces it; both stamp v1alpha3."""
    default = resolve(catalog=upstream, **AKS)
    assert default.api_version == "aicr.run/v1alpha3"
    assert default.metadata.selected_profile is not None
    assert (default.metadata.selected_profile.name, default.metadata.selected_profile.value) == (
        "gpuStack",
        "azure-managed",
    )
    chosen = resolve(catalog=upstream, profile="gpuStack=operator-managed", **AKS)
    assert chosen.metadata.selected_profile is not None
    assert chosen.metadata.selected_profile.value == "operator-managed"
    assert "enabled" in chosen.metadata.selected_profile.owned_paths["gpu-operator"]
    gpu = chosen.component("gpu-operator")
    assert gpu is not None
    assert gpu.overrides is not None
    assert gpu.overrides["driver"]["enabled"] is True


@needs_shared
@pytest.mark.parametrize(
    ("profile", "query", "message"),
    [
        (
            "gpuStack=nope",
            AKS,
            'profile "gpuStack" has no value "nope"; valid values: [azure-managed operator-managed]',
        ),
        ("other=x", AKS, 'resolved composition declares profile "gpuStack", not "other"'),
        ("gpuStack=x", {"service": "eks", "accelerator": "h100", "intent": "training"}, "declares no profile"),
        ("bad", AKS, "profile must use the exact name=value form"),
        ("a=b c", AKS, "profile name and value must match"),
    ],
)
def test_selection_errors(upstream: Catalog, profile: str, query: dict[str, str], message: str) -> None:
    """Wrong names, unknown values and malformed selections fail with upstream's messages."""
    with pytest.raises(ResolutionError) as caught:
        resolve(catalog=upstream, profile=profile, **query)
    assert message in caught.value.message


def test_parse_selection() -> None:
    """An empty selection means the default."""
    assert parse_selection(None) is None
    assert parse_selection("a=b") == ("a", "b")


def _declaration(values: dict[str, Any], default: str = "a") -> ProfileDeclaration:
    return ProfileDeclaration.model_validate({"name": "p", "default": default, "values": values})


@pytest.mark.parametrize(
    ("values", "default", "message"),
    [
        ({}, "a", "must declare at least one value"),
        ({"a": {}}, "b", 'default "b" is not a declared value'),
        ({"a": {}, "A": {}}, "a", "differ only by case"),
        ({"a": {"componentRefs": [{"name": "x", "overrides": {"k": 1}}]}, "b": {}}, "a", "violates union totality"),
        (
            {"a": {"componentRefs": [{"name": "x", "overrides": {"enabled": True}}]}},
            "a",
            "may not assign overrides.enabled",
        ),
        ({"a": {"componentRefs": [{"name": "x", "overrides": {"k": {}}}]}}, "a", "assigns an empty map"),
        ({"a": {"componentRefs": [{"name": "x", "overrides": {"a.b": 1}}]}}, "a", "may not contain a literal dot"),
        ({"a": {"constraints": [{"name": "c"}]}}, "a", "has no value"),
        ({"a": {"advertiser": "internal"}}, "a", 'unknown advertiser "internal"'),
        ({"a": {"componentRefs": [{"name": "x"}, {"name": "x"}]}}, "a", 'repeats componentRef "x"'),
        ({"a": {"componentRefs": [{"name": "x", "overrides": {"k": 2**60}}]}}, "a", "round-trip-safe"),
    ],
)
def test_declaration_validation(values: dict[str, Any], default: str, message: str) -> None:
    """Invalid declarations fail as upstream's ValidateProfileDeclaration fails."""
    with pytest.raises(ResolutionError, match=message.replace("(", r"\(").replace("[", r"\[")):
        owned_paths(_declaration(values, default))


def test_owned_paths_include_enabled() -> None:
    """Owned paths are the flattened override paths of all values plus `enabled`, sorted."""
    declaration = _declaration(
        {
            "a": {"componentRefs": [{"name": "x", "overrides": {"k": {"m": 1, "n": [1]}}}]},
            "b": {"componentRefs": [{"name": "x", "overrides": {"k": {"m": 2, "n": [2]}}}]},
        },
    )
    assert owned_paths(declaration) == {"x": ["enabled", "k.m", "k.n"]}


@pytest.mark.parametrize(
    ("declaration", "message"),
    [
        ({"name": "bad name", "default": "a", "values": {"a": {}}}, "profile name must match"),
        ({"name": "p", "default": "", "values": {"a": {}}}, "profile default must match"),
        ({"name": "p", "default": "a", "values": {"a": {}, "b c": {}}}, 'profile value "b c" must match'),
        ({"name": "p", "default": "a", "values": {"a": {"constraints": [{"value": "1"}]}}}, "constraint with no name"),
        (
            {"name": "p", "default": "a", "values": {"a": {"constraints": [{"name": "c", "value": "1"}] * 2}}},
            'repeats constraint "c"',
        ),
        ({"name": "p", "default": "a", "values": {"a": {"componentRefs": [{"name": ""}]}}}, "empty name"),
        (
            {
                "name": "p",
                "default": "a",
                "values": {"a": {"componentRefs": [{"name": "x", "overrides": {"k": float("nan")}}]}},
            },
            "non-finite float",
        ),
        (
            {
                "name": "p",
                "default": "a",
                "values": {"a": {"componentRefs": [{"name": "x", "overrides": {"k": 2.0**60}}]}},
            },
            "integer-valued float",
        ),
        (
            {
                "name": "p",
                "default": "a",
                "values": {"a": {"componentRefs": [{"name": "x", "overrides": {"k": [{"n": 2**60}]}}]}},
            },
            "round-trip-safe",
        ),
    ],
)
def test_more_declaration_errors(declaration: dict[str, Any], message: str) -> None:
    """Identifier, constraint, componentRef and scalar-range rules of a declaration."""
    with pytest.raises(ResolutionError, match=message):
        owned_paths(ProfileDeclaration.model_validate(declaration))


def test_profile_requires_v1alpha3_and_v1alpha3_requires_profile() -> None:
    """A profile under v1alpha2, or v1alpha3 without a profile, is invalid."""
    declared = {"name": "p", "default": "a", "values": {"a": {}}}
    with pytest.raises(ResolutionError, match=r"declares spec\.profile but uses apiVersion"):
        validate_metadata_profile(
            RecipeMetadata.model_validate({"apiVersion": "aicr.run/v1alpha2", "spec": {"profile": declared}})
        )
    with pytest.raises(ResolutionError, match=r"has no spec\.profile declaration"):
        validate_metadata_profile(RecipeMetadata.model_validate({"apiVersion": "aicr.run/v1alpha3"}))


def test_ownership_conflict() -> None:
    """Intersecting owned paths of two owners conflict; disjoint ones do not."""
    conflict = ownership_conflict("profile p=a", {"x": ["a.b"]}, "mode", {"x": ["a"]})
    assert conflict is not None
    assert "configuration ownership conflict" in conflict.message
    assert ownership_conflict("p", {"x": ["a.b"]}, "m", {"x": ["a.c"], "y": ["a"]}) is None


def test_profile_may_not_own_kustomize_values(tmp_path: Path) -> None:
    """A profile owning override paths of a Kustomize component is rejected."""
    registry = "kind: ComponentRegistry\ncomponents:\n  - name: k\n    displayName: K\n    kustomize: {defaultSource: s, defaultPath: p}\n"
    base = "kind: RecipeMetadata\nmetadata: {name: base}\nspec:\n  componentRefs:\n    - name: k\n"
    profile = "profile:\n  name: p\n  default: a\n  values:\n    a:\n      componentRefs:\n        - name: k\n          overrides: {x: 1}\n"
    root = write_catalog(
        tmp_path,
        {"one": overlay("one", criteria="service: eks", body=profile, api_version="aicr.run/v1alpha3")},
        base=base,
        registry=registry,
    )
    with pytest.raises(ResolutionError, match="does not consume values overrides"):
        resolve(service="eks", catalog=root)
