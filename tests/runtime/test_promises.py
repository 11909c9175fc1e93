"""Promise records and settlement (LANGUAGE.md §9.2–§9.6, §10.4): records validated at the
call; combinators decided in settle-time order, ties by position, shapes kept."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from rhythm.promises import (
    Outcome,
    combinator_record,
    describe,
    settlement,
    signal_record,
    task_record,
    timer_record,
    workflow_record,
)
from rhythm.values import FlowError, PromiseRef, Value

Table = list[dict[str, Value]]


def fails(call: Callable[[], object]) -> dict[str, Value]:
    with pytest.raises(FlowError) as raised:
        call()
    return raised.value.error


class World:
    """A promise table and the outcomes its host knows, by record id."""

    def __init__(self) -> None:
        self.table: Table = []
        self.outcomes: dict[str, Outcome] = {}

    def leaf(self, name: str, outcome: Outcome | None = None) -> PromiseRef:
        record = task_record([name], id=name, created_at=0)
        if outcome is not None:
            self.outcomes[name] = outcome
        self.table.append(record)
        return PromiseRef(len(self.table) - 1)

    def combine(self, kind: str, items: Value, created_at: int = 0) -> PromiseRef:
        self.table.append(combinator_record(kind, items, created_at))
        return PromiseRef(len(self.table) - 1)

    def settle(self, ref: PromiseRef) -> Outcome | None:
        return settlement(ref, self.table, lambda record: self.outcomes.get(record["id"]))


def ok(value: Value, at: int) -> Outcome:
    return Outcome(True, value, at)


def rejected(message: str, at: int) -> Outcome:
    return Outcome(False, {"type": "Error", "message": message}, at)


def test_race_picks_the_earliest_settle_time_not_the_position() -> None:
    world = World()
    timer = world.leaf("timer", ok(None, 10_000))
    task = world.leaf("task", ok("done", 5_000))
    assert world.settle(world.combine("race", [timer, task])) == ok("done", 5_000)
    assert world.settle(world.combine("race_kv", {"t": timer, "k": task})) == ok(
        {"key": "k", "value": "done"}, 5_000
    )


def test_ties_are_broken_by_position() -> None:
    world = World()
    a, b = world.leaf("a", rejected("a", 7)), world.leaf("b", ok("b", 7))
    assert world.settle(world.combine("race", [b, a])) == ok("b", 7)
    assert world.settle(world.combine("race", [a, b])) == rejected("a", 7)
    assert world.settle(world.combine("race_kv", [a, b])) == rejected("a", 7)


def test_plain_values_settle_when_the_combinator_is_created() -> None:
    world = World()
    task = world.leaf("task", ok("t", 50))
    assert world.settle(world.combine("race", [task, "plain"], created_at=100)) == ok("t", 50)
    assert world.settle(world.combine("race", [task, "plain"], created_at=10)) == ok("plain", 10)
    assert world.settle(world.combine("any_kv", [task, 3], created_at=60)) == ok(
        {"key": 0, "value": "t"}, 50
    )


def test_race_waits_while_nothing_has_settled() -> None:
    world = World()
    assert world.settle(world.combine("race", [world.leaf("pending")])) is None


def test_all_keeps_the_shape_and_settles_at_the_last_member() -> None:
    world = World()
    a, b = world.leaf("a", ok(1, 30)), world.leaf("b", ok(2, 20))
    assert world.settle(world.combine("all", [a, b, "x"])) == ok([1, 2, "x"], 30)
    assert world.settle(world.combine("all", {"b": b, "a": a})) == ok({"b": 2, "a": 1}, 30)
    assert world.settle(world.combine("all", [], created_at=4)) == ok([], 4)
    assert world.settle(world.combine("all", {}, created_at=4)) == ok({}, 4)


def test_all_rejects_with_the_earliest_rejection_without_waiting() -> None:
    world = World()
    pending = world.leaf("pending")
    late, early = world.leaf("late", rejected("late", 9)), world.leaf("early", rejected("e", 3))
    assert world.settle(world.combine("all", [pending, late, early])) == rejected("e", 3)
    assert world.settle(world.combine("all", [pending, world.leaf("ok", ok(1, 1))])) is None


def test_all_settled_reports_every_member_and_never_rejects() -> None:
    world = World()
    a, b = world.leaf("a", ok(1, 5)), world.leaf("b", rejected("no", 8))
    assert world.settle(world.combine("allSettled", {"a": a, "b": b})) == ok(
        {
            "a": {"status": "fulfilled", "value": 1},
            "b": {"status": "rejected", "reason": {"type": "Error", "message": "no"}},
        },
        8,
    )
    assert world.settle(world.combine("allSettled", [a, world.leaf("pending")])) is None


def test_any_takes_the_earliest_fulfilment_and_aggregates_rejections() -> None:
    world = World()
    bad1, bad2 = world.leaf("x", rejected("x", 1)), world.leaf("y", rejected("y", 4))
    good = world.leaf("good", ok("g", 3))
    assert world.settle(world.combine("any", [bad1, good, bad2])) == ok("g", 3)
    assert world.settle(world.combine("any_kv", {"p": bad1, "q": good})) == ok(
        {"key": "q", "value": "g"}, 3
    )
    assert world.settle(world.combine("any", {"p": bad2, "q": bad1})) == Outcome(
        False,
        {
            "type": "AggregateError",
            "message": "All promises were rejected",
            "errors": {
                "p": {"type": "Error", "message": "y"},
                "q": {"type": "Error", "message": "x"},
            },
        },
        4,
    )
    assert world.settle(world.combine("any", [bad1, world.leaf("pending")])) is None
    assert world.settle(world.combine("any", [], created_at=2)) == Outcome(
        False, {"type": "AggregateError", "message": "All promises were rejected", "errors": []}, 2
    )


def test_combinators_nest() -> None:
    world = World()
    a, b = world.leaf("a", ok("a", 10)), world.leaf("b", ok("b", 20))
    inner = world.combine("all", [a, b])
    timer = world.leaf("timer", ok(None, 15))
    assert world.settle(world.combine("race", [inner, timer])) == ok(None, 15)
    assert world.settle(world.combine("race_kv", {"both": inner, "first": a})) == ok(
        {"key": "first", "value": "a"}, 10
    )
    assert describe(world.combine("race", {"both": inner, "n": 1}), world.table) == (
        'Promise.race({both: Promise.all([Task.run("a"), Task.run("b")]), n: 1})'
    )


def test_task_records_hold_validated_options() -> None:
    record = task_record(
        [
            "charge",
            {"order": [1]},
            {
                "retries": 2.9,
                "timeout": "1m30s",
                "retryDelay": 0.5,
                "priority": -1.5,
                "queue": "q",
                "idempotencyKey": "k",
            },
        ],
        id="e:1",
        created_at=7,
    )
    assert record == {
        "kind": "task",
        "id": "e:1",
        "name": "charge",
        "inputs": {"order": [1]},
        "options": {
            "retries": 2,
            "timeout": 90_000,
            "retryDelay": 500,
            "priority": -1,
            "queue": "q",
            "idempotencyKey": "k",
        },
        "created_at": 7,
    }
    assert task_record(["t"], id="e:2", created_at=0)["inputs"] == {}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        ([], ("TypeError", "Task.run expects 1 to 3 arguments, got 0")),
        ([1], ("TypeError", "Task.run: argument 1 must be a string, got number")),
        ([""], ("RangeError", "Task.run: the string must not be empty")),
        (["t", [1]], ("TypeError", "Task.run: argument 2 must be an object, got array")),
        (["t", {"p": [PromiseRef(0)]}], ("TypeError", "Cannot serialize a promise")),
        (["t", {}, {"retry": 1}], ("TypeError", "Task.run: unknown option 'retry'")),
        (["t", {}, {"retries": 101}], ("RangeError", "Task.run: retries must be from 0 to 100")),
        (
            ["t", {}, {"retries": "1"}],
            ("TypeError", "Task.run: option 'retries' must be a number, got string"),
        ),
        (
            ["t", {}, {"timeout": "5 minutes"}],
            ("RangeError", 'Task.run: invalid duration "5 minutes"'),
        ),
        (["t", {}, {"queue": ""}], ("RangeError", "Task.run: the string must not be empty")),
    ],
)
def test_task_record_errors(args: list[Value], expected: tuple[str, str]) -> None:
    problem = fails(lambda: task_record(args, id="e:1", created_at=0))
    assert (problem["type"], problem["message"]) == expected


def test_workflow_records_take_only_workflow_options() -> None:
    record = workflow_record(["child", {"a": 1}, {"queue": "q"}], id="e:3", created_at=1)
    assert (record["kind"], record["options"]) == ("workflow", {"queue": "q"})
    problem = fails(lambda: workflow_record(["c", {}, {"retries": 1}], id="e:4", created_at=0))
    assert problem["message"] == "Workflow.run: unknown option 'retries'"


@pytest.mark.parametrize(
    ("qualified", "argument", "due"),
    [
        ("Timer.delay", "90s", 1_000 + 90_000),
        ("Timer.delay", 1.5, 1_000 + 1_500),
        ("Timer.delay", 0, 1_000),
        ("Timer.until", "1970-01-01T00:00:02Z", 2_000),
        ("Timer.until", 500.9, 500),
    ],
)
def test_timer_records_compute_the_due_time(qualified: str, argument: Value, due: int) -> None:
    assert timer_record(qualified, [argument], id="e:5", now=1_000) == {
        "kind": "timer",
        "id": "e:5",
        "due": due,
    }


@pytest.mark.parametrize(
    ("qualified", "argument", "expected"),
    [
        ("Timer.delay", "5 minutes", ("RangeError", 'Timer.delay: invalid duration "5 minutes"')),
        ("Timer.delay", -1, ("RangeError", "Timer.delay: invalid duration -1")),
        ("Timer.delay", "3651d", ("RangeError", 'Timer.delay: invalid duration "3651d"')),
        (
            "Timer.delay",
            None,
            ("TypeError", "Timer.delay: argument 1 must be a number or string, got null"),
        ),
        ("Timer.until", "tomorrow", ("RangeError", 'Timer.until: invalid timestamp "tomorrow"')),
    ],
)
def test_timer_record_errors(qualified: str, argument: Value, expected: tuple[str, str]) -> None:
    problem = fails(lambda: timer_record(qualified, [argument], id="e:6", now=0))
    assert (problem["type"], problem["message"]) == expected


def test_signal_records_hold_the_claim() -> None:
    assert signal_record(["approval"], id="e:7", claim=2, now=9) == {
        "kind": "signal",
        "id": "e:7",
        "name": "approval",
        "claim": 2,
        "claimed_at": 9,
    }
    problem = fails(lambda: signal_record([None], id="e:8", claim=0, now=0))
    assert problem["message"] == "Signal.next: argument 1 must be a string, got null"


def test_combinator_records_check_their_items() -> None:
    assert combinator_record("all", [PromiseRef(0), 1], 3) == {
        "kind": "all",
        "items": [PromiseRef(0), 1],
        "created_at": 3,
    }
    assert fails(lambda: combinator_record("race", [], 0))["message"] == (
        "Promise.race requires at least one item"
    )
    assert fails(lambda: combinator_record("race_kv", {}, 0))["message"] == (
        "Promise.race_kv requires at least one item"
    )
    assert fails(lambda: combinator_record("any", "ab", 0))["message"] == (
        "Promise.any: argument 1 must be an object or array, got string"
    )


def test_descriptions_name_the_call() -> None:
    world = World()
    task = world.leaf("charge-card")
    world.table.append(timer_record("Timer.delay", ["1h"], id="t", now=0))
    world.table.append(signal_record(["approval"], id="s", claim=0, now=0))
    assert describe(task, world.table) == 'Task.run("charge-card")'
    assert describe(PromiseRef(1), world.table) == 'Timer.until("1970-01-01T01:00:00.000Z")'
    assert describe(PromiseRef(2), world.table) == 'Signal.next("approval")'
