"""Workflow steps on the real store (LANGUAGE.md §8.3, §8.4, §9.2–§9.6, §10): tasks, children,
timers, signals, combinators and cancellation, each run by a real `Worker`."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections import Counter
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import psycopg
import pytest

import rhythm
from rhythm import app as app_module
from rhythm import client
from rhythm.models import Execution, ExecutionStatus
from rhythm.store.executions import wake
from rhythm.store.queue import Claimed, TaskResult, claim, record_results
from rhythm.store.steps import Lease
from rhythm.tasks import REGISTRY, task
from rhythm.vm import Limits
from rhythm.worker import Worker
from rhythm.worker_steps import StepDone, StepRunner, Takeover

FAST = {"lease": 2.0, "poll_interval": 0.2, "sweep_interval": 0.02, "shutdown_timeout": 5.0}
CHILDREN = "SELECT type, name, status FROM rhythm.executions WHERE parent_id = %s ORDER BY id"
TIMERS = "SELECT fired FROM rhythm.timers WHERE execution_id = %s"


@pytest.fixture(autouse=True)
def _fresh_process_state() -> Iterator[None]:
    REGISTRY.clear()
    yield
    app_module.shutdown()
    REGISTRY.clear()


@pytest.fixture
def tasks() -> None:
    @task
    def double(n: int) -> int:
        return n * 2

    @task
    def fail(message: str) -> None:
        raise ValueError(message)

    @task
    def slow(seconds: float) -> float:
        time.sleep(seconds)
        return seconds


def init(url: str, folder: Path, **workflows: str) -> rhythm.Application:
    for name, source in workflows.items():
        (folder / f"{name}.flow").write_text(source, encoding="utf-8")
    return rhythm.init(database_url=url, workflow_paths=[folder])


def drain(url: str) -> None:
    Worker(database_url=url, concurrency=4, **FAST).run_until_idle(timeout=20)  # type: ignore[arg-type]


def sql(url: str, query: str, *parameters: object) -> list[tuple[object, ...]]:
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(query, parameters).fetchall()  # type: ignore[arg-type]


def run(url: str, name: str, inputs: dict[str, object] | None = None) -> Execution:
    execution_id = client.workflows.run(name, inputs=inputs or {})
    drain(url)
    return client.executions.get(execution_id)


def test_sequential_and_parallel_tasks(migrated_url: str, tmp_path: Path, tasks: None) -> None:
    source = """
let a = await Task.run("double", { n: Inputs.n })
let both = await Promise.all([Task.run("double", { n: a }), Task.run("double", { n: 1 })])
return { a, both }
"""
    init(migrated_url, tmp_path, flow=source)
    execution = run(migrated_url, "flow", {"n": 5})
    assert execution.status == ExecutionStatus.COMPLETED
    assert execution.output == {"a": 10, "both": [20, 2]}
    children = sql(migrated_url, CHILDREN, execution.id)
    assert children == [("task", "double", "completed")] * 3


def test_a_failed_task_throws_at_the_await(migrated_url: str, tmp_path: Path, tasks: None) -> None:
    source = """
try {
  await Task.run("fail", { message: "card declined" }, { retries: 1, retryDelay: "10ms" })
} catch (e) {
  return e
}
"""
    init(migrated_url, tmp_path, flow=source)
    execution = run(migrated_url, "flow")
    output = execution.output
    assert (output["type"], output["message"], output["task"]) == (
        "ValueError",
        "card declined",
        "fail",
    )
    assert output["attempts"] == 2 and output["executionId"].startswith(execution.id)


def test_child_workflows_succeed_and_fail(migrated_url: str, tmp_path: Path, tasks: None) -> None:
    parent = """
let ok = await Workflow.run("child", { n: 3 })
try {
  await Workflow.run("child", { n: -1 })
} catch (e) {
  return { ok, failed: e }
}
"""
    child = """
```yaml
inputs:
  n: number
```
if (Inputs.n < 0) throw { type: "RangeError", message: "negative" }
return await Task.run("double", { n: Inputs.n })
"""
    init(migrated_url, tmp_path, parent=parent, child=child)
    execution = run(migrated_url, "parent")
    assert execution.output["ok"] == 6
    failed = execution.output["failed"]
    assert failed["type"] == "WorkflowFailed"
    assert failed["message"] == "Workflow 'child' failed: negative"
    assert failed["cause"] == {"type": "RangeError", "message": "negative"}


def test_a_child_with_invalid_inputs_fails_without_running(
    migrated_url: str, tmp_path: Path, tasks: None
) -> None:
    parent = """
let name = "child"
try { await Workflow.run(name, { n: "three" }) } catch (e) { return e.cause }
"""
    child = "```yaml\ninputs:\n  n: number\n```\nreturn Inputs.n\n"
    init(migrated_url, tmp_path, parent=parent, child=child)
    execution = run(migrated_url, "parent")
    assert execution.output["type"] == "TypeError"
    assert execution.output["message"].startswith("Invalid inputs: inputs.n")


def test_timers_fire_and_races_decide_by_settle_time(
    migrated_url: str, tmp_path: Path, tasks: None
) -> None:
    source = """
let started = Date.now()
await Timer.delay("150ms")
let waited = Date.now() - started
let r = await Promise.race_kv({ task: Task.run("slow", { seconds: 0.05 }), timer: Timer.delay(5) })
let slow = Task.run("slow", { seconds: 0.5 })
let t = await Promise.race_kv({ task: slow, timer: Timer.delay("50ms") })
return { waited, first: r.key, second: t.key }
"""
    init(migrated_url, tmp_path, flow=source)
    execution = run(migrated_url, "flow")
    assert execution.output["waited"] >= 150
    assert (execution.output["first"], execution.output["second"]) == ("task", "timer")
    assert sql(migrated_url, TIMERS, execution.id).count((True,)) == 2


def test_signals_are_buffered_first_in_first_out(
    migrated_url: str, tmp_path: Path, tasks: None
) -> None:
    source = """
let first = await Signal.next("item")
let second = await Signal.next("item")
let approval = await Signal.next("approval")
return [first, second, approval]
"""
    init(migrated_url, tmp_path, flow=source)
    execution_id = client.workflows.run("flow")
    client.signals.send(execution_id, "item", {"n": 1})  # before the workflow ever ran
    drain(migrated_url)
    assert client.executions.get(execution_id).status == ExecutionStatus.SUSPENDED
    client.signals.send(execution_id, "approval", True)
    client.signals.send(execution_id, "item", {"n": 2})
    drain(migrated_url)
    execution = client.executions.get(execution_id)
    assert execution.output == [{"n": 1}, {"n": 2}, True]


def test_a_signal_reaches_a_running_worker(migrated_url: str, tmp_path: Path, tasks: None) -> None:
    source = 'return await Signal.next("go")\n'
    init(migrated_url, tmp_path, flow=source)
    worker = Worker(database_url=migrated_url, concurrency=2, **FAST)  # type: ignore[arg-type]
    worker.start()
    try:
        execution_id = client.workflows.run("flow")
        _wait_for_status(execution_id, ExecutionStatus.SUSPENDED)
        client.signals.send(execution_id, "go", "now")
        assert client.executions.wait(execution_id, timeout=5).output == "now"
    finally:
        worker.stop()


@contextlib.contextmanager
def slow_polling_workers(url: str, queues: list[str], concurrency: int) -> Iterator[None]:
    """Workers of `queues` that poll only every 30 s, so that only announcements wake them;
    started, listening and past their first claim."""
    slow_poll = {**FAST, "poll_interval": 30.0}
    workers = [
        Worker(database_url=url, queue=queue, concurrency=concurrency, **slow_poll)  # type: ignore[arg-type]
        for queue in queues
    ]
    for worker in workers:
        worker.start()
    try:
        time.sleep(0.5)
        yield
    finally:
        for worker in workers:
            worker.stop()


def test_work_for_another_queue_wakes_its_worker_without_waiting_for_a_poll(
    migrated_url: str, tmp_path: Path, tasks: None
) -> None:
    """Steps and task results announce their new work after the commit (worker_announce):
    a worker of another queue, polling only every 30 s, still starts the task at once, and
    the workflow's worker resumes the workflow at once when that task finishes."""
    source = 'return await Task.run("double", { n: 21 }, { queue: "other" })\n'
    init(migrated_url, tmp_path, flow=source)
    with slow_polling_workers(migrated_url, ["default", "other"], concurrency=2):
        execution_id = client.workflows.run("flow")
        assert client.executions.wait(execution_id, timeout=5).output == 42


def test_a_full_worker_announces_its_queue_work_to_the_others(
    migrated_url: str, tmp_path: Path
) -> None:
    """A worker keeps the work of its own queue to itself while it has room; with none left,
    the other workers hear of it at once. Both tasks wait for each other, so they must run at
    the same time, on two workers of concurrency 1 that poll only every 30 s."""
    both_running = threading.Barrier(2, timeout=5)

    @task
    def meet() -> str:
        both_running.wait()
        return "met"

    source = 'return await Promise.all([Task.run("meet", {}), Task.run("meet", {})])\n'
    init(migrated_url, tmp_path, flow=source)
    with slow_polling_workers(migrated_url, ["default", "default"], concurrency=1):
        execution_id = client.workflows.run("flow")
        assert client.executions.wait(execution_id, timeout=10).output == ["met", "met"]


def test_promise_combinators_over_a_mix(migrated_url: str, tmp_path: Path, tasks: None) -> None:
    source = """
let settled = await Promise.allSettled({
  task: Task.run("double", { n: 2 }),
  failed: Task.run("fail", { message: "no" }),
  child: Workflow.run("child"),
  timer: Timer.delay("20ms"),
  plain: 7,
})
let any = await Promise.any([Task.run("fail", { message: "x" }), Task.run("double", { n: 4 })])
return { settled, any }
"""
    init(migrated_url, tmp_path, flow=source, child="return 'child done'\n")
    output = run(migrated_url, "flow").output
    assert output["any"] == 8
    settled = output["settled"]
    assert settled["task"] == {"status": "fulfilled", "value": 4}
    assert settled["failed"]["status"] == "rejected"
    assert settled["failed"]["reason"]["message"] == "no"
    assert settled["child"] == {"status": "fulfilled", "value": "child done"}
    assert settled["timer"] == {"status": "fulfilled", "value": None}
    assert settled["plain"] == {"status": "fulfilled", "value": 7}


def test_fire_and_forget_tasks_run_after_the_workflow_ends(
    migrated_url: str, tmp_path: Path, tasks: None
) -> None:
    source = 'Task.run("double", { n: 21 })\nreturn "done"\n'
    init(migrated_url, tmp_path, flow=source)
    execution = run(migrated_url, "flow")
    assert execution.output == "done"
    assert sql(migrated_url, CHILDREN, execution.id) == [("task", "double", "completed")]


def test_cancelling_a_suspended_workflow_reaches_children_and_timers(
    migrated_url: str, tmp_path: Path, tasks: None
) -> None:
    parent = """
Timer.delay("1h")
let child = Workflow.run("child")
return await Signal.next("never")
"""
    child = 'return await Signal.next("never")\n'
    init(migrated_url, tmp_path, parent=parent, child=child)
    worker = Worker(database_url=migrated_url, concurrency=2, **FAST)  # type: ignore[arg-type]
    worker.start()
    try:
        execution_id = client.workflows.run("parent")
        _wait_for_status(execution_id, ExecutionStatus.SUSPENDED)
        client.executions.cancel(execution_id)
        execution = client.executions.wait(execution_id, timeout=5)
    finally:
        worker.stop()
    assert execution.status == ExecutionStatus.FAILED
    assert execution.output == {"type": "CancelledError", "message": "Execution cancelled"}
    assert sql(migrated_url, CHILDREN, execution_id) == [("workflow", "child", "failed")]
    assert sql(migrated_url, TIMERS, execution_id) == []


def test_cancelling_while_a_step_runs_ends_it_after_the_step(
    migrated_url: str, tmp_path: Path, tasks: None
) -> None:
    source = """
let r = await Task.run("slow", { seconds: 0.3 })
return await Task.run("double", { n: 1 })
"""
    init(migrated_url, tmp_path, flow=source)
    worker = Worker(database_url=migrated_url, concurrency=2, **FAST)  # type: ignore[arg-type]
    worker.start()
    try:
        execution_id = client.workflows.run("flow")
        _wait_for_status(execution_id, ExecutionStatus.SUSPENDED)
        client.executions.cancel(execution_id)
        execution = client.executions.wait(execution_id, timeout=5)
    finally:
        worker.stop()
    assert execution.output == {"type": "CancelledError", "message": "Execution cancelled"}
    (slow,) = sql(migrated_url, CHILDREN, execution_id)
    assert slow == ("task", "slow", "failed")  # cancelled with its workflow


def test_a_yielding_step_is_resumed(migrated_url: str, tmp_path: Path, tasks: None) -> None:
    source = "let total = 0\nlet i = 0\nwhile (i < 30000) { total += i\n i += 1 }\nreturn total\n"
    init(migrated_url, tmp_path, flow=source)
    execution = run(migrated_url, "flow")
    assert execution.output == sum(range(30000))


TWO_TASKS = """
let both = await Promise.all([Task.run("double", { n: 1 }), Task.run("double", { n: 2 })])
return both
"""


def start_by_hand(url: str, tmp_path: Path, source: str) -> tuple[str, str, StepRunner]:
    """A workflow of `source` started, with the owner and the step runner a test drives its
    claims and steps with, one statement at a time."""
    init(url, tmp_path, flow=source)
    return client.workflows.run("flow", inputs={}), "test-owner", StepRunner(REGISTRY, Limits())


def test_a_wake_while_the_workflow_is_pending_is_not_lost(
    migrated_url: str, tmp_path: Path, tasks: None
) -> None:
    """A task result committed while its workflow is `pending` (woken by an earlier result,
    not claimed yet) must not be missed by the step that runs next. Interleaved by hand: the
    flusher's transaction finishing task B wakes the workflow, a claim and a step run before
    that transaction commits; the step must not read the outcomes without B and suspend for
    good (the wake has to hold the pending row until it commits, so the claim skips it)."""
    execution_id, owner, steps = start_by_hand(migrated_url, tmp_path, TWO_TASKS)
    with (
        psycopg.connect(migrated_url, autocommit=True) as flusher,
        psycopg.connect(migrated_url, autocommit=True) as stepper,
    ):
        (workflow,) = claim(stepper, "default", 10, owner, 30.0)
        assert steps.run(stepper, workflow, owner) is not None
        assert client.executions.get(execution_id).status == ExecutionStatus.SUSPENDED
        first, second = claim(stepper, "default", 10, owner, 30.0)
        with flusher.transaction():
            finish_and_wake(flusher, TaskResult(first.id, "completed", "2"), owner)
        assert client.executions.get(execution_id).status == ExecutionStatus.PENDING
        with flusher.transaction():
            finish_and_wake(flusher, TaskResult(second.id, "completed", "4"), owner)
            # Not committed yet: a worker claims and steps what it can meanwhile.
            for claimed in claim(stepper, "default", 10, owner, 30.0):
                steps.run(stepper, claimed, owner)
    drain(migrated_url)
    execution = client.executions.get(execution_id)
    assert (execution.status, execution.output) == (ExecutionStatus.COMPLETED, [2, 4])


def finish_and_wake(conn: psycopg.Connection, result: TaskResult, owner: str) -> None:
    """What a worker does with a task result when it does not step the workflow itself."""
    recorded = record_results(conn, [result], owner)
    wake(conn, recorded.parents, finished=recorded.finished)


def test_a_step_takes_over_as_many_tasks_as_it_is_granted(
    migrated_url: str, tmp_path: Path, tasks: None
) -> None:
    """Tasks a step starts on the worker's own queue are inserted `running` under its lease,
    up to the slots the worker grants; the rest stay pending for a claim."""
    source = """
let all = await Promise.all([
  Task.run("double", { n: 1 }), Task.run("double", { n: 2 }), Task.run("double", { n: 3 })
])
return all
"""
    execution_id, owner, steps = start_by_hand(migrated_url, tmp_path, source)
    asked: list[int] = []

    def reserve(wanted: int) -> int:
        asked.append(wanted)
        return 1

    takeover = Takeover("default", Lease(owner, 30.0), reserve)
    with psycopg.connect(migrated_url, autocommit=True) as conn:
        (workflow,) = claim(conn, "default", 10, owner, 30.0)
        done = steps.run(conn, workflow, owner, takeover)
    assert done is not None and asked == [3]
    (taken,) = done.taken
    assert (taken.type, taken.name, taken.attempt, taken.parent_id) == (
        "task",
        "double",
        1,
        execution_id,
    )
    rows = sql(
        migrated_url,
        "SELECT id, status, attempt, lease_owner FROM rhythm.executions "
        "WHERE parent_id = %s ORDER BY id",
        execution_id,
    )
    assert [row[1:] for row in rows if row[0] == taken.id] == [("running", 1, owner)]
    assert sorted(row[1:] for row in rows if row[0] != taken.id) == [("pending", 0, None)] * 2
    assert done.new_work == frozenset({"default"})  # the two left pending


def test_tasks_taken_over_by_steps_never_exceed_the_concurrency(
    migrated_url: str, tmp_path: Path
) -> None:
    """Async tasks: nothing but the worker's slots bounds how many run at once."""
    running, most = 0, 0

    @task
    async def busy(n: int) -> int:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(0.05)
        running -= 1
        return n

    source = """
let started = []
for (const n of [1, 2, 3, 4, 5, 6]) {
  started.push(Task.run("busy", { n }))
}
let all = await Promise.all(started)
return all.length
"""
    init(migrated_url, tmp_path, flow=source)
    ids = [client.workflows.run("flow", inputs={}) for _ in range(3)]
    Worker(database_url=migrated_url, concurrency=2, **FAST).run_until_idle(timeout=20)  # type: ignore[arg-type]
    assert [client.executions.get(i).output for i in ids] == [6, 6, 6]
    assert most <= 2


CHAIN = """
let i = 0
while (i < Inputs.steps) {
  await Task.run("double", { n: i })
  i++
}
return i
"""


def test_a_workflow_steps_in_the_transactions_that_record_its_results(
    migrated_url: str, tmp_path: Path, tasks: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A workflow awaiting its tasks one at a time is claimed from the queue once: each of its
    later steps runs in the flusher's transaction that records the task it awaited, and takes
    the next task over."""
    init(migrated_url, tmp_path, flow=CHAIN)
    worker = Worker(database_url=migrated_url, concurrency=4, **FAST)  # type: ignore[arg-type]
    claimed_steps = Counter[str]()
    run_claimed = worker._steps.run_claimed

    def counted(conn: psycopg.Connection, claimed: Sequence[Claimed], *rest: Any) -> StepDone:
        claimed_steps.update(c.id for c in claimed)
        return run_claimed(conn, claimed, *rest)

    monkeypatch.setattr(worker._steps, "run_claimed", counted)
    execution_id = client.workflows.run("flow", inputs={"steps": 25})
    worker.run_until_idle(timeout=20)
    assert client.executions.get(execution_id).output == 25
    assert claimed_steps == {execution_id: 1}


def test_results_step_a_workflow_only_once_nothing_it_started_is_left_running(
    migrated_url: str, tmp_path: Path, tasks: None
) -> None:
    """The transaction recording task results steps a woken workflow only when every task it
    started has finished; before that it is woken through the queue, so that the results of a
    fan-out share steps instead of each batch reading every outcome again."""
    execution_id, owner, steps = start_by_hand(migrated_url, tmp_path, TWO_TASKS)
    with psycopg.connect(migrated_url, autocommit=True) as conn:
        (workflow,) = claim(conn, "default", 10, owner, 30.0)
        steps.run(conn, workflow, owner)
        first, second = claim(conn, "default", 10, owner, 30.0)
        for task_claim, expected in ((first, set[str]()), (second, {execution_id})):
            with conn.transaction():
                result = TaskResult(task_claim.id, "completed", "1")
                recorded = record_results(conn, [result], owner)
                _, stepped = steps.run_woken(conn, recorded.parents, "default", None)
                assert stepped == expected
    assert client.executions.get(execution_id).output == [1, 1]


@pytest.mark.parametrize("batch", ["run_claimed", "run_woken"])
def test_a_batch_of_steps_that_fails_falls_back_to_one_step_at_a_time(
    migrated_url: str, tmp_path: Path, tasks: None, monkeypatch: pytest.MonkeyPatch, batch: str
) -> None:
    """Should the steps of a batch fail together (a fault outside any one workflow's step),
    the worker does not lose them: the claimed workflows step one by one in their slots, and
    the results are recorded alone, their workflows woken through the queue."""
    init(migrated_url, tmp_path, flow=CHAIN)
    worker = Worker(database_url=migrated_url, concurrency=4, **FAST)  # type: ignore[arg-type]
    batched = getattr(worker._steps, batch)
    failures = Counter[str]()

    def fails_once(*args: Any) -> Any:
        if not failures:
            failures[batch] += 1
            raise RuntimeError("a fault of the batch")
        return batched(*args)

    monkeypatch.setattr(worker._steps, batch, fails_once)
    ids = [client.workflows.run("flow", inputs={"steps": 3}) for _ in range(3)]
    worker.run_until_idle(timeout=20)
    assert failures == {batch: 1}
    assert [client.executions.get(i).output for i in ids] == [3, 3, 3]


def test_steps_after_results_leave_other_work_its_turn(
    migrated_url: str, tmp_path: Path, tasks: None
) -> None:
    """With one slot, a long sequential workflow started first does not keep a short one
    started after it waiting until it ends: the slot its task frees is claimed for the other
    workflow, and the long one's next task waits its turn in the queue."""
    init(migrated_url, tmp_path, flow=CHAIN)
    long = client.workflows.run("flow", inputs={"steps": 30})
    short = client.workflows.run("flow", inputs={"steps": 1})
    Worker(database_url=migrated_url, concurrency=1, **FAST).run_until_idle(timeout=20)  # type: ignore[arg-type]
    finished = dict(sql(migrated_url, "SELECT id, finished_at FROM rhythm.executions"))
    assert finished[short] < finished[long]


def test_an_idempotency_key_makes_a_task_run_once(migrated_url: str, tmp_path: Path) -> None:
    """LANGUAGE.md §9.2: a start whose key an execution holds (one that has not failed)
    follows that execution: in one step, in later steps, and across workflows."""
    runs = Counter[int]()

    @task
    def charge(n: int) -> int:
        runs[n] += 1
        return n * 10

    source = """
let key = { idempotencyKey: `charge-${Inputs.n}` }
let both = await Promise.all([Task.run("charge", { n: Inputs.n }, key),
                              Task.run("charge", { n: Inputs.n }, key)])
let again = await Task.run("charge", { n: Inputs.n }, key)
return [both, again]
"""
    init(migrated_url, tmp_path, flow=source)
    first = run(migrated_url, "flow", {"n": 1})
    second = run(migrated_url, "flow", {"n": 1})
    other = run(migrated_url, "flow", {"n": 2})
    assert first.output == second.output == [[10, 10], 10]
    assert other.output == [[20, 20], 20]
    assert runs == {1: 1, 2: 1}
    assert [row[0] for row in sql(migrated_url, "SELECT count(*) FROM rhythm.followers")] == [7]


def test_a_key_held_by_a_failed_execution_is_taken_anew(migrated_url: str, tmp_path: Path) -> None:
    attempts = Counter[str]()

    @task
    def flaky(key: str) -> str:
        attempts[key] += 1
        if attempts[key] == 1:
            raise ValueError("first time")
        return "ok"

    source = """
try {
  return await Task.run("flaky", { key: "k" }, { idempotencyKey: "k" })
} catch (e) {
  return e.message
}
"""
    init(migrated_url, tmp_path, flow=source)
    assert run(migrated_url, "flow").output == "first time"
    assert run(migrated_url, "flow").output == "ok"
    assert attempts == {"k": 2}


def test_a_child_workflow_follows_a_running_execution_holding_its_key(
    migrated_url: str, tmp_path: Path
) -> None:
    """The followed execution is still running when the child starts: its parent wakes when
    it finishes, and a failure names the execution followed."""
    source = {
        "gate": 'let go = await Signal.next("go")\nif (!go) throw Error("closed")\nreturn go\n',
        "flow": 'return await Workflow.run("gate", {}, { idempotencyKey: Inputs.key })\n',
    }
    init(migrated_url, tmp_path, **source)
    worker = Worker(database_url=migrated_url, concurrency=4, **FAST)  # type: ignore[arg-type]
    worker.start()
    try:
        gates = {key: client.workflows.run("gate", idempotency_key=key) for key in ("open", "shut")}
        parents = {key: client.workflows.run("flow", inputs={"key": key}) for key in gates}
        for parent in parents.values():
            _wait_for_status(parent, ExecutionStatus.SUSPENDED)
        client.signals.send(gates["open"], "go", "yes")
        client.signals.send(gates["shut"], "go", False)
        opened = client.executions.wait(parents["open"], timeout=10)
        shut = client.executions.wait(parents["shut"], timeout=10)
    finally:
        worker.stop()
    assert (opened.status, opened.output) == (ExecutionStatus.COMPLETED, "yes")
    assert shut.status == ExecutionStatus.FAILED
    assert shut.output["type"] == "WorkflowFailed"
    assert shut.output["executionId"] == gates["shut"]
    assert [row[0] for row in sql(migrated_url, CHILDREN, parents["open"])] == []


def _wait_for_status(execution_id: str, status: ExecutionStatus) -> None:
    deadline = time.monotonic() + 5
    while client.executions.get(execution_id).status != status:
        assert time.monotonic() < deadline, f"{execution_id} never became {status}"
        time.sleep(0.01)
