"""The wording of the checker's diagnostics about calls: arity and arguments of builtins
(FLOW202, FLOW203, FLOW404), and the contracts with tasks, child workflows and signals
(FLOW301–FLOW305, FLOW307). The rest of the checker's wording is in `check_messages.py`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from flowlang.compiler import ast, stdlib
from flowlang.compiler.codes import diagnostic
from flowlang.compiler.diagnostics import Diagnostic, Fix
from flowlang.compiler.source import Span
from flowlang.compiler.suggest import closest, key_fix, string_fix
from flowlang.compiler.types import Field, Type, display

# JavaScript's callback methods, which .flow leaves out (§9.11): their absence gets a help
# pointing to `for…of` rather than a "did you mean".
CALLBACK_METHODS = frozenset(
    {"map", "filter", "forEach", "reduce", "find", "findIndex", "some", "every", "sort", "flatMap"}
)


def _did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    similar = closest(name, candidates)
    return f"did you mean `{similar}`?" if similar is not None else None


def _name_literal_fix(name: ast.StringLit, candidates: Iterable[str]) -> Fix | None:
    return string_fix(name.span, closest(name.value, candidates))


def _signature(builtin: stdlib.Builtin) -> str:
    params = ", ".join(
        f"{'...' if p.rest else ''}{p.name}{'?' if p.optional and not p.rest else ''}: "
        f"{display(p.type)}"
        for p in builtin.params
    )
    return f"`{builtin.qualified}({params})`"


def wrong_argument_count(call: ast.Call, builtin: stdlib.Builtin, count: int) -> Diagnostic:
    """FLOW202: `Math.floor(1, 2)`, `Timer.delay()`. The extra arguments are marked, or the
    call when some are missing."""
    least, most = stdlib.arity(builtin)
    if most is not None and count > most:
        extra = call.arguments[most:]
        span = Span(extra[0].span.start, extra[-1].span.end)
        label = "unexpected argument" if len(extra) == 1 else "unexpected arguments"
    else:
        span = call.span
        label = f"{count} given"
    return diagnostic(
        "FLOW202",
        f"`{builtin.qualified}` {stdlib.describe_arity(builtin)}, got {count}",
        span,
        label=label,
        help=f"the signature is {_signature(builtin)}",
    )


def wrong_argument_type(
    builtin: stdlib.Builtin, position: int, node: ast.Expr, t: Type, param: stdlib.Param
) -> Diagnostic:
    """FLOW203: `Math.floor("3")`, `Task.run(1)`."""
    expected = display(param.type)
    help = (
        "values are never converted implicitly: convert with `Number(...)`"
        if expected == "number" and "string" in display(t)
        else "values are never converted implicitly: convert with `String(...)`"
        if expected == "string" and display(t) in ("number", "boolean")
        else f"the signature is {_signature(builtin)}"
    )
    return diagnostic(
        "FLOW203",
        f"argument {position} of `{builtin.qualified}` must be `{expected}`, found `{display(t)}`",
        node.span,
        label=f"this is `{display(t)}`",
        help=help,
    )


def argument_may_be_wrong(
    builtin: stdlib.Builtin, position: int, node: ast.Expr, failing: Type, param: stdlib.Param
) -> Diagnostic:
    """FLOW404: `Math.floor(x)` with `x: number | null`."""
    return diagnostic(
        "FLOW404",
        f"argument {position} of `{builtin.qualified}` must be `{display(param.type)}`, but it "
        f"may be `{display(failing)}`",
        node.span,
        label=f"may be `{display(failing)}`",
        help="narrow it first (`if (x != null)`), or give a default with `??`",
    )


def rejected_literal(builtin: stdlib.Builtin, node: ast.Expr, problem: str) -> Diagnostic:
    """FLOW203: a literal argument the runtime rejects (`Timer.delay("5 minutes")`)."""
    return diagnostic(
        "FLOW203",
        f"`{builtin.qualified}`: {problem}",
        node.span,
        label="rejected at run time",
        help=_literal_help(problem),
    )


def _literal_help(problem: str) -> str:
    if "duration" in problem:
        return (
            'a duration is a number of seconds (≥ 0) or a string such as "30s", "5m", "1h30m", "7d"'
        )
    if "timestamp" in problem:
        return 'write an ISO-8601 timestamp: "2026-12-24" or "2026-12-24T18:00:00Z"'
    if "item" in problem:
        return "it would throw at once: give at least one promise"
    return "change the value"


def unknown_option(
    builtin: stdlib.Builtin, member: ast.Property, known: Mapping[str, Field]
) -> Diagnostic:
    """FLOW203: `Task.run("t", {}, {retry: 3})`."""
    names = ", ".join(f"`{name}`" for name in known)
    return diagnostic(
        "FLOW203",
        f"unknown option `{member.key}` for `{builtin.qualified}`",
        member.key_span,
        label="unknown option",
        help=_did_you_mean(member.key or "", known) or f"the options are {names}",
    )


def wrong_option_type(
    builtin: stdlib.Builtin, member: ast.Property, t: Type, expected: Type
) -> Diagnostic:
    return diagnostic(
        "FLOW203",
        f"option `{member.key}` of `{builtin.qualified}` must be `{display(expected)}`, "
        f"found `{display(t)}`",
        member.value.span,
        label=f"this is `{display(t)}`",
        help=f"give `{member.key}` a value of type `{display(expected)}`",
    )


def rejected_option(builtin: stdlib.Builtin, member: ast.Property, problem: str) -> Diagnostic:
    return diagnostic(
        "FLOW203",
        f"`{builtin.qualified}` option `{member.key}`: {problem}",
        member.value.span,
        label="rejected at run time",
        help=_literal_help(problem),
    )


# ----------------------------------------------------------------------------- contracts


def unknown_task(name: ast.StringLit, tasks: Mapping[str, object]) -> Diagnostic:
    """FLOW301: `Task.run("send_emial", …)` with a catalog."""
    return diagnostic(
        "FLOW301",
        f"unknown task `{name.value}`",
        name.span,
        label="not in the task catalog",
        help=_did_you_mean(name.value, tasks) or "check the name, or add the task to the catalog",
        fix=_name_literal_fix(name, tasks),
    )


def unknown_workflow(name: ast.StringLit, workflows: Mapping[str, object]) -> Diagnostic:
    """FLOW305: `Workflow.run("chrage", …)` with a workflow set."""
    return diagnostic(
        "FLOW305",
        f"unknown workflow `{name.value}`",
        name.span,
        label="not in the workflow set",
        help=_did_you_mean(name.value, workflows)
        or "check the name, or register the workflow with the others",
        fix=_name_literal_fix(name, workflows),
    )


def unknown_signal(name: ast.StringLit, signals: Mapping[str, object]) -> Diagnostic:
    """FLOW307: `Signal.next("aproval")` with `signals` declared."""
    return diagnostic(
        "FLOW307",
        f"signal `{name.value}` is not declared in the front matter `signals`",
        name.span,
        label="undeclared signal",
        help=_did_you_mean(name.value, signals)
        or f"declare it under `signals:` in the front matter (`{name.value}: <payload type>`)",
        fix=_name_literal_fix(name, signals),
    )


def missing_inputs(
    owner: str, missing: Sequence[Field], anchor: ast.Node, literal: bool
) -> Diagnostic:
    """FLOW302: required input fields the inputs do not give."""
    names = ", ".join(f"`{f.name}`" for f in missing)
    noun = "input" if len(missing) == 1 else "inputs"
    fields = ", ".join(f"{f.name}: {display(f.type)}" for f in missing)
    return diagnostic(
        "FLOW302",
        f"missing required {noun} {names} of {owner}",
        anchor.span,
        label=f"{names} missing here" if literal else f"no inputs given; {owner} requires {names}",
        help=f"add {fields}",
    )


def unknown_input(owner: str, member: ast.Property, fields: Sequence[str]) -> Diagnostic:
    """FLOW303: a key the closed input type of the task or child does not have."""
    listed = ", ".join(f"`{name}`" for name in fields) or "none"
    return diagnostic(
        "FLOW303",
        f"{owner} has no input `{member.key}`",
        member.key_span,
        label="unknown input",
        help=_did_you_mean(member.key or "", fields) or f"its inputs are {listed}",
        fix=key_fix(
            member.key_span,
            closest(member.key or "", fields),
            shorthand_of=member.key if member.shorthand else None,
        ),
    )


def wrong_input_type(owner: str, member: ast.Property, t: Type, expected: Type) -> Diagnostic:
    """FLOW304: `Task.run("charge", { amount: "5" })`."""
    return diagnostic(
        "FLOW304",
        f"input `{member.key}` of {owner} must be `{display(expected)}`, found `{display(t)}`",
        member.value.span,
        label=f"this is `{display(t)}`",
        help="values are never converted on the way: pass a value of the declared type",
    )


def inputs_mismatch(owner: str, node: ast.Expr, t: Type, expected: Type) -> Diagnostic:
    """FLOW304 for inputs that are not an object literal: the whole value does not fit."""
    return diagnostic(
        "FLOW304",
        f"inputs of type `{display(t)}` do not match the inputs of {owner}, `{display(expected)}`",
        node.span,
        label=f"this is `{display(t)}`",
        labels=(),
        help="build the inputs as an object literal to see which field is wrong",
    )
