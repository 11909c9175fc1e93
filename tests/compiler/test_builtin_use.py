"""Builtin use (LANGUAGE.md §6.5, §9; FLOW108, FLOW109, FLOW207, FLOW405)."""

from __future__ import annotations

import pytest

from flowlang.compiler import stdlib
from flowlang.compiler.builtin_use import (
    DISCARD_WARNED,
    check_builtin_use,
    member_kinds,
    method_names,
)
from flowlang.compiler.diagnostics import Diagnostic, Severity
from flowlang.compiler.parser import parse
from flowlang.compiler.resolve import resolve


def check(text: str) -> list[Diagnostic]:
    parsed = parse(text)
    syntax_errors = [d for d in parsed.diagnostics if d.is_error]
    assert not syntax_errors, syntax_errors
    return check_builtin_use(parsed.program, resolve(parsed.program))


def codes(text: str) -> list[str]:
    return [d.code for d in check(text)]


def only(text: str, code: str) -> Diagnostic:
    found = check(text)
    assert [d.code for d in found] == [code], found
    return found[0]


def covered(text: str, diagnostic: Diagnostic) -> str:
    return text[diagnostic.span.start : diagnostic.span.end]


# ----------------------------------------------------------------------------- the table


def test_the_names_come_from_the_stdlib_table() -> None:
    assert "push" in method_names() and "trim" in method_names()
    assert "length" not in method_names()  # a property, not a method
    assert member_kinds("length") == ("array", "string")
    assert member_kinds("forEach") == ()


def test_the_discard_warned_builtins_exist_in_the_table() -> None:
    for qualified in DISCARD_WARNED:
        namespace, name = qualified.split(".")
        assert stdlib.lookup_member(namespace, name) is not None


# ----------------------------------------------------------------------------- valid uses


@pytest.mark.parametrize(
    "text",
    [
        "let x = Math.floor(Inputs.a)",
        "let t = await Task.run('t', {})",
        "let s = String(1) + Number('2') + Boolean(0)",
        "throw Error('x')",
        "let id = Context.executionId",
        "let c = Context",
        "let i = Inputs",
        "let k = typeof Inputs",
        "let n = Inputs.anything.deeper",
        "let items = [1]\nitems.push(2)\nlet n = items.length",
        "let s = ' x '.trim().toUpperCase()",
        "let n = 'abc'.length + [1].length",
        "let t = Inputs.name?.trim()",
        "let h = await Timer.delay(1)",
        "let p = Signal.next('go')\nlet r = await Promise.race([p])",
        "Task.run('audit', {})",
        "let o = { a: 1 }\no.a = 2\nlet b = o.a",
        "let d = Date.now()\nlet j = JSON.stringify({ d })",
        "let e = Object.entries({ a: 1 })\nlet ok = Array.isArray(e)",
    ],
)
def test_valid_builtin_uses_are_silent(text: str) -> None:
    assert check(text) == []


# ----------------------------------------------------------------------------- FLOW108


@pytest.mark.parametrize(
    ("text", "message", "help_text"),
    [
        ("let m = Math.maxx(1)", "`Math` has no member `maxx`", "did you mean `max`?"),
        (
            "let r = await Promise.allSetled([])",
            "`Promise` has no member `allSetled`",
            "did you mean `allSettled`?",
        ),
        (
            "let id = Context.id",
            "`Context` has no field `id`",
            "the fields of `Context` are `executionId`, `workflowName`, `parentExecutionId`, "
            "`startedAt`",
        ),
        (
            "let n = Number.isInteger(1)",
            "`Number` has no member `isInteger`",
            "`Number` is a function: call it as `Number(…)`",
        ),
        ("let r = Math.random()", "`Math` has no member `random`", None),
    ],
)
def test_unknown_builtin_members(text: str, message: str, help_text: str | None) -> None:
    found = only(text, "FLOW108")
    assert found.severity is Severity.ERROR
    assert found.message == message
    if help_text is not None:
        assert found.help == help_text
    assert covered(text, found) == text.split(".")[-1].split("(")[0]


def test_a_misspelt_member_comes_with_a_fix() -> None:
    found = only("let m = Math.maxx(1)", "FLOW108")
    assert found.fix is not None and found.fix.replacement == "max"


def test_unknown_inputs_fields_are_not_reported_here() -> None:
    assert check("let x = Inputs.emial") == []  # FLOW306 is the type checker's


# ----------------------------------------------------------------------------- FLOW109


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("let f = Math.floor", "Math.floor"),
        ("return Task", "Task"),
        ("let k = typeof Promise", "Promise"),
        ("let s = String", "String"),
        ("let t = ' x '.trim", "trim"),
        ("let p = [1].push", "push"),
        ("let n = Math.floor.length", "Math.floor"),
        ("let xs = [Math]", "Math"),
        ("let f = Math['floor']", "Math"),
    ],
)
def test_builtins_used_as_values(text: str, shown: str) -> None:
    found = only(text, "FLOW109")
    assert covered(text, found) == shown


def test_a_builtin_used_as_a_value_is_told_to_be_called() -> None:
    found = only("let round = Math.floor", "FLOW109")
    assert found.message == "builtin function `Math.floor` used as a value"
    assert found.help == "call it where you need its result: `Math.floor(…)`"
    namespace = only("return Task", "FLOW109")
    assert namespace.message == "builtin namespace `Task` used as a value"
    assert namespace.help is not None and "`Task.run(…)`" in namespace.help


def test_a_method_read_from_a_variable_is_left_to_the_type_checker() -> None:
    assert check("let s = 'x'\nlet t = s.trim") == []


def test_a_literal_lacking_the_member_is_left_to_the_type_checker() -> None:
    assert check("let m = [1].map") == []  # FLOW204


# ----------------------------------------------------------------------------- FLOW207


@pytest.mark.parametrize(
    ("text", "shown", "message"),
    [
        ("let x = 1\nlet y = x()", "x", "cannot call `x`: only builtins can be called"),
        (
            "let o = { f: 1 }\nlet y = o.f()",
            "f",
            "cannot call `o.f`: `f` is not a builtin method",
        ),
        (
            "let n = [1].length()",
            "length",
            "cannot call `.length`: it is a property, not a method",
        ),
        (
            "let a = [1]\na['push'](1)",
            "a['push']",
            "cannot call a computed member: methods are called by name",
        ),
        ("let y = Math(1)", "Math", "cannot call `Math`: it is a namespace, not a function"),
        ("let y = Inputs()", "Inputs", "cannot call `Inputs`: it is a value, not a function"),
        (
            "let id = Context.executionId()",
            "executionId",
            "cannot call `Context.executionId`: it is a property, not a method",
        ),
        ("let y = Inputs.x.f()", "f", "cannot call `Inputs.x.f`: `f` is not a builtin method"),
        (
            "let y = String(1)(2)",
            "String(1)",
            "cannot call the result of a call: only builtins can be called",
        ),
    ],
)
def test_calls_of_things_that_are_not_builtins(text: str, shown: str, message: str) -> None:
    found = only(text, "FLOW207")
    assert covered(text, found) == shown
    assert found.message == message


def test_a_misspelt_method_gets_a_suggestion() -> None:
    found = only("let items = [1]\nitems.psuh(2)", "FLOW207")
    assert found.help == "did you mean `push`?"
    assert found.fix is not None and found.fix.replacement == "push"


def test_javascript_callback_methods_point_to_for_of() -> None:
    found = only("let items = [1]\nlet y = items.filter(Inputs.f)", "FLOW207")
    assert found.help is not None and "`for…of`" in found.help


def test_calling_a_property_offers_to_drop_the_parentheses() -> None:
    text = "let n = [1].length()"
    found = only(text, "FLOW207")
    assert found.fix is not None
    assert covered(text, found.fix) == "()" and found.fix.replacement == ""


@pytest.mark.parametrize(
    "text",
    [
        "let s = 'abc'.toUppercase()",  # FLOW204: the literal's type is certain
        "let s = 'x'.push(1)",  # FLOW204: `push` is an array method
        "let n = 5\nlet s = n.trim()",  # FLOW204: `trim` is a string method
        "let y = missing()",  # FLOW101 from name resolution
        "let y = console.log(1)",  # FLOW101 from name resolution
    ],
)
def test_calls_judged_elsewhere_are_not_reported_here(text: str) -> None:
    assert codes(text) == []


def test_a_misused_receiver_is_reported_once() -> None:
    assert codes("let y = Math.floor.call(1)") == ["FLOW109"]
    assert codes("let y = Number.isInteger.call(1)") == ["FLOW108"]
    assert codes("let y = Math['floor'](1)") == ["FLOW207"]
    assert codes("let y = Context.id()") == ["FLOW108"]


def test_recovered_exponent_is_not_mistaken_for_a_variable_call() -> None:
    parsed = parse("let base = 2\nlet square = base ** 2\nreturn square")
    assert check_builtin_use(parsed.program, resolve(parsed.program)) == []


# ----------------------------------------------------------------------------- FLOW405


@pytest.mark.parametrize(
    ("text", "qualified"),
    [
        ('Timer.delay("1h")', "Timer.delay"),
        ('Timer.until("2026-12-24T18:00:00Z")', "Timer.until"),
        ('Signal.next("approval")', "Signal.next"),
    ],
)
def test_discarded_timers_and_signals_warn(text: str, qualified: str) -> None:
    found = only(text, "FLOW405")
    assert found.severity is Severity.WARNING
    assert found.message == f"the promise of `{qualified}` is discarded"
    assert covered(text, found) == text
    assert found.fix is not None and found.fix.replacement == "await "


@pytest.mark.parametrize(
    "text",
    [
        'await Timer.delay("1h")',
        'let s = Signal.next("approval")\nlet v = await s',
        'Task.run("audit", {})',
        "let t = [Timer.delay(1)]\nlet r = await Promise.all(t)",
    ],
)
def test_kept_or_awaited_promises_do_not_warn(text: str) -> None:
    assert check(text) == []


# ----------------------------------------------------------------------------- robustness


def test_deep_expressions_do_not_exhaust_the_stack() -> None:
    depth = 3000
    text = "let y = " + "[" * depth + "Math.floor" + "]" * depth
    assert codes(text) == ["FLOW109"]
    calls = "let x = 1\nlet y = " + "x" + "()" * depth
    assert codes(calls) == ["FLOW207"] * depth
    nested = "if (Inputs.a) " * depth + "Timer.delay(1)"
    assert codes(nested) == ["FLOW405"]
