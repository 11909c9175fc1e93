"""Completion: what can be written at the cursor.

The cursor's surroundings come from the text being typed (`cursor.py`); what the names mean comes
from the newest analyses, seen through their shifts. By context:

* in the string of `Task.run("`, `Workflow.run("` or `Signal.next("`: the catalog's tasks, the
  workflow set's workflows, the front matter's signals;
* after `.` or `?.`: the members of a builtin namespace, the front matter's `Inputs` fields, or
  the fields, methods and properties of the receiver's type;
* at a key of the object passed as inputs or options to `Task.run` / `Workflow.run`: the fields
  the task, the child workflow or the options accept, those already written left out;
* elsewhere: the variables in scope, the builtin globals and the keywords.

Nothing is offered in comments, in the front matter, inside other strings, or where a new name
is being declared.
"""

from __future__ import annotations

import re

from lsprotocol import types

from flowlang.compiler import ast
from flowlang.compiler.lexer import KEYWORDS
from flowlang.compiler.stdlib import (
    FUNCTIONS,
    GLOBALS,
    NAMESPACE_MEMBERS,
    TASK_OPTIONS,
    WORKFLOW_OPTIONS,
    Builtin,
)
from flowlang.compiler.types import ANY, NULL, ObjectType, Type, display, from_type_expr, members
from flowlang.lsp import describe, lookup
from flowlang.lsp.cursor import Bracket, Cursor, cursor_at, receiver_chain
from flowlang.lsp.documents import Mapped, View
from flowlang.lsp.receivers import receiver_type
from flowlang.lsp.syntax import children

TRIGGER_CHARACTERS = [".", '"', "'"]

# What task, workflow and signal names are made of, in practice (`send-email`, `billing.v2`).
_NAME_CHARACTERS = re.compile(r"[\w\-.:/@]*")

_STATEMENTS = (
    ast.VarDecl,
    ast.Block,
    ast.If,
    ast.While,
    ast.For,
    ast.Try,
    ast.CatchClause,
    ast.Return,
    ast.Throw,
    ast.Break,
    ast.Continue,
    ast.Empty,
    ast.ExprStmt,
    ast.Assign,
    ast.Update,
)
_NAMING = frozenset({"let", "const", "catch"})
_KIND_OF_BUILTIN = {
    "function": types.CompletionItemKind.Function,
    "method": types.CompletionItemKind.Method,
    "property": types.CompletionItemKind.Property,
}
_GLOBAL_KIND = {
    "namespace": types.CompletionItemKind.Module,
    "function": types.CompletionItemKind.Function,
    "value": types.CompletionItemKind.Variable,
}


def completion(view: View, offset: int) -> types.CompletionList | None:
    cursor = cursor_at(view.text, offset, lexing_start(view, offset))
    if cursor.in_prose:
        return None
    in_string = cursor.string is not None
    items = _names_in_string(view, cursor) if in_string else _items_at(view, cursor)
    return None if items is None else types.CompletionList(is_incomplete=False, items=items)


def lexing_start(view: View, offset: int) -> int:
    """Where to start lexing for a cursor at `offset`: the start (or the end, when the cursor
    is past it) of the innermost statement before the cursor that no edit has touched."""
    if view.latest is None:
        return 0
    limit = min(offset, view.latest.shift.prefix)
    start = 0
    node: ast.Node = view.latest.analysis.program
    while True:
        before = [
            child
            for child in children(node)
            if isinstance(child, _STATEMENTS) and child.span.start <= limit
        ]
        if not before:
            return start
        last = before[-1]
        if limit > last.span.end:  # an edit at its very end may extend it: lex it again
            return last.span.end
        start, node = last.span.start, last


def _items_at(view: View, cursor: Cursor) -> list[types.CompletionItem] | None:
    previous = cursor.before()
    if previous is not None and previous.kind in (".", "?."):
        return _members(view, cursor)
    if previous is not None and previous.kind in _NAMING:
        return None  # a new name: nothing to complete
    if previous is not None and previous.kind in ("{", ","):
        fields = _argument_fields(view, cursor)
        if fields is not None:
            return fields
    return _names(view, cursor)


# --- names in strings ------------------------------------------------------------------------


def _names_in_string(view: View, cursor: Cursor) -> list[types.CompletionItem] | None:
    """Task, workflow and signal names in the first argument of the call that takes them."""
    call = cursor.call()
    string = cursor.string
    if call is None or string is None or call.argument != 0 or call.callee is None:
        return None
    if call.position + 1 >= len(cursor.tokens) or cursor.tokens[call.position + 1] is not string:
        return None
    names = _callable_names(view, ".".join(call.callee))
    if names is None:
        return None
    content = types.Range(
        view.positions.position(string.start + 1),
        view.positions.position(_name_end(view.text, cursor.offset)),
    )
    return [
        types.CompletionItem(
            label=name,
            kind=kind,
            detail=detail,
            documentation=_markdown(documentation),
            text_edit=types.TextEdit(content, name),
        )
        for name, kind, detail, documentation in names
    ]


def _callable_names(
    view: View, callee: str
) -> list[tuple[str, types.CompletionItemKind, str, str]] | None:
    analyzed = view.latest
    if analyzed is None:
        return None
    environment = analyzed.environment
    root = analyzed.analyzed.root
    if callee == "Task.run":
        return [
            (
                name,
                types.CompletionItemKind.Function,
                describe.task_signature(task, TASK_OPTIONS).label,
                describe.task_markdown(task, root),
            )
            for name, task in (environment.tasks or {}).items()
        ]
    if callee == "Workflow.run":
        return [
            (
                name,
                types.CompletionItemKind.Module,
                describe.workflow_signature(workflow, WORKFLOW_OPTIONS).label,
                describe.workflow_markdown(workflow, root),
            )
            for name, workflow in lookup.known_workflows(environment).items()
        ]
    if callee == "Signal.next":
        signals = analyzed.analysis.front_matter.signals or {}
        return [
            (
                name,
                types.CompletionItemKind.Event,
                f'signal "{name}"',
                describe.signal_markdown(name, from_type_expr(payload)),
            )
            for name, payload in signals.items()
        ]
    return None


def _name_end(text: str, offset: int) -> int:
    """Where the name the cursor is in ends: past the name characters after the cursor (the
    rest of a name being corrected), not past a quote the editor may have closed already."""
    match = _NAME_CHARACTERS.match(text, offset)
    return match.end() if match else offset


# --- members ---------------------------------------------------------------------------------


def _members(view: View, cursor: Cursor) -> list[types.CompletionItem] | None:
    dot = len(cursor.tokens) - (2 if cursor.word else 1)
    chain = receiver_chain(cursor.tokens, dot)
    names = chain[0] if chain else None
    if names is not None and len(names) == 1 and names[0] in NAMESPACE_MEMBERS:
        return [_builtin_item(entry) for entry in NAMESPACE_MEMBERS[names[0]].values()]
    receiver = receiver_type(view, cursor, dot, names)
    if receiver is None:
        return None
    return [
        _builtin_item(info.builtin)
        if info.builtin is not None
        else types.CompletionItem(
            label=info.name,
            kind=types.CompletionItemKind.Field,
            detail=display(info.type or ANY),
            documentation=_markdown(describe.property_markdown(info.name, info.type or ANY)),
        )
        for info in lookup.readable_members(receiver)
    ]


# --- fields of argument objects --------------------------------------------------------------


def _argument_fields(view: View, cursor: Cursor) -> list[types.CompletionItem] | None:
    """The fields of the inputs or options object of `Task.run` / `Workflow.run`."""
    found = cursor.argument_object()
    if found is None or view.latest is None:
        return None
    parenthesis, brace = found
    accepted = _accepted_object(view.latest, cursor, parenthesis)
    if accepted is None:
        return None
    written = set(brace.keys)
    fields = [f for f in accepted.fields if f.name not in written]
    return [
        types.CompletionItem(
            label=f.name,
            kind=types.CompletionItemKind.Field,
            detail=f"{f.name}{'?' if f.optional else ''}: {display(f.type)}",
            # Required fields first, then in declaration order.
            sort_text=f"{1 if f.optional else 0}{index:04d}",
        )
        for index, f in enumerate(fields)
    ]


def _accepted_object(analyzed: Mapped, cursor: Cursor, parenthesis: Bracket) -> ObjectType | None:
    callee = ".".join(parenthesis.callee or ())
    if callee not in ("Task.run", "Workflow.run"):
        return None
    if parenthesis.argument == 2:
        return TASK_OPTIONS if callee == "Task.run" else WORKFLOW_OPTIONS
    if parenthesis.argument != 1:
        return None
    name = cursor.first_string_argument(parenthesis)
    if name is None:
        return None
    environment = analyzed.environment
    inputs: Type | None = None
    if callee == "Task.run" and environment.tasks is not None and name in environment.tasks:
        inputs = environment.tasks[name].inputs
    elif callee == "Workflow.run" and environment.workflows is not None:
        inputs = environment.workflows[name].inputs if name in environment.workflows else None
    return _object_of(inputs)


def _object_of(t: Type | None) -> ObjectType | None:
    """The object type of inputs (`T | null` inputs are optional: their object counts)."""
    if t is None:
        return None
    objects = [m for m in members(t) if isinstance(m, ObjectType)]
    rest = [m for m in members(t) if not isinstance(m, ObjectType) and m != NULL]
    return objects[0] if len(objects) == 1 and not rest else None


# --- names -----------------------------------------------------------------------------------


def _names(view: View, cursor: Cursor) -> list[types.CompletionItem]:
    items = [
        types.CompletionItem(label=word, kind=types.CompletionItemKind.Keyword)
        for word in sorted(KEYWORDS)
    ]
    for name, entry in GLOBALS.items():
        items.append(_global_item(view, name, entry.kind))
    latest = view.latest
    if latest is None:
        return items
    for binding in lookup.visible_bindings(
        latest.analysis, latest.shift.nearest_old(cursor.offset)
    ):
        type_ = view.type_of_latest(binding.span)
        items.append(
            types.CompletionItem(
                label=binding.name,
                kind=types.CompletionItemKind.Constant
                if binding.is_const
                else types.CompletionItemKind.Variable,
                detail=describe.variable_label(binding, type_),
                # Variables before globals and keywords.
                sort_text=f"0{binding.name}",
            )
        )
    return items


def _global_item(view: View, name: str, kind: str) -> types.CompletionItem:
    if kind == "function":
        return _builtin_item(FUNCTIONS[name])
    value_type = None
    if kind == "value" and view.latest is not None:
        value_type = lookup.global_value_type(view.latest.analysis, name)
    return types.CompletionItem(
        label=name,
        kind=_GLOBAL_KIND[kind],
        detail=f"{name}: {display(value_type)}" if value_type is not None else f"namespace {name}",
        documentation=_markdown(describe.global_markdown(name, value_type)),
        sort_text=f"1{name}",
    )


def _builtin_item(builtin: Builtin) -> types.CompletionItem:
    return types.CompletionItem(
        label=builtin.name,
        kind=_KIND_OF_BUILTIN[builtin.kind],
        detail=describe.builtin_signature(builtin).label,
        documentation=_markdown(describe.builtin_markdown(builtin)),
    )


def _markdown(value: str) -> types.MarkupContent:
    return types.MarkupContent(kind=types.MarkupKind.Markdown, value=value)
