"""Go's `strconv.Atoi`, `strconv.ParseFloat` and `strconv.Quote`, case by case.

Every expected value and message was printed by Go 1.27's strconv for the same text.
"""

from __future__ import annotations

import math

import pytest

from l40_recipes._go_text import StrconvError, go_atoi, go_parse_float, go_quote, go_trim_space


def test_go_quote_escapes_as_go() -> None:
    assert go_quote('a"\n\x00é') == '"a\\"\\n\\x00é"'
    assert go_quote("\a\u200b\U0001f600") == '"\\a\\u200b😀"'


@pytest.mark.parametrize(
    ("text", "value"),
    [("128", 128), ("+128", 128), ("-3", -3), ("007", 7), ("9223372036854775807", 2**63 - 1)],
)
def test_atoi_accepts(text: str, value: int) -> None:
    assert go_atoi(text) == value


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("abc", "invalid syntax"),
        ("", "invalid syntax"),
        ("1_000", "invalid syntax"),
        ("0x10", "invalid syntax"),
        (" 4", "invalid syntax"),
        ("\u0661\u0662", "invalid syntax"),  # Arabic-Indic digits: Python's int() takes them, Go's does not
        ("9223372036854775808", "value out of range"),
        ("-9223372036854775809", "value out of range"),
        ("1" * 5000, "value out of range"),
    ],
)
def test_atoi_rejects_with_gos_message(text: str, reason: str) -> None:
    with pytest.raises(StrconvError) as caught:
        go_atoi(text)
    assert str(caught.value) == f"strconv.Atoi: parsing {go_quote(text)}: {reason}"


def test_atoi_accepts_the_int64_minimum() -> None:
    assert go_atoi("-9223372036854775808") == -(2**63)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("50000", 50000.0),
        ("5e4", 50000.0),
        ("1_000", 1000.0),
        ("1_000.5_0", 1000.5),
        (".5", 0.5),
        ("5.", 5.0),
        ("-2", -2.0),
        ("1e5_0", 1e50),
        ("0x1p4", 16.0),
        ("0x_1.8p1", 3.0),
        ("0X1P4", 16.0),
        ("0x.8p1", 1.0),
        ("Inf", math.inf),
        ("-Infinity", -math.inf),
        ("1e-400", 0.0),
    ],
)
def test_parse_float_accepts(text: str, value: float) -> None:
    assert go_parse_float(text) == value


def test_parse_float_reads_nan_in_any_case() -> None:
    assert math.isnan(go_parse_float("NaN"))


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("abc", "invalid syntax"),
        ("", "invalid syntax"),
        (".", "invalid syntax"),
        ("_1", "invalid syntax"),
        ("1_", "invalid syntax"),
        ("1__0", "invalid syntax"),
        ("1_.5", "invalid syntax"),
        ("1e", "invalid syntax"),
        ("1e_5", "invalid syntax"),
        ("+nan", "invalid syntax"),
        ("0x10", "invalid syntax"),  # a hexadecimal float needs its p exponent
        ("0b101", "invalid syntax"),
        ("0o7", "invalid syntax"),
        ("-nan", "invalid syntax"),
        ("\uff15\uff10", "invalid syntax"),  # fullwidth digits
        ("1 000", "invalid syntax"),
        ("1e400", "value out of range"),
        ("-1e400", "value out of range"),
        ("0x1p2000", "value out of range"),
    ],
)
def test_parse_float_rejects_with_gos_message(text: str, reason: str) -> None:
    with pytest.raises(StrconvError) as caught:
        go_parse_float(text)
    assert str(caught.value) == f"strconv.ParseFloat: parsing {go_quote(text)}: {reason}"


def test_go_trim_space() -> None:
    """Go's white space: Unicode's, without the information separators Python also strips."""
    assert go_trim_space("\u00a0\t x \u3000\n") == "x"
    assert go_trim_space("\x1cx\x1f") == "\x1cx\x1f"
    assert go_trim_space("  ") == ""
