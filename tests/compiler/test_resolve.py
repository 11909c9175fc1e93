"""Name resolution (LANGUAGE.md §5.3, §11.8 FLOW101–FLOW107, FLOW402)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flowlang.compiler import ast
from flowlang.compiler.diagnostics import Diagnostic, Severity
from flowlang.compiler.parser import parse
from flowlang.compiler.resolve import (
    BUILTIN_GLOBALS,
    Access,
    BindingKind,
    Resolution,
    resolve,
)
from flowlang.compiler.source import Span


def resolve_source(text: str) -> Resolution:
    parsed = parse(text)
    syntax_errors = [d for d in parsed.diagnostics if d.is_error]
    assert not syntax_errors, syntax_errors
    return resolve(parsed.program)


def codes(text: str) -> list[str]:
    return [d.code for d in resolve_source(text).diagnostics]


def errors(text: str) -> list[str]:
    return [d.code for d in resolve_source(text).diagnostics if d.is_error]


def only(text: str, code: str) -> Diagnostic:
    found = [d for d in resolve_source(text).diagnostics if d.code == code]
    assert len(found) == 1, resolve_source(text).diagnostics
    return found[0]


def covered(text: str, span: Span) -> str:
    return text[span.start : span.end]


def nth(text: str, word: str, n: int = 1) -> int:
    """The offset of the `n`-th occurrence of `word` in `text`."""
    offset = -1
    for _ in range(n):
        offset = text.index(word, offset + 1)
    return offset


# ----------------------------------------------------------------------------- valid programs


def test_the_overview_program_resolves_cleanly() -> None:
    text = """
const { orderId, amount } = Inputs
let check = await Task.run("validate-order", { orderId, amount })
if (!check.valid) return { status: "rejected", reason: check.reason }
let decision = await Promise.race([Signal.next("approval"), Timer.delay("24h")])
if (decision?.approved != true) return { status: "timed-out-or-declined" }
try {
  let charge = await Task.run("charge-card", { orderId, amount }, { retries: 3 })
  return { status: "paid", chargeId: charge.id }
} catch (err) {
  await Task.run("notify-ops", { orderId, problem: `${err.type}: ${err.message}` })
  throw err
}
"""
    assert codes(text) == []


@pytest.mark.parametrize("builtin", sorted(BUILTIN_GLOBALS))
def test_every_builtin_global_can_be_read(builtin: str) -> None:
    resolution = resolve_source(f"return [{builtin}]")
    assert resolution.diagnostics == ()
    assert resolution.references == {}


def test_an_empty_program_has_one_scope_and_nothing_else() -> None:
    resolution = resolve_source("")
    assert resolution.diagnostics == ()
    assert resolution.bindings == ()
    assert len(resolution.scopes) == 1


# ----------------------------------------------------------------------------- FLOW101


def test_an_undefined_name_suggests_a_similar_variable() -> None:
    text = "let total = 1\nlet x = totl + 1\nreturn x"
    d = only(text, "FLOW101")
    assert d.severity is Severity.ERROR
    assert d.message == "undefined name `totl`"
    assert covered(text, d.span) == "totl"
    assert d.label == "not declared in this scope"
    assert d.help == "a variable with a similar name exists: `total`"


def test_an_undefined_name_suggests_a_similar_builtin() -> None:
    d = only("return Inptus.x", "FLOW101")
    assert d.help == "a builtin global with a similar name exists: `Inputs`"


def test_an_undefined_name_without_similar_names_has_no_help() -> None:
    assert only("let total = 1\nreturn zzz + total", "FLOW101").help is None


def test_suggestions_only_come_from_names_in_scope() -> None:
    d = only("{ let total = 1; total }\nreturn totl", "FLOW101")
    assert d.help is None


def test_a_name_from_a_block_that_has_ended_is_pointed_out() -> None:
    text = "if (Inputs.ok) { let status = 1; status }\nreturn status"
    d = only(text, "FLOW101")
    assert d.span.start == nth(text, "status", 3)
    [label] = d.labels
    assert label.span.start == nth(text, "status")
    assert "block that has ended" in label.message
    assert d.notes


@pytest.mark.parametrize(
    ("name", "advice"),
    [
        ("undefined", "use `null`"),
        ("NaN", "always finite"),
        ("Infinity", "always finite"),
        ("console", "call a task that logs it"),
        ("setTimeout", "`await Timer.delay(...)`"),
        ("window", "no host objects"),
        ("document", "no host objects"),
        ("process", "no host objects"),
        ("require", "no host objects"),
        ("parseInt", "`Number(x)`"),
        ("parseFloat", "`Math.trunc(x)`"),
    ],
)
def test_javascript_globals_get_help_naming_the_flow_way(name: str, advice: str) -> None:
    d = only(f"return [{name}]", "FLOW101")
    assert d.message == f"undefined name `{name}`"
    assert d.label == "not available in .flow"
    assert d.help is not None and advice in d.help


def test_date_is_a_builtin_not_a_javascript_leftover() -> None:
    assert codes("return Date.now()") == []


def test_typeof_an_undeclared_name_is_undefined() -> None:
    assert codes('return typeof foo == "string"') == ["FLOW101"]


@pytest.mark.parametrize(
    "expression",
    [
        "zzz.a",
        "zzz?.a.b",
        "[1][zzz]",
        "zzz[0]",
        "String(zzz)",
        "Math.max(1, ...zzz)",
        "`a${zzz}b`",
        "[...zzz]",
        "{ ...zzz }",
        "{ [zzz]: 1 }",
        "{ k: zzz }",
        "{ zzz }",
        "zzz ? 1 : 2",
        "1 ? zzz : 2",
        "1 ? 2 : zzz",
        "zzz && 1",
        "1 ?? zzz",
        "-zzz",
        "!zzz",
        "await zzz",
        "1 + zzz",
        "zzz.push(1)",
    ],
)
def test_every_name_in_an_expression_is_a_read(expression: str) -> None:
    text = f"return {expression}"
    d = only(text, "FLOW101")
    assert covered(text, d.span) == "zzz"


@pytest.mark.parametrize(
    "statement",
    [
        "let { a = zzz } = Inputs; return a",
        "let [a = zzz] = []; return a",
        "for (const x of zzz) { x }",
        "while (zzz) { break }",
        "if (zzz) { }",
        "throw zzz",
        "zzz.a = 1",
        "zzz.a[0] += 1",
        "zzz[0]++",
        "zzz.push(1)",
        "let q = {}; q[zzz] = 1; return q",
        "let q = 1; q = zzz; return q",
    ],
)
def test_reads_in_statements_include_bases_of_paths_and_defaults(statement: str) -> None:
    d = only(statement, "FLOW101")
    assert covered(statement, d.span) == "zzz"


# ----------------------------------------------------------------------------- FLOW102


def test_assigning_an_undeclared_name_offers_to_declare_it() -> None:
    text = "total = 0\nreturn 1"
    d = only(text, "FLOW102")
    assert d.message == "assignment to undeclared name `total`"
    assert covered(text, d.span) == "total"
    assert d.help == "declare it with `let`: `let total = …`"
    assert d.fix is not None
    assert d.fix.span == Span(0, 0)
    assert d.fix.replacement == "let "
    fixed = d.fix.replacement + text
    assert codes(fixed) == ["FLOW402"]


def test_the_let_fix_is_inserted_where_the_statement_starts() -> None:
    text = "let a = 1\n{ total = a }"
    d = only(text, "FLOW102")
    assert d.fix is not None
    assert d.fix.span.start == text.index("total")


@pytest.mark.parametrize(
    "statement",
    ["total += 1", "total++", "--total", "if (Inputs.x) total = 1", "while (Inputs.x) total = 1"],
)
def test_an_undeclared_write_that_let_alone_cannot_fix_has_no_fix(statement: str) -> None:
    d = only(statement, "FLOW102")
    assert d.fix is None
    assert d.help == "declare it first with `let total = …`"


def test_an_undeclared_write_notes_a_similar_variable() -> None:
    d = only("let total = 0\ntotl = 1\nreturn total", "FLOW102")
    assert d.notes == ("a variable with a similar name exists: `total`",)


# ----------------------------------------------------------------------------- FLOW103


@pytest.mark.parametrize("write", ["k = 2", "k += 1", "k -= 1", "k++", "++k", "k--", "--k"])
def test_writing_a_constant_is_an_error(write: str) -> None:
    text = f"const k = 1;\n{write}\nreturn k"  # `;`: a line starting with `++` continues (§2.2)
    d = only(text, "FLOW103")
    assert d.message == "cannot assign to `k`: it is a constant"
    assert d.span.start == nth(text, "k", 2)
    [label] = d.labels
    assert label.span == Span(6, 7)
    assert label.message == "declared as a constant here"
    assert d.help == "declare it with `let` instead of `const` if it must change"


def test_a_for_const_loop_variable_is_a_constant() -> None:
    d = only("for (const x of [1]) { x = 2 }", "FLOW103")
    assert d.help == "declare the loop variable with `for (let …)` if it must change"


def test_a_destructured_constant_is_a_constant() -> None:
    assert errors("const { a, b: [c] } = Inputs\nc = 1\nreturn a") == ["FLOW103"]


@pytest.mark.parametrize(
    "program",
    [
        "const o = {}\no.x = 1\nreturn o",
        "const o = { a: [1] }\no.a[0] += 1\nreturn o",
        "const xs = []\nxs.push(1)\nxs.reverse()\nreturn xs.pop()",
        "let n = 1\nn = 2\nreturn n",
        "for (let x of [1]) { x = 2; x }",
        "try { } catch (e) { e = 1 }",
    ],
)
def test_mutating_inside_a_constant_and_writing_variables_is_allowed(program: str) -> None:
    assert errors(program) == []


# ----------------------------------------------------------------------------- FLOW104


def test_declaring_a_name_twice_in_one_scope_points_at_both() -> None:
    text = "let a = 1\nlet a = 2\nreturn a"
    d = only(text, "FLOW104")
    assert d.message == "`a` is declared twice in the same scope"
    assert d.span.start == nth(text, "a", 2)
    [label] = d.labels
    assert label.span.start == nth(text, "a")
    assert label.message == "first declared here"


@pytest.mark.parametrize(
    "program",
    [
        "let a = 1, a = 2",
        "const { a, b: a } = Inputs",
        "let [a, ...a] = []",
        "let { x: [a], a } = Inputs",
        "try { } catch (e) { let e = 1 }",
        "try { } catch ({ e, e }) { }",
        "for (const [k, k] of []) { }",
        "{ let a = 1; const a = 2 }",
    ],
)
def test_every_kind_of_double_declaration_is_flow104(program: str) -> None:
    assert "FLOW104" in codes(program)


@pytest.mark.parametrize(
    "program",
    [
        "let x = 1\n{ let x = 2; x }\nreturn x",
        "let e = 1\ntry { } catch (e) { }\nreturn e",
        "for (const x of []) { let x = 1; x }",
        "let x = 1\nfor (const x of []) { x }\nreturn x",
        "if (Inputs.a) { let y = 1; y } else { let y = 2; y }",
    ],
)
def test_shadowing_in_a_nested_scope_is_allowed(program: str) -> None:
    assert errors(program) == []


# ----------------------------------------------------------------------------- FLOW105


@pytest.mark.parametrize(
    ("program", "culprit"),
    [
        ("Inputs = {}", "Inputs"),
        ("Inputs += 1", "Inputs"),
        ("Math++", "Math"),
        ("let Math = 1", "Math"),
        ("const { a: { JSON } } = Inputs", "JSON"),
        ("{ let Date = 1 }", "Date"),
        ("Inputs.x = 1", "Inputs"),
        ('Inputs["x"].y -= 1', "Inputs"),
        ("Inputs.items.push(1)", "Inputs"),
        ("Inputs.items[0].pop()", "Inputs"),
        ("Context.reverse()", "Context"),
        ("for (const Task of []) { }", "Task"),
        ("try { } catch (JSON) { }", "JSON"),
    ],
)
def test_builtin_globals_cannot_be_assigned_declared_shadowed_or_mutated(
    program: str, culprit: str
) -> None:
    d = only(program, "FLOW105")
    assert covered(program, d.span) == culprit
    assert codes(program) == ["FLOW105"]


def test_builtin_messages_say_what_was_attempted_and_how_to_copy() -> None:
    assert (
        only("Inputs = {}", "FLOW105").message
        == "cannot assign to `Inputs`: it is a builtin global"
    )
    declared = only("let JSON = 1", "FLOW105")
    assert declared.message == "cannot declare `JSON`: it is a builtin global"
    assert declared.help == "choose another name, such as `json`"
    mutated = only("Inputs.items.push(1)", "FLOW105")
    assert mutated.message == "cannot modify `Inputs`: it is a builtin global"
    assert mutated.help == "copy it into a variable and change the copy: `let inputs = Inputs`"


@pytest.mark.parametrize(
    "program",
    [
        "return Inputs.items.slice().concat([1])",
        "let inputs = Inputs\ninputs.items.push(1)\nreturn inputs",
        "return Task.run('t').push",
        "return [Inputs.x, Context.executionId]",
    ],
)
def test_reading_and_copying_builtins_is_allowed(program: str) -> None:
    assert errors(program) == []


# ----------------------------------------------------------------------------- FLOW106


@pytest.mark.parametrize(
    ("program", "help_fragment"),
    [
        ("let a = b\nlet b = 1\nreturn a", "move the declaration of `b` above this use"),
        ("let x = x + 1\nreturn x", "cannot be used in its own declaration"),
        ("let x = 1\n{ let y = x; let x = 2; return y + x }", "hides the outer `x`"),
    ],
)
def test_using_a_name_before_its_declaration_is_flow106(program: str, help_fragment: str) -> None:
    d = only(program, "FLOW106")
    assert d.message.endswith("is used before its declaration")
    assert d.label == "used here before it is declared"
    assert d.help is not None and help_fragment in d.help
    assert d.labels[0].message == "declared here"


def test_a_hidden_outer_declaration_is_labelled() -> None:
    text = "let x = 1\n{ let y = x; let x = 2; return y + x }"
    d = only(text, "FLOW106")
    assert [label.span.start for label in d.labels] == [nth(text, "x", 3), nth(text, "x")]


def test_the_use_in_the_dead_zone_still_refers_to_the_later_declaration() -> None:
    text = "let x = 1\n{ let y = x; let x = 2; return y + x }\nx"
    resolution = resolve_source(text)
    inner = resolution.references[nth(text, "x", 2)]
    assert inner.span.start == nth(text, "x", 3)


def test_assigning_before_the_declaration_is_flow106() -> None:
    d = only("x = 1\nlet x = 2\nreturn x", "FLOW106")
    assert d.label == "assigned here before it is declared"


@pytest.mark.parametrize(
    "program",
    [
        "let { a, b = a } = Inputs\nreturn b",
        "let [a, b = a] = []\nreturn b",
        "let { a: { b }, c = b } = Inputs\nreturn c",
        "let a = 1, b = [a]\nreturn b",
        "for (const [k, v = k] of []) { v }",
        "try { } catch ({ a, b = a }) { b }",
    ],
)
def test_a_default_may_use_names_bound_earlier_in_the_same_pattern(program: str) -> None:
    assert errors(program) == []


@pytest.mark.parametrize(
    "program",
    [
        "let { a = b, b } = Inputs\nreturn a",
        "let [a = b, b] = []\nreturn a",
        "let a = [b], b = 1\nreturn a",
        "let xs = []\nfor (const xs of xs) { xs }",
        "while (true) { n; let n = 1; break }",
    ],
)
def test_a_name_bound_later_is_in_its_dead_zone(program: str) -> None:
    assert errors(program) == ["FLOW106"]


# ----------------------------------------------------------------------------- FLOW107


@pytest.mark.parametrize(
    ("program", "keyword"),
    [
        ("break", "break"),
        ("continue", "continue"),
        ("if (Inputs.a) { break }", "break"),
        ("{ continue }", "continue"),
        ("try { break } finally { }", "break"),
    ],
)
def test_break_and_continue_outside_a_loop_are_flow107(program: str, keyword: str) -> None:
    d = only(program, "FLOW107")
    assert d.message == f"`{keyword}` outside a loop"
    assert covered(program, d.span).startswith(keyword)


@pytest.mark.parametrize(
    "program",
    [
        "while (true) { break }",
        "while (Inputs.a) continue",
        "for (const x of []) { if (x) { continue } }",
        "for (const x in {}) { try { break } catch (e) { continue } finally { x } }",
        "while (true) { { { break } } }",
    ],
)
def test_break_and_continue_inside_a_loop_are_fine(program: str) -> None:
    assert errors(program) == []


# ----------------------------------------------------------------------------- FLOW402


def test_an_unused_variable_is_a_warning_at_its_declaration() -> None:
    text = "let tmp = 1"
    d = only(text, "FLOW402")
    assert d.severity is Severity.WARNING
    assert d.message == "unused variable `tmp`"
    assert covered(text, d.span) == "tmp"
    assert d.label == "declared here but never used"
    assert d.help == "remove it, or name it `_tmp` if it must stay"


@pytest.mark.parametrize(
    "program",
    [
        "let n = 0\nn = 1",
        "let n = 0\nn += 1",
        "let n = 0\nn++",
        "let { a, b } = Inputs\nreturn b",
        "let [a, b] = []\nreturn b",
    ],
)
def test_a_name_that_is_never_read_is_unused(program: str) -> None:
    assert codes(program) == ["FLOW402"]


def test_a_loop_variable_that_is_never_read_is_unused() -> None:
    d = only("let n = 0\nfor (const item of [1, 2]) { n += 1 }\nreturn n", "FLOW402")
    assert d.message == "unused variable `item`"
    assert d.help == "name it `_item` if it must stay"


@pytest.mark.parametrize(
    "program",
    [
        "let _tmp = 1",
        "for (const _ of [1]) { }",
        "try { } catch (err) { }",
        "try { } catch ({ type, message }) { }",
        "let q = {}\nq.a = 1",
        "let q = []\nq.push(1)",
        "let x = 1\n{ { return x } }",
        "let { a, ..._rest } = Inputs\nreturn a",
    ],
)
def test_exempt_and_read_names_are_not_unused(program: str) -> None:
    assert codes(program) == []


# ----------------------------------------------------------------------------- the resolution


def test_bindings_are_listed_in_source_order_with_their_kinds() -> None:
    text = """
let a = 1
{ const b = 2; b }
for (let c of []) { for (const d in {}) { c; d } }
try { } catch (e) { }
return a
"""
    resolution = resolve_source(text)
    assert [(b.name, b.kind) for b in resolution.bindings] == [
        ("a", BindingKind.LET),
        ("b", BindingKind.CONST),
        ("c", BindingKind.FOR_LET),
        ("d", BindingKind.FOR_CONST),
        ("e", BindingKind.CATCH),
    ]
    assert [b.is_const for b in resolution.bindings] == [False, True, False, True, False]


def test_references_map_each_name_to_the_nearest_declaration() -> None:
    text = "let x = 1\n{ let x = 2; x = x + 1; x }\nreturn x"
    resolution = resolve_source(text)
    outer, inner = resolution.bindings
    assert resolution.references[nth(text, "x", 3)] is inner  # the write
    assert resolution.references[nth(text, "x", 4)] is inner
    assert resolution.references[nth(text, "x", 5)] is inner
    assert resolution.references[nth(text, "x", 6)] is outer
    assert nth(text, "x") not in resolution.references  # declarations are not references


def test_uses_record_how_each_name_is_accessed() -> None:
    text = "let n = 0\nn = 1\nn += 1\nn++\nreturn n"
    resolution = resolve_source(text)
    [binding] = resolution.bindings
    assert [use.access for use in resolution.uses_of(binding)] == [
        Access.WRITE,
        Access.READ_WRITE,
        Access.READ_WRITE,
        Access.READ,
    ]


def test_builtins_and_object_keys_are_not_references() -> None:
    text = "let k = 1\nreturn { k, b: Math.max(k, 2) }.b"
    resolution = resolve_source(text)
    assert sorted(resolution.references) == [nth(text, "k", 2), nth(text, "k", 3)]


def test_a_for_body_is_a_scope_inside_the_head_scope() -> None:
    text = "for (const x of []) { let y = x; y }"
    resolution = resolve_source(text)
    program, head, body = resolution.scopes
    x, y = resolution.bindings
    assert head.parent == program.id and body.parent == head.id
    assert (x.scope, y.scope) == (head.id, body.id)
    assert (program.depth, head.depth, body.depth) == (0, 1, 2)


def test_a_catch_parameter_belongs_to_the_catch_block_scope() -> None:
    text = "try { } catch (e) { let f = e; f }"
    resolution = resolve_source(text)
    e, f = resolution.bindings
    assert e.scope == f.scope
    assert resolution.scopes[e.scope].span.start == text.index("{ let")


def test_diagnostics_come_in_source_order() -> None:
    resolution = resolve_source("let unused = 1\nreturn zzz + yyy")
    starts = [d.span.start for d in resolution.diagnostics]
    assert starts == sorted(starts)


# ----------------------------------------------------------------------------- robustness


def test_a_declaration_as_a_body_does_not_leak_into_the_enclosing_scope() -> None:
    """The parser reports `if (c) let y = 1` (FLOW015); the resolver must stay sane on it."""
    decl = ast.VarDecl(
        Span(10, 19),
        "let",
        (ast.Declarator(Span(14, 19), ast.BindingName(Span(14, 15), "y"), None),),
    )
    program = ast.Program(
        Span(0, 40),
        None,
        (
            ast.If(Span(0, 19), ast.BoolLit(Span(4, 8), True), decl, None),
            ast.Return(Span(20, 28), ast.Name(Span(27, 28), "y")),
        ),
    )
    assert [d.code for d in resolve(program).diagnostics] == ["FLOW402", "FLOW101"]


def test_an_invalid_assignment_target_is_only_read() -> None:
    """`f().x = 1` is FLOW009 in the parser; whatever target survives, it is walked as a read."""
    call = ast.Call(Span(0, 3), ast.Name(Span(0, 1), "f"), ())
    program = ast.Program(
        Span(0, 9),
        None,
        (ast.Assign(Span(0, 9), "=", call, ast.NumberLit(Span(8, 9), 1, "1")),),
    )
    assert [d.code for d in resolve(program).diagnostics] == ["FLOW101"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("let x = 1\nreturn " + " + ".join(["x"] * 3000), []),
        ("return " + "[" * 3000 + "]" * 3000, []),
        ("return " + "!" * 3000 + "Inputs", []),
        ("{" * 3000 + "}" * 3000, []),
        ("while (true) " * 3000 + "break", []),
        ("let " + "[" * 3000 + "a" + "]" * 3000 + " = [a]", ["FLOW106"]),
    ],
    ids=["long-sum", "nested-arrays", "nested-unary", "nested-blocks", "nested-loops", "pattern"],
)
def test_deeply_nested_trees_resolve_without_recursion(text: str, expected: list[str]) -> None:
    """The parser builds trees of any depth; the resolver walks them with explicit stacks."""
    resolution = resolve(parse(text).program)
    assert [d.code for d in resolution.diagnostics if d.is_error] == expected


_TOKENS = [
    "let", "const", "x", "y", "Inputs", "Math", "=", "+=", "++", "{", "}", "(", ")", "[", "]",
    ",", ";", ":", ".", "?.", "...", "for", "of", "in", "while", "if", "else", "try", "catch",
    "finally", "break", "continue", "return", "throw", "1", '"s"', "`t${x}`", "+", "?", "??",
    "await", "typeof", "push", "undefined", "\n",
]  # fmt: skip


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(_TOKENS), max_size=40))
def test_the_resolver_never_raises_on_anything_the_parser_builds(tokens: list[str]) -> None:
    program = parse(" ".join(tokens)).program
    resolution = resolve(program)
    assert all(d.code.startswith("FLOW") for d in resolution.diagnostics)
