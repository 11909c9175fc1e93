"""Code for expressions (LANGUAGE.md §6): each leaves exactly one value on the stack.

Visits are generators run by `trampoline()`, so expressions of any depth compile without
Python recursion (the parser accepts `x + x + … + x` with thousands of terms).
"""

from __future__ import annotations

from collections.abc import Generator, Sequence

from flowlang.compiler import ast, stdlib
from flowlang.compiler.codegen_emit import Emitter, Jump
from flowlang.compiler.resolve import MUTATING_METHODS
from flowlang.compiler.source import Span
from flowlang.compiler.trampoline import Visit

_LOGICAL_JUMPS = {
    "&&": "JUMP_IF_FALSE_OR_POP",
    "||": "JUMP_IF_TRUE_OR_POP",
    "??": "JUMP_IF_NOT_NULL_OR_POP",
}

Place = ast.Name | ast.Member | ast.Index


class ExpressionCompiler(Emitter):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        # The `?.` jumps of each optional chain being compiled, innermost last: they all land
        # at the end of their chain (§6.4).
        self._chains: list[list[Jump]] = []

    def expression(self, node: ast.Expr) -> Visit:
        match node:
            case ast.NumberLit() | ast.StringLit() | ast.BoolLit():
                self.emit_constant(node.value, node.span)
            case ast.NullLit():
                self.emit_constant(None, node.span)
            case ast.Name():
                self._load_name(node)
            case ast.TemplateLit():
                yield self._template(node)
            case ast.ArrayLit():
                yield self._sequence(node.elements, node.span)
            case ast.ObjectLit():
                yield self._object(node)
            case ast.Member():
                yield self.expression(node.object)
                self._optional_link(node.optional)
                self.emit("GET_PROP", node.name, span=node.span)
            case ast.Index():
                yield self.expression(node.object)
                self._optional_link(node.optional)
                yield self.expression(node.index)
                self.emit("GET_INDEX", span=node.span)
            case ast.Call():
                yield self._call(node)
            case ast.OptionalChain():
                self._chains.append([])
                yield self.expression(node.expression)
                for jump in self._chains.pop():
                    self.patch(jump)
            case ast.Unary():
                yield self.expression(node.operand)
                self.emit("UNARY", node.operator, span=node.span)
            case ast.Await():
                yield self.expression(node.operand)
                self.emit("AWAIT", span=node.span)
            case ast.Binary():
                yield self.expression(node.left)
                yield self.expression(node.right)
                self.emit("BINARY", node.operator, span=node.span)
            case ast.Logical():
                yield self.expression(node.left)
                end = self.emit_jump(_LOGICAL_JUMPS[node.operator], span=node.operator_span)
                yield self.expression(node.right)
                self.patch(end)
            case ast.Conditional():
                yield self.expression(node.test)
                otherwise = self.emit_jump("POP_JUMP_IF_FALSE", span=node.test.span)
                yield self.expression(node.consequent)
                end = self.emit_jump("JUMP")
                self.patch(otherwise)
                yield self.expression(node.alternate)
                self.patch(end)

    def _load_name(self, node: ast.Name) -> None:
        slot = self.variable_slot(node)
        if slot is None:
            self.emit("LOAD_GLOBAL", node.name, span=node.span)
        else:
            self.emit("LOAD_SLOT", slot, span=node.span)

    def _optional_link(self, optional: bool) -> None:
        """`?.`: skip to the end of the chain when the value so far is null."""
        if optional:
            self._chains[-1].append(self.emit_jump("JUMP_IF_NULL"))

    def _template(self, node: ast.TemplateLit) -> Visit:
        parts = 0
        for position, text in enumerate(node.quasis):
            if text:
                self.emit_constant(text, node.span)
                parts += 1
            if position < len(node.expressions):
                yield self.expression(node.expressions[position])
                parts += 1
        if parts == 0:
            self.emit_constant("", node.span)
        elif parts > 1 or node.expressions:  # one literal part is already the string
            self.emit("BUILD_TEMPLATE", parts, span=node.span)

    def _sequence(self, items: Sequence[ast.Expr | ast.Spread], span: Span) -> Visit:
        """An array of `items` (an array literal or the arguments of a call with `...`):
        one BUILD_ARRAY for the items before the first spread, then one instruction each."""
        prefix = next((i for i, item in enumerate(items) if isinstance(item, ast.Spread)), None)
        prefix = len(items) if prefix is None else prefix
        for item in items[:prefix]:
            yield self.expression(item)  # type: ignore[arg-type]  # no spread in the prefix
        self.emit("BUILD_ARRAY", prefix, span=span)
        for item in items[prefix:]:
            if isinstance(item, ast.Spread):
                yield self.expression(item.expression)
                self.emit("ARRAY_EXTEND", span=item.span)
            else:
                yield self.expression(item)
                self.emit("ARRAY_APPEND", span=item.span)

    def _object(self, node: ast.ObjectLit) -> Visit:
        members = node.members
        prefix = next((i for i, m in enumerate(members) if isinstance(m, ast.Spread)), None)
        prefix = len(members) if prefix is None else prefix
        for member in members[:prefix]:
            yield self._property(member)  # type: ignore[arg-type]  # no spread in the prefix
        self.emit("BUILD_OBJECT", prefix, span=node.span)
        for member in members[prefix:]:
            if isinstance(member, ast.Spread):
                yield self.expression(member.expression)
                self.emit("OBJECT_SPREAD", span=member.span)
            else:
                yield self._property(member)
                self.emit("OBJECT_SET", span=member.span)

    def _property(self, member: ast.Property) -> Visit:
        """Push a member's key, then its value."""
        if member.computed is None:
            self.emit_constant(member.key, member.key_span)
        else:
            yield self.expression(member.computed)
        yield self.expression(member.value)

    # ------------------------------------------------------------------------- calls (§6.5)

    def _call(self, node: ast.Call) -> Visit:
        callee = node.callee
        if isinstance(callee, ast.Name):
            yield self._builtin_call(callee.name, node)
        elif isinstance(callee, ast.Member) and self._is_namespace(callee.object):
            yield self._builtin_call(f"{callee.object.name}.{callee.name}", node)  # type: ignore[union-attr]
        elif isinstance(callee, ast.Member):
            yield self._method_call(callee, node)
        else:  # the checker reports any other callee (FLOW207): no program gets here
            raise AssertionError(f"call of {type(callee).__name__} reached codegen")

    def _is_namespace(self, node: ast.Expr) -> bool:
        return (
            isinstance(node, ast.Name)
            and self.variable_slot(node) is None
            and node.name in stdlib.NAMESPACE_MEMBERS
        )

    def _builtin_call(self, qualified: str, node: ast.Call) -> Visit:
        if _has_spread(node.arguments):
            yield self._sequence(node.arguments, node.span)
            self.emit("CALL_BUILTIN_SPREAD", qualified, span=node.span)
        else:
            yield self._arguments(node.arguments)
            self.emit("CALL_BUILTIN", qualified, len(node.arguments), span=node.span)

    def _arguments(self, arguments: Sequence[ast.Expr | ast.Spread]) -> Visit:
        for argument in arguments:
            yield self.expression(argument)  # type: ignore[arg-type]  # no spread here

    def _method_call(self, callee: ast.Member, node: ast.Call) -> Visit:
        receiver = callee.object
        if callee.name in MUTATING_METHODS and self.is_place(receiver):
            yield self._mutating_call(receiver, callee, node)  # type: ignore[arg-type]
            return
        yield self.expression(receiver)
        self._optional_link(callee.optional)
        yield self._method_arguments("CALL_METHOD", callee.name, node)

    def _method_arguments(self, op: str, name: str, node: ast.Call) -> Visit:
        """The arguments and the call, the receiver being on the stack."""
        if _has_spread(node.arguments):
            yield self._sequence(node.arguments, node.span)
            self.emit(f"{op}_SPREAD", name, span=node.span)
        else:
            yield self._arguments(node.arguments)
            self.emit(op, name, len(node.arguments), span=node.span)

    def _mutating_call(self, receiver: Place, callee: ast.Member, node: ast.Call) -> Visit:
        """`place.push(x)`: call, then write the changed receiver back to the place (§6.5):
        `keys... receiver' result` -> ROT -> `result keys... receiver'` -> store."""
        keys = yield from self.place_keys(receiver)
        self.load_place(receiver, keys)
        skip = self.emit_jump("JUMP_IF_NULL") if callee.optional else None
        yield self._method_arguments("CALL_METHOD_MUT", callee.name, node)
        self.emit("ROT", keys + 2)
        self.store_place(receiver, keys, receiver.span)
        if skip is not None:
            # `place?.push(x)` on null: drop the keys under the null, then end the chain.
            done = self.emit_jump("JUMP")
            self.patch(skip)
            if keys:
                self.emit("ROT", keys + 1)
                for _ in range(keys):
                    self.emit("POP")
            self._chains[-1].append(done)

    # ------------------------------------------------------------------------- places (§5.4)

    def is_place(self, node: ast.Expr) -> bool:
        """A variable, or a non-optional `.name` / `[i]` chain from one."""
        while isinstance(node, ast.Member | ast.Index) and not node.optional:
            node = node.object
        return isinstance(node, ast.Name) and self.variable_slot(node) is not None

    def _place_slot(self, place: Place) -> int:
        root = place
        while isinstance(root, ast.Member | ast.Index):
            root = root.object  # type: ignore[assignment]  # a place is rooted at a Name
        slot = self.variable_slot(root)  # type: ignore[arg-type]
        assert slot is not None
        return slot

    def place_keys(self, place: Place) -> Generator[Visit, None, int]:
        """Push the keys of the path, outermost first, and return how many there are."""
        links: list[ast.Member | ast.Index] = []
        node: ast.Expr = place
        while isinstance(node, ast.Member | ast.Index):
            links.append(node)
            node = node.object
        for link in reversed(links):
            if isinstance(link, ast.Member):
                self.emit_constant(link.name, link.name_span)
            else:
                yield self.expression(link.index)
        return len(links)

    def load_place(self, place: Place, keys: int) -> None:
        """Read the current value of a place whose keys are on the stack (kept there)."""
        if keys:
            self.emit("LOAD_PATH", self._place_slot(place), keys, span=place.span)
        else:
            self.emit("LOAD_SLOT", self._place_slot(place), span=place.span)

    def store_place(self, place: Place, keys: int, span: Span) -> None:
        """Store the top value into a place whose keys are under it."""
        if keys:
            self.emit("STORE_PATH", self._place_slot(place), keys, span=span)
        else:
            self.emit("STORE_SLOT", self._place_slot(place), span=span)


def _has_spread(arguments: Sequence[ast.Expr | ast.Spread]) -> bool:
    return any(isinstance(argument, ast.Spread) for argument in arguments)
