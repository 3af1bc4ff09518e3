"""The pytest nodes of a checked catalog: its directory, one node per file, items per rule group, the fuzz item."""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pytest

if TYPE_CHECKING:
    from collections.abc import Iterator

    from _pytest._code.code import TerminalRepr

    from l40_recipes import Catalog, Criteria, Finding, Report


__all__ = [
    "BASE_FILE",
    "CATALOG_GROUPS",
    "FILE_GROUPS",
    "GRAPH_GROUPS",
    "GROUP_ORDER",
    "MARKER",
    "REPORTS_KEY",
    "SPECIAL_FILES",
    "CatalogDirectory",
    "CatalogFile",
    "CatalogFindingsError",
    "FindingsItem",
    "FuzzItem",
    "L40RecipesWarning",
    "aicr_version_option",
    "catalog_root_of",
    "checked",
    "data_option",
    "plan",
    "rule_list_option",
    "strict_option",
]

MARKER: Final = "l40_recipes"


#: Rule groups that get one item per catalog file.
FILE_GROUPS: Final = ("schema", "references", "resolve", "floor", "serving")


#: Rule groups that get one item per catalog (under the catalog's directory node).
CATALOG_GROUPS: Final = ("duplicate-criteria", "coverage", "config")


#: Files with their own single group.
SPECIAL_FILES: Final = {"registry.yaml": "registry", "validators/catalog.yaml": "validators"}


#: Groups whose failing items attach the Mermaid graph of each failing query (shown by `-rA` and on failure).
GRAPH_GROUPS: Final = ("resolve", "coverage")


#: The file that carries the catalog-level items.
BASE_FILE: Final = "overlays/base.yaml"


GROUP_ORDER: Final = (*FILE_GROUPS, "registry", "validators", *CATALOG_GROUPS, "fuzz")


REPORTS_KEY = pytest.StashKey[dict[tuple[Any, ...], tuple["Catalog", "Report"]]]()


class L40RecipesWarning(UserWarning):
    """A catalog finding of severity warning (not strict mode)."""


def checked(config: pytest.Config, root: Path) -> tuple[Catalog, Report]:
    """The catalog at *root* and its check() report, computed once per process.

    Every xdist worker computes the same, deterministically. Paths in findings are relative to the
    directory pytest was invoked from, as a linter prints them.
    """
    from l40_recipes import check  # noqa: PLC0415 - the plugin stays light until enabled
    from l40_recipes._loading import load_catalog_for_check  # noqa: PLC0415

    select, ignore = rule_list_option(config, "select"), rule_list_option(config, "ignore")
    release = aicr_version_option(config, root)
    data = data_option(config, root)
    key = (root.resolve(), strict_option(config), tuple(select or ()), tuple(ignore or ()), release, data)
    reports = config.stash[REPORTS_KEY]
    if key not in reports:
        shown = Path(os.path.relpath(root.resolve(), config.invocation_params.dir))
        catalog = load_catalog_for_check(shown, aicr_version=release, data=data)
        reports[key] = (catalog, check(catalog, strict=strict_option(config), select=select, ignore=ignore))
    return reports[key]


# pytest marks Dir `@final` for type checkers only; extending it keeps the directory's normal collection
# (a catalog root may also hold tests) instead of copying pytest's private directory walk.
class CatalogDirectory(pytest.Dir):  # type: ignore[misc]  # pytest: Dir is @final for type checkers only
    """A directory that is a catalog: its usual contents, one node per catalog file, and catalog items."""

    @property
    def catalog_root(self) -> Path:
        """The catalog this directory stands for (its parent when it is an overlays/ directory)."""
        root = catalog_root_of(self.path, self.config)
        assert root is not None
        return root

    def collect(self) -> Iterator[pytest.Item | pytest.Collector]:
        """Yield the directory's own children, then the catalog's file nodes (sorted)."""
        yield from super().collect()
        catalog, files, by_item = plan(self.config, self.catalog_root)
        where = catalog.layer.root if catalog.layer is not None else self.catalog_root
        for relative in sorted(files):
            yield CatalogFile.from_parent(
                self,
                path=where / relative,
                relative=relative,
                groups=files[relative],
                findings=by_item,
                catalog=catalog,
            )


def plan(
    config: pytest.Config, root: Path
) -> tuple[Catalog, dict[str, list[str]], dict[tuple[str, str], list[Finding]]]:
    """The catalog at *root*, its files with their item groups, and the findings per (file, group).

    Catalog-level groups (and the fuzz item) belong to `overlays/base.yaml`, so every item id is a
    real file path plus a group, which pytest accepts back on its command line. With a data layer
    (`--l40-recipes-data`) the files are the layer's, and catalog-level groups belong to its registry.
    """
    from l40_recipes._rules import all_rules  # noqa: PLC0415

    catalog, report = checked(config, root)
    groups = {rule_id: item.group for rule_id, item in all_rules().items()}
    layer = catalog.layer
    display = layer.display_root if layer is not None else catalog.display_root
    home = "registry.yaml" if layer is not None else catalog.base.path if catalog.base else BASE_FILE
    by_item: dict[tuple[str, str], list[Finding]] = {}
    for finding in report.findings:
        group = groups.get(finding.rule, "schema")
        relative = _relative(finding.file, display)
        if group in CATALOG_GROUPS or relative is None:
            by_item.setdefault((home, group if group in CATALOG_GROUPS else "config"), []).append(finding)
            continue
        # registry/validators findings land on their own file's item; others keep their group,
        # or count as references when reported in a file without that group.
        group = SPECIAL_FILES.get(relative, group if group in FILE_GROUPS else "references")
        by_item.setdefault((relative, group), []).append(finding)
    files: dict[str, set[str]] = {home: set(CATALOG_GROUPS)}
    if config.getoption("--l40-recipes-fuzz") or config.getini("l40_recipes_fuzz"):
        files[home].add("fuzz")
    for item in [*([catalog.base] if catalog.base else []), *catalog.overlay_files]:
        if layer is None or layer.replaces(item.path):
            files.setdefault(item.path, set()).update(FILE_GROUPS)
    for mixin in catalog.mixins.values():
        if layer is None or layer.replaces(mixin.path):
            files.setdefault(mixin.path, set()).update(("schema", "references"))
    for relative, group in SPECIAL_FILES.items():
        if ((layer.root if layer is not None else root) / relative).is_file():
            files.setdefault(relative, set()).add(group)
    for relative, group in by_item:
        files.setdefault(relative, set()).add(group)
    return catalog, {relative: sorted(files[relative], key=GROUP_ORDER.index) for relative in files}, by_item


def _relative(file: str, display_root: str) -> str | None:
    prefix = "" if display_root in ("", ".") else display_root.rstrip("/") + "/"
    if prefix and not file.startswith(prefix):
        return None
    return file[len(prefix) :]


class CatalogFile(pytest.File):
    """One catalog file, with one item per rule group that applies to it."""

    def __init__(
        self,
        *,
        relative: str,
        groups: list[str],
        findings: dict[tuple[str, str], list[Finding]],
        catalog: Catalog,
        **kwargs: Any,
    ) -> None:
        super().__init__(**kwargs)
        self.relative = relative
        self.groups = groups
        self.findings = findings
        self.catalog = catalog

    def collect(self) -> Iterator[pytest.Item]:
        """One item per group, in a fixed order."""
        for group in self.groups:
            if group == "fuzz":
                yield FuzzItem.from_parent(
                    self, name="fuzz", catalog=self.catalog, examples=_fuzz_examples(self.config)
                )
                continue
            yield FindingsItem.from_parent(
                self, name=group, findings=self.findings.get((self.relative, group), []), location_path=self.path
            )


class CatalogFindingsError(Exception):
    """Raised by an item whose findings fail it; rendered without a traceback."""

    def __init__(self, findings: list[Finding]) -> None:
        super().__init__("\n".join(str(finding) for finding in findings))
        self.findings = findings


class FindingsItem(pytest.Item):
    """Passes when its findings hold no error (in strict mode: no finding at all)."""

    def __init__(self, *, findings: list[Finding], location_path: Path, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.findings = findings
        self.location_path = location_path
        self.add_marker(MARKER)

    def runtest(self) -> None:
        """Fail with the error findings; surface warnings as pytest warnings."""
        failing = [finding for finding in self.findings if finding.severity == "error"]
        for finding in self.findings:
            if finding.severity != "error":
                warnings.warn_explicit(str(finding), L40RecipesWarning, filename=finding.file, lineno=finding.line)
        if failing:
            self._attach_graphs(failing)
            # JUnit readers (xunit2 included) show testcase properties: the first failure's position.
            self.user_properties.extend([("file", failing[0].file), ("line", failing[0].line)])
            raise CatalogFindingsError(failing)

    def _attach_graphs(self, failing: list[Finding]) -> None:
        """Attach the overlay chain and component graph of each failing query, so the report shows where it broke."""
        if self.name not in GRAPH_GROUPS:
            return
        directory = next((node for node in self.listchain() if isinstance(node, CatalogDirectory)), None)
        if directory is None:  # pragma: no cover - every findings item is collected under its catalog directory
            return
        from l40_recipes._graph import failure_graphs  # noqa: PLC0415
        from l40_recipes._render_graph import to_mermaid  # noqa: PLC0415

        catalog, _ = checked(self.config, directory.catalog_root)
        for query, graph in failure_graphs(catalog, failing):
            self.add_report_section("call", f"l40-recipes graph of {query} (Mermaid)", to_mermaid(graph))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str | TerminalRepr:
        """The findings as `path:line:col: RULE message` lines, no traceback."""
        if isinstance(excinfo.value, CatalogFindingsError):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[os.PathLike[str] | str, int | None, str]:
        """The YAML position of the first failing finding, so CI annotations land on the line."""
        first = next((finding for finding in self.findings if finding.severity == "error"), None)
        line = first.line - 1 if first is not None and first.line else 0
        return self.location_path, line, _domain(self)


def _domain(item: pytest.Item) -> str:
    """The failure header, `[l40-recipes] overlays/eks.yaml::schema`, like doctest's `[doctest] name`.

    pytest rewrites a domain that ends the node id as a Python name (`base.yaml` -> `base::yaml`);
    this one does not end it, so `-v` prints the id unchanged.
    """
    return f"[l40-recipes] {item.nodeid}"


def _fuzz_examples(config: pytest.Config) -> int:
    raw = str(config.getini("l40_recipes_fuzz_examples"))
    try:
        examples = int(raw)
    except ValueError:
        msg = f"l40_recipes_fuzz_examples must be a whole number, not {raw!r}"
        raise pytest.UsageError(msg) from None
    if examples < 1:
        msg = f"l40_recipes_fuzz_examples must be at least 1, not {examples}"
        raise pytest.UsageError(msg)
    return examples


class FuzzItem(pytest.Item):
    """Resolves generated criteria against a catalog and checks the resolution invariants.

    A failure prints the falsifying query as the `resolve(...)` call that reproduces it.
    """

    def __init__(self, *, catalog: Catalog, examples: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.catalog = catalog
        self.examples = examples
        self.add_marker(MARKER)

    def runtest(self) -> None:
        """Run the invariants under hypothesis, derandomized so every worker and rerun agrees."""
        from hypothesis import HealthCheck, given, settings  # noqa: PLC0415

        from l40_recipes import RecipeError, strategies as l40st  # noqa: PLC0415
        from l40_recipes._invariants import check_invariants  # noqa: PLC0415
        from l40_recipes._resolution import build_recipe  # noqa: PLC0415

        catalog = self.catalog

        @settings(
            max_examples=self.examples,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(l40st.criteria(catalog))
        def invariants(query: Criteria) -> None:
            try:
                result = build_recipe(catalog, query, version="fuzz")
            except RecipeError:
                return
            check_invariants(catalog, query, result)

        invariants()

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str | TerminalRepr:
        """The broken invariant with its `resolve(...)` call; other errors keep pytest's rendering."""
        from l40_recipes._invariants import InvariantError  # noqa: PLC0415

        if isinstance(excinfo.value, InvariantError):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style=style)

    def reportinfo(self) -> tuple[os.PathLike[str] | str, int | None, str]:
        """The file carrying the item."""
        return self.path, 0, _domain(self)


def strict_option(config: pytest.Config) -> bool | None:
    option = config.getoption("--l40-recipes-strict")
    if option:
        return True
    return True if config.getini("l40_recipes_strict") else None


def aicr_version_option(config: pytest.Config, root: Path) -> str | None:
    """The release to read the catalog at *root* as: option, ini, `[tool.l40-recipes]`, else None (detect)."""
    from l40_recipes._config import load_config  # noqa: PLC0415
    from l40_recipes._walk import catalog_root  # noqa: PLC0415

    chosen = config.getoption("--l40-recipes-aicr-version") or str(config.getini("l40_recipes_aicr_version")).strip()
    return str(chosen) if chosen else load_config(catalog_root(root)).aicr_version


def data_option(config: pytest.Config, root: Path) -> str | None:
    """The data layer to check over the catalog at *root*: `--l40-recipes-data`, else `[tool.l40-recipes] data`."""
    from l40_recipes._config import load_config  # noqa: PLC0415
    from l40_recipes._walk import catalog_root  # noqa: PLC0415

    chosen = config.getoption("--l40-recipes-data")
    if chosen:
        return os.path.relpath(Path(str(chosen)).resolve(), config.invocation_params.dir)
    return load_config(catalog_root(root)).data


def rule_list_option(config: pytest.Config, name: str) -> list[str] | None:
    option = config.getoption(f"--l40-recipes-{name}")
    if option:
        return [item.strip() for item in str(option).split(",") if item.strip()]
    values = [str(item) for item in config.getini(f"l40_recipes_{name}")]
    return values or None


def catalog_root_of(path: Path, config: pytest.Config) -> Path | None:
    """The catalog root *path* stands for (`--l40-recipes-root` overrides it), or None when it is no catalog."""
    from l40_recipes._walk import find_catalog_root  # noqa: PLC0415 - the plugin stays light until enabled

    found = find_catalog_root(path)
    if found is None:
        return None
    override = config.getoption("--l40-recipes-root")
    return Path(override).resolve() if override else found
