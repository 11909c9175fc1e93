"""Instructions made ready to run: each `(opname, *operands)` of a Program becomes a triple
`(opcode number, a, b)` once per program version, with its operands resolved to what the
dispatch loop uses directly (the operator function for BINARY, the implementation for a call,
the constant itself for LOAD_CONST).

The numbers order the if-chain of `vm_loop`: the most frequent instructions come first. Every
opcode of `flowlang.compiler.bytecode.OPCODES` has a number (a test holds that).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from typing import Any, Final

from flowlang.compiler.bytecode import Instruction, Program
from flowlang.compiler.stdlib import lookup_method
from rhythm.values import BINARY_OPERATORS, Value, negate, truthy, typeof

Decoded = tuple[int, Any, Any]

# Handled inside the loop, most frequent first.
LOAD_SLOT = 0
LOAD_CONST = 1
STORE_SLOT = 2
BINARY = 3
POP_JUMP_IF_FALSE = 4
JUMP = 5
GET_PROP = 6
GET_INDEX = 7
FOR_NEXT = 8
POP = 9
UNARY = 10
JUMP_IF_FALSE_OR_POP = 11
JUMP_IF_TRUE_OR_POP = 12
JUMP_IF_NOT_NULL_OR_POP = 13
JUMP_IF_NULL = 14
# Everything from here on is a call of a handler in `vm_ops.HANDLERS`.
FIRST_HANDLED = 15

_INLINE: Final = {
    "LOAD_SLOT": LOAD_SLOT,
    "LOAD_CONST": LOAD_CONST,
    "STORE_SLOT": STORE_SLOT,
    "BINARY": BINARY,
    "POP_JUMP_IF_FALSE": POP_JUMP_IF_FALSE,
    "JUMP": JUMP,
    "GET_PROP": GET_PROP,
    "GET_INDEX": GET_INDEX,
    "FOR_NEXT": FOR_NEXT,
    "POP": POP,
    "UNARY": UNARY,
    "JUMP_IF_FALSE_OR_POP": JUMP_IF_FALSE_OR_POP,
    "JUMP_IF_TRUE_OR_POP": JUMP_IF_TRUE_OR_POP,
    "JUMP_IF_NOT_NULL_OR_POP": JUMP_IF_NOT_NULL_OR_POP,
    "JUMP_IF_NULL": JUMP_IF_NULL,
}

# The handled opcodes in the order of `vm_ops.HANDLERS`.
HANDLED_NAMES: Final = (
    "ROT",
    "LOAD_GLOBAL",
    "BUILD_ARRAY",
    "ARRAY_APPEND",
    "ARRAY_EXTEND",
    "BUILD_OBJECT",
    "OBJECT_SET",
    "OBJECT_SPREAD",
    "BUILD_TEMPLATE",
    "LOAD_PATH",
    "STORE_PATH",
    "UPDATE",
    "AWAIT",
    "CALL_BUILTIN",
    "CALL_BUILTIN_SPREAD",
    "CALL_METHOD",
    "CALL_METHOD_SPREAD",
    "CALL_METHOD_MUT",
    "CALL_METHOD_MUT_SPREAD",
    "GET_ITER",
    "OBJECT_PATTERN",
    "PATTERN_PROP",
    "PATTERN_PROP_DEFAULT",
    "PATTERN_OBJECT_REST",
    "ARRAY_PATTERN",
    "PATTERN_ELEMENT",
    "PATTERN_ELEMENT_DEFAULT",
    "PATTERN_ARRAY_REST",
    "SETUP_TRY",
    "POP_TRY",
    "JUMP_FINALLY",
    "END_FINALLY",
    "THROW",
    "RETURN",
)

NUMBERS: Final[dict[str, int]] = {
    **_INLINE,
    **{name: FIRST_HANDLED + i for i, name in enumerate(HANDLED_NAMES)},
}


def _not(value: Value) -> bool:
    return not truthy(value)


_UNARY: Final[dict[str, Callable[[Value], Value]]] = {"!": _not, "-": negate, "typeof": typeof}


def is_mutating_method(name: str) -> bool:
    """Whether `name` is a ✎ method (§9.11): only arrays have them."""
    method = lookup_method("array", name)
    return method is not None and method.mutates


def _operands(name: str, instruction: Instruction, constants: tuple[object, ...]) -> Decoded:
    number = NUMBERS[name]
    operands: tuple[Any, ...] = instruction[1:]  # verified on load to fit the opcode
    a: Any = operands[0] if operands else None
    b: Any = operands[1] if len(operands) > 1 else None
    if name == "LOAD_CONST":
        a = constants[a]
    elif name == "BINARY":
        a = BINARY_OPERATORS[a]
    elif name == "UNARY":
        a = _UNARY[a]
    elif name in ("CALL_METHOD", "CALL_METHOD_SPREAD"):
        b = (b, is_mutating_method(a))
    elif name == "PATTERN_OBJECT_REST":
        a = list(a)
    return number, a, b


def decode(program: Program) -> list[Decoded]:
    constants = program.constants
    return [_operands(str(instruction[0]), instruction, constants) for instruction in program.code]


class DecodedCache:
    """Decoded code by program version hash, the most recently used few."""

    def __init__(self, size: int = 64) -> None:
        self._size = size
        self._entries: OrderedDict[str, list[Decoded]] = OrderedDict()

    def code_of(self, program: Program) -> list[Decoded]:
        key = program.version_hash
        code = self._entries.get(key)
        if code is None:
            code = decode(program)
            self._entries[key] = code
            if len(self._entries) > self._size:
                self._entries.popitem(last=False)
        else:
            self._entries.move_to_end(key)
        return code
