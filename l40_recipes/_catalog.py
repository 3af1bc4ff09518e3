"""Load a catalog directory into models, the way upstream's `buildMetadataStore` does.

Upstream walks every file under its data root. A catalog here may live at a repository root next to
unrelated YAML (CI workflows, pre-commit hooks, tests), so only the upstream layout is walked:
`overlays/`, `mixins/`, `components/`, `checks/`, `validators/` and `registry.yaml`. Inside those,
files are classified exactly as upstream classifies them, in upstream's walk order.

Nothing here writes to the catalog, and nothing outside the catalog root is ever read: a symlink or
a referenced path that leaves the root is reported and skipped.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final, Generic, TypeVar

from pydantic import BaseModel, ValidationError

from ._errors import ErrorCode, Location, RecipeError, RecipeLoadError
from ._gc import collector_paused
from ._measurement import validate_path
from ._models import DIMENSIONS, Constraint, GoModel, RecipeMetadata, RecipeMixin, is_wild
from ._registry_models import ComponentConfig, ComponentRegistry, ValidatorCatalog
from ._yaml import Document, SourceMap, parse_yaml

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

    from ._cache import ParseCache
    from ._models import Criteria, RecipeMetadataSpec

__all__ = ["Catalog", "Memo", "Mixin", "Overlay", "Registry", "load_catalog"]

_M = TypeVar("_M", bound=BaseModel)
K = TypeVar("K")
V = TypeVar("V")

#: Top-level entries of a catalog root that are walked (upstream's `recipes/` layout).
LAYOUT: Final = ("checks", "components", "mixins", "overlays", "registry.yaml", "validators")
PROFILE_API_VERSION: Final = "aicr.run/v1alpha3"
RECIPE_METADATA_KIND: Final = "RecipeMetadata"
RECIPE_MIXIN_KIND: Final = "RecipeMixin"
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
    yaml: Document
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
    yaml: Document
    by_name: dict[str, ComponentConfig] = field(default_factory=dict)

    def get(self, name: str) -> ComponentConfig | None:
        """The registry component called *name*, or None."""
        return self.by_name.get(name)

    def locate(self, *path: str | int) -> Location:
        """The position of *path* inside registry.yaml."""
        return self.source.locate(path)

    def locate_component(self, name: str, *path: str | int) -> Location:
        """The position of *path* inside the registry entry of component *name*."""
        for index, component in enumerate(self.document.components):
            if component.name == name:
                return self.source.locate(("components", index, *path))
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

    Load one with `load_catalog()`. A catalog is read once; resolving many queries against it does
    not touch the disk again except to read (and cache) health-check files on first use.

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
    _text_cache: dict[str, str] = field(default_factory=dict, repr=False)
    _memo: dict[Memo[Any, Any], dict[Any, Any]] = field(default_factory=dict, repr=False)

    def __repr__(self) -> str:
        return f"<Catalog {self.display_root!r}: {len(self.overlays)} overlays, {len(self.mixins)} mixins>"

    def display(self, relative: str) -> str:
        """*relative* (to the root) as the user should see it: joined to the root they passed."""
        return relative if self.display_root in ("", ".") else f"{self.display_root}/{relative}"

    def get(self, name: str) -> Overlay | None:
        """Upstream `GetRecipeByName`: `""` and `base` name the base recipe."""
        if name in ("", BASE_NAME):
            return self.base
        return self.overlays.get(name)

    def contains_path(self, relative: str) -> bool:
        """Whether *relative* names a file inside the catalog root (no escape, no absolute path)."""
        return _inside(self.root, relative) is not None

    def read_text(self, relative: str) -> str:
        """Read a catalog file as text, once; only files inside the root are read.

        Raises:
            RecipeError: `INTERNAL` when the path leaves the root or the file cannot be read.
        """
        cached = self._text_cache.get(relative)
        if cached is not None:
            return cached
        if relative in self.files:
            text = self.files[relative].decode("utf-8", errors="replace")
        else:
            target = _inside(self.root, relative)
            if target is None:
                msg = f"path {relative!r} leaves the catalog root"
                raise RecipeError(msg, code=ErrorCode.INTERNAL, hint="use a path relative to the catalog root")
            try:
                text = target.read_bytes().decode("utf-8", errors="replace")
            except OSError as err:
                msg = f"open {relative}: {err.strerror or err}"
                raise RecipeError(msg, code=ErrorCode.INTERNAL) from None
        self._text_cache[relative] = text
        return text

    def memo(self, table: Memo[K, V]) -> dict[K, V]:
        """This catalog's table of the derived data *table* declares (created empty on first use)."""
        found = self._memo.get(table)
        if found is None:
            found = self._memo[table] = {}
        return found


def _inside(root: Path, relative: str) -> Path | None:
    """The file *relative* names under *root*, or None when it is absolute or escapes the root."""
    if not relative or Path(relative).is_absolute() or relative.startswith(("/", "\\")):
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


def load_catalog(path: str | os.PathLike[str]) -> Catalog:
    """Load the catalog at *path*: a catalog root, or its `overlays/` directory.

    >>> catalog = load_catalog("overlays")            # doctest: +SKIP
    >>> sorted(catalog.overlays)[:2]                  # doctest: +SKIP
    ['eks', 'eks-inference']

    Raises:
        RecipeLoadError: a file is not valid YAML, has the wrong shape, repeats a key, a mixin is
            invalid, base.yaml or registry.yaml is missing or invalid. The error names the file,
            line and column and says how to fix it.
    """
    return _load(Path(path), collect=False)


def load_catalog_for_check(path: str | os.PathLike[str]) -> Catalog:
    """Load *path* collecting load errors in `Catalog.problems` instead of raising them."""
    return _load(Path(path), collect=True)


def complete_for_check(catalog: Catalog) -> Catalog:
    """*catalog* with what loading for resolution skips (component files, validator catalog) read.

    A catalog loaded by `load_catalog()` is copied first, so the caller's object is left as it
    was; problems reading the extra files are collected in the copy's `problems`.
    """
    if catalog.complete:
        return catalog
    copy = replace(catalog, problems=list(catalog.problems), files={}, _text_cache={}, _memo={})
    _Loader(copy, collect=True).complete()
    return copy


def catalog_root(path: Path) -> Path:
    """The catalog root for *path*: the path itself, or the parent of an `overlays/` directory."""
    if path.name == "overlays" or (
        path.is_dir() and (path / "base.yaml").is_file() and not (path / "overlays").is_dir()
    ):
        return path.parent
    return path


def _load(path: Path, *, collect: bool, cache: bool = False) -> Catalog:
    """Load the catalog at *path*; *cache* uses the command line's parse cache (see `_cache`)."""
    if not path.exists():
        msg = f"catalog path {str(path)!r} does not exist"
        raise RecipeLoadError(msg, code=ErrorCode.NOT_FOUND, hint="pass a catalog root or its overlays/ directory")
    if not path.is_dir():
        msg = f"catalog path {str(path)!r} is not a directory"
        raise RecipeLoadError(msg, hint="pass a catalog root or its overlays/ directory, not a file")
    root = catalog_root(path)
    display_root = os.path.normpath(str(root)).replace(os.sep, "/")
    catalog = Catalog(root=root, display_root=display_root)
    parses: ParseCache | None = None
    if cache:
        from ._cache import ParseCache  # noqa: PLC0415 - only the command line caches

        parses = ParseCache.for_root(root)
    with collector_paused():
        _Loader(catalog, collect=collect, cache=parses).run()
    if parses is not None:
        parses.save()
    return catalog


class _Loader:
    def __init__(self, catalog: Catalog, *, collect: bool, cache: ParseCache | None = None) -> None:
        self.catalog = catalog
        self.collect = collect
        self.cache = cache
        self.root = str(catalog.root)

    def fail(self, error: RecipeLoadError) -> None:
        if not self.collect:
            raise error
        self.catalog.problems.append(error)

    def run(self) -> None:
        catalog = self.catalog
        for relative, link in _walk(catalog.root):
            catalog.walked.append(relative)
            if link:
                catalog.links.add(relative)
            try:
                self.classify(relative)
            except RecipeLoadError as err:
                self.fail(err)
        if catalog.base is None:
            self.fail(
                RecipeLoadError(
                    "base.yaml not found",
                    code=ErrorCode.INTERNAL,
                    location=Location(catalog.display("overlays/base.yaml")),
                    hint="a catalog needs overlays/base.yaml (kind: RecipeMetadata, metadata.name: base)",
                ),
            )
        else:
            self.check_base_dependencies(catalog.base)
        self.load_registry()
        if self.collect:
            self.complete()
        known: dict[str, set[str]] = {dimension: set() for dimension in DIMENSIONS}
        for overlay in catalog.overlays.values():
            if overlay.criteria is None:
                continue
            for dimension in DIMENSIONS:
                value = str(getattr(overlay.criteria, dimension)).strip().lower()
                if not is_wild(value):
                    known[dimension].add(value)
        catalog.known_values = {dimension: frozenset(values) for dimension, values in known.items()}

    def complete(self) -> None:
        """Read what only `check()` needs: component files and `validators/catalog.yaml`.

        `aicr recipe` reads neither, so a catalog loaded for resolving does not either: a broken
        validator catalog must not break resolution that upstream performs.
        """
        catalog = self.catalog
        if catalog.complete:
            return
        catalog.complete = True
        for relative in catalog.walked:
            if _kind(relative) == "component":
                content = self.read(relative)
                if content is not None:
                    catalog.files[relative] = content
        self.load_validators()

    def read(self, relative: str) -> bytes | None:
        # The walk does not follow directory symlinks, so only a symlinked file can leave the root.
        catalog = self.catalog
        # Plain strings, not Path objects: this runs once per file, and pathlib's per-call
        # overhead is a tenth of loading a small overlay.
        target: Path | str | None = os.path.join(self.root, relative)  # noqa: PTH118
        if relative in catalog.links:
            target = _inside(catalog.root, relative)
        if target is None:
            self.fail(
                RecipeLoadError(
                    f"{relative} is a symlink that leaves the catalog root; it was not read",
                    location=Location(self.catalog.display(relative)),
                    hint="replace the symlink with the file itself, or point it inside the catalog",
                ),
            )
            return None
        try:
            with open(target, "rb") as stream:  # noqa: PTH123 - see above
                return stream.read()
        except OSError as err:
            self.fail(
                RecipeLoadError(
                    f"failed to read {relative}: {err.strerror or err}",
                    code=ErrorCode.INTERNAL,
                    location=Location(self.catalog.display(relative)),
                    hint="make the file readable",
                ),
            )
            return None

    def classify(self, relative: str) -> None:
        kind = _kind(relative)
        if kind == "mixin":
            self.load_mixin(relative)
        elif kind == "overlay":
            self.load_overlay(relative)
        # component files are read by complete(), for check() only; the rest is read on demand

    def parse(self, relative: str) -> Document | None:
        content = self.read(relative)
        if content is None:
            return None
        if self.cache is not None:
            return self.cache.parse(content, relative=relative, display=self.catalog.display(relative))
        return parse_yaml(content, path=self.catalog.display(relative))

    def load_mixin(self, relative: str) -> None:
        document = self.parse(relative)
        if document is None:
            return
        mixin = _validate(RecipeMixin, document, relative, what="mixin")
        _reject_unknown(mixin, document, relative, what="mixin")
        if mixin.kind != RECIPE_MIXIN_KIND:
            raise RecipeLoadError(
                f'mixin file {relative} has wrong kind "{mixin.kind}", expected "{RECIPE_MIXIN_KIND}"',
                location=document.source.locate(("kind",)),
                hint=f"set `kind: {RECIPE_MIXIN_KIND}`",
            )
        name = mixin.metadata.name
        if name in self.catalog.mixins:
            raise RecipeLoadError(
                f'duplicate mixin name "{name}" in {relative}',
                location=document.source.locate(("metadata", "name")),
                hint=f"rename one of the mixins; {self.catalog.mixins[name].path} already uses {name!r}",
            )
        _check_constraint_paths(mixin.spec.constraints, relative, ("spec", "constraints"), document.source)
        self.catalog.mixins[name] = Mixin(name, relative, mixin, document.source)

    def load_overlay(self, relative: str) -> None:
        document = self.parse(relative)
        if document is None:
            return
        data = document.data
        if data is not None and not isinstance(data, dict):
            raise RecipeLoadError(
                f"failed to parse header for {relative}: the document is a {type(data).__name__}, not a mapping",
                location=document.source.locate(()),
                hint="a recipe file is a mapping with kind, apiVersion, metadata and spec",
            )
        header = data or {}
        kind, api_version = header.get("kind"), header.get("apiVersion")
        for key, value in (("kind", kind), ("apiVersion", api_version)):
            if value is not None and not isinstance(value, str):
                raise RecipeLoadError(
                    f"failed to parse header for {relative}: {key} must be a string",
                    location=document.source.locate((key,)),
                    hint=f"write `{key}` as a plain string",
                )
        kind = kind or ""
        if api_version == PROFILE_API_VERSION and kind != RECIPE_METADATA_KIND:
            raise RecipeLoadError(
                f'profile catalog file {relative} requires kind "{RECIPE_METADATA_KIND}", got "{kind}"',
                location=document.source.locate(("kind",)),
                hint=f"set `kind: {RECIPE_METADATA_KIND}`",
            )
        if kind not in ("", RECIPE_METADATA_KIND):
            return
        metadata = _validate(RecipeMetadata, document, relative, what="recipe")
        if api_version == PROFILE_API_VERSION:
            _reject_unknown(metadata, document, relative, what=f"strict {PROFILE_API_VERSION} RecipeMetadata")
            if document.extra_documents:
                raise RecipeLoadError(
                    f"profile RecipeMetadata {relative} contains multiple YAML documents",
                    location=document.source.locate(()),
                    hint="keep one document per profile overlay (remove the `---` separator)",
                )
        _check_profile_contract(metadata, relative, document.source)
        if api_version == PROFILE_API_VERSION and metadata.metadata.name == "":
            raise RecipeLoadError(
                f"profile RecipeMetadata {relative} requires metadata.name",
                location=document.source.locate(("metadata",)),
                hint="set metadata.name",
            )
        spec = metadata.spec
        _check_constraint_paths(spec.constraints, relative, ("spec", "constraints"), document.source)
        readiness = spec.validation.readiness if spec.validation else None
        if readiness is not None and readiness.constraints:
            _check_constraint_paths(
                readiness.constraints,
                relative,
                ("spec", "validation", "readiness", "constraints"),
                document.source,
            )
        if spec.profile is not None:
            for value_name in sorted(spec.profile.values):
                _check_constraint_paths(
                    spec.profile.values[value_name].constraints,
                    relative,
                    ("spec", "profile", "values", value_name, "constraints"),
                    document.source,
                )
        overlay = Overlay(metadata.metadata.name, relative, metadata, document.source, document)
        if relative.rsplit("/", 1)[-1] == "base.yaml" and "overlays/" in relative:
            self.catalog.base = overlay
        else:
            self.catalog.overlays[overlay.name] = overlay
            self.catalog.overlay_files.append(overlay)

    def check_base_dependencies(self, base: Overlay) -> None:
        from ._merge import dependency_error  # noqa: PLC0415 - avoids an import cycle

        problem = dependency_error(base.spec.component_refs)
        if problem is not None:
            message, index = problem
            self.fail(
                RecipeLoadError(
                    "base recipe validation failed",
                    cause=RecipeError(message, code=ErrorCode.INVALID_REQUEST),
                    location=base.locate("spec", "componentRefs", index, "dependencyRefs"),
                    hint="make every dependencyRefs entry name a component of base.yaml, without cycles",
                ),
            )

    def load_registry(self) -> None:
        catalog = self.catalog
        relative = "registry.yaml"
        if not (catalog.root / relative).is_file():
            self.fail(
                RecipeLoadError(
                    "failed to read registry.yaml",
                    code=ErrorCode.INTERNAL,
                    cause=FileNotFoundError(f"open {relative}: file does not exist"),
                    location=Location(catalog.display(relative)),
                    hint="a catalog root needs registry.yaml (kind: ComponentRegistry) next to overlays/",
                ),
            )
            return
        try:
            document = self.parse(relative)
            if document is None:
                return
            registry = _validate(ComponentRegistry, document, relative, what="registry")
        except RecipeLoadError as err:
            self.fail(
                RecipeLoadError(
                    "failed to parse registry.yaml",
                    code=ErrorCode.INTERNAL,
                    cause=RecipeError(err.message, code=err.code),
                    location=err.location,
                    hint=err.hint,
                ),
            )
            return
        by_name: dict[str, ComponentConfig] = {}
        for index, component in enumerate(registry.components):
            problem = _registry_rejection(component)
            if problem is not None:
                self.fail(
                    RecipeLoadError(
                        problem[0],
                        location=document.source.locate(("components", index, *problem[1])),
                        hint=problem[2],
                    ),
                )
            by_name[component.name] = component
        catalog.registry = Registry(relative, registry, document.source, document, by_name)

    def load_validators(self) -> None:
        relative = "validators/catalog.yaml"
        if not (self.catalog.root / relative).is_file():
            return
        try:
            document = self.parse(relative)
            if document is None:
                return
            validators = _validate(ValidatorCatalog, document, relative, what="validator catalog")
        except RecipeLoadError as err:
            self.fail(err)
            return
        self.catalog.validators = ValidatorsFile(relative, validators, document.source)


def _kind(relative: str) -> str:
    """How upstream classifies a walked file: `mixin`, `component`, `overlay`, or `other`."""
    filename = relative.rsplit("/", 1)[-1]
    if "checks/" in relative:
        return "other"
    if relative.startswith("mixins/"):
        return "mixin" if filename.endswith(".yaml") else "other"
    if "components/" in relative:
        return "component"
    if not filename.endswith(".yaml") or filename in ("registry.yaml", "data-v1.yaml"):
        return "other"
    return "overlay"


def _walk(root: Path) -> Iterator[tuple[str, bool]]:
    """(relative path, is a symlink) of the catalog's files, in Go `fs.WalkDir` order (sorted per directory).

    Symlinks are yielded, never followed: reading one goes through the root check, and one that
    names a directory fails to read like any unreadable file. Sockets, FIFOs and devices are skipped.
    """
    yield from _walk_directory(str(root), "", top=True)


def _walk_directory(directory: str, prefix: str, *, top: bool = False) -> Iterator[tuple[str, bool]]:
    try:
        with os.scandir(directory) as listing:
            entries = sorted(listing, key=lambda entry: entry.name)
    except OSError:
        return
    for entry in entries:
        if top and entry.name not in LAYOUT:
            continue
        relative = prefix + entry.name
        try:
            if entry.is_symlink():
                yield relative, True
            elif entry.is_dir(follow_symlinks=False):
                yield from _walk_directory(entry.path, relative + "/")
            elif entry.is_file(follow_symlinks=False):
                yield relative, False
        except OSError:  # pragma: no cover - the entry vanished between listing and stat
            continue


def _validate(model: type[_M], document: Document, relative: str, *, what: str) -> _M:
    data = document.data if document.data is not None else {}
    if not isinstance(data, dict):
        raise RecipeLoadError(
            f"failed to parse {relative}: expected a mapping at the top level, found a {type(data).__name__}",
            location=document.source.locate(()),
            hint=f"a {what} file is a YAML mapping",
        )
    try:
        return model.model_validate(data, by_alias=True, by_name=False)
    except ValidationError as err:
        first = err.errors()[0]
        path = _known_prefix(tuple(first["loc"]), document.source)
        where = ".".join(str(part) for part in first["loc"])
        raise RecipeLoadError(
            f"failed to parse {relative}: {where}: {first['msg']}",
            location=document.source.locate_value(path),
            hint=_type_hint(first),
        ) from None


def _known_prefix(path: tuple[str | int, ...], source: SourceMap) -> tuple[str | int, ...]:
    while path and not source.has(path):
        path = path[:-1]
    return path


def _type_hint(error: Any) -> str:
    kind = str(error.get("type", ""))
    if kind.startswith("string"):
        return "write this value as a plain string"
    if kind.startswith(("list", "tuple")):
        return "write this value as a YAML list (`- item`)"
    if kind.startswith(("dict", "model")):
        return "write this value as a YAML mapping (`key: value`)"
    if kind.startswith("int"):
        return "write this value as a whole number"
    if kind.startswith("bool"):
        return "write this value as true or false"
    return "fix the value's type"


def unknown_keys(model: GoModel, path: tuple[str | int, ...] = ()) -> list[tuple[str | int, ...]]:
    """Paths of keys the models do not know, in document order (free-form `overrides` excluded)."""
    extra = model.model_extra
    found: list[tuple[str | int, ...]] = [(*path, key) for key in extra] if extra else []
    given = model.model_fields_set
    for name, info in type(model).model_fields.items():
        if name not in given:
            continue  # a default holds no keys
        value = getattr(model, name)
        alias = info.alias or name
        if isinstance(value, (GoModel, list, dict)) and alias != "overrides":
            found.extend(_unknown_in(value, (*path, alias)))
    return found


def _unknown_in(value: Any, path: tuple[str | int, ...]) -> list[tuple[str | int, ...]]:
    if isinstance(value, GoModel):
        return unknown_keys(value, path)
    if isinstance(value, list):
        return [found for index, item in enumerate(value) for found in _unknown_in(item, (*path, index))]
    if isinstance(value, dict):
        return [found for key, item in value.items() for found in _unknown_in(item, (*path, key))]
    return []


def _reject_unknown(model: GoModel, document: Document, relative: str, *, what: str) -> None:
    unknown = unknown_keys(model)
    if unknown:
        key = unknown[0]
        raise RecipeLoadError(
            f'failed to parse {relative} as {what} (unknown fields are not allowed): field "{key[-1]}" is not allowed here',
            location=document.source.locate(key),
            hint=f"remove {'.'.join(map(str, key))!r}, or fix its spelling",
        )


def _check_constraint_paths(
    constraints: Sequence[Constraint],
    relative: str,
    prefix: tuple[str | int, ...],
    source: SourceMap,
) -> None:
    for index, constraint in enumerate(constraints):
        try:
            validate_path(constraint.name)
        except RecipeError as err:
            label = ".".join(str(part) for part in prefix)
            raise RecipeLoadError(
                f"{relative}: {label}[{index}]",
                cause=err,
                location=source.locate_value((*prefix, index, "name")),
                hint="constraint names here are measurement paths such as K8s.server.version or OS.release.ID",
            ) from None


def _check_profile_contract(metadata: RecipeMetadata, relative: str, source: SourceMap) -> None:
    from ._profiles import validate_metadata_profile  # noqa: PLC0415 - avoids an import cycle

    try:
        validate_metadata_profile(metadata)
    except RecipeError as err:
        raise RecipeLoadError(
            f"invalid profile declaration in {relative}",
            code=err.code,
            cause=err,
            location=source.locate(("spec", "profile") if metadata.spec.profile else ("apiVersion",)),
            hint=err.hint or "profile overlays use apiVersion aicr.run/v1alpha3 and a complete spec.profile",
        ) from None


def _registry_rejection(component: ComponentConfig) -> tuple[str, tuple[str | int, ...], str] | None:
    reserved = "deployer"
    if component.name == reserved:
        return (
            f'registry component "{component.name}" uses the reserved deployer override key as its name; '
            f'"{reserved}" is reserved for --set deployer:<key> Argo deployer options',
            ("name",),
            "rename the component",
        )
    if reserved in component.value_override_keys:
        return (
            f'registry component "{component.name}" declares the reserved override key "{reserved}"; '
            "it is reserved for --set deployer:<key> Argo deployer options",
            ("valueOverrideKeys",),
            f"remove {reserved!r} from valueOverrideKeys",
        )
    if component.component_type == "Kustomize" and component.manifest_files:
        return (
            f'registry component "{component.name}" is Kustomize but declares manifestFiles; a component may '
            "declare either Kustomize (tag/path) or raw manifest files, not both",
            ("manifestFiles",),
            "remove manifestFiles or the kustomize block",
        )
    return None
