"""The builder's shortcuts give what its general path gives: anchors detected, plain text taken as it stands."""

from __future__ import annotations

import pytest
import yaml

from l40_recipes import Location, RecipeLoadError, _yaml
from l40_recipes._scalars import resolve_node
from l40_recipes._source_map import SourceMap
from l40_recipes._yaml_build import ANY, OVERRIDES, TYPED, Builder

PLAIN = """\
name: nvidia-gpu-operator
intent: training
flags: [yes, no, on, off, y, n, true, False, ~, null, '', "x", <<x, é, -1, .5, 1.30, 010, 0x1F, 1e3, 2001-12-14]
empty:
nothing: ~
version: v1.2.3
quoted: '1.30'
tagged: !!str 12
nulled: !!null x
number: !!int 12
binary: !!binary aGk=
bad: !!binary '@@'
again: 1
again: 2
overrides:
  image: {tag: 1.30, pull: yes, when: 2001-12-14, empty: null, list: [a, 1, true, <<x]}
  keys: {1.5: a, yes: b, x: c}
  merge: {<<: {inherited: 1}, own: 2}
list:
  - plain
  - {key: value, n: 3}
"""


@pytest.mark.parametrize("mode", [TYPED, OVERRIDES])
def test_building_without_anchors_or_positions_gives_the_same_document(mode: int) -> None:
    node = _yaml.compose_first(PLAIN)
    assert node is not None
    general = Builder(SourceMap("f.yaml"), defer_binary=True)
    quick = Builder(SourceMap("f.yaml"), defer_binary=True, record=False, shared=False)
    assert quick.inline
    assert not general.inline
    built, taken = general.build(node, (), freeform=mode), quick.build(node, (), freeform=mode)
    assert taken == built
    assert [type(item) for item in taken["flags"]] == [type(item) for item in built["flags"]]
    assert quick.retyped == general.retyped
    assert quick.retyped
    assert quick.bad_binary == general.bad_binary
    assert quick.duplicates == general.duplicates
    assert quick.duplicates


def test_a_repeated_key_is_refused_with_both_lines_unless_deferred() -> None:
    node = _yaml.compose_first("a: 1\nb: 2\na: 3\n")
    assert node is not None
    with pytest.raises(RecipeLoadError, match="already defined at line 1") as caught:
        Builder(SourceMap("f.yaml"), record=False, shared=False).build(node, (), freeform=TYPED)
    assert caught.value.location == Location("f.yaml", 3, 1)


@pytest.mark.parametrize(
    "text",
    ["nvidia", "training", "yes", "no", "true", "<<", "~", "null", "é", "-1", ".5", "1.30", "0x1F", "2001-12-14", "<x"],
)
def test_plain_text_resolves_as_the_general_rule_does(text: str) -> None:
    node = yaml.ScalarNode("!l40-recipes/plain", text)
    builder = Builder(SourceMap("f.yaml"), record=False)
    assert builder._resolve(node) == resolve_node(node)
    assert builder.build(node, (), freeform=ANY) == resolve_node(node)[1]


@pytest.mark.parametrize(
    ("text", "anchored"),
    [
        (b"# NVIDIA CORPORATION & AFFILIATES\na: 1\n", False),
        (b"a: 'x & y'\nb: &\n", False),
        (b"a: &anchor 1\nb: *anchor\n", True),
        ("a: [&x 1, *x]\n", True),
        ("a: b&c\n", True),  # not an anchor, but the check may say yes: then the general path runs
        ("a: 1\n", False),
    ],
)
def test_anchors_are_found_before_building(text: bytes | str, *, anchored: bool) -> None:
    assert _yaml._anchors(text) is anchored
