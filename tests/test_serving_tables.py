"""The serving tables: package rows, user rows, and what a bad row is told."""

from __future__ import annotations

import math

import pytest

from l40_recipes._serving_tables import TableError, load_tables, parse_accelerator, parse_model


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


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("bandwidth-gbs", math.nan, "bandwidth-gbs must be a positive number up to 2\\*\\*53, not nan"),
        ("bandwidth-gbs", math.inf, "bandwidth-gbs must be a positive number up to 2\\*\\*53, not inf"),
        ("bandwidth-gbs", 1e300, "bandwidth-gbs must be a positive number up to 2\\*\\*53, not 1e\\+300"),
        (
            "usable-mib",
            10**5000,
            "usable-mib must be a positive integer up to 2\\*\\*53, not an integer of 16,610 bits",
        ),
        ("usable-mib", 2**53 + 1, "not an integer of 54 bits"),
    ],
    ids=["nan", "inf", "huge-float", "huge-int", "just-over"],
)
def test_non_finite_and_huge_numbers_are_refused(key: str, value: object, message: str) -> None:
    """NaN compares false with everything, so a NaN row would pass every bound and poison the arithmetic."""
    with pytest.raises(TableError, match=message):
        parse_accelerator("x", {**_GOOD_ACCELERATOR, key: value})


def test_the_largest_exact_integer_is_accepted() -> None:
    assert parse_model("x", {**_GOOD_MODEL, "parameters": 2**53}).parameters == 2**53


def test_a_nan_user_row_is_a_problem_and_skipped() -> None:
    tables, problems = load_tables(None, {"acme/nan": {**_GOOD_MODEL, "parameters": 1, "layers": math.nan}})
    assert "acme/nan" not in tables.models
    assert problems == ['models."acme/nan": layers must be a positive integer up to 2**53, not nan']
