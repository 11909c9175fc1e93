"""Every diagnostic the type checker reports (LANGUAGE.md §11.8): each fires in a minimal case
and stays silent in a nearby valid one (the borderline: narrowing, `any`, a union member that
has it). The contracts with tasks and workflows are in `test_check_contracts.py`."""

from __future__ import annotations

import pytest
from check_helpers import codes, covered, only, with_inputs

# (source, the codes it gives) — each firing case next to its nearest silent case.
CASES = [
    # FLOW201: fails for every combination of operand kinds.
    ('return "5" - 2', ["FLOW201"]),
    ('return Number("5") - 2', []),
    ("return 1 + null", ["FLOW201"]),
    ("return 1 + (Inputs.x ?? 0)", []),
    ("return 1 < 2 < 3", ["FLOW201"]),
    ("return 1 < 2 && 2 < 3", []),
    ('return -"x"', ["FLOW201"]),
    ("return -Inputs.x", []),
    ("return [1] + [2]", ["FLOW201"]),
    ('return [1] + "x"', []),
    ('let s = "a"\ns++\nreturn s', ["FLOW201"]),
    ("let n = 1\nn++\nreturn n", []),
    ('let t = 1\nt -= "x"\nreturn t', ["FLOW201"]),
    ('let u = 1\nu += "x"\nreturn u', []),
    # FLOW202: arity of builtins.
    ("return Math.floor(1, 2)", ["FLOW202"]),
    ("return Math.floor(1)", []),
    ("await Timer.delay()", ["FLOW202"]),
    ("return [1].includes()", ["FLOW202"]),
    ("return [1].includes(1)", []),
    ("return Math.max()", ["FLOW202"]),
    ("return Math.max(...[1, 2])", []),
    ('return "x".trim(1)', ["FLOW202"]),
    # FLOW203: argument types, options, literals the runtime rejects.
    ("await Task.run(1)", ["FLOW203"]),
    ('await Task.run("t")', []),
    ('return Math.floor("3")', ["FLOW203"]),
    ('await Timer.delay("5 minutes")', ["FLOW203"]),
    ('await Timer.delay("5m")', []),
    ("await Timer.delay(-1)", ["FLOW203"]),
    ("await Timer.delay(1.5)", []),
    ('await Timer.until("yesterday")', ["FLOW203"]),
    ('await Timer.until("2026-12-24T18:00:00Z")', []),
    ('return Date.parse("2026-02-30")', ["FLOW203"]),
    ('await Task.run("t", {}, { retry: 3 })', ["FLOW203"]),
    ('await Task.run("t", {}, { retries: 3, timeout: "30s" })', []),
    ('await Task.run("t", {}, { timeout: "soon" })', ["FLOW203"]),
    ('await Task.run("t", {}, { priority: "high" })', ["FLOW203"]),
    ('await Task.run("", {})', ["FLOW203"]),
    ('await Workflow.run("w", {}, { retries: 1 })', ["FLOW203"]),
    ("await Promise.race([])", ["FLOW203"]),
    ("await Promise.race([Timer.delay(1)])", []),
    ("await Promise.race_kv({})", ["FLOW203"]),
    ("await Promise.all([])", []),
    ('return "a1".includes(1)', ["FLOW203"]),
    ('return "a1".includes("1")', []),
    # FLOW204: the property exists on no possible type of the base.
    ('return "abc".toUppercase()', ["FLOW204"]),
    ('return "abc".toUpperCase()', []),
    ("let n = 5\nreturn n.x", ["FLOW204"]),
    ("let n = Inputs.n\nreturn n.x", []),
    ("return [1].map", ["FLOW204"]),
    ("return [1].length", []),
    ("let p = { x: 1, y: 2 }\nreturn p.z", ["FLOW204"]),
    ("let p = Inputs.flag ? { x: 1 } : { z: 2 }\nreturn p.z", []),
    ('let s = "text"\nreturn s.push(1)', ["FLOW204"]),
    ("let items = [1]\nreturn items.push(1)", []),
    ("const o = null\nreturn o.a", ["FLOW204"]),
    ("let { a = 1 } = { b: 2 }\nreturn a", []),
    ("let { a } = { b: 2 }\nreturn a", ["FLOW204"]),
    # FLOW205: not iterable.
    ("for (const x of { a: 1 }) {}", ["FLOW205"]),
    ("for (const x in { a: 1 }) {}", []),
    ("for (const x of 42) {}", ["FLOW205"]),
    ('for (const c of "abc") {}', []),
    ("return [...5]", ["FLOW205"]),
    ('return [..."ab"]', []),
    ("let [a] = { x: 1 }\nreturn a", ["FLOW205"]),
    ("let [a] = Inputs.list\nreturn a", []),
    # FLOW206: a promise used as a plain value.
    ('return Task.run("t")', ["FLOW206"]),
    ('return await Task.run("t")', []),
    ('return await Task.run("t").value', ["FLOW206"]),
    ('return (await Task.run("t")).value', []),
    ('if (Signal.next("x")) {}', ["FLOW206"]),
    ('if (await Signal.next("x")) {}', []),
    ('let t = Task.run("t")\nreturn t + 1', ["FLOW206"]),
    ('let u = Task.run("t")\nreturn `${u}`', ["FLOW206"]),
    ('let v = Task.run("t")\nthrow v', ["FLOW206"]),
    ('let w = Task.run("t")\nreturn String(w)', ["FLOW206"]),
    ('let y = Task.run("t")\nreturn JSON.stringify(y)', ["FLOW206"]),
    ('let z = Task.run("t")\nreturn z.trim()', ["FLOW206"]),
    ('let q = Task.run("t")\nawait Task.run("u", { q })', ["FLOW206"]),
    ('let r = Task.run("t")\nreturn { r }', ["FLOW206"]),
    ('let h = Task.run("t")\nlet all = await Promise.all([h])\nreturn all', []),
    ('let k = Task.run("t")\nlet jobs = [k]\nreturn await Promise.all(jobs)', []),
    # FLOW306: `Inputs` fields when `inputs` is declared.
    (with_inputs("  email: string", "return Inputs.emial"), ["FLOW306"]),
    (with_inputs("  email: string", "return Inputs.email"), []),
    (with_inputs("  email: string", "const { emial } = Inputs\nreturn emial"), ["FLOW306"]),
    ("return Inputs.emial", []),
    # FLOW307: signals when `signals` is declared.
    (
        '```yaml\nsignals:\n  approval: "{ ok: boolean }"\n```\nawait Signal.next("aproval")',
        ["FLOW307"],
    ),
    ('```yaml\nsignals:\n  approval: "{ ok: boolean }"\n```\nawait Signal.next("approval")', []),
    ('await Signal.next("aproval")', []),
    # FLOW308: returns against `output`.
    ('```yaml\noutput: "{ status: string }"\n```\nreturn { status: 1 }', ["FLOW308"]),
    ('```yaml\noutput: "{ status: string }"\n```\nreturn { status: "paid" }', []),
    ('```yaml\noutput: string\n```\nif (Inputs.x) return "a"', ["FLOW308"]),
    ('```yaml\noutput: string\n```\nif (Inputs.x) return "a"\nreturn "b"', []),
    ('```yaml\noutput: "string | null"\n```\nif (Inputs.x) return "a"', []),
    ('```yaml\noutput: string\n```\nif (Inputs.x) { return "a" } else { throw Error("no") }', []),
    ("```yaml\noutput: string\n```\nreturn", ["FLOW308"]),
    ("```yaml\noutput: string\n```\nreturn Inputs.anything", []),
    # FLOW403: comparisons whose operand types do not overlap.
    ('let count = 1\nreturn count == "3"', ["FLOW403"]),
    ("let count = 1\nreturn count == 3", []),
    ('return typeof Inputs.x == "undefined"', ["FLOW403"]),
    ('return typeof Inputs.x == "object"', []),
    ('let t = "a"\nreturn t != null', ["FLOW403"]),
    # FLOW404: fails for some possible types.
    (with_inputs("  note?: string", "return Inputs.note.trim()"), ["FLOW404"]),
    (with_inputs("  note?: string", 'return Inputs.note?.trim() ?? ""'), []),
    (with_inputs("  n?: number", "return Inputs.n + 1"), ["FLOW404"]),
    (with_inputs("  n?: number", "return (Inputs.n ?? 0) + 1"), []),
    (with_inputs("  n?: number", "return Math.floor(Inputs.n)"), ["FLOW404"]),
    (with_inputs("  v: number | string", "return Inputs.v.trim()"), ["FLOW404"]),
    (with_inputs('  o?: "{ a: number }"', "return Inputs.o.a"), ["FLOW404"]),
    # FLOW406: await of something certainly not a promise.
    ("return await 42", ["FLOW406"]),
    ("return await Inputs.x", []),
    ('let t = Inputs.flag ? Task.run("t") : 1\nreturn await t', []),
    # FLOW407: duplicate keys.
    ("return { a: 1, a: 2 }", ["FLOW407"]),
    ("return { a: 1, b: 2 }", []),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_each_code_fires_where_it_should_and_only_there(text: str, expected: list[str]) -> None:
    assert codes(text) == expected


def test_an_operator_error_names_both_operand_types() -> None:
    text = 'return "5" - 2'
    found = only(text, "FLOW201")
    assert found.message == 'operator `-` cannot be applied to `"5"` and `2`'
    assert covered(text, found) == "-"
    assert "Number(...)" in (found.help or "")


def test_chained_comparison_help_says_comparisons_do_not_chain() -> None:
    found = only("return 1 < 2 < 3", "FLOW201")
    assert found.message == "operator `<` cannot be applied to `boolean` and `3`"
    assert "a < b && b < c" in (found.help or "")


def test_a_misspelt_method_suggests_the_right_one() -> None:
    text = 'return "abc".toUppercase()'
    found = only(text, "FLOW204")
    assert found.message == 'property `toUppercase` does not exist on `"abc"`'
    assert found.help == "did you mean `toUpperCase`?"
    assert covered(text, found) == "toUppercase"


def test_callback_methods_get_the_for_of_help() -> None:
    found = only("return [1].map", "FLOW204")
    assert "for…of" in (found.help or "")


def test_a_forgotten_await_on_a_property_read_shows_the_parenthesised_fix() -> None:
    text = 'return await Task.run("t").value'
    found = only(text, "FLOW206")
    assert found.message == "`Task.run(...)` is a promise: did you forget `await`?"
    assert found.help == "write `(await Task.run(...)).value`"
    assert covered(text, found) == 'Task.run("t")'


def test_an_undeclared_input_suggests_the_declared_one() -> None:
    text = with_inputs("  email: string", "return Inputs.emial")
    found = only(text, "FLOW306")
    assert found.help == "did you mean `email`?"
    assert covered(text, found) == "emial"


def test_a_duplicate_key_labels_the_first_one() -> None:
    text = "return { a: 1, a: 2 }"
    found = only(text, "FLOW407")
    assert text[found.span.start : found.span.end] == "a"
    assert found.span.start == text.rindex("a:")
    assert found.labels[0].span.start == text.index("a:")


def test_a_bad_duration_is_quoted_as_the_runtime_would() -> None:
    found = only('await Timer.delay("5 minutes")', "FLOW203")
    assert found.message == '`Timer.delay`: invalid duration "5 minutes"'


def test_an_unknown_option_suggests_the_nearest() -> None:
    text = 'await Task.run("t", {}, { retires: 3 })'
    found = only(text, "FLOW203")
    assert found.message == "unknown option `retires` for `Task.run`"
    assert found.help == "did you mean `retries`?"
    assert covered(text, found) == "retires"


def test_an_unknown_option_without_a_near_name_lists_the_options() -> None:
    found = only('await Task.run("t", {}, { retry: 3 })', "FLOW203")
    assert found.help is not None and "`retries`" in found.help


def test_too_many_arguments_marks_the_extra_ones() -> None:
    text = "return Math.floor(1, 2)"
    found = only(text, "FLOW202")
    assert found.message == "`Math.floor` expects 1 argument, got 2"
    assert covered(text, found) == "2"


def test_the_end_of_a_program_without_return_is_reported_once() -> None:
    text = '```yaml\noutput: string\n```\nlet x = 1\nif (Inputs.a) return "a"'
    found = only(text, "FLOW308")
    assert "can end without `return`" in found.message
    assert found.labels[0].message == "`output` declared here"


def test_a_value_that_may_be_null_warns_once_with_the_optional_chain_help() -> None:
    text = with_inputs("  note?: string", "return Inputs.note.trim()")
    found = only(text, "FLOW404")
    assert found.severity.value == "warning"
    assert "?.trim" in (found.help or "")
