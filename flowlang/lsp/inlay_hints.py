"""Inlay hints: the inferred type of an awaited result, after the name that receives it.

`let receipt = await Task.run("charge", …)` shows `: { id: string, amount: number }` after
`receipt`: what the task's result schema (or the child workflow's `output`, or a signal's
payload) gives the variable, which is otherwise written nowhere in the file. Each name of a
destructuring pattern gets its own hint. Types the checker does not know (`any`) get none.
"""

from __future__ import annotations

from lsprotocol import types

from flowlang.compiler import ast
from flowlang.compiler.resolve import binding_names
from flowlang.compiler.types import ANY, display
from flowlang.lsp.documents import View
from flowlang.lsp.syntax import walk


def inlay_hints(view: View, requested: types.Range) -> list[types.InlayHint] | None:
    latest = view.latest
    if latest is None:
        return None
    visible = view.positions.span(requested)
    hints = []
    for node in walk(latest.analysis.program):
        if not (isinstance(node, ast.Declarator) and isinstance(node.init, ast.Await)):
            continue
        for name in binding_names(node.target):
            now = latest.span_now(name.span)
            if now is None or not visible.start <= now.end <= visible.end:
                continue
            found = view.type_now(now)
            if found is None or found is ANY:
                continue
            hints.append(
                types.InlayHint(
                    position=view.positions.position(now.end),
                    label=f": {display(found)}",
                    kind=types.InlayHintKind.Type,
                )
            )
    return hints
