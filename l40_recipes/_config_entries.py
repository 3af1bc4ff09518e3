"""The entries of `[tool.l40-recipes]` as pydantic models (strict types, unknown keys refused).

These are the package's only pydantic models: `_config` imports this module only when a
`pyproject.toml` has the section, so a process that reads none never imports pydantic.
"""

from __future__ import annotations

from typing import Final

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr

__all__ = ["ENTRIES", "Entry", "PinEntry", "RequirementEntry", "Section", "WaiverEntry"]


class Entry(BaseModel):
    """One table of `[tool.l40-recipes]`: strict types, unknown keys refused."""

    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=True)

    #: The line of the entry's `[[...]]` header (of its key when written inline).
    _line: int = PrivateAttr(default=1)


class WaiverEntry(Entry):
    rule: str = ""
    overlay: str = ""
    reason: str = ""


class RequirementEntry(Entry):
    name: str | None = None
    when: dict[str, str] = Field(default_factory=dict)
    any_of: list[str] = Field(alias="any-of", min_length=1)


class PinEntry(Entry):
    overlay: str
    component: str
    reason: str = ""


class Section(Entry):
    """The keys of `[tool.l40-recipes]` other than its arrays of tables (validated entry by entry)."""

    strict: bool = False
    aicr_version: str | None = Field(default=None, alias="aicr-version")
    data: str | None = None
    select: list[str] | None = None
    ignore: list[str] | None = None
    severity: dict[str, str] = Field(default_factory=dict)  # each level is checked apart, keeping the valid ones


#: The model of each array of tables' entries.
ENTRIES: Final[dict[str, type[Entry]]] = {
    "waivers": WaiverEntry,
    "required-components": RequirementEntry,
    "version-pin-exemptions": PinEntry,
}
