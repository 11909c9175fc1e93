"""flowlang: the toolchain for `.flow` workflows.

The public API is small: `check()` returns the diagnostics of a source text; `CompileError`
carries the diagnostics of a program that cannot be built.
"""

from __future__ import annotations

from flowlang.compiler.analysis import Analysis, analyze
from flowlang.compiler.diagnostics import Diagnostic, Fix, Label, Severity
from flowlang.compiler.source import SourceFile, Span

__version__ = "0.1.0"

__all__ = [
    "Analysis",
    "CompileError",
    "Diagnostic",
    "Fix",
    "Label",
    "Severity",
    "SourceFile",
    "Span",
    "analyze",
    "check",
]


class CompileError(Exception):
    """A program has error diagnostics; `.diagnostics` holds all of them (errors first)."""

    def __init__(self, diagnostics: list[Diagnostic], path: str | None = None) -> None:
        self.diagnostics = diagnostics
        self.path = path
        errors = [d for d in diagnostics if d.is_error]
        where = f"{path}: " if path else ""
        first = errors[0].message if errors else "no errors"
        super().__init__(f"{where}{len(errors)} error(s); first: {first}")


def check(
    source: str, *, path: str | None = None, catalog: object | None = None
) -> list[Diagnostic]:
    """Every diagnostic of `source` in source order. Never raises on bad input.

    `catalog` (the task catalog) is accepted for forward compatibility with the type checker;
    the names and syntax checks do not use it.
    """
    return list(analyze(source, path=path).diagnostics)
