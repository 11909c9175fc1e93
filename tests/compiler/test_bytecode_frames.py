"""The stack map: every valid program gets one frame per reachable instruction, and a program
whose stack discipline is broken is refused on load, with the instruction and the reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import flowlang
from flowlang.compiler.bytecode import OPCODES, InvalidInstruction, Program
from flowlang.compiler.bytecode_frames import (
    ARRAY,
    ITERATOR,
    VALUE,
    Completion,
    Frame,
)

CORPUS = Path(__file__).parents[2] / "corpus" / "valid"


def _load(code: list[list[object]], constants: list[object] | None = None) -> Program:
    document = json.loads(flowlang.compile("return 1").to_json())
    document["code"] = code
    document["spans"] = [None] * len(code)
    document["constants"] = [None] if constants is None else constants
    return Program.from_json(json.dumps(document))


def test_every_opcode_of_the_valid_corpus_has_a_frame() -> None:
    reached: set[object] = set()
    for path in sorted(CORPUS.rglob("*.flow")):
        program = flowlang.compile(path.read_text(encoding="utf-8-sig"), path=str(path))
        frames = program.stack_map.frames
        reached |= {program.code[pc][0] for pc, frame in enumerate(frames) if frame is not None}
    extra = flowlang.compile("let xs = []\nlet ys = [1]\nxs.push(...ys)")
    reached |= {instruction[0] for instruction in extra.code}
    assert reached == set(OPCODES)


def test_frames_follow_a_for_loop_and_a_finally_block() -> None:
    program = flowlang.compile(
        "let n = 0\ntry {\n  for (const x of [1, 2]) n += x\n} finally {\n  n = -n\n}\nreturn n"
    )
    frames = program.stack_map.frames
    by_opcode = {
        str(program.code[pc][0]): frame for pc, frame in enumerate(frames) if frame is not None
    }
    setup = next(pc for pc, i in enumerate(program.code) if i[0] == "SETUP_TRY")
    finally_pc = program.code[setup][2]
    record = (None, finally_pc, 0)
    assert by_opcode["FOR_NEXT"] == Frame((ITERATOR,), (record,))
    assert by_opcode["END_FINALLY"] == Frame((Completion(finally_pc),), ())
    assert program.stack_map.resumes[finally_pc] == {
        program.code[pc][2] for pc, i in enumerate(program.code) if i[0] == "JUMP_FINALLY"
    }


def test_a_value_built_in_one_branch_joins_as_a_value() -> None:
    program = flowlang.compile("let c = Inputs.c\nlet v = c ? [1] : { a: 1 }\nreturn v")
    store = next(pc for pc, i in enumerate(program.code) if i[0] == "STORE_SLOT" and i[1] == 1)
    assert program.stack_map.frames[store] == Frame((VALUE,), ())
    build = next(pc for pc, i in enumerate(program.code) if i[0] == "BUILD_ARRAY")
    assert program.stack_map.frames[build + 1] == Frame((ARRAY,), ())


def test_unreachable_code_has_no_frame() -> None:
    program = _load([["LOAD_CONST", 0], ["RETURN"], ["POP"], ["RETURN"]])
    assert program.stack_map.frames[2:] == (None, None)


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ([["POP"], ["LOAD_CONST", 0], ["RETURN"]], "instruction 0: POP pops from an empty stack"),
        ([["RETURN"]], "RETURN pops from an empty stack"),
        ([["LOAD_CONST", 0], ["ROT", 2], ["RETURN"]], "ROT 2 on a stack of 1"),
        (
            [["LOAD_CONST", 0], ["GET_ITER", "of"], ["RETURN"]],
            "RETURN expects a value on the stack, not a loop iterator",
        ),
        (
            [["LOAD_CONST", 0], ["FOR_NEXT", 2], ["RETURN"]],
            "FOR_NEXT expects a loop iterator on the stack, not a value",
        ),
        (
            [["LOAD_CONST", 0], ["LOAD_CONST", 0], ["ARRAY_APPEND"], ["RETURN"]],
            "ARRAY_APPEND expects an array being built on the stack, not a value",
        ),
        (
            [["LOAD_CONST", 0], ["CALL_BUILTIN_SPREAD", "Math.floor"], ["RETURN"]],
            "expects an array being built",
        ),
        (
            [["LOAD_CONST", 0], ["END_FINALLY"]],
            "END_FINALLY expects a finally block's completion on the stack, not a value",
        ),
        ([["POP_TRY"], ["LOAD_CONST", 0], ["RETURN"]], "POP_TRY with no try region open"),
        (
            [["LOAD_CONST", 0], ["JUMP", 0]],
            "instruction 0 is reached with stacks of 0 and 1 entries",
        ),
        (
            [["LOAD_CONST", 0], ["POP_JUMP_IF_FALSE", 3], ["SETUP_TRY", None, 5]]
            + [["LOAD_CONST", 0], ["RETURN"], ["END_FINALLY"]],
            "instruction 3 is reached with different try regions open",
        ),
        (
            [["LOAD_CONST", 0], ["GET_ITER", "of"], ["LOAD_CONST", 0], ["JUMP", 1]],
            "instruction 1 is reached with stacks of 1 and 2 entries",
        ),
        (
            [["LOAD_CONST", 0], ["POP_JUMP_IF_FALSE", 5], ["BUILD_ARRAY", 0], ["GET_ITER", "of"]]
            + [["JUMP", 6], ["JUMP_FINALLY", 6, 6], ["POP"], ["LOAD_CONST", 0], ["RETURN"]],
            "instruction 6 is reached with the completion of the finally block at 6 and a loop"
            " iterator at stack position 0",
        ),
        (
            [["SETUP_TRY", None, 2], ["POP"], ["END_FINALLY"]],
            "POP pops from an empty stack",
        ),
    ],
)
def test_a_broken_stack_discipline_is_refused_on_load(
    code: list[list[object]], problem: str
) -> None:
    with pytest.raises(InvalidInstruction, match="invalid program") as raised:
        _load(code)
    assert problem in str(raised.value)
    assert str(raised.value).endswith("rebuild it with `flowc build`")
