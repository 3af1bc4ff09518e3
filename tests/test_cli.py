"""The `l40-recipes` command line: upstream parity for `recipe`, and every subcommand, format and exit code."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import sysconfig
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml

from l40_recipes._cli import main

from .conftest import REPO, UPSTREAM, UPSTREAM_RECIPES, needs_shared, overlay, write_catalog


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _goldens() -> list[Any]:
    paths = sorted((UPSTREAM / "goldens").glob("leaf__*.json")) if UPSTREAM.is_dir() else []
    if not paths:
        return [pytest.param(None, marks=needs_shared)]
    return [pytest.param(path, id=path.stem.removeprefix("leaf__")) for path in paths]


@pytest.mark.parametrize("golden", _goldens())
def test_golden_argv(golden: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The golden's argv, with l40-recipes for aicr, prints an equal document and exits with the same code."""
    record = json.loads(golden.read_text())
    argv = [*record["argv"][1:], "--catalog", str(UPSTREAM_RECIPES), "--stamp-version", "dev"]
    code, out, err = _run(capsys, *argv)
    assert code == record["exit_code"]
    if code == 0:
        assert json.loads(out) == json.loads(record["stdout"])
    else:
        assert err.strip().splitlines()[0] in record["stderr_plain"]


class TestResolve:
    """`resolve` (alias `recipe`)."""

    def test_yaml_is_the_default_and_sorted(self, capsys: pytest.CaptureFixture[str]) -> None:
        """The default output is YAML with sorted keys, from the shipped catalog."""
        code, out, _ = _run(capsys, "resolve", "--service", "eks", "--gpu", "l40", "--intent", "inference")
        assert code == 0
        document = yaml.safe_load(out)
        assert document["criteria"]["accelerator"] == "l40"
        assert out.startswith("apiVersion:")

    @pytest.mark.parametrize(
        ("argv", "code", "message"),
        [
            (
                ["--service", "eks", "--service", "gke"],
                2,
                "[INVALID_REQUEST] flag --service can only be specified once",
            ),
            (["--service", "eks", "--format", "xml"], 2, '[INVALID_REQUEST] unknown output format: "xml"'),
            (["--accelerator", "Foo"], 2, "invalid accelerator type: Foo"),
            ([], 2, "[INVALID_REQUEST] no criteria provided"),
            (["--nodes", "-3"], 2, "no criteria provided"),
            (["--service", "gke", "--accelerator", "l40s"], 2, "no recipe provides service 'gke'"),
        ],
    )
    def test_errors_and_exit_codes(
        self, capsys: pytest.CaptureFixture[str], argv: list[str], code: int, message: str
    ) -> None:
        """Errors print upstream's [CODE] message on stderr and exit with upstream's code."""
        got, out, err = _run(capsys, "resolve", *argv)
        assert got == code
        assert out == ""
        assert message in err

    def test_not_found_and_internal_codes(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """A missing parent exits 3 (NOT_FOUND); an unreadable health check exits 8 (INTERNAL)."""
        root = write_catalog(tmp_path, {"leaf": overlay("leaf", base="ghost", criteria="service: eks")})
        assert _run(capsys, "resolve", "--service", "eks", "--catalog", str(root))[0] == 3
        write_catalog(tmp_path, {"leaf": overlay("leaf", criteria="service: eks")})
        (root / "checks" / "gpu-operator" / "health-check.yaml").unlink()
        code, _, err = _run(capsys, "resolve", "--service", "eks", "--catalog", str(root))
        assert code == 8
        assert "[INTERNAL] failed to read healthCheck.assertFile" in err

    def test_profile_flag(self, capsys: pytest.CaptureFixture[str]) -> None:
        """--profile on a composition without a declaration is an error."""
        code, _, err = _run(capsys, "resolve", "--service", "eks", "--profile", "gpuStack=x")
        assert code == 2
        assert "declares no profile" in err


class TestCheck:
    """`check` formats and exit codes."""

    @pytest.fixture(name="broken")
    def _broken(self, tmp_path: Path) -> Path:
        return write_catalog(
            tmp_path,
            {"gke": overlay("gke", criteria="service: GKE", body="validation:\n  conformance:\n    checks: [a]\n")},
        )

    def test_clean_catalog_exits_0(self, capsys: pytest.CaptureFixture[str]) -> None:
        """The shipped catalog is clean (strict via its pyproject.toml)."""
        code, out, _ = _run(capsys, "check", str(REPO))
        assert code == 0
        assert out.strip() == "0 error(s), 0 warning(s) [strict]"

    def test_findings_exit_1_with_text(
        self, broken: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Findings print path:line:col, severity, rule and message; exit 1; no colour unless forced."""
        monkeypatch.delenv("GITHUB_ACTIONS", raising=False)
        monkeypatch.setenv("NO_COLOR", "1")
        code, out, _ = _run(capsys, "check", str(broken / "overlays"))
        assert code == 1
        assert f"{broken}/overlays/gke.yaml:7:14: error criteria-case service 'GKE' never matches" in out
        assert "\033[" not in out
        monkeypatch.delenv("NO_COLOR")
        monkeypatch.setenv("FORCE_COLOR", "1")
        assert "\033[" in _run(capsys, "check", str(broken))[1]

    def test_missing_path_exits_2(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """An unreadable input is a usage error (exit 2), never a clean run."""
        code, _, err = _run(capsys, "check", str(tmp_path / "nope"))
        assert code == 2
        assert "not a catalog directory" in err

    def test_yaml_error_and_missing_registry_never_exit_0(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Broken YAML or no registry.yaml fails the check."""
        root = write_catalog(tmp_path, {"bad": "kind: RecipeMetadata\nspec: [\n"}, registry=None)
        assert _run(capsys, "check", str(root))[0] == 1

    def test_json(self, broken: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """JSON carries every finding and a summary."""
        _, out, _ = _run(capsys, "check", str(broken), "--format", "json")
        document = json.loads(out)
        assert document["summary"]["ok"] is False
        assert {"rule", "severity", "file", "line", "column", "message", "hint", "overlay"} <= set(
            document["findings"][0]
        )

    def test_github_is_automatic_in_actions(
        self, broken: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Inside GitHub Actions the default format is workflow annotations."""
        monkeypatch.setenv("GITHUB_ACTIONS", "true")
        # Declaring the release keeps the catalog-wide api-version warning out of the first line.
        _, out, _ = _run(capsys, "check", str(broken), "--aicr-version", "0.20")
        assert out.startswith(f"::error file={broken}/overlays/gke.yaml,line=7,col=14,title=criteria-case::")

    def test_junit_parses(self, broken: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """JUnit XML parses and counts the failures."""
        _, out, _ = _run(capsys, "check", str(broken), "--format", "junit")
        suite = ET.fromstring(out.split("?>", 1)[1]).find("testsuite")
        assert suite is not None
        assert int(suite.get("failures", "0")) >= 1
        clean = ET.fromstring(_run(capsys, "check", str(REPO), "--format", "junit")[1].split("?>", 1)[1])
        assert len(list(clean.iter("testcase"))) == 1

    def test_sarif_has_the_required_shape(self, broken: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """SARIF 2.1.0: version, runs[].tool.driver.name, results with ruleId, message.text and locations."""
        _, out, _ = _run(capsys, "check", str(broken), "--format", "sarif", "--select", "schema")
        document = json.loads(out)
        assert document["version"] == "2.1.0"
        assert document["$schema"].endswith("sarif-2.1.0.json")
        run = document["runs"][0]
        assert run["tool"]["driver"]["name"] == "l40-recipes"
        rule_ids = [rule["id"] for rule in run["tool"]["driver"]["rules"]]
        for result in run["results"]:
            assert result["ruleId"] in rule_ids
            assert rule_ids[result["ruleIndex"]] == result["ruleId"]
            assert result["level"] in {"error", "warning", "note", "none"}
            assert result["message"]["text"]
            region = result["locations"][0]["physicalLocation"]["region"]
            assert region["startLine"] >= 1

    def test_select_ignore_strict(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """--select/--ignore filter rules; --strict turns warnings into failures."""
        root = write_catalog(
            tmp_path,
            {
                "x": overlay(
                    "x", criteria="service: eks, nodes: 2", body="validation:\n  conformance:\n    checks: [a]\n"
                )
            },
        )
        assert _run(capsys, "check", str(root), "--select", "nodes-ignored")[0] == 0
        assert _run(capsys, "check", str(root), "--select", "nodes-ignored", "--strict")[0] == 1
        assert (
            "nodes-ignored" not in _run(capsys, "check", str(root), "--ignore", "nodes-ignored", "--format", "json")[1]
        )


def test_explain_shows_origins_and_overrides(capsys: pytest.CaptureFixture[str]) -> None:
    """explain names the overlay, file and line of each value and what it overrode."""
    code, out, _ = _run(
        capsys, "explain", "--service", "eks", "--accelerator", "l40s", "--intent", "inference", "--os", "ubuntu"
    )
    assert code == 0
    lines = out.splitlines()
    at = lines.index("constraints.K8s.server.version = '>= 1.32.4'")
    assert lines[at + 1].startswith("    set by l40s-eks-inference at overlays/l40s-eks-inference.yaml:")
    assert any(
        "overrides '>= 1.32' from eks-inference at overlays/eks-inference.yaml:" in line for line in lines[at : at + 5]
    )
    assert "componentRefs.gpu-operator.version = v26.7.0" in lines
    assert any(line.startswith("    set by registry at registry.yaml:") for line in lines)
    # Values are spelt as YAML, not as Python reprs.
    assert "componentRefs.nfd.overrides.topologyUpdater.enable = true" in lines
    assert not any(line.endswith((" = None", " = True", " = False")) for line in lines)


@needs_shared
def test_explain_json_and_profiles(capsys: pytest.CaptureFixture[str]) -> None:
    """JSON explain attributes profile-owned overrides to the profile that set them."""
    code, out, _ = _run(
        capsys,
        "explain",
        *("--service", "aks", "--accelerator", "h100", "--intent", "training"),
        "--catalog",
        str(UPSTREAM_RECIPES),
        "--format",
        "json",
    )
    assert code == 0
    fields = {field["path"]: field for field in json.loads(out)["fields"]}
    driver = fields["componentRefs.gpu-operator.overrides.driver.enabled"]
    assert driver["setBy"]["source"].startswith("profile gpuStack=azure-managed")


@pytest.mark.parametrize(
    ("argv", "usage", "message"),
    [
        (["--bogus"], "usage: l40-recipes [-h]", "l40-recipes: error: unrecognized arguments: --bogus"),
        (
            ["check", ".", "--bogus"],
            "usage: l40-recipes check [-h]",
            "l40-recipes check: error: unrecognized arguments: --bogus",
        ),
    ],
)
def test_usage_errors_name_the_argument_and_the_command(
    capsys: pytest.CaptureFixture[str], argv: list[str], usage: str, message: str
) -> None:
    """A stray argument to our own commands is named, under the usage of the command it was given to."""
    with pytest.raises(SystemExit) as caught:
        main(argv)
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith(usage)
    assert err.rstrip().endswith(message)


def test_recipe_help_names_recipe(capsys: pytest.CaptureFixture[str]) -> None:
    """`recipe --help` shows `recipe`'s own usage, not `resolve`'s."""
    with pytest.raises(SystemExit):
        main(["recipe", "--help"])
    assert capsys.readouterr().out.startswith("usage: l40-recipes recipe ")


def test_catalog_path_is_echoed_as_given(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """A missing --catalog is named exactly as typed."""
    missing = str(tmp_path / "nonexistent")
    code, _, err = _run(capsys, "resolve", "--service", "eks", "--catalog", missing)
    assert code == 3
    assert f"catalog path {missing!r} does not exist" in err


PROFILED = """\
profile:
  name: gpuStack
  default: managed
  values:
    managed:
      componentRefs:
        - name: gpu-operator
          overrides:
            driver:
              enabled: false
      constraints:
        - name: OS.release.ID
          value: ubuntu
"""


def test_explain_attributes_profile_values_to_the_profile(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """On a catalog of our own, explain credits profile-owned overrides and constraints to the profile, at their line."""
    root = write_catalog(
        tmp_path, {"one": overlay("one", criteria="service: eks", api_version="aicr.run/v1alpha3", body=PROFILED)}
    )
    code, out, _ = _run(capsys, "explain", "--service", "eks", "--catalog", str(root), "--format", "json")
    assert code == 0
    fields = {field["path"]: field for field in json.loads(out)["fields"]}
    driver = fields["componentRefs.gpu-operator.overrides.driver.enabled"]
    assert (driver["value"], driver["setBy"]["source"]) == (False, "profile gpuStack=managed (one)")
    assert driver["setBy"]["location"] == f"{root}/overlays/one.yaml:17:26"
    assert fields["constraints.OS.release.ID"]["setBy"]["location"] == f"{root}/overlays/one.yaml:20:20"
    code, out, _ = _run(capsys, "explain", "--service", "eks", "--catalog", str(root))
    assert "componentRefs.gpu-operator.overrides.driver.enabled = false" in out.splitlines()


def test_explain_errors(capsys: pytest.CaptureFixture[str]) -> None:
    """explain fails like resolve for bad or missing criteria."""
    assert _run(capsys, "explain")[0] == 2
    assert _run(capsys, "explain", "--service", "gke", "--accelerator", "l40s")[0] == 2


def test_list(capsys: pytest.CaptureFixture[str]) -> None:
    """list prints every supported query with its applied overlays, as text or JSON."""
    code, out, _ = _run(capsys, "list", "--format", "json")
    assert code == 0
    rows = {row["overlay"]: row for row in json.loads(out)}
    assert rows["l40-eks-ubuntu-inference-nim"]["query"] == {
        "service": "eks",
        "accelerator": "l40",
        "intent": "inference",
        "os": "ubuntu",
        "platform": "nim",
    }
    assert "l40s-any" not in rows
    text = _run(capsys, "list")[1]
    assert (
        "--service oke --accelerator l40s --intent inference --os ol\n    base, monitoring-hpa, l40s-any, oke-ol"
        in text
    )


@pytest.mark.parametrize(
    ("kind", "title"), [("recipe", "RecipeMetadata"), ("mixin", "RecipeMixin"), ("registry", "ComponentRegistry")]
)
def test_schema(kind: str, title: str, capsys: pytest.CaptureFixture[str]) -> None:
    """schema prints a closed JSON Schema per kind, with free-form overrides left open."""
    code, out, _ = _run(capsys, "schema", kind)
    document = json.loads(out)
    assert code == 0
    assert document["title"] == title
    assert document["additionalProperties"] is False
    if kind == "recipe":
        overrides = document["$defs"]["ComponentRef"]["properties"]["overrides"]
        assert "additionalProperties" not in json.dumps(overrides) or '"additionalProperties": true' in json.dumps(
            overrides
        )


#: The console script of the environment running the tests, found where pip installed it, not on PATH.
CONSOLE_SCRIPT = str(Path(sysconfig.get_path("scripts")) / ("l40-recipes.exe" if os.name == "nt" else "l40-recipes"))


@pytest.mark.parametrize("command", [[sys.executable, "-m", "l40_recipes"], [CONSOLE_SCRIPT]])
def test_entry_points(command: list[str]) -> None:
    """`python -m l40_recipes` and the console script run the same program."""
    completed = subprocess.run([*command, "--version"], capture_output=True, text=True, check=False, cwd=REPO)
    assert completed.returncode == 0
    assert completed.stdout.startswith("l40-recipes ")


_CONSOLE = "import sys\nfrom l40_recipes._cli import run\nsys.argv = ['l40-recipes', *sys.argv[1:]]\nrun()\n"


def test_console_script_flushes_its_output_and_keeps_the_exit_code(tmp_path: Path) -> None:
    """The console script prints everything and exits with main's status."""
    root = write_catalog(tmp_path / "catalog", {"leaf": overlay("leaf", criteria="service: eks")})
    ok = subprocess.run(
        [sys.executable, "-c", _CONSOLE, "resolve", "--service", "eks", "--catalog", str(root), "--format", "json"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    assert json.loads(ok.stdout)["metadata"]["appliedOverlays"] == ["base", "leaf"]
    bad = subprocess.run(
        [sys.executable, "-c", _CONSOLE, "resolve", "--service", "nope", "--catalog", str(root)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (bad.returncode, bad.stdout) == (2, "")
    assert bad.stderr.startswith("[INVALID_REQUEST] error parsing criteria")


class TestExplainServing:
    L40S_DYNAMO = ("--service", "eks", "--accelerator", "l40s", "--os", "ubuntu", "--intent", "inference")

    def test_text_shows_the_memory_arithmetic(self, capsys: pytest.CaptureFixture[str]) -> None:
        code, out, _ = _run(capsys, "explain", *self.L40S_DYNAMO, "--platform", "dynamo", "--serving")
        assert code == 0
        assert "  KV per token: 2 x 36 layers x 8 KV heads x 128 dims x 2 bytes = 144 KiB" in out.splitlines()
        assert out.rstrip().endswith("throughput: no inference-throughput floor to judge")

    def test_json_carries_the_same_lines(self, capsys: pytest.CaptureFixture[str]) -> None:
        code, out, _ = _run(
            capsys, "explain", *self.L40S_DYNAMO, "--platform", "dynamo", "--serving", "--format", "json"
        )
        assert code == 0
        document = json.loads(out)
        assert document["appliedOverlays"][-1] == "l40s-eks-ubuntu-inference-dynamo"
        assert document["serving"][0].startswith("inference-perf on l40s: Qwen/Qwen3-8B, 128 concurrent requests")

    def test_a_recipe_without_the_gate_says_so(self, capsys: pytest.CaptureFixture[str]) -> None:
        code, out, _ = _run(capsys, "explain", *self.L40S_DYNAMO, "--serving")
        assert code == 0
        assert out.rstrip().endswith("does not run inference-perf: no serving gate to judge")

    @needs_shared
    def test_upstream_h100_gate_shows_each_node_shape(self, capsys: pytest.CaptureFixture[str]) -> None:
        argv = ("--service", "eks", "--accelerator", "h100", "--os", "ubuntu", "--intent", "inference")
        code, out, _ = _run(
            capsys, "explain", "--catalog", str(UPSTREAM_RECIPES), *argv, "--platform", "dynamo", "--serving"
        )
        assert code == 0
        assert "  8 GPU node: roofline 290,352 tok/s, likely at most 148,004 tok/s -> passable" in out.splitlines()


def test_explain_serving_needs_an_accelerator_and_reports_bad_rows() -> None:
    from l40_recipes import load_catalog  # noqa: PLC0415
    from l40_recipes._criteria import build_query  # noqa: PLC0415
    from l40_recipes._explain import explain_serving  # noqa: PLC0415
    from l40_recipes._resolution import build_recipe  # noqa: PLC0415

    query = {"service": "eks", "accelerator": "l40s", "os": "ubuntu", "intent": "inference", "platform": "dynamo"}
    result = build_recipe(load_catalog(REPO), build_query(query))
    assert explain_serving(result, "any") == [
        "the query names no accelerator: add --accelerator to judge the serving gate"
    ]
    lines = explain_serving(result, "l40s", models={"acme/x": {"layers": 1}})
    assert lines[0].startswith('table row skipped: models."acme/x": missing parameters')


def test_json_of_an_infinite_number_fails_as_upstream(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Go's encoding/json refuses +Inf; upstream wraps that as INTERNAL (exit 8); YAML output keeps `.inf`."""
    body = "componentRefs:\n  - name: gpu-operator\n    overrides: {a: .inf, b: -.inf}\n"
    root = write_catalog(tmp_path, {"leaf": overlay("leaf", criteria="service: eks", body=body)})
    code, out, err = _run(capsys, "resolve", "--service", "eks", "--catalog", str(root), "--format", "json")
    assert (code, out) == (8, "")
    assert err == (
        "[INTERNAL] failed to serialize recipe: [INTERNAL] failed to serialize to JSON: json: unsupported value: +Inf\n"
    )
    code, out, _ = _run(capsys, "resolve", "--service", "eks", "--catalog", str(root))
    assert code == 0
    assert "a: .inf" in out


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full")  # noqa: PTH110
@pytest.mark.parametrize("command", ["resolve", "check"])
def test_a_short_write_fails_with_exit_8(tmp_path: Path, command: str) -> None:
    """A full disk (`/dev/full`) fails the command instead of leaving a truncated file behind with exit 0."""
    root = write_catalog(tmp_path / "catalog", {"leaf": overlay("leaf", criteria="service: eks")})
    argv = ["resolve", "--service", "eks", "--catalog", str(root)] if command == "resolve" else ["check", str(root)]
    with open("/dev/full", "w") as full:  # noqa: PTH123
        done = subprocess.run(
            [sys.executable, "-c", _CONSOLE, *argv], stdout=full, stderr=subprocess.PIPE, text=True, check=False
        )
    assert done.returncode == 8
    assert done.stderr == "[INTERNAL] failed to write output: No space left on device\n"


def test_an_unreadable_directory_exits_2_with_a_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """`chmod 000 DIR` (simulated: the suite may run as root) ends in a message and exit 2, not a traceback.

    Both ways it shows: the directory cannot be listed, and nothing inside it can be examined.
    """
    root = write_catalog(tmp_path / "catalog", {"leaf": overlay("leaf", criteria="service: eks")})
    scandir, stat = os.scandir, os.stat

    def refuse(path: Any = ".") -> Any:
        if os.path.abspath(path) == str(root):  # noqa: PTH100
            raise PermissionError(13, "Permission denied", str(path))
        return scandir(path)

    def refuse_inside(path: Any, *args: Any, **kwargs: Any) -> Any:
        if os.path.abspath(path).startswith(f"{root}{os.sep}"):  # noqa: PTH100
            raise PermissionError(13, "Permission denied", str(path))
        return stat(path, *args, **kwargs)

    monkeypatch.setattr(os, "scandir", refuse)
    monkeypatch.setattr(os, "stat", refuse_inside)
    code, out, err = _run(capsys, "check", str(root))
    assert (code, out) == (2, "")
    assert err.startswith(
        f"l40-recipes: error: [INVALID_REQUEST] catalog path '{root}' cannot be read: Permission denied"
    )
    code, out, err = _run(capsys, "resolve", "--service", "eks", "--catalog", str(root))
    assert (code, out) == (2, "")
    assert "cannot be read: Permission denied" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("fmt", ["text", "json", "github", "junit", "sarif"])
def test_control_characters_are_escaped_in_every_format(
    tmp_path: Path, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """YAML escapes (vertical tab, ESC) reach no output raw; JUnit stays well-formed XML."""
    from .hostile import control_characters  # noqa: PLC0415

    root = tmp_path / "catalog"
    control_characters(root)
    code, out, _ = _run(capsys, "check", str(root), "--format", fmt)
    assert code == 1
    assert "\x1b" not in out
    assert "\x0b" not in out
    if fmt == "junit":
        assert ET.fromstring(out.split("\n", 1)[1]).tag == "testsuites"
    if fmt == "text":
        assert "spec.base 'x\\x0b\\x1b[31m' names no overlay" in out
    code, _, err = _run(capsys, "resolve", "--service", "eks", "--catalog", str(root))
    assert code == 3
    assert "\x1b" not in err


def _beta_catalog(tmp_path: Path) -> Path:
    from .conftest import MINIMAL_BASE, MINIMAL_REGISTRY  # noqa: PLC0415

    beta = "aicr.run/v1beta1"
    return write_catalog(
        tmp_path,
        {"eks": overlay("eks", criteria="service: eks", api_version=beta)},
        base=MINIMAL_BASE.replace("aicr.run/v1alpha2", beta),
        registry=MINIMAL_REGISTRY.replace("aicr.run/v1alpha2", beta),
    )


def test_aicr_version_flag_on_every_catalog_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """--aicr-version reads the catalog as that release; a 1.0 catalog forced to 1.0 works, to 0.20 prints 0.20's."""
    root = str(_beta_catalog(tmp_path))
    assert main(["resolve", "--catalog", root, "--service", "eks", "--aicr-version", "1.0"]) == 0
    assert "apiVersion: aicr.run/v1\n" in capsys.readouterr().out
    assert main(["resolve", "--catalog", root, "--service", "self-managed", "--aicr-version", "1.0"]) == 2
    assert "no recipe provides service 'generic'" in capsys.readouterr().err
    assert main(["explain", "--catalog", root, "--service", "eks", "--aicr-version", "1.0"]) == 0
    assert main(["list", "--catalog", root, "--aicr-version", "1.0", "--format", "json"]) == 0
    capsys.readouterr()
    assert main(["check", root, "--aicr-version", "1.0", "--select", "api-version"]) == 0
    assert main(["check", root, "--aicr-version", "0.20", "--select", "api-version"]) == 0
    capsys.readouterr()


def test_pyproject_aicr_version_chooses_the_release_of_every_catalog_command(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`aicr-version` in the catalog's [tool.l40-recipes] applies as it does for check; the flag overrides it."""
    root = write_catalog(tmp_path, {"eks": overlay("eks", criteria="service: eks")})  # 0.20 headers
    (tmp_path / "pyproject.toml").write_text('[tool.l40-recipes]\naicr-version = "1.0"\n')
    retired = "(aicr.run/v1alpha2 was retired in v1.0.0)"
    for command in (["resolve", "--service", "eks"], ["explain", "--service", "eks"], ["list"], ["graph"]):
        assert main([*command, "--catalog", str(root)]) == 2, command
        assert retired in capsys.readouterr().err
    assert main(["resolve", "--catalog", str(root), "--service", "eks", "--aicr-version", "0.20"]) == 0
    assert "apiVersion: aicr.run/v1alpha2\n" in capsys.readouterr().out
    (tmp_path / "pyproject.toml").write_text('[tool.l40-recipes]\naicr-version = "0.9"\n')
    assert main(["resolve", "--catalog", str(root), "--service", "eks"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("[INVALID_REQUEST] [tool.l40-recipes] aicr-version must be one of 0.20, 1.0, got '0.9'\n")
    assert f"  at {tmp_path / 'pyproject.toml'}:2:1\n" in err


def test_aicr_version_flag_refuses_unknown_releases(capsys: pytest.CaptureFixture[str]) -> None:
    """On `resolve` (read as upstream reads flags) a bad value is a flag error, exit 1; elsewhere argparse's."""
    assert _run(capsys, "resolve", "--service", "eks", "--aicr-version", "2.0") == (
        1,
        "",
        'Incorrect Usage: invalid value "2.0" for flag -aicr-version: must be one of 0.20, 1.0\n',
    )
    with pytest.raises(SystemExit) as caught:
        main(["list", "--aicr-version", "2.0"])
    assert caught.value.code == 2
    assert "invalid choice: '2.0'" in capsys.readouterr().err


def test_shipped_catalog_is_read_as_1_0(capsys: pytest.CaptureFixture[str]) -> None:
    """The shipped catalog is written for aicr 1.0: by default and when forced, results say aicr.run/v1."""
    for forced in ([], ["--aicr-version", "1.0"]):
        assert main(["resolve", "--service", "eks", "--accelerator", "l40s", "--intent", "inference", *forced]) == 0
        assert "apiVersion: aicr.run/v1\n" in capsys.readouterr().out


def test_alpha_catalog_forced_to_1_0_names_the_retired_header(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_catalog(tmp_path, {"eks": overlay("eks", criteria="service: eks")})
    assert main(["resolve", "--catalog", str(root), "--service", "eks", "--aicr-version", "1.0"]) == 2
    assert "(aicr.run/v1alpha2 was retired in v1.0.0)" in capsys.readouterr().err


class TestRecipeFlags:
    """`--format`, `-t`, `-o/--output` and `--nodes` as `aicr recipe` reads them.

    Every expected message and exit code below was observed from upstream's binary built at 9793720d.
    """

    @pytest.mark.parametrize(
        ("value", "shown"),
        [
            ("JSON", '"JSON"'),
            ("Yaml", '"Yaml"'),
            ("xml", '"xml"'),
            ("", '""'),
            ('a"b\t', '"a\\"b\\t"'),
            ("\x01\x7f", '"\\x01\\x7f"'),
            ("\u200b\U000e0001", '"\\u200b\\U000e0001"'),
            ("\udcff", '"\\xff"'),  # the byte 0xff, as Python hands an undecodable argument over
            ("é😀", '"é😀"'),
        ],
    )
    def test_format_is_exact_case(self, capsys: pytest.CaptureFixture[str], value: str, shown: str) -> None:
        """Only `yaml`, `json` and `table`, spelled so; the message quotes the value as Go's %q does."""
        code, out, err = _run(capsys, "recipe", "--service", "eks", "--format", value)
        assert (code, out) == (2, "")
        assert err == f"[INVALID_REQUEST] unknown output format: {shown}, valid formats are: yaml, json, table\n"

    def test_format_is_checked_after_the_catalog_and_before_the_criteria(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """A broken catalog wins over a bad format; a bad format wins over bad or missing criteria."""
        root = write_catalog(tmp_path, {"leaf": overlay("leaf", criteria="service: eks") + "kind: [\n"})
        code, out, err = _run(capsys, "recipe", "--service", "eks", "--format", "xml", "--catalog", str(root))
        assert (code, out) == (2, "")
        assert "leaf.yaml" in err
        assert "unknown output format" not in err
        for criteria in (["--accelerator", "Foo"], []):
            code, _, err = _run(capsys, "recipe", *criteria, "--format", "xml")
            assert code == 2
            assert err.startswith('[INVALID_REQUEST] unknown output format: "xml"')

    def test_t_is_short_for_format(self, capsys: pytest.CaptureFixture[str]) -> None:
        """`-t json` prints what `--format json` prints; giving both is a duplicate."""
        argv = ["recipe", "--service", "eks", "--gpu", "l40", "--intent", "inference"]
        assert _run(capsys, *argv, "-t", "json") == _run(capsys, *argv, "--format", "json")
        assert json.loads(_run(capsys, *argv, "-t", "json")[1])["criteria"]["accelerator"] == "l40"
        code, _, err = _run(capsys, *argv, "-t", "json", "--format", "yaml")
        assert (code, err) == (2, "[INVALID_REQUEST] flag --format can only be specified once\n")

    def test_table_format(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """`-t table` prints upstream's FIELD/VALUE rows (byte-for-byte checks: tests/test_table.py)."""
        root = str(write_catalog(tmp_path, {"leaf": overlay("leaf", criteria="service: eks")}))
        code, out, err = _run(capsys, "recipe", "--service", "eks", "--catalog", root, "-t", "table")
        assert (code, err) == (0, "")
        rows = [line.split() for line in out.splitlines()]
        assert rows[:3] == [["FIELD", "VALUE"], ["-----", "-----"], ["APIVersion", "aicr.run/v1alpha2"]]
        assert ["Criteria.Service", "eks"] in rows

    def test_output_writes_the_recipe_to_a_file(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """`-o FILE` writes what stdout would show (name trimmed); `-o -` is stdout."""
        root = str(write_catalog(tmp_path / "catalog", {"leaf": overlay("leaf", criteria="service: eks")}))
        argv = ["recipe", "--service", "eks", "--catalog", root, "-t", "json"]
        _, expected, _ = _run(capsys, *argv)
        target = tmp_path / "recipe.json"
        target.write_text("old content that is longer than nothing" * 100)
        assert _run(capsys, *argv, "-o", f" {target} ") == (0, "", "")
        assert target.read_text() == expected
        assert _run(capsys, *argv, "--output", " - ") == (0, expected, "")
        monkeypatch.chdir(tmp_path)
        assert _run(capsys, *argv, "-o", "relative.json")[0] == 0
        assert (tmp_path / "relative.json").read_text() == expected
        code, _, err = _run(capsys, *argv, "-o", "a", "-o", "b")
        assert (code, err) == (2, "[INVALID_REQUEST] flag --output can only be specified once\n")

    def test_output_errors(self, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
        """An uncreatable file exits 8 with upstream's text; a failed resolution creates no file."""
        root = str(write_catalog(tmp_path / "catalog", {"leaf": overlay("leaf", criteria="service: eks")}))
        code, out, err = _run(capsys, "recipe", "--service", "eks", "--catalog", root, "-o", str(tmp_path))
        assert (code, out) == (8, "")
        assert err == (
            f'[INTERNAL] failed to create output writer: [INTERNAL] failed to create output file "{tmp_path}": '
            f"open {tmp_path}: is a directory\n"
        )
        missing = tmp_path / "no" / "such.yaml"
        code, _, err = _run(capsys, "recipe", "--service", "eks", "--catalog", root, "-o", str(missing))
        assert code == 8
        assert err.endswith(f"open {missing}: no such file or directory\n")
        never = tmp_path / "never.yaml"
        assert _run(capsys, "recipe", "--service", "gke", "--catalog", root, "-o", str(never))[0] == 2
        assert not never.exists()

    def test_output_file_is_created_before_serializing(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """As upstream: a recipe JSON cannot encode leaves an empty file behind, and exits 8."""
        body = "componentRefs:\n  - name: gpu-operator\n    overrides: {a: .inf}\n"
        root = write_catalog(tmp_path / "catalog", {"leaf": overlay("leaf", criteria="service: eks", body=body)})
        target = tmp_path / "recipe.json"
        argv = ["recipe", "--service", "eks", "--catalog", str(root), "-t", "json", "-o", str(target)]
        code, out, err = _run(capsys, *argv)
        assert (code, out, target.read_text()) == (8, "", "")
        assert "json: unsupported value: +Inf" in err

    @pytest.mark.parametrize(
        ("value", "nodes"),
        [
            ("010", 8),
            ("0x10", 16),
            ("0X1f", 31),
            ("0b11", 3),
            ("0B11", 3),
            ("0o7", 7),
            ("+0x10", 16),
            ("1_000", 1000),
            ("0_7", 7),
            ("0x_1", 1),
            ("9223372036854775807", 9223372036854775807),
            ("00", None),
            ("-9223372036854775808", None),
        ],
    )
    def test_nodes_is_read_as_go_parses_an_integer(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], value: str, nodes: int | None
    ) -> None:
        """`strconv.ParseInt(s, 0, 64)`: base prefixes, a leading 0 for octal, `_` between digits."""
        root = write_catalog(tmp_path, {"leaf": overlay("leaf", criteria="service: eks")})
        code, out, _ = _run(
            capsys, "recipe", "--service", "eks", "--catalog", str(root), "-t", "json", f"--nodes={value}"
        )
        assert code == 0
        assert json.loads(out)["criteria"].get("nodes") == nodes

    @pytest.mark.parametrize(
        ("value", "shown", "reason"),
        [
            (" 4", '" 4"', "invalid syntax"),
            ("4 ", '"4 "', "invalid syntax"),
            ("\t1", '"\\t1"', "invalid syntax"),
            ("", '""', "invalid syntax"),
            ("+", '"+"', "invalid syntax"),
            ("abc", '"abc"', "invalid syntax"),
            ("0x", '"0x"', "invalid syntax"),
            ("0o", '"0o"', "invalid syntax"),
            ("08", '"08"', "invalid syntax"),
            ("1__0", '"1__0"', "invalid syntax"),
            ("_1", '"_1"', "invalid syntax"),
            ("1_", '"1_"', "invalid syntax"),
            ("0x1_", '"0x1_"', "invalid syntax"),
            ("é", '"é"', "invalid syntax"),
            ("9223372036854775808", '"9223372036854775808"', "value out of range"),
            ("-9223372036854775809", '"-9223372036854775809"', "value out of range"),
            ("99999999999999999999x", '"99999999999999999999x"', "value out of range"),
        ],
    )
    def test_bad_nodes_exit_1_with_upstreams_text(
        self, capsys: pytest.CaptureFixture[str], value: str, shown: str, reason: str
    ) -> None:
        """The CLI library's own refusal: `Incorrect Usage: ...`, exit 1, nothing on stdout."""
        code, out, err = _run(capsys, "recipe", "--service", "eks", "--nodes", value)
        assert (code, out) == (1, "")
        assert err == (
            f"Incorrect Usage: invalid value {shown} for flag -nodes: strconv.ParseInt: parsing {shown}: {reason}\n"
        )


class TestRecipeArgumentParsing:
    """`recipe`/`resolve` read their arguments by upstream's CLI library's rules (urfave/cli v3), not argparse's.

    Every expected message and exit code below was observed from upstream's binary built at 9793720d
    (`aicr recipe ...`).
    """

    @pytest.fixture
    def catalog(self, tmp_path: Path) -> str:
        overlays = {
            "eks": overlay("eks", criteria="service: eks"),
            "eks-l40": overlay("eks-l40", base="eks", criteria="service: eks\n    accelerator: l40"),
        }
        return str(write_catalog(tmp_path, overlays))

    def _json(self, capsys: pytest.CaptureFixture[str], catalog: str, *argv: str) -> tuple[int, Any, str]:
        code, out, err = _run(capsys, "recipe", "--catalog", catalog, *argv)
        return code, (json.loads(out) if code == 0 else out), err

    @pytest.mark.parametrize(
        ("argv", "message"),
        [
            (["--serv", "eks"], "flag provided but not defined: -serv"),
            (["--bogus"], "flag provided but not defined: -bogus"),
            (["-bogus"], "flag provided but not defined: -bogus"),
            (["---x"], "flag provided but not defined: --x"),
            (["-st", "x"], "flag provided but not defined: -st"),
            (["-é"], "flag provided but not defined: -é"),
            (["--service", "a", "--service", "b", "--bogus"], "flag provided but not defined: -bogus"),
            (["--bogus", "--help"], "flag provided but not defined: -bogus"),
            (["--service"], "flag needs an argument: --service"),
            (["--service", "eks", "-s"], "flag needs an argument: -s"),
            (["--service", "eks", "-k"], "flag needs an argument: -k"),
            (["--criteria-strict=maybe"], 'invalid value "maybe" for flag -criteria-strict: parse error'),
            (["--service", "eks", "--log-json=maybe"], 'invalid value "maybe" for flag -log-json: parse error'),
            (["--help=maybe"], 'invalid value "maybe" for flag -help: parse error'),
        ],
    )
    def test_flag_errors_exit_1_with_upstreams_text(
        self, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
    ) -> None:
        """Unknown flags (no abbreviations), missing values and bad booleans: `Incorrect Usage: ...`, exit 1."""
        assert _run(capsys, "recipe", *argv) == (1, "", f"Incorrect Usage: {message}\n")

    @pytest.mark.parametrize(
        ("argv", "message"),
        [
            (["--gpu", "h100", "--gpu", "h100", "--service", "eks"], "flag --accelerator can only be specified once"),
            (["--accelerator", "h100", "--gpu", "h100"], "flag --accelerator can only be specified once"),
            (["-service", "eks", "--service=eks"], "flag --service can only be specified once"),
            (["-s", "a", "--snapshot", "b"], "flag --snapshot can only be specified once"),
            (
                ["--runtime-inventory", "a", "--runtime-inventory", "a"],
                "flag --runtime-inventory can only be specified once",
            ),
            (
                ["--slurm-accounting-mode", "a", "--slurm-accounting-mode", "a", "--config", "x", "--config", "y"],
                "flag --slurm-accounting-mode can only be specified once",
            ),
            (["--format", "json", "--os", "a", "--os", "b", "-t", "x"], "flag --os can only be specified once"),
            (
                ["--service", "--format", "json"],
                "error parsing criteria: [INVALID_REQUEST] invalid service type: --format",
            ),
        ],
    )
    def test_duplicates_and_values_that_look_like_flags(
        self, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
    ) -> None:
        """A single-value flag twice is upstream's INVALID_REQUEST (in its check order); a value is the next word."""
        assert _run(capsys, "recipe", *argv) == (2, "", f"[INVALID_REQUEST] {message}\n")

    def test_spellings_upstream_accepts(self, capsys: pytest.CaptureFixture[str], catalog: str) -> None:
        """One or two dashes, `=` or the next word, stray words, `--` and padded flag names all read alike."""
        expected = self._json(capsys, catalog, "--service", "eks", "--accelerator", "l40", "--format", "json")
        assert expected[0] == 0
        assert expected[1]["metadata"]["appliedOverlays"] == ["base", "eks", "eks-l40"]
        for argv in (
            ["-service", "eks", "-gpu", "l40", "-t", "json"],
            ["--service=eks", "--gpu=l40", "-t=json"],
            ["--t", "json", "-accelerator=l40", "--service", "eks"],
            ["stray", "--service", "eks", "", "words", "--gpu", "l40", "-t", "json", "--", "--gpu", "h100"],
            [" --service\t", "eks", "--gpu", "l40", " -t ", "json"],
            ["--service", "eks", "--gpu", "l40", "-t", "json", "--debug", "--log-json", "--criteria-strict"],
            [
                "--service",
                "eks",
                "--gpu",
                "l40",
                "-t",
                "json",
                "--criteria-strict=1",
                "--debug=false",
                "--kubeconfig",
                "x",
            ],
            ["--service", "eks", "--gpu", "l40", "-t", "json", "-k", "/nonexistent", "--criteria-strict="],
            ["--service", "eks", "--gpu", "l40", "-t", "json", "--help=false", "-h=0"],
            ["--service", "eks", "--gpu", "l40", "-t", "json", "--nodes", "5", "--nodes", "-0b1"],
        ):
            assert self._json(capsys, catalog, *argv) == expected, argv

    @pytest.mark.parametrize("stop", ["-", "-1", "--", "-0b1"])
    def test_flags_end_at_a_lone_dash_a_number_or_double_dash(
        self, capsys: pytest.CaptureFixture[str], catalog: str, stop: str
    ) -> None:
        """Upstream stops reading flags there: what follows is ignored, so no criteria were given."""
        code, out, err = _run(capsys, "recipe", "--catalog", catalog, stop, "--service", "eks", "--bogus")
        assert (code, out) == (2, "")
        assert err.startswith("[INVALID_REQUEST] no criteria provided: specify at least one of --service,")

    def test_an_empty_format_and_the_last_nodes(self, capsys: pytest.CaptureFixture[str], catalog: str) -> None:
        """`--format=` is an empty format, not the default; `--nodes` twice keeps the last (upstream checks no count)."""
        code, _, err = _run(capsys, "recipe", "--catalog", catalog, "--service", "eks", "--format=")
        assert (code, err) == (2, '[INVALID_REQUEST] unknown output format: "", valid formats are: yaml, json, table\n')
        code, document, _ = self._json(capsys, catalog, "--service", "eks", "-t", "json", "--nodes", "2", "--nodes=0x3")
        assert (code, document["criteria"]["nodes"]) == (0, 3)
        # Upstream trims the whole `--flag=value` word, so a trailing space there is not the value's.
        code, document, _ = self._json(capsys, catalog, "--service", "eks", "-t", "json", "--nodes=4 ")
        assert (code, document["criteria"]["nodes"]) == (0, 4)

    @pytest.mark.parametrize(
        "argv",
        [
            ["--help"],
            ["-h"],
            ["--service", "eks", "-h"],
            ["--help", "--bogus"],
            ["-service", "a", "--service", "b", "--help"],
        ],
    )
    def test_help_wins_over_later_mistakes(self, capsys: pytest.CaptureFixture[str], argv: list[str]) -> None:
        """Help is shown (exit 0) once asked for, even when a later flag is bad or a flag repeats."""
        with pytest.raises(SystemExit) as caught:
            main(["recipe", *argv])
        assert caught.value.code == 0
        assert capsys.readouterr().out.startswith("usage: l40-recipes recipe ")

    @pytest.mark.parametrize("word", ["list", "sign-catalog", "verify-catalog"])
    def test_upstreams_subcommands_are_refused(self, capsys: pytest.CaptureFixture[str], word: str) -> None:
        """`aicr recipe list` etc. are other commands upstream; here they fail instead of being ignored."""
        code, out, err = _run(capsys, "resolve", "--service", "eks", word)
        assert (code, out) == (2, "")
        assert err == f"[INVALID_REQUEST] `aicr recipe {word}` has no counterpart in l40-recipes\n"


class TestMoreRecipeFlags:
    """`--slurm-accounting-mode`, `--runtime-inventory`, `--config`, `--snapshot`, `--kubeconfig`, `-o cm://`.

    Expected messages, codes and recipe facts were observed from upstream's binary built at 9793720d; where
    upstream needs a cluster, a URL or a part not built here, the command fails closed with our own text.
    """

    SLURM = ("--service", "eks", "--accelerator", "h100", "--intent", "training", "--platform", "slurm")
    GKE = ("--service", "gke", "--accelerator", "h100", "--os", "cos", "--intent", "inference")

    @pytest.mark.parametrize(
        ("argv", "message"),
        [
            (
                ["--service", "eks", "--slurm-accounting-mode", "bogus"],
                'invalid Slurm accounting mode "bogus": must be one of disabled, customer-managed, aicr-provided',
            ),
            (
                ["--service", "eks", "--runtime-inventory", "Enabled"],
                'invalid runtime inventory mode "Enabled": must be one of enabled, disabled',
            ),
            (
                ["--service", "eks", "--slurm-accounting-mode", "bogus", "--runtime-inventory", "x", "-t", "xml"],
                'unknown output format: "xml", valid formats are: yaml, json, table',
            ),
            (
                ["--service", "eks", "--slurm-accounting-mode", "bogus", "--runtime-inventory", "x"],
                'invalid Slurm accounting mode "bogus": must be one of disabled, customer-managed, aicr-provided',
            ),
            (
                ["--service", "eks", "--runtime-inventory", "x", "--accelerator", "foo"],
                'invalid runtime inventory mode "x": must be one of enabled, disabled',
            ),
            (
                ["--service", "eks", "--slurm-accounting-mode", "disabled"],
                "Slurm accounting mode can only be set when recipe platform is slurm",
            ),
            (
                ["--service", "eks", "--runtime-inventory", "disabled"],
                'runtime inventory mode "disabled" requires the recipe to declare component "k8s-aibom"; '
                "this recipe does not resolve it",
            ),
        ],
    )
    def test_selection_errors(self, capsys: pytest.CaptureFixture[str], argv: list[str], message: str) -> None:
        """The values and their checks, in upstream's order: format, accounting, inventory, criteria."""
        assert _run(capsys, "recipe", *argv) == (2, "", f"[INVALID_REQUEST] {message}\n")

    def test_accounting_mode_after_missing_criteria(self, capsys: pytest.CaptureFixture[str]) -> None:
        """No criteria is reported before the accounting mode's platform, and a bad value before the mode."""
        code, _, err = _run(capsys, "recipe", "--slurm-accounting-mode", "disabled")
        assert (code, err.startswith("[INVALID_REQUEST] no criteria provided:")) == (2, True)
        code, _, err = _run(capsys, "recipe", "--service", "nope", "--slurm-accounting-mode", "disabled")
        assert (code, err) == (
            2,
            "[INVALID_REQUEST] error parsing criteria: [INVALID_REQUEST] invalid service type: nope\n",
        )

    @needs_shared
    def test_accounting_disabled_is_the_default_and_other_modes_are_built(
        self, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """` DISABLED` (trimmed, any case) prints what no flag prints; the other modes are built too."""
        argv = ["recipe", *self.SLURM, "--os", "ubuntu", "--catalog", str(UPSTREAM_RECIPES), "-t", "json"]
        default = _run(capsys, *argv)
        assert default[0] == 0
        assert _run(capsys, *argv, "--slurm-accounting-mode", " DISABLED") == default
        code, out, err = _run(capsys, *argv, "--slurm-accounting-mode", "aicr-provided")
        assert (code, err) == (0, "")
        assert json.loads(out)["configuration"] == {"slurm": {"accounting": {"mode": "aicr-provided"}}}
        # Resolution errors still come first, as upstream's do.
        no_os = [
            "recipe",
            *self.SLURM,
            "--catalog",
            str(UPSTREAM_RECIPES),
            "--slurm-accounting-mode",
            "customer-managed",
        ]
        code, _, err = _run(capsys, *no_os)
        assert code == 2
        assert err.startswith("[INVALID_REQUEST] platform 'slurm' for criteria(")

    @needs_shared
    @pytest.mark.parametrize("platform", [[], ["--platform", "dynamo"]])
    def test_runtime_inventory(self, capsys: pytest.CaptureFixture[str], platform: list[str]) -> None:
        """`disabled` turns k8s-aibom off and records the mode; `enabled` cannot undo the recipe's own decline."""
        argv = ["recipe", *self.GKE, *platform, "--catalog", str(UPSTREAM_RECIPES), "-t", "json"]
        code, out, _ = _run(capsys, *argv)
        plain = json.loads(out)
        assert plain.get("configuration") is None
        code, out, _ = _run(capsys, *argv, "--runtime-inventory", "disabled")
        document = json.loads(out)
        assert (code, document["apiVersion"]) == (0, "aicr.run/v1alpha3")
        assert document["configuration"] == {"runtimeInventory": {"mode": "disabled"}}
        (aibom,) = [ref for ref in document["componentRefs"] if ref["name"] == "k8s-aibom"]
        assert aibom["overrides"]["install"] is False
        assert "k8s-aibom" not in document["deploymentOrder"]
        code, out, err = _run(capsys, *argv, "--runtime-inventory", "enabled")
        if platform:  # h100-gke-cos-inference-dynamo declines k8s-aibom
            assert (code, out) == (2, "")
            assert err == (
                '[INVALID_REQUEST] component "k8s-aibom" is disabled by the recipe and cannot be re-enabled with '
                "--runtime-inventory enabled; remove the override in the recipe or select a recipe that enables it\n"
            )
        else:
            document = json.loads(out)
            assert document["configuration"] == {"runtimeInventory": {"mode": "enabled"}}
            assert document["deploymentOrder"] == plain["deploymentOrder"]

    @pytest.mark.parametrize(
        ("source", "message"),
        [
            (
                "cm://ns/name",
                "ConfigMap (cm://) sources are not supported by --config; "
                "export the ConfigMap data with `kubectl get cm <name> -o yaml` and pass the resulting file",
            ),
            (
                "file:///etc/c.yaml",
                "file:// URIs are not supported by --config; pass the path directly (e.g. /etc/aicr/config.yaml)",
            ),
        ],
    )
    def test_config_sources_upstream_refuses(
        self, capsys: pytest.CaptureFixture[str], source: str, message: str
    ) -> None:
        """Upstream's own refusals, word for word (observed from aicr 9793720d); `--config=` is no config."""
        assert _run(capsys, "recipe", "--service", "eks", "--config", source) == (
            2,
            "",
            f"[INVALID_REQUEST] {message}\n",
        )
        assert _run(capsys, "recipe", "--service", "eks", "--config=", "-t", "x")[2].startswith(
            '[INVALID_REQUEST] unknown output format: "x"'
        )

    def test_a_snapshot_is_read_as_the_catalogs_release(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The shipped catalog is read as 1.0: a v1.0 snapshot (`aicr.run/v1`) resolves, a retired one is refused."""
        recorded = Path(__file__).parent / "snapshot_cases" / "eks-l40s-ubuntu.yaml"
        current = tmp_path / "snapshot.yaml"
        current.write_text(recorded.read_text().replace("apiVersion: aicr.run/v1alpha2", "apiVersion: aicr.run/v1"))
        code, out, err = _run(capsys, "recipe", "--snapshot", str(current), "--intent", "inference", "-t", "json")
        assert (code, err) == (0, "")
        document = json.loads(out)
        assert document["apiVersion"] == "aicr.run/v1"
        assert {key: document["criteria"][key] for key in ("service", "accelerator", "os")} == {
            "service": "eks",
            "accelerator": "l40s",
            "os": "ubuntu",
        }
        code, out, err = _run(capsys, "recipe", "--snapshot", str(recorded), "--intent", "inference")
        assert (code, out) == (2, "")
        assert err == (
            '[INVALID_REQUEST] snapshot file has apiVersion "aicr.run/v1alpha2" (aicr.run/v1alpha2 was retired in'
            ' v1.0.0), which this aicr build does not support (expected "aicr.run/v1"); recapture the snapshot with'
            " a matching aicr version\n"
        )

    def test_a_config_is_judged_as_the_catalogs_release(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The shipped catalog is read as 1.0: a v1beta1 config resolves, a retired v1alpha2 one is refused."""
        criteria = "spec: {recipe: {criteria: {service: eks, accelerator: l40s, intent: inference, os: ubuntu}}}\n"
        current, retired = tmp_path / "current.yaml", tmp_path / "retired.yaml"
        current.write_text("kind: AICRConfig\napiVersion: aicr.run/v1beta1\n" + criteria)
        retired.write_text("kind: AICRConfig\napiVersion: aicr.run/v1alpha2\n" + criteria)
        code, out, err = _run(capsys, "recipe", "--config", str(current), "-t", "json")
        assert (code, err) == (0, "")
        assert json.loads(out)["criteria"]["accelerator"] == "l40s"
        code, out, err = _run(capsys, "recipe", "--config", str(retired))
        assert (code, out) == (2, "")
        assert err == (
            f'[INVALID_REQUEST] failed to validate config from "{retired}": [INVALID_REQUEST] invalid apiVersion'
            ' "aicr.run/v1alpha2" (aicr.run/v1alpha2 was retired in v1.0.0): expected "aicr.run/v1beta1"; update'
            " the config header to a version accepted by this aicr release\n"
        )

    def test_a_config_error_comes_before_a_catalog_error_when_the_release_is_given(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """Upstream reads --config first: with --aicr-version the config is judged before the catalog loads."""
        config = tmp_path / "c.yaml"
        config.write_text("kind: AICRConfig\napiVersion: aicr.run/v1beta1\nspec: {recipe: {}}\n")
        missing = str(tmp_path / "no-catalog")
        code, _, err = _run(capsys, "recipe", "--config", str(config), "--catalog", missing, "--aicr-version", "0.20")
        assert code == 2
        assert err == '[INVALID_REQUEST] invalid apiVersion "aicr.run/v1beta1": expected "aicr.run/v1alpha2"\n'

    @pytest.mark.parametrize("flag", ["--config", "--snapshot", "-s"])
    def test_missing_config_or_snapshot_is_not_found(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], flag: str
    ) -> None:
        """A file that is not there exits 3 with upstream's text."""
        missing = str(tmp_path / "none.yaml")
        code, out, err = _run(capsys, "recipe", "--service", "eks", flag, missing, "--aicr-version", "0.20")
        assert (code, out) == (3, "")
        if flag == "--config":
            assert err == f'[NOT_FOUND] config file not found: "{missing}": open {missing}: no such file or directory\n'
        else:
            assert err == f"[NOT_FOUND] file not found: open {missing}: no such file or directory\n"

    @pytest.mark.parametrize(
        ("argv", "code", "refused"),
        [
            (["--config", "https://example.invalid/c.yaml"], 2, "--config from a URL"),
            (["-s", "cm://ns/name"], 2, "--snapshot from a ConfigMap"),
            (["-s", "http://example.invalid/s.yaml"], 2, "--snapshot from a URL"),
            (["-o", "cm://ns/name"], 8, "writing to a ConfigMap"),
        ],
    )
    def test_what_needs_more_than_the_catalog_fails_closed(
        self, tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], code: int, refused: str
    ) -> None:
        """URLs and ConfigMaps are refused with a reason, never half-applied or ignored."""
        existing = tmp_path / "file.yaml"
        existing.write_text("{}\n")
        argv = [str(existing) if word == "FILE" else word for word in argv]
        got, out, err = _run(capsys, "recipe", "--service", "eks", *argv, "--aicr-version", "0.20")
        assert (got, out) == (code, "")
        assert f"{refused} is not implemented by l40-recipes: " in err
        assert err.count("\n") == 1


def test_error_location_is_on_a_line_of_its_own(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """stderr's first line is upstream's `[CODE] message` alone; where it happened and the hint follow."""
    root = write_catalog(tmp_path, {"leaf": overlay("leaf", criteria="service: eks") + "kind: [\n"})
    code, out, err = _run(capsys, "recipe", "--service", "eks", "--catalog", str(root))
    first, at, hint = err.splitlines()
    assert (code, out) == (2, "")
    assert first.startswith("[INVALID_REQUEST] failed to parse ")
    assert at.startswith(f"  at {root / 'overlays' / 'leaf.yaml'}:")
    assert hint.startswith("  hint: ")


@needs_shared
def test_profile_declaration_errors_are_upstreams_text(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A bad declaration reads as aicr 9793720d prints it (observed): no file-name prefix; the file below."""
    import shutil  # noqa: PLC0415

    root = tmp_path / "recipes"
    shutil.copytree(UPSTREAM_RECIPES, root)
    aks = root / "overlays" / "aks.yaml"
    aks.write_text(aks.read_text().replace("    default: azure-managed\n", "    default: nope\n"))
    for service in ("aks", "eks"):  # every overlay loads before any resolves
        code, out, err = _run(capsys, "recipe", "--service", service, "--catalog", str(root))
        assert (code, out) == (2, "")
        first, at, *_ = err.splitlines()
        assert first == '[INVALID_REQUEST] profile "gpuStack" default "nope" is not a declared value'
        assert at.startswith(f"  at {aks}:")


def test_argparse_commands_keep_their_flag_checks(capsys: pytest.CaptureFixture[str]) -> None:
    """`explain` and `graph` still read flags with argparse: a repeat is INVALID_REQUEST, a bad `--nodes` exit 1."""
    code, out, err = _run(capsys, "explain", "--service", "eks", "--gpu", "l40", "--accelerator", "l40")
    assert (code, out, err) == (2, "", "[INVALID_REQUEST] flag --accelerator can only be specified once\n")
    code, out, err = _run(capsys, "graph", "--service", "eks", "--nodes", "x")
    assert (code, out) == (1, "")
    assert err == 'Incorrect Usage: invalid value "x" for flag -nodes: strconv.ParseInt: parsing "x": invalid syntax\n'
