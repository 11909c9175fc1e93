"""Signature help: the signature of the call the cursor is in, its current argument highlighted.

Builtin functions, namespace members and methods show their entry of the stdlib table; a method
of a receiver whose type is unknown shows every builtin method of that name (arrays and strings
share several). `Task.run("x", …)` with a task of the catalog shows that task's own signature:
its inputs type and its result, with its docstring; `Workflow.run("y", …)` the child workflow's
inputs and output. Like completion, it reads the text being typed (`cursor.py`).
"""

from __future__ import annotations

from lsprotocol import types

from flowlang.compiler.stdlib import (
    FUNCTIONS,
    METHODS,
    NAMESPACE_MEMBERS,
    TASK_OPTIONS,
    WORKFLOW_OPTIONS,
    Builtin,
    lookup_method,
)
from flowlang.lsp import describe, lookup
from flowlang.lsp.completion import lexing_start
from flowlang.lsp.cursor import Bracket, Cursor, cursor_at
from flowlang.lsp.documents import View
from flowlang.lsp.receivers import receiver_type

TRIGGER_CHARACTERS = ["(", ","]


def signature_help(view: View, offset: int) -> types.SignatureHelp | None:
    cursor = cursor_at(view.text, offset, lexing_start(view, offset))
    if cursor.in_prose:
        return None
    call = cursor.call()
    if call is None:
        return None
    signatures = _signatures(view, cursor, call)
    if not signatures:
        return None
    return types.SignatureHelp(
        signatures=[
            types.SignatureInformation(
                label=signature.label,
                documentation=types.MarkupContent(kind=types.MarkupKind.Markdown, value=doc),
                parameters=[types.ParameterInformation(label=p) for p in signature.parameters],
                active_parameter=_active(signature, call.argument, rest),
            )
            for signature, doc, rest in signatures
        ],
        active_signature=0,
        active_parameter=_active(signatures[0][0], call.argument, signatures[0][2]),
    )


# (signature, Markdown documentation, whether the last parameter takes every further argument)
_Found = tuple[describe.Signature, str, bool]


def _signatures(view: View, cursor: Cursor, call: Bracket) -> list[_Found]:
    callee = call.callee or ()
    dot = call.position - 2
    if dot < 0 or cursor.tokens[dot].kind not in (".", "?."):
        entry = FUNCTIONS.get(call.function or "")
        return [] if entry is None else [_builtin(entry)]
    if len(callee) == 2 and callee[0] in NAMESPACE_MEMBERS:
        entry = NAMESPACE_MEMBERS[callee[0]].get(callee[1])
        if entry is None:
            return []
        specific = _task_or_workflow(view, cursor, call, entry.qualified)
        return [specific] if specific is not None else [_builtin(entry)]
    return [_builtin(entry) for entry in _methods(view, cursor, call, dot)]


def _builtin(entry: Builtin) -> _Found:
    rest = bool(entry.params) and entry.params[-1].rest
    return describe.builtin_signature(entry), describe.builtin_markdown(entry), rest


def _task_or_workflow(view: View, cursor: Cursor, call: Bracket, qualified: str) -> _Found | None:
    """The signature of the very task or child workflow the call names."""
    name = cursor.first_string_argument(call)
    if name is None or view.latest is None:
        return None
    environment = view.latest.environment
    root = view.latest.analyzed.root
    if qualified == "Task.run":
        task = (environment.tasks or {}).get(name)
        if task is not None:
            signature = describe.task_signature(task, TASK_OPTIONS)
            return signature, describe.task_markdown(task, root), False
    if qualified == "Workflow.run":
        workflow = lookup.known_workflows(environment).get(name)
        if workflow is not None:
            signature = describe.workflow_signature(workflow, WORKFLOW_OPTIONS)
            return signature, describe.workflow_markdown(workflow, root), False
    return None


def _methods(view: View, cursor: Cursor, call: Bracket, dot: int) -> list[Builtin]:
    """The builtin method `receiver.name(` calls: by the receiver's type when it is known,
    else every method of that name."""
    name = call.function or ""
    receiver_names = call.callee[:-1] if call.callee else None
    kind = lookup.receiver_kind(receiver_type(view, cursor, dot, receiver_names))
    if kind is not None:
        entry = lookup_method(kind, name)
        return [] if entry is None else [entry]
    return [methods[name] for methods in METHODS.values() if name in methods]


def _active(signature: describe.Signature, argument: int, rest: bool) -> int:
    """The parameter the argument at index `argument` binds: a rest parameter binds every
    argument from its own on; past the last parameter of any other signature none is active
    (an index out of range, which editors show without a highlight)."""
    last = len(signature.parameters) - 1
    return min(argument, last) if rest else argument
