"""How control leaves the straight line: throws, returns and finally blocks (LANGUAGE.md §5.9–
§5.11, §8.6), and the ways a step ends.

Try regions are the handler records of `bytecode.py`: `[catch pc | None, finally pc | None,
stack depth]`. A pending completion, carried on the operand stack while a finally block runs,
is a VM-private array, JSON like everything on the stack so that it survives a suspension
inside the finally block:

    ["jump", target]        normal completion, break, continue: END_FINALLY continues at target
    ["throw", value, pc]    END_FINALLY throws value again, located at the original throw's pc
    ["return", value]       END_FINALLY goes on returning value

A finally block that ends abruptly simply never reaches its END_FINALLY, which is how its own
completion replaces the pending one.
"""

from __future__ import annotations

from rhythm.values import PromiseRef, Value, failure_output
from rhythm.vm_machine import Machine


class Thrown(Exception):
    """A throw by the program itself: `throw`, a rejected `await`, a rethrow at the end of a
    finally block (`at`: the pc of the original throw; None: the current instruction)."""

    def __init__(self, value: Value, at: int | None = None) -> None:
        super().__init__()
        self.value = value
        self.at = at


class Completed(Exception):
    """The program returned `value` (no finally block left to run)."""

    def __init__(self, value: Value) -> None:
        super().__init__()
        self.value = value


class Failed(Exception):
    """The execution ends failed with `output`, thrown at instruction `at`."""

    def __init__(self, output: dict[str, Value], at: int) -> None:
        super().__init__()
        self.output = output
        self.at = at


class Suspended(Exception):
    """The AWAIT being run found promise `ref` pending."""

    def __init__(self, ref: PromiseRef) -> None:
        super().__init__()
        self.ref = ref


class YieldAfter(Exception):
    """The instruction completed, and the step has created as many effects as it may."""


def throw_to_handler(machine: Machine, value: Value, at: int) -> int:
    """Throw `value` from instruction `at`: the pc of the catch or finally block that takes it,
    with the stack cut to its region's depth; `Failed` when nothing does (§8.6)."""
    handlers = machine.handlers
    stack = machine.stack
    while handlers:
        record = handlers[-1]
        del stack[record[2] :]
        catch, finally_ = record[0], record[1]
        if catch is not None:
            if finally_ is not None:
                record[0] = None  # the record goes on protecting the catch block
            else:
                handlers.pop()
            stack.append(value)
            return int(catch)
        handlers.pop()
        stack.append(["throw", value, at])
        return int(finally_)
    raise Failed(failure_output(value), at)


def return_through_finally(machine: Machine, value: Value) -> int:
    """Return `value`: the pc of the innermost finally block to run first, with a `return`
    completion on the stack; `Completed` when there is none."""
    handlers = machine.handlers
    while handlers:
        record = handlers.pop()
        if record[1] is not None:
            del machine.stack[record[2] :]
            machine.stack.append(["return", value])
            return int(record[1])
    raise Completed(value)


def end_finally(machine: Machine, completion: list[Value]) -> int:
    """Resume the completion a finally block was run for."""
    kind = completion[0]
    if kind == "jump":
        return int(completion[1])
    if kind == "throw":
        raise Thrown(completion[1], at=int(completion[2]))
    return return_through_finally(machine, completion[1])
