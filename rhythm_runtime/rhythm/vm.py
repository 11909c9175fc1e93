"""The VM: runs one step of a workflow execution (LANGUAGE.md §10.3).

`run_step(program, snapshot, host)` continues an execution from its snapshot (or starts it)
and runs until the program completes, fails, suspends on a pending promise, or yields because
the step used its budget (§10.8). A suspended or yielded step returns the new snapshot, plain
JSON that a fresh VM in another process resumes; every step returns the effects it created,
which the runtime commits together with the snapshot or the final status.

The VM does not know where outcomes come from: the `Host` (the runtime) tells it the clock,
the inputs and context, and whether a task, child workflow, timer or signal has settled.
Resuming needs no resume value: a suspended step stops AT its `await`, and the resumed VM runs
that `await` again and finds the promise settled.

The parts: `vm_machine` (state, snapshots, compaction of the promise table), `vm_snapshot`
(the check of a snapshot before it is resumed), `vm_decode` (instructions made ready once per
program), `vm_loop` (the dispatch loop), `vm_ops` (the other instructions), `vm_calls`
(builtins and effects), `vm_control` (throw, return, finally), `vm_cow` (value semantics by
copy on write).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from flowlang.compiler.bytecode import Program
from rhythm.limits import DEFAULT_LIMITS, Limits, stored_size
from rhythm.promises import Outcome, describe
from rhythm.values import PromiseRef, Value, encode, error
from rhythm.vm_decode import DecodedCache
from rhythm.vm_loop import Exit, run
from rhythm.vm_machine import (
    Machine,
    compact_promises,
    resume_machine,
    snapshot_of,
    start_machine,
)
from rhythm.vm_snapshot import CorruptSnapshot, SnapshotMismatch

__all__ = [
    "CorruptSnapshot",
    "Effect",
    "Host",
    "Limits",
    "SnapshotMismatch",
    "StepResult",
    "run_step",
]


class Host(Protocol):
    """What the runtime provides to a step."""

    def now(self) -> int:
        """The runtime's clock, epoch milliseconds (the clock that fires timers)."""
        ...

    def inputs(self) -> Any:
        """The execution's inputs (`Inputs`)."""
        ...

    def context(self) -> dict[str, Any]:
        """`Context`: {executionId, workflowName, parentExecutionId, startedAt}."""
        ...

    def leaf_outcome(self, record: dict[str, Any]) -> Outcome | None:
        """The outcome of a task, workflow, timer or signal promise record, or None while it
        is pending."""
        ...


EffectKind = Literal["task", "workflow", "timer", "signal"]


@dataclass(frozen=True)
class Effect:
    """Something a step started, for the runtime to commit with the step: a task or child
    workflow to enqueue, a timer to wake the execution at, a signal claim. `record` is the
    promise record (JSON), as `rhythm.promises` documents it."""

    kind: EffectKind
    record: dict[str, Any]


StepStatus = Literal["completed", "failed", "suspended", "yielded"]


@dataclass(frozen=True)
class StepResult:
    """How a step ended.

    `output`: the returned value (completed) or the failure output of §8.6/§10.8 (failed).
    `snapshot`: the plain-JSON state to resume from (suspended, yielded).
    `effects`: created during this step, in order; committed whatever the status.
    `waiting_for` (suspended): {"promise", "description", "span", "line", "column",
    "end_line", "end_column"} of the `await` and what it waits on.
    `error_location` (failed): {"line", "column", "end_line", "end_column"} of the throw.
    """

    status: StepStatus
    output: Any = None
    snapshot: dict[str, Any] | None = None
    effects: tuple[Effect, ...] = ()
    waiting_for: dict[str, Any] | None = None
    error_location: dict[str, int] | None = None


_DECODED = DecodedCache()


def run_step(
    program: Program,
    snapshot: dict[str, Any] | None,
    host: Host,
    limits: Limits = DEFAULT_LIMITS,
) -> StepResult:
    """Run one step of `program` from `snapshot` (None: from the start). Raises
    `SnapshotMismatch` for a snapshot of another program or format, `CorruptSnapshot` for one
    this runtime did not write (`rhythm.vm_snapshot`)."""
    code = _DECODED.code_of(program)
    machine = start_machine(program) if snapshot is None else resume_machine(program, snapshot)
    machine.host = host
    machine.effect_limit = limits.effects_per_step
    machine.inputs_limit = limits.inputs_bytes
    remaining = limits.instructions_per_execution - machine.instructions
    exit_ = run(machine, code, min(limits.instructions_per_step, remaining))
    effects = tuple(Effect(record["kind"], record) for record in machine.effects)
    if exit_.kind in ("completed", "failed"):
        size = stored_size(exit_.value)
        if size > limits.output_bytes:
            output = error(
                "OutputTooLarge",
                f"Workflow output is {size} bytes, more than the limit of {limits.output_bytes}"
                " bytes",
                size=size,
                limit=limits.output_bytes,
            )
            return _failed(program, output, machine.pc, effects)
    if exit_.kind == "completed":
        return StepResult("completed", exit_.value, effects=effects)
    if exit_.kind == "failed":
        return _failed(program, exit_.value, exit_.at, effects)
    if machine.instructions >= limits.instructions_per_execution:
        limit = limits.instructions_per_execution
        output = error(
            "InstructionLimitExceeded",
            f"Execution exceeded its budget of {limit} instructions",
            limit=limit,
        )
        return _failed(program, output, machine.pc, effects)
    waiting_for = _waiting_for(program, machine, exit_) if exit_.kind == "suspended" else None
    compact_promises(machine)
    state = snapshot_of(machine, program, waiting_for)
    size = len(json.dumps(state, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))
    if size > limits.snapshot_bytes:
        output = error(
            "SnapshotTooLarge",
            f"Workflow state is {size} bytes, more than the limit of {limits.snapshot_bytes} bytes",
            size=size,
            limit=limits.snapshot_bytes,
        )
        return _failed(program, output, machine.pc, effects)
    status: StepStatus = "suspended" if exit_.kind == "suspended" else "yielded"
    return StepResult(status, snapshot=state, effects=effects, waiting_for=waiting_for)


def _failed(
    program: Program, output: Value, at: int | None, effects: tuple[Effect, ...]
) -> StepResult:
    location = None if at is None else program.location(at)
    where = None
    if location is not None:
        line, column, end_line, end_column = location
        where = {"line": line, "column": column, "end_line": end_line, "end_column": end_column}
    return StepResult("failed", output, effects=effects, error_location=where)


def _waiting_for(program: Program, machine: Machine, exit_: Exit) -> dict[str, Any]:
    """Where a suspended execution waits and on what (§10.5)."""
    ref = exit_.promise
    assert ref is not None  # a suspension always names its promise
    waiting: dict[str, Any] = {
        "promise": _promise_view(ref, machine.promises),
        "description": describe(ref, machine.promises),
    }
    span = program.spans[machine.pc]
    location = program.location(machine.pc)
    if span is not None and location is not None:
        waiting["span"] = list(span)
        line, column, end_line, end_column = location
        waiting.update(line=line, column=column, end_line=end_line, end_column=end_column)
    return waiting


def _promise_view(ref: PromiseRef, table: list[dict[str, Value]]) -> dict[str, Any]:
    """The record of promise `ref` as plain JSON, with a combinator's member promises shown as
    their records in turn."""
    record = table[ref.index]
    items = record.get("items")
    if items is None:
        return encode(record)  # type: ignore[no-any-return]  # a record encodes to a dict

    def member(value: Value) -> Value:
        return _promise_view(value, table) if type(value) is PromiseRef else encode(value)

    shown = (
        {key: member(value) for key, value in items.items()}
        if type(items) is dict
        else [member(value) for value in items]
    )
    return {**record, "items": shown}
