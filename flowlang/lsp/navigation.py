"""Go to definition, find references and rename.

Definition goes from a variable to its declaration, from the name in `Task.run("x")` to the
task's Python function (the `file:line` the catalog records), from the name in
`Workflow.run("y")` to the child workflow's file, and from the name in `Signal.next("s")` to its
declaration in the front matter. References and rename are for variables, which are local to
their file; they come from the name resolution (`resolve.py`), so a name is never confused with
another one of the same spelling in another scope.

Rename keeps shorthand properties meaning what they meant: `{ total }` becomes
`{ total: sum }`, and `const { total } = Inputs` becomes `const { total: sum } = Inputs`. It
refuses a new name that is not a name, is a keyword or a builtin, or would collide with another
variable in the scopes involved.
"""

from __future__ import annotations

import re

from lsprotocol import types
from pygls.uris import from_fs_path

from flowlang.compiler import ast
from flowlang.compiler.analysis import Analysis
from flowlang.compiler.lexer import WORDS
from flowlang.compiler.resolve import Binding
from flowlang.compiler.source import Span
from flowlang.compiler.stdlib import GLOBALS
from flowlang.lsp import describe, lookup
from flowlang.lsp.documents import Mapped, View
from flowlang.lsp.syntax import literal_name_argument, path_to, walk

_NAME = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*\Z")


class RenameRefused(Exception):
    """The rename cannot be done; the message says why (the editor shows it)."""


def definition(view: View, offset: int) -> list[types.Location] | None:
    latest = view.latest
    at = None if latest is None else latest.to_analysis(offset)
    if latest is None or at is None:
        return None
    named = literal_name_argument(path_to(latest.analysis.program, at))
    if named is not None:
        location = _named_definition(view, latest, *named)
        return None if location is None else [location]
    found = lookup.binding_at(latest.analysis, at)
    if found is None:
        return None
    location = _location(view, latest, found[0].span)
    return None if location is None else [location]


def _named_definition(
    view: View, latest: Mapped, qualified: str, literal: ast.StringLit
) -> types.Location | None:
    environment = latest.environment
    root = latest.analyzed.root
    if qualified == "Task.run":
        task = (environment.tasks or {}).get(literal.value)
        if task is None or task.source is None:
            return None
        return _file_location(describe.source_path(task.source.file, root), task.source.line)
    if qualified == "Workflow.run":
        workflow = lookup.known_workflows(environment).get(literal.value)
        if workflow is None or workflow.path is None:
            return None
        return _file_location(describe.source_path(workflow.path, root), 1)
    span = latest.analysis.front_matter.signal_spans.get(literal.value)
    return None if span is None else _location(view, latest, span)


def _file_location(path: object, line: int) -> types.Location | None:
    uri = from_fs_path(str(path)) if path is not None else None
    if uri is None:
        return None
    start = types.Position(max(line - 1, 0), 0)
    return types.Location(uri, types.Range(start, start))


def _location(view: View, latest: Mapped, span: Span) -> types.Location | None:
    now = latest.span_now(span)
    return None if now is None else types.Location(view.uri, view.positions.range(now))


def references(
    view: View, offset: int, *, include_declaration: bool
) -> list[types.Location] | None:
    latest = view.latest
    at = None if latest is None else latest.to_analysis(offset)
    if latest is None or at is None:
        return None
    found = lookup.binding_at(latest.analysis, at)
    if found is None:
        return None
    binding = found[0]
    spans = [use.span for use in latest.analysis.resolution.uses_of(binding)]
    if include_declaration:
        spans.insert(0, binding.span)
    locations = [_location(view, latest, span) for span in spans]
    return [location for location in locations if location is not None]


def prepare_rename(view: View, offset: int) -> types.PrepareRenamePlaceholder | None:
    """The name to rename at `offset`, when it is a variable's."""
    latest = view.latest
    at = None if latest is None else latest.to_analysis(offset)
    if latest is None or at is None:
        return None
    found = lookup.binding_at(latest.analysis, at)
    now = None if found is None else latest.span_now(found[1])
    if found is None or now is None:
        return None
    return types.PrepareRenamePlaceholder(view.positions.range(now), found[0].name)


def rename(view: View, offset: int, new_name: str) -> types.WorkspaceEdit | None:
    latest = view.latest
    at = None if latest is None else latest.to_analysis(offset)
    if latest is None or at is None:
        return None
    found = lookup.binding_at(latest.analysis, at)
    if found is None:
        return None
    binding = found[0]
    if new_name == binding.name:
        return types.WorkspaceEdit(changes={view.uri: []})
    _check_new_name(latest.analysis, binding, new_name)
    shorthand = _shorthand_names(latest.analysis.program)
    edits = []
    for span in [binding.span, *(use.span for use in latest.analysis.resolution.uses_of(binding))]:
        now = latest.span_now(span)
        if now is None:
            return None
        text = f"{binding.name}: {new_name}" if span in shorthand else new_name
        edits.append(types.TextEdit(view.positions.range(now), text))
    return types.WorkspaceEdit(changes={view.uri: edits})


def _check_new_name(analysis: Analysis, binding: Binding, new_name: str) -> None:
    if not _NAME.match(new_name):
        raise RenameRefused(
            f"`{new_name}` is not a name: use ASCII letters, digits, `_` and `$`, "
            "not starting with a digit"
        )
    if new_name in WORDS:
        raise RenameRefused(f"`{new_name}` is a reserved word")
    if new_name in GLOBALS:
        raise RenameRefused(f"`{new_name}` is a builtin and cannot be a variable's name")
    related = _related_scopes(analysis, binding.scope)
    for other in analysis.resolution.bindings:
        if other.name == new_name and other.scope in related:
            line = _line_of(analysis, other.span)
            raise RenameRefused(
                f"`{new_name}` is already a variable here (declared on line {line}); "
                "renaming would make one hide the other"
            )


def _related_scopes(analysis: Analysis, scope_id: int) -> set[int]:
    """A scope, the scopes around it and the scopes inside it: where a variable of the new
    name would hide the renamed one or be hidden by it."""
    scopes = analysis.resolution.scopes
    related = {scope_id}
    outer = scopes[scope_id].parent
    while outer is not None:
        related.add(outer)
        outer = scopes[outer].parent
    for scope in scopes:
        parent = scope.parent
        while parent is not None:
            if parent == scope_id:
                related.add(scope.id)
                break
            parent = scopes[parent].parent
    return related


def _shorthand_names(program: ast.Program) -> set[Span]:
    """The spans of names written as shorthand properties, in object literals and patterns."""
    found: set[Span] = set()
    for node in walk(program):
        if isinstance(node, ast.Property) and node.shorthand:
            found.add(node.value.span)
        elif isinstance(node, ast.PatternProperty) and node.key_span == node.target.span:
            found.add(node.key_span)
    return found


def _line_of(analysis: Analysis, span: Span) -> int:
    return analysis.source.line_col(span.start)[0]
