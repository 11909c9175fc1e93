"""Promises (LANGUAGE.md §9.2–§9.6, §10.1–§10.4): the records an execution's promise table holds,
built and validated at the call, and the settlement of combinators.

A promise value is a `PromiseRef`, the index of its record in the table. Leaf records (`task`,
`workflow`, `timer`, `signal`) are effects: the host knows their outcomes and reports them
through `leaf_outcome`. Combinator records (`all`, `allSettled`, `any`, `race`, `any_kv`,
`race_kv`) hold their members, and `settlement` decides them here, purely, in settle-time
order (§10.4), so the decision never depends on when a worker happened to look.

Records are JSON apart from the `PromiseRef`s among a combinator's `items` (the VM encodes the
table with `values.encode`):

    task / workflow  {"kind", "id", "name", "inputs", "options", "created_at"}
    timer            {"kind": "timer", "id", "due"}
    signal           {"kind": "signal", "id", "name", "claim", "claimed_at"}
    combinator       {"kind": "all" | …, "items": <array or object>, "created_at"}

Options are stored validated, with `retryDelay` and `timeout` in whole milliseconds.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from flowlang.compiler.stdlib import (
    OPTION_CHECKS,
    Check,
    duration_ms,
    literal_problem,
    lookup_member,
    parse_timestamp,
)
from flowlang.compiler.types import ObjectType
from rhythm.builtins import SIGNATURES, Accepts, accepts, check_arguments
from rhythm.builtins_functions import is_valid_time, iso_text
from rhythm.values import (
    PromiseRef,
    Value,
    check_serializable,
    copy,
    error,
    kind,
    range_error,
    stringify,
    type_error,
)

LEAF_KINDS: Final = frozenset({"task", "workflow", "timer", "signal"})
COMBINATOR_KINDS: Final = ("all", "allSettled", "any", "race", "any_kv", "race_kv")


@dataclass(frozen=True, slots=True)
class Outcome:
    """A settled promise: fulfilled with `value` (`ok`), or rejected with the error `value`,
    at `settled_at` (epoch milliseconds)."""

    ok: bool
    value: Value
    settled_at: int


LeafOutcome = Callable[[dict[str, Value]], Outcome | None]


# -- records: validated at the call (§9.2–§9.6)


def _options_of(qualified: str) -> dict[str, tuple[Accepts, Check | None]]:
    namespace, _, member = qualified.partition(".")
    builtin = lookup_member(namespace, member)
    assert builtin is not None and isinstance(builtin.params[2].type, ObjectType)
    return {
        field.name: (accepts(field.type), OPTION_CHECKS.get(field.name))
        for field in builtin.params[2].type.fields
    }


_OPTIONS: Final = {name: _options_of(name) for name in ("Task.run", "Workflow.run")}


def _check_name(qualified: str, name: str) -> str:
    if name == "":
        raise range_error(f"{qualified}: {literal_problem(Check.NON_EMPTY, name)}")
    return name


def _checked_options(qualified: str, options: dict[str, Value]) -> dict[str, Value]:
    """The options of `Task.run`/`Workflow.run`: only known keys (§9.2), each of its kind and
    within its rule; integers truncated, durations in milliseconds."""
    known = _OPTIONS[qualified]
    checked: dict[str, Value] = {}
    for key, value in options.items():
        if key not in known:
            raise type_error(f"{qualified}: unknown option '{key}'")
        (allowed, expected), rule = known[key]
        if allowed is not None and kind(value) not in allowed:
            raise type_error(f"{qualified}: option '{key}' must be {expected}, got {kind(value)}")
        if rule is not None and (problem := literal_problem(rule, value)) is not None:
            raise range_error(f"{qualified}: {problem}")
        if rule is Check.DURATION:
            value = duration_ms(value)
        elif key in ("priority", "retries"):
            value = math.trunc(value)
        checked[key] = value
    return checked


def effect_record(
    qualified: str, args: list[Value], *, id: str, created_at: int
) -> dict[str, Value]:
    """The record of `Task.run(name, inputs?, options?)` or `Workflow.run(…)`: the name a
    non-empty string, the inputs an object of data (copied), the options checked."""
    check_arguments(SIGNATURES[qualified], args)
    name = _check_name(qualified, args[0])
    inputs = copy(check_serializable(args[1] if len(args) > 1 else {}))
    options = _checked_options(qualified, args[2]) if len(args) > 2 else {}
    kind_name = "task" if qualified == "Task.run" else "workflow"
    return {
        "kind": kind_name,
        "id": id,
        "name": name,
        "inputs": inputs,
        "options": options,
        "created_at": created_at,
    }


def task_record(args: list[Value], *, id: str, created_at: int) -> dict[str, Value]:
    """`Task.run(name, inputs?, options?)` (§9.2)."""
    return effect_record("Task.run", args, id=id, created_at=created_at)


def workflow_record(args: list[Value], *, id: str, created_at: int) -> dict[str, Value]:
    """`Workflow.run(name, inputs?, options?)` (§9.3)."""
    return effect_record("Workflow.run", args, id=id, created_at=created_at)


def timer_record(qualified: str, args: list[Value], *, id: str, now: int) -> dict[str, Value]:
    """`Timer.delay(d)` (due `now` + d) or `Timer.until(t)` (a `Date.parse` text or epoch
    milliseconds), §9.4."""
    check_arguments(SIGNATURES[qualified], args)
    (argument,) = args
    if qualified == "Timer.delay":
        milliseconds = duration_ms(argument)
        if milliseconds is None:
            raise range_error(f"Timer.delay: {literal_problem(Check.DURATION, argument)}")
        due = now + milliseconds
    elif type(argument) is str:
        parsed = parse_timestamp(argument)
        if parsed is None:
            raise range_error(f"Timer.until: {literal_problem(Check.TIMESTAMP, argument)}")
        due = parsed
    else:
        due = math.trunc(argument)
    return {"kind": "timer", "id": id, "due": due}


def signal_record(args: list[Value], *, id: str, claim: int, now: int) -> dict[str, Value]:
    """`Signal.next(name)` (§9.5): claim number `claim` (0-based) among the signals of that
    name, made at `now`."""
    check_arguments(SIGNATURES["Signal.next"], args)
    return {"kind": "signal", "id": id, "name": args[0], "claim": claim, "claimed_at": now}


def combinator_record(kind_name: str, items: Value, created_at: int) -> dict[str, Value]:
    """`Promise.<kind_name>(items)` (§9.6): `items` an array or object of promises and plain
    values; `race` and `race_kv` of nothing are a RangeError at the call."""
    qualified = f"Promise.{kind_name}"
    check_arguments(SIGNATURES[qualified], [items])
    if not items and kind_name in ("race", "race_kv"):
        raise range_error(f"{qualified} requires at least one item")
    return {"kind": kind_name, "items": copy(items), "created_at": created_at}


# -- settlement (§10.4)


def settlement(
    ref: PromiseRef, table: Sequence[dict[str, Value]], leaf_outcome: LeafOutcome
) -> Outcome | None:
    """The outcome of promise `ref`, or None while it is pending. Leaves are the host's to
    tell; a combinator is decided on its members in settle-time order, ties by position."""
    record = table[ref.index]
    if record["kind"] in LEAF_KINDS:
        return leaf_outcome(record)
    return _decide(record, table, leaf_outcome)


# A settled member: (settle time, position, key, outcome); sorting orders them as §10.4 says.
_Member = tuple[int, int, Value, Outcome]


def _decide(
    record: dict[str, Value], table: Sequence[dict[str, Value]], leaf_outcome: LeafOutcome
) -> Outcome | None:
    items = record["items"]
    created_at: int = record["created_at"]
    pairs = list(items.items()) if type(items) is dict else list(enumerate(items))
    settled: list[_Member] = []
    for position, (key, member) in enumerate(pairs):
        outcome = (
            settlement(member, table, leaf_outcome)
            if type(member) is PromiseRef
            else Outcome(True, member, created_at)  # a plain value settles at the creation
        )
        if outcome is not None:
            settled.append((outcome.settled_at, position, key, outcome))
    settled.sort(key=lambda m: (m[0], m[1]))
    everything = len(settled) == len(pairs)
    return _DECIDERS[record["kind"]](items, settled, everything, created_at)


def _shaped(items: Value, values: dict[Value, Value]) -> Value:
    """`values` (by member key) in the shape of `items`: an array in order, or an object with
    the same keys in the same order."""
    if type(items) is dict:
        return {key: values[key] for key in items}
    return [values[index] for index in range(len(items))]


def _last_time(settled: list[_Member], created_at: int) -> int:
    return settled[-1][0] if settled else created_at


def _all(items: Value, settled: list[_Member], everything: bool, created_at: int) -> Outcome | None:
    for time, _, _, outcome in settled:
        if not outcome.ok:
            return Outcome(False, outcome.value, time)
    if not everything:
        return None
    values = {key: outcome.value for _, _, key, outcome in settled}
    return Outcome(True, _shaped(items, values), _last_time(settled, created_at))


def _all_settled(
    items: Value, settled: list[_Member], everything: bool, created_at: int
) -> Outcome | None:
    if not everything:
        return None
    values = {
        key: {"status": "fulfilled", "value": outcome.value}
        if outcome.ok
        else {"status": "rejected", "reason": outcome.value}
        for _, _, key, outcome in settled
    }
    return Outcome(True, _shaped(items, values), _last_time(settled, created_at))


def _first_fulfilled(
    items: Value, settled: list[_Member], everything: bool, created_at: int, keyed: bool
) -> Outcome | None:
    for time, _, key, outcome in settled:
        if outcome.ok:
            value = {"key": key, "value": outcome.value} if keyed else outcome.value
            return Outcome(True, value, time)
    if not everything:
        return None
    errors = _shaped(items, {key: outcome.value for _, _, key, outcome in settled})
    aggregate = error("AggregateError", "All promises were rejected", errors=errors)
    return Outcome(False, aggregate, _last_time(settled, created_at))


def _first_settled(settled: list[_Member], keyed: bool) -> Outcome | None:
    if not settled:
        return None
    time, _, key, outcome = settled[0]
    if outcome.ok and keyed:
        return Outcome(True, {"key": key, "value": outcome.value}, time)
    return Outcome(outcome.ok, outcome.value, time)


_Decider = Callable[[Value, list[_Member], bool, int], Outcome | None]

_DECIDERS: Final[dict[str, _Decider]] = {
    "all": _all,
    "allSettled": _all_settled,
    "any": lambda items, settled, everything, at: _first_fulfilled(
        items, settled, everything, at, keyed=False
    ),
    "any_kv": lambda items, settled, everything, at: _first_fulfilled(
        items, settled, everything, at, keyed=True
    ),
    "race": lambda items, settled, everything, at: _first_settled(settled, keyed=False),
    "race_kv": lambda items, settled, everything, at: _first_settled(settled, keyed=True),
}


# -- descriptions (§10.5: "waiting for task charge-card")


_LEAF_CALLS: Final = {"task": "Task.run", "workflow": "Workflow.run", "signal": "Signal.next"}


def describe(ref: PromiseRef, table: Sequence[dict[str, Value]]) -> str:
    """The call that made promise `ref`, as tooling shows what an execution waits for:
    `Task.run("charge-card")`, `Promise.race([Task.run("a"), Timer.until("…")])`."""
    record = table[ref.index]
    kind_name = record["kind"]
    if kind_name in _LEAF_CALLS:
        return f"{_LEAF_CALLS[kind_name]}({stringify(record['name'])})"
    if kind_name == "timer":
        due = record["due"]
        return f"Timer.until({stringify(iso_text(due)) if is_valid_time(due) else due})"
    items = record["items"]
    if type(items) is dict:
        shown = ", ".join(f"{key}: {_describe_member(m, table)}" for key, m in items.items())
        return f"Promise.{kind_name}({{{shown}}})"
    shown = ", ".join(_describe_member(m, table) for m in items)
    return f"Promise.{kind_name}([{shown}])"


def _describe_member(member: Value, table: Sequence[dict[str, Value]]) -> str:
    if type(member) is PromiseRef:
        return describe(member, table)
    return "[…]" if type(member) is list else "{…}" if type(member) is dict else stringify(member)
