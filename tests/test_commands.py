"""Commands given a data layer: `resolve`/`recipe --data DIR` and `check --data DIR`.

Messages and exit codes were observed from `aicr recipe --data DIR` (aicr 9793720d).
"""

from __future__ import annotations

import json
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from l40_recipes._cli import main

from .conftest import ZZ_EXTRA_ENTRY, overlay, write_catalog

if TYPE_CHECKING:
    from pathlib import Path

REGISTRY = "apiVersion: aicr.run/v1alpha2\nkind: ComponentRegistry\ncomponents:\n" + ZZ_EXTRA_ENTRY


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _setup(tmp_path: Path, layer_files: dict[str, str]) -> tuple[Path, Path]:
    catalog = write_catalog(tmp_path / "cat", {"eks": overlay("eks", criteria="service: eks")})
    layer = tmp_path / "layer"
    layer.mkdir()
    (layer / "registry.yaml").write_text(REGISTRY)
    for relative, text in layer_files.items():
        (layer / relative).parent.mkdir(parents=True, exist_ok=True)
        (layer / relative).write_text(text)
    return catalog, layer


EXTRA = overlay(
    "eks-extra",
    base="eks",
    criteria="service: eks, intent: training",
    body="componentRefs:\n  - name: zz-extra\n    type: Helm\n",
)


def test_recipe_data_layers_over_the_catalog(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    catalog, layer = _setup(tmp_path, {"overlays/eks-extra.yaml": EXTRA})
    argv = ["recipe", "--catalog", str(catalog), "--data", str(layer), "--service", "eks", "--intent", "training"]
    code, out, _ = _run(capsys, *argv, "--format", "json")
    assert code == 0
    document = json.loads(out)
    assert document["metadata"]["appliedOverlays"] == ["base", "eks", "eks-extra"]
    assert {ref["name"]: ref["version"] for ref in document["componentRefs"]}["zz-extra"] == "1.2.3"
    code, out, _ = _run(capsys, *argv[:5], "--service", "eks", "--format", "json")
    assert code == 0
    assert "zz-extra" not in out  # the layer overlay needs intent=training


@pytest.mark.parametrize(
    ("files", "code", "text"),
    [
        (
            {"overlays/x.yaml": overlay("x-nodes", criteria="service: eks, nodes: 4")},
            8,
            '[INTERNAL] failed to walk external directory tree: [INVALID_REQUEST] external overlay "x-nodes" sets '
            "criteria.nodes=4 which is no longer used for overlay selection (#1781)",
        ),
        (
            {"overlays/x.yaml": "kind: RecipeMetadata\nmetadata: [\n"},
            8,
            "[INTERNAL] failed to walk external directory tree: [INVALID_REQUEST] failed to parse ",
        ),
    ],
    ids=["nodes", "yaml"],
)
def test_recipe_data_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], files: dict[str, str], code: int, text: str
) -> None:
    """Upstream's `[CODE] message` alone on the first line; the position in the layer below it."""
    catalog, layer = _setup(tmp_path, files)
    status, _, err = _run(capsys, "recipe", "--catalog", str(catalog), "--data", str(layer), "--service", "eks")
    assert status == code
    first, *rest = err.splitlines()
    assert first.startswith(text)
    assert rest[0].startswith(f"  at {layer}/overlays/x.yaml:")


def test_recipe_data_missing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Observed: `[INVALID_REQUEST] construct layered data provider: [NOT_FOUND] ...`, exit 2."""
    missing = tmp_path / "missing"
    code, _, err = _run(capsys, "recipe", "--data", str(missing), "--service", "eks")
    assert code == 2
    assert (
        "[INVALID_REQUEST] construct layered data provider: [NOT_FOUND] external data directory not found: "
        f"{missing}: stat {missing}: no such file or directory"
    ) in err


def test_check_data_reports_only_the_layers_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    broken = overlay(
        "eks-extra", base="eks", criteria="service: eks, intent: training", body="componentRefs:\n  - name: nope\n"
    )
    catalog, layer = _setup(tmp_path, {"overlays/eks-extra.yaml": broken})
    (catalog / "overlays" / "gke.yaml").write_text(overlay("gke", criteria="service: GKE"))  # a catalog defect
    code, out, _ = _run(capsys, "check", "--format", "json", "--data", str(layer), str(catalog))
    assert code == 1
    files = {finding["file"] for finding in json.loads(out)["findings"]}
    assert files
    assert all(file.startswith(str(layer)) for file in files)
    code, out, _ = _run(capsys, "check", "--format", "json", str(catalog))
    assert any("gke.yaml" in finding["file"] for finding in json.loads(out)["findings"])


def test_check_needs_a_path_or_data(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "check")
    assert code == 2
    assert "give a catalog PATH" in err


def test_check_data_over_the_shipped_catalog(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Without PATH, the layer is checked over the shipped catalog (aicr 1.0 headers: v1alpha2 is refused)."""
    _, layer = _setup(tmp_path, {"overlays/eks-extra.yaml": EXTRA})
    code, out, _ = _run(capsys, "check", "--format", "json", "--data", str(layer))
    assert code == 1
    messages = [finding["message"] for finding in json.loads(out)["findings"]]
    assert any("aicr.run/v1alpha2 was retired in v1.0.0" in message for message in messages)


def test_empty_data_is_no_layer(capsys: pytest.CaptureFixture[str]) -> None:
    """Observed: `aicr recipe --data ''` resolves from the embedded catalog alone."""
    code, out, _ = _run(capsys, "recipe", "--data", "", "--service", "eks", "--gpu", "l40s", "--intent", "inference")
    assert code == 0
    assert "l40s-eks-inference" in out


def test_a_plain_resolve_imports_only_what_it_uses(tmp_path: Path) -> None:
    """Without `--config` or a pyproject.toml, resolve imports neither their readers nor pydantic, argparse or logging."""
    catalog = write_catalog(tmp_path / "cat", {"eks": overlay("eks", criteria="service: eks")})
    code = (
        "import contextlib, io, sys\n"
        "from l40_recipes._cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        f"    code = main(['resolve', '--service', 'eks', '--catalog', {str(catalog)!r}])\n"
        "print(code, *(name in sys.modules for name in "
        "('l40_recipes._config', 'l40_recipes._aicr_config', 'pydantic', 'argparse', 'shutil', 'logging')))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=tmp_path)
    assert done.stdout.split() == ["0", "False", "False", "False", "False", "False", "False"]
