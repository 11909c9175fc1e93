"""Oversized and non-JSON values (issue #8, item 5): every value the runtime stores is refused
over its limit (`rhythm.Limits`) with a message that names the limit, where it enters — the
client before anything is written, the VM at the call or the return, the worker when a task
returns — and task results that are not JSON fail their attempt cleanly."""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest

import rhythm
from rhythm import app as app_module
from rhythm import client
from rhythm.errors import InvalidInputsError, InvalidSignalError
from rhythm.models import ExecutionStatus
from rhythm.tasks import REGISTRY, task
from rhythm.testing import Runtime
from rhythm.worker import Worker

FAST = {"lease": 2.0, "poll_interval": 0.2, "sweep_interval": 0.02, "shutdown_timeout": 5.0}
SMALL = rhythm.Limits(inputs_bytes=64, payload_bytes=64, result_bytes=64)
BIG = "x" * 100


@pytest.fixture(autouse=True)
def _fresh_process_state() -> Iterator[None]:
    REGISTRY.clear()
    yield
    app_module.shutdown()
    REGISTRY.clear()


def test_limits_are_positive_integers() -> None:
    with pytest.raises(ValueError, match=r"Limits\(inputs_bytes=0\): a limit is a positive"):
        rhythm.Limits(inputs_bytes=0)
    with pytest.raises(ValueError, match=r"Limits\(output_bytes=1.5\)"):
        rhythm.Limits(output_bytes=1.5)  # type: ignore[arg-type]
    assert rhythm.Limits().inputs_bytes == 1024 * 1024


# -- in the VM (the in-memory runtime runs the same VM as the worker)


def run(source: str, **inputs: Any) -> Any:
    limits = rhythm.Limits(inputs_bytes=64, output_bytes=256)
    return Runtime(tasks={"t": lambda _: None}, limits=limits).run(source, inputs=inputs)


def test_a_workflow_whose_output_is_too_large_fails() -> None:
    execution = run("return Inputs.text + Inputs.text", text="x" * 150)
    assert execution.status == ExecutionStatus.FAILED
    assert execution.output == {
        "type": "OutputTooLarge",
        "message": "Workflow output is 302 bytes, more than the limit of 256 bytes",
        "size": 302,
        "limit": 256,
    }
    assert run("return Inputs.text", text="fits").output == "fits"


def test_a_workflow_that_throws_too_much_fails_with_the_limit() -> None:
    execution = run("throw { type: 'Big', message: Inputs.text }", text=BIG * 3)
    assert execution.output["type"] == "OutputTooLarge"


def test_task_inputs_over_the_limit_are_a_catchable_range_error() -> None:
    source = """
try {
  await Task.run("t", { text: Inputs.text })
  return "started"
} catch (e) {
  return [e.type, e.message]
}
"""
    assert run(source, text=BIG).output == [
        "RangeError",
        "Task.run: inputs are 111 bytes of JSON, more than the limit of 64 bytes"
        " (Limits.inputs_bytes)",
    ]
    assert run(source, text="small").output == "started"


# -- in the client and the worker


def init(url: str, folder: Path, limits: rhythm.Limits = SMALL) -> rhythm.Application:
    (folder / "relay.flow").write_text(
        "let result = null\n"
        'try { result = await Task.run(Inputs.task, {}, { retries: 1, retryDelay: "1ms" }) }\n'
        "catch (e) { result = [e.type, e.message, e.attempts] }\n"
        'let signal = await Signal.next("go")\n'
        "return { result, signal }\n",
        encoding="utf-8",
    )
    return rhythm.init(database_url=url, workflow_paths=[folder], limits=limits)


def drain(url: str) -> None:
    Worker(database_url=url, concurrency=4, **FAST).run_until_idle(timeout=20)  # type: ignore[arg-type]


def count(url: str, table: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(f"SELECT count(*) FROM rhythm.{table}").fetchone()
    assert row is not None
    return int(row[0])


def test_the_client_refuses_oversized_inputs_and_payloads_before_writing(
    migrated_url: str, tmp_path: Path
) -> None:
    init(migrated_url, tmp_path)
    with pytest.raises(InvalidInputsError) as refused:
        client.workflows.run("relay", inputs={"task": BIG})
    assert str(refused.value) == (
        "workflow `relay`: inputs are 111 bytes of JSON, more than the limit of 64 bytes"
        " (Limits.inputs_bytes); keep large data elsewhere (a file, a table) and pass a"
        " reference to it"
    )
    with pytest.raises(InvalidInputsError, match=r"^task `t`: inputs are 108 bytes of JSON"):
        client.tasks.run("t", inputs={"x": BIG})
    assert count(migrated_url, "executions") == 0
    execution_id = client.workflows.run("relay", inputs={"task": "none"})
    with pytest.raises(InvalidSignalError, match=r"^signal `go`: the payload is 102 bytes of"):
        client.signals.send(execution_id, "go", payload=BIG)
    assert count(migrated_url, "signals") == 0


def test_the_worker_fails_an_attempt_whose_result_is_too_large_or_not_json(
    migrated_url: str, tmp_path: Path
) -> None:
    @task(name="big")
    def big() -> str:
        return BIG

    @task(name="nan")
    def nan() -> dict[str, float]:
        return {"ratio": math.nan}

    @task(name="raw")
    def raw() -> dict[str, bytes]:
        return {"blob": b"\x00\x01"}

    @task(name="when")
    def when() -> list[datetime.date]:
        return [datetime.date(2026, 1, 1)]

    init(migrated_url, tmp_path)
    ids = {name: client.workflows.run("relay", {"task": name}) for name in ("big", "nan", "raw")}
    ids["when"] = client.workflows.run("relay", {"task": "when"})
    drain(migrated_url)
    for execution_id in ids.values():
        client.signals.send(execution_id, "go", payload=1)
    drain(migrated_url)
    results = {name: client.executions.get(i).output["result"] for name, i in ids.items()}
    assert results == {
        "big": [
            "ResultTooLarge",
            "task 'big' returned 102 bytes of JSON, more than the limit of 64 bytes"
            " (Limits.result_bytes); keep large data elsewhere (a file, a table) and return a"
            " reference to it",
            2,
        ],
        "nan": [
            "TypeError",
            "task 'nan' returned a value that is not JSON: result.ratio: nan is not a JSON"
            " number; use null or a string",
            2,
        ],
        "raw": [
            "TypeError",
            "task 'raw' returned a value that is not JSON: result.blob: a bytes is not JSON"
            " data; decode it to a string first (e.g. base64)",
            2,
        ],
        "when": [
            "TypeError",
            "task 'when' returned a value that is not JSON: result[0]: a date is not JSON"
            " data; convert it to a string first, e.g. with `.isoformat()`",
            2,
        ],
    }


def test_a_worker_takes_the_limits_of_rhythm_init_unless_given_its_own(
    migrated_url: str, tmp_path: Path
) -> None:
    init(migrated_url, tmp_path)
    assert Worker(database_url=migrated_url).limits == SMALL
    own = rhythm.Limits(result_bytes=10)
    assert Worker(database_url=migrated_url, limits=own).limits == own
    app_module.shutdown()
    assert Worker(database_url=migrated_url).limits == rhythm.Limits()
