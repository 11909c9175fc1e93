"""The parser-level rules of LANGUAGE.md §5-§6 that the grammar deliberately accepts, so that
they get a precise message instead of a syntax error: FLOW008, FLOW009, FLOW010, FLOW014 and
FLOW015. Each function builds the diagnostic; the tree builder decides when it applies."""

from __future__ import annotations

from flowlang.compiler import ast
from flowlang.compiler.codes import diagnostic
from flowlang.compiler.diagnostics import Diagnostic
from flowlang.compiler.syntax_parts import Effect


def nullish_mixed_with_logical(node: ast.Logical, operand: ast.Logical) -> Diagnostic:
    """FLOW008: `a ?? b || c` needs parentheses to say which operator applies first."""
    other = operand.operator if node.operator == "??" else node.operator
    return diagnostic(
        "FLOW008",
        f"`??` cannot be mixed with `{other}` without parentheses",
        node.span,
        label="add parentheses to say which operator applies first",
        help=f"write `(a ?? b) {other} c` or `a ?? (b {other} c)`",
    )


def invalid_target(target: ast.Expr, operator: str) -> Diagnostic:
    """FLOW009, saying what the target is and what to write instead."""
    help = "assign to a variable or a property path such as `order.items[i].price`"
    if isinstance(target, ast.OptionalChain):
        what = "an optional chain"
        help = "use `.` instead of `?.` on the left of the assignment"
    elif isinstance(target, ast.ArrayLit | ast.ObjectLit):
        what = "an array literal" if isinstance(target, ast.ArrayLit) else "an object literal"
        help = "destructuring assignment does not exist: declare new names with `let [a, b] = ...`"
    elif _rooted_at_call(target):
        what = "the result of a call"
    else:
        what = "this expression"
    verb = "assign to" if operator not in ("++", "--") else f"apply `{operator}` to"
    return diagnostic(
        "FLOW009",
        f"cannot {verb} {what}",
        target.span,
        label="not a variable or property path",
        help=help,
    )


def _rooted_at_call(expr: ast.Expr) -> bool:
    while isinstance(expr, ast.Member | ast.Index):
        expr = expr.object
    return isinstance(expr, ast.Call)


def effect_used_as_value(effect: Effect, help: str | None = None) -> Diagnostic:
    """FLOW010: assignments and `++`/`--` are statements (§5.4)."""
    statement = effect.statement
    what = "an assignment" if isinstance(statement, ast.Assign) else f"`{statement.operator}`"
    return diagnostic(
        "FLOW010",
        f"{what} cannot be used as a value",
        effect.span,
        label="assignments and updates are statements in .flow",
        help=help or "write it as a statement on its own line",
    )


def missing_initializer(kind: str, declarator: ast.Declarator) -> Diagnostic | None:
    """FLOW014: `const x` and `let {a}` need a value; `let x` alone is `null`."""
    target = declarator.target
    if isinstance(target, ast.BindingName):
        if kind != "const":
            return None
        message = f"`const {target.name}` has no value"
        help = f"give it a value: `const {target.name} = ...`, or declare it with `let`"
    else:
        message = "a destructuring pattern needs a value to destructure"
        help = "add `= value` after the pattern"
    return diagnostic("FLOW014", message, declarator.span, label="no initializer", help=help)


def declaration_as_body(statement: ast.VarDecl, keyword: str) -> Diagnostic:
    """FLOW015: `if (ok) let y = 1` declares a name nothing could use."""
    return diagnostic(
        "FLOW015",
        f"a declaration cannot be the body of `{keyword}`",
        statement.span,
        label="declares a name that nothing could use",
        help="wrap it in a block: `{ ... }`",
    )
