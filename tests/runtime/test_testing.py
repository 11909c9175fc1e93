"""`rhythm.testing`: the in-memory runtime's contract (stubs, children, signals, virtual time,
inputs checks), and the models it returns."""

from __future__ import annotations

import pytest

import flowlang
from rhythm import Execution, ExecutionStatus, ExecutionType
from rhythm.declared_types import mismatch, parse_declared
from rhythm.testing import (
    EPOCH_MS,
    ROOT_EXECUTION_ID,
    RunawayWorkflowError,
    Runtime,
    UnknownTaskError,
    UnknownWorkflowError,
    run_workflow,
)


class CardDeclined(Exception):
    pass


def test_a_plain_program_completes_with_its_value() -> None:
    result = run_workflow("return [1, 2.5, Inputs.x]", inputs={"x": 3.0})
    assert (result.status, result.output) == ("completed", [1, 2.5, 3])
    assert type(result.output[2]) is int  # integral numbers from JSON are integers (§7.3)
    assert (result.id, result.type, result.inputs) == (ROOT_EXECUTION_ID, "workflow", {"x": 3})


def test_task_stubs_are_values_callables_and_exceptions() -> None:
    source = """
    let a = await Task.run("value")
    let b = await Task.run("call", { n: 2 })
    try { await Task.run("boom", {}, { retries: 2 }) } catch (e) { return [a, b, e] }
    """
    result = run_workflow(
        source,
        tasks={"value": "v", "call": lambda inputs: inputs["n"] * 10, "boom": CardDeclined("no")},
    )
    assert result.output == [
        "v",
        20,
        {
            "type": "CardDeclined",
            "message": "no",
            "task": "boom",
            "executionId": "run-1:3",
            "attempts": 3,
        },
    ]


def test_a_callable_gets_a_copy_of_the_inputs() -> None:
    def mutate(inputs: dict[str, list[int]]) -> list[int]:
        inputs["xs"].append(99)
        return inputs["xs"]

    source = 'let xs = [1]\nlet r = await Task.run("mutate", { xs })\nreturn [xs, r]'
    assert run_workflow(source, tasks={"mutate": mutate}).output == [[1], [1, 99]]


def test_retries_call_again_and_take_virtual_time() -> None:
    calls: list[int] = []

    def flaky(inputs: object) -> str:
        calls.append(1)
        if len(calls) < 3:
            raise ConnectionError("busy")
        return "ok"

    source = """
    let t0 = Date.now()
    let r = await Task.run("flaky", {}, { retries: 5, retryDelay: "10s" })
    return [r, Date.now() - t0]
    """
    assert run_workflow(source, tasks={"flaky": flaky}).output == ["ok", 30_000]
    assert len(calls) == 3


def test_an_exception_with_json_details_passes_them_on() -> None:
    error = ValueError("bad")
    error.details = {"field": "amount"}  # type: ignore[attr-defined]
    source = 'try { await Task.run("t") } catch (e) { return e.details }'
    assert run_workflow(source, tasks={"t": error}).output == {"field": "amount"}


def test_a_task_without_a_stub_is_named() -> None:
    with pytest.raises(UnknownTaskError, match="`charge-card`.*defined: `other`"):
        run_workflow('await Task.run("charge-card")', tasks={"other": 1})


def test_a_program_with_errors_raises_compile_error() -> None:
    with pytest.raises(flowlang.CompileError):
        run_workflow("let x = = 1")


def test_an_unknown_child_is_a_compile_error_and_a_computed_one_a_lookup_error() -> None:
    with pytest.raises(flowlang.CompileError):
        run_workflow('return await Workflow.run("missing")')
    with pytest.raises(UnknownWorkflowError, match="`missing`"):
        run_workflow("return await Workflow.run(Inputs.name)", inputs={"name": "missing"})


def test_children_run_as_executions_and_fail_as_workflow_failed() -> None:
    runtime = Runtime(workflows={"child": "if (Inputs.ok) return Inputs.n * 2\nthrow Error('no')"})
    source = """
    let good = await Workflow.run("child", { ok: true, n: 4 })
    try { await Workflow.run("child", { ok: false }) } catch (e) { return [good, e] }
    """
    result = runtime.run(source)
    assert result.output == [
        8,
        {
            "type": "WorkflowFailed",
            "message": "Workflow 'child' failed: no",
            "workflow": "child",
            "executionId": "run-1:2",
            "cause": {"type": "Error", "message": "no"},
        },
    ]
    child = runtime.executions["run-1:1"]
    assert (child.type, child.parent_id, child.output) == ("workflow", "run-1", 8)


def test_a_child_that_finishes_while_its_task_settles_runs_once() -> None:
    calls: list[object] = []
    child = 'Task.run("log", { n: 1 })\nreturn "done"'
    runtime = Runtime(workflows={"child": child}, tasks={"log": calls.append})
    result = runtime.run('let r = await Workflow.run("child")\nawait Timer.delay(5)\nreturn r')
    assert (result.output, calls) == ("done", [{"n": 1}])


def test_a_runtime_runs_each_workflow_afresh() -> None:
    runtime = Runtime(tasks={"t": 1})
    source = 'await Timer.delay("1h")\nreturn await Task.run("t")'
    first, second = runtime.run(source), runtime.run(source)
    assert first == second
    assert len(runtime.executions) == 2


def test_a_child_named_otherwise_than_its_key_is_refused() -> None:
    child = "```yaml\nname: other\n```\nreturn 1"
    with pytest.raises(ValueError, match="registered as `child` is named `other`"):
        run_workflow('return await Workflow.run("child")', workflows={"child": child})


def test_signals_are_buffered_per_name_first_in_first_out() -> None:
    source = 'return [await Signal.next("a"), await Signal.next("b"), await Signal.next("a")]'
    signals = [("a", 1), ("b", 2), ("a", 3)]
    assert run_workflow(source, signals=signals).output == [1, 2, 3]


def test_waiting_for_what_never_comes_is_suspended() -> None:
    result = run_workflow('let x = 1\nreturn await Signal.next("approval")')
    assert result.status == "suspended"
    assert result.waiting_for is not None and result.waiting_for["line"] == 2


def test_the_clock_jumps_to_the_next_timer_and_races_follow_settle_times() -> None:
    source = """
    let t0 = Date.now()
    let slow = Timer.delay("1h")
    let r = await Promise.race_kv({ slow, fast: Timer.delay("1m") })
    await slow
    return [t0, r.key, Date.now() - t0]
    """
    assert run_workflow(source).output == [EPOCH_MS, "fast", 3_600_000]


def test_inputs_are_checked_against_the_declared_type() -> None:
    source = "```yaml\ninputs:\n  owner:\n    email: string\n```\nreturn Inputs.owner.email"
    with pytest.raises(ValueError, match=r"inputs\.owner\.email: expected string, got number"):
        run_workflow(source, inputs={"owner": {"email": 7}})
    assert run_workflow(source, inputs={"owner": {"email": "a@b"}}).output == "a@b"


def test_signals_are_checked_against_the_declared_types() -> None:
    source = '```yaml\nsignals:\n  go: "{ ok: boolean }"\n```\nreturn await Signal.next("go")'
    with pytest.raises(ValueError, match="accepts no signal `stop`"):
        run_workflow(source, signals=[("stop", None)])
    with pytest.raises(ValueError, match=r"payload\.ok: expected boolean, got string"):
        run_workflow(source, signals=[("go", {"ok": "yes"})])


def test_a_workflow_looping_on_timers_forever_is_stopped() -> None:
    with pytest.raises(RunawayWorkflowError):
        Runtime(max_steps=50).run('while (true) await Timer.delay("1d")')


def test_failures_carry_the_location_of_the_throw() -> None:
    result = run_workflow('let x = 1\n  throw Error("bad")')
    assert (result.status, result.output) == ("failed", {"type": "Error", "message": "bad"})
    assert result.error_location is not None and result.error_location["line"] == 2


def test_in_memory_and_durable_runs_agree() -> None:
    source = 'let a = [1, await Task.run("t"), 3]\nreturn a'
    straight = Runtime(tasks={"t": 2}, durable=False).run(source)
    durable = Runtime(tasks={"t": 2}).run(source)
    assert straight.output == durable.output == [1, 2, 3]


# -- declared types (§4.5)


@pytest.mark.parametrize(
    ("declared", "value", "problem"),
    [
        ("{ a: string }", {"a": "x"}, None),
        ("{ a: string }", {}, "v.a: missing (expected string)"),
        ("{ a: string }", {"a": "x", "b": 1}, "v.b: unexpected key"),
        ("{ a?: string }", {"a": None}, None),
        ("{ [key: string]: number }", {"x": 1, "y": "2"}, "v.y: expected number, got string"),
        ("number[]", [1, 2.5, True], "v[2]: expected number, got boolean"),
        ("[string, number]", ["a"], "v: expected 2 elements, got 1"),
        ("'a' | 'b'", "c", 'v: expected "a" | "b", got string "c"'),
        ("{ x: number } | null", {"x": "1"}, "v.x: expected number, got string"),
        ("1 | 2", 2.0, None),
        ("boolean", 1, "v: expected boolean, got number"),
        ("any", {"anything": [None]}, None),
    ],
)
def test_values_are_matched_against_declared_types(
    declared: str, value: object, problem: str | None
) -> None:
    declared_type = parse_declared(declared)
    assert declared_type is not None
    assert mismatch(value, declared_type, "v") == problem


# -- models


def test_executions_round_trip_through_json_keeping_key_order() -> None:
    execution = run_workflow("return { b: 1, a: [2, { d: 3, c: 4 }] }")
    again = Execution.from_json(execution.to_json())
    assert again == execution
    assert list(again.output) == ["b", "a"]
    assert again.status is ExecutionStatus.COMPLETED and again.type is ExecutionType.WORKFLOW
    assert ExecutionStatus.COMPLETED.is_final and not ExecutionStatus.SUSPENDED.is_final
