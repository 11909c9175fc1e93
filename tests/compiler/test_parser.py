"""The parser: every construct, spans, values, parser-level rules and JavaScript habits."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from flowlang.compiler import ast
from flowlang.compiler.parser import parse
from flowlang.compiler.source import Span

LANGUAGE_EXAMPLES = Path(__file__).parent / "data" / "language_examples.md"


def body(text: str) -> tuple[ast.Stmt, ...]:
    result = parse(text)
    assert result.diagnostics == (), result.diagnostics
    return result.program.body


def statement(text: str) -> ast.Stmt:
    [only] = body(text)
    return only


def expression(text: str) -> ast.Expr:
    declaration = statement(f"let _ = {text}")
    assert isinstance(declaration, ast.VarDecl)
    init = declaration.declarators[0].init
    assert init is not None
    return init


def source_of(text: str, node: ast.Node) -> str:
    return text[node.span.start : node.span.end]


def found(text: str) -> list[tuple[str, str, str]]:
    """(code, message, spanned text) of each diagnostic."""
    return [(d.code, d.message, text[d.span.start : d.span.end]) for d in parse(text).diagnostics]


# ---------------------------------------------------------------------------- statements


def test_declarations_and_patterns() -> None:
    text = 'let { id, customer: { email }, tier = "standard", ...rest } = order'
    decl = statement(text)
    assert isinstance(decl, ast.VarDecl) and decl.kind == "let"
    pattern = decl.declarators[0].target
    assert isinstance(pattern, ast.ObjectPattern)
    assert [p.key for p in pattern.properties] == ["id", "customer", "tier"]
    assert isinstance(pattern.properties[1].target, ast.ObjectPattern)
    default = pattern.properties[2].default
    assert default is not None and source_of(text, default) == '"standard"'
    assert pattern.rest is not None and source_of(text, pattern.rest) == "rest"


def test_array_patterns_with_holes_and_rest() -> None:
    decl = statement("let [first, , third = 0, ...others] = items")
    assert isinstance(decl, ast.VarDecl)
    pattern = decl.declarators[0].target
    assert isinstance(pattern, ast.ArrayPattern)
    first, hole, third = pattern.elements
    assert hole is None and first is not None and third is not None
    assert third.default is not None
    assert pattern.rest is not None and pattern.rest.name == "others"


@pytest.mark.parametrize(("text", "count"), [("[]", 0), ("[a,]", 1), ("[,]", 1), ("[a, , b]", 3)])
def test_array_pattern_slots(text: str, count: int) -> None:
    decl = statement(f"let {text} = x")
    assert isinstance(decl, ast.VarDecl)
    target = decl.declarators[0].target
    assert isinstance(target, ast.ArrayPattern) and len(target.elements) == count


def test_several_declarators_and_semicolons() -> None:
    text = "let a = 1, b = [a];"
    decl = statement(text)
    assert isinstance(decl, ast.VarDecl) and len(decl.declarators) == 2
    assert source_of(text, decl) == text


def test_statements_need_no_separator() -> None:
    stmts = body("let x = 1 let y = 2 return x + y")
    assert [type(s) for s in stmts] == [ast.VarDecl, ast.VarDecl, ast.Return]


def test_expression_continues_on_the_next_line() -> None:
    decl = statement("let z = 1\n  + 2")
    assert isinstance(decl, ast.VarDecl)
    assert isinstance(decl.declarators[0].init, ast.Binary)


def test_a_parenthesis_on_the_next_line_continues_the_call() -> None:
    stmt = statement("foo(x)\n(bar)")
    assert isinstance(stmt, ast.ExprStmt) and isinstance(stmt.expression, ast.Call)
    assert isinstance(stmt.expression.callee, ast.Call)


def test_increment_at_line_start_attaches_to_the_previous_line() -> None:
    first, second = body("x\n++y")
    assert isinstance(first, ast.Update) and first.target == ast.Name(Span(0, 1), "x")
    assert isinstance(second, ast.ExprStmt) and second.expression == ast.Name(Span(4, 5), "y")


def test_prefix_and_postfix_updates() -> None:
    first, second = body("++a.b; c[0]--")
    assert isinstance(first, ast.Update) and first.prefix and first.operator == "++"
    assert isinstance(second, ast.Update) and not second.prefix and second.operator == "--"


def test_return_and_throw_are_not_ended_by_a_line_break() -> None:
    stmt = statement("return\nx")
    assert isinstance(stmt, ast.Return) and stmt.value == ast.Name(Span(7, 8), "x")


@pytest.mark.parametrize("text", ["return", "return;", "{ return }", "if (a) return\n}"])
def test_bare_return_before_brace_semicolon_or_end(text: str) -> None:
    result = parse(text if not text.endswith("}") or text.startswith("{") else "{" + text)
    assert result.diagnostics == ()


def test_if_else_binds_to_the_nearest_if() -> None:
    stmt = statement("if (a) if (b) c() else d()")
    assert isinstance(stmt, ast.If) and stmt.alternate is None
    assert isinstance(stmt.consequent, ast.If) and stmt.consequent.alternate is not None


def test_loops() -> None:
    while_, for_of, for_in = body(
        "while (i < 3) i += 1\nfor (const [k, v] of Object.entries(o)) {}\nfor (let k in o) {}"
    )
    assert isinstance(while_, ast.While) and isinstance(while_.body, ast.Assign)
    assert isinstance(for_of, ast.For) and for_of.kind == "const" and for_of.iteration == "of"
    assert isinstance(for_of.target, ast.ArrayPattern)
    assert isinstance(for_in, ast.For) and for_in.iteration == "in"


def test_try_catch_finally() -> None:
    text = "try { a() } catch ({ type, message }) { b() } finally { c() }"
    stmt = statement(text)
    assert isinstance(stmt, ast.Try) and stmt.handler is not None and stmt.finalizer is not None
    assert isinstance(stmt.handler.param, ast.ObjectPattern)
    bare = statement("try { a() } catch { }")
    assert isinstance(bare, ast.Try) and bare.handler is not None and bare.handler.param is None


def test_break_continue_empty_and_blocks() -> None:
    stmts = body("while (true) { break; continue }\n;\n{ let x = 2 }")
    assert isinstance(stmts[0], ast.While)
    assert isinstance(stmts[0].body, ast.Block)
    assert [type(s) for s in stmts[0].body.body] == [ast.Break, ast.Continue]
    assert isinstance(stmts[1], ast.Empty) and isinstance(stmts[2], ast.Block)


def test_a_statement_starting_with_a_brace_is_a_block() -> None:
    assert isinstance(statement("{ a }"), ast.Block)


def test_assignments() -> None:
    text = "a.b[i].c += 2;"
    stmt = statement(text)
    assert isinstance(stmt, ast.Assign) and stmt.operator == "+="
    assert source_of(text, stmt) == text


def test_statement_spans_include_the_semicolon() -> None:
    text = "foo(1);"
    stmt = statement(text)
    assert stmt.span == Span(0, 7)
    assert isinstance(stmt, ast.ExprStmt) and stmt.expression.span == Span(0, 6)


# ---------------------------------------------------------------------------- expressions


def test_precedence() -> None:
    expr = expression("1 + 2 * 3 == 7 && !a || b")
    assert isinstance(expr, ast.Logical) and expr.operator == "||"
    assert isinstance(expr.left, ast.Logical) and expr.left.operator == "&&"
    equality = expr.left.left
    assert isinstance(equality, ast.Binary) and equality.operator == "=="


def test_await_and_typeof_are_unary() -> None:
    expr = expression("await t + 1")
    assert isinstance(expr, ast.Binary) and isinstance(expr.left, ast.Await)
    member = expression("await t.value")
    assert isinstance(member, ast.Await) and isinstance(member.operand, ast.Member)
    typeof = expression('typeof x == "string"')
    assert isinstance(typeof, ast.Binary) and isinstance(typeof.left, ast.Unary)


def test_conditional_is_right_associative() -> None:
    expr = expression("a ? b : c ? d : e")
    assert isinstance(expr, ast.Conditional) and isinstance(expr.alternate, ast.Conditional)


def test_call_span_runs_from_callee_to_parenthesis() -> None:
    text = 'let _ = Task.run("x", { a }, ...more)'
    call = expression(text[8:])
    assert isinstance(call, ast.Call) and call.span == Span(8, 37)
    assert isinstance(call.callee, ast.Member) and call.callee.name == "run"
    assert isinstance(call.arguments[2], ast.Spread)


def test_literals() -> None:
    expr = expression('[1, "a", true, false, null, `t${x}`, ...xs]')
    assert isinstance(expr, ast.ArrayLit)
    kinds = [type(e) for e in expr.elements]
    assert kinds == [
        ast.NumberLit, ast.StringLit, ast.BoolLit, ast.BoolLit, ast.NullLit, ast.TemplateLit,
        ast.Spread,
    ]  # fmt: skip


def test_object_literal_keys() -> None:
    expr = expression('{if: 1, return: 2, "b-c": 3, 4: 5, 1.5: 6, [k]: 7, short, ...other}')
    assert isinstance(expr, ast.ObjectLit)
    keys = [m.key for m in expr.members if isinstance(m, ast.Property)]
    assert keys == ["if", "return", "b-c", "4", "1.5", None, "short"]
    assert isinstance(expr.members[-1], ast.Spread)


def test_reserved_words_as_property_names() -> None:
    expr = expression("a.class.new?.if")
    assert isinstance(expr, ast.OptionalChain)


def test_nested_templates() -> None:
    expr = expression("`a${`b ${c}`}d`")
    assert isinstance(expr, ast.TemplateLit) and expr.quasis == ("a", "d")
    [inner] = expr.expressions
    assert isinstance(inner, ast.TemplateLit) and inner.quasis == ("b ", "")


def test_optional_chain_wraps_the_whole_chain() -> None:
    expr = expression("a?.b.c(d)?.[e]")
    assert isinstance(expr, ast.OptionalChain)
    index = expr.expression
    assert isinstance(index, ast.Index) and index.optional
    assert isinstance(index.object, ast.Call)


def test_parentheses_end_an_optional_chain_and_leave_no_node() -> None:
    text = "let _ = (a?.b).c"
    expr = expression(text[8:])
    assert isinstance(expr, ast.Member) and expr.name == "c"
    assert isinstance(expr.object, ast.OptionalChain)
    assert expr.object.span == Span(9, 13)


def test_question_dot_before_digit() -> None:
    expr = expression("a?.5:1")
    assert isinstance(expr, ast.Conditional)


# ---------------------------------------------------------------------------- program forms


def test_wrapper_form() -> None:
    text = "```yaml\nname: x\n```\nasync function main() {\n  return 1\n}\n// done\n"
    result = parse(text)
    assert result.diagnostics == ()
    program = result.program
    assert program.wrapper is not None
    assert source_of(text, ast.Empty(program.wrapper)).startswith("async function main() {")
    assert source_of(text, ast.Empty(program.wrapper)).endswith("}")
    assert [type(s) for s in program.body] == [ast.Return]
    assert program.front_matter is not None and program.front_matter.text == "\nname: x\n"


@pytest.mark.parametrize("text", ["", "// only a comment", "```\n```"])
def test_empty_programs(text: str) -> None:
    result = parse(text)
    assert result.diagnostics == () and result.program.body == ()
    assert result.program.span == Span(0, len(text))


@pytest.mark.parametrize(
    ("text", "message", "spanned"),
    [
        ("async function main(x) {}", "`main` takes no parameters", "x"),
        ("async function run() {}", "the program wrapper must be named `main`", "run"),
        ("function main() {}", "the program wrapper must be declared `async`", "function"),
        ("let a = 1\nasync function main() {}", "statements outside `async function main()`",
         "let a = 1"),
        ("async function main() {}\nasync function main() {}",
         "a program has at most one `async function main()`", "async function main() {"),
        ("if (a) { async function main() {} }",
         "`async function main()` can only wrap the whole program", "async function main() {"),
    ],
)  # fmt: skip
def test_wrapper_misuse_is_flow013(text: str, message: str, spanned: str) -> None:
    assert ("FLOW013", message, spanned) in found(text)


def test_statements_beside_the_wrapper_are_kept() -> None:
    result = parse("let a = 1\nasync function main() { return a }")
    assert [type(s) for s in result.program.body] == [ast.VarDecl, ast.Return]


# ---------------------------------------------------------------------------- parser rules


@pytest.mark.parametrize(
    ("text", "spanned"),
    [
        ("a ?? b || c", "a ?? b || c"),
        ("a || b ?? c", "a || b ?? c"),
        ("a ?? b && c", "a ?? b && c"),
    ],
)
def test_mixing_nullish_and_logical_is_flow008(text: str, spanned: str) -> None:
    [(code, message, span_text)] = found(text)
    assert code == "FLOW008" and span_text == spanned
    assert message.startswith("`??` cannot be mixed with")


@pytest.mark.parametrize("text", ["(a ?? b) || c", "a ?? (b || c)", "a ?? b ?? c"])
def test_parenthesised_mixes_are_fine(text: str) -> None:
    assert found(text) == []


@pytest.mark.parametrize(
    ("text", "message", "spanned"),
    [
        ("a + 1 = 2", "cannot assign to this expression", "a + 1"),
        ("f().x = 1", "cannot assign to the result of a call", "f().x"),
        ("a?.b = 1", "cannot assign to an optional chain", "a?.b"),
        ("[a, b] = [b, a]", "cannot assign to an array literal", "[a, b]"),
        ("f()++", "cannot apply `++` to the result of a call", "f()"),
    ],
)
def test_invalid_targets_are_flow009(text: str, message: str, spanned: str) -> None:
    assert found(text) == [("FLOW009", message, spanned)]


@pytest.mark.parametrize(
    ("text", "spanned"),
    [
        ("let y = x++", "x++"),
        ("if (x = 1) {}", "x = 1"),
        ("a = b = 0", "b = 0"),
        ("f(x++)", "x++"),
        ("let z = (a += 1)", "a += 1"),
    ],
)
def test_assignments_as_values_are_flow010(text: str, spanned: str) -> None:
    [(code, _, span_text)] = found(text)
    assert (code, span_text) == ("FLOW010", spanned)


def test_assignment_in_a_condition_suggests_equality() -> None:
    [diagnostic] = parse("if (x = 1) {}").diagnostics
    assert diagnostic.help == "did you mean `==`?"


@pytest.mark.parametrize(
    ("text", "message", "spanned"),
    [
        ("const x", "`const x` has no value", "x"),
        ("let {a}", "a destructuring pattern needs a value to destructure", "{a}"),
        ("let [a]", "a destructuring pattern needs a value to destructure", "[a]"),
    ],
)
def test_missing_initializers_are_flow014(text: str, message: str, spanned: str) -> None:
    assert found(text) == [("FLOW014", message, spanned)]


def test_let_without_initializer_is_fine() -> None:
    assert found("let x") == []


@pytest.mark.parametrize(
    ("text", "keyword"),
    [
        ("if (ok) let y = 1", "if"),
        ("if (ok) {} else const y = 1", "else"),
        ("while (ok) let y = 1", "while"),
        ("for (const x of xs) let y = x", "for"),
    ],
)
def test_declarations_as_bodies_are_flow015_and_still_built(text: str, keyword: str) -> None:
    result = parse(text)
    [diagnostic] = result.diagnostics
    assert diagnostic.code == "FLOW015"
    assert diagnostic.message == f"a declaration cannot be the body of `{keyword}`"
    assert len(result.program.body) == 1


@pytest.mark.parametrize(
    ("text", "word"),
    [
        ("let class = 2", "class"),
        ("let await = 1", "await"),
        ("const enum = 3", "enum"),
        ("for (const new of xs) {}", "new"),
        ("try {} catch (this) {}", "this"),
        ("const { default } = o", "default"),
        ("let x = enum", "enum"),
    ],
)
def test_reserved_words_as_names_are_flow007(text: str, word: str) -> None:
    assert found(text) == [
        ("FLOW007", f"`{word}` is a reserved word and cannot be used as a name", word)
    ]


# ---------------------------------------------------------------------------- JavaScript habits


@pytest.mark.parametrize(
    ("text", "message", "spanned", "help_mentions"),
    [
        ("var x = 1", "`var` does not exist in .flow", "var", "`let`"),
        ("function f(a) { return a }", "functions cannot be declared in .flow", "function",
         "task"),
        ("let f = function () {}", "functions cannot be declared in .flow", "function", "task"),
        ("let ys = xs.map(x => x * 2)", "arrow functions do not exist in .flow", "x => x * 2",
         "for (const x of items)"),
        ("let ys = xs.map((a, b) => a)", "arrow functions do not exist in .flow",
         "(a, b) => a", "for (const x of items)"),
        ("class A {}", "classes do not exist in .flow", "class", "objects"),
        ('throw new Error("m")', "`new` does not exist in .flow", "new", 'Error("...")'),
        ("switch (x) { case 1: break }", "`switch` does not exist in .flow", "switch",
         "`else if`"),
        ('import x from "y"', "`import` does not exist in .flow", "import", "Task.run"),
        ("export const e = 1", "`export` does not exist in .flow", "export", "Workflow.run"),
        ("for (let i = 0; i < n; i++) {}", "C-style `for` loops do not exist in .flow",
         "for (let i = 0; i < n; i++)", "for (const x of items)"),
        ("do { x += 1 } while (x < 3)", "`do ... while` does not exist in .flow", "do",
         "`while`"),
        ("let p = 2 ** 3", "the `**` operator does not exist in .flow", "**", "Math.pow"),
        ('let q = "k" in o', "the `in` operator does not exist in .flow", "in", "Object.hasOwn"),
        ("let r = e instanceof Error", "`instanceof` does not exist in .flow", "instanceof",
         "typeof"),
        ("delete o.x", "`delete` does not exist in .flow", "delete", "...rest"),
        ("let v = void 0", "`void` does not exist in .flow", "void", "null"),
        ("let w = a & b", "bitwise operator `&` does not exist in .flow", "&", "`&&`"),
        ("let w = a << 2", "bitwise operator `<<` does not exist in .flow", "<<", "Math"),
        ("let c = (a, b)", "the comma operator does not exist in .flow", "(a, b)", "statement"),
        ("let u = +x", "unary `+` does not exist in .flow", "+", "Number(x)"),
        ("x **= 2", "the `**=` assignment does not exist in .flow", "**=", "Math.pow"),
        ("let t = this", "`this` does not exist in .flow", "this", "variables"),
    ],
)  # fmt: skip
def test_javascript_habits_are_flow005(
    text: str, message: str, spanned: str, help_mentions: str
) -> None:
    result = parse(text)
    [diagnostic] = [d for d in result.diagnostics if d.code == "FLOW005"]
    assert diagnostic.message == message
    assert text[diagnostic.span.start : diagnostic.span.end] == spanned
    assert diagnostic.help is not None and help_mentions in diagnostic.help


def test_habits_are_read_as_the_nearest_flow() -> None:
    stmts = parse("var x = 2 ** 3\nfor (let i = 0; i < 3; i++) { x += i }").program.body
    decl, loop = stmts
    assert isinstance(decl, ast.VarDecl) and decl.kind == "let"
    pow_call = decl.declarators[0].init
    assert isinstance(pow_call, ast.Call) and isinstance(pow_call.callee, ast.Member)
    assert pow_call.callee.name == "pow"
    assert isinstance(loop, ast.Block)
    init, while_ = loop.body
    assert isinstance(init, ast.VarDecl) and isinstance(while_, ast.While)


def test_var_has_a_fix() -> None:
    [diagnostic] = parse("var x = 1").diagnostics
    assert diagnostic.fix is not None and diagnostic.fix.replacement == "let"


def test_new_error_is_read_as_a_call() -> None:
    stmt = parse('throw new Error("m")').program.body[0]
    assert isinstance(stmt, ast.Throw) and isinstance(stmt.value, ast.Call)


# ---------------------------------------------------------------------------- LANGUAGE.md


def language_examples() -> list[str]:
    """Each example as a program; blocks that show a value (an error object) become `return`s."""
    blocks = re.findall(r"```js\n(.*?)```", LANGUAGE_EXAMPLES.read_text(), re.S)
    return [f"return {b}" if b.startswith("{ type:") else b for b in blocks]


@pytest.mark.parametrize("example", language_examples())
def test_language_examples_parse(example: str) -> None:
    # `…` stands for elided code in examples; it is an invalid character, not a syntax error.
    result = parse(example.replace("{ … }", "{ }").replace("…", "x"))
    assert [d for d in result.diagnostics if d.code in ("FLOW001", "FLOW002")] == []


# ---------------------------------------------------------------------------- speed


def generated_program(lines: int) -> str:
    chunk = """\
const {{ orderId{i}, amount{i} }} = Inputs
let check{i} = await Task.run("validate-order", {{ orderId: orderId{i}, amount: amount{i} }})
if (!check{i}.valid) {{
  return {{ status: "rejected", reason: `order ${{orderId{i}}}: ${{check{i}.reason}}` }}
}}
let total{i} = 0
for (const item of check{i}.items ?? []) {{
  total{i} += item.price * item.quantity
  if (item.tags?.includes("gift")) total{i} -= 5
}}
try {{
  let charge = await Task.run("charge-card", {{ orderId: orderId{i} }}, {{ retries: 3 }})
  results.push({{ id: charge.id, ok: charge.status == "ok" && total{i} > 0 }})
}} catch (err) {{
  await Task.run("notify-ops", {{ problem: err.message }})
}}
"""
    out = ["let results = []"]
    i = 0
    while len(out) < lines - 1:
        out.extend(chunk.format(i=i).splitlines())
        i += 1
    out.append("return results")
    return "\n".join(out) + "\n"


def test_a_large_generated_program_parses_without_diagnostics() -> None:
    result = parse(generated_program(2_000))
    assert result.diagnostics == ()
    assert len(result.program.body) > 500
