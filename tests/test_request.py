"""The public `resolve()` with a config file, a snapshot and build options, against aicr's recorded answers.

Every recorded `aicr recipe` run of tests/snapshot_cases whose flags have a `resolve()` keyword is
replayed through the library: the same recipe bytes, or upstream's error text.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from l40_recipes import Criteria, RecipeError, load_catalog, resolve

from .conftest import UPSTREAM_RECIPES, needs_shared

CASES = Path(__file__).parent / "snapshot_cases"

#: `aicr recipe` flags and the `resolve()` keyword each becomes.
_KEYWORDS = {
    "--snapshot": "snapshot",
    "-s": "snapshot",
    "--config": "config",
    "--profile": "profile",
    "--data": "data",
    "--slurm-accounting-mode": "accounting_mode",
    "--runtime-inventory": "runtime_inventory",
    "--service": "service",
    "--accelerator": "accelerator",
    "--intent": "intent",
    "--os": "os",
    "--platform": "platform",
    "--nodes": "nodes",
}
_OUTPUT = ("--format", "-t")


def _keywords(args: list[str]) -> dict[str, Any] | None:
    """*args* as `resolve()` keywords (paths relative to the cases), or None when one has no keyword."""
    keywords: dict[str, Any] = {}
    pairs = iter(args)
    for flag in pairs:
        name, joined, value = flag.partition("=")
        if not joined:
            value = next(pairs, "")
        if name in _OUTPUT:
            continue
        keyword = _KEYWORDS.get(name)
        if keyword is None or keyword in keywords:
            return None
        if keyword == "nodes":
            if not value.isdigit():
                return None  # the command line reads Go's prefixes; resolve() takes a count
            keywords[keyword] = int(value)
        else:
            keywords[keyword] = value
    return keywords


def _replayable() -> list[Any]:
    params = []
    for name, catalog, args, *flags in json.loads((CASES / "cases.json").read_text()):
        keywords = _keywords(args)
        expected = json.loads((CASES / "expected" / f"{name}.json").read_text())
        output = expected["stdout"]
        if keywords is None or "refused" in flags or (output and not output.startswith(("{", "kind:"))):
            continue
        marks = [needs_shared] if catalog == "upstream" else []
        params.append(pytest.param(name, catalog, keywords, expected, id=name, marks=marks))
    return params


def test_most_recorded_runs_are_replayed() -> None:
    """The translation keeps most cases, so a broken one cannot silently skip them all."""
    assert len(_replayable()) >= 80


@pytest.mark.parametrize(("name", "catalog", "keywords", "expected"), _replayable())
def test_a_recorded_run_through_the_library(
    name: str, catalog: str, keywords: dict[str, Any], expected: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Same recipe bytes as aicr printed, or its `[CODE] message` and exit status."""
    monkeypatch.chdir(CASES)  # a config names its snapshot relative to where aicr ran
    root = None if catalog == "shipped" else str(UPSTREAM_RECIPES if catalog == "upstream" else CASES / catalog)
    try:
        recipe = resolve(catalog=root, aicr_version="0.20", version="dev", **keywords)
    except RecipeError as err:
        assert (err.exit_code, name) == (expected["exit_code"], name)
        assert err.upstream_text.startswith(expected["error"])
        return
    assert expected["exit_code"] == 0, name
    output = expected["stdout"]
    assert (recipe.to_json() + "\n" if output.startswith("{") else recipe.to_yaml()) == output


def test_a_config_fills_what_the_caller_leaves_unset(tmp_path: Path) -> None:
    """`spec.recipe.criteria` per dimension, under the caller's own values (a flag wins)."""
    config = tmp_path / "aicr.yaml"
    config.write_text(
        "kind: AICRConfig\napiVersion: aicr.run/v1alpha2\n"
        "spec:\n  recipe:\n    criteria: {service: eks, accelerator: l40s, intent: training, os: ubuntu}\n"
    )
    recipe = resolve(config=config, intent="inference", aicr_version="0.20")
    assert recipe.criteria.model_dump(include={"service", "accelerator", "intent", "os"}) == {
        "service": "eks",
        "accelerator": "l40s",
        "intent": "inference",
        "os": "ubuntu",
    }
    plain = resolve(service="eks", accelerator="l40s", intent="inference", os="ubuntu", aicr_version="0.20")
    assert recipe.to_json() == plain.to_json()


def test_a_criteria_object_states_its_own_dimensions(tmp_path: Path) -> None:
    """With a config, a `Criteria` counts as the flags it states; wildcards leave the config's."""
    config = tmp_path / "aicr.yaml"
    config.write_text(
        "kind: AICRConfig\napiVersion: aicr.run/v1alpha2\n"
        "spec:\n  recipe:\n    criteria: {service: eks, accelerator: l40s, os: ubuntu}\n"
    )
    recipe = resolve(Criteria(intent="inference", nodes=2), config=config, aicr_version="0.20")
    assert (recipe.criteria.service, recipe.criteria.intent, recipe.criteria.nodes) == ("eks", "inference", 2)
    with pytest.raises(TypeError, match="either a Criteria or keyword dimensions"):
        resolve(Criteria(intent="inference"), config=config, service="eks")


MINI = CASES / "mini"


@pytest.fixture
def empty_config(tmp_path: Path) -> Path:
    """A config that states nothing: the command line's path, with the caller's values alone."""
    config = tmp_path / "aicr.yaml"
    config.write_text("kind: AICRConfig\napiVersion: aicr.run/v1alpha2\nspec: {recipe: {}}\n")
    return config


@pytest.mark.parametrize(
    ("keywords", "error"),
    [
        ({"service": 5}, RecipeError),
        ({"gpu": "h100", "accelerator": "h100"}, TypeError),
        ({"zone": "a"}, TypeError),
        ({"nodes": "eight"}, RecipeError),
    ],
)
def test_the_command_lines_path_refuses_what_the_direct_one_refuses(
    empty_config: Path, keywords: dict[str, Any], error: type[Exception]
) -> None:
    """A value of the wrong type or a dimension given twice fails the same way with a config file."""
    with pytest.raises(error) as direct:
        resolve(catalog=MINI, aicr_version="0.20", **({"service": "eks"} | keywords))
    with pytest.raises(error) as configured:
        resolve(catalog=MINI, aicr_version="0.20", config=empty_config, **({"service": "eks"} | keywords))
    assert str(configured.value) == str(direct.value)


def test_gpu_and_nodes_keywords_on_the_command_lines_path(empty_config: Path) -> None:
    """`gpu=` is `--gpu`, upstream's alias of `--accelerator`; `nodes` may be a count's text."""
    keywords: dict[str, Any] = {"service": "eks", "gpu": "h100", "nodes": "8"}
    direct = resolve(catalog=MINI, aicr_version="0.20", **keywords)
    configured = resolve(catalog=MINI, aicr_version="0.20", config=empty_config, **keywords)
    assert (configured.criteria.accelerator, configured.criteria.nodes) == ("h100", 8)
    assert configured.to_json() == direct.to_json()


def test_data_needs_a_catalog_path() -> None:
    """A layer is merged at load, so a loaded `Catalog` cannot take one."""
    with pytest.raises(TypeError, match="layers over a catalog path"):
        resolve(catalog=load_catalog(CASES / "mini", aicr_version="0.20"), data=CASES / "layer", service="eks")


def test_a_config_is_judged_as_the_catalogs_release(tmp_path: Path) -> None:
    """The shipped catalog reads as 1.0: its configs say `aicr.run/v1beta1`; a retired header is refused."""
    config = tmp_path / "aicr.yaml"
    config.write_text("kind: AICRConfig\napiVersion: aicr.run/v1beta1\nspec: {recipe: {criteria: {service: eks}}}\n")
    assert resolve(config=config, accelerator="l40s", intent="inference", os="ubuntu").criteria.service == "eks"
    config.write_text("kind: AICRConfig\napiVersion: aicr.run/v1alpha2\nspec: {recipe: {}}\n")
    with pytest.raises(RecipeError, match=r"was retired in v1\.0\.0"):
        resolve(config=config, service="eks")


@needs_shared
@pytest.mark.parametrize("mode", ["customer-managed", " AICR-Provided "])
def test_an_accounting_mode_builds_upstreams_recipe(mode: str) -> None:
    """`accounting_mode=` is `--slurm-accounting-mode`: trimmed, any case, upstream's bytes (recorded digests)."""
    recipe = resolve(
        catalog=UPSTREAM_RECIPES,
        aicr_version="0.20",
        version="dev",
        accounting_mode=mode,
        service="eks",
        accelerator="h100",
        os="ubuntu",
        intent="training",
        platform="slurm",
    )
    canonical = mode.strip().lower()
    expected = json.loads((Path(__file__).parent / "accounting_cases" / "catalog.json").read_text())
    digest = hashlib.sha256((recipe.to_json() + "\n").encode()).hexdigest()
    assert digest == expected[f"eks-h100-{canonical}"]["json"]
    with pytest.raises(RecipeError, match="can only be set when recipe platform is slurm"):
        resolve(catalog=UPSTREAM_RECIPES, aicr_version="0.20", accounting_mode=mode, service="eks")


def test_a_criteria_alone_is_resolved_as_given(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without a config, snapshot or build option a `Criteria` is the query: its values are not read as flags."""
    query = Criteria(service="eks", accelerator="h100")
    expected = resolve(query, catalog=MINI, aicr_version="0.20")
    with pytest.raises(TypeError, match="either a Criteria or keyword dimensions"):
        resolve(query, catalog=MINI, aicr_version="0.20", intent="training")

    def unread(*_: object) -> dict[str, object]:
        raise AssertionError

    monkeypatch.setattr("l40_recipes._request._raw_values", unread)
    recipe = resolve(query, catalog=MINI, aicr_version="0.20")
    assert recipe.criteria == query
    assert recipe.to_json() == expected.to_json()
