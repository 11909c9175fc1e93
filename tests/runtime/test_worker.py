"""The worker against a real database: tasks (sync and async, validation, results, retries,
timeouts) and workflow steps (tasks, children, timers, signals, combinators, cancellation).

Each test gets a fresh migrated database (`migrated_url`), registers its tasks and workflows
with `rhythm.init`, starts executions with the client and drives a real `Worker` with
`run_until_idle` (or `start()` when a test must act while the worker runs). Leases, polls and
sweeps are short so the suite stays fast.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from pydantic import BaseModel

import rhythm
from rhythm import app as app_module
from rhythm import client
from rhythm.models import Execution, ExecutionStatus
from rhythm.store.queue import claim
from rhythm.tasks import REGISTRY, task
from rhythm.worker import Worker

FAST = {"lease": 2.0, "poll_interval": 0.2, "sweep_interval": 0.02, "shutdown_timeout": 5.0}
ROW = "SELECT {} FROM rhythm.executions WHERE id = %s"


@pytest.fixture(autouse=True)
def _fresh_process_state() -> Iterator[None]:
    REGISTRY.clear()
    yield
    app_module.shutdown()
    REGISTRY.clear()


def init(url: str, folder: Path, **workflows: str) -> rhythm.Application:
    for name, source in workflows.items():
        (folder / f"{name}.flow").write_text(source, encoding="utf-8")
    return rhythm.init(database_url=url, workflow_paths=[folder] if workflows else [])


def worker(url: str, **options: object) -> Worker:
    return Worker(database_url=url, concurrency=4, **{**FAST, **options})  # type: ignore[arg-type]


def drain(url: str, **options: object) -> None:
    worker(url, **options).run_until_idle(timeout=20)


def sql(url: str, query: str, *parameters: object) -> list[tuple[object, ...]]:
    with psycopg.connect(url, autocommit=True) as conn:
        return conn.execute(query, parameters).fetchall()  # type: ignore[arg-type]


def get(execution_id: str) -> Execution:
    return client.executions.get(execution_id)


# -- tasks


def test_a_sync_task_runs_with_validated_inputs(migrated_url: str, tmp_path: Path) -> None:
    @task
    def add(a: int, b: int = 1) -> int:
        return a + b

    init(migrated_url, tmp_path)
    first = client.tasks.run("add", inputs={"a": 2, "b": 3})
    second = client.tasks.run("add", inputs={"a": "40"})  # pydantic's lax mode: "40" -> 40
    drain(migrated_url)
    assert (get(first).status, get(first).output, get(first).attempt) == ("completed", 5, 1)
    assert get(second).output == 41


class Order(BaseModel):
    id: str
    amount: float


def test_an_async_task_and_a_model_parameter(migrated_url: str, tmp_path: Path) -> None:
    @task
    async def charge(order: Order) -> dict[str, object]:
        await asyncio.sleep(0.01)
        return {"charged": order.amount, "id": order.id}

    init(migrated_url, tmp_path)
    execution_id = client.tasks.run("charge", inputs={"id": "o-1", "amount": 9.5})
    drain(migrated_url)
    assert get(execution_id).output == {"charged": 9.5, "id": "o-1"}


def test_invalid_inputs_fail_at_once_without_running(migrated_url: str, tmp_path: Path) -> None:
    calls: list[int] = []

    @task(retries=3, retry_backoff=0)
    def count(n: int) -> int:
        calls.append(n)
        return n

    init(migrated_url, tmp_path)
    execution_id = client.tasks.run("count", inputs={"n": "many"})
    drain(migrated_url)
    execution = get(execution_id)
    assert execution.status == ExecutionStatus.FAILED and calls == []
    assert execution.output["type"] == "TypeError"
    assert "invalid inputs for task 'count'" in execution.output["message"]
    assert "n: Input should be a valid integer" in execution.output["message"]
    assert execution.output["attempts"] == 1


def test_a_result_that_is_not_json_fails_the_attempt(migrated_url: str, tmp_path: Path) -> None:
    @task
    def stamp() -> object:
        return {"when": time.gmtime, "nan": float("nan")}

    init(migrated_url, tmp_path)
    execution_id = client.tasks.run("stamp")
    drain(migrated_url)
    output = get(execution_id).output
    assert output["type"] == "TypeError"
    assert output["message"].startswith("task 'stamp' returned a value that is not JSON: result")


def test_retries_back_off_and_count_attempts(migrated_url: str, tmp_path: Path) -> None:
    started: list[float] = []

    @task(retries=2, retry_backoff=0.05)
    def flaky() -> str:
        started.append(time.monotonic())
        if len(started) < 3:
            raise ValueError(f"attempt {len(started)} failed")
        return "ok"

    @task(retries=1, retry_backoff=0)
    def hopeless() -> None:
        error = ValueError("card declined")
        error.details = {"code": 51}  # type: ignore[attr-defined]
        raise error

    init(migrated_url, tmp_path)
    flaky_id = client.tasks.run("flaky")
    hopeless_id = client.tasks.run("hopeless")
    drain(migrated_url)
    assert (get(flaky_id).output, get(flaky_id).attempt) == ("ok", 3)
    assert started[1] - started[0] >= 0.05 and started[2] - started[1] >= 0.1  # doubled
    assert get(hopeless_id).output == {
        "type": "ValueError",
        "message": "card declined",
        "task": "hopeless",
        "executionId": hopeless_id,
        "attempts": 2,
        "details": {"code": 51},
    }


def test_timeouts_fail_sync_and_async_attempts(migrated_url: str, tmp_path: Path) -> None:
    @task(timeout=0.1)
    def slow_sync() -> str:
        time.sleep(0.5)
        return "late"

    @task(timeout=0.1)
    async def slow_async() -> str:
        await asyncio.sleep(5)
        return "late"

    init(migrated_url, tmp_path)
    ids = [client.tasks.run("slow_sync"), client.tasks.run("slow_async")]
    drain(migrated_url)
    for execution_id, name in zip(ids, ("slow_sync", "slow_async"), strict=True):
        output = get(execution_id).output
        assert output["type"] == "TimeoutError"
        assert output["message"] == f"Task '{name}' timed out after 100ms"


def test_an_unknown_task_fails_with_advice(migrated_url: str, tmp_path: Path) -> None:
    @task
    def known() -> None: ...

    init(migrated_url, tmp_path)
    execution_id = client.tasks.run("elsewhere")
    drain(migrated_url)
    output = get(execution_id).output
    assert output["type"] == "UnknownTaskError"
    assert "no task 'elsewhere' is registered in this worker" in output["message"]
    assert "rhythm worker -m MODULE" in output["message"]


# -- leases


def test_work_of_a_crashed_worker_is_reclaimed_after_its_lease(
    migrated_url: str, tmp_path: Path
) -> None:
    @task
    def echo(value: str) -> str:
        return value

    init(migrated_url, tmp_path)
    execution_id = client.tasks.run("echo", inputs={"value": "again"})
    with psycopg.connect(migrated_url, autocommit=True) as conn:  # a worker that then dies
        (crashed,) = claim(conn, "default", 10, "crashed-worker", 0.3)
    assert crashed.id == execution_id and crashed.attempt == 1
    drain(migrated_url)
    execution = get(execution_id)
    assert (execution.status, execution.output, execution.attempt) == ("completed", "again", 2)


def test_an_idle_worker_stops_at_once_whatever_its_poll_interval(
    migrated_url: str, tmp_path: Path
) -> None:
    init(migrated_url, tmp_path)
    idle = worker(migrated_url, poll_interval=30.0)
    idle.start()
    time.sleep(0.5)  # listening, and asleep until the next poll
    began = time.monotonic()
    idle.stop()
    assert time.monotonic() - began < 5


def test_a_stopped_worker_releases_what_it_did_not_finish(
    migrated_url: str, tmp_path: Path
) -> None:
    @task
    def nap() -> str:
        time.sleep(1.0)
        return "rested"

    init(migrated_url, tmp_path)
    execution_id = client.tasks.run("nap")
    running = worker(migrated_url, shutdown_timeout=0.1)
    running.start()
    deadline = time.monotonic() + 5
    while get(execution_id).status != ExecutionStatus.RUNNING:
        assert time.monotonic() < deadline
        time.sleep(0.01)
    running.stop()
    status, attempt, owner = sql(
        migrated_url, ROW.format("status, attempt, lease_owner"), execution_id
    )[0]
    assert (status, attempt, owner) == ("pending", 0, None)
    drain(migrated_url)
    assert get(execution_id).output == "rested"
