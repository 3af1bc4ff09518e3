"""The cyclic collector is paused around bulk work and always restored."""

from __future__ import annotations

import gc
from typing import TYPE_CHECKING

import pytest

from l40_recipes._gc import collector_paused

if TYPE_CHECKING:
    from collections.abc import Iterator


@pytest.fixture(autouse=True)
def _restore_collector() -> Iterator[None]:
    enabled = gc.isenabled()
    yield
    if enabled:
        gc.enable()
    else:  # pragma: no cover - the suite runs with the collector enabled
        gc.disable()


def test_paused_inside_and_enabled_after() -> None:
    """Inside the block the collector is off; afterwards it is on again."""
    gc.enable()
    with collector_paused():
        assert not gc.isenabled()
        with collector_paused():  # nested: the inner block must not re-enable it
            assert not gc.isenabled()
        assert not gc.isenabled()
    assert gc.isenabled()


def test_restored_after_an_exception() -> None:
    """An exception leaving the block re-enables the collector."""
    gc.enable()
    with pytest.raises(ValueError, match="boom"), collector_paused():
        raise ValueError("boom")
    assert gc.isenabled()


def test_a_disabled_collector_stays_disabled() -> None:
    """A caller who disabled the collector keeps it disabled."""
    gc.disable()
    with collector_paused():
        assert not gc.isenabled()
    assert not gc.isenabled()
