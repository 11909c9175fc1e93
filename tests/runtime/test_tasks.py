"""`@task` and the task registry."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Iterator

import pytest

import rhythm
from rhythm.tasks import REGISTRY, TaskDefinitionError, task


@pytest.fixture(autouse=True)
def empty_registry() -> Iterator[None]:
    REGISTRY.clear()
    yield
    REGISTRY.clear()


def test_task_is_exported_by_the_package() -> None:
    assert rhythm.task is task


def test_a_bare_decorator_registers_under_the_function_name_with_the_defaults() -> None:
    @task
    def send_email(to: str, subject: str) -> None:
        """Send one email."""

    definition = REGISTRY.get("send_email")
    assert definition is not None
    assert definition.function is send_email
    assert (definition.queue, definition.retries, definition.timeout) == ("default", 0, None)
    assert definition.retry_backoff == 1.0
    assert definition.doc == "Send one email."
    assert list(definition.signature.parameters) == ["to", "subject"]
    assert not definition.is_async


def test_options_are_recorded() -> None:
    @task(name="charge-card", queue="payments", retries=3, retry_backoff=2, timeout=30)
    async def charge(amount: float) -> str:
        return "ch_1"

    definition = REGISTRY.get("charge-card")
    assert definition is not None
    assert (definition.queue, definition.retries) == ("payments", 3)
    assert (definition.retry_backoff, definition.timeout) == (2.0, 30.0)
    assert definition.is_async
    assert REGISTRY.get("charge") is None


def test_the_decorated_function_stays_callable_as_before() -> None:
    @task
    def add(a: int, b: int) -> int:
        return a + b

    @task(name="fetch")
    async def fetch(key: str) -> str:
        return key.upper()

    assert add(2, b=3) == 5
    assert inspect.iscoroutinefunction(fetch)
    assert asyncio.run(fetch("k")) == "K"


def test_the_source_location_is_this_file_and_the_decorator_line() -> None:
    line = inspect.currentframe().f_lineno + 2  # type: ignore[union-attr]

    @task
    def located() -> None:
        pass

    definition = REGISTRY.get("located")
    assert definition is not None
    assert definition.file.endswith("tests/runtime/test_tasks.py")
    assert definition.line == line
    assert definition.location == f"{definition.file}:{line}"


def test_all_lists_tasks_in_registration_order_and_clear_forgets_them() -> None:
    @task
    def second() -> None:
        pass

    @task
    def first() -> None:
        pass

    assert [d.name for d in REGISTRY.all()] == ["second", "first"]
    REGISTRY.clear()
    assert REGISTRY.all() == ()


def test_a_duplicate_name_names_both_definitions() -> None:
    @task(name="notify")
    def notify_by_email() -> None:
        pass

    with pytest.raises(TaskDefinitionError) as raised:

        @task(name="notify")
        def notify_by_sms() -> None:
            pass

    message = str(raised.value)
    assert message.startswith("task `notify` is defined twice: at ")
    assert message.count("tests/runtime/test_tasks.py:") == 2
    assert 'give one of them another name with `@task(name="...")`' in message


def test_registering_the_same_definition_again_replaces_it() -> None:
    """A module imported a second time (reloaded) defines the same tasks again."""

    def define() -> None:
        @task(name="reloaded")
        def reloaded() -> None:
            pass

    define()
    define()

    assert [d.name for d in REGISTRY.all()] == ["reloaded"]


@pytest.mark.parametrize(
    ("options", "problem"),
    [
        ({"name": ""}, "`name` must be a non-empty string"),
        ({"queue": ""}, "`queue` must be a non-empty string"),
        ({"retries": -1}, "`retries` must be an integer from 0 to 100"),
        ({"retries": 101}, "`retries` must be an integer from 0 to 100"),
        ({"retries": True}, "`retries` must be an integer from 0 to 100"),
        ({"retry_backoff": -1}, "`retry_backoff` must be a number of seconds, 0 or more"),
        ({"timeout": 0}, "`timeout` must be a positive number of seconds, or None"),
    ],
)
def test_bad_options_name_the_task_and_its_place(options: dict[str, object], problem: str) -> None:
    with pytest.raises(TaskDefinitionError) as raised:

        @task(**options)  # type: ignore[arg-type]
        def misconfigured() -> None:
            pass

    message = str(raised.value)
    assert message.startswith("task `")
    assert "tests/runtime/test_tasks.py:" in message
    assert message.endswith(problem)
    assert REGISTRY.all() == ()
