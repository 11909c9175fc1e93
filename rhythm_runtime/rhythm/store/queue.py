"""The work queue: claiming executions, holding their leases, and finishing task attempts.

A worker claims a batch of pending executions of its queue in one statement (`FOR UPDATE SKIP
LOCKED`, so concurrent workers never wait on each other's rows nor claim the same row), holds
each under a lease it renews by heartbeats, and finishes task attempts in batches: one
transaction for every result that arrived meanwhile. Leases of a crashed worker expire and
`reclaim_expired` makes their executions pending again.

Every write that finishes an execution or touches a workflow goes through `wake` (or runs the
woken workflow's step in the same transaction, `rhythm.worker_steps`), which locks
the awakened rows in id order (no lock cycles between concurrent batches). It locks every
unfinished workflow row, not only `suspended` ones. A `running` workflow's step transaction
holds the row lock, so the wake waits for the step to commit and then re-reads the row; a step
that ended `suspended` is made `pending`. A `pending` workflow (woken by an earlier result) is
held until the waking transaction commits, so `CLAIM` (`SKIP LOCKED`) cannot take it and run a
step that reads the outcomes before this result is visible. Skipping either would let such a
step suspend forever although all it waits for has finished (a lost wake-up).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from psycopg import Connection, sql

from rhythm.store.executions import WORK_CHANNEL, notify_queues

LISTEN_WORK = sql.SQL("LISTEN {channel}").format(channel=sql.Identifier(WORK_CHANNEL))


# What claiming does to a row, and what a claim returns (`Claimed`). A task attempt's lease
# must outlive the longest gap between heartbeats; the worker chooses.
_TAKE = """
SET status = 'running',
    attempt = CASE WHEN e.type = 'task' THEN e.attempt + 1 ELSE greatest(e.attempt, 1) END,
    lease_owner = %(owner)s,
    lease_expires_at = clock_timestamp() + make_interval(secs => %(lease_s)s),
    started_at = coalesce(e.started_at, clock_timestamp())
"""
_CLAIMED = """
RETURNING e.id, e.type, e.name, e.inputs::text, e.attempt, e.max_retries, e.retry_delay_ms,
  e.timeout_ms, e.parent_id, e.queue, e.created_at
"""

CLAIM = f"""
WITH picked AS (
  SELECT id FROM rhythm.executions
  WHERE status = 'pending' AND queue = %(queue)s AND run_at <= clock_timestamp()
  ORDER BY priority DESC, run_at, id
  LIMIT %(limit)s
  FOR UPDATE SKIP LOCKED
)
UPDATE rhythm.executions AS e {_TAKE}
FROM picked
WHERE e.id = picked.id {_CLAIMED}"""

# When a claim comes back short, how long until the next pending row of the queue (a retry
# waiting out its backoff) becomes claimable; NULL when there is none.
NEXT_RUN_IN = """
SELECT extract(epoch FROM min(run_at) - clock_timestamp())
FROM rhythm.executions WHERE status = 'pending' AND queue = %(queue)s
"""

# A worker's heartbeat and its task results lock the same rows: both take them in id order
# (`_HELD`), whatever order their plans visit them in, so the two never deadlock.
_HELD = """held AS (
  SELECT id FROM rhythm.executions
  WHERE id = ANY(%(ids)b::text[]) AND lease_owner = %(owner)s AND status = 'running'
  ORDER BY id
  FOR UPDATE
)"""

HEARTBEAT = f"""
WITH {_HELD}
UPDATE rhythm.executions AS e
SET lease_expires_at = clock_timestamp() + make_interval(secs => %(lease_s)s)
FROM held WHERE e.id = held.id
RETURNING e.id, e.cancel_requested
"""

RECLAIM_EXPIRED = """
WITH expired AS (
  SELECT id FROM rhythm.executions
  WHERE status = 'running' AND lease_expires_at < clock_timestamp()
  ORDER BY lease_expires_at
  LIMIT %(limit)s
  FOR UPDATE SKIP LOCKED
)
UPDATE rhythm.executions AS e
SET status = 'pending', run_at = clock_timestamp(), lease_owner = NULL, lease_expires_at = NULL
FROM expired WHERE e.id = expired.id
RETURNING e.queue
"""

# Executions this worker still holds when it shuts down go back to the queue at once.
RELEASE = """
UPDATE rhythm.executions
SET status = 'pending', run_at = clock_timestamp(), lease_owner = NULL, lease_expires_at = NULL,
    attempt = CASE WHEN type = 'task' THEN greatest(attempt - 1, 0) ELSE attempt END
WHERE id = ANY(%(ids)b::text[]) AND lease_owner = %(owner)s AND status = 'running'
RETURNING queue
"""

# A task cancelled while it ran (cancel_requested) ends cancelled whatever the attempt gave.
_CANCELLED_TASK = """json_build_object(
    'type', 'CancelledError', 'message', 'Task ''' || e.name || ''' was cancelled',
    'task', e.name, 'executionId', e.id, 'attempts', e.attempt)"""

FINISH_TASKS = f"""
WITH {_HELD}
UPDATE rhythm.executions AS e
SET status = CASE WHEN e.cancel_requested THEN 'failed' ELSE r.status END,
    output = CASE WHEN e.cancel_requested THEN {_CANCELLED_TASK} ELSE r.output::json END,
    finished_at = clock_timestamp(), lease_owner = NULL, lease_expires_at = NULL
FROM unnest(%(ids)b::text[], %(statuses)b::text[], %(outputs)b::text[])
  AS r (id, status, output), held
WHERE e.id = r.id AND e.id = held.id
RETURNING e.id, e.parent_id
"""

# A failed attempt with retries left: pending again after its backoff (unless cancelled).
RETRY_TASKS = f"""
WITH {_HELD}
UPDATE rhythm.executions AS e
SET status = CASE WHEN e.cancel_requested THEN 'failed' ELSE 'pending' END,
    output = CASE WHEN e.cancel_requested THEN {_CANCELLED_TASK} ELSE NULL END,
    finished_at = CASE WHEN e.cancel_requested THEN clock_timestamp() END,
    run_at = clock_timestamp() + make_interval(secs => r.delay_ms / 1000.0),
    lease_owner = NULL, lease_expires_at = NULL
FROM unnest(%(ids)b::text[], %(delays)b::bigint[]) AS r (id, delay_ms), held
WHERE e.id = r.id AND e.id = held.id
RETURNING e.id, e.parent_id, e.status, e.queue
"""


@dataclass(frozen=True)
class Claimed:
    """An execution this worker now holds under its lease."""

    id: str
    type: str
    name: str
    inputs: str  # JSON text
    attempt: int
    max_retries: int
    retry_delay_ms: int
    timeout_ms: int | None
    parent_id: str | None
    queue: str
    created_at: datetime


@dataclass(frozen=True)
class TaskResult:
    """How one task attempt ended: `completed` or `failed` with `output` (JSON text), or
    retried after `retry_delay_ms`."""

    id: str
    status: str  # "completed" | "failed" | "retry"
    output: str | None = None
    retry_delay_ms: int = 0


def listen_for_work(conn: Connection) -> None:
    """Subscribe an autocommit connection to the work notifications (payload: the queue)."""
    conn.execute(LISTEN_WORK)


def claim(conn: Connection, queue: str, limit: int, owner: str, lease_s: float) -> list[Claimed]:
    """Up to `limit` claimable executions of `queue`, highest priority first, now `running`
    under `owner`'s lease."""
    rows = conn.execute(
        CLAIM, {"queue": queue, "limit": limit, "owner": owner, "lease_s": lease_s}
    ).fetchall()
    return [Claimed(*row) for row in rows]


def next_run_in(conn: Connection, queue: str) -> float | None:
    """Seconds until the next pending execution of `queue` is claimable (<= 0: now)."""
    row = conn.execute(NEXT_RUN_IN, {"queue": queue}).fetchone()
    return None if row is None or row[0] is None else float(row[0])


def heartbeat(conn: Connection, ids: Sequence[str], owner: str, lease_s: float) -> dict[str, bool]:
    """Renew the leases of `ids`; the ids still held, each with whether its cancellation was
    requested. An id missing from the answer was lost (its lease expired and it was reclaimed,
    or it was cancelled): its work must not be committed."""
    rows = conn.execute(HEARTBEAT, {"ids": list(ids), "owner": owner, "lease_s": lease_s})
    return {str(row[0]): bool(row[1]) for row in rows}


def reclaim_expired(conn: Connection, limit: int) -> int:
    """Make up to `limit` executions whose lease expired pending again; returns how many."""
    queues = [str(row[0]) for row in conn.execute(RECLAIM_EXPIRED, {"limit": limit})]
    notify_queues(conn, queues)
    return len(queues)


def release(conn: Connection, ids: Sequence[str], owner: str) -> int:
    """Give back executions this worker holds but will not finish (shutdown); an attempt that
    never ran its course is not counted."""
    queues = [str(row[0]) for row in conn.execute(RELEASE, {"ids": list(ids), "owner": owner})]
    notify_queues(conn, queues)
    return len(queues)


@dataclass(frozen=True)
class Recorded:
    """What `record_results` did: the executions that reached a final state, the workflows
    awaiting them, to wake (`wake`) or to step in the same transaction, and the queues of
    tasks pending again for a retry (to announce: they are claimable once their backoff
    ends)."""

    finished: list[str]
    parents: list[str]
    retry_queues: set[str]


def record_results(conn: Connection, results: Sequence[TaskResult], owner: str) -> Recorded:
    """Record a batch of task attempts. Results of executions this worker no longer holds
    (lease lost, cancelled) change nothing. The caller wakes (or steps) the parents in the
    same transaction."""
    final = [result for result in results if result.status != "retry"]
    retried = [result for result in results if result.status == "retry"]
    parents: list[str] = []
    finished: list[str] = []
    retry_queues: set[str] = set()
    if final:
        rows = conn.execute(
            FINISH_TASKS,
            {
                "ids": [result.id for result in final],
                "statuses": [result.status for result in final],
                "outputs": [result.output for result in final],
                "owner": owner,
            },
        )
        for id_, parent in rows:
            finished.append(str(id_))
            if parent is not None:
                parents.append(str(parent))
    if retried:
        rows = conn.execute(
            RETRY_TASKS,
            {
                "ids": [result.id for result in retried],
                "delays": [result.retry_delay_ms for result in retried],
                "owner": owner,
            },
        )
        for id_, parent, status, queue in rows:
            if status == "failed":  # cancelled meanwhile: final after all
                finished.append(str(id_))
                if parent is not None:
                    parents.append(str(parent))
            else:
                retry_queues.add(str(queue))
    return Recorded(finished, sorted(set(parents)), retry_queues)
