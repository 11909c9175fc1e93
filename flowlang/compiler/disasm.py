"""The disassembler: a Program as text, for `flowc disasm` and for reading codegen's output
(clox's `debug.c`, CPython's `dis`).

One line per instruction: a `>>` mark on jump targets, the pc, the source line:column of the
instruction's span, the opcode, its operands, and a comment that decodes them: the constant a
`LOAD_CONST` pushes, the variable a slot holds (read from the source at the span), `-> pc` for
jump targets.
"""

from __future__ import annotations

import json

from flowlang.compiler.bytecode import (
    FORMAT_VERSION,
    OPCODES,
    Instruction,
    Program,
    format_version_text,
)

_SLOT_OPS = frozenset({"LOAD_SLOT", "STORE_SLOT"})


def disassemble(program: Program) -> str:
    targets = _jump_targets(program)
    lines = [_header(program)]
    for pc, instruction in enumerate(program.code):
        lines.append(_line(program, pc, instruction, pc in targets))
    return "\n".join(lines) + "\n"


def _header(program: Program) -> str:
    return (
        f"workflow {program.workflow}: {len(program.code)} instructions,"
        f" {len(program.constants)} constants, {program.slot_count} slots"
        f" (format {format_version_text(FORMAT_VERSION)}, {program.compiler})"
    )


def _jump_targets(program: Program) -> set[int]:
    found: set[int] = set()
    for instruction in program.code:
        kinds = OPCODES[str(instruction[0])].operands
        for kind, operand in zip(kinds, instruction[1:], strict=True):
            if kind in ("target", "target?") and isinstance(operand, int):
                found.add(operand)
    return found


def _line(program: Program, pc: int, instruction: Instruction, is_target: bool) -> str:
    location = program.location(pc)
    where = "" if location is None else f"{location[0]}:{location[1]}"
    operands = " ".join(_operand_text(operand) for operand in instruction[1:])
    comment = _comment(program, pc, instruction)
    text = f"{'>>' if is_target else '  '}{pc:>5}  {where:<8} {instruction[0]:<24} {operands}"
    return f"{text:<60} # {comment}".rstrip() if comment else text.rstrip()


def _operand_text(operand: object) -> str:
    if isinstance(operand, tuple):
        return json.dumps(list(operand), ensure_ascii=False)
    return json.dumps(operand, ensure_ascii=False)


def _comment(program: Program, pc: int, instruction: Instruction) -> str:
    op = str(instruction[0])
    kinds = OPCODES[op].operands
    notes: list[str] = []
    for kind, operand in zip(kinds, instruction[1:], strict=True):
        if kind == "const":
            constant = program.constants[operand]  # type: ignore[call-overload]  # verified index
            notes.append(json.dumps(constant, ensure_ascii=False))
        elif kind in ("target", "target?") and operand is not None:
            notes.append(f"-> {operand}")
    span = program.spans[pc]
    if op in _SLOT_OPS and span is not None:
        notes.append(program.source[span[0] : span[1]])
    return ", ".join(notes)
