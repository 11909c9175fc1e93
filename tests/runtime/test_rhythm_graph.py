"""`rhythm graph`: an execution's progress drawn over its workflow's graph, read from a real
database after real workers ran it (LANGUAGE.md §10.5: a suspended execution knows where it
waits)."""

from __future__ import annotations

import contextlib
import time
import xml.etree.ElementTree as ElementTree
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

import rhythm
from rhythm import app as app_module
from rhythm import client
from rhythm.cli import main
from rhythm.models import Execution
from rhythm.tasks import REGISTRY, task
from rhythm.worker import Worker

FAST = {"lease": 2.0, "poll_interval": 0.2, "sweep_interval": 0.02, "shutdown_timeout": 5.0}
SVG = "{http://www.w3.org/2000/svg}"

APPROVAL = """\
```yaml
signals:
  approval: "{ approved: boolean }"
```
let first = await Task.run("double", { n: 2 })
try {
  await Task.run("fail", { message: "declined" })
} catch (err) {
  await Task.run("double", { n: first })
}
let answer = await Promise.race([Signal.next("approval"), Timer.delay("1h")])
if (answer?.approved) {
  await Task.run("double", { n: 4 })
}
return answer
"""


@pytest.fixture(autouse=True)
def _tasks() -> Iterator[None]:
    REGISTRY.clear()

    @task
    def double(n: int) -> int:
        return n * 2

    @task
    def fail(message: str) -> None:
        raise ValueError(message)

    yield
    app_module.shutdown()
    REGISTRY.clear()


@contextlib.contextmanager
def running(url: str, folder: Path, source: str) -> Iterator[str]:
    """Register `source` as workflow `approval`, start it with a worker serving in the
    background, and yield its execution id; the worker stops afterwards."""
    (folder / "approval.flow").write_text(source, encoding="utf-8")
    rhythm.init(database_url=url, workflow_paths=[folder])
    worker = Worker(database_url=url, concurrency=4, **FAST)  # type: ignore[arg-type]
    worker.start()
    try:
        yield client.workflows.run("approval", inputs={})
    finally:
        worker.stop()


def wait_until(execution_id: str, reached: Callable[[Execution], bool]) -> None:
    deadline = time.monotonic() + 10
    while not reached(client.executions.get(execution_id)):
        assert time.monotonic() < deadline, f"{execution_id} never got there"
        time.sleep(0.01)


def waits_at_the_race(execution: Execution) -> bool:
    description = (execution.waiting_for or {}).get("description", "")
    return execution.status == "suspended" and description.startswith("Promise.race")


def graph_classes(url: str, execution_id: str, output: Path) -> dict[str, str]:
    """`rhythm graph` as SVG: each node's label -> its class (`kind state`), the labels of
    repeated steps numbered in source order (`double`, `double#2`, …)."""
    assert main(["graph", execution_id, "-o", str(output), "--database-url", url]) == 0
    classes: dict[str, str] = {}
    for group in ElementTree.parse(output).iter(f"{SVG}g"):
        if "node" not in group.get("class", "").split():
            continue
        label = " ".join(text.text or "" for text in group.iter(f"{SVG}text"))
        numbered, count = label, 1
        while numbered in classes:
            count += 1
            numbered = f"{label}#{count}"
        classes[numbered] = group.get("class", "").removeprefix("node ")
    return classes


def test_a_suspended_execution_shows_where_it_waits(migrated_url: str, tmp_path: Path) -> None:
    with running(migrated_url, tmp_path, APPROVAL) as execution_id:
        wait_until(execution_id, waits_at_the_race)
        classes = graph_classes(migrated_url, execution_id, tmp_path / "progress.svg")

    assert classes == {
        "start": "start completed",
        "double": "task completed",
        "fail": "task failed",
        "catch (err)": "catch completed",
        "double#2": "task completed",
        "Promise.race": "fork current",
        "signal approval": "signal current",
        "delay 1h": "timer current",
        "Promise.race#2": "join current",
        "answer?.approved": "decision",
        "double#3": "task not-reached",
        "return answer": "return not-reached",
        "end": "end not-reached",
    }


def test_a_completed_execution_shows_the_path_it_took(migrated_url: str, tmp_path: Path) -> None:
    with running(migrated_url, tmp_path, APPROVAL) as execution_id:
        wait_until(execution_id, waits_at_the_race)
        client.signals.send(
            workflow_id=execution_id, signal_name="approval", payload={"approved": True}
        )
        wait_until(execution_id, lambda execution: execution.status == "completed")

    classes = graph_classes(migrated_url, execution_id, tmp_path / "done.svg")

    assert classes["signal approval"] == "signal completed"
    assert classes["answer?.approved"] == "decision completed"
    assert classes["double#3"] == "task completed"
    assert classes["return answer"] == "return completed"
    assert classes["end"] == "end completed"


def test_a_failed_execution_shows_the_throw(migrated_url: str, tmp_path: Path) -> None:
    source = 'await Task.run("double", { n: 1 })\nthrow Error("boom")\n'
    with running(migrated_url, tmp_path, source) as execution_id:
        wait_until(execution_id, lambda execution: execution.status == "failed")

    classes = graph_classes(migrated_url, execution_id, tmp_path / "failed.svg")

    assert classes == {
        "start": "start completed",
        "double": "task completed",
        'throw Error("boom")': "throw failed",
        "end": "end not-reached",
    }


def test_the_caption_says_where_it_waits(
    migrated_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with running(migrated_url, tmp_path, APPROVAL) as execution_id:
        wait_until(execution_id, waits_at_the_race)

    assert main(["graph", execution_id, "--format", "dot", "--database-url", migrated_url]) == 0

    title = capsys.readouterr().out.split("\n")[1].replace("\\n", " ")
    assert f"execution {execution_id}: suspended, waiting for Promise.race([" in title
    assert "approval.flow:11 " in title


def test_a_task_has_no_graph(migrated_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    rhythm.init(database_url=migrated_url)
    task_id = client.tasks.run("double", inputs={"n": 1})

    assert main(["graph", task_id, "--database-url", migrated_url]) == 2

    err = capsys.readouterr().err
    assert err == (
        f"rhythm: error: {task_id} is a task, and only workflows have a graph; "
        f"see `rhythm show {task_id}`\n"
    )


def test_an_unknown_execution_is_an_error(
    migrated_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["graph", "no-such-id", "--database-url", migrated_url]) == 2

    assert "no-such-id" in capsys.readouterr().err


def test_an_unknown_extension_is_refused_before_connecting(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["graph", "some-id", "-o", "progress.pdf"]) == 2

    assert capsys.readouterr().err == (
        "rhythm: error: cannot tell the format of 'progress.pdf' (extension `.pdf`): name it "
        "with one of .dot, .gv, .svg, .png, .mmd, .mermaid, or give --format "
        "dot|svg|png|mermaid\n"
    )
