"""The dispatch loop: runs decoded instructions until the step ends.

Speed matters here more than anywhere else in the runtime. The loop keeps the machine's state
in local variables, runs the most frequent instructions inline in an if-chain ordered by
frequency and calls a handler (`vm_ops`) for the rest. It does not count instructions one by
one: it counts the straight-line segment it ran whenever control jumps (`pc - start`), which
is exact and costs nothing on the straight line, and checks the budget at jumps only (so a
step overshoots its budget by at most one straight-line segment, and yields at a jump target).

Everything that ends a step or leaves the straight line abnormally is an exception from the
handlers (`vm_control`): rare events, which keep the common path free of checks.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from rhythm.values import FlowError, PromiseRef, Value, read_property, truthy
from rhythm.vm_control import (
    Completed,
    Failed,
    Suspended,
    Thrown,
    YieldAfter,
    throw_to_handler,
)
from rhythm.vm_decode import (
    BINARY,
    FIRST_HANDLED,
    FOR_NEXT,
    GET_INDEX,
    GET_PROP,
    JUMP,
    JUMP_IF_FALSE_OR_POP,
    JUMP_IF_NOT_NULL_OR_POP,
    JUMP_IF_NULL,
    JUMP_IF_TRUE_OR_POP,
    LOAD_CONST,
    LOAD_SLOT,
    POP,
    POP_JUMP_IF_FALSE,
    STORE_SLOT,
    UNARY,
    Decoded,
)
from rhythm.vm_machine import Machine
from rhythm.vm_ops import HANDLERS

ExitKind = Literal["completed", "failed", "suspended", "budget", "effects"]


@dataclass(frozen=True, slots=True)
class Exit:
    """How the loop stopped. `machine.pc` is where to continue (the AWAIT when suspended);
    `at` is the instruction a failure is located at."""

    kind: ExitKind
    value: Value = None  # completed: the output; failed: the failure output
    promise: PromiseRef | None = None  # suspended: what it waits for
    at: int | None = None


class _OutOfBudget(Exception):
    """The instructions counted so far reach the budget (raised at a jump)."""


def run(machine: Machine, code: list[Decoded], budget: int) -> Exit:
    """Run from `machine.pc` until the program ends, fails, suspends, has used `budget`
    instructions (counted into `machine.instructions`) or created as many effects as a step
    may."""
    stack = machine.stack
    slots = machine.slots
    push = stack.append
    pop = stack.pop
    handlers = HANDLERS
    pc = start = machine.pc
    used = 0  # instructions of the segments before `start`
    try:
        while True:
            try:
                while True:
                    op, a, b = code[pc]
                    pc += 1
                    if op == LOAD_SLOT:
                        push(slots[a])
                    elif op == LOAD_CONST:
                        push(a)
                    elif op == STORE_SLOT:
                        slots[a] = pop()
                    elif op == BINARY:
                        right = pop()
                        stack[-1] = a(stack[-1], right)
                    elif op == POP_JUMP_IF_FALSE:
                        test = pop()
                        if test is False or (test is not True and not truthy(test)):
                            used += pc - start
                            pc = start = a
                            if used + machine.work >= budget:
                                raise _OutOfBudget
                    elif op == JUMP:
                        used += pc - start
                        pc = start = a
                        if used + machine.work >= budget:
                            raise _OutOfBudget
                    elif op == GET_PROP:
                        stack[-1] = read_property(stack[-1], a)
                    elif op == GET_INDEX:
                        key = pop()
                        stack[-1] = read_property(stack[-1], key)
                    elif op == FOR_NEXT:
                        iterator = stack[-1]
                        position = iterator[1]
                        items = iterator[0]
                        if position < len(items):
                            iterator[1] = position + 1
                            push(items[position])
                        else:
                            used += pc - start
                            pc = start = a
                            if used + machine.work >= budget:
                                raise _OutOfBudget
                    elif op == POP:
                        pop()
                    elif op == UNARY:
                        stack[-1] = a(stack[-1])
                    elif op <= JUMP_IF_NULL:
                        test = stack[-1]
                        if op == JUMP_IF_FALSE_OR_POP:
                            taken = not truthy(test)
                        elif op == JUMP_IF_TRUE_OR_POP:
                            taken = truthy(test)
                        else:
                            taken = (test is not None) is (op == JUMP_IF_NOT_NULL_OR_POP)
                        if taken:
                            used += pc - start
                            pc = start = a
                            if used + machine.work >= budget:
                                raise _OutOfBudget
                        elif op != JUMP_IF_NULL:
                            pop()
                    else:
                        target = handlers[op - FIRST_HANDLED](machine, a, b)
                        if target is not None:
                            used += pc - start
                            pc = start = target
                            if used + machine.work >= budget:
                                raise _OutOfBudget
            except FlowError as failure:
                used += pc - start
                pc = start = throw_to_handler(machine, failure.error, pc - 1)
            except Thrown as thrown:
                used += pc - start
                at = pc - 1 if thrown.at is None else thrown.at
                pc = start = throw_to_handler(machine, thrown.value, at)
    except _OutOfBudget:
        return _stop(machine, used, pc, Exit("budget"))
    except YieldAfter:
        return _stop(machine, used + pc - start, pc, Exit("effects"))
    except Suspended as suspended:
        return _stop(machine, used + pc - start, pc - 1, Exit("suspended", promise=suspended.ref))
    except Completed as completed:
        return _stop(machine, used + pc - start, pc, Exit("completed", completed.value))
    except Failed as failed:
        # A throw that escaped: its segment was counted before unwinding.
        return _stop(machine, used, pc, Exit("failed", failed.output, at=failed.at))


def _stop(machine: Machine, used: int, pc: int, exit_: Exit) -> Exit:
    machine.pc = pc
    machine.instructions += used + machine.work
    machine.work = 0
    return exit_
