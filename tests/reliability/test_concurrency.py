"""Issue #8, item 3: four worker processes of concurrency 8 on 5,000 tasks.

The tasks come both ways at once: 3,000 started on their own by the client while the workers
run, and 2,000 by twenty workflows fanning out 100 each (so results of one workflow's tasks
finish on four workers at the same time and all wake the same row). Some of them sleep two and
a half times the lease: their heartbeats must keep them. Then:

* each task ran exactly once (counted by the task itself) and completed at its first attempt;
* PostgreSQL detected no deadlock in the database (`pg_stat_database.deadlocks`, read after
  the workers have exited so every backend has reported), and no worker logged one;
* no worker lost a lease.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from harness import Workers, deadlocks, outputs_of, query, unfinished, wait_for

import rhythm
from rhythm import app as app_module
from rhythm.tasks import REGISTRY

WORKERS = 4
CONCURRENCY = 8
LEASE_S = 2.0
ALONE = 3_000  # tasks started on their own
FANS = 20
FAN_OUT = 100
OVER_LEASE = {f"alone-{n}": 2.5 * LEASE_S for n in range(0, ALONE, ALONE // 20)}
RUN_S = 240.0

FAN = """
let started = []
let i = 0
while (i < Inputs.count) {
  started.push(Task.run("nap", { key: `${Inputs.id}-${i}`, seconds: 0 }))
  i++
}
const done = await Promise.all(started)
return done.length
"""


@pytest.fixture(autouse=True)
def _fresh_process_state() -> Iterator[None]:
    REGISTRY.clear()
    yield
    app_module.shutdown()
    REGISTRY.clear()


@pytest.mark.postgres
def test_four_workers_run_5000_tasks_each_exactly_once_without_deadlocks(
    migrated_url: str, tmp_path: Path
) -> None:
    path = tmp_path / "fan.flow"
    path.write_text(FAN, encoding="utf-8")
    rhythm.init(
        database_url=migrated_url, workflows=[rhythm.WorkflowFile(name="fan", file_path=path)]
    )
    workers = Workers(migrated_url, tmp_path, lease_s=LEASE_S)
    for _ in range(WORKERS):
        workers.start(concurrency=CONCURRENCY)
    try:
        fans = [
            rhythm.client.workflows.run("fan", inputs={"id": f"fan{n}", "count": FAN_OUT})
            for n in range(FANS)
        ]
        for n in range(ALONE):
            key = f"alone-{n}"
            rhythm.client.tasks.run("nap", inputs={"key": key, "seconds": OVER_LEASE.get(key, 0)})
        wait_for(lambda: unfinished(migrated_url) == 0, "every task to finish", RUN_S)
        alive = len(workers.alive())
    finally:
        workers.stop_all()
    logs = workers.outputs()

    assert alive == WORKERS, logs
    assert outputs_of(migrated_url, fans) == {i: ("completed", FAN_OUT) for i in fans}
    expected = {f"alone-{n}" for n in range(ALONE)}
    expected |= {f"fan{n}-{i}" for n in range(FANS) for i in range(FAN_OUT)}
    runs = Counter(key for key, _ in workers.task_starts())
    assert set(runs) == expected
    assert [key for key, count in runs.items() if count > 1] == []
    attempts = query(
        migrated_url,
        "SELECT status, attempt, count(*) FROM rhythm.executions WHERE type = 'task' GROUP BY 1, 2",
    )
    assert attempts == [("completed", 1, len(expected))]
    assert deadlocks(migrated_url) == 0
    assert not re.search(r"deadlock|lease of \S+ lost", logs), logs
