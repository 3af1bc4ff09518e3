"""yaml.v3's scalar text: Go's float spelling and the plain strings that would change type."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from l40_recipes._scalars import quoted_when_written, scalar_text


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1e6, "1e+06"),
        (1e-07, "1e-07"),
        (123456.0, "123456"),
        (1234567.0, "1.234567e+06"),
        (0.0001, "0.0001"),
        (1e-05, "1e-05"),
        (-0.0, "-0"),
        (0.0, "0"),
        (100.5, "100.5"),
        (float("inf"), ".inf"),
        (float("-inf"), "-.inf"),
        (float("nan"), ".nan"),
    ],
)
def test_floats_as_go_formats_them(value: float, expected: str) -> None:
    """`strconv.FormatFloat(f, 'g', -1, 64)`, with YAML's infinity and NaN."""
    assert scalar_text(value) == expected


@pytest.mark.parametrize(
    ("text", "quoted"),
    [
        ("2001-12-14", True),
        ("2001-12-14T21:59:43.10-05:00", True),
        ("2001-12-14 21:59:43", True),
        ("2001-13-14", False),
        ("2001-02-29", False),
        ("2000-02-29", True),
        ("2001-12-14T25:00:00Z", False),
        ("0x1F", True),
        ("0x", False),
        ("-9223372036854775808", True),
        ("-9223372036854775809", True),
        ("18446744073709551615", True),
        ("+9223372036854775808", True),
        ("+0x", False),
        ("1e400", False),
        (".5_0", True),
        (".5x", False),
        ("1:20:30", True),
        ("yes", True),
        ("", True),
        ("~", True),
        ("plain", False),
    ],
)
def test_plain_strings_that_would_read_back_as_another_type_are_quoted(text: str, *, quoted: bool) -> None:
    """yaml.v3 quotes a string only when its plain form would resolve to another type."""
    assert quoted_when_written(text) is quoted


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("text", "text"),
        (None, "null"),
        (True, "true"),
        (False, "false"),
        (-3, "-3"),
        (18446744073709551615, "18446744073709551615"),
        (dt.date(2001, 12, 14), "2001-12-14T00:00:00Z"),
        (dt.datetime(2001, 12, 14, 21, 59, 43, 100000), "2001-12-14T21:59:43.1Z"),
        (
            dt.datetime(2001, 12, 14, 21, 59, 43, tzinfo=dt.timezone(dt.timedelta(hours=-5))),
            "2001-12-14T21:59:43-05:00",
        ),
        (dt.datetime(2001, 12, 14, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30))), "2001-12-14T00:00:00+05:30"),
        (Path("x"), "x"),
    ],
)
def test_scalar_text_of_typed_values(value: object, expected: str) -> None:
    """Booleans, null, integers and times (RFC 3339 with nanoseconds, as Go's `time.Time`)."""
    assert scalar_text(value) == expected
