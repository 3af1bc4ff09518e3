"""A snapshot file (`kind: Snapshot`), read as `aicr recipe --snapshot FILE` reads it.

Upstream decodes the file into its snapshot types (YAML for `.yaml`/`.yml`, JSON otherwise),
leniently (unknown fields are ignored), then refuses a document of another kind or apiVersion and
one without a measurement that names its type. A reading keeps the Go type the decoder gave it:
YAML scalars resolve as yaml.v3 resolves them into `interface{}` (int, float, bool, string), JSON
numbers are all float64. Only files are read: ConfigMaps and URLs would need a cluster or the
network, and what cannot be decoded exactly as upstream decodes it is refused, never guessed.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, TypeAlias

from ._errors import ErrorCode, RecipeError
from ._go_text import go_quote, go_v
from ._scalars import STR, TypedText
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
    if api_version == expected or (not api_version and not semantics.header_required):
        return
    note = retirement_note(api_version, absent_was_accepted=True) if semantics.header_required else ""
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


def _decode_yaml(content: bytes, path: str) -> Any:
    from ._snapshot_yaml import SnapshotYamlError, decode_snapshot_yaml  # noqa: PLC0415
    from ._yaml import compose_first, parse_yaml  # noqa: PLC0415

    if not content.strip(b" \t\r\n"):
        raise _decode_failure("YAML", "EOF")
    try:
        parse_yaml(content, path=path, defer_binary=True)  # the syntax check, in yaml.v3's words
    except RecipeError as err:
        cause = str(err.cause) if err.cause is not None else ""
        if "already defined at line" not in cause:  # a repeated key is the decoder's to report
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
    def refuse_constant(name: str) -> Any:
        raise ValueError(name)

    try:
        return json.loads(content.decode("utf-8"), parse_constant=refuse_constant, parse_int=float)
    except (ValueError, UnicodeDecodeError):
        if not content.strip(b" \t\r\n"):
            raise _decode_failure("JSON", "EOF") from None
        raise _not_reproduced(path, "it is not JSON (Go's decoder error text is not reproduced)") from None


def _snapshot(document: Any, path: str) -> Snapshot:
    if not isinstance(document, dict):
        raise _not_reproduced(path, "its top level is not a mapping")
    measurements = document.get("measurements")
    if measurements is None:
        entries: list[Any] = []
    elif isinstance(measurements, list):
        entries = measurements
    else:
        raise _not_reproduced(path, "`measurements` is not a list")
    _check_header_extras(document, path)
    return Snapshot(
        path=path,
        kind=_text(document.get("kind"), path, "kind"),
        api_version=_text(document.get("apiVersion"), path, "apiVersion"),
        measurements=tuple(_measurement(entry, path) for entry in entries),
    )


#: The fingerprint `aicr snapshot` writes: dimension -> whether its `value` is an int (else a string).
_FINGERPRINT: Final = {
    **dict.fromkeys(("service", "accelerator", "gpuModel", "os", "k8sVersion", "region"), False),
    **dict.fromkeys(("nodeCount", "gpuNodeCount"), True),
}


def _check_header_extras(document: dict[str, Any], path: str) -> None:
    """`metadata` (strings) and `fingerprint` are decoded but unused: a shape Go would refuse is refused."""
    metadata = document.get("metadata")
    if metadata is not None:
        if not isinstance(metadata, dict):
            raise _not_reproduced(path, "`metadata` is not a mapping")
        for key, value in metadata.items():
            _text(value, path, f"metadata.{key}")
    fingerprint = document.get("fingerprint")
    if fingerprint is None:
        return
    if not isinstance(fingerprint, dict):
        raise _not_reproduced(path, "`fingerprint` is not a mapping")
    for name, numeric in _FINGERPRINT.items():
        dimension = fingerprint.get(name)
        if dimension is None:
            continue
        if not isinstance(dimension, dict):
            raise _not_reproduced(path, f"`fingerprint.{name}` is not a mapping")
        for key, value in dimension.items():
            if key == "value" and numeric:
                number = value.value if isinstance(value, TypedText) else value
                if value is not None and (isinstance(number, bool) or not isinstance(number, int | float)):
                    raise _not_reproduced(path, f"`fingerprint.{name}.value` is not a number")
            elif key in ("value", "source", "note", "version"):
                _text(value, path, f"fingerprint.{name}.{key}")


def _text(value: Any, path: str, where: str) -> str:
    """A Go string field: any scalar's text (JSON: strings only); null is the empty string."""
    if value is None:
        return ""
    if isinstance(value, TypedText):
        return str.__str__(value)
    if isinstance(value, str):
        return value
    raise _not_reproduced(path, f"`{where}` is not a string")


def _measurement(entry: Any, path: str) -> Measurement | None:
    if entry is None:
        return None
    if not isinstance(entry, dict):
        raise _not_reproduced(path, "a measurement is not a mapping")
    subtypes = entry.get("subtypes")
    if subtypes is not None and not isinstance(subtypes, list):
        raise _not_reproduced(path, "`subtypes` is not a list")
    return Measurement(
        type=_text(entry.get("type"), path, "type"),
        subtypes=tuple(_subtype(item, path) for item in subtypes or ()),
    )


def _subtype(entry: Any, path: str) -> Subtype:
    if not isinstance(entry, dict):
        raise _not_reproduced(path, "a subtype is not a mapping")
    items = entry.get("items")
    if items is not None and not isinstance(items, list):
        raise _not_reproduced(path, "`items` is not a list")
    return Subtype(
        name=_text(entry.get("subtype"), path, "subtype"),
        data=_readings(entry.get("data"), path),
        context=_context(entry.get("context"), path),
        items=tuple(_item(item, path) for item in items or ()),
    )


def _item(entry: Any, path: str) -> Item:
    if not isinstance(entry, dict):
        raise _not_reproduced(path, "an item is not a mapping")
    return Item(context=_context(entry.get("context"), path), data=_readings(entry.get("data"), path))


def _context(value: Any, path: str) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(key, str) for key in value):
        raise _not_reproduced(path, "a `context` is not a mapping of strings")
    return {key: _text(item, path, f"context.{key}") for key, item in value.items()}


def _readings(value: Any, path: str) -> dict[str, Reading]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(key, str) for key in value):
        raise _not_reproduced(path, "a `data` is not a mapping with string keys")
    return {key: _reading(item, path, key) for key, item in value.items()}


def _reading(value: Any, path: str, key: str) -> Reading:
    """A reading: a scalar keeps its Go type; anything else becomes the string Go's `%v` prints for it."""
    value = _plain(value)
    if isinstance(value, bool | int | float | str):
        return value
    text = _percent_v(value)
    if text is None:
        raise _not_reproduced(path, f"reading {key!r} holds a value whose Go `%v` text is not reproduced")
    return text


def _plain(value: Any) -> Any:
    if isinstance(value, TypedText):
        return str.__str__(value) if value.tag == STR else value.value
    return value


def _percent_v(value: Any) -> str | None:
    """Go's `fmt.Sprintf("%v")` of a decoded `interface{}`: `<nil>`, `[a b]`, `map[k:v]` (keys sorted); else None."""
    value = _plain(value)
    if value is None:
        return "<nil>"
    if isinstance(value, bool | int | float):
        return reading_text(value)
    if isinstance(value, str):
        return value
    if isinstance(value, list):
        parts = [_percent_v(item) for item in value]
        return None if None in parts else "[" + " ".join(part for part in parts if part is not None) + "]"
    if isinstance(value, dict) and all(isinstance(name, str) and not isinstance(name, TypedText) for name in value):
        entries = [(name, _percent_v(item)) for name, item in sorted(value.items())]
        if any(text is None for _, text in entries):
            return None
        return "map[" + " ".join(f"{name}:{text}" for name, text in entries) + "]"
    return None  # times, non-string keys, binary: not reproduced
