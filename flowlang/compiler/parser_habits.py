"""JavaScript habits: constructs .flow does not have (LANGUAGE.md §1.2), reported as FLOW005.

Each habit has its own message and a help that names the .flow alternative, in the spirit of
Elm teaching `===`: the user wrote valid JavaScript, so tell them what to write instead.
"""

from __future__ import annotations

from flowlang.compiler.codes import diagnostic
from flowlang.compiler.diagnostics import Diagnostic, Fix
from flowlang.compiler.lexer import Token
from flowlang.compiler.source import Span

_NO_FUNCTIONS = "there are no user functions: move the logic into a task, or write it inline"

# Keyed by the construct: a keyword, an operator or a name for a larger form.
HABITS: dict[str, tuple[str, str]] = {
    "var": ("`var` does not exist in .flow", "use `let` or `const`"),
    "function": ("functions cannot be declared in .flow", _NO_FUNCTIONS),
    "async": ("async functions cannot be declared in .flow", _NO_FUNCTIONS),
    "arrow": (
        "arrow functions do not exist in .flow",
        "there are no callbacks: loop with `for (const x of items)` instead",
    ),
    "class": (
        "classes do not exist in .flow",
        'use plain objects, such as `{ name: "a", total: 0 }`',
    ),
    "new": ("`new` does not exist in .flow", "builtins are called without `new`"),
    "switch": ("`switch` does not exist in .flow", "use `if` and `else if`"),
    "case": ("`case` does not exist in .flow", "use `if` and `else if`"),
    "default": ("`default` does not exist in .flow", "use `if` and `else if`"),
    "import": (
        "`import` does not exist in .flow",
        "a workflow is a single file: start other code with `Task.run` or `Workflow.run`",
    ),
    "export": (
        "`export` does not exist in .flow",
        "a workflow is a single file: start it from elsewhere with `Workflow.run`",
    ),
    "c-for": (
        "C-style `for` loops do not exist in .flow",
        "use `for (const x of items)`, or a `while` loop",
    ),
    "do": ("`do ... while` does not exist in .flow", "use a `while` loop"),
    "**": ("the `**` operator does not exist in .flow", "use `Math.pow(base, exponent)`"),
    "in": (
        "the `in` operator does not exist in .flow",
        "use `Object.hasOwn(object, key)`",
    ),
    "instanceof": (
        "`instanceof` does not exist in .flow",
        "there are no classes: test `typeof x`, `Array.isArray(x)` or a field such as `err.type`",
    ),
    "delete": (
        "`delete` does not exist in .flow",
        "build an object without the key: `let { key, ...rest } = object`",
    ),
    "void": ("`void` does not exist in .flow", "write `null`"),
    "comma": (
        "the comma operator does not exist in .flow",
        "write each expression as its own statement",
    ),
    "+": ("unary `+` does not exist in .flow", "convert with `Number(x)`"),
    "~": ("bitwise operator `~` does not exist in .flow", "use arithmetic or `Math` functions"),
    "this": ("`this` does not exist in .flow", "there are no classes or functions: use variables"),
    "super": ("`super` does not exist in .flow", "there are no classes: use plain objects"),
    "yield": ("generators do not exist in .flow", "start other work with `Task.run`"),
    "with": ("`with` does not exist in .flow", "write the object's name before each property"),
    "debugger": ("`debugger` does not exist in .flow", "remove it"),
}

# Bitwise operators, with the logical operator they are most often a typo for.
_BITWISE_MEANT = {"&": "&&", "|": "||"}
BITWISE = frozenset(("&", "|", "^", "<<", ">>", ">>>"))


def habit(key: str, span: Span, *, help: str | None = None, fix: Fix | None = None) -> Diagnostic:
    """FLOW005 for the habit `key`, with its usual help unless `help` is given."""
    message, usual_help = HABITS[key]
    return diagnostic(
        "FLOW005",
        message,
        span,
        label="not available in .flow",
        help=help or usual_help,
        fix=fix,
    )


def bitwise_habit(operator: str, span: Span) -> Diagnostic:
    meant = _BITWISE_MEANT.get(operator)
    return diagnostic(
        "FLOW005",
        f"bitwise operator `{operator}` does not exist in .flow",
        span,
        label="not available in .flow",
        help=f"did you mean `{meant}`?" if meant else "use arithmetic or `Math` functions",
    )


def compound_assignment_habit(operator: str, span: Span) -> Diagnostic:
    """`**=`, `&&=`, `<<=`, ...: spell out the operation."""
    operation = operator[:-1]
    spelled = "x = Math.pow(x, y)" if operation == "**" else f"x = x {operation} y"
    return diagnostic(
        "FLOW005",
        f"the `{operator}` assignment does not exist in .flow",
        span,
        label="not available in .flow",
        help=f"write `{spelled}`",
    )


def new_habit(span: Span, callee: str | None) -> Diagnostic:
    """`new X(...)`: builtins are called without `new`; name the right call when known."""
    if callee in ("Error", "String", "Number", "Boolean"):
        help = f'write `{callee}("...")` without `new`' if callee == "Error" else None
        help = help or f"write `{callee}(x)` without `new`"
    elif callee == "Date":
        help = "use `Date.now()`, `Date.parse(text)` or `Date.iso()`"
    elif callee == "Promise":
        help = "promises come from `Task.run`, `Workflow.run`, `Timer` and `Signal.next`"
    elif callee in ("Array", "Object", "Map", "Set"):
        help = "write a literal: `[]` or `{}`"
    else:
        help = None
    return habit("new", span, help=help)


def var_fix(span: Span) -> Fix:
    return Fix(span, "let", "replace `var` with `let`")


def reserved_word_as_name(word: Token) -> Diagnostic:
    """FLOW007: a reserved word where a name is declared or read."""
    return diagnostic(
        "FLOW007",
        f"`{word.text}` is a reserved word and cannot be used as a name",
        word.span,
        label="reserved word",
        help="choose another name",
    )
