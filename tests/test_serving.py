"""The serving-fit arithmetic, pinned against values computed by hand."""

from __future__ import annotations

import math

import pytest

from l40_recipes._serving import (
    DEFAULT_CONCURRENCY,
    Workload,
    analyse_gate,
    calibrated_share,
    decode_roofline,
    decode_step_bytes,
    kv_bytes_per_token,
    memory_fit,
    parse_concurrency,
    parse_floor,
    throughput_fit,
    weight_bytes,
)
from l40_recipes._serving_tables import Accelerator, Model, TableError, load_tables, parse_accelerator, parse_model

TABLES, PROBLEMS = load_tables()
QWEN = TABLES.models["Qwen/Qwen3-8B"]
L40S = TABLES.accelerators["l40s"]
LLAMA_70B = TABLES.models["meta-llama/Llama-3.1-70B-Instruct"]


def test_package_tables_load_cleanly_and_name_a_source() -> None:
    assert PROBLEMS == []
    assert set(TABLES.accelerators) == {"a100", "h100", "h200", "gb200", "gb300", "b200", "l40", "l40s", "rtx-pro-6000"}
    assert {"Qwen/Qwen3-8B", "meta-llama/Llama-3.1-8B-Instruct", "meta-llama/Meta-Llama-3-70B"} <= set(TABLES.models)
    assert all(row.source for row in TABLES.accelerators.values())
    assert all(row.source for row in TABLES.models.values())
    assert L40S.usable_mib == 46068
    assert L40S.bandwidth_gbs == 864
    assert L40S.interconnect == "pcie"
    assert L40S.gpus_per_node == (1, 4, 8)


def test_qwen3_8b_kv_per_token_is_144_kib() -> None:
    # 36 layers x 8 KV heads x 128 dims x 2 (K and V) x 2 bytes (BF16)
    assert kv_bytes_per_token(Workload(QWEN, 1)) == 36 * 8 * 128 * 2 * 2 == 144 * 1024


def test_kv_dtype_and_tensor_parallel_change_the_per_token_bytes() -> None:
    assert kv_bytes_per_token(Workload(QWEN, 1, kv_dtype="fp8")) == 72 * 1024
    # INT4 weights keep a BF16 KV cache
    assert kv_bytes_per_token(Workload(QWEN, 1, weight_dtype="int4")) == 144 * 1024
    # 8 KV heads over 2 GPUs: 4 per GPU
    assert kv_bytes_per_token(Workload(QWEN, 1, tensor_parallel=2)) == 72 * 1024


def test_memory_budget_and_benchmark_load_on_l40s() -> None:
    fit = memory_fit(L40S, Workload(QWEN, 256))
    assert fit.budget == 46068 * 2**20 * 0.9
    assert fit.weights == 8_190_735_360 * 2
    assert fit.kv_total == 256 * 256 * 144 * 1024  # 9.66 GB
    assert fit.fits
    # (43.48 GB - 16.38 GB) / (256 tokens x 144 KiB) = 717.9 sequences
    assert fit.max_concurrency == 717
    assert fit.explanation()[-1] == "verdict: fits (room for 717 sequences)"


def test_memory_warns_when_full_concurrency_kv_does_not_fit() -> None:
    fit = memory_fit(L40S, Workload(QWEN, 4096))
    assert fit.weights_fit
    assert not fit.fits
    assert "KV total: 4,096 sequences x 256 tokens x 144 KiB = 154.62 GB" in fit.explanation()
    assert "room for 717 sequences" in fit.explanation()[-1]


def test_quantization_guidance_70b_int4_fits_one_l40s_fp16_does_not() -> None:
    int4 = memory_fit(L40S, Workload(LLAMA_70B, 1, weight_dtype="int4"))
    assert int4.weights == pytest.approx(35.28e9, rel=1e-3)  # about 35 GB
    assert int4.fits
    fp16 = memory_fit(L40S, Workload(LLAMA_70B, 1, weight_dtype="float16"))
    assert fp16.weights == pytest.approx(141.1e9, rel=1e-3)  # about 140 GB
    assert not fp16.weights_fit
    assert fp16.explanation()[-1].startswith("verdict: the weights alone do not fit")
    # Two-way tensor parallelism (the most PCIe-only nodes tolerate) is still not enough at FP16 ...
    assert not memory_fit(L40S, Workload(LLAMA_70B, 1, weight_dtype="float16", tensor_parallel=2)).weights_fit
    # ... it takes four; at INT4 even one GPU will do.
    assert memory_fit(L40S, Workload(LLAMA_70B, 1, weight_dtype="float16", tensor_parallel=4)).weights_fit


def test_decode_roofline_by_hand() -> None:
    workload = Workload(QWEN, 256)
    # weights 16,381,470,720 B + 256 sequences x 192 tokens x 147,456 B = 23,629,228,032 B
    assert decode_step_bytes(workload) == 8_190_735_360 * 2 + 256 * 192 * 147_456 == 23_629_228_032
    per_gpu = 864e9 / 23_629_228_032 * 256
    assert decode_roofline(L40S, workload, 1) == pytest.approx(per_gpu)
    assert decode_roofline(L40S, workload, 8) == pytest.approx(8 * per_gpu)
    assert round(8 * per_gpu) == 74_885


def test_calibrated_share_is_the_best_measured_share() -> None:
    h100 = TABLES.accelerators["h100"]
    roof = decode_roofline(h100, Workload(QWEN, 256), 8)
    assert calibrated_share(TABLES) == pytest.approx(148_004 / roof)
    assert 0.5 < calibrated_share(TABLES) < 0.52


def test_every_measurement_sits_under_its_roofline_and_passes_the_floor_set_from_it() -> None:
    share = calibrated_share(TABLES)
    for measured in TABLES.measurements:
        hardware = TABLES.accelerators[measured.accelerator]
        workload = Workload(TABLES.models[measured.model], measured.concurrency_per_gpu)
        assert measured.throughput <= decode_roofline(hardware, workload, measured.gpus)
        # upstream's shared floor, on the node shape it was measured on
        fit = throughput_fit(hardware, workload, 50_000, share, shapes=(measured.gpus,))
        assert fit.severity is None, measured.source


def test_calibration_without_usable_measurements_is_the_roofline_itself() -> None:
    from l40_recipes._serving_tables import Tables  # noqa: PLC0415

    assert calibrated_share(Tables({}, {}, TABLES.measurements)) == 1.0


def test_l40s_cannot_pass_upstreams_floor() -> None:
    share = calibrated_share(TABLES)
    at_256 = throughput_fit(L40S, Workload(QWEN, 256), 50_000, share)
    assert at_256.required == 45_000
    assert [(s.gpus, s.verdict) for s in at_256.shapes] == [(1, "impossible"), (4, "impossible"), (8, "unlikely")]
    assert at_256.severity == "warning"
    at_128 = throughput_fit(L40S, Workload(QWEN, 128), 50_000, share)
    assert at_128.largest.verdict == "impossible"
    assert at_128.severity == "error"
    text = at_128.explanation()
    assert text[0].startswith("required: floor 50,000 tok/s x 0.9 tolerance = 45,000 tok/s")
    assert "8 GPU node: roofline 44,225 tok/s" in text[-1]


def test_a_modest_floor_passes_every_l40s_shape() -> None:
    fit = throughput_fit(L40S, Workload(QWEN, 256), 2_000, calibrated_share(TABLES))
    assert fit.severity is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (">= 50000", 50_000.0),
        (">=1.5e4", 15_000.0),
        ("> 50000", None),
        (">= x", None),
        (">= 0", None),
        (">= nan", None),
    ],
)
def test_parse_floor(value: str, expected: float | None) -> None:
    assert parse_floor(value) == expected


@pytest.mark.parametrize(("value", "expected"), [("256", 256), (" 8 ", 8), ("0", None), ("-1", None), ("\uff12", None)])
def test_parse_concurrency(value: str, expected: int | None) -> None:
    assert parse_concurrency(value) == expected


def test_analyse_gate_defaults_to_upstreams_model_and_concurrency() -> None:
    gate = analyse_gate("l40s", {}, TABLES, 0.5)
    assert gate.model == "Qwen/Qwen3-8B"
    assert gate.concurrency == DEFAULT_CONCURRENCY
    assert gate.throughput is None
    assert gate.explanation()[-1] == "throughput: no inference-throughput floor to judge"


def test_analyse_gate_caps_the_batch_at_what_fits() -> None:
    gate = analyse_gate(
        "l40s", {"inference-concurrency-per-gpu": "4096", "inference-throughput": ">= 50000"}, TABLES, 0.5
    )
    assert gate.throughput is not None
    assert gate.throughput.workload.concurrency == 717
    assert "  (the batch is capped at the 717 sequences whose KV fits)" in gate.explanation()


def test_analyse_gate_names_what_the_tables_lack() -> None:
    gate = analyse_gate("tpu", {"inference-model": "acme/giant"}, TABLES, 0.5)
    assert gate.unknown == ("accelerator 'tpu'", "model 'acme/giant'")
    assert gate.memory is None
    assert "unknown: model 'acme/giant'" in gate.explanation()
    assert analyse_gate("l40s", {"inference-concurrency-per-gpu": "many"}, TABLES, 0.5).memory is None


def test_a_model_that_does_not_fit_gets_no_throughput_verdict() -> None:
    gate = analyse_gate(
        "l40s", {"inference-model": "meta-llama/Meta-Llama-3-70B", "inference-throughput": ">= 100"}, TABLES, 0.5
    )
    assert gate.memory is not None
    assert not gate.memory.weights_fit
    assert gate.throughput is None
    assert not any(line.startswith("throughput") for line in gate.explanation())


def test_an_uncapped_gate_explains_its_verdict() -> None:
    gate = analyse_gate("h100", {"inference-throughput": ">= 50000"}, TABLES, calibrated_share(TABLES))
    text = gate.explanation()
    assert not any("capped" in line for line in text)
    assert text[-1] == "  verdict: a healthy node of some shape likely fails this floor"


def test_user_rows_add_and_replace_package_rows() -> None:
    row = {
        "usable-mib": 1000,
        "bandwidth-gbs": 100.5,
        "interconnect": "pcie",
        "fp8": False,
        "gpus-per-node": [2, 1, 2],
        "source": "our lab",
    }
    model = {"parameters": 10, "layers": 1, "kv-heads": 1, "head-dim": 1, "dtype": "int4", "source": "ours"}
    tables, problems = load_tables({"l40s": row, "bad": {"usable-mib": 1}}, {"acme/tiny": model, "acme/bad": 3})
    assert tables.accelerators["l40s"].gpus_per_node == (1, 2)
    assert tables.accelerators["l40s"].bandwidth_gbs == 100.5
    assert tables.models["acme/tiny"].dtype == "int4"
    assert "bad" not in tables.accelerators
    assert problems == [
        "accelerators.bad: missing bandwidth-gbs, interconnect, fp8, gpus-per-node, source",
        'models."acme/bad": a row must be a table with parameters, layers, kv-heads, head-dim, dtype, source',
    ]


_GOOD_ACCELERATOR = {
    "usable-mib": 1,
    "bandwidth-gbs": 1,
    "interconnect": "nvlink",
    "fp8": True,
    "gpus-per-node": [1],
    "source": "s",
}
_GOOD_MODEL = {"parameters": 1, "layers": 1, "kv-heads": 1, "head-dim": 1, "dtype": "bfloat16", "source": "s"}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"interconnect": "ib"}, "interconnect must be 'nvlink' or 'pcie'"),
        ({"fp8": "yes"}, "fp8 must be true or false"),
        ({"gpus-per-node": []}, "gpus-per-node must be a non-empty list"),
        ({"gpus-per-node": [0]}, "gpus-per-node must be a positive integer"),
        ({"usable-mib": True}, "usable-mib must be a positive integer"),
        ({"bandwidth-gbs": "fast"}, "bandwidth-gbs must be a positive number"),
        ({"source": " "}, "source must be a non-empty string"),
        ({"extra": 1}, "unknown key extra"),
    ],
)
def test_bad_accelerator_rows_say_what_is_wrong(change: dict[str, object], message: str) -> None:
    with pytest.raises(TableError, match=message):
        parse_accelerator("x", {**_GOOD_ACCELERATOR, **change})


def test_bad_model_dtype_is_named() -> None:
    with pytest.raises(TableError, match="dtype must be one of"):
        parse_model("x", {**_GOOD_MODEL, "dtype": "int3"})


def test_tiny_rows_give_finite_arithmetic() -> None:
    hardware = Accelerator("x", 1, 1.0, "pcie", False, (1,), "s")
    model = Model("m", 1, 1, 1, 1, "bfloat16", "s")
    fit = memory_fit(hardware, Workload(model, 1))
    assert math.isfinite(fit.budget)
    assert weight_bytes(Workload(model, 1)) == 2
