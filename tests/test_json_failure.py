"""Go's JSON error for a map key it cannot name: pointer and byte offset as Go 1.27's encoding/json reports them.

Expected texts were observed from Go 1.27 (the toolchain aicr 9793720d is built with), and from
aicr itself on a mutated catalog (`/componentRefs/3/overrides/cdi/m` after offset 16676).
"""

from __future__ import annotations

import math
from typing import Any

import pytest

from l40_recipes._json_failure import NonStringKey, json_name
from l40_recipes._serialize import go_json


def test_json_names_of_keys() -> None:
    """Strings and integers name themselves; booleans, floats and null have no name."""
    assert json_name("a") == "a"
    assert json_name(-3) == "-3"
    for key in (True, 1.5, None):
        with pytest.raises(NonStringKey):
            json_name(key)


@pytest.mark.parametrize(
    ("value", "pointer", "offset"),
    [
        # Pointers and offsets as Go 1.27's encoding/json reports them (compact bytes before the map, plus one).
        ({"a": {True: "x"}}, "/a", 7),
        ({"a": {1.5: "x"}}, "/a", 7),
        ({"a": {None: "x"}}, "/a", 7),
        ({"a": {True: "x", "z": math.nan}}, "/a", 7),
        ([{True: "x"}], "/0", 3),
        ({"a": [1, {True: "x"}]}, "/a/1", 10),
        ({"a": {1: "x", "b": {False: 1}}}, "/a/b", 20),
        ({"a<": {True: "x"}}, "/a<", 13),
        ({"a/~": {True: "x"}}, "/a~1~0", 9),
    ],
)
def test_json_refuses_keys_go_cannot_name(value: Any, pointer: str, offset: int) -> None:
    """A boolean, float or null key fails with Go's message: the map's JSON pointer and a byte offset."""
    with pytest.raises(ValueError, match="object member name") as caught:
        go_json(value)
    assert str(caught.value) == (
        "json: unsupported value: jsontext: object member name must be a string"
        f' within "{pointer}" after offset {offset}'
    )


_LONG = "k" * 120


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # Observed from Go 1.27's encoding/json (the toolchain aicr 9793720d was built with).
        ({"a": {"x": 1}, "b": [1], "c": {True: 1}}, '"/c" after offset 27'),
        ({_LONG: {True: 1}}, f'"/{"k" * 49}…{"k" * 50}" after offset 126'),
        ({"x": {_LONG: {True: 1}}}, f'"/x/…{"k" * 50}" after offset 131'),
    ],
)
def test_pointers_and_offsets_as_go(value: Any, expected: str) -> None:
    """Maps written before the bad one count in the offset; a long pointer keeps its ends around an ellipsis."""
    with pytest.raises(ValueError, match="within") as caught:
        go_json(value)
    assert str(caught.value).endswith(f"within {expected}")
