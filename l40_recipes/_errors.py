"""One exception tree, rooted at `RecipeError`.

```
RecipeError                 every failure this package raises on purpose
├── RecipeLoadError         a catalog file is unreadable, not YAML, or has the wrong shape
├── CriteriaError           a query value is not a known criteria value
├── ResolutionError         the composition cannot be built (inheritance, mixins, profiles, ...)
│   └── CoverageError       the query states a dimension no applied overlay provides
└── ConstraintError         a constraint expression or version does not parse or compare
```

Every error carries upstream AICR's error code (`INVALID_REQUEST`, `NOT_FOUND`, `INTERNAL`, ...)
and upstream's message text, so `str(error)` of a resolution failure reads exactly like the
`aicr` CLI's `[CODE] message`. Errors caused by a catalog file also carry that file's
`path:line:column`, and a hint saying how to fix it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from collections.abc import Callable

__all__ = [
    "ConstraintError",
    "CoverageError",
    "CriteriaError",
    "ErrorCode",
    "Location",
    "RecipeError",
    "RecipeLoadError",
    "ResolutionError",
]


class ErrorCode(enum.StrEnum):
    """Upstream's structured error codes (`pkg/errors/errors.go`)."""

    NOT_FOUND = "NOT_FOUND"
    UNAUTHORIZED = "UNAUTHORIZED"
    TIMEOUT = "TIMEOUT"
    INTERNAL = "INTERNAL"
    INVALID_REQUEST = "INVALID_REQUEST"
    RATE_LIMIT_EXCEEDED = "RATE_LIMIT_EXCEEDED"
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    CONFLICT = "CONFLICT"
    CANCELED = "CANCELED"


# Upstream `pkg/errors/exitcode.go:ExitCodeFromError`.
_EXIT_CODES: Final[dict[ErrorCode, int]] = {
    ErrorCode.INVALID_REQUEST: 2,
    ErrorCode.METHOD_NOT_ALLOWED: 2,
    ErrorCode.CONFLICT: 2,
    ErrorCode.NOT_FOUND: 3,
    ErrorCode.UNAUTHORIZED: 4,
    ErrorCode.TIMEOUT: 5,
    ErrorCode.SERVICE_UNAVAILABLE: 6,
    ErrorCode.RATE_LIMIT_EXCEEDED: 7,
    ErrorCode.INTERNAL: 8,
    ErrorCode.CANCELED: 9,
}


@dataclass(frozen=True, slots=True, order=True)
class Location:
    """A position in a catalog file: *path* relative to the catalog root, 1-based line and column."""

    path: str
    line: int = 0
    column: int = 0

    def __str__(self) -> str:
        if self.line <= 0:
            return self.path
        return f"{self.path}:{self.line}:{self.column}"


class RecipeError(Exception):
    """Root of every error this package raises on purpose.

    Attributes:
        code: Upstream's error code; `exit_code` maps it to upstream's CLI exit status.
        message: Upstream's message text, without the code.
        cause: The wrapped error, rendered after the message as upstream does (`msg: cause`).
        location: The catalog file position at fault, when a file is at fault.
        hint: How to fix it, when we know.
        context: Structured details (e.g. a coverage error's `uncovered` entries).
    """

    default_code: ErrorCode = ErrorCode.INTERNAL

    def __init__(
        self,
        message: str,
        *,
        code: ErrorCode | None = None,
        cause: BaseException | None = None,
        location: Location | None = None,
        hint: str | None = None,
        context: dict[str, Any] | None = None,
    ) -> None:
        self.code: ErrorCode = code if code is not None else self.default_code
        self.message = message
        self.cause = cause
        self.location = location
        self.hint = hint
        self.context: dict[str, Any] = dict(context or {})
        super().__init__(self.upstream_text)

    @property
    def upstream_text(self) -> str:
        """The error as upstream's CLI prints it: `[CODE] message` or `[CODE] message: cause`."""
        if self.cause is None:
            return f"[{self.code}] {self.message}"
        return f"[{self.code}] {self.message}: {_render_cause(self.cause)}"

    @property
    def exit_code(self) -> int:
        """Upstream's CLI exit status for this error's code."""
        return _EXIT_CODES.get(self.code, 1)

    def __reduce__(self) -> str | tuple[Any, ...]:
        # Exception's own reduction calls `cls(*args)`: the constructor would take the rendered
        # `[CODE] message` for a message and render it again.
        return (_restore, (type(self), dict(self.__dict__), self.args))

    def __str__(self) -> str:
        text = self.upstream_text
        if self.location is not None:
            text = f"{self.location}: {text}"
        if self.hint:
            text = f"{text}\n  hint: {self.hint}"
        return text


def _restore(cls: type[RecipeError], state: dict[str, Any], args: tuple[Any, ...]) -> RecipeError:
    """A pickled error as it was, without running its constructor again."""
    error = cls.__new__(cls)
    error.__dict__.update(state)
    error.args = args
    return error


def _render_cause(cause: BaseException) -> str:
    if isinstance(cause, RecipeError):
        return cause.upstream_text
    return str(cause)


class RecipeLoadError(RecipeError):
    """A catalog file is unreadable, is not valid YAML, or does not have the expected shape."""

    default_code = ErrorCode.INVALID_REQUEST


class CriteriaError(RecipeError):
    """A query names a criteria value neither upstream nor the catalog knows."""

    default_code = ErrorCode.INVALID_REQUEST


class ResolutionError(RecipeError):
    """The overlays selected for a query cannot be composed into a recipe."""

    default_code = ErrorCode.INVALID_REQUEST


class CoverageError(ResolutionError):
    """The query states a dimension that no applied overlay provides (upstream's coverage rule).

    Attributes:
        uncovered: The uncovered dimension names, in dimension order.
        valid_completions: Per uncovered dimension, the criteria tuples that would resolve it.
        strict_dimensions: The dimensions (only `os` upstream) the query must state.
    """

    @classmethod
    def deferred(cls, compose: Callable[[], tuple[str, dict[str, Any], str | None]]) -> CoverageError:
        """An error whose message, context and hint are *compose*'s (message, context, hint), when first read.

        A sweep raises and catches thousands of coverage errors without reading them: composing
        their messages and completions only when read took the public `resolve()` sweep of 12,599
        queries from 0.46-0.58 s to 0.24-0.27 s (min of 3, three alternations). Read or not, it is the
        same: its `message`, `context`, `hint`, `args`, `str()`, `repr()` and pickle.
        """
        error = cls.__new__(cls)
        error.code = cls.default_code
        error.cause = None
        error.location = None
        error.__dict__["_compose"] = compose
        return error

    def _composed(self) -> None:
        """Fill what a deferred error has not composed yet (nothing for one built whole).

        The composer is dropped only once everything is set, so a concurrent reader either finds
        the attributes or composes them too (the same values).
        """
        compose = self.__dict__.get("_compose")
        if compose is not None:
            message, context, hint = compose()
            self.message, self.context, self.hint = message, dict(context), hint
            self.args = (self.upstream_text,)
            self.__dict__.pop("_compose", None)

    if not TYPE_CHECKING:  # to type checkers the attributes are RecipeError's plain ones

        def __getattr__(self, name: str) -> Any:
            if name in _COMPOSED and "_compose" in self.__dict__:
                self._composed()
                return self.__dict__[name]
            msg = f"{type(self).__name__!r} object has no attribute {name!r}"
            raise AttributeError(msg, name=name, obj=self)

        @property
        def args(self) -> tuple[Any, ...]:
            self._composed()
            return BaseException.args.__get__(self)

        @args.setter
        def args(self, value: tuple[Any, ...]) -> None:
            BaseException.args.__set__(self, value)

    def __repr__(self) -> str:
        self._composed()
        return super().__repr__()

    def __reduce__(self) -> str | tuple[Any, ...]:
        self._composed()
        return super().__reduce__()

    @property
    def uncovered(self) -> list[str]:
        """Uncovered dimension names, in dimension order."""
        return [str(entry["dimension"]) for entry in self.context.get("uncovered", [])]

    @property
    def valid_completions(self) -> dict[str, list[str]]:
        """Per uncovered dimension, its completions rendered as `service=eks, os=ubuntu`."""
        out: dict[str, list[str]] = {}
        for entry in self.context.get("uncovered", []):
            rendered = [str(item) for item in entry.get("validCompletionKeys", [])]
            if rendered:
                out[str(entry["dimension"])] = rendered
        return out

    @property
    def strict_dimensions(self) -> list[str]:
        """Dimensions the query must state to reach a recipe (joint sufficiency)."""
        return [str(entry["dimension"]) for entry in self.context.get("strictDimensions", [])]


#: A deferred `CoverageError`'s attributes that are composed when first read.
_COMPOSED: Final = frozenset({"message", "context", "hint"})


class ConstraintError(RecipeError):
    """A constraint expression or a version string does not parse, or cannot be compared."""

    default_code = ErrorCode.INVALID_REQUEST
