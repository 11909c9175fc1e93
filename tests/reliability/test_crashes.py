"""Issue #8, item 1: workers SIGKILLed at random points of 200 workflows.

Worker processes are killed over and over while they run 200 workflows (each a task, three
parallel tasks, a timer, and a child workflow with a task of its own): by themselves at the
crash points of `reliability_tasks` (inside a task; a workflow step before and after its commit;
the recording of task results before and after its commit), at a random count of passes, and by
the test at random moments. Whenever a worker dies another one is started, with the next crash
of a shuffled plan, until the plan is used up. Then:

* every workflow ends with the output of an uninterrupted run (`rhythm.testing`);
* no step's effects are committed twice: each workflow has exactly the children and timer an
  uninterrupted run has, and (an audit trigger in the test database records every committed
  change of a workflow's state) no state of a workflow was stepped from twice;
* a task re-runs at most once per crash that interrupted it: every start of a task but one
  happened in a worker that was then killed, and no worker started a task twice.
"""

from __future__ import annotations

import json
import random
import signal
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from harness import (
    WorkerProcess,
    Workers,
    execute,
    outputs_of,
    query,
    unfinished,
    wait_for,
    work_output,
)
from reliability_tasks import CRASH_POINTS

import rhythm
from rhythm import app as app_module
from rhythm.tasks import REGISTRY
from rhythm.testing import run_workflow

WORKFLOWS = 200
SEED = 8  # the plan's order and counts; the moments of the crashes are the machine's
CRASHES_PER_POINT = 3
WORKERS = 2
CONCURRENCY = 4
LEASE_S = 1.0
WORK_S = 0.01
EXTERNAL = "external"  # killed by the test, `EXTERNAL_AFTER_S` after its start
EXTERNAL_AFTER_S = (0.8, 2.5)  # a worker serves about 0.7 s after its start
START_SPAN_S = 12.0  # the workflows are started evenly over this time, so crashes meet work
RUN_S = 240.0

PARENT = """
const first = await Task.run("work", { wf: Inputs.id, k: 0, x: Inputs.n })
const fan = await Promise.all([
  Task.run("work", { wf: Inputs.id, k: 1, x: first.y }),
  Task.run("work", { wf: Inputs.id, k: 2, x: first.y }),
  Task.run("work", { wf: Inputs.id, k: 3, x: first.y }),
])
await Timer.delay("20ms")
const sum = fan[0].y + fan[1].y + fan[2].y
const child = await Workflow.run("crash_child", { id: Inputs.id, x: sum })
return [first.y, fan[0].y, fan[1].y, fan[2].y, child]
"""
CHILD = """
const last = await Task.run("work", { wf: Inputs.id, k: 4, x: Inputs.x })
return last.y
"""
TASK_KEYS = range(5)  # the `k` of the workflow's tasks (0-3) and its child's (4)
# Committed changes of state per workflow and its child, at least: the parent starts, then
# resumes after its first task, the parallel three, the timer and the child; the child starts
# and resumes after its task.
MIN_STEPS = 7

# Every committed change of a workflow's state: the snapshot it stepped from and to. A step is
# one transaction from one snapshot, so a snapshot stepped from twice is a step committed twice.
AUDIT = """
CREATE SCHEMA audit;
CREATE TABLE audit.steps (id text, from_state text, to_state text, status text);
CREATE FUNCTION audit.record_step() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO audit.steps
  VALUES (NEW.id, md5(coalesce(OLD.snapshot::text, '')), md5(coalesce(NEW.snapshot::text, '')),
    NEW.status);
  RETURN NEW;
END $$;
CREATE TRIGGER record_step AFTER UPDATE ON rhythm.executions FOR EACH ROW
WHEN (NEW.type = 'workflow' AND (NEW.snapshot::text IS DISTINCT FROM OLD.snapshot::text
  OR (NEW.status <> OLD.status AND NEW.status IN ('completed', 'failed'))))
EXECUTE FUNCTION audit.record_step();
"""


@pytest.fixture(autouse=True)
def _fresh_process_state() -> Iterator[None]:
    REGISTRY.clear()
    yield
    app_module.shutdown()
    REGISTRY.clear()


@dataclass(frozen=True)
class Crash:
    point: str  # a crash point of reliability_tasks, or EXTERNAL
    n: int  # at the n-th pass of the point (unused for EXTERNAL)
    after_s: float  # for EXTERNAL: when the test kills it


def crash_plan(rng: random.Random) -> list[Crash]:
    """`CRASHES_PER_POINT` crashes at each point, in random order. Task results are recorded
    in batches, so their points come round less often than a task's or a step's."""
    plan = []
    for point in (*CRASH_POINTS, EXTERNAL):
        for _ in range(CRASHES_PER_POINT):
            most = 4 if point.startswith("results") else 12
            plan.append(Crash(point, rng.randint(1, most), rng.uniform(*EXTERNAL_AFTER_S)))
    rng.shuffle(plan)
    return plan


class Supervisor:
    """Keeps `WORKERS` workers running; each new one takes the next crash of the plan."""

    def __init__(self, workers: Workers, plan: list[Crash]) -> None:
        self.workers = workers
        self.plan = list(plan)
        self.kill_at: dict[int, float] = {}  # pid -> when the test kills it
        self.killed_by_test: list[int] = []
        self.handled: set[int] = set()

    def start(self) -> None:
        crash = self.plan.pop(0) if self.plan else None
        own = None if crash is None or crash.point == EXTERNAL else f"{crash.point}:{crash.n}"
        worker = self.workers.start(concurrency=CONCURRENCY, crash=own)
        if crash is not None and crash.point == EXTERNAL:
            self.kill_at[worker.pid] = time.monotonic() + crash.after_s

    def tend(self) -> None:
        """Kill who is due, replace who died."""
        now = time.monotonic()
        for worker in self.workers.alive():
            if self.kill_at.get(worker.pid, now + 1) <= now:
                worker.process.send_signal(signal.SIGKILL)
                worker.process.wait()
                self.killed_by_test.append(worker.pid)
        for worker in self.workers.started:
            if not worker.alive() and worker.pid not in self.handled:
                self.handled.add(worker.pid)
                self.start()

    def killed(self) -> list[WorkerProcess]:
        return [worker for worker in self.workers.started if worker.killed()]


def reference_outputs() -> dict[str, Any]:
    """The output of each workflow run uninterrupted, in memory."""
    stub = {"work": lambda inputs: work_output(**inputs)}
    return {
        f"c{n}": run_workflow(
            PARENT,
            inputs={"id": f"c{n}", "n": n},
            tasks=stub,
            workflows={"crash_child": CHILD},
        ).output
        for n in range(WORKFLOWS)
    }


def register(url: str, folder: Path) -> None:
    files = []
    for name, source in (("crash_parent", PARENT), ("crash_child", CHILD)):
        path = folder / f"{name}.flow"
        path.write_text(source, encoding="utf-8")
        files.append(rhythm.WorkflowFile(name=name, file_path=path))
    rhythm.init(database_url=url, workflows=files)


@pytest.mark.postgres
def test_workers_killed_at_random_points_lose_nothing_and_do_nothing_twice(
    migrated_url: str, tmp_path: Path
) -> None:
    plan = crash_plan(random.Random(SEED))
    execute(migrated_url, AUDIT)
    register(migrated_url, tmp_path)
    workers = Workers(migrated_url, tmp_path, lease_s=LEASE_S, work_s=WORK_S)
    supervisor = Supervisor(workers, plan)
    ids: dict[str, str] = {}  # execution id -> the workflow's `id` input
    with ThreadPoolExecutor(1) as pool:
        reference = pool.submit(reference_outputs)
        began = time.monotonic()

        def progress() -> bool:
            """Start the workflows due by now, tend the workers; whether all is done."""
            due = min(WORKFLOWS, 1 + int((time.monotonic() - began) / START_SPAN_S * WORKFLOWS))
            for n in range(len(ids), due):
                inputs = {"id": f"c{n}", "n": n}
                ids[rhythm.client.workflows.run("crash_parent", inputs=inputs)] = f"c{n}"
            supervisor.tend()
            return len(ids) == WORKFLOWS and unfinished(migrated_url) == 0

        try:
            for _ in range(WORKERS):
                supervisor.start()
            wait_for(progress, "every workflow to finish", RUN_S)
        finally:
            workers.stop_all()
        expected = reference.result()

    # Every workflow ended with the output of an uninterrupted run.
    outcomes = outputs_of(migrated_url, list(ids))
    assert {wf: outcomes[i] for i, wf in ids.items()} == {
        wf: ("completed", expected[wf]) for wf in ids.values()
    }, workers.outputs()

    # The crashes happened: every point at least once (a worker whose point did not come round
    # before the work ran out was stopped at the end).
    crashed_at = Counter(point for point, _ in workers.crashes())
    crashed_at[EXTERNAL] = len(supervisor.killed_by_test)
    assert set(crashed_at) == {*CRASH_POINTS, EXTERNAL}, crashed_at
    killed = {worker.pid for worker in supervisor.killed()}
    assert len(killed) == crashed_at.total()

    # No step's effects committed twice: exactly the children and timers of an uninterrupted
    # run, and no workflow state stepped from twice.
    children: dict[str, list[str]] = {}
    for parent, kind, name, inputs in query(
        migrated_url,
        "SELECT c.parent_id, c.type, c.name, c.inputs::text FROM rhythm.executions c "
        "WHERE c.parent_id IS NOT NULL",
    ):
        what = f"work/{json.loads(str(inputs))['k']}" if kind == "task" else str(name)
        children.setdefault(str(parent), []).append(what)
    assert Counter(tuple(sorted(made)) for made in children.values()) == {
        ("crash_child", "work/0", "work/1", "work/2", "work/3"): WORKFLOWS,
        ("work/4",): WORKFLOWS,
    }, "a workflow has children an uninterrupted run does not have"
    timers = query(migrated_url, "SELECT execution_id, fired FROM rhythm.timers")
    assert sorted(timers) == sorted((i, True) for i in ids)
    steps = int(str(query(migrated_url, "SELECT count(*) FROM audit.steps")[0][0]))
    assert steps >= MIN_STEPS * WORKFLOWS, "the audit trigger missed steps"
    stepped_twice = query(
        migrated_url,
        "SELECT id, from_state, count(*) FROM audit.steps GROUP BY 1, 2 HAVING count(*) > 1",
    )
    assert stepped_twice == []

    # A task re-ran at most once per crash that interrupted it.
    starts: dict[str, list[int]] = {}
    for key, pid in workers.task_starts():
        starts.setdefault(key, []).append(pid)
    assert set(starts) == {f"c{n}/{k}" for n in range(WORKFLOWS) for k in TASK_KEYS}
    for key, pids in starts.items():
        assert len(set(pids)) == len(pids), f"task {key} ran twice in one worker: {pids}"
        survived = [pid for pid in pids if pid not in killed]
        assert len(survived) <= 1, f"task {key} re-ran without a crash: {pids}"
    print(
        f"{len(killed)} workers killed ({dict(crashed_at)}); "
        f"{sum(map(len, starts.values())) - len(starts)} task re-runs"
    )
