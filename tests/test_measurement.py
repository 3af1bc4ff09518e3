"""Measurement-path validation (upstream `measurement.ValidatePath`)."""

from __future__ import annotations

import pytest

from l40_recipes import RecipeError
from l40_recipes._measurement import validate_path

VALID = [
    "K8s.server.version",
    "K8s.image.anything",
    "OS.release.VERSION_ID",
    "OS.sysctl./proc/sys/kernel/osrelease",
    "SystemD.containerd.service.ActiveState",
    "GPU.hardware.model",
    "NodeTopology.gpu-nodes.label",
    "NetworkTopology.pfs[0].rail",
    "NetworkTopology.pfs[rail=0].model",
    "K8s.slinky-slurm[kind=Controller].name",
]

INVALID = [
    ("", "constraint path cannot be empty"),
    ("K8s", "expected format {Type}.{Subtype}[selector].{Key}"),
    ("Disk.a.b", "invalid measurement type"),
    ("K8s.server", "expected format {Type}.{Subtype}.{Key}"),
    ("K8s.server.", "subtype or key is empty"),
    ("K8s.sever.version", 'unknown subtype "sever" for measurement type "K8s"; did you mean "server"?'),
    ("K8s.server.versoin", 'did you mean "version"?'),
    ("K8s.server.zzzzzzzzzz", 'unknown key "zzzzzzzzzz"'),
    ("NetworkTopology.pfs.rail", "exposes no scalar readings; it requires an item selector"),
    ("K8s.server[0].version", "has no items"),
    ("NetworkTopology.pfs[bogus=1].rail", 'unknown item predicate key "bogus"'),
    ("NetworkTopology.pfs[0].railz", 'unknown item key "railz"'),
    ("NetworkTopology.[0].rail", "subtype before '[' is empty"),
    ("NetworkTopology.pfs[0.rail", "unclosed item selector bracket"),
    ("NetworkTopology.pfs[0]", "missing key after item selector"),
    ("NetworkTopology.pfs[0]x", "expected '.' after item selector"),
    ("NetworkTopology.pfs[].rail", "item selector is empty"),
    ("NetworkTopology.pfs[=1].rail", "predicate selector requires non-empty key and value"),
    ("NetworkTopology.pfs[x].rail", "must be an integer index"),
    ("NetworkTopology.pfs[-1].rail", "item index cannot be negative"),
]


@pytest.mark.parametrize("path", VALID)
def test_valid_paths(path: str) -> None:
    """Addressable paths pass, including SystemD's dotted subtypes and item selectors."""
    validate_path(path)


@pytest.mark.parametrize(("path", "message"), INVALID)
def test_invalid_paths(path: str, message: str) -> None:
    """Unaddressable paths fail with upstream's message and did-you-mean suggestions."""
    with pytest.raises(RecipeError) as caught:
        validate_path(path)
    assert message in caught.value.message
