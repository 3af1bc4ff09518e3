"""The AICRConfig document's Go types (upstream `pkg/config`), and decoding into them strictly.

yaml.v3 with known fields: every key a struct lacks and every value its field's type refuses is
one `line N: ...` error, in document order (strings take any scalar; ints take whole numbers
and floats; bools take YAML booleans and yaml.v3's YAML 1.1 words). The JSON reading of the same
types is `_aicr_config_json`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from ._scalars import STR, TypedText, unmarshal_error

if TYPE_CHECKING:
    from ._yaml import SourceMap

__all__ = ["ROOT", "check_yaml", "go_fields", "yaml11_bool"]

_S, _I, _B, _SLIST, _SMAP = "string", "int", "bool", "[]string", "map[string]string"

#: Upstream's `pkg/config` types: Go type name -> YAML key -> field type (a scalar type or a type name).
_SCHEMA: Final[dict[str, dict[str, str]]] = {
    "config.AICRConfig": {"kind": _S, "apiVersion": _S, "metadata": "config.Metadata", "spec": "config.Spec"},
    "config.Metadata": {"name": _S},
    "config.Spec": {
        "snapshot": "config.SnapshotSpec",
        "recipe": "config.RecipeSpec",
        "bundle": "config.BundleSpec",
        "validate": "config.ValidateSpec",
        "verify": "config.VerifySpec",
    },
    "config.SnapshotSpec": {
        "output": "config.SnapshotOutputSpec",
        "agent": "config.SnapshotAgentSpec",
        "execution": "config.SnapshotExecutionSpec",
    },
    "config.SnapshotOutputSpec": {"path": _S, "format": _S, "template": _S},
    "config.SnapshotAgentSpec": {
        **dict.fromkeys(("namespace", "image", "jobName", "serviceAccountName", "runtimeClassName"), _S),
        **dict.fromkeys(("os", "requests", "limits"), _S),
        "imagePullSecrets": _SLIST,
        "nodeSelector": _SMAP,
        "tolerations": _SLIST,
        "requireGpu": _B,
    },
    "config.SnapshotExecutionSpec": {"timeout": _S, "noCleanup": _B, "privileged": _B, "maxNodesPerEntry": _I},
    "config.RecipeSpec": {
        "criteria": "config.CriteriaSpec",
        "configuration": "config.RecipeConfigurationSpec",
        "input": "config.RecipeInputSpec",
        "output": "config.RecipeOutputSpec",
        "data": _S,
        "profile": _S,
        "criteriaStrict": _B,
    },
    "config.RecipeConfigurationSpec": {
        "slurm": "config.SlurmConfigurationSpec",
        "runtimeInventory": "config.RuntimeInventorySpec",
    },
    "config.RuntimeInventorySpec": {"mode": _S},
    "config.SlurmConfigurationSpec": {"accounting": "config.SlurmAccountingSpec"},
    "config.SlurmAccountingSpec": {"mode": _S},
    "config.CriteriaSpec": {**dict.fromkeys(("service", "accelerator", "intent", "os", "platform"), _S), "nodes": _I},
    "config.RecipeInputSpec": {"snapshot": _S},
    "config.RecipeOutputSpec": {"path": _S, "format": _S},
    "config.BundleSpec": {
        "input": "config.BundleInputSpec",
        "output": "config.BundleOutputSpec",
        "deployment": "config.DeploymentSpec",
        "scheduling": "config.SchedulingSpec",
        "attestation": "config.AttestationSpec",
        "registry": "config.RegistrySpec",
    },
    "config.BundleInputSpec": {"recipe": _S},
    "config.BundleOutputSpec": {"target": _S, "imageRefs": _S},
    "config.DeploymentSpec": {
        "deployer": _S,
        "repo": _S,
        "set": _SLIST,
        "dynamic": _SLIST,
        "vendorCharts": _B,
        "appName": _S,
    },
    "config.SchedulingSpec": {
        "systemNodeSelector": _SMAP,
        "systemNodeTolerations": _SLIST,
        "acceleratedNodeSelector": _SMAP,
        "acceleratedNodeTolerations": _SLIST,
        "workloadGate": _S,
        "workloadSelector": _SMAP,
        "nodes": _I,
        "storageClass": _S,
        "sharedStorageClass": _S,
    },
    "config.AttestationSpec": {
        "enabled": _B,
        "certificateIdentityRegexp": _S,
        "oidcDeviceFlow": _B,
        "fulcioURL": _S,
        "rekorURL": _S,
        "signingKey": _S,
    },
    "config.RegistrySpec": {"insecureTLS": _B, "plainHTTP": _B},
    "config.ValidateSpec": {
        "input": "config.ValidateInputSpec",
        "agent": "config.ValidateAgentSpec",
        "execution": "config.ValidateExecutionSpec",
        "evidence": "config.EvidenceSpec",
    },
    "config.EvidenceSpec": {"cncf": "config.EvidenceCNCFSpec", "attestation": "config.EvidenceAttestationSpec"},
    "config.EvidenceCNCFSpec": {"dir": _S, "cncfSubmission": _B, "features": _SLIST},
    "config.EvidenceAttestationSpec": {"out": _S, "bom": _S, "push": _S, "plainHTTP": _B, "insecureTLS": _B},
    "config.ValidateInputSpec": {"recipe": _S, "snapshot": _S},
    "config.ValidateAgentSpec": {
        **dict.fromkeys(("namespace", "image", "jobName", "serviceAccountName"), _S),
        "imagePullSecrets": _SLIST,
        "nodeSelector": _SMAP,
        "tolerations": _SLIST,
        "requireGpu": _B,
    },
    "config.ValidateExecutionSpec": {
        "phases": _SLIST,
        "failOnError": _B,
        "failFast": _B,
        "noCluster": _B,
        "noCleanup": _B,
        "timeout": _S,
    },
    "config.VerifySpec": {"policy": "config.VerifyPolicySpec", "trust": "config.VerifyTrustSpec"},
    "config.VerifyPolicySpec": {"minTrustLevel": _S, "requireCreator": _S, "cliVersionConstraint": _S},
    "config.VerifyTrustSpec": {"certificateIdentityRegexp": _S, "key": _S, "trustRoot": _S},
}

#: The document's root type.
ROOT: Final = "config.AICRConfig"


def check_yaml(
    value: Any, go_type: str, path: tuple[str | int, ...], source: SourceMap, errors: list[tuple[int, str]]
) -> None:
    """Collect yaml.v3's strict-decoding errors for *value* decoded into *go_type*, in document order."""
    if value is None:
        return
    line = source.locate_value(path).line if path else 1
    fields = _SCHEMA.get(go_type)
    if fields is not None:
        if not isinstance(value, dict):
            errors.append((line, unmarshal_error(value, go_type)))
            return
        for key, item in value.items():
            name = key if isinstance(key, str) else str(key)
            kind = fields.get(name)
            if kind is None:
                errors.append((source.locate((*path, key)).line, f"field {name} not found in type {go_type}"))
                continue
            check_yaml(item, kind, (*path, key), source, errors)
        return
    if go_type in (_SLIST, _SMAP):
        container = list if go_type == _SLIST else dict
        if not isinstance(value, container):
            errors.append((line, unmarshal_error(value, go_type)))
            return
        keys = range(len(value)) if isinstance(value, list) else list(value)
        for key in keys:
            check_yaml(value[key], _S, (*path, key), source, errors)
        return
    problem = _scalar_problem(value, go_type)
    if problem:
        errors.append((line, problem))


def _scalar_problem(value: Any, go_type: str) -> str:
    if isinstance(value, dict | list):
        return unmarshal_error(value, go_type)
    if go_type == _S:
        return ""
    tag = value.tag if isinstance(value, TypedText) else STR
    resolved = value.value if isinstance(value, TypedText) else value
    if go_type == _B:
        return "" if tag == "!!bool" or yaml11_bool(value) is not None else unmarshal_error(value, go_type)
    if tag == "!!int" and -(1 << 63) <= resolved < (1 << 63):
        return ""
    if tag == "!!float" and -(2.0**63) <= resolved < 2.0**63:
        return ""
    return unmarshal_error(value, go_type)


#: yaml.v3 decodes these strings into a Go bool (its YAML 1.1 compatibility), quoted or not.
_YAML11_BOOLS: Final = {
    **dict.fromkeys(("y", "Y", "yes", "Yes", "YES", "on", "On", "ON"), True),
    **dict.fromkeys(("n", "N", "no", "No", "NO", "off", "Off", "OFF"), False),
}


def yaml11_bool(value: Any) -> bool | None:
    if isinstance(value, str) and (not isinstance(value, TypedText) or value.tag == STR):
        return _YAML11_BOOLS.get(str.__str__(value))
    return None


def go_fields(go_type: str) -> dict[str, str] | None:
    """The fields (YAML/JSON key -> field type) of the config struct *go_type*; None for other types."""
    return _SCHEMA.get(go_type)
