"""Upstream's YAML bytes (yaml.v3, keys sorted, indent 2) and Go's float spelling."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from l40_recipes import Catalog, RecipeError, resolve
from l40_recipes._serialize import go_yaml

from .conftest import UPSTREAM, needs_shared

if TYPE_CHECKING:
    from pathlib import Path


def _yaml_goldens() -> list[Any]:
    goldens = sorted((UPSTREAM / "goldens-yaml").glob("leaf-yaml__*.json")) if UPSTREAM.is_dir() else []
    if not goldens:
        return [pytest.param(None, marks=needs_shared)]
    return [pytest.param(path, id=path.stem.removeprefix("leaf-yaml__")) for path in goldens]


@needs_shared
def test_yaml_goldens_are_all_present() -> None:
    """All 102 YAML goldens are collected, so parity cannot pass by losing files."""
    assert len(_yaml_goldens()) == 102


@pytest.mark.parametrize("golden", _yaml_goldens())
def test_yaml_matches_upstream_golden_byte_for_byte(golden: Path, upstream: Catalog) -> None:
    """`aicr recipe --format yaml` for an overlay's own criteria, byte for byte (version stamped `dev`)."""
    record = json.loads(golden.read_text())
    if record["exit_code"] != 0:
        with pytest.raises(RecipeError) as caught:
            resolve(catalog=upstream, version="dev", **record["query"])
        assert (caught.value.exit_code, record["stdout"]) == (record["exit_code"], "")
        return
    assert resolve(catalog=upstream, version="dev", **record["query"]).to_yaml() == record["stdout"]
