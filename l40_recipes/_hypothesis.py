"""Hypothesis integration: `st.from_type(Criteria)` and named settings profiles.

Hypothesis calls `setup()` through its `hypothesis` entry point whenever it is imported. To keep
that cheap, `setup()` only registers the settings profiles; the `Criteria` strategy is registered
as soon as both hypothesis and the models are imported, whichever comes second.
"""

from __future__ import annotations

import sys

__all__ = ["register_types", "setup"]

PROFILES = {
    # Quick local feedback.
    "l40-recipes-dev": {"max_examples": 25, "deadline": None},
    # Reproducible CI runs with a bounded budget.
    "l40-recipes-ci": {"max_examples": 60, "deadline": None, "derandomize": True, "print_blob": True, "database": None},
    # Long nightly exploration.
    "l40-recipes-nightly": {"max_examples": 2000, "deadline": None},
}


def setup() -> None:
    """Register the settings profiles (never loaded here) and, if the models are loaded, the types."""
    from hypothesis import settings  # noqa: PLC0415

    for name, options in PROFILES.items():
        settings.register_profile(name, **options)  # type: ignore[arg-type]
    if "l40_recipes._models" in sys.modules:
        register_types()


def register_types() -> None:
    """Let `st.from_type(Criteria)` produce parsed queries (the strategy is built on first use)."""
    from hypothesis import strategies as st  # noqa: PLC0415

    from ._models import Criteria  # noqa: PLC0415

    def resolver(_: type[Criteria]) -> st.SearchStrategy[Criteria]:
        from .strategies import criteria  # noqa: PLC0415 - strategies imports the models

        return criteria()

    st.register_type_strategy(Criteria, resolver)
