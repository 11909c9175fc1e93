"""Diagnostics as the editor shows them: the LSP rendering of the one diagnostic model.

Like the JSON and SARIF renderers, this one reads `Diagnostic` only. The primary span is the
range; the message carries the notes and the help on lines of their own (editors show the
message whole, and the help is the part that says what to do); labelled secondary spans become
related information; unused variables and unreachable code are tagged so that the editor fades
them. Publishing (with the version the analysis was computed for) is the server's job.
"""

from __future__ import annotations

from lsprotocol import types

from flowlang.compiler.diagnostics import Diagnostic, Severity
from flowlang.lsp.positions import Positions
from flowlang.render.report import message_with_help

SOURCE = "flowc"

# Codes whose span is code that does nothing: editors grey it out.
_UNNECESSARY = frozenset({"FLOW401", "FLOW402"})

_SEVERITY = {
    Severity.ERROR: types.DiagnosticSeverity.Error,
    Severity.WARNING: types.DiagnosticSeverity.Warning,
}


def lsp_diagnostic(diagnostic: Diagnostic, positions: Positions, uri: str) -> types.Diagnostic:
    """One diagnostic of the document at `uri`, whose text `positions` indexes."""
    return types.Diagnostic(
        range=positions.range(diagnostic.span),
        severity=_SEVERITY[diagnostic.severity],
        code=diagnostic.code,
        source=SOURCE,
        message=message_with_help(diagnostic),
        related_information=[
            types.DiagnosticRelatedInformation(
                location=types.Location(uri, positions.range(label.span)),
                message=label.message,
            )
            for label in diagnostic.labels
        ]
        or None,
        tags=[types.DiagnosticTag.Unnecessary] if diagnostic.code in _UNNECESSARY else None,
    )


def lsp_diagnostics(
    diagnostics: tuple[Diagnostic, ...], positions: Positions, uri: str
) -> list[types.Diagnostic]:
    return [lsp_diagnostic(d, positions, uri) for d in diagnostics]
