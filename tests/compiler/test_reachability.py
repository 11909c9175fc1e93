"""Reachability (LANGUAGE.md §11.6 rule 4, FLOW401) and `completes_normally`."""

from __future__ import annotations

import pytest

from flowlang.compiler import ast
from flowlang.compiler.diagnostics import Diagnostic, Severity
from flowlang.compiler.parser import parse
from flowlang.compiler.reachability import (
    Completion,
    CompletionTable,
    check_reachability,
    completes_normally,
)


def program(text: str) -> ast.Program:
    parsed = parse(text)
    syntax_errors = [d for d in parsed.diagnostics if d.is_error]
    assert not syntax_errors, syntax_errors
    return parsed.program


def first_statement(text: str) -> ast.Stmt:
    return program(text).body[0]


def warnings(text: str) -> list[Diagnostic]:
    return check_reachability(program(text))


def unreachable_texts(text: str) -> list[str]:
    return [text[d.span.start : d.span.end] for d in warnings(text)]


# ----------------------------------------------------------------------------- completes_normally


@pytest.mark.parametrize(
    "text",
    [
        "return 1",
        "return",
        'throw Error("x")',
        "{ let a = 1; return a }",
        "if (Inputs.a) return 1; else throw Error('no')",
        "if (Inputs.a) { return 1 } else if (Inputs.b) { return 2 } else { throw 3 }",
        "while (true) { Inputs.x }",
        "while (true) { while (Inputs.a) { break } }",
        "while (true) { for (const x of Inputs.xs) { break } }",
        "while (true) { return; break }",
        "try { return 1 } catch { return 2 }",
        "try { throw 1 } catch (e) { throw e }",
        "try { Inputs.x } finally { return 1 }",
        "try { return 1 } finally { Inputs.x }",
        "while (true) { try { break } finally { return 2 } }",
        "while (true) { if (Inputs.a) { continue } }",
    ],
)
def test_statements_that_never_complete_normally(text: str) -> None:
    assert not completes_normally(first_statement(text))


@pytest.mark.parametrize(
    "text",
    [
        "let a = 1",
        "if (Inputs.a) return 1",
        "if (true) return 1",  # no evaluation (§11.6 rule 4)
        "if (Inputs.a) return 1; else Inputs.b",
        "while (Inputs.a) { return 1 }",
        "while (1) { return 1 }",
        "while (true) { if (Inputs.a) break }",
        "while (true) { try { return 1 } finally { break } }",
        "while (true) { try { Inputs.x } catch { break } }",
        "for (const x of Inputs.xs) { return x }",
        "try { return 1 } catch { Inputs.x }",
        "try { throw 1 } catch { }",
        "{ }",
        ";",
    ],
)
def test_statements_that_may_complete_normally(text: str) -> None:
    assert completes_normally(first_statement(text))


def test_a_break_in_a_nested_loop_does_not_end_the_outer_endless_loop() -> None:
    loop = first_statement("while (true) { while (Inputs.a) { break } }")
    table = CompletionTable()
    assert table.completions(loop) == frozenset()
    assert isinstance(loop, ast.While)
    assert table.completions(loop.body) == frozenset({Completion.NORMAL})


def test_jumps_propagate_to_the_enclosing_loop() -> None:
    statement = first_statement("if (Inputs.a) { break } else { continue }")
    assert CompletionTable().completions(statement) == {Completion.BREAK, Completion.CONTINUE}


def test_a_loop_passes_returns_and_throws_outwards() -> None:
    loop = first_statement("while (Inputs.a) { if (Inputs.b) return 1; throw 2 }")
    expected = {Completion.NORMAL, Completion.RETURN, Completion.THROW}
    assert CompletionTable().completions(loop) == expected


def test_sequence_completes_normally_checks_every_statement() -> None:
    table = CompletionTable()
    assert table.sequence_completes_normally(program("let a = 1\na = 2").body)
    assert not table.sequence_completes_normally(program("let a = 1\nreturn a").body)
    assert table.sequence_completes_normally(())


# ----------------------------------------------------------------------------- FLOW401


def test_a_statement_after_return_is_unreachable() -> None:
    text = 'return { status: "paid" }\nInputs.x\n'
    [found] = warnings(text)
    assert found.code == "FLOW401"
    assert found.severity is Severity.WARNING
    assert found.message == "unreachable code"
    assert text[found.span.start : found.span.end] == "Inputs.x"
    assert found.label == "this statement never runs"
    [cause] = found.labels
    assert text[cause.span.start : cause.span.end] == "return"
    assert cause.message == "any code after this `return` is unreachable"
    assert found.help == "remove the unreachable code, or move it before the `return`"


def test_one_warning_per_run_labelled_on_its_first_statement() -> None:
    text = "return 1\nlet a = 2\nlet b = 3\n"
    assert unreachable_texts(text) == ["let a = 2"]


def test_code_inside_an_unreachable_run_is_not_reported_again() -> None:
    text = "return 1\nif (Inputs.a) { return 2; Inputs.b }\n"
    assert unreachable_texts(text) == ["if (Inputs.a) { return 2; Inputs.b }"]


@pytest.mark.parametrize(
    ("text", "keyword", "reason"),
    [
        ("while (Inputs.a) { break; Inputs.b }", "break", "this `break`"),
        ("while (Inputs.a) { continue; Inputs.b }", "continue", "this `continue`"),
        ("throw 1; Inputs.b", "throw", "this `throw`"),
        ("if (Inputs.a) return 1; else return 2; Inputs.b", "if", "every branch"),
        ("while (true) { Inputs.a }\nInputs.b", "while", "never ends"),
        ("try { return 1 } catch { return 2 }\nInputs.b", "try", "its `catch` block"),
        ("try { return 1 } finally { }\nInputs.b", "try", "the block of this `try`"),
        ("try { } finally { return 1 }\nInputs.b", "try", "`finally` block"),
        ("{ return 1 }\nInputs.b", "{", "this block"),
    ],
)
def test_each_kind_of_exit_is_explained(text: str, keyword: str, reason: str) -> None:
    [found] = warnings(text)
    assert text[found.span.start : found.span.end] == "Inputs.b"
    [cause] = found.labels
    assert text[cause.span.start : cause.span.end] == keyword
    assert reason in cause.message


def test_unreachable_code_in_nested_blocks_and_branches_is_found() -> None:
    text = """
if (Inputs.a) { return 1; Inputs.b }
else { for (const x of Inputs.xs) { continue; Inputs.c } }
try { Inputs.d } catch { throw Error("x"); Inputs.e } finally { Inputs.f }
"""
    assert unreachable_texts(text) == ["Inputs.b", "Inputs.c", "Inputs.e"]


@pytest.mark.parametrize(
    "text",
    [
        "if (true) return 1\nInputs.b",
        "while (true) { if (Inputs.a) break }\nInputs.b",
        "try { return 1 } catch { Inputs.a }\nInputs.b",
        "return 1\n;\n",
        "for (const x of Inputs.xs) { return x }\nInputs.b",
        "async function main() { Inputs.a\nreturn 1 }",
    ],
)
def test_reachable_code_is_not_reported(text: str) -> None:
    assert warnings(text) == []


def test_the_wrapper_body_is_checked() -> None:
    assert unreachable_texts("async function main() { return 1\nInputs.b }") == ["Inputs.b"]


def test_deeply_nested_statements_do_not_exhaust_the_stack() -> None:
    depth = 5000
    text = "if (Inputs.a) " * depth + "{ return 1 } else { return 2 }\nInputs.b"
    root = first_statement(text)
    assert completes_normally(root)  # only the innermost `if` has an `else`
    blocks = "{ " * depth + "return 1" + " }" * depth + "\nInputs.b"
    assert not completes_normally(first_statement(blocks))
    assert unreachable_texts(blocks) == ["Inputs.b"]


def test_a_shared_table_answers_nested_questions_in_linear_time() -> None:
    depth = 3000
    text = "if (Inputs.a) return 1; else " * depth + "return 2"
    table = CompletionTable()
    statement: ast.Stmt | None = first_statement(text)
    while isinstance(statement, ast.If):
        assert not table.completes_normally(statement)
        statement = statement.alternate


def test_statements_beside_the_wrapper_are_not_unreachable() -> None:
    # They are FLOW013; the `return` of `main` does not reach them (one report per cause).
    parsed = parse("async function main() {\n  return 1\n}\nlet after = 2\n")
    assert [d.code for d in parsed.diagnostics] == ["FLOW013"]
    assert check_reachability(parsed.program) == []


def test_code_after_a_return_inside_the_wrapper_is_unreachable() -> None:
    text = "async function main() {\n  return 1\n  let after = 2\n}\n"
    assert unreachable_texts(text) == ["let after = 2"]
