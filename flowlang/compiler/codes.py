"""The registry of diagnostic codes (LANGUAGE.md §11.8).

Each code is defined once here, with its severity, a one-line summary and its documentation
(what it means, why it matters, an example, the fix). `flowc explain` and `docs/` read this
table; phases create diagnostics through `diagnostic()` so the severity always comes from it.
Codes are stable: a retired code is never reused.
"""

from __future__ import annotations

from dataclasses import dataclass

from flowlang.compiler.diagnostics import Diagnostic, Fix, Label, Severity
from flowlang.compiler.source import Span

E = Severity.ERROR
W = Severity.WARNING


@dataclass(frozen=True, slots=True)
class Code:
    code: str
    severity: Severity
    summary: str
    explanation: str = ""


_CODES = [
    Code("FLOW001", E, "syntax error"),
    Code("FLOW002", E, "unterminated string, template literal or block comment"),
    Code("FLOW003", E, "invalid escape sequence"),
    Code("FLOW004", E, "invalid number literal"),
    Code("FLOW005", E, "JavaScript construct that .flow does not have"),
    Code("FLOW006", E, "invalid character"),
    Code("FLOW007", E, "reserved word used as a name"),
    Code("FLOW008", E, "`??` mixed with `&&` or `||` without parentheses"),
    Code("FLOW009", E, "invalid assignment target"),
    Code("FLOW010", E, "assignment or `++`/`--` used as an expression"),
    Code("FLOW011", E, "malformed front matter"),
    Code("FLOW012", E, "invalid type syntax"),
    Code("FLOW013", E, "misused `async function main()` wrapper"),
    Code("FLOW014", E, "`const` or pattern without initializer"),
    Code("FLOW015", E, "declaration used as the body of `if`, `else`, `while` or `for`"),
    Code("FLOW101", E, "undefined name"),
    Code("FLOW102", E, "assignment to an undeclared name"),
    Code("FLOW103", E, "assignment to a constant"),
    Code("FLOW104", E, "name declared twice in the same scope"),
    Code("FLOW105", E, "builtin global assigned, declared, shadowed or mutated"),
    Code("FLOW106", E, "name used before its declaration"),
    Code("FLOW107", E, "`break` or `continue` outside a loop"),
    Code("FLOW108", E, "unknown member of a builtin object"),
    Code("FLOW109", E, "builtin used as a value"),
    Code("FLOW201", E, "operator not applicable to its operand types"),
    Code("FLOW202", E, "wrong number of arguments to a builtin"),
    Code("FLOW203", E, "argument of the wrong type for a builtin"),
    Code("FLOW204", E, "property does not exist on the type"),
    Code("FLOW205", E, "value is not iterable"),
    Code("FLOW206", E, "promise used as a plain value"),
    Code("FLOW207", E, "call of something that is not a builtin function or method"),
    Code("FLOW301", E, "unknown task"),
    Code("FLOW302", E, "missing required input field"),
    Code("FLOW303", E, "unknown input field"),
    Code("FLOW304", E, "input field of the wrong type"),
    Code("FLOW305", E, "unknown child workflow"),
    Code("FLOW306", E, "`Inputs` field not declared in front matter"),
    Code("FLOW307", E, "signal not declared in front matter"),
    Code("FLOW308", E, "returned value does not match `output`"),
    Code("FLOW309", E, "invalid front-matter key or value"),
    Code("FLOW401", W, "unreachable code"),
    Code("FLOW402", W, "unused variable"),
    Code("FLOW403", W, "comparison is always false (or always true)"),
    Code("FLOW404", W, "operation may fail at run time for some possible types"),
    Code("FLOW405", W, "result of `Signal.next` or `Timer` discarded"),
    Code("FLOW406", W, "`await` of a value that is not a promise"),
    Code("FLOW407", W, "duplicate key in an object literal"),
]

CODES: dict[str, Code] = {code.code: code for code in _CODES}


def diagnostic(
    code: str,
    message: str,
    span: Span,
    *,
    label: str = "",
    labels: tuple[Label, ...] = (),
    notes: tuple[str, ...] = (),
    help: str | None = None,
    fix: Fix | None = None,
) -> Diagnostic:
    """A diagnostic of a registered code, with the code's severity."""
    return Diagnostic(
        code=code,
        severity=CODES[code].severity,
        message=message,
        span=span,
        label=label,
        labels=labels,
        notes=notes,
        help=help,
        fix=fix,
    )
