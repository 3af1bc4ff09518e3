"""spec.snapshot, spec.bundle, spec.validate and spec.verify validated directly, and the recipe/bundle hand-off.

The messages are aicr 9793720d's (whole-command cases recorded from the binary are in aicr_config_cases.json).
"""

from __future__ import annotations

import pytest

from l40_recipes import RecipeError
from l40_recipes._aicr_config_sections import check_handoff, go_int, validate_section


@pytest.mark.parametrize(
    ("name", "section", "message"),
    [
        ("snapshot", {"agent": {"tolerations": None}, "execution": {"timeout": "0"}}, ""),
        ("snapshot", {"agent": None, "output": {"format": "table"}}, ""),
        ("bundle", {"output": {"target": "./out"}, "registry": {"plainHTTP": True}}, ""),
        ("bundle", {"deployment": {"dynamic": ["c:a=b"]}}, "dynamic declaration does not accept '=value'"),
        ("bundle", {"scheduling": {"workloadGate": "k:NoSchedule"}}, ""),
        ("validate", {"execution": {"phases": ["all"], "timeout": "1h"}, "evidence": {"cncf": {}}}, ""),
        ("verify", {"policy": {"minTrustLevel": "max"}, "trust": {"key": "k"}}, ""),
        ("verify", {"policy": {"cliVersionConstraint": "!= 1.0"}}, ""),
        (
            "verify",
            {"trust": {"certificateIdentityRegexp": "https://github.com/NVIDIA/aicr/?"}},
            "not confined to the NVIDIA repository",
        ),
        ("verify", {"trust": {"certificateIdentityRegexp": r"https://github.com/NVIDIA/aicr/\Q.\E\z"}}, ""),
        ("verify", {"trust": {"certificateIdentityRegexp": "https://github.com/NVIDIA/aicr/[[:^alpha:]]"}}, ""),
    ],
)
def test_sections(name: str, section: dict[str, object], message: str) -> None:
    """Values upstream accepts pass; the first it refuses fails with its message."""
    if not message:
        validate_section(name, section)
        return
    with pytest.raises(RecipeError, match=message):
        validate_section(name, section)


def test_handoff_compares_clean_paths() -> None:
    """`./a/../r.yaml` and `r.yaml` are one file; an absolute and a relative path are not."""
    check_handoff({"recipe": {"output": {"path": "./a/../r.yaml"}}, "bundle": {"input": {"recipe": "r.yaml"}}})
    check_handoff({"recipe": None, "bundle": {"input": {"recipe": "r.yaml"}}})
    check_handoff({"recipe": {"output": {"path": "//r.yaml"}}, "bundle": {"input": {"recipe": "/r.yaml"}}})
    with pytest.raises(RecipeError, match="must reference the same file"):
        check_handoff({"recipe": {"output": {"path": "/r.yaml"}}, "bundle": {"input": {"recipe": "r.yaml"}}})


def test_go_int() -> None:
    """Absent is 0; a YAML float that is whole is its integer."""
    assert (go_int(None), go_int(4.0), go_int(-2)) == (0, 4, -2)
