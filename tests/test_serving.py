"""The serving-fit arithmetic, pinned against values computed by hand."""

from __future__ import annotations

import math

import pytest

from l40_recipes._serving import (
    Workload,
    calibrated_share,
    decode_roofline,
    decode_step_bytes,
    kv_bytes_per_token,
    memory_fit,
    throughput_fit,
    weight_bytes,
)
from l40_recipes._serving_tables import Accelerator, Model, load_tables

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


def test_tiny_rows_give_finite_arithmetic() -> None:
    hardware = Accelerator("x", 1, 1.0, "pcie", False, (1,), "s")
    model = Model("m", 1, 1, 1, 1, "bfloat16", "s")
    fit = memory_fit(hardware, Workload(model, 1))
    assert math.isfinite(fit.budget)
    assert weight_bytes(Workload(model, 1)) == 2
