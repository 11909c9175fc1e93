"""The one diagnostic model every phase produces and every renderer consumes.

A diagnostic has a code (see `codes.py`, where each code is documented), a severity, a
message, a primary span, labelled secondary spans, notes, help and an optional mechanical fix.
Spans are character offsets; renderers turn them into lines and columns.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from flowlang.compiler.source import Span


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Label:
    """A secondary span with a short explanation (`-` underlines in the text rendering)."""

    span: Span
    message: str


@dataclass(frozen=True, slots=True)
class Fix:
    """A mechanical edit that resolves the diagnostic: replace `span` with `replacement`."""

    span: Span
    replacement: str
    description: str


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    severity: Severity
    message: str
    span: Span
    label: str = ""
    labels: tuple[Label, ...] = ()
    notes: tuple[str, ...] = ()
    help: str | None = None
    fix: Fix | None = None

    @property
    def is_error(self) -> bool:
        return self.severity is Severity.ERROR


def sort_key(diagnostic: Diagnostic) -> tuple[int, int, str]:
    """Source order, then code: the order diagnostics are shown in."""
    return (diagnostic.span.start, diagnostic.span.end, diagnostic.code)
