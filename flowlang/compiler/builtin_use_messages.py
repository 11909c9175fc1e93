"""The diagnostics of builtin use (FLOW108, FLOW109, FLOW207, FLOW405), worded in one place.

`builtin_use.py` decides *that* a builtin is misused; this module decides how to say it. Each
help names the `.flow` way: call the builtin where its result is needed, call methods by name,
await a timer or a signal.
"""

from __future__ import annotations

from collections.abc import Iterable

from flowlang.compiler import ast, stdlib
from flowlang.compiler.check_call_messages import CALLBACK_METHODS
from flowlang.compiler.codes import diagnostic
from flowlang.compiler.diagnostics import Diagnostic, Fix
from flowlang.compiler.source import Span
from flowlang.compiler.suggest import closest

_NO_CALLBACKS = "`.flow` has no callback methods: loop over the values with `for…of`"
_NO_USER_FUNCTIONS = (
    "`.flow` has no user-defined functions: repeat logic with a loop, or move it into a task "
    "or a child workflow (`Workflow.run`)"
)


def unknown_member(member: ast.Member, owner: stdlib.Global, known: Iterable[str]) -> Diagnostic:
    """FLOW108. `known` are the members (or `Context`'s fields) to suggest from."""
    candidates = tuple(known)
    noun = "field" if owner.kind == "value" else "member"
    similar = closest(member.name, candidates)
    fix = None
    if similar is not None:
        help_text = f"did you mean `{similar}`?"
        fix = Fix(member.name_span, similar, f"replace with `{similar}`")
    elif owner.kind == "function":
        help_text = f"`{owner.name}` is a function: call it as `{owner.name}(…)`"
    else:
        help_text = f"the {noun}s of `{owner.name}` are {_listing(candidates)}"
    return diagnostic(
        "FLOW108",
        f"`{owner.name}` has no {noun} `{member.name}`",
        member.name_span,
        label=f"unknown {noun}",
        help=help_text,
        fix=fix,
    )


def global_used_as_value(name: ast.Name, builtin: stdlib.Global) -> Diagnostic:
    """FLOW109 for `return Task`, `typeof Promise`, `let s = String`."""
    return diagnostic(
        "FLOW109",
        f"builtin {_global_noun(builtin)} `{name.name}` used as a value",
        name.span,
        label="builtins are not values",
        help=_call_it_help(builtin),
    )


def member_used_as_value(member: ast.Member, builtin: stdlib.Builtin) -> Diagnostic:
    """FLOW109 for `let round = Math.floor`."""
    return diagnostic(
        "FLOW109",
        f"builtin function `{builtin.qualified}` used as a value",
        member.span,
        label="not called",
        help=f"call it where you need its result: `{builtin.qualified}(…)`",
    )


def method_used_as_value(member: ast.Member, builtin: stdlib.Builtin) -> Diagnostic:
    """FLOW109 for `"x".trim` without a call."""
    return diagnostic(
        "FLOW109",
        f"method `{member.name}` used as a value",
        member.name_span,
        label="not called",
        help=f"call it where you need its result: `.{member.name}(…)`",
        notes=(f"`{builtin.qualified}`: {builtin.doc}",) if builtin.doc else (),
    )


def global_called(name: ast.Name, builtin: stdlib.Global) -> Diagnostic:
    """FLOW207 for `Math(1)` or `Inputs()`."""
    if builtin.kind == "namespace":
        noun, help_text = "a namespace", _call_it_help(builtin)
    else:
        noun, help_text = "a value", f"read its fields instead: `{name.name}.<field>`"
    return diagnostic(
        "FLOW207",
        f"cannot call `{name.name}`: it is {noun}, not a function",
        name.span,
        label="not a function",
        help=help_text,
    )


def variable_called(name: ast.Name) -> Diagnostic:
    """FLOW207 for `x()`."""
    return diagnostic(
        "FLOW207",
        f"cannot call `{name.name}`: only builtins can be called",
        name.span,
        label="a variable, not a function",
        help=_NO_USER_FUNCTIONS,
    )


def expression_called(call: ast.Call, methods: frozenset[str]) -> Diagnostic:
    """FLOW207 for a callee that is neither a name nor `value.name`: `a["push"](1)`, `f()()`."""
    callee = call.callee
    if isinstance(callee, ast.Index):
        key = callee.index
        by_name = isinstance(key, ast.StringLit) and key.value in methods
        return diagnostic(
            "FLOW207",
            "cannot call a computed member: methods are called by name",
            callee.span,
            label="computed member",
            help=f"write `.{key.value}(…)`"
            if by_name and isinstance(key, ast.StringLit)
            else "call a builtin method by name: `value.method(…)`",
        )
    what = "the result of a call" if isinstance(callee, ast.Call) else "this expression"
    return diagnostic(
        "FLOW207",
        f"cannot call {what}: only builtins can be called",
        callee.span,
        label="not a builtin function",
        help="builtins return data, never functions; call a builtin function (`String(x)`), "
        "a namespace member (`Math.max(…)`) or a method (`items.push(x)`)",
    )


def not_a_method(call: ast.Call, callee: ast.Member, methods: frozenset[str]) -> Diagnostic:
    """FLOW207 for `value.name(…)` where `name` is a property (`[1].length()`,
    `Context.executionId()`) or no method of any kind (`o.f()`)."""
    shown = _describe(callee)
    if _is_property(callee):
        fix = None
        if not call.arguments:
            parentheses = Span(callee.span.end, call.span.end)
            fix = Fix(parentheses, "", "remove the parentheses")
        return diagnostic(
            "FLOW207",
            f"cannot call `{shown}`: it is a property, not a method",
            callee.name_span,
            label="a property",
            help=f"read it without parentheses: `{shown}`",
            fix=fix,
        )
    similar = closest(callee.name, methods)
    if similar:
        help_text = f"did you mean `{similar}`?"
    else:
        help_text = _NO_CALLBACKS if callee.name in CALLBACK_METHODS else _NO_USER_FUNCTIONS
    return diagnostic(
        "FLOW207",
        f"cannot call `{shown}`: `{callee.name}` is not a builtin method",
        callee.name_span,
        label="not a method of any value",
        help=help_text,
        fix=Fix(callee.name_span, similar, f"replace with `{similar}`") if similar else None,
    )


def discarded_promise(call: ast.Call, qualified: str) -> Diagnostic:
    """FLOW405 for `Timer.delay("1h")` or `Signal.next("go")` as a statement."""
    if qualified == "Signal.next":
        notes = ("a discarded `Signal.next` still consumes the next signal of that name",)
    else:
        notes = ("a discarded timer does nothing: the workflow does not wait",)
    return diagnostic(
        "FLOW405",
        f"the promise of `{qualified}` is discarded",
        call.span,
        label="not awaited",
        notes=notes,
        help="await it, or keep the promise in a variable and await it later",
        fix=Fix(Span(call.span.start, call.span.start), "await ", "await the promise"),
    )


# ----------------------------------------------------------------------------- wording helpers


def _global_noun(builtin: stdlib.Global) -> str:
    return "namespace" if builtin.kind == "namespace" else "function"


def _call_it_help(builtin: stdlib.Global) -> str:
    """`String(…)`, or the namespace's first member as an example."""
    if builtin.kind != "namespace":
        return f"call it where you need its result: `{builtin.name}(…)`"
    example = next(iter(stdlib.NAMESPACE_MEMBERS[builtin.name].values()), None)
    if example is None:
        return f"call one of the members of `{builtin.name}`"
    return f"call one of its members where you need the result, such as `{example.qualified}(…)`"


def _is_property(callee: ast.Member) -> bool:
    """Whether the called name is data: `length` of arrays and strings, a `Context` field."""
    kinds = [kind for kind, members in stdlib.METHODS.items() if callee.name in members]
    if kinds:
        return True
    owner = callee.object
    return isinstance(owner, ast.Name) and owner.name in stdlib.GLOBALS


def _describe(callee: ast.Member) -> str:
    """`o.f` for a chain of names, else `.f`."""
    parts = [callee.name]
    node: ast.Expr = callee.object
    while isinstance(node, ast.Member):
        parts.append(node.name)
        node = node.object
    if not isinstance(node, ast.Name):
        return f".{callee.name}"
    return ".".join([node.name, *reversed(parts)])


def _listing(names: tuple[str, ...]) -> str:
    return ", ".join(f"`{name}`" for name in names)
