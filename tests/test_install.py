"""The wheel carries the shipped catalog: resolve() works after `pip install .`, from any directory."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import venv
from pathlib import Path

import pytest

from . import conftest
from .conftest import REPO, UPSTREAM_RECIPES, needs_shared


@pytest.fixture(name="installed_python", scope="module")
def _installed_python(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment with this project installed from a wheel pip builds.

    The new environment sees the test environment's packages (a `.pth` line), so pip installs the
    project alone, built by the hatchling already installed (the `test` dependency group), with
    nothing downloaded.
    """
    root = tmp_path_factory.mktemp("venv")
    venv.EnvBuilder(with_pip=False).create(root / "env")
    python = root / "env" / ("Scripts" if os.name == "nt" else "bin") / "python"
    site = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    (Path(site) / "outer-test-environment.pth").write_text(sysconfig.get_path("purelib") + "\n")
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(python),
            "install",
            "--quiet",
            "--no-deps",
            "--no-build-isolation",
            str(REPO),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
        env=_clean_environment(),
    )
    assert completed.returncode == 0, completed.stderr
    return python


def _clean_environment() -> dict[str, str]:
    """The environment without PYTHONPATH, and without coverage's subprocess measurement (pip and the
    installed copy are none of the measured source)."""
    return {key: value for key, value in os.environ.items() if key != "PYTHONPATH" and not key.startswith("COVERAGE_")}


def _run(python: Path, code: str, cwd: Path) -> str:
    env = _clean_environment()
    completed = subprocess.run(
        [str(python), "-c", code], capture_output=True, text=True, check=False, cwd=cwd, env=env, timeout=120
    )
    assert completed.returncode == 0, completed.stderr
    return completed.stdout


def test_shipped_catalog_resolves_after_install(installed_python: Path, tmp_path: Path) -> None:
    """From an unrelated directory, the installed package resolves the shipped catalog."""
    code = (
        "import json, l40_recipes\n"
        "r = l40_recipes.resolve(service='eks', accelerator='l40', intent='inference', os='ubuntu', platform='dynamo')\n"
        "print(json.dumps({'file': l40_recipes.__file__, 'order': r.deployment_order}))\n"
    )
    out = json.loads(_run(installed_python, code, tmp_path))
    assert not out["file"].startswith(str(REPO))
    assert "dynamo-platform" in out["order"]


@needs_shared
def test_upstream_catalog_resolves_after_install(installed_python: Path, tmp_path: Path) -> None:
    """The acceptance command of issue 2 prints the recipe from /tmp-like directories."""
    code = (
        "from l40_recipes import resolve\n"
        f"print(resolve(service='eks', accelerator='h100', intent='inference', os='ubuntu', catalog={str(UPSTREAM_RECIPES.resolve())!r}).to_json())\n"
    )
    document = json.loads(_run(installed_python, code, tmp_path))
    assert document["kind"] == "RecipeResult"
    assert document["metadata"]["appliedOverlays"][-1] == "h100-eks-ubuntu-inference"


@pytest.mark.parametrize(("require", "outcome"), [(False, pytest.skip.Exception), (True, pytest.fail.Exception)])
def test_parity_tests_skip_with_the_hint_unless_required(
    require: bool, outcome: type[BaseException], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without the reference data a parity test skips with the hint; CI's L40_RECIPES_REQUIRE_UPSTREAM fails it."""
    monkeypatch.setattr(conftest, "HAVE_UPSTREAM", False)
    monkeypatch.setattr(conftest, "REQUIRE_UPSTREAM", require)
    with pytest.raises(outcome, match="set L40_RECIPES_UPSTREAM=DIR"):
        conftest.require_upstream()
