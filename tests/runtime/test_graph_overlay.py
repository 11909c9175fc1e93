"""How an execution's progress maps onto its graph: pure logic over what the store returns
(the database side is tested end to end in test_rhythm_graph.py)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import flowlang
from rhythm.graph_overlay import Progress, caption, node_states, workflow_graph
from rhythm.models import Execution, ExecutionStatus, ExecutionType
from rhythm.store.inspection import Child, TimerState

COMPLETED, FAILED, CURRENT, NOT_REACHED = "completed", "failed", "current", "not reached"


def states_of(
    source: str,
    status: ExecutionStatus = ExecutionStatus.SUSPENDED,
    *,
    children: list[tuple[str, str, str]] = (),  # type: ignore[assignment]
    timers: list[bool] = (),  # type: ignore[assignment]
    signals: dict[str, int] | None = None,
    waiting_for: dict[str, Any] | None = None,
    error_location: dict[str, int] | None = None,
) -> dict[str, str]:
    """Each node's `kind label` (numbered `#2`, `#3` when repeated) -> its state, or "" when
    the progress says nothing about it."""
    graph = workflow_graph(flowlang.compile(source, path="wf.flow"))
    execution = Execution(
        id="e",
        type=ExecutionType.WORKFLOW,
        name="wf",
        status=status,
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        waiting_for=waiting_for,
        error_location=error_location,
    )
    progress = Progress(
        execution,
        [Child(f"e:{n}", type_, name, state) for n, (type_, name, state) in enumerate(children)],
        [TimerState(f"e:t{n}", elapsed) for n, elapsed in enumerate(timers)],
        signals or {},
    )
    states = node_states(graph, progress)
    shown: dict[str, str] = {}
    for node in graph.nodes:
        key, count = f"{node.kind} {node.label}", 1
        while key in shown:
            count += 1
            key = f"{node.kind} {node.label}#{count}"
        shown[key] = states[node.id].value if node.id in states else ""
    return shown


def waiting_at(source: str, code: str, promise: dict[str, Any]) -> dict[str, Any]:
    start = source.index(code)
    return {"promise": promise, "description": "…", "span": [start, start + len(code)]}


def test_calls_of_one_task_go_to_its_nodes_in_call_order() -> None:
    source = """
await Task.run("notify", { step: 1 })
try { await Task.run("charge") } catch { }
await Task.run("notify", { step: 2 })
await Task.run("ship")
"""
    children = [
        ("task", "notify", "completed"),
        ("task", "charge", "failed"),
        ("task", "notify", "running"),
    ]
    states = states_of(source, children=children)
    assert states == {
        "start start": COMPLETED,
        "task notify": COMPLETED,
        "task charge": FAILED,
        "catch catch": COMPLETED,
        "task notify#2": CURRENT,
        "task ship": NOT_REACHED,
        "end end": NOT_REACHED,
    }


def test_a_loop_calls_its_task_many_times_and_shows_the_latest() -> None:
    source = 'for (const x of Inputs.xs) await Task.run("resize", { x })\nreturn 1\n'

    retried = [("task", "resize", "failed"), ("task", "resize", "completed")]
    assert states_of(source, children=retried)["task resize"] == COMPLETED
    working = [("task", "resize", "completed"), ("task", "resize", "pending")]
    assert states_of(source, children=working) == {
        "start start": COMPLETED,
        "loop for x of Inputs.xs": COMPLETED,
        "task resize": CURRENT,
        "return return 1": NOT_REACHED,
        "end end": NOT_REACHED,
    }


def test_a_name_no_node_spells_goes_to_the_nodes_that_compute_their_name() -> None:
    source = """
let step = Inputs.step
await Workflow.run(step)
await Workflow.run("audit")
"""
    children = [("workflow", "refund", "completed"), ("workflow", "audit", "suspended")]
    states = states_of(source, children=children)
    assert (states["workflow step"], states["workflow audit"]) == (COMPLETED, CURRENT)


def test_timers_and_signals() -> None:
    source = """
await Timer.delay("1s")
await Signal.next("go")
await Timer.delay("1h")
await Signal.next("stop")
"""
    states = states_of(source, timers=[True, False], signals={"go": 1})
    assert [states[key] for key in ("timer delay 1s", "signal go", "timer delay 1h")] == [
        COMPLETED,
        COMPLETED,
        CURRENT,
    ]
    assert states["signal stop"] == NOT_REACHED


def test_the_wait_marks_the_combinator_and_the_unanswered_signal_claim() -> None:
    source = """
const approval = Signal.next("approval")
let r = await Promise.race_kv({ approval, timeout: Timer.delay("1d") })
if (r.key == "timeout") await Task.run("escalate")
"""
    code = 'await Promise.race_kv({ approval, timeout: Timer.delay("1d") })'
    promise = {
        "kind": "race_kv",
        "items": {
            "approval": {"kind": "signal", "id": "e:1", "name": "approval", "claim": 0},
            "timeout": {"kind": "timer", "id": "e:t0", "due": 1},
        },
    }
    states = states_of(source, timers=[False], waiting_for=waiting_at(source, code, promise))
    assert states == {
        "start start": COMPLETED,
        "signal approval": CURRENT,
        "fork Promise.race_kv": CURRENT,
        "promise approval": CURRENT,
        "timer delay 1d": CURRENT,
        "join Promise.race_kv": CURRENT,
        'decision r.key == "timeout"': "",
        "task escalate": NOT_REACHED,
        "end end": NOT_REACHED,
    }


def test_an_answered_claim_is_not_waited_for() -> None:
    source = 'const go = Signal.next("go")\nawait Promise.all([go, Task.run("work")])\n'
    code = 'await Promise.all([go, Task.run("work")])'
    promise = {
        "kind": "all",
        "items": [
            {"kind": "signal", "id": "e:1", "name": "go", "claim": 0},
            {"kind": "task", "id": "e:0", "name": "work"},
        ],
    }
    states = states_of(
        source,
        children=[("task", "work", "running")],
        signals={"go": 1},
        waiting_for=waiting_at(source, code, promise),
    )
    assert (states["signal go"], states["task work"]) == (COMPLETED, CURRENT)


def test_a_pending_execution_has_not_started() -> None:
    states = states_of('await Task.run("a")\n', ExecutionStatus.PENDING)
    assert states == {"start start": CURRENT, "task a": NOT_REACHED, "end end": NOT_REACHED}


def test_a_failed_execution_marks_the_throw_it_failed_at() -> None:
    source = 'let r = await Task.run("check")\nif (!r.ok) throw Error("bad")\nreturn r\n'
    location = {"line": 2, "column": 12, "end_line": 2, "end_column": 30}
    states = states_of(
        source,
        ExecutionStatus.FAILED,
        children=[("task", "check", "completed")],
        error_location=location,
    )
    assert states == {
        "start start": COMPLETED,
        "task check": COMPLETED,
        "decision !r.ok": COMPLETED,
        'throw throw Error("bad")': FAILED,
        "return return r": NOT_REACHED,
        "end end": NOT_REACHED,
    }


def test_a_completed_execution_reached_its_end() -> None:
    source = 'if (Inputs.x) await Task.run("a")\nelse await Task.run("b")\nreturn 1\n'
    states = states_of(source, ExecutionStatus.COMPLETED, children=[("task", "b", "completed")])
    assert states == {
        "start start": COMPLETED,
        "decision Inputs.x": COMPLETED,
        "task a": NOT_REACHED,
        "task b": COMPLETED,
        "return return 1": COMPLETED,
        "end end": COMPLETED,
    }


def test_the_caption_names_the_execution_and_where_it_waits() -> None:
    graph = workflow_graph(flowlang.compile('await Signal.next("go")\n', path="flows/wf.flow"))
    execution = Execution(
        id="e-1",
        type=ExecutionType.WORKFLOW,
        name="wf",
        status=ExecutionStatus.SUSPENDED,
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        waiting_for={"description": 'Signal.next("go")', "line": 1},
    )
    assert caption(graph, execution) == (
        'execution e-1: suspended, waiting for Signal.next("go") at flows/wf.flow:1'
    )
    assert graph.name == "wf"
