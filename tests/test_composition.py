"""Mixin composition per aicr release: the 1.0 `mixinSafeOverridePaths` rule, with upstream's test vectors.

Each case names the upstream Go test (NVIDIA/aicr `pkg/recipe`, v1.0 line) whose vector it ports; the
catalogs are tiny aicr 1.0 catalogs written here, with an `nvsentinel` registry entry that allowlists
`global.auditLogging.enabled`, `global.tracing.enabled` and `global.tracing.insecure` as upstream's does.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

import pytest

from l40_recipes import ResolutionError, load_catalog, resolve
from l40_recipes._merge import SpecState

from .conftest import MINIMAL_BASE, MINIMAL_REGISTRY, overlay, write_catalog

if TYPE_CHECKING:
    from pathlib import Path

V1 = "aicr.run/v1beta1"
REGISTRY_1_0 = (
    MINIMAL_REGISTRY.replace("aicr.run/v1alpha2", V1)
    + """\
  - name: nvsentinel
    displayName: NVSentinel
    helm:
      defaultRepository: oci://ghcr.io/nvidia
      defaultChart: nvsentinel
      defaultVersion: v1.20.0
      defaultNamespace: nvsentinel
    mixinSafeOverridePaths:
      - global.auditLogging.enabled
      - global.tracing.enabled
      - global.tracing.insecure
"""
)
BASE_1_0 = MINIMAL_BASE.replace("aicr.run/v1alpha2", V1)
AUDIT_ON = "{global: {auditLogging: {enabled: true}}}"
TRACING_ON = "{global: {tracing: {enabled: true}}}"


def _mixin(name: str, refs: str) -> str:
    return f"kind: RecipeMixin\napiVersion: {V1}\nmetadata:\n  name: {name}\nspec:\n  componentRefs:\n{refs}"


def _catalog(
    tmp_path: Path,
    *,
    chain_ref: str = "- {name: nvsentinel, type: Helm}",
    mixins: dict[str, str],
    files: dict[str, str] | None = None,
    registry: str = REGISTRY_1_0,
) -> Path:
    body = f"mixins: [{', '.join(mixins)}]\n"
    if chain_ref:
        body += "componentRefs:\n  " + chain_ref + "\n"
    extra = {f"mixins/{name}.yaml": _mixin(name, refs) for name, refs in mixins.items()}
    extra.update(files or {})
    return write_catalog(
        tmp_path,
        {"eks": overlay("eks", criteria="service: eks", body=body, api_version=V1)},
        base=BASE_1_0,
        registry=registry,
        extra=extra,
    )


def _nvsentinel_overrides(root: Path) -> dict[str, Any]:
    catalog = load_catalog(root)
    assert catalog.aicr_version.name == "1.0"
    ref = resolve(catalog=catalog, service="eks").component("nvsentinel")
    assert ref is not None
    return dict(ref.overrides or {})


# (id, upstream test, chain componentRef, mixins {name: componentRefs}, files, expected error or None)
CASES: list[tuple[str, str, str, dict[str, str], dict[str, str], str | None]] = [
    (
        "allowlisted-no-existing",
        "TestMixinOverridesSafeForMerge/nvsentinel allowlisted path, no existing overrides -> safe",
        "- {name: nvsentinel, type: Helm}",
        {"m": f"    - {{name: nvsentinel, overrides: {AUDIT_ON}}}\n"},
        {},
        None,
    ),
    (
        "allowlisted-non-colliding",
        "TestMixinOverridesSafeForMerge/nvsentinel allowlisted path, non-colliding existing override -> safe",
        f"- {{name: nvsentinel, type: Helm, overrides: {AUDIT_ON}}}",
        {"m": f"    - {{name: nvsentinel, overrides: {TRACING_ON}}}\n"},
        {},
        None,
    ),
    (
        "unrelated-component",
        "TestMixinOverridesSafeForMerge/arbitrary override on an unrelated component (gpu-operator.driver.enabled)",
        "",
        {"m": "    - {name: gpu-operator, overrides: {driver: {enabled: false}}}\n"},
        {},
        'sets overrides path "driver.enabled", which is not in the component\'s registry-declared '
        "mixinSafeOverridePaths allowlist []",
    ),
    (
        "outside-allowlist",
        "TestMixinOverridesSafeForMerge/nvsentinel path outside the allowlist (tracing.endpoint) -> rejected",
        "- {name: nvsentinel, type: Helm}",
        {"m": "    - {name: nvsentinel, overrides: {global: {tracing: {endpoint: 'sneaky.example:4317'}}}}\n"},
        {},
        "allowlist [global.auditLogging.enabled global.tracing.enabled global.tracing.insecure]",
    ),
    (
        "exact-collision",
        "TestMixinOverridesSafeForMerge/exact collision with an existing (leaf or earlier-mixin) path",
        "- {name: nvsentinel, type: Helm, overrides: {global: {tracing: {enabled: false}}}}",
        {"m": f"    - {{name: nvsentinel, overrides: {TRACING_ON}}}\n"},
        {},
        'overrides path "global.tracing.enabled" collides with path "global.tracing.enabled"',
    ),
    (
        "ancestor-collision",
        "TestMixinOverridesSafeForMerge/existing sets ancestor path, mixin sets descendant -> rejected",
        "- {name: nvsentinel, type: Helm, overrides: {global: {tracing: not-a-map}}}",
        {"m": f"    - {{name: nvsentinel, overrides: {TRACING_ON}}}\n"},
        {},
        'collides with path "global.tracing"',
    ),
    (
        "empty-map-ancestor",
        "TestMixinOverridesSafeForMerge_RejectsEmptyMapAnywhere/empty map at an ancestor of an allowlisted path",
        "- {name: nvsentinel, type: Helm}",
        {"m": "    - {name: nvsentinel, overrides: {global: {auditLogging: {}}}}\n"},
        {},
        'path "global.auditLogging" is an empty map ({})',
    ),
    (
        "empty-map-leaf",
        "TestMixinOverridesSafeForMerge_RejectsEmptyMapAnywhere/empty map at an allowlisted leaf path itself",
        "- {name: nvsentinel, type: Helm}",
        {"m": "    - {name: nvsentinel, overrides: {global: {auditLogging: {enabled: {}}}}}\n"},
        {},
        'path "global.auditLogging.enabled" is an empty map',
    ),
    (
        "leaf-collision",
        "TestMixinNVSentinelObservability_RejectsLeafCollision",
        "- {name: nvsentinel, type: Helm, overrides: {global: {tracing: {enabled: true, "
        "endpoint: 'leaf-already-configured.example:4317'}}}}",
        {"m": "    - {name: nvsentinel, overrides: {global: {tracing: {enabled: true, insecure: false}}}}\n"},
        {},
        "collides with path",
    ),
    (
        "multi-mixin-collision",
        "TestMixinNVSentinelObservability_RejectsMultiMixinCollision",
        "- {name: nvsentinel, type: Helm}",
        {
            "first": f"    - {{name: nvsentinel, overrides: {TRACING_ON}}}\n",
            "second": f"    - {{name: nvsentinel, overrides: {TRACING_ON}}}\n",
        },
        {},
        'mixin "second" component "nvsentinel" overrides path "global.tracing.enabled" collides',
    ),
    (
        "duplicate-ref",
        "TestMergeMixins_RejectsDuplicateComponentRefNameWithinOneMixin",
        "- {name: nvsentinel, type: Helm}",
        {
            "m": f"    - {{name: nvsentinel, overrides: {TRACING_ON}}}\n"
            "    - {name: nvsentinel, overrides: {global: {tracing: {enabled: false}}}}\n"
        },
        {},
        'declares component "nvsentinel" more than once in its own componentRefs list',
    ),
    (
        "values-file-collision",
        "TestMergeMixins_DetectsValuesFileCollision",
        "- {name: nvsentinel, type: Helm, valuesFile: values/nvsentinel-existing.yaml}",
        {"m": f"    - {{name: nvsentinel, overrides: {AUDIT_ON}}}\n"},
        {"values/nvsentinel-existing.yaml": "global:\n  auditLogging:\n    enabled: false\n"},
        "collides with path",
    ),
    (
        "base-values-collision",
        "TestMergeMixins_DetectsBaseValuesFileCollision",
        "- {name: nvsentinel, type: Helm, valuesFile: values/nvsentinel-overlay.yaml}",
        {"m": f"    - {{name: nvsentinel, overrides: {AUDIT_ON}}}\n"},
        {
            "components/nvsentinel/values.yaml": "global:\n  auditLogging:\n    enabled: false\n",
            "values/nvsentinel-overlay.yaml": "global:\n  tracing:\n    insecure: false\n",
        },
        "collides with path",
    ),
    (
        "values-file-is-the-base-file",
        "TestMergeMixins_DetectsBaseValuesFileCollision (a valuesFile that is the base values.yaml, read once)",
        "- {name: nvsentinel, type: Helm, valuesFile: components/nvsentinel/values.yaml}",
        {"m": f"    - {{name: nvsentinel, overrides: {AUDIT_ON}}}\n"},
        {"components/nvsentinel/values.yaml": "global:\n  auditLogging:\n    enabled: false\n"},
        'collides with path "global.auditLogging.enabled"',
    ),
    (
        "new-component-not-allowlisted",
        "TestMergeMixins_ValidatesOverridesOnNewlyIntroducedComponent",
        "",
        {"m": "    - {name: nvsentinel, type: Helm, overrides: {global: {tracing: {endpoint: 'sneaky:4317'}}}}\n"},
        {},
        "global.tracing.endpoint",
    ),
    (
        "two-mixins-introduce-then-extend",
        "TestMergeMixins_DoesNotCorruptCachedMixinOnSecondMixin",
        "",
        {
            "introduces-nvsentinel": f"    - {{name: nvsentinel, type: Helm, overrides: {AUDIT_ON}}}\n",
            "adds-tracing": f"    - {{name: nvsentinel, overrides: {TRACING_ON}}}\n",
        },
        {},
        None,
    ),
    (
        "null-cleared-collides",
        "TestMergeMixins_NullClearedPathStillCollides",
        "- {name: nvsentinel, type: Helm, valuesFile: values/existing.yaml, "
        "overrides: {global: {auditLogging: {enabled: null}}}}",
        {"m": f"    - {{name: nvsentinel, overrides: {AUDIT_ON}}}\n"},
        {"values/existing.yaml": "global:\n  auditLogging:\n    enabled: true\n    maxSizeMB: 50\n"},
        "collides with path",
    ),
    (
        "unrelated-dotted-key",
        "TestMergeMixins_UnrelatedDottedKeyDoesNotBreakComposition",
        "- {name: nvsentinel, type: Helm, valuesFile: values/existing.yaml}",
        {"m": f"    - {{name: nvsentinel, overrides: {AUDIT_ON}}}\n"},
        {"values/existing.yaml": "podAnnotations:\n  example.com/key: value\n"},
        None,
    ),
    (
        "empty-map-ancestor-in-chain",
        "TestMergeMixins_EmptyMapAncestorStillCollides",
        "- {name: nvsentinel, type: Helm, overrides: {global: {auditLogging: {}}}}",
        {"m": f"    - {{name: nvsentinel, overrides: {AUDIT_ON}}}\n"},
        {},
        'collides with path "global.auditLogging"',
    ),
    (
        "structural-only-skips-values",
        "TestMergeMixins_StructuralOnlyMixinSkipsValuesFileIO",
        "- {name: nvsentinel, type: Helm, valuesFile: values/does-not-exist.yaml}",
        {"m": "    - {name: nvsentinel, namespace: privileged-nvsentinel}\n"},
        {},
        None,
    ),
    (
        "unregistered-new-component-free",
        "TestMergeMixins_UnregisteredNewComponentOverridesStayFree",
        "",
        {
            "m": "    - {name: my-addon, type: Helm, chart: my-addon, source: 'oci://ghcr.io/example', version: v1.0.0, "
            "overrides: {replicaCount: 3}}\n"
        },
        {},
        None,
    ),
    (
        "values-file-on-new-registered",
        "TestMergeMixins_RejectsValuesFileOnNewRegisteredComponent/valuesFile only, no inline overrides",
        "",
        {"m": "    - {name: nvsentinel, type: Helm, valuesFile: values/sneaky.yaml}\n"},
        {"values/sneaky.yaml": "global:\n  tracing:\n    endpoint: sneaky.example:4317\n"},
        'sets valuesFile "values/sneaky.yaml" while introducing an allowlisted component',
    ),
    (
        "values-file-with-overrides-on-new-registered",
        "TestMergeMixins_RejectsValuesFileOnNewRegisteredComponent/alongside allowlisted inline overrides",
        "",
        {"m": f"    - {{name: nvsentinel, type: Helm, valuesFile: values/sneaky.yaml, overrides: {TRACING_ON}}}\n"},
        {"values/sneaky.yaml": "global:\n  tracing:\n    endpoint: sneaky.example:4317\n"},
        "valuesFile",
    ),
    (
        "dotted-key",
        "mixinOverridesSafeForMerge (overrideLeafPaths): keys must be nonempty and dot-free",
        "- {name: nvsentinel, type: Helm}",
        {"m": "    - {name: nvsentinel, overrides: {global.tracing: {enabled: true}}}\n"},
        {},
        'override key "global.tracing" must be nonempty and may not contain a literal dot',
    ),
    (
        "health-check-skip-is-identity",
        "mixinComponentRefSafeForMerge: healthCheckSkip is an identity field",
        "- {name: nvsentinel, type: Helm}",
        {"m": "    - {name: nvsentinel, healthCheckSkip: true}\n"},
        {},
        'sets identity/sourcing field "healthCheckSkip" which conflicts with the inheritance chain; mixins may '
        "only contribute Namespace, ManifestFiles, PreManifestFiles, DependencyRefs, or registry-allowlisted "
        "Overrides paths to an existing component",
    ),
]


@pytest.mark.parametrize(
    ("chain_ref", "mixins", "files", "expected"),
    [pytest.param(*case[2:], id=case[0]) for case in CASES],
)
def test_mixin_rule_at_1_0(
    tmp_path: Path, chain_ref: str, mixins: dict[str, str], files: dict[str, str], expected: str | None
) -> None:
    """Each vector composes or fails as upstream's test expects, with upstream's message."""
    root = _catalog(tmp_path, chain_ref=chain_ref, mixins=mixins, files=files)
    if expected is None:
        resolve(catalog=load_catalog(root), service="eks")
        return
    with pytest.raises(ResolutionError) as caught:
        resolve(catalog=load_catalog(root), service="eks")
    assert expected in caught.value.message
    assert caught.value.location is not None
    assert caught.value.location.path.endswith(".yaml")


def test_cases_name_their_upstream_test() -> None:
    assert all(case[1] for case in CASES)
    assert len({case[0] for case in CASES}) == len(CASES)


def test_allowlisted_overrides_are_merged(tmp_path: Path) -> None:
    """TestMixinNVSentinelObservability_ComposesCleanly: the mixin's values reach the component."""
    root = _catalog(
        tmp_path,
        chain_ref=f"- {{name: nvsentinel, type: Helm, overrides: {AUDIT_ON}}}",
        mixins={"m": "    - {name: nvsentinel, overrides: {global: {tracing: {enabled: true, insecure: false}}}}\n"},
    )
    assert _nvsentinel_overrides(root) == {
        "global": {"auditLogging": {"enabled": True}, "tracing": {"enabled": True, "insecure": False}},
    }


def test_a_leaf_supplying_only_the_endpoint_composes(tmp_path: Path) -> None:
    """TestMixinNVSentinelObservability_LeafSuppliesEndpoint: sibling paths under one parent do not collide."""
    endpoint = "otel-collector.example:4317"
    root = _catalog(
        tmp_path,
        chain_ref=f"- {{name: nvsentinel, type: Helm, overrides: {{global: {{tracing: {{endpoint: '{endpoint}'}}}}}}}}",
        mixins={"m": "    - {name: nvsentinel, overrides: {global: {tracing: {enabled: true, insecure: false}}}}\n"},
    )
    assert _nvsentinel_overrides(root) == {
        "global": {"tracing": {"endpoint": endpoint, "enabled": True, "insecure": False}},
    }


def test_an_unreadable_base_values_file_fails_the_composition(tmp_path: Path) -> None:
    """TestMergeMixins_PropagatesTransientBaseValuesReadError: a base values.yaml that exists but cannot be read
    (here a directory) is an error, not "no base layer", which would hide a path it sets from the collision check.
    """
    root = _catalog(
        tmp_path,
        chain_ref="- {name: nvsentinel, type: Helm, valuesFile: values/overlay.yaml}",
        mixins={"m": f"    - {{name: nvsentinel, overrides: {AUDIT_ON}}}\n"},
        files={"values/overlay.yaml": "global:\n  tracing:\n    insecure: false\n"},
    )
    (root / "components" / "nvsentinel" / "values.yaml").mkdir(parents=True)
    with pytest.raises(ResolutionError) as caught:
        resolve(catalog=load_catalog(root), service="eks")
    error = caught.value
    assert error.upstream_text.startswith(
        '[INTERNAL] read values file "components/nvsentinel/values.yaml" for component "nvsentinel" mixin collision check'
    )
    assert "is a directory" in error.upstream_text
    (root / "components" / "nvsentinel" / "values.yaml").rmdir()  # absent: no base layer, composes
    assert _nvsentinel_overrides(root)["global"]["auditLogging"] == {"enabled": True}


def test_disabled_target_only_warns(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    """TestMixinOverridesSafeForMerge_DisabledTargetDoesNotBlock: a disabled component warns, not errors."""
    root = _catalog(
        tmp_path,
        chain_ref="- {name: nvsentinel, type: Helm, overrides: {enabled: false}}",
        mixins={"nvsentinel-observability": f"    - {{name: nvsentinel, overrides: {TRACING_ON}}}\n"},
    )
    with caplog.at_level(logging.WARNING, logger="l40_recipes"):
        overrides = _nvsentinel_overrides(root)
    assert overrides["enabled"] is False
    assert 'mixin "nvsentinel-observability" sets overrides on component "nvsentinel"' in caplog.text
    assert "already disables (overrides.enabled: false)" in caplog.text


def test_enabled_target_does_not_warn(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    root = _catalog(
        tmp_path,
        chain_ref="- {name: nvsentinel, type: Helm, overrides: {enabled: true}}",
        mixins={"m": f"    - {{name: nvsentinel, overrides: {TRACING_ON}}}\n"},
    )
    with caplog.at_level(logging.WARNING, logger="l40_recipes"):
        _nvsentinel_overrides(root)
    assert "already disables" not in caplog.text


def test_dependency_refs_union_at_1_0_only(tmp_path: Path) -> None:
    """1.0 adds dependencyRefs to what a mixin may contribute (union-merged); 0.20 refuses it."""
    mixins = {"m": "    - {name: gpu-operator, dependencyRefs: [nvsentinel]}\n"}
    root = _catalog(tmp_path / "v1", mixins=mixins)
    ref = resolve(catalog=load_catalog(root), service="eks").component("gpu-operator")
    assert ref is not None
    assert ref.dependency_refs == ["cert-manager", "nvsentinel"]
    old = _catalog(tmp_path / "v0", mixins=mixins)
    with pytest.raises(ResolutionError, match='sets identity/sourcing field "dependencyRefs"'):
        resolve(catalog=load_catalog(old, aicr_version="0.20"), service="eks")


def test_missing_values_file_is_an_internal_error(tmp_path: Path) -> None:
    """A values file the collision check must read but cannot is an error, never a skipped layer."""
    root = _catalog(
        tmp_path,
        chain_ref="- {name: nvsentinel, type: Helm, valuesFile: values/missing.yaml}",
        mixins={"m": f"    - {{name: nvsentinel, overrides: {AUDIT_ON}}}\n"},
    )
    with pytest.raises(ResolutionError, match=r'read values file "values/missing\.yaml"') as caught:
        resolve(catalog=load_catalog(root), service="eks")
    assert caught.value.exit_code == 8


def test_unparsable_values_file_is_an_internal_error(tmp_path: Path) -> None:
    root = _catalog(
        tmp_path,
        chain_ref="- {name: nvsentinel, type: Helm, valuesFile: values/broken.yaml}",
        mixins={"m": f"    - {{name: nvsentinel, overrides: {AUDIT_ON}}}\n"},
        files={"values/broken.yaml": "a: [\n"},
    )
    with pytest.raises(ResolutionError, match=r'parse values file "values/broken\.yaml"'):
        resolve(catalog=load_catalog(root), service="eks")


def test_scalar_values_file_is_an_empty_layer(tmp_path: Path) -> None:
    root = _catalog(
        tmp_path,
        chain_ref="- {name: nvsentinel, type: Helm, valuesFile: values/scalar.yaml}",
        mixins={"m": f"    - {{name: nvsentinel, overrides: {AUDIT_ON}}}\n"},
        files={"values/scalar.yaml": "just a string\n"},
    )
    assert _nvsentinel_overrides(root) == {"global": {"auditLogging": {"enabled": True}}}


def test_each_link_of_a_deep_chain_is_merged_once_across_its_candidates(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Resolving every overlay of a 300-deep chain, each the last candidate after a shallow one, merges
    each link a bounded number of times in all (it was once per descendant: 45,000 merges, 25 s at 2,000).
    """
    depth = 300
    # `shared` matches every query and is no ancestor of the chain: each query's first candidate
    files = {"eks": overlay("eks", criteria="service: eks"), "shared": overlay("shared", criteria="service: any")}
    for index in range(depth):
        parent = "eks" if index == 0 else f"c{index - 1:03}"
        files[f"c{index:03}"] = overlay(f"c{index:03}", base=parent, criteria=f"service: eks, platform: p{index}")
    catalog = load_catalog(write_catalog(tmp_path, files))
    merges = 0
    original = SpecState.merge

    def counting(self: SpecState, *args: Any) -> None:
        nonlocal merges
        merges += 1
        original(self, *args)

    monkeypatch.setattr(SpecState, "merge", counting)
    for index in range(depth):
        result = resolve(catalog=catalog, service="eks", platform=f"p{index}")
        assert result.metadata.applied_overlays[-1] == f"c{index:03}"
        assert result.metadata.applied_overlays[:2] == ["base", "shared"]
        assert len(result.metadata.applied_overlays) == index + 4  # base, shared, eks, c000 .. c<index>
    assert merges <= 3 * depth


def test_a_mixin_is_located_only_for_an_error(tmp_path: Path) -> None:
    """Composing names where each mixin came from without reading positions a catalog defers."""
    root = _catalog(tmp_path, chain_ref="", mixins={"m": "    - {name: nvsentinel, type: Helm}\n"})
    catalog = load_catalog(root)
    assert resolve(catalog=catalog, service="eks").component("nvsentinel") is not None
    assert catalog.overlays["eks"].source._fill is not None  # its positions were never read
