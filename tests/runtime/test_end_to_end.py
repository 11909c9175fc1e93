"""End to end: real worker processes (`rhythm worker`), a real database, the SDK and the CLI.

* the realistic corpus workflows that need no long timer run to the results their directives
  state, with scripted tasks (`e2e_tasks.py`) in worker processes;
* a worker SIGKILLed in the middle of a task: the task runs again once its lease expires, and
  the workflow completes with nothing lost or done twice after it;
* two workers on one queue never run the same task or step twice;
* the `rhythm` commands a person uses on a running system, and `rhythm demo`.
"""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import rhythm
from rhythm import app as app_module
from rhythm.cli import main
from rhythm.tasks import REGISTRY

REPO = Path(__file__).resolve().parents[2]
REALISTIC = REPO / "corpus" / "valid" / "realistic"
TASKS_MODULE = Path(__file__).resolve().parent / "e2e_tasks.py"
WAIT_S = 60.0
STOP_S = 20.0
# Lease of the worker that gets killed: short, so the test waits ~1 s for the takeover.
SHORT_LEASE_S = 1.0

# Realistic workflows whose directives need no timer to fire (a timer would take real days).
CORPUS_CASES = (
    "batch_fanout",
    "data_pipeline",
    "reserve_inventory",
    "document_review",
    "ship_order",
)
_DIRECTIVE = re.compile(
    r"^//\s*(?P<kind>inputs|expect|expect-failure|task|task-error|signal)"
    r"(?:\s+(?P<name>[^\s:]+))?:(?P<json>.*)$"
)


@pytest.fixture(autouse=True)
def clean_process() -> Iterator[None]:
    """No task registered and no Application configured by another test, nor left behind."""
    REGISTRY.clear()
    yield
    REGISTRY.clear()
    app_module.shutdown()


class Workers:
    """Worker processes started by a test; stopped (SIGTERM, then SIGKILL) at its end."""

    def __init__(self, database_url: str, script: dict[str, Any], folder: Path) -> None:
        self.database_url = database_url
        self.script_file = folder / "tasks.json"
        self.script_file.write_text(json.dumps(script), encoding="utf-8")
        self.log = folder / "task-starts.log"
        self.log.touch()
        self.processes: list[subprocess.Popen[str]] = []

    def start(self, queue: str, *extra: str, concurrency: int = 4) -> subprocess.Popen[str]:
        command = [
            *(sys.executable, "-m", "rhythm.cli", "worker", "-m", str(TASKS_MODULE)),
            *("--queue", queue, "--concurrency", str(concurrency)),
            *("--database-url", self.database_url, *extra),
        ]
        environment = {
            **os.environ,
            "RHYTHM_E2E_TASKS": str(self.script_file),
            "RHYTHM_E2E_LOG": str(self.log),
        }
        process = subprocess.Popen(
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env=environment,
        )
        self.processes.append(process)
        return process

    def stop_all(self) -> list[str]:
        """Stop every worker as a deploy would; their outputs, for failure messages."""
        outputs = []
        for process in self.processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                output, _ = process.communicate(timeout=STOP_S)
            except subprocess.TimeoutExpired:
                process.kill()
                output, _ = process.communicate()
            outputs.append(output)
        return outputs

    def started(self) -> list[str]:
        return self.log.read_text(encoding="utf-8").splitlines()


@pytest.fixture
def workers_for(migrated_url: str, tmp_path: Path) -> Iterator[Any]:
    made: list[Workers] = []

    def make(script: dict[str, Any]) -> Workers:
        made.append(Workers(migrated_url, script, tmp_path))
        return made[-1]

    yield make
    for workers in made:
        for output in workers.stop_all():
            print(output)  # shown by pytest when the test failed


def wait_for(condition: Any, what: str, timeout: float = WAIT_S) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)


# --- the realistic corpus -------------------------------------------------------------------


def directives(path: Path) -> dict[str, Any]:
    case: dict[str, Any] = {"inputs": {}, "tasks": {}, "signals": [], "expect": None}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = _DIRECTIVE.match(line.strip())
        if match is None:
            continue
        kind, name, raw = match["kind"], match["name"], match["json"].strip()
        if kind == "inputs":
            case["inputs"] = json.loads(raw)
        elif kind in ("task", "task-error"):
            case["tasks"].setdefault(name, []).append([kind == "task", json.loads(raw)])
        elif kind == "signal":
            case["signals"].append((name, json.loads(raw)))
        else:
            case["expect"] = (kind, json.dumps(json.loads(raw)))
    return case


def test_realistic_workflows_run_end_to_end_on_worker_processes(
    migrated_url: str, workers_for: Any
) -> None:
    cases = {name: directives(REALISTIC / f"{name}.flow") for name in CORPUS_CASES}
    scripted: dict[str, Any] = {}
    for case in cases.values():
        assert not scripted.keys() & case["tasks"].keys(), "two cases script one task"
        scripted.update(case["tasks"])
    application = rhythm.init(database_url=migrated_url, workflow_paths=[REALISTIC])
    queues = {name: application.workflows[name].queue or "default" for name in CORPUS_CASES}
    workers = workers_for({"scripted": scripted})
    for queue in sorted(set(queues.values())):
        # One task at a time, claimed in id order: the n-th call of a task gets the n-th
        # scripted outcome, as in the in-memory runtime the directives were written for.
        workers.start(queue, concurrency=1)

    started = {}
    for name, case in cases.items():
        started[name] = rhythm.client.workflows.run(name, inputs=case["inputs"], queue=queues[name])
        for signal_name, payload in case["signals"]:
            rhythm.client.signals.send(
                workflow_id=started[name], signal_name=signal_name, payload=payload
            )

    for name, execution_id in started.items():
        execution = rhythm.client.executions.wait(execution_id, timeout=WAIT_S)
        kind, expected = cases[name]["expect"]
        wanted_status = "completed" if kind == "expect" else "failed"
        expected = expected.replace('"run-1', f'"{execution_id}')
        assert (name, execution.status, json.dumps(execution.output)) == (
            name,
            wanted_status,
            expected,
        )


# --- crashes and concurrency -----------------------------------------------------------------

SEQUENCE = """
const first = await Task.run("slow-step", { step: 1, of: Inputs.id })
const second = await Task.run("quick-step", { step: 2, of: Inputs.id })
return [first.step, second.step]
"""


def register(tmp_path: Path, database_url: str, name: str, source: str) -> None:
    path = tmp_path / f"{name}.flow"
    path.write_text(source, encoding="utf-8")
    rhythm.init(
        database_url=database_url, workflows=[rhythm.WorkflowFile(name=name, file_path=path)]
    )


def test_a_worker_killed_mid_task_leaves_the_task_to_another_after_its_lease(
    migrated_url: str, workers_for: Any, tmp_path: Path
) -> None:
    register(tmp_path, migrated_url, "sequence", SEQUENCE)
    workers = workers_for({"slow": {"slow-step": 1.0, "quick-step": 0}})
    doomed = workers.start("default", "--lease", str(SHORT_LEASE_S))
    execution_id = rhythm.client.workflows.run("sequence", inputs={"id": "a"})
    wait_for(lambda: len(workers.started()) == 1, "the slow task to start")

    doomed.send_signal(signal.SIGKILL)
    doomed.wait()
    workers.start("default")
    execution = rhythm.client.executions.wait(execution_id, timeout=WAIT_S)

    assert (execution.status, execution.output) == ("completed", [1, 2])
    assert workers.started() == [
        'slow-step {"of": "a", "step": 1}',
        'slow-step {"of": "a", "step": 1}',
        'quick-step {"of": "a", "step": 2}',
    ]


def test_two_workers_on_one_queue_never_run_the_same_task_twice(
    migrated_url: str, workers_for: Any, tmp_path: Path
) -> None:
    register(tmp_path, migrated_url, "sequence", SEQUENCE)
    workers = workers_for({"slow": {"slow-step": 0.01, "quick-step": 0}})
    workers.start("default")
    workers.start("default")
    ids = [rhythm.client.workflows.run("sequence", inputs={"id": str(n)}) for n in range(30)]

    outcomes = [rhythm.client.executions.wait(i, timeout=WAIT_S) for i in ids]

    assert {(e.status, tuple(e.output)) for e in outcomes} == {("completed", (1, 2))}
    started = workers.started()
    assert len(started) == len(set(started)) == 60


# --- the rhythm command on a running system --------------------------------------------------

APPROVAL = """```yaml
name: approval
signals:
  manager-approval: "{ approved: boolean }"
```
const report = await Task.run("quick-step", { id: Inputs.id })
const answer = await Signal.next("manager-approval")
return { approved: answer.approved, id: report.id }
"""


def test_run_show_signal_and_cancel_from_the_command_line(
    migrated_url: str, workers_for: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    register(tmp_path, migrated_url, "approval", APPROVAL)
    workers = workers_for({"slow": {"quick-step": 0}})
    workers.start("default")
    url = ["--database-url", migrated_url]

    assert main(["run", "approval", "--inputs", '{"id": "r-1"}', *url]) == 0
    execution_id = capsys.readouterr().out.strip()
    wait_for(
        lambda: rhythm.client.executions.get(execution_id).status == "suspended",
        "the workflow to wait for its signal",
    )
    assert main(["show", execution_id, *url]) == 0
    shown = capsys.readouterr().out
    assert "  status:   suspended\n" in shown
    assert 'waiting:  Signal.next("manager-approval")' in shown
    assert shown.endswith(
        f"  at:       {tmp_path / 'approval.flow'}:7:16\n"
        '    7 | const answer = await Signal.next("manager-approval")\n'
        "                       ^\n"
    )

    assert (
        main(["signal", execution_id, "manager-approval", "--payload", '{"approved": 1}', *url])
        == 2
    )
    assert "manager-approval" in capsys.readouterr().err
    assert (
        main(["signal", execution_id, "manager-approval", "--payload", '{"approved": true}', *url])
        == 0
    )
    capsys.readouterr()
    finished = rhythm.client.executions.wait(execution_id, timeout=WAIT_S)
    assert finished.output == {"approved": True, "id": "r-1"}

    assert (
        main(["run", "approval", "--inputs", '{"id": "r-2"}', "--wait", "--timeout", "0.5", *url])
        == 2
    )
    second = capsys.readouterr()
    assert "did not finish within 0.5 s" in second.err
    second_id = second.out.strip()
    assert main(["cancel", second_id, *url]) == 0
    assert main(["list", "--status", "failed", *url]) == 0
    listed = capsys.readouterr().out
    assert second_id in listed
    cancelled = rhythm.client.executions.get(second_id)
    assert cancelled.output == {"type": "CancelledError", "message": "Execution cancelled"}


def test_run_wait_prints_the_output_and_the_exit_status_says_how_it_ended(
    migrated_url: str, workers_for: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    register(tmp_path, migrated_url, "sequence", SEQUENCE)
    workers_for({"slow": {"slow-step": 0, "quick-step": 0}}).start("default")
    url = ["--database-url", migrated_url]

    assert main(["run", "sequence", "--inputs", '{"id": "w"}', "--wait", *url]) == 0
    assert capsys.readouterr().out.splitlines()[1] == "completed: [1, 2]"

    assert main(["run", "quick-step", "--task", "--inputs", "{}", "--wait", *url]) == 0
    assert capsys.readouterr().out.splitlines()[1] == "completed: {}"


def test_rhythm_demo_runs_end_to_end(migrated_url: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "rhythm.cli", "demo", "--database-url", migrated_url],
        capture_output=True,
        text=True,
        timeout=120,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    out = result.stdout
    assert "worker | charging 120 for order-" in out
    assert "the gateway timed out" in out
    assert 'Signal.next("approval")' in out
    assert re.search(r'The order completed: \{"status": "shipped", "chargeId": "ch-', out)
    assert "Stopped the worker (exit status 0)" in out


# --- the guide, as written ---------------------------------------------------------------------

GUIDE = REPO / "docs" / "first-workflow.md"


def guide_files(folder: Path) -> str:
    """Write the guide's files (code blocks whose first line names one) into `folder`; the
    source of its last Python block, the in-memory test."""
    blocks = re.findall(r"```(?:python|js)\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S)
    for block in blocks:
        first = block.splitlines()[0]
        if first.startswith(("# app/", "// workflows/")):
            path = folder / first.split(" ", 1)[1]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(block, encoding="utf-8")
    (folder / "app" / "__init__.py").touch()
    return blocks[-1]


def test_the_first_workflow_guide_works_as_written(
    migrated_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    in_memory_test = guide_files(tmp_path)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("RHYTHM_DATABASE_URL", migrated_url)  # as a reader would export it
    environment = dict(os.environ)
    checked = subprocess.run(
        ["flowc", "check", "--tasks", "app/tasks.py", "workflows/"],
        capture_output=True,
        text=True,
        env=environment,
    )
    assert (checked.returncode, checked.stdout) == (0, "no problems in 1 file\n")
    exec(compile(in_memory_test, "guide-test", "exec"), {})

    app = subprocess.run(
        [sys.executable, "-m", "app.main"], capture_output=True, text=True, env=environment
    )
    assert app.returncode == 0, app.stderr
    execution_id = app.stdout.strip()
    worker = subprocess.Popen(
        ["rhythm", "worker", "-m", "app.tasks"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=environment,
    )
    try:
        rhythm.init()
        wait_for(
            lambda: rhythm.client.executions.get(execution_id).status == "suspended",
            "the guide's workflow to wait for the approval",
        )
        payload = '{"approved": true, "approver": "ada"}'
        assert main(["signal", execution_id, "manager-approval", "--payload", payload]) == 0
        finished = rhythm.client.executions.wait(execution_id, timeout=WAIT_S)
    finally:
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=STOP_S)

    assert finished.output == {"status": "approved", "reportId": "u-42"}
    assert "filed report u-42" in output
