"""Criteria parsing, matching, specificity and upstream's string form."""

from __future__ import annotations

import pytest

from l40_recipes import Criteria, CriteriaError
from l40_recipes._criteria import build_query, matches, parse_dimension, specificity
from l40_recipes._models import criteria_string

PARSED = [
    ("service", "  EKS ", "eks"),
    ("service", "self-managed", "any"),
    ("service", "vanilla", "any"),
    ("service", "OpenShift", "ocp"),
    ("os", "al2023", "amazonlinux"),
    ("os", "AL2", "amazonlinux"),
    ("accelerator", "", "any"),
    ("accelerator", "RTX-PRO-6000", "rtx-pro-6000"),
    ("platform", "NIM", "nim"),
    ("intent", "any", "any"),
]


@pytest.mark.parametrize(("dimension", "raw", "expected"), PARSED)
def test_parse_dimension(dimension: str, raw: str, expected: str) -> None:
    """Values are trimmed, lowercased and aliased like upstream's ParseX functions."""
    assert parse_dimension(dimension, raw) == expected


def test_unknown_values_keep_the_raw_spelling() -> None:
    """The error prints the value as the user gave it, not lowercased."""
    with pytest.raises(CriteriaError, match="invalid os type: Windows"):
        parse_dimension("os", "Windows")
    assert parse_dimension("os", " Windows ", known={"os": {"windows"}}) == "windows"
    with pytest.raises(CriteriaError, match="unknown criteria dimension"):
        parse_dimension("colour", "red")


def test_build_query_starts_at_any_and_checks_nodes() -> None:
    """A query starts with every dimension `any`; `gpu` aliases accelerator; nodes must be >= 0."""
    query = build_query({"gpu": "H100", "nodes": "4", "os": None})
    assert query == Criteria(service="any", accelerator="h100", intent="any", os="any", platform="any", nodes=4)
    with pytest.raises(CriteriaError, match=r"invalid nodes count: -1 \(must be >= 0\)"):
        build_query({"nodes": -1})
    with pytest.raises(CriteriaError, match="invalid nodes value: x"):
        build_query({"nodes": "x"})
    with pytest.raises(CriteriaError, match="invalid nodes value"):
        build_query({"nodes": 1.5})
    with pytest.raises(CriteriaError, match="must be a string"):
        build_query({"service": 3})


MATCHES = [
    ({"service": "eks"}, {"service": "eks", "accelerator": "h100"}, True),
    ({"service": "eks", "os": "ubuntu"}, {"service": "eks"}, False),
    ({"service": "any", "accelerator": "h100"}, {"service": "gke", "accelerator": "h100"}, True),
    ({"accelerator": "H100"}, {"accelerator": "h100"}, False),
    ({"intent": "any"}, {}, True),
    ({"service": "eks"}, {"service": "any"}, False),
]


@pytest.mark.parametrize(("overlay", "query", "expected"), MATCHES)
def test_matching_is_asymmetric(overlay: dict[str, str], query: dict[str, str], expected: bool) -> None:
    """Wild overlay values match anything; wild query values only match wild overlay values."""
    assert matches(Criteria.model_validate(overlay), Criteria.model_validate(query)) is expected


def test_specificity_and_string() -> None:
    """Specificity counts non-wild dimensions and nodes; str() follows upstream, quirks included."""
    assert specificity(Criteria(service="eks", accelerator="any", nodes=2)) == 2
    assert criteria_string(build_query({"service": "eks", "nodes": 2})) == "criteria(service=eks, nodes=2)"
    assert str(build_query({})) == "criteria(any)"
    assert str(Criteria(os="cos")) == "criteria(service=, accelerator=, intent=, os=cos, platform=)"


@pytest.mark.parametrize(
    "nodes", [10**5000, 2**63, "9" * 5000, "-" + "1" * 30], ids=["int-5001", "int-2^63", "text", "negative"]
)
def test_nodes_past_go_int_are_criteria_errors(nodes: object) -> None:
    """A node count beyond Go's int is INVALID_REQUEST, however many digits it has."""
    with pytest.raises(CriteriaError, match="out of range"):
        build_query({"service": "eks", "nodes": nodes})
