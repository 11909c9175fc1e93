"""Finding things in the syntax tree: the nodes at an offset, every node, and what a call calls.

The tree (`flowlang.compiler.ast`) is frozen dataclasses; a node's children are the fields that
hold nodes or tuples of nodes, so one generic reading of the fields serves every node type. Trees
can be thousands of levels deep, so every walk here uses an explicit stack.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields

from flowlang.compiler import ast
from flowlang.compiler.stdlib import NAMESPACE_MEMBERS

_CHILD_FIELDS: dict[type, tuple[str, ...]] = {}


def children(node: ast.Node) -> list[ast.Node]:
    """The nodes directly below `node`, in field order (which is source order)."""
    names = _CHILD_FIELDS.get(type(node))
    if names is None:
        names = _CHILD_FIELDS[type(node)] = tuple(f.name for f in fields(node) if f.name != "span")
    found: list[ast.Node] = []
    for name in names:
        value = getattr(node, name)
        if isinstance(value, ast.Node):
            found.append(value)
        elif isinstance(value, tuple):
            found.extend(item for item in value if isinstance(item, ast.Node))
    return found


def walk(root: ast.Node) -> Iterator[ast.Node]:
    """Every node below and including `root`, parents before children, in source order."""
    pending = [root]
    while pending:
        node = pending.pop()
        yield node
        pending.extend(reversed(children(node)))


def path_to(root: ast.Node, offset: int) -> list[ast.Node]:
    """The nodes that contain `offset`, outermost first. A node contains the offsets of its
    characters, and its end offset when no node starts there (a cursor just after a name is on
    the name)."""
    path = [root]
    while True:
        inside: ast.Node | None = None
        touching: ast.Node | None = None
        for child in children(path[-1]):
            if child.span.start <= offset < child.span.end:
                inside = child
                break
            if child.span.end == offset and child.span.start < offset:
                touching = child
        chosen = inside or touching
        if chosen is None:
            return path
        path.append(chosen)


@dataclass(frozen=True)
class BuiltinCall:
    """A call of a namespace member (`Task.run(...)`): its qualified name and the call."""

    qualified: str
    call: ast.Call


def namespace_call(node: ast.Node) -> BuiltinCall | None:
    """`Task.run` for a call `Task.run(...)` of a builtin namespace member, else None."""
    if not isinstance(node, ast.Call):
        return None
    callee = node.callee
    if (
        isinstance(callee, ast.Member)
        and isinstance(callee.object, ast.Name)
        and callee.object.name in NAMESPACE_MEMBERS
    ):
        return BuiltinCall(f"{callee.object.name}.{callee.name}", node)
    return None


def literal_name_argument(path: list[ast.Node]) -> tuple[str, ast.StringLit] | None:
    """For a path ending at a string literal that is the first argument of `Task.run`,
    `Workflow.run` or `Signal.next`: that qualified name and the literal."""
    if len(path) < 2 or not isinstance(path[-1], ast.StringLit):
        return None
    call = namespace_call(path[-2])
    if call is None or not call.call.arguments or call.call.arguments[0] is not path[-1]:
        return None
    if call.qualified not in ("Task.run", "Workflow.run", "Signal.next"):
        return None
    return call.qualified, path[-1]
