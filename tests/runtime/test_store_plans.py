"""The statements of a step and of a task result look rows up by key, whatever the table's
size: their generic plans (what a prepared statement runs after a few executions) never scan
`rhythm.executions`. The wake's `OR id IN (...)` once did, which made every task result slower
the more executions the table held."""

from __future__ import annotations

import psycopg
import pytest

from rhythm.store.executions import WAKE
from rhythm.store.queue import CLAIM, CLAIM_EXECUTION, FINISH_TASKS
from rhythm.store.steps import FINISH_STEP, LOCK_WORKFLOW, READ_OUTCOMES

pytestmark = pytest.mark.postgres

ROWS = 5_000

STATEMENTS = {
    "wake": (WAKE, {"ids": ["x1"], "finished": ["x2"]}),
    "read outcomes": (READ_OUTCOMES, {"id": "x1", "ids": ["x2"], "names": [], "claims": []}),
    "lock workflow": (LOCK_WORKFLOW, {"id": "x1"}),
    "claim": (CLAIM, {"queue": "default", "limit": 8, "owner": "o", "lease_s": 30}),
    "claim one": (CLAIM_EXECUTION, {"id": "x1", "queue": "default", "owner": "o", "lease_s": 30}),
    "finish tasks": (
        FINISH_TASKS,
        {"ids": ["x1"], "statuses": ["completed"], "outputs": ["1"], "owner": "o"},
    ),
    "finish step": (
        FINISH_STEP,
        {
            "id": "x1",
            "status": "suspended",
            "snapshot": None,
            "waiting_for": None,
            "output": None,
            "error_location": None,
        },
    ),
}


@pytest.mark.parametrize("name", STATEMENTS)
def test_the_generic_plan_never_scans_the_executions(migrated_url: str, name: str) -> None:
    query, parameters = STATEMENTS[name]
    with psycopg.connect(migrated_url) as conn:
        conn.execute(
            "INSERT INTO rhythm.executions (id, type, name, status, inputs) "
            "SELECT 'x' || n, 'task', 't', 'completed', '{}' FROM generate_series(1, %s) n",
            [ROWS],
        )
        conn.execute("ANALYZE rhythm.executions")
        conn.execute("SET plan_cache_mode = force_generic_plan")
        plan = "\n".join(
            str(row[0]) for row in conn.execute("EXPLAIN " + query, parameters, prepare=True)
        )
        conn.rollback()
    assert "Seq Scan on executions" not in plan, plan
