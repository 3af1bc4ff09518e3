"""Typed fields decode as strictly as upstream's yaml.v3: its errors, exit codes and findings at the value.

Expected texts and exit codes were observed from aicr 9793720d (`aicr-patched recipe` on mutated
copies of the upstream catalog).
"""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import pytest

from l40_recipes import RecipeError, _decoding, check, load_catalog, resolve
from l40_recipes._decoding import allowed_alias_ratio, check_free_form_aliases, excessive_aliasing
from l40_recipes._models import RecipeMetadata
from l40_recipes._yaml import parse_yaml

from .conftest import MINIMAL_REGISTRY, UPSTREAM_RECIPES, needs_shared, overlay, write_catalog


def _leaf(criteria: str = "service: eks", body: str = "") -> dict[str, str]:
    return {"leaf": overlay("leaf", criteria=criteria, body=body)}


@pytest.mark.parametrize(
    ("nodes", "line"),
    [
        ("'8'", "cannot unmarshal !!str `8` into int"),
        ("1e30", "cannot unmarshal !!float `1e30` into int"),
        ("yes", "cannot unmarshal !!str `yes` into int"),
        ("2001-12-14", "cannot unmarshal !!timestamp `2001-12-14` into int"),
        ("{a: 1}", "cannot unmarshal !!map into int"),
        ("'12345678901'", "cannot unmarshal !!str `1234567...` into int"),
    ],
)
def test_criteria_nodes_refuses_what_yaml_v3_refuses(tmp_path: Path, nodes: str, line: str) -> None:
    """A quoted number is a string to yaml.v3, so an int field refuses it (exit 2), at the value."""
    root = write_catalog(tmp_path, _leaf(f"service: eks, nodes: {nodes}"))
    with pytest.raises(RecipeError) as caught:
        load_catalog(root)
    err = caught.value
    assert err.upstream_text == (
        f"[INVALID_REQUEST] failed to parse overlays/leaf.yaml: yaml: unmarshal errors:\n  line 8: {line}"
    )
    assert err.exit_code == 2
    assert err.location is not None
    assert err.location.path.endswith("overlays/leaf.yaml")
    assert (err.location.line, err.location.column) == (8, 12)
    findings = [(f.file, f.line, f.column) for f in check(root).findings if f.rule == "load-error"]
    assert [(str(root / "overlays/leaf.yaml"), 8, 12)] == findings


@pytest.mark.parametrize(("nodes", "value"), [("0x10", 16), ("1e1", 10), ("4.5", 4), ("010", 8), ("~", 0)])
def test_criteria_nodes_takes_what_yaml_v3_takes(tmp_path: Path, nodes: str, value: int) -> None:
    """Go prefixes, floats (truncated) and null fill an int field as yaml.v3 fills it."""
    root = write_catalog(tmp_path, _leaf(f"service: eks, nodes: {nodes}"))
    catalog = load_catalog(root)
    criteria = catalog.overlays["leaf"].document.spec.criteria
    assert criteria is not None
    assert criteria.nodes == value


def test_max_nodes_as_yaml_v3(tmp_path: Path) -> None:
    """`maxNodes: 4.5` is 4 in the recipe (observed); `maxNodes: '4'` is an error at its line."""
    body = "validation:\n  deployment:\n    nodeSelection: {maxNodes: 4.5}\n"
    root = write_catalog(tmp_path, _leaf(body=body))
    recipe = resolve({"service": "eks"}, catalog=load_catalog(root))
    assert '"maxNodes": 4\n' in recipe.to_json()
    (tmp_path / "overlays" / "leaf.yaml").write_text(
        overlay("leaf", criteria="service: eks", body=body.replace("4.5", "'4'"))
    )
    with pytest.raises(RecipeError) as caught:
        load_catalog(root)
    assert caught.value.upstream_text.endswith("\n  line 10: cannot unmarshal !!str `4` into int")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("'true'", "cannot unmarshal !!str `true` into bool"),
        ("1", "cannot unmarshal !!int `1` into bool"),
    ],
)
def test_registry_booleans_as_yaml_v3(tmp_path: Path, value: str, message: str) -> None:
    """Registry booleans refuse strings and numbers with upstream's INTERNAL error (exit 8)."""
    registry = MINIMAL_REGISTRY.replace(
        "    displayName: GPU Operator\n", f"    displayName: GPU Operator\n    ownsCRDs: {value}\n"
    )
    root = write_catalog(tmp_path, _leaf(), registry=registry)
    with pytest.raises(RecipeError) as caught:
        load_catalog(root)
    assert caught.value.upstream_text == (
        f"[INTERNAL] failed to parse registry.yaml: yaml: unmarshal errors:\n  line 6: {message}"
    )
    assert caught.value.exit_code == 8
    findings = [(f.file, f.line) for f in check(root).findings if f.rule == "load-error"]
    assert [(str(root / "registry.yaml"), 6)] == findings


@pytest.mark.parametrize(("value", "expected"), [("yes", True), ("'off'", False), ("true", True), ("~", False)])
def test_registry_booleans_take_yaml_11_words(tmp_path: Path, value: str, *, expected: bool) -> None:
    """yaml.v3 fills a Go bool from `yes`/`off` text too, quoted or not (observed: `'yes'` loads)."""
    registry = MINIMAL_REGISTRY.replace(
        "    displayName: GPU Operator\n", f"    displayName: GPU Operator\n    ownsCRDs: {value}\n"
    )
    root = write_catalog(tmp_path, _leaf(), registry=registry)
    loaded = load_catalog(root).registry
    assert loaded is not None
    assert loaded.by_name["gpu-operator"].owns_crds is expected


def test_every_unmarshal_error_is_listed_in_line_order(tmp_path: Path) -> None:
    """yaml.v3 reports every field it could not fill, one line each."""
    body = "validation:\n  deployment:\n    nodeSelection: {maxNodes: '4'}\n"
    root = write_catalog(tmp_path, _leaf("service: eks, nodes: '8'", body))
    with pytest.raises(RecipeError) as caught:
        load_catalog(root)
    assert caught.value.upstream_text.endswith(
        "yaml: unmarshal errors:\n  line 8: cannot unmarshal !!str `8` into int\n"
        "  line 11: cannot unmarshal !!str `4` into int"
    )


def _bomb(levels: int, indent: str) -> str:
    lines = [f"{indent}a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"{indent}a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, levels)]
    return "\n".join(lines) + "\n"


def test_a_decoded_alias_bomb_is_excessive_aliasing(tmp_path: Path) -> None:
    """Under `overrides` every node is decoded: yaml.v3's ratio refuses the bomb (observed: exit 2, this text)."""
    body = "componentRefs:\n  - name: gpu-operator\n    overrides:\n" + _bomb(9, "      ")
    root = write_catalog(tmp_path, _leaf(body=body))
    with pytest.raises(RecipeError) as caught:
        load_catalog(root)
    assert caught.value.upstream_text == (
        "[INVALID_REQUEST] failed to parse overlays/leaf.yaml: yaml: document contains excessive aliasing"
    )
    assert caught.value.exit_code == 2


def test_an_unused_alias_tree_loads(tmp_path: Path) -> None:
    """A 10**6-node alias tree under a key upstream does not decode is never expanded (observed: aicr loads it)."""
    text = overlay("leaf", criteria="service: eks") + "xUnused:\n" + _bomb(6, "  ")
    root = write_catalog(tmp_path, {"leaf": text})
    recipe = resolve({"service": "eks"}, catalog=load_catalog(root))
    assert recipe.component("gpu-operator") is not None


def test_long_strings_aliased_many_times_are_bounded(tmp_path: Path) -> None:
    """yaml.v3's ratio lets a long string be aliased 100 times; our 4 MiB bound on added text does not."""
    blob = "x" * 65_536
    body = f"componentRefs:\n  - name: gpu-operator\n    overrides:\n      a: &a '{blob}'\n"
    many = body + f"      b: [{', '.join(['*a'] * 100)}]\n"
    root = write_catalog(tmp_path, _leaf(body=many))
    with pytest.raises(RecipeError, match="bytes of text") as caught:
        load_catalog(root)
    assert caught.value.location is not None
    assert caught.value.location.line == 11
    (tmp_path / "overlays" / "leaf.yaml").write_text(
        overlay("leaf", criteria="service: eks", body=body + f"      b: [{', '.join(['*a'] * 10)}]\n")
    )
    overrides = resolve({"service": "eks"}, catalog=load_catalog(root)).component("gpu-operator")
    assert overrides is not None
    assert overrides.overrides is not None
    assert len(overrides.overrides["b"]) == 10


@pytest.mark.parametrize(
    ("decoded", "ratio"), [(1_000, 0.99), (400_000, 0.99), (2_200_000, 0.545), (4_000_000, 0.10), (9_000_000, 0.10)]
)
def test_allowed_alias_ratio_as_yaml_v3(decoded: int, ratio: float) -> None:
    """99 % up to 400,000 decoded nodes, 10 % from 4,000,000, linear in between."""
    assert allowed_alias_ratio(decoded) == pytest.approx(ratio)


def test_excessive_aliasing_needs_a_hundred_aliases_and_a_thousand_nodes() -> None:
    """yaml.v3 tests the ratio only past 100 aliased and 1,000 decoded nodes."""
    assert not excessive_aliasing(1_000, 999)
    assert not excessive_aliasing(1_001, 100)
    assert excessive_aliasing(1_001, 1_000)
    assert not excessive_aliasing(1_001, 990)


@needs_shared
@pytest.mark.parametrize(("aliases", "refused"), [(246, False), (247, True)])
def test_alias_ratio_threshold_matches_upstream(tmp_path: Path, aliases: int, *, refused: bool) -> None:
    """A 200-node list aliased N times in an upstream overlay: aicr 9793720d loads 246 and refuses 247."""
    root = tmp_path / "recipes"
    shutil.copytree(UPSTREAM_RECIPES, root)
    path = root / "overlays" / "h100-eks-training.yaml"
    anchor = "        cdi:\n          enabled: true\n"
    text = path.read_text()
    assert anchor in text
    added = f"          base: &b [{', '.join(['x'] * 199)}]\n          cs: [{', '.join(['*b'] * aliases)}]\n"
    path.write_text(text.replace(anchor, anchor + added, 1))
    if refused:
        with pytest.raises(RecipeError, match="excessive aliasing"):
            load_catalog(root)
    else:
        load_catalog(root)


def test_aliases_in_typed_fields_are_counted_by_their_type(tmp_path: Path) -> None:
    """An alias in a typed field counts the fields upstream decodes; a wrong shape is the decoder's error."""
    text = (
        "kind: RecipeMetadata\napiVersion: aicr.run/v1alpha2\nmetadata: {name: leaf}\n"
        "xDefs:\n  c: &c {service: eks, bogus: [1, 2]}\n  l: &l [1, 2]\n"
        "spec:\n  criteria: *c\n  mixins: *l\n"
    )
    root = write_catalog(tmp_path, {"leaf": text})
    criteria = load_catalog(root).overlays["leaf"].document.spec.criteria
    assert criteria is not None
    assert criteria.service == "eks"
    wrongs = {
        "  criteria: *l": "line 6: cannot unmarshal !!seq into recipe.Criteria",  # the anchor's line, as yaml.v3
        "  criteria: *c\n  base: *c": "line 5: cannot unmarshal !!map into string",
    }
    for wrong, line in wrongs.items():
        (tmp_path / "overlays" / "leaf.yaml").write_text(text.replace("  criteria: *c", wrong))
        with pytest.raises(RecipeError) as caught:
            load_catalog(root)
        assert caught.value.upstream_text.endswith(f"yaml: unmarshal errors:\n  {line}")


def test_a_values_file_bomb_is_a_finding_not_a_hang(tmp_path: Path) -> None:
    """Upstream decodes a values file whole into a map, so yaml.v3's ratio applies to all of it."""
    extra = {"components/gpu-operator/values.yaml": _bomb(9, "")}
    root = write_catalog(tmp_path, _leaf(), extra=extra)
    findings = [(f.rule, f.line, f.message) for f in check(root).findings if f.file.endswith("values.yaml")]
    path = root / "components/gpu-operator/values.yaml"
    assert findings == [("values-file-yaml", 3, f"failed to parse {path}: yaml: document contains excessive aliasing")]
    document = parse_yaml(_bomb(3, ""), path="v.yaml")
    check_free_form_aliases(document, "v.yaml")  # 111 aliased nodes of 133: within the ratio


_BAD = '!!binary "#not-base64"'


@pytest.mark.parametrize(
    ("where", "text"),
    [
        ("top-level unknown key", f"extra: {_BAD}\n"),
        ("unknown key under metadata", f"metadata: {{name: leaf, labelz: {_BAD}}}\n"),
        ("unknown criteria dimension", f"spec: {{criteria: {{service: eks, zone: {_BAD}}}}}\n"),
    ],
)
def test_a_bad_binary_value_under_an_unknown_key_is_not_decoded(tmp_path: Path, where: str, text: str) -> None:
    """yaml.v3 decodes only the keys a struct knows, so upstream never sees these values (exit 0)."""
    document = overlay("leaf", criteria="service: eks")
    if text.startswith("metadata"):
        document = document.replace("metadata:\n  name: leaf\n", text)
    elif text.startswith("spec"):
        document = document.replace("spec:\n  criteria:\n    service: eks\n", text)
    else:
        document += text
    root = write_catalog(tmp_path, {"leaf": document})
    assert resolve({"service": "eks"}, catalog=root).criteria.service == "eks", where


@pytest.mark.parametrize(
    ("old", "new", "message", "at"),
    [
        ("kind: RecipeMetadata", f"kind: {_BAD}", "failed to parse header for overlays/leaf.yaml", (1, 7)),
        ("  name: leaf", f"  name: {_BAD}", "failed to parse header for overlays/leaf.yaml", (4, 9)),
        ("    service: eks", f"    service: {_BAD}", "failed to parse overlays/leaf.yaml", (7, 14)),
        (
            "spec:",
            f"spec:\n  componentRefs: [{{name: a, overrides: {{k: {_BAD}}}}}]",
            "failed to parse overlays/leaf.yaml",
            (6, 44),
        ),
    ],
)
def test_a_bad_binary_value_upstream_decodes_fails_in_its_words(
    tmp_path: Path, old: str, new: str, message: str, at: tuple[int, int]
) -> None:
    """The header probe (kind, apiVersion, metadata.name) fails first, then the spec's decode (exit 2)."""
    document = overlay("leaf", criteria="service: eks").replace(old, new, 1)
    root = write_catalog(tmp_path, {"leaf": document})
    with pytest.raises(RecipeError) as caught:
        load_catalog(root)
    err = caught.value
    assert err.upstream_text == f"[INVALID_REQUEST] {message}: yaml: !!binary value contains invalid base64 data"
    assert err.exit_code == 2
    assert err.location is not None
    assert (err.location.line, err.location.column) == at


def test_the_reader_fails_a_bad_binary_value_unless_told_to_defer_it() -> None:
    """Files decoded whole (values, snapshots, configs) fail at once; the catalog's readers defer."""
    with pytest.raises(RecipeError, match="invalid base64"):
        parse_yaml(f"a: {_BAD}\n", path="f.yaml")
    deferred = parse_yaml(f"a: {_BAD}\n", path="f.yaml", defer_binary=True)
    assert deferred.data == {"a": "#not-base64"}
    assert [(path, (loc.line, loc.column)) for path, loc in deferred.bad_binary] == [(("a",), (1, 4))]


#: Upstream's own catalog with one file edited, and what aicr 9793720d printed (`[CODE] message`) and
#: its exit code; `null`: it loaded the catalog. Observed with `aicr-patched recipe`.
_OBSERVED = json.loads((Path(__file__).parent / "decode_cases.json").read_text())
#: The overlays the cases edit, with base.yaml: the other overlays do not change what fails.
_OVERLAYS = frozenset({"base.yaml", "eks.yaml", "aks.yaml"})


@pytest.fixture(name="small_upstream", scope="module")
def _small_upstream(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("upstream") / "recipes"
    shutil.copytree(
        UPSTREAM_RECIPES,
        root,
        ignore=lambda folder, names: [name for name in names if folder.endswith("overlays") and name not in _OVERLAYS],
    )
    return root


@needs_shared
@pytest.mark.parametrize("label", sorted(_OBSERVED))
def test_decode_errors_are_yaml_v3s_words(small_upstream: Path, label: str) -> None:
    """Every unmarshal error in yaml.v3's text and order, under each file kind's own message; a finding too."""
    case = _OBSERVED[label]
    path = small_upstream / case["file"]
    original = path.read_text()
    text = original
    for old, new in case["edits"]:
        assert old in text
        text = text.replace(old, new, 1)
    path.write_text(text)
    try:
        _expect_observed(small_upstream, path, case)
    finally:
        path.write_text(original)


def _expect_observed(root: Path, path: Path, case: dict[str, Any]) -> None:
    if case["upstream"] is None:
        load_catalog(root, aicr_version="0.20")
        return
    with pytest.raises(RecipeError) as caught:
        load_catalog(root, aicr_version="0.20")
    err = caught.value
    assert (err.upstream_text, err.exit_code) == (case["upstream"], case["exit"])
    assert err.location is not None
    first = re.search(r"\n  line (\d+): ", case["upstream"])
    if first:  # the first error's line is where the error points
        assert err.location.line == int(first[1])
    findings = check(root, select=["load-error"], aicr_version="0.20").findings
    assert [(f.file, f.line, f.column) for f in findings] == [(str(path), err.location.line, err.location.column)]


def test_v1_0_probes_a_mixins_header_first(tmp_path: Path) -> None:
    """v1.0 decodes a mixin's header (leniently) before the strict decode; 9793720d decodes it once.

    The v1.0 text follows its recovered `metadata_store.go` (not observed: no v1.0 binary).
    """
    files = {"mixins/m.yaml": "kind: [RecipeMixin]\nmetadata: {name: m, zz: 1}\n"}
    root = write_catalog(tmp_path, _leaf(), extra=files)
    texts = {}
    for release in ("0.20", "1.0"):
        with pytest.raises(RecipeError) as caught:
            load_catalog(root, aicr_version=release)
        texts[release] = caught.value.upstream_text
    assert texts["1.0"] == (
        "[INVALID_REQUEST] failed to parse mixin header mixins/m.yaml: yaml: unmarshal errors:\n"
        "  line 1: cannot unmarshal !!seq into string"
    )
    assert texts["0.20"] == (
        "[INVALID_REQUEST] failed to parse mixin mixins/m.yaml (unknown fields are not allowed): "
        "yaml: unmarshal errors:\n  line 1: cannot unmarshal !!seq into string\n"
        '  line 2: field zz not found in type struct { Name string "json:\\"name\\" yaml:\\"name\\"" }'
    )


_LAYER_REGISTRY = "apiVersion: aicr.run/v1alpha2\nkind: ComponentRegistry\ncomponents: []\n"


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        (
            {
                "registry.yaml": "apiVersion: aicr.run/v1alpha2\nkind: ComponentRegistry\ncomponents:\n"
                "  - name: [x]\n    zz: 1\n    helm: [a]\n    gkeCriticalPriority: maybe\n"
            },
            "[INTERNAL] failed to read registry.yaml: [INTERNAL] failed to parse external registry.yaml: "
            "yaml: unmarshal errors:\n  line 4: cannot unmarshal !!seq into string\n"
            "  line 6: cannot unmarshal !!seq into recipe.HelmConfig\n  line 7: cannot unmarshal !!str `maybe` into bool",
        ),
        (
            {
                "registry.yaml": _LAYER_REGISTRY,
                "overlays/lay.yaml": "kind: RecipeMetadata\napiVersion: aicr.run/v1alpha2\nmetadata:\n  name: lay\n"
                'spec:\n  criteria: {service: [eks], nodes: "3"}\n'
                "  constraints: [{name: K8s.server.version, value: {a: 1}, zz: 1}]\n",
            },
            "[INTERNAL] failed to walk external directory tree: [INVALID_REQUEST] failed to parse overlays/lay.yaml: "
            "yaml: unmarshal errors:\n  line 6: cannot unmarshal !!seq into recipe.CriteriaServiceType\n"
            "  line 6: cannot unmarshal !!str `3` into int\n  line 7: cannot unmarshal !!map into string",
        ),
        (
            {
                "registry.yaml": _LAYER_REGISTRY,
                "overlays/lay.yaml": "kind: RecipeMetadata\napiVersion: aicr.run/v1alpha2\nmetadata: [a]\n",
            },
            "[INTERNAL] failed to walk external directory tree: [INVALID_REQUEST] failed to parse header for "
            "overlays/lay.yaml: yaml: unmarshal errors:\n"
            '  line 3: cannot unmarshal !!seq into struct { Name string "json:\\"name\\" yaml:\\"name\\"" }',
        ),
    ],
)
def test_a_data_layers_files_fail_in_yaml_v3s_words(tmp_path: Path, files: dict[str, str], expected: str) -> None:
    """Observed with `aicr-patched recipe --data LAYER` over upstream's catalog (exit 8)."""
    root = write_catalog(tmp_path / "catalog", _leaf())
    layer = tmp_path / "layer"
    for relative, text in files.items():
        (layer / relative).parent.mkdir(parents=True, exist_ok=True)
        (layer / relative).write_text(text)
    with pytest.raises(RecipeError) as caught:
        load_catalog(root, aicr_version="0.20", data=layer)
    assert (caught.value.upstream_text, caught.value.exit_code) == (expected, 8)


def test_a_bad_binary_value_in_a_mapping_that_repeats_a_key_is_not_decoded(tmp_path: Path) -> None:
    """yaml.v3 refuses the repeated key and decodes nothing else of that mapping (observed: M-dup-binary)."""
    body = f"constraints:\n    - {{name: a, value: {_BAD}, value: b}}\n"
    root = write_catalog(tmp_path, _leaf(body=body))
    with pytest.raises(RecipeError) as caught:
        load_catalog(root)
    assert caught.value.upstream_text == (
        "[INVALID_REQUEST] failed to parse overlays/leaf.yaml: yaml: unmarshal errors:\n"
        '  line 9: mapping key "value" already defined at line 9'
    )


def test_only_a_document_the_models_refuse_is_walked(monkeypatch: pytest.MonkeyPatch) -> None:
    """A header (or a lenient decode) the models take has no unmarshal error: it is not walked."""
    walked: list[str] = []
    monkeypatch.setattr(_decoding, "refuse_unmarshal", _counted(_decoding.refuse_unmarshal, walked))
    good = parse_yaml("kind: RecipeMetadata\napiVersion: v\nmetadata: {name: x}\n", path="f.yaml", defer_binary=True)
    assert _decoding.read_header(good, "f.yaml", what="recipe") == ("RecipeMetadata", "v")
    assert _decoding.decode(RecipeMetadata, good, "f.yaml").metadata.name == "x"
    assert walked == []
    repeated = parse_yaml("kind: A\nkind: B\n", path="f.yaml", defer_binary=True)
    with pytest.raises(RecipeError, match=r"failed to parse header for f\.yaml") as caught:
        _decoding.read_header(repeated, "f.yaml", what="recipe")
    assert 'mapping key "kind" already defined at line 1' in str(caught.value.cause)
    bad = parse_yaml("kind: [a]\n", path="f.yaml", defer_binary=True)
    with pytest.raises(RecipeError) as caught:
        _decoding.read_header(bad, "f.yaml", what="recipe")
    assert "line 1: cannot unmarshal !!seq into string" in str(caught.value.cause)
    assert walked == ["RecipeMetadataHeader", "RecipeMetadataHeader"]


def _counted(function: Any, calls: list[str]) -> Any:
    def counted(model: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(model.__name__)
        return function(model, *args, **kwargs)

    return counted
