"""pytest plugin: `pytest --l40-recipes overlays/` checks an AICR catalog as pytest items.

Registered through the `pytest11` entry point; it does nothing (and imports nothing beyond pytest)
unless `--l40-recipes` is given or `l40_recipes = true` is set in the ini configuration.

Every finding of `check()` fails exactly one item. Items are grouped per file and rule group:
`overlays/eks.yaml::schema`, `…::references`, `…::resolve`, `…::floor`, `registry.yaml::registry`,
`validators/catalog.yaml::validators`, and the catalog-level `overlays/base.yaml::duplicate-criteria`,
`…::coverage` and `…::config` (and `…::fuzz`) on the base file. Every id is a file path plus a group,
so an id pasted back onto the command line runs exactly that item. Failures read like a linter:
`path:line:col: RULE message` and a hint, with the YAML line as the item's location.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from _pytest._code.code import TerminalRepr

    from l40_recipes import Catalog, Criteria, Finding, RecipeResult, Report

__all__ = ["L40RecipesWarning"]

OPTION: Final = "--l40-recipes"
MARKER: Final = "l40_recipes"
#: Rule groups that get one item per catalog file.
FILE_GROUPS: Final = ("schema", "references", "resolve", "floor")
#: Rule groups that get one item per catalog (under the catalog's directory node).
CATALOG_GROUPS: Final = ("duplicate-criteria", "coverage", "config")
#: Files with their own single group.
SPECIAL_FILES: Final = {"registry.yaml": "registry", "validators/catalog.yaml": "validators"}
#: Groups whose failing items attach the Mermaid graph of each failing query (shown by `-rA` and on failure).
GRAPH_GROUPS: Final = ("resolve", "coverage")
#: The file that carries the catalog-level items.
BASE_FILE: Final = "overlays/base.yaml"
GROUP_ORDER: Final = (*FILE_GROUPS, "registry", "validators", *CATALOG_GROUPS, "fuzz")

_reports_key = pytest.StashKey[dict[tuple[Any, ...], tuple["Catalog", "Report"]]]()
_targets_key = pytest.StashKey[set[Path]]()
_files_key = pytest.StashKey[dict[Path, Path]]()
_claimed_key = pytest.StashKey[set[Path]]()


class L40RecipesWarning(UserWarning):
    """A catalog finding of severity warning (not strict mode)."""


def pytest_addoption(parser: pytest.Parser) -> None:
    """Register `--l40-recipes*` options and their ini twins."""
    group = parser.getgroup("l40-recipes", "l40-recipes: check AICR recipe catalogs")
    group.addoption(
        OPTION, action="store_true", default=None, help="check the catalogs given as paths (or in l40_recipes_paths)"
    )
    group.addoption(
        "--l40-recipes-root", metavar="DIR", default=None, help="catalog root (default: the parent of overlays/)"
    )
    group.addoption("--l40-recipes-strict", action="store_true", default=None, help="warnings fail too")
    group.addoption(
        "--l40-recipes-select", metavar="RULES", default=None, help="comma-separated rule ids or groups to run"
    )
    group.addoption(
        "--l40-recipes-ignore", metavar="RULES", default=None, help="comma-separated rule ids or groups to skip"
    )
    group.addoption(
        "--l40-recipes-fuzz",
        action="store_true",
        default=None,
        help="add a fuzz item per catalog: resolution invariants over generated criteria (needs hypothesis)",
    )
    group.addoption(
        "--l40-recipes-aicr-version",
        choices=("0.20", "1.0"),
        default=None,
        help="upstream aicr release to read catalogs as (default: [tool.l40-recipes] aicr-version, else detected)",
    )
    parser.addini("l40_recipes", type="bool", default=False, help="enable the l40-recipes checks")
    parser.addini(
        "l40_recipes_aicr_version",
        type="string",
        default="",
        help="upstream aicr release: 0.20 or 1.0 (default: detect)",
    )
    parser.addini("l40_recipes_fuzz", type="bool", default=False, help="add the fuzz item per catalog")
    parser.addini(
        "l40_recipes_fuzz_examples", type="string", default="100", help="examples per fuzz item (default 100)"
    )
    parser.addini("l40_recipes_paths", type="paths", default=[], help="catalog roots or overlays/ directories to check")
    parser.addini("l40_recipes_strict", type="bool", default=False, help="warnings fail too")
    parser.addini("l40_recipes_select", type="args", default=[], help="rule ids or groups to run")
    parser.addini("l40_recipes_ignore", type="args", default=[], help="rule ids or groups to skip")


def _enabled(config: pytest.Config) -> bool:
    option = config.getoption(OPTION)
    return bool(option) if option is not None else bool(config.getini("l40_recipes"))


def _strict(config: pytest.Config) -> bool | None:
    option = config.getoption("--l40-recipes-strict")
    if option:
        return True
    return True if config.getini("l40_recipes_strict") else None


def _aicr_version(config: pytest.Config, root: Path) -> str | None:
    """The release to read the catalog at *root* as: option, ini, `[tool.l40-recipes]`, else None (detect)."""
    from l40_recipes._config import load_config  # noqa: PLC0415
    from l40_recipes._loading import catalog_root  # noqa: PLC0415

    chosen = config.getoption("--l40-recipes-aicr-version") or str(config.getini("l40_recipes_aicr_version")).strip()
    return str(chosen) if chosen else load_config(catalog_root(root)).aicr_version


def _rule_list(config: pytest.Config, name: str) -> list[str] | None:
    option = config.getoption(f"--l40-recipes-{name}")
    if option:
        return [item.strip() for item in str(option).split(",") if item.strip()]
    values = [str(item) for item in config.getini(f"l40_recipes_{name}")]
    return values or None


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker; when enabled by ini alone, add the configured catalogs to collection."""
    config.addinivalue_line("markers", f"{MARKER}: AICR catalog checks collected by l40-recipes")
    ini_version = str(config.getini("l40_recipes_aicr_version")).strip()
    if ini_version and ini_version not in ("0.20", "1.0"):
        msg = f"l40_recipes_aicr_version must be 0.20 or 1.0, got {ini_version!r}"
        raise pytest.UsageError(msg)
    if not _enabled(config):
        return
    config.stash[_reports_key] = {}
    paths = [Path(path) for path in config.getini("l40_recipes_paths")]
    if paths and not _args_given(config):
        config.args = [*config.args, *(str(path) for path in paths)]
    # Only directories named on the command line (or in l40_recipes_paths) become catalogs, so a
    # catalog root that is also the rootdir keeps collecting its tests normally. A catalog file
    # named on the command line (a pasted item id) is collected on its own.
    candidates = [config.invocation_params.dir / str(arg).split("::")[0] for arg in config.args]
    config.stash[_targets_key] = {
        path.resolve() for path in candidates if path.is_dir() and _catalog_root(path, config) is not None
    }
    config.stash[_files_key] = {
        path.resolve(): root
        for path in candidates
        if path.is_file() and (root := _containing_catalog(path, config)) is not None
    }
    config.stash[_claimed_key] = set()


def _containing_catalog(path: Path, config: pytest.Config) -> Path | None:
    """The catalog root holding the file *path*, looking up from its directory."""
    for directory in path.resolve().parents:
        root = _catalog_root(directory, config)
        if root is not None:
            return root.resolve()
    return None


def _args_given(config: pytest.Config) -> bool:
    """Whether the command line named paths to collect (then ini paths are not added)."""
    return bool(config.invocation_params.args) and any(
        not str(arg).startswith("-") and Path(str(arg).split("::")[0]).exists() for arg in config.invocation_params.args
    )


def pytest_report_header(config: pytest.Config) -> str | None:
    """Name the catalogs and the rule set, like pytest-randomly names its seed."""
    if not _enabled(config):
        return None
    targets = [str(path) for path in config.getini("l40_recipes_paths")] or ["paths given on the command line"]
    strict = " (strict)" if _strict(config) else ""
    select = _rule_list(config, "select")
    rules = f"rules {','.join(select)}" if select else "all rules"
    return f"l40-recipes: checking {', '.join(targets)} with {rules}{strict}"


def _catalog_root(path: Path, config: pytest.Config) -> Path | None:
    """The catalog root *path* stands for, or None when it is not a catalog directory."""
    override = config.getoption("--l40-recipes-root")
    if path.name == "overlays" and (path / "base.yaml").is_file():
        return Path(override).resolve() if override else path.parent
    if (path / "overlays" / "base.yaml").is_file() or (
        (path / "overlays").is_dir() and (path / "registry.yaml").is_file()
    ):
        return Path(override).resolve() if override else path
    return None


def pytest_collect_directory(path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    """Collect a catalog directory (root or overlays/) as catalog items when the plugin is enabled.

    A catalog reached twice (its root and its overlays/ both named, e.g. `.` and the ini's
    `overlays`) is collected once, by the directory reached first.
    """
    config = parent.config
    if not _enabled(config) or path.resolve() not in config.stash.get(_targets_key, set()):
        return None
    root = _catalog_root(path, config)
    claimed = config.stash[_claimed_key]
    if root is None or root.resolve() in claimed:
        return None
    claimed.add(root.resolve())
    return CatalogDirectory.from_parent(parent, path=path)


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    """A catalog file named on the command line (`overlays/eks.yaml::schema`) is collected alone."""
    config = parent.config
    if not _enabled(config):
        return None
    root = config.stash.get(_files_key, {}).get(file_path.resolve())
    if root is None or root in config.stash[_claimed_key]:
        return None
    catalog, files, by_item = _plan(config, root)
    relative = file_path.resolve().relative_to(root).as_posix()
    if relative not in files:
        return None
    return CatalogFile.from_parent(
        parent, path=file_path, relative=relative, groups=files[relative], findings=by_item, catalog=catalog
    )


def _checked(config: pytest.Config, root: Path) -> tuple[Catalog, Report]:
    """The catalog at *root* and its check() report, computed once per process.

    Every xdist worker computes the same, deterministically. Paths in findings are relative to the
    directory pytest was invoked from, as a linter prints them.
    """
    from l40_recipes import check  # noqa: PLC0415 - the plugin stays light until enabled
    from l40_recipes._loading import load_catalog_for_check  # noqa: PLC0415

    select, ignore = _rule_list(config, "select"), _rule_list(config, "ignore")
    release = _aicr_version(config, root)
    key = (root.resolve(), _strict(config), tuple(select or ()), tuple(ignore or ()), release)
    reports = config.stash[_reports_key]
    if key not in reports:
        shown = Path(os.path.relpath(root.resolve(), config.invocation_params.dir))
        catalog = load_catalog_for_check(shown, aicr_version=release)
        reports[key] = (catalog, check(catalog, strict=_strict(config), select=select, ignore=ignore))
    return reports[key]


# pytest marks Dir `@final` for type checkers only; extending it keeps the directory's normal collection
# (a catalog root may also hold tests) instead of copying pytest's private directory walk.
class CatalogDirectory(pytest.Dir):  # type: ignore[misc]  # pytest: Dir is @final for type checkers only
    """A directory that is a catalog: its usual contents, one node per catalog file, and catalog items."""

    @property
    def catalog_root(self) -> Path:
        """The catalog this directory stands for (its parent when it is an overlays/ directory)."""
        root = _catalog_root(self.path, self.config)
        assert root is not None
        return root

    def collect(self) -> Iterator[pytest.Item | pytest.Collector]:
        """Yield the directory's own children, then the catalog's file nodes (sorted)."""
        yield from super().collect()
        catalog, files, by_item = _plan(self.config, self.catalog_root)
        for relative in sorted(files):
            yield CatalogFile.from_parent(
                self,
                path=self.catalog_root / relative,
                relative=relative,
                groups=files[relative],
                findings=by_item,
                catalog=catalog,
            )


def _plan(
    config: pytest.Config, root: Path
) -> tuple[Catalog, dict[str, list[str]], dict[tuple[str, str], list[Finding]]]:
    """The catalog at *root*, its files with their item groups, and the findings per (file, group).

    Catalog-level groups (and the fuzz item) belong to `overlays/base.yaml`, so every item id is a
    real file path plus a group, which pytest accepts back on its command line.
    """
    from l40_recipes._rules import all_rules  # noqa: PLC0415

    catalog, report = _checked(config, root)
    groups = {rule_id: item.group for rule_id, item in all_rules().items()}
    display = catalog.display_root
    home = catalog.base.path if catalog.base else BASE_FILE
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
        files.setdefault(item.path, set()).update(FILE_GROUPS)
    for mixin in catalog.mixins.values():
        files.setdefault(mixin.path, set()).update(("schema", "references"))
    for relative, group in SPECIAL_FILES.items():
        if (root / relative).is_file():
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

        catalog, _ = _checked(self.config, directory.catalog_root)
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


def _configured_catalog(config: pytest.Config) -> Path:
    paths = [Path(path) for path in config.getini("l40_recipes_paths")]
    override = config.getoption("--l40-recipes-root")
    if override:
        return Path(override)
    for path in paths:
        root = _catalog_root(path, config)
        if root is not None:
            return root
    fallback = config.rootpath / "overlays"
    if (fallback / "base.yaml").is_file():
        return config.rootpath
    raise pytest.UsageError("l40_catalog needs a catalog: set l40_recipes_paths (ini) or --l40-recipes-root")


@pytest.fixture(name="l40_catalog", scope="session")
def _l40_catalog(request: pytest.FixtureRequest) -> Catalog:
    """The configured catalog (l40_recipes_paths, --l40-recipes-root, or ./overlays), loaded once."""
    from l40_recipes import load_catalog  # noqa: PLC0415

    root = _configured_catalog(request.config)
    return load_catalog(root, aicr_version=_aicr_version(request.config, root))


@pytest.fixture(name="l40_resolve", scope="session")
def _l40_resolve(l40_catalog: Catalog) -> Callable[..., RecipeResult]:
    """`resolve(...)` bound to the configured catalog: `l40_resolve(service="eks", ...)`."""
    from l40_recipes import resolve  # noqa: PLC0415

    def bound(*args: Any, **kwargs: Any) -> RecipeResult:
        return resolve(*args, catalog=l40_catalog, **kwargs)

    return bound


@pytest.fixture(name="l40_check", scope="session")
def _l40_check(l40_catalog: Catalog) -> Callable[..., Report]:
    """`check(...)` bound to the configured catalog: `l40_check(strict=True).ok`."""
    from l40_recipes import check  # noqa: PLC0415

    def bound(**kwargs: Any) -> Report:
        return check(l40_catalog, **kwargs)

    return bound
