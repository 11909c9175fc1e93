"""The wording of every diagnostic the type checker reports (LANGUAGE.md §11.7, §11.8).

The message says what is wrong, the label marks the smallest span that shows it, the help says
how to fix it. Types are shown in the notation of §4 (`types.display`); "did you mean" comes
from `suggest.closest`, so every phase suggests alike.
"""

from __future__ import annotations

import json
from collections.abc import Iterable

from flowlang.compiler import ast
from flowlang.compiler.check_call_messages import CALLBACK_METHODS
from flowlang.compiler.codes import diagnostic
from flowlang.compiler.diagnostics import Diagnostic, Label
from flowlang.compiler.source import Span
from flowlang.compiler.suggest import closest, name_fix
from flowlang.compiler.types import NULL, Type, display


def describe(expression: ast.Expr) -> str | None:
    """Short source-like text for an expression in a message (`order.total`,
    `Task.run(...)`), or None when it has none worth showing."""
    parts: list[str] = []
    node: ast.Expr = expression
    while True:
        match node:
            case ast.Name(name=name):
                parts.append(name)
                return "".join(reversed(parts))
            case ast.Member(object=inner, name=name, optional=optional):
                parts.append(("?." if optional else ".") + name)
                node = inner
            case ast.Index(object=inner, index=index, optional=optional):
                key = index.raw if isinstance(index, ast.NumberLit) else "…"
                if isinstance(index, ast.StringLit):
                    key = json.dumps(index.value, ensure_ascii=False)
                parts.append(("?.[" if optional else "[") + key + "]")
                node = inner
            case ast.Call(callee=callee) if not parts:
                parts.append("(...)")
                node = callee
            case ast.OptionalChain(expression=inner):
                node = inner
            case _:
                return None


def _quoted(expression: ast.Expr, fallback: str = "this value") -> str:
    text = describe(expression)
    return f"`{text}`" if text is not None else fallback


def _did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    similar = closest(name, candidates)
    return f"did you mean `{similar}`?" if similar is not None else None


# ----------------------------------------------------------------------------- operators


def operator_never_applies(
    operator: str, span: Span, operands: list[tuple[ast.Expr, Type]], help: str
) -> Diagnostic:
    """FLOW201: `"5" - 2`, `1 < 2 < 3`, `-"x"`."""
    shown = " and ".join(f"`{display(t)}`" for _, t in operands)
    labels: tuple[Label, ...] = ()
    if len(operands) == 1:  # `-x`, `x++`: the operator and its operand are one span
        _, t = operands[0]
        label = f"this is `{display(t)}`"
    else:
        label = ""
        labels = tuple(Label(node.span, f"this is `{display(t)}`") for node, t in operands)
    return diagnostic(
        "FLOW201",
        f"operator `{operator}` cannot be applied to {shown}",
        span,
        label=label,
        labels=labels,
        help=help,
    )


def operator_may_fail(
    operator: str, span: Span, culprit: ast.Expr, failing: Type, help: str
) -> Diagnostic:
    """FLOW404: an operand may have a type the operator rejects, typically `null`."""
    return diagnostic(
        "FLOW404",
        f"operator `{operator}` may fail: {_quoted(culprit, 'an operand')} may be "
        f"`{display(failing)}`",
        span,
        label=f"fails when {_quoted(culprit, 'the operand')} is `{display(failing)}`",
        labels=(Label(culprit.span, f"this may be `{display(failing)}`"),),
        help=help,
    )


def operator_help(operator: str, kinds: Iterable[str]) -> str:
    """How to fix an operator applied to the wrong kinds (§7.10: no implicit conversion)."""
    found = set(kinds)
    if "null" in found:
        return "check for `null` first, or give a default with `??`"
    if operator in ("<", "<=", ">", ">=") and "boolean" in found:
        return "comparisons do not chain: write `a < b && b < c`"
    if operator == "+":
        return (
            "`+` adds two numbers or joins text to a string; "
            "convert with `String(...)` or `Number(...)`"
        )
    if operator in ("<", "<=", ">", ">="):
        return "compare two numbers or two strings; convert with `Number(...)` or `String(...)`"
    if "string" in found:
        return "values are never converted implicitly: convert with `Number(...)`"
    return f"`{operator}` needs numbers"


# ----------------------------------------------------------------------------- properties


def property_missing(
    name: str, name_span: Span, base: Type, candidates: Iterable[str], *, owner: str | None = None
) -> Diagnostic:
    """FLOW204: the property certainly does not exist on any type the base may have. `owner`
    is the kind of value that does have a method of that name, if one does."""
    names = sorted(set(candidates))
    similar = closest(name, names)
    fix = None
    if base == NULL:
        help = "this value is always `null` here"
    elif similar is None and owner is not None:
        help = f"`{name}` is a method of {owner}s, and this value is `{display(base)}`"
    elif base == NULL:
        help = "this value is always `null` here"
    elif name in CALLBACK_METHODS:
        help = "there are no callback methods (`map`, `filter`, `forEach`…): use `for…of`"
    else:
        help = _did_you_mean(name, names) or _what_it_has(names)
        fix = name_fix(name_span, similar)
    return diagnostic(
        "FLOW204",
        f"property `{name}` does not exist on `{display(base)}`",
        name_span,
        label="unknown property",
        help=help,
        fix=fix,
    )


def _what_it_has(names: list[str]) -> str:
    if not names:
        return "values of this type have no properties"
    listed = ", ".join(f"`{n}`" for n in names[:8]) + (", …" if len(names) > 8 else "")
    return f"it has {listed}"


def read_of_maybe_null(name: str, name_span: Span, base: ast.Expr, *, call: bool) -> Diagnostic:
    """FLOW404: reading a property of (or calling a method on) a value that may be `null`."""
    what = "method" if call else "property"
    return diagnostic(
        "FLOW404",
        f"{_quoted(base)} may be `null` here, and reading `{name}` from `null` fails",
        name_span,
        label=f"{what} of a value that may be `null`",
        labels=(Label(base.span, "may be `null`"),),
        help=f"check it first (`if ({describe(base) or 'x'} != null)`), or use `?.{name}`",
    )


def method_may_be_missing(name: str, name_span: Span, base: ast.Expr, lacking: Type) -> Diagnostic:
    """FLOW404: the receiver may have a kind without this method."""
    return diagnostic(
        "FLOW404",
        f"method `{name}` may not exist: {_quoted(base)} may be `{display(lacking)}`",
        name_span,
        label=f"`{display(lacking)}` has no method `{name}`",
        help="narrow the value first, e.g. with `typeof` or `Array.isArray`",
    )


def input_not_declared(name: str, span: Span, declared: Iterable[str]) -> Diagnostic:
    """FLOW306: `Inputs.emial` with `inputs` declared in the front matter."""
    return diagnostic(
        "FLOW306",
        f"`Inputs` has no field `{name}`: it is not declared in the front matter `inputs`",
        span,
        label="not declared",
        help=_did_you_mean(name, declared)
        or f"declare it under `inputs:` in the front matter (write `{name}?:` if it is optional)",
    )


# ----------------------------------------------------------------------------- promises


def promise_used_as_value(
    expression: ast.Expr, t: Type, *, where: str, help: str | None = None
) -> Diagnostic:
    """FLOW206: a promise where a plain value is needed."""
    shown = describe(expression)
    subject = f"`{shown}`" if shown is not None else "this value"
    fix = help or (f"write `await {shown}`" if shown is not None else "`await` it first")
    return diagnostic(
        "FLOW206",
        f"{subject} is a promise: did you forget `await`?",
        expression.span,
        label=f"`{display(t)}` used as {where}",
        help=fix,
    )


def await_of_non_promise(span: Span, operand: ast.Expr, t: Type) -> Diagnostic:
    """FLOW406: `await 42`."""
    return diagnostic(
        "FLOW406",
        f"`await` of `{display(t)}`, which is not a promise",
        span,
        label="nothing to wait for",
        labels=(Label(operand.span, f"this is `{display(t)}`"),),
        help="remove `await`: it returns the value unchanged",
    )


# ----------------------------------------------------------------------------- values


def not_iterable(expression: ast.Expr, t: Type) -> Diagnostic:
    """FLOW205: `for (const x of {a: 1})`, `[...5]`."""
    help = (
        "iterate `Object.values(...)` or `Object.entries(...)`, or its keys with `for…in`"
        if "object" in display(t) or display(t).startswith("{")
        else "only arrays and strings can be iterated"
    )
    return diagnostic(
        "FLOW205",
        f"`{display(t)}` is not iterable",
        expression.span,
        label="not an array or a string",
        help=help,
    )


def not_iterable_pattern(pattern: ast.ArrayPattern, t: Type) -> Diagnostic:
    """FLOW205: `let [a, b] = {x: 1}`."""
    return diagnostic(
        "FLOW205",
        f"`{display(t)}` is not iterable, so it cannot be destructured with `[...]`",
        pattern.span,
        label="an array pattern needs an array or a string",
        help="destructure an object with `{ ... }`",
    )


def comparison_constant(
    span: Span, operator: str, left: Type, right: Type, typeof_word: str | None
) -> Diagnostic:
    """FLOW403: operands whose types do not overlap (`count == "3"`)."""
    result = "false" if operator in ("==", "===") else "true"
    if typeof_word is not None:
        return diagnostic(
            "FLOW403",
            f'comparison is always {result}: `typeof` never gives "{typeof_word}"',
            span,
            label=f"always {result}",
            help='`typeof` gives "string", "number", "boolean" or "object"; '
            "test a missing value with `x == null`",
        )
    if NULL in (left, right):
        help = "this value is never `null` here: the test is not needed"
    else:
        help = (
            '`==` never converts between kinds (`1 == "1"` is false): convert one side explicitly'
        )
    return diagnostic(
        "FLOW403",
        f"comparison is always {result}: `{display(left)}` and `{display(right)}` have no value "
        "in common",
        span,
        label=f"always {result}",
        help=help,
    )


def duplicate_key(key: str, span: Span, first: Span) -> Diagnostic:
    """FLOW407: `{a: 1, a: 2}`."""
    return diagnostic(
        "FLOW407",
        f"duplicate key `{key}` in an object literal",
        span,
        label="key repeated here",
        labels=(Label(first, "first written here"),),
        help="remove one of them: the key keeps its first position and takes the last value",
    )


def return_mismatch(value: ast.Expr, t: Type, output: Type, output_span: Span | None) -> Diagnostic:
    """FLOW308: `return { status: 1 }` for `output: "{status: string}"`."""
    labels = (Label(output_span, "`output` declared here"),) if output_span is not None else ()
    return diagnostic(
        "FLOW308",
        f"returned value of type `{display(t)}` does not match `output` `{display(output)}`",
        value.span,
        label=f"this is `{display(t)}`",
        labels=labels,
        help=f"return a value of type `{display(output)}`, or change `output` in the front matter",
    )


def end_without_return(span: Span, output: Type, output_span: Span | None) -> Diagnostic:
    """FLOW308: a path through the program ends without `return` although `output` excludes
    `null`."""
    labels = (Label(output_span, "`output` declared here"),) if output_span is not None else ()
    return diagnostic(
        "FLOW308",
        "the program can end without `return` (returning `null`), but `output` is "
        f"`{display(output)}`",
        span,
        label="execution can reach the end here",
        labels=labels,
        help="add a `return` on every path, or allow `null` in `output`",
    )
