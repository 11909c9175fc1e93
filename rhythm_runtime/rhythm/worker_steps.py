"""Workflow steps in the worker: VM runs on locked rows, and everything they did committed in
the same transaction (LANGUAGE.md §10.3).

A worker runs a step in one of two ways: a workflow claimed from the queue (`StepRunner.run`:
it is `running` under the worker's lease), or the workflows a batch of task results woke
(`StepRunner.run_woken`, in the transaction that records the results: no wake, no claim and
no transaction of their own). The steps of a batch share their statements (one lock, one read
of outcomes, one insert of children, one of timers, one update of the workflows' states), so
the round trips and statements a step costs are paid once per batch.

Each step resumes from its stored snapshot with a `PostgresHost`, then its effects become
rows: tasks and child workflows (pending, or failed at once when a child cannot start: an
unregistered workflow, inputs its declared type rejects, §4.5), timers for the sweep; signal
claims live in the snapshot. A finished workflow wakes its parent. A workflow whose
cancellation was requested while this worker held it ends cancelled without running (§10.9).
A step the runtime cannot run (a fault of the runtime, not of the program) fails its workflow
with an `InternalError`, not the other steps of its batch.

The queues that got pending work are returned, not notified: the worker announces them after
the commit (`rhythm.store.executions` says why). Tasks of the worker's own queue, as many as it
has free slots for, are inserted `running` under its lease and returned for it to run at once
(`Takeover`): no claim, no NOTIFY, no wait for the claim loop.

A child's queue is its `queue` option, else the workflow's front-matter queue, else the
parent's queue (§9.2). A task's retries, retry delay and timeout are its options, else what
its `@task` registered in this process, else none (a retry delay of one second).
"""

from __future__ import annotations

import dataclasses
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import psycopg
from psycopg import Connection

from flowlang.compiler.bytecode import Program
from rhythm.declared_types import mismatch, parse_declared
from rhythm.json_data import dumps, loads
from rhythm.store.executions import cancel_tree, wake
from rhythm.store.queue import Claimed
from rhythm.store.steps import (
    Lease,
    Leaves,
    LockedWorkflow,
    NewChild,
    Outcomes,
    StepEnd,
    Timer,
    finish_steps,
    insert_children,
    insert_timers,
    lock_workflows,
    newest_versions,
    read_outcomes,
)
from rhythm.store.workflows import program_text
from rhythm.tasks import TaskRegistry
from rhythm.vm import Effect, Limits, StepResult, run_step
from rhythm.vm_snapshot import check_snapshot
from rhythm.worker_host import PostgresHost, leaves_of

log = logging.getLogger("rhythm.worker")

DEFAULT_RETRY_DELAY_MS = 1_000
FINAL_STATUSES = ("completed", "failed")


@dataclass(frozen=True)
class Takeover:
    """How a worker runs the tasks of a step itself: those of its `queue`, under its `lease`,
    as many as `reserve(n)` grants (it reserves up to `n` free slots and says how many)."""

    queue: str
    lease: Lease
    reserve: Callable[[int], int]


@dataclass(frozen=True)
class StepDone:
    """Committed steps: the queues that got pending work (their new tasks and children, their
    parents, themselves), to announce, and the tasks taken over, `running` under the worker's
    lease."""

    new_work: frozenset[str]
    taken: tuple[Claimed, ...] = ()


@dataclass(frozen=True)
class _Ran:
    """One step run, not written yet."""

    row: LockedWorkflow
    end: StepEnd
    children: list[NewChild]
    timers: list[Timer]


@dataclass(frozen=True)
class _Read:
    """What steps start from: each workflow's snapshot (parsed) and the outcomes it asks for."""

    snapshots: dict[str, dict[str, Any] | None]
    leaves: dict[str, Leaves]
    outcomes: Outcomes

    def all_settled(self, execution_id: str) -> bool:
        """Whether every task and child in the workflow's promise table has finished."""
        return all(id_ in self.outcomes.executions for id_ in self.leaves[execution_id].ids)


_NO_OUTCOMES = Outcomes(0, {}, {})


class StepRunner:
    """Runs workflow steps; caches Programs by version hash (they never change)."""

    def __init__(self, registry: TaskRegistry, limits: Limits) -> None:
        self._registry = registry
        self._limits = limits
        self._programs: dict[str, Program] = {}

    def run(
        self, conn: Connection, claimed: Claimed, owner: str, takeover: Takeover | None = None
    ) -> StepDone:
        """Run and commit one step of `claimed` (nothing if this worker no longer holds it: its
        lease was lost). Without `takeover` every task the step starts is left pending for a
        claim."""
        with conn.transaction():
            return self.run_claimed(conn, [claimed], owner, takeover)

    def run_claimed(
        self, conn: Connection, claimed: Sequence[Claimed], owner: str, takeover: Takeover | None
    ) -> StepDone:
        """In the caller's transaction, run a step of each workflow `claimed` that this worker
        still holds; one whose cancellation was requested ends cancelled instead."""
        if not claimed:
            return StepDone(frozenset())
        rows = [
            row
            for row in lock_workflows(conn, [c.id for c in claimed])
            if row.status == "running" and row.lease_owner == owner
        ]
        for row in rows:
            if row.cancel_requested:
                cancel_tree(conn, row.id, root_is_held=True)  # it notifies the parent
        return self.step(conn, [row for row in rows if not row.cancel_requested], takeover)

    def run_woken(
        self, conn: Connection, ids: Sequence[str], queue: str, takeover: Takeover | None
    ) -> tuple[StepDone, set[str]]:
        """In the caller's transaction, which has just finished what the workflows `ids` await:
        lock them, and run a step of each that is suspended on `queue`, not being cancelled,
        and has no task or child left unfinished. Returns what the steps did and the ids
        stepped; the caller wakes the others as usual: their steps are another worker's, or
        queued already, or wait for more of their tasks. A workflow awaiting many tasks at once
        is woken by each batch of their results, and stepping it each time (a read of every
        outcome, a snapshot written) would cost more than the queue's wake, which lets results
        that arrive meanwhile share one step."""
        if not ids:
            return StepDone(frozenset()), set()
        rows = [
            row
            for row in lock_workflows(conn, ids)
            if row.status == "suspended" and row.queue == queue and not row.cancel_requested
        ]
        read = self._read(conn, rows)
        ready = [row for row in rows if read.all_settled(row.id)]
        return self.step(conn, ready, takeover, read), {row.id for row in ready}

    def fail(
        self, conn: Connection, claimed: Claimed, owner: str, error: Exception
    ) -> frozenset[str]:
        """End a workflow whose step could not be committed for a fault of the runtime,
        `error`: failed with an `InternalError` saying why, so it does not retry forever.
        Returns the queues to announce (its parent's)."""
        with conn.transaction():
            locked = lock_workflows(conn, [claimed.id])
            if not locked or locked[0].status != "running" or locked[0].lease_owner != owner:
                return frozenset()
            finish_steps(conn, [_internal_error(claimed.id, error)])
            return frozenset(wake(conn, _parent(locked[0]), finished=[claimed.id]))

    def step(
        self,
        conn: Connection,
        rows: Sequence[LockedWorkflow],
        takeover: Takeover | None,
        read: _Read | None = None,
    ) -> StepDone:
        """Run one step of each of `rows` (locked in this transaction) and write them all;
        `read`: what `_read` found for them (or more), if the caller read it already."""
        if not rows:
            return StepDone(frozenset())
        if read is None:
            read = self._read(conn, rows)
        ran = [
            self._run_one(conn, row, read.snapshots[row.id], read.leaves[row.id], read.outcomes)
            for row in rows
        ]
        children = [child for one in ran for child in one.children]
        lease = None
        if takeover is not None:
            children, lease = _take_over(children, takeover), takeover.lease
        inserted = insert_children(conn, children, lease)
        insert_timers(conn, [timer for one in ran for timer in one.timers])
        finish_steps(conn, [one.end for one in ran])
        queues = set(inserted.pending_queues)
        finished = [one.row for one in ran if one.end.status in FINAL_STATUSES]
        # A child that failed to start, or follows a finished execution, settles now.
        settled_now = inserted.follow_finished | {
            c.parent_id for c in children if c.status == "failed"
        }
        woken = [row.parent_id for row in finished if row.parent_id is not None]
        woken += [
            one.row.id for one in ran if one.end.status == "suspended" and one.row.id in settled_now
        ]
        if woken or finished:
            queues |= wake(conn, woken, finished=[row.id for row in finished])
        queues |= {one.row.queue for one in ran if one.end.status == "pending"}
        taken = tuple(
            _claimed(child, inserted.started[child.id])
            for child in children
            if child.id in inserted.started
        )
        return StepDone(frozenset(queues), taken)

    def _read(self, conn: Connection, rows: Sequence[LockedWorkflow]) -> _Read:
        snapshots = {
            row.id: None if row.snapshot is None else json.loads(row.snapshot) for row in rows
        }
        leaves = {row.id: leaves_of(row.id, snapshots[row.id]) for row in rows}
        outcomes = read_outcomes(conn, list(leaves.values())) if rows else _NO_OUTCOMES
        return _Read(snapshots, leaves, outcomes)

    def _run_one(
        self,
        conn: Connection,
        row: LockedWorkflow,
        snapshot: dict[str, Any] | None,
        leaves: Leaves,
        outcomes: Outcomes,
    ) -> _Ran:
        try:
            program = self.program(conn, row.version_hash, row.name)
            if snapshot is not None:
                check_snapshot(program, snapshot)  # before the host reads its promise table
            context = {
                "executionId": row.id,
                "workflowName": program.workflow,
                "parentExecutionId": row.parent_id,
                "startedAt": int(row.created_at.timestamp() * 1000),
            }
            host = PostgresHost(conn, leaves, outcomes, inputs=loads(row.inputs), context=context)
            result = run_step(program, snapshot, host, self._limits)
            children = self._children(conn, program, row, result.effects)
            end = _step_end(row.id, result)
        except psycopg.Error:
            raise  # the transaction is lost: the whole batch runs again, or goes another way
        except Exception as error:  # a fault of the runtime, not of the workflow's code
            log.exception("workflow step of %s (%s) crashed", row.id, row.name)
            return _Ran(row, _internal_error(row.id, error), [], [])
        timers = [
            Timer(effect.record["id"], row.id, int(effect.record["due"]))
            for effect in result.effects
            if effect.kind == "timer"
        ]
        return _Ran(row, end, children, timers)

    def program(self, conn: Connection, version_hash: str | None, name: str) -> Program:
        """The Program of a registered version (loaded once per worker)."""
        if version_hash is None:
            raise LookupError(f"workflow execution of '{name}' names no program version")
        program = self._programs.get(version_hash)
        if program is None:
            text = program_text(conn, version_hash)
            if text is None:
                raise LookupError(f"version {version_hash} of workflow '{name}' is not registered")
            program = Program.from_json(text, pinned=version_hash)
            self._programs[version_hash] = program
        return program

    def _children(
        self, conn: Connection, program: Program, row: LockedWorkflow, effects: Sequence[Effect]
    ) -> list[NewChild]:
        started = [effect.record for effect in effects if effect.kind in ("task", "workflow")]
        workflow_names = sorted({r["name"] for r in started if r["kind"] == "workflow"})
        versions = newest_versions(conn, workflow_names) if workflow_names else {}
        default_queue = program.queue or row.queue
        children = []
        for record in started:
            if record["kind"] == "task":
                children.append(self._task(record, row.id, default_queue))
            else:
                children.append(self._workflow(conn, record, row.id, default_queue, versions))
        return children

    def _task(self, record: dict[str, Any], parent_id: str, default_queue: str) -> NewChild:
        options = record["options"]
        definition = self._registry.get(record["name"])
        retries = definition.retries if definition else 0
        delay_ms = round(definition.retry_backoff * 1000) if definition else DEFAULT_RETRY_DELAY_MS
        timeout_ms = round(definition.timeout * 1000) if definition and definition.timeout else None
        return NewChild(
            id=record["id"],
            parent_id=parent_id,
            type="task",
            name=record["name"],
            queue=options.get("queue") or default_queue,
            priority=int(options.get("priority", 0)),
            inputs=dumps(record["inputs"]),
            max_retries=int(options.get("retries", retries)),
            retry_delay_ms=int(options.get("retryDelay", delay_ms)),
            timeout_ms=cast("int | None", options.get("timeout", timeout_ms)),
            idempotency_key=options.get("idempotencyKey"),
        )

    def _workflow(
        self,
        conn: Connection,
        record: dict[str, Any],
        parent_id: str,
        default_queue: str,
        versions: dict[str, str],
    ) -> NewChild:
        name, options = record["name"], record["options"]
        version = versions.get(name)
        child = NewChild(
            id=record["id"],
            parent_id=parent_id,
            type="workflow",
            name=name,
            queue=options.get("queue") or default_queue,
            priority=int(options.get("priority", 0)),
            inputs=dumps(record["inputs"]),
            version_hash=version,
            idempotency_key=options.get("idempotencyKey"),
        )
        if version is None:
            failure = {
                "type": "Error",
                "message": f"Workflow '{name}' is not registered; pass its file to rhythm.init "
                "in the application that starts it",
            }
            return _failed(child, failure)
        declared_text = self.program(conn, version, name).types.get("inputs")
        declared = parse_declared(cast("str | None", declared_text))
        problem = None if declared is None else mismatch(record["inputs"], declared, "inputs")
        if problem is not None:  # §4.5: the child fails without running
            return _failed(child, {"type": "TypeError", "message": f"Invalid inputs: {problem}"})
        return child


def _take_over(children: list[NewChild], takeover: Takeover) -> list[NewChild]:
    """`children` with the tasks the worker takes over made `running`."""
    mine = [
        index
        for index, child in enumerate(children)
        if child.type == "task" and child.status == "pending" and child.queue == takeover.queue
    ]
    granted = takeover.reserve(len(mine)) if mine else 0
    taken = list(children)
    for index in mine[:granted]:
        taken[index] = dataclasses.replace(children[index], status="running")
    return taken


def _claimed(child: NewChild, created_at: datetime) -> Claimed:
    return Claimed(
        id=child.id,
        type=child.type,
        name=child.name,
        inputs=child.inputs,
        attempt=1,
        max_retries=child.max_retries,
        retry_delay_ms=child.retry_delay_ms,
        timeout_ms=child.timeout_ms,
        parent_id=child.parent_id,
        queue=child.queue,
        created_at=created_at,
    )


def _parent(row: LockedWorkflow) -> list[str]:
    return [] if row.parent_id is None else [row.parent_id]


def _failed(child: NewChild, output: dict[str, Any]) -> NewChild:
    return dataclasses.replace(child, status="failed", output=dumps(output), idempotency_key=None)


def _internal_error(execution_id: str, error: Exception) -> StepEnd:
    """The end of a workflow whose step the runtime could not run for `error`."""
    message = (
        f"the runtime could not run a step of this workflow ({type(error).__name__}: {error}); "
        "the worker's log has the details"
    )
    return StepEnd(
        execution_id, "failed", output=dumps({"type": "InternalError", "message": message})
    )


def _step_end(execution_id: str, result: StepResult) -> StepEnd:
    """The stored state after a step; a yielded step is pending again at once (§10.8)."""
    if result.status in FINAL_STATUSES:
        location = None if result.error_location is None else dumps(result.error_location)
        return StepEnd(
            execution_id, result.status, output=dumps(result.output), error_location=location
        )
    snapshot = json.dumps(result.snapshot, ensure_ascii=False, allow_nan=False)
    if result.status == "yielded":
        return StepEnd(execution_id, "pending", snapshot=snapshot)
    return StepEnd(
        execution_id, "suspended", snapshot=snapshot, waiting_for=dumps(result.waiting_for)
    )
