"""The state of one execution's VM and its snapshot (LANGUAGE.md §10.3, §10.5).

A snapshot is plain JSON, everything a fresh VM needs to continue exactly where this one
stopped, even in the middle of an expression:

    {"format": 1,
     "program": "<version hash>",        the program the execution is pinned to
     "pc": 12,                           the next instruction (an AWAIT when suspended)
     "stack": [...],                     operands, iterators, pending finally completions
     "slots": [...],                     the variables
     "handlers": [[catch, finally, depth], ...]   the open try regions, innermost last
     "promises": [...],                  the promise records the state still refers to
     "counters": {"instructions": n,     used by the execution so far
                  "effects": n,          effects created so far (their ids count with it)
                  "claims": {name: k}},  `Signal.next` claims made per signal name
     "waiting_for": {...} | null}        what a suspended execution waits on (for tooling)

Values are encoded with `values.encode` (promises tagged). Iterators and completions are
VM-private arrays on the stack (see `vm_control`); they encode like any array.

The promise table only grows while a step runs; before a snapshot is written, records that
nothing reachable refers to are dropped and the rest renumbered, so the snapshot of an
execution does not grow with the number of promises it has awaited.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from flowlang.compiler.bytecode import Program
from rhythm.values import PromiseRef, Value, decode, encode
from rhythm.vm_snapshot import SNAPSHOT_FORMAT, CorruptSnapshot, check_snapshot


class Machine:
    """The mutable state of one VM while a step runs."""

    __slots__ = (
        "claims",
        "effect_count",
        "effect_limit",
        "effects",
        "handlers",
        "host",
        "inputs_limit",
        "instructions",
        "pc",
        "promises",
        "slots",
        "stack",
        "work",
    )

    def __init__(self, slot_count: int) -> None:
        self.pc = 0
        self.stack: list[Value] = []
        self.slots: list[Value] = [None] * slot_count
        # Open try regions, innermost last: [catch pc | None, finally pc | None, stack depth].
        self.handlers: list[list[Any]] = []
        self.promises: list[dict[str, Value]] = []
        self.instructions = 0  # used by the execution before this step
        self.effect_count = 0
        self.claims: dict[str, int] = {}
        self.effects: list[dict[str, Value]] = []  # records of the effects of this step
        self.work = 0  # instructions charged this step for builtins' work (§10.8)
        # Set by `run_step` for the step: the `rhythm.vm.Host`, the effects it may create and
        # the size of the inputs of a task or child (`rhythm.limits`).
        self.host: Any = None
        self.effect_limit = 0
        self.inputs_limit = 0

    def add_promise(self, record: dict[str, Value]) -> PromiseRef:
        self.promises.append(record)
        return PromiseRef(len(self.promises) - 1)


def start_machine(program: Program) -> Machine:
    return Machine(program.slot_count)


def resume_machine(program: Program, snapshot: dict[str, Any]) -> Machine:
    """The machine a snapshot describes; `SnapshotMismatch` (or `CorruptSnapshot`) if it is not
    a snapshot of this program (`vm_snapshot`)."""
    check_snapshot(program, snapshot)
    machine = Machine(0)
    machine.pc = snapshot["pc"]
    promise_count = len(snapshot["promises"])
    machine.stack = _decoded(snapshot, "stack", promise_count)
    machine.slots = _decoded(snapshot, "slots", promise_count)
    machine.handlers = [list(handler) for handler in snapshot["handlers"]]
    machine.promises = _decoded(snapshot, "promises", promise_count)
    counters = snapshot["counters"]
    machine.instructions = counters["instructions"]
    machine.effect_count = counters["effects"]
    machine.claims = dict(counters["claims"])
    return machine


def _decoded(snapshot: dict[str, Any], field: str, promise_count: int) -> Any:
    try:
        return decode(snapshot[field], promise_count)
    except ValueError as problem:
        raise CorruptSnapshot(field, str(problem)) from None


def snapshot_of(
    machine: Machine, program: Program, waiting_for: dict[str, Any] | None
) -> dict[str, Any]:
    """The plain-JSON snapshot of `machine` (after `compact_promises`)."""
    return {
        "format": SNAPSHOT_FORMAT,
        "program": program.version_hash,
        "pc": machine.pc,
        "stack": encode(machine.stack),
        "slots": encode(machine.slots),
        "handlers": [list(handler) for handler in machine.handlers],
        "promises": encode(machine.promises),
        "counters": {
            "instructions": machine.instructions,
            "effects": machine.effect_count,
            "claims": dict(machine.claims),
        },
        "waiting_for": waiting_for,
    }


# -- compaction of the promise table


def compact_promises(machine: Machine) -> None:
    """Drop the promise records that neither the stack, the slots nor another kept record
    refers to, and renumber the rest (in their order) everywhere they are referred to."""
    table = machine.promises
    if not table:
        return
    kept = _reachable(machine)
    if len(kept) == len(table):
        return
    order = sorted(kept)
    renumbered = {old: PromiseRef(new) for new, old in enumerate(order)}

    def rename(ref: PromiseRef) -> PromiseRef:
        return renumbered[ref.index]

    machine.promises = [_rewrite(table[old], rename) for old in order]
    machine.stack = _rewrite(machine.stack, rename)
    machine.slots = _rewrite(machine.slots, rename)


def _reachable(machine: Machine) -> set[int]:
    found: set[int] = set()
    pending: list[int] = []
    for root in (machine.stack, machine.slots):
        _collect(root, found, pending)
    while pending:
        _collect(machine.promises[pending.pop()].get("items"), found, pending)
    return found


def _collect(value: Value, found: set[int], pending: list[int]) -> None:
    kind_of = type(value)
    if kind_of is PromiseRef:
        if value.index not in found:
            found.add(value.index)
            pending.append(value.index)
    elif kind_of is list:
        for item in value:
            if type(item) in _COMPOUND:
                _collect(item, found, pending)
    elif kind_of is dict:
        for item in value.values():
            if type(item) in _COMPOUND:
                _collect(item, found, pending)


_COMPOUND: Final = frozenset({list, dict, PromiseRef})


def _rewrite(value: Value, rename: Callable[[PromiseRef], PromiseRef]) -> Value:
    """A copy of `value` with every promise reference renamed."""
    kind_of = type(value)
    if kind_of is PromiseRef:
        return rename(value)
    if kind_of is list:
        return [_rewrite(item, rename) if type(item) in _COMPOUND else item for item in value]
    if kind_of is dict:
        return {k: _rewrite(v, rename) if type(v) in _COMPOUND else v for k, v in value.items()}
    return value
