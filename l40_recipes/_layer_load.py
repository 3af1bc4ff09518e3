"""Loading with a data layer: the layered walk, the layer-only overlay rule, the merged registry."""

from __future__ import annotations

import json
import os
from contextlib import contextmanager
from typing import TYPE_CHECKING

from ._catalog import Registry
from ._decoding import decode, gate_header, read_header
from ._errors import ErrorCode, Location, RecipeError, RecipeLoadError
from ._layer import merge_by_name
from ._registry_models import ComponentRegistry
from ._walk import read_regular_file, walk
from ._yaml import parse_yaml
from ._yaml_errors import YamlError

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from ._catalog import Overlay
    from ._layer import Layer
    from ._yaml import SourceMap

__all__ = ["check_layer_overlay", "layer_registry", "layer_registry_header", "walk_layered"]


def walk_layered(root: Path, layer: Layer | None) -> Iterator[tuple[str, bool]]:
    """(relative path, is a symlink) in upstream's layered walk order: the layer's files, then the rest.

    Every file of the layer is walked, as upstream walks its whole external directory (a layer holds
    no symlink: `open_layer` refused them); the catalog's files follow, minus the paths the layer has.
    """
    if layer is None:
        yield from walk(root)
        return
    for relative in layer.files:
        yield relative, False
    for relative, link in walk(root):
        if not layer.has(relative):
            yield relative, link


def check_layer_overlay(layer: Layer | None, overlay: Overlay) -> None:
    """Refuse a layer overlay that sets `criteria.nodes` (upstream's message; the walk wraps it).

    Raises:
        RecipeLoadError: the overlay comes from the layer and its `criteria.nodes` is not 0.
    """
    if layer is None or not layer.replaces(overlay.path) or overlay.criteria is None or not overlay.criteria.nodes:
        return
    if overlay.path.rsplit("/", 1)[-1] == "base.yaml" and "overlays/" in overlay.path:
        return  # the base recipe is no overlay: upstream never looks at its criteria
    name = json.dumps(overlay.name, ensure_ascii=False)
    msg = (
        f"external overlay {name} sets criteria.nodes={overlay.criteria.nodes} which is no longer used for "
        "overlay selection (#1781): nodes is metadata-only and the overlay would silently match every query; "
        "remove or zero criteria.nodes in your --data catalog"
    )
    raise RecipeLoadError(
        msg,
        location=overlay.locate("spec", "criteria", "nodes"),
        hint="remove criteria.nodes (aicr ignores it in matching)",
    )


def layer_registry_header(layer: Layer) -> tuple[str, str, Location] | None:
    """`(shown path, apiVersion, its location)` of the layer's `registry.yaml`, for choosing the release.

    None when the layer has none, or it cannot be read or has no string apiVersion: loading reports
    an unreadable one, and a header that says nothing is no evidence.
    """
    if not layer.has("registry.yaml"):
        return None
    shown = layer.display("registry.yaml")
    try:
        document = parse_yaml(
            read_regular_file(os.path.join(layer.root, "registry.yaml")),  # noqa: PTH118
            path=shown,
            defer_binary=True,
        )
    except (OSError, RecipeError):
        return None
    data = document.data
    if not isinstance(data, dict) or not isinstance(data.get("apiVersion"), str):
        return None
    return shown, data["apiVersion"], document.source.locate_value(("apiVersion",))


def layer_registry(
    registry: Registry, layer: Layer, header_rule: Callable[[str, str, str], None] | None = None
) -> Registry:
    """*registry* with the layer's `registry.yaml` merged in by component name (see `merge_by_name`).

    *header_rule* is the release's registry header check: v1.0 checks the layer's header before the
    merge; 9793720d (None) keeps the catalog's header and never reads the layer's. Unknown keys are
    ignored, as upstream's non-strict decode ignores them.

    Raises:
        RecipeLoadError: the layer's registry cannot be read or decoded (`INTERNAL`, exit 8, as
            upstream's `failed to read registry.yaml: failed to parse external registry.yaml: ...`),
            or its header is refused (at the header, as the catalog's own would be).
    """
    relative = "registry.yaml"
    shown = layer.display(relative)
    try:
        content = read_regular_file(os.path.join(layer.root, relative))  # noqa: PTH118
    except OSError as err:
        path = os.path.join(layer.root, relative)  # noqa: PTH118
        reason = "is a directory" if os.path.isdir(path) else (err.strerror or str(err)).lower()  # noqa: PTH112
        cause = RecipeError(
            "failed to read external registry.yaml", code=ErrorCode.INTERNAL, cause=OSError(f"read {path}: {reason}")
        )
        raise RecipeLoadError(
            "failed to read registry.yaml",
            code=ErrorCode.INTERNAL,
            cause=cause,
            location=Location(shown),
            hint="make the layer's registry.yaml a readable regular file",
        ) from None
    with _as_parse_failure():
        document = parse_yaml(content, path=shown, defer_binary=True)
        header = read_header(document, shown, what="registry") if header_rule is not None else None
    if header_rule is not None and header is not None:
        gate_header(header_rule, *header, shown, document)  # before the merge, refused as the catalog's own
    with _as_parse_failure():
        external = decode(ComponentRegistry, document, shown)
    merged = merge_by_name(list(registry.document.components), list(external.components))
    components = [item for _, _, item in merged]
    origins: tuple[tuple[SourceMap, int], ...] = tuple(
        (document.source if from_layer else registry.source, index) for from_layer, index, _ in merged
    )
    by_name = {component.name: component for component in components}
    return Registry(
        registry.path,
        registry.document.model_copy(update={"components": components}),
        registry.source,
        registry.yaml,
        by_name,
        origins,
    )


@contextmanager
def _as_parse_failure() -> Iterator[None]:
    """A load error inside becomes upstream's `failed to parse external registry.yaml` wrapping."""
    try:
        yield
    except RecipeLoadError as err:
        underlying: Exception = err.cause if isinstance(err.cause, YamlError) else ValueError(err.message)
        raise _failure(underlying, err.location, err.hint) from None


def _failure(cause: Exception, location: Location | None, hint: str | None) -> RecipeLoadError:
    parse = RecipeError("failed to parse external registry.yaml", code=ErrorCode.INTERNAL, cause=cause)
    return RecipeLoadError(
        "failed to read registry.yaml",
        code=ErrorCode.INTERNAL,
        cause=parse,
        location=location,
        hint=hint or "the layer's registry.yaml is a ComponentRegistry: `components:` holds a list of entries",
    )
