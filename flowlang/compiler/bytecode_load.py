"""Loading a serialized Program: the envelope, then every instruction, checked before anything
runs (starlark-go's loader, with one error class per kind of problem).

Order matters for the messages: first "is this a program at all" (`NotAProgram`), then "can this
runtime read its format" (`UnsupportedFormatVersion`) — only then is a missing field or a hash
mismatch damage (`CorruptProgram`), and only in an intact envelope is a bad operand or jump
`InvalidInstruction`, and last its stack discipline (`bytecode_frames`). The VM trusts a loaded
program: no operand is checked again at run time, and it cannot underflow its stack.

`pinned`: the version hash a program was registered under. A program read back from the
runtime's store must hash to it, or the stored text was changed after registration.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection

from pydantic import (
    BaseModel,
    ConfigDict,
    FiniteFloat,
    StrictInt,
    StrictStr,
    ValidationError,
    conlist,
)

from flowlang.compiler import stdlib
from flowlang.compiler.bytecode import (
    FORMAT_VERSION,
    MAGIC,
    OPCODES,
    TERMINATORS,
    CorruptProgram,
    Instruction,
    InvalidInstruction,
    NotAProgram,
    OperandKind,
    Program,
    UnsupportedFormatVersion,
    format_version_text,
    source_sha256,
)
from flowlang.compiler.bytecode_frames import stack_map

_REBUILD = "rebuild it with `flowc build`"

# Bounds on counts and slots, so that a damaged operand cannot make the VM allocate without end.
MAX_OPERAND = 1 << 20

_FORMAT = re.compile(r"(\d+)\.(\d+)\Z")

JsonScalar = None | bool | StrictInt | FiniteFloat | StrictStr


class _Types(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    inputs: str | None
    output: str | None
    signals: dict[str, str] | None


class _Envelope(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)
    magic: str
    format: str
    compiler: str
    workflow: str
    path: str | None
    queue: str | None
    types: _Types
    source_sha256: str
    constants: list[JsonScalar]
    code: list[list[object]]
    spans: list[conlist(StrictInt, min_length=2, max_length=2) | None]  # type: ignore[valid-type]
    source: str


def load_program(data: bytes | str, pinned: str | None = None) -> Program:
    """The verified Program serialized in `data`, which must hash to the version hash `pinned`
    when given; raises a `ProgramLoadError` subclass."""
    document = _parse_document(data)
    _check_format(document.get("format"))
    envelope = _read_envelope(document)
    program = Program(
        workflow=envelope.workflow,
        source=envelope.source,
        path=envelope.path,
        types=envelope.types.model_dump(),
        queue=envelope.queue,
        constants=tuple(envelope.constants),
        code=tuple(_instruction(raw, pc) for pc, raw in enumerate(envelope.code)),
        spans=tuple(None if span is None else (span[0], span[1]) for span in envelope.spans),
        compiler=envelope.compiler,
    )
    if pinned is not None and program.version_hash != pinned:
        raise CorruptProgram(
            f"corrupt program: it hashes to {program.version_hash}, not to the version {pinned}"
            " it was registered under (the stored program was changed after registration);"
            " register the workflow again"
        )
    verify(program)
    return program


def _parse_document(data: bytes | str) -> dict[str, object]:
    try:
        document = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise NotAProgram(
            f"not a compiled .flow program: the data is not JSON ({error}); expected a"
            " `.flowc.json` file written by `flowc build`"
        ) from None
    if not isinstance(document, dict) or document.get("magic") != MAGIC:
        raise NotAProgram(
            f"not a compiled .flow program: no `magic: {MAGIC}` field; expected a `.flowc.json`"
            " file written by `flowc build`"
        )
    return document


def _check_format(version: object) -> None:
    match = _FORMAT.match(version) if isinstance(version, str) else None
    ours = format_version_text(FORMAT_VERSION)
    reads = f"this runtime reads format {FORMAT_VERSION[0]}.x up to {ours}"
    if match is None:
        raise UnsupportedFormatVersion(
            f"the program's format version {version!r} is not of the form `<major>.<minor>`;"
            f" {reads}: {_REBUILD}"
        )
    major, minor = int(match[1]), int(match[2])
    if major != FORMAT_VERSION[0] or minor > FORMAT_VERSION[1]:
        raise UnsupportedFormatVersion(
            f"the program is in format {version}, but {reads}: {_REBUILD} from the flowlang"
            " version this runtime ships with, or upgrade the runtime"
        )


def _read_envelope(document: dict[str, object]) -> _Envelope:
    try:
        envelope = _Envelope.model_validate(document)
    except ValidationError as error:
        first = error.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "the envelope"
        raise CorruptProgram(
            f"corrupt program: `{where}`: {first['msg'].lower()} ({error.error_count()}"
            f" problem(s)); {_REBUILD}"
        ) from None
    if source_sha256(envelope.source) != envelope.source_sha256:
        raise CorruptProgram(
            "corrupt program: the source does not match its sha256 (the file was changed after"
            f" it was built); {_REBUILD}"
        )
    return envelope


def _instruction(raw: list[object], pc: int) -> Instruction:
    if not raw or not isinstance(raw[0], str):
        raise InvalidInstruction(f"invalid program: instruction {pc} has no opcode; {_REBUILD}")
    return tuple(tuple(x) if isinstance(x, list) else x for x in raw)


# ----------------------------------------------------------------------------- verification


def verify(program: Program) -> None:
    """Check every instruction's opcode, operands and jump targets, the span table, that the
    code cannot run off its end, and then its stack discipline (`bytecode_frames`: no
    underflow, no iterator or completion used as a value, one stack per instruction); raises
    `InvalidInstruction`."""
    code = program.code
    if not code or str(code[-1][0]) not in TERMINATORS:
        _invalid(len(code) - 1, "the code can run past its last instruction")
    if len(program.spans) != len(code):
        _invalid(None, f"{len(program.spans)} spans for {len(code)} instructions")
    for pc, instruction in enumerate(code):
        _verify_instruction(program, pc, instruction)
        span = program.spans[pc]
        if span is not None and not 0 <= span[0] <= span[1] <= len(program.source):
            _invalid(pc, f"span {list(span)} is outside the source")
    stack_map(program)


def _verify_instruction(program: Program, pc: int, instruction: Instruction) -> None:
    name = instruction[0]
    opcode = OPCODES.get(name) if isinstance(name, str) else None
    if opcode is None:
        _invalid(pc, f"unknown opcode {name!r}")
        return
    operands = instruction[1:]
    if len(operands) != len(opcode.operands):
        _invalid(pc, f"{name} takes {len(opcode.operands)} operand(s), got {len(operands)}")
    for position, (kind, operand) in enumerate(zip(opcode.operands, operands, strict=True)):
        problem = _CHECKS[kind](program, operand)
        if problem is not None:
            _invalid(pc, f"{name} operand {position + 1}: {problem}")
    problem = _opcode_rule(instruction)
    if problem is not None:
        _invalid(pc, f"{name}: {problem}")


def _opcode_rule(instruction: Instruction) -> str | None:
    """The rules one opcode adds to the kinds of its operands."""
    match instruction:
        case ("ROT", n) if n < 2:  # type: ignore[operator]  # checked as a count
            return "moves a value under at least one other (n >= 2)"
        case ("LOAD_PATH" | "STORE_PATH", _, 0):
            return "a path has at least one key"
        case ("SETUP_TRY", None, None):
            return "a try region has a handler, a finally or both"
    return None


def _invalid(pc: int | None, problem: str) -> None:
    where = "" if pc is None else f"instruction {pc}: "
    raise InvalidInstruction(f"invalid program: {where}{problem}; {_REBUILD}")


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_const(program: Program, operand: object) -> str | None:
    if _is_int(operand) and 0 <= operand < len(program.constants):  # type: ignore[operator]
        return None
    return f"{operand!r} is not a constant index (0..{len(program.constants) - 1})"


def _check_bounded(program: Program, operand: object) -> str | None:
    if _is_int(operand) and 0 <= operand <= MAX_OPERAND:  # type: ignore[operator]
        return None
    return f"{operand!r} is not a count or slot (0..{MAX_OPERAND})"


def _check_target(program: Program, operand: object) -> str | None:
    if _is_int(operand) and 0 <= operand < len(program.code):  # type: ignore[operator]
        return None
    return f"jump target {operand!r} is outside the code (0..{len(program.code) - 1})"


def _check_optional_target(program: Program, operand: object) -> str | None:
    return None if operand is None else _check_target(program, operand)


def _check_key(program: Program, operand: object) -> str | None:
    return None if isinstance(operand, str) else f"{operand!r} is not a property name"


def _check_keys(program: Program, operand: object) -> str | None:
    if isinstance(operand, tuple) and all(isinstance(key, str) for key in operand):
        return None
    return f"{operand!r} is not a list of property names"


def _one_of(allowed: Collection[str], what: str) -> Callable[[Program, object], str | None]:
    def check(program: Program, operand: object) -> str | None:
        return (
            None
            if isinstance(operand, str) and operand in allowed
            else f"{operand!r} is not {what}"
        )

    return check


_BUILTIN_FUNCTIONS = frozenset(b.qualified for b in stdlib.all_builtins() if b.kind == "function")
_METHOD_NAMES = frozenset(b.name for b in stdlib.all_builtins() if b.kind == "method")

_CHECKS: dict[OperandKind, Callable[[Program, object], str | None]] = {
    "const": _check_const,
    "slot": _check_bounded,
    "count": _check_bounded,
    "target": _check_target,
    "target?": _check_optional_target,
    "key": _check_key,
    "keys": _check_keys,
    "global": _one_of(("Inputs", "Context"), "a global value"),
    "builtin": _one_of(_BUILTIN_FUNCTIONS, "a builtin function"),
    "method": _one_of(_METHOD_NAMES, "a builtin method"),
    "unary": _one_of(("!", "-", "typeof"), "a unary operator"),
    "binary": _one_of(
        ("*", "/", "%", "+", "-", "<", "<=", ">", ">=", "==", "!=", "===", "!=="),
        "a binary operator",
    ),
    "update": _one_of(("++", "--"), "an update operator"),
    "iteration": _one_of(("of", "in"), "`of` or `in`"),
}
