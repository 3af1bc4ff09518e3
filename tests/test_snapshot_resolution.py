"""Snapshot resolution's own decisions: the driver state, and when a coverage failure is relaxed and retried.

End-to-end agreement with aicr (exclusions, warnings, relaxation, profile constraints, driver
injection) is in test_recipe_inputs.py, against recorded output.
"""

from __future__ import annotations

import pytest

from l40_recipes._criteria import build_query
from l40_recipes._errors import CoverageError
from l40_recipes._snapshot import Measurement, Reading, Snapshot, Subtype
from l40_recipes._snapshot_resolution import _relaxed, gpu_driver_state


def _gpu(data: dict[str, Reading]) -> Snapshot:
    hardware = Measurement("GPU", (Subtype("hardware", data, {}, ()),))
    return Snapshot(path="s.yaml", kind="", api_version="", measurements=(hardware,))


@pytest.mark.parametrize(
    ("data", "state"),
    [
        ({"driver-loaded": True}, "preinstalled"),
        ({"driver-loaded": False, "gpu-count": 8}, "absent"),
        ({"driver-loaded": True, "gpu-count": 0.0}, ""),
        ({"driver-loaded": True, "gpu-present": False}, ""),
        ({"driver-loaded": "true"}, ""),
        ({}, ""),
    ],
)
def test_driver_state(data: dict[str, Reading], state: str) -> None:
    """Loaded or not, when GPUs were seen; unknown (empty) otherwise."""
    assert gpu_driver_state(_gpu(data)) == state


def _uncovered(*entries: tuple[str, bool]) -> CoverageError:
    return CoverageError(
        "uncovered",
        context={"uncovered": [{"dimension": name, "constraintExcluded": excluded} for name, excluded in entries]},
    )


def test_detected_dimensions_are_relaxed_once() -> None:
    """Uncovered detected dimensions become `any` while another dimension stays stated."""
    query = build_query({"service": "eks", "accelerator": "l40s", "os": "ubuntu"})
    relaxed = _relaxed(_uncovered(("os", False)), query, stated=())
    assert relaxed is not None
    assert (relaxed.service, relaxed.accelerator, relaxed.os) == ("eks", "l40s", "any")


@pytest.mark.parametrize(
    ("entries", "stated"),
    [
        ((("os", False),), ("os",)),  # the user stated it
        ((("os", True),), ()),  # only an excluded overlay provides it
        ((("service", False), ("os", False)), ()),  # nothing would be left: the generic recipe
    ],
)
def test_when_upstream_does_not_retry(entries: tuple[tuple[str, bool], ...], stated: tuple[str, ...]) -> None:
    """A stated or constraint-excluded dimension, or a retry that would state nothing, is not relaxed."""
    query = build_query({"service": "eks", "os": "ubuntu"})
    assert _relaxed(_uncovered(*entries), query, stated=stated) is None
