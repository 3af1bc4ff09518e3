"""Render a check `Report` as text, JSON, GitHub annotations, JUnit XML or SARIF 2.1.0."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Final
from xml.etree import ElementTree as ET

from ._report import Severity, visible

if TYPE_CHECKING:
    from ._report import Finding, Report
    from ._rules import Rule

__all__ = ["FORMATS", "render"]

FORMATS: Final = ("text", "json", "github", "junit", "sarif")
SARIF_SCHEMA: Final = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI: Final = "https://github.com/NVIDIA/aicr"

_RED: Final = "\033[31m"
_YELLOW: Final = "\033[33m"
_BOLD: Final = "\033[1m"
_DIM: Final = "\033[2m"
_RESET: Final = "\033[0m"


def render(report: Report, fmt: str, *, rules: dict[str, Rule], color: bool = False, version: str = "") -> str:
    """*report* in format *fmt* (one of `FORMATS`)."""
    if fmt == "json":
        return _json(report)
    if fmt == "github":
        return _github(report)
    if fmt == "junit":
        return _junit(report)
    if fmt == "sarif":
        return _sarif(report, rules, version)
    return _text(report, color=color)


def _text(report: Report, *, color: bool) -> str:
    def paint(code: str, text: str) -> str:
        return f"{code}{text}{_RESET}" if color else text

    lines: list[str] = []
    for finding in report.by_severity():
        level = paint(_RED if finding.severity is Severity.ERROR else _YELLOW, finding.severity.value)
        position, message = visible(finding.position), visible(finding.message)
        lines.append(f"{paint(_BOLD, position)}: {level} {paint(_BOLD, finding.rule)} {message}")
        if finding.hint:
            lines.append(paint(_DIM, f"  hint: {visible(finding.hint)}"))
    counts = report.counts
    lines.append(f"{counts['error']} error(s), {counts['warning']} warning(s)" + (" [strict]" if report.strict else ""))
    return "\n".join(lines) + "\n"


def _json(report: Report) -> str:
    document = {
        "findings": [finding.model_dump(mode="json") for finding in report.findings],
        "summary": {**report.counts, "ok": report.ok, "strict": report.strict},
    }
    return json.dumps(document, indent=2) + "\n"


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _github(report: Report) -> str:
    """GitHub Actions workflow commands: one `::error`/`::warning` annotation per finding."""
    lines = []
    for finding in report.findings:
        level = "error" if finding.severity is Severity.ERROR else "warning"
        properties = [f"file={_escape_property(visible(finding.file))}"]
        if finding.line:
            properties += [f"line={finding.line}", f"col={finding.column}"]
        properties.append(f"title={_escape_property(finding.rule)}")
        message = visible(finding.message) + (f"\n{visible(finding.hint)}" if finding.hint else "")
        lines.append(f"::{level} {','.join(properties)}::{_escape_data(message)}")
    return "".join(line + "\n" for line in lines)


def _junit(report: Report) -> str:
    """JUnit XML: one testcase per finding (failing), or a single passing case for a clean catalog."""
    failing = [finding for finding in report.findings if finding.severity is Severity.ERROR]
    suites = ET.Element("testsuites")
    suite = ET.SubElement(
        suites,
        "testsuite",
        name="l40-recipes",
        tests=str(max(len(report.findings), 1)),
        failures=str(len(failing)),
        errors="0",
        skipped="0",
    )
    if not report.findings:
        ET.SubElement(suite, "testcase", classname="l40-recipes", name="check")
    for finding in report.findings:
        file, position, message = visible(finding.file), visible(finding.position), visible(finding.message)
        case = ET.SubElement(suite, "testcase", classname=file, name=f"{finding.rule}:{finding.line}", file=file)
        if finding.line:
            case.set("line", str(finding.line))
        tag = "failure" if finding.severity is Severity.ERROR else "system-out"
        element = ET.SubElement(case, tag)
        if tag == "failure":
            element.set("message", f"{position}: {finding.rule} {message}")
            element.set("type", finding.rule)
        element.text = f"{position}: {finding.rule} {message}" + (
            f"\n  hint: {visible(finding.hint)}" if finding.hint else ""
        )
    ET.indent(suites)
    return ET.tostring(suites, encoding="unicode", xml_declaration=True) + "\n"


def _sarif(report: Report, rules: dict[str, Rule], version: str) -> str:
    """SARIF 2.1.0 with every rule described, for code-scanning uploads."""
    used = sorted({finding.rule for finding in report.findings})
    descriptors = [
        {
            "id": rule_id,
            "name": rule_id,
            "shortDescription": {"text": rules[rule_id].title if rule_id in rules else rule_id},
            "fullDescription": {"text": rules[rule_id].rationale if rule_id in rules else rule_id},
            "defaultConfiguration": {
                "level": "error" if rule_id not in rules or rules[rule_id].severity is Severity.ERROR else "warning"
            },
            "helpUri": "https://github.com/NVIDIA/aicr",
        }
        for rule_id in used
    ]
    index = {rule_id: position for position, rule_id in enumerate(used)}
    results = [_sarif_result(finding, index) for finding in report.findings]
    document = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "l40-recipes",
                        "version": version,
                        "informationUri": INFORMATION_URI,
                        "rules": descriptors,
                    },
                },
                "results": results,
            },
        ],
    }
    return json.dumps(document, indent=2) + "\n"


def _sarif_result(finding: Finding, index: dict[str, int]) -> dict[str, object]:
    location: dict[str, object] = {"artifactLocation": {"uri": finding.file}}
    if finding.line:
        location["region"] = {"startLine": finding.line, "startColumn": max(finding.column, 1)}
    message = finding.message + (f" Hint: {finding.hint}" if finding.hint else "")
    return {
        "ruleId": finding.rule,
        "ruleIndex": index[finding.rule],
        "level": "error" if finding.severity is Severity.ERROR else "warning",
        "message": {"text": message},
        "locations": [{"physicalLocation": location}],
    }
