"""Hover: what the thing under the pointer is.

A variable shows how it is declared and its type at that point (narrowing included); a builtin
global, namespace member or method its signature, documentation and example from the stdlib
table; the name in `Task.run("x")` the task's inputs, result, docstring and `file:line`, the name
in `Workflow.run("y")` the child's inputs and output, the name in `Signal.next("s")` the
payload; a property its type; any other expression its type.

Names and builtins come from the current analysis (the server waits for it), types from the
newest analysis that has them.
"""

from __future__ import annotations

from lsprotocol import types

from flowlang.compiler import ast
from flowlang.compiler.source import Span
from flowlang.compiler.stdlib import GLOBALS, lookup_member, lookup_method
from flowlang.compiler.types import from_type_expr
from flowlang.lsp import describe, lookup
from flowlang.lsp.documents import Mapped, View
from flowlang.lsp.syntax import literal_name_argument, path_to


def hover(view: View, offset: int) -> types.Hover | None:
    latest = view.latest
    if latest is None:
        return None
    at = latest.to_analysis(offset)
    if at is None:
        return None
    path = path_to(latest.analysis.program, at)
    found = _describe(view, latest, path, at)
    if found is None:
        return None
    markdown, span = found
    now = latest.span_now(span)
    return types.Hover(
        contents=types.MarkupContent(kind=types.MarkupKind.Markdown, value=markdown),
        range=view.positions.range(now) if now is not None else None,
    )


def _describe(view: View, latest: Mapped, path: list[ast.Node], at: int) -> tuple[str, Span] | None:
    node = path[-1]
    named = literal_name_argument(path)
    if named is not None:
        markdown = _named_thing(latest, *named)
        return None if markdown is None else (markdown, node.span)
    span = node.span
    markdown = None
    match node:
        case ast.Name():
            markdown = _name(view, latest, node)
        case ast.BindingName():
            markdown = _binding_name(view, latest, node)
        case ast.Member() if _within(at, node.name_span):
            markdown, span = _member(view, node), node.name_span
        case ast.Property() if node.key is not None and _within(at, node.key_span):
            value_type = view.type_of_latest(node.value.span)
            if value_type is not None:
                markdown = describe.property_markdown(node.key, value_type)
            span = node.key_span
    if markdown is not None:
        return markdown, span
    return _expression_type(view, path)


def _within(offset: int, span: Span) -> bool:
    return span.start <= offset <= span.end


def _named_thing(latest: Mapped, qualified: str, literal: ast.StringLit) -> str | None:
    """The task, child workflow or signal a string literal names."""
    environment = latest.environment
    root = latest.analyzed.root
    name = literal.value
    if qualified == "Task.run":
        task = (environment.tasks or {}).get(name)
        return None if task is None else describe.task_markdown(task, root)
    if qualified == "Workflow.run":
        workflow = lookup.known_workflows(environment).get(name)
        return None if workflow is None else describe.workflow_markdown(workflow, root)
    payload = (latest.analysis.front_matter.signals or {}).get(name)
    return None if payload is None else describe.signal_markdown(name, from_type_expr(payload))


def _name(view: View, latest: Mapped, node: ast.Name) -> str | None:
    binding = latest.analysis.resolution.references.get(node.span.start)
    if binding is not None:
        return describe.variable_markdown(binding, view.type_of_latest(node.span))
    if node.name in GLOBALS:
        value_type = view.type_of_latest(node.span) or lookup.global_value_type(
            latest.analysis, node.name
        )
        return describe.global_markdown(node.name, value_type)
    return None


def _binding_name(view: View, latest: Mapped, node: ast.BindingName) -> str | None:
    for binding in latest.analysis.resolution.bindings:
        if binding.span == node.span:
            return describe.variable_markdown(binding, view.type_of_latest(node.span))
    return None


def _member(view: View, node: ast.Member) -> str | None:
    receiver = node.object
    if isinstance(receiver, ast.Name) and receiver.name in GLOBALS:
        entry = lookup_member(receiver.name, node.name)
        if entry is not None:
            return describe.builtin_markdown(entry)
    kind = lookup.receiver_kind(view.type_of_latest(receiver.span))
    method = lookup_method(kind, node.name) if kind is not None else None
    if method is not None:
        return describe.builtin_markdown(method)
    member_type = view.type_of_latest(node.span)
    return None if member_type is None else describe.property_markdown(node.name, member_type)


def _expression_type(view: View, path: list[ast.Node]) -> tuple[str, Span] | None:
    """The type of the innermost expression under the pointer that has one."""
    for node in reversed(path):
        found = view.type_of_latest(node.span)
        if found is not None:
            return describe.type_markdown(found), node.span
    return None
