"""Calls of builtins from the VM (LANGUAGE.md §9, §10.2): pure ones through `rhythm.builtins`,
effectful ones (`Task`, `Workflow`, `Timer`, `Signal`, `Promise`) as promise records built by
`rhythm.promises`, and what a call costs against the instruction budget (§10.8).

An effect is fixed at the call: its record (with the id `<executionId>:<n>` of the execution's
n-th effect, counting from 1) goes into the promise table and into the step's effects, which
the runtime commits with the step. The counter lives in the snapshot, so a step that runs
again after a crash makes the same ids.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

from rhythm.builtins import SIGNATURES, call_function, call_method, check_arguments
from rhythm.limits import stored_size, too_large
from rhythm.promises import (
    combinator_record,
    signal_record,
    task_record,
    timer_record,
    workflow_record,
)
from rhythm.values import PromiseRef, Value, range_error
from rhythm.vm_machine import Machine

# Methods whose work does not grow with the receiver (the rest are charged its size).
_CONSTANT_TIME_METHODS: Final = frozenset({"at", "pop", "push"})


def work_of(value: Value) -> int:
    """Instructions charged for producing or scanning `value`: its length."""
    kind_of = type(value)
    if kind_of is str or kind_of is list or kind_of is dict:
        return len(value)
    return 0


def call_builtin(machine: Machine, qualified: str, args: list[Value]) -> Value:
    effect = _EFFECTFUL.get(qualified)
    if effect is not None:
        return effect(machine, qualified, args)
    result = call_function(qualified, args, machine.host.now)
    machine.work += work_of(result) + sum(work_of(arg) for arg in args)
    return result


def call_method_value(machine: Machine, name: str, receiver: Value, args: list[Value]) -> Value:
    """A method call whose receiver is not written back (for a ✎ method the caller has made
    `receiver` a copy)."""
    result = call_method(name, receiver, args).value
    _charge_method(machine, name, receiver, result, args)
    return result


def call_method_on_place(
    machine: Machine, name: str, receiver: Value, args: list[Value]
) -> tuple[Value, Value]:
    """A method call on a place: (the receiver to write back, the result)."""
    result = call_method(name, receiver, args)
    _charge_method(machine, name, receiver, result.value, args)
    return result.receiver, result.value


def _charge_method(
    machine: Machine, name: str, receiver: Value, result: Value, args: list[Value]
) -> None:
    scanned = 0 if name in _CONSTANT_TIME_METHODS else work_of(receiver)
    machine.work += scanned + work_of(result) + sum(work_of(arg) for arg in args)


# -- effects


def _next_id(machine: Machine) -> str:
    return f"{machine.host.context()['executionId']}:{machine.effect_count + 1}"


def _record_effect(machine: Machine, record: dict[str, Value]) -> PromiseRef:
    machine.effect_count += 1
    machine.effects.append(record)
    return machine.add_promise(record)


def _run(machine: Machine, qualified: str, args: list[Value]) -> PromiseRef:
    make = task_record if qualified == "Task.run" else workflow_record
    record = make(args, id=_next_id(machine), created_at=machine.host.now())
    machine.work += work_of(record["inputs"])
    size = stored_size(record["inputs"])
    if size > machine.inputs_limit:
        message = too_large("inputs are", size, machine.inputs_limit, "inputs_bytes")
        raise range_error(f"{qualified}: {message}")
    return _record_effect(machine, record)


def _timer(machine: Machine, qualified: str, args: list[Value]) -> PromiseRef:
    record = timer_record(qualified, args, id=_next_id(machine), now=machine.host.now())
    return _record_effect(machine, record)


def _signal(machine: Machine, qualified: str, args: list[Value]) -> PromiseRef:
    name = args[0] if args and type(args[0]) is str else ""
    claim = machine.claims.get(name, 0)
    record = signal_record(args, id=_next_id(machine), claim=claim, now=machine.host.now())
    machine.claims[name] = claim + 1
    return _record_effect(machine, record)


def _combinator(machine: Machine, qualified: str, args: list[Value]) -> PromiseRef:
    check_arguments(SIGNATURES[qualified], args)
    record = combinator_record(qualified.partition(".")[2], args[0], machine.host.now())
    machine.work += work_of(args[0])
    return machine.add_promise(record)


_Effect = Callable[[Machine, str, list[Value]], PromiseRef]

_EFFECTFUL: Final[dict[str, _Effect]] = {
    "Task.run": _run,
    "Workflow.run": _run,
    "Timer.delay": _timer,
    "Timer.until": _timer,
    "Signal.next": _signal,
    **{
        f"Promise.{kind}": _combinator
        for kind in ("all", "allSettled", "any", "race", "any_kv", "race_kv")
    },
}


def creates_effect(qualified: str) -> bool:
    """Whether calling `qualified` creates an effect (and counts against the step's limit)."""
    return qualified in _EFFECTFUL and not qualified.startswith("Promise.")
