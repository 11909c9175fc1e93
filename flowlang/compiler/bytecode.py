"""The compiled form of a workflow: opcodes and the Program envelope (LANGUAGE.md §10.7).

This module is the contract between `codegen.py` (which writes programs), the VM in
`rhythm.vm` (which runs them) and `disasm.py` (which prints them). It knows nothing of either.

Execution model. One frame, no functions. Every variable has a slot, decided at compile time
(scopes, shadowing and the temporal dead zone are static), so the machine state is: `pc`, an
operand `stack`, the `slots`, a stack of `handlers` (try regions) and the VM's own tables
(promises, counters). At every statement boundary the operand stack holds only the iterators
of the enclosing `for` loops and the pending completions of the enclosing `finally` blocks
being run; codegen knows that depth statically.

Instructions are tuples `(opname, *operands)` with JSON operands; jump targets are absolute
instruction indices. Below, each opcode has its operands and its stack picture
(`before -> after`, top of stack on the right). "throws" means a catchable runtime error
(LANGUAGE.md §8.2) at this instruction's span.

Try regions. `SETUP_TRY handler finally` pushes a handler record
`(handler pc | None, finally pc | None, stack depth)`. A throw pops the stack down to the
innermost record's depth and then:
  * record with a handler: the record stays, with its handler cleared (it keeps protecting the
    catch block when it has a finally; codegen emits `POP_TRY` at the end of the catch block),
    or is popped when it has no finally; the thrown value is pushed; jump to the handler;
  * record without a handler: the record is popped; a `throw` completion (carrying the thrown
    value and its location) is pushed; jump to the finally.
No record: the execution fails (§8.6). `RETURN` unwinds the same way: it pops records until one
has a finally, pops the stack to that record's depth, pushes a `return` completion carrying the
value and jumps to the finally; with no such record the execution completes. `break`,
`continue` and normal completion are static: codegen emits `POP_TRY` and, for a region with a
finally, `JUMP_FINALLY finally resume`, whose `jump` completion makes `END_FINALLY` continue at
`resume`. A completion is a VM-private JSON value on the operand stack; codegen only ever
creates one with `JUMP_FINALLY` or discards one with `POP` (an abrupt exit from a finally block
replaces its pending completion, §5.11).

Places (§5.4). `a.b[i].c = v` is `LOAD_CONST "b"`, `<i>`, `LOAD_CONST "c"`, `<v>`,
`STORE_PATH slot(a) 3`: the keys are evaluated left to right, then the value, then the store
walks the path from the variable. Compound assignment and `++`/`--` read the current value with
`LOAD_PATH`, which leaves the keys in place for the `STORE_PATH`. A ✎ method called on a place
(`o.list.push(x)`) reads the receiver with `LOAD_PATH` (or `LOAD_SLOT`), calls
`CALL_METHOD_MUT`, then `ROT n+2` and `STORE_PATH slot n` (or `ROT 2`, `STORE_SLOT`) write the
changed receiver back and leave the call's result.

Values are never shared (§7.2): the VM behaves as if it copied a container whenever it stores it
(into a slot, an array, an object, an effect's arguments). A receiver or operand on the stack
is never mutated in place.

Changelog of the opcode table (keep it stable; the VM builds against it):
  issue 4, first publication; then DUP removed (codegen never needs it).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import TYPE_CHECKING, Literal

from flowlang.compiler.source import SourceFile
from flowlang.version import __version__

if TYPE_CHECKING:
    from flowlang.compiler.bytecode_frames import StackMap

COMPILER = f"flowlang {__version__}"

OperandKind = Literal[
    "const",  # index into Program.constants
    "slot",  # variable slot index (>= 0)
    "count",  # non-negative integer
    "target",  # jump target: an instruction index
    "target?",  # a jump target or null
    "key",  # a property name (string)
    "keys",  # a JSON array of property names
    "global",  # "Inputs" or "Context"
    "builtin",  # qualified name of a stdlib function (`Math.floor`, `Task.run`, `String`)
    "method",  # a method name of the stdlib table (`push`, `slice`)
    "unary",  # "!", "-", "typeof"
    "binary",  # "*", "/", "%", "+", "-", "<", "<=", ">", ">=", "==", "!=", "===", "!=="
    "update",  # "++", "--"
    "iteration",  # "of", "in"
]


@dataclass(frozen=True, slots=True)
class Opcode:
    name: str
    operands: tuple[OperandKind, ...]
    stack: str  # the stack picture, top on the right
    doc: str


def _op(name: str, operands: tuple[OperandKind, ...], stack: str, doc: str) -> Opcode:
    return Opcode(name, operands, stack, doc)


_TABLE: tuple[Opcode, ...] = (
    # --------------------------------------------------------------------- stack
    _op("POP", (), "x ->", "Discard the top value."),
    _op(
        "ROT",
        ("count",),
        "x1 ... x(n-1) top -> top x1 ... x(n-1)",
        "Move the top value down under the n-1 values below it (n >= 2; ROT 2 swaps).",
    ),
    # --------------------------------------------------------------------- constants, variables
    _op("LOAD_CONST", ("const",), "-> constants[k]", "Push a constant (a JSON scalar)."),
    _op("LOAD_SLOT", ("slot",), "-> slots[s]", "Push a variable's value. Slots start as null."),
    _op("STORE_SLOT", ("slot",), "v ->", "Store into a variable (as a copy, §7.2)."),
    _op("LOAD_GLOBAL", ("global",), "-> value", "Push `Inputs` or `Context` (from the host)."),
    # --------------------------------------------------------------------- literals (§6.3, §2.8)
    _op("BUILD_ARRAY", ("count",), "v1 ... vn -> array", "Build `[v1, ..., vn]`."),
    _op("ARRAY_APPEND", (), "array v -> array'", "Append `v` (the element after a spread)."),
    _op(
        "ARRAY_EXTEND",
        (),
        "array x -> array'",
        "Append the elements of array `x` or the code points of string `x` (`...x` in an array"
        " literal or an argument list). Throws `TypeError: <kind> is not iterable` otherwise.",
    ),
    _op(
        "BUILD_OBJECT",
        ("count",),
        "k1 v1 ... kn vn -> object",
        "Build an object from n key/value pairs left to right; each key is converted by §7.8"
        " (throws for a promise); a repeated key keeps its first position and its last value.",
    ),
    _op(
        "OBJECT_SET",
        (),
        "object k v -> object'",
        "Set key `k` (converted by §7.8) as BUILD_OBJECT does (the member after a spread).",
    ),
    _op(
        "OBJECT_SPREAD",
        (),
        "object x -> object'",
        "Copy the keys of `x` in order (`...x` in an object literal): objects their keys, arrays"
        " and strings their index keys, anything else nothing.",
    ),
    _op(
        "BUILD_TEMPLATE",
        ("count",),
        "p1 ... pn -> string",
        "Concatenate the parts, each converted by §7.8 (throws for a promise; RangeError for a"
        " string over the length limit).",
    ),
    # --------------------------------------------------------------------- reading and places
    _op("GET_PROP", ("key",), "x -> x.key", "Read a property (§7.11); throws on null."),
    _op("GET_INDEX", (), "x k -> x[k]", "Read a computed property (§7.11); throws on null."),
    _op(
        "LOAD_PATH",
        ("slot", "count"),
        "k1 ... kn -> k1 ... kn value",
        "Read `slots[s][k1]...[kn]` by §7.11 (throws on null), keeping the keys for a"
        " following STORE_PATH; n >= 1.",
    ),
    _op(
        "STORE_PATH",
        ("slot", "count"),
        "k1 ... kn v ->",
        "Write `slots[s][k1]...[kn] = v` by §7.12, rebuilding the path from the variable; n >= 1."
        " Throws the §7.12 errors naming the key being set.",
    ),
    # --------------------------------------------------------------------- operators (§7.10)
    _op("UNARY", ("unary",), "x -> op x", "`!x` (a boolean), `-x` (numbers only), `typeof x`."),
    _op(
        "BINARY",
        ("binary",),
        "a b -> a op b",
        "Arithmetic, comparison or equality by §7.3, §7.7 and §7.10; `===` is `==`.",
    ),
    _op(
        "UPDATE",
        ("update",),
        "x -> x'",
        "`x + 1` for `++`, `x - 1` for `--`; throws"
        " `TypeError: Operator '++' cannot be applied to <kind>` unless `x` is a number (§5.4).",
    ),
    # --------------------------------------------------------------------- jumps
    _op("JUMP", ("target",), "->", "Continue at the target."),
    _op("POP_JUMP_IF_FALSE", ("target",), "x ->", "Pop; jump when `x` is falsy (§7.6)."),
    _op(
        "JUMP_IF_FALSE_OR_POP",
        ("target",),
        "x -> x (jumps) | x -> (falls through)",
        "`&&`: when `x` is falsy jump keeping it, else pop it and evaluate the right side.",
    ),
    _op(
        "JUMP_IF_TRUE_OR_POP",
        ("target",),
        "x -> x (jumps) | x -> (falls through)",
        "`||`: when `x` is truthy jump keeping it, else pop it and evaluate the right side.",
    ),
    _op(
        "JUMP_IF_NOT_NULL_OR_POP",
        ("target",),
        "x -> x (jumps) | x -> (falls through)",
        "`??`: when `x` is not null jump keeping it, else pop it and evaluate the right side.",
    ),
    _op(
        "JUMP_IF_NULL",
        ("target",),
        "x -> x",
        "`?.`: when `x` is null jump to the end of the optional chain, keeping the null (§6.4).",
    ),
    # --------------------------------------------------------------------- await and calls
    _op(
        "AWAIT",
        (),
        "x -> value",
        "If `x` is a promise: settled, push its value or throw its error; pending, the step"
        " suspends with pc still AT this instruction and `x` on the stack, so the resumed VM"
        " runs it again. Any other value is pushed back unchanged (§6.6).",
    ),
    _op(
        "CALL_BUILTIN",
        ("builtin", "count"),
        "a1 ... an -> result",
        "Call a stdlib function by qualified name with n arguments: pure ones by"
        " `rhythm.builtins`, effectful ones (`Task.run`, `Timer.*`, `Promise.*`, ...) create"
        " a promise and an effect; `Date.now` reads the host clock.",
    ),
    _op(
        "CALL_BUILTIN_SPREAD",
        ("builtin",),
        "args -> result",
        "As CALL_BUILTIN, with the arguments in one array (a call with `...` arguments).",
    ),
    _op(
        "CALL_METHOD",
        ("method", "count"),
        "receiver a1 ... an -> result",
        "Call a method on the receiver's kind; throws `<kind> has no method '<name>'`. For ✎"
        " methods on a receiver that is not a place only the result is kept.",
    ),
    _op(
        "CALL_METHOD_SPREAD",
        ("method",),
        "receiver args -> result",
        "As CALL_METHOD, with the arguments in one array.",
    ),
    _op(
        "CALL_METHOD_MUT",
        ("method", "count"),
        "receiver a1 ... an -> receiver' result",
        "Call a ✎ method (§6.5) on a receiver that is a place: push the changed receiver (to be"
        " written back) under the result.",
    ),
    _op(
        "CALL_METHOD_MUT_SPREAD",
        ("method",),
        "receiver args -> receiver' result",
        "As CALL_METHOD_MUT, with the arguments in one array.",
    ),
    # --------------------------------------------------------------------- iteration (§5.7)
    _op(
        "GET_ITER",
        ("iteration",),
        "x -> iterator",
        "`of`: a snapshot of array `x`'s elements or string `x`'s code points, else throws"
        " `<kind> is not iterable`; `in`: the keys of an object, the index strings of an array"
        " or a string, nothing for other kinds. The iterator is a VM-private JSON value.",
    ),
    _op(
        "FOR_NEXT",
        ("target",),
        "iterator -> iterator' item | iterator -> iterator (jumps)",
        "Push the next item; when exhausted jump to the target, leaving the iterator (the loop"
        " exit POPs it, and `break` jumps there too).",
    ),
    # --------------------------------------------------------------------- destructuring (§5.2)
    _op(
        "OBJECT_PATTERN",
        (),
        "x -> x",
        "Start an object pattern: throws `TypeError: Cannot destructure null` on null.",
    ),
    _op("PATTERN_PROP", ("key",), "x -> x value", "Read property `key` of the source by §7.11."),
    _op(
        "PATTERN_PROP_DEFAULT",
        ("key", "target"),
        "x -> x value (jumps) | x -> x (falls through)",
        "When the source has property `key`, push it and jump past the default's code; when it"
        " is absent fall through to the default's code (an explicit null is present).",
    ),
    _op(
        "PATTERN_OBJECT_REST",
        ("keys",),
        "x -> rest",
        "`...rest`: an object of the source's keys (as OBJECT_SPREAD) minus the pattern's keys.",
    ),
    _op(
        "ARRAY_PATTERN",
        (),
        "x -> array",
        "Start an array pattern: an array stays, a string becomes its code points, anything"
        " else (null included) throws `<kind> is not iterable`.",
    ),
    _op("PATTERN_ELEMENT", ("count",), "array -> array value", "Element i, or null past the end."),
    _op(
        "PATTERN_ELEMENT_DEFAULT",
        ("count", "target"),
        "array -> array value (jumps) | array -> array (falls through)",
        "When element i exists push it and jump past the default's code, else fall through.",
    ),
    _op("PATTERN_ARRAY_REST", ("count",), "array -> rest", "`...rest`: the elements from i on."),
    # --------------------------------------------------------------------- exceptions, exits
    _op(
        "SETUP_TRY",
        ("target?", "target?"),
        "->",
        "Push a handler record (catch handler pc, finally pc, stack depth); at least one is set.",
    ),
    _op("POP_TRY", (), "->", "Pop the innermost handler record (leaving its region)."),
    _op(
        "JUMP_FINALLY",
        ("target", "target"),
        "-> completion",
        "Run a finally block (first target) with a `jump` completion that resumes at the second"
        " target: normal completion, `break` and `continue` leaving a try region.",
    ),
    _op(
        "END_FINALLY",
        (),
        "completion ->",
        "End of a finally block: resume the completion: `jump` continues at its target, `throw`"
        " rethrows its value (keeping its original location), `return` goes on returning as"
        " RETURN does. Never falls through.",
    ),
    _op("THROW", (), "v ->", "Throw `v` (§5.10)."),
    _op(
        "RETURN",
        (),
        "v ->",
        "Return `v` (§5.9): throws `TypeError: Cannot serialize a promise` if `v` holds a"
        " promise, then runs the pending finally blocks (see above) and completes.",
    ),
)

OPCODES: dict[str, Opcode] = {opcode.name: opcode for opcode in _TABLE}

# An instruction after which execution never falls through to the next one.
TERMINATORS: frozenset[str] = frozenset({"JUMP", "THROW", "RETURN", "END_FINALLY"})

# ----------------------------------------------------------------------------- the envelope

# The envelope, serialized by `Program.to_json` as one JSON object whose fields always come in
# this order (so the same source and compiler give the same bytes, and the version hash that
# pins executions is stable, LANGUAGE.md §10.6):
#   magic          "rhythm-flow-program": what the file is
#   format         "<major>.<minor>": FORMAT_VERSION
#   compiler       "flowlang <version>": who built it
#   workflow       the workflow's name (front matter `name`, else the file stem)
#   path           the source path it was built from, or null
#   queue          front matter `queue`, or null
#   types          {"inputs": T | null, "output": T | null, "signals": {name: T} | null}, each
#                  T a type in the notation of LANGUAGE.md §4.2 (parse it with `parse_type`)
#   source_sha256  sha256 hex of the UTF-8 source: the loader refuses a mismatch
#   constants      JSON scalars, indexed by LOAD_CONST
#   code           instructions: [opname, operand...]
#   spans          per instruction: [start, end] character offsets into the source, or null
#   source         the source text (so errors and "where is it waiting" can quote it)
MAGIC = "rhythm-flow-program"

# A reader accepts its own major version and every minor up to its own: a minor version only
# adds (opcodes, optional fields); a major version changes meaning.
FORMAT_VERSION: tuple[int, int] = (1, 0)
FORMAT_CHANGELOG: dict[tuple[int, int], str] = {
    (1, 0): "first format: one frame, slots, try regions with completions (issue 4)",
}

Instruction = tuple[object, ...]  # (opname, *operands); "keys" operands are tuples of str


@dataclass(frozen=True)
class Program:
    """One compiled workflow: what the runtime registers, pins by `version_hash` and runs."""

    workflow: str
    source: str
    path: str | None
    types: dict[str, object]
    queue: str | None
    constants: tuple[object, ...]
    code: tuple[Instruction, ...]
    spans: tuple[tuple[int, int] | None, ...]
    compiler: str = field(default_factory=lambda: COMPILER)

    def to_json(self) -> bytes:
        """The canonical serialization: fixed field order, no spaces, UTF-8."""
        document = {
            "magic": MAGIC,
            "format": format_version_text(FORMAT_VERSION),
            "compiler": self.compiler,
            "workflow": self.workflow,
            "path": self.path,
            "queue": self.queue,
            "types": self.types,
            "source_sha256": source_sha256(self.source),
            "constants": list(self.constants),
            "code": [list(_json_operands(instruction)) for instruction in self.code],
            "spans": [None if span is None else list(span) for span in self.spans],
            "source": self.source,
        }
        text = json.dumps(document, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
        return text.encode("utf-8")

    @classmethod
    def from_json(cls, data: bytes | str, pinned: str | None = None) -> Program:
        """Load and verify a serialized program (that must hash to the version hash `pinned`,
        when given); raises a `ProgramLoadError` subclass."""
        from flowlang.compiler.bytecode_load import load_program  # it builds Programs

        return load_program(data, pinned)

    @cached_property
    def version_hash(self) -> str:
        """sha256 hex of the canonical serialization: the identity executions are pinned to."""
        return hashlib.sha256(self.to_json()).hexdigest()

    @cached_property
    def slot_count(self) -> int:
        """How many variable slots the program uses (the VM starts them all as null)."""
        used = [
            int(instruction[1])  # type: ignore[call-overload]  # a slot operand is an int
            for instruction in self.code
            if "slot" in OPCODES[str(instruction[0])].operands
        ]
        return 1 + max(used, default=-1)

    @cached_property
    def stack_map(self) -> StackMap:
        """The frame of every instruction (`bytecode_frames`): computed when the program is
        verified on load, and what the runtime checks a snapshot against."""
        from flowlang.compiler.bytecode_frames import stack_map  # it imports us

        return stack_map(self)

    @cached_property
    def source_file(self) -> SourceFile:
        return SourceFile(self.source, self.path or f"{self.workflow}.flow")

    def location(self, pc: int) -> tuple[int, int, int, int] | None:
        """(line, column, end_line, end_column), 1-based, of instruction `pc`, or None."""
        span = self.spans[pc] if 0 <= pc < len(self.spans) else None
        if span is None:
            return None
        line, column = self.source_file.line_col(span[0])
        end_line, end_column = self.source_file.line_col(span[1])
        return line, column, end_line, end_column


def disassemble(program: Program) -> str:
    """The program as text, one instruction a line (see `disasm.py`)."""
    from flowlang.compiler.disasm import disassemble as disassemble_program  # it imports us

    return disassemble_program(program)


def format_version_text(version: tuple[int, int]) -> str:
    return f"{version[0]}.{version[1]}"


def source_sha256(source: str) -> str:
    return hashlib.sha256(source.encode("utf-8")).hexdigest()


def _json_operands(instruction: Instruction) -> Iterator[object]:
    for operand in instruction:
        yield list(operand) if isinstance(operand, tuple) else operand


# ----------------------------------------------------------------------------- load errors


class ProgramLoadError(Exception):
    """A serialized program the runtime cannot run; the message says what to do."""


class NotAProgram(ProgramLoadError):
    """The data is not a compiled `.flow` program at all."""


class UnsupportedFormatVersion(ProgramLoadError):
    """A program in a format version this runtime does not read."""


class CorruptProgram(ProgramLoadError):
    """A program whose envelope is damaged: a missing or ill-typed field, a source hash that
    does not match its source."""


class InvalidInstruction(ProgramLoadError):
    """A program with an unknown opcode, a bad operand or a jump outside the code."""
