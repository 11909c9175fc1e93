"""The client: start workflows and tasks, send signals, read and cancel executions.

```python
from rhythm import client
execution_id = client.workflows.run("onboard_user", inputs={"user_id": 123}, queue="default")
task_id = client.tasks.run("send_email", inputs={"to": "user@example.com"})
client.signals.send(workflow_id=execution_id, signal_name="approval", payload={"ok": True})
execution = client.executions.wait(execution_id, timeout=30)
```

The module itself is the client of the Application `rhythm.init` configured (its
`workflows`, `tasks`, `signals` and `executions`); `Client(app)` is one bound to a given
Application. Every call validates before it writes and runs in one transaction: when it
raises a `rhythm.errors` exception, nothing was stored. A start commits a NOTIFY on the
queue's channel, so an idle worker picks the execution up at once.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, cast

import psycopg
from psycopg import Connection
from psycopg_pool import PoolTimeout

from flowlang.compiler.bytecode import Program
from rhythm import app as app_module
from rhythm.app import Application
from rhythm.database import redact
from rhythm.declared_types import mismatch, parse_declared
from rhythm.errors import (
    DatabaseError,
    ExecutionFinishedError,
    InvalidInputsError,
    InvalidSignalError,
    UnknownExecutionError,
    UnknownWorkflowError,
)
from rhythm.json_data import NotJsonError, dumps, json_data
from rhythm.limits import Limits, too_large
from rhythm.models import Execution, ExecutionStatus, ExecutionType
from rhythm.store import executions as store
from rhythm.store import workflows as versions
from rhythm.tasks import DEFAULT_QUEUE, DEFAULT_RETRY_BACKOFF, MAX_RETRIES, REGISTRY

DEFAULT_LIST_LIMIT = 100
_REFERENCE_ADVICE = "keep large data elsewhere (a file, a table) and pass a reference to it"
# `wait` polls the row, starting fast (a short workflow finishes in milliseconds) and backing
# off so a long wait costs a query every quarter second at most.
WAIT_FIRST_POLL_S = 0.005
WAIT_MAX_POLL_S = 0.25
# Cancelling locks a tree of rows parent first while a finishing child locks child then
# parent: Postgres breaks such a cycle by aborting one side, which simply tries again.
CANCEL_ATTEMPTS = 5

AppSource = Callable[[], Application]

# Not a broken database: a transaction Postgres aborted to break a lock cycle or a conflict.
_RETRYABLE = (
    psycopg.errors.TransactionRollback,
    psycopg.errors.SerializationFailure,
    psycopg.errors.DeadlockDetected,
)


class _Part:
    """A group of client calls bound to an Application (or to the current one)."""

    def __init__(self, application: AppSource) -> None:
        self._application = application

    @contextmanager
    def _transaction(self) -> Iterator[tuple[Application, Connection]]:
        application = self._application()
        try:
            with application.pool.connection() as conn, conn.transaction():
                yield application, conn
        except _RETRYABLE:
            raise  # a deadlock or serialization failure: the caller may try again
        except (psycopg.OperationalError, PoolTimeout) as error:
            reason = str(error).strip().replace("\n", " ")
            raise DatabaseError(
                f"the database at {redact(application.database_url)} failed: {reason}; "
                f"check that the server is running"
            ) from None


class Workflows(_Part):
    def run(
        self,
        name: str,
        inputs: Mapping[str, Any] | None = None,
        queue: str | None = None,
        idempotency_key: str | None = None,
        priority: int = 0,
    ) -> str:
        """Start the newest registered version of workflow `name`; returns the execution id.

        `inputs` must be a JSON object matching the workflow's declared `inputs`; `queue`
        (default "default") is where workers pick it up; with an `idempotency_key` already
        used by an execution of this workflow that has not failed, that execution's id is
        returned and nothing is started. Raises `UnknownWorkflowError`, `InvalidInputsError`.
        """
        _require_name(name, "workflow")
        value = _inputs(inputs, f"workflow `{name}`")
        text = _stored_inputs(value, self._application().limits, f"workflow `{name}`")
        options = _StartOptions.of(queue, idempotency_key, priority)
        with self._transaction() as (application, conn):
            version_hash = versions.newest_version(conn, name)
            if version_hash is None:
                raise _unknown_workflow(conn, name)
            program = application.program(conn, version_hash)
            _check_declared_inputs(program, value)
            return store.insert_execution(
                conn,
                store.NewExecution(
                    id=_new_id(),
                    type=ExecutionType.WORKFLOW,
                    name=name,
                    queue=options.queue or DEFAULT_QUEUE,
                    inputs=text,
                    priority=options.priority,
                    idempotency_key=options.idempotency_key,
                    version_hash=version_hash,
                ),
            )


class Tasks(_Part):
    def run(
        self,
        name: str,
        inputs: Mapping[str, Any] | None = None,
        queue: str | None = None,
        idempotency_key: str | None = None,
        priority: int = 0,
        retries: int | None = None,
        timeout: float | None = None,
    ) -> str:
        """Start task `name` on its own (outside any workflow); returns the execution id.

        `inputs` must be a JSON object (the worker validates it against the task's
        signature). `queue`, `retries` and `timeout` (seconds per attempt) default to the
        task's `@task(...)` settings when the task is registered in this process, else to
        "default", 0 and none. `idempotency_key` and `priority` are as for workflows.
        """
        _require_name(name, "task")
        value = _inputs(inputs, f"task `{name}`")
        text = _stored_inputs(value, self._application().limits, f"task `{name}`")
        options = _StartOptions.of(queue, idempotency_key, priority)
        retries = _retries(retries, name)
        timeout = _timeout(timeout, name)
        definition = REGISTRY.get(name)
        if definition is not None:
            retries = definition.retries if retries is None else retries
            timeout = definition.timeout if timeout is None else timeout
        new = store.NewExecution(
            id=_new_id(),
            type=ExecutionType.TASK,
            name=name,
            queue=options.queue or (definition.queue if definition else DEFAULT_QUEUE),
            inputs=text,
            priority=options.priority,
            max_retries=retries or 0,
            retry_delay_ms=_milliseconds(
                definition.retry_backoff if definition else DEFAULT_RETRY_BACKOFF
            ),
            timeout_ms=None if timeout is None else _milliseconds(timeout),
            idempotency_key=options.idempotency_key,
        )
        with self._transaction() as (_, conn):
            return store.insert_execution(conn, new)


class Signals(_Part):
    def send(self, workflow_id: str, signal_name: str, payload: Any = None) -> None:
        """Send signal `signal_name` to the workflow execution `workflow_id`; it is buffered
        (first in, first out per name) until a `Signal.next(signal_name)` takes it, and a
        suspended workflow is woken. Raises `UnknownExecutionError`,
        `ExecutionFinishedError`, `InvalidSignalError` (a task, an undeclared name, a
        payload of the wrong type or not JSON)."""
        _require_id(workflow_id)
        _require_name(signal_name, "signal")
        try:
            value = json_data(payload, "payload")
        except NotJsonError as error:
            raise InvalidSignalError(f"signal `{signal_name}`: {error}") from None
        text = dumps(value)
        limit = self._application().limits.payload_bytes
        if (size := len(text.encode("utf-8"))) > limit:
            problem = too_large("the payload is", size, limit, "payload_bytes")
            raise InvalidSignalError(f"signal `{signal_name}`: {problem}; {_REFERENCE_ADVICE}")
        with self._transaction() as (application, conn):
            target = store.lock_signal_target(conn, workflow_id)
            if target is None:
                raise _unknown_execution(workflow_id)
            if target.type != ExecutionType.WORKFLOW or target.version_hash is None:
                raise InvalidSignalError(
                    f"execution {workflow_id} is a task; signals go to workflow executions"
                )
            if target.status.is_final:
                raise ExecutionFinishedError(
                    f"workflow execution {workflow_id} has already {target.status.value}; "
                    f"signals can only be sent to an execution that has not finished"
                )
            program = application.program(conn, target.version_hash)
            _check_signal(program, signal_name, value)
            store.insert_signal(conn, workflow_id, signal_name, text)


class Executions(_Part):
    def get(self, execution_id: str) -> Execution:
        """The execution `execution_id` as stored now; `UnknownExecutionError` if none."""
        _require_id(execution_id)
        with self._transaction() as (_, conn):
            execution = store.get_execution(conn, execution_id)
        if execution is None:
            raise _unknown_execution(execution_id)
        return execution

    def wait(self, execution_id: str, timeout: float | None = None) -> Execution:
        """The execution once it is completed or failed; `TimeoutError` when it is not
        after `timeout` seconds (None: wait as long as it takes)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        pause = WAIT_FIRST_POLL_S
        while True:
            execution = self.get(execution_id)
            if execution.status.is_final:
                return execution
            if deadline is not None and time.monotonic() >= deadline:
                raise TimeoutError(
                    f"execution {execution_id} ({execution.name}) is still "
                    f"{execution.status.value} after {timeout} s"
                )
            remaining = None if deadline is None else max(deadline - time.monotonic(), 0.0)
            time.sleep(pause if remaining is None else min(pause, remaining))
            pause = min(pause * 2, WAIT_MAX_POLL_S)

    def list(
        self,
        status: ExecutionStatus | str | None = None,
        name: str | None = None,
        limit: int = DEFAULT_LIST_LIMIT,
    ) -> list[Execution]:
        """The newest executions first, optionally only those of a status and/or name."""
        wanted = _status(status)
        if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
            raise ValueError(f"`limit` must be a positive integer, got {limit!r}")
        with self._transaction() as (_, conn):
            return store.list_executions(conn, status=wanted, name=name, limit=limit)

    def cancel(self, execution_id: str) -> Execution:
        """Cancel an execution and its unfinished children (LANGUAGE.md §10.9); returns it
        as stored after the call: `failed` with a `CancelledError` output, or, while a
        worker is running it, still `running` until the worker ends it. Raises
        `UnknownExecutionError`, `ExecutionFinishedError`."""
        _require_id(execution_id)
        attempt = 1
        while True:
            try:
                return self._cancel_once(execution_id)
            except psycopg.errors.DeadlockDetected:
                if attempt == CANCEL_ATTEMPTS:
                    raise
                attempt += 1

    def _cancel_once(self, execution_id: str) -> Execution:
        with self._transaction() as (_, conn):
            if not store.cancel_tree(conn, execution_id):
                execution = store.get_execution(conn, execution_id)
                if execution is None:
                    raise _unknown_execution(execution_id)
                raise ExecutionFinishedError(
                    f"execution {execution_id} ({execution.name}) has already "
                    f"{execution.status.value}; there is nothing to cancel"
                )
            execution = store.get_execution(conn, execution_id)
        assert execution is not None  # locked and updated in this transaction
        return execution


class Client:
    """The client calls, bound to one Application (or, by default, the current one)."""

    def __init__(self, application: Application | None = None) -> None:
        source: AppSource = app_module.current if application is None else lambda: application
        self.workflows = Workflows(source)
        self.tasks = Tasks(source)
        self.signals = Signals(source)
        self.executions = Executions(source)


_default = Client()
workflows = _default.workflows
tasks = _default.tasks
signals = _default.signals
executions = _default.executions


# -- validation, before anything is written


class _StartOptions:
    def __init__(self, queue: str | None, idempotency_key: str | None, priority: int) -> None:
        self.queue = queue
        self.idempotency_key = idempotency_key
        self.priority = priority

    @classmethod
    def of(cls, queue: str | None, idempotency_key: str | None, priority: int) -> _StartOptions:
        if queue is not None and (not isinstance(queue, str) or not queue):
            raise ValueError(f"`queue` must be a non-empty string, got {queue!r}")
        if idempotency_key is not None and (
            not isinstance(idempotency_key, str) or not idempotency_key
        ):
            raise ValueError(
                f"`idempotency_key` must be a non-empty string, got {idempotency_key!r}"
            )
        if not isinstance(priority, int) or isinstance(priority, bool):
            raise ValueError(f"`priority` must be an integer, got {priority!r}")
        return cls(queue, idempotency_key, priority)


def _require_name(name: object, what: str) -> None:
    if not isinstance(name, str) or not name:
        raise ValueError(f"the {what} name must be a non-empty string, got {name!r}")


def _require_id(execution_id: object) -> None:
    if not isinstance(execution_id, str) or not execution_id:
        raise ValueError(f"an execution id is a non-empty string, got {execution_id!r}")


def _inputs(inputs: Mapping[str, Any] | None, whose: str) -> dict[str, Any]:
    try:
        value = json_data({} if inputs is None else inputs, "inputs")
    except NotJsonError as error:
        raise InvalidInputsError(f"{whose}: {error}") from None
    if not isinstance(value, dict):
        raise InvalidInputsError(
            f"{whose}: inputs must be an object (a dict), got {type(inputs).__name__}"
        )
    return cast("dict[str, Any]", value)


def _stored_inputs(inputs: dict[str, Any], limits: Limits, whose: str) -> str:
    """The stored text of `inputs`, within `limits.inputs_bytes`."""
    text = dumps(inputs)
    size = len(text.encode("utf-8"))
    if size > limits.inputs_bytes:
        problem = too_large("inputs are", size, limits.inputs_bytes, "inputs_bytes")
        raise InvalidInputsError(f"{whose}: {problem}; {_REFERENCE_ADVICE}")
    return text


def _check_declared_inputs(program: Program, inputs: dict[str, Any]) -> None:
    declared = parse_declared(cast("str | None", program.types.get("inputs")))
    problem = None if declared is None else mismatch(inputs, declared, "inputs")
    if problem is not None:
        raise InvalidInputsError(
            f"workflow `{program.workflow}` rejects its inputs: {problem} (declared in "
            f"{program.path or program.workflow}: inputs: {program.types['inputs']})"
        )


def _check_signal(program: Program, name: str, payload: object) -> None:
    declared = cast("Mapping[str, str] | None", program.types.get("signals"))
    if declared is None:
        return
    if name not in declared:
        accepted = ", ".join(f"`{n}`" for n in declared) or "none"
        raise InvalidSignalError(
            f"workflow `{program.workflow}` accepts no signal `{name}` (its front matter "
            f"declares: {accepted})"
        )
    expected = parse_declared(declared[name])
    problem = None if expected is None else mismatch(payload, expected, "payload")
    if problem is not None:
        raise InvalidSignalError(f"signal `{name}` of workflow `{program.workflow}`: {problem}")


def _retries(retries: int | None, name: str) -> int | None:
    if retries is None:
        return None
    if not isinstance(retries, int) or isinstance(retries, bool) or not 0 <= retries <= MAX_RETRIES:
        raise ValueError(
            f"task `{name}`: `retries` must be an integer from 0 to {MAX_RETRIES}, got {retries!r}"
        )
    return retries


def _timeout(timeout: float | None, name: str) -> float | None:
    if timeout is None:
        return None
    if not isinstance(timeout, int | float) or isinstance(timeout, bool) or timeout <= 0:
        raise ValueError(
            f"task `{name}`: `timeout` must be a positive number of seconds, got {timeout!r}"
        )
    return float(timeout)


def _status(status: ExecutionStatus | str | None) -> ExecutionStatus | None:
    if status is None:
        return None
    try:
        return ExecutionStatus(status)
    except ValueError:
        known = ", ".join(s.value for s in ExecutionStatus)
        raise ValueError(f"unknown execution status {status!r}; expected one of {known}") from None


def _milliseconds(seconds: float) -> int:
    return round(seconds * 1000)


def _new_id() -> str:
    return str(uuid.uuid4())


def _unknown_workflow(conn: Connection, name: str) -> UnknownWorkflowError:
    known = ", ".join(f"`{n}`" for n in versions.registered_names(conn)) or "none"
    return UnknownWorkflowError(
        f"no workflow `{name}` is registered (registered: {known}); register it with "
        f'rhythm.init(workflows=[rhythm.WorkflowFile(name="{name}", file_path=...)])'
    )


def _unknown_execution(execution_id: str) -> UnknownExecutionError:
    return UnknownExecutionError(
        f"no execution has the id {execution_id!r}; ids are returned by client.workflows.run "
        f"and client.tasks.run (see client.executions.list())"
    )
