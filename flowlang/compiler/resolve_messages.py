"""The diagnostics of name resolution (FLOW101–FLOW107, FLOW402), worded in one place.

`resolve.py` decides *that* something is wrong; this module decides how to say it. Messages say
what is wrong, help says how to fix it, and JavaScript habits that do not carry over (globals
such as `undefined` or `console`) get help that names the `.flow` way.
"""

from __future__ import annotations

from flowlang.compiler import ast
from flowlang.compiler.codes import diagnostic
from flowlang.compiler.diagnostics import Diagnostic, Fix, Label
from flowlang.compiler.source import Span
from flowlang.compiler.suggest import name_fix

_HOST_OBJECT_HELP = (
    "the sandbox has no host objects: pass data in through `Inputs`, and call a task for "
    "anything outside the workflow"
)
_NON_FINITE_HELP = "`.flow` numbers are always finite: there is no `NaN` or `Infinity`"
_PARSE_HELP = "use `Number(x)` to convert a string, and `Math.trunc(x)` to drop the fraction"

# JavaScript globals that people reach for and `.flow` does not have (§1.2, §12).
JAVASCRIPT_GLOBAL_HELP: dict[str, str] = {
    "undefined": "`.flow` has no `undefined`: use `null`",
    "NaN": _NON_FINITE_HELP,
    "Infinity": _NON_FINITE_HELP,
    "console": "`.flow` has no `console`: return the data from the workflow, or call a task "
    "that logs it",
    "setTimeout": "to wait, use `await Timer.delay(...)`",
    "window": _HOST_OBJECT_HELP,
    "document": _HOST_OBJECT_HELP,
    "process": _HOST_OBJECT_HELP,
    "require": _HOST_OBJECT_HELP,
    "parseInt": _PARSE_HELP,
    "parseFloat": _PARSE_HELP,
}


def undefined_name(
    name: ast.Name,
    *,
    similar: str | None,
    similar_is_builtin: bool,
    ended: Span | None,
) -> Diagnostic:
    """FLOW101. `ended` is a declaration of the same name in a block that has already ended."""
    if name.name in JAVASCRIPT_GLOBAL_HELP:
        return diagnostic(
            "FLOW101",
            f"undefined name `{name.name}`",
            name.span,
            label="not available in .flow",
            help=JAVASCRIPT_GLOBAL_HELP[name.name],
        )
    labels: tuple[Label, ...] = ()
    notes: tuple[str, ...] = ()
    if ended is not None:
        labels = (Label(ended, f"`{name.name}` is declared here, in a block that has ended"),)
        notes = ("a `let` or `const` is visible only inside the block that declares it",)
    return diagnostic(
        "FLOW101",
        f"undefined name `{name.name}`",
        name.span,
        label="not declared in this scope",
        labels=labels,
        notes=notes,
        help=_similar_name_help(similar, similar_is_builtin),
        fix=name_fix(name.span, similar),
    )


def undeclared_assigned(
    target: ast.Name,
    statement: ast.Assign | ast.Update,
    *,
    similar: str | None,
    declarable: bool,
) -> Diagnostic:
    """FLOW102. `declarable`: the statement is a plain `name = value` in a statement list,
    so writing `let ` in front of it is a complete fix."""
    fix = None
    if declarable:
        at = Span(statement.span.start, statement.span.start)
        fix = Fix(at, "let ", f"declare `{target.name}` with `let`")
    help_text = (
        f"declare it with `let`: `let {target.name} = …`"
        if declarable
        else f"declare it first with `let {target.name} = …`"
    )
    notes = (f"a variable with a similar name exists: `{similar}`",) if similar else ()
    return diagnostic(
        "FLOW102",
        f"assignment to undeclared name `{target.name}`",
        target.span,
        label="not declared in this scope",
        notes=notes,
        help=help_text,
        fix=fix,
    )


def const_assigned(target: ast.Name, declaration: Span, *, loop_variable: bool) -> Diagnostic:
    """FLOW103."""
    help_text = (
        "declare the loop variable with `for (let …)` if it must change"
        if loop_variable
        else "declare it with `let` instead of `const` if it must change"
    )
    return diagnostic(
        "FLOW103",
        f"cannot assign to `{target.name}`: it is a constant",
        target.span,
        label="assignment to a constant",
        labels=(Label(declaration, "declared as a constant here"),),
        help=help_text,
    )


def declared_twice(node: ast.BindingName, first: Span) -> Diagnostic:
    """FLOW104."""
    return diagnostic(
        "FLOW104",
        f"`{node.name}` is declared twice in the same scope",
        node.span,
        label="declared again here",
        labels=(Label(first, "first declared here"),),
        help=f"rename one of them, or assign to the first `{node.name}` instead of declaring it "
        "again",
    )


def builtin_declared(node: ast.BindingName) -> Diagnostic:
    """FLOW105 for a declaration (a `let`, `const`, `for` or `catch` name)."""
    return diagnostic(
        "FLOW105",
        f"cannot declare `{node.name}`: it is a builtin global",
        node.span,
        label="builtin globals cannot be shadowed",
        help=f"choose another name, such as `{_own_name(node.name)}`",
    )


def builtin_assigned(target: ast.Name) -> Diagnostic:
    """FLOW105 for `Builtin = v`, `Builtin += v`, `Builtin++`."""
    return diagnostic(
        "FLOW105",
        f"cannot assign to `{target.name}`: it is a builtin global",
        target.span,
        label="builtin globals are read-only",
        help=f"keep the value in a variable of your own: `let {_own_name(target.name)} = …`",
    )


def builtin_mutated(root: ast.Name) -> Diagnostic:
    """FLOW105 for a write into a builtin (`Inputs.x = 1`, `Inputs.items.push(1)`)."""
    return diagnostic(
        "FLOW105",
        f"cannot modify `{root.name}`: it is a builtin global",
        root.span,
        label="builtin globals are read-only",
        help="copy it into a variable and change the copy: "
        f"`let {_own_name(root.name)} = {root.name}`",
    )


def used_before_declaration(
    name: ast.Name,
    declaration: Span,
    *,
    hidden: Span | None,
    write: bool,
) -> Diagnostic:
    """FLOW106. `hidden` is the outer declaration of the same name that the later one hides."""
    labels = [Label(declaration, "declared here")]
    if hidden is not None:
        labels.append(Label(hidden, f"this `{name.name}` is hidden throughout the inner block"))
        help_text = (
            f"the `{name.name}` declared later in the block hides the outer `{name.name}` from "
            "the start of the block; rename one of them"
        )
    elif declaration.start < name.span.start:
        help_text = f"`{name.name}` cannot be used in its own declaration"
    else:
        help_text = f"move the declaration of `{name.name}` above this use"
    return diagnostic(
        "FLOW106",
        f"`{name.name}` is used before its declaration",
        name.span,
        label=("assigned" if write else "used") + " here before it is declared",
        labels=tuple(labels),
        help=help_text,
    )


def outside_loop(statement: ast.Break | ast.Continue) -> Diagnostic:
    """FLOW107."""
    keyword = "break" if isinstance(statement, ast.Break) else "continue"
    help_text = (
        "to end the workflow here, use `return`"
        if keyword == "break"
        else "remove it, or move it into the loop it should continue"
    )
    return diagnostic(
        "FLOW107",
        f"`{keyword}` outside a loop",
        statement.span,
        label="not inside a `while` or `for` loop",
        help=help_text,
    )


def unused(name: str, declaration: Span, *, loop_variable: bool) -> Diagnostic:
    """FLOW402. A loop variable cannot be removed, only renamed."""
    help_text = (
        f"name it `_{name}` if it must stay"
        if loop_variable
        else f"remove it, or name it `_{name}` if it must stay"
    )
    return diagnostic(
        "FLOW402",
        f"unused variable `{name}`",
        declaration,
        label="declared here but never used",
        help=help_text,
    )


def _similar_name_help(similar: str | None, is_builtin: bool) -> str | None:
    if similar is None:
        return None
    what = "a builtin global" if is_builtin else "a variable"
    return f"{what} with a similar name exists: `{similar}`"


def _own_name(builtin: str) -> str:
    """A variable name for a copy of a builtin: `Inputs` -> `inputs`, `JSON` -> `json`."""
    return builtin.lower() if builtin.isupper() else builtin[0].lower() + builtin[1:]
