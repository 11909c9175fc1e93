"""Issue #8, item 2: PostgreSQL restarts and lost connections in the middle of a run.

* A database outage longer than a worker's retries: the worker keeps trying with a capped
  backoff, says so, and resumes when the server is back; every workflow completes with the
  output of an uninterrupted run.
* A worker stopped during an outage exits within seconds, without an error, and the task it
  held runs on another worker once the server is back.
* Backends killed with `pg_terminate_backend` over and over while worker processes run: every
  connection a worker holds is cut many times; nothing is lost, nothing stays stuck.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from harness import Workers, outputs_of, query, statuses, unfinished, wait_for, work_output

import rhythm
from rhythm import app as app_module
from rhythm import embedded
from rhythm import worker as worker_module
from rhythm.tasks import REGISTRY, task

CHAIN_LENGTH = 5
CHAIN = f"""
let x = 0
for (const k of [{", ".join(str(k) for k in range(CHAIN_LENGTH))}]) {{
  const done = await Task.run("work", {{ wf: Inputs.id, k, x }})
  x = done.y
}}
return x
"""
WAIT_S = 60.0


@pytest.fixture(autouse=True)
def _fresh_process_state() -> Iterator[None]:
    REGISTRY.clear()
    yield
    app_module.shutdown()
    REGISTRY.clear()


def register_chain(url: str, folder: Path) -> None:
    path = folder / "chain.flow"
    path.write_text(CHAIN, encoding="utf-8")
    rhythm.init(database_url=url, workflows=[rhythm.WorkflowFile(name="chain", file_path=path)])


def chain_output(wf: str) -> int:
    """What `chain` returns for `wf` when nothing goes wrong."""
    x = 0
    for k in range(CHAIN_LENGTH):
        x = work_output(wf, k, x)["y"]
    return x


# --- an outage longer than the worker's retries ------------------------------------------------

OUTAGE_S = 5.0
WORKFLOWS = 30


@pytest.mark.postgres
def test_a_worker_survives_an_outage_longer_than_its_retries(
    embedded_folder: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The worker's retries of one database call are shortened to give up within about a
    second, then its server is stopped for five: every call fails through all its retries,
    many times over. The worker must stay up, keep trying, and finish the workflows it was
    running (tasks cut off by the outage run again: at least once per task)."""
    monkeypatch.setattr(worker_module, "RETRY_BACKOFF_S", (0.05, 0.1))
    monkeypatch.setattr(worker_module, "CONNECTION_WAIT_S", 0.5)
    caplog.set_level(logging.WARNING, logger="rhythm.worker")
    url = embedded.start(embedded_folder)
    calls: Counter[tuple[str, int]] = Counter()
    lock = threading.Lock()

    @task(name="work")
    def work(wf: str, k: int, x: int) -> dict[str, int]:
        with lock:
            calls[(wf, k)] += 1
        time.sleep(0.05)
        return work_output(wf, k, x)

    register_chain(url, tmp_path)
    worker = worker_module.Worker(
        database_url=url, concurrency=4, lease=2.0, poll_interval=0.2, sweep_interval=0.05
    )
    worker.start()
    try:
        ids = [
            rhythm.client.workflows.run("chain", inputs={"id": f"w{n}"}) for n in range(WORKFLOWS)
        ]
        wait_for(lambda: sum(calls.values()) >= WORKFLOWS, "a first round of tasks", WAIT_S)

        assert embedded.stop(embedded_folder)
        time.sleep(OUTAGE_S)
        assert embedded.start(embedded_folder) == url
        wait_for(lambda: unfinished(url) == 0, "every execution to finish", WAIT_S)
        worker_alive = worker._background is not None and worker._background.is_alive()
    finally:
        worker.stop()

    assert worker_alive, "the worker stopped during the outage"
    expected = {i: ("completed", chain_output(f"w{n}")) for n, i in enumerate(ids)}
    assert outputs_of(url, ids) == expected
    assert set(calls) == {(f"w{n}", k) for n in range(WORKFLOWS) for k in range(CHAIN_LENGTH)}
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("database unreachable" in message for message in warnings), warnings


# --- a worker stopped during an outage ---------------------------------------------------------

STOP_WITHIN_S = 10.0


@pytest.mark.postgres
def test_a_worker_stopped_during_an_outage_exits_promptly_and_its_task_runs_later(
    embedded_folder: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A worker holding a task that will not finish is stopped while its server is down. It
    must not wait the outage out (each of its threads retrying a call through its whole
    schedule took 95 s here) nor end with an error because it could not release the task: it
    exits within seconds, and once the server is back another worker runs the task when its
    lease has expired."""
    monkeypatch.setattr(worker_module, "CONNECTION_WAIT_S", 0.5)
    caplog.set_level(logging.WARNING, logger="rhythm.worker")
    failures: list[BaseException | None] = []
    monkeypatch.setattr(threading, "excepthook", lambda args: failures.append(args.exc_value))
    url = embedded.start(embedded_folder)
    attempts: Counter[str] = Counter()
    first_may_end = threading.Event()

    @task(name="hold")
    def hold(key: str) -> dict[str, str]:
        attempts[key] += 1
        if attempts[key] == 1:
            first_may_end.wait(WAIT_S)
        return {"key": key}

    rhythm.init(database_url=url)
    options: dict[str, Any] = {"lease": 1.0, "poll_interval": 0.2, "sweep_interval": 0.05}
    doomed = worker_module.Worker(database_url=url, shutdown_timeout=0.5, **options)
    doomed.start()
    try:
        execution_id = rhythm.client.tasks.run("hold", inputs={"key": "h"})
        wait_for(lambda: attempts["h"] == 1, "the task to start", WAIT_S)
        assert embedded.stop(embedded_folder)
        began = time.monotonic()
        doomed.stop()
        stopped_in = time.monotonic() - began

        assert embedded.start(embedded_folder) == url
        successor = worker_module.Worker(database_url=url, **options)
        successor.start()
        try:
            wait_for(lambda: unfinished(url) == 0, "the task to run again", WAIT_S)
        finally:
            successor.stop()
    finally:
        first_may_end.set()

    assert stopped_in < STOP_WITHIN_S
    assert failures == []
    assert outputs_of(url, [execution_id]) == {execution_id: ("completed", {"key": "h"})}
    assert attempts == {"h": 2}
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("could not release 1 unfinished executions" in w for w in warnings), warnings


# --- backends killed over and over -------------------------------------------------------------

TERMINATED_WORKFLOWS = 60
TERMINATE_EVERY_S = 0.3
TERMINATE_ROUNDS = 10
KILL_BACKENDS = """
SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity
WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name = 'rhythm'
"""


@pytest.mark.postgres
def test_workers_ride_out_their_connections_being_killed(migrated_url: str, tmp_path: Path) -> None:
    """Two worker processes run sixty workflows while the test terminates every backend they
    hold (their pooled connections and their LISTEN connections), ten times, 0.3 s apart. The
    workers reconnect and every workflow completes with the output of an uninterrupted run;
    no execution is left behind, and each task ran at most once per round of killing."""
    register_chain(migrated_url, tmp_path)
    workers = Workers(migrated_url, tmp_path, lease_s=1.0, work_s=0.02)
    for _ in range(2):
        workers.start(concurrency=4)
    try:
        ids = [
            rhythm.client.workflows.run("chain", inputs={"id": f"t{n}"})
            for n in range(TERMINATED_WORKFLOWS)
        ]
        wait_for(lambda: len(workers.task_starts()) >= 20, "the first tasks", WAIT_S)
        killed = 0
        for _ in range(TERMINATE_ROUNDS):
            killed += int(str(query(migrated_url, KILL_BACKENDS)[0][0]))
            time.sleep(TERMINATE_EVERY_S)
        wait_for(lambda: unfinished(migrated_url) == 0, "every execution to finish", WAIT_S)
        alive = len(workers.alive())
    finally:
        workers.stop_all()

    assert alive == 2, workers.outputs()
    assert killed >= 2 * TERMINATE_ROUNDS, "the workers held no connection to kill"
    expected = {i: ("completed", chain_output(f"t{n}")) for n, i in enumerate(ids)}
    assert outputs_of(migrated_url, ids) == expected, workers.outputs()
    assert statuses(migrated_url) == Counter(
        {
            ("workflow", "completed"): TERMINATED_WORKFLOWS,
            ("task", "completed"): TERMINATED_WORKFLOWS * CHAIN_LENGTH,
        }
    )
    runs = Counter(key for key, _ in workers.task_starts())
    assert set(runs) == {
        f"t{n}/{k}" for n in range(TERMINATED_WORKFLOWS) for k in range(CHAIN_LENGTH)
    }
    assert max(runs.values()) <= 1 + TERMINATE_ROUNDS
