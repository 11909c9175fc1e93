"""Values that exist only while a statement is being parsed, and the question of what may be
assigned. None of them reaches the AST: the tree builder turns each into nodes (or a
diagnostic) when the enclosing rule is reduced."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flowlang.compiler import ast
from flowlang.compiler.lexer import Token
from flowlang.compiler.source import Span


@dataclass(frozen=True, slots=True)
class Part:
    """A piece of syntax known only by its span (and, for a C-style `for` head, its parts)."""

    span: Span
    parts: tuple[Any, ...] = ()


@dataclass(frozen=True, slots=True)
class Effect:
    """An assignment or `++`/`--` parsed where an expression may stand.

    As an expression statement it becomes `statement`; anywhere else it is FLOW010 and the
    expression is replaced by `stand_in` (the assigned value, or the updated place).
    """

    span: Span
    statement: ast.Assign | ast.Update
    stand_in: ast.Expr


@dataclass(frozen=True, slots=True)
class ForHead:
    span: Span
    kind: str
    target: ast.Target
    iteration: str
    iterable: ast.Expr


@dataclass(frozen=True, slots=True)
class Arguments:
    span: Span
    items: tuple[ast.Expr | ast.Spread, ...]


@dataclass(frozen=True, slots=True)
class Function:
    """A `function` declaration: the program wrapper, or a JavaScript habit (FLOW005)."""

    span: Span
    is_async: bool
    keyword: Token
    name: Token | None
    parameters: Part | None
    header: Span  # from `async`/`function` to the `{` of the body
    body: ast.Block


def cover(first: Any, last: Any) -> Span:
    """The span from the start of `first` to the end of `last` (tokens or nodes)."""
    start = first.start if type(first) is Token else first.span.start
    end = last.end if type(last) is Token else last.span.end
    return Span(start, end)


def is_place(expr: ast.Expr) -> bool:
    """A name followed by `.name` and `[expr]` links (LANGUAGE.md §5.1 `place`)."""
    while isinstance(expr, ast.Member | ast.Index):
        if expr.optional:
            return False
        expr = expr.object
    return isinstance(expr, ast.Name)
