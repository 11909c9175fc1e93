"""Load: tasks at a steady 80 % of the measured maximum throughput for five minutes. Does the
latency stay bounded and the worker's memory flat? (issue #8, item 4)

    RHYTHM_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/test python bench/load.py
    python bench/load.py --duration 60 --rate 400

A fresh database is created on the server of the URL (default: `RHYTHM_DATABASE_URL`, else the
embedded Postgres) and dropped at the end. One worker process (`rhythm worker -m bench/load.py`,
this file: importing it registers the no-op task) serves the queue `load`; this process enqueues
with the client from `--senders` threads, as an application would.

1. The maximum throughput (unless `--rate` gives the load): the senders enqueue as fast as they
   can for `--saturate` seconds; the maximum is the number of those tasks over the time from the
   first enqueued to the last finished. (Where enqueueing is the limit, as on a small machine,
   that is the senders' rate and the worker keeps up with it.)
2. The load: `--load` (80 %) of it, open-loop: task n is enqueued at start + n / rate whatever
   has finished, for `--duration` seconds. For each `--window` seconds of enqueueing: the
   tasks, their p50, p95 and maximum latency from enqueue to finish (the database's own
   `created_at` and `finished_at`), and the worker's resident memory at the window's end.
3. The verdict: the p95 of the last window against the first, and the worker's memory at the
   end against after the first window (the first window warms the worker up).

It prints numbers; `tests/reliability/test_load.py` runs it for a short while and checks that
nothing grows without bound.
"""

from __future__ import annotations

import argparse
import itertools
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psutil
from bench_database import fresh_database

import rhythm
from rhythm import task
from rhythm.database import connect, redact, resolve_database_url
from rhythm.store import inspection

QUEUE = "load"
SENDERS = 4
SATURATE_S = 10.0
DURATION_S = 300.0
WINDOW_S = 10.0
LOAD = 0.8
MEMORY_SAMPLE_S = 1.0
POLL_S = 0.1
TIMINGS_BATCH = 5_000
FINISH_TIMEOUT_S = 120.0  # for the last tasks, once enqueueing has stopped
WORKER_READY_S = 30.0
MB = 1024 * 1024


@task(name="noop", queue=QUEUE)
def noop(n: int = 0) -> None:
    """Does nothing: the benchmark measures the runtime around it."""


@dataclass(frozen=True)
class Window:
    """The tasks enqueued in one window: latencies from enqueue to finish, in ms."""

    start_s: float
    tasks: int
    p50_ms: float
    p95_ms: float
    max_ms: float
    worker_rss_mb: float


@dataclass
class LoadReport:
    maximum: float  # tasks/s, measured or given
    rate: float  # tasks/s of the load
    duration_s: float
    window_s: float
    windows: list[Window] = field(default_factory=list)
    enqueued: int = 0
    unfinished: int = 0  # tasks not finished FINISH_TIMEOUT_S after the load
    latest_send_ms: float = 0.0  # how far the senders fell behind their schedule, at worst

    @property
    def p95_ratio(self) -> float:
        """The p95 of the last window over the first."""
        return self.windows[-1].p95_ms / self.windows[0].p95_ms

    @property
    def rss_growth_mb(self) -> float:
        """The worker's memory at the end, less after the first window."""
        return self.windows[-1].worker_rss_mb - self.windows[0].worker_rss_mb

    def lines(self) -> list[str]:
        first, last = self.windows[0], self.windows[-1]
        rows = [
            f"load: {self.rate:.0f} tasks/s for {self.duration_s:.0f} s "
            f"({self.rate / self.maximum:.0%} of {self.maximum:.0f} tasks/s); "
            f"{self.enqueued} tasks sent ({self.enqueued / self.duration_s:.0f}/s), at worst "
            f"{self.latest_send_ms:.0f} ms behind schedule",
            "  window     tasks   p50 ms   p95 ms   max ms   worker RSS MB",
        ]
        for window in self.windows:
            end = window.start_s + self.window_s
            rows.append(
                f"  {window.start_s:4.0f}-{end:<4.0f} {window.tasks:7d} {window.p50_ms:8.1f} "
                f"{window.p95_ms:8.1f} {window.max_ms:8.1f} {window.worker_rss_mb:12.1f}"
            )
        rows.append(
            f"verdict: p95 {first.p95_ms:.1f} ms in the first window, {last.p95_ms:.1f} ms in "
            f"the last ({self.p95_ratio:.2f}x); worker RSS {first.worker_rss_mb:.1f} MB after "
            f"the first window, {last.worker_rss_mb:.1f} MB at the end "
            f"({self.rss_growth_mb:+.1f} MB); {self.unfinished} tasks unfinished"
        )
        return rows


# --- plumbing -----------------------------------------------------------------------------


@contextmanager
def worker_process(url: str, concurrency: int) -> Iterator[psutil.Process]:
    command = [
        *(sys.executable, "-m", "rhythm.cli", "worker", "-m", str(Path(__file__).resolve())),
        *("--queue", QUEUE, "--concurrency", str(concurrency), "--database-url", url),
    ]
    worker = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        probe = rhythm.client.tasks.run("noop", queue=QUEUE)
        wait_finished([probe], WORKER_READY_S)
        yield psutil.Process(worker.pid)
    finally:
        worker.terminate()
        worker.wait(timeout=60)


def timings(ids: Sequence[str]) -> list[inspection.Timing]:
    # On a connection of its own that prepares nothing: psycopg prepares a statement it runs
    # often, and a plan made while the table was small can scan the grown table once per id
    # (measured: 15 s per batch of 5,000 on a server without autovacuum).
    with connect(rhythm.app.current().database_url, autocommit=True) as conn:
        conn.prepare_threshold = None
        found = []
        for start in range(0, len(ids), TIMINGS_BATCH):
            found += inspection.timings(conn, ids[start : start + TIMINGS_BATCH])
    return found


def wait_finished(ids: Sequence[str], timeout: float) -> list[inspection.Timing]:
    """The timings of `ids` once all have finished, or when `timeout` has passed (asking
    each time only about those not seen finished yet)."""
    deadline = time.monotonic() + timeout
    finished: dict[str, inspection.Timing] = {}
    waiting = list(ids)
    while True:
        seen = timings(waiting)
        finished |= {t.id: t for t in seen if t.finished_ms is not None}
        waiting = [i for i in waiting if i not in finished]
        if not waiting or time.monotonic() > deadline:
            return [*finished.values(), *(t for t in seen if t.finished_ms is None)]
        time.sleep(POLL_S)


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


class Senders:
    """Threads that enqueue no-op tasks: as fast as they can, or on a schedule."""

    def __init__(self, count: int) -> None:
        self.count = count
        self.ids: list[str] = []
        self.latest_ms = 0.0
        self._lock = threading.Lock()

    def run(self, duration_s: float, rate: float | None) -> list[str]:
        """Enqueue for `duration_s` seconds: task n at start + n / `rate`, or at once when
        `rate` is None. Returns the ids, in the order they were enqueued."""
        self.ids, self.latest_ms = [], 0.0
        numbers = itertools.count()
        start = time.monotonic()
        end = start + duration_s

        def send() -> None:
            while True:
                n = next(numbers)
                due = start + n / rate if rate is not None else time.monotonic()
                if due >= end:
                    return
                ahead = due - time.monotonic()
                if ahead > 0:
                    time.sleep(ahead)
                execution_id = rhythm.client.tasks.run("noop", inputs={"n": n}, queue=QUEUE)
                with self._lock:
                    self.ids.append(execution_id)
                    self.latest_ms = max(self.latest_ms, -ahead * 1000)

        threads = [threading.Thread(target=send) for _ in range(self.count)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return self.ids


class MemorySampler:
    """The worker's resident memory every `MEMORY_SAMPLE_S`, on this process's clock."""

    def __init__(self, worker: psutil.Process) -> None:
        self.worker = worker
        self.samples: list[tuple[float, float]] = []  # (monotonic s, MB)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        while not self._stop.is_set():
            self.samples.append((time.monotonic(), self.worker.memory_info().rss / MB))
            self._stop.wait(MEMORY_SAMPLE_S)

    def at(self, moment: float) -> float:
        """The last sample taken at or before `moment`."""
        return [mb for at, mb in self.samples if at <= moment][-1]


# --- the phases ---------------------------------------------------------------------------


def measure_maximum(senders: Senders, seconds: float) -> float:
    ids = senders.run(seconds, rate=None)
    done = wait_finished(ids, FINISH_TIMEOUT_S)
    first_enqueued = min(t.created_ms for t in done)
    last_finished = max(t.finished_ms or 0.0 for t in done)
    return len(ids) / ((last_finished - first_enqueued) / 1000)


def run_load(
    senders: Senders, worker: psutil.Process, rate: float, duration_s: float, window_s: float
) -> tuple[list[inspection.Timing], MemorySampler, float]:
    """Enqueue at `rate` for `duration_s`; the timings, the memory samples, and when (on this
    process's clock) enqueueing began."""
    with MemorySampler(worker) as memory:
        began = time.monotonic()
        ids = senders.run(duration_s, rate)
        time.sleep(min(window_s, MEMORY_SAMPLE_S) * 1.5)  # a sample after the last window
    return wait_finished(ids, FINISH_TIMEOUT_S), memory, began


def windows(
    done: Sequence[inspection.Timing],
    memory: MemorySampler,
    began: float,
    duration_s: float,
    window_s: float,
) -> list[Window]:
    origin = min(t.created_ms for t in done)
    by_window: dict[int, list[float]] = {}
    for t in done:
        if t.finished_ms is not None:
            index = int((t.created_ms - origin) / 1000 // window_s)
            by_window.setdefault(index, []).append(t.finished_ms - t.created_ms)
    found = []
    for index in range(round(duration_s / window_s)):
        latencies = by_window.get(index, [0.0])
        found.append(
            Window(
                start_s=index * window_s,
                tasks=len(by_window.get(index, [])),
                p50_ms=percentile(latencies, 0.5),
                p95_ms=percentile(latencies, 0.95),
                max_ms=max(latencies),
                worker_rss_mb=memory.at(began + (index + 1) * window_s),
            )
        )
    return found


def run(
    url: str,
    *,
    rate: float | None = None,
    duration_s: float = DURATION_S,
    window_s: float = WINDOW_S,
    saturate_s: float = SATURATE_S,
    load: float = LOAD,
    concurrency: int = 8,
    senders: int = SENDERS,
) -> LoadReport:
    """The whole benchmark on the database of `url` (migrated here if it is not yet)."""
    rhythm.init(database_url=url, auto_migrate=True)
    sending = Senders(senders)
    with worker_process(url, concurrency) as worker:
        maximum = measure_maximum(sending, saturate_s) if rate is None else rate / load
        steady = maximum * load
        done, memory, began = run_load(sending, worker, steady, duration_s, window_s)
    return LoadReport(
        maximum=maximum,
        rate=steady,
        duration_s=duration_s,
        window_s=window_s,
        windows=windows(done, memory, began, duration_s, window_s),
        enqueued=len(done),
        unfinished=sum(t.finished_ms is None for t in done),
        latest_send_ms=sending.latest_ms,
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", help="the server (default: as rhythm resolves it)")
    parser.add_argument("--rate", type=float, help="the load in tasks/s (default: measured)")
    parser.add_argument("--duration", type=float, default=DURATION_S, help="seconds of load")
    parser.add_argument("--window", type=float, default=WINDOW_S, help="seconds per window")
    parser.add_argument(
        "--saturate", type=float, default=SATURATE_S, help="seconds to measure the maximum"
    )
    parser.add_argument("--load", type=float, default=LOAD, help="fraction of the maximum")
    parser.add_argument("--concurrency", type=int, default=8, help="worker concurrency")
    parser.add_argument("--senders", type=int, default=SENDERS, help="enqueueing threads")
    args = parser.parse_args(argv)
    server = resolve_database_url(args.database_url)
    print(f"server: {redact(server)}; python {sys.version.split()[0]}; {os.cpu_count()} CPUs")
    with fresh_database(server, "load") as url:
        report = run(
            url,
            rate=args.rate,
            duration_s=args.duration,
            window_s=args.window,
            saturate_s=args.saturate,
            load=args.load,
            concurrency=args.concurrency,
            senders=args.senders,
        )
    print("\n".join(report.lines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
