"""The VM runs every construct with the semantics of LANGUAGE.md §5–§7 and §10.5: small
programs compiled with `flowlang.compile`, run through `run_step` with a fake host."""

from __future__ import annotations

import pytest
from test_vm_host import drive, output


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "let a = 7, b = 2\nreturn [a + b, a - b, a * b, a / b, a % b, -7 % 3, 6 / 3]",
            [9, 5, 14, 3.5, 1, -1, 2],
        ),
        ('return [1 < 2, "b" >= "a", 1 == 1.0, [1, {a: 2}] == [1, {a: 2}], 1 != "1"]', [True] * 5),
        (
            'return [0 && "x", "" || "d", null ?? 3, 0 ?? 3, !null, typeof [], typeof "s"]',
            [0, "d", 3, 0, True, "object", "string"],
        ),
        ("let o = null\nreturn [o?.a.b.c, (o ?? {a: 1})?.a, true ? 1 : 2]", [None, 1, 1]),
        ("let n = 3\nreturn `n=${n}, ${[n]} ${{k: n}} ${null}`", 'n=3, [3] {"k":3} null'),
        ('let a = [1, 2]\nreturn [0, ...a, ..."xy"]', [0, 1, 2, "x", "y"]),
        (
            'let k = "b"\nreturn {a: 1, [k]: 2, 3: "x", ...{a: 9, c: 3}}',
            {"a": 9, "b": 2, "3": "x", "c": 3},
        ),
        (
            'let s = "héllo"\nreturn [s.length, s[1], s.slice(-3), [3, 1].at(-1)]',
            [5, "é", "llo", 1],
        ),
        ('return [Math.max(...[1, 5, 2]), String([1, 2]), Number(" 12.5 ")]', [5, "[1,2]", 12.5]),
    ],
)
def test_expressions(source: str, expected: object) -> None:
    assert output(source) == expected


def test_statements_and_loops() -> None:
    source = """
let total = 0
let i = 0
while (true) {
  i++
  if (i > 10) break
  if (i % 2 == 0) continue
  total += i
}
let keys = []
for (const k in {b: 1, a: 2}) keys.push(k)
for (const k in ["x", "y"]) keys.push(k)
let chars = []
for (const c of "a😀") chars.push(c)
return [total, keys, chars]
"""
    assert output(source) == [25, ["b", "a", "0", "1"], ["a", "😀"]]


def test_places_compound_assignment_and_updates() -> None:
    source = """
let o = {a: {b: [1, 2]}, n: 1}
o.a.b[1] += 5
o.a.b[3] = 9
o.n++
o["m"] = o.n * 2
let q = o.a
q.b.push(0)
return [o, q]
"""
    assert output(source) == [
        {"a": {"b": [1, 7, None, 9]}, "n": 2, "m": 4},
        {"b": [1, 7, None, 9, 0]},
    ]


def test_destructuring() -> None:
    source = """
let source = {id: 1, customer: {email: "e"}, x: 2, y: 3}
let { id, customer: { email }, tier = "standard", ...rest } = source
let [first, , third = 0, ...others] = [1, 2, null, 4, 5]
let pairs = []
for (const [key, value] of Object.entries({p: 1, q: 2})) pairs.push(key + value)
return [id, email, tier, rest, first, third, others, pairs]
"""
    assert output(source) == [1, "e", "standard", {"x": 2, "y": 3}, 1, None, [4, 5], ["p1", "q2"]]


# -- value semantics (§7.2): sharing is never observable


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (
            "let a = {items: [1]}\nlet b = a\nb.items.push(2)\nreturn [a, b]",
            [{"items": [1]}, {"items": [1, 2]}],
        ),
        ("let a = [1]\nreturn [a, a.push(2), a]", [[1], 2, [1, 2]]),
        ("let o = {l: [1]}\nreturn [o, o.l.push(2), o]", [{"l": [1]}, 2, {"l": [1, 2]}]),
        (
            "let a = [1]\nlet b = [a, a]\na.push(2)\nb[0].push(3)\nreturn [a, b]",
            [[1, 2], [[1, 3], [1]]],
        ),
        ("let a = [1]\na.push(a)\na.push(a)\nreturn a", [1, [1], [1, [1]]]),
        ("let o = {x: 1}\no.self = o\nreturn o", {"x": 1, "self": {"x": 1}}),
        (
            "let a = [1, 2, 3]\n"
            "let seen = []\n"
            "for (const x of a) { a.push(x); seen.push(x) }\n"
            "return [seen, a.length]",
            [[1, 2, 3], 6],
        ),
        (
            "let g = [[1], [2]]\n"
            "let out = []\n"
            "for (const row of g) { g[1][0] = 9; out.push(row) }\n"
            "return [out, g]",
            [[[1], [2]], [[1], [9]]],
        ),
        ("let a = [1]\nlet r = [a].reverse()\nr[0].push(2)\nreturn [a, r]", [[1], [[1, 2]]]),
        ("let a = [1, 2]\nlet r = a.reverse()\nr.push(0)\nreturn [a, r]", [[2, 1], [2, 1, 0]]),
    ],
)
def test_values_are_never_shared(source: str, expected: object) -> None:
    assert output(source) == expected


def test_a_task_sees_its_inputs_as_they_were_at_the_call() -> None:
    run = drive('let o = {n: 1}\nlet t = Task.run("t", o)\no.n = 2\nawait t\nreturn o')
    assert run.effects[0]["inputs"] == {"n": 1}
    assert run.result.output == {"n": 2}


# -- try / catch / finally (§5.11)


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("let log = []\ntry { log.push(1) } finally { log.push(2) }\nreturn log", [1, 2]),
        ("let a = [1]\ntry { return a } finally { a.push(2) }", [1]),
        ("try { return 1 } finally { return 2 }", 2),
        ("try { throw 1 } finally { return 2 }", 2),
        (
            'try { try { throw Error("in") } finally { throw Error("out") } }\n'
            "catch (e) { return e.message }",
            "out",
        ),
        ("try { try { throw 1 } catch (e) { throw e + 1 } finally { } } catch (e) { return e }", 2),
        (
            "let log = []\n"
            "for (const i of [1, 2, 3]) {\n"
            "  try { if (i == 2) continue; if (i == 3) break; log.push(i) }\n"
            '  finally { log.push("f" + i) }\n'
            "}\n"
            "return log",
            [1, "f1", "f2", "f3"],
        ),
        (
            "let n = 0\n"
            "while (true) {\n"
            "  try { try { n++; if (n < 3) continue; break } finally { n += 10 } }\n"
            "  finally { n += 100 }\n"
            "}\n"
            "return n",
            222,
        ),
        (
            "let log = []\n"
            'try { try { return "r" } finally { log.push("inner") } }\n'
            'finally { log.push("outer") }',
            "r",
        ),
        ('for (const x of [1]) { try { } finally { break } }\nreturn "after"', "after"),
        (
            "let r = null\n"
            "let o = Inputs.o\n"
            "try { o.x } catch ({ type, message }) { r = [type, message] }\n"
            "return r",
            ["TypeError", "Cannot read properties of null (reading 'x')"],
        ),
        ('try { throw "s" } catch { return "caught" }', "caught"),
    ],
)
def test_try_catch_finally(source: str, expected: object) -> None:
    assert output(source) == expected


def test_finally_awaits_with_its_pending_completion_saved() -> None:
    source = """
let log = []
for (const i of [1, 2]) {
  try {
    try { if (i == 2) throw Error("boom"); log.push(await Task.run("t" + i)) }
    finally { log.push(await Task.run("f" + i)) }
  } catch (e) { log.push(e.message) }
}
try { return log } finally { log.push(await Task.run("late")) }
"""
    run = drive(source)
    assert run.result.output == ["t1!", "f1!", "f2!", "boom"]
    assert sum(step.status == "suspended" for step in run.steps) == 4


def test_an_uncaught_throw_runs_finally_blocks_then_fails() -> None:
    run = drive(
        'try { throw {type: "Mine", message: "m", extra: 1} } finally { Task.run("cleanup") }'
    )
    assert run.result.status == "failed"
    assert run.result.output == {"type": "Mine", "message": "m", "extra": 1}
    assert [e["name"] for e in run.effects] == ["cleanup"]


@pytest.mark.parametrize(
    ("thrown", "expected"),
    [
        ('"text"', {"type": "Error", "message": "text", "value": "text"}),
        ("[1]", {"type": "Error", "message": "[1]", "value": [1]}),
        (
            'Object.values({a: Task.run("t")})[0]',
            {"type": "TypeError", "message": "Cannot serialize a promise"},
        ),
    ],
)
def test_a_thrown_value_that_is_not_an_error_is_wrapped(thrown: str, expected: object) -> None:
    run = drive(f"throw {thrown}")
    assert (run.result.status, run.result.output) == ("failed", expected)


def test_returning_a_promise_throws_at_the_return() -> None:
    source = 'let ps = [Task.run("t")]\ntry { return ps } catch (e) { return e.message }'
    assert output(source) == "Cannot serialize a promise"


# -- await inside expressions (§6.6, §10.5)


def test_await_inside_an_expression_keeps_what_was_computed_before() -> None:
    source = (
        'let r = [Task.run("a"), await Task.run("b"), Date.now()]\nreturn [await r[0], r[1], r[2]]'
    )
    run = drive(source)
    assert run.result.output == ["a!", "b!", run.host.clock]
    assert [e["name"] for e in run.effects] == ["a", "b"]  # "a" started once
    assert run.result.output[2] > run.effects[1]["created_at"]  # the clock read after "b"


def test_await_everywhere() -> None:
    source = """
let o = {[await Task.run("k")]: await Task.run("v"), n: (await Task.run("n")).length}
let s = `${await Task.run("t")}-${1 + 1}`
let total = 0
for (const x of await Task.run("xs")) total += x * await Task.run("m")
while (await Task.run("stop") == false) total = -1
if (!(await Task.run("cond"))) total = 0
return [o, s, total, await 5, Math.max(await Task.run("one"), 0)]
"""
    results = {"k": "key", "xs": [1, 2], "m": 10, "stop": True, "cond": True, "one": 1}
    assert output(source, results=results) == [
        {"key": "v!", "n": 2},
        "t!-2",
        30,
        5,
        1,
    ]


def test_a_settled_promise_awaited_again_gives_the_same_outcome() -> None:
    source = (
        'let p = Task.run("t")\nlet a = await p\nawait Timer.delay(1)\nreturn [a, await p, await p]'
    )
    assert output(source) == ["t!", "t!", "t!"]
