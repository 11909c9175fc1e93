"""An in-memory runtime with virtual time, for testing workflows without a database.

```python
from rhythm.testing import run_workflow

result = run_workflow(source, inputs={"orderId": "o-1"}, tasks={"charge-card": {"ok": True}})
assert result.status == "completed"
```

It runs the real compiler and the real VM (`rhythm.vm.run_step`) as the Postgres runtime does,
with stand-ins for the outside world:

* **Durability.** Every step ends with its snapshot serialised to JSON text, and the next step
  starts a fresh `run_step` from that text parsed again: a workflow that passes here survives
  being suspended and resumed by another process.
* **Tasks** run when the step that started them commits, through the stubs of `tasks`
  (`rhythm.testing_tasks`). A task name without a stub raises `UnknownTaskError`.
* **Child workflows** are the sources of `workflows`, compiled together with the parent as one
  complete workflow set (so `Workflow.run` of an unknown name is a compile error); each runs as
  its own execution and settles its parent's promise (a failure as `WorkflowFailed`, §8.4).
* **Signals** of `signals` are sent to the workflow before it starts, in order, buffered per
  name first in first out (§9.5).
* **Time** is virtual: the clock starts at `EPOCH_MS` and stands still while anything can run;
  when nothing can, it jumps to the next moment something settles (a timer's due time, a retried
  task's last attempt). If there is no such moment, the workflow waits for something that can
  never come: `run_workflow` returns it with status `suspended` and `waiting_for` set.

The run ends when the workflow completes, fails or can never progress; children and tasks
still running then are abandoned (a finished workflow does not wait for what it started, §10.2).
"""

from __future__ import annotations

import copy
import heapq
import itertools
import json
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from flowlang.compiler.bytecode import Program
from rhythm.declared_types import mismatch, parse_declared
from rhythm.failures import workflow_failed
from rhythm.models import Execution, ExecutionStatus, ExecutionType, timestamp
from rhythm.promises import Outcome
from rhythm.testing_compile import compile_workflow_set
from rhythm.testing_tasks import TaskStub, UnknownTaskError, as_json, run_task
from rhythm.vm import Limits, StepResult, run_step

__all__ = [
    "EPOCH_MS",
    "ROOT_EXECUTION_ID",
    "Runtime",
    "RunawayWorkflowError",
    "UnknownTaskError",
    "UnknownWorkflowError",
    "run_workflow",
]

EPOCH_MS = 1_767_225_600_000  # 2026-01-01T00:00:00Z: where the virtual clock starts
ROOT_EXECUTION_ID = "run-1"
MAX_STEPS = 100_000  # per run: a workflow looping on timers forever would never end otherwise


class UnknownWorkflowError(LookupError):
    """The workflow started a child by a name computed at run time that `workflows` lacks."""


class RunawayWorkflowError(RuntimeError):
    """The run took `max_steps` steps without the workflow finishing or waiting for good."""


def run_workflow(
    source: str,
    *,
    inputs: Mapping[str, Any] | None = None,
    tasks: Mapping[str, TaskStub] | None = None,
    workflows: Mapping[str, str] | None = None,
    signals: Iterable[tuple[str, Any]] | None = None,
) -> Execution:
    """Compile `source` (and the child workflows of `workflows`, by name) and run it to its end
    in memory; see the module documentation. Raises `flowlang.CompileError` for a program with
    errors, `ValueError` for inputs or signals that do not match the declared types."""
    return Runtime(tasks=tasks, workflows=workflows).run(source, inputs=inputs, signals=signals)


@dataclass
class _Run:
    """One workflow execution in progress. `state` is the snapshot between steps: JSON text
    when durable, else the VM's own snapshot object."""

    id: str
    program: Program
    inputs: object
    parent_id: str | None
    created_at: int
    signals: dict[str, list[tuple[object, int]]]
    state: str | dict[str, Any] | None = None
    status: ExecutionStatus = ExecutionStatus.PENDING
    output: object = None
    waiting_for: dict[str, Any] | None = None
    error_location: dict[str, Any] | None = None
    queued: bool = False


class Runtime:
    """The machinery behind `run_workflow`, for tests that need more control.

    * `limits` — the `rhythm.Limits` the VM enforces (the budgets, and the sizes of task inputs
      and outputs), e.g. a small instruction budget to test `InstructionLimitExceeded` quickly.
    * `durable=False` hands each snapshot object to the next step unserialised: running
      "straight through", the reference the resume property test compares durable runs with.
    * `max_steps` bounds the steps of a run (`RunawayWorkflowError` beyond).

    One runtime may run many workflows, one after the other: each run starts afresh, at
    `EPOCH_MS`. After a run, `executions` holds every execution it created (the workflow, its
    children and each task, in creation order), and `now` the virtual clock.
    """

    def __init__(
        self,
        *,
        tasks: Mapping[str, TaskStub] | None = None,
        workflows: Mapping[str, str] | None = None,
        limits: Limits | None = None,
        durable: bool = True,
        max_steps: int = MAX_STEPS,
    ) -> None:
        self.tasks = dict(tasks or {})
        self.workflows = dict(workflows or {})
        self.limits = limits or Limits()
        self.durable = durable
        self.max_steps = max_steps
        self._start_afresh({})

    def _start_afresh(self, programs: dict[str, Program]) -> None:
        self.now = EPOCH_MS
        self.executions: dict[str, Execution] = {}
        self._programs = programs  # the children, by name
        self._runs: dict[str, _Run] = {}
        self._outcomes: dict[str, Outcome] = {}  # settled tasks and children, by record id
        self._ready: deque[_Run] = deque()
        self._wakeups: list[tuple[int, int, str]] = []  # (time, order, run id): a heap
        self._order = itertools.count()

    def run(
        self,
        source: str,
        *,
        path: str | None = None,
        inputs: Mapping[str, Any] | None = None,
        signals: Iterable[tuple[str, Any]] | None = None,
    ) -> Execution:
        """Run `source` (named after `path`'s stem, or its front-matter `name`) to its end."""
        program, children = compile_workflow_set(source, path, self.workflows)
        self._start_afresh(children)
        root = self._start(ROOT_EXECUTION_ID, program, _start_inputs(program, inputs), None)
        self._wake(root)
        _send_signals(root, program, signals or ())
        self._drive(root)
        return self.executions[root.id]

    # -- the loop

    def _drive(self, root: _Run) -> None:
        for _ in range(self.max_steps):
            if root.status.is_final:
                return
            if self._ready:
                self._step(self._ready.popleft())
            elif not self._advance_clock():
                return
        raise RunawayWorkflowError(
            f"the workflow ran {self.max_steps} steps without finishing or waiting for good "
            f"(virtual clock at {timestamp(self.now).isoformat()}); does it loop forever?"
        )

    def _step(self, run: _Run) -> None:
        run.queued = False
        if run.status.is_final:  # woken by an effect of its own last step
            return
        snapshot = json.loads(run.state) if isinstance(run.state, str) else run.state
        result = run_step(run.program, snapshot, _Host(self, run), self.limits)
        run.state = (
            json.dumps(result.snapshot, ensure_ascii=False, allow_nan=False)
            if self.durable and result.snapshot is not None
            else result.snapshot
        )
        for effect in result.effects:
            self._commit(run, effect.record)
        self._settle_step(run, result)

    def _settle_step(self, run: _Run, result: StepResult) -> None:
        if result.status == "yielded":
            self._wake(run)
        elif result.status == "suspended":
            run.status, run.waiting_for = ExecutionStatus.SUSPENDED, result.waiting_for
        else:
            run.status = ExecutionStatus(result.status)
            run.output, run.waiting_for = result.output, None
            run.error_location = result.error_location
            self._finish_child(run)
        self._record(run)

    def _advance_clock(self) -> bool:
        """Jump to the next wake-up and wake what waits for it; False when there is none."""
        if not self._wakeups:
            return False
        self.now = max(self.now, self._wakeups[0][0])
        while self._wakeups and self._wakeups[0][0] <= self.now:
            _, _, run_id = heapq.heappop(self._wakeups)
            self._wake(self._runs[run_id])
        return True

    def _wake(self, run: _Run) -> None:
        if not run.queued and not run.status.is_final:
            run.queued = True
            self._ready.append(run)

    def _wake_at(self, time: int, run: _Run) -> None:
        if time <= self.now:
            self._wake(run)
        else:
            heapq.heappush(self._wakeups, (time, next(self._order), run.id))

    # -- effects, committed with their step

    def _commit(self, run: _Run, record: Mapping[str, Any]) -> None:
        kind = record["kind"]
        if kind == "task":
            self._run_task(run, record)
        elif kind == "workflow":
            self._start_child(run, record)
        elif kind == "timer":
            self._wake_at(record["due"], run)
        elif self._signal_outcome(run, record) is not None:
            self._wake(run)

    def _run_task(self, run: _Run, record: Mapping[str, Any]) -> None:
        name = record["name"]
        if name not in self.tasks:
            raise UnknownTaskError(name, self.tasks)
        outcome = run_task(self.tasks[name], record, self.now)
        self._outcomes[record["id"]] = Outcome(outcome.ok, outcome.value, outcome.settled_at)
        self.executions[record["id"]] = Execution(
            id=record["id"],
            type=ExecutionType.TASK,
            name=name,
            status=ExecutionStatus.COMPLETED if outcome.ok else ExecutionStatus.FAILED,
            inputs=record["inputs"],
            output=outcome.value,
            attempt=outcome.attempts,
            parent_id=run.id,
            created_at=timestamp(self.now),
        )
        self._wake_at(outcome.settled_at, run)

    def _start_child(self, parent: _Run, record: Mapping[str, Any]) -> None:
        name = record["name"]
        program = self._programs.get(name)
        if program is None:
            known = ", ".join(f"`{n}`" for n in sorted(self._programs)) or "none"
            raise UnknownWorkflowError(
                f"the workflow started child workflow `{name}`, which `workflows` does not "
                f"define (defined: {known})"
            )
        child = self._start(record["id"], program, record["inputs"], parent.id)
        problem = _inputs_problem(program, record["inputs"])
        if problem is None:
            self._wake(child)
        else:  # §4.5: the child fails without running
            child.status = ExecutionStatus.FAILED
            child.output = {"type": "TypeError", "message": f"Invalid inputs: {problem}"}
            self._record(child)
            self._finish_child(child)

    def _finish_child(self, child: _Run) -> None:
        """Settle the parent's `Workflow.run` promise with the child's outcome (§8.4)."""
        if child.parent_id is None:
            return
        if child.status == ExecutionStatus.COMPLETED:
            outcome = Outcome(True, child.output, self.now)
        else:
            outcome = Outcome(False, _workflow_failed(child), self.now)
        self._outcomes[child.id] = outcome
        self._wake(self._runs[child.parent_id])

    def _start(self, run_id: str, program: Program, inputs: object, parent: str | None) -> _Run:
        run = _Run(run_id, program, inputs, parent, self.now, signals={})
        self._runs[run_id] = run
        self._record(run)
        return run

    def _record(self, run: _Run) -> None:
        self.executions[run.id] = Execution(
            id=run.id,
            type=ExecutionType.WORKFLOW,
            name=run.program.workflow,
            status=run.status,
            inputs=run.inputs,
            output=run.output,
            parent_id=run.parent_id,
            created_at=timestamp(run.created_at),
            waiting_for=run.waiting_for,
            error_location=run.error_location,
        )

    # -- what the VM asks

    def leaf_outcome(self, run: _Run, record: Mapping[str, Any]) -> Outcome | None:
        """The outcome of a settled task, child, timer or signal claim; None while pending."""
        kind = record["kind"]
        if kind == "timer":
            due = record["due"]
            return Outcome(True, None, due) if due <= self.now else None
        if kind == "signal":
            return self._signal_outcome(run, record)
        outcome = self._outcomes.get(record["id"])
        if outcome is None or outcome.settled_at > self.now:
            return None
        return Outcome(outcome.ok, copy.deepcopy(outcome.value), outcome.settled_at)

    def _signal_outcome(self, run: _Run, record: Mapping[str, Any]) -> Outcome | None:
        """Claim k of a name takes the k-th signal of that name (FIFO); it settles at the later
        of the send and the claim (§10.4)."""
        sent = run.signals.get(record["name"], [])
        claim = record["claim"]
        if claim >= len(sent):
            return None
        payload, sent_at = sent[claim]
        return Outcome(True, copy.deepcopy(payload), max(sent_at, record["claimed_at"]))


@dataclass
class _Host:
    """The `rhythm.vm.Host` of one execution: the runtime's clock and facts about the run."""

    runtime: Runtime
    run: _Run
    _context: dict[str, object] = field(init=False)

    def __post_init__(self) -> None:
        self._context = {
            "executionId": self.run.id,
            "workflowName": self.run.program.workflow,
            "parentExecutionId": self.run.parent_id,
            "startedAt": self.run.created_at,
        }

    def now(self) -> int:
        return self.runtime.now

    def inputs(self) -> object:
        return copy.deepcopy(self.run.inputs)

    def context(self) -> dict[str, object]:
        return dict(self._context)

    def leaf_outcome(self, record: dict[str, Any]) -> Outcome | None:
        return self.runtime.leaf_outcome(self.run, record)


def _start_inputs(program: Program, inputs: Mapping[str, Any] | None) -> object:
    """The inputs of a start request, as JSON, checked against the declared `inputs` (§4.5)."""
    value = as_json({} if inputs is None else inputs, "inputs")
    if not isinstance(value, dict):
        raise ValueError(f"inputs must be an object, got {type(inputs).__name__}")
    problem = _inputs_problem(program, value)
    if problem is not None:
        raise ValueError(f"the workflow `{program.workflow}` rejects its inputs: {problem}")
    return value


def _inputs_problem(program: Program, inputs: object) -> str | None:
    declared = parse_declared(cast("str | None", program.types.get("inputs")))
    return None if declared is None else mismatch(inputs, declared, "inputs")


def _send_signals(run: _Run, program: Program, signals: Iterable[tuple[str, Any]]) -> None:
    """Buffer `signals` for `run` at the start time, validated as a send would be (§4.5)."""
    declared = cast("Mapping[str, str] | None", program.types.get("signals"))
    for name, payload in signals:
        value = as_json(payload, f"the payload of signal `{name}`")
        if declared is not None:
            _check_signal(program.workflow, declared, name, value)
        run.signals.setdefault(name, []).append((value, run.created_at))


def _check_signal(workflow: str, declared: Mapping[str, str], name: str, payload: object) -> None:
    if name not in declared:
        accepted = ", ".join(f"`{n}`" for n in declared) or "none"
        raise ValueError(f"workflow `{workflow}` accepts no signal `{name}` (accepted: {accepted})")
    expected = parse_declared(declared[name])
    problem = None if expected is None else mismatch(payload, expected, "payload")
    if problem is not None:
        raise ValueError(f"signal `{name}` of workflow `{workflow}`: {problem}")


def _workflow_failed(child: _Run) -> dict[str, object]:
    return workflow_failed(child.program.workflow, child.id, child.output)
