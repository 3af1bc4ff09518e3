"""`l40-recipes export-layer DIR`: the part of a catalog another catalog lacks, as an `aicr --data` layer.

What goes into the layer is derived, not listed: given the catalog the layer will be used over
(`over`, e.g. upstream's `recipes/`), the layer holds

- every overlay and mixin of the source catalog whose `metadata.name` `over` does not have (an
  overlay `over` has is left to `over`: a layer file at another path could not replace it anyway,
  since the layer is walked first and the same-named catalog file wins);
- a `registry.yaml` with only the entries those overlays and mixins reference that `over`'s
  registry lacks (an entry `over` has is never replaced, so `over`'s other recipes stay as they are);
- the values, manifest and health-check files those overlays and entries name that `over` lacks.

Headers are rewritten (only the `apiVersion` value) to the release the target aicr reads. Nothing is
written into a non-empty directory, over an existing file, or inside either catalog.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

import yaml

from ._errors import ErrorCode, RecipeError
from ._migrate import _rewrite
from ._semantics import V1ALPHA2, V1ALPHA3, V1BETA1, V1BETA2, aicr_version as as_aicr_version
from ._version import __version__
from ._walk import read_regular_file
from ._yaml import parse_yaml

if TYPE_CHECKING:
    from ._catalog import Catalog
    from ._semantics import AicrVersion

__all__ = ["LayerPlan", "export_layer", "plan_layer"]

#: Header value per release, by the header value of either release.
_HEADERS: Final[dict[str, dict[str, str]]] = {
    "0.20": {V1BETA1: V1ALPHA2, V1BETA2: V1ALPHA3, V1ALPHA2: V1ALPHA2, V1ALPHA3: V1ALPHA3},
    "1.0": {V1ALPHA2: V1BETA1, V1ALPHA3: V1BETA2, V1BETA1: V1BETA1, V1BETA2: V1BETA2},
}


@dataclass(frozen=True, slots=True)
class LayerPlan:
    """What a layer holds (paths relative to the source catalog root, in sorted order).

    Attributes:
        overlays: Overlay files `over` has no overlay of the same name for.
        mixins: Mixin files of mixins those overlays use that `over` lacks.
        components: Registry entries those overlays and mixins reference that `over`'s registry lacks.
        files: Values, manifest and health-check files they name that `over` lacks.
    """

    overlays: tuple[str, ...]
    mixins: tuple[str, ...]
    components: tuple[str, ...]
    files: tuple[str, ...]


def plan_layer(catalog: Catalog, over: Catalog) -> LayerPlan:
    """What `export_layer` writes for *catalog* used over *over* (see the module docstring)."""
    if catalog.registry is None or over.registry is None:
        msg = "both catalogs need a registry.yaml to plan a layer"
        raise RecipeError(msg, code=ErrorCode.INVALID_REQUEST, hint="load both catalogs without problems first")
    overlays = [overlay for overlay in catalog.overlay_files if overlay.name not in over.overlays]
    overlays = [overlay for overlay in overlays if catalog.overlays.get(overlay.name) is overlay]
    wanted_mixins = sorted({name for overlay in overlays for name in overlay.spec.mixins} - set(over.mixins))
    mixins = [catalog.mixins[name] for name in wanted_mixins if name in catalog.mixins]
    refs = [ref for overlay in overlays for ref in overlay.spec.component_refs]
    refs += [ref for mixin in mixins for ref in mixin.document.spec.component_refs]
    components = sorted(
        {ref.name for ref in refs if over.registry.get(ref.name) is None and catalog.registry.get(ref.name)}
    )
    named: set[str] = set()
    for ref in refs:
        named.update([ref.values_file, *ref.manifest_files, *ref.pre_manifest_files])
    for entry in filter(None, map(catalog.registry.get, components)):
        named.update([entry.health_check.assert_file, *entry.manifest_files])
    files = sorted(path for path in named if path and catalog.has_file(path) and not over.has_file(path))
    return LayerPlan(
        tuple(sorted(overlay.path for overlay in overlays)),
        tuple(sorted(mixin.path for mixin in mixins)),
        tuple(components),
        tuple(files),
    )


def export_layer(
    target: str | os.PathLike[str],
    *,
    catalog: Catalog,
    over: Catalog,
    aicr_version: AicrVersion | str | None = None,
) -> list[str]:
    """Write the layer of *catalog* over *over* into the new or empty directory *target*.

    *aicr_version* chooses the headers (`"0.20"`: `aicr.run/v1alpha2`, as aicr 0.x and 9793720d
    read; `"1.0"`: `aicr.run/v1beta1`); default: the release *over* was read as.

    Returns:
        The files written, relative to *target*, in the order written.

    Raises:
        RecipeError: *target* is a file, a non-empty directory, or inside one of the catalogs;
            a file cannot be written (nothing is ever overwritten).
    """
    release = as_aicr_version(aicr_version) or over.aicr_version
    mapping = _HEADERS[release.name]
    destination = Path(target)
    _refuse(destination, (catalog.root, over.root))
    plan = plan_layer(catalog, over)
    contents: dict[str, bytes] = {"registry.yaml": _registry(catalog, plan, mapping[V1ALPHA2])}
    for relative in (*plan.overlays, *plan.mixins):
        contents[relative] = _with_header(catalog, relative, mapping)
    for relative in plan.files:
        contents[relative] = _read(catalog, relative)
    written: list[str] = []
    try:
        destination.mkdir(parents=True, exist_ok=True)
        for relative in sorted(contents):
            path = destination / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("xb") as stream:  # never over an existing file
                stream.write(contents[relative])
            written.append(relative)
    except OSError as err:
        msg = f"failed to write the layer into {os.fspath(destination)}: {err.strerror or err}"
        raise RecipeError(msg, code=ErrorCode.INTERNAL, hint="write into a new or empty directory") from None
    return written


def _refuse(destination: Path, roots: tuple[Path, ...]) -> None:
    shown = os.fspath(destination)
    if destination.exists() and (not destination.is_dir() or any(destination.iterdir())):
        msg = f"refusing to write the layer into {shown}: it exists and is not an empty directory"
        raise RecipeError(msg, code=ErrorCode.INVALID_REQUEST, hint="name a new or empty directory")
    resolved = destination.resolve()
    for root in roots:
        inside = root.resolve()
        if resolved == inside or inside in resolved.parents:
            msg = f"refusing to write the layer into {shown}: it is inside the catalog {os.fspath(root)}"
            raise RecipeError(msg, code=ErrorCode.INVALID_REQUEST, hint="write the layer outside both catalogs")


def _read(catalog: Catalog, relative: str) -> bytes:
    try:
        return read_regular_file(os.path.join(catalog.where(relative), relative))  # noqa: PTH118
    except OSError as err:
        msg = f"failed to read {catalog.display(relative)}: {err.strerror or err}"
        raise RecipeError(msg, code=ErrorCode.INTERNAL) from None


def _with_header(catalog: Catalog, relative: str, mapping: dict[str, str]) -> bytes:
    """The file's bytes with its `apiVersion` value moved to the target release (nothing else changed)."""
    content = _read(catalog, relative)
    document = parse_yaml(content, path=catalog.display(relative))
    old = document.data.get("apiVersion") if isinstance(document.data, dict) else None
    new = mapping.get(old) if isinstance(old, str) else None
    if new is None or new == old:
        return content
    return _rewrite(content, document, old=str(old), new=new, shown=catalog.display(relative))


def _registry(catalog: Catalog, plan: LayerPlan, api_version: str) -> bytes:
    """`registry.yaml` holding only the planned entries, as they are written in the source registry."""
    assert catalog.registry is not None  # checked by plan_layer
    raw = catalog.registry.yaml.data
    entries = raw.get("components", []) if isinstance(raw, dict) else []
    chosen = [entry for entry in entries if isinstance(entry, dict) and entry.get("name") in plan.components]
    lines = [
        f"# Written by l40-recipes {__version__} export-layer: the registry entries that the overlays of",
        "# this layer use and that the catalog it was exported for lacks. aicr merges them into its own",
        "# registry by component name; no entry of that registry is replaced.",
        f"apiVersion: {api_version}",
        "kind: ComponentRegistry",
    ]
    body = yaml.safe_dump({"components": chosen}, sort_keys=False, default_flow_style=False, width=100)
    return ("\n".join(lines) + "\n" + body).encode("utf-8")
