"""Go 1.27 encoding/json's scanner: where a value ends, and its syntax errors in Go's words.

Expected texts were printed by aicr 9793720d (built with Go 1.27) for the same bytes.
"""

from __future__ import annotations

import re

import pytest

from l40_recipes._go_json import scan_value, skip_space


@pytest.mark.parametrize(
    ("content", "end"),
    [
        (b'{"a": [1, 2.5e3, true, null, "x\\u00e9"]} tail', 40),
        (b"  -0.5 ", 6),
        (b'"\\"quoted\\""', 12),
    ],
)
def test_a_value_ends_where_go_stops_reading(content: bytes, end: int) -> None:
    assert scan_value(content, skip_space(content, 0)) == end


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b'{"measurements": NaN}', "invalid character 'N' looking for beginning of value"),
        (b'{"kind": "Snapshot",}', "invalid character '}' looking for beginning of object key string"),
        (b'{"measurements": [', "unexpected EOF"),
        (b"nul", "unexpected EOF"),
    ],
)
def test_syntax_errors_in_gos_words(content: bytes, message: str) -> None:
    with pytest.raises(ValueError, match=f"^{re.escape(message)}$"):
        scan_value(content, 0)
