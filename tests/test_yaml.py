"""The YAML reader: positions, duplicate keys, bombs, and upstream's scalar typing."""

from __future__ import annotations

import datetime as dt
import math

import pytest
import yaml

from l40_recipes import Location, RecipeLoadError, _yaml
from l40_recipes._scalars import resolve_plain
from l40_recipes._yaml import MAX_DEPTH, parse_yaml


def test_marks_for_keys_and_values() -> None:
    """Every key and value keeps its 1-based line and column."""
    doc = parse_yaml(b"spec:\n  componentRefs:\n    - name: a\n      version: 1.2\n", path="f.yaml")
    assert doc.source.locate(("spec", "componentRefs", 0, "version")) == Location("f.yaml", 4, 7)
    assert doc.source.locate_value(("spec", "componentRefs", 0, "version")) == Location("f.yaml", 4, 16)
    assert doc.source.locate(("spec", "componentRefs", 0, "missing")) == Location("f.yaml", 3, 7)
    assert doc.source.locate(("nothing", "here")) == Location("f.yaml", 1, 1)


def test_typed_fields_keep_source_text() -> None:
    """Outside `overrides`, scalars keep their text as Go strings do (`1.30` stays `1.30`)."""
    doc = parse_yaml(b"version: 1.30\nflag: yes\nempty:\nnull_word: ~\nquoted: '010'\n", path="f.yaml")
    assert doc.data == {"version": "1.30", "flag": "yes", "empty": None, "null_word": None, "quoted": "010"}
    assert doc.retyped[("version",)] == ("1.30", "the number 1.3")
    assert doc.retyped[("flag",)] == ("yes", "a boolean")
    assert ("quoted",) not in doc.retyped


def test_overrides_are_resolved_like_yaml_v3() -> None:
    """Under `overrides`, plain scalars get YAML 1.2 core types; `yes` stays a string."""
    text = b"overrides:\n  a: true\n  b: 1.30\n  c: yes\n  d: 010\n  e: 0x1F\n  f: null\n  g: '1'\n  h: [1, x]\n"
    doc = parse_yaml(text, path="f.yaml")
    assert doc.data["overrides"] == {
        "a": True,
        "b": 1.3,
        "c": "yes",
        "d": 8,
        "e": 31,
        "f": None,
        "g": "1",
        "h": [1, "x"],
    }


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1_000", 1000),
        ("-0b101", -5),
        ("0o17", 15),
        ("+5", 5),
        (".5", 0.5),
        ("1e3", 1000.0),
        ("99999999999999999999", 1e20),
        ("2001-12-14", dt.datetime(2001, 12, 14, tzinfo=dt.UTC)),
        ("0000-01-01", "0000-01-01"),  # a year Python cannot hold stays text
        ("-.inf", -math.inf),
        ("1.2.3", "1.2.3"),
        ("08", 8.0),
        ("True", True),
        ("off", "off"),
    ],
)
def test_resolve_plain(text: str, value: object) -> None:
    """Plain scalars resolve with yaml.v3's table (ints with Go prefixes, floats, bools, strings)."""
    assert resolve_plain(text) == value


def test_duplicate_keys_are_errors_with_both_lines() -> None:
    """A repeated key fails at its second position and names the first line."""
    with pytest.raises(RecipeLoadError) as caught:
        parse_yaml(b"a: 1\nb: 2\na: 3\n", path="f.yaml")
    assert caught.value.location == Location("f.yaml", 3, 1)
    assert 'mapping key "a" already defined at line 1' in str(caught.value)


def test_syntax_error_has_position_and_hint() -> None:
    """A syntax error names file, line and column and says how to fix it."""
    with pytest.raises(RecipeLoadError) as caught:
        parse_yaml(b"a: [1, 2\nb: 3\n", path="bad.yaml")
    assert caught.value.location is not None
    assert caught.value.location.path == "bad.yaml"
    assert caught.value.location.line >= 2
    assert caught.value.hint


def test_tabs_are_syntax_errors() -> None:
    """Tab indentation is rejected with a position."""
    with pytest.raises(RecipeLoadError):
        parse_yaml(b"a:\n\tb: 1\n", path="tab.yaml")


def test_billion_laughs_is_shared_not_built() -> None:
    """An alias shares its anchor's object, so a YAML bomb costs its text; the decoder counts it (test_decoding)."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]" for i in range(1, 9)]
    doc = parse_yaml("\n".join(lines).encode(), path="bomb.yaml")
    assert doc.data["a8"][9] is doc.data["a7"]
    assert ("a8", 9) in doc.aliases
    assert ("a0", 0) not in doc.aliases


def test_an_alias_under_another_decoding_is_built_again() -> None:
    """An anchor aliased under `overrides` resolves its scalars there, and keeps its text elsewhere."""
    doc = parse_yaml("d: &d {n: 3}\noverrides: {x: *d}\ne: *d\n", path="f.yaml")
    assert doc.data["overrides"]["x"] == {"n": 3}
    assert doc.data["e"] is doc.data["d"]
    assert doc.data["d"]["n"] == "3"


def test_deep_nesting_is_bounded() -> None:
    """Nesting deeper than the limit is a load error, not a crash."""
    text = "[" * (MAX_DEPTH + 5) + "]" * (MAX_DEPTH + 5)
    with pytest.raises(RecipeLoadError, match="nest"):
        parse_yaml(text.encode(), path="deep.yaml")


def test_merge_keys_and_aliases() -> None:
    """`<<` merges anchored mappings; explicit keys win; small aliases are fine."""
    doc = parse_yaml(b"d: &d {a: 1, b: 2}\ne:\n  <<: *d\n  b: 3\nf: *d\n", path="f.yaml")
    assert doc.data["e"] == {"a": "1", "b": "3"}
    assert doc.data["f"] == {"a": "1", "b": "2"}


def test_merge_key_requires_mapping() -> None:
    """`<<:` pointing at a scalar is a load error."""
    with pytest.raises(RecipeLoadError, match="map merge requires"):
        parse_yaml(b"e:\n  <<: 1\n", path="f.yaml")


def test_non_scalar_keys_are_rejected() -> None:
    """A mapping used as a key is a load error."""
    with pytest.raises(RecipeLoadError, match="mapping keys must be scalars"):
        parse_yaml(b"? {a: 1}\n: x\n", path="f.yaml")


def test_empty_and_multi_document_files() -> None:
    """An empty file is None; a second document is noticed but, as upstream's decoder, not read."""
    assert parse_yaml(b"", path="e.yaml").data is None
    assert not parse_yaml(b"a: 1\n", path="s.yaml").extra_documents
    assert parse_yaml(b"a: 1\n---\nb: 2\n", path="m.yaml").extra_documents
    broken_second = parse_yaml(b"a: 1\n---\nb: [\n", path="m.yaml")
    assert (broken_second.data, broken_second.extra_documents) == ({"a": "1"}, True)  # typed: text kept


def test_non_utf8_bytes_are_load_errors() -> None:
    """Bytes that are not UTF-8 fail with the file named."""
    with pytest.raises(RecipeLoadError, match=r"n\.yaml"):
        parse_yaml(b"a: \xff\xfe\xfa\n", path="n.yaml")


def test_bom_is_accepted() -> None:
    """A UTF-8 byte-order mark is not part of the first key."""
    assert parse_yaml("\ufeffa: 1\n".encode(), path="b.yaml").data == {"a": "1"}


class _PurePythonLoader(yaml.SafeLoader):
    """The loader used where PyYAML was built without libyaml."""

    resolve = _yaml._PlainScalarLoader.resolve


def test_without_libyaml_errors_and_documents_are_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pure-Python reader decodes while it is built: bad bytes still become load errors."""
    expected = {content: parse_yaml(content, path="x.yaml").data for content in (b"a: 1\n", b"a: {b: [1, '2', yes]}\n")}
    monkeypatch.setattr(_yaml, "_PlainScalarLoader", _PurePythonLoader)
    for content, data in expected.items():
        assert parse_yaml(content, path="x.yaml").data == data
    with pytest.raises(RecipeLoadError, match="save the file as UTF-8"):
        parse_yaml(b"a: caf\xe9\n", path="x.yaml")
    with pytest.raises(RecipeLoadError) as caught:
        parse_yaml(b"a: [\n", path="x.yaml")
    assert str(caught.value.location) == "x.yaml:2:1"
    assert parse_yaml(b"a: 1\n---\nb: [\n", path="x.yaml").extra_documents


def test_duplicate_key_after_a_merge_names_the_first_explicit_line() -> None:
    """A `<<` merge between two explicit keys does not change which line the error names."""
    text = b"base: &b {name: x}\nm:\n  name: one\n  <<: *b\n  name: two\n"
    with pytest.raises(RecipeLoadError, match='"name" already defined at line 3') as caught:
        parse_yaml(text, path="d.yaml")
    assert str(caught.value.location) == "d.yaml:5:3"


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("a: &a [*a]\n", 1, 4),
        ("x: 1\noverrides: &o {x: *o}\n", 2, 12),
        ("a:\n  b: &b {c: [1, *b]}\n", 2, 6),
        ("a: &a\n  - <<: *a\n", 2, 5),
    ],
)
def test_recursive_anchors_are_refused_at_the_anchor(text: str, line: int, column: int) -> None:
    """An alias inside its own anchor never finishes expanding; yaml.v3 refuses it, and so do we, at the anchor."""
    with pytest.raises(RecipeLoadError, match="anchor whose value contains an alias to itself") as caught:
        parse_yaml(text, path="f.yaml")
    assert caught.value.location == Location("f.yaml", line, column)


def test_an_anchor_used_twice_beside_itself_is_no_cycle() -> None:
    """Aliases of a finished anchor, however many, are not recursion."""
    doc = parse_yaml("a: &a [1, 2]\nb: [*a, *a]\nc: {x: *a}\n", path="f.yaml")
    assert doc.data == {"a": ["1", "2"], "b": [["1", "2"], ["1", "2"]], "c": {"x": ["1", "2"]}}


def test_long_scalar_aliases_are_recorded() -> None:
    """A long string's aliases are recorded, so the decoder can bound the bytes they add."""
    blob = "x" * 300
    doc = parse_yaml(f"a: &a '{blob}'\nb: [*a, *a]\nc: &c short\nd: *c\n", path="f.yaml")
    assert doc.aliases == {("b", 0), ("b", 1)}


@pytest.mark.parametrize("text", ["a:\n" + "- " * 1200 + "x\n", "a: " + "[" * 1200 + "]" * 1200 + "\n"])
def test_deep_nesting_is_measured_before_composing(text: str) -> None:
    """Nesting that recursive composers would follow to a crash is refused from the event stream."""
    with pytest.raises(RecipeLoadError, match="nest") as caught:
        parse_yaml(text, path="f.yaml")
    assert caught.value.location is not None
    assert caught.value.location.line in (1, 2)


def test_nesting_measure_reads_only_the_first_document() -> None:
    """Like the reader, the measure stops at the end of the first document."""
    text = "a: " + "x" * 1100 + "\n---\n" + "[" * 150 + "]" * 150 + "\n"
    assert parse_yaml(text, path="f.yaml").data == {"a": "x" * 1100}
    assert _yaml._depth_bound("x" * 10) == 10


def test_too_many_nodes_are_refused_before_composing() -> None:
    """A document over MAX_NODES is refused at the node past the limit (upstream sets no limit; see README)."""
    count = _yaml.MAX_NODES // 2 + 10
    text = "o: {" + ", ".join(f"k{i}: {i}" for i in range(count)) + "}\n"
    with pytest.raises(RecipeLoadError, match="more than 100,000 nodes") as caught:
        parse_yaml(text.encode(), path="f.yaml")
    assert caught.value.location is not None
    assert caught.value.location.line == 1


@pytest.mark.parametrize(
    ("content", "line", "column", "text", "hint"),
    [
        (b"kind: x\nmeta: caf\xe9\n", 2, 10, "incomplete UTF-8 octet sequence", "save the file as UTF-8"),
        (b"kind: x\nmeta: \xc3\xa9a\x01b\n", 2, 9, "control characters are not allowed", "character U+0001 is"),
        ("kind: x\nmeta: a\x01b\n", 2, 8, "control characters are not allowed", "character U+0001 is"),
        (b"\x00\x01\x02", 1, 1, "control characters are not allowed", "character U+0000 is not allowed"),
        (b"a: \xff\n", 1, 4, "invalid leading UTF-8 octet", "byte 0xFF starts no UTF-8 character"),
        ("a: b\nc: \ud800\n", 2, 4, "invalid character U+D800", "save the file as UTF-8"),
    ],
)
def test_binary_content_reports_line_and_column(
    content: bytes | str, line: int, column: int, text: str, hint: str
) -> None:
    """A binary or non-UTF-8 file names line:col in characters, not a byte position; the reader's text as yaml.v3's."""
    with pytest.raises(RecipeLoadError) as caught:
        parse_yaml(content, path="f.yaml")
    assert caught.value.location == Location("f.yaml", line, column)
    assert caught.value.upstream_text == f"[INVALID_REQUEST] failed to parse f.yaml: yaml: {text}"
    assert hint in (caught.value.hint or "")
    assert "position" not in str(caught.value)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1" * 5000, "1" * 5000),  # past int64/uint64 and the float range: a string, as yaml.v3
        ("0x" + "f" * 5000, "0x" + "f" * 5000),
        ("-" + "9" * 5000, "-" + "9" * 5000),
        ("1e400", "1e400"),
        ("-1e400", "-1e400"),
        (".5e400", ".5e400"),
        ("0" * 80 + "7", 7),  # leading zeros: octal, in range
        ("123456789012345678901234567890", 1.2345678901234568e29),
        ("-9223372036854775809", -9.223372036854776e18),
        ("18446744073709551615", 18446744073709551615),
        ("0b" + "1" * 65, "0b" + "1" * 65),
    ],
)
def test_numbers_beyond_go_ranges(text: str, value: object) -> None:
    """Digits past Python's 4,300 limit never raise; out-of-range text follows strconv and yaml.v3."""
    assert resolve_plain(text) == value


def test_overrides_decode_as_yaml_v3_interface_values() -> None:
    """Under `overrides`: timestamps, `!!binary` decoded, `1e400` text; a nested map with a non-string key keeps it typed."""
    text = (
        "overrides:\n"
        "  ts: 2001-12-14\n"
        "  ts2: 2001-12-14t21:59:43.10-05:00\n"
        "  bin: !!binary aGVsbG8=\n"
        "  big: 1e400\n"
        "  m: {true: x, 1.5: y, null: z}\n"
        "  s: {'1': x}\n"
        "  true: top\n"
    )
    data = parse_yaml(text, path="f.yaml").data["overrides"]
    assert data["ts"] == dt.datetime(2001, 12, 14, tzinfo=dt.UTC)
    assert data["ts2"] == dt.datetime(2001, 12, 14, 21, 59, 43, 100000, tzinfo=dt.timezone(-dt.timedelta(hours=5)))
    assert data["bin"] == "hello"
    assert data["big"] == "1e400"
    assert list(data["m"]) == [True, 1.5, None]
    assert list(data["s"]) == ["1"]
    assert "true" in data  # the overrides map itself is Go's map[string]any: its keys are text


def test_invalid_binary_is_a_load_error() -> None:
    """yaml.v3 fails a document whose `!!binary` is not base64."""
    with pytest.raises(RecipeLoadError, match="invalid base64 data") as caught:
        parse_yaml("overrides: {b: !!binary '#'}\n", path="f.yaml")
    assert caught.value.location == Location("f.yaml", 1, 16)


def test_typed_fields_keep_text_and_resolution() -> None:
    """A typed field keeps its source text; a non-string resolution travels along for int and bool fields."""
    data = parse_yaml("a: 0x10\nb: '8'\nc: !!binary MS4w\nd: 1.30\n", path="f.yaml").data
    assert (data["a"], data["a"].tag, data["a"].value) == ("0x10", "!!int", 16)
    assert type(data["b"]) is str
    assert data["c"] == "1.0"
    assert (data["d"], data["d"].tag) == ("1.30", "!!float")
