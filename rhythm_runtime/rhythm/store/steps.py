"""Workflow steps on the store: the row locks steps run under, the outcomes they read, the
effects and state they commit, and the due-timer sweep.

A step is one transaction (LANGUAGE.md §10.3), and so is a batch of steps (a worker runs the
steps of every workflow a batch of task results woke in the transaction that records them):
`lock_workflows` first, then `read_outcomes` (a new statement, so under READ COMMITTED it sees
every task, child and signal committed before the locks were granted; anything committed
later held or waited for a row lock in its `wake`, before the claim or after the step, and
wakes the workflow after the step, see `rhythm.store.queue`), then `insert_children`,
`insert_timers` and `finish_steps`, committed together. Each statement serves every step of
the batch: the cost of a round trip and of a statement is paid once per batch, not per step.
Child ids are derived by the VM from the parent's id and a counter, so `ON CONFLICT (id) DO
NOTHING` makes a step that runs again insert nothing twice.

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

# In id order, as every statement that locks several executions (no lock cycles).
LOCK_WORKFLOWS = """
SELECT id, status, lease_owner, cancel_requested, version_hash, snapshot::text, inputs::text,
  parent_id, queue, name, created_at
FROM rhythm.executions WHERE id = ANY(%(ids)b::text[]) AND type = 'workflow'
ORDER BY id
FOR UPDATE
"""

# One round trip for everything the steps of a batch may ask their hosts: the clock, the final
# outcomes of the tasks and children their promise tables refer to (directly, or through the
# execution a follower follows), and the signals their claims are due. Plain `id = ANY(...)`
# lookups: a join with `unnest` got a generic plan that scanned the table once prepared.
READ_OUTCOMES = """
SELECT 'clock', NULL, NULL, NULL, NULL, (extract(epoch FROM clock_timestamp()) * 1000)::bigint,
  NULL::bigint, NULL
UNION ALL
SELECT 'execution', e.id, e.status, e.name, e.output::text,
  (extract(epoch FROM e.finished_at) * 1000)::bigint, NULL, e.id
FROM rhythm.executions e
WHERE e.id = ANY(%(ids)b::text[]) AND e.status IN ('completed', 'failed')
UNION ALL
SELECT 'execution', f.id, e.status, e.name, e.output::text,
  (extract(epoch FROM e.finished_at) * 1000)::bigint, NULL, e.id
FROM rhythm.followers f JOIN rhythm.executions e ON e.id = f.execution_id
WHERE f.id = ANY(%(ids)b::text[]) AND e.status IN ('completed', 'failed')
UNION ALL
SELECT 'signal', s.name, NULL, NULL, s.payload::text,
  (extract(epoch FROM s.sent_at) * 1000)::bigint, s.claim, s.execution_id
FROM (
  SELECT execution_id, name, payload, sent_at,
    row_number() OVER (PARTITION BY execution_id, name ORDER BY seq) - 1 AS claim
  FROM rhythm.signals
  WHERE execution_id = ANY(%(receivers)b::text[]) AND name = ANY(%(names)b::text[])
) s
WHERE (s.execution_id, s.name, s.claim) IN (
  SELECT * FROM unnest(%(receivers)b::text[], %(names)b::text[], %(claims)b::bigint[]))
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
WHERE name = ANY(%(names)b::text[])
ORDER BY name, seq DESC
"""

INSERT_CHILDREN = """
INSERT INTO rhythm.executions
  (id, type, name, queue, priority, status, inputs, output, max_retries, retry_delay_ms,
   timeout_ms, parent_id, version_hash, idempotency_key, finished_at, attempt, lease_owner,
   lease_expires_at, started_at)
SELECT c.id, c.type, c.name, c.queue, c.priority, c.status, c.inputs::json, c.output::json,
  c.max_retries, c.retry_delay_ms, c.timeout_ms, c.parent, c.version_hash, c.key,
  CASE WHEN c.status = 'failed' THEN clock_timestamp() END,
  CASE WHEN c.status = 'running' THEN 1 ELSE 0 END,
  CASE WHEN c.status = 'running' THEN %(owner)s END,
  CASE WHEN c.status = 'running'
    THEN clock_timestamp() + make_interval(secs => %(lease_s)s) END,
  CASE WHEN c.status = 'running' THEN clock_timestamp() END
FROM unnest(%(ids)b::text[], %(types)b::text[], %(names)b::text[], %(queues)b::text[],
  %(priorities)b::int[], %(statuses)b::text[], %(inputs)b::text[], %(outputs)b::text[],
  %(retries)b::int[], %(delays)b::bigint[], %(timeouts)b::bigint[], %(parents)b::text[],
  %(versions)b::text[], %(keys)b::text[])
  AS c (id, type, name, queue, priority, status, inputs, output, max_retries, retry_delay_ms,
    timeout_ms, parent, version_hash, key)
ON CONFLICT DO NOTHING
RETURNING id, queue, status, created_at
"""

# The executions holding the keys of children that were not inserted (and were not inserted
# by an earlier run of this step either), locked until the step commits.
KEY_HOLDERS = """
SELECT c.id, e.id, e.status
FROM unnest(%(ids)b::text[], %(types)b::text[], %(names)b::text[], %(keys)b::text[])
  AS c (id, type, name, key)
JOIN rhythm.executions e
  ON e.type = c.type AND e.name = c.name AND e.idempotency_key = c.key AND e.status <> 'failed'
WHERE NOT EXISTS (SELECT 1 FROM rhythm.executions x WHERE x.id = c.id)
FOR SHARE OF e
"""

EXISTING = "SELECT id FROM rhythm.executions WHERE id = ANY(%(ids)b::text[])"

INSERT_FOLLOWERS = """
INSERT INTO rhythm.followers (id, execution_id, parent_id)
SELECT f.id, f.execution_id, f.parent_id
FROM unnest(%(ids)b::text[], %(targets)b::text[], %(parents)b::text[])
  AS f (id, execution_id, parent_id)
ON CONFLICT (id) DO NOTHING
"""

INSERT_TIMERS = """
INSERT INTO rhythm.timers (id, execution_id, due_at)
SELECT t.id, t.execution_id, to_timestamp(t.due_ms / 1000.0)
FROM unnest(%(ids)b::text[], %(executions)b::text[], %(dues)b::bigint[])
  AS t (id, execution_id, due_ms)
ON CONFLICT (id) DO NOTHING
"""

# `run_at` changes only for a step that ends pending (a yield): it is in an index, and the
# update of a workflow that suspends again changes no indexed column, so it can be a HOT update
# (no new index entries, no index bloat).
FINISH_STEPS = """
UPDATE rhythm.executions AS e
SET status = s.status, snapshot = s.snapshot::json, waiting_for = s.waiting_for::json,
    output = s.output::json, error_location = s.error_location::json,
    finished_at = CASE WHEN s.status IN ('completed', 'failed') THEN clock_timestamp() END,
    run_at = CASE WHEN s.status = 'pending' THEN clock_timestamp() ELSE e.run_at END,
    lease_owner = NULL, lease_expires_at = NULL
FROM unnest(%(ids)b::text[], %(statuses)b::text[], %(snapshots)b::text[],
  %(waiting_for)b::text[], %(outputs)b::text[], %(error_locations)b::text[])
  AS s (id, status, snapshot, waiting_for, output, error_location)
WHERE e.id = s.id
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
    """A workflow row a step runs on, locked for the step's transaction."""

    id: str
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
class Leaves:
    """What one step asks `read_outcomes` for: the task and child ids of its workflow's
    promise table and its signal claims, (name, claim)."""

    execution_id: str
    ids: Sequence[str]
    claims: Sequence[tuple[str, int]]


@dataclass(frozen=True)
class Outcomes:
    """What `read_outcomes` found: the clock, finished executions by id, and the signals due
    to claims, by (receiving execution, name, claim) as (payload JSON text, sent at epoch
    ms)."""

    now_ms: int
    executions: dict[str, StoredOutcome]
    signals: dict[tuple[str, str, int], tuple[str, int]]


@dataclass(frozen=True)
class NewChild:
    """A task or child workflow a step of workflow `parent_id` started (status `pending`;
    `running` for a task its step's worker runs next; or `failed` with `output` when it cannot
    start: an unknown workflow, inputs its declared type rejects)."""

    id: str
    parent_id: str
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
    """The state a step leaves its workflow `id` in (`status` as stored: a yielded step is
    `pending`)."""

    id: str
    status: str
    snapshot: str | None = None
    waiting_for: str | None = None
    output: str | None = None
    error_location: str | None = None


@dataclass(frozen=True)
class Timer:
    """A timer a step started: the VM's record id, its workflow, when it is due (epoch ms)."""

    id: str
    execution_id: str
    due_ms: int


def lock_workflows(conn: Connection, ids: Sequence[str]) -> list[LockedWorkflow]:
    """The workflow rows of `ids` (those that exist), locked until the transaction ends."""
    rows = conn.execute(LOCK_WORKFLOWS, {"ids": list(ids)}).fetchall()
    return [LockedWorkflow(*row) for row in rows]


def read_outcomes(conn: Connection, steps: Sequence[Leaves]) -> Outcomes:
    """The clock and the settled outcomes of what `steps` ask for."""
    claims = [(step.execution_id, *claim) for step in steps for claim in step.claims]
    parameters = {
        "ids": [id_ for step in steps for id_ in step.ids],
        "receivers": [receiver for receiver, _, _ in claims],
        "names": [name for _, name, _ in claims],
        "claims": [claim for _, _, claim in claims],
    }
    now_ms = 0
    executions: dict[str, StoredOutcome] = {}
    signals: dict[tuple[str, str, int], tuple[str, int]] = {}
    rows = conn.execute(READ_OUTCOMES, parameters)
    for source, key, status, name, text, at_ms, claim, owner_id in rows:
        if source == "clock":
            now_ms = int(at_ms)
        elif source == "execution":
            executions[key] = StoredOutcome(status, name, text, int(at_ms), owner_id)
        else:
            signals[(owner_id, key, int(claim))] = (text, int(at_ms))
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
    # The workflows some of whose children follow an execution holding their idempotency key
    # that already finished (their promises settle now: the steps must be woken).
    follow_finished: frozenset[str] = frozenset()


def insert_children(
    conn: Connection, children: Sequence[NewChild], lease: Lease | None
) -> InsertedChildren:
    """Insert the tasks and child workflows steps started (those not inserted by an earlier
    run of the same step); `running` ones under `lease`, which they need."""
    if not children:
        return InsertedChildren(set(), {})
    rows = conn.execute(
        INSERT_CHILDREN,
        {
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
            "parents": [c.parent_id for c in children],
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
    holders = _follow(conn, keyed)
    by_id = {c.id: c for c in keyed}
    followed_finished = frozenset(
        by_id[child].parent_id for child, (_, status) in holders.items() if status == "completed"
    )
    # A holder that failed after the insert and before the lookup freed its key: start anew.
    unplaced = [c for c in keyed if c.id not in holders]
    existing = {str(row[0]) for row in conn.execute(EXISTING, {"ids": [c.id for c in unplaced]})}
    retry = [c for c in unplaced if c.id not in existing]
    if not retry:
        return dataclasses.replace(result, follow_finished=followed_finished)
    again = insert_children(conn, retry, lease)
    return InsertedChildren(
        pending_queues=result.pending_queues | again.pending_queues,
        started={**result.started, **again.started},
        follow_finished=followed_finished | again.follow_finished,
    )


def _follow(conn: Connection, children: Sequence[NewChild]) -> dict[str, tuple[str, str]]:
    """Make `children` (not inserted: their keys are held, or an earlier run of their step
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
        parents = {c.id: c.parent_id for c in children}
        conn.execute(
            INSERT_FOLLOWERS,
            {
                "ids": list(followed),
                "targets": [target for target, _ in followed.values()],
                "parents": [parents[child] for child in followed],
            },
        )
    return followed


def insert_timers(conn: Connection, timers: Sequence[Timer]) -> None:
    """Store the timers steps started, for the sweep to fire."""
    if timers:
        conn.execute(
            INSERT_TIMERS,
            {
                "ids": [timer.id for timer in timers],
                "executions": [timer.execution_id for timer in timers],
                "dues": [timer.due_ms for timer in timers],
            },
        )


def finish_steps(conn: Connection, ends: Sequence[StepEnd]) -> None:
    """Write the state each step ended in and release the leases."""
    conn.execute(
        FINISH_STEPS,
        {
            "ids": [end.id for end in ends],
            "statuses": [end.status for end in ends],
            "snapshots": [end.snapshot for end in ends],
            "waiting_for": [end.waiting_for for end in ends],
            "outputs": [end.output for end in ends],
            "error_locations": [end.error_location for end in ends],
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
