"""Property tests with the public strategies: resolution invariants over many queries and catalogs."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, given, settings, settings as hypothesis_settings, strategies as st
from hypothesis.errors import InvalidArgument

from l40_recipes import (
    Catalog,
    ConstraintError,
    CoverageError,
    Criteria,
    RecipeError,
    check,
    evaluate_constraint,
    load_catalog,
    resolve,
    strategies as l40st,
)
from l40_recipes._hypothesis import PROFILES
from l40_recipes._invariants import InvariantError, check_invariants, resolve_call
from l40_recipes._models import DIMENSIONS, RecipeMetadata, is_wild
from l40_recipes._resolution import build_recipe
from l40_recipes._versions import parse_version

from .conftest import REPO, UPSTREAM_RECIPES

if TYPE_CHECKING:
    from collections.abc import Callable

#: No test pins max_examples: the active hypothesis profile sets every budget (tests/conftest.py
#: loads `l40-recipes-dev` unless `--hypothesis-profile` names another, e.g. `l40-recipes-nightly`).
FAST = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
pytest_plugins = ["pytester"]
CATALOGS = [REPO, UPSTREAM_RECIPES] if UPSTREAM_RECIPES.is_dir() else [REPO]
_LOADED: dict[Path, Catalog] = {}


def _catalog(path: Path) -> Catalog:
    if path not in _LOADED:
        _LOADED[path] = load_catalog(path)
    return _LOADED[path]


@pytest.mark.parametrize("path", CATALOGS, ids=[path.name or "shipped" for path in CATALOGS])
@FAST
@given(data=st.data())
def test_resolution_raises_only_recipe_errors_and_keeps_invariants(path: Path, data: st.DataObject) -> None:
    """Raw queries either resolve (satisfying every invariant) or raise a RecipeError, never anything else."""
    catalog = _catalog(path)
    query = data.draw(l40st.queries(catalog))
    try:
        result = resolve(query, catalog=catalog)
    except RecipeError:
        return
    check_invariants(catalog, result.criteria, result)
    assert resolve(query, catalog=catalog).to_json() == result.to_json()


@pytest.mark.parametrize("path", CATALOGS, ids=[path.name or "shipped" for path in CATALOGS])
@FAST
@given(data=st.data())
def test_suggested_completions_cover_their_dimension(path: Path, data: st.DataObject) -> None:
    """Every completion a coverage error suggests makes that dimension covered."""
    catalog = _catalog(path)
    query = data.draw(l40st.criteria(catalog))
    try:
        build_recipe(catalog, query)
    except CoverageError as err:
        for entry in err.context.get("uncovered", []):
            for completion in entry["validCompletions"]:
                try:
                    build_recipe(catalog, query.model_copy(update=completion))
                except CoverageError as again:
                    assert entry["dimension"] not in again.uncovered
    except RecipeError:
        pass


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(files=l40st.catalogs(), data=st.data())
def test_generated_catalogs_resolve_check_and_ignore_file_order(files: l40st.CatalogFiles, data: st.DataObject) -> None:
    """Generated catalogs check without errors; results do not depend on file names or order."""
    with tempfile.TemporaryDirectory() as first_dir, tempfile.TemporaryDirectory() as second_dir:
        first = load_catalog(files.write(Path(first_dir)))
        renamed = l40st.CatalogFiles(
            {
                (
                    f"overlays/{index:03d}-{Path(path).name}"
                    if path.startswith("overlays/") and path != "overlays/base.yaml"
                    else path
                ): text
                for index, (path, text) in enumerate(sorted(files.files.items(), reverse=True))
            },
        )
        second = load_catalog(renamed.write(Path(second_dir)))
        assert check(first).errors == ()
        query = data.draw(l40st.criteria(first))
        outcomes = []
        for catalog in (first, second):
            try:
                result = build_recipe(catalog, query, version="x")
            except RecipeError as err:
                outcomes.append(err.upstream_text)
            else:
                check_invariants(catalog, query, result)
                outcomes.append(result.to_json())
        assert outcomes[0] == outcomes[1]


def _digest_script(path: Path) -> str:
    return (
        "import hashlib, itertools\n"
        "from l40_recipes import load_catalog, RecipeError, resolve\n"
        f"c = load_catalog({str(path)!r})\n"
        "h = hashlib.sha256()\n"
        "for s, a, i in itertools.product(['eks', 'oke', 'gke'], ['l40s', 'h100', 'l40'], ['inference', 'training']):\n"
        "    for os_ in ['ubuntu', 'ol', None]:\n"
        "        try:\n"
        "            h.update(resolve(service=s, accelerator=a, intent=i, os=os_, catalog=c).to_json().encode())\n"
        "        except RecipeError as e:\n"
        "            h.update(e.upstream_text.encode())\n"
        "print(h.hexdigest())\n"
    )


@pytest.mark.parametrize("path", CATALOGS, ids=[path.name or "shipped" for path in CATALOGS])
@pytest.mark.usefixtures("unmeasured")
def test_results_do_not_depend_on_the_hash_seed(path: Path) -> None:
    """Two interpreters with different hash seeds produce byte-identical results and errors."""
    digests = set()
    for seed in ("0", "12345"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        completed = subprocess.run(
            [sys.executable, "-c", _digest_script(path)], capture_output=True, text=True, check=True, env=env
        )
        digests.add(completed.stdout.strip())
    assert len(digests) == 1


# An independent model of upstream's §7 comparison, written from the specification's prose.
def reference_compare(left: str, right: str) -> int:
    def split(text: str) -> tuple[list[int], str]:
        body = text[1:] if text.startswith("v") else text
        core, extras = body, ""
        for index in range(1, len(body)):
            if body[index] in "-+" and body[index - 1].isdigit():
                core, extras = body[:index], body[index:]
                break
        return [int(part) for part in core.split(".")], extras

    (a, a_extra), (b, b_extra) = split(left), split(right)
    depth = min(len(a), len(b))
    padded_a, padded_b = ([*a, 0, 0])[:3], ([*b, 0, 0])[:3]
    for index in range(depth):
        if padded_a[index] != padded_b[index]:
            return -1 if padded_a[index] < padded_b[index] else 1
    if depth < 3:
        return 0

    def gke(extra: str) -> int | None:
        rest = extra.removeprefix("-")
        return int(rest[4:]) if rest.startswith("gke.") and rest[4:].isdigit() else None

    x, y = gke(a_extra), gke(b_extra)
    if x is not None and y is not None:
        return (x > y) - (x < y)
    if y is not None:
        return -1
    return 1 if x is not None else 0


@settings(deadline=None)
@given(l40st.version_strings(), l40st.version_strings())
def test_version_comparison_matches_the_reference_model(left: str, right: str) -> None:
    """parse_version(...).compare agrees with an independent model of upstream's rules."""
    assert parse_version(left).compare(parse_version(right)) == reference_compare(left, right)


@settings(deadline=None)
@given(l40st.constraint_expressions(), l40st.version_strings())
def test_constraint_evaluation_never_crashes(expression: str, actual: str) -> None:
    """Any generated expression parses and evaluates to a bool or raises ConstraintError."""
    with contextlib.suppress(ConstraintError):
        assert evaluate_constraint(expression, actual) in (True, False)


@given(st.from_type(Criteria))
@settings(deadline=None)
def test_from_type_is_registered(criteria: Criteria) -> None:
    """The hypothesis entry point makes st.from_type(Criteria) produce parsed queries."""
    assert any(not is_wild(getattr(criteria, dimension)) for dimension in DIMENSIONS)


@settings(deadline=None)
@given(l40st.overlay_documents(name="zz-generated"))
def test_generated_overlays_are_valid_documents(document: dict[str, object]) -> None:
    """overlay_documents() yields documents that validate as RecipeMetadata and round-trip through JSON."""
    model = RecipeMetadata.model_validate(document)
    assert RecipeMetadata.model_validate_json(model.model_dump_json(by_alias=True)) == model


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: l40st.criteria(wildcards="yes"), "must be a bool"),  # type: ignore[arg-type]
        (lambda: l40st.version_strings(style="semver"), "must be one of"),
        (lambda: l40st.catalogs(max_overlays=0), "at least 1"),
    ],
)
def test_arguments_are_validated_eagerly(call: Callable[[], object], message: str) -> None:
    """Bad arguments raise hypothesis's InvalidArgument at once."""
    with pytest.raises(InvalidArgument, match=message):
        call()


def test_profiles_are_registered_not_loaded() -> None:
    """The named profiles exist, budgets rising from dev to nightly; importing the package loads none."""
    budgets = [hypothesis_settings.get_profile(name).max_examples for name in PROFILES]
    assert budgets == sorted(budgets)
    assert len(set(budgets)) == len(budgets)
    assert hypothesis_settings.get_profile("l40-recipes-ci").derandomize
    code = (
        "import hypothesis, l40_recipes\n"
        "print(hypothesis.settings.get_profile('l40-recipes-ci').max_examples, hypothesis.settings.default.max_examples)"
    )
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    ci, active = completed.stdout.split()
    expected = (
        hypothesis_settings.get_profile("l40-recipes-ci").max_examples,
        settings.get_profile("default").max_examples,
    )
    assert (int(ci), int(active)) == expected


@pytest.mark.usefixtures("unmeasured")
def test_the_nightly_profile_runs_more_examples(pytester: pytest.Pytester) -> None:
    """`--hypothesis-profile=l40-recipes-nightly` raises the budget of a test that pins none."""
    pytester.makepyfile(
        test_toy="""
        from hypothesis import given, strategies as st

        CALLS = []

        @given(st.integers())
        def test_toy(n):
            CALLS.append(n)

        def test_count():
            print("calls", len(CALLS))
        """
    )
    result = pytester.runpytest_subprocess("-p", "no:cacheprovider", "-s", "--hypothesis-profile=l40-recipes-nightly")
    result.assert_outcomes(passed=2)
    line = next(line for line in result.outlines if "calls" in line)
    nightly = int(line.split("calls")[1].split()[0])
    assert nightly > 10 * settings.get_profile("l40-recipes-dev").max_examples


def test_invariant_violations_name_the_query(shipped: Catalog) -> None:
    """A broken invariant is reported with the resolve(...) call that reproduces it."""
    result = resolve(service="eks", accelerator="l40s", intent="inference", catalog=shipped)
    broken = result.model_copy(update={"deployment_order": list(reversed(result.deployment_order))})
    with pytest.raises(
        InvariantError, match=r"resolve\(service='eks', accelerator='l40s', intent='inference'\): .* deploys before"
    ):
        check_invariants(shipped, result.criteria, broken)
    stray = result.model_copy(
        update={"metadata": result.metadata.model_copy(update={"applied_overlays": ["base", "oke-ol"]})}
    )
    with pytest.raises(InvariantError, match="neither match"):
        check_invariants(shipped, result.criteria, stray)
    no_floor = result.model_copy(update={"validation": None})
    with pytest.raises(InvariantError, match="floor"):
        check_invariants(shipped, result.criteria, no_floor)
    below = result.model_copy(
        update={
            "component_refs": [
                ref.model_copy(update={"version": "v23.3.0"}) if ref.name == "gpu-operator" else ref
                for ref in result.component_refs
            ]
        }
    )
    with pytest.raises(InvariantError, match=r"gpu-operator v23\.3\.0 does not satisfy its floor"):
        check_invariants(shipped, result.criteria, below)
    assert result.validation is not None
    assert result.validation.deployment is not None
    unparseable = result.model_copy(
        update={
            "validation": result.validation.model_copy(
                update={
                    "deployment": result.validation.deployment.model_copy(
                        update={
                            "constraints": [
                                c.model_copy(update={"value": ">= latest"})
                                if c.name.endswith("gpu-operator.version")
                                else c
                                for c in result.validation.deployment.constraints or []
                            ]
                        }
                    )
                }
            )
        }
    )
    with pytest.raises(InvariantError, match="cannot be evaluated"):
        check_invariants(shipped, result.criteria, unparseable)
    missing = result.model_copy(update={"deployment_order": result.deployment_order[1:]})
    with pytest.raises(InvariantError, match="not exactly the enabled components"):
        check_invariants(shipped, result.criteria, missing)
    assert resolve_call(Criteria(service="eks", nodes=3)) == "resolve(service='eks', nodes=3)"


@FAST
@given(files=l40st.catalogs(max_overlays=3, aicr_version="1.0"), data=st.data())
def test_generated_1_0_catalogs_load_as_1_0_and_draw_1_0_values(files: l40st.CatalogFiles, data: st.DataObject) -> None:
    """A generated 1.0 catalog has 1.0 headers; strategies draw the catalog's release's values."""
    with tempfile.TemporaryDirectory() as directory:
        catalog = load_catalog(files.write(Path(directory)))
        assert catalog.aicr_version.name == "1.0"
        query = data.draw(l40st.criteria(catalog))
        for dimension in DIMENSIONS:
            value = getattr(query, dimension)
            assert (
                is_wild(value)
                or value in catalog.aicr_version.enum_values[dimension]
                or value in (catalog.known_values[dimension])
            )
        raw = data.draw(l40st.queries(catalog, valid_only=True))
        with contextlib.suppress(RecipeError):
            recipe = resolve(raw, catalog=catalog)
            assert recipe.api_version in ("aicr.run/v1", "aicr.run/v1beta2")


@FAST
@given(data=st.data())
def test_release_values_are_drawn_without_a_catalog(data: st.DataObject) -> None:
    """`aicr_version="1.0"` draws the 1.0 values; `rke2` never comes from the 0.20 strategy."""
    new = data.draw(l40st.criteria(aicr_version="1.0", wildcards=False))
    old = data.draw(l40st.criteria(wildcards=False))
    assert new.service in ("aks", "bcm", "eks", "generic", "gke", "k0s", "kind", "lke", "metal3", "ocp", "oke", "rke2")
    assert old.service not in ("rke2", "k0s", "generic")
    document = data.draw(l40st.overlay_documents(aicr_version="1.0"))
    assert document["apiVersion"] == "aicr.run/v1beta1"


def test_unknown_release_is_an_invalid_argument() -> None:
    with pytest.raises(InvalidArgument, match=r"unknown aicr version '2\.0'"):
        l40st.catalogs(aicr_version="2.0")
