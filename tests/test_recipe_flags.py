"""`aicr recipe`'s flags beyond the criteria, module-level (the command-line cases are in test_cli.py)."""

from __future__ import annotations

import pytest

from l40_recipes import RecipeError
from l40_recipes._recipe_flags import (
    accounting_mode,
    runtime_inventory_mode,
    unsupported,
)


def test_modes_are_read_as_upstream_parses_them() -> None:
    """Accounting: trimmed and lowercased; runtime inventory: exact. Unset stays unset."""
    assert accounting_mode(None) is None
    assert accounting_mode(" Customer-Managed ") == "customer-managed"
    assert runtime_inventory_mode(None) is None
    assert runtime_inventory_mode("enabled") == "enabled"
    with pytest.raises(RecipeError, match='invalid runtime inventory mode "Disabled"'):
        runtime_inventory_mode("Disabled")
    with pytest.raises(RecipeError, match='invalid Slurm accounting mode "x\\\\t"'):
        accounting_mode("x\t")


def test_unsupported() -> None:
    """A refusal is INVALID_REQUEST and says why."""
    error = unsupported("--thing", "because")
    assert error.upstream_text == "[INVALID_REQUEST] --thing is not implemented by l40-recipes: because"
