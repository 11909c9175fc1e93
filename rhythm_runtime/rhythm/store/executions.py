"""Execution rows as the client sees them: start, read, list, signal and cancel.

Every function takes a connection inside the caller's transaction, so a client call that
validates, writes and notifies commits (or writes nothing) as one unit. JSON columns are read
as text (`::text`) and parsed by `rhythm.json_data.loads`, which keeps object key order and
reads integral numbers as `int`, the way the VM stores them.

New work is announced on the `rhythm_work` channel with the queue name as payload; Postgres
delivers a NOTIFY only when its transaction commits, so a worker never wakes for a row it
cannot see yet. Client calls notify inside their transaction. The worker's hot paths (steps,
task results) do not: Postgres serializes the commits of all notifying transactions, fsync
included, so `wake` returns the queues to announce and the worker announces them after the
commit (`rhythm.worker_announce`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from psycopg import Connection
from psycopg.rows import dict_row

from rhythm.failures import EXECUTION_CANCELLED, task_cancelled
from rhythm.json_data import dumps, loads
from rhythm.models import Execution, ExecutionStatus, ExecutionType

WORK_CHANNEL = "rhythm_work"

NOTIFY_WORK = "SELECT pg_notify(%(channel)s, %(queue)s)"

# The partial unique index on idempotency keys is the conflict target: a second start with a
# key whose execution has not failed inserts nothing and returns no row.
INSERT_EXECUTION = """
INSERT INTO rhythm.executions
  (id, type, name, queue, priority, status, inputs, max_retries, retry_delay_ms, timeout_ms,
   idempotency_key, version_hash)
VALUES
  (%(id)s, %(type)s, %(name)s, %(queue)s, %(priority)s, 'pending', %(inputs)s::json,
   %(max_retries)s, %(retry_delay_ms)s, %(timeout_ms)s, %(idempotency_key)s, %(version_hash)s)
ON CONFLICT (type, name, idempotency_key)
  WHERE idempotency_key IS NOT NULL AND status <> 'failed'
  DO NOTHING
RETURNING id
"""

FIND_BY_IDEMPOTENCY_KEY = """
SELECT id FROM rhythm.executions
WHERE type = %(type)s AND name = %(name)s AND idempotency_key = %(key)s AND status <> 'failed'
"""

GET_EXECUTION = """
SELECT
  id, type, name, status, inputs::text AS inputs, output::text AS output, attempt, parent_id,
  created_at, waiting_for::text AS waiting_for, error_location::text AS error_location
FROM rhythm.executions WHERE id = %(id)s
"""

# Optional filters are NULL-tolerant parameters, so one statement (prepared once) serves all.
LIST_EXECUTIONS = """
SELECT
  id, type, name, status, inputs::text AS inputs, output::text AS output, attempt, parent_id,
  created_at, waiting_for::text AS waiting_for, error_location::text AS error_location
FROM rhythm.executions
WHERE (%(status)s::text IS NULL OR status = %(status)s)
  AND (%(name)s::text IS NULL OR name = %(name)s)
ORDER BY created_at DESC, id DESC
LIMIT %(limit)s
"""

# Locked so that a worker's step on this workflow finishes first: the signal then either is
# seen by the running step or finds the workflow suspended and wakes it, never neither.
LOCK_FOR_SIGNAL = """
SELECT type, status, version_hash FROM rhythm.executions WHERE id = %(id)s FOR UPDATE
"""

INSERT_SIGNAL = """
INSERT INTO rhythm.signals (execution_id, name, payload)
VALUES (%(id)s, %(name)s, %(payload)s::json)
RETURNING seq
"""

# Waking a workflow: see `wake` (it locks every unfinished row, so no wake-up is lost).
# `ids` are workflows to wake; `finished` are executions that just reached a final state, whose
# followers' parents (rhythm.followers) are woken too. One array of ids (not `OR id IN (...)`,
# which would scan the table), so the row lookups stay on the primary key.
WAKE = """
WITH targets AS (
  SELECT id FROM rhythm.executions
  WHERE id = ANY(%(ids)b::text[] || ARRAY(
      SELECT parent_id FROM rhythm.followers WHERE execution_id = ANY(%(finished)b::text[])))
    AND status IN ('pending', 'running', 'suspended')
  ORDER BY id
  FOR UPDATE
)
UPDATE rhythm.executions AS e
SET status = CASE WHEN e.status = 'suspended' THEN 'pending' ELSE e.status END,
    run_at = CASE WHEN e.status = 'suspended' THEN clock_timestamp() ELSE e.run_at END
FROM targets
WHERE e.id = targets.id
RETURNING e.queue, e.status
"""

# The execution and all its descendants (children outlive a finished parent, so the walk
# goes through finished rows), unfinished ones locked in id order to avoid lock cycles
# between two cancellations.
LOCK_UNFINISHED_TREE = """
WITH RECURSIVE tree (id) AS (
  SELECT id FROM rhythm.executions WHERE id = %(id)s
  UNION ALL
  SELECT e.id FROM rhythm.executions e JOIN tree ON e.parent_id = tree.id
)
SELECT e.id, e.type, e.name, e.status, e.attempt, e.parent_id
FROM rhythm.executions e JOIN tree USING (id)
WHERE e.status NOT IN ('completed', 'failed')
ORDER BY e.id
FOR UPDATE OF e
"""

FAIL_CANCELLED = """
UPDATE rhythm.executions AS e
SET status = 'failed', output = c.output::json, finished_at = now(), waiting_for = NULL,
    lease_owner = NULL, lease_expires_at = NULL, cancel_requested = true
FROM unnest(%(ids)b::text[], %(outputs)b::text[]) AS c (id, output)
WHERE e.id = c.id
"""

REQUEST_CANCEL = """
UPDATE rhythm.executions SET cancel_requested = true WHERE id = ANY(%(ids)b::text[])
"""

DELETE_PENDING_TIMERS = """
DELETE FROM rhythm.timers WHERE execution_id = ANY(%(ids)b::text[]) AND NOT fired
"""


@dataclass(frozen=True)
class NewExecution:
    """A row to start: a top-level workflow or task, pending from now."""

    id: str
    type: ExecutionType
    name: str
    queue: str
    inputs: str  # JSON text
    priority: int = 0
    max_retries: int = 0
    retry_delay_ms: int = 1000
    timeout_ms: int | None = None
    idempotency_key: str | None = None
    version_hash: str | None = None


@dataclass(frozen=True)
class SignalTarget:
    """What a signal needs to know of the execution it is sent to (locked)."""

    type: ExecutionType
    status: ExecutionStatus
    version_hash: str | None


def insert_execution(conn: Connection, new: NewExecution) -> str:
    """Insert `new` and announce it; with an idempotency key already held by an execution that
    has not failed, insert nothing and return that execution's id instead."""
    row = conn.execute(INSERT_EXECUTION, _parameters(new)).fetchone()
    if row is not None:
        notify_work(conn, new.queue)
        return str(row[0])
    existing = conn.execute(
        FIND_BY_IDEMPOTENCY_KEY,
        {"type": new.type.value, "name": new.name, "key": new.idempotency_key},
    ).fetchone()
    if existing is None:
        # The holder failed between the two statements (it frees the key): take it now.
        return insert_execution(conn, new)
    return str(existing[0])


def _parameters(new: NewExecution) -> dict[str, Any]:
    return {
        "id": new.id,
        "type": new.type.value,
        "name": new.name,
        "queue": new.queue,
        "priority": new.priority,
        "inputs": new.inputs,
        "max_retries": new.max_retries,
        "retry_delay_ms": new.retry_delay_ms,
        "timeout_ms": new.timeout_ms,
        "idempotency_key": new.idempotency_key,
        "version_hash": new.version_hash,
    }


def notify_work(conn: Connection, queue: str) -> None:
    """Wake the workers of `queue` when the transaction commits."""
    conn.execute(NOTIFY_WORK, {"channel": WORK_CHANNEL, "queue": queue})


def get_execution(conn: Connection, execution_id: str) -> Execution | None:
    with conn.cursor(row_factory=dict_row) as cursor:
        row = cursor.execute(GET_EXECUTION, {"id": execution_id}).fetchone()
    return None if row is None else _execution(row)


def list_executions(
    conn: Connection, *, status: ExecutionStatus | None, name: str | None, limit: int
) -> list[Execution]:
    """The newest executions first, optionally only of one status and/or name."""
    parameters = {"status": None if status is None else status.value, "name": name}
    with conn.cursor(row_factory=dict_row) as cursor:
        rows = cursor.execute(LIST_EXECUTIONS, {**parameters, "limit": limit}).fetchall()
    return [_execution(row) for row in rows]


def _execution(row: dict[str, Any]) -> Execution:
    return Execution(
        id=row["id"],
        type=ExecutionType(row["type"]),
        name=row["name"],
        status=ExecutionStatus(row["status"]),
        inputs=loads(row["inputs"]),
        output=_optional_json(row["output"]),
        attempt=row["attempt"],
        parent_id=row["parent_id"],
        created_at=row["created_at"],
        waiting_for=_optional_json(row["waiting_for"]),
        error_location=_optional_json(row["error_location"]),
    )


def _optional_json(text: str | None) -> Any:
    return None if text is None else loads(text)


def lock_signal_target(conn: Connection, execution_id: str) -> SignalTarget | None:
    """The execution a signal goes to, locked until the transaction ends; None if unknown."""
    row = conn.execute(LOCK_FOR_SIGNAL, {"id": execution_id}).fetchone()
    if row is None:
        return None
    return SignalTarget(ExecutionType(row[0]), ExecutionStatus(row[1]), row[2])


def insert_signal(conn: Connection, execution_id: str, name: str, payload: str) -> int:
    """Buffer a signal (payload as JSON text) and wake the workflow if it is suspended;
    returns the signal's sequence number."""
    row = conn.execute(
        INSERT_SIGNAL, {"id": execution_id, "name": name, "payload": payload}
    ).fetchone()
    assert row is not None  # INSERT ... RETURNING always returns the row
    notify_queues(conn, wake(conn, [execution_id]))
    return int(row[0])


def wake(conn: Connection, ids: Iterable[str], finished: Iterable[str] = ()) -> set[str]:
    """Make the suspended workflows among `ids` pending, and the workflows following (with an
    idempotency key) any of the executions that just `finished`; returns the queues that have
    them pending, for the caller to notify (inside its transaction, or after it commits).

    Every unfinished row is locked until the caller's transaction commits, not only the
    suspended ones, because what the caller finished is invisible to others until then: a
    `running` row's step holds the lock, so the wake waits for it to commit and then re-reads
    the row (a step that read its outcomes just before ends `suspended` and is made pending);
    a `pending` row (woken earlier, not claimed yet) is held so that the claim skips it until
    this commit, and its step cannot read the outcomes without the caller's result and
    suspend forever. Rows that change while the wake waits are re-checked (READ COMMITTED)."""
    unique, done = sorted(set(ids)), sorted(set(finished))
    if not unique and not done:
        return set()
    rows = conn.execute(WAKE, {"ids": unique, "finished": done}).fetchall()
    return {str(queue) for queue, status in rows if status == "pending"}


def notify_queues(conn: Connection, queues: Iterable[str]) -> None:
    for queue in sorted(set(queues)):
        notify_work(conn, queue)


@dataclass(frozen=True)
class _Unfinished:
    id: str
    type: ExecutionType
    name: str
    status: ExecutionStatus
    attempt: int
    parent_id: str | None


def cancel_tree(conn: Connection, execution_id: str, *, root_is_held: bool = False) -> bool:
    """Cancel an execution and its unfinished descendants (LANGUAGE.md §10.9); False when the
    execution is unknown or already finished (nothing changed).

    Pending and suspended executions fail at once with a `CancelledError` output (a task's
    is its §8.3 failure object); their pending timers are deleted. Running ones are held by a
    worker: they get `cancel_requested`, and the worker ends them after the work in hand. A
    worker that holds the root itself (ending a cancel-requested workflow after its step)
    passes `root_is_held=True` to fail it now. The parent of a cancelled child is woken so it
    sees the rejection.
    """
    rows = [
        _Unfinished(row[0], ExecutionType(row[1]), row[2], ExecutionStatus(row[3]), *row[4:])
        for row in conn.execute(LOCK_UNFINISHED_TREE, {"id": execution_id})
    ]
    root = next((row for row in rows if row.id == execution_id), None)
    if root is None:
        return False
    cancellable = [
        row
        for row in rows
        if row.status != ExecutionStatus.RUNNING or (row is root and root_is_held)
    ]
    running = [row.id for row in rows if row not in cancellable]
    if cancellable:
        ids = [row.id for row in cancellable]
        outputs = [_cancelled(row) for row in cancellable]
        conn.execute(FAIL_CANCELLED, {"ids": ids, "outputs": outputs})
        conn.execute(DELETE_PENDING_TIMERS, {"ids": ids})
    if running:
        conn.execute(REQUEST_CANCEL, {"ids": running})
    parents = [root.parent_id] if root in cancellable and root.parent_id is not None else []
    finished = [row.id for row in cancellable]
    notify_queues(conn, wake(conn, parents, finished=finished))
    return True


def _cancelled(row: _Unfinished) -> str:
    if row.type == ExecutionType.WORKFLOW:
        return dumps(EXECUTION_CANCELLED)
    return dumps(task_cancelled(row.name, row.id, row.attempt))
