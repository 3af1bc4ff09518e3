"""Findings and reports: what `check()` returns."""

from __future__ import annotations

import enum
from collections import Counter
from typing import TYPE_CHECKING, Final

from ._model_base import Model

if TYPE_CHECKING:
    from collections.abc import Iterable

    from ._errors import Location

__all__ = ["Finding", "Report", "Severity"]


def _escape_table() -> dict[int, str]:
    """Characters a terminal, a CI log or an XML reader would act on or reject, as visible escapes."""
    codes = [*range(0x20), 0x7F, *range(0x80, 0xA0), 0x2028, 0x2029, 0xFFFE, 0xFFFF]
    codes += [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]  # bidirectional overrides
    codes += range(0xD800, 0xE000)  # lone surrogates (from undecodable file names)
    return {code: (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}") for code in codes if code != 0x09}


_ESCAPES: Final = _escape_table()


def visible(text: str) -> str:
    r"""*text* with control, bidirectional and XML-invalid characters written as `\xNN`/`\uNNNN`.

    Findings quote catalog text (a YAML escape can hold ESC or NUL); a report must not let it
    recolor a terminal, forge a CI annotation or make a JUnit file unreadable.
    """
    return text.translate(_ESCAPES)


class Severity(enum.StrEnum):
    """How bad a finding is: errors fail a check, warnings fail only in strict mode."""

    ERROR = "error"
    WARNING = "warning"


class Finding(Model):
    """One problem in a catalog, pointing at the file, line and column to fix.

    Attributes:
        rule: The stable rule id (see `docs/rules.md`).
        severity: `error` or `warning` (after strict mode and severity overrides).
        file: The file, as the catalog path was given, joined with its relative path.
        line, column: 1-based position; 0 when the problem is a missing file.
        overlay: The overlay (or mixin, or registry component) the finding is about, if any.
        message: What is wrong, naming the values involved and where each came from.
        hint: How to fix it, or what the maintainer has to decide.
    """

    rule: str
    severity: Severity
    file: str
    line: int = 0
    column: int = 0
    overlay: str = ""
    message: str
    hint: str = ""

    @classmethod
    def at(
        cls,
        rule: str,
        severity: Severity,
        location: Location,
        message: str,
        *,
        hint: str = "",
        overlay: str = "",
    ) -> Finding:
        """A finding at *location*."""
        return cls(
            rule=rule,
            severity=severity,
            file=location.path,
            line=location.line,
            column=location.column,
            overlay=overlay,
            message=message,
            hint=hint,
        )

    @property
    def position(self) -> str:
        """`file:line:column`, or the file alone when there is no line."""
        return f"{self.file}:{self.line}:{self.column}" if self.line else self.file

    def sort_key(self) -> tuple[str, int, int, str, str, str]:
        """Stable order: file, line, column, rule, overlay, message."""
        return (self.file, self.line, self.column, self.rule, self.overlay, self.message)

    def __str__(self) -> str:
        text = visible(f"{self.position}: {self.rule} {self.message}")
        return f"{text}\n  hint: {visible(self.hint)}" if self.hint else text


class Report(Model):
    """The findings of one `check()`, in a stable order.

    Attributes:
        findings: Sorted by file, line, column, rule.
        strict: Whether warnings were promoted to errors.
    """

    findings: tuple[Finding, ...] = ()
    strict: bool = False

    @classmethod
    def of(cls, findings: Iterable[Finding], *, strict: bool = False) -> Report:
        """A report of *findings*, deduplicated and sorted."""
        unique = {(*finding.sort_key(), finding.severity): finding for finding in findings}
        return cls(findings=tuple(sorted(unique.values(), key=Finding.sort_key)), strict=strict)

    @property
    def errors(self) -> tuple[Finding, ...]:
        """Findings of severity error."""
        return tuple(finding for finding in self.findings if finding.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        """Findings of severity warning."""
        return tuple(finding for finding in self.findings if finding.severity is Severity.WARNING)

    @property
    def counts(self) -> dict[str, int]:
        """Number of findings per severity."""
        counted = Counter(finding.severity.value for finding in self.findings)
        return {severity.value: counted.get(severity.value, 0) for severity in Severity}

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings never fail a non-strict report)."""
        return not self.errors

    def by_rule(self) -> dict[str, list[Finding]]:
        """Findings grouped by rule id, in rule-id order."""
        grouped: dict[str, list[Finding]] = {}
        for finding in sorted(self.findings, key=lambda item: (item.rule, *item.sort_key())):
            grouped.setdefault(finding.rule, []).append(finding)
        return grouped

    def by_severity(self) -> list[Finding]:
        """The findings with errors first, each severity in file order (as text output lists them)."""
        return sorted(self.findings, key=lambda finding: finding.severity is not Severity.ERROR)

    def __str__(self) -> str:
        lines = [str(finding) for finding in self.by_severity()]
        counts = self.counts
        lines.append(f"{counts['error']} error(s), {counts['warning']} warning(s)")
        return "\n".join(lines)
