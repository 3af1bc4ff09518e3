"""Go values of readings and their `%v` text, as aicr 9793720d's binary printed them."""

from __future__ import annotations

import math
import os
import time
from typing import TYPE_CHECKING

import pytest

from l40_recipes._go_values import GoMap, go_key, go_percent_v, parse_go_timestamp

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("2001-12-14", "2001-12-14 00:00:00 +0000 UTC"),
        ("2001-12-14T21:59:43.10-05:00", "2001-12-14 21:59:43.1 -0500 -0500"),
        ("2001-12-14 21:59:43.123456789", "2001-12-14 21:59:43.123456789 +0000 UTC"),
        ("2001-12-14t21:59:43Z", "2001-12-14 21:59:43 +0000 UTC"),
        ("2001-12-14T21:59:43.5+05:30", "2001-12-14 21:59:43.5 +0530 +0530"),
        ("0000-01-01", "0000-01-01 00:00:00 +0000 UTC"),
        ("2000-2-29", "2000-02-29 00:00:00 +0000 UTC"),
    ],
)
def test_timestamps_print_as_go_time_string(text: str, shown: str) -> None:
    """`Time.String()` of what yaml.v3 parses (recorded in tests/snapshot_cases/expected/mini-readings-*)."""
    stamp = parse_go_timestamp(text)
    assert stamp is not None
    assert stamp.text() == shown


@pytest.mark.parametrize(
    "text",
    [
        "2001-12-14T21:59:43",
        "2001-12-14 21:59:43Z",
        "2001-2-30",
        "1900-2-29",
        "2001-13-01",
        "2001-1-1T24:00:00Z",
        "2001-1-1T1:0:0+24:00",
        "01-1-1",
    ],
)
def test_what_go_does_not_parse_is_no_timestamp(text: str) -> None:
    """A `T` needs a zone, a space takes none, and the date and clock must exist."""
    assert parse_go_timestamp(text) is None


@pytest.fixture
def new_york() -> Iterator[None]:
    saved = os.environ.get("TZ")
    os.environ["TZ"] = "America/New_York"
    time.tzset()
    yield
    if saved is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = saved
    time.tzset()


@pytest.mark.usefixtures("new_york")
def test_an_offset_of_the_local_zone_takes_its_name() -> None:
    """Go's time.Parse names the zone after the local one when their offsets agree at that time."""
    winter = parse_go_timestamp("2001-12-14T21:59:43-05:00")
    summer = parse_go_timestamp("2001-07-14T21:59:43-05:00")
    assert winter is not None
    assert summer is not None
    assert winter.text() == "2001-12-14 21:59:43 -0500 EST"
    assert summer.text() == "2001-07-14 21:59:43 -0500 -0500"


def test_any_keyed_maps_sort_by_type_then_value() -> None:
    """nil, string, uint64, int, float64 (NaN first), bool, time.Time: as the binary printed them."""
    stamp = parse_go_timestamp("2001-01-01")
    later = parse_go_timestamp("2001-01-01T00:00:00.5Z")
    keys = [True, 2**64 - 1, None, "x", 1.5, 1, stamp, later, math.nan, False, -3]
    value = GoMap({go_key(key): index for index, key in enumerate(keys)})
    assert go_percent_v(value) == (
        "map[<nil>:2 x:3 18446744073709551615:1 -3:10 1:5 NaN:8 1.5:4 false:9 true:0 "
        "2001-01-01 00:00:00 +0000 UTC:6 2001-01-01 00:00:00.5 +0000 UTC:7]"
    )


def test_nested_values() -> None:
    """Lists and string-keyed maps nest; nil prints as `<nil>`."""
    assert go_percent_v([None, {"b": [1.0, True], "a": "x"}, 1e21]) == "[<nil> map[a:x b:[1 true]] 1e+21]"
