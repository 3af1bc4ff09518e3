"""Resolution parity with upstream `aicr recipe`, plus the resolver's own behaviour."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
import yaml

from l40_recipes import (
    Catalog,
    CoverageError,
    Criteria,
    CriteriaError,
    ErrorCode,
    RecipeError,
    ResolutionError,
    load_catalog,
    resolve,
)
from l40_recipes._components import _COMPLETED
from l40_recipes._loading import load_catalog_for_check
from l40_recipes._matching import candidates
from l40_recipes._models import DIMENSIONS, is_wild
from l40_recipes._resolution import build_recipe

from .conftest import LEGACY_RECIPES, UPSTREAM, UPSTREAM_RECIPES, needs_shared, overlay, write_catalog

if TYPE_CHECKING:
    from pathlib import Path


def _golden_params() -> list[Any]:
    goldens = sorted((UPSTREAM / "goldens").glob("leaf__*.json")) if UPSTREAM.is_dir() else []
    if not goldens:
        return [pytest.param(None, marks=needs_shared)]
    return [pytest.param(path, id=path.stem.removeprefix("leaf__")) for path in goldens]


@needs_shared
def test_goldens_are_all_present() -> None:
    """All 102 upstream goldens are collected, so parity cannot pass by losing files."""
    params = _golden_params()
    assert len(params) == 102


@pytest.mark.parametrize("golden", _golden_params())
def test_resolution_matches_upstream_golden(golden: Path, upstream: Catalog) -> None:
    """Resolving an overlay's own criteria yields exactly upstream's document, or its error and exit code."""
    record = json.loads(golden.read_text())
    if record["exit_code"] != 0:
        with pytest.raises(RecipeError) as caught:
            resolve(catalog=upstream, version="dev", **record["query"])
        assert caught.value.exit_code == record["exit_code"]
        assert f"error={caught.value.upstream_text} exitCode=" in record["stderr_plain"]
        return
    result = resolve(catalog=upstream, version="dev", **record["query"])
    assert result.to_dict() == json.loads(record["stdout"])
    assert list(result.to_dict()) == list(json.loads(record["stdout"]))


def _coverage_projections() -> list[Any]:
    path = UPSTREAM / "pkg-recipe-testdata" / "coverage_golden.yaml"
    if not path.is_file():
        return [pytest.param(None, None, marks=needs_shared)]
    golden = yaml.safe_load(path.read_text())
    return [pytest.param(key, expected, id=key) for key, expected in golden.items()]


_PROJECTIONS: dict[int, dict[str, Criteria]] = {}


def _projections(catalog: Catalog) -> dict[str, Criteria]:
    """Every non-empty subset of every overlay's stated dimensions, keyed as upstream keys them."""
    if id(catalog) in _PROJECTIONS:
        return _PROJECTIONS[id(catalog)]
    found = _PROJECTIONS.setdefault(id(catalog), {})
    for name in sorted(catalog.overlays):
        criteria = catalog.overlays[name].criteria
        if criteria is None:
            continue
        stated = [d for d in DIMENSIONS if not is_wild(getattr(criteria, d))]
        for mask in range(1, 1 << len(stated)):
            query = Criteria(**{d: getattr(criteria, d) for i, d in enumerate(stated) if mask & (1 << i)})
            found.setdefault(str(query), query)
    return found


@needs_shared
def test_coverage_projections_are_exactly_upstreams(upstream: Catalog) -> None:
    """The projection set built from the catalog equals the 427 keys of upstream's golden."""
    golden = yaml.safe_load((UPSTREAM / "pkg-recipe-testdata" / "coverage_golden.yaml").read_text())
    assert set(_projections(upstream)) == set(golden)
    assert len(golden) == 427


@pytest.mark.parametrize(("key", "expected"), _coverage_projections())
def test_coverage_matches_upstream_golden(key: str, expected: dict[str, Any], upstream: Catalog) -> None:
    """Each projection's outcome, uncovered dimensions, strict dimensions and completions match upstream."""
    query = _projections(upstream)[key]
    try:
        build_recipe(upstream, query, version="dev")
    except CoverageError as err:
        outcome: dict[str, Any] = {"outcome": "error"}
        if err.strict_dimensions:
            outcome["strictDimensions"] = err.strict_dimensions
        else:
            outcome["uncovered"] = err.uncovered
            if err.valid_completions:
                outcome["validCompletions"] = err.valid_completions
    else:
        outcome = {"outcome": "success"}
    assert outcome == expected


@needs_shared
def test_legacy_catalog_loads_and_every_overlay_resolves_or_raises_recipe_error() -> None:
    """The v0.11.1 catalog loads; current semantics resolve each overlay's criteria or raise RecipeError."""
    catalog = load_catalog(LEGACY_RECIPES)
    assert len(catalog.overlays) == 37
    outcomes: dict[str, str] = {}
    for name, item in sorted(catalog.overlays.items()):
        assert item.criteria is not None
        try:
            build_recipe(catalog, item.criteria)
        except RecipeError as err:
            outcomes[name] = err.code
        else:
            outcomes[name] = "ok"
    assert set(outcomes.values()) <= {"ok", *ErrorCode}
    assert "ok" in outcomes.values()


class TestSelection:
    """Candidate selection and merge order."""

    def test_maximal_leaves_sorted_by_specificity_then_name(self, upstream: Catalog) -> None:
        """Ancestors of other matches are dropped; leaves sort by (specificity, name)."""
        query = Criteria(service="eks", accelerator="h100", intent="inference", os="ubuntu", platform="any")
        assert [o.name for o in candidates(upstream, query)] == [
            "monitoring-hpa",
            "h100-any",
            "h100-eks-ubuntu-inference",
        ]

    def test_ancestors_are_merged_even_when_they_do_not_match(self, tmp_path: Path) -> None:
        """A chain is followed unconditionally: a parent with other criteria is still applied."""
        root = write_catalog(
            tmp_path,
            {
                "parent": overlay("parent", criteria="service: eks, os: ubuntu"),
                "leaf": overlay("leaf", base="parent", criteria="service: eks, accelerator: h100"),
            },
        )
        result = resolve(service="eks", accelerator="h100", catalog=root)
        assert result.metadata.applied_overlays == ["base", "parent", "leaf"]

    def test_each_overlay_is_applied_once(self, tmp_path: Path) -> None:
        """Two leaves sharing a parent apply it once, at its first occurrence."""
        root = write_catalog(
            tmp_path,
            {
                "shared": overlay("shared", criteria="service: eks"),
                "a": overlay("a", base="shared", criteria="service: eks, intent: inference"),
                "b": overlay("b", base="shared", criteria="service: eks, accelerator: h100"),
            },
        )
        result = resolve(service="eks", accelerator="h100", intent="inference", catalog=root)
        assert result.metadata.applied_overlays == ["base", "shared", "a", "b"]


class TestErrors:
    """Upstream's errors, codes and messages for bad queries and catalogs."""

    def test_no_criteria(self, shipped: Catalog) -> None:
        """A query with nothing stated fails as the CLI does (exit 2)."""
        with pytest.raises(CriteriaError, match=r"no criteria provided: specify at least one of --service") as caught:
            resolve(catalog=shipped)
        assert caught.value.exit_code == 2

    def test_unknown_value(self, shipped: Catalog) -> None:
        """An unknown value names itself as given, wrapped as upstream wraps it."""
        with pytest.raises(CriteriaError) as caught:
            resolve(accelerator="FOO", catalog=shipped)
        assert caught.value.upstream_text == (
            "[INVALID_REQUEST] error parsing criteria: [INVALID_REQUEST] invalid accelerator type: FOO"
        )

    def test_values_are_trimmed_lowercased_and_aliased(self, shipped: Catalog) -> None:
        """`--gpu`, case, whitespace and the `al2` alias behave as upstream's parser."""
        result = resolve(service=" EKS ", gpu="L40S", intent="Inference", os="ubuntu", catalog=shipped)
        assert result.criteria.accelerator == "l40s"
        mapping = resolve({"service": "eks", "accelerator": "l40s", "intent": "inference"}, catalog=shipped)
        assert mapping.criteria == result.criteria.model_copy(update={"service": "eks", "os": "any"})

    def test_missing_parent_is_not_found(self, tmp_path: Path) -> None:
        """A missing spec.base surfaces as upstream's bare NOT_FOUND (exit 3) with the file and line."""
        root = write_catalog(tmp_path, {"leaf": overlay("leaf", base="ghost", criteria="service: eks")})
        with pytest.raises(ResolutionError) as caught:
            resolve(service="eks", catalog=root)
        assert caught.value.upstream_text == '[NOT_FOUND] recipe "ghost" not found (referenced in inheritance chain)'
        assert caught.value.exit_code == 3
        assert str(caught.value.location).endswith("overlays/leaf.yaml:6:3")

    def test_cycle_reached_from_a_non_cyclic_candidate(self, tmp_path: Path) -> None:
        """A leaf whose chain runs into a cycle reports the cycle (exit 2)."""
        root = write_catalog(
            tmp_path,
            {
                "a": overlay("a", base="b", criteria="service: eks"),
                "b": overlay("b", base="a", criteria="service: eks, os: ubuntu"),
                "leaf": overlay("leaf", base="a", criteria="service: eks, accelerator: h100"),
            },
        )
        with pytest.raises(ResolutionError, match="circular inheritance detected") as caught:
            resolve(service="eks", accelerator="h100", catalog=root)
        assert caught.value.exit_code == 2
        assert caught.value.location is not None

    def test_unknown_mixin(self, tmp_path: Path) -> None:
        """A missing mixin is NOT_FOUND with upstream's message."""
        root = write_catalog(tmp_path, {"leaf": overlay("leaf", criteria="service: eks", body="mixins: [nope]")})
        with pytest.raises(ResolutionError, match=r'mixin "nope" not found in recipes/mixins/') as caught:
            resolve(service="eks", catalog=root)
        assert str(caught.value).startswith(f"{root}/overlays/leaf.yaml:8:12: [NOT_FOUND]")

    @pytest.mark.parametrize(
        ("mixin_spec", "message"),
        [
            (
                "  constraints:\n    - name: K8s.server.version\n      value: '>= 1.30'\n",
                r'mixin "m" constraint "K8s.server.version" conflicts',
            ),
            (
                "  componentRefs:\n    - name: gpu-operator\n      version: v1.0.0\n",
                r'sets identity/sourcing field "version"',
            ),
        ],
        ids=["constraint", "identity-field"],
    )
    def test_mixin_conflicts(self, tmp_path: Path, mixin_spec: str, message: str) -> None:
        """A mixin may not redefine a chain constraint, and may add only namespace and manifests to a component."""
        mixin = "kind: RecipeMixin\napiVersion: aicr.run/v1alpha2\nmetadata:\n  name: m\nspec:\n" + mixin_spec
        root = write_catalog(
            tmp_path,
            {"leaf": overlay("leaf", criteria="service: eks", body="mixins: [m]")},
            extra={"mixins/m.yaml": mixin},
        )
        with pytest.raises(ResolutionError, match=message):
            resolve(service="eks", catalog=root)

    def test_unknown_dependency(self, tmp_path: Path) -> None:
        """A dependency on an absent component fails the merged recipe."""
        body = "componentRefs:\n  - name: gpu-operator\n    dependencyRefs: [ghost]\n"
        root = write_catalog(tmp_path, {"leaf": overlay("leaf", criteria="service: eks", body=body)})
        with pytest.raises(ResolutionError) as caught:
            resolve(service="eks", catalog=root)
        assert caught.value.upstream_text == (
            '[INVALID_REQUEST] merged recipe validation failed: [INVALID_REQUEST] component "gpu-operator" '
            'references unknown dependency "ghost"'
        )

    def test_dependency_cycle(self, tmp_path: Path) -> None:
        """A dependency cycle is reported with its path."""
        body = "componentRefs:\n  - name: cert-manager\n    dependencyRefs: [gpu-operator]\n"
        root = write_catalog(tmp_path, {"leaf": overlay("leaf", criteria="service: eks", body=body)})
        with pytest.raises(
            ResolutionError, match=r"circular dependency detected: \[cert-manager gpu-operator cert-manager\]"
        ):
            resolve(service="eks", catalog=root)

    def test_incoherent_ref(self, tmp_path: Path) -> None:
        """A Helm ref with a Kustomize tag is incoherent, with upstream's message."""
        body = "componentRefs:\n  - name: gpu-operator\n    tag: v1\n"
        root = write_catalog(tmp_path, {"leaf": overlay("leaf", criteria="service: eks", body=body)})
        with pytest.raises(
            ResolutionError, match=r'recipe has incoherent component ref\(s\): component "gpu-operator" is Helm'
        ):
            resolve(service="eks", catalog=root)


class TestFinalize:
    """Registry defaults, health checks, disabled components and deployment order."""

    def test_registry_defaults_fill_and_never_overwrite(self, tmp_path: Path) -> None:
        """Unset fields come from the registry; a set version is kept; chart is the last path segment."""
        body = "componentRefs:\n  - name: cert-manager\n    version: v9.9.9\n"
        root = write_catalog(tmp_path, {"leaf": overlay("leaf", criteria="service: eks", body=body)})
        result = resolve(service="eks", catalog=root)
        gpu, cert = result.component("gpu-operator"), result.component("cert-manager")
        assert gpu is not None
        assert cert is not None
        assert (gpu.chart, gpu.version, gpu.namespace) == ("gpu-operator", "v26.3.3", "gpu-operator")
        assert cert.version == "v9.9.9"
        assert gpu.health_check_asserts == "kind: Test\n"

    def test_disabled_component_stays_but_leaves_the_order(self, tmp_path: Path) -> None:
        """`enabled: false` keeps the ref and drops it from deploymentOrder; edges to it count as met."""
        body = "componentRefs:\n  - name: cert-manager\n    overrides:\n      enabled: false\n"
        root = write_catalog(tmp_path, {"leaf": overlay("leaf", criteria="service: eks", body=body)})
        result = resolve(service="eks", catalog=root)
        assert [ref.name for ref in result.component_refs] == ["cert-manager", "gpu-operator"]
        assert result.deployment_order == ["gpu-operator"]

    def test_missing_health_check_file_is_internal(self, tmp_path: Path) -> None:
        """An unreadable assert file fails resolution with upstream's message and the registry line."""
        root = write_catalog(tmp_path, {"leaf": overlay("leaf", criteria="service: eks")})
        (root / "checks" / "gpu-operator" / "health-check.yaml").unlink()
        with pytest.raises(ResolutionError) as caught:
            resolve(service="eks", catalog=root)
        assert caught.value.code == ErrorCode.INTERNAL
        assert 'failed to read healthCheck.assertFile for component "gpu-operator"' in caught.value.message
        assert str(caught.value.location).endswith("registry.yaml:13:7")

    def test_health_check_path_outside_root_is_never_read(self, tmp_path: Path) -> None:
        """An assert file that leaves the catalog root is refused, not read."""
        outside = tmp_path / "secret.yaml"
        outside.write_text("secret\n")
        registry = (tmp_path / "cat").as_posix()
        root = write_catalog(tmp_path / "cat", {"leaf": overlay("leaf", criteria="service: eks")})
        text = (root / "registry.yaml").read_text().replace("checks/gpu-operator/health-check.yaml", "../secret.yaml")
        (root / "registry.yaml").write_text(text)
        with pytest.raises(ResolutionError) as caught:
            resolve(service="eks", catalog=registry)
        assert "leaves the catalog root" in str(caught.value)

    def test_resolution_is_deterministic_and_pure(self, upstream: Catalog) -> None:
        """Resolving twice gives equal documents and leaves the catalog's models untouched."""
        before = upstream.overlays["aks"].document.model_dump()
        first = resolve(service="aks", accelerator="h100", intent="training", catalog=upstream).to_json()
        second = resolve(service="aks", accelerator="h100", intent="training", catalog=upstream).to_json()
        assert first == second
        assert upstream.overlays["aks"].document.model_dump() == before


class TestApi:
    """The public `resolve()` signature."""

    def test_argument_errors(self, shipped: Catalog) -> None:
        """Criteria plus keywords, a dimension given twice, or an unknown one are TypeErrors."""
        with pytest.raises(TypeError, match="not both"):
            resolve(Criteria(service="eks"), catalog=shipped, service="eks")
        with pytest.raises(TypeError, match="given twice"):
            resolve({"service": "eks"}, catalog=shipped, service="eks")
        with pytest.raises(TypeError, match="unknown criteria dimension"):
            resolve(catalog=shipped, colour="red")

    def test_catalog_as_path_and_criteria_as_model(self, shipped: Catalog) -> None:
        """A path loads the catalog; a Criteria model is used as given."""
        by_path = resolve(Criteria(service="eks", intent="inference"), catalog=shipped.root)
        assert by_path.metadata.applied_overlays == ["base", "monitoring-hpa", "eks", "eks-inference"]

    def test_catalog_with_load_problems_cannot_resolve(self, tmp_path: Path) -> None:
        """A catalog loaded for check() without a registry refuses to resolve."""
        catalog = load_catalog_for_check(
            write_catalog(tmp_path, {"x": overlay("x", criteria="service: eks")}, registry=None)
        )
        with pytest.raises(RecipeError, match=r"registry\.yaml not found"):
            build_recipe(catalog, Criteria(service="eks"))


class TestComposition:
    """Profiles, Kustomize defaults, coherence and Slurm edge cases on small catalogs."""

    def test_two_profile_declarations_conflict(self, tmp_path: Path) -> None:
        """Two chains declaring profiles fail with both sources named."""
        profile = (
            "profile:\n  name: p\n  default: a\n  values:\n    a:\n      componentRefs:\n"
            "        - name: gpu-operator\n          overrides: {x: 1}\n"
        )
        root = write_catalog(
            tmp_path,
            {
                "one": overlay("one", criteria="service: eks", body=profile, api_version="aicr.run/v1alpha3"),
                "two": overlay("two", criteria="accelerator: h100", body=profile, api_version="aicr.run/v1alpha3"),
            },
        )
        with pytest.raises(ResolutionError, match=r"multiple profile declarations from \[one two\]"):
            resolve(service="eks", accelerator="h100", catalog=root)
        applied = resolve(service="eks", catalog=root)
        assert applied.metadata.selected_profile is not None
        assert applied.api_version == "aicr.run/v1alpha3"

    def test_profile_component_must_be_enabled_and_owned_path_assigned(self, tmp_path: Path) -> None:
        """A profile naming a disabled component, or a path it does not assign, fails."""
        profile = (
            "profile:\n  name: p\n  default: a\n  values:\n    a:\n      componentRefs:\n"
            "        - name: cert-manager\n          overrides: {x: 1}\n"
        )
        disable = "componentRefs:\n  - name: cert-manager\n    overrides: {enabled: false}\n"
        root = write_catalog(
            tmp_path,
            {
                "one": overlay("one", criteria="service: eks", body=profile, api_version="aicr.run/v1alpha3"),
                "two": overlay("two", base="one", criteria="service: eks, os: ubuntu", body=disable),
            },
        )
        with pytest.raises(ResolutionError, match="which is not enabled in the surviving composition"):
            resolve(service="eks", os="ubuntu", catalog=root)

    def test_profile_constraint_collision(self, tmp_path: Path) -> None:
        """A profile constraint may not reuse a composed constraint's name."""
        profile = (
            "profile:\n  name: p\n  default: a\n  values:\n    a:\n      constraints:\n"
            "        - {name: K8s.server.version, value: '>= 1.30'}\n"
        )
        root = write_catalog(
            tmp_path, {"one": overlay("one", criteria="service: eks", body=profile, api_version="aicr.run/v1alpha3")}
        )
        with pytest.raises(ResolutionError, match="collides with the composed recipe"):
            resolve(service="eks", catalog=root)

    def test_kustomize_defaults_and_coherence(self, tmp_path: Path) -> None:
        """Kustomize refs get source, tag and path from the registry and pass coherence."""
        registry = (
            "kind: ComponentRegistry\ncomponents:\n  - name: k\n    displayName: K\n"
            "    kustomize: {defaultSource: 'https://git.example/k', defaultPath: deploy, defaultTag: v1}\n"
        )
        base = "kind: RecipeMetadata\nmetadata: {name: base}\nspec:\n  componentRefs:\n    - name: k\n      type: kustomize\n"
        root = write_catalog(tmp_path, {"x": overlay("x", criteria="service: eks")}, base=base, registry=registry)
        ref = resolve(service="eks", catalog=root).component("k")
        assert ref is not None
        assert (ref.type, ref.source, ref.path, ref.tag) == ("Kustomize", "https://git.example/k", "deploy", "v1")

    @pytest.mark.parametrize(
        ("ref", "message"),
        [
            ("{name: z, type: Helm, patches: [p]}", "declares patches"),
            ("{name: z, type: Helm, chart: ' c', source: s, version: '1'}", "chart name with surrounding whitespace"),
            ("{name: z, type: Helm, source: s, version: v}", 'has chart version "v"'),
            ("{name: z, type: Helm, source: s}", "has no chart version"),
            ("{name: z, type: Helm, chart: c}", "but no source repository"),
            ("{name: z, type: Helm}", "has no deployable primary"),
            ("{name: z, type: Kustomize}", "is Kustomize but has no path"),
            ("{name: z, type: Kustomize, path: p, tag: t}", "but no source"),
            ("{name: z, type: Kustomize, path: p, manifestFiles: [m]}", "also declares manifestFiles"),
            ("{name: z, type: Oci}", 'unsupported type "Oci"'),
        ],
    )
    def test_coherence_problems(self, tmp_path: Path, ref: str, message: str) -> None:
        """Each incoherent ref is reported with upstream's message."""
        root = write_catalog(
            tmp_path, {"x": overlay("x", criteria="service: eks", body=f"componentRefs:\n  - {ref}\n")}
        )
        with pytest.raises(ResolutionError, match="incoherent component ref") as caught:
            resolve(service="eks", catalog=root)
        assert message in caught.value.message

    def test_slurm_requires_accounting_components(self, tmp_path: Path) -> None:
        """A slurm query whose recipe lacks slinky-slurm fails as upstream's build configuration does."""
        root = write_catalog(tmp_path, {"x": overlay("x", criteria="service: eks, platform: slurm")})
        with pytest.raises(ResolutionError, match='missing required accounting component "slinky-slurm"'):
            resolve(service="eks", platform="slurm", catalog=root)


def test_coverage_without_details_names_only_the_gap(shipped: Catalog) -> None:
    """coverage_details=False raises the same CoverageError class, naming the uncovered dimensions only."""
    query = Criteria(service="gke", accelerator="l40s", intent="any", os="any", platform="any")
    with pytest.raises(CoverageError) as caught:
        build_recipe(shipped, query, coverage_details=False)
    assert caught.value.uncovered == ["service"]
    assert caught.value.valid_completions == {}


@needs_shared
def test_memoized_compositions_never_leak_between_queries() -> None:
    """Queries sharing candidates, with and without a profile, equal those on a fresh catalog.

    A catalog memoizes compositions, completed refs and deployment orders; applying a profile
    to one result must not change the next, whatever the order of the queries.
    """
    aks = {"service": "aks", "accelerator": "h100", "intent": "training"}
    queries: list[tuple[dict[str, str], str | None]] = [
        (aks, "gpuStack=operator-managed"),
        (aks, None),
        (aks, "gpuStack=operator-managed"),
        ({"service": "eks", "accelerator": "h100", "intent": "training"}, None),
        ({"service": "eks", "accelerator": "h100", "intent": "training", "os": "ubuntu", "platform": "kubeflow"}, None),
        ({"service": "eks", "accelerator": "h100", "intent": "training"}, None),
    ]
    shared = load_catalog(UPSTREAM_RECIPES)
    for query, profile in queries:
        expected = resolve(catalog=load_catalog(UPSTREAM_RECIPES), profile=profile, **query).to_dict()
        assert resolve(catalog=shared, profile=profile, **query).to_dict() == expected


@needs_shared
@pytest.mark.parametrize(
    "query",
    [
        {"service": "aks", "accelerator": "h100", "intent": "training"},  # applies a profile (new refs each time)
        {"service": "eks", "accelerator": "h100", "intent": "training"},
    ],
)
def test_repeated_queries_do_not_grow_the_memo(query: dict[str, str]) -> None:
    """A long-lived catalog resolving the same query again holds no more memoized data."""
    catalog = load_catalog(UPSTREAM_RECIPES)
    first = resolve(catalog=catalog, **query)
    size = len(catalog._memo)
    for _ in range(3):
        assert resolve(catalog=catalog, **query) == first
    assert len(catalog._memo) == size


@needs_shared
def test_coverage_is_verified_before_the_profile_is_parsed() -> None:
    """A malformed --profile loses to a coverage error, as in aicr 9793720d (observed)."""
    with pytest.raises(CoverageError) as caught:
        resolve(catalog=UPSTREAM_RECIPES, profile="bad", service="aks", accelerator="l40")
    assert caught.value.upstream_text == (
        "[INVALID_REQUEST] no recipe provides accelerator 'l40' for criteria(service=aks, accelerator=l40)"
    )
    with pytest.raises(ResolutionError, match="profile must use the exact name=value form"):
        resolve(catalog=UPSTREAM_RECIPES, profile="bad", service="aks")


@needs_shared
@pytest.mark.parametrize("content", [None, "labeler: [\n"])
def test_a_profile_owned_components_values_file_is_read(tmp_path: Path, content: str | None) -> None:
    """Missing or unparsable, it fails with exit 8 where a profile owns the component, and only there.

    Expected texts observed from aicr 9793720d (`aicr-patched` on a copy of its catalog); yaml.v3's own
    parse detail ("yaml: line 1: ...") is not reproduced after the colon.
    """
    import shutil  # noqa: PLC0415

    root = tmp_path / "recipes"
    shutil.copytree(UPSTREAM_RECIPES, root)
    values = root / "components" / "nvsentinel" / "values.yaml"
    if content is None:
        values.unlink()
    else:
        values.write_text(content)
    with pytest.raises(RecipeError) as caught:
        resolve(catalog=root, service="aks")
    assert caught.value.exit_code == 8
    relative = "components/nvsentinel/values.yaml"
    if content is None:
        assert caught.value.upstream_text == (
            f'[INTERNAL] failed to read values file "{relative}": open {relative}: file does not exist'
        )
    else:
        assert caught.value.upstream_text.startswith(f'[INTERNAL] failed to parse values file "{relative}": ')
        assert caught.value.location is not None
    assert resolve(catalog=root, service="eks").criteria.service == "eks"


@needs_shared
def test_a_profile_owned_values_file_is_parsed_once_per_catalog(monkeypatch: pytest.MonkeyPatch) -> None:
    """Queries whose profiles own the same component read and parse its values file once per catalog."""
    from l40_recipes._yaml import parse_yaml  # noqa: PLC0415

    parsed: list[str] = []

    def counting(text: str, *, path: str) -> Any:
        parsed.append(path)
        return parse_yaml(text, path=path)

    monkeypatch.setattr("l40_recipes._resolution.parse_yaml", counting)
    catalog = load_catalog(UPSTREAM_RECIPES)
    for query in ({"service": "aks"}, {"service": "aks", "intent": "training"}, {"service": "gke", "os": "cos"}):
        resolve(catalog=catalog, **query)
    assert parsed.count("components/nvsentinel/values.yaml") == 1
    assert len(parsed) == len(set(parsed))
    resolve(catalog=load_catalog(UPSTREAM_RECIPES), service="aks")  # another catalog parses its own
    assert parsed.count("components/nvsentinel/values.yaml") == 2


@needs_shared
def test_a_values_file_that_fails_fails_every_time_with_its_own_error(tmp_path: Path) -> None:
    """The remembered failure is raised again for each query, as a new error with a new cause."""
    import shutil  # noqa: PLC0415

    root = tmp_path / "recipes"
    shutil.copytree(UPSTREAM_RECIPES, root)
    (root / "components" / "nvsentinel" / "values.yaml").write_text("labeler: [\n")
    catalog = load_catalog(root)
    errors: list[RecipeError] = []
    for query in ({"service": "aks"}, {"service": "aks"}, {"service": "gke", "os": "cos"}):
        with pytest.raises(RecipeError) as caught:
            resolve(catalog=catalog, **query)
        errors.append(caught.value)
    texts = {error.upstream_text for error in errors}
    assert len(texts) == 1
    assert next(iter(texts)).startswith('[INTERNAL] failed to parse values file "components/nvsentinel/values.yaml": ')
    assert len({id(error.cause) for error in errors}) == len(errors)
    assert all(isinstance(error.cause, ValueError) and error.location is not None for error in errors)


@needs_shared
def test_a_coverage_error_is_composed_only_when_read() -> None:
    """resolve() raises a coverage error whose completions are composed on first read, same text as ever."""
    catalog = load_catalog(UPSTREAM_RECIPES)
    with pytest.raises(CoverageError) as caught:
        resolve(catalog=catalog, service="aks", accelerator="l40")
    assert "_compose" in vars(caught.value)
    assert caught.value.upstream_text == (
        "[INVALID_REQUEST] no recipe provides accelerator 'l40' for criteria(service=aks, accelerator=l40)"
    )
    assert "_compose" not in vars(caught.value)


@needs_shared
def test_a_profile_query_reuses_completions_the_catalog_keeps_and_keeps_none() -> None:
    """Refs a profile leaves as they are reuse the catalog's completion; its own refs are completed afresh."""
    catalog = load_catalog(UPSTREAM_RECIPES)
    plain = resolve(catalog=catalog, service="eks")  # no profile: its composition's completions are kept
    assert plain.metadata.selected_profile is None
    kept = {ref.name: ref for ref in plain.component_refs}
    size = len(catalog._memo[_COMPLETED])
    first, second = (resolve(catalog=catalog, service="aks") for _ in range(2))
    assert len(catalog._memo[_COMPLETED]) == size
    selected = first.metadata.selected_profile
    assert selected is not None
    assert first == second
    pairs = list(zip(first.component_refs, second.component_refs, strict=True))
    reused = [a for a, b in pairs if a is b]
    assert len(reused) >= 5  # base.yaml's refs that no aks overlay touches
    assert all(kept[ref.name] is ref for ref in reused)
    assert not any(a is b for a, b in pairs if a.name in selected.owned_paths)
