"""Serving fit: can an accelerator pass a recipe's `inference-perf` gate at all?

Two back-of-the-envelope models of upstream's benchmark (AIPerf against Dynamo + vLLM, one
data-parallel worker per GPU, fixed 128 input and 128 output tokens per request):

- **Memory.** Per GPU, the weights plus the KV cache of every concurrent sequence at full length must
  fit in the usable memory times vLLM's default `gpu_memory_utilization` (0.9).
- **Decode roofline.** A decode step is bounded by memory bandwidth: it reads the weights once and
  every sequence's KV cache. At the gate's concurrency this caps the output tokens per second a node
  can produce; the throughput floor (after the evaluator's 0.9 tolerance) must sit under it, and under
  the share of it that upstream's own measurements reach on healthy nodes.

The hardware and model numbers are package data (`_tables/*.toml`), each row with its public source;
users add or override rows under `[tool.l40-recipes] accelerators` / `models`. Everything here is
pure arithmetic: no I/O beyond reading those tables.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Final, Literal

from ._serving_tables import DTYPE_BYTES, Accelerator, Model, Tables

__all__ = [
    "GPU_MEMORY_UTILIZATION",
    "INPUT_TOKENS",
    "OUTPUT_TOKENS",
    "THROUGHPUT_TOLERANCE",
    "MemoryFit",
    "NodeShape",
    "ThroughputFit",
    "Workload",
    "calibrated_share",
    "decode_roofline",
    "kv_bytes_per_token",
    "memory_fit",
    "throughput_fit",
    "weight_bytes",
]

#: vLLM's default share of GPU memory it may allocate (`gpu_memory_utilization`).
GPU_MEMORY_UTILIZATION: Final = 0.9
#: inference-perf's fixed request shape (AIPerf `--prompt-{input,output}-tokens-mean`, stddev 0).
INPUT_TOKENS: Final = 128
OUTPUT_TOKENS: Final = 128
#: The throughput gate passes at measured >= 0.9 x floor.
THROUGHPUT_TOLERANCE: Final = 0.9

_GB: Final = 1e9
_MIB: Final = 1 << 20


@dataclass(frozen=True, slots=True)
class Workload:
    """What one GPU serves: a model at a concurrency, with a request shape and precision."""

    model: Model
    concurrency: int
    input_tokens: int = INPUT_TOKENS
    output_tokens: int = OUTPUT_TOKENS
    #: Weight dtype; None means the model's default.
    weight_dtype: str | None = None
    #: KV-cache dtype; None means the weight dtype if it is a float type, else bfloat16.
    kv_dtype: str | None = None
    tensor_parallel: int = 1

    @property
    def weight_element_bytes(self) -> float:
        """Bytes per weight."""
        return DTYPE_BYTES[self.weight_dtype or self.model.dtype]

    @property
    def kv_element_bytes(self) -> float:
        """Bytes per KV-cache element."""
        if self.kv_dtype is not None:
            return DTYPE_BYTES[self.kv_dtype]
        dtype = self.weight_dtype or self.model.dtype
        return DTYPE_BYTES[dtype] if dtype in ("float32", "bfloat16", "float16", "fp8") else DTYPE_BYTES["bfloat16"]


def weight_bytes(workload: Workload) -> float:
    """Bytes of weights each GPU holds: parameters x bytes per weight / tensor-parallel degree."""
    return workload.model.parameters * workload.weight_element_bytes / workload.tensor_parallel


def kv_bytes_per_token(workload: Workload) -> float:
    """KV bytes one token occupies on each GPU: 2 (K and V) x layers x KV heads per GPU x head dim x bytes."""
    model = workload.model
    heads = math.ceil(model.kv_heads / workload.tensor_parallel)
    return 2 * model.layers * heads * model.head_dim * workload.kv_element_bytes


def _gb(value: float) -> str:
    return f"{value / _GB:,.2f} GB"


@dataclass(frozen=True, slots=True)
class MemoryFit:
    """The memory model's verdict for one workload on one GPU, with the numbers behind it."""

    accelerator: Accelerator
    workload: Workload
    weights: float
    kv_per_token: float
    kv_total: float
    budget: float

    @property
    def weights_fit(self) -> bool:
        """The weights alone fit in the budget (vLLM can start)."""
        return self.weights <= self.budget

    @property
    def fits(self) -> bool:
        """Weights and the KV cache of every concurrent sequence at full length fit."""
        return self.weights + self.kv_total <= self.budget

    @property
    def max_concurrency(self) -> int:
        """Sequences of full length whose KV fits next to the weights."""
        room = self.budget - self.weights
        per_sequence = self.kv_per_token * (self.workload.input_tokens + self.workload.output_tokens)
        return max(0, int(room // per_sequence))

    def explanation(self) -> list[str]:
        """The arithmetic, one step a line."""
        w = self.workload
        m = w.model
        heads = math.ceil(m.kv_heads / w.tensor_parallel)
        tp = f" / TP {w.tensor_parallel}" if w.tensor_parallel != 1 else ""
        sequence = w.input_tokens + w.output_tokens
        lines = [
            f"budget: {self.accelerator.usable_mib:,} MiB usable x {GPU_MEMORY_UTILIZATION} = {_gb(self.budget)}",
            f"weights: {m.parameters:,} parameters x {w.weight_element_bytes:g} bytes{tp} = {_gb(self.weights)}",
            f"KV per token: 2 x {m.layers} layers x {heads} KV heads x {m.head_dim} dims x "
            f"{w.kv_element_bytes:g} bytes = {self.kv_per_token / 1024:,.0f} KiB",
            f"KV total: {w.concurrency:,} sequences x {sequence} tokens x {self.kv_per_token / 1024:,.0f} KiB "
            f"= {_gb(self.kv_total)}",
            f"weights + KV = {_gb(self.weights + self.kv_total)} of {_gb(self.budget)}",
        ]
        if not self.weights_fit:
            lines.append("verdict: the weights alone do not fit; vLLM cannot start on one GPU")
        elif not self.fits:
            lines.append(
                f"verdict: KV for full concurrency does not fit (room for {self.max_concurrency:,} sequences); "
                "requests queue and TTFT rises"
            )
        else:
            lines.append(f"verdict: fits (room for {self.max_concurrency:,} sequences)")
        return lines


def memory_fit(accelerator: Accelerator, workload: Workload) -> MemoryFit:
    """Size *workload*'s weights and KV cache against one GPU of *accelerator*."""
    per_token = kv_bytes_per_token(workload)
    return MemoryFit(
        accelerator=accelerator,
        workload=workload,
        weights=weight_bytes(workload),
        kv_per_token=per_token,
        kv_total=workload.concurrency * (workload.input_tokens + workload.output_tokens) * per_token,
        budget=accelerator.usable_bytes * GPU_MEMORY_UTILIZATION,
    )


def decode_step_bytes(workload: Workload) -> float:
    """Bytes one decode step reads on one GPU: the weights once, plus every sequence's KV cache.

    A sequence's context grows from input to input + output tokens while it decodes; the step reads
    its average, input + output / 2.
    """
    context = workload.input_tokens + workload.output_tokens / 2
    return weight_bytes(workload) + workload.concurrency * context * kv_bytes_per_token(workload)


def decode_roofline(accelerator: Accelerator, workload: Workload, gpus: int) -> float:
    """Output tokens per second *gpus* GPUs cannot exceed: bandwidth / step bytes x batch, per GPU."""
    steps = accelerator.bandwidth_gbs * _GB / decode_step_bytes(workload)
    return steps * workload.concurrency * gpus


def calibrated_share(tables: Tables) -> float:
    """The largest share of the roofline any measured healthy node reached (the warning line).

    Measurements whose accelerator or model is missing from the tables are skipped; with none left,
    1.0 (only the roofline itself counts).
    """
    shares = [
        m.throughput
        / decode_roofline(
            tables.accelerators[m.accelerator],
            Workload(tables.models[m.model], m.concurrency_per_gpu),
            m.gpus,
        )
        for m in tables.measurements
        if m.accelerator in tables.accelerators and m.model in tables.models
    ]
    return max(shares, default=1.0)


@dataclass(frozen=True, slots=True)
class NodeShape:
    """One node size's verdict on a throughput floor."""

    gpus: int
    roofline: float
    likely: float
    verdict: Literal["passable", "unlikely", "impossible"]


@dataclass(frozen=True, slots=True)
class ThroughputFit:
    """The decode roofline's verdict on a full-node throughput floor, per node shape."""

    accelerator: Accelerator
    workload: Workload
    floor: float
    share: float
    step_bytes: float
    shapes: tuple[NodeShape, ...] = field(default=())

    @property
    def required(self) -> float:
        """What a run must measure to pass: the floor after the 0.9 tolerance."""
        return self.floor * THROUGHPUT_TOLERANCE

    @property
    def largest(self) -> NodeShape:
        """The biggest node shape: the best chance to pass."""
        return max(self.shapes, key=lambda shape: shape.gpus)

    @property
    def severity(self) -> Literal["error", "warning"] | None:
        """error: no node shape can pass; warning: the largest likely fails, or a smaller one cannot pass."""
        if self.largest.verdict == "impossible":
            return "error"
        if self.largest.verdict == "unlikely" or any(s.verdict == "impossible" for s in self.shapes):
            return "warning"
        return None

    def explanation(self) -> list[str]:
        """The arithmetic, one step a line."""
        w = self.workload
        context = w.input_tokens + w.output_tokens / 2
        per_token = kv_bytes_per_token(w)
        lines = [
            f"required: floor {self.floor:,.0f} tok/s x {THROUGHPUT_TOLERANCE} tolerance = {self.required:,.0f} tok/s "
            "for the whole node (not scaled to its GPU count)",
            f"decode step per GPU reads weights {_gb(weight_bytes(w))} + {w.concurrency:,} sequences x "
            f"{context:g} tokens average context x {per_token / 1024:,.0f} KiB = {_gb(self.step_bytes)}",
            f"per GPU: {self.accelerator.bandwidth_gbs:,g} GB/s / {_gb(self.step_bytes)} = "
            f"{self.accelerator.bandwidth_gbs * _GB / self.step_bytes:,.1f} steps/s x {w.concurrency:,} tokens "
            f"= {self.accelerator.bandwidth_gbs * _GB / self.step_bytes * w.concurrency:,.0f} tok/s",
            f"healthy nodes reach at most {self.share:.1%} of the roofline (calibration)",
        ]
        for shape in sorted(self.shapes, key=lambda s: s.gpus):
            lines.append(
                f"{shape.gpus} GPU node: roofline {shape.roofline:,.0f} tok/s, likely at most {shape.likely:,.0f} tok/s "
                f"-> {shape.verdict}"
            )
        return lines


def throughput_fit(
    accelerator: Accelerator, workload: Workload, floor: float, share: float, *, shapes: tuple[int, ...] = ()
) -> ThroughputFit:
    """Judge a full-node throughput *floor* on every node shape (*shapes*, default the accelerator's)."""
    judged: list[NodeShape] = []
    for gpus in shapes or accelerator.gpus_per_node:
        roof = decode_roofline(accelerator, workload, gpus)
        likely = roof * share
        required = floor * THROUGHPUT_TOLERANCE
        verdict: Literal["passable", "unlikely", "impossible"] = (
            "impossible" if required > roof else "unlikely" if required > likely else "passable"
        )
        judged.append(NodeShape(gpus, roof, likely, verdict))
    return ThroughputFit(accelerator, workload, floor, share, decode_step_bytes(workload), tuple(judged))
