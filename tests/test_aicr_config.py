"""AICRConfig files: strict decoding in yaml.v3's and encoding/json's words, validation, spec.recipe."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from l40_recipes import RecipeError
from l40_recipes._aicr_config import AicrConfig, check_config_release, load_config_file
from l40_recipes._semantics import V0_20, V1_0

if TYPE_CHECKING:
    from l40_recipes._semantics import AicrVersion

#: Cases recorded from aicr 9793720d (`/work/aicr/aicr recipe --config FILE --service eks`):
#: name, file name, text, exit status and the `[CODE] message` it printed ("" when it loaded).
CASES = Path(__file__).parent / "aicr_config_cases.json"

HEADER = "kind: AICRConfig\napiVersion: aicr.run/v1alpha2\n"


def _load(tmp_path: Path, text: str, name: str = "c.yaml") -> object:
    path = tmp_path / name
    path.write_text(text)
    return load_config_file(str(path))


def test_recipe_section_is_read(tmp_path: Path) -> None:
    """Criteria (as written: parsed later against the catalog), nodes, profile, output, modes."""
    config = _load(
        tmp_path,
        HEADER + "spec:\n  recipe:\n    criteria: {service: EKS, nodes: 4.0}\n    profile: a=b\n"
        "    output: {path: out.json, format: json}\n    data: layer\n    criteriaStrict: 'Yes'\n"
        "    configuration:\n      slurm: {accounting: {mode: ' Disabled '}}\n      runtimeInventory: {mode: enabled}\n",
    )
    assert config is not None
    assert repr(config) == (
        "AicrConfig(criteria={'service': 'EKS'}, nodes=4, profile='a=b', snapshot='', data='layer', "
        "output_path='out.json', output_format='json', accounting_mode='disabled', runtime_inventory='enabled', "
        "criteria_strict=True, api_version='aicr.run/v1alpha2', kind='AICRConfig')"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "spec:\n  recipe:\n    criteria:\n      nodes: [1]\n      bogus: 1\n  extra: {}\n",
            "yaml: unmarshal errors:\n  line 6: cannot unmarshal !!seq into int\n"
            "  line 7: field bogus not found in type config.CriteriaSpec\n"
            "  line 8: field extra not found in type config.Spec",
        ),
        ("spec:\n  recipe:\n    criteriaStrict: 'maybe'\n", "line 5: cannot unmarshal !!str `maybe` into bool"),
        ("spec:\n  recipe:\n    output: []\n", "line 5: cannot unmarshal !!seq into config.RecipeOutputSpec"),
        ("", "EOF"),
    ],
)
def test_strict_decoding_errors(tmp_path: Path, text: str, message: str) -> None:
    """Every field yaml.v3 cannot fill, in document order, under upstream's wrapper (observed from aicr 9793720d)."""
    with pytest.raises(RecipeError) as caught:
        _load(tmp_path, (HEADER if text else "") + text)
    assert caught.value.upstream_text.startswith(f'[INVALID_REQUEST] failed to parse config from "{tmp_path}/c.yaml": ')
    assert message in caught.value.upstream_text


@pytest.mark.parametrize(
    ("recipe", "message"),
    [
        ("runtimeInventory: {mode: sometimes}", 'invalid runtime inventory mode "sometimes"'),
        ("slurm: {accounting: {mode: x}}", 'invalid Slurm accounting mode "x"'),
    ],
)
def test_modes_are_validated(tmp_path: Path, recipe: str, message: str) -> None:
    """The configuration modes fail as the flags do, at load time."""
    with pytest.raises(RecipeError, match=message):
        _load(tmp_path, HEADER + f"spec:\n  recipe:\n    configuration: {{{recipe}}}\n")


def test_urls_are_refused_and_empty_is_none() -> None:
    """Nothing is fetched: a URL is refused by name; an empty flag reads no config."""
    with pytest.raises(RecipeError, match="--config from a URL"):
        load_config_file("https://example.invalid/c.yaml")
    assert load_config_file("") is None


def _recorded() -> list[Any]:
    cases = json.loads(CASES.read_text(encoding="utf-8"))
    return [pytest.param(case, id=case["name"]) for case in cases]


@pytest.mark.parametrize("case", _recorded())
def test_recorded_case(case: dict[str, Any], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """aicr 9793720d's own text and exit status for each case (recorded with `aicr recipe --config F`).

    Every section's validation rules, JSON and YAML decoder errors, and the 0.20 header rule
    (`check_config_release`, which the command runs once the catalog's release is known).
    """
    (tmp_path / case["file"]).write_text(case["text"], encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    try:
        config = load_config_file(case["file"], defer_header=True)
        assert config is not None
        check_config_release(config, case["file"], V0_20)
        assert load_config_file(case["file"]) == config
    except RecipeError as err:
        assert (err.upstream_text, err.exit_code) == (case["error"], case["exit"])
    else:
        assert (case["error"], case["exit"]) == ("", 0)


def test_all_five_sections_resolve(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A valid config with every section: spec.recipe is what the command takes, the rest validate."""
    case = next(case for case in json.loads(CASES.read_text(encoding="utf-8")) if case["name"] == "all-five")
    config = _load(tmp_path, case["text"])
    assert isinstance(config, AicrConfig)
    assert (config.criteria, config.output_path, config.api_version) == (
        {"service": "eks", "accelerator": "h100"},
        "r.yaml",
        "aicr.run/v1alpha2",
    )


@pytest.mark.parametrize(
    ("api_version", "release", "message"),
    [
        ("aicr.run/v1beta1", V1_0, ""),
        ("aicr.run/v1alpha2", V0_20, ""),
        (
            "aicr.run/v1beta1",
            V0_20,
            '[INVALID_REQUEST] invalid apiVersion "aicr.run/v1beta1": expected "aicr.run/v1alpha2"',
        ),
        (
            "aicr.run/v1alpha2",
            V1_0,
            '[INVALID_REQUEST] failed to validate config from "c.yaml": [INVALID_REQUEST] invalid apiVersion '
            '"aicr.run/v1alpha2" (aicr.run/v1alpha2 was retired in v1.0.0): expected "aicr.run/v1beta1"; '
            "update the config header to a version accepted by this aicr release",
        ),
        (
            "",
            V1_0,
            '[INVALID_REQUEST] failed to validate config from "c.yaml": [INVALID_REQUEST] invalid apiVersion "": '
            'expected "aicr.run/v1beta1"; update the config header to a version accepted by this aicr release',
        ),
    ],
)
def test_release_header(
    api_version: str, release: AicrVersion, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each release accepts its own header; 1.0's refusal (text by analogy) names the file and the retirement."""
    monkeypatch.chdir(tmp_path)
    header = f"apiVersion: {api_version}\n" if api_version else ""
    (tmp_path / "c.yaml").write_text(f"kind: AICRConfig\n{header}spec:\n  recipe: {{data: d}}\n")
    config = load_config_file("c.yaml", defer_header=True)
    assert config is not None
    assert config.api_version == api_version
    if not message:
        check_config_release(config, "c.yaml", release)
        assert config.data == "d"
        return
    with pytest.raises(RecipeError) as caught:
        check_config_release(config, "c.yaml", release)
    assert (caught.value.upstream_text, caught.value.exit_code) == (message, 2)


@pytest.mark.parametrize(
    ("head", "release", "message"),
    [
        ("apiVersion: aicr.run/v1beta1", V0_20, 'invalid apiVersion "aicr.run/v1beta1": expected "aicr.run/v1alpha2"'),
        ("apiVersion: aicr.run/v1alpha2", V1_0, "(aicr.run/v1alpha2 was retired in v1.0.0)"),
        ("apiVersion: aicr.run/v1beta1", V1_0, 'from "c.yaml": [INVALID_REQUEST] invalid spec.snapshot.output.format'),
        ("kind: Config\napiVersion: aicr.run/v1beta1", V1_0, 'from "c.yaml": [INVALID_REQUEST] invalid kind "Config"'),
    ],
)
def test_release_order(
    head: str, release: AicrVersion, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Kind, then the release's header, then the sections: a bad section never hides a wrong header."""
    monkeypatch.chdir(tmp_path)
    kind = "" if "kind:" in head else "kind: AICRConfig\n"
    (tmp_path / "c.yaml").write_text(f"{kind}{head}\nspec:\n  snapshot: {{output: {{format: xml}}}}\n")
    config = load_config_file("c.yaml", defer_header=True)
    assert config is not None
    with pytest.raises(RecipeError) as caught:
        check_config_release(config, "c.yaml", release)
    assert message in caught.value.upstream_text


def test_unknown_header_defers_everything(tmp_path: Path) -> None:
    """A header neither release accepts: nothing else is validated or taken (the release's error comes first)."""
    path = tmp_path / "c.yaml"
    path.write_text("kind: AICRConfig\napiVersion: v9\nspec:\n  snapshot: {output: {format: xml}}\n")
    config = load_config_file(str(path), defer_header=True)
    assert config == AicrConfig(api_version="v9")
    with pytest.raises(RecipeError, match='invalid apiVersion "v9"'):
        load_config_file(str(path))


def test_reader_limits_keep_their_own_error(tmp_path: Path) -> None:
    """A recursive anchor is refused by our reader, naming file, line and column (yaml.v3's per-field
    errors for it are not reproduced)."""
    with pytest.raises(RecipeError, match="alias to itself") as caught:
        _load(tmp_path, HEADER + "metadata: &a {name: *a}\nspec: {recipe: {}}\n")
    assert caught.value.location is not None
