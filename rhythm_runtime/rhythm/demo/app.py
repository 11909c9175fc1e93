"""The script of `rhythm demo`: a worker process and an app, end to end, narrated.

It starts (or reuses) the embedded Postgres, registers the two example workflows, starts a
worker process (`rhythm worker -m rhythm.demo.tasks --queue demo`, whose output it shows
prefixed with `worker |`), then acts as an app would: it starts an order, sees it wait for a
manager's approval, sends the approval as a signal and waits for the result. At the end it
lists every execution the order started and stops the worker the way a deploy would (SIGTERM).
"""

from __future__ import annotations

import json
import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import IO

import rhythm
from rhythm.database import URL_VARIABLE, redact, resolve_database_url
from rhythm.errors import RhythmError
from rhythm.models import Execution, ExecutionStatus

QUEUE = "demo"
WORKFLOWS = Path(__file__).resolve().parent / "workflows"
WORKFLOW_NAMES = ("process_order", "ship_order")
WORKER_CONCURRENCY = 4
FINISH_TIMEOUT_S = 60.0
SUSPEND_POLL_S = 0.05
WORKER_STOP_TIMEOUT_S = 15.0
LIST_LIMIT = 100
EXIT_OK = 0
EXIT_FAILED = 1


class DemoError(RhythmError):
    """The demo could not run to its end; the message says what happened."""


def run_demo(database_url: str | None = None) -> int:
    """Run the demo against `database_url` (default: as `rhythm` resolves it, which starts
    the embedded Postgres); 0 when the order shipped."""
    url = resolve_database_url(database_url)
    say(f"1. Database: {redact(url)}")
    rhythm.init(
        database_url=url,
        workflows=[
            rhythm.WorkflowFile(name=name, file_path=str(WORKFLOWS / f"{name}.flow"))
            for name in WORKFLOW_NAMES
        ],
    )
    say(f"2. Registered the workflows {' and '.join(WORKFLOW_NAMES)} ({WORKFLOWS})")
    worker = start_worker(url)
    try:
        outcome = run_order(worker)
    finally:
        stop_worker(worker)
    if database_url is None and not os.environ.get(URL_VARIABLE):
        say(
            "The embedded Postgres keeps running for the next `rhythm` command or app; "
            "`rhythm db stop` stops it."
        )
    return outcome


def run_order(worker: subprocess.Popen[str]) -> int:
    """The app's part: start an order, approve it when it asks, report the outcome."""
    order = {"orderId": f"order-{secrets.token_hex(3)}", "items": ["sku-1", "sku-2"], "amount": 120}
    # The workflow's front-matter `queue` is where its tasks and children go; the workflow
    # itself goes where its starter puts it: on the same queue, so one worker serves all.
    execution_id = rhythm.client.workflows.run("process_order", inputs=order, queue=QUEUE)
    say(f"4. Started process_order {execution_id} with {json.dumps(order)}")
    suspended = wait_until_suspended_on_signal(execution_id, worker)
    waiting = suspended.waiting_for or {}
    say(
        f"5. It is suspended on {waiting.get('description')} at process_order.flow:"
        f"{waiting.get('line')}; nothing runs while it waits. Approving it:"
    )
    rhythm.client.signals.send(
        workflow_id=execution_id,
        signal_name="approval",
        payload={"approved": True, "approver": "grace"},
    )
    finished = rhythm.client.executions.wait(execution_id, timeout=FINISH_TIMEOUT_S)
    say(f"6. The order {finished.status}: {json.dumps(finished.output)}")
    say("7. What it ran (each is a row of rhythm.executions):")
    for execution in started_by(execution_id):
        say(
            f"     {execution.type:<8} {execution.name:<14} {execution.status:<9} "
            f"attempt {execution.attempt}  {execution.id}"
        )
    say(f"   See one with `rhythm show {execution_id}`.")
    return EXIT_OK if finished.status == ExecutionStatus.COMPLETED else EXIT_FAILED


def wait_until_suspended_on_signal(execution_id: str, worker: subprocess.Popen[str]) -> Execution:
    """Poll until the workflow waits for the approval signal (it does once it is charged)."""
    deadline = time.monotonic() + FINISH_TIMEOUT_S
    while time.monotonic() < deadline:
        if worker.poll() is not None:
            raise DemoError(
                f"the worker process exited with status {worker.returncode} (its output is "
                "above); run `rhythm worker -m rhythm.demo.tasks --queue demo` to see why"
            )
        execution = rhythm.client.executions.get(execution_id)
        description = str((execution.waiting_for or {}).get("description", ""))
        if execution.status == ExecutionStatus.SUSPENDED and "Signal.next" in description:
            return execution
        if execution.status.is_final:
            raise DemoError(
                f"{execution_id} ended ({execution.status}: {execution.output}) before "
                "waiting for its approval"
            )
        time.sleep(SUSPEND_POLL_S)
    raise DemoError(
        f"{execution_id} did not reach its approval within {FINISH_TIMEOUT_S:g} s; see "
        f"`rhythm show {execution_id}`"
    )


def started_by(execution_id: str) -> list[Execution]:
    """The executions `execution_id` started, and theirs, oldest first."""
    recent = rhythm.client.executions.list(limit=LIST_LIMIT)
    family = {execution_id}
    found: list[Execution] = []
    for execution in sorted(recent, key=lambda e: (e.created_at, e.id)):
        if execution.parent_id in family:
            family.add(execution.id)
            found.append(execution)
    return found


def start_worker(url: str) -> subprocess.Popen[str]:
    """`rhythm worker` for the demo's tasks (`rhythm.demo.worker` runs it with short logs)."""
    command = [
        sys.executable,
        "-m",
        "rhythm.demo.worker",
        "--queue",
        QUEUE,
        "--concurrency",
        str(WORKER_CONCURRENCY),
        "--database-url",
        url,
    ]
    worker = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    assert worker.stdout is not None  # stdout=PIPE
    threading.Thread(target=_relay, args=(worker.stdout,), daemon=True).start()
    say(f"3. Started a worker process (pid {worker.pid}): rhythm worker -m rhythm.demo.tasks")
    return worker


def stop_worker(worker: subprocess.Popen[str]) -> None:
    """SIGTERM, as a deploy stops a worker: it stops claiming and exits."""
    if worker.poll() is not None:
        say(f"8. The worker had exited with status {worker.returncode}")
        return
    worker.send_signal(signal.SIGTERM)
    try:
        worker.wait(timeout=WORKER_STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        worker.kill()
        worker.wait()
    say(f"8. Stopped the worker (exit status {worker.returncode})")


def _relay(stream: IO[str]) -> None:
    """Show the worker's output as it comes, marked as the worker's."""
    for line in stream:
        say(f"   worker | {line.rstrip()}")


_print_lock = threading.Lock()


def say(text: str) -> None:
    with _print_lock:
        print(text, flush=True)
