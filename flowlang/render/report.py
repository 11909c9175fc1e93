"""What every renderer consumes: the diagnostics of each checked file, with its source."""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

from flowlang.compiler.diagnostics import Diagnostic
from flowlang.compiler.source import SourceFile


class FileReport(NamedTuple):
    """One checked file. A plain `(source, diagnostics)` tuple is accepted wherever this is."""

    source: SourceFile
    diagnostics: Sequence[Diagnostic]


def count_by_severity(reports: Sequence[FileReport]) -> tuple[int, int]:
    """The number of errors and of warnings over all reports."""
    diagnostics = [d for _, file_diagnostics in reports for d in file_diagnostics]
    errors = sum(1 for d in diagnostics if d.is_error)
    return errors, len(diagnostics) - errors


def message_with_help(diagnostic: Diagnostic) -> str:
    """The message followed by `note:` and `help:` lines, for formats that carry one text."""
    lines = [diagnostic.message]
    lines += [f"note: {note}" for note in diagnostic.notes]
    help_text = diagnostic.help or (diagnostic.fix.description if diagnostic.fix else None)
    if help_text:
        lines.append(f"help: {help_text}")
    return "\n".join(lines)
