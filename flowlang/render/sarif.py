"""The SARIF 2.1.0 rendering, for code-scanning services (GitHub, Azure DevOps, IDE viewers).

One run of the `flowc` driver. Its `rules` describe every code that occurs in the results,
from the documentation in `codes.py`. Regions are 1-based with an exclusive end column, and
columns count code points, which the run declares with `columnKind`. Secondary labels become
`relatedLocations` and a mechanical fix becomes a `fixes` entry with one replacement.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import quote

from flowlang.compiler.codes import CODES, Code
from flowlang.compiler.diagnostics import Diagnostic, Fix, Severity
from flowlang.compiler.source import SourceFile, Span
from flowlang.render.positions import region_of
from flowlang.render.report import FileReport, message_with_help
from flowlang.version import __version__

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)

_WINDOWS_DRIVE = re.compile("^[A-Za-z]:/")


def render_sarif(reports: Sequence[FileReport]) -> str:
    rule_ids = sorted({d.code for _, diagnostics in reports for d in diagnostics})
    rule_index = {code: index for index, code in enumerate(rule_ids)}
    log = {
        "$schema": SARIF_SCHEMA,
        "version": SARIF_VERSION,
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "flowc",
                        "version": __version__,
                        "rules": [rule_object(CODES[code]) for code in rule_ids],
                    }
                },
                "columnKind": "unicodeCodePoints",
                "results": [
                    result_object(source, diagnostic, rule_index[diagnostic.code])
                    for source, diagnostics in reports
                    for diagnostic in diagnostics
                ],
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def rule_object(code: Code) -> dict[str, Any]:
    """A `reportingDescriptor` for one code, its help being the code's documentation."""
    rule: dict[str, Any] = {
        "id": code.code,
        "shortDescription": {"text": code.summary},
        "fullDescription": {"text": _first_paragraph(code.explanation) or code.summary},
        "defaultConfiguration": {"level": _level(code.severity)},
    }
    if code.explanation:
        rule["help"] = {"text": code.explanation, "markdown": code.explanation}
    return rule


def result_object(source: SourceFile, diagnostic: Diagnostic, rule_index: int) -> dict[str, Any]:
    result: dict[str, Any] = {
        "ruleId": diagnostic.code,
        "ruleIndex": rule_index,
        "level": _level(diagnostic.severity),
        "message": {"text": message_with_help(diagnostic)},
        "locations": [_location(source, diagnostic.span, diagnostic.label)],
    }
    if diagnostic.labels:
        result["relatedLocations"] = [
            {"id": index, **_location(source, label.span, label.message)}
            for index, label in enumerate(diagnostic.labels, start=1)
        ]
    if diagnostic.fix:
        result["fixes"] = [_fix_object(source, diagnostic.fix)]
    return result


def artifact_uri(path: str) -> str:
    """The path as a URI reference: relative paths stay relative, absolute ones become `file:`."""
    posix = path.replace("\\", "/")
    if posix.startswith("/"):
        return "file://" + quote(posix)
    if _WINDOWS_DRIVE.match(posix):
        return "file:///" + quote(posix, safe="/:")
    return quote(posix)


def _location(source: SourceFile, span: Span, message: str) -> dict[str, Any]:
    location: dict[str, Any] = {
        "physicalLocation": {
            "artifactLocation": {"uri": artifact_uri(source.path)},
            "region": _region(source, span),
        }
    }
    if message:
        location["message"] = {"text": message}
    return location


def _fix_object(source: SourceFile, fix: Fix) -> dict[str, Any]:
    return {
        "description": {"text": fix.description},
        "artifactChanges": [
            {
                "artifactLocation": {"uri": artifact_uri(source.path)},
                "replacements": [
                    {
                        "deletedRegion": _region(source, fix.span),
                        "insertedContent": {"text": fix.replacement},
                    }
                ],
            }
        ],
    }


def _region(source: SourceFile, span: Span) -> dict[str, int]:
    region = region_of(source, span)
    return {
        "startLine": region.line,
        "startColumn": region.column,
        "endLine": region.end_line,
        "endColumn": region.end_column,
    }


def _level(severity: Severity) -> str:
    return "error" if severity is Severity.ERROR else "warning"


def _first_paragraph(markdown: str) -> str:
    return markdown.strip().split("\n\n", 1)[0].replace("\n", " ")
