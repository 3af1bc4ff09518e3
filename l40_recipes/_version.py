"""The program's name and version: the one place the version is written (the build reads it from here)."""

from __future__ import annotations

__all__ = ["PROG", "__version__"]

__version__ = "0.1.0"

#: The command's name, as usage lines and messages print it.
PROG = "l40-recipes"
