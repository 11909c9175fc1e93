"""Workflow steps on the store: the row lock a step runs under, the outcomes it reads, the
effects and state it commits, and the due-timer sweep.

A step is one transaction (LANGUAGE.md §10.3): `lock_workflow` first, then `read_outcomes` (a
new statement, so under READ COMMITTED it sees every task, child and signal committed before
the lock was granted; anything committed later held or waited for the row lock in its
`wake`, before the claim or after the step, and wakes the workflow after the step, see
`rhythm.store.queue`), then `insert_children`, `insert_timers`
and `finish_step`, committed together. Child ids are derived by the VM from the parent's id and
a counter, so `ON CONFLICT (id) DO NOTHING` makes a step that runs again insert nothing twice.

A child started with an idempotency key that an execution already holds (one that has not
failed) is not inserted: the step's promise follows that execution (`rhythm.followers`), and
its row is locked `FOR SHARE` until the step commits, so that its finishing transaction waits
and then sees the follower to wake (no lost wake-up).

A task the step's own worker will run right after the commit is inserted already `running`
under that worker's lease (attempt 1): it skips a claim, a transaction of its own. Only rows
this statement inserted are returned as started, so a step that runs again after a crash never
starts a task twice.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from psycopg import Connection

from rhythm.store.executions import notify_queues, wake

LOCK_WORKFLOW = """
SELECT status, lease_owner, cancel_requested, version_hash, snapshot::text, inputs::text,
  parent_id, queue, name, created_at
FROM rhythm.executions WHERE id = %(id)s AND type = 'workflow'
FOR UPDATE
"""

# One round trip for everything a step may ask the host: the clock, the final outcomes of the
# tasks and children its promise table refers to (directly, or through the execution a
# follower follows), and the signals its claims are due. Plain `id = ANY(...)` lookups: a join
# with `unnest` got a generic plan that scanned the table once prepared.
READ_OUTCOMES = """
SELECT 'clock', NULL, NULL, NULL, NULL, (extract(epoch FROM clock_timestamp()) * 1000)::bigint,
  NULL::bigint, NULL
UNION ALL
SELECT 'execution', e.id, e.status, e.name, e.output::text,
  (extract(epoch FROM e.finished_at) * 1000)::bigint, NULL, e.id
FROM rhythm.executions e
WHERE e.id = ANY(%(ids)s::text[]) AND e.status IN ('completed', 'failed')
UNION ALL
SELECT 'execution', f.id, e.status, e.name, e.output::text,
  (extract(epoch FROM e.finished_at) * 1000)::bigint, NULL, e.id
FROM rhythm.followers f JOIN rhythm.executions e ON e.id = f.execution_id
WHERE f.id = ANY(%(ids)s::text[]) AND e.status IN ('completed', 'failed')
UNION ALL
SELECT 'signal', s.name, NULL, NULL, s.payload::text,
  (extract(epoch FROM s.sent_at) * 1000)::bigint, s.claim, NULL
FROM (
  SELECT name, payload, sent_at,
    row_number() OVER (PARTITION BY name ORDER BY seq) - 1 AS claim
  FROM rhythm.signals
  WHERE execution_id = %(id)s AND name = ANY(%(names)s::text[])
) s
WHERE (s.name, s.claim) IN (SELECT * FROM unnest(%(names)s::text[], %(claims)s::bigint[]))
"""

# Claim `claim` of a signal name the step made just now (not in the snapshot it started from).
READ_SIGNAL = """
SELECT payload::text, (extract(epoch FROM sent_at) * 1000)::bigint
FROM rhythm.signals
WHERE execution_id = %(id)s AND name = %(name)s
ORDER BY seq
OFFSET %(claim)s LIMIT 1
"""

NEWEST_VERSIONS = """
SELECT DISTINCT ON (name) name, hash FROM rhythm.workflow_versions
WHERE name = ANY(%(names)s::text[])
ORDER BY name, seq DESC
"""

INSERT_CHILDREN = """
INSERT INTO rhythm.executions
  (id, type, name, queue, priority, status, inputs, output, max_retries, retry_delay_ms,
   timeout_ms, parent_id, version_hash, idempotency_key, finished_at, attempt, lease_owner,
   lease_expires_at, started_at)
SELECT c.id, c.type, c.name, c.queue, c.priority, c.status, c.inputs::json, c.output::json,
  c.max_retries, c.retry_delay_ms, c.timeout_ms, %(parent)s, c.version_hash, c.key,
  CASE WHEN c.status = 'failed' THEN clock_timestamp() END,
  CASE WHEN c.status = 'running' THEN 1 ELSE 0 END,
  CASE WHEN c.status = 'running' THEN %(owner)s END,
  CASE WHEN c.status = 'running'
    THEN clock_timestamp() + make_interval(secs => %(lease_s)s) END,
  CASE WHEN c.status = 'running' THEN clock_timestamp() END
FROM unnest(%(ids)s::text[], %(types)s::text[], %(names)s::text[], %(queues)s::text[],
  %(priorities)s::int[], %(statuses)s::text[], %(inputs)s::text[], %(outputs)s::text[],
  %(retries)s::int[], %(delays)s::bigint[], %(timeouts)s::bigint[], %(versions)s::text[],
  %(keys)s::text[])
  AS c (id, type, name, queue, priority, status, inputs, output, max_retries, retry_delay_ms,
    timeout_ms, version_hash, key)
ON CONFLICT DO NOTHING
RETURNING id, queue, status, created_at
"""

# The executions holding the keys of children that were not inserted (and were not inserted
# by an earlier run of this step either), locked until the step commits.
KEY_HOLDERS = """
SELECT c.id, e.id, e.status
FROM unnest(%(ids)s::text[], %(types)s::text[], %(names)s::text[], %(keys)s::text[])
  AS c (id, type, name, key)
JOIN rhythm.executions e
  ON e.type = c.type AND e.name = c.name AND e.idempotency_key = c.key AND e.status <> 'failed'
WHERE NOT EXISTS (SELECT 1 FROM rhythm.executions x WHERE x.id = c.id)
FOR SHARE OF e
"""

EXISTING = "SELECT id FROM rhythm.executions WHERE id = ANY(%(ids)s::text[])"

INSERT_FOLLOWERS = """
INSERT INTO rhythm.followers (id, execution_id, parent_id)
SELECT f.id, f.execution_id, %(parent)s
FROM unnest(%(ids)s::text[], %(targets)s::text[]) AS f (id, execution_id)
ON CONFLICT (id) DO NOTHING
"""

INSERT_TIMERS = """
INSERT INTO rhythm.timers (id, execution_id, due_at)
SELECT t.id, %(execution)s, to_timestamp(t.due_ms / 1000.0)
FROM unnest(%(ids)s::text[], %(dues)s::bigint[]) AS t (id, due_ms)
ON CONFLICT (id) DO NOTHING
"""

FINISH_STEP = """
UPDATE rhythm.executions
SET status = %(status)s, snapshot = %(snapshot)s::json, waiting_for = %(waiting_for)s::json,
    output = %(output)s::json, error_location = %(error_location)s::json,
    finished_at = CASE WHEN %(status)s IN ('completed', 'failed') THEN clock_timestamp() END,
    run_at = clock_timestamp(), lease_owner = NULL, lease_expires_at = NULL
WHERE id = %(id)s
"""

SWEEP_TIMERS = """
WITH due AS (
  SELECT id FROM rhythm.timers
  WHERE NOT fired AND due_at <= clock_timestamp()
  ORDER BY due_at
  LIMIT %(limit)s
  FOR UPDATE SKIP LOCKED
)
UPDATE rhythm.timers AS t SET fired = true
FROM due WHERE t.id = due.id
RETURNING t.execution_id
"""

# What keeps a queue busy: pending rows (due or waiting out a backoff), running ones (held by
# a worker, or by a crashed one until its lease expires) and unfired timers of its suspended
# workflows.
WORK_AHEAD = """
SELECT EXISTS (
  SELECT 1 FROM rhythm.executions
  WHERE status IN ('pending', 'running') AND queue = %(queue)s
) OR EXISTS (
  SELECT 1 FROM rhythm.timers t JOIN rhythm.executions e ON e.id = t.execution_id
  WHERE NOT t.fired AND e.status = 'suspended' AND e.queue = %(queue)s
)
"""


@dataclass(frozen=True)
class LockedWorkflow:
    """The workflow row a step runs on, locked for the step's transaction."""

    status: str
    lease_owner: str | None
    cancel_requested: bool
    version_hash: str | None
    snapshot: str | None  # JSON text
    inputs: str  # JSON text
    parent_id: str | None
    queue: str
    name: str
    created_at: datetime


@dataclass(frozen=True)
class StoredOutcome:
    """A finished task or child workflow as its row holds it (`execution_id`: the row's id,
    the promise's own or that of the execution it follows)."""

    status: str
    name: str
    output: str | None  # JSON text
    finished_ms: int
    execution_id: str


@dataclass(frozen=True)
class Outcomes:
    """What `read_outcomes` found: the clock, finished executions by id, and the signals due
    to claims, by (name, claim) as (payload JSON text, sent at epoch ms)."""

    now_ms: int
    executions: dict[str, StoredOutcome]
    signals: dict[tuple[str, int], tuple[str, int]]


@dataclass(frozen=True)
class NewChild:
    """A task or child workflow a step started (status `pending`; `running` for a task its
    step's worker runs next; or `failed` with `output` when it cannot start: an unknown
    workflow, inputs its declared type rejects)."""

    id: str
    type: str
    name: str
    queue: str
    priority: int
    inputs: str
    status: str = "pending"
    output: str | None = None
    max_retries: int = 0
    retry_delay_ms: int = 1000
    timeout_ms: int | None = None
    version_hash: str | None = None
    idempotency_key: str | None = None


@dataclass(frozen=True)
class StepEnd:
    """The state a step leaves its workflow in (`status` as stored: a yielded step is
    `pending`)."""

    status: str
    snapshot: str | None = None
    waiting_for: str | None = None
    output: str | None = None
    error_location: str | None = None


def lock_workflow(conn: Connection, execution_id: str) -> LockedWorkflow | None:
    row = conn.execute(LOCK_WORKFLOW, {"id": execution_id}).fetchone()
    return None if row is None else LockedWorkflow(*row)


def read_outcomes(
    conn: Connection, execution_id: str, ids: Sequence[str], claims: Sequence[tuple[str, int]]
) -> Outcomes:
    """The clock and the settled outcomes of the records `ids` and signal `claims`."""
    parameters = {
        "id": execution_id,
        "ids": list(ids),
        "names": [name for name, _ in claims],
        "claims": [claim for _, claim in claims],
    }
    now_ms = 0
    executions: dict[str, StoredOutcome] = {}
    signals: dict[tuple[str, int], tuple[str, int]] = {}
    rows = conn.execute(READ_OUTCOMES, parameters)
    for source, key, status, name, text, at_ms, claim, execution_id in rows:
        if source == "clock":
            now_ms = int(at_ms)
        elif source == "execution":
            executions[key] = StoredOutcome(status, name, text, int(at_ms), execution_id)
        else:
            signals[(key, int(claim))] = (text, int(at_ms))
    return Outcomes(now_ms, executions, signals)


def read_signal(
    conn: Connection, execution_id: str, name: str, claim: int
) -> tuple[str, int] | None:
    """Signal number `claim` (0-based) of `name` sent to the execution, if sent yet."""
    row = conn.execute(READ_SIGNAL, {"id": execution_id, "name": name, "claim": claim}).fetchone()
    return None if row is None else (str(row[0]), int(row[1]))


def newest_versions(conn: Connection, names: Sequence[str]) -> dict[str, str]:
    """The hash of the newest registered version of each of `names` that has one."""
    return {
        str(name): str(hash_)
        for name, hash_ in conn.execute(NEWEST_VERSIONS, {"names": list(names)})
    }


@dataclass(frozen=True)
class Lease:
    """Who runs the `running` children of a step, and for how long before they are reclaimed."""

    owner: str
    seconds: float


@dataclass(frozen=True)
class InsertedChildren:
    pending_queues: set[str]  # queues that got pending work
    started: dict[str, datetime]  # id -> created_at of each child inserted `running`
    # Children that follow an execution holding their idempotency key and already finished
    # (their promises settle now: the step must be woken).
    follow_finished: bool = False


def insert_children(
    conn: Connection, parent_id: str, children: Sequence[NewChild], lease: Lease | None
) -> InsertedChildren:
    """Insert the tasks and child workflows a step started (those not inserted by an earlier
    run of the same step); `running` ones under `lease`, which they need."""
    if not children:
        return InsertedChildren(set(), {})
    rows = conn.execute(
        INSERT_CHILDREN,
        {
            "parent": parent_id,
            "owner": None if lease is None else lease.owner,
            "lease_s": None if lease is None else lease.seconds,
            "ids": [c.id for c in children],
            "types": [c.type for c in children],
            "names": [c.name for c in children],
            "queues": [c.queue for c in children],
            "priorities": [c.priority for c in children],
            "statuses": [c.status for c in children],
            "inputs": [c.inputs for c in children],
            "outputs": [c.output for c in children],
            "retries": [c.max_retries for c in children],
            "delays": [c.retry_delay_ms for c in children],
            "timeouts": [c.timeout_ms for c in children],
            "versions": [c.version_hash for c in children],
            "keys": [c.idempotency_key for c in children],
        },
    ).fetchall()
    result = InsertedChildren(
        pending_queues={str(queue) for _, queue, status, _ in rows if status == "pending"},
        started={str(id_): created for id_, _, status, created in rows if status == "running"},
    )
    inserted = {str(row[0]) for row in rows}
    keyed = [c for c in children if c.idempotency_key is not None and c.id not in inserted]
    if not keyed:
        return result
    holders = _follow(conn, parent_id, keyed)
    followed_finished = any(status == "completed" for _, status in holders.values())
    # A holder that failed after the insert and before the lookup freed its key: start anew.
    unplaced = [c for c in keyed if c.id not in holders]
    existing = {str(row[0]) for row in conn.execute(EXISTING, {"ids": [c.id for c in unplaced]})}
    retry = [c for c in unplaced if c.id not in existing]
    if not retry:
        return dataclasses.replace(result, follow_finished=followed_finished)
    again = insert_children(conn, parent_id, retry, lease)
    return InsertedChildren(
        pending_queues=result.pending_queues | again.pending_queues,
        started={**result.started, **again.started},
        follow_finished=followed_finished or again.follow_finished,
    )


def _follow(
    conn: Connection, parent_id: str, children: Sequence[NewChild]
) -> dict[str, tuple[str, str]]:
    """Make `children` (not inserted: their keys are held, or an earlier run of this step
    inserted them) follow the executions holding their keys: child id -> (the execution it
    follows, that execution's status)."""
    holders = conn.execute(
        KEY_HOLDERS,
        {
            "ids": [c.id for c in children],
            "types": [c.type for c in children],
            "names": [c.name for c in children],
            "keys": [c.idempotency_key for c in children],
        },
    ).fetchall()
    followed = {str(child): (str(target), str(status)) for child, target, status in holders}
    if followed:
        conn.execute(
            INSERT_FOLLOWERS,
            {
                "parent": parent_id,
                "ids": list(followed),
                "targets": [target for target, _ in followed.values()],
            },
        )
    return followed


def insert_timers(conn: Connection, execution_id: str, timers: Sequence[tuple[str, int]]) -> None:
    """Store the step's timers, (record id, due epoch ms), for the sweep to fire."""
    if timers:
        conn.execute(
            INSERT_TIMERS,
            {
                "execution": execution_id,
                "ids": [timer_id for timer_id, _ in timers],
                "dues": [due for _, due in timers],
            },
        )


def finish_step(conn: Connection, execution_id: str, end: StepEnd) -> None:
    """Write the state the step ended in and release the lease."""
    conn.execute(
        FINISH_STEP,
        {
            "id": execution_id,
            "status": end.status,
            "snapshot": end.snapshot,
            "waiting_for": end.waiting_for,
            "output": end.output,
            "error_location": end.error_location,
        },
    )


def sweep_timers(conn: Connection, limit: int) -> int:
    """Fire up to `limit` due timers and wake their workflows; returns how many fired."""
    execution_ids = [str(row[0]) for row in conn.execute(SWEEP_TIMERS, {"limit": limit})]
    notify_queues(conn, wake(conn, execution_ids))
    return len(execution_ids)


def work_ahead(conn: Connection, queue: str) -> bool:
    """Whether `queue` has work that is pending, running, or will be (a backoff, a timer)."""
    row = conn.execute(WORK_AHEAD, {"queue": queue}).fetchone()
    return bool(row and row[0])
