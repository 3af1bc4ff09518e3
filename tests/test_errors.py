"""The exception tree: a coverage error composed when read is the same error as one built whole."""

from __future__ import annotations

import copy
import pickle
from typing import TYPE_CHECKING, Any

import pytest

from l40_recipes._errors import (
    CoverageError,
    CriteriaError,
    ErrorCode,
    Location,
    RecipeError,
    RecipeLoadError,
    ResolutionError,
)

if TYPE_CHECKING:
    from collections.abc import Callable

MESSAGE = "no recipe provides accelerator 'l40' for criteria(service=aks, accelerator=l40)"
CONTEXT: dict[str, Any] = {
    "uncovered": [
        {"dimension": "accelerator", "requestedValue": "l40", "validCompletionKeys": ["service=eks"]},
    ],
}
HINT = "add criteria such as (service=eks)"


def _whole() -> CoverageError:
    return CoverageError(MESSAGE, context=CONTEXT, hint=HINT)


def _deferred(calls: list[int] | None = None) -> CoverageError:
    def compose() -> tuple[str, dict[str, Any], str | None]:
        if calls is not None:
            calls.append(1)
        return MESSAGE, CONTEXT, HINT

    return CoverageError.deferred(compose)


def _view(error: CoverageError) -> tuple[object, ...]:
    return (
        type(error),
        error.code,
        error.exit_code,
        error.message,
        error.context,
        error.hint,
        error.cause,
        error.location,
        error.args,
        str(error),
        repr(error),
        error.upstream_text,
        error.uncovered,
        error.valid_completions,
        error.strict_dimensions,
    )


READS: dict[str, Callable[[CoverageError], object]] = {
    "message": lambda error: error.message,
    "context": lambda error: error.context,
    "hint": lambda error: error.hint,
    "args": lambda error: error.args,
    "str": str,
    "repr": repr,
    "pickle": lambda error: pickle.loads(pickle.dumps(error)),
    "copy": copy.copy,
    "upstream_text": lambda error: error.upstream_text,
    "uncovered": lambda error: error.uncovered,
}


@pytest.mark.parametrize("first", sorted(READS))
def test_a_deferred_coverage_error_reads_as_one_built_whole(first: str) -> None:
    """Whatever is read first, every attribute, str(), repr(), args and a pickle round trip agree."""
    deferred = _deferred()
    READS[first](deferred)
    assert _view(deferred) == _view(_whole())
    unpickled = pickle.loads(pickle.dumps(_deferred()))
    assert _view(unpickled) == _view(pickle.loads(pickle.dumps(_whole())))
    assert "_compose" not in vars(deferred)  # nothing unpicklable is left behind once composed


def test_a_deferred_coverage_error_is_composed_once_and_only_when_read() -> None:
    """Raising and catching it composes nothing; the first read composes it, later reads reuse it."""
    calls: list[int] = []
    with pytest.raises(ResolutionError) as caught:
        raise _deferred(calls)
    assert calls == []
    assert caught.value.code is ErrorCode.INVALID_REQUEST
    assert caught.value.exit_code == 2
    assert calls == []
    assert caught.value.message == MESSAGE
    assert str(caught.value).startswith(f"[INVALID_REQUEST] {MESSAGE}")
    assert caught.value.context == CONTEXT
    assert calls == [1]


def test_a_deferred_coverage_error_has_no_other_attributes() -> None:
    """Unknown attributes are still missing, before and after it is composed."""
    error = _deferred()
    with pytest.raises(AttributeError, match="'CoverageError' object has no attribute 'nothing'"):
        getattr(error, "nothing")  # noqa: B009 - an attribute no type declares
    assert "_compose" in vars(error)  # an unknown name does not compose it
    assert error.message == MESSAGE
    with pytest.raises(AttributeError):
        getattr(error, "nothing")  # noqa: B009


def test_an_error_built_whole_is_unchanged() -> None:
    """The usual constructor still fills everything at once (`RecipeError` and its subclasses)."""
    error = RecipeError("boom", code=ErrorCode.NOT_FOUND, hint="fix it")
    assert error.args == ("[NOT_FOUND] boom",)
    assert repr(error) == "RecipeError('[NOT_FOUND] boom')"
    assert _view(_whole())[8] == (f"[INVALID_REQUEST] {MESSAGE}",)


@pytest.mark.parametrize(
    "error",
    [
        RecipeError("boom", code=ErrorCode.INVALID_REQUEST, hint="fix it", context={"a": 1}),
        RecipeLoadError("bad file", location=Location("overlays/x.yaml", 3, 4), cause=ValueError("why")),
        CriteriaError("invalid accelerator type: x"),
    ],
    ids=lambda error: type(error).__name__,
)
def test_a_pickled_error_keeps_its_text_code_and_args(error: RecipeError) -> None:
    """A round trip (as between processes) keeps args, code, message and text as they were."""
    restored = pickle.loads(pickle.dumps(error))
    assert type(restored) is type(error)
    assert restored.args == error.args
    assert (restored.code, restored.message, str(restored)) == (error.code, error.message, str(error))
    assert restored.context == error.context
