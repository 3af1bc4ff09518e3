"""A snapshot file (`kind: Snapshot`), read as `aicr recipe --snapshot FILE` reads it.

Upstream decodes the file into its snapshot types (YAML for `.yaml`/`.yml`, JSON otherwise),
leniently (unknown fields are ignored), then refuses a document of another kind or apiVersion and
one without a measurement that names its type. YAML is decoded node by node as yaml.v3 decodes it
(`_snapshot_yaml`: its type errors, and readings as Go values printed with `%v`). JSON numbers are
all float64. Only files are read: ConfigMaps and URLs would need a cluster or the network; JSON
that Go's decoder would refuse is refused by name, its Go 1.27 error texts not being reproduced.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypeAlias

from ._errors import ErrorCode, RecipeError
from ._go_json import scan_value, skip_space
from ._go_text import go_quote, go_v
from ._semantics import retirement_note

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ._semantics import AicrVersion

__all__ = ["Item", "Measurement", "Reading", "Snapshot", "Subtype", "load_snapshot", "reading_text"]

#: A reading as upstream holds it: Go string, bool, int (any width) or float64.
Reading: TypeAlias = str | bool | int | float

#: Upstream's `defaults.MaxSpecFileBytes`.
MAX_SNAPSHOT_BYTES: Final = 1024 * 1024
_SNAPSHOT_KIND: Final = "Snapshot"


@dataclass(frozen=True, slots=True)
class Item:
    """One entry of a subtype's `items` (its context and readings)."""

    context: Mapping[str, str]
    data: Mapping[str, Reading]


@dataclass(frozen=True, slots=True)
class Subtype:
    """A measurement's subtype: `subtype` name, readings, context and items."""

    name: str
    data: Mapping[str, Reading]
    context: Mapping[str, str]
    items: tuple[Item, ...]


@dataclass(frozen=True, slots=True)
class Measurement:
    """A measurement: its `type` (`K8s`, `GPU`, `OS`, ...) and subtypes."""

    type: str
    subtypes: tuple[Subtype, ...]

    def subtype(self, name: str) -> Subtype | None:
        """The first subtype called *name* (upstream `GetSubtype`)."""
        return next((subtype for subtype in self.subtypes if subtype.name == name), None)


@dataclass(frozen=True, slots=True)
class Snapshot:
    """A loaded snapshot; `measurements` keeps upstream's order and its null entries (as None)."""

    path: str
    kind: str
    api_version: str
    measurements: tuple[Measurement | None, ...]


def reading_text(value: Reading) -> str:
    """A reading as upstream prints it (`fmt.Sprintf("%v")`): `true`, `8`, `24.04`, `1e+06`."""
    return go_v(value)


def _not_reproduced(path: str, why: str) -> RecipeError:
    from ._recipe_flags import unsupported  # noqa: PLC0415

    return unsupported(f"reading snapshot {path}", why)


def load_snapshot(path: str, semantics: AicrVersion) -> Snapshot:
    """Read the snapshot at *path* (as given on the command line) as the release *semantics* reads it.

    Raises:
        RecipeError: upstream's error for a missing or unreadable file, a document that does not
            decode, another kind or apiVersion, or no usable measurement; INVALID_REQUEST naming
            what is not reproduced for a ConfigMap, a URL, or a document upstream would decode in
            a way this reader does not reproduce.
    """
    from ._recipe_flags import unsupported  # noqa: PLC0415

    if path.startswith("cm://"):
        raise unsupported("--snapshot from a ConfigMap", "it needs a live cluster, which this tool never contacts")
    if path.startswith(("http://", "https://")):
        raise unsupported("--snapshot from a URL", "it never fetches anything")
    lower = path.lower()
    if lower.endswith((".table", ".txt")):
        raise RecipeError("table format does not support deserialization", code=ErrorCode.INVALID_REQUEST)
    as_yaml = lower.endswith((".yaml", ".yml"))
    content = _read(path)
    document = _decode_yaml(content, path) if as_yaml else _decode_json(content, path)
    snapshot = _snapshot(document, path)
    if snapshot.kind and snapshot.kind != _SNAPSHOT_KIND:
        message = (
            f'file {go_quote(path)} has kind {go_quote(snapshot.kind)}, but a "{_SNAPSHOT_KIND}" is required; '
            'run "aicr snapshot" to capture cluster state first'
        )
        raise RecipeError(message, code=ErrorCode.INVALID_REQUEST)
    _check_api_version(snapshot.api_version, semantics)
    if not any(measurement is not None and measurement.type for measurement in snapshot.measurements):
        message = (
            f"file {go_quote(path)} contains no usable measurements"
            f" and is not a valid snapshot; "
            'run "aicr snapshot" to capture cluster state first'
        )
        raise RecipeError(message, code=ErrorCode.INVALID_REQUEST)
    return snapshot


def _check_api_version(api_version: str, semantics: AicrVersion) -> None:
    """Upstream's apiVersion gate of a snapshot: its release's stable-track value.

    9793720d takes an absent value and names no retirement. v1.0.0 refuses an absent one and says
    why an old value stopped loading; its message is written here by analogy with v1.0's recipe-file
    reader (`... has apiVersion %q%s, which this aicr build does not support (expected %q); ...`),
    as the v1.0 snapshot reader was not recovered.
    """
    expected = semantics.result_api_version
    if api_version == expected or (not api_version and not semantics.alpha_retired):
        return
    note = retirement_note(api_version, absent_was_accepted=True) if semantics.alpha_retired else ""
    message = (
        f"snapshot file has apiVersion {go_quote(api_version)}{note}, which this aicr build does not support "
        f'(expected "{expected}"); recapture the snapshot with a matching aicr version'
    )
    raise RecipeError(message, code=ErrorCode.INVALID_REQUEST)


def _read(path: str) -> bytes:
    cleaned = os.path.normpath(path)  # Go's filepath.Clean, which the open error names
    try:
        with Path(cleaned).open("rb") as handle:
            content = handle.read(MAX_SNAPSHOT_BYTES + 1)
    except FileNotFoundError:
        cause = OSError(f"open {cleaned}: no such file or directory")
        raise RecipeError("file not found", code=ErrorCode.NOT_FOUND, cause=cause) from None
    except IsADirectoryError:
        cause = OSError(f"read {cleaned}: is a directory")
        raise RecipeError("failed to read file", code=ErrorCode.INTERNAL, cause=cause) from None
    except OSError as err:
        reason = (err.strerror or str(err)).lower()
        cause = OSError(f"open {cleaned}: {reason}")
        raise RecipeError("failed to open file", code=ErrorCode.INTERNAL, cause=cause) from None
    if len(content) > MAX_SNAPSHOT_BYTES:
        message = f"file exceeds maximum allowed size of {MAX_SNAPSHOT_BYTES} bytes"
        raise RecipeError(message, code=ErrorCode.INVALID_REQUEST)
    return content


def _decode_failure(kind: str, detail: str) -> RecipeError:
    return RecipeError(f"failed to decode {kind}", code=ErrorCode.INVALID_REQUEST, cause=ValueError(detail))


#: What the YAML reader refuses but yaml.v3 reports only where it decodes (see `_snapshot_yaml`).
_DECODER_FINDINGS: Final = ("already defined at line", "mapping keys must be scalars", "map merge requires")


def _decode_yaml(content: bytes, path: str) -> Any:
    from ._snapshot_yaml import SnapshotYamlError, decode_snapshot_yaml  # noqa: PLC0415
    from ._yaml import compose_first, parse_yaml  # noqa: PLC0415

    if not content.strip(b" \t\r\n"):
        raise _decode_failure("YAML", "EOF")
    try:
        parse_yaml(content, path=path, defer_binary=True)  # the syntax check, in yaml.v3's words
    except RecipeError as err:
        cause = str(err.cause) if err.cause is not None else ""
        if not any(finding in f"{err.message} {cause}" for finding in _DECODER_FINDINGS):
            if cause.startswith("yaml: "):
                raise _decode_failure("YAML", cause) from None
            why = f"upstream's decoder error for this text is not reproduced ({err.message})"
            raise _not_reproduced(path, why) from None
    root = compose_first(content)
    if root is None:
        raise _decode_failure("YAML", "EOF")
    try:
        document, reason = decode_snapshot_yaml(root)
    except SnapshotYamlError as err:
        raise _decode_failure("YAML", str(err)) from None
    if document is None:
        raise _not_reproduced(path, str(reason))
    return document


def _decode_json(content: bytes, path: str) -> Any:
    """The first JSON value, as upstream's `json.Decoder` reads it once (what follows is not read).

    A syntax error is Go's text; a document that is not an object is Go's type error.
    """
    start = skip_space(content, 0)
    if start == len(content):
        raise _decode_failure("JSON", "EOF")
    try:
        end = scan_value(content, start)
    except ValueError as err:
        raise _decode_failure("JSON", str(err)) from None
    try:
        document = json.loads(content[start:end].decode("utf-8"), parse_int=float)
    except ValueError:  # it scans: only text that is not UTF-8 is left, which Go reads as U+FFFD
        raise _not_reproduced(path, "it is not UTF-8 text (Go's reading of it is not reproduced)") from None
    if not isinstance(document, dict) and document is not None:
        kind = "array" if isinstance(document, list) else _JSON_KINDS.get(type(document), "string")
        raise _decode_failure("JSON", f"json: cannot unmarshal {kind} into Go value of type snapshotter.Snapshot")
    return document or {}


_JSON_KINDS: Final = {bool: "bool", float: "number", str: "string"}


def _snapshot(document: Any, path: str) -> Snapshot:
    """The snapshot of a decoded document: YAML already shaped by `_snapshot_yaml`, or JSON as parsed.

    A JSON document whose shape Go's decoder would refuse, or a key it would match only ignoring
    case, is refused: Go 1.27's encoding/json texts and field matching are not reproduced.
    """
    _check_json_shape(document, _SNAPSHOT_FIELDS, path)
    return Snapshot(
        path=path,
        kind=document.get("kind") or "",
        api_version=document.get("apiVersion") or "",
        measurements=tuple(_measurement(entry) for entry in document.get("measurements") or ()),
    )


_SCALAR: Final = "string"
_READINGS: Final = "readings"
_STRINGS: Final = {"*": _SCALAR}
_ITEM_FIELDS: Final = {"context": _STRINGS, "data": _READINGS}
_SUBTYPE_FIELDS: Final = {"subtype": _SCALAR, "data": _READINGS, "context": _STRINGS, "items": [_ITEM_FIELDS]}
_DIMENSION: Final = {"value": _SCALAR, "source": _SCALAR, "note": _SCALAR, "version": _SCALAR}
_COUNT: Final = {"value": "number", "source": _SCALAR}
_SNAPSHOT_FIELDS: Final = {
    "kind": _SCALAR,
    "apiVersion": _SCALAR,
    "metadata": _STRINGS,
    "fingerprint": {
        **dict.fromkeys(("service", "accelerator", "gpuModel", "os", "k8sVersion", "region"), _DIMENSION),
        **dict.fromkeys(("nodeCount", "gpuNodeCount"), _COUNT),
    },
    "measurements": [{"type": _SCALAR, "subtypes": [_SUBTYPE_FIELDS]}],
}


def _check_json_shape(value: Any, shape: Any, path: str, where: str = "the document") -> None:
    """Refuse what Go's JSON decoder would refuse (or read otherwise) against the snapshot types; null fits all."""
    if value is None or (shape == _READINGS and isinstance(value, dict)):
        return
    if shape in (_SCALAR, "number"):
        whole = isinstance(value, float) and value.is_integer() and abs(value) < 2**63
        if not (isinstance(value, str) if shape == _SCALAR else whole):
            raise _not_reproduced(path, f"{where} is not a {shape} (Go's decoder error text is not reproduced)")
        return
    if isinstance(shape, list):
        if not isinstance(value, list):
            raise _not_reproduced(path, f"{where} is not a list (Go's decoder error text is not reproduced)")
        for item in value:
            _check_json_shape(item, shape[0], path, f"an entry of {where}")
        return
    if not isinstance(value, dict):
        raise _not_reproduced(path, f"{where} is not a mapping (Go's decoder error text is not reproduced)")
    folded = {name.casefold(): name for name in shape if name != "*"}
    for key, item in value.items():
        name = key if key in shape else folded.get(key.casefold())
        if name is not None and name != key:
            raise _not_reproduced(path, f"key {key!r} matches field {name!r} only ignoring case")
        inner = shape.get(name or "*")
        if inner is not None:
            _check_json_shape(item, inner, path, f"`{key}`")


def _measurement(entry: Any) -> Measurement | None:
    if entry is None:
        return None
    return Measurement(
        type=entry.get("type") or "", subtypes=tuple(_subtype(item) for item in entry.get("subtypes") or ())
    )


def _subtype(entry: Any) -> Subtype:
    items = entry.get("items") or ()
    return Subtype(
        name=entry.get("subtype") or "",
        data=_readings(entry.get("data")),
        context=_strings(entry.get("context")),
        items=tuple(Item(context=_strings(item.get("context")), data=_readings(item.get("data"))) for item in items),
    )


def _strings(value: Any) -> dict[str, str]:
    """A Go `map[string]string`: a null value is the empty string."""
    return {key: item or "" for key, item in (value or {}).items()}


def _readings(value: Any) -> dict[str, Reading]:
    """Readings kept as their Go type; a JSON null, list or object becomes its `%v` text."""
    from ._go_values import go_percent_v  # noqa: PLC0415

    readings: dict[str, Reading] = {}
    for key, item in (value or {}).items():
        readings[key] = item if isinstance(item, bool | int | float | str) else go_percent_v(item)
    return readings
