"""The criteria a snapshot's measurements identify (upstream `pkg/fingerprint`: `FromMeasurements`, `ToCriteria`).

service from the node's provider, accelerator from the GPU node labels (or the GPU hardware
model), os from `/etc/os-release`'s ID, nodes from the topology's node count. Intent and platform
are never detected. A dimension whose value the catalog's parser refuses stays `any`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from ._criteria import parse_dimension
from ._errors import CriteriaError, ErrorCode, RecipeError
from ._go_text import go_quote
from ._topology_labels import label_readings

if TYPE_CHECKING:
    from ._catalog import Catalog
    from ._snapshot import Measurement, Snapshot, Subtype

__all__ = ["SUPPORTED_ACCELERATORS", "detect_criteria", "no_criteria_error", "parse_gpu_sku"]

#: Upstream's static accelerator list (`GetCriteriaAcceleratorTypes`), which a PCI model must name exactly.
SUPPORTED_ACCELERATORS: Final = ("a100", "b200", "gb200", "gb300", "h100", "h200", "l40", "l40s", "rtx-pro-6000")

#: Product-name token sequences and the accelerator each names, most specific first.
_GPU_SKUS: Final = (
    (("GB300",), "gb300"),
    (("GB200",), "gb200"),
    (("B200",), "b200"),
    (("H100",), "h100"),
    (("H200",), "h200"),
    (("A100",), "a100"),
    (("RTX", "PRO", "6000"), "rtx-pro-6000"),
    (("L40S",), "l40s"),
    (("L40",), "l40"),
)

_GPU_LABEL: Final = "nvidia.com/gpu.product"
_OS_KINDS: Final = {
    "ubuntu": "ubuntu",
    "rhel": "rhel",
    "redhatenterpriselinux": "rhel",
    "redhat": "rhel",
    "cos": "cos",
    "amazonlinux": "amazonlinux",
    "amzn": "amazonlinux",
    "amazon": "amazonlinux",
    "al2": "amazonlinux",
    "al2023": "amazonlinux",
    "ol": "ol",
    "talos": "talos",
}


def parse_gpu_sku(model: str) -> str:
    """The accelerator a GPU product name names (`NVIDIA-H100-80GB-HBM3` → `h100`), or `""`."""
    tokens = [token for token in _split_tokens(model.upper()) if token]
    for sequence, sku in _GPU_SKUS:
        width = len(sequence)
        if any(tuple(tokens[start : start + width]) == sequence for start in range(len(tokens) - width + 1)):
            return sku
    return ""


def _split_tokens(text: str) -> list[str]:
    out: list[str] = []
    current: list[str] = []
    for char in text:
        if char.isspace() or char == "-":
            out.append("".join(current))
            current = []
        else:
            current.append(char)
    out.append("".join(current))
    return out


def _string(subtype: Subtype | None, key: str) -> str:
    """Upstream `GetString`: the reading if it is a string, else nothing."""
    if subtype is None:
        return ""
    value = subtype.data.get(key)
    return value if isinstance(value, str) else ""


def detect_criteria(snapshot: Snapshot, catalog: Catalog) -> dict[str, object]:
    """The detected dimensions (`service`, `accelerator`, `os`, `nodes`) with their values; the rest stay `any`.

    Topology labels are read from `items` (the lossless form `aicr snapshot` writes) when there are
    any, else from the `key: value|nodes` readings.
    """
    service = accelerator = os_kind = ""
    accelerator_note = ""
    nodes = 0
    topology = gpu = None
    for measurement in snapshot.measurements:
        if measurement is None:
            continue
        if measurement.type == "K8s":
            service = _provider(measurement) or service
        elif measurement.type == "GPU":
            gpu = measurement
        elif measurement.type == "OS":
            os_kind = _os_kind(measurement) or os_kind
        elif measurement.type == "NodeTopology":
            nodes = _node_count(measurement, nodes)
            topology = measurement
    if topology is not None:
        accelerator, accelerator_note = _label_accelerator(topology)
    if gpu is not None and not accelerator and accelerator_note != "multi-gpu":
        model = _string(gpu.subtype("hardware"), "model")
        if model in SUPPORTED_ACCELERATORS:
            accelerator = model
    detected: dict[str, object] = {}
    for dimension, value in (("service", service), ("accelerator", accelerator), ("os", os_kind)):
        try:
            parsed = parse_dimension(dimension, value, known=catalog.known_values, semantics=catalog.aicr_version)
        except CriteriaError:
            continue
        if parsed != "any":
            detected[dimension] = parsed
    if nodes > 0:
        detected["nodes"] = nodes
    return detected


def _provider(measurement: Measurement) -> str:
    provider = _string(measurement.subtype("node"), "provider")
    if provider.startswith(("ocid1.", "oci://")) or provider == "oci":
        return "oke"
    if provider.startswith("linode://") or provider == "linode":
        return "lke"
    return provider


def _os_kind(measurement: Measurement) -> str:
    release = measurement.subtype("release")
    if release is None:
        return ""
    return _OS_KINDS.get(_string(release, "ID").strip().lower(), "")


def _node_count(measurement: Measurement, nodes: int) -> int:
    summary = measurement.subtype("summary")
    if summary is None or "node-count" not in summary.data:
        return nodes
    value = summary.data["node-count"]
    if isinstance(value, bool) or not isinstance(value, int | float):
        return nodes
    if isinstance(value, float):
        if not value.is_integer():
            return nodes
        value = int(value)
    return value if -(1 << 63) <= value < (1 << 63) else nodes  # upstream reads an int64


def _label_accelerator(topology: Measurement) -> tuple[str, str]:
    """The accelerator the GPU product label names, and upstream's note when it names none."""
    labels = topology.subtype("label")
    if labels is None:
        return "", ""
    if labels.items:
        values = _item_label_values(labels) or []
        if len(values) > 1:
            return "", "multi-gpu"
        if not values:
            return "", ""
        sku = parse_gpu_sku(values[0])
        return (sku, "") if sku else ("", "unknown-sku")
    prefix = _GPU_LABEL + "."
    if sum(1 for key in labels.data if key.startswith(prefix)) > 1:
        return "", "multi-gpu"
    raw = _string(labels, _GPU_LABEL)
    if not raw:
        return "", ""
    product = raw.partition("|")[0]
    sku = parse_gpu_sku(product)
    return (sku, "") if sku else ("", "unknown-sku")


def _item_label_values(labels: Subtype) -> list[str] | None:
    """The GPU product label's distinct values from label `items` (sorted); None when upstream cannot decode them."""
    try:
        readings = label_readings(labels)
    except RecipeError:
        return None  # upstream logs it and detects nothing
    values: list[str] = []
    for reading in readings:
        if reading.key == _GPU_LABEL and reading.value not in values:
            values.append(reading.value)
    return sorted(values)


def no_criteria_error(path: str) -> RecipeError:
    """Upstream's refusal of a snapshot (plus config and flags) that identifies no dimension."""
    message = (
        f"snapshot {go_quote(path)} yielded no recognizable criteria (criteria(any)); its measurements identify no "
        'service, accelerator, intent, os, or platform — recapture with "aicr snapshot", or state criteria '
        "explicitly via --service/--accelerator/--intent/--os/--platform/--nodes or --config"
    )
    return RecipeError(message, code=ErrorCode.INVALID_REQUEST)
