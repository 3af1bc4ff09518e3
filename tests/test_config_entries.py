"""The `[tool.l40-recipes]` entry models: strict types, unknown keys refused, a key per setting."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from l40_recipes._config_entries import ENTRIES, PinEntry, RequirementEntry, Section


def test_settings_are_read_under_their_toml_keys() -> None:
    """`aicr-version` and `any-of` are the TOML spellings; the rest keep their names."""
    assert Section.model_validate({"aicr-version": "1.0", "strict": True}).aicr_version == "1.0"
    assert RequirementEntry.model_validate({"any-of": ["a"]}).any_of == ["a"]
    assert set(ENTRIES) == {"waivers", "required-components", "version-pin-exemptions"}


@pytest.mark.parametrize(
    ("model", "entry", "error"),
    [
        (Section, {"strict": "yes"}, "bool_type"),  # strict: no YAML-style coercion
        (Section, {"color": "red"}, "extra_forbidden"),
        (RequirementEntry, {"any-of": []}, "too_short"),
        (PinEntry, {"overlay": "x"}, "missing"),
    ],
)
def test_entries_are_strict(
    model: type[Section | RequirementEntry | PinEntry], entry: dict[str, object], error: str
) -> None:
    """A wrong type, an unknown key, an empty choice or a missing name is refused with its error type."""
    with pytest.raises(ValidationError) as caught:
        model.model_validate(entry)
    assert caught.value.errors()[0]["type"] == error
