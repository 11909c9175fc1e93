"""How fast is the Postgres runtime? The four figures of issue 5, with one worker process.

    RHYTHM_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test python bench/runtime.py
    python bench/runtime.py --database-url URL --concurrency 8

A fresh database is created on the server of the URL (default: `RHYTHM_DATABASE_URL`, else the
embedded Postgres) and dropped at the end. One worker process (`rhythm worker -m
bench/runtime.py`, this file: importing it registers the no-op task) serves the queue `bench`.
Times come from the database's own columns (`created_at`, `started_at`, `finished_at`), so
the app and the worker need no shared clock.

(a) 2,000 no-op tasks are enqueued with the worker stopped, then the worker drains them:
    tasks/s = 2,000 / (last finish - first start); enqueue-to-start latency per task (its wait
    in the queue). Then, with the worker idle, 200 tasks one at a time: the pickup latency.
(b) 100 workflows of 10 sequential tasks, started at once: steps/s = 1,000 task steps / wall
    time (first created to last finished), and the p50 workflow latency.
(c) One workflow fanning out 200 tasks with Promise.all: wall time from created to finished.
(d) One workflow of 1,000 sequential tasks: the time from one task's start to the next's, over
    the first and the last 100 (the cost of a step must not grow with the history).

This is not a test; it prints numbers only.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from bench_database import fresh_database

import rhythm
from rhythm import task
from rhythm.database import redact, resolve_database_url
from rhythm.store import inspection

QUEUE = "bench"
DRAIN_TASKS = 2_000
IDLE_TASKS = 200
CHAIN_WORKFLOWS = 100
CHAIN_LENGTH = 10
FAN_OUT = 200
LONG_CHAIN = 1_000
WINDOW = 100  # steps compared at the start and the end of the long chain
POLL_S = 0.02
WORKER_READY_S = 1.0  # the worker's LISTEN is up well within this after it starts
TIMEOUT_S = 300.0

CHAIN = """```yaml
queue: bench
```
let i = 0
while (i < Inputs.steps) {
  await Task.run("noop", { i })
  i++
}
return i
"""

FAN = """```yaml
queue: bench
```
let started = []
let i = 0
while (i < Inputs.count) {
  started.push(Task.run("noop", { i }))
  i++
}
let done = await Promise.all(started)
return done.length
"""


@task(name="noop", queue=QUEUE)
def noop(i: int = 0) -> None:
    """Does nothing: the benchmark measures the runtime around it."""


# --- plumbing -----------------------------------------------------------------------------


def start_worker(url: str, concurrency: int) -> subprocess.Popen[bytes]:
    command = [
        *(sys.executable, "-m", "rhythm.cli", "worker", "-m", str(Path(__file__).resolve())),
        *("--queue", QUEUE, "--concurrency", str(concurrency), "--database-url", url),
    ]
    return subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def stop_worker(worker: subprocess.Popen[bytes]) -> None:
    worker.terminate()
    worker.wait(timeout=60)


def timings(ids: Sequence[str]) -> list[inspection.Timing]:
    with rhythm.app.current().pool.connection() as conn:
        return inspection.timings(conn, ids)


def child_timings(parent_id: str) -> list[inspection.Timing]:
    with rhythm.app.current().pool.connection() as conn:
        return inspection.child_timings(conn, parent_id)


def wait_finished(ids: Sequence[str]) -> list[inspection.Timing]:
    deadline = time.monotonic() + TIMEOUT_S
    while True:
        found = timings(ids)
        if all(t.finished_ms is not None for t in found):
            return found
        if time.monotonic() > deadline:
            raise TimeoutError(f"{sum(t.finished_ms is None for t in found)} executions unfinished")
        time.sleep(POLL_S)


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def started(t: inspection.Timing) -> float:
    assert t.started_ms is not None  # finished executions have started
    return t.started_ms


def finished(t: inspection.Timing) -> float:
    assert t.finished_ms is not None  # wait_finished returned it
    return t.finished_ms


# --- the four figures ---------------------------------------------------------------------


def drain(url: str, concurrency: int) -> subprocess.Popen[bytes]:
    """(a), bulk part; returns the worker, left running (and idle) for what follows."""
    begin = time.perf_counter()
    ids = [rhythm.client.tasks.run("noop", inputs={"i": n}) for n in range(DRAIN_TASKS)]
    enqueue_s = time.perf_counter() - begin
    worker = start_worker(url, concurrency)
    done = wait_finished(ids)
    span_ms = max(map(finished, done)) - min(map(started, done))
    waits = [started(t) - t.created_ms for t in done]
    print(f"(a) {DRAIN_TASKS} no-op tasks drained by one worker (concurrency {concurrency})")
    print(f"    enqueued in {enqueue_s:.2f} s ({DRAIN_TASKS / enqueue_s:.0f}/s, one call each)")
    print(f"    drained at {DRAIN_TASKS / (span_ms / 1000):.0f} tasks/s ({span_ms:.0f} ms)")
    print(
        f"    enqueue-to-start, queued behind the others: p50 {percentile(waits, 0.5):.0f} ms, "
        f"p95 {percentile(waits, 0.95):.0f} ms"
    )
    return worker


def idle_pickup() -> None:
    """(a), the idle worker: one task at a time."""
    latencies = []
    for n in range(IDLE_TASKS):
        execution_id = rhythm.client.tasks.run("noop", inputs={"i": n})
        (done,) = wait_finished([execution_id])
        latencies.append(started(done) - done.created_ms)
    print(
        f"    enqueue-to-start, idle worker ({IDLE_TASKS} tasks one at a time): "
        f"p50 {percentile(latencies, 0.5):.1f} ms, p95 {percentile(latencies, 0.95):.1f} ms"
    )


def chains() -> None:
    """(b)"""
    ids = [
        rhythm.client.workflows.run("chain", inputs={"steps": CHAIN_LENGTH}, queue=QUEUE)
        for _ in range(CHAIN_WORKFLOWS)
    ]
    done = wait_finished(ids)
    wall_ms = max(map(finished, done)) - min(t.created_ms for t in done)
    latencies = [finished(t) - t.created_ms for t in done]
    steps = CHAIN_WORKFLOWS * CHAIN_LENGTH
    print(f"(b) {CHAIN_WORKFLOWS} workflows x {CHAIN_LENGTH} sequential tasks")
    print(f"    {steps / (wall_ms / 1000):.0f} steps/s ({wall_ms:.0f} ms)")
    print(f"    workflow latency p50 {percentile(latencies, 0.5):.0f} ms")


def fan_out() -> None:
    """(c)"""
    execution_id = rhythm.client.workflows.run("fan", inputs={"count": FAN_OUT}, queue=QUEUE)
    (done,) = wait_finished([execution_id])
    wall_ms = finished(done) - done.created_ms
    print(f"(c) one workflow fanning out {FAN_OUT} tasks: {wall_ms:.0f} ms")


def long_chain() -> None:
    """(d)"""
    execution_id = rhythm.client.workflows.run("chain", inputs={"steps": LONG_CHAIN}, queue=QUEUE)
    wait_finished([execution_id])
    starts = [started(t) for t in child_timings(execution_id)]
    gaps = [later - earlier for earlier, later in zip(starts, starts[1:], strict=False)]
    first, last = statistics.mean(gaps[:WINDOW]), statistics.mean(gaps[-WINDOW:])
    print(f"(d) one workflow of {LONG_CHAIN} sequential tasks, ms per step (task start to start)")
    print(f"    first {WINDOW}: {first:.2f} ms, last {WINDOW}: {last:.2f} ms ({last / first:.2f}x)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="the server (default: as rhythm resolves it)")
    parser.add_argument("--concurrency", type=int, default=8, help="worker concurrency")
    args = parser.parse_args(argv)
    server = resolve_database_url(args.database_url)
    print(f"server: {redact(server)}; python {sys.version.split()[0]}; {os.cpu_count()} CPUs")
    with fresh_database(server, "bench") as url, tempfile.TemporaryDirectory() as folder:
        sources = {"chain": CHAIN, "fan": FAN}
        files = []
        for name, source in sources.items():
            path = Path(folder) / f"{name}.flow"
            path.write_text(source, encoding="utf-8")
            files.append(rhythm.WorkflowFile(name=name, file_path=path))
        rhythm.init(database_url=url, workflows=files)
        worker = drain(url, args.concurrency)
        try:
            time.sleep(WORKER_READY_S)
            idle_pickup()
            chains()
            fan_out()
            long_chain()
        finally:
            stop_worker(worker)
    return 0


if __name__ == "__main__":
    sys.exit(main())
