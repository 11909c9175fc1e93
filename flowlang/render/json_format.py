"""The JSON rendering: a versioned envelope for scripts and editors.

```
{"version": 1, "tool": "flowc",
 "diagnostics": [{"file", "code", "severity", "message", "line", "column", "endLine",
                  "endColumn", "label", "labels": [{"line", "column", "endLine", "endColumn",
                  "message"}], "notes", "help", "fix": {"line", "column", "endLine",
                  "endColumn", "replacement", "description"} | null}],
 "summary": {"errors", "warnings", "files"}}
```

Lines and columns are 1-based; columns count Unicode code points; `endColumn` is exclusive
(the column just after the last character), so an empty span has `endColumn == column`.
`version` changes only when a key is removed or changes meaning; new keys may be added.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from flowlang.compiler.diagnostics import Diagnostic, Fix
from flowlang.compiler.source import SourceFile, Span
from flowlang.render.positions import region_of
from flowlang.render.report import FileReport, count_by_severity

FORMAT_VERSION = 1


def render_json(reports: Sequence[FileReport]) -> str:
    errors, warnings = count_by_severity(reports)
    envelope = {
        "version": FORMAT_VERSION,
        "tool": "flowc",
        "diagnostics": [
            diagnostic_object(source, diagnostic)
            for source, diagnostics in reports
            for diagnostic in diagnostics
        ],
        "summary": {"errors": errors, "warnings": warnings, "files": len(reports)},
    }
    return json.dumps(envelope, indent=2, ensure_ascii=False) + "\n"


def diagnostic_object(source: SourceFile, diagnostic: Diagnostic) -> dict[str, Any]:
    """One diagnostic as a JSON object, keys in a fixed order."""
    return {
        "file": source.path,
        "code": diagnostic.code,
        "severity": diagnostic.severity.value,
        "message": diagnostic.message,
        **_position(source, diagnostic.span),
        "label": diagnostic.label,
        "labels": [
            {**_position(source, label.span), "message": label.message}
            for label in diagnostic.labels
        ],
        "notes": list(diagnostic.notes),
        "help": diagnostic.help,
        "fix": _fix_object(source, diagnostic.fix) if diagnostic.fix else None,
    }


def _fix_object(source: SourceFile, fix: Fix) -> dict[str, Any]:
    return {
        **_position(source, fix.span),
        "replacement": fix.replacement,
        "description": fix.description,
    }


def _position(source: SourceFile, span: Span) -> dict[str, int]:
    region = region_of(source, span)
    return {
        "line": region.line,
        "column": region.column,
        "endLine": region.end_line,
        "endColumn": region.end_column,
    }
