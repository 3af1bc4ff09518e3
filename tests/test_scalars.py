"""yaml.v3's scalar text: Go's float spelling and the plain strings that would change type."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from l40_recipes._scalars import (
    PLAIN_TAG,
    BinaryError,
    TypedText,
    decode_binary,
    quoted_when_written,
    resolve,
    scalar_text,
    short_tag,
    unmarshal_error,
)


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


@pytest.mark.parametrize(
    ("tag", "text", "expected"),
    [
        ("", "2001-12-14 21:59:43", ("!!timestamp", dt.datetime(2001, 12, 14, 21, 59, 43, tzinfo=dt.UTC))),
        ("", "2001-12-14T25:00:00Z", ("!!str", "2001-12-14T25:00:00Z")),
        ("", "2001-02-30", ("!!str", "2001-02-30")),
        (
            "",
            "2001-12-14T01:02:03.123456789+05:30",
            (
                "!!timestamp",
                dt.datetime(2001, 12, 14, 1, 2, 3, 123456, tzinfo=dt.timezone(dt.timedelta(hours=5, minutes=30))),
            ),
        ),
        ("!!float", "3", ("!!float", 3.0)),
        ("!!int", "3", ("!!int", 3)),
        ("!!str", "3", ("!!str", "3")),
        ("!foo", "3", ("!foo", "3")),
        ("", ".5_0", ("!!float", 0.5)),
        ("", ".1e400", ("!!str", ".1e400")),
        ("", "+18446744073709551615", ("!!float", 1.8446744073709552e19)),
        ("", "-9223372036854775808", ("!!int", -(2**63))),
        ("", "<<", ("!!merge", "<<")),
    ],
)
def test_resolve_as_yaml_v3(tag: str, text: str, expected: tuple[str, object]) -> None:
    """yaml.v3's `resolve`: explicit tags, timestamps (microseconds kept), Go's number ranges."""
    assert resolve(tag, text) == expected


def test_short_tags() -> None:
    """Long yaml.org tags shorten to `!!x`; local tags stay; the plain marker is no tag."""
    assert short_tag("tag:yaml.org,2002:int") == "!!int"
    assert short_tag("!foo") == "!foo"
    assert short_tag(PLAIN_TAG) == ""


@pytest.mark.parametrize(
    ("value", "go_type", "expected"),
    [
        ({}, "int", "cannot unmarshal !!map into int"),
        ([], "bool", "cannot unmarshal !!seq into bool"),
        ("8", "int", "cannot unmarshal !!str `8` into int"),
        (TypedText("1", "!!int", 1), "bool", "cannot unmarshal !!int `1` into bool"),
        ("ééééééé", "int", "cannot unmarshal !!str `ééé\ufffd...` into int"),
    ],
)
def test_unmarshal_error_texts(value: object, go_type: str, expected: str) -> None:
    """yaml.v3's `terror` text: the tag, the text cut to 7 bytes past 10."""
    assert unmarshal_error(value, go_type) == expected


def test_invalid_binary() -> None:
    """`!!binary` text that is not base64 is yaml.v3's error."""
    with pytest.raises(BinaryError, match="invalid base64"):
        decode_binary("#")
    assert decode_binary("aGVs\nbG8=") == "hello"
