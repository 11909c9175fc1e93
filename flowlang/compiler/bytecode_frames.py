"""The frame of every instruction: what the operand stack holds and which try regions are open
when it runs, found by abstract interpretation of the code (the JVM verifier's stack maps).

A program is verified on load (`bytecode_load.verify`) by computing its stack map: every
instruction reachable from the start is given one frame, and the program is refused
(`InvalidInstruction`) when an instruction would pop what is not there, use an iterator or a
pending completion as a value, reach an instruction with another stack than an earlier path
did, or leave a try region that is not open. So the VM, which checks no operand at run time,
cannot underflow its stack or mistake one kind of entry for another on a verified program.

The runtime checks a snapshot against the frame of its `pc` (`rhythm.vm_snapshot`): the
stack must hold entries of the frame's kinds and the handler records must be the frame's,
which is what makes a forged snapshot unable to steer the VM anywhere the program cannot go.

Entries of the abstract stack (`Entry`):

    VALUE       any value of the program
    ARRAY       an array being built (BUILD_ARRAY, ARRAY_PATTERN): a value known to be an array
    OBJECT      an object being built (BUILD_OBJECT): a value known to be an object
    ITERATOR    a `for` loop's iterator, `[items, position]` (GET_ITER)
    Completion  the pending completion of the finally block at `finally_pc` (JUMP_FINALLY,
                or a throw or return running that block)

Where two paths meet, an ARRAY or OBJECT on one and a VALUE on the other is a VALUE (an array
literal in one branch of `?:`); anything else must be the same on both.

Edges. Besides the fall-through and the jumps of each opcode, an instruction inside a try
region may throw: it then continues at the innermost region's catch block (stack cut to the
region's depth, the thrown value pushed, the record kept without its handler when the region
has a finally) or else at its finally block (cut, a completion pushed, the record popped), as
`rhythm.vm_control.throw_to_handler` does. RETURN and a `return` completion go to the
innermost region's finally block, if any; END_FINALLY with a `jump` completion continues at
every resume target that a JUMP_FINALLY of that finally block names.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal, NoReturn

from flowlang.compiler.bytecode import Instruction, InvalidInstruction, Program

VALUE: Final = "value"
ARRAY: Final = "array"
OBJECT: Final = "object"
ITERATOR: Final = "iterator"


@dataclass(frozen=True, slots=True)
class Completion:
    """The pending completion of the finally block that starts at `finally_pc`."""

    finally_pc: int


Entry = Literal["value", "array", "object", "iterator"] | Completion

# A handler record as the VM keeps it: (catch pc | None, finally pc | None, stack depth).
Handler = tuple[int | None, int | None, int]

_VALUES: Final = frozenset({VALUE, ARRAY, OBJECT})


@dataclass(frozen=True, slots=True)
class Frame:
    """The state an instruction runs in: the kinds of the stack entries (bottom first) and the
    open handler records (innermost last)."""

    stack: tuple[Entry, ...]
    handlers: tuple[Handler, ...]


@dataclass(frozen=True)
class StackMap:
    """`frames[pc]`: the frame of each instruction, None for one no path reaches.
    `resumes[finally_pc]`: where END_FINALLY of that finally block continues after a `jump`
    completion (the second targets of its JUMP_FINALLYs)."""

    frames: tuple[Frame | None, ...]
    resumes: dict[int, frozenset[int]]


def stack_map(program: Program) -> StackMap:
    """The stack map of `program`; `InvalidInstruction` when its stack discipline is broken.
    Operands must be verified already (`bytecode_load.verify` does both, in that order)."""
    return _Interpreter(program.code).run()


class _Interpreter:
    def __init__(self, code: Sequence[Instruction]) -> None:
        self.code = code
        self.frames: list[Frame | None] = [None] * len(code)
        self.pending: list[int] = []
        resumes: dict[int, set[int]] = {}
        for instruction in code:
            if instruction[0] == "JUMP_FINALLY":
                resumes.setdefault(_int(instruction[1]), set()).add(_int(instruction[2]))
        self.resumes = {pc: frozenset(targets) for pc, targets in resumes.items()}

    def run(self) -> StackMap:
        self.reach(0, Frame((), ()), None)
        while self.pending:
            pc = self.pending.pop()
            frame = self.frames[pc]
            assert frame is not None  # only reached instructions are pending
            if frame.handlers:
                self.throw_edge(pc, frame)
            _Step(self, pc, frame).run()
        return StackMap(tuple(self.frames), self.resumes)

    def reach(self, pc: int, frame: Frame, source: int | None) -> None:
        """`frame` flows into instruction `pc` (from instruction `source`)."""
        if not 0 <= pc < len(self.code):
            _invalid(source, f"control reaches {pc}, past the end of the code")
        known = self.frames[pc]
        if known is None:
            self.frames[pc] = frame
            self.pending.append(pc)
            return
        joined = _join(known, frame, pc, source)
        if joined != known:
            self.frames[pc] = joined
            self.pending.append(pc)

    def throw_edge(self, pc: int, frame: Frame) -> None:
        """A throw at `pc`: to the innermost open region's catch block, else its finally."""
        catch, finally_, depth = frame.handlers[-1]
        below = frame.handlers[:-1]
        base = _cut(frame, depth, pc)
        if catch is not None:
            kept = (*below, (None, finally_, depth)) if finally_ is not None else below
            self.reach(catch, Frame((*base, VALUE), kept), pc)
        else:
            assert finally_ is not None  # SETUP_TRY sets a handler, a finally or both
            self.reach(finally_, Frame((*base, Completion(finally_)), below), pc)

    def return_edge(self, pc: int, frame: Frame) -> None:
        """A return at `pc`: to the finally block of the innermost region that has one."""
        for index in range(len(frame.handlers) - 1, -1, -1):
            _, finally_, depth = frame.handlers[index]
            if finally_ is not None:
                base = _cut(frame, depth, pc)
                below = frame.handlers[:index]
                self.reach(finally_, Frame((*base, Completion(finally_)), below), pc)
                return


class _Step:
    """What one instruction does to (a copy of) its frame, and where control goes next."""

    def __init__(self, interpreter: _Interpreter, pc: int, frame: Frame) -> None:
        self.interpreter = interpreter
        self.pc = pc
        instruction = interpreter.code[pc]
        self.name = str(instruction[0])
        self.operands = instruction[1:]
        self.stack: list[Entry] = list(frame.stack)
        self.handlers = frame.handlers

    def pop(self, kind: str = VALUE) -> Entry:
        if not self.stack:
            _invalid(self.pc, f"{self.name} pops from an empty stack")
        entry = self.stack.pop()
        _require(entry, kind, self.pc, self.name)
        return entry

    def pop_values(self, count: int) -> list[Entry]:
        """The top `count` entries, each a value, bottom first."""
        return list(reversed([self.pop() for _ in range(count)]))

    def go(self, target: int, *pushed: Entry) -> None:
        """Continue at `target` with `pushed` on top of the stack as it is now."""
        frame = Frame((*self.stack, *pushed), self.handlers)
        self.interpreter.reach(target, frame, self.pc)

    def operand(self, position: int) -> int:
        return _int(self.operands[position])

    def run(self) -> None:
        name, nxt = self.name, self.pc + 1
        match name:
            case "POP":
                self.pop("any")
                self.go(nxt)
            case "ROT":
                count = self.operand(0)
                if len(self.stack) < count:
                    _invalid(self.pc, f"ROT {count} on a stack of {len(self.stack)}")
                self.stack.insert(len(self.stack) - count + 1, self.stack.pop())
                self.go(nxt)
            case "LOAD_CONST" | "LOAD_SLOT" | "LOAD_GLOBAL":
                self.go(nxt, VALUE)
            case "STORE_SLOT":
                self.pop()
                self.go(nxt)
            case "BUILD_ARRAY":
                self.pop_values(self.operand(0))
                self.go(nxt, ARRAY)
            case "ARRAY_APPEND" | "ARRAY_EXTEND":
                self.pop()
                self.pop(ARRAY)
                self.go(nxt, ARRAY)
            case "BUILD_OBJECT":
                self.pop_values(2 * self.operand(0))
                self.go(nxt, OBJECT)
            case "OBJECT_SET":
                self.pop_values(2)
                self.pop(OBJECT)
                self.go(nxt, OBJECT)
            case "OBJECT_SPREAD":
                self.pop()
                self.pop(OBJECT)
                self.go(nxt, OBJECT)
            case "BUILD_TEMPLATE":
                self.pop_values(self.operand(0))
                self.go(nxt, VALUE)
            case "CALL_BUILTIN":
                self.pop_values(self.operand(1))
                self.go(nxt, VALUE)
            case (
                "GET_PROP" | "UNARY" | "UPDATE" | "AWAIT" | "OBJECT_PATTERN"
                | "PATTERN_OBJECT_REST"
            ):  # fmt: skip
                self.pop()
                self.go(nxt, VALUE)
            case "GET_INDEX" | "BINARY":
                self.pop_values(2)
                self.go(nxt, VALUE)
            case "LOAD_PATH":
                keys = self.pop_values(self.operand(1))
                self.go(nxt, *keys, VALUE)
            case "STORE_PATH":
                self.pop_values(self.operand(1) + 1)
                self.go(nxt)
            case "CALL_METHOD":
                self.pop_values(self.operand(1) + 1)
                self.go(nxt, VALUE)
            case "CALL_METHOD_MUT":
                self.pop_values(self.operand(1) + 1)
                self.go(nxt, VALUE, VALUE)
            case "CALL_BUILTIN_SPREAD":
                self.pop(ARRAY)
                self.go(nxt, VALUE)
            case "CALL_METHOD_SPREAD":
                self.pop(ARRAY)
                self.pop()
                self.go(nxt, VALUE)
            case "CALL_METHOD_MUT_SPREAD":
                self.pop(ARRAY)
                self.pop()
                self.go(nxt, VALUE, VALUE)
            case "GET_ITER":
                self.pop()
                self.go(nxt, ITERATOR)
            case "FOR_NEXT":
                self.pop(ITERATOR)
                self.go(self.operand(0), ITERATOR)
                self.go(nxt, ITERATOR, VALUE)
            case "PATTERN_PROP":
                self.pop()
                self.go(nxt, VALUE, VALUE)
            case "PATTERN_PROP_DEFAULT":
                self.pop()
                self.go(nxt, VALUE)
                self.go(self.operand(1), VALUE, VALUE)
            case "ARRAY_PATTERN":
                self.pop()
                self.go(nxt, ARRAY)
            case "PATTERN_ELEMENT":
                self.pop(ARRAY)
                self.go(nxt, ARRAY, VALUE)
            case "PATTERN_ELEMENT_DEFAULT":
                self.pop(ARRAY)
                self.go(nxt, ARRAY)
                self.go(self.operand(1), ARRAY, VALUE)
            case "PATTERN_ARRAY_REST":
                self.pop(ARRAY)
                self.go(nxt, VALUE)
            case _:
                self.run_control(name, nxt)

    def run_control(self, name: str, nxt: int) -> None:
        """The jumps, the try regions and the exits."""
        interpreter = self.interpreter
        match name:
            case "JUMP":
                self.go(self.operand(0))
            case "POP_JUMP_IF_FALSE":
                self.pop()
                self.go(nxt)
                self.go(self.operand(0))
            case "JUMP_IF_FALSE_OR_POP" | "JUMP_IF_TRUE_OR_POP" | "JUMP_IF_NOT_NULL_OR_POP":
                kept = self.pop()
                self.go(nxt)
                self.go(self.operand(0), kept)
            case "JUMP_IF_NULL":
                kept = self.pop()
                self.go(nxt, kept)
                self.go(self.operand(0), kept)
            case "SETUP_TRY":
                catch, finally_ = self.operands
                record: Handler = (_optional(catch), _optional(finally_), len(self.stack))
                interpreter.reach(nxt, Frame(tuple(self.stack), (*self.handlers, record)), self.pc)
            case "POP_TRY":
                if not self.handlers:
                    _invalid(self.pc, "POP_TRY with no try region open")
                interpreter.reach(nxt, Frame(tuple(self.stack), self.handlers[:-1]), self.pc)
            case "JUMP_FINALLY":
                finally_pc = self.operand(0)
                self.go(finally_pc, Completion(finally_pc))
            case "END_FINALLY":
                completion = self.pop("completion")
                assert isinstance(completion, Completion)
                after = Frame(tuple(self.stack), self.handlers)
                for resume in sorted(interpreter.resumes.get(completion.finally_pc, ())):
                    interpreter.reach(resume, after, self.pc)
                if after.handlers:  # a `throw` completion is thrown again
                    interpreter.throw_edge(self.pc, after)
                interpreter.return_edge(self.pc, after)
            case "THROW":  # its edge is the throw edge every instruction in a region has
                self.pop()
            case "RETURN":
                self.pop()
                interpreter.return_edge(self.pc, Frame(tuple(self.stack), self.handlers))
            case _:  # every opcode of the table has a case (a test holds that)
                _invalid(self.pc, f"no stack rule for {name}")


def _cut(frame: Frame, depth: int, pc: int) -> tuple[Entry, ...]:
    """The stack of `frame` cut to a try region's `depth`, as a throw or return cuts it."""
    if len(frame.stack) < depth:
        _invalid(pc, f"the stack is below the depth {depth} of the try region it is in")
    return frame.stack[:depth]


def _join(known: Frame, new: Frame, pc: int, source: int | None) -> Frame:
    if known.handlers != new.handlers:
        _invalid(
            source,
            f"instruction {pc} is reached with different try regions open"
            f" ({list(known.handlers)} and {list(new.handlers)})",
        )
    if len(known.stack) != len(new.stack):
        _invalid(
            source,
            f"instruction {pc} is reached with stacks of {len(known.stack)} and"
            f" {len(new.stack)} entries",
        )
    joined = []
    for position, (old, other) in enumerate(zip(known.stack, new.stack, strict=True)):
        if old == other:
            joined.append(old)
        elif old in _VALUES and other in _VALUES:
            joined.append(VALUE)
        else:
            _invalid(
                source,
                f"instruction {pc} is reached with {_describe(old)} and {_describe(other)} at"
                f" stack position {position}",
            )
    return Frame(tuple(joined), known.handlers)


def _require(entry: Entry, kind: str, pc: int, name: str) -> None:
    if kind == "any":
        return
    if kind == "completion":
        ok = isinstance(entry, Completion)
    elif kind == VALUE:
        ok = entry in _VALUES
    else:
        ok = entry == kind
    if not ok:
        _invalid(pc, f"{name} expects {_describe(kind)} on the stack, not {_describe(entry)}")


def _describe(entry: Entry | str) -> str:
    if isinstance(entry, Completion):
        return f"the completion of the finally block at {entry.finally_pc}"
    return {
        VALUE: "a value",
        ARRAY: "an array being built",
        OBJECT: "an object being built",
        ITERATOR: "a loop iterator",
        "completion": "a finally block's completion",
    }[entry]


def _int(operand: object) -> int:
    assert isinstance(operand, int)  # operands are verified before the stack map is built
    return operand


def _optional(operand: object) -> int | None:
    return None if operand is None else _int(operand)


def _invalid(pc: int | None, problem: str) -> NoReturn:
    where = "" if pc is None else f"instruction {pc}: "
    raise InvalidInstruction(f"invalid program: {where}{problem}; rebuild it with `flowc build`")
