"""Loading a catalog directory, the way upstream's `buildMetadataStore` does.

Upstream walks every file under its data root. A catalog here may live at a repository root next to
unrelated YAML (CI workflows, pre-commit hooks, tests), so only the upstream layout is walked:
`overlays/`, `mixins/`, `components/`, `checks/`, `validators/` and `registry.yaml`. Inside those,
files are classified exactly as upstream classifies them, in upstream's walk order.

Nothing here writes to the catalog, and nothing outside the catalog root is ever read: a symlink or
a referenced path that leaves the root is reported and skipped.
"""

from __future__ import annotations

import os
from pathlib import Path

from ._catalog import Catalog, CatalogDraft, Mixin, Overlay, Registry, ValidatorsFile
from ._decoding import (
    MIXIN_STRICT,
    check_constraint_paths,
    check_profile_contract,
    decode,
    decode_overlay,
    gate_header,
    read_header,
    registry_rejection,
)
from ._errors import ErrorCode, Location, RecipeError, RecipeLoadError
from ._layer import open_layer, walk_failure
from ._layer_load import check_layer_overlay, layer_registry, layer_registry_header, walk_layered
from ._models import RecipeMixin, known_values
from ._registry_models import ComponentRegistry, ValidatorCatalog
from ._semantics import MIXIN_KIND, AicrVersion, aicr_version as as_aicr_version, detect
from ._walk import catalog_root, classify_file
from ._yaml import SourceMap, YamlDocument, parse_yaml
from ._yaml_errors import YamlError, registry_failure


def load_catalog(
    path: str | os.PathLike[str],
    *,
    aicr_version: AicrVersion | str | None = None,
    data: str | os.PathLike[str] | None = None,
) -> Catalog:
    """Load the catalog at *path*: a catalog root, or its `overlays/` directory.

    *aicr_version* (`"0.20"` or `"1.0"`) reads the catalog as that upstream release; by default the
    release is detected from the headers (`aicr.run/v1beta1`/`v1beta2` → 1.0; `aicr.run/v1alpha2`/
    `v1alpha3`/`aicr.nvidia.com/v1alpha1` → 0.20; none of these → 0.20) and recorded in
    `Catalog.aicr_version`.

    *data* layers a directory over the catalog as `aicr recipe --data DIR` does over its embedded one
    (see `_layer`); errors in its files name them as *data* was given.

    >>> catalog = load_catalog("overlays")            # doctest: +SKIP
    >>> sorted(catalog.overlays)[:2]                  # doctest: +SKIP
    ['eks', 'eks-inference']

    Raises:
        RecipeLoadError: a file is not valid YAML, has the wrong shape, repeats a key, a mixin is
            invalid, base.yaml or registry.yaml is missing or invalid, a header is refused by the
            chosen release, or the headers mix releases. The error names file, line, column and a fix.
        RecipeError: *data* is refused as upstream refuses it (`construct layered data provider`).
        ValueError: *aicr_version* is not a reproduced release.
    """
    return _load(Path(path), collect=False, aicr_version=as_aicr_version(aicr_version), data=data)


def load_catalog_for_check(
    path: str | os.PathLike[str],
    *,
    aicr_version: AicrVersion | str | None = None,
    data: str | os.PathLike[str] | None = None,
) -> Catalog:
    """Load *path* collecting load errors (the catalog's `_problems`, for `check()`) instead of raising them."""
    return _load(Path(path), collect=True, aicr_version=as_aicr_version(aicr_version), data=data)


def complete_for_check(catalog: Catalog) -> Catalog:
    """*catalog* with what loading for resolution skips (component files, validator catalog) read.

    A catalog never changes, so this is a new catalog sharing the loaded overlays, mixins and
    registry; problems reading the extra files are collected in it.
    """
    if catalog._complete:
        return catalog
    draft = CatalogDraft.of(catalog)
    _CatalogReader(draft, collect=True).complete()
    return draft.freeze()


def _load(
    path: Path, *, collect: bool, aicr_version: AicrVersion | None = None, data: str | os.PathLike[str] | None = None
) -> Catalog:
    """Load the catalog at *path* (with the layer *data* over it): upstream checks the layer first."""
    layer = open_layer(data) if data is not None else None
    try:
        if not path.exists():
            msg = f"catalog path {str(path)!r} does not exist"
            raise RecipeLoadError(msg, code=ErrorCode.NOT_FOUND, hint="pass a catalog root or its overlays/ directory")
        if not path.is_dir():
            msg = f"catalog path {str(path)!r} is not a directory"
            raise RecipeLoadError(msg, hint="pass a catalog root or its overlays/ directory, not a file")
        with os.scandir(path):
            pass
        root = catalog_root(path)
    except OSError as err:
        msg = f"catalog path {str(path)!r} cannot be read: {err.strerror or err}"
        raise RecipeLoadError(msg, hint="make the directory readable and searchable by this user") from None
    display_root = os.path.normpath(str(root)).replace(os.sep, "/")
    draft = CatalogDraft(root=root, display_root=display_root, layer=layer)
    if aicr_version is not None:
        draft.aicr_version, draft.aicr_version_source = aicr_version, "forced"
    _CatalogReader(draft, collect=collect).run()
    return draft.freeze()


class _CatalogReader:
    def __init__(self, catalog: CatalogDraft, *, collect: bool) -> None:
        self.catalog = catalog
        self.collect = collect
        self.root = str(catalog.root)
        #: Files read and parsed ahead of loading (to choose the release), or why they could not be.
        self.parsed: dict[str, YamlDocument | RecipeLoadError] = {}
        self.unread: dict[str, RecipeLoadError] = {}

    def fail(self, error: RecipeLoadError) -> None:
        if not self.collect:
            raise error
        self.catalog.problems.append(error)

    def run(self) -> None:
        catalog = self.catalog
        for relative, link in walk_layered(catalog.root, catalog.layer):
            catalog.walked.append(relative)
            (catalog.links if link else catalog.plain).add(relative)
        self.choose_version()
        for relative in catalog.walked:
            try:
                self.classify(relative)
            except RecipeLoadError as err:
                self.fail(walk_failure(err) if catalog.layer and catalog.layer.replaces(relative) else err)
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
        catalog.known_values = known_values(overlay.criteria for overlay in catalog.overlays.values())

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
            if classify_file(relative) == "component":
                content = self.read(relative)
                if content is not None:
                    catalog.files[relative] = content
        self.load_validators()

    def choose_version(self) -> None:
        """Read every recipe file's header and choose the release, unless the caller forced one."""
        catalog = self.catalog
        headers: list[tuple[str, str]] = []
        where: dict[str, SourceMap | Location] = {}  # a header is located only for an error
        relatives = [relative for relative in catalog.walked if classify_file(relative) in ("mixin", "overlay")]
        if (catalog.root / "registry.yaml").is_file():
            relatives.append("registry.yaml")
        for relative in relatives:
            content = self.catalog.read_file(relative)
            if isinstance(content, RecipeLoadError):
                self.unread[relative] = content
                continue
            try:
                document = self.parse_content(relative, content)
            except RecipeLoadError as err:
                self.parsed[relative] = err
                continue
            self.parsed[relative] = document
            data = document.data
            if isinstance(data, dict) and isinstance(data.get("apiVersion"), str):
                headers.append((relative, data["apiVersion"]))
                where[relative] = document.source
        if catalog.aicr_version_source == "forced":
            return
        shown: dict[str, str] = {}
        layered = layer_registry_header(catalog.layer) if catalog.layer is not None else None
        if layered is not None:  # the layer's registry header says which release the layer was written for
            key = f"\0{layered[0]}"  # no catalog path starts with NUL
            headers.append((key, layered[1]))
            where[key], shown[key] = layered[2], layered[0]

        def locate(key: str) -> Location:
            found = where[key]
            return found if isinstance(found, Location) else found.locate_value(("apiVersion",))

        try:
            found = detect(headers, display=lambda key: shown.get(key) or catalog.display(key), locate=locate)
        except RecipeLoadError as err:
            self.fail(err)
            return
        if found is not None:
            catalog.aicr_version, catalog.aicr_version_source = found, "detected"

    def read(self, relative: str) -> bytes | None:
        """The bytes of *relative*, or None when it cannot be read (the failure is raised or collected)."""
        content = self.catalog.read_file(relative)
        if isinstance(content, RecipeLoadError):
            self.fail(content)
            return None
        return content

    def classify(self, relative: str) -> None:
        kind = classify_file(relative)
        if kind == "mixin":
            self.load_mixin(relative)
        elif kind == "overlay":
            self.load_overlay(relative)
        # component files are read by complete(), for check() only; the rest is read on demand

    def parse(self, relative: str) -> YamlDocument | None:
        """The parsed *relative* (read ahead by `choose_version` when it is a recipe file)."""
        unread = self.unread.pop(relative, None)
        if unread is not None:
            self.fail(unread)
            return None
        ahead = self.parsed.pop(relative, None)
        if isinstance(ahead, YamlDocument):
            return ahead
        try:
            if ahead is not None:
                raise ahead
            content = self.read(relative)
            return None if content is None else self.parse_content(relative, content)
        except RecipeLoadError as err:
            raise self.unreadable_yaml(relative, err) from None

    def unreadable_yaml(self, relative: str, err: RecipeLoadError) -> RecipeLoadError:
        """*err* from the YAML reader in upstream's words for the file (the version is chosen by now)."""
        if not isinstance(err.cause, YamlError) or relative == "registry.yaml":
            return err  # the registry's are worded by `registry_failure`
        mixin = classify_file(relative) == "mixin"
        message = self.catalog.aicr_version.mixin_parse_failure if mixin else "failed to parse header for {path}"
        return RecipeLoadError(message.format(path=relative), cause=err.cause, location=err.location, hint=err.hint)

    def parse_content(self, relative: str, content: bytes) -> YamlDocument:
        lazy = not self.collect  # positions serve errors and findings: `check()` needs them, resolving seldom does
        return parse_yaml(content, path=self.catalog.display(relative), defer_binary=True, defer_positions=lazy)

    def load_mixin(self, relative: str) -> None:
        document = self.parse(relative)
        if document is None:
            return
        kind, api_version = read_header(document, relative, what="mixin", semantics=self.catalog.aicr_version)
        gate_header(self.catalog.aicr_version.mixin_header, kind, api_version, relative, document)
        mixin = decode(RecipeMixin, document, relative, strict=True, message=MIXIN_STRICT)
        if mixin.kind != MIXIN_KIND:
            raise RecipeLoadError(
                f'mixin file {relative} has wrong kind "{mixin.kind}", expected "{MIXIN_KIND}"',
                location=document.source.locate(("kind",)),
                hint=f"set `kind: {MIXIN_KIND}`",
            )
        name = mixin.metadata.name
        if name in self.catalog.mixins:
            raise RecipeLoadError(
                f'duplicate mixin name "{name}" in {relative}',
                location=document.source.locate(("metadata", "name")),
                hint=f"rename one of the mixins; {self.catalog.mixins[name].path} already uses {name!r}",
            )
        check_constraint_paths(mixin.spec.constraints, relative, ("spec", "constraints"), document.source)
        self.catalog.mixins[name] = Mixin(name, relative, mixin, document.source)

    def load_overlay(self, relative: str) -> None:
        document = self.parse(relative)
        if document is None:
            return
        semantics = self.catalog.aicr_version
        kind, api_version = read_header(document, relative, what="recipe")
        track = gate_header(semantics.overlay_header, kind, api_version, relative, document)
        if track == "skip":
            return
        strict = track == "profile"
        metadata = decode_overlay(document, relative, strict=strict, api_version=api_version)
        if strict and document.extra_documents:
            raise RecipeLoadError(
                f"profile RecipeMetadata {relative} contains multiple YAML documents",
                location=document.source.locate(()),
                hint="keep one document per profile overlay (remove the `---` separator)",
            )
        check_profile_contract(metadata, relative, document.source, semantics)
        if track == "profile" and metadata.metadata.name == "":
            raise RecipeLoadError(
                f"profile RecipeMetadata {relative} requires metadata.name",
                location=document.source.locate(("metadata",)),
                hint="set metadata.name",
            )
        spec = metadata.spec
        check_constraint_paths(spec.constraints, relative, ("spec", "constraints"), document.source)
        readiness = spec.validation.readiness if spec.validation else None
        if readiness is not None and readiness.constraints:
            check_constraint_paths(
                readiness.constraints,
                relative,
                ("spec", "validation", "readiness", "constraints"),
                document.source,
            )
        if spec.profile is not None:
            for value_name in sorted(spec.profile.values):
                check_constraint_paths(
                    spec.profile.values[value_name].constraints,
                    relative,
                    ("spec", "profile", "values", value_name, "constraints"),
                    document.source,
                )
        overlay = Overlay(metadata.metadata.name, relative, metadata, document.source, document.retyped)
        check_layer_overlay(self.catalog.layer, overlay)
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
            kind, api_version = read_header(document, relative, what="registry")
        except RecipeLoadError as err:
            self.fail(registry_failure(err))
            return
        rule = catalog.aicr_version.registry_header
        if rule is not None:
            try:
                gate_header(rule, kind, api_version, relative, document)
            except RecipeLoadError as err:
                self.fail(err)
                return
        try:
            registry = decode(ComponentRegistry, document, relative)
        except RecipeLoadError as err:
            self.fail(registry_failure(err))
            return
        self.index_registry(document, registry)

    def index_registry(self, document: YamlDocument, registry: ComponentRegistry) -> None:
        catalog = self.catalog
        indexed = Registry(
            "registry.yaml", registry, document.source, document, {c.name: c for c in registry.components}
        )
        if catalog.layer is not None:
            try:
                indexed = layer_registry(indexed, catalog.layer, catalog.aicr_version.registry_header)
            except RecipeLoadError as err:
                self.fail(err)
                return
        for index, component in enumerate(indexed.document.components):
            problem = registry_rejection(component)
            if problem is not None:
                where = indexed.locate("components", index, *problem[1])
                self.fail(RecipeLoadError(problem[0], location=where, hint=problem[2]))
        catalog.registry = indexed
        self.read_health_checks(indexed.document)

    def read_health_checks(self, registry: ComponentRegistry) -> None:
        """Read every `healthCheck.assertFile` now; an unreadable one fails only a recipe that deploys it."""
        for component in registry.components:
            assert_file = component.health_check.assert_file
            if not assert_file:
                continue
            self.catalog.preload(assert_file)

    def load_validators(self) -> None:
        relative = "validators/catalog.yaml"
        if not (self.catalog.root / relative).is_file():
            return
        try:
            document = self.parse(relative)
            if document is None:
                return
            validators = decode(ValidatorCatalog, document, relative)
        except RecipeLoadError as err:
            self.fail(err)
            return
        self.catalog.validators = ValidatorsFile(relative, validators, document.source)
