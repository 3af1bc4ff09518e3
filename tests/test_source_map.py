"""Positions of keys and values: a missing path points at its nearest ancestor; the reader re-exports the map."""

from __future__ import annotations

import pytest

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


def test_positions_are_found_on_first_use_only() -> None:
    calls: list[int] = []

    def fill() -> tuple[dict[tuple[str | int, ...], tuple[int, int]], dict[tuple[str | int, ...], tuple[int, int]]]:
        calls.append(1)
        return {("a",): (1, 4)}, {("a",): (1, 1)}

    source = SourceMap("f.yaml", fill=fill)
    assert calls == []
    assert source.locate(("a", "b")) == Location("f.yaml", 1, 1)
    assert source.locate_value(("a",)) == Location("f.yaml", 1, 4)
    assert source.has(("a",))
    assert calls == [1]
    recorded = SourceMap("f.yaml", values={("a",): (1, 4)}, keys={("a",): (1, 1)})
    assert source == recorded
    assert hash(source) == hash(recorded)
    assert source != SourceMap("f.yaml")
    assert source != "f.yaml"
    assert repr(source) == "SourceMap('f.yaml', values={('a',): (1, 4)}, keys={('a',): (1, 1)})"


DEFERRED = """\
base: &base {name: x, items: [1, {deep: true}]}
copy: *base
merged:
  <<: *base
  own: 1
overrides:
  free: *base
  keyed: {1.5: a, yes: b}
list:
  - a
  - {b: c}
"""


@pytest.mark.parametrize("freeform", [False, True])
def test_deferred_positions_are_the_recorded_ones(freeform: bool) -> None:
    eager = _yaml.parse_yaml(DEFERRED, path="f.yaml", freeform=freeform)
    lazy = _yaml.parse_yaml(DEFERRED, path="f.yaml", freeform=freeform, defer_positions=True)
    assert lazy.data == eager.data
    assert _pending(lazy.source)  # nothing recorded while reading
    assert lazy.source.values == eager.source.values
    assert lazy.source.keys == eager.source.keys
    assert lazy.source.locate_value(("list", 1, "b")) == Location("f.yaml", 11, 9)
    assert not _pending(lazy.source)
    assert len(eager.source.values) > 15


def _pending(source: SourceMap) -> bool:
    """Whether *source* has yet to read its positions."""
    return source._fill is not None
