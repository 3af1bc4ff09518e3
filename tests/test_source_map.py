"""Positions of keys and values: a missing path points at its nearest ancestor; the reader re-exports the map."""

from __future__ import annotations

from l40_recipes import _yaml
from l40_recipes._errors import Location
from l40_recipes._source_map import SourceMap


def test_locate_prefers_the_key_and_falls_back_to_the_nearest_ancestor() -> None:
    source = SourceMap("f.yaml", values={("a",): (1, 4), ("a", "b"): (2, 6)}, keys={("a",): (1, 1), ("a", "b"): (2, 3)})
    assert source.locate(("a", "b")) == Location("f.yaml", 2, 3)
    assert source.locate_value(("a", "b")) == Location("f.yaml", 2, 6)
    assert source.locate(("a", "zz", 0)) == Location("f.yaml", 1, 1)
    assert source.locate_value(("zz",)) == Location("f.yaml", 1, 1)
    assert source.has(("a", "b"))
    assert not source.has(("a", "zz"))


def test_the_reader_exports_the_same_source_map() -> None:
    assert _yaml.SourceMap is SourceMap
    assert _yaml.parse_yaml("a: {b: 1}\n", path="f.yaml").source.locate_value(("a", "b")) == Location("f.yaml", 1, 8)
