"""A recipe's inference-perf gate read as upstream's check reads it, then judged.

Every refusal message below is upstream's text at 9793720d (`validators/performance/inference_perf*.go`
and `nccl_all_reduce_bw_constraint.go`'s `parseThreshold`), with Go's `%q` and `strconv` messages.
"""

from __future__ import annotations

import math

import pytest

from l40_recipes._serving import calibrated_share
from l40_recipes._serving_gate import DEFAULT_CONCURRENCY, GateAnalysis, analyse_gate, first_constraints
from l40_recipes._serving_tables import load_tables

TABLES, _ = load_tables()
TTFT = {"inference-ttft-p99": "<= 2000"}
REFUSED = "[INVALID_REQUEST] "


def _gate(accelerator: str = "l40s", **constraints: str) -> GateAnalysis:
    """The gate of *constraints* (keyword names with `_` for `-`) beside a valid TTFT constraint."""
    named = {key.replace("_", "-"): value for key, value in constraints.items()}
    return analyse_gate(accelerator, {**TTFT, **named}, TABLES, 0.5)


def test_the_first_constraint_of_a_name_wins() -> None:
    assert first_constraints([("a", "1"), ("b", "2"), ("a", "3")]) == {"a": "1", "b": "2"}


def test_a_gate_without_throughput_or_ttft_is_skipped_as_upstream_skips_it() -> None:
    gate = analyse_gate("l40s", {"inference-concurrency-per-gpu": "abc"}, TABLES, 0.5)
    assert gate.skipped == "no inference-throughput or inference-ttft-p99 constraint"
    assert (gate.rejected, gate.memory) == ((), None)
    assert gate.explanation() == [
        "inference-perf on l40s: upstream skips the check: no inference-throughput or inference-ttft-p99 constraint"
    ]


def test_a_recipe_without_dynamo_platform_is_skipped() -> None:
    gate = analyse_gate("l40s", TTFT, TABLES, 0.5, components=["gpu-operator"])
    assert gate.skipped == "the recipe deploys no dynamo-platform"


def test_analyse_gate_defaults_to_upstreams_model_and_concurrency() -> None:
    gate = analyse_gate("l40s", TTFT, TABLES, 0.5)
    assert gate.model == "Qwen/Qwen3-8B"
    assert gate.concurrency == DEFAULT_CONCURRENCY
    assert (gate.throughput, gate.rejected) == (None, ())
    assert gate.explanation()[-1] == "throughput: no inference-throughput floor to judge"


@pytest.mark.parametrize(("value", "number"), [("256", 256), (" 8 ", 8), ("+128", 128), ("1000000000", 10**9)])
def test_concurrency_is_read_as_strconv_atoi_reads_it(value: str, number: int) -> None:
    gate = _gate(inference_concurrency_per_gpu=value)
    assert (gate.concurrency, gate.rejected) == (number, ())


@pytest.mark.parametrize("value", ["abc", "0", "-1", "\uff12", "1_000", "9223372036854775808", "0x10"])
def test_a_concurrency_upstream_refuses_is_rejected_not_defaulted(value: str) -> None:
    gate = _gate(inference_concurrency_per_gpu=value, inference_throughput=">= 100")
    assert gate.concurrency is None
    assert gate.memory is None
    assert gate.throughput is None
    [refused] = gate.rejected
    assert refused.constraint == "inference-concurrency-per-gpu"
    assert refused.message == f'{REFUSED}invalid inference-concurrency-per-gpu="{value}": must be a positive integer'
    text = gate.explanation()
    assert text[0].startswith("inference-perf on l40s: Qwen/Qwen3-8B, an invalid number of concurrent requests")
    assert f"rejected by upstream: {refused.message}" in text
    assert not any(" 0 concurrent" in line for line in text)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (
            "> 50000",
            'inference-throughput constraint must start with ">=" (got "> 50000"); inference-perf uses a narrower '
            "operator subset than the general contract — only the operator the evaluator actually honors is accepted",
        ),
        (
            "50000",
            'inference-throughput constraint must start with ">=" (got "50000"); inference-perf uses a narrower '
            "operator subset than the general contract — only the operator the evaluator actually honors is accepted",
        ),
        (
            ">=  =5000",
            'inference-throughput constraint must start with exactly ">=" (got ">=  =5000"); extra operator '
            "characters after the expected prefix would be silently stripped by the threshold parser and misread",
        ),
        (
            ">= ",
            f'invalid throughput threshold: {REFUSED}invalid threshold: no numeric value found in ">= "',
        ),
        (
            ">= abc",
            f"invalid throughput threshold: {REFUSED}invalid threshold format: "
            'strconv.ParseFloat: parsing "abc": invalid syntax',
        ),
        (
            ">= 1e400",
            f"invalid throughput threshold: {REFUSED}invalid threshold format: "
            'strconv.ParseFloat: parsing "1e400": value out of range',
        ),
    ],
)
def test_a_throughput_floor_upstream_refuses_is_rejected(value: str, message: str) -> None:
    gate = _gate(inference_throughput=value)
    assert gate.floor is None
    assert gate.throughput is None
    assert [(r.constraint, r.message) for r in gate.rejected] == [("inference-throughput", REFUSED + message)]
    assert gate.explanation()[-1] != "throughput: no inference-throughput floor to judge"


@pytest.mark.parametrize(
    ("value", "floor"),
    [(">= 50000", 50_000.0), (">=1.5e4", 15_000.0), (">= 50000 tok/s", 50_000.0), (">=\t1_000", 1000.0)],
)
def test_a_floor_is_parsed_as_parse_threshold_parses_it(value: str, floor: float) -> None:
    gate = _gate(inference_throughput=value)
    assert (gate.floor, gate.rejected) == (floor, ())


@pytest.mark.parametrize("value", [">= 0", ">= -5", ">= nan"])
def test_a_floor_no_run_can_miss_is_vacuous(value: str) -> None:
    gate = _gate(inference_throughput=value)
    assert gate.vacuous_floor
    assert gate.throughput is None
    assert gate.explanation()[-1].endswith("passes every run, so the gate tests nothing")


def test_an_infinite_floor_is_unreachable_on_every_shape() -> None:
    gate = _gate(inference_throughput=">= inf")
    assert gate.floor == math.inf
    assert gate.throughput is not None
    assert gate.throughput.severity == "error"


def test_ttft_model_and_routing_are_checked_as_upstream_checks_them() -> None:
    gate = analyse_gate(
        "l40s",
        {
            "inference-ttft-p99": "< 2000",
            "inference-model": "acme/model:latest",
            "inference-routing-mode": "kv",
        },
        TABLES,
        0.5,
    )
    assert [r.message for r in gate.rejected] == [
        f'{REFUSED}invalid inference model "acme/model:latest": must be a Hugging Face model ID '
        "(characters [A-Za-z0-9._/-])",
        f'{REFUSED}invalid inference-routing-mode="kv": must be "dynamo-router" or "gateway-epp"',
        f'{REFUSED}inference-ttft-p99 constraint must start with "<=" (got "< 2000"); inference-perf uses a '
        "narrower operator subset than the general contract — only the operator the evaluator actually honors "
        "is accepted",
    ]
    assert gate.unknown == ()  # a refused model is not also "unknown"


def test_a_bad_ttft_number_is_wrapped_as_upstream_wraps_it() -> None:
    gate = analyse_gate("l40s", {"inference-ttft-p99": "<= soon"}, TABLES, 0.5)
    assert [r.message for r in gate.rejected] == [
        f"{REFUSED}invalid TTFT threshold: {REFUSED}invalid threshold format: "
        'strconv.ParseFloat: parsing "soon": invalid syntax'
    ]


def test_analyse_gate_caps_the_batch_at_what_fits() -> None:
    gate = _gate(inference_concurrency_per_gpu="4096", inference_throughput=">= 50000")
    assert gate.throughput is not None
    assert gate.throughput.workload.concurrency == 717
    assert "  (the batch is capped at the 717 sequences whose KV fits)" in gate.explanation()


def test_analyse_gate_names_what_the_tables_lack() -> None:
    gate = _gate("tpu", inference_model="acme/giant")
    assert gate.unknown == ("accelerator 'tpu'", "model 'acme/giant'")
    assert gate.memory is None
    assert "unknown: model 'acme/giant'" in gate.explanation()


def test_a_model_that_does_not_fit_gets_no_throughput_verdict() -> None:
    gate = _gate(inference_model="meta-llama/Meta-Llama-3-70B", inference_throughput=">= 100")
    assert gate.memory is not None
    assert not gate.memory.weights_fit
    assert gate.throughput is None
    assert not any(line.startswith("throughput") for line in gate.explanation())


def test_an_uncapped_gate_explains_its_verdict() -> None:
    gate = analyse_gate("h100", {"inference-throughput": ">= 50000"}, TABLES, calibrated_share(TABLES))
    text = gate.explanation()
    assert not any("capped" in line for line in text)
    assert text[-1] == "  verdict: a healthy node of some shape likely fails this floor"
