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

from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import pytest

from l40_recipes._plugin_items import (
    MARKER,
    REPORTS_KEY,
    CatalogDirectory,
    CatalogFile,
    L40RecipesWarning,
    aicr_version_option,
    catalog_root_of,
    data_option,
    plan,
    rule_list_option,
    strict_option,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from l40_recipes import Catalog, RecipeResult, Report

__all__ = [
    "L40RecipesWarning",
    "pytest_addoption",
    "pytest_collect_directory",
    "pytest_collect_file",
    "pytest_configure",
    "pytest_report_header",
]

OPTION: Final = "--l40-recipes"

_targets_key = pytest.StashKey[set[Path]]()
_files_key = pytest.StashKey[dict[Path, Path]]()
_claimed_key = pytest.StashKey[set[Path]]()


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
    group.addoption(
        "--l40-recipes-data",
        metavar="DIR",
        default=None,
        help="check the data layer DIR over each catalog, as aicr --data layers it (default: [tool.l40-recipes] data)",
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


def pytest_configure(config: pytest.Config) -> None:
    """Register the marker; when enabled by ini alone, add the configured catalogs to collection."""
    config.addinivalue_line("markers", f"{MARKER}: AICR catalog checks collected by l40-recipes")
    ini_version = str(config.getini("l40_recipes_aicr_version")).strip()
    if ini_version and ini_version not in ("0.20", "1.0"):
        msg = f"l40_recipes_aicr_version must be 0.20 or 1.0, got {ini_version!r}"
        raise pytest.UsageError(msg)
    if not _enabled(config):
        return
    config.stash[REPORTS_KEY] = {}
    paths = [Path(path) for path in config.getini("l40_recipes_paths")]
    if paths and not _args_given(config):
        config.args = [*config.args, *(str(path) for path in paths)]
    # Only directories named on the command line (or in l40_recipes_paths) become catalogs, so a
    # catalog root that is also the rootdir keeps collecting its tests normally. A catalog file
    # named on the command line (a pasted item id) is collected on its own.
    candidates = [config.invocation_params.dir / str(arg).split("::")[0] for arg in config.args]
    config.stash[_targets_key] = {
        path.resolve() for path in candidates if path.is_dir() and catalog_root_of(path, config) is not None
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
        root = catalog_root_of(directory, config)
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
    strict = " (strict)" if strict_option(config) else ""
    select = rule_list_option(config, "select")
    rules = f"rules {','.join(select)}" if select else "all rules"
    return f"l40-recipes: checking {', '.join(targets)} with {rules}{strict}"


def pytest_collect_directory(path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    """Collect a catalog directory (root or overlays/) as catalog items when the plugin is enabled.

    A catalog reached twice (its root and its overlays/ both named, e.g. `.` and the ini's
    `overlays`) is collected once, by the directory reached first.
    """
    config = parent.config
    if not _enabled(config) or path.resolve() not in config.stash.get(_targets_key, set()):
        return None
    root = catalog_root_of(path, config)
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
    catalog, files, by_item = plan(config, root)
    relative = file_path.resolve().relative_to(root).as_posix()
    if relative not in files:
        return None
    return CatalogFile.from_parent(
        parent, path=file_path, relative=relative, groups=files[relative], findings=by_item, catalog=catalog
    )


def _configured_catalog(config: pytest.Config) -> Path:
    paths = [Path(path) for path in config.getini("l40_recipes_paths")]
    override = config.getoption("--l40-recipes-root")
    if override:
        return Path(override)
    for path in paths:
        root = catalog_root_of(path, config)
        if root is not None:
            return root
    fallback = config.rootpath / "overlays"
    if (fallback / "base.yaml").is_file():
        return config.rootpath
    raise pytest.UsageError("l40_catalog needs a catalog: set l40_recipes_paths (ini) or --l40-recipes-root")


@pytest.fixture(name="l40_catalog", scope="session")
def _l40_catalog(request: pytest.FixtureRequest) -> Catalog:
    """The configured catalog (l40_recipes_paths, --l40-recipes-root, or ./overlays), loaded once.

    With `--l40-recipes-data DIR` (or `data` in `[tool.l40-recipes]`) the layer is loaded over it.
    """
    from l40_recipes import load_catalog  # noqa: PLC0415

    root = _configured_catalog(request.config)
    config = request.config
    return load_catalog(root, aicr_version=aicr_version_option(config, root), data=data_option(config, root))


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
