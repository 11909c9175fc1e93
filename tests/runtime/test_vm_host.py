"""The VM against a tiny fake host: what crosses the boundary (effects, ids, clock, inputs,
context, outcomes), and the driver the other VM tests share."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import flowlang
from flowlang.compiler.bytecode import Program
from rhythm.promises import Outcome
from rhythm.vm import Limits, StepResult, run_step

START = 1_000_000
DEFAULT_LIMITS = Limits()


@dataclass
class FakeHost:
    """Tasks and children settle when the driver says so; timers at their due time; signals
    from `signals` (name -> payloads, claimed in order)."""

    clock: int = START
    given_inputs: Any = field(default_factory=dict)
    outcomes: dict[str, Outcome] = field(default_factory=dict)
    signals: dict[str, list[Any]] = field(default_factory=dict)

    def now(self) -> int:
        return self.clock

    def inputs(self) -> Any:
        return self.given_inputs

    def context(self) -> dict[str, Any]:
        return {
            "executionId": "ex",
            "workflowName": "test",
            "parentExecutionId": None,
            "startedAt": START,
        }

    def leaf_outcome(self, record: dict[str, Any]) -> Outcome | None:
        if record["kind"] == "timer":
            due = record["due"]
            return Outcome(True, None, due) if due <= self.clock else None
        if record["kind"] == "signal":
            sent = self.signals.get(record["name"], [])
            if record["claim"] < len(sent):
                return Outcome(True, sent[record["claim"]], record["claimed_at"])
            return None
        return self.outcomes.get(record["id"])


@dataclass
class Run:
    result: StepResult
    steps: list[StepResult]
    host: FakeHost

    @property
    def effects(self) -> list[dict[str, Any]]:
        return [effect.record for step in self.steps for effect in step.effects]


def compile_source(source: str) -> Program:
    return flowlang.compile(source)


def drive(
    source: str | Program,
    *,
    results: Mapping[str, Any] | None = None,
    failures: Mapping[str, dict[str, Any]] | None = None,
    inputs: Any = None,
    signals: dict[str, list[Any]] | None = None,
    limits: Limits = DEFAULT_LIMITS,
    max_steps: int = 10_000,
) -> Run:
    """Run to the end: after every step, settle its tasks (10 ms each, in order: `results` by
    name, else `failures`, else the name + "!"), advance the clock to a timer awaited on,
    and resume from the snapshot after a JSON round trip."""
    program = compile_source(source) if isinstance(source, str) else source
    host = FakeHost(given_inputs=inputs or {}, signals=signals or {})
    snapshot = None
    steps: list[StepResult] = []
    for _ in range(max_steps):
        result = run_step(program, snapshot, host, limits)
        steps.append(result)
        _settle(host, result, results or {}, failures or {})
        if result.status in ("completed", "failed"):
            return Run(result, steps, host)
        waited = result.waiting_for["promise"] if result.waiting_for else None
        if waited is not None and waited["kind"] == "timer":
            host.clock = max(host.clock, waited["due"])
        elif result.status == "suspended" and not result.effects:
            return Run(result, steps, host)  # nothing will ever settle it
        snapshot = json.loads(json.dumps(result.snapshot))
    raise AssertionError("the program did not end")


def _settle(
    host: FakeHost,
    result: StepResult,
    results: Mapping[str, Any],
    failures: Mapping[str, dict[str, Any]],
) -> None:
    for effect in result.effects:
        record = effect.record
        if effect.kind not in ("task", "workflow"):
            continue
        host.clock += 10
        name = record["name"]
        if name in failures:
            host.outcomes[record["id"]] = Outcome(False, failures[name], host.clock)
        else:
            value = results.get(name, name + "!")
            host.outcomes[record["id"]] = Outcome(True, value, host.clock)


def output(source: str, **options: Any) -> Any:
    run = drive(source, **options)
    assert run.result.status == "completed", run.result
    return run.result.output


# -- the boundary


def test_a_task_is_an_effect_with_an_id_numbered_per_execution() -> None:
    run = drive('Task.run("a", {x: 1}, {retries: 2})\nreturn await Task.run("b")')
    assert run.result.output == "b!"
    first, second = run.effects
    assert first == {
        "kind": "task",
        "id": "ex:1",
        "name": "a",
        "inputs": {"x": 1},
        "options": {"retries": 2},
        "created_at": START,
    }
    assert second["id"] == "ex:2"


def test_effects_are_returned_by_the_step_that_created_them() -> None:
    run = drive('let a = await Task.run("a")\nlet b = Task.run("b")\nreturn [a, await b]')
    assert [[e.record["name"] for e in step.effects] for step in run.steps] == [["a"], ["b"], []]
    assert run.result.output == ["a!", "b!"]


def test_inputs_and_context_come_from_the_host() -> None:
    source = "return [Inputs.n + 1, Context.executionId, Context.startedAt]"
    assert output(source, inputs={"n": 41}) == [42, "ex", START]


def test_the_clock_is_read_at_the_call() -> None:
    source = 'let t0 = Date.now()\nawait Timer.delay("2s")\nreturn [t0, Date.now() - t0]'
    assert output(source) == [START, 2000]


def test_a_timer_records_its_due_time() -> None:
    run = drive('await Timer.delay("1m")\nreturn 1')
    assert run.effects == [{"kind": "timer", "id": "ex:1", "due": START + 60_000}]


def test_signals_are_claimed_in_order_per_name() -> None:
    source = (
        'let a = Signal.next("go")\nlet b = Signal.next("go")\nlet c = Signal.next("stop")\n'
        "return [await b, await a, await c]"
    )
    run = drive(source, signals={"go": [1, 2], "stop": ["s"]})
    assert run.result.output == [2, 1, "s"]
    assert [(e["name"], e["claim"]) for e in run.effects] == [("go", 0), ("go", 1), ("stop", 0)]


def test_a_rejected_await_throws_the_failure_object() -> None:
    failure = {"type": "ValueError", "message": "declined", "task": "charge"}
    source = 'try { await Task.run("charge") } catch (e) { return e }'
    assert output(source, failures={"charge": failure}) == failure


def test_a_combinator_is_decided_by_settle_time() -> None:
    source = 'return await Promise.race_kv({slow: Timer.delay("1h"), fast: Task.run("t")})'
    assert output(source) == {"key": "fast", "value": "t!"}


def test_a_suspension_says_where_and_on_what() -> None:
    source = 'let x = 1\nlet r = await Task.run("charge-card")\nreturn r'
    first = run_step(compile_source(source), None, FakeHost())
    assert first.status == "suspended"
    waiting = first.waiting_for
    assert waiting is not None
    assert waiting["description"] == 'Task.run("charge-card")'
    assert (waiting["line"], waiting["column"]) == (2, 9)
    assert waiting["promise"]["name"] == "charge-card"
    assert first.snapshot is not None and first.snapshot["waiting_for"] == waiting
    json.dumps(first.snapshot)  # plain JSON
