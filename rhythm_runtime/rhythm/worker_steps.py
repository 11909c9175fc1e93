"""One workflow step in the worker: the VM run on the locked row, and everything it did
committed in the same transaction (LANGUAGE.md §10.3).

The step resumes from the stored snapshot with a `PostgresHost`, then turns the effects into
rows: tasks and child workflows (pending, or failed at once when a child cannot start: an
unregistered workflow, inputs its declared type rejects, §4.5), timers for the sweep; signal
claims live in the snapshot. A finished workflow wakes its parent. A workflow whose
cancellation was requested while this worker held it ends cancelled without running (§10.9).
The queues that got pending work are returned, not notified: the worker announces them after
the commit (`rhythm.store.executions` says why). Tasks of the worker's own queue, as many as it
has free slots for, are inserted `running` under its lease and returned for it to run at once
(`Takeover`): no claim, no NOTIFY, no wait for the claim loop. The workflow's own next step
still goes through the queue, so other work keeps its turn.

A child's queue is its `queue` option, else the workflow's front-matter queue, else the
parent's queue (§9.2). A task's retries, retry delay and timeout are its options, else what
its `@task` registered in this process, else none (a retry delay of one second).
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

from psycopg import Connection

from flowlang.compiler.bytecode import Program
from rhythm.declared_types import mismatch, parse_declared
from rhythm.json_data import dumps, loads
from rhythm.store.executions import cancel_tree, wake
from rhythm.store.queue import Claimed
from rhythm.store.steps import (
    Lease,
    LockedWorkflow,
    NewChild,
    StepEnd,
    finish_step,
    insert_children,
    insert_timers,
    lock_workflow,
    newest_versions,
)
from rhythm.store.workflows import program_text
from rhythm.tasks import TaskRegistry
from rhythm.vm import Effect, Limits, StepResult, run_step
from rhythm.vm_snapshot import check_snapshot
from rhythm.worker_host import PostgresHost

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
    """A committed step: the status the workflow ended in, the queues that got pending work
    (its new tasks and children, its parent, itself), to announce, the tasks taken over,
    `running` under the worker's lease, and how many tasks and children it started."""

    status: str
    new_work: frozenset[str]
    taken: tuple[Claimed, ...] = ()
    started: int = 0


class StepRunner:
    """Runs workflow steps; caches Programs by version hash (they never change)."""

    def __init__(self, registry: TaskRegistry, limits: Limits) -> None:
        self._registry = registry
        self._limits = limits
        self._programs: dict[str, Program] = {}

    def run(
        self, conn: Connection, claimed: Claimed, owner: str, takeover: Takeover | None = None
    ) -> StepDone | None:
        """Run and commit one step of `claimed`; None when this worker no longer holds the
        workflow (its lease was lost) and nothing was done. Without `takeover` every task the
        step starts is left pending for a claim."""
        with conn.transaction():
            return self.run_in(conn, claimed, owner, takeover)

    def run_in(
        self, conn: Connection, claimed: Claimed, owner: str, takeover: Takeover | None
    ) -> StepDone | None:
        """`run`, inside the caller's open transaction (which the caller commits)."""
        row = lock_workflow(conn, claimed.id)
        if row is None or row.status != "running" or row.lease_owner != owner:
            return None
        if row.cancel_requested:
            cancel_tree(conn, claimed.id, root_is_held=True)  # it notifies the parent
            return StepDone("failed", frozenset())
        return self._step(conn, claimed.id, row, takeover)

    def fail(self, conn: Connection, claimed: Claimed, owner: str, message: str) -> frozenset[str]:
        """End a workflow whose step could not run (a runtime fault, not the program's):
        failed with an `InternalError` saying why, so it does not retry forever. Returns the
        queues to announce (its parent's)."""
        with conn.transaction():
            row = lock_workflow(conn, claimed.id)
            if row is None or row.status != "running" or row.lease_owner != owner:
                return frozenset()
            output = {"type": "InternalError", "message": message}
            finish_step(conn, claimed.id, StepEnd("failed", output=dumps(output)))
            return frozenset(wake(conn, _parent(row), finished=[claimed.id]))

    def _step(
        self,
        conn: Connection,
        execution_id: str,
        row: LockedWorkflow,
        takeover: Takeover | None,
    ) -> StepDone:
        program = self.program(conn, row.version_hash, row.name)
        snapshot = None if row.snapshot is None else json.loads(row.snapshot)
        if snapshot is not None:
            check_snapshot(program, snapshot)  # before the host reads its promise table
        context = {
            "executionId": execution_id,
            "workflowName": program.workflow,
            "parentExecutionId": row.parent_id,
            "startedAt": int(row.created_at.timestamp() * 1000),
        }
        host = PostgresHost(
            conn, execution_id, inputs=loads(row.inputs), context=context, snapshot=snapshot
        )
        result = run_step(program, snapshot, host, self._limits)
        children = self._children(conn, program, row, result.effects)
        lease = None
        if takeover is not None:
            children, lease = _take_over(children, takeover), takeover.lease
        inserted = insert_children(conn, execution_id, children, lease)
        queues = inserted.pending_queues
        insert_timers(
            conn,
            execution_id,
            [(e.record["id"], int(e.record["due"])) for e in result.effects if e.kind == "timer"],
        )
        end = _step_end(result)
        finish_step(conn, execution_id, end)
        if end.status in FINAL_STATUSES:
            queues |= wake(conn, _parent(row), finished=[execution_id])
        settled_now = inserted.follow_finished or any(c.status == "failed" for c in children)
        if end.status == "suspended" and settled_now:
            # A child that failed to start, or follows a finished execution, settles now.
            queues |= wake(conn, [execution_id])
        if end.status == "pending":
            queues.add(row.queue)
        taken = tuple(
            _claimed(child, execution_id, inserted.started[child.id])
            for child in children
            if child.id in inserted.started
        )
        return StepDone(end.status, frozenset(queues), taken, started=len(children))

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
                children.append(self._task(record, default_queue))
            else:
                children.append(self._workflow(conn, record, default_queue, versions))
        return children

    def _task(self, record: dict[str, Any], default_queue: str) -> NewChild:
        options = record["options"]
        definition = self._registry.get(record["name"])
        retries = definition.retries if definition else 0
        delay_ms = round(definition.retry_backoff * 1000) if definition else DEFAULT_RETRY_DELAY_MS
        timeout_ms = round(definition.timeout * 1000) if definition and definition.timeout else None
        return NewChild(
            id=record["id"],
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
        default_queue: str,
        versions: dict[str, str],
    ) -> NewChild:
        name, options = record["name"], record["options"]
        version = versions.get(name)
        child = NewChild(
            id=record["id"],
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


def _claimed(child: NewChild, parent_id: str, created_at: datetime) -> Claimed:
    return Claimed(
        id=child.id,
        type=child.type,
        name=child.name,
        inputs=child.inputs,
        attempt=1,
        max_retries=child.max_retries,
        retry_delay_ms=child.retry_delay_ms,
        timeout_ms=child.timeout_ms,
        parent_id=parent_id,
        queue=child.queue,
        created_at=created_at,
    )


def _parent(row: LockedWorkflow) -> list[str]:
    return [] if row.parent_id is None else [row.parent_id]


def _failed(child: NewChild, output: dict[str, Any]) -> NewChild:
    return NewChild(
        id=child.id,
        type=child.type,
        name=child.name,
        queue=child.queue,
        priority=child.priority,
        inputs=child.inputs,
        status="failed",
        output=dumps(output),
        version_hash=child.version_hash,
    )


def _step_end(result: StepResult) -> StepEnd:
    """The stored state after a step; a yielded step is pending again at once (§10.8)."""
    if result.status in FINAL_STATUSES:
        location = None if result.error_location is None else dumps(result.error_location)
        return StepEnd(result.status, output=dumps(result.output), error_location=location)
    snapshot = json.dumps(result.snapshot, ensure_ascii=False, allow_nan=False)
    if result.status == "yielded":
        return StepEnd("pending", snapshot=snapshot)
    return StepEnd("suspended", snapshot=snapshot, waiting_for=dumps(result.waiting_for))
