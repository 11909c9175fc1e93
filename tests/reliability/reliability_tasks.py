"""Tasks, and crash points, for the reliability suite's worker processes
(`python -m rhythm.cli worker -m tests/reliability/reliability_tasks.py`).

Tasks (each first appends `<key> <pid>` to the file `RHYTHM_RELIABILITY_LOG`, in one write
to a file opened for appending, so lines of concurrent processes never mix):

* `work(wf, k, x)` — returns `harness.work_output(wf, k, x)` after `RHYTHM_RELIABILITY_WORK_S`
  seconds; its key is `<wf>/<k>`.
* `nap(key, seconds)` — returns `{"key": key}` after `seconds`.

Crash points. With `RHYTHM_RELIABILITY_CRASH=<point>:<n>` the process SIGKILLs itself the
`n`-th time it reaches `<point>`, after appending `crash <point> <pid>` to the log:

* `task` — inside a task, after its start is logged;
* `step-before-commit` — a workflow step has written its state, effects and status, and its
  transaction has not committed;
* `step-after-commit` — that transaction has just committed: the tasks the step took over are
  not dispatched yet, the new work is not announced;
* `results-before-commit` / `results-after-commit` — the same around the transaction that
  records finished tasks (it also wakes their workflows, or runs their next steps).

The points are found at the store's boundary whatever path the worker takes to it: the
functions that write the state of steps (`rhythm.worker_steps.finish_steps`) and record task
results (`rhythm.worker.record_results`) are wrapped to note, per thread, that the open
transaction holds such writes, and psycopg's `Transaction.__exit__` to see it commit. Nothing
of this is in the product: it exists only in worker processes started with the variable set.
"""

from __future__ import annotations

import functools
import os
import signal
import threading
import time
from collections.abc import Callable
from typing import Any

from harness import CRASH_LINE, CRASH_VARIABLE, LOG_VARIABLE, WORK_SECONDS_VARIABLE, work_output
from psycopg import pq
from psycopg.transaction import Transaction

from rhythm import task, worker, worker_steps

CRASH_POINTS = (
    "task",
    "step-before-commit",
    "step-after-commit",
    "results-before-commit",
    "results-after-commit",
)


def _append_to_log(line: str) -> None:
    descriptor = os.open(os.environ[LOG_VARIABLE], os.O_WRONLY | os.O_APPEND | os.O_CREAT)
    try:
        os.write(descriptor, f"{line}\n".encode())
    finally:
        os.close(descriptor)


class _CrashPlan:
    """Kill this process the `n`-th time it reaches `point`."""

    def __init__(self, point: str, n: int) -> None:
        if point not in CRASH_POINTS:
            raise ValueError(f"{CRASH_VARIABLE}: unknown crash point {point!r}")
        self.point = point
        self._remaining = n
        self._lock = threading.Lock()

    def reached(self, point: str) -> None:
        if point != self.point:
            return
        with self._lock:
            self._remaining -= 1
            if self._remaining > 0:
                return
            _append_to_log(f"{CRASH_LINE} {point} {os.getpid()}")
            os.kill(os.getpid(), signal.SIGKILL)


def _plan_from_environment() -> _CrashPlan | None:
    configured = os.environ.get(CRASH_VARIABLE)
    if not configured:
        return None
    point, _, n = configured.partition(":")
    return _CrashPlan(point, int(n))


_PLAN = _plan_from_environment()
_written = threading.local()  # .kinds: what the thread's open transaction wrote ("step", ...)


def _reached(point: str) -> None:
    if _PLAN is not None:
        _PLAN.reached(point)


def _noting(kind: str, function: Callable[..., Any]) -> Callable[..., Any]:
    """`function` (a write inside a transaction), noting `kind` for the commit to come and
    passing the `<kind>-before-commit` point once it has written."""

    @functools.wraps(function)
    def noted(*args: Any, **kwargs: Any) -> Any:
        result = function(*args, **kwargs)
        _written.kinds = {*getattr(_written, "kinds", ()), kind}
        _reached(f"{kind}-before-commit")
        return result

    return noted


def _install_crash_points() -> None:
    worker_steps.finish_steps = _noting("step", worker_steps.finish_steps)
    worker.record_results = _noting("results", worker.record_results)
    exit_transaction = Transaction.__exit__

    @functools.wraps(exit_transaction)
    def exit_and_check(self: Transaction, exc_type: object, *rest: Any) -> bool:
        try:
            swallowed = exit_transaction(self, exc_type, *rest)
        except BaseException:  # the commit failed: nothing was written
            _written.kinds = set()
            raise
        if self.connection.info.transaction_status != pq.TransactionStatus.IDLE:
            return swallowed  # a savepoint ended: the transaction goes on
        kinds, _written.kinds = getattr(_written, "kinds", set()), set()
        if exc_type is None:  # committed
            for kind in sorted(kinds):
                _reached(f"{kind}-after-commit")
        return swallowed

    Transaction.__exit__ = exit_and_check  # type: ignore[method-assign]


def _start(key: str) -> None:
    _append_to_log(f"{key} {os.getpid()}")
    _reached("task")


@task(name="work")
def work(wf: str, k: int, x: int) -> dict[str, int]:
    _start(f"{wf}/{k}")
    time.sleep(float(os.environ.get(WORK_SECONDS_VARIABLE, "0")))
    return work_output(wf, k, x)


@task(name="nap")
def nap(key: str, seconds: float) -> dict[str, str]:
    _start(key)
    time.sleep(seconds)
    return {"key": key}


if _PLAN is not None:
    _install_crash_points()
