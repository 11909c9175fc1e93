"""`@task`: the decorator that makes a Python function a task workflows can start.

`@task` records a `TaskDefinition` (name, function, signature, queue, retry policy, timeout,
docstring and where it is defined) in `REGISTRY` and hands the function back unchanged, so it
stays callable as before. Workers look tasks up by name in the registry; `rhythm.catalog`
exports the registry as the task catalog that `flowc check` reads.

The registry is module-level state on purpose: a decorator runs at import time and has nowhere
else to put what it learns, so importing a module is how its tasks become known (as with Flask's
routes or Celery's tasks). It is the only global of the package; tests reset it with `clear()`.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar, overload

DEFAULT_QUEUE = "default"
MAX_RETRIES = 100  # LANGUAGE.md §9.2: `retries` is an integer from 0 to 100
DEFAULT_RETRY_BACKOFF = 1.0  # seconds before the first retry; doubled for each further retry

F = TypeVar("F", bound=Callable[..., Any])


class TaskDefinitionError(ValueError):
    """A `@task` declaration that cannot be registered; the message names the task and place."""


@dataclass(frozen=True)
class TaskDefinition:
    """What `@task` learned about one task function."""

    name: str
    function: Callable[..., Any]
    signature: inspect.Signature
    queue: str
    retries: int
    retry_backoff: float  # seconds
    timeout: float | None  # seconds per attempt; None: no limit
    doc: str
    file: str
    line: int

    @property
    def is_async(self) -> bool:
        return inspect.iscoroutinefunction(self.function)

    @property
    def location(self) -> str:
        """`file:line` of the definition, for messages."""
        return f"{self.file}:{self.line}"

    def is_same_function_as(self, other: TaskDefinition) -> bool:
        """Whether both come from one definition (a module imported again, e.g. reloaded)."""
        mine, theirs = self.function, other.function
        return (mine.__module__, mine.__qualname__, self.file) == (
            theirs.__module__,
            theirs.__qualname__,
            other.file,
        )


class TaskRegistry:
    """Task definitions by name, in registration order."""

    def __init__(self) -> None:
        self._tasks: dict[str, TaskDefinition] = {}

    def register(self, definition: TaskDefinition) -> None:
        """Add `definition`; a second task with the same name is an error."""
        existing = self._tasks.get(definition.name)
        if existing is not None and not existing.is_same_function_as(definition):
            raise TaskDefinitionError(
                f"task `{definition.name}` is defined twice: at {existing.location} and at "
                f"{definition.location}; give one of them another name with "
                f'`@task(name="...")`'
            )
        self._tasks[definition.name] = definition

    def get(self, name: str) -> TaskDefinition | None:
        return self._tasks.get(name)

    def all(self) -> tuple[TaskDefinition, ...]:
        return tuple(self._tasks.values())

    def clear(self) -> None:
        """Forget every task (for tests, which define tasks of their own)."""
        self._tasks.clear()


REGISTRY = TaskRegistry()


@overload
def task(function: F, /) -> F: ...


@overload
def task(
    *,
    name: str | None = None,
    queue: str = DEFAULT_QUEUE,
    retries: int = 0,
    retry_backoff: float = DEFAULT_RETRY_BACKOFF,
    timeout: float | None = None,
) -> Callable[[F], F]: ...


def task(
    function: Callable[..., Any] | None = None,
    /,
    *,
    name: str | None = None,
    queue: str = DEFAULT_QUEUE,
    retries: int = 0,
    retry_backoff: float = DEFAULT_RETRY_BACKOFF,
    timeout: float | None = None,
) -> Any:
    """Register a function (sync or `async def`) as a task; use as `@task` or `@task(...)`.

    `name` defaults to the function's name; `queue` is where workers pick the task up;
    `retries` (0-100) extra attempts after a failure, the first after `retry_backoff` seconds
    and each further one after twice the previous wait; `timeout` limits each attempt, in
    seconds. The function is returned unchanged.
    """

    def register(decorated: F) -> F:
        REGISTRY.register(
            define_task(
                decorated,
                name=name,
                queue=queue,
                retries=retries,
                retry_backoff=retry_backoff,
                timeout=timeout,
            )
        )
        return decorated

    if function is not None:
        return register(function)
    return register


def define_task(
    function: Callable[..., Any],
    *,
    name: str | None,
    queue: str,
    retries: int,
    retry_backoff: float,
    timeout: float | None,
) -> TaskDefinition:
    """The definition `@task(...)` records for `function`, with its options validated."""
    if not callable(function):
        raise TaskDefinitionError(f"@task decorates a function, not {type(function).__name__}")
    file, line = _source_of(function)
    task_name = function.__name__ if name is None else name
    where = f"task `{task_name}` at {file}:{line}"
    _require(
        isinstance(task_name, str) and task_name != "",
        f"{where}: `name` must be a non-empty string",
    )
    _require(isinstance(queue, str) and queue != "", f"{where}: `queue` must be a non-empty string")
    _require(
        _is_int(retries) and 0 <= retries <= MAX_RETRIES,
        f"{where}: `retries` must be an integer from 0 to {MAX_RETRIES}",
    )
    _require(
        _is_number(retry_backoff) and retry_backoff >= 0,
        f"{where}: `retry_backoff` must be a number of seconds, 0 or more",
    )
    _require(
        timeout is None or (_is_number(timeout) and timeout > 0),
        f"{where}: `timeout` must be a positive number of seconds, or None",
    )
    return TaskDefinition(
        name=task_name,
        function=function,
        signature=inspect.signature(function),
        queue=queue,
        retries=retries,
        retry_backoff=float(retry_backoff),
        timeout=None if timeout is None else float(timeout),
        doc=inspect.getdoc(function) or "",
        file=file,
        line=line,
    )


def _source_of(function: Callable[..., Any]) -> tuple[str, int]:
    """The file and the first line of the definition (its first decorator); `<unknown>`, 0
    for functions without Python source."""
    code = getattr(inspect.unwrap(function), "__code__", None)
    if code is None:
        return "<unknown>", 0
    return shown_path(code.co_filename), code.co_firstlineno


def shown_path(filename: str) -> str:
    """A source file as messages and the catalog show it: relative to the working directory
    when inside it (a catalog written in the project root stays the same on every machine),
    else absolute."""
    path = Path(filename).resolve()
    try:
        return path.relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return path.as_posix()


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise TaskDefinitionError(message)


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)
