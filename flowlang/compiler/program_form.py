"""The two program forms (LANGUAGE.md §3.1): bare statements, or `async function main() { ... }`.

The grammar parses any `function` declaration; this module decides which one is the wrapper
and reports every misuse as FLOW013 (and other functions as FLOW005). The wrapper's body
becomes the program body; statements beside it are reported and kept, so the rest of the
file is still checked.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flowlang.compiler import ast
from flowlang.compiler.codes import diagnostic
from flowlang.compiler.diagnostics import Diagnostic, Label
from flowlang.compiler.parser_habits import habit
from flowlang.compiler.source import Span
from flowlang.compiler.syntax_parts import Function

_WRAPPER = "`async function main()`"


def apply_wrapper(
    items: Sequence[Any], diagnostics: list[Diagnostic]
) -> tuple[tuple[ast.Stmt, ...], Span | None]:
    """The program body and the wrapper's span, from the top-level items."""
    wrapper = next((item for item in items if _looks_like_wrapper(item)), None)
    body: list[ast.Stmt] = []
    beside: list[ast.Stmt] = []
    for item in items:
        if item is wrapper:
            body.extend(item.body.body)
        elif isinstance(item, Function):
            diagnostics.append(_second_wrapper(item) if wrapper else misplaced_function(item))
        else:
            body.append(item)
            beside.append(item)
    if wrapper is None:
        return tuple(body), None
    diagnostics.extend(_wrapper_misuse(wrapper))
    if beside:
        diagnostics.append(_statements_beside_wrapper(beside))
    return tuple(body), wrapper.span


def misplaced_function(function: Function) -> Diagnostic:
    """A function that cannot be the wrapper: nested, or an ordinary helper function."""
    if function.is_async:
        return diagnostic(
            "FLOW013",
            f"{_WRAPPER} can only wrap the whole program",
            function.header,
            label="not at the top level",
            help="remove the wrapper here and keep its statements",
        )
    return habit("function", function.keyword.span)


def _looks_like_wrapper(item: Any) -> bool:
    return isinstance(item, Function) and (
        item.is_async or (item.name is not None and item.name.text == "main")
    )


def _wrapper_misuse(wrapper: Function) -> list[Diagnostic]:
    found = []
    if not wrapper.is_async:
        found.append(
            diagnostic(
                "FLOW013",
                "the program wrapper must be declared `async`",
                wrapper.keyword.span,
                label="missing `async`",
                help="write `async function main() { ... }`",
            )
        )
    if wrapper.name is None or wrapper.name.text != "main":
        where = wrapper.name.span if wrapper.name is not None else wrapper.keyword.span
        found.append(
            diagnostic(
                "FLOW013",
                "the program wrapper must be named `main`",
                where,
                label="expected `main`",
                help="write `async function main() { ... }`",
            )
        )
    if wrapper.parameters is not None:
        found.append(
            diagnostic(
                "FLOW013",
                "`main` takes no parameters",
                wrapper.parameters.span,
                label="remove these parameters",
                help="read the workflow's inputs from `Inputs`",
            )
        )
    return found


def _second_wrapper(function: Function) -> Diagnostic:
    if not function.is_async:
        return habit("function", function.keyword.span)
    return diagnostic(
        "FLOW013",
        f"a program has at most one {_WRAPPER}",
        function.header,
        label="second wrapper",
        help="merge the two bodies into one `main`",
    )


def _statements_beside_wrapper(statements: list[ast.Stmt]) -> Diagnostic:
    others = tuple(Label(s.span, "also outside the wrapper") for s in statements[1:])
    return diagnostic(
        "FLOW013",
        f"statements outside {_WRAPPER}",
        statements[0].span,
        label="outside the wrapper",
        labels=others,
        help="move the statements into the body of `main`, or drop the wrapper",
    )
