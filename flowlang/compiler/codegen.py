"""Codegen: the tree of a program without errors to a `Program` (see `bytecode.py` for the
machine it targets).

Statements leave the operand stack as they found it, except for what their own structure keeps
there: a `for` loop keeps its iterator, a `finally` block runs with its pending completion on
top. `_exits` mirrors that structure from the outside in, so that `break` and `continue` can be
compiled statically: leaving a try region pops its handler record (and runs its finally with
`JUMP_FINALLY`), leaving a finally block drops its completion, and the loop is reached with
exactly its own stack. `return` and `throw` unwind dynamically in the VM instead: they need
the handler records anyway to find the finally blocks, and drop whatever is above them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flowlang.compiler import ast
from flowlang.compiler.analysis import Analysis
from flowlang.compiler.bytecode import Program
from flowlang.compiler.codegen_emit import Jump
from flowlang.compiler.codegen_expressions import ExpressionCompiler
from flowlang.compiler.codegen_types import declared_types
from flowlang.compiler.trampoline import Visit, trampoline


def generate(analysis: Analysis, workflow: str, path: str | None = None) -> Program:
    """The program of an analysis without error diagnostics (the caller checks that)."""
    compiler = _StatementCompiler(analysis.resolution)
    trampoline(compiler.program(analysis.program))
    return Program(
        workflow=workflow,
        source=analysis.source.text,
        path=path,
        types=declared_types(analysis.front_matter),
        queue=analysis.front_matter.queue,
        constants=tuple(compiler.constants),
        code=compiler.instructions(),
        spans=tuple(compiler.spans),
    )


@dataclass
class _Loop:
    continue_at: int
    breaks: list[Jump] = field(default_factory=list)


@dataclass
class _TryRegion:
    """Inside a region with a handler record: a try block, or the catch block of a try that
    has a finally. `finally_jumps` collect the `JUMP_FINALLY`s of exits, patched to it."""

    has_finally: bool
    finally_jumps: list[Jump] = field(default_factory=list)


class _FinallyBlock:
    """Inside a finally block: its pending completion is on the stack."""


_Exit = _Loop | _TryRegion | _FinallyBlock


class _StatementCompiler(ExpressionCompiler):
    def __init__(self, *args: object) -> None:
        super().__init__(*args)
        self._exits: list[_Exit] = []

    def program(self, program: ast.Program) -> Visit:
        yield self._statements(program.body)
        self.emit_constant(None)
        self.emit("RETURN")

    def _statements(self, statements: tuple[ast.Stmt, ...]) -> Visit:
        for statement in statements:
            yield self._statement(statement)

    def _statement(self, node: ast.Stmt) -> Visit:
        match node:
            case ast.VarDecl():
                for declarator in node.declarators:
                    if declarator.init is None:
                        self.emit_constant(None, declarator.span)
                    else:
                        yield self.expression(declarator.init)
                    yield self._bind(declarator.target)
            case ast.Block():
                yield self._statements(node.body)
            case ast.ExprStmt():
                yield self.expression(node.expression)
                self.emit("POP")
            case ast.Assign():
                yield self._assign(node)
            case ast.Update():
                yield self._update(node)
            case ast.If():
                yield self._if(node)
            case ast.While():
                yield self._while(node)
            case ast.For():
                yield self._for(node)
            case ast.Try():
                yield self._try(node)
            case ast.Return():
                if node.value is None:
                    self.emit_constant(None, node.span)
                else:
                    yield self.expression(node.value)
                self.emit("RETURN", span=node.span)
            case ast.Throw():
                yield self.expression(node.value)
                self.emit("THROW", span=node.span)
            case ast.Break():
                self._leave_to_loop(lambda loop: loop.breaks.append(self.emit_jump("JUMP")))
            case ast.Continue():
                self._leave_to_loop(lambda loop: self.emit("JUMP", loop.continue_at))
            case ast.Empty():
                pass

    # ------------------------------------------------------------------------- assignment

    def _assign(self, node: ast.Assign) -> Visit:
        place = node.target
        assert isinstance(place, ast.Name | ast.Member | ast.Index)  # FLOW009 otherwise
        keys = yield from self.place_keys(place)
        if node.operator != "=":
            self.load_place(place, keys)
        yield self.expression(node.value)
        if node.operator != "=":
            self.emit("BINARY", node.operator[0], span=node.span)
        self.store_place(place, keys, place.span)

    def _update(self, node: ast.Update) -> Visit:
        place = node.target
        assert isinstance(place, ast.Name | ast.Member | ast.Index)  # FLOW009 otherwise
        keys = yield from self.place_keys(place)
        self.load_place(place, keys)
        self.emit("UPDATE", node.operator, span=node.span)
        self.store_place(place, keys, place.span)

    # ------------------------------------------------------------------------- control flow

    def _if(self, node: ast.If) -> Visit:
        yield self.expression(node.test)
        otherwise = self.emit_jump("POP_JUMP_IF_FALSE", span=node.test.span)
        yield self._statement(node.consequent)
        if node.alternate is None:
            self.patch(otherwise)
            return
        end = self.emit_jump("JUMP")
        self.patch(otherwise)
        yield self._statement(node.alternate)
        self.patch(end)

    def _while(self, node: ast.While) -> Visit:
        loop = _Loop(continue_at=self.pc)
        yield self.expression(node.test)
        loop.breaks.append(self.emit_jump("POP_JUMP_IF_FALSE", span=node.test.span))
        yield self._loop_body(loop, node.body)
        self.emit("JUMP", loop.continue_at)
        for jump in loop.breaks:
            self.patch(jump)

    def _for(self, node: ast.For) -> Visit:
        """`iterable GET_ITER; next: FOR_NEXT exit; bind; body; JUMP next; exit: POP`."""
        yield self.expression(node.iterable)
        self.emit("GET_ITER", node.iteration, span=node.iterable.span)
        loop = _Loop(continue_at=self.pc)
        loop.breaks.append(self.emit_jump("FOR_NEXT"))
        yield self._bind(node.target)
        yield self._loop_body(loop, node.body)
        self.emit("JUMP", loop.continue_at)
        for jump in loop.breaks:
            self.patch(jump)
        self.emit("POP")

    def _loop_body(self, loop: _Loop, body: ast.Stmt) -> Visit:
        self._exits.append(loop)
        yield self._statement(body)
        self._exits.pop()

    def _leave_to_loop(self, jump: object) -> None:
        """Leave every region between here and the innermost loop, then `jump(loop)`."""
        for exit_ in reversed(self._exits):
            if isinstance(exit_, _Loop):
                jump(exit_)  # type: ignore[operator]
                return
            if isinstance(exit_, _TryRegion):
                self.emit("POP_TRY")
                if exit_.has_finally:
                    self._run_finally(exit_, resume=self.pc + 1)
            else:
                self.emit("POP")  # the pending completion of the finally block being left
        raise AssertionError("break or continue outside a loop reached codegen")  # FLOW107

    def _run_finally(self, region: _TryRegion, resume: int) -> None:
        jump = self.emit("JUMP_FINALLY", None, resume)
        region.finally_jumps.append(Jump(jump, 0))

    # ------------------------------------------------------------------------- try (§5.11)

    def _try(self, node: ast.Try) -> Visit:
        """`SETUP_TRY catch finally; block; POP_TRY; (JUMP_FINALLY finally end | JUMP end);
        catch: bind; handler; [POP_TRY; JUMP_FINALLY finally end]; finally: body;
        END_FINALLY; end:` — a throw in the catch block still runs the finally because the
        VM keeps the record (without its handler) while the catch block runs."""
        has_finally = node.finalizer is not None
        setup = self.emit("SETUP_TRY", None, None)
        region = _TryRegion(has_finally)
        yield self._in_region(region, node.block)
        ends = [self._leave_region(region)]
        if node.handler is not None:
            self.patch(Jump(setup, 0))
            handler = node.handler
            if handler.param is None:
                self.emit("POP")
            else:
                yield self._bind(handler.param)
            if has_finally:
                yield self._in_region(region, handler.body)
                ends.append(self._leave_region(region))
            else:
                yield self._statements(handler.body.body)
        if node.finalizer is not None:
            self.patch(Jump(setup, 1))
            for jump in region.finally_jumps:
                self.patch(jump)
            self._exits.append(_FinallyBlock())
            yield self._statements(node.finalizer.body)
            self._exits.pop()
            self.emit("END_FINALLY")
        for end in ends:
            self.patch(end)

    def _in_region(self, region: _TryRegion, block: ast.Block) -> Visit:
        self._exits.append(region)
        yield self._statements(block.body)
        self._exits.pop()

    def _leave_region(self, region: _TryRegion) -> Jump:
        """Normal completion of a try or catch block: the jump to patch to the end."""
        self.emit("POP_TRY")
        if not region.has_finally:
            return self.emit_jump("JUMP")
        pc = self.emit("JUMP_FINALLY", None, None)
        region.finally_jumps.append(Jump(pc, 0))
        return Jump(pc, 1)

    # ------------------------------------------------------------------------- patterns (§5.2)

    def _bind(self, target: ast.Target) -> Visit:
        """Store the value on top of the stack into `target` (consuming it)."""
        match target:
            case ast.BindingName():
                self.emit("STORE_SLOT", self.declared_slot(target), span=target.span)
            case ast.ObjectPattern():
                yield self._object_pattern(target)
            case ast.ArrayPattern():
                yield self._array_pattern(target)

    def _object_pattern(self, pattern: ast.ObjectPattern) -> Visit:
        self.emit("OBJECT_PATTERN", span=pattern.span)
        for prop in pattern.properties:
            if prop.default is None:
                self.emit("PATTERN_PROP", prop.key, span=prop.span)
            else:
                present = self.emit_jump("PATTERN_PROP_DEFAULT", prop.key, span=prop.span)
                yield self.expression(prop.default)
                self.patch(present)
            yield self._bind(prop.target)
        if pattern.rest is None:
            self.emit("POP")
            return
        keys = tuple(prop.key for prop in pattern.properties)
        self.emit("PATTERN_OBJECT_REST", keys, span=pattern.rest.span)
        yield self._bind(pattern.rest)

    def _array_pattern(self, pattern: ast.ArrayPattern) -> Visit:
        self.emit("ARRAY_PATTERN", span=pattern.span)
        for index, element in enumerate(pattern.elements):
            if element is None:
                continue
            if element.default is None:
                self.emit("PATTERN_ELEMENT", index, span=element.span)
            else:
                present = self.emit_jump("PATTERN_ELEMENT_DEFAULT", index, span=element.span)
                yield self.expression(element.default)
                self.patch(present)
            yield self._bind(element.target)
        if pattern.rest is None:
            self.emit("POP")
            return
        self.emit("PATTERN_ARRAY_REST", len(pattern.elements), span=pattern.rest.span)
        yield self._bind(pattern.rest)
