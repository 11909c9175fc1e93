"""The code buffer codegen writes into: instructions, their spans, the constant table, the
variable slots, and forward jumps patched once their target is known (clox's `emitJump` /
`patchJump`)."""

from __future__ import annotations

from dataclasses import dataclass

from flowlang.compiler import ast
from flowlang.compiler.bytecode import OPCODES
from flowlang.compiler.resolve import Binding, Resolution
from flowlang.compiler.source import Span


@dataclass(frozen=True, slots=True)
class Jump:
    """An emitted instruction with a target operand still to fill (`operand` is its index
    among the instruction's operands)."""

    pc: int
    operand: int = 0


class Emitter:
    def __init__(self, resolution: Resolution) -> None:
        self.code: list[list[object]] = []
        self.spans: list[tuple[int, int] | None] = []
        self.constants: list[object] = []
        # Keyed by type as well as value: `1`, `1.5`, `True` and `"1"` are distinct constants
        # even where Python considers them equal (`1 == True`).
        self._constant_index: dict[tuple[type, object], int] = {}
        self._references = resolution.references
        # One slot per declaration: shadowing and scopes are static, so two bindings never
        # need to share one.
        self._slots: dict[int, int] = {b.span.start: i for i, b in enumerate(resolution.bindings)}

    @property
    def pc(self) -> int:
        """The index the next instruction will have."""
        return len(self.code)

    def emit(self, op: str, *operands: object, span: Span | None = None) -> int:
        assert len(operands) == len(OPCODES[op].operands), op  # codegen bug, never user input
        self.code.append([op, *operands])
        self.spans.append(None if span is None else (span.start, span.end))
        return len(self.code) - 1

    def emit_jump(self, op: str, *operands: object, span: Span | None = None) -> Jump:
        """Emit `op` whose last operand is a target not known yet (None until `patch`)."""
        pc = self.emit(op, *operands, None, span=span)
        return Jump(pc, len(operands))

    def patch(self, jump: Jump, target: int | None = None) -> None:
        """Point `jump` at `target` (default: the next instruction to be emitted)."""
        self.code[jump.pc][1 + jump.operand] = self.pc if target is None else target

    def emit_constant(self, value: object, span: Span | None = None) -> None:
        key = (type(value), value)
        index = self._constant_index.get(key)
        if index is None:
            index = self._constant_index[key] = len(self.constants)
            self.constants.append(value)
        self.emit("LOAD_CONST", index, span=span)

    # ------------------------------------------------------------------------- variables

    def variable_slot(self, name: ast.Name) -> int | None:
        """The slot of the variable `name` refers to; None for a builtin global."""
        binding: Binding | None = self._references.get(name.span.start)
        return None if binding is None else self._slots[binding.span.start]

    def declared_slot(self, name: ast.BindingName) -> int:
        return self._slots[name.span.start]

    def instructions(self) -> tuple[tuple[object, ...], ...]:
        return tuple(tuple(tuple(x) if isinstance(x, list) else x for x in i) for i in self.code)
