"""`python -m l40_recipes`: the `l40-recipes` command line."""

from __future__ import annotations

from ._cli import run

run()
