"""Task stubs of the test runtime: what `run_workflow(tasks=...)` maps a task name to, and how
one started task becomes its outcome (LANGUAGE.md §8.3, §9.2).

A stub is a value (the task's result), an exception instance (every attempt fails with it) or a
callable (called with a deep copy of the task's inputs: what it returns is the result, what it
raises fails the attempt). A failed attempt is retried `retries` times (the `Task.run` option),
the first retry `retryDelay` (default 1 s) after the attempt and each further one after twice
the previous delay, capped at one hour, on the virtual clock: so the task settles later, which
races and timers observe (§10.4). `timeout`, `priority`, `queue` and `idempotencyKey` have no
effect here: a stub runs at once and every call is a new execution.
"""

from __future__ import annotations

import asyncio
import copy
import inspect
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from rhythm.failures import as_json, task_failure

DEFAULT_RETRY_DELAY_MS = 1_000
MAX_RETRY_DELAY_MS = 3_600_000

TaskStub = Any  # a JSON value, an exception instance or a callable taking the inputs dict


class UnknownTaskError(LookupError):
    """The workflow started a task that `tasks` has no entry for."""

    def __init__(self, name: str, known: Mapping[str, object]) -> None:
        self.name = name
        listed = ", ".join(f"`{n}`" for n in sorted(known)) or "none"
        super().__init__(
            f"the workflow started task `{name}`, which `tasks` does not define "
            f"(defined: {listed}); add `{name!r}: <result or function>` to `tasks`"
        )


@dataclass(frozen=True)
class TaskRun:
    """What running a stub gave: the result or failure object, when it settled, attempts."""

    ok: bool
    value: object
    settled_at: int
    attempts: int


def run_task(stub: TaskStub, record: Mapping[str, Any], now: int) -> TaskRun:
    """Run the task `record` describes (a `Task.run` effect) with `stub`, retries included."""
    options = record.get("options") or {}
    retries = int(options.get("retries") or 0)
    delay = _first_retry_delay(options)
    attempt, clock = 1, now
    while True:
        ok, value = _attempt(stub, record["inputs"])
        if ok or attempt > retries:
            break
        clock += delay
        delay = min(delay * 2, MAX_RETRY_DELAY_MS)
        attempt += 1
    if not ok:
        value = _failure_object(value, record, attempt)
    return TaskRun(ok, value, clock, attempt)


def _first_retry_delay(options: Mapping[str, Any]) -> int:
    """The record's options hold durations validated, in milliseconds (`rhythm.promises`)."""
    configured = options.get("retryDelay")
    return DEFAULT_RETRY_DELAY_MS if configured is None else int(configured)


def _attempt(stub: TaskStub, inputs: object) -> tuple[bool, object]:
    """(True, result) or (False, the exception) for one attempt."""
    if isinstance(stub, BaseException):
        return False, stub
    if not callable(stub):
        return True, as_json(stub, "a task result")
    try:
        result = stub(copy.deepcopy(inputs))
        if inspect.isawaitable(result):
            result = asyncio.run(_awaited(result))
        return True, as_json(result, "a task result")
    except Exception as error:  # a task failure: the workflow sees it (§8.3)
        return False, error


async def _awaited(awaitable: Any) -> object:
    return await awaitable


def _failure_object(error: object, record: Mapping[str, Any], attempts: int) -> dict[str, object]:
    """The value a failed task rejects with (§8.3)."""
    assert isinstance(error, BaseException)
    return task_failure(error, name=record["name"], execution_id=record["id"], attempts=attempts)
