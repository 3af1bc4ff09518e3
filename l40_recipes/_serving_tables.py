"""The serving tables: accelerators, models and measured results, as package data each row citing its source."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import TYPE_CHECKING, Any, Final, Literal

if TYPE_CHECKING:
    from collections.abc import Mapping


#: Bytes per element of each dtype a model row may name.
DTYPE_BYTES: Final[Mapping[str, float]] = {
    "float32": 4.0,
    "bfloat16": 2.0,
    "float16": 2.0,
    "fp8": 1.0,
    "int8": 1.0,
    "int4": 0.5,
}


__all__ = [
    "DTYPE_BYTES",
    "Accelerator",
    "Measurement",
    "Model",
    "TableError",
    "Tables",
    "load_tables",
    "parse_accelerator",
    "parse_model",
]

_MIB: Final = 1 << 20
#: The largest number a row may give: every integer up to it is exact as a float, and the arithmetic
#: on rows within it stays finite (NaN, infinity and larger values are refused).
_LARGEST: Final = 2**53
_ACCELERATOR_KEYS: Final = ("usable-mib", "bandwidth-gbs", "interconnect", "fp8", "gpus-per-node", "source")


_MODEL_KEYS: Final = ("parameters", "layers", "kv-heads", "head-dim", "dtype", "source")


class TableError(ValueError):
    """A table row that is missing a key or has a value of the wrong type."""


@dataclass(frozen=True, slots=True)
class Accelerator:
    """One GPU type: what a single GPU offers, and the node shapes it comes in."""

    name: str
    usable_mib: int
    bandwidth_gbs: float
    interconnect: Literal["nvlink", "pcie"]
    fp8: bool
    gpus_per_node: tuple[int, ...]
    source: str

    @property
    def usable_bytes(self) -> int:
        """Usable memory in bytes."""
        return self.usable_mib * _MIB


@dataclass(frozen=True, slots=True)
class Model:
    """One model's shape: enough to size its weights and its KV cache."""

    name: str
    parameters: int
    layers: int
    kv_heads: int
    head_dim: int
    dtype: str
    source: str


@dataclass(frozen=True, slots=True)
class Measurement:
    """A full-node inference-perf result on healthy hardware."""

    accelerator: str
    gpus: int
    model: str
    concurrency_per_gpu: int
    throughput: float
    source: str


@dataclass(frozen=True, slots=True)
class Tables:
    """Accelerators, models and calibration measurements."""

    accelerators: Mapping[str, Accelerator]
    models: Mapping[str, Model]
    measurements: tuple[Measurement, ...] = ()


def _int(row: Mapping[str, Any], key: str) -> int:
    value = row[key]
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value <= _LARGEST:
        raise TableError(f"{key} must be a positive integer up to 2**53, not {_shown(value)}")
    return value


def _number(row: Mapping[str, Any], key: str) -> float:
    value = row[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0 < value <= _LARGEST:
        raise TableError(f"{key} must be a positive number up to 2**53, not {_shown(value)}")
    return float(value)


def _shown(value: object) -> str:
    """*value* for a message; a huge integer is not spelled out (it may have more digits than `str` allows)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > _LARGEST:
        return f"an integer of {value.bit_length():,} bits"
    return repr(value)


def _text(row: Mapping[str, Any], key: str) -> str:
    value = row[key]
    if not isinstance(value, str) or not value.strip():
        raise TableError(f"{key} must be a non-empty string, not {value!r}")
    return value


def _check_keys(row: object, keys: tuple[str, ...]) -> Mapping[str, Any]:
    if not isinstance(row, dict):
        raise TableError(f"a row must be a table with {', '.join(keys)}")
    missing = [key for key in keys if key not in row]
    if missing:
        raise TableError(f"missing {', '.join(missing)}")
    unknown = sorted(set(row) - set(keys))
    if unknown:
        raise TableError(f"unknown key {', '.join(unknown)} (known: {', '.join(keys)})")
    return row


def parse_accelerator(name: str, row: object) -> Accelerator:
    """One accelerator row; raises `TableError` naming what is wrong."""
    data = _check_keys(row, _ACCELERATOR_KEYS)
    interconnect = data["interconnect"]
    if interconnect not in ("nvlink", "pcie"):
        raise TableError(f"interconnect must be 'nvlink' or 'pcie', not {interconnect!r}")
    if not isinstance(data["fp8"], bool):
        raise TableError(f"fp8 must be true or false, not {data['fp8']!r}")
    shapes = data["gpus-per-node"]
    if not isinstance(shapes, list) or not shapes:
        raise TableError(f"gpus-per-node must be a non-empty list of GPU counts, not {shapes!r}")
    counts = tuple(sorted({_int({"gpus-per-node": item}, "gpus-per-node") for item in shapes}))
    return Accelerator(
        name=name,
        usable_mib=_int(data, "usable-mib"),
        bandwidth_gbs=_number(data, "bandwidth-gbs"),
        interconnect=interconnect,
        fp8=data["fp8"],
        gpus_per_node=counts,
        source=_text(data, "source"),
    )


def parse_model(name: str, row: object) -> Model:
    """One model row; raises `TableError` naming what is wrong."""
    data = _check_keys(row, _MODEL_KEYS)
    dtype = data["dtype"]
    if dtype not in DTYPE_BYTES:
        raise TableError(f"dtype must be one of {', '.join(DTYPE_BYTES)}, not {dtype!r}")
    return Model(
        name=name,
        parameters=_int(data, "parameters"),
        layers=_int(data, "layers"),
        kv_heads=_int(data, "kv-heads"),
        head_dim=_int(data, "head-dim"),
        dtype=dtype,
        source=_text(data, "source"),
    )


def _package_table(name: str) -> dict[str, Any]:
    return tomllib.loads(resources.files("l40_recipes").joinpath("_tables", name).read_text(encoding="utf-8"))


def _measurements(rows: object) -> tuple[Measurement, ...]:
    assert isinstance(rows, list)
    return tuple(
        Measurement(
            accelerator=str(row["accelerator"]),
            gpus=int(row["gpus"]),
            model=str(row["model"]),
            concurrency_per_gpu=int(row["concurrency-per-gpu"]),
            throughput=float(row["throughput"]),
            source=str(row["source"]),
        )
        for row in rows
    )


def load_tables(
    accelerators: Mapping[str, object] | None = None, models: Mapping[str, object] | None = None
) -> tuple[Tables, list[str]]:
    """The package's tables with user rows (from `[tool.l40-recipes]`) added or replacing same-name rows.

    Returns the tables and one problem text per user row that could not be read (that row is skipped).
    """
    problems: list[str] = []
    accelerator_rows = {name: parse_accelerator(name, row) for name, row in _package_table("accelerators.toml").items()}
    model_rows = {name: parse_model(name, row) for name, row in _package_table("models.toml").items()}
    for name, row in sorted((accelerators or {}).items()):
        try:
            accelerator_rows[name] = parse_accelerator(name, row)
        except TableError as err:
            problems.append(f"accelerators.{name}: {err}")
    for name, row in sorted((models or {}).items()):
        try:
            model_rows[name] = parse_model(name, row)
        except TableError as err:
            problems.append(f'models."{name}": {err}')
    measured = _measurements(_package_table("measurements.toml")["measurement"])
    return Tables(accelerator_rows, model_rows, measured), problems
