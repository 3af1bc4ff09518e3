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

    from ._layer import Layer
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
    data: str | os.PathLike[str] | None = None,
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
        data: Check this data layer (a directory holding `registry.yaml`) as `aicr recipe --data`
            layers it over the catalog path; only findings in the layer's files (and the
            configuration's) are reported. Default: `data` from `[tool.l40-recipes]`, else none. A
            loaded `Catalog` is checked with the layer it was loaded with.

    Raises:
        RecipeError: *aicr_version* differs from the release a loaded `Catalog` was read as.
        RecipeError: *data* is not a directory upstream would layer (`construct layered data provider`).
        ValueError: *aicr_version* is not a reproduced release.

    Returns:
        A `Report` whose findings are sorted by file, line, column and rule.
    """
    return _check(
        catalog, strict=strict, select=select, ignore=ignore, config=config, aicr_version=aicr_version, data=data
    )


def _check(
    catalog: Catalog | str | os.PathLike[str],
    *,
    strict: bool | None,
    select: Iterable[str] | None,
    ignore: Iterable[str] | None,
    config: Config | None,
    aicr_version: AicrVersion | str | None = None,
    data: str | os.PathLike[str] | None = None,
) -> Report:
    if isinstance(catalog, Catalog):
        if data is not None:
            msg = "data= layers over a catalog path; load the Catalog with load_catalog(path, data=...) instead"
            raise TypeError(msg)
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
        layer = data if data is not None else found.data
        loaded = load_catalog_for_check(Path(catalog), aicr_version=chosen, data=layer)
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
    if loaded.layer is not None:
        kept = _in_layer(kept, loaded.layer, settings.source)
    return Report.of((_severity(finding, settings) for finding in kept), strict=settings.strict)


def _in_layer(findings: list[Finding], layer: Layer, configuration: str) -> list[Finding]:
    """The findings about the layer's own files (and the configuration): the catalog under it is not checked."""
    files = {layer.display(relative) for relative in layer.files}
    return [
        finding for finding in findings if finding.file in files or (configuration and finding.file == configuration)
    ]


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
