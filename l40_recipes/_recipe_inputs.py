"""What `aicr recipe` resolves from: its flags, an AICRConfig (`--config`) and a snapshot (`--snapshot`).

A flag given on the command line wins over the config file's value, which wins over the default
(upstream's `stringFlagOrConfig`). Criteria are the snapshot's detected ones, then the config's,
then the flags' (each parsed against the catalog); without a snapshot, the config's then the
flags'. Only the dimensions a user stated (config or flag) are kept from relaxation.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Final

from ._criteria import build_query, parse_dimension, specificity
from ._errors import CriteriaError, ErrorCode, RecipeError
from ._models import DIMENSIONS

if TYPE_CHECKING:
    from ._aicr_config import AicrConfig
    from ._catalog import Catalog
    from ._models import Criteria
    from ._recipe_argv import Arguments
    from ._result import RecipeResult
    from ._semantics import AicrVersion

__all__ = [
    "Inputs",
    "build_recipe_from_inputs",
    "check_config",
    "read_inputs",
    "recipe_from_inputs",
    "selected_modes",
]

_DEFAULT_FORMAT: Final = "yaml"


@dataclass(frozen=True, slots=True)
class Inputs:
    """The command's settings once the config file filled what the flags left unset."""

    config: AicrConfig | None
    format: str
    output: str | None
    profile: str | None
    snapshot: str
    data: str | None
    accounting_flag: str | None
    inventory_flag: str | None
    flag_values: dict[str, object] = field(default_factory=dict)
    config_source: str = ""


def _flag_or_config(flag: str | None, configured: str) -> str | None:
    """Upstream `stringFlagOrConfig`: a flag that was given (even empty) wins; else the config's non-empty value."""
    if flag is not None:
        return flag
    return configured or None


def read_inputs(args: Arguments) -> Inputs:
    """Read `--config` (if any) and settle every setting's source.

    Raises:
        RecipeError: upstream's error for a config file that does not load or validate.
    """
    config = None
    if args.config:  # an empty --config is no config
        from ._aicr_config import load_config_file  # noqa: PLC0415

        config = load_config_file(args.config, defer_header=True)
    flags = {name: getattr(args, name) for name in (*DIMENSIONS, "nodes")}
    return Inputs(
        config=config,
        format=_flag_or_config(args.format, (config.output_format if config else "") or _DEFAULT_FORMAT) or "",
        output=_flag_or_config(args.output, config.output_path if config else ""),
        profile=_flag_or_config(args.profile, config.profile if config else ""),
        snapshot=_flag_or_config(args.snapshot, config.snapshot if config else "") or "",
        data=(args.data or None) or ((config.data or None) if config else None),
        accounting_flag=args.slurm_accounting_mode,
        inventory_flag=args.runtime_inventory,
        flag_values={name: value for name, value in flags.items() if value is not None},
        config_source=args.config or "",
    )


def check_config(inputs: Inputs, semantics: AicrVersion) -> None:
    """Judge the config (read before the release was known) as *semantics* judges it.

    Upstream reads `--config` before anything else, so its errors come first; here they wait for
    the release, which the catalog's headers may decide. Callers that know the release already
    (`--aicr-version`, a pinned `aicr-version`) check before loading the catalog too.

    Raises:
        RecipeError: the release's error for the config's kind, apiVersion or sections.
    """
    if inputs.config is not None:
        from ._aicr_config import check_config_release  # noqa: PLC0415

        check_config_release(inputs.config, inputs.config_source, semantics)


def selected_modes(inputs: Inputs) -> tuple[str | None, str | None]:
    """The Slurm accounting and runtime inventory modes: a flag that was given (checked now), else the config's.

    Raises:
        RecipeError: upstream's message for a flag value it does not accept.
    """
    from ._recipe_flags import accounting_mode, runtime_inventory_mode  # noqa: PLC0415

    config = inputs.config
    accounting = (
        accounting_mode(inputs.accounting_flag)
        if inputs.accounting_flag is not None
        else (config.accounting_mode if config else None)
    )
    inventory = (
        runtime_inventory_mode(inputs.inventory_flag)
        if inputs.inventory_flag is not None
        else (config.runtime_inventory if config else None)
    )
    return accounting, inventory


def _config_values(inputs: Inputs, catalog: Catalog) -> dict[str, str]:
    """The config's criteria, each parsed against the catalog (upstream `ResolveCriteriaWithRegistry`)."""
    values: dict[str, str] = {}
    if inputs.config is None:
        return values
    for dimension, raw in inputs.config.criteria.items():
        try:
            values[dimension] = parse_dimension(
                dimension, raw, known=catalog.known_values, semantics=catalog.aicr_version
            )
        except CriteriaError as err:
            raise RecipeError(
                f"invalid spec.recipe.criteria.{dimension}", code=ErrorCode.INVALID_REQUEST, cause=err
            ) from None
    return values


def _flag_dimensions(inputs: Inputs, catalog: Catalog) -> dict[str, str]:
    values: dict[str, str] = {}
    for dimension in DIMENSIONS:
        raw = inputs.flag_values.get(dimension)
        if isinstance(raw, str) and raw:
            values[dimension] = parse_dimension(
                dimension, raw, known=catalog.known_values, semantics=catalog.aicr_version
            )
    return values


def query_without_snapshot(inputs: Inputs, catalog: Catalog) -> Criteria:
    """The config's criteria with the flags over them.

    Raises:
        CriteriaError: `error parsing criteria: ...` around a value the catalog's parser refuses.
    """
    try:
        values: dict[str, object] = {**_config_values(inputs, catalog), **_flag_dimensions(inputs, catalog)}
    except RecipeError as err:
        raise CriteriaError("error parsing criteria", cause=err) from None
    return _query(values, inputs, catalog)


def _query(values: dict[str, object], inputs: Inputs, catalog: Catalog, nodes: int = 0) -> Criteria:
    if inputs.config is not None and inputs.config.nodes > 0:
        nodes = inputs.config.nodes
    flag_nodes = inputs.flag_values.get("nodes")
    if isinstance(flag_nodes, int) and flag_nodes > 0:
        nodes = flag_nodes
    # The values are canonical already; parsing them again keeps them as they are.
    return build_query({**values, "nodes": nodes}, known=catalog.known_values, semantics=catalog.aicr_version)


def recipe_from_inputs(inputs: Inputs, catalog: Catalog, version: str | None) -> RecipeResult:
    """The recipe `aicr recipe` builds from settled inputs: resolved, then its build configuration applied.

    Raises:
        RecipeError: what upstream reports, in its order.
    """
    accounting, inventory = selected_modes(inputs)
    return build_recipe_from_inputs(inputs, catalog, version, accounting=accounting, inventory=inventory)


def build_recipe_from_inputs(
    inputs: Inputs,
    catalog: Catalog,
    version: str | None,
    *,
    accounting: str | None = None,
    inventory: str | None = None,
) -> RecipeResult:
    """Resolve the command's query, from a snapshot when one is given, as `aicr recipe` does.

    *accounting* and *inventory* are the build selections (`selected_modes`).

    Raises:
        RecipeError: what upstream reports, in its order.
    """
    from ._recipe_flags import check_accounting_platform  # noqa: PLC0415
    from ._resolution import NO_CRITERIA_MESSAGE, build_recipe  # noqa: PLC0415

    if inputs.snapshot:
        return _from_snapshot(inputs, catalog, version, accounting=accounting, inventory=inventory)
    query = query_without_snapshot(inputs, catalog)
    if specificity(query) == 0:
        raise CriteriaError(NO_CRITERIA_MESSAGE)
    if accounting is not None:
        check_accounting_platform(query)
    return build_recipe(
        catalog, query, profile=inputs.profile, version=version, accounting=accounting, inventory=inventory
    )


def _from_snapshot(
    inputs: Inputs, catalog: Catalog, version: str | None, *, accounting: str | None, inventory: str | None
) -> RecipeResult:
    from ._recipe_flags import check_accounting_platform  # noqa: PLC0415
    from ._snapshot import load_snapshot  # noqa: PLC0415
    from ._snapshot_criteria import detect_criteria, no_criteria_error  # noqa: PLC0415
    from ._snapshot_resolution import resolve_snapshot  # noqa: PLC0415

    snapshot = load_snapshot(inputs.snapshot, catalog.aicr_version)
    detected = detect_criteria(snapshot, catalog)
    configured = _config_values(inputs, catalog)
    flagged = _flag_dimensions(inputs, catalog)
    values: dict[str, object] = {dimension: value for dimension, value in detected.items() if dimension != "nodes"}
    values.update(configured)
    values.update(flagged)
    detected_nodes = detected.get("nodes", 0)
    query = _query(values, inputs, catalog, detected_nodes if isinstance(detected_nodes, int) else 0)
    if specificity(query) == 0:
        raise no_criteria_error(inputs.snapshot)
    if accounting is not None:
        check_accounting_platform(query)
    return resolve_snapshot(
        catalog,
        query,
        snapshot,
        stated=frozenset(configured) | frozenset(flagged),
        profile=inputs.profile,
        version=version,
        accounting=accounting,
        inventory=inventory,
    )
