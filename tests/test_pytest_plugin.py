"""The pytest plugin, run in pytester like a user's repository would run it."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

import pytest

# In-process pytester runs drop modules first imported inside them; importing the strategies here keeps
# one copy of hypothesis's internals for every run (the fuzz item imports them).
import l40_recipes.strategies  # noqa: F401
from l40_recipes import _invariants

from .conftest import UPSTREAM_RECIPES, needs_shared, overlay, write_catalog

if TYPE_CHECKING:
    from pathlib import Path

pytest_plugins = ["pytester"]

# In-process pytester runs inherit this suite's `filterwarnings = error`; give the inner runs pytest's
# default warning filter, as a user's repository would have.
DEFAULT_WARNINGS = ("-W", "default")

GOOD = {
    "eks": overlay(
        "eks",
        criteria="service: eks",
        body="validation:\n  conformance:\n    checks: [platform-health]\n",
    ),
}


#: One defect: `GKE` never matches (criteria-case, schema group); everything else is valid.
MISCASED = overlay(
    "gke",
    criteria="service: GKE",
    body="validation:\n  conformance:\n    checks: [platform-health]\n",
)


@pytest.fixture(name="catalog")
def _catalog(pytester: pytest.Pytester) -> Path:
    """A small valid catalog in the pytester directory."""
    return write_catalog(pytester.path, GOOD)


@pytest.mark.usefixtures("unmeasured")
def test_inert_without_the_flag(pytester: pytest.Pytester, catalog: Path) -> None:
    """Without --l40-recipes or ini, nothing is collected and the package is not imported."""
    pytester.makepyfile(
        test_light="""
        import sys
        def test_light():
            assert "l40_recipes._catalog" not in sys.modules
            assert "pydantic" not in sys.modules
        """,
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1)
    assert "l40-recipes: checking" not in result.stdout.str()


def test_collection_names(pytester: pytest.Pytester, catalog: Path) -> None:
    """Items are named per file and group, plus catalog-level items under overlays."""
    result = pytester.runpytest(*DEFAULT_WARNINGS, "--l40-recipes", "overlays", "--collect-only", "-q")
    lines = set(result.stdout.lines)
    assert {
        "overlays/eks.yaml::schema",
        "overlays/eks.yaml::resolve",
        "overlays/eks.yaml::floor",
        "overlays/base.yaml::references",
        "registry.yaml::registry",
        "overlays/base.yaml::duplicate-criteria",
        "overlays/base.yaml::coverage",
        "overlays/base.yaml::config",
    } <= lines


def test_passes_and_reports_header(pytester: pytest.Pytester, catalog: Path) -> None:
    """A clean catalog passes; the header names the catalog and rule set."""
    result = pytester.runpytest(*DEFAULT_WARNINGS, "--l40-recipes", "overlays")
    assert result.ret == 0
    assert (
        result.parseoutcomes()["passed"] == 14
    )  # 2 overlay files x 5 file groups, the catalog-level items, registry and validators
    result.stdout.fnmatch_lines(["l40-recipes: checking paths given on the command line with all rules"])


@pytest.mark.parametrize(
    ("files", "node", "expected"),
    [
        (
            {"overlays/broken.yaml": "kind: RecipeMetadata\nspec: [\n"},
            "overlays/broken.yaml::schema",
            "overlays/broken.yaml:3:1: load-error *",
        ),
        (
            {"registry.yaml": "components:\n  - name: gpu-operator\n    helm: 3\n"},
            "registry.yaml::*",
            "registry.yaml:3:11: load-error *failed to parse registry.yaml*",
        ),
        (
            {"overlays/gke.yaml": MISCASED},
            "overlays/gke.yaml::schema",
            "overlays/gke.yaml:7:14: criteria-case service 'GKE' never matches*",
        ),
    ],
    ids=["yaml-syntax", "broken-registry", "criteria-case"],
)
def test_failures_render_like_a_linter(
    pytester: pytest.Pytester, catalog: Path, files: dict[str, str], node: str, expected: str
) -> None:
    """A failing item shows path:line:col: RULE message and a hint, without a Python traceback."""
    for relative, text in files.items():
        (catalog / relative).write_text(text)
    result = pytester.runpytest(*DEFAULT_WARNINGS, "--l40-recipes", "overlays")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    result.stdout.fnmatch_lines([f"*{node}*", expected, "  hint: *"])
    assert "Traceback" not in result.stdout.str()
    assert "def runtest" not in result.stdout.str()


def test_warnings_are_warnings_unless_strict(pytester: pytest.Pytester, catalog: Path) -> None:
    """A warning finding is a pytest warning by default and a failure under --l40-recipes-strict."""
    (catalog / "overlays" / "eks.yaml").write_text(GOOD["eks"].replace("service: eks", "service: eks\n    nodes: 2"))
    relaxed = pytester.runpytest(*DEFAULT_WARNINGS, "--l40-recipes", "overlays")
    assert relaxed.ret == 0
    relaxed.stdout.fnmatch_lines(["*L40RecipesWarning*nodes-ignored*"])
    # Saying which release the catalog targets silences the one api-version warning of a 0.20 catalog.
    strict = pytester.runpytest(
        *DEFAULT_WARNINGS, "--l40-recipes", "overlays", "--l40-recipes-strict", "--l40-recipes-aicr-version", "0.20"
    )
    strict.assert_outcomes(failed=1, passed=strict.parseoutcomes()["passed"])
    strict.stdout.fnmatch_lines(["overlays/eks.yaml:*: nodes-ignored *"])


def test_undeclared_0_20_catalog_warns_that_aicr_1_0_refuses_it(pytester: pytest.Pytester, catalog: Path) -> None:
    """Without an aicr version, a 0.20 catalog gets the api-version warning; the ini value silences it."""
    warned = pytester.runpytest(*DEFAULT_WARNINGS, "--l40-recipes", "overlays")
    warned.stdout.fnmatch_lines(["*L40RecipesWarning*api-version*aicr >= 1.0 refuses*"])
    pytester.makeini("[pytest]\nl40_recipes_aicr_version = 0.20\n")
    quiet = pytester.runpytest(*DEFAULT_WARNINGS, "--l40-recipes", "overlays")
    assert "api-version" not in quiet.stdout.str()
    pytester.makeini("[pytest]\nl40_recipes_aicr_version = 2.0\n")
    wrong = pytester.runpytest(*DEFAULT_WARNINGS, "--l40-recipes", "overlays")
    assert wrong.ret == pytest.ExitCode.USAGE_ERROR
    wrong.stderr.fnmatch_lines(["*l40_recipes_aicr_version must be 0.20 or 1.0, got '2.0'*"])


def test_ini_only_configuration(pytester: pytest.Pytester, catalog: Path) -> None:
    """`l40_recipes = true` and `l40_recipes_paths` enable the checks without any flag."""
    pytester.makeini("[pytest]\nl40_recipes = true\nl40_recipes_paths = overlays\nl40_recipes_select = schema\n")
    pytester.makepyfile(test_other="def test_other():\n    pass\n")
    result = pytester.runpytest("--collect-only", "-q")
    lines = result.stdout.lines
    assert "overlays/eks.yaml::schema" in lines
    assert "test_other.py::test_other" in lines
    outcome = pytester.runpytest(*DEFAULT_WARNINGS)
    assert outcome.ret == 0


def test_selection_with_k_and_m(pytester: pytest.Pytester, catalog: Path) -> None:
    """-k selects by file or group name; -m l40_recipes / not l40_recipes work with --strict-markers."""
    pytester.makepyfile(test_other="def test_other():\n    pass\n")
    only_floor = pytester.runpytest(
        *DEFAULT_WARNINGS, "--l40-recipes", "overlays", "-k", "floor", "--collect-only", "-q"
    )
    assert all(line.endswith("::floor") for line in only_floor.stdout.lines if "::" in line)
    not_catalog = pytester.runpytest(
        *DEFAULT_WARNINGS, "--l40-recipes", "overlays", "test_other.py", "-m", "not l40_recipes", "--strict-markers"
    )
    not_catalog.assert_outcomes(passed=1, deselected=not_catalog.parseoutcomes()["deselected"])


def test_junit_xml_points_at_the_yaml_line(pytester: pytest.Pytester, catalog: Path) -> None:
    """JUnit XML carries one testcase per item and the finding text as the failure message."""
    (catalog / "overlays" / "gke.yaml").write_text(MISCASED)
    pytester.runpytest(*DEFAULT_WARNINGS, "--l40-recipes", "overlays", "--junitxml=report.xml")
    tree = ET.parse(pytester.path / "report.xml")
    failures = [case for case in tree.iter("testcase") if case.find("failure") is not None]
    assert len(failures) == 1
    failure = failures[0].find("failure")
    assert failure is not None
    assert "overlays/gke.yaml:7:14: criteria-case" in (failure.get("message") or "")
    assert failures[0].get("classname", "").startswith("overlays.gke.yaml")
    properties = {prop.get("name"): prop.get("value") for prop in failures[0].iter("property")}
    assert properties == {"file": "overlays/gke.yaml", "line": "7"}


def test_junit_xunit2_carries_the_position(pytester: pytest.Pytester, catalog: Path) -> None:
    """Under xunit2 (pytest's default family) the failure still names the file and line."""
    (catalog / "overlays" / "gke.yaml").write_text(MISCASED)
    pytester.makeini("[pytest]\njunit_family = xunit2\n")
    pytester.runpytest(*DEFAULT_WARNINGS, "--l40-recipes", "overlays", "--junitxml=report.xml")
    case = next(
        case for case in ET.parse(pytester.path / "report.xml").iter("testcase") if case.find("failure") is not None
    )
    properties = {prop.get("name"): prop.get("value") for prop in case.iter("property")}
    assert properties == {"file": "overlays/gke.yaml", "line": "7"}
    failure = case.find("failure")
    assert failure is not None
    assert (failure.get("message") or "").splitlines()[0].startswith("overlays/gke.yaml:7:14: criteria-case")


def test_a_printed_id_pasted_back_runs_exactly_that_item(pytester: pytest.Pytester, catalog: Path) -> None:
    """Every id `--collect-only` prints selects exactly one item when given back, catalog-level ones included."""
    (catalog / "overlays" / "gke.yaml").write_text(MISCASED)
    (catalog / "mixins").mkdir()
    (catalog / "mixins" / "extra.yaml").write_text(
        "kind: RecipeMixin\napiVersion: aicr.run/v1alpha2\nmetadata:\n  name: extra\nspec: {}\n"
    )
    ids = [
        line
        for line in pytester.runpytest("--l40-recipes", "overlays", "--collect-only", "-q").stdout.lines
        if "::" in line
    ]
    assert {
        "overlays/gke.yaml::schema",
        "overlays/base.yaml::coverage",
        "registry.yaml::registry",
        "mixins/extra.yaml::schema",
    } <= set(ids)
    for item in ("overlays/gke.yaml::schema", "overlays/base.yaml::coverage", "mixins/extra.yaml::schema"):
        again = pytester.runpytest("--l40-recipes", item, "--collect-only", "-q")
        assert [line for line in again.stdout.lines if "::" in line] == [item]
    verbose = pytester.runpytest(*DEFAULT_WARNINGS, "--l40-recipes", "overlays/gke.yaml::schema", "-v")
    verbose.assert_outcomes(failed=1)
    assert any(line.startswith("overlays/gke.yaml::schema FAILED") for line in verbose.stdout.lines)


def test_a_repository_root_catalog_enabled_from_the_ini_collects_once(pytester: pytest.Pytester, catalog: Path) -> None:
    """`l40_recipes_paths = ["overlays"]` in a catalog root's ini collects as many items as `--l40-recipes overlays/`."""
    (catalog / "overlays" / "gke.yaml").write_text(MISCASED)
    named = pytester.runpytest("--l40-recipes", "overlays/", "--collect-only", "-q")
    pytester.makepyprojecttoml('[tool.pytest.ini_options]\nl40_recipes = true\nl40_recipes_paths = ["overlays"]\n')
    plain = pytester.runpytest("--collect-only", "-q")
    both = [[line for line in result.stdout.lines if "::" in line] for result in (named, plain)]
    assert both[0] == both[1]
    assert len(both[1]) == len(set(both[1])) > 10


@pytest.mark.usefixtures("unmeasured")
def test_xdist_collects_and_runs_the_same(pytester: pytest.Pytester, catalog: Path) -> None:
    """-n 2 gives the same items and outcomes as a single process."""
    (catalog / "overlays" / "gke.yaml").write_text(MISCASED)
    single = pytester.runpytest(*DEFAULT_WARNINGS, "--l40-recipes", "overlays", "-p", "no:randomly")
    parallel = pytester.runpytest(*DEFAULT_WARNINGS, "--l40-recipes", "overlays", "-n", "2")
    assert single.parseoutcomes() == parallel.parseoutcomes()


def test_fixtures(pytester: pytest.Pytester, catalog: Path) -> None:
    """l40_catalog, l40_resolve and l40_check work in a user's own tests."""
    pytester.makeini("[pytest]\nl40_recipes_paths = overlays\n")
    pytester.makepyfile(
        test_mine="""
        def test_mine(l40_catalog, l40_resolve, l40_check):
            assert "eks" in l40_catalog.overlays
            assert l40_resolve(service="eks").metadata.applied_overlays[-1] == "eks"
            assert l40_check().ok
        """,
    )
    pytester.runpytest("test_mine.py").assert_outcomes(passed=1)


def test_fixture_without_a_catalog_is_a_usage_error(pytester: pytest.Pytester) -> None:
    """Asking for l40_catalog with no catalog configured says what to set."""
    pytester.makepyfile(test_mine="def test_mine(l40_catalog):\n    pass\n")
    result = pytester.runpytest("test_mine.py")
    result.stdout.fnmatch_lines(["*l40_recipes_paths*"])


@needs_shared
def test_upstream_catalog_passes_with_warnings(pytester: pytest.Pytester) -> None:
    """Upstream's catalog: no failures, its 29 warnings shown.

    23 performance gaps, one version pin, four serving-throughput-roofline warnings (README, "Serving fit")
    and one api-version warning: aicr 1.0 refuses its headers.
    """
    shutil.copytree(UPSTREAM_RECIPES, pytester.path / "recipes")
    result = pytester.runpytest(*DEFAULT_WARNINGS, "--l40-recipes", "recipes/overlays", "-p", "no:cacheprovider")
    outcomes = result.parseoutcomes()
    assert "failed" not in outcomes
    assert outcomes["warnings"] == 29


def test_catalog_root_path_and_several_catalogs(pytester: pytest.Pytester) -> None:
    """A catalog root works like its overlays/ directory, and two catalogs collect side by side."""
    write_catalog(pytester.path / "one", GOOD)
    write_catalog(pytester.path / "two", {"gke": MISCASED})
    result = pytester.runpytest(*DEFAULT_WARNINGS, "--l40-recipes", "one", "two/overlays", "--collect-only", "-q")
    lines = result.stdout.lines
    assert "one/overlays/eks.yaml::schema" in lines
    assert "two/overlays/gke.yaml::schema" in lines
    assert "one/overlays/base.yaml::duplicate-criteria" in lines
    run = pytester.runpytest(*DEFAULT_WARNINGS, "--l40-recipes", "one", "two/overlays")
    assert run.parseoutcomes()["failed"] == 1


def test_root_override(pytester: pytest.Pytester) -> None:
    """--l40-recipes-root names the catalog root when overlays/ is elsewhere in the tree."""
    write_catalog(pytester.path / "catalog", GOOD)
    result = pytester.runpytest(*DEFAULT_WARNINGS, "--l40-recipes", "catalog/overlays", "--l40-recipes-root", "catalog")
    assert result.ret == 0


def test_last_failed_reruns_only_the_failing_item(pytester: pytest.Pytester, catalog: Path) -> None:
    """Node ids are stable, so --lf reruns exactly the failing item."""
    (catalog / "overlays" / "gke.yaml").write_text(MISCASED)
    pytester.runpytest(*DEFAULT_WARNINGS, "--l40-recipes", "overlays")
    again = pytester.runpytest(*DEFAULT_WARNINGS, "--l40-recipes", "overlays", "--lf")
    again.assert_outcomes(failed=1, deselected=again.parseoutcomes().get("deselected", 0))


def test_fuzz_item(pytester: pytest.Pytester, catalog: Path) -> None:
    """--l40-recipes-fuzz adds one fuzz item per catalog; ini sets its example budget."""
    pytester.makeini("[pytest]\nl40_recipes_fuzz_examples = 25\n")
    collected = pytester.runpytest(
        *DEFAULT_WARNINGS, "--l40-recipes", "overlays", "--l40-recipes-fuzz", "--collect-only", "-q"
    )
    assert "overlays/base.yaml::fuzz" in collected.stdout.lines
    run = pytester.runpytest(*DEFAULT_WARNINGS, "--l40-recipes", "overlays", "--l40-recipes-fuzz", "-k", "fuzz")
    run.assert_outcomes(passed=1, deselected=run.parseoutcomes()["deselected"])


def test_fuzz_failure_prints_the_resolve_call(
    pytester: pytest.Pytester, catalog: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A broken invariant fails the fuzz item with the reproducing resolve(...) call."""

    def broken(catalog: object, query: object, result: object) -> None:
        raise _invariants.InvariantError(f"{_invariants.resolve_call(query)}: deliberately broken")  # type: ignore[arg-type]

    monkeypatch.setattr(_invariants, "check_invariants", broken)
    run = pytester.runpytest(*DEFAULT_WARNINGS, "--l40-recipes", "overlays", "--l40-recipes-fuzz", "-k", "fuzz")
    run.stdout.fnmatch_lines(["resolve(service='eks'*: deliberately broken*"])


def test_fuzz_fails_a_deployed_version_below_its_floor(pytester: pytest.Pytester) -> None:
    """The deployment-floor invariant compares the deployed gpu-operator with its floor, not just its presence."""
    floor = (
        "validation:\n  deployment:\n    constraints:\n"
        '      - name: Deployment.gpu-operator.version\n        value: ">= v99.0.0"\n'
    )
    write_catalog(
        pytester.path,
        {"eks": overlay("eks", criteria="service: eks", body=floor)},
    )
    run = pytester.runpytest(*DEFAULT_WARNINGS, "--l40-recipes", "overlays", "--l40-recipes-fuzz", "-k", "fuzz")
    run.assert_outcomes(failed=1, deselected=run.parseoutcomes()["deselected"])
    run.stdout.fnmatch_lines(
        ["resolve(*: gpu-operator v26.3.3 does not satisfy its floor Deployment.gpu-operator.version '>= v99.0.0'"]
    )


def test_fuzz_examples_must_be_a_number(pytester: pytest.Pytester, catalog: Path) -> None:
    """A bad fuzz budget is a usage error naming the ini key."""
    pytester.makeini("[pytest]\nl40_recipes_fuzz_examples = many\n")
    result = pytester.runpytest(*DEFAULT_WARNINGS, "--l40-recipes", "overlays", "--l40-recipes-fuzz")
    assert result.ret != 0
    assert "l40_recipes_fuzz_examples must be a whole number" in result.stdout.str() + result.stderr.str()


def test_failing_resolve_and_coverage_items_attach_the_graph(pytester: pytest.Pytester, catalog: Path) -> None:
    """A failing resolve or coverage item carries the Mermaid graph of each failing query; `-rA` shows it."""
    (catalog / "overlays" / "broken.yaml").write_text(overlay("broken", base="gone", criteria="service: gke"))
    # a projection of `deep` (service=gke alone) selects `broken`: a coverage-projection failure
    (catalog / "overlays" / "deep.yaml").write_text(overlay("deep", criteria="service: gke, intent: training"))
    result = pytester.runpytest(*DEFAULT_WARNINGS, "--l40-recipes", "overlays", "-rA", "-p", "no:randomly")
    assert result.ret == pytest.ExitCode.TESTS_FAILED
    # Each failure's block runs from its `___ nodeid ___` header to the next one: only resolve/coverage carry graphs.
    blocks = dict(re.findall(r"\n_+ (?:\[l40-recipes\] )?(\S+) _+\n(.*?)(?=\n_{3,} |\n=+ )", result.stdout.str(), re.S))
    assert "overlays/broken.yaml::references" in blocks
    with_graph = {node for node, block in blocks.items() if "flowchart TB" in block}
    assert with_graph == {"overlays/broken.yaml::resolve", "overlays/base.yaml::coverage"}
    coverage = blocks["overlays/base.yaml::coverage"]
    assert "coverage-projection criteria(service=gke" in coverage
    assert "(a projection of 'deep')" in coverage
    assert "Captured l40-recipes graph of criteria(service=gke) (Mermaid) call" in coverage
    assert '    R_gone["gone<br/>missing: no overlay has this name"]' in coverage
    resolve = blocks["overlays/broken.yaml::resolve"]
    assert "Captured l40-recipes graph of criteria(service=gke) (Mermaid) call" in resolve
    assert "Captured l40-recipes graph of criteria(service=gke, intent=training) (Mermaid) call" in resolve


def test_passing_items_attach_no_graph(pytester: pytest.Pytester, catalog: Path) -> None:
    """The graph is for failures only: a clean catalog's report has no graph section."""
    result = pytester.runpytest(*DEFAULT_WARNINGS, "--l40-recipes", "overlays", "-rA")
    assert result.ret == pytest.ExitCode.OK
    assert "l40-recipes graph" not in result.stdout.str()


def test_data_layer_items(pytester: pytest.Pytester, catalog: Path) -> None:
    """`--l40-recipes-data DIR`: items are the layer's files, failing on findings there only."""
    layer = pytester.path / "layer"
    (layer / "overlays").mkdir(parents=True)
    (layer / "registry.yaml").write_text("components: []\n")
    (layer / "overlays" / "x.yaml").write_text(overlay("x", criteria="service: EKS"))
    (catalog / "overlays" / "gke.yaml").write_text(MISCASED)  # a catalog defect the layer check ignores
    result = pytester.runpytest(*DEFAULT_WARNINGS, "--l40-recipes", "--l40-recipes-data", "layer", "overlays", "-q")
    outcomes = result.parseoutcomes()
    assert outcomes["failed"] >= 1
    result.stdout.fnmatch_lines(["*layer/overlays/x.yaml:7:14: criteria-case service 'EKS' never matches*"])
    assert "gke.yaml" not in result.stdout.str()
    listed = pytester.runpytest(
        *DEFAULT_WARNINGS, "--l40-recipes", "--l40-recipes-data", "layer", "overlays", "--collect-only", "-q"
    )
    assert "x.yaml::schema" in listed.stdout.str()  # the layer's file lives outside the collected directory
    assert "registry.yaml::coverage" in listed.stdout.str()  # catalog-level groups: the layer's registry
    assert "eks.yaml" not in listed.stdout.str()


def test_fixtures_with_a_data_layer(pytester: pytest.Pytester, catalog: Path) -> None:
    """With `--l40-recipes-data`, l40_catalog (and so l40_resolve) is the catalog with the layer over it."""
    pytester.makeini("[pytest]\nl40_recipes_paths = overlays\n")
    layer = pytester.path / "layer"
    (layer / "overlays").mkdir(parents=True)
    (layer / "registry.yaml").write_text("components: []\n")
    (layer / "overlays" / "eks-extra.yaml").write_text(
        overlay("eks-extra", base="eks", criteria="service: eks, intent: training")
    )
    pytester.makepyfile(
        test_mine="""
        def test_mine(l40_catalog, l40_resolve):
            assert l40_catalog.layer is not None
            assert l40_resolve(service="eks", intent="training").metadata.applied_overlays[-1] == "eks-extra"
        """,
    )
    pytester.runpytest("test_mine.py", "--l40-recipes-data", "layer").assert_outcomes(passed=1)
