"""Slurm accounting modes: `disabled`, `customer-managed` and `aicr-provided`, built as upstream builds them.

Expected digests, messages, exit codes and warnings were observed from `aicr recipe` (aicr 9793720d,
`aicr-patched` with `AICR_EMBED_DIR` for the mutated catalogs) with `--format json` and `yaml`.
"""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import yaml

from l40_recipes._accounting import accounting_ownership, check_accounting, mariadb_operator_state
from l40_recipes._cli import main
from l40_recipes._criteria import build_query
from l40_recipes._errors import RecipeError
from l40_recipes._resolution import build_recipe
from l40_recipes._result import RecipeConfiguration, SlurmAccountingConfiguration, SlurmConfiguration

from .conftest import UPSTREAM_RECIPES, needs_shared

if TYPE_CHECKING:
    from collections.abc import Callable

    from l40_recipes._catalog import Catalog

CASES = Path(__file__).parent / "accounting_cases"
EXPECTED = json.loads((CASES / "catalog.json").read_text())
MODES = ("disabled", "customer-managed", "aicr-provided")
QUERIES = {
    "eks-gb200": {"service": "eks", "accelerator": "gb200", "os": "ubuntu"},
    "aks-h100": {"service": "aks", "accelerator": "h100", "os": "ubuntu"},
    "eks-h100": {"service": "eks", "accelerator": "h100", "os": "ubuntu"},
    "gke-h100": {"service": "gke", "accelerator": "h100", "os": "cos"},
    "kind-h100": {"service": "kind", "accelerator": "h100"},
}
EKS = ["--service", "eks", "--accelerator", "h100", "--os", "ubuntu", "--intent", "training", "--platform", "slurm"]
BASE = ["recipe", "--aicr-version", "0.20", "--stamp-version", "dev", "-t", "json"]


def _recipe(catalog: Catalog, name: str, mode: str) -> tuple[str, str]:
    values = {**QUERIES[name], "intent": "training", "platform": "slurm"}
    query = build_query(values, known=catalog.known_values, semantics=catalog.aicr_version)
    result = build_recipe(catalog, query, version="dev", accounting=mode)
    return result.to_json() + "\n", result.to_yaml()


def _sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", list(QUERIES))
def test_every_slurm_query_in_every_mode_is_upstreams_bytes(upstream: Catalog, name: str, mode: str) -> None:
    """JSON and YAML of each Slurm leaf of the catalog, in each mode, hash to what upstream printed."""
    as_json, as_yaml = _recipe(upstream, name, mode)
    assert {"json": _sha(as_json), "yaml": _sha(as_yaml)} == EXPECTED[f"{name}-{mode}"]


def test_accounting_step_is_appended_to_the_rewritten_health_check(upstream: Catalog) -> None:
    """The check is re-written keys sorted, comments dropped, with the accounting step last (upstream's bytes)."""
    as_json, _ = _recipe(upstream, "eks-h100", "customer-managed")
    (ref,) = [ref for ref in json.loads(as_json)["componentRefs"] if ref["name"] == "slinky-slurm"]
    text = ref["healthCheckAsserts"]
    assert _sha(text) == "337ce38a1631c9836709c6ea0a21f33384d71c9f6348d6ee956fe7d16437b94b"
    assert "#" not in text
    step = yaml.safe_load(text)["spec"]["steps"][-1]
    assert step["name"] == "validate-accounting-ready"
    resource = step["try"][0]["assert"]["resource"]
    assert resource["metadata"] == {"name": "slinky-slurm-accounting", "namespace": "slurm"}
    assert resource["status"] == {"(availableReplicas > `0`)": True}
    assert ref["overrides"]["accounting"] == {"enabled": True}


def _config(tmp_path: Path, mode: str) -> str:
    path = tmp_path / "config.yaml"
    path.write_text(
        "kind: AICRConfig\napiVersion: aicr.run/v1alpha2\nspec:\n  recipe:\n    criteria:\n"
        "      service: eks\n      accelerator: h100\n      os: ubuntu\n      intent: training\n"
        f"      platform: slurm\n    configuration:\n      slurm:\n        accounting:\n          mode: {mode!r}\n"
    )
    return str(path)


@needs_shared
@pytest.mark.parametrize(
    ("mode", "case"),
    [("Customer-Managed", "eks-h100-customer-managed"), (" aicr-provided ", "eks-h100-aicr-provided")],
)
def test_mode_is_trimmed_and_lowercased_from_flag_and_config(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, mode: str, case: str
) -> None:
    """`Customer-Managed` and ` aicr-provided ` build the canonical mode, from the flag or the config file."""
    catalog = ["--catalog", str(UPSTREAM_RECIPES)]
    code, out, err = _run(capsys, *BASE, *catalog, *EKS, "--slurm-accounting-mode", mode)
    assert (code, err, _sha(out)) == (0, "", EXPECTED[case]["json"])
    code, out, err = _run(capsys, *BASE, *catalog, "--config", _config(tmp_path, mode))
    assert (code, err, _sha(out)) == (0, "", EXPECTED[case]["json"])


NOT_SLURM = "[INVALID_REQUEST] Slurm accounting mode can only be set when recipe platform is slurm\n"
BOGUS = '[INVALID_REQUEST] invalid Slurm accounting mode "bogus": must be one of disabled, customer-managed, aicr-provided\n'


@needs_shared
@pytest.mark.parametrize(
    ("argv", "config", "message"),
    [
        (["--service", "eks", "--intent", "training", "--slurm-accounting-mode", "customer-managed"], None, NOT_SLURM),
        (["--service", "eks", "--intent", "training", "--slurm-accounting-mode", "disabled"], None, NOT_SLURM),
        ([*EKS, "--slurm-accounting-mode", "bogus"], None, BOGUS),
        ([], "bogus", BOGUS),
        (["--slurm-accounting-mode", "customer-managed"], "bogus", BOGUS),  # the config is read first
        (["--platform", "kubeflow"], "aicr-provided", NOT_SLURM),
        (
            [*EKS, "--slurm-accounting-mode", "aicr-provided", "--runtime-inventory", "enabled"],
            None,
            '[INVALID_REQUEST] runtime inventory mode "enabled" requires the recipe to declare component '
            '"k8s-aibom"; this recipe does not resolve it\n',
        ),
    ],
)
def test_refusals(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, argv: list[str], config: str | None, message: str
) -> None:
    """Upstream's messages and exit 2, in its order (runtime inventory is applied before accounting)."""
    extra = ["--config", _config(tmp_path, config)] if config is not None else []
    assert _run(capsys, *BASE, "--catalog", str(UPSTREAM_RECIPES), *extra, *argv) == (2, "", message)


HEALTH_CHECK = "checks/slinky-slurm/health-check.yaml"
SLURM_LEAF = "overlays/h100-eks-ubuntu-training-slurm.yaml"


def _no_health_check(root: Path) -> None:
    registry = root / "registry.yaml"
    text = registry.read_text()
    registry.write_text(text.replace(f"    healthCheck:\n      assertFile: {HEALTH_CHECK}\n", "", 1))


def _no_namespace(root: Path) -> None:
    registry = root / "registry.yaml"
    text = registry.read_text()
    start = text.index("  - name: slinky-slurm\n")
    at = text.index("defaultNamespace: slurm\n", start)
    registry.write_text(text[:at] + 'defaultNamespace: ""\n' + text[at + len("defaultNamespace: slurm\n") :])


def _check_text(text: str) -> Callable[[Path], None]:
    def write(root: Path) -> None:
        (root / HEALTH_CHECK).write_text(text)

    return write


def _mariadb_operator_off(root: Path) -> None:
    leaf = root / SLURM_LEAF
    old = "      valuesFile: components/mariadb-operator/values.yaml\n"
    leaf.write_text(leaf.read_text().replace(old, old + "      overrides:\n        enabled: false\n", 1))


def _profile_owns_mariadb(root: Path) -> None:
    aks = root / "overlays/aks.yaml"
    text = aks.read_text()
    extra = "          - name: slurm-accounting-mariadb\n            overrides:\n              namespaceOverride: accounting\n"
    for runtime in ("nvidia-container-runtime", "nvidia"):
        line = f"              metadata-collector: {{runtimeClassName: {runtime}}}\n"
        text = text.replace(line, line + extra, 1)
    aks.write_text(text)


UNPARSABLE = "[INVALID_REQUEST] failed to parse slinky-slurm health check for accounting specialization: "


@needs_shared
@pytest.mark.parametrize(
    ("mutate", "argv", "first_line"),
    [
        (_no_health_check, EKS, "[INVALID_REQUEST] enabled Slurm accounting requires a slinky-slurm health check"),
        (_no_namespace, EKS, "[INVALID_REQUEST] enabled Slurm accounting requires a namespace for slinky-slurm"),
        (
            _check_text("kind: Test\nmetadata:\n  name: x\n"),
            EKS,
            "[INVALID_REQUEST] slinky-slurm health check has no object spec",
        ),
        (_check_text("spec:\n  steps: {a: 1}\n"), EKS, "[INVALID_REQUEST] slinky-slurm health check has no steps list"),
        (
            _check_text("a: b\n a: [\n"),
            EKS,
            UNPARSABLE + "yaml: line 2: mapping values are not allowed in this context",
        ),
        (_check_text("- a\n"), EKS, UNPARSABLE + "yaml: unmarshal errors:"),
        (
            _mariadb_operator_off,
            EKS,
            '[INVALID_REQUEST] component "mariadb-operator" must be enabled for Slurm accounting mode "aicr-provided"',
        ),
        (
            _profile_owns_mariadb,
            ["--service", "aks", *EKS[2:]],
            '[INVALID_REQUEST] configuration ownership conflict: "profile gpuStack=azure-managed" owns '
            'slurm-accounting-mariadb.enabled, which intersects "configuration.slurm.accounting.mode=aicr-provided" '
            "path slurm-accounting-mariadb.enabled",
        ),
    ],
)
def test_broken_catalogs(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    mutate: Callable[[Path], None],
    argv: list[str],
    first_line: str,
) -> None:
    """A Slurm recipe that cannot take a mode fails with upstream's message (exit 2); `disabled` needs less."""
    root = tmp_path / "recipes"
    shutil.copytree(UPSTREAM_RECIPES, root)
    mutate(root)
    code, out, err = _run(capsys, *BASE, "--catalog", str(root), *argv, "--slurm-accounting-mode", "aicr-provided")
    assert (code, out, err.split("\n")[0]) == (2, "", first_line)
    if mutate is not _profile_owns_mariadb:
        assert _run(capsys, *BASE, "--catalog", str(root), *argv, "--slurm-accounting-mode", "disabled")[0] == 0


@needs_shared
def test_list_health_check_names_its_line_and_type(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """yaml.v3's unmarshal error: the root node's line and tag."""
    root = tmp_path / "recipes"
    shutil.copytree(UPSTREAM_RECIPES, root)
    _check_text("# c\n\n 12\n")(root)
    _, _, err = _run(capsys, *BASE, "--catalog", str(root), *EKS, "--slurm-accounting-mode", "customer-managed")
    assert err.startswith(
        UNPARSABLE + "yaml: unmarshal errors:\n  line 3: cannot unmarshal !!int `12` into map[string]interface {}\n"
    )


SNAPSHOT = Path(__file__).parent / "snapshot_cases" / "eks-h100-ubuntu.yaml"
WARNINGS = {
    "crs-detected": "AICR-provided Slurm accounting conflicts with existing official MariaDB resources; `aicr bundle` "
    "will block installation. Regenerate the recipe with --slurm-accounting-mode customer-managed to use the "
    "existing database",
    "unknown": "MariaDB Operator conflict evidence is inconclusive for AICR-provided Slurm accounting; `aicr bundle` "
    "will block installation. Capture a fresh snapshot with sufficient Kubernetes discovery permissions, or "
    "regenerate the recipe with --slurm-accounting-mode customer-managed",
    "api-detected": "the official MariaDB Operator API is present but no MariaDB resources were detected; "
    "AICR-provided Slurm accounting may reuse the existing CRDs, and bundling is allowed. Use "
    "--slurm-accounting-mode customer-managed if the existing operator owns the database",
}


def _mariadb(state: str) -> str:
    return f"      - subtype: mariadb-operator\n        data:\n          collection-state: {state}\n"


K8S = "  - type: K8s\n    subtypes:\n"


@needs_shared
@pytest.mark.parametrize(
    ("evidence", "state"),
    [
        (_mariadb("crs-detected"), "crs-detected"),
        (_mariadb("unknown"), "unknown"),
        (_mariadb("api-detected"), "api-detected"),
        (_mariadb("absent"), "absent"),
        (_mariadb("42"), "unknown"),
        ("      - subtype: mariadb-operator\n        data:\n          other: x\n", "unknown"),
        (_mariadb("absent") + K8S + _mariadb("api-detected"), "api-detected"),
        (_mariadb("api-detected") + K8S + _mariadb("absent") + K8S + _mariadb("bogus"), "unknown"),
        ("", ""),
    ],
)
def test_snapshot_records_mariadb_operator_state(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, evidence: str, state: str
) -> None:
    """With aicr-provided, metadata.mariaDBOperatorState and upstream's warning; other modes record nothing."""
    snapshot = tmp_path / "snapshot.yaml"
    snapshot.write_text(SNAPSHOT.read_text().replace("  - type: GPU\n", evidence + "  - type: GPU\n", 1))
    argv = [*BASE, "--catalog", str(UPSTREAM_RECIPES), "--snapshot", str(snapshot), "--platform", "slurm"]
    argv += ["--intent", "training"]
    code, out, err = _run(capsys, *argv, "--slurm-accounting-mode", "aicr-provided")
    assert code == 0
    assert json.loads(out)["metadata"].get("mariaDBOperatorState", "") == state
    warning = WARNINGS.get(state)
    assert err == ("" if warning is None else f"[cli] {warning}: component=mariadb-operator state={state}\n")
    code, out, err = _run(capsys, *argv, "--slurm-accounting-mode", "customer-managed")
    assert (code, err) == (0, "")
    assert "mariaDBOperatorState" not in json.loads(out)["metadata"]


def test_mariadb_operator_state_precedence() -> None:
    """crs-detected > unknown (also unreadable) > api-detected > absent; no reading at all is no state."""
    assert mariadb_operator_state([]) == ""
    assert mariadb_operator_state(["absent", "api-detected"]) == "api-detected"
    assert mariadb_operator_state(["crs-detected", None]) == "crs-detected"
    assert mariadb_operator_state([7]) == "unknown"


def test_aicr_provided_owns_the_connection_contract() -> None:
    """Every mode owns the gates; aicr-provided also the MariaDB connection settings."""
    assert accounting_ownership("customer-managed") == accounting_ownership()
    provided = accounting_ownership("aicr-provided")
    assert "accounting.storageConfig.host" in provided["slinky-slurm"]
    assert "mariadb.rootPasswordSecretKeyRef.generate" in provided["slurm-accounting-mariadb"]
    assert provided["mariadb-operator"] == ["enabled", "install"]


@pytest.mark.parametrize(
    ("mode", "message"),
    [
        ("Disabled", 'configuration.slurm.accounting.mode must use canonical value "disabled" (got "Disabled")'),
        ("nope", 'invalid Slurm accounting mode "nope": must be one of disabled, customer-managed, aicr-provided'),
        (
            "customer-managed",
            'component "slinky-slurm" override accounting.enabled must be true for the selected '
            "Slurm accounting mode (got false)",
        ),
    ],
)
def test_recorded_mode_must_be_canonical_and_applied(upstream: Catalog, mode: str, message: str) -> None:
    """Upstream `validateAccountingConfiguration` on a recipe whose recorded mode was tampered with."""
    query = build_query(
        {**QUERIES["eks-h100"], "intent": "training", "platform": "slurm"},
        known=upstream.known_values,
        semantics=upstream.aicr_version,
    )
    recipe = build_recipe(upstream, query, version="dev")
    slurm = SlurmConfiguration(accounting=SlurmAccountingConfiguration(mode=mode))
    tampered = recipe.model_copy(update={"configuration": RecipeConfiguration(slurm=slurm)})
    with pytest.raises(RecipeError) as caught:
        check_accounting(tampered, upstream.aicr_version)
    assert caught.value.message == message


def test_recorded_mode_on_a_tampered_recipe(upstream: Catalog) -> None:
    """A gate that is not a map reads as its value (`%v`); a configuration on a non-Slurm recipe is refused."""
    query = build_query(
        {**QUERIES["eks-h100"], "intent": "training", "platform": "slurm"},
        known=upstream.known_values,
        semantics=upstream.aicr_version,
    )
    recipe = build_recipe(upstream, query, version="dev")
    refs = [
        ref.model_copy(update={"overrides": {**(ref.overrides or {}), "accounting": True}})
        if ref.name == "slinky-slurm"
        else ref
        for ref in recipe.component_refs
    ]
    with pytest.raises(RecipeError) as caught:
        check_accounting(recipe.model_copy(update={"component_refs": refs}), upstream.aicr_version)
    assert caught.value.message == (
        'component "slinky-slurm" override accounting.enabled must be false for the selected '
        "Slurm accounting mode (got true)"
    )
    other = recipe.model_copy(update={"criteria": recipe.criteria.model_copy(update={"platform": "kubeflow"})})
    with pytest.raises(RecipeError, match="only valid for a Slurm recipe"):
        check_accounting(other, upstream.aicr_version)
