"""Where the L40/L40S catalog shipped with the package lives, loaded once per process."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from ._loading import load_catalog

if TYPE_CHECKING:
    from ._catalog import Catalog

_shipped: Catalog | None = None


def shipped_catalog() -> Catalog:
    """The L40/L40S catalog shipped with this package (loaded once per process)."""
    global _shipped  # noqa: PLW0603 - a process-wide cache of an immutable catalog
    if _shipped is None:
        _shipped = load_catalog(shipped_catalog_root())
    return _shipped


def shipped_catalog_root() -> Path:
    """Where the shipped catalog lives: packaged data, or the repository root of a source checkout."""
    packaged = Path(__file__).parent / "_data"
    if (packaged / "overlays").is_dir():
        return packaged
    return Path(__file__).parent.parent  # a source checkout: the catalog sits at the repository root
