"""A loaded catalog: its overlays, mixins and registry, and what is derived from them."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Final, Generic, TypeVar

from ._errors import ErrorCode, Location, RecipeError, RecipeLoadError
from ._semantics import V0_20, AicrVersion
from ._walk import read_regular_file

if TYPE_CHECKING:
    from collections.abc import Mapping

    from ._layer import Layer
    from ._models import Criteria, RecipeMetadata, RecipeMetadataSpec, RecipeMixin
    from ._registry_models import ComponentConfig, ComponentRegistry, ValidatorCatalog
    from ._yaml import KeyPath, SourceMap, YamlDocument

__all__ = [
    "BASE_NAME",
    "Catalog",
    "CatalogDraft",
    "Memo",
    "Mixin",
    "Overlay",
    "Registry",
    "ValidatorsFile",
    "display_path",
    "inside",
    "read_catalog_text",
]

K = TypeVar("K")
V = TypeVar("V")

BASE_NAME: Final = "base"


class Memo(Generic[K, V]):
    """A declared kind of derived data that a catalog caches, keyed by `K`.

    Each module that derives data from a catalog (criteria index, lineages, compositions) declares
    its tables once at module level; `Catalog.memo(TABLE)` returns that catalog's `dict[K, V]`.
    A catalog never changes after loading, so nothing derived from it ever goes stale, and the
    tables live exactly as long as the catalog.
    """

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"Memo({self.name!r})"


@dataclass(frozen=True, slots=True)
class Overlay:
    """One overlay file (or base.yaml) of a catalog.

    Attributes:
        name: `metadata.name`.
        path: The file, relative to the catalog root (`overlays/h100-any.yaml`).
        document: The parsed `RecipeMetadata`.
        source: Positions of every key and value, for findings and errors.
    """

    name: str
    path: str
    document: RecipeMetadata
    source: SourceMap
    #: Plain scalars a YAML 1.1 reader would not read as text (`YamlDocument.retyped`). The parsed
    #: data itself is not kept beside the models: on a 5,000-overlay catalog it held a third of
    #: the objects the garbage collector traverses, and 14 MiB.
    retyped: Mapping[KeyPath, tuple[str, str]] = field(default_factory=dict)
    #: The overlay's `spec` (a shortcut: resolution reads these millions of times on big catalogs).
    spec: RecipeMetadataSpec = field(init=False)
    #: The overlay's own criteria, or None (base.yaml, or an overlay that never matches).
    criteria: Criteria | None = field(init=False)
    #: The parent overlay's name; `""` or `base` means the root base recipe.
    base: str = field(init=False)

    def __post_init__(self) -> None:
        spec = self.document.spec
        object.__setattr__(self, "spec", spec)
        object.__setattr__(self, "criteria", spec.criteria)
        object.__setattr__(self, "base", spec.base)

    def locate(self, *path: str | int) -> Location:
        """The position of *path* inside this file (nearest existing ancestor if missing)."""
        return self.source.locate(path)


@dataclass(frozen=True, slots=True)
class Mixin:
    """A `RecipeMixin` file of `mixins/`."""

    name: str
    path: str
    document: RecipeMixin
    source: SourceMap

    def locate(self, *path: str | int) -> Location:
        """The position of *path* inside this file."""
        return self.source.locate(path)


@dataclass(frozen=True, slots=True)
class Registry:
    """`registry.yaml`, with its components indexed by name (the first of duplicates wins lookups)."""

    path: str
    document: ComponentRegistry
    source: SourceMap
    yaml: YamlDocument
    by_name: dict[str, ComponentConfig] = field(default_factory=dict)
    #: With a data layer: per merged entry, the file positions it came from and its index there.
    origins: tuple[tuple[SourceMap, int], ...] = ()

    def get(self, name: str) -> ComponentConfig | None:
        """The registry component called *name*, or None."""
        return self.by_name.get(name)

    def locate(self, *path: str | int) -> Location:
        """The position of *path* inside registry.yaml (inside the layer's, for an entry a layer gave)."""
        entry = path[1] if len(path) >= 2 and path[0] == "components" else None
        if isinstance(entry, int) and 0 <= entry < len(self.origins):
            source, index = self.origins[entry]
            return source.locate(("components", index, *path[2:]))
        return self.source.locate(path)

    def locate_component(self, name: str, *path: str | int) -> Location:
        """The position of *path* inside the registry entry of component *name*."""
        for index, component in enumerate(self.document.components):
            if component.name == name:
                return self.locate("components", index, *path)
        return self.source.locate(())


@dataclass(frozen=True, slots=True)
class ValidatorsFile:
    """`validators/catalog.yaml`."""

    path: str
    document: ValidatorCatalog
    source: SourceMap


@dataclass(frozen=True, slots=True, eq=False)
class Catalog:
    """A loaded catalog: base, overlays, mixins, registry and validator catalog. It never changes.

    Load one with `load_catalog()`. A catalog is read once, the registry's health-check files
    (`healthCheck.assertFile`) included; resolving many queries against it touches the disk again only
    for aicr 1.0's mixin-collision check, which reads a component's values files once. Every field
    is read-only (mappings are read-only views, sequences tuples), so anything derived from a
    catalog stays true for its lifetime.

    Attributes:
        root: The catalog root directory (the parent of `overlays/`).
        display_root: The root as the user gave it, for the paths in findings and errors.
        base: base.yaml, or None when it is missing (only in a catalog loaded for `check()`).
        overlays: Overlays by `metadata.name`, in file order; a later duplicate replaces an earlier one.
        overlay_files: Every overlay file, duplicates included, in file order.
        mixins: Mixins by name.
        registry: The component registry, or None when missing (only for `check()`).
        validators: The validator catalog, when the catalog has one (read for `check()` only:
            `aicr recipe` never reads it).
        known_values: Every value each criteria dimension takes in some overlay (lower-cased).
        aicr_version: The upstream release the catalog is read, resolved and checked as.
        aicr_version_source: How that release was chosen: `forced` by the caller, `detected` from
            the headers, or `default` (no header says; today's rules, 0.20).
    """

    root: Path
    display_root: str
    base: Overlay | None = None
    overlays: Mapping[str, Overlay] = field(default_factory=lambda: MappingProxyType({}))
    overlay_files: tuple[Overlay, ...] = ()
    mixins: Mapping[str, Mixin] = field(default_factory=lambda: MappingProxyType({}))
    registry: Registry | None = None
    validators: ValidatorsFile | None = None
    known_values: Mapping[str, frozenset[str]] = field(default_factory=lambda: MappingProxyType({}))
    aicr_version: AicrVersion = V0_20
    aicr_version_source: str = "default"
    #: The external data layered over this catalog (`load_catalog(..., data=DIR)`), or None.
    layer: Layer | None = None
    # What the loader kept for `check()` and for loading the rest later (package-internal).
    #: Every file of the catalog layout, relative to the root, in walk order.
    _walked: tuple[str, ...] = field(default=(), repr=False)
    #: The walked files that are symlinks.
    _links: frozenset[str] = field(default=frozenset(), repr=False)
    #: Raw bytes of every file under `components/` (read for `check()` only).
    _files: Mapping[str, bytes] = field(default_factory=lambda: MappingProxyType({}), repr=False)
    #: Load errors collected instead of raised (only for `check()`).
    _problems: tuple[RecipeLoadError, ...] = field(default=(), repr=False)
    #: Whether `validators` and the component files have been read.
    _complete: bool = field(default=False, repr=False)
    # Caches of what is read or derived on demand: they only ever gain entries that follow from
    # the fields above, so the catalog's meaning never changes.
    #: Files read at load that could not be read: the error text, raised again when they are used.
    _unreadable: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}), repr=False)
    _text_cache: dict[str, str] = field(default_factory=dict, repr=False)
    _memo: dict[Memo[Any, Any], dict[Any, Any]] = field(default_factory=dict, repr=False)

    def __repr__(self) -> str:
        return f"<Catalog {self.display_root!r}: {len(self.overlays)} overlays, {len(self.mixins)} mixins>"

    def display(self, relative: str) -> str:
        """*relative* (to the root) as the user should see it: joined to the root they passed."""
        return layered_display(self.layer, self.display_root, relative)

    def where(self, relative: str) -> Path:
        """The directory *relative* is read from: the layer's when the layer replaces it, else the root."""
        return layered_root(self.layer, self.root, relative)

    def has_file(self, relative: str) -> bool:
        """Whether *relative* is a regular file of the catalog or its layer."""
        return (self.where(relative) / relative).is_file()

    def has_path(self, relative: str) -> bool:
        """Whether anything (a file, a directory, a dangling link) is at *relative* in the catalog or its layer."""
        path = self.where(relative) / relative
        return path.is_symlink() or path.exists()

    def get(self, name: str) -> Overlay | None:
        """Upstream `GetRecipeByName`: `""` and `base` name the base recipe."""
        if name in ("", BASE_NAME):
            return self.base
        return self.overlays.get(name)

    def contains_path(self, relative: str) -> bool:
        """Whether *relative* names a file inside the catalog root (no escape, no absolute path)."""
        return inside(self.where(relative), relative) is not None

    def read_text(self, relative: str) -> str:
        """Read a catalog file as text, once; only files inside the root are read.

        Raises:
            RecipeError: `INTERNAL` when the path leaves the root or the file cannot be read.
        """
        cached = self._text_cache.get(relative)
        if cached is not None:
            return cached
        if relative in self._unreadable:
            raise RecipeError(self._unreadable[relative], code=ErrorCode.INTERNAL)
        if relative in self._files:
            text = self._files[relative].decode("utf-8", errors="replace")
        else:
            text = read_catalog_text(self.where(relative), relative)
        self._text_cache[relative] = text
        return text

    def memo(self, table: Memo[K, V]) -> dict[K, V]:
        """This catalog's table of the derived data *table* declares (created empty on first use)."""
        found = self._memo.get(table)
        if found is None:
            found = self._memo[table] = {}
        return found


@dataclass(slots=True)
class CatalogDraft:
    """A catalog while it is being read: the loader fills it, then freezes it into a `Catalog`."""

    root: Path
    display_root: str
    base: Overlay | None = None
    overlays: dict[str, Overlay] = field(default_factory=dict)
    overlay_files: list[Overlay] = field(default_factory=list)
    mixins: dict[str, Mixin] = field(default_factory=dict)
    registry: Registry | None = None
    validators: ValidatorsFile | None = None
    known_values: dict[str, frozenset[str]] = field(default_factory=dict)
    aicr_version: AicrVersion = V0_20
    aicr_version_source: str = "default"
    layer: Layer | None = None
    walked: list[str] = field(default_factory=list)
    links: set[str] = field(default_factory=set)
    #: The walked files that are not symlinks: each is inside its root as written.
    plain: set[str] = field(default_factory=set)
    files: dict[str, bytes] = field(default_factory=dict)
    problems: list[RecipeLoadError] = field(default_factory=list)
    complete: bool = False
    texts: dict[str, str] = field(default_factory=dict)
    unreadable: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, catalog: Catalog) -> CatalogDraft:
        """A draft holding everything *catalog* holds, to read more into."""
        return cls(
            root=catalog.root,
            display_root=catalog.display_root,
            base=catalog.base,
            overlays=dict(catalog.overlays),
            overlay_files=list(catalog.overlay_files),
            mixins=dict(catalog.mixins),
            registry=catalog.registry,
            validators=catalog.validators,
            known_values=dict(catalog.known_values),
            aicr_version=catalog.aicr_version,
            aicr_version_source=catalog.aicr_version_source,
            layer=catalog.layer,
            walked=list(catalog._walked),
            links=set(catalog._links),
            plain=set(catalog._walked).difference(catalog._links),
            files=dict(catalog._files),
            problems=list(catalog._problems),
            complete=catalog._complete,
            texts=dict(catalog._text_cache),
            unreadable=dict(catalog._unreadable),
        )

    def display(self, relative: str) -> str:
        """*relative* as the user should see it (see `Catalog.display`)."""
        return layered_display(self.layer, self.display_root, relative)

    def where(self, relative: str) -> Path:
        """The directory *relative* is read from (see `Catalog.where`)."""
        return layered_root(self.layer, self.root, relative)

    def read_file(self, relative: str) -> bytes | RecipeLoadError:
        """The bytes of *relative*, or the load error saying why it cannot be read."""
        # The walk does not follow directory symlinks, so only a symlinked file can leave the root.
        # Plain strings, not Path objects: this runs once per file, and pathlib's per-call
        # overhead is a tenth of loading a small overlay.
        target: Path | str | None = os.path.join(self.where(relative), relative)  # noqa: PTH118
        if relative in self.links:
            target = inside(self.where(relative), relative)
        if target is None:
            return RecipeLoadError(
                f"{relative} is a symlink that leaves the catalog root; it was not read",
                location=Location(self.display(relative)),
                hint="replace the symlink with the file itself, or point it inside the catalog",
            )
        try:
            return read_regular_file(str(target))
        except OSError as err:
            return RecipeLoadError(
                f"failed to read {relative}: {err.strerror or err}",
                code=ErrorCode.INTERNAL,
                location=Location(self.display(relative)),
                hint="make it a readable regular file (FIFOs, devices and sockets are never read)",
            )

    def preload(self, relative: str) -> None:
        """Read *relative* now, for `Catalog.read_text()` later; if it cannot be read, keep the error to raise then."""
        if relative in self.texts or relative in self.unreadable:
            return  # components may share a file
        try:
            self.texts[relative] = read_catalog_text(self.where(relative), relative, walked=relative in self.plain)
        except RecipeError as err:
            self.unreadable[relative] = err.message

    def freeze(self) -> Catalog:
        """The finished, read-only catalog."""
        return Catalog(
            root=self.root,
            display_root=self.display_root,
            base=self.base,
            overlays=MappingProxyType(self.overlays),
            overlay_files=tuple(self.overlay_files),
            mixins=MappingProxyType(self.mixins),
            registry=self.registry,
            validators=self.validators,
            known_values=MappingProxyType(self.known_values),
            aicr_version=self.aicr_version,
            aicr_version_source=self.aicr_version_source,
            layer=self.layer,
            _walked=tuple(self.walked),
            _links=frozenset(self.links),
            _files=MappingProxyType(self.files),
            _problems=tuple(self.problems),
            _complete=self.complete,
            _unreadable=MappingProxyType(self.unreadable),
            _text_cache=self.texts,
        )


def display_path(display_root: str, relative: str) -> str:
    """*relative* (to a catalog root) as the user should see it: joined to the root as they gave it."""
    return relative if display_root in ("", ".") else f"{display_root}/{relative}"


def layered_display(layer: Layer | None, display_root: str, relative: str) -> str:
    """*relative* as the user should see it: in the layer as they named it when the layer replaces it."""
    if layer is not None and layer.replaces(relative):
        return layer.display(relative)
    return display_path(display_root, relative)


def layered_root(layer: Layer | None, root: Path, relative: str) -> Path:
    """The directory *relative* is read from: the layer's when the layer replaces it, else *root*."""
    return layer.root if layer is not None and layer.replaces(relative) else root


def read_catalog_text(root: Path, relative: str, *, walked: bool = False) -> str:
    """The file *relative* under *root* as text (undecodable bytes replaced).

    *walked*: the catalog's walk met *relative* as a file, not a symlink, below no symlinked
    directory, so it is inside *root* as written and its path needs no resolving (the 43 health-check
    files of upstream's catalog: 0.6 ms instead of 3.4 ms).

    Raises:
        RecipeError: `INTERNAL` when the path leaves the root or the file cannot be read.
    """
    target = os.path.join(root, relative) if walked else inside(root, relative)  # noqa: PTH118 - see read_file
    if target is None:
        msg = f"path {relative!r} leaves the catalog root"
        raise RecipeError(msg, code=ErrorCode.INTERNAL, hint="use a path relative to the catalog root")
    try:
        return read_regular_file(str(target)).decode("utf-8", errors="replace")
    except OSError as err:
        # Go's words, as upstream's embedded catalog reports a missing file (`fs.ErrNotExist`).
        reason = "file does not exist" if isinstance(err, FileNotFoundError) else (err.strerror or str(err)).lower()
        msg = f"open {relative}: {reason}"
        raise RecipeError(msg, code=ErrorCode.INTERNAL) from None


def inside(root: Path, relative: str) -> Path | None:
    """The file *relative* names under *root*, or None when it is absolute or escapes the root."""
    if not relative or "\0" in relative or Path(relative).is_absolute() or relative.startswith(("/", "\\")):
        return None
    candidate = root / relative
    try:
        resolved = candidate.resolve()
        root_resolved = root.resolve()
    except (OSError, RuntimeError):
        return None
    if resolved != root_resolved and root_resolved not in resolved.parents:
        return None
    return candidate
