"""Code actions: the fixes the checker attaches to its diagnostics, as quick fixes.

A diagnostic may carry one mechanical fix (`Diagnostic.fix`: replace a span with a text): every
"did you mean" (`totl` → `total`, `Task.run("send-emial")` → `"send-email"`, `Math.flor` →
`Math.floor`), `var` → `let`, `await` before a promise. Each fix of a
diagnostic that touches the requested range is offered, linked to the diagnostic the editor
shows, and marked preferred, so that the editor's "quick fix" applies it in one step.
"""

from __future__ import annotations

from collections.abc import Sequence

from lsprotocol import types

from flowlang.compiler.diagnostics import Diagnostic
from flowlang.compiler.source import Span
from flowlang.lsp.diagnostics import lsp_diagnostic
from flowlang.lsp.documents import View

QUICK_FIX = types.CodeActionKind.QuickFix
KINDS = [QUICK_FIX]


def code_actions(
    view: View, requested: types.Range, context: types.CodeActionContext
) -> list[types.CodeAction] | None:
    latest = view.latest
    if latest is None or not latest.shift.unchanged:
        return None
    if context.only and not any(
        kind.startswith(types.CodeActionKind.QuickFix) for kind in context.only
    ):
        return None
    span = view.positions.span(requested)
    actions = []
    for diagnostic in latest.analysis.diagnostics:
        fix = diagnostic.fix
        if fix is None or not _touches(diagnostic.span, span):
            continue
        shown = _shown_as(view, diagnostic, context.diagnostics)
        actions.append(
            types.CodeAction(
                title=fix.description,
                kind=QUICK_FIX,
                diagnostics=[shown],
                is_preferred=True,
                edit=types.WorkspaceEdit(
                    changes={
                        view.uri: [types.TextEdit(view.positions.range(fix.span), fix.replacement)]
                    }
                ),
            )
        )
    return actions


def _touches(a: Span, b: Span) -> bool:
    return a.start <= b.end and b.start <= a.end


def _shown_as(
    view: View, diagnostic: Diagnostic, shown: Sequence[types.Diagnostic]
) -> types.Diagnostic:
    """The editor's copy of the diagnostic (same code and range), else a fresh rendering."""
    rendered = lsp_diagnostic(diagnostic, view.positions, view.uri)
    for candidate in shown:
        if candidate.code == rendered.code and candidate.range == rendered.range:
            return candidate
    return rendered
