"""What tools read beyond the client's view of an execution: the workflow version it runs
(`rhythm show`, `rhythm graph`), the tasks, child workflows, timers and signals of its progress
(`rhythm graph`) and when it was created, started and finished (`bench/runtime.py`).

A suspended or failed workflow is shown with the source line it waits at or threw from, so the
program must be the version the execution is pinned to, not the newest one of its name.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from psycopg import Connection

PROGRAM_OF_EXECUTION = """
SELECT v.program
FROM rhythm.executions e JOIN rhythm.workflow_versions v ON v.hash = e.version_hash
WHERE e.id = %(id)s
"""


def program_of_execution(conn: Connection, execution_id: str) -> str | None:
    """The Program JSON text of the version a workflow execution runs; None for a task or an
    unknown id."""
    row = conn.execute(PROGRAM_OF_EXECUTION, {"id": execution_id}).fetchone()
    return None if row is None else str(row[0])


# Epoch milliseconds, computed by the server so all three come from one clock.
TIMINGS = """
SELECT id,
  extract(epoch FROM created_at) * 1000,
  extract(epoch FROM started_at) * 1000,
  extract(epoch FROM finished_at) * 1000
FROM rhythm.executions WHERE id = ANY(%(ids)b::text[])
"""

CHILD_TIMINGS = """
SELECT id,
  extract(epoch FROM created_at) * 1000,
  extract(epoch FROM started_at) * 1000,
  extract(epoch FROM finished_at) * 1000
FROM rhythm.executions WHERE parent_id = %(id)s
ORDER BY started_at, id
"""


@dataclass(frozen=True)
class Timing:
    """When an execution was created, first started and finished (epoch ms; None: not yet)."""

    id: str
    created_ms: float
    started_ms: float | None
    finished_ms: float | None


def timings(conn: Connection, execution_ids: Sequence[str]) -> list[Timing]:
    """The timings of the given executions (in no particular order), for benchmarks."""
    return [_timing(row) for row in conn.execute(TIMINGS, {"ids": list(execution_ids)})]


def child_timings(conn: Connection, parent_id: str) -> list[Timing]:
    """The timings of the executions `parent_id` started, in the order they started."""
    return [_timing(row) for row in conn.execute(CHILD_TIMINGS, {"id": parent_id})]


def _timing(row: tuple[Any, ...]) -> Timing:
    created, started, finished = (None if value is None else float(value) for value in row[1:])
    assert created is not None  # created_at is NOT NULL
    return Timing(str(row[0]), created, started, finished)


# What `rhythm graph` draws an execution's progress from. Child ids are `<parent id>:<n>`, n
# counting the effects in call order (rhythm.vm_calls), so for one parent `length(id), id`
# sorts them by n.
CHILDREN_OF_EXECUTION = """
SELECT id, type, name, status FROM rhythm.executions WHERE parent_id = %(id)s
ORDER BY length(id), id
"""

TIMERS_OF_EXECUTION = """
SELECT id, due_at <= clock_timestamp() FROM rhythm.timers WHERE execution_id = %(id)s
ORDER BY length(id), id
"""

SIGNALS_RECEIVED = """
SELECT name, count(*) FROM rhythm.signals WHERE execution_id = %(id)s GROUP BY name
"""


@dataclass(frozen=True)
class Child:
    """A task or child workflow that an execution started."""

    id: str
    type: str  # "task" | "workflow"
    name: str
    status: str


@dataclass(frozen=True)
class TimerState:
    """A timer that an execution started, and whether its due time has passed."""

    id: str
    elapsed: bool


def children_of_execution(conn: Connection, execution_id: str) -> list[Child]:
    """The tasks and child workflows `execution_id` started, in the order it started them."""
    rows = conn.execute(CHILDREN_OF_EXECUTION, {"id": execution_id})
    return [
        Child(str(id_), str(type_), str(name), str(status)) for id_, type_, name, status in rows
    ]


def timers_of_execution(conn: Connection, execution_id: str) -> list[TimerState]:
    """The timers `execution_id` started, in the order it started them."""
    rows = conn.execute(TIMERS_OF_EXECUTION, {"id": execution_id})
    return [TimerState(str(id_), bool(elapsed)) for id_, elapsed in rows]


def signals_received(conn: Connection, execution_id: str) -> dict[str, int]:
    """How many signals of each name were sent to `execution_id`."""
    rows = conn.execute(SIGNALS_RECEIVED, {"id": execution_id})
    return {str(name): int(count) for name, count in rows}
