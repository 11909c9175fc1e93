"""The statements of steps and of task results look rows up by key, whatever the table's
size: their generic plans (what a prepared statement runs after a few executions) never scan
`rhythm.executions`, in a session of Rhythm's pools (`prefer_indexes`), whether the table is
large and analyzed or new and never analyzed (the plans a process keeps when it starts on a new
database, or on a server without autovacuum). The wake's `OR id IN (...)` once scanned, and so
did the wake and the outcome read on a never-analyzed table: either made every step slower the
more executions the table held."""

from __future__ import annotations

import psycopg
import pytest

from rhythm.store.executions import LOCK_UNFINISHED_TREE, WAKE
from rhythm.store.queue import CLAIM, FINISH_TASKS, HEARTBEAT, RETRY_TASKS
from rhythm.store.sessions import prefer_indexes
from rhythm.store.steps import FINISH_STEPS, LOCK_WORKFLOWS, READ_OUTCOMES

pytestmark = pytest.mark.postgres

ROWS = 5_000

STATEMENTS = {
    "wake": (WAKE, {"ids": ["x1"], "finished": ["x2"]}),
    "lock a tree to cancel": (LOCK_UNFINISHED_TREE, {"id": "x1"}),
    "read outcomes": (
        READ_OUTCOMES,
        {"ids": ["x2"], "receivers": ["x1"], "names": ["s"], "claims": [0]},
    ),
    "lock workflows": (LOCK_WORKFLOWS, {"ids": ["x1", "x3"]}),
    "claim": (CLAIM, {"queue": "default", "limit": 8, "owner": "o", "lease_s": 30}),
    "retry tasks": (RETRY_TASKS, {"ids": ["x1"], "delays": [100], "owner": "o"}),
    "heartbeat": (HEARTBEAT, {"ids": ["x1"], "owner": "o", "lease_s": 30}),
    "finish tasks": (
        FINISH_TASKS,
        {"ids": ["x1"], "statuses": ["completed"], "outputs": ["1"], "owner": "o"},
    ),
    "finish steps": (
        FINISH_STEPS,
        {
            "ids": ["x1", "x3"],
            "statuses": ["suspended", "completed"],
            "snapshots": ["{}", None],
            "waiting_for": ["[]", None],
            "outputs": [None, "1"],
            "error_locations": [None, None],
        },
    ),
}


@pytest.mark.parametrize("rows", [0, ROWS])
@pytest.mark.parametrize("name", STATEMENTS)
def test_the_generic_plan_never_scans_the_executions(
    migrated_url: str, name: str, rows: int
) -> None:
    query, parameters = STATEMENTS[name]
    with psycopg.connect(migrated_url) as conn:
        prefer_indexes(conn)
        if rows:
            conn.execute(
                "INSERT INTO rhythm.executions (id, type, name, status, inputs) "
                "SELECT 'x' || n, 'task', 't', 'completed', '{}' FROM generate_series(1, %s) n",
                [rows],
            )
            conn.execute("ANALYZE rhythm.executions")
        conn.execute("SET plan_cache_mode = force_generic_plan")
        plan = "\n".join(
            str(row[0]) for row in conn.execute("EXPLAIN " + query, parameters, prepare=True)
        )
        conn.rollback()
    assert "Seq Scan on executions" not in plan, plan
