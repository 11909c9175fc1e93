"""`rhythm.client` against a real database: every call, and its bad inputs writing nothing.

No worker runs here: the tests read the rows the client wrote. States a worker would produce
(a suspended workflow, children, a timer) are set up with plain SQL, named below.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

import rhythm
from rhythm import app as app_module
from rhythm import client
from rhythm.client import Client
from rhythm.errors import (
    ExecutionFinishedError,
    InvalidInputsError,
    InvalidSignalError,
    NotInitializedError,
    UnknownExecutionError,
    UnknownWorkflowError,
)
from rhythm.models import ExecutionStatus, ExecutionType
from rhythm.tasks import REGISTRY

ORDER = """\
```yaml
inputs:
  orderId: string
  amount: number
  note?: string
signals:
  approval: "{ approved: boolean }"
  note: string
```
let decision = await Signal.next("approval")
return decision
"""

OPEN = 'return await Signal.next("anything")\n'

# Worker-made states, for the tests that need them.
SUSPEND = "UPDATE rhythm.executions SET status = 'suspended' WHERE id = %s"
RUN = "UPDATE rhythm.executions SET status = 'running' WHERE id = %s"
ADD_CHILD = """
INSERT INTO rhythm.executions (id, type, name, status, inputs, parent_id, attempt)
VALUES (%s, %s, %s, %s, '{}', %s, %s)
"""
ADD_TIMER = "INSERT INTO rhythm.timers (id, execution_id, due_at) VALUES (%s, %s, now())"
TIMERS_OF = "SELECT id FROM rhythm.timers WHERE execution_id = %s"
ROW = "SELECT {} FROM rhythm.executions WHERE id = %s"
SIGNALS_OF = "SELECT name, payload::text FROM rhythm.signals WHERE execution_id = %s ORDER BY seq"
COUNT = "SELECT count(*) FROM rhythm.executions"


@pytest.fixture(autouse=True)
def _fresh_process_state() -> Iterator[None]:
    REGISTRY.clear()
    yield
    app_module.shutdown()
    REGISTRY.clear()


@pytest.fixture
def app(migrated_url: str, tmp_path: Path) -> rhythm.Application:
    (tmp_path / "order.flow").write_text(ORDER, encoding="utf-8")
    (tmp_path / "open.flow").write_text(OPEN, encoding="utf-8")
    return rhythm.init(database_url=migrated_url, workflow_paths=[tmp_path])


def sql(app: rhythm.Application, query: str, *parameters: object) -> list[tuple[object, ...]]:
    with psycopg.connect(app.database_url, autocommit=True) as conn:
        cursor = conn.execute(query.encode(), parameters)
        return cursor.fetchall() if cursor.description else []


def column(app: rhythm.Application, name: str, execution_id: str) -> object:
    return sql(app, ROW.format(name), execution_id)[0][0]


def count(app: rhythm.Application) -> int:
    return int(sql(app, COUNT)[0][0])  # type: ignore[call-overload]


GOOD_ORDER = {"orderId": "o-1", "amount": 5}


# -- workflows.run


def test_run_starts_the_newest_version_pending_with_its_inputs(app: rhythm.Application) -> None:
    execution_id = client.workflows.run("order", inputs={"amount": 5.0, "orderId": "o-1"})
    execution = client.executions.get(execution_id)
    assert execution.type == ExecutionType.WORKFLOW and execution.name == "order"
    assert execution.status == ExecutionStatus.PENDING
    assert execution.inputs == {"amount": 5, "orderId": "o-1"}
    assert list(execution.inputs) == ["amount", "orderId"]  # key order kept
    assert column(app, "version_hash", execution_id) == app.workflows["order"].version_hash
    assert column(app, "queue", execution_id) == "default"


def test_run_takes_queue_and_priority(app: rhythm.Application) -> None:
    execution_id = client.workflows.run("order", GOOD_ORDER, queue="finance", priority=7)
    assert column(app, "queue", execution_id) == "finance"
    assert column(app, "priority", execution_id) == 7


def test_run_notifies_the_queue_when_it_commits(app: rhythm.Application) -> None:
    with psycopg.connect(app.database_url, autocommit=True) as listener:
        listener.execute("LISTEN rhythm_work")
        client.workflows.run("order", GOOD_ORDER, queue="finance")
        payloads = [n.payload for n in listener.notifies(timeout=2, stop_after=1)]
    assert payloads == ["finance"]


def test_an_unknown_workflow_is_refused_naming_the_registered_ones(
    app: rhythm.Application,
) -> None:
    with pytest.raises(UnknownWorkflowError, match=r"`ordr`.*`open`, `order`"):
        client.workflows.run("ordr", inputs={})
    assert count(app) == 0


@pytest.mark.parametrize(
    ("inputs", "expected"),
    [
        ({"orderId": "o", "amount": math.nan}, r"inputs\.amount: nan is not a JSON number"),
        ({"orderId": b"o", "amount": 1}, r"inputs\.orderId: a bytes is not JSON data; decode"),
        (
            {"orderId": "o", "amount": 1, "when": datetime.date(2026, 1, 1)},
            r"inputs\.when: a date is not JSON data; .*isoformat",
        ),
        ({1: "x"}, r"the key 1 is an int; JSON object keys are strings"),
        (["o-1"], r"inputs must be an object"),
    ],
)
def test_inputs_that_are_not_json_are_refused(
    app: rhythm.Application, inputs: object, expected: str
) -> None:
    with pytest.raises(InvalidInputsError, match=expected):
        client.workflows.run("order", inputs=inputs)  # type: ignore[arg-type]
    assert count(app) == 0


@pytest.mark.parametrize(
    ("inputs", "expected"),
    [
        ({"orderId": "o-1"}, r"inputs\.amount: missing \(expected number\)"),
        ({"orderId": 1, "amount": 1}, r"inputs\.orderId: expected string, got number"),
        ({"orderId": "o", "amount": 1, "extra": True}, r"inputs\.extra: unexpected key"),
    ],
)
def test_inputs_failing_the_declared_type_are_refused(
    app: rhythm.Application, inputs: dict[str, object], expected: str
) -> None:
    with pytest.raises(
        InvalidInputsError, match=rf"workflow `order` rejects its inputs: {expected}"
    ):
        client.workflows.run("order", inputs=inputs)
    assert count(app) == 0


def test_an_idempotency_key_returns_the_execution_that_holds_it(app: rhythm.Application) -> None:
    first = client.workflows.run("order", GOOD_ORDER, idempotency_key="order-o-1")
    again = client.workflows.run("order", GOOD_ORDER, idempotency_key="order-o-1")
    other = client.workflows.run("order", GOOD_ORDER, idempotency_key="order-o-2")
    assert again == first and other != first
    client.executions.cancel(first)  # a failed execution frees its key
    replacement = client.workflows.run("order", GOOD_ORDER, idempotency_key="order-o-1")
    assert replacement not in (first, other)
    assert count(app) == 3


def test_running_executions_keep_their_version_when_a_new_one_is_registered(
    app: rhythm.Application, tmp_path: Path
) -> None:
    old = client.workflows.run("open")
    (tmp_path / "open.flow").write_text('return "new code"\n', encoding="utf-8")
    new_app = rhythm.init(database_url=app.database_url, workflow_paths=[tmp_path])
    new = client.workflows.run("open")
    assert column(new_app, "version_hash", old) == app.workflows["open"].version_hash
    assert column(new_app, "version_hash", new) == new_app.workflows["open"].version_hash
    assert app.workflows["open"].version_hash != new_app.workflows["open"].version_hash


def test_bad_options_are_refused_before_anything_is_written(app: rhythm.Application) -> None:
    with pytest.raises(ValueError, match="`queue` must be a non-empty string"):
        client.workflows.run("order", GOOD_ORDER, queue="")
    with pytest.raises(ValueError, match="`priority` must be an integer"):
        client.workflows.run("order", GOOD_ORDER, priority=1.5)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="workflow name must be a non-empty string"):
        client.workflows.run("", GOOD_ORDER)
    assert count(app) == 0


# -- tasks.run


def test_a_task_takes_its_settings_from_its_registration(app: rhythm.Application) -> None:
    @rhythm.task(name="send-email", queue="mail", retries=3, retry_backoff=0.5, timeout=20)
    def send_email(to: str) -> None:
        """Send one email."""

    task_id = client.tasks.run("send-email", inputs={"to": "a@example.com"})
    execution = client.executions.get(task_id)
    assert (execution.type, execution.name, execution.status) == ("task", "send-email", "pending")
    assert execution.inputs == {"to": "a@example.com"}
    settings = sql(app, ROW.format("queue, max_retries, retry_delay_ms, timeout_ms"), task_id)
    assert settings == [("mail", 3, 500, 20_000)]
    overridden = client.tasks.run("send-email", {"to": "b"}, queue="urgent", retries=0, timeout=1)
    settings = sql(app, ROW.format("queue, max_retries, retry_delay_ms, timeout_ms"), overridden)
    assert settings == [("urgent", 0, 500, 1000)]


def test_a_task_registered_elsewhere_gets_the_defaults(app: rhythm.Application) -> None:
    task_id = client.tasks.run("resize-image", inputs={"url": "x"}, priority=2)
    settings = sql(
        app, ROW.format("queue, priority, max_retries, retry_delay_ms, timeout_ms"), task_id
    )
    assert settings == [("default", 2, 0, 1000, None)]


def test_bad_task_starts_write_nothing(app: rhythm.Application) -> None:
    with pytest.raises(InvalidInputsError, match=r"task `t`: inputs\.x: .*set is not JSON data"):
        client.tasks.run("t", inputs={"x": {1, 2}})
    with pytest.raises(ValueError, match="`retries` must be an integer from 0 to 100"):
        client.tasks.run("t", retries=101)
    with pytest.raises(ValueError, match="`timeout` must be a positive number"):
        client.tasks.run("t", timeout=0)
    assert count(app) == 0


def test_a_task_idempotency_key_returns_the_holder(app: rhythm.Application) -> None:
    first = client.tasks.run("t", {}, idempotency_key="k")
    assert client.tasks.run("t", {}, idempotency_key="k") == first
    assert client.tasks.run("u", {}, idempotency_key="k") != first  # keys are per name


# -- signals.send


def test_a_signal_is_buffered_and_wakes_a_suspended_workflow(app: rhythm.Application) -> None:
    execution_id = client.workflows.run("order", GOOD_ORDER)
    client.signals.send(workflow_id=execution_id, signal_name="note", payload="first")
    assert column(app, "status", execution_id) == "pending"
    sql(app, SUSPEND, execution_id)
    with psycopg.connect(app.database_url, autocommit=True) as listener:
        listener.execute("LISTEN rhythm_work")
        client.signals.send(
            workflow_id=execution_id, signal_name="approval", payload={"approved": True}
        )
        assert [n.payload for n in listener.notifies(timeout=2, stop_after=1)] == ["default"]
    assert column(app, "status", execution_id) == "pending"
    assert sql(app, SIGNALS_OF, execution_id) == [
        ("note", '"first"'),
        ("approval", '{"approved":true}'),
    ]


def test_a_workflow_without_declared_signals_takes_any(app: rhythm.Application) -> None:
    execution_id = client.workflows.run("open")
    client.signals.send(workflow_id=execution_id, signal_name="whatever", payload=[1, None])
    assert sql(app, SIGNALS_OF, execution_id) == [("whatever", "[1,null]")]


@pytest.mark.parametrize(
    ("name", "payload", "error", "expected"),
    [
        ("aproval", {"approved": True}, InvalidSignalError, r"accepts no signal `aproval`"),
        ("approval", {"approved": "yes"}, InvalidSignalError, r"payload\.approved: expected"),
        ("note", math.inf, InvalidSignalError, r"signal `note`: payload: inf is not a JSON"),
    ],
)
def test_bad_signals_are_refused_and_not_stored(
    app: rhythm.Application, name: str, payload: object, error: type[Exception], expected: str
) -> None:
    execution_id = client.workflows.run("order", GOOD_ORDER)
    with pytest.raises(error, match=expected):
        client.signals.send(workflow_id=execution_id, signal_name=name, payload=payload)
    assert sql(app, SIGNALS_OF, execution_id) == []


def test_signals_to_unknown_finished_or_task_executions_are_refused(
    app: rhythm.Application,
) -> None:
    with pytest.raises(UnknownExecutionError, match="no execution has the id 'nope'"):
        client.signals.send(workflow_id="nope", signal_name="note", payload="x")
    task_id = client.tasks.run("t")
    with pytest.raises(InvalidSignalError, match="is a task"):
        client.signals.send(workflow_id=task_id, signal_name="note", payload="x")
    finished = client.workflows.run("order", GOOD_ORDER)
    client.executions.cancel(finished)
    with pytest.raises(ExecutionFinishedError, match="has already failed"):
        client.signals.send(workflow_id=finished, signal_name="note", payload="x")
    assert sql(app, SIGNALS_OF, finished) == []


# -- executions


def test_get_of_an_unknown_id_is_an_error(app: rhythm.Application) -> None:
    with pytest.raises(UnknownExecutionError):
        client.executions.get("missing")


def test_wait_returns_a_finished_execution_and_times_out_on_others(
    app: rhythm.Application,
) -> None:
    pending = client.workflows.run("open")
    with pytest.raises(TimeoutError, match=f"execution {pending} \\(open\\) is still pending"):
        client.executions.wait(pending, timeout=0.05)
    client.executions.cancel(pending)
    assert client.executions.wait(pending, timeout=1).status == ExecutionStatus.FAILED


def test_list_filters_by_status_and_name_newest_first(app: rhythm.Application) -> None:
    first = client.workflows.run("open")
    second = client.workflows.run("order", GOOD_ORDER)
    third = client.workflows.run("open")
    client.executions.cancel(third)
    assert [e.id for e in client.executions.list()] == [third, second, first]
    assert [e.id for e in client.executions.list(name="open")] == [third, first]
    assert [e.id for e in client.executions.list(status="pending")] == [second, first]
    assert [e.id for e in client.executions.list(status=ExecutionStatus.FAILED)] == [third]
    assert len(client.executions.list(limit=1)) == 1
    with pytest.raises(ValueError, match="unknown execution status 'done'"):
        client.executions.list(status="done")
    with pytest.raises(ValueError, match="`limit` must be a positive integer"):
        client.executions.list(limit=0)


def test_cancel_fails_a_pending_workflow_at_once(app: rhythm.Application) -> None:
    execution_id = client.workflows.run("open")
    cancelled = client.executions.cancel(execution_id)
    assert cancelled.status == ExecutionStatus.FAILED
    assert cancelled.output == {"type": "CancelledError", "message": "Execution cancelled"}
    with pytest.raises(ExecutionFinishedError, match="nothing to cancel"):
        client.executions.cancel(execution_id)
    with pytest.raises(UnknownExecutionError):
        client.executions.cancel("missing")


def test_cancel_reaches_children_and_pending_timers(app: rhythm.Application) -> None:
    root = client.workflows.run("open")
    sql(app, SUSPEND, root)
    sql(app, ADD_CHILD, f"{root}:1", "task", "charge", "pending", root, 2)
    sql(app, ADD_CHILD, f"{root}:2", "task", "ship", "running", root, 1)
    sql(app, ADD_CHILD, f"{root}:3", "workflow", "child", "suspended", root, 0)
    sql(app, ADD_CHILD, f"{root}:3:1", "task", "deep", "pending", f"{root}:3", 0)
    sql(app, ADD_CHILD, f"{root}:4", "task", "done", "completed", root, 1)
    sql(app, ADD_TIMER, f"{root}:5", root)
    sql(app, ADD_TIMER, f"{root}:3:2", f"{root}:3")
    assert client.executions.cancel(root).status == ExecutionStatus.FAILED
    charge = client.executions.get(f"{root}:1")
    assert charge.status == ExecutionStatus.FAILED
    assert charge.output == {
        "type": "CancelledError",
        "message": "Task 'charge' was cancelled",
        "task": "charge",
        "executionId": f"{root}:1",
        "attempts": 2,
    }
    ship = client.executions.get(f"{root}:2")
    assert ship.status == ExecutionStatus.RUNNING  # its worker ends it
    assert column(app, "cancel_requested", f"{root}:2") is True
    assert client.executions.get(f"{root}:3").output["type"] == "CancelledError"
    assert client.executions.get(f"{root}:3:1").status == ExecutionStatus.FAILED
    assert client.executions.get(f"{root}:4").status == ExecutionStatus.COMPLETED
    assert sql(app, TIMERS_OF, root) == [] and sql(app, TIMERS_OF, f"{root}:3") == []


def test_cancel_of_a_running_workflow_is_requested(app: rhythm.Application) -> None:
    execution_id = client.workflows.run("open")
    sql(app, RUN, execution_id)
    assert client.executions.cancel(execution_id).status == ExecutionStatus.RUNNING
    assert column(app, "cancel_requested", execution_id) is True


def test_cancelling_a_child_wakes_its_suspended_parent(app: rhythm.Application) -> None:
    parent = client.workflows.run("open")
    sql(app, SUSPEND, parent)
    sql(app, ADD_CHILD, f"{parent}:1", "workflow", "child", "pending", parent, 0)
    client.executions.cancel(f"{parent}:1")
    assert column(app, "status", parent) == "pending"


# -- the client object


def test_the_client_needs_init() -> None:
    with pytest.raises(NotInitializedError, match=r"call rhythm.init\(...\) first"):
        client.workflows.run("order", GOOD_ORDER)


def test_a_client_bound_to_an_application_keeps_using_it(app: rhythm.Application) -> None:
    bound = Client(app)
    execution_id = bound.workflows.run("open")
    app_module.shutdown()
    with pytest.raises(NotInitializedError):
        client.executions.get(execution_id)
    assert rhythm.client is client
