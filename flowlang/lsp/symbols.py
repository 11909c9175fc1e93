"""Document symbols: the outline of a workflow.

First the workflow itself, from its front matter, with its input fields and signals as
children; then every variable in source order (declarations, loop variables and `catch`
parameters), with how it is declared and its type. `.flow` has no functions or classes, so the
variables are the outline.
"""

from __future__ import annotations

from collections.abc import Iterator

from lsprotocol import types

from flowlang.compiler import ast
from flowlang.compiler.frontmatter import FrontMatter
from flowlang.compiler.resolve import Binding, binding_names
from flowlang.compiler.source import Span
from flowlang.compiler.workflow_set import workflow_name
from flowlang.lsp import describe
from flowlang.lsp.documents import Mapped, View
from flowlang.lsp.syntax import walk


def document_symbols(view: View) -> list[types.DocumentSymbol] | None:
    latest = view.latest
    if latest is None:
        return None
    analysis = latest.analysis
    symbols = []
    workflow = _workflow_symbol(view, latest, analysis.front_matter)
    if workflow is not None:
        symbols.append(workflow)
    bindings = {binding.span: binding for binding in analysis.resolution.bindings}
    for target, declaration in _declarations(analysis.program):
        for name in binding_names(target):
            binding = bindings.get(name.span)
            if binding is not None:
                symbol = _variable_symbol(view, latest, binding, declaration)
                if symbol is not None:
                    symbols.append(symbol)
    return symbols


def _declarations(program: ast.Program) -> Iterator[tuple[ast.Target, Span]]:
    """Every declaration target with the span of what declares it."""
    for node in walk(program):
        if isinstance(node, ast.Declarator):
            yield node.target, node.span
        elif isinstance(node, ast.For):
            yield node.target, node.target.span
        elif isinstance(node, ast.CatchClause) and node.param is not None:
            yield node.param, node.param.span


def _variable_symbol(
    view: View, latest: Mapped, binding: Binding, declaration: Span
) -> types.DocumentSymbol | None:
    detail = describe.variable_label(binding, view.type_of_latest(binding.span))
    kind = types.SymbolKind.Constant if binding.is_const else types.SymbolKind.Variable
    return _symbol(view, latest, binding.name, kind, declaration, binding.span, detail=detail)


def _workflow_symbol(
    view: View, latest: Mapped, front_matter: FrontMatter
) -> types.DocumentSymbol | None:
    if front_matter.span is None:
        return None
    children = []
    if front_matter.inputs is not None:
        for field in front_matter.inputs.fields:
            kind = types.SymbolKind.Field
            children.append(_symbol(view, latest, field.name, kind, field.span, field.name_span))
    for name, span in front_matter.signal_spans.items():
        children.append(_symbol(view, latest, name, types.SymbolKind.Event, span, span))
    return _symbol(
        view,
        latest,
        workflow_name(front_matter, latest.analysis.source.path),
        types.SymbolKind.Module,
        front_matter.span,
        front_matter.value_spans.get("name", front_matter.span),
        detail="workflow",
        children=[child for child in children if child is not None],
    )


def _symbol(
    view: View,
    latest: Mapped,
    name: str,
    kind: types.SymbolKind,
    span: Span,
    selection: Span,
    *,
    detail: str | None = None,
    children: list[types.DocumentSymbol] | None = None,
) -> types.DocumentSymbol | None:
    now, selected = latest.span_now(span), latest.span_now(selection)
    if now is None or selected is None:
        return None
    return types.DocumentSymbol(
        name=name,
        kind=kind,
        range=view.positions.range(now.cover(selected)),
        selection_range=view.positions.range(selected),
        detail=detail,
        children=children or None,
    )
