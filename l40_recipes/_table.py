"""`resolve --format table`: the recipe as upstream's table writer prints it.

Upstream flattens the Go result struct by reflection: one `FIELD  VALUE` row per scalar field, named
by the Go field names joined with `.` (`ComponentRefs.[0].Name`), every field present whether or
not JSON omits it; maps and lists of scalars are one row of compact JSON (`null` when unset); an
unset pointer prints `<nil>`; a plain string holding a newline, tab or carriage return is printed
as a JSON string. Rows are sorted by field name and aligned as Go's `text/tabwriter` aligns them
(the name column padded to its widest cell plus two spaces).

The recipe document (`RecipeResult.to_dict`) carries the values; `_STRUCTS` below carries the Go
field names, their JSON keys and kinds, which the document alone cannot tell.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from ._go_text import go_v
from ._models import GoModel, to_document
from ._serialize import go_json

if TYPE_CHECKING:
    from ._result import RecipeResult

__all__ = ["to_table"]

#: A plain Go `string`: JSON-quoted in the table when it holds a newline, tab or carriage return.
_STRING: Final = "string"
#: A named Go string type (an enum such as `ComponentType`): always printed as is.
_NAMED: Final = "named"
_INT: Final = "int"
_BOOL: Final = "bool"
#: A map, or a list of scalars: one row of compact JSON, `null` when unset.
_JSON: Final = "json"

#: Each Go struct of upstream's result: (Go field name, JSON key, kind). A kind is one of the above,
#: a struct name (a value), `*Name` (a pointer, `<nil>` when unset) or `[]Name` (a list of structs).
_STRUCTS: Final[dict[str, tuple[tuple[str, str, str], ...]]] = {
    "RecipeResult": (
        ("Kind", "kind", _STRING),
        ("APIVersion", "apiVersion", _STRING),
        ("Metadata", "metadata", "RecipeResultMetadata"),
        ("Criteria", "criteria", "*Criteria"),
        ("Configuration", "configuration", "*RecipeConfiguration"),
        ("Constraints", "constraints", "[]Constraint"),
        ("ComponentRefs", "componentRefs", "[]ComponentRef"),
        ("DeploymentOrder", "deploymentOrder", _JSON),
        ("Validation", "validation", "*ValidationConfig"),
    ),
    "RecipeResultMetadata": (
        ("Version", "version", _STRING),
        ("AppliedOverlays", "appliedOverlays", _JSON),
        ("ExcludedOverlays", "excludedOverlays", "[]ExcludedOverlay"),
        ("ConstraintWarnings", "constraintWarnings", "[]ConstraintWarning"),
        ("GPUDriverState", "gpuDriverState", _STRING),
        ("SelectedProfile", "selectedProfile", "*SelectedProfile"),
        ("MariaDBOperatorState", "mariaDBOperatorState", _STRING),
    ),
    "ExcludedOverlay": (("Name", "name", _STRING), ("Reason", "reason", _NAMED)),
    "ConstraintWarning": (
        ("Overlay", "overlay", _STRING),
        ("Constraint", "constraint", _STRING),
        ("Expected", "expected", _STRING),
        ("Actual", "actual", _STRING),
        ("Reason", "reason", _STRING),
    ),
    "SelectedProfile": (
        ("Name", "name", _STRING),
        ("Value", "value", _STRING),
        ("Advertiser", "advertiser", _STRING),
        ("OwnedPaths", "ownedPaths", _JSON),
    ),
    "Criteria": (
        ("Service", "service", _NAMED),
        ("Accelerator", "accelerator", _NAMED),
        ("Intent", "intent", _NAMED),
        ("OS", "os", _NAMED),
        ("Platform", "platform", _NAMED),
        ("Nodes", "nodes", _INT),
    ),
    "RecipeConfiguration": (
        ("Slurm", "slurm", "*SlurmConfiguration"),
        ("RuntimeInventory", "runtimeInventory", "*ModeConfiguration"),
    ),
    "SlurmConfiguration": (("Accounting", "accounting", "*ModeConfiguration"),),
    "ModeConfiguration": (("Mode", "mode", _NAMED),),
    "Constraint": (
        ("Name", "name", _STRING),
        ("Value", "value", _STRING),
        ("Severity", "severity", _STRING),
        ("Remediation", "remediation", _STRING),
        ("Unit", "unit", _STRING),
    ),
    "ComponentRef": (
        ("Name", "name", _STRING),
        ("Namespace", "namespace", _STRING),
        ("Chart", "chart", _STRING),
        ("Type", "type", _NAMED),
        ("Source", "source", _STRING),
        ("Version", "version", _STRING),
        ("Tag", "tag", _STRING),
        ("ValuesFile", "valuesFile", _STRING),
        ("Overrides", "overrides", _JSON),
        ("Patches", "patches", _JSON),
        ("DependencyRefs", "dependencyRefs", _JSON),
        ("ManifestFiles", "manifestFiles", _JSON),
        ("PreManifestFiles", "preManifestFiles", _JSON),
        ("Path", "path", _STRING),
        ("Cleanup", "cleanup", _BOOL),
        ("ExpectedResources", "expectedResources", "[]ExpectedResource"),
        ("HealthCheckAsserts", "healthCheckAsserts", _STRING),
        ("HealthCheckSkip", "healthCheckSkip", _BOOL),
    ),
    "ExpectedResource": (
        ("Kind", "kind", _STRING),
        ("Name", "name", _STRING),
        ("Namespace", "namespace", _STRING),
    ),
    "ValidationConfig": (
        ("Readiness", "readiness", "*ValidationPhase"),
        ("Deployment", "deployment", "*ValidationPhase"),
        ("Performance", "performance", "*ValidationPhase"),
        ("Conformance", "conformance", "*ValidationPhase"),
    ),
    "ValidationPhase": (
        ("Timeout", "timeout", _STRING),
        ("Constraints", "constraints", "[]Constraint"),
        ("Checks", "checks", _JSON),
        ("NodeSelection", "nodeSelection", "*NodeSelection"),
        ("Infrastructure", "infrastructure", _STRING),
    ),
    "NodeSelection": (
        ("Selector", "selector", _JSON),
        ("MaxNodes", "maxNodes", _INT),
        ("ExcludeNodes", "excludeNodes", _JSON),
    ),
}

#: Go's tabwriter padding between the field column and the value.
_PADDING: Final = 2


def to_table(recipe: RecipeResult) -> str:
    """*recipe* as upstream's `--format table` prints it."""
    rows: dict[str, str] = {}
    _flatten(rows, "RecipeResult", recipe, "")
    width = max(len(name) for name in (*rows, "FIELD", "-----")) + _PADDING
    lines = [f"{'FIELD':<{width}}VALUE", f"{'-----':<{width}}-----"]
    lines.extend(f"{name:<{width}}{rows[name]}" for name in sorted(rows))
    return "\n".join(lines) + "\n"


def _flatten(rows: dict[str, str], struct: str, model: GoModel, prefix: str) -> None:
    fields = {info.alias or name: (name, info.default) for name, info in type(model).model_fields.items()}
    for field, key, kind in _STRUCTS[struct]:
        attribute, default = fields[key]
        value = getattr(model, attribute)
        if default is not None and isinstance(value, (list, dict)) and not value:
            value = None  # the model's empty default stands for Go's nil
        _field(rows, kind, value, f"{prefix}.{field}" if prefix else field)


def _field(rows: dict[str, str], kind: str, value: Any, name: str) -> None:
    if kind.startswith("*"):
        if value is None:
            rows[name] = "<nil>"
        else:
            _flatten(rows, kind[1:], value, name)
    elif kind.startswith("[]"):
        if value:
            for index, item in enumerate(value):
                _flatten(rows, kind[2:], item, f"{name}.[{index}]")
        else:
            rows[name] = "null" if value is None else "[]"
    elif kind in _STRUCTS:
        _flatten(rows, kind, value, name)
    else:
        rows[name] = _scalar(kind, value)


def _scalar(kind: str, value: Any) -> str:
    if kind == _JSON:
        if value is None:
            return "null"
        document = to_document(value)
        try:
            return go_json(document, indent=None)
        except ValueError:  # no JSON form (an infinite number): upstream falls back to Go's `%v`
            return go_v(document)
    if kind == _BOOL:
        return "true" if value else "false"
    if kind == _INT:
        return str(value or 0)
    text = str(value) if value is not None else ""
    if kind == _STRING and any(char in text for char in "\n\r\t"):
        return go_json(text, indent=None)
    return text
