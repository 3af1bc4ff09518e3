"""Per-release semantics: choosing 0.20 or 1.0, the 1.0 header gates, criteria and results, and v1.0 acceptance.

Upstream vectors are ported from NVIDIA/aicr tests of the v1.0 line, named at each test. The
acceptance tests read the 9793720d catalog and goldens from `$L40_RECIPES_UPSTREAM` (default
`../shared/upstream-aicr`) and skip when it is absent; they migrate a copy in tmp, never the original.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from l40_recipes import Catalog, CoverageError, CriteriaError, RecipeError, RecipeLoadError, load_catalog, resolve
from l40_recipes._check import check
from l40_recipes._components import check_coherence
from l40_recipes._criteria import build_query, matches, parse_dimension
from l40_recipes._migrate import migrate
from l40_recipes._models import Criteria
from l40_recipes._result import (
    RecipeConfiguration,
    RecipeResult,
    SlurmAccountingConfiguration,
    SlurmConfiguration,
)
from l40_recipes._semantics import (
    AICR_VERSIONS,
    V0_20,
    V1_0,
    aicr_version,
    retirement_note,
)

from .conftest import MINIMAL_BASE, MINIMAL_REGISTRY, REPO, needs_shared, overlay, require_upstream, write_catalog

UPSTREAM_ROOT = Path(os.environ.get("L40_RECIPES_UPSTREAM", str(REPO.parent / "shared" / "upstream-aicr")))
RECIPES_9793720D = UPSTREAM_ROOT / "9793720d" / "recipes"
GOLDENS_9793720D = UPSTREAM_ROOT / "9793720d" / "goldens"
needs_upstream = needs_shared

BETA1, BETA2 = "aicr.run/v1beta1", "aicr.run/v1beta2"


def _v1(text: str) -> str:
    return text.replace("aicr.run/v1alpha2", BETA1)


def _catalog_1_0(
    root: Path, overlays: dict[str, str] | None = None, *, registry: str = _v1(MINIMAL_REGISTRY), **kwargs: Any
) -> Path:
    files = overlays if overlays is not None else {"eks": overlay("eks", criteria="service: eks", api_version=BETA1)}
    return write_catalog(root, files, base=_v1(MINIMAL_BASE), registry=registry, **kwargs)


# --- choosing a release -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [("0.20", V0_20), ("1.0", V1_0), ("v1.0.0", V1_0), ("1.0.0", V1_0), (" 0.20.0 ", V0_20), (None, None)],
)
def test_release_names(name: str | None, expected: object) -> None:
    assert aicr_version(name) is expected
    assert aicr_version(V1_0) is V1_0


def test_unknown_release_is_refused() -> None:
    with pytest.raises(ValueError, match=r"unknown aicr version '2\.0'; expected one of 0\.20, 1\.0"):
        aicr_version("2.0")
    assert list(AICR_VERSIONS) == ["0.20", "1.0"]
    assert repr(V1_0) == "AicrVersion('1.0')"


@pytest.mark.parametrize("value", [1.0, 0.2, 1])
def test_a_release_given_as_a_number_is_a_type_error_not_a_crash(tmp_path: Path, value: object) -> None:
    with pytest.raises(TypeError, match=r"aicr_version must be a release name such as '1\.0' or an AicrVersion"):
        load_catalog(tmp_path, aicr_version=value)  # type: ignore[arg-type]


def test_headers_choose_the_release(tmp_path: Path) -> None:
    """v1beta1/v1beta2 → 1.0; the alpha values → 0.20; no AICR header at all → 0.20 by default."""
    new = load_catalog(_catalog_1_0(tmp_path / "new"))
    assert (new.aicr_version, new.aicr_version_source) == (V1_0, "detected")
    old = load_catalog(write_catalog(tmp_path / "old", {"eks": overlay("eks", criteria="service: eks")}))
    assert (old.aicr_version, old.aicr_version_source) == (V0_20, "detected")
    plain = write_catalog(
        tmp_path / "plain",
        {"eks": overlay("eks", criteria="service: eks", api_version="example.com/v1")},
        base=MINIMAL_BASE.replace("aicr.run/v1alpha2", "example.com/v1"),
        registry=MINIMAL_REGISTRY.replace("aicr.run/v1alpha2", "example.com/v1"),
    )
    unmarked = load_catalog(plain)
    assert (unmarked.aicr_version, unmarked.aicr_version_source) == (V0_20, "default")
    forced = load_catalog(tmp_path / "new", aicr_version="1.0")
    assert forced.aicr_version_source == "forced"


def test_mixed_headers_are_one_error_listing_both_sides(tmp_path: Path) -> None:
    root = _catalog_1_0(
        tmp_path, {"eks": overlay("eks", criteria="service: eks"), "gke": overlay("gke", api_version=BETA1)}
    )
    with pytest.raises(RecipeLoadError) as caught:
        load_catalog(root)
    message = caught.value.message
    assert caught.value.location is not None
    assert caught.value.location.path.endswith("overlays/eks.yaml")
    assert caught.value.location.line == 2
    assert message.startswith("catalog mixes aicr 0.20 and aicr 1.0 headers: 1 file(s) use")
    assert f"{root}/overlays/eks.yaml" in message
    assert f"{root}/overlays/base.yaml, {root}/overlays/gke.yaml, {root}/registry.yaml" in message
    assert "l40-recipes migrate --to 1.0" in (caught.value.hint or "")
    report = check(root)
    assert any("catalog mixes aicr 0.20 and aicr 1.0" in finding.message for finding in report.errors)


# --- v1.0 headers (pkg/header, metadata_store.go) -----------------------------------------------


@pytest.mark.parametrize("retired", ["aicr.run/v1alpha2", "aicr.run/v1alpha3"])
def test_retirement_note_names_the_value_and_the_release(retired: str) -> None:
    """Ported: pkg/header TestRetirementNoteNamesTheValueAndTheRelease and TestRetirementNoteIsAppendable."""
    note = retirement_note(retired)
    assert note == f" ({retired} was retired in v1.0.0)"


@pytest.mark.parametrize("value", ["", "aicr.run/v1", BETA1, BETA2, "aicr.run/v1alpha4", "example.com/v1", "garbage"])
def test_retirement_note_is_silent_for_everything_else(value: str) -> None:
    """Ported: pkg/header TestRetirementNoteIsSilentForEverythingElse and ...MakesNoClaimAboutTheAbsentHeader."""
    assert retirement_note(value) == ""


def _load_error(root: Path, **kwargs: Any) -> RecipeLoadError:
    with pytest.raises(RecipeLoadError) as caught:
        load_catalog(root, **kwargs)
    return caught.value


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            overlay("eks", api_version="aicr.run/v1alpha2"),
            'RecipeMetadata file overlays/eks.yaml has apiVersion "aicr.run/v1alpha2" (aicr.run/v1alpha2 was '
            'retired in v1.0.0), expected "aicr.run/v1beta1" or "aicr.run/v1beta2"; update the catalog header '
            "for this aicr release",
            id="retired-alpha",
        ),
        pytest.param(
            overlay("eks", api_version="aicr.nvidia.com/v1alpha1"),
            'RecipeMetadata file overlays/eks.yaml has apiVersion "aicr.nvidia.com/v1alpha1", expected',
            id="never-valid-legacy-no-note",
        ),
        pytest.param(
            overlay("eks", api_version='""'),
            'RecipeMetadata file overlays/eks.yaml has apiVersion "", expected "aicr.run/v1beta1" or '
            '"aicr.run/v1beta2"; update the catalog header for this aicr release',
            id="empty-apiVersion",
        ),
        pytest.param(
            overlay("eks", api_version=BETA1).replace("kind: RecipeMetadata", "kind: Recipemetadata"),
            'AICR catalog file overlays/eks.yaml has kind "Recipemetadata", expected "RecipeMetadata"; fix the '
            "wire kind or move the unrelated document outside the recipe catalog",
            id="wrong-kind",
        ),
        pytest.param(
            overlay("eks", api_version=BETA1).replace("kind: RecipeMetadata\n", ""),
            'AICR catalog file overlays/eks.yaml has kind "", expected "RecipeMetadata"',
            id="kind-required",
        ),
    ],
)
def test_overlay_headers_fail_closed(tmp_path: Path, text: str, expected: str) -> None:
    """Ported: metadata_store.go classifyRecipeMetadataCatalogHeader (the errors its catalog tests expect)."""
    error = _load_error(_catalog_1_0(tmp_path, {"eks": text}), aicr_version="1.0")
    assert error.message.startswith(expected)
    assert error.code.value == "INVALID_REQUEST"
    assert error.location is not None
    assert error.location.path.endswith("overlays/eks.yaml")


def test_unrelated_yaml_and_other_aicr_kinds_are_skipped(tmp_path: Path) -> None:
    """`isKnownNonMetadataAICRKind` kinds and non-AICR documents in the tree are not recipes (and not errors)."""
    files = {
        "eks": overlay("eks", criteria="service: eks", api_version=BETA1),
        "result": "kind: RecipeResult\napiVersion: aicr.run/v1\n",
        "config": "kind: ConfigMap\napiVersion: v1\nmetadata: {name: x}\n",
        "bare": "just: yaml\n",
    }
    catalog = load_catalog(_catalog_1_0(tmp_path, files))
    assert sorted(catalog.overlays) == ["eks"]


def test_profile_track_both_ways(tmp_path: Path) -> None:
    """`spec.profile` ⇔ `aicr.run/v1beta2`: the legacy apiVersion with a profile is left for the loader to refuse."""
    profile = """\
        profile:
          name: gpuStack
          default: managed
          values:
            managed: {}
    """
    with_profile = overlay("eks", criteria="service: eks", body=profile, api_version=BETA1)
    error = _load_error(_catalog_1_0(tmp_path / "a", {"eks": with_profile}))
    assert error.upstream_text == (
        '[INVALID_REQUEST] RecipeMetadata declares spec.profile but uses apiVersion "aicr.run/v1beta1"; '
        'expected "aicr.run/v1beta2"'
    )
    assert error.location is not None
    assert error.location.path.endswith("overlays/eks.yaml")
    without = overlay("eks", criteria="service: eks", api_version=BETA2)
    error = _load_error(_catalog_1_0(tmp_path / "b", {"eks": without}))
    assert 'RecipeMetadata uses apiVersion "aicr.run/v1beta2" but has no spec.profile declaration' in str(error)


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (
            "kind: RecipeMixin\napiVersion: aicr.run/v1alpha2\n",
            'mixin file mixins/m.yaml has apiVersion "aicr.run/v1alpha2" (aicr.run/v1alpha2 was retired in v1.0.0), '
            'expected "aicr.run/v1beta1" for RecipeMixin; update the catalog header for this aicr release',
        ),
        (
            "kind: RecipeMetadata\napiVersion: aicr.run/v1beta1\n",
            'mixin file mixins/m.yaml has kind "RecipeMetadata", expected "RecipeMixin"; use a RecipeMixin document '
            "compatible with this aicr release",
        ),
    ],
)
def test_mixin_headers_fail_closed(tmp_path: Path, header: str, expected: str) -> None:
    """Ported: metadata_store.go validateRecipeMixinCatalogHeader, checked before the strict decode."""
    mixin = header + "metadata:\n  name: m\nspec:\n  unknownKey: 1\n"
    error = _load_error(_catalog_1_0(tmp_path, extra={"mixins/m.yaml": mixin}), aicr_version="1.0")
    assert error.message == expected


def test_registry_header_is_checked_before_use(tmp_path: Path) -> None:
    """ADR-022 §8: a registry header is gated too (wording ours: v1.0 components.go was not recovered)."""
    root = _catalog_1_0(tmp_path, registry=MINIMAL_REGISTRY)
    error = _load_error(root, aicr_version="1.0")
    assert error.message.startswith('registry file registry.yaml has apiVersion "aicr.run/v1alpha2" (aicr.run/v1alpha2')
    (root / "registry.yaml").write_text(_v1(MINIMAL_REGISTRY).replace("ComponentRegistry", "Registry"))
    assert 'registry file registry.yaml has kind "Registry"' in _load_error(root).message


def test_unmigrated_catalog_forced_to_1_0_collects_every_refusal_for_check(tmp_path: Path) -> None:
    root = write_catalog(tmp_path, {"eks": overlay("eks", criteria="service: eks")})
    report = check(root, aicr_version="1.0")
    refused = sorted(finding.file.rsplit("/", 1)[-1] for finding in report.errors if "was retired" in finding.message)
    assert refused == ["base.yaml", "eks.yaml", "registry.yaml"]


# --- v1.0 criteria (CLI reference, criteria_registry.go, oskind.go) ------------------------------

NEW_VALUES = [
    ("service", "rke2"),
    ("service", "k0s"),
    ("service", "generic"),
    ("accelerator", "vr200"),
    ("os", "sles"),
    ("platform", "kueue"),
]


@pytest.mark.parametrize(("dimension", "value"), NEW_VALUES)
def test_new_criteria_values(dimension: str, value: str) -> None:
    """v1.0 CLI reference (--service, --accelerator), oskind.All() (sles), the v1beta1 kueue overlays."""
    assert parse_dimension(dimension, value.upper(), semantics=V1_0) == value
    with pytest.raises(CriteriaError, match=f"invalid {dimension} type: {value}"):
        parse_dimension(dimension, value, semantics=V0_20)


@pytest.mark.parametrize("alias", ["self-managed", "self", "vanilla", " Vanilla "])
def test_self_managed_aliases_mean_generic_at_1_0(alias: str) -> None:
    """v1.0 CLI reference: self-managed, self, vanilla → generic (at 9793720d they mean `any`)."""
    assert build_query({"service": alias}, semantics=V1_0).service == "generic"
    assert build_query({"service": alias}, semantics=V0_20).service == "any"


def test_generic_is_opt_in_only() -> None:
    """criteria_registry.go optInOnlyCriteria: `any` never selects a generic overlay; only naming it does.

    Upstream reads that table only when matching a snapshot's fingerprint (no measurement yields
    `generic`); for queries it holds as for every stated value, which is what this checks.
    """
    generic_overlay = Criteria(service="generic")
    assert not matches(generic_overlay, Criteria(accelerator="gb300"))
    assert matches(generic_overlay, Criteria(service="generic", accelerator="gb300"))


def test_a_1_0_catalog_resolves_with_1_0_values(tmp_path: Path) -> None:
    root = _catalog_1_0(tmp_path, {"rke2": overlay("rke2", criteria="service: rke2, os: sles", api_version=BETA1)})
    recipe = resolve(catalog=root, service="rke2", os="sles")
    assert recipe.api_version == "aicr.run/v1"
    assert recipe.metadata.applied_overlays == ["base", "rke2"]
    report = check(root, select=["criteria-enum", "api-version"])
    assert report.findings == ()


# --- results --------------------------------------------------------------------------------------


def test_result_api_versions_per_release() -> None:
    assert V0_20.result_api_versions == ("aicr.run/v1alpha2", "aicr.run/v1alpha3")
    assert V1_0.result_api_versions == ("aicr.run/v1", "aicr.run/v1beta2")


@pytest.mark.parametrize(("semantics", "api_version"), [(V1_0, "aicr.run/v1"), (V0_20, "aicr.run/v1alpha2")])
def test_configuration_needs_the_profile_track(semantics: Any, api_version: str) -> None:
    """`aicr.run/v1` (or v1alpha2) with `configuration.slurm.accounting` is an error."""
    result = RecipeResult(
        api_version=api_version,
        criteria=Criteria(platform="slurm"),
        configuration=RecipeConfiguration(
            slurm=SlurmConfiguration(accounting=SlurmAccountingConfiguration(mode="disabled"))
        ),
    )
    configured = semantics.configured_result_api_version
    with pytest.raises(RecipeError, match=f'requires apiVersion "{configured}" \\(got "{api_version}"\\)'):
        check_coherence(result, semantics)
    # With the right apiVersion, the mode's components are looked for next (upstream's order).
    with pytest.raises(RecipeError, match='accounting mode requires component "slinky-slurm"'):
        check_coherence(result.model_copy(update={"api_version": configured}), semantics)
    with pytest.raises(RecipeError, match=r'RecipeResult apiVersion "aicr\.run/v9" is not supported'):
        check_coherence(result.model_copy(update={"api_version": "aicr.run/v9"}), semantics)


def test_resolve_takes_the_release_explicitly(tmp_path: Path) -> None:
    root = write_catalog(tmp_path, {"eks": overlay("eks", criteria="service: eks")})
    assert resolve(catalog=root, service="eks", aicr_version="0.20").api_version == "aicr.run/v1alpha2"
    with pytest.raises(RecipeLoadError, match=r"was retired in v1\.0\.0"):
        resolve(catalog=root, service="eks", aicr_version="1.0")
    loaded = load_catalog(root)
    with pytest.raises(RecipeError, match=r"the catalog was loaded as aicr 0\.20 \(detected\); it cannot be resolved"):
        resolve(catalog=loaded, service="eks", aicr_version="1.0")
    assert resolve(catalog=loaded, service="eks", aicr_version="0.20").api_version == "aicr.run/v1alpha2"


def test_shipped_catalog_can_be_asked_for_by_release() -> None:
    """The shipped catalog is written for 1.0 (pinned in pyproject); 0.20 gates no header, so it reads it too."""
    query = {"service": "eks", "accelerator": "l40s", "intent": "inference"}
    assert resolve(**query).api_version == "aicr.run/v1"
    assert resolve(**query, aicr_version="1.0").api_version == "aicr.run/v1"
    assert resolve(**query, aicr_version="0.20").api_version == "aicr.run/v1alpha2"


# --- check(): the api-version rule ---------------------------------------------------------------


def test_undeclared_0_20_catalog_gets_one_api_version_warning(tmp_path: Path) -> None:
    root = write_catalog(tmp_path, {"eks": overlay("eks", criteria="service: eks")})
    warnings = [f for f in check(root, select=["api-version"]).findings if f.rule == "api-version"]
    assert len(warnings) == 1
    (warning,) = warnings
    assert warning.severity.value == "warning"
    # base.yaml, eks.yaml and registry.yaml
    assert "3 file(s) use aicr.run/v1alpha2/aicr.run/v1alpha3 headers, which aicr >= 1.0 refuses" in warning.message
    assert "(retired in v1.0.0)" in warning.message
    assert f"l40-recipes migrate --to 1.0 {root}" in warning.hint
    assert check(root, select=["api-version"], aicr_version="0.20").findings == ()
    (tmp_path / "pyproject.toml").write_text('[tool.l40-recipes]\naicr-version = "0.20"\n')
    assert check(root, select=["api-version"]).findings == ()
    assert check(load_catalog(root), select=["api-version"]).findings == ()
    assert check(load_catalog(root), select=["api-version"], aicr_version="0.20").findings == ()
    with pytest.raises(RecipeError, match=r"loaded as aicr 0\.20; it cannot be checked as aicr 1\.0"):
        check(load_catalog(root), aicr_version="1.0")


def test_config_aicr_version_must_be_known(tmp_path: Path) -> None:
    root = write_catalog(tmp_path, {"eks": overlay("eks", criteria="service: eks")})
    (tmp_path / "pyproject.toml").write_text('[tool.l40-recipes]\naicr-version = "0.9"\n')
    report = check(root)
    assert any("aicr-version must be one of 0.20, 1.0, got '0.9'" in finding.message for finding in report.errors)


def test_1_0_catalog_accepts_only_beta_headers_in_check(tmp_path: Path) -> None:
    root = _catalog_1_0(tmp_path)
    report = check(root, select=["api-version", "registry-schema", "required-fields"])
    assert report.findings == ()


# --- acceptance: the 9793720d catalog as aicr 1.0 --------------------------------------------------


@pytest.fixture(name="migrated", scope="module")
def _migrated(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    require_upstream()
    root = tmp_path_factory.mktemp("v1") / "recipes"
    shutil.copytree(RECIPES_9793720D, root)
    for path in root.rglob("*"):
        path.chmod(0o755 if path.is_dir() else 0o644)
    changes = migrate(root)
    assert len(changes) == 108
    return load_catalog(root)


def _goldens() -> list[Any]:
    paths = sorted(GOLDENS_9793720D.glob("leaf__*.json")) if GOLDENS_9793720D.is_dir() else []
    if not paths:
        return [pytest.param(None, marks=needs_shared)]
    return [pytest.param(path, id=path.stem.removeprefix("leaf__")) for path in paths]


@needs_upstream
def test_all_102_goldens_are_collected() -> None:
    assert len(_goldens()) == 102


@needs_upstream
def test_migrated_catalog_is_detected_as_1_0(migrated: Catalog) -> None:
    assert (migrated.aicr_version, migrated.aicr_version_source) == (V1_0, "detected")


@pytest.mark.parametrize("golden", _goldens())
def test_migrated_catalog_resolves_every_golden(golden: Path, migrated: Catalog) -> None:
    """The 9793720d goldens, except `apiVersion`: `aicr.run/v1`, or `aicr.run/v1beta2` where they say v1alpha3."""
    record = json.loads(golden.read_text())
    if record["exit_code"] != 0:
        with pytest.raises(RecipeError) as caught:
            resolve(catalog=migrated, version="dev", **record["query"])
        assert caught.value.exit_code == record["exit_code"]
        assert f"error={caught.value.upstream_text} exitCode=" in record["stderr_plain"]
        return
    expected = json.loads(record["stdout"])
    expected["apiVersion"] = {"aicr.run/v1alpha2": "aicr.run/v1", "aicr.run/v1alpha3": "aicr.run/v1beta2"}[
        expected["apiVersion"]
    ]
    document = resolve(catalog=migrated, version="dev", **record["query"]).to_dict()
    assert document == expected
    assert list(document) == list(expected)


@needs_upstream
def test_unmigrated_catalog_forced_to_1_0_names_a_retired_file() -> None:
    with pytest.raises(RecipeLoadError) as caught:
        load_catalog(RECIPES_9793720D, aicr_version="1.0")
    message = caught.value.message
    assert "(aicr.run/v1alpha2 was retired in v1.0.0)" in message
    assert message.startswith("mixin file mixins/os-talos.yaml has apiVersion")


@needs_upstream
@pytest.mark.parametrize("alias", ["self-managed", "vanilla"])
def test_self_managed_training_fails_as_1_0_does(migrated: Catalog, alias: str) -> None:
    """v1.0 build on the migrated catalog (v1.0-partial README): `generic` has no overlay."""
    with pytest.raises(CoverageError) as caught:
        resolve(catalog=migrated, service=alias, intent="training")
    assert caught.value.upstream_text.startswith(
        "[INVALID_REQUEST] no recipe provides service 'generic' for criteria(service=generic, intent=training)"
    )
    assert caught.value.upstream_text.endswith(
        "; no recipe provides intent 'training' for criteria(service=generic, intent=training)"
    )


# --- a data layer at 1.0 --------------------------------------------------------------------------


def _layer(root: Path, registry: str) -> Path:
    layer = root / "layer"
    (layer / "overlays").mkdir(parents=True)
    (layer / "registry.yaml").write_text(registry)
    return layer


def test_a_layer_registry_header_is_gated_at_1_0_before_the_merge(tmp_path: Path) -> None:
    """ADR-022 §8: an external registry.yaml header is validated before it is merged (restamped unread before)."""
    root = _catalog_1_0(tmp_path / "catalog")
    layer = _layer(tmp_path, MINIMAL_REGISTRY)  # aicr.run/v1alpha2
    with pytest.raises(RecipeLoadError) as caught:
        load_catalog(root, data=layer, aicr_version="1.0")
    error = caught.value
    assert error.message.startswith(f'registry file {layer}/registry.yaml has apiVersion "aicr.run/v1alpha2"')
    assert "(aicr.run/v1alpha2 was retired in v1.0.0)" in error.message
    assert error.location is not None
    assert (error.location.path, error.location.line, error.location.column) == (f"{layer}/registry.yaml", 1, 1)
    (layer / "registry.yaml").write_text(_v1(MINIMAL_REGISTRY).replace("ComponentRegistry", "Registry"))
    with pytest.raises(RecipeLoadError, match=f'registry file {layer}/registry.yaml has kind "Registry"'):
        load_catalog(root, data=layer, aicr_version="1.0")
    (layer / "registry.yaml").write_text(_v1(MINIMAL_REGISTRY))
    assert load_catalog(root, data=layer).aicr_version is V1_0


def test_a_layer_registry_header_is_not_read_at_0_20(tmp_path: Path) -> None:
    root = write_catalog(tmp_path / "catalog", {"eks": overlay("eks", criteria="service: eks")})
    layer = _layer(tmp_path, "kind: Whatever\napiVersion: 7\ncomponents: []\n")
    assert load_catalog(root, data=layer).aicr_version is V0_20


def test_the_layer_registry_counts_when_choosing_the_release(tmp_path: Path) -> None:
    """A 0.20 catalog under a layer written for 1.0 is a mix, and the error names the layer's registry."""
    root = write_catalog(tmp_path / "catalog", {"eks": overlay("eks", criteria="service: eks")})
    layer = _layer(tmp_path, _v1(MINIMAL_REGISTRY))
    with pytest.raises(RecipeLoadError) as caught:
        load_catalog(root, data=layer)
    assert caught.value.message.endswith(f"1 file(s) use {BETA1}/{BETA2} ({layer}/registry.yaml)")


def test_a_large_mix_names_five_files_of_each_side(tmp_path: Path) -> None:
    files = {f"old{i:02}": overlay(f"old{i:02}", criteria=f"service: s{i}") for i in range(12)}
    root = _catalog_1_0(tmp_path, {**files, "gke": overlay("gke", api_version=BETA1)})
    message = _load_error(root).message
    assert f"12 file(s) use aicr.run/v1alpha2/aicr.run/v1alpha3 ({root}/overlays/old00.yaml, " in message
    assert f"{root}/overlays/old04.yaml and 7 more)" in message
    assert f"{root}/overlays/old05.yaml" not in message
