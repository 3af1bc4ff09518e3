"""Hypothesis integration: `st.from_type(Criteria)` and named settings profiles.

Hypothesis calls `setup()` through its `hypothesis` entry point whenever it is imported. To keep
that cheap, `setup()` only registers the settings profiles; the `Criteria` strategy is registered
as soon as both hypothesis and the models are imported, whichever comes second.
"""

from __future__ import annotations

import sys
from typing import Final

__all__ = ["register_types", "setup"]

#: The named settings profiles, by example budget: quick local feedback, reproducible CI runs with
#: a bounded budget (derandomized, no example database), long nightly exploration.
PROFILES: Final = ("l40-recipes-dev", "l40-recipes-ci", "l40-recipes-nightly")


def setup() -> None:
    """Register the settings profiles (never loaded here) and, if the models are loaded, the types."""
    from hypothesis import settings  # noqa: PLC0415

    settings.register_profile("l40-recipes-dev", max_examples=25, deadline=None)
    settings.register_profile(
        "l40-recipes-ci", max_examples=60, deadline=None, derandomize=True, print_blob=True, database=None
    )
    settings.register_profile("l40-recipes-nightly", max_examples=2000, deadline=None)
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
