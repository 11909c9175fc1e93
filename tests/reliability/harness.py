"""What the reliability tests share: worker processes they start, kill and restart, the log
their tasks write, and questions to the database that do not go through the runtime.

Worker processes run `python -m rhythm.cli worker -m reliability_tasks.py`; what their tasks
do and where they crash is set by environment variables read by that module (see there). Every
task start appends one line `<key> <pid>` to the run's task log, so a test counts how often
each task ran and in which process.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import psycopg

TASKS_MODULE = Path(__file__).resolve().parent / "reliability_tasks.py"
LOG_VARIABLE = "RHYTHM_RELIABILITY_LOG"
CRASH_VARIABLE = "RHYTHM_RELIABILITY_CRASH"
WORK_SECONDS_VARIABLE = "RHYTHM_RELIABILITY_WORK_S"
CRASH_LINE = "crash"  # `crash <point> <pid>`: a worker about to kill itself at a crash point
STOP_S = 20.0
POLL_S = 0.05


def work_output(wf: str, k: int, x: int) -> dict[str, int]:
    """What the task `work` returns for its inputs: a pure function, so an interrupted run and
    an uninterrupted one agree exactly when every result reached its workflow once."""
    digest = sum((index + 1) * ord(char) for index, char in enumerate(wf))
    return {"y": (x * 31 + k * 7 + digest) % 1_000_003}


@dataclass
class WorkerProcess:
    process: subprocess.Popen[str]
    output: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def alive(self) -> bool:
        return self.process.poll() is None

    def killed(self) -> bool:
        """Whether it ended by SIGKILL (its own crash point, or the test's)."""
        return self.process.poll() == -signal.SIGKILL


@dataclass
class Workers:
    """Worker processes on one database, with one task log; each started with
    `start(...)`, its output in a file of its own (a pipe nobody reads could fill up)."""

    database_url: str
    folder: Path
    lease_s: float = 1.0
    work_s: float = 0.0
    started: list[WorkerProcess] = field(default_factory=list)

    @property
    def task_log(self) -> Path:
        return self.folder / "task-starts.log"

    def start(self, *, concurrency: int = 4, crash: str | None = None) -> WorkerProcess:
        """Start a worker of the queue `default`; `crash` is `<point>:<n>`
        (reliability_tasks.CRASH_POINTS)."""
        command = [
            *(sys.executable, "-m", "rhythm.cli", "worker", "-m", str(TASKS_MODULE)),
            *("--concurrency", str(concurrency)),
            *("--lease", str(self.lease_s), "--database-url", self.database_url),
        ]
        environment = {
            **os.environ,
            LOG_VARIABLE: str(self.task_log),
            WORK_SECONDS_VARIABLE: str(self.work_s),
        }
        environment.pop(CRASH_VARIABLE, None)
        if crash is not None:
            environment[CRASH_VARIABLE] = crash
        output = self.folder / f"worker-{len(self.started)}.log"
        with output.open("w", encoding="utf-8") as sink:
            process = subprocess.Popen(
                command, stdout=sink, stderr=subprocess.STDOUT, text=True, env=environment
            )
        worker = WorkerProcess(process, output)
        self.started.append(worker)
        return worker

    def alive(self) -> list[WorkerProcess]:
        return [worker for worker in self.started if worker.alive()]

    def stop_all(self) -> None:
        """SIGTERM every live worker (a deploy), SIGKILL what does not stop in time."""
        for worker in self.alive():
            worker.process.send_signal(signal.SIGTERM)
        for worker in self.started:
            try:
                worker.process.wait(timeout=STOP_S)
            except subprocess.TimeoutExpired:
                worker.process.kill()
                worker.process.wait()

    def outputs(self) -> str:
        """Every worker's output, for a failure message."""
        return "\n".join(
            f"--- worker {worker.pid} (exit {worker.process.poll()})\n"
            + worker.output.read_text(encoding="utf-8")
            for worker in self.started
        )

    def task_starts(self) -> list[tuple[str, int]]:
        """(task key, pid) of every task start, in order."""
        if not self.task_log.exists():
            return []
        lines = self.task_log.read_text(encoding="utf-8").splitlines()
        starts = []
        for line in lines:
            key, pid = line.rsplit(" ", 1)
            if not key.startswith(f"{CRASH_LINE} "):
                starts.append((key, int(pid)))
        return starts

    def crashes(self) -> list[tuple[str, int]]:
        """(crash point, pid) of every worker that killed itself at a crash point."""
        if not self.task_log.exists():
            return []
        lines = self.task_log.read_text(encoding="utf-8").splitlines()
        return [
            (line.split()[1], int(line.split()[2]))
            for line in lines
            if line.startswith(f"{CRASH_LINE} ")
        ]


def wait_for(condition: Callable[[], bool], what: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(POLL_S)


def query(url: str, sql: str, *parameters: object) -> list[tuple[object, ...]]:
    """Rows of `sql` on a connection of its own (the test's view, not the runtime's)."""
    with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        return conn.execute(sql, parameters).fetchall()  # type: ignore[arg-type]


def execute(url: str, sql: str) -> None:
    """Run `sql` (statements that return no rows) on a connection of its own."""
    with psycopg.connect(url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(sql)  # type: ignore[arg-type]


def statuses(url: str) -> Counter[tuple[str, str]]:
    """How many executions of each (type, status) the database holds."""
    rows = query(url, "SELECT type, status, count(*) FROM rhythm.executions GROUP BY 1, 2")
    return Counter({(str(kind), str(status)): int(str(n)) for kind, status, n in rows})


def unfinished(url: str) -> int:
    rows = query(
        url, "SELECT count(*) FROM rhythm.executions WHERE status NOT IN ('completed', 'failed')"
    )
    return int(str(rows[0][0]))


def outputs_of(url: str, ids: Sequence[str]) -> dict[str, tuple[str, object]]:
    """(status, output) of each of `ids`."""
    rows = query(
        url, "SELECT id, status, output FROM rhythm.executions WHERE id = ANY(%s)", list(ids)
    )
    return {str(id_): (str(status), output) for id_, status, output in rows}


def deadlocks(url: str) -> int:
    """Deadlocks PostgreSQL detected in the database of `url` since it was created."""
    rows = query(url, "SELECT deadlocks FROM pg_stat_database WHERE datname = current_database()")
    return int(str(rows[0][0]))
