"""Go's `time.ParseDuration`, `Duration.String` and `url.Parse` as the config's sections use them.

Expected values come from Go 1.27 itself (the toolchain aicr 9793720d's binary was built with):
each input was run through the Go function and its answer recorded in `go_library_cases.json`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from l40_recipes._aicr_config_goparse import (
    GoError,
    dns1123_subdomain_errors,
    go_duration,
    go_duration_string,
    go_url_parse,
    oci_reference_check,
)

CASES: dict[str, list[list[Any]]] = json.loads(
    (Path(__file__).parent / "go_library_cases.json").read_text(encoding="utf-8")
)


@pytest.mark.parametrize(("text", "expected"), CASES["durations"])
def test_parse_duration(text: str, expected: str) -> None:
    """Nanoseconds, or Go's error text."""
    try:
        got = str(go_duration(text))
    except GoError as err:
        got = str(err)
    assert got == expected


@pytest.mark.parametrize(("nanos", "expected"), CASES["duration_strings"])
def test_duration_string(nanos: int, expected: str) -> None:
    """Go's rendering of a duration, as a negative timeout's message shows it."""
    assert go_duration_string(nanos) == expected


@pytest.mark.parametrize(("raw", "expected"), CASES["urls"])
def test_url_parse(raw: str, expected: str) -> None:
    """Scheme, hostname and userinfo presence, or Go's `parse "...": reason` text."""
    try:
        url = go_url_parse(raw)
    except GoError as err:
        got = str(err)
    else:
        got = f"ok {url.scheme}|{url.hostname}|{str(url.user).lower()}"
    assert got == expected


@pytest.mark.parametrize(
    ("reference", "problem"),
    [
        ("ghcr.io/nvidia/bundle:v1", ""),
        ("localhost:5000/a", ""),
        ("index.docker.io/a", ""),
        ("bundle", ""),
        ("ghcr.io/a@sha512:" + "a" * 128, ""),
        ("ghcr.io/a@sha256:" + "a" * 63 + "g", "invalid reference format"),
        ("ghcr.io/A", "invalid reference format: repository name (A) must be lowercase"),
        ("ghcr.io/a:-x", "invalid reference format"),
        ("", "invalid reference format"),
    ],
)
def test_oci_reference(reference: str, problem: str) -> None:
    """distribution/reference's texts (the binary's answers for these are in aicr_config_cases.json)."""
    try:
        oci_reference_check(reference)
    except GoError as err:
        assert str(err) == problem
    else:
        assert not problem


def test_dns1123() -> None:
    """Both complaints for a long invalid name; none for a valid one."""
    assert dns1123_subdomain_errors("my-app.example") == []
    long_bad = dns1123_subdomain_errors("A" * 254)
    assert long_bad[0] == "must be no more than 253 characters"
    assert long_bad[1].startswith("a lowercase RFC 1123 subdomain")
