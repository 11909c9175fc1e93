"""The type checker: inference (LANGUAGE.md §11.3), narrowing (§11.4), the reporting policy
(§11.6) and robustness. Each diagnostic code is proven in `test_check_codes.py`."""

from __future__ import annotations

import pytest
from check_helpers import codes, type_check, type_of, with_inputs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

# ----------------------------------------------------------------------------- inference


@pytest.mark.parametrize(
    ("text", "name", "expected"),
    [
        ('let a = "x"\nreturn a', "a", "string"),
        ('const a = "x"\nreturn a', "a", '"x"'),
        ("const a = -1\nreturn a", "a", "-1"),
        ("let a = null\nreturn a", "a", "any"),
        ("let a\nreturn a", "a", "any"),
        ('let a = [1, "x"]\nreturn a', "a", "(number | string)[]"),
        ("let a = []\nreturn a", "a", "any[]"),
        ("let a = {}\nreturn a", "a", "{ [key: string]: any }"),
        ('let a = { s: "x", n: [1] }\nreturn a', "a", "{ s: string, n: number[] }"),
        ("let a = `t${1}`\nreturn a", "a", "string"),
        ("const a = typeof 1\nreturn a", "a", '"string" | "number" | "boolean" | "object"'),
        ("let a = !1\nreturn a", "a", "boolean"),
        ('let a = Inputs.x ? 1 : "s"\nreturn a', "a", "number | string"),
        ("let a = 1 + 2\nreturn a", "a", "number"),
        ('let a = 1 + "x"\nreturn a', "a", "string"),
        ('let a = Task.run("t")\nreturn 1', "a", "Promise<any>"),
        ("let a = await Timer.delay(1)\nreturn a", "a", "any"),
        ("const a = await Promise.all([Timer.delay(1), 2])\nreturn a", "a", "[null, 2]"),
        ("let a = await Promise.all([Timer.delay(1), 2])\nreturn a", "a", "any[]"),
        ('const a = { s: "x" }\nreturn a', "a", '{ s: "x" }'),
        ("let a = Context.startedAt\nreturn a", "a", "number"),
        ("let a = [1, 2].pop()\nreturn a", "a", "number | null"),
        ('let a = "x".split(",")\nreturn a', "a", "string[]"),
        ("for (const a of [1, 2]) {}", "a", "1 | 2"),
        ("for (let a of [1, 2]) {}", "a", "number"),
        ('for (const a of "ab") {}', "a", "string"),
        ("for (const a in [1]) {}", "a", "string"),
        ("try {} catch (a) {}", "a", "any"),
        ('const { a } = { a: "x" }\nreturn a', "a", '"x"'),
        ("const { a = 1 } = { b: 2 }\nreturn a", "a", "1"),
        ("const [a, b] = [1, 2]\nreturn [a, b]", "b", "2"),
        ("const [a, b, c] = [1, 2]\nreturn [a, b, c]", "c", "null"),
        ("const [a, ...r] = [1, 2, 3]\nreturn [a, r]", "r", "[2, 3]"),
        ("let [a, ...r] = [1, 2, 3]\nreturn [a, r]", "r", "number[]"),
    ],
)
def test_inferred_types(text: str, name: str, expected: str) -> None:
    assert type_of(text, name) == expected


def test_an_assignment_of_another_kind_makes_the_variable_any() -> None:
    text = 'let a = 1\nlet b = a.x\na = "s"\nreturn [a, b]'
    assert type_of(text, "a") == "any"
    assert codes(text) == []


def test_a_path_assignment_adds_the_field() -> None:
    text = "let o = { a: 1 }\nlet before = o.b\no.b = 2\nreturn [o.b, before]"
    assert type_of(text, "o") == "{ a: number, b: number }"
    assert codes(text) == []


def test_a_push_of_another_kind_widens_the_element_type() -> None:
    text = 'let xs = [1]\nxs.push("a")\nreturn xs[0].length'
    assert type_of(text, "xs") == "(number | string)[]"
    assert codes(text) == []


def test_a_computed_key_assignment_makes_the_object_open() -> None:
    text = "let o = { a: 1 }\no[Inputs.k] = 2\nreturn o.zzz"
    assert codes(text) == []


def test_promise_combinators_keep_the_shape() -> None:
    checked = type_check(
        "const r = await Promise.all({ a: Timer.delay(1), b: 2 })\nconst k = await "
        "Promise.race_kv({ x: Timer.delay(1), y: 3 })\nreturn [r.a, r.b, k.key, k.value]"
    )
    shown = {str(t) for t in checked.types.values()}
    assert checked.diagnostics == ()
    assert shown


# ----------------------------------------------------------------------------- narrowing

NOTE = "  note?: string"
NARROWING = [
    "if (Inputs.note != null) { Inputs.note.trim() }",
    "if (Inputs.note !== null) { Inputs.note.trim() }",
    "if (Inputs.note == null) {} else { Inputs.note.trim() }",
    "if (null != Inputs.note) { Inputs.note.trim() }",
    "if (Inputs.note) { Inputs.note.trim() }",
    'if (typeof Inputs.note == "string") { Inputs.note.trim() }',
    "if (!Inputs.note) { return }\nInputs.note.trim()",
    'if (Inputs.note == null) throw Error("x")\nInputs.note.trim()',
    "Inputs.note && Inputs.note.trim()",
    "Inputs.note == null || Inputs.note.trim()",
    'Inputs.note ? Inputs.note.trim() : ""',
    'let n = Inputs.note ?? ""\nn.trim()',
    'let m = Inputs.note\nif (m == null) m = ""\nm.trim()',
    "let k = Inputs.note\nif (k != null) { await Timer.delay(1)\nk.trim() }",
    "while (Inputs.note != null) { Inputs.note.trim()\nbreak }",
    'if (Inputs.note == "a") { Inputs.note.trim() }',
]


@pytest.mark.parametrize("body", NARROWING)
def test_narrowing_removes_null(body: str) -> None:
    assert codes(with_inputs(NOTE, body)) == []


NOT_NARROWED = [
    "if (Inputs.note != null) {}\nInputs.note.trim()",
    "if (Inputs.note == null) { Inputs.note.trim() }",
    "let j = Inputs.note\nif (j != null) { j = Inputs.note\nj.trim() }",
    "let i = Inputs.note\nwhile (i != null) { i.trim()\ni = Inputs.note }\ni.trim()",
    "Inputs.note || Inputs.note.trim()",
]


@pytest.mark.parametrize("body", NOT_NARROWED)
def test_narrowing_ends_where_the_condition_may_not_hold(body: str) -> None:
    found = codes(with_inputs(NOTE, body))
    assert found and set(found) <= {"FLOW404", "FLOW204"}


def test_typeof_narrows_to_the_members_of_that_kind() -> None:
    fields = '  v: "number | string"'
    assert codes(with_inputs(fields, 'if (typeof Inputs.v == "string") Inputs.v.trim()')) == []
    assert codes(with_inputs(fields, 'if (typeof Inputs.v != "number") Inputs.v.trim()')) == []
    assert codes(with_inputs(fields, 'if (typeof Inputs.v == "number") Inputs.v.trim()')) == [
        "FLOW204"
    ]


def test_array_is_array_narrows_to_the_array_members() -> None:
    fields = '  v: "string[] | string"'
    assert codes(with_inputs(fields, "if (Array.isArray(Inputs.v)) Inputs.v.push(1)")) == []
    assert codes(with_inputs(fields, "if (!Array.isArray(Inputs.v)) Inputs.v.trim()")) == []


def test_a_literal_test_narrows_a_union_of_literals() -> None:
    fields = "  mode: \"'a' | 'b'\""
    body = 'if (Inputs.mode != "a") { let x = Inputs.mode == "b"\nreturn x }'
    assert codes(with_inputs(fields, body)) == []
    body = 'if (Inputs.mode == "a") { return Inputs.mode == "b" }'
    assert codes(with_inputs(fields, body)) == ["FLOW403"]


def test_testing_a_key_narrows_the_record_it_belongs_to() -> None:
    text = (
        '```yaml\nsignals:\n  ack: "{ engineer: string }"\n```\n'
        'const e = await Promise.race_kv({ ack: Signal.next("ack"), t: Timer.delay("1h") })\n'
        'if (e.key == "ack") { return e.value.engineer }\n'
        "return e.value.engineer"
    )
    assert codes(text) == ["FLOW204"]  # after the test, `e.value` is `null`


def test_an_assignment_in_a_loop_ends_narrowing_before_the_loop_body() -> None:
    body = "let s = Inputs.note\nif (s == null) return\nwhile (true) { s.trim()\ns = Inputs.note }"
    assert codes(with_inputs(NOTE, body)) == ["FLOW404"]


def test_a_push_ends_narrowing_of_the_array() -> None:
    body = 'let xs = Inputs.list\nif (xs.length == 0) { xs.push("a") }\nreturn xs'
    assert codes(with_inputs("  list: string[]", body)) == []


# ----------------------------------------------------------------------------- policy


ANY_SILENT = [
    "return Inputs.a - Inputs.b",
    "return Inputs.a.b.c.d()",
    "return Inputs.a.toUppercase()",
    "for (const x of Inputs.a) {}",
    "return await Inputs.a",
    'return Inputs.a == "x"',
    "return Math.floor(Inputs.a)",
    "await Timer.delay(Inputs.a)",
    "await Task.run(Inputs.name, Inputs.payload, Inputs.options)",
    "let { a, b: [c] } = Inputs.x\nreturn [a, c]",
    "return `${Inputs.p}`",
    "throw Inputs.error",
]


@pytest.mark.parametrize("text", ANY_SILENT)
def test_values_of_type_any_are_silent(text: str) -> None:
    assert codes(text) == []


_PATHS = st.sampled_from(["Inputs.a", "Inputs.b.c", 'Inputs["d"]', "Inputs.e[0]", "v"])


def _any_expressions() -> st.SearchStrategy[str]:
    """Expressions whose type stays `any` when every leaf comes from `Inputs`."""
    return st.recursive(
        _PATHS,
        lambda inner: st.one_of(
            inner.map(lambda e: f"({e}).x"),
            st.tuples(inner, inner).map(lambda p: f"({p[0]})[{p[1]}]"),
            st.tuples(inner, st.sampled_from(["trim", "push", "slice", "includes", "foo"])).map(
                lambda p: f"({p[0]}).{p[1]}()"
            ),
            inner.map(lambda e: f"(await {e})"),
            st.tuples(inner, inner).map(lambda p: f"({p[0]} + {p[1]})"),
            st.tuples(inner, inner).map(lambda p: f"({p[0]} ?? {p[1]})"),
            st.tuples(inner, inner).map(lambda p: f"({p[0]} && {p[1]})"),
            st.tuples(inner, inner, inner).map(lambda p: f"({p[0]} ? {p[1]} : {p[2]})"),
        ),
        max_leaves=6,
    )


_USES = [
    "let r = {0} - 1",
    "let r = {0} < 2",
    "let r = -{0}",
    "let r = {0} == 3",
    "let r = Math.max({0}, 1)",
    "let r = String({0})",
    "let r = `${{{0}}}`",
    "let r = [...{0}]",
    "let r = {{ ...{0} }}",
    "let r = await Task.run({0}, {0})",
    "let r = await Timer.delay({0})",
    "let r = ({0}).length > 0",
    "let r = await Promise.race({0})",
    "let {{ r }} = {0}",
    "let [r] = {0}",
    "for (const r of {0}) {{}}",
    "if ({0}) {{}}",
    "let r = {0}\nr += 1",
]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expression=_any_expressions(), use=st.sampled_from(_USES))
def test_a_value_typed_any_never_causes_an_error(expression: str, use: str) -> None:
    text = "let v = Inputs.v\n" + use.format(expression) + "\nreturn v"
    errors = [d for d in type_check(text).diagnostics if d.is_error]
    assert errors == [], text


# ----------------------------------------------------------------------------- robustness


def test_deep_trees_do_not_exhaust_the_stack() -> None:
    sum_of_terms = " + ".join(["x"] * 3000)
    nested = "[" * 3000 + "]" * 3000
    chain = "o" + ".a" * 3000
    text = (
        f"let x = 1\nlet o = Inputs.o\nlet s = {sum_of_terms}\nlet n = {nested}\n"
        f"let c = {chain}\nlet t = {'!' * 3000}o\n"
        f"let q = {'(o ? ' * 1000}1{' : 2)' * 1000}\n{'if (o) ' * 2000}s = 1\n"
        "return [s, n, c, t, q]"
    )
    assert codes(text) == []


_TOKENS = st.sampled_from(
    [
        "let",
        "const",
        "x",
        "y",
        "=",
        "+",
        "-",
        "(",
        ")",
        "{",
        "}",
        "[",
        "]",
        ".",
        "?.",
        ",",
        ";",
        "\n",
        "if",
        "else",
        "while",
        "for",
        "of",
        "in",
        "return",
        "await",
        "1",
        '"s"',
        "null",
        "true",
        "Inputs",
        "Task",
        ".run",
        "Promise",
        ".all",
        "?",
        ":",
        "&&",
        "||",
        "??",
        "==",
        "!",
        "typeof",
        "...",
        "try",
        "catch",
        "throw",
        "push",
        "`a${",
        "}`",
        "Math.max",
    ]
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_TOKENS, max_size=60).map(" ".join))
def test_never_raises_on_whatever_the_parser_builds(text: str) -> None:
    type_check(text)
