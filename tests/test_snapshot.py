"""Reading snapshot files: Go's reading types and texts, header checks, and refusals of what is not reproduced."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from l40_recipes import RecipeError
from l40_recipes._semantics import V0_20, V1_0
from l40_recipes._snapshot import load_snapshot, reading_text

if TYPE_CHECKING:
    from pathlib import Path

    from l40_recipes._semantics import AicrVersion
    from l40_recipes._snapshot import Measurement

HEADER = "kind: Snapshot\napiVersion: aicr.run/v1alpha2\n"


def _first(path: str) -> Measurement:
    measurement = load_snapshot(path, V0_20).measurements[0]
    assert measurement is not None
    return measurement


def _write(tmp_path: Path, text: str | bytes, name: str = "s.yaml") -> str:
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text)
    return str(path)


def test_yaml_readings_keep_yaml_v3_types(tmp_path: Path) -> None:
    """Ints, floats, bools and strings as yaml.v3 resolves them; quoted numbers stay strings."""
    path = _write(
        tmp_path,
        HEADER + "measurements:\n  - type: OS\n    subtypes:\n      - subtype: release\n"
        "        data: {a: 8, b: 24.04, c: '24.04', d: true, e: 1e6, f: text}\n",
    )
    data = _first(path).subtypes[0].data
    assert data == {"a": 8, "b": 24.04, "c": "24.04", "d": True, "e": 1e6, "f": "text"}
    assert [reading_text(value) for value in data.values()] == ["8", "24.04", "24.04", "true", "1e+06", "text"]


def test_json_numbers_are_float64(tmp_path: Path) -> None:
    """Go decodes every JSON number into float64, which prints without a fraction when whole."""
    path = _write(
        tmp_path,
        '{"measurements": [{"type": "GPU", "subtypes": [{"subtype": "hardware", "data": {"gpu-count": 8}}]}]}',
        "s.json",
    )
    value = _first(path).subtypes[0].data["gpu-count"]
    assert isinstance(value, float)
    assert reading_text(value) == "8"


def test_other_values_become_go_percent_v_text(tmp_path: Path) -> None:
    """Null, lists and maps are read as the string Go's %v prints (keys sorted)."""
    path = _write(
        tmp_path,
        HEADER + "measurements:\n  - type: OS\n    subtypes:\n      - subtype: r\n"
        "        data: {a: null, b: [1, x, [true]], c: {z: 1, a: {b: 2.5}}}\n",
    )
    assert _first(path).subtypes[0].data == {"a": "<nil>", "b": "[1 x [true]]", "c": "map[a:map[b:2.5] z:1]"}


def test_reading_text_is_go_percent_v() -> None:
    """`%v` of Go's float64: shortest digits, exponent from 1e21 down to 1e-05, Go's infinities."""
    assert [reading_text(v) for v in (0.1, 123456789.0, 1e-05, float("inf"), float("nan"), False)] == [
        "0.1",
        "1.23456789e+08",
        "1e-05",
        "+Inf",
        "NaN",
        "false",
    ]


@pytest.mark.parametrize(
    ("text", "name", "message"),
    [
        ("", "s.yaml", "[INVALID_REQUEST] failed to decode YAML: EOF"),
        ("measurements: [\n", "s.yaml", "[INVALID_REQUEST] failed to decode YAML: yaml: line 1:"),
        ("{}", "s.yaml", '[INVALID_REQUEST] file "PATH" contains no usable measurements'),
        ("measurements:\n  - type: K8s\n", "s.txt", "[INVALID_REQUEST] table format does not support deserialization"),
        ("kind: Recipe\n", "s.yaml", '[INVALID_REQUEST] file "PATH" has kind "Recipe", but a "Snapshot" is required'),
        ("", "s.json", "[INVALID_REQUEST] failed to decode JSON: EOF"),
    ],
)
def test_upstream_errors(tmp_path: Path, text: str, name: str, message: str) -> None:
    """Upstream's codes and texts for empty, broken, headless and foreign documents."""
    path = _write(tmp_path, text, name)
    with pytest.raises(RecipeError) as caught:
        load_snapshot(path, V0_20)
    assert caught.value.upstream_text.startswith(message.replace("PATH", path))


_SUBTYPE = HEADER + "measurements:\n  - type: OS\n    subtypes:\n      - subtype: r\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            HEADER + "measurements: 5\n",
            "yaml: unmarshal errors:\n  line 3: cannot unmarshal !!int `5` into []*measurement.Measurement",
        ),
        (
            HEADER + "fingerprint:\n  nodeCount: {value: four}\n",
            "yaml: unmarshal errors:\n  line 4: cannot unmarshal !!str `four` into int",
        ),
        (
            HEADER + "metadata: [a]\n",
            "yaml: unmarshal errors:\n  line 3: cannot unmarshal !!seq into map[string]string",
        ),
        ("- 1\n", "yaml: unmarshal errors:\n  line 1: cannot unmarshal !!seq into snapshotter.Snapshot"),
        (
            _SUBTYPE + "        data: {a: !!binary '%%'}\n",
            "[INVALID_REQUEST] failed to decode subtype YAML: yaml: !!binary value contains invalid base64 data",
        ),
        (
            _SUBTYPE + "        context: {a: {b: c}, 1: [x]}\n",
            "[INVALID_REQUEST] failed to decode subtype YAML: yaml: unmarshal errors:\n"
            "  line 7: cannot unmarshal !!map into string\n  line 7: cannot unmarshal !!seq into string",
        ),
        (
            _SUBTYPE + "        data: {a: 1, 'a': 2}\n",
            "[INVALID_REQUEST] failed to decode subtype YAML: yaml: unmarshal errors:\n"
            '  line 7: mapping key "a" already defined at line 7',
        ),
        (
            HEADER + "measurements:\n  - <<: 5\n",
            "yaml: map merge requires map or sequence of maps as the value",
        ),
    ],
)
def test_yaml_shapes_fail_as_yaml_v3_fails(tmp_path: Path, text: str, message: str) -> None:
    """A shape Go cannot decode is yaml.v3's error (type errors collected, with lines and Go types)."""
    path = _write(tmp_path, text)
    with pytest.raises(RecipeError) as caught:
        load_snapshot(path, V0_20)
    assert caught.value.upstream_text == "[INVALID_REQUEST] failed to decode YAML: " + message
    assert caught.value.exit_code == 2


def test_yaml_readings_are_go_values_printed_with_percent_v(tmp_path: Path) -> None:
    """Timestamps are time.Time, `!!binary` its bytes, non-string keys an any-keyed map (aicr's key order)."""
    path = _write(
        tmp_path,
        _SUBTYPE
        + "        data: {t: 2001-12-14, b: !!binary aGk=, m: {2: x, a: y, ~: z}, s: !!str 5, q: '2001-12-14'}\n",
    )
    assert _first(path).subtypes[0].data == {
        "t": "2001-12-14 00:00:00 +0000 UTC",
        "b": "hi",
        "m": "map[<nil>:z a:y 2:x]",
        "s": "5",
        "q": "2001-12-14",
    }


def test_null_entries_as_go_keeps_them(tmp_path: Path) -> None:
    """A null measurement stays (a nil pointer); a null subtype or item is left out; merges fill the rest."""
    path = _write(
        tmp_path,
        HEADER + "base: &base {type: OS}\nmeasurements:\n  - ~\n  - <<: *base\n    subtypes:\n"
        "      - ~\n      - {subtype: r, items: [~, {data: {a: 1}}], context: {<<: [{k: v}, {k: w, j: u}], j: t}}\n",
    )
    measurements = load_snapshot(path, V0_20).measurements
    assert measurements[0] is None
    second = measurements[1]
    assert second is not None
    assert second.type == "OS"
    assert len(second.subtypes) == 1
    assert len(second.subtypes[0].items) == 1
    assert second.subtypes[0].context == {"k": "v", "j": "t"}


@pytest.mark.parametrize(
    ("text", "name", "what"),
    [
        (_SUBTYPE + "        data: {a: {[1]: x}}\n", "s.yaml", "a list or a map"),
        (b'{"kind": "\xff"}', "s.json", "not UTF-8"),
    ],
)
def test_what_is_not_reproduced_is_refused(tmp_path: Path, text: str | bytes, name: str, what: str) -> None:
    """A reading keyed by a collection (yaml.v3's `%#v` of it) and JSON that is not UTF-8 are refused (exit 2)."""
    path = _write(tmp_path, text, name)
    with pytest.raises(RecipeError) as caught:
        load_snapshot(path, V0_20)
    assert "is not implemented by l40-recipes" in caught.value.message
    assert what in caught.value.message


@pytest.mark.parametrize(
    ("text", "what"),
    [
        ('{"measurements": 5}', "`measurements` is not a list"),
        ('{"measurements": [{"type": 5}]}', "`type` is not a string"),
        ('{"measurements": [{"Type": "K8s"}]}', "matches field 'type' only ignoring case"),
        ('{"fingerprint": {"nodeCount": {"value": 2.5}}}', "`value` is not a number"),
        ('{"measurements": [{"type": "K8s", "subtypes": [{"data": 5}]}]}', "`data` is not a mapping"),
    ],
)
def test_json_that_go_refuses_is_refused(tmp_path: Path, text: str, what: str) -> None:
    """Go 1.27's encoding/json texts (and its case-insensitive field match) are not reproduced: refused."""
    path = _write(tmp_path, text, "s.json")
    with pytest.raises(RecipeError) as caught:
        load_snapshot(path, V0_20)
    assert "is not implemented by l40-recipes" in caught.value.message
    assert what in caught.value.message


def test_json_values_read_as_go_reads_them(tmp_path: Path) -> None:
    """Null context values are empty strings; a null, list or object reading its `%v` text."""
    path = _write(
        tmp_path,
        '{"kind": "Snapshot", "measurements": [null, {"type": "OS", "subtypes": [{"subtype": "r",'
        ' "context": {"k": null}, "data": {"a": null, "b": [1, "x"], "c": {"z": 1.5}},'
        ' "items": [{"context": {"n": "x"}, "data": {"d": true}}]}]}]}',
        "s.json",
    )
    measurement = load_snapshot(path, V0_20).measurements[1]
    assert measurement is not None
    subtype = measurement.subtypes[0]
    assert subtype.context == {"k": ""}
    assert subtype.data == {"a": "<nil>", "b": "[1 x]", "c": "map[z:1.5]"}
    assert subtype.items[0].data == {"d": True}


@pytest.mark.parametrize(("source", "what"), [("cm://ns/name", "ConfigMap"), ("https://x.invalid/s.yaml", "URL")])
def test_remote_sources_are_refused(source: str, what: str) -> None:
    """Nothing here contacts a cluster or the network."""
    with pytest.raises(RecipeError, match=what):
        load_snapshot(source, V0_20)


def test_a_directory_is_upstreams_read_error(tmp_path: Path) -> None:
    """Opening a directory works in Go; reading it fails: INTERNAL, exit 8."""
    (tmp_path / "d.yaml").mkdir()
    with pytest.raises(RecipeError) as caught:
        load_snapshot(str(tmp_path / "d.yaml"), V0_20)
    assert caught.value.exit_code == 8
    assert caught.value.upstream_text.endswith("is a directory")


_BODY = "measurements:\n  - type: K8s\n    subtypes:\n      - subtype: server\n        data: {version: v1.33.0}\n"
_REFUSED = (
    "[INVALID_REQUEST] snapshot file has apiVersion {value}{note}, which this aicr build does not support "
    '(expected "{expected}"); recapture the snapshot with a matching aicr version'
)


@pytest.mark.parametrize(
    ("semantics", "header", "note"),
    [
        (V0_20, "apiVersion: aicr.run/v1alpha2\n", None),
        (V0_20, "", None),  # 9793720d takes a snapshot that predates the field
        (V0_20, "apiVersion: aicr.run/v1\n", ""),
        (V1_0, "apiVersion: aicr.run/v1\n", None),
        (V1_0, "", " (an absent apiVersion was accepted before v1.0.0)"),
        (V1_0, "apiVersion: aicr.run/v1alpha2\n", " (aicr.run/v1alpha2 was retired in v1.0.0)"),
        (V1_0, "apiVersion: aicr.run/v2\n", ""),
    ],
)
def test_the_apiversion_gate_is_the_releases(
    tmp_path: Path, semantics: AicrVersion, header: str, note: str | None
) -> None:
    """A snapshot carries the release's stable-track apiVersion; 1.0 also refuses none and names retirements."""
    path = _write(tmp_path, "kind: Snapshot\n" + header + _BODY)
    if note is None:
        measurement = load_snapshot(path, semantics).measurements[0]
        assert measurement is not None
        assert measurement.type == "K8s"
        return
    with pytest.raises(RecipeError) as caught:
        load_snapshot(path, semantics)
    value = header.removeprefix("apiVersion: ").strip()
    expected = _REFUSED.format(value=f'"{value}"', note=note, expected=semantics.result_api_version)
    assert caught.value.upstream_text == expected
    assert caught.value.exit_code == 2


@pytest.mark.parametrize(
    ("text", "detail"),
    [
        ('{"measurements": NaN}', "invalid character 'N' looking for beginning of value"),
        ('{"kind": "Snapshot",}', "invalid character '}' looking for beginning of object key string"),
        ('{"measurements": [', "unexpected EOF"),
        ("nul", "unexpected EOF"),
        ("[1,2]", "json: cannot unmarshal array into Go value of type snapshotter.Snapshot"),
        ('"x"', "json: cannot unmarshal string into Go value of type snapshotter.Snapshot"),
        ("true", "json: cannot unmarshal bool into Go value of type snapshotter.Snapshot"),
        ("5", "json: cannot unmarshal number into Go value of type snapshotter.Snapshot"),
    ],
)
def test_json_syntax_and_document_errors_are_gos(tmp_path: Path, text: str, detail: str) -> None:
    """Observed from aicr 9793720d (Go 1.27's encoding/json): exit 2 with the decoder's own words."""
    path = _write(tmp_path, text, "s.json")
    with pytest.raises(RecipeError) as caught:
        load_snapshot(path, V0_20)
    assert caught.value.upstream_text == f"[INVALID_REQUEST] failed to decode JSON: {detail}"
    assert caught.value.exit_code == 2


@pytest.mark.parametrize("text", ["null", '{"kind": "Snapshot"} xx', '{"kind": "Snapshot"} {"a": 1}'])
def test_json_after_the_first_value_is_not_read(tmp_path: Path, text: str) -> None:
    """Upstream decodes one value; what follows it, even broken JSON, is never read (observed from aicr)."""
    path = _write(tmp_path, text, "s.json")
    with pytest.raises(RecipeError) as caught:
        load_snapshot(path, V0_20)
    assert "contains no usable measurements" in caught.value.message
