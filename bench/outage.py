"""How soon does a worker resume after a database outage of any length? (issue #8, item 2)

    python bench/outage.py --seconds 100
    python bench/outage.py --seconds 30 --seconds 300

A private embedded PostgreSQL is started in a temporary folder, with one worker process
(`rhythm worker -m bench/outage.py`, this file: importing it registers the no-op task). For each
`--seconds`: a task proves the worker serves, the server is stopped (a fast shutdown: every
session is cut) for that long and started again, and a task is enqueued at once. Printed: how
long after the restart that task finished, whether the worker is still running, and what it
logged meanwhile (lines per minute of outage).

It prints numbers only; `tests/reliability/test_restarts.py` holds the checks.
"""

from __future__ import annotations

import argparse
import logging
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import rhythm
from rhythm import embedded, task
from rhythm.errors import DatabaseError

QUEUE = "outage"
TASK_TIMEOUT_S = 600.0
POLL_S = 0.05


@task(name="noop", queue=QUEUE)
def noop() -> None:
    """Does nothing: the benchmark measures the runtime around it."""


def run_task() -> None:
    """Enqueue a no-op task and wait until it has finished, retrying the enqueue while the
    client's pool reconnects."""
    deadline = time.monotonic() + TASK_TIMEOUT_S
    while True:
        try:
            execution_id = rhythm.client.tasks.run("noop", queue=QUEUE)
            break
        except DatabaseError:
            if time.monotonic() > deadline:
                raise
            time.sleep(POLL_S)
    rhythm.client.executions.wait(execution_id, timeout=TASK_TIMEOUT_S)


def outage(folder: Path, seconds: float, worker_log: Path) -> str:
    run_task()
    logged_before = len(worker_log.read_text(encoding="utf-8").splitlines())
    embedded.stop(folder)
    time.sleep(seconds)
    embedded.start(folder)
    restarted = time.monotonic()
    run_task()
    resumed_s = time.monotonic() - restarted
    logged = len(worker_log.read_text(encoding="utf-8").splitlines()) - logged_before
    return (
        f"outage of {seconds:.0f} s: a task enqueued at the restart finished {resumed_s:.1f} s "
        f"later; the worker logged {logged} lines ({logged / seconds * 60:.0f} per minute)"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--seconds",
        type=float,
        action="append",
        help="length of an outage (repeatable; default: 100)",
    )
    args = parser.parse_args(argv)
    # The client's pool reports each failed reconnection; what is measured is the worker's log.
    logging.getLogger("psycopg.pool").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="rhythm-outage-") as scratch:
        folder = Path(scratch) / "postgres"
        url = embedded.start(folder)
        worker_log = Path(scratch) / "worker.log"
        command = [
            *(sys.executable, "-m", "rhythm.cli", "worker", "-m", str(Path(__file__).resolve())),
            *("--queue", QUEUE, "--database-url", url),
        ]
        try:
            rhythm.init(database_url=url, auto_migrate=True)
            with worker_log.open("w", encoding="utf-8") as sink:
                worker = subprocess.Popen(command, stdout=sink, stderr=subprocess.STDOUT)
            try:
                for seconds in args.seconds or [100.0]:
                    print(outage(folder, seconds, worker_log), flush=True)
                alive = worker.poll() is None
                print(f"the worker is {'still running' if alive else 'gone'}")
            finally:
                worker.terminate()
                worker.wait(timeout=60)
        finally:
            rhythm.app.shutdown()
            embedded.stop(folder)
    return 0


if __name__ == "__main__":
    sys.exit(main())
