"""Version parsing and constraint evaluation, against upstream's own vectors (§7.2a)."""

from __future__ import annotations

import pytest

from l40_recipes import ConstraintError, Version, evaluate_constraint, parse_constraint, parse_version

# (expression, actual, expected result or the error text that must appear)
VECTORS = [
    (">= 1.32.4", "1.32", True),
    (">= 1.32", "1.32.0", True),
    (">= 1.33", "1.32.9", False),
    (">= 6.8", "6.8.0-1028-aws", True),
    (">= v24.6.0", "v26.3.3", True),
    (">= v24.6.0", "26.3.3", True),
    (">= v24.6.0", "v24.6", True),
    (">= v24.6.0", "V26.3.3", 'cannot parse actual version: [INVALID_REQUEST] non-numeric component: "V26"'),
    ("== 24.04", "24.4", True),
    ("24.04", "24.4", False),
    ("ubuntu", "Ubuntu", False),
    ("= 1.2", "1.2.0", True),
    ("!= 1.2", "1.2.0", False),
    ("!foo", "anything", "bare '!' prefix is invalid"),
    (">= 1.2.3.4", "1.2", "cannot parse expected version: [INVALID_REQUEST] too many version components"),
    ("> abc", "1.0", "cannot parse expected version"),
    (">= 1.34.3-gke.100", "1.34.3", False),
    (">= 1.34.3", "1.34.3-gke.5", True),
    ("< 1.35.0", "1.35.0-gke.5", False),
]


@pytest.mark.parametrize(("expression", "actual", "expected"), VECTORS, ids=[f"{e} vs {a}" for e, a, _ in VECTORS])
def test_upstream_vector(expression: str, actual: str, expected: bool | str) -> None:
    """Each §7.2a vector evaluates exactly as upstream's Go code does."""
    if isinstance(expected, bool):
        assert evaluate_constraint(expression, actual) is expected
    else:
        with pytest.raises(ConstraintError) as caught:
            evaluate_constraint(expression, actual)
        assert expected in caught.value.upstream_text


PARSE_ERRORS = [
    ("", "empty version string"),
    ("1..2", "empty component"),
    ("1.x", 'non-numeric component: "x"'),
    ("1.-2", "negative component: -2"),
    ("1.2.3.4", "too many version components"),
    ("1_0.2", "non-numeric component"),
]


@pytest.mark.parametrize(("text", "message"), PARSE_ERRORS)
def test_parse_version_errors(text: str, message: str) -> None:
    """Malformed versions fail with upstream's message."""
    with pytest.raises(ConstraintError, match=message):
        parse_version(text)


def test_parse_version_splits_vendor_suffix_only_after_a_digit() -> None:
    """Extras start at the first `-`/`+` that follows a digit; precision counts written parts."""
    assert parse_version("v1.32.4-eks-3025e55") == Version(1, 32, 4, 3, "-eks-3025e55")
    assert parse_version("26") == Version(26, 0, 0, 1, "")
    assert str(parse_version("1.32")) == "1.32"


def test_compare_at_lower_precision_and_gke_builds() -> None:
    """Comparison stops at the lower precision; GKE builds break ties of equal cores."""
    assert parse_version("1.32").compare(parse_version("1.32.4")) == 0
    assert parse_version("1.34.3-gke.5").compare(parse_version("1.34.3-gke.100")) == -1
    assert parse_version("1.34.3-gke.5").compare(parse_version("1.34.3-gke.5")) == 0
    assert parse_version("2").compare(parse_version("1.9")) == 1


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("", "constraint expression cannot be empty"),
        (">=", "constraint value cannot be empty after operator"),
        (">= 1.2-gke.x", "malformed GKE build suffix"),
    ],
)
def test_parse_constraint_errors(expression: str, message: str) -> None:
    """Empty expressions, missing values and malformed GKE suffixes fail to parse."""
    with pytest.raises(ConstraintError, match=message):
        parse_constraint(expression)


def test_parse_constraint_shape() -> None:
    """Operators parse longest-first; `=` aliases `==`; exact strings keep their text."""
    assert str(parse_constraint(">=1.30")) == ">= 1.30"
    assert str(parse_constraint("=1.2")) == "== 1.2"
    assert str(parse_constraint("  ubuntu ")) == "ubuntu"
    assert parse_constraint("< 2").evaluate("1") is True
    assert parse_constraint("<= 2").evaluate("2.0.1") is True
    assert parse_constraint("> 2").evaluate("3") is True
    assert parse_constraint("> 2").evaluate("2.1") is False  # precision 1: only the major is compared
    assert parse_constraint("!= abc").evaluate("abd") is True
    assert parse_constraint("== v1.2").evaluate("not-a-version") is False


@pytest.mark.parametrize("text", ["1." + "2" * 5000, "1.2.3-gke." + "9" * 5000, "9" * 20])
def test_components_past_int64_never_raise_value_error(text: str) -> None:
    """Digits past Python's 4,300-digit limit are out of range, as strconv.Atoi says, not a ValueError."""
    if "gke" in text:
        assert parse_version(text).extras.startswith("-gke.")
        return
    with pytest.raises(ConstraintError, match="non-numeric component"):
        parse_version(text)
    constraint = parse_constraint(">= " + text)
    assert constraint.value == text
    with pytest.raises(ConstraintError):
        constraint.evaluate("1.2")
