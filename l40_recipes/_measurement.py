"""Measurement paths: the names of snapshot-evaluated constraints (upstream `pkg/measurement`).

A path is `Type.Subtype.Key` or `Type.Subtype[selector].Key`. Upstream validates every name in
`spec.constraints`, readiness-phase constraints and profile-value constraints against this catalog
when it loads a catalog, and fails the load on an unknown path.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from ._errors import ErrorCode, RecipeError

__all__ = ["TYPES", "split_path", "validate_path"]

TYPES: Final = ("K8s", "GPU", "OS", "SystemD", "NodeTopology", "NetworkTopology")
_VIRTUAL_PATHS: Final = frozenset({"NodeTopology.gpu-nodes.label"})
_MAX_SUGGESTION_DISTANCE: Final = 2


@dataclass(frozen=True, slots=True)
class _Keys:
    open: bool = False
    keys: tuple[str, ...] = ()

    @property
    def addressable(self) -> bool:
        return self.open or bool(self.keys)

    def allows(self, key: str) -> bool:
        return self.open or key in self.keys


_OPEN: Final = _Keys(open=True)
_NONE: Final = _Keys()


def _closed(*keys: str) -> _Keys:
    return _Keys(keys=keys)


@dataclass(frozen=True, slots=True)
class _Subtype:
    scalar: _Keys = _NONE
    item: _Keys = _NONE


# Upstream `pkg/measurement/catalog.go:catalog` at 9793720d.
_CATALOG: Final[dict[str, dict[str, _Subtype]]] = {
    "K8s": {
        "server": _Subtype(_closed("version", "platform", "goVersion")),
        "node": _Subtype(
            _closed(
                "source-node",
                "provider",
                "provider-id",
                "container-runtime-id",
                "container-runtime-name",
                "container-runtime-version",
                "kubelet-version",
                "kernel-version",
                "operating-system",
                "os-image",
            ),
        ),
        "aks-gpu-pools": _Subtype(_closed("gpu-pool-count", "gpu-pools", "gpu-driver")),
        "image": _Subtype(_OPEN),
        "policy": _Subtype(_OPEN),
        "slinky-slurm": _Subtype(
            _closed(
                "api-available",
                "api-version",
                "collection-state",
                "controller-count",
                "detected",
                "nodeset-count",
                "loginset-count",
                "restapi-count",
                "accounting-count",
            ),
            _closed(
                "cluster-name",
                "external",
                "accounting-ref-present",
                "partition-enabled",
                "id",
                "kind",
                "namespace",
                "name",
                "api-version",
                "controller-id",
            ),
        ),
        "mariadb-operator": _Subtype(_closed("collection-state", "api-available", "api-version")),
    },
    "GPU": {
        "hardware": _Subtype(_closed("gpu-present", "gpu-count", "driver-loaded", "detection-source", "model")),
    },
    "OS": {name: _Subtype(_OPEN) for name in ("release", "sysctl", "grub", "kmod", "extensions")},
    "NodeTopology": {
        "summary": _Subtype(_closed("node-count", "taint-count", "label-count")),
        "label": _Subtype(_OPEN),
        "taint": _Subtype(_OPEN),
    },
    "NetworkTopology": {
        "identity": _Subtype(_closed("pf-count", "rail-count")),
        "capabilities": _Subtype(_closed("sriov", "rdma", "ib")),
        "pfs": _Subtype(
            item=_closed(
                "pciAddress",
                "deviceID",
                "psid",
                "partNumber",
                "rdmaDevice",
                "networkInterface",
                "model",
                "connectedGPU",
                "gpuProximity",
                "rail",
                "numaNode",
                "traffic",
            ),
        ),
        "kernel-modules": _Subtype(_OPEN),
    },
}
# SystemD subtypes are unit names, which contain dots: split subtype and key at the last dot.
_OPEN_SUBTYPE_TYPES: Final = frozenset({"SystemD"})


def _invalid(message: str) -> RecipeError:
    return RecipeError(message, code=ErrorCode.INVALID_REQUEST)


def validate_path(name: str) -> None:
    """Check that *name* is an addressable measurement path.

    Raises:
        RecipeError: `INVALID_REQUEST` with upstream's message, including a did-you-mean
            suggestion where one is within two edits.
    """
    if name in _VIRTUAL_PATHS:
        return
    type_name, subtype, selector, key = split_path(name)
    if type_name in _OPEN_SUBTYPE_TYPES:
        spec = _Subtype(_OPEN)
    else:
        subtypes = _CATALOG[type_name]
        if subtype not in subtypes:
            message = f'unknown subtype "{subtype}" for measurement type "{type_name}"'
            raise _invalid(message + _did_you_mean(subtype, subtypes))
        spec = subtypes[subtype]
    if selector is None:
        if not spec.scalar.addressable:
            message = f'subtype "{subtype}" of measurement type "{type_name}" exposes no scalar readings'
            if spec.item.addressable:
                message += f"; it requires an item selector, e.g. {type_name}.{subtype}[0].{key}"
            raise _invalid(message)
        if not spec.scalar.allows(key):
            message = f'unknown key "{key}" in subtype "{subtype}" of measurement type "{type_name}"'
            raise _invalid(message + _did_you_mean(key, spec.scalar.keys))
        return
    if not spec.item.addressable:
        raise _invalid(
            f'subtype "{subtype}" of measurement type "{type_name}" has no items; an item selector is not valid here',
        )
    predicate_key = selector.partition("=")[0] if "=" in selector else None
    if predicate_key is not None and not spec.item.allows(predicate_key):
        message = (
            f'unknown item predicate key "{predicate_key}" in subtype "{subtype}" of measurement type "{type_name}"'
        )
        raise _invalid(message + _did_you_mean(predicate_key, spec.item.keys))
    if not spec.item.allows(key):
        message = f'unknown item key "{key}" in subtype "{subtype}" of measurement type "{type_name}"'
        raise _invalid(message + _did_you_mean(key, spec.item.keys))


def split_path(name: str) -> tuple[str, str, str | None, str]:
    """A path's type, subtype, item selector (None without one) and key, checked for syntax only (`ParsePath`).

    Raises:
        RecipeError: `INVALID_REQUEST` with upstream's message for a path that does not parse.
    """
    if name == "":
        raise _invalid("constraint path cannot be empty")
    type_name, dot, rest = name.partition(".")
    if not dot:
        raise _invalid("invalid constraint path: expected format {Type}.{Subtype}[selector].{Key}")
    if type_name not in TYPES:
        raise _invalid("invalid measurement type in constraint path")
    subtype, selector, key = _split(rest, type_name)
    return type_name, subtype, selector, key


def _split(rest: str, type_name: str) -> tuple[str, str | None, str]:
    bracket = rest.find("[")
    dot = rest.find(".")
    if bracket >= 0 and (dot < 0 or bracket < dot):
        subtype = rest[:bracket]
        if subtype == "":
            raise _invalid("invalid constraint path: subtype before '[' is empty")
        close = rest.find("]", bracket)
        if close < 0:
            raise _invalid("invalid constraint path: unclosed item selector bracket")
        selector = rest[bracket + 1 : close]
        _check_selector(selector)
        after = rest[close + 1 :]
        if after in {"", "."}:
            raise _invalid("invalid constraint path: missing key after item selector")
        if not after.startswith("."):
            raise _invalid("invalid constraint path: expected '.' after item selector")
        return subtype, selector, after[1:]
    if dot < 0:
        raise _invalid("invalid constraint path: expected format {Type}.{Subtype}.{Key}")
    if type_name in _OPEN_SUBTYPE_TYPES:
        dot = rest.rfind(".")
    subtype, key = rest[:dot], rest[dot + 1 :]
    if subtype == "" or key == "":
        raise _invalid("invalid constraint path: subtype or key is empty")
    return subtype, None, key


def _check_selector(selector: str) -> None:
    if selector == "":
        raise _invalid("invalid constraint path: item selector is empty")
    if "=" in selector:
        key, _, value = selector.partition("=")
        if key == "" or value == "":
            raise _invalid("invalid constraint path: predicate selector requires non-empty key and value")
        return
    if not selector.lstrip("+-").isdigit() or not selector.isascii():
        raise _invalid("invalid constraint path: item selector must be an integer index or 'key=value' predicate")
    if int(selector) < 0:
        raise _invalid("invalid constraint path: item index cannot be negative")


def _did_you_mean(got: str, candidates: tuple[str, ...] | dict[str, _Subtype]) -> str:
    best, best_distance = "", _MAX_SUGGESTION_DISTANCE + 1
    for candidate in sorted(candidates):
        if abs(len(candidate) - len(got)) > _MAX_SUGGESTION_DISTANCE:
            continue
        distance = _edit_distance(got, candidate)
        if distance < best_distance:
            best, best_distance = candidate, distance
    if not got or best_distance > _MAX_SUGGESTION_DISTANCE:
        return ""
    return f'; did you mean "{best}"?'


def _edit_distance(a: str, b: str) -> int:
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, start=1):
        current = [i]
        for j, char_b in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b)))
        previous = current
    return previous[-1]
