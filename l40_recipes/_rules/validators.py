"""Rules about `validators/catalog.yaml`, the checks validation phases may name."""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from . import Context, rule

if TYPE_CHECKING:
    from collections.abc import Iterator

    from l40_recipes._report import Finding


VALIDATOR_PHASES: Final = ("deployment", "performance", "conformance")


@rule(
    "validators-catalog",
    "validators/catalog.yaml is valid",
    group="validators",
    upstream="pkg/validator/catalog TestLoad",
)
def validators_catalog(ctx: Context) -> Iterator[Finding]:
    """The validator catalog defines what each check name runs; upstream's parser rejects these mistakes."""
    validators = ctx.catalog.validators
    if validators is None:
        return
    document = validators.document
    source = validators.source
    if document.api_version != "validator.nvidia.com/v1alpha1":
        yield ctx.finding(
            "validators-catalog",
            source.locate(("apiVersion",)),
            f"apiVersion {document.api_version!r} is not 'validator.nvidia.com/v1alpha1'",
            hint="set apiVersion: validator.nvidia.com/v1alpha1",
        )
    if document.kind != "ValidatorCatalog":
        yield ctx.finding(
            "validators-catalog",
            source.locate(("kind",)),
            f"kind {document.kind!r} is not 'ValidatorCatalog'",
            hint="set kind: ValidatorCatalog",
        )
    seen: set[str] = set()
    for index, entry in enumerate(document.validators):
        where = source.locate(("validators", index))
        if not entry.name:
            yield ctx.finding("validators-catalog", where, f"validator #{index} has no name", hint="name it")
        elif entry.name in seen:
            yield ctx.finding(
                "validators-catalog",
                source.locate(("validators", index, "name")),
                f"duplicate validator name {entry.name!r}",
                hint="remove or rename one",
            )
        seen.add(entry.name)
        if entry.phase not in VALIDATOR_PHASES:
            yield ctx.finding(
                "validators-catalog",
                source.locate(("validators", index, "phase")),
                f"validator {entry.name!r} has phase {entry.phase!r}; expected one of {', '.join(VALIDATOR_PHASES)}",
                hint="fix the phase",
            )
        if not entry.image:
            yield ctx.finding(
                "validators-catalog", where, f"validator {entry.name!r} has no image", hint="set the container image"
            )
