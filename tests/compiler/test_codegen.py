"""Codegen: every valid corpus program compiles to a program that verifies; the shapes of the
code for each construct are pinned by disassembly snapshots. What the code *does* is proven by
the VM's tests and the corpus run."""

from __future__ import annotations

from pathlib import Path

import pytest
from syrupy.assertion import SnapshotAssertion

import flowlang
from flowlang.compiler.bytecode import OPCODES, Program, disassemble
from flowlang.compiler.typesyntax import parse_type

CORPUS = Path(__file__).parents[2] / "corpus" / "valid"

# Instructions that can throw, await or start an effect must point at the source (§10.7).
_NEEDS_SPAN = frozenset(OPCODES) - {
    "POP",
    "ROT",
    "JUMP",
    "POP_JUMP_IF_FALSE",
    "JUMP_IF_FALSE_OR_POP",
    "JUMP_IF_TRUE_OR_POP",
    "JUMP_IF_NOT_NULL_OR_POP",
    "JUMP_IF_NULL",
    "FOR_NEXT",
    "SETUP_TRY",
    "POP_TRY",
    "JUMP_FINALLY",
    "END_FINALLY",
    "LOAD_CONST",
}


def _corpus_programs() -> list[Program]:
    return [
        flowlang.compile(path.read_text(encoding="utf-8-sig"), path=str(path))
        for path in sorted(CORPUS.rglob("*.flow"))
    ]


@pytest.fixture(scope="module")
def corpus_programs() -> list[Program]:
    return _corpus_programs()


def test_the_whole_valid_corpus_compiles_and_verifies(corpus_programs: list[Program]) -> None:
    assert len(corpus_programs) > 100
    for program in corpus_programs:
        assert Program.from_json(program.to_json()) == program, program.path


def test_every_instruction_that_can_fail_has_a_span(corpus_programs: list[Program]) -> None:
    for program in corpus_programs:
        for pc, instruction in enumerate(program.code[:-2]):  # the implicit `return null`
            if instruction[0] in _NEEDS_SPAN:
                assert program.spans[pc] is not None, (program.path, pc, instruction)


def test_every_opcode_is_emitted_by_codegen(corpus_programs: list[Program]) -> None:
    extra = flowlang.compile("let xs = []\nlet ys = [1]\nxs.push(...ys)")
    used = {i[0] for program in [*corpus_programs, extra] for i in program.code}
    assert used == set(OPCODES)


def test_declared_types_parse_back_unabbreviated() -> None:
    fields = ", ".join(f"f{i}: number" for i in range(10))
    program = flowlang.compile(
        f'```\ninputs: "{{ {fields}, \\"odd key\\"?: [string, -1.5 | true] }}"\n```\n'
    )
    text = program.types["inputs"]
    assert isinstance(text, str) and "..." not in text
    assert parse_type(text)[1] == []


def test_the_workflow_name_is_the_front_matter_name_then_the_file_stem() -> None:
    assert flowlang.compile("return 1", path="orders/charge.flow").workflow == "charge"
    assert flowlang.compile("```\nname: pay\n```\n", path="x.flow").workflow == "pay"
    assert flowlang.compile("return 1").workflow == "main"


def test_a_program_with_errors_raises_compile_error_errors_first() -> None:
    with pytest.raises(flowlang.CompileError) as raised:
        flowlang.compile("let unused = 1\nreturn nope", path="bad.flow")
    codes = [d.code for d in raised.value.diagnostics]
    assert codes == ["FLOW101", "FLOW402"]
    assert raised.value.path == "bad.flow"


def test_a_catalog_is_checked_when_compiling() -> None:
    catalog = {"format": "flow-task-catalog/1", "tasks": {}}
    with pytest.raises(flowlang.CompileError):
        flowlang.compile('await Task.run("missing")', catalog=catalog)


def test_constants_are_shared_but_kept_apart_by_type() -> None:
    program = flowlang.compile('return [1, 1, 1.5, "1", true, true, null]')
    assert program.constants == (1, 1.5, "1", True, None)


def test_deep_expressions_compile_without_recursion() -> None:
    program = flowlang.compile("let x = 1\nreturn " + " + ".join(["x"] * 5000))
    assert sum(1 for i in program.code if i[0] == "BINARY") == 4999


SNAPSHOTS = {
    "expressions": """
let a = [1, ...Inputs.xs, 2]
let o = { k: 1, [a[0]]: 2, ...Inputs, a }
let s = `x${a.length}y` + String(Inputs?.k.z ?? "d")
return !a || (s > "b" ? typeof o : -a[1])
""",
    "places": """
let o = { list: [], n: 0 }
o.list[o.n] = await Task.run("t")
o.n += 1
o.n++
o.list.push(1, ...o.list)
o?.list.reverse()
let q = null
q?.push(2)
return [o.list.pop(), Math.max(...o.list)]
""",
    "loops_and_patterns": """
let total = 0
for (const [k, { v = 1, ...rest }] of Object.entries(Inputs)) {
  if (k == "skip") continue
  total += v
}
for (const key in Inputs) { if (key == "stop") break }
let i = 0
while (i < 3) i++
let [first, , third = 0, ...others] = [1, 2]
return [total, first, third, others]
""",
    "try_finally": """
let log = []
for (const x of [1, 2]) {
  try {
    try { if (x == 1) continue; throw Error("e") }
    finally { log.push("inner") }
  } catch ({ message }) {
    log.push(message)
    break
  } finally {
    log.push("outer")
  }
}
try { await Timer.delay(1) } catch { return null }
return log
""",
}


@pytest.mark.parametrize("name", list(SNAPSHOTS))
def test_disassembly(name: str, snapshot: SnapshotAssertion) -> None:
    assert disassemble(flowlang.compile(SNAPSHOTS[name].lstrip(), path=f"{name}.flow")) == snapshot


def test_a_compile_error_reads_like_flowc_check() -> None:
    with pytest.raises(flowlang.CompileError) as raised:
        flowlang.compile("let total = 1\nreturn totl\n", path="order.flow")
    assert "error[FLOW101]: undefined name `totl`" in str(raised.value)
    assert "--> order.flow:2:8" in str(raised.value)
