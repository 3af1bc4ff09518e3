"""A recipe's `inference-perf` gate read as upstream's check reads it, then judged by the serving models.

Upstream's check (NVIDIA/aicr `validators/performance/inference_perf*.go` at 9793720d) skips a recipe
with neither an `inference-throughput` nor an `inference-ttft-p99` constraint, or without a
`dynamo-platform` component. Otherwise it reads the first constraint of each name and refuses with
INVALID_REQUEST a concurrency that is not a positive `strconv.Atoi` integer, a model that is not a
Hugging Face ID, an unknown routing mode, and thresholds not written `>= N` / `<= N` with `N` a
`strconv.ParseFloat` number. A refused value is reported with upstream's message, never judged as
if it were a default.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from ._go_text import StrconvError, go_atoi, go_parse_float, go_quote, go_trim_space
from ._serving import INPUT_TOKENS, OUTPUT_TOKENS, MemoryFit, ThroughputFit, Workload, memory_fit, throughput_fit

if TYPE_CHECKING:
    from collections.abc import Collection, Iterable, Mapping

    from ._serving_tables import Tables

__all__ = [
    "CONCURRENCY",
    "DEFAULT_CONCURRENCY",
    "DEFAULT_MODEL",
    "MODEL",
    "ROUTING_MODE",
    "THROUGHPUT",
    "TTFT",
    "GateAnalysis",
    "Rejection",
    "analyse_gate",
    "first_constraints",
]

#: inference-perf's defaults when a recipe sets no `inference-model` / `inference-concurrency-per-gpu`.
DEFAULT_MODEL: Final = "Qwen/Qwen3-8B"
DEFAULT_CONCURRENCY: Final = 256
CONCURRENCY: Final = "inference-concurrency-per-gpu"
MODEL: Final = "inference-model"
ROUTING_MODE: Final = "inference-routing-mode"
THROUGHPUT: Final = "inference-throughput"
TTFT: Final = "inference-ttft-p99"
_ROUTING_MODES: Final = ("dynamo-router", "gateway-epp")
_MODEL_ID: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]*\Z")
_REFUSED: Final = "[INVALID_REQUEST] "


@dataclass(frozen=True, slots=True)
class Rejection:
    """A constraint value upstream's check refuses, with the error it prints."""

    constraint: str
    value: str
    message: str


@dataclass(frozen=True, slots=True)
class GateAnalysis:
    """Both models applied to one recipe's `inference-perf` constraints on one accelerator.

    `skipped` says why upstream does not run the check (then nothing is judged); `rejected` lists the
    values it refuses; `unknown` names what the tables lack (then the fits that need it are None).
    `floor` is the parsed `inference-throughput` number, which may be one no run can fail (zero,
    negative, NaN).
    """

    accelerator: str
    model: str
    concurrency: int | None
    floor: float | None
    unknown: tuple[str, ...] = ()
    memory: MemoryFit | None = None
    throughput: ThroughputFit | None = None
    rejected: tuple[Rejection, ...] = ()
    skipped: str | None = None

    @property
    def vacuous_floor(self) -> bool:
        """Whether the throughput floor passes every run (`>= 0`, a negative number, NaN)."""
        return self.floor is not None and not self.floor > 0

    def explanation(self) -> list[str]:
        """The full arithmetic for `l40-recipes explain --serving`."""
        if self.skipped is not None:
            return [f"inference-perf on {self.accelerator}: upstream skips the check: {self.skipped}"]
        shown = "an invalid number of" if self.concurrency is None else f"{self.concurrency:,}"
        lines = [
            f"inference-perf on {self.accelerator}: {self.model}, {shown} concurrent requests per GPU, "
            f"{INPUT_TOKENS} input + {OUTPUT_TOKENS} output tokens, one vLLM worker per GPU",
        ]
        lines += [f"rejected by upstream: {item.message}" for item in self.rejected]
        lines += [f"unknown: {name}" for name in self.unknown]
        if self.memory is not None:
            lines += ["memory (per GPU):", *(f"  {line}" for line in self.memory.explanation())]
        if self.throughput is not None:
            lines += ["throughput (decode roofline):", *(f"  {line}" for line in self.throughput.explanation())]
            if self.throughput.workload.concurrency != self.concurrency:
                lines.append(
                    f"  (the batch is capped at the {self.throughput.workload.concurrency:,} sequences whose KV fits)"
                )
            verdict = self.throughput.severity
            lines.append(
                "  verdict: "
                + {
                    "error": "no node shape can pass this floor",
                    "warning": "a healthy node of some shape likely fails this floor",
                    None: "passable on every node shape",
                }[verdict]
            )
        elif self.vacuous_floor:
            lines.append(f"throughput: a floor of {self.floor:g} passes every run, so the gate tests nothing")
        elif self.floor is None and not any(item.constraint == THROUGHPUT for item in self.rejected):
            lines.append("throughput: no inference-throughput floor to judge")
        return lines


def first_constraints(constraints: Iterable[tuple[str, str]]) -> dict[str, str]:
    """Constraint name -> value, the first of each name winning (upstream's `FindConstraint`)."""
    found: dict[str, str] = {}
    for name, value in constraints:
        found.setdefault(name, value)
    return found


def _threshold(name: str, value: str, operator: str, label: str) -> float | Rejection:
    """`requireComparatorPrefix` then `parseThreshold`: the number, or upstream's refusal."""
    text = go_trim_space(value)
    if not text.startswith(operator):
        return Rejection(
            name,
            value,
            f"{_REFUSED}{name} constraint must start with {go_quote(operator)} (got {go_quote(value)}); inference-perf "
            "uses a narrower operator subset than the general contract — only the operator the evaluator actually "
            "honors is accepted",
        )
    if text[len(operator) :].lstrip(" ")[:1] in ("<", ">", "=", "!"):
        return Rejection(
            name,
            value,
            f"{_REFUSED}{name} constraint must start with exactly {go_quote(operator)} (got {go_quote(value)}); extra "
            "operator characters after the expected prefix would be silently stripped by the threshold parser and "
            "misread",
        )
    number = go_trim_space(go_trim_space(value).lstrip("><=! ")).split(" ")[0]
    wrapper = f"{_REFUSED}invalid {label} threshold: {_REFUSED}"
    if not number:
        return Rejection(name, value, f"{wrapper}invalid threshold: no numeric value found in {go_quote(value)}")
    try:
        return go_parse_float(number)
    except StrconvError as err:
        return Rejection(name, value, f"{wrapper}invalid threshold format: {err}")


def _concurrency(constraints: Mapping[str, str]) -> int | Rejection:
    raw = go_trim_space(constraints.get(CONCURRENCY, ""))
    if not raw:
        return DEFAULT_CONCURRENCY
    try:
        number = go_atoi(raw)
    except StrconvError:
        number = 0
    if number <= 0:
        return Rejection(
            CONCURRENCY, raw, f"{_REFUSED}invalid {CONCURRENCY}={go_quote(raw)}: must be a positive integer"
        )
    return number


def _reading(constraints: Mapping[str, str]) -> tuple[str, int | None, float | None, list[Rejection]]:
    """The model, concurrency and floor upstream's check would use, and every value it refuses."""
    rejected: list[Rejection] = []
    concurrency = _concurrency(constraints)
    if isinstance(concurrency, Rejection):
        rejected.append(concurrency)
    model = go_trim_space(constraints.get(MODEL, "")) or DEFAULT_MODEL
    if not _MODEL_ID.match(model):
        rejected.append(
            Rejection(
                MODEL,
                model,
                f"{_REFUSED}invalid inference model {go_quote(model)}: must be a Hugging Face model ID "
                "(characters [A-Za-z0-9._/-])",
            )
        )
    routing = go_trim_space(constraints.get(ROUTING_MODE, ""))
    if routing and routing not in _ROUTING_MODES:
        rejected.append(
            Rejection(
                ROUTING_MODE,
                routing,
                f"{_REFUSED}invalid {ROUTING_MODE}={go_quote(routing)}: must be "
                f"{go_quote(_ROUTING_MODES[0])} or {go_quote(_ROUTING_MODES[1])}",
            )
        )
    floor: float | None = None
    for name, operator, label in ((THROUGHPUT, ">=", "throughput"), (TTFT, "<=", "TTFT")):
        if name not in constraints:
            continue
        parsed = _threshold(name, constraints[name], operator, label)
        if isinstance(parsed, Rejection):
            rejected.append(parsed)
        elif name == THROUGHPUT:
            floor = parsed
    return model, concurrency if isinstance(concurrency, int) else None, floor, rejected


def analyse_gate(
    accelerator: str,
    constraints: Mapping[str, str],
    tables: Tables,
    share: float,
    *,
    components: Collection[str] = ("dynamo-platform",),
) -> GateAnalysis:
    """Read a performance phase's constraints (name -> first value) as upstream does, then apply both models.

    *components* are the recipe's component names: upstream skips the check without `dynamo-platform`.
    """
    if THROUGHPUT not in constraints and TTFT not in constraints:
        return GateAnalysis(accelerator, "", None, None, skipped=f"no {THROUGHPUT} or {TTFT} constraint")
    if "dynamo-platform" not in components:
        return GateAnalysis(accelerator, "", None, None, skipped="the recipe deploys no dynamo-platform")
    model_name, concurrency, floor, rejected = _reading(constraints)
    unknown: list[str] = []
    hardware = tables.accelerators.get(accelerator)
    model = tables.models.get(model_name)
    if hardware is None:
        unknown.append(f"accelerator {accelerator!r}")
    if model is None and not any(item.constraint == MODEL for item in rejected):
        unknown.append(f"model {model_name!r}")
    if hardware is None or model is None or concurrency is None:
        return GateAnalysis(accelerator, model_name, concurrency, floor, tuple(unknown), rejected=tuple(rejected))
    workload = Workload(model, concurrency)
    memory = memory_fit(hardware, workload)
    throughput = None
    if floor is not None and floor > 0 and memory.weights_fit:
        batch = min(concurrency, memory.max_concurrency) or 1
        throughput = throughput_fit(hardware, Workload(model, batch), floor, share)
    return GateAnalysis(accelerator, model_name, concurrency, floor, (), memory, throughput, tuple(rejected))
