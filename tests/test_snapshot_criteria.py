"""What a snapshot's measurements say about the criteria (upstream's fingerprint)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest

from l40_recipes._snapshot import Item, Measurement, Snapshot, Subtype
from l40_recipes._snapshot_criteria import detect_criteria, parse_gpu_sku

if TYPE_CHECKING:
    from collections.abc import Mapping

    from l40_recipes import Catalog
    from l40_recipes._snapshot import Reading


def _snapshot(*measurements: tuple[str, str, Mapping[str, Reading]]) -> Snapshot:
    return Snapshot(
        path="s.yaml",
        kind="Snapshot",
        api_version="aicr.run/v1alpha2",
        measurements=tuple(Measurement(kind, (Subtype(name, data, {}, ()),)) for kind, name, data in measurements),
    )


@pytest.mark.parametrize(
    ("product", "sku"),
    [
        ("NVIDIA-H100-80GB-HBM3", "h100"),
        ("NVIDIA L40S", "l40s"),
        ("NVIDIA-L40", "l40"),
        ("NVIDIA-RTX-PRO-6000-Blackwell", "rtx-pro-6000"),
        ("NVIDIA-GB200", "gb200"),
        ("NVIDIA-H100X", ""),
        ("Tesla-T4", ""),
    ],
)
def test_gpu_product_names(product: str, sku: str) -> None:
    """Whole tokens (split at spaces and dashes), most specific first."""
    assert parse_gpu_sku(product) == sku


def test_detects_service_accelerator_os_and_nodes(shipped: Catalog) -> None:
    """Provider ids map to services; labels decide the accelerator before the PCI model; os-release IDs map."""
    snapshot = _snapshot(
        ("K8s", "node", {"provider": "ocid1.instance.oc1"}),
        ("OS", "release", {"ID": "OL"}),
        ("NodeTopology", "summary", {"node-count": 3.0}),
        ("NodeTopology", "label", {"nvidia.com/gpu.product": "NVIDIA-L40S|n1,n2"}),
        ("GPU", "hardware", {"model": "h100"}),
    )
    assert detect_criteria(snapshot, shipped) == {"service": "oke", "accelerator": "l40s", "os": "ol", "nodes": 3}


def test_mixed_gpu_labels_detect_no_accelerator(shipped: Catalog) -> None:
    """Two products in the labels: no accelerator, not even the PCI model's."""
    labels: dict[str, Reading] = {
        "nvidia.com/gpu.product.A": "NVIDIA-A100|n1",
        "nvidia.com/gpu.product.B": "NVIDIA-H100|n2",
    }
    snapshot = _snapshot(("NodeTopology", "label", labels), ("GPU", "hardware", {"model": "h100"}))
    assert detect_criteria(snapshot, shipped) == {}


def test_unknown_values_stay_any(shipped: Catalog) -> None:
    """A provider, OS or model upstream does not know detects nothing; a non-string reading is ignored."""
    snapshot = _snapshot(
        ("K8s", "node", {"provider": "hetzner"}),
        ("OS", "release", {"ID": "debian"}),
        ("GPU", "hardware", {"model": "NVIDIA H100 80GB HBM3"}),
        ("NodeTopology", "summary", {"node-count": "4"}),
    )
    assert detect_criteria(snapshot, shipped) == {}


def _items(*entries: tuple[str, str, dict[str, Reading]]) -> Snapshot:
    items = tuple(Item({"key": key, "value": value}, data) for key, value, data in entries)
    labels = Subtype("label", {"nvidia.com/gpu.product": "NVIDIA-L40S|n1,n2"}, {}, items)
    return Snapshot(path="s.yaml", kind="", api_version="", measurements=(Measurement("NodeTopology", (labels,)),))


def test_label_items_are_preferred_and_checked(shipped: Catalog) -> None:
    """Items decide (inline lists or references); an inconsistent item makes upstream detect nothing."""
    ref: dict[str, Reading] = {"node-count": 2, "node-list-ref": "nvidia.com/gpu.product", "truncated": False}
    assert detect_criteria(_items(("nvidia.com/gpu.product", "NVIDIA-L40S", ref)), shipped) == {"accelerator": "l40s"}
    inline: dict[str, Reading] = {"node-count": 3.0, "node-list": "n1,n2 (+1 more)", "truncated": True}
    assert detect_criteria(_items(("nvidia.com/gpu.product", "NVIDIA-L40", inline)), shipped) == {"accelerator": "l40"}
    broken: dict[str, Reading]
    for broken in (
        {**ref, "node-count": 3},  # the list names two
        {**ref, "truncated": True},  # no marker
        {**ref, "node-list": "n1"},  # two sources
        {**ref, "node-list-ref": "other"},  # not the key it folds onto
    ):
        assert detect_criteria(_items(("nvidia.com/gpu.product", "NVIDIA-L40S", broken)), shipped) == {}
    empty_ref: dict[str, Reading] = {**ref, "node-list-ref": ""}
    assert detect_criteria(_items(("nvidia.com/gpu.product", "NVIDIA-L40S", empty_ref)), shipped) == {}
