"""`check()`: every rule over a catalog, with configuration, strict mode and waivers applied."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from ._catalog import Catalog
from ._config import Config, load_config
from ._errors import ErrorCode, RecipeError
from ._loading import complete_for_check, load_catalog_for_check
from ._report import Finding, Report, Severity
from ._rules import Context, all_rules
from ._semantics import aicr_version as as_aicr_version
from ._walk import catalog_root

if TYPE_CHECKING:
    import os
    from collections.abc import Iterable

    from ._semantics import AicrVersion

__all__ = ["check"]

_LATE: tuple[str, ...] = ("waiver-unused",)


def check(
    catalog: Catalog | str | os.PathLike[str],
    *,
    strict: bool | None = None,
    select: Iterable[str] | None = None,
    ignore: Iterable[str] | None = None,
    config: Config | None = None,
    aicr_version: AicrVersion | str | None = None,
) -> Report:
    """Check a catalog against every rule (see `docs/rules.md`); never raises for catalog problems.

    >>> report = check("overlays/")          # doctest: +SKIP
    >>> report.ok, report.counts             # doctest: +SKIP
    (True, {'error': 0, 'warning': 0})

    Args:
        catalog: A loaded `Catalog`, or a catalog root / `overlays/` path (loaded collecting every
            load problem as a finding).
        strict: Promote warnings to errors. Default: `strict` from `[tool.l40-recipes]`, else False.
        select: Run only these rule ids or groups. Default: the configuration's, else every rule.
        ignore: Skip these rule ids or groups (added to the configuration's).
        config: Use this configuration instead of reading `pyproject.toml`.
        aicr_version: Read a catalog path as this upstream release (`"0.20"`, `"1.0"`). Default:
            `aicr-version` from `[tool.l40-recipes]`, else detected from the headers. A loaded
            `Catalog` keeps the release it was loaded as; asking for another is an error.

    Raises:
        RecipeError: *aicr_version* differs from the release a loaded `Catalog` was read as.
        ValueError: *aicr_version* is not a reproduced release.

    Returns:
        A `Report` whose findings are sorted by file, line, column and rule.
    """
    return _check(catalog, strict=strict, select=select, ignore=ignore, config=config, aicr_version=aicr_version)


def _check(
    catalog: Catalog | str | os.PathLike[str],
    *,
    strict: bool | None,
    select: Iterable[str] | None,
    ignore: Iterable[str] | None,
    config: Config | None,
    aicr_version: AicrVersion | str | None = None,
) -> Report:
    if isinstance(catalog, Catalog):
        wanted = as_aicr_version(aicr_version)
        if wanted is not None and wanted is not catalog.aicr_version:
            msg = f"the catalog was loaded as aicr {catalog.aicr_version.name}; it cannot be checked as aicr {wanted.name}"
            raise RecipeError(
                msg,
                code=ErrorCode.INVALID_REQUEST,
                hint=f'pass the path instead, or load it with load_catalog(path, aicr_version="{wanted.name}")',
            )
        loaded = complete_for_check(catalog)
        settings = config if config is not None else load_config(loaded.root, display_root=loaded.display_root)
    else:
        found = config if config is not None else load_config(catalog_root(Path(catalog)))
        chosen = aicr_version if aicr_version is not None else found.aicr_version
        loaded = load_catalog_for_check(Path(catalog), aicr_version=chosen)
        settings = config if config is not None else load_config(loaded.root, display_root=loaded.display_root)
    settings = replace(
        settings,
        strict=settings.strict if strict is None else strict,
        select=frozenset(select) if select is not None else settings.select,
        ignore=settings.ignore | frozenset(ignore or ()),
    )
    rules = all_rules()
    ctx = Context(loaded, settings)
    raw: list[Finding] = []
    for rule_id, item in rules.items():
        if rule_id in _LATE or not _enabled(rule_id, item.group, settings):
            continue
        raw.extend(item.function(ctx))
    kept, used = _apply_waivers(raw, settings)
    ctx.used_waivers = used
    for rule_id in _LATE:
        if _enabled(rule_id, rules[rule_id].group, settings):
            kept.extend(rules[rule_id].function(ctx))
    return Report.of((_severity(finding, settings) for finding in kept), strict=settings.strict)


def _enabled(rule_id: str, group: str, settings: Config) -> bool:
    if settings.select is not None and rule_id not in settings.select and group not in settings.select:
        return False
    return rule_id not in settings.ignore and group not in settings.ignore


def _apply_waivers(findings: list[Finding], settings: Config) -> tuple[list[Finding], set[int]]:
    used: set[int] = set()
    kept: list[Finding] = []
    for finding in findings:
        matched = [
            index
            for index, waiver in enumerate(settings.waivers)
            if waiver.rule == finding.rule and waiver.overlay == finding.overlay
        ]
        used.update(matched)
        if not matched:
            kept.append(finding)
    return kept, used


def _severity(finding: Finding, settings: Config) -> Finding:
    level = settings.severity.get(finding.rule, finding.severity)
    if settings.strict:
        level = Severity.ERROR
    return finding if level is finding.severity else finding.model_copy(update={"severity": level})
