"""Rules on a recipe's `inference-perf` gate: can its accelerator pass it at all? (see docs/serving.md)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from l40_recipes._report import Severity
from l40_recipes._serving import calibrated_share
from l40_recipes._serving_gate import (
    CONCURRENCY,
    MODEL,
    ROUTING_MODE,
    THROUGHPUT,
    TTFT,
    GateAnalysis,
    analyse_gate,
    first_constraints,
)
from l40_recipes._serving_tables import Tables, load_tables

from . import Context, rule
from .floor import origin_of_constraint
from .resolve import accelerator_bound, query_text, resolved_recipes

if TYPE_CHECKING:
    from collections.abc import Iterator

    from l40_recipes._catalog import Overlay
    from l40_recipes._errors import Location
    from l40_recipes._report import Finding
    from l40_recipes._result import RecipeResult

_CHECK: Final = "inference-perf"
_EXPLAIN: Final = "run `l40-recipes explain --serving` with this recipe's criteria for the arithmetic"


def _tables(ctx: Context) -> tuple[Tables, list[str]]:
    """The package tables with `[tool.l40-recipes] accelerators` / `models` rows (validated by the config)."""
    return load_tables(ctx.config.accelerators, ctx.config.models)


def _gates(ctx: Context) -> Iterator[tuple[Overlay, RecipeResult, GateAnalysis]]:
    """Each gateable, accelerator-bound recipe whose performance phase runs inference-perf, analysed."""
    tables, _ = _tables(ctx)
    share = calibrated_share(tables)
    for item, result in resolved_recipes(ctx):
        phase = result.validation.performance if result.validation else None
        if not accelerator_bound(item) or phase is None or _CHECK not in (phase.checks or []):
            continue
        assert item.criteria is not None
        constraints = first_constraints((c.name, c.value) for c in phase.constraints or [])
        components = [ref.name for ref in result.component_refs]
        gate = analyse_gate(item.criteria.accelerator, constraints, tables, share, components=components)
        if gate.skipped is None:
            yield item, result, gate


def _where(ctx: Context, item: Overlay, result: RecipeResult, *names: str) -> Location:
    for name in names:
        found = origin_of_constraint(ctx, result, "performance", name)
        if found is not None:
            return found
    return item.locate("spec", "criteria")


def _once(findings: Iterator[Finding]) -> Iterator[Finding]:
    """A constraint inherited by several recipes gets one finding per distinct message."""
    seen: set[tuple[str, int, int, str]] = set()
    for finding in findings:
        key = (finding.file, finding.line, finding.column, finding.message)
        if key not in seen:
            seen.add(key)
            yield finding


@rule("serving-memory", "The inference-perf model and its KV cache fit one GPU", group="serving")
def serving_memory(ctx: Context) -> Iterator[Finding]:
    """inference-perf runs one vLLM worker per GPU, so the model must fit a single GPU.

    Per GPU, vLLM may use the usable memory x 0.9 (its default `gpu_memory_utilization`). The weights
    (parameters x bytes per weight) must fit, or the worker cannot start: an error. The KV cache of
    every concurrent request at full length (concurrency x (128 input + 128 output tokens) x
    2 x layers x KV heads x head dim x bytes) should fit too, or requests queue and the TTFT gate is
    at risk: a warning. The finding shows each number; docs/serving.md explains the model.
    """
    yield from _once(_memory(ctx))


def _memory(ctx: Context) -> Iterator[Finding]:
    for item, result, gate in _gates(ctx):
        fit = gate.memory
        if fit is None or fit.fits:
            continue
        where = _where(ctx, item, result, "inference-concurrency-per-gpu", "inference-model")
        arithmetic = "; ".join(fit.explanation())
        subject = f"{gate.model} at {gate.concurrency:,} requests per GPU on {gate.accelerator}"
        if not fit.weights_fit:
            yield ctx.finding(
                "serving-memory",
                where,
                f"{subject}: the weights do not fit one GPU ({arithmetic})",
                hint="pick a smaller or quantized model for inference-model; inference-perf runs one GPU per worker",
                overlay=item.name,
            )
        else:
            yield ctx.finding(
                "serving-memory",
                where,
                f"{subject}: the KV cache for every request does not fit ({arithmetic})",
                hint=f"lower inference-concurrency-per-gpu to at most {fit.max_concurrency:,} (recipe for {query_text(item)})",
                overlay=item.name,
                severity=Severity.WARNING,
            )


@rule("serving-throughput-roofline", "The inference-throughput floor is under the decode roofline", group="serving")
def serving_throughput_roofline(ctx: Context) -> Iterator[Finding]:
    """A throughput floor no healthy node can reach fails every run; the gate then tests nothing.

    Decoding is bounded by memory bandwidth: each step reads the weights once plus every sequence's
    KV cache, and yields one token per sequence. For each node size the accelerator comes in, this
    gives a roofline in output tokens per second. The floor is a full-node number (inference-perf does
    not scale it to a smaller node), passed at 0.9 x floor. Above the roofline on every node shape is an
    error. Above the calibrated share of it that upstream's measured healthy nodes reach (the largest,
    from the measurements in `_tables/measurements.toml`) on the largest node, or above the roofline of a
    smaller node shape, is a warning: a healthy node likely fails.
    """
    yield from _once(_throughput(ctx))


def _throughput(ctx: Context) -> Iterator[Finding]:
    for item, result, gate in _gates(ctx):
        fit = gate.throughput
        if fit is None or fit.severity is None:
            continue
        where = _where(ctx, item, result, "inference-throughput")
        arithmetic = "; ".join(fit.explanation())
        failing = ", ".join(f"{s.gpus}-GPU ({s.verdict})" for s in fit.shapes if s.verdict != "passable")
        if fit.severity == "error":
            text, level = "no node shape can reach it", Severity.ERROR
        else:
            text, level = f"a healthy node likely fails it on {failing}", Severity.WARNING
        yield ctx.finding(
            "serving-throughput-roofline",
            where,
            f"inference-throughput `>= {fit.floor:,.0f}` on {gate.accelerator} with {gate.model}: {text} ({arithmetic})",
            hint="drop the floor or set it from a measurement on this accelerator's node shape; " + _EXPLAIN,
            overlay=item.name,
            severity=level,
        )


_FIXES: Final = {
    CONCURRENCY: 'write a positive integer, e.g. "128", or remove it for the default 256',
    MODEL: "write a Hugging Face model ID such as Qwen/Qwen3-8B",
    ROUTING_MODE: "write dynamo-router or gateway-epp, or remove it for dynamo-router",
    THROUGHPUT: 'write ">= N" with N the full-node output tokens per second, e.g. ">= 50000"',
    TTFT: 'write "<= N" with N in milliseconds, e.g. "<= 2000"',
}


@rule("serving-gate-constraints", "Upstream's inference-perf check accepts the gate's values", group="serving")
def serving_gate_constraints(ctx: Context) -> Iterator[Finding]:
    """A gate value upstream's check refuses fails every run with INVALID_REQUEST; a floor no run can miss tests nothing.

    Upstream reads the first constraint of each name. It refuses an `inference-concurrency-per-gpu`
    that is not a positive integer (Go's `strconv.Atoi`), an `inference-model` that is not a Hugging
    Face ID, an `inference-routing-mode` other than `dynamo-router` / `gateway-epp`, and an
    `inference-throughput` / `inference-ttft-p99` not written `>= N` / `<= N` with `N` a Go float.
    The error quotes upstream's message. A throughput floor of zero, a negative number or NaN is
    accepted but passes every run: a warning.
    """
    yield from _once(_refused(ctx))


def _refused(ctx: Context) -> Iterator[Finding]:
    for item, result, gate in _gates(ctx):
        for refused in gate.rejected:
            yield ctx.finding(
                "serving-gate-constraints",
                _where(ctx, item, result, refused.constraint),
                f"upstream's inference-perf check refuses {refused.constraint} {refused.value!r}: {refused.message}",
                hint=_FIXES[refused.constraint],
                overlay=item.name,
            )
        if gate.vacuous_floor:
            yield ctx.finding(
                "serving-gate-constraints",
                _where(ctx, item, result, THROUGHPUT),
                f"{THROUGHPUT} floor {gate.floor:g} passes every run on {gate.accelerator}: the gate tests nothing",
                hint=_FIXES[THROUGHPUT],
                overlay=item.name,
                severity=Severity.WARNING,
            )


@rule(
    "serving-model-unknown",
    "The serving tables know the recipe's accelerator and model",
    group="serving",
    severity=Severity.WARNING,
)
def serving_model_unknown(ctx: Context) -> Iterator[Finding]:
    """The serving rules can only judge accelerators and models in their tables.

    Add a missing one under `[tool.l40-recipes.accelerators.<name>]` or
    `[tool.l40-recipes.models."<org>/<name>"]` (docs/serving.md lists the keys).
    """
    yield from _once(_unknown(ctx))


def _unknown(ctx: Context) -> Iterator[Finding]:
    for item, result, gate in _gates(ctx):
        for name in gate.unknown:
            model = name.startswith("model")
            where = _where(ctx, item, result, "inference-model") if model else item.locate("spec", "criteria")
            table = f'models."{gate.model}"' if model else f"accelerators.{gate.accelerator}"
            yield ctx.finding(
                "serving-model-unknown",
                where,
                f"the serving rules do not know the {name}, so they cannot judge this inference-perf gate",
                hint=f"add [tool.l40-recipes.{table}] to pyproject.toml (see docs/serving.md for the keys)",
                overlay=item.name,
            )
