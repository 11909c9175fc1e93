"""Steps, snapshots and limits (LANGUAGE.md §10.3, §10.5, §10.8, §8.6, §8.7): yielding and
resuming, the execution's failures and where they point, the promise table's compaction, and
the machinery that makes it all fast."""

from __future__ import annotations

import json

import pytest
from test_vm_host import FakeHost, compile_source, drive

from flowlang.compiler.bytecode import OPCODES
from rhythm.vm import Limits, SnapshotMismatch, run_step
from rhythm.vm_cow import writable_parent, writable_receiver
from rhythm.vm_decode import NUMBERS

LOOP = "let n = 0\nlet i = 0\nwhile (i < 1000) { n += i; i++ }\nreturn n"


def test_a_step_over_its_instruction_budget_yields_and_resumes() -> None:
    run = drive(LOOP, limits=Limits(instructions_per_step=500))
    assert run.result.output == 499500
    statuses = [step.status for step in run.steps]
    assert statuses[-1] == "completed" and set(statuses[:-1]) == {"yielded"}
    assert len(statuses) > 10
    assert all(step.snapshot is not None for step in run.steps[:-1])


def test_the_instructions_of_an_execution_are_counted_across_steps() -> None:
    small = drive(LOOP, limits=Limits(instructions_per_step=500))
    whole = run_step(compile_source(LOOP), None, FakeHost())
    counted = small.steps[-2].snapshot["counters"]["instructions"]  # type: ignore[index]
    assert whole.status == "completed" and 0 < counted < 20_000


def test_an_execution_over_its_instruction_budget_fails_uncatchably() -> None:
    source = 'let log = []\ntry { while (true) { log.push(1) } } finally { Task.run("never") }'
    run = drive(source, limits=Limits(instructions_per_step=400, instructions_per_execution=1000))
    assert run.result.status == "failed"
    assert run.result.output == {
        "type": "InstructionLimitExceeded",
        "message": "Execution exceeded its budget of 1000 instructions",
        "limit": 1000,
    }
    assert run.effects == []  # no finally ran
    assert run.result.error_location is not None


def test_a_step_yields_after_its_effects_limit() -> None:
    source = 'let i = 0\nwhile (i < 5) { Task.run("t" + i); i++ }\nreturn i'
    run = drive(source, limits=Limits(effects_per_step=2))
    assert [len(step.effects) for step in run.steps] == [2, 2, 1]
    assert [step.status for step in run.steps] == ["yielded", "yielded", "completed"]
    assert [effect["id"] for effect in run.effects] == [f"ex:{n}" for n in range(1, 6)]


def test_a_snapshot_over_its_limit_fails_uncatchably() -> None:
    source = (
        'let s = "0123456789"\nlet i = 0\nwhile (i < 7) { s = s + s; i++ }\n'
        'try { await Timer.delay(1) } catch (e) { return "caught" } finally { return "finally" }'
    )
    run = drive(source, limits=Limits(snapshot_bytes=1000))
    result = run.result
    assert result.status == "failed"
    size = result.output["size"]
    assert size > 1280
    assert result.output == {
        "type": "SnapshotTooLarge",
        "message": f"Workflow state is {size} bytes, more than the limit of 1000 bytes",
        "size": size,
        "limit": 1000,
    }
    assert [effect["kind"] for effect in run.effects] == ["timer"]  # still committed


def test_a_runtime_error_points_at_the_failing_instruction() -> None:
    source = "let o = Inputs.o\nlet x = 1\nlet y = x +\n  o.missing.deeper"
    run = drive(source, inputs={"o": {}})
    assert run.result.status == "failed"
    assert run.result.output == {
        "type": "TypeError",
        "message": "Cannot read properties of null (reading 'deeper')",
    }
    assert run.result.error_location == {"line": 4, "column": 3, "end_line": 4, "end_column": 19}


def test_a_rethrow_from_finally_keeps_the_original_location() -> None:
    source = 'try {\n  throw Error("first")\n} finally {\n  let x = 1\n}'
    run = drive(source)
    assert run.result.error_location is not None
    assert run.result.error_location["line"] == 2


def test_a_snapshot_of_another_program_is_refused() -> None:
    first = run_step(compile_source('await Task.run("a")'), None, FakeHost())
    with pytest.raises(SnapshotMismatch, match="belongs to program"):
        run_step(compile_source('await Task.run("b")'), first.snapshot, FakeHost())
    with pytest.raises(SnapshotMismatch, match="format"):
        snapshot = dict(first.snapshot or {}, format=99)
        run_step(compile_source('await Task.run("a")'), snapshot, FakeHost())


def test_compaction_keeps_the_snapshot_size_constant_over_many_awaits() -> None:
    source = """
let kept = Task.run("kept")
let i = 0
while (i < 1000) {
  await Promise.race([Task.run("step"), Timer.delay("1h")])
  i++
}
return await kept
"""
    run = drive(source, results={"step": 1})
    assert run.result.output == "kept!"
    sizes = [len(json.dumps(step.snapshot)) for step in run.steps if step.snapshot]
    assert len(sizes) == 1000
    # Only the numbers grow (counters, ids, times): by a few digits, not with the history.
    assert sizes[-1] - sizes[10] < 32
    tables = [len(step.snapshot["promises"]) for step in run.steps if step.snapshot]
    assert set(tables) == {4}  # kept, and the pending race with its two members


def test_a_user_object_that_looks_like_a_promise_tag_survives_snapshots() -> None:
    source = 'let o = {"$promise": 0}\nawait Task.run("t")\nreturn o'
    assert drive(source).result.output == {"$promise": 0}


# -- machinery


def test_every_opcode_has_a_number() -> None:
    assert set(NUMBERS) == set(OPCODES)
    assert len(set(NUMBERS.values())) == len(NUMBERS)


def test_a_container_owned_by_its_slot_is_changed_in_place() -> None:
    items = [1, 2]
    slots: list[object] = [items]
    del items
    receiver = slots[0]
    assert writable_receiver(receiver) is receiver  # type: ignore[arg-type]


def test_a_container_something_else_refers_to_is_copied_first() -> None:
    shared = [1]
    slots: list[object] = [{"a": shared}]
    alias = slots[0]
    parent = writable_parent(slots, 0, ["a", 0])
    assert slots[0] is not alias and parent is not shared
    assert alias == {"a": [1]} and parent == [1]


def test_pushing_in_a_loop_is_linear() -> None:
    source = "let out = []\nlet i = 0\nwhile (i < 20000) { out.push(i); i++ }\nreturn out.length"
    program = compile_source(source)
    result = run_step(program, None, FakeHost(), Limits(instructions_per_step=10**7))
    assert result.output == 20000
    # Quadratic copying would charge (or take) hundreds of millions of steps.
    assert result.status == "completed"
