"""A loaded catalog: its overlays, mixins and registry, and what is derived from them."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Generic, TypeVar

from ._errors import ErrorCode, Location, RecipeError, RecipeLoadError
from ._semantics import V0_20, AicrVersion
from ._walk import read_regular_file

if TYPE_CHECKING:
    from ._layer import Layer
    from ._models import Criteria, RecipeMetadata, RecipeMetadataSpec, RecipeMixin
    from ._registry_models import ComponentConfig, ComponentRegistry, ValidatorCatalog
    from ._yaml import SourceMap, YamlDocument

__all__ = ["BASE_NAME", "Catalog", "Memo", "Mixin", "Overlay", "Registry", "ValidatorsFile", "inside"]

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
    yaml: YamlDocument
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


@dataclass(slots=True)
class Catalog:
    """A loaded catalog: base, overlays, mixins, registry, validator catalog and component files.

    Load one with `load_catalog()`. A catalog is read once, the registry's health-check files
    (`healthCheck.assertFile`) included; resolving many queries against it touches the disk again only
    for aicr 1.0's mixin-collision check, which reads a component's values files once.

    Attributes:
        root: The catalog root directory (the parent of `overlays/`).
        base: base.yaml, or None when it is missing (only in a catalog loaded for `check()`).
        overlays: Overlays by `metadata.name`, in file order; a later duplicate replaces an earlier one.
        overlay_files: Every overlay file, duplicates included, in file order.
        mixins: Mixins by name.
        registry: The component registry, or None when missing (only for `check()`).
        validators: The validator catalog, when the catalog has one (read for `check()` only:
            `aicr recipe` never reads it).
        files: Raw bytes of every file under `components/`, by relative path (read for `check()`
            only).
        problems: Load errors collected instead of raised (only for `check()`).
        walked: Every file of the catalog layout, relative to the root, in walk order.
        links: The walked files that are symlinks.
        complete: Whether `validators` and `files` have been read.
        aicr_version: The upstream release the catalog is read, resolved and checked as.
        aicr_version_source: How that release was chosen: `forced` by the caller, `detected` from
            the headers, or `default` (no header says; today's rules, 0.20).
    """

    root: Path
    display_root: str
    base: Overlay | None = None
    overlays: dict[str, Overlay] = field(default_factory=dict)
    overlay_files: list[Overlay] = field(default_factory=list)
    mixins: dict[str, Mixin] = field(default_factory=dict)
    registry: Registry | None = None
    validators: ValidatorsFile | None = None
    files: dict[str, bytes] = field(default_factory=dict)
    problems: list[RecipeLoadError] = field(default_factory=list)
    known_values: dict[str, frozenset[str]] = field(default_factory=dict)
    walked: list[str] = field(default_factory=list)
    links: set[str] = field(default_factory=set)
    complete: bool = False
    aicr_version: AicrVersion = V0_20
    aicr_version_source: str = "default"
    #: The external data layered over this catalog (`load_catalog(..., data=DIR)`), or None.
    layer: Layer | None = None
    _text_cache: dict[str, str] = field(default_factory=dict, repr=False)
    #: Files read at load that could not be read: the error text, raised again when they are used.
    _unreadable: dict[str, str] = field(default_factory=dict, repr=False)
    _memo: dict[Memo[Any, Any], dict[Any, Any]] = field(default_factory=dict, repr=False)

    def __repr__(self) -> str:
        return f"<Catalog {self.display_root!r}: {len(self.overlays)} overlays, {len(self.mixins)} mixins>"

    def display(self, relative: str) -> str:
        """*relative* (to the root) as the user should see it: joined to the root they passed."""
        if self.layer is not None and self.layer.replaces(relative):
            return self.layer.display(relative)
        return relative if self.display_root in ("", ".") else f"{self.display_root}/{relative}"

    def where(self, relative: str) -> Path:
        """The directory *relative* is read from: the layer's when the layer replaces it, else the root."""
        return self.layer.root if self.layer is not None and self.layer.replaces(relative) else self.root

    def has_file(self, relative: str) -> bool:
        """Whether *relative* is a regular file of the catalog or its layer."""
        return (self.where(relative) / relative).is_file()

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
        if relative in self.files:
            text = self.files[relative].decode("utf-8", errors="replace")
        else:
            target = inside(self.where(relative), relative)
            if target is None:
                msg = f"path {relative!r} leaves the catalog root"
                raise RecipeError(msg, code=ErrorCode.INTERNAL, hint="use a path relative to the catalog root")
            try:
                text = read_regular_file(str(target)).decode("utf-8", errors="replace")
            except OSError as err:
                msg = f"open {relative}: {err.strerror or err}"
                raise RecipeError(msg, code=ErrorCode.INTERNAL) from None
        self._text_cache[relative] = text
        return text

    def preload(self, relative: str) -> None:
        """Read *relative* now, for `read_text()` later; if it cannot be read, keep the error to raise then."""
        try:
            self.read_text(relative)
        except RecipeError as err:
            self._unreadable[relative] = err.message

    def memo(self, table: Memo[K, V]) -> dict[K, V]:
        """This catalog's table of the derived data *table* declares (created empty on first use)."""
        found = self._memo.get(table)
        if found is None:
            found = self._memo[table] = {}
        return found


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
