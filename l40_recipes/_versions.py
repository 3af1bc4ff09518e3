"""Versions and constraint expressions, with upstream AICR's semantics.

Upstream (`pkg/version/version.go`, `pkg/constraints/constraint.go`) does *not* follow PEP 440 or
semver: versions have one to three numeric components, comparison stops at the lower of the two
precisions (`>= 1.32.4` accepts `1.32`), vendor suffixes such as `-eks-3025e55` are ignored except
GKE build numbers, and a capital `V` prefix does not parse. `packaging.version` would answer
differently on all of these, so this module reimplements upstream's rules exactly.
"""

from __future__ import annotations

import contextlib
import enum
import re
from dataclasses import dataclass
from typing import Final

from ._errors import ConstraintError

__all__ = [
    "ConstraintExpression",
    "Operator",
    "Version",
    "evaluate_constraint",
    "looks_like_version",
    "parse_constraint",
    "parse_version",
]

_GKE_PREFIX: Final = "gke."
_ATOI: Final = re.compile(r"^[+-]?[0-9]+$")
_INT64_MAX: Final = 2**63 - 1


@dataclass(frozen=True, slots=True)
class Version:
    """A parsed upstream version: up to three numbers, their count, and any suffix.

    Attributes:
        major, minor, patch: The numeric components (missing ones are 0).
        precision: How many components were written (1 to 3); comparisons stop there.
        extras: The suffix after the numeric core, e.g. `-eks-3025e55` or `-gke.100`.
    """

    major: int
    minor: int = 0
    patch: int = 0
    precision: int = 3
    extras: str = ""

    def __str__(self) -> str:
        return ".".join(str(n) for n in (self.major, self.minor, self.patch)[: self.precision])

    def compare(self, other: Version) -> int:
        """-1, 0 or 1, comparing at the lower precision of the two (upstream `Compare`)."""
        precision = min(self.precision, other.precision)
        for index, (mine, theirs) in enumerate(
            ((self.major, other.major), (self.minor, other.minor), (self.patch, other.patch)),
            start=1,
        ):
            if mine != theirs:
                return -1 if mine < theirs else 1
            if precision == index < 3:
                return 0
        left, right = _gke_build(self.extras), _gke_build(other.extras)
        if left is not None and right is not None:
            return (left > right) - (left < right)
        if right is not None:
            return -1
        if left is not None:
            return 1
        return 0

    def equals(self, other: Version) -> bool:
        """Upstream `Equals`: the three numbers match, whatever the precision and suffix."""
        return (self.major, self.minor, self.patch) == (other.major, other.minor, other.patch)


def parse_version(text: str) -> Version:
    """Parse *text* as upstream's `ParseVersion` does.

    >>> parse_version("v1.32.4-eks-3025e55")
    Version(major=1, minor=32, patch=4, precision=3, extras='-eks-3025e55')

    Raises:
        ConstraintError: the text is empty, has more than three components, or a component is
            not a non-negative decimal number (`V1.2` fails: only a lowercase `v` is stripped).
    """
    if text == "":
        raise ConstraintError("empty version string", cause=ValueError("version string is empty"))
    body = text.removeprefix("v")
    core, extras = body, ""
    for index in range(1, len(body)):
        if body[index] in "-+" and body[index - 1].isascii() and body[index - 1].isdigit():
            core, extras = body[:index], body[index:]
            break
    parts = core.split(".")
    if len(parts) > 3:
        raise ConstraintError(
            "too many version components",
            cause=ValueError("version has more than 3 components"),
        )
    numbers: list[int] = []
    for part in parts:
        if part == "":
            raise ConstraintError("empty component", cause=ValueError("version component is not numeric"))
        if not _ATOI.match(part) or not _fits_int64(part):
            raise ConstraintError(
                f'non-numeric component: "{part}"',
                cause=ValueError("version component is not numeric"),
            )
        number = int(part)
        if number < 0:
            raise ConstraintError(
                f"negative component: {number}",
                cause=ValueError("version component cannot be negative"),
            )
        numbers.append(number)
    numbers += [0] * (3 - len(numbers))
    return Version(numbers[0], numbers[1], numbers[2], precision=len(parts), extras=extras)


def _fits_int64(text: str) -> bool:
    """Whether decimal *text* (`strconv.Atoi` syntax) is within int64, without converting huge text."""
    digits = text.lstrip("+-").lstrip("0")
    return len(digits) <= 19 and abs(int(text)) <= _INT64_MAX


def _gke_build(extras: str) -> int | None:
    rest = extras.removeprefix("-")
    if not rest.startswith(_GKE_PREFIX):
        return None
    digits = rest[len(_GKE_PREFIX) :]
    if not _ATOI.match(digits) or digits.startswith(("+", "-")) or not _fits_int64(digits):
        return None
    return int(digits)


def _has_gke_suffix(extras: str) -> bool:
    return extras.removeprefix("-").startswith(_GKE_PREFIX)


class Operator(enum.StrEnum):
    """Constraint operators; `EXACT` (no operator) is a case-sensitive string match."""

    GTE = ">="
    LTE = "<="
    GT = ">"
    LT = "<"
    EQ = "=="
    NE = "!="
    EXACT = ""


# Longest prefixes first; a lone "=" is upstream's alias for "==".
_OPERATOR_PREFIXES: Final = (
    (">=", Operator.GTE),
    ("<=", Operator.LTE),
    ("!=", Operator.NE),
    ("==", Operator.EQ),
    (">", Operator.GT),
    ("<", Operator.LT),
    ("=", Operator.EQ),
)
_ORDERING: Final = frozenset({Operator.GTE, Operator.GT, Operator.LTE, Operator.LT})


@dataclass(frozen=True, slots=True)
class ConstraintExpression:
    """A parsed constraint value such as `>= v24.6.0` or `ubuntu` (a `Constraint` model's `value`)."""

    operator: Operator
    value: str
    is_version_comparison: bool

    def __str__(self) -> str:
        if self.operator is Operator.EXACT:
            return self.value
        return f"{self.operator} {self.value}"

    def evaluate(self, actual: str) -> bool:
        """Whether *actual* satisfies this constraint (upstream `Evaluate`).

        Raises:
            ConstraintError: an ordering operator (`>=`, `>`, `<=`, `<`) meets a value that is
                not a version; upstream reports this as an error, not as `False`.
        """
        actual = actual.strip()
        if self.operator is Operator.EXACT:
            return actual == self.value
        if self.operator in (Operator.EQ, Operator.NE):
            equal = actual == self.value
            if self.is_version_comparison:
                with contextlib.suppress(ConstraintError):
                    equal = parse_version(self.value).equals(parse_version(actual))
            return equal if self.operator is Operator.EQ else not equal
        try:
            expected = parse_version(self.value)
        except ConstraintError as err:
            raise ConstraintError("cannot parse expected version", cause=err, context={"version": self.value}) from None
        try:
            got = parse_version(actual)
        except ConstraintError as err:
            raise ConstraintError("cannot parse actual version", cause=err, context={"version": actual}) from None
        cmp = got.compare(expected)
        if self.operator is Operator.GTE:
            return cmp >= 0
        if self.operator is Operator.GT:
            return cmp > 0
        if self.operator is Operator.LTE:
            return cmp <= 0
        return cmp < 0


def parse_constraint(expression: str) -> ConstraintExpression:
    """Parse a single constraint expression as upstream's `ParseConstraintExpression` does.

    >>> parse_constraint(">= v24.6.0")
    ConstraintExpression(operator=<Operator.GTE: '>='>, value='v24.6.0', is_version_comparison=True)

    Raises:
        ConstraintError: the expression is empty, has nothing after its operator, starts with a
            bare `!`, or an ordering comparison carries a malformed `-gke.N` build suffix.
    """
    expr = expression.strip()
    if expr == "":
        raise ConstraintError("constraint expression cannot be empty")
    if expr.startswith("!") and not expr.startswith("!=") and len(expr) > 1 and not expr[1].isspace():
        raise ConstraintError("bare '!' prefix is invalid; use '!=' or the separate node-set form")
    operator, value = Operator.EXACT, expr
    for prefix, candidate in _OPERATOR_PREFIXES:
        if expr.startswith(prefix):
            operator, value = candidate, expr[len(prefix) :].strip()
            break
    if value == "":
        raise ConstraintError("constraint value cannot be empty after operator")
    is_version = operator in _ORDERING or looks_like_version(value)
    if operator in _ORDERING:
        try:
            parsed = parse_version(value)
        except ConstraintError:
            pass
        else:
            if _has_gke_suffix(parsed.extras) and _gke_build(parsed.extras) is None:
                raise ConstraintError(
                    f'constraint value "{value}" has a malformed GKE build suffix (must be -gke.N with N >= 0)',
                )
    return ConstraintExpression(operator, value, is_version)


def evaluate_constraint(expression: str, actual: str) -> bool:
    """Parse *expression* and evaluate it against *actual*.

    >>> evaluate_constraint(">= 1.32.4", "1.32")
    True
    """
    return parse_constraint(expression).evaluate(actual)


def looks_like_version(text: str) -> bool:
    """Upstream's heuristic: after an optional `v`, the text has a digit and a dot."""
    body = text.removeprefix("v")
    return any(c in "0123456789" for c in body) and "." in body
