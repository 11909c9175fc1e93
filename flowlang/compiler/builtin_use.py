"""How builtins are used: what may be called, what is a value, and what must be awaited.

Only builtins can be called and builtins are not values (LANGUAGE.md §6.5). These rules need
no types, only the shape of the code, the resolution of names and the stdlib table:

* FLOW108 — a member that a builtin namespace or `Context` does not have (`Math.maxx`);
* FLOW109 — a builtin namespace, global function or namespace function used without being
  called (`let f = Math.floor`, `typeof Promise`), or a method of a string or array literal
  read without a call (`"x".trim`);
* FLOW207 — a call whose callee is not a builtin function or method: a variable (`x()`), a
  computed member (`a["push"](1)`), the result of a call, or `value.name(…)` where `name` is
  no method of any kind (`o.f()`, `[1].length()`);
* FLOW405 — `Signal.next`, `Timer.delay` or `Timer.until` called as a statement.

The division of labour with the type checker (`check.py`): a method call `value.name(…)` whose
`name` is a method of some kind (`push`, `trim`) is the checker's to judge against the
receiver's type (FLOW204); so is a string or array *literal* receiver lacking the member
altogether (`"abc".toUppercase()`, `[1].map`), whose type is certain. Every other unknown
method name is reported here, whatever the receiver's type, since no value has that method.

Builtin names come only from the stdlib table (`stdlib.py`). The walk runs on `trampoline()`:
expressions nest thousands of levels deep.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence

from flowlang.compiler import ast, resolve, stdlib, types
from flowlang.compiler import builtin_use_messages as messages
from flowlang.compiler.diagnostics import Diagnostic, sort_key
from flowlang.compiler.trampoline import Visit, trampoline

# §11.8 FLOW405: the builtins whose promise must not be thrown away — a discarded timer waits
# for nothing, and a discarded `Signal.next` still consumes a signal.
DISCARD_WARNED: frozenset[str] = frozenset({"Signal.next", "Timer.delay", "Timer.until"})


class Role(enum.Enum):
    """What the enclosing expression does with an expression's value."""

    VALUE = "value"  # read as data: stored, returned, an operand, an argument
    CALLEE = "callee"  # called as `callee(…)`
    RECEIVER = "receiver"  # the object of a member access `receiver.name`
    REPORTED = "reported"  # its misuse was already reported by the enclosing expression


_LITERAL_KINDS: dict[type[ast.Node], str] = {
    ast.StringLit: "string",
    ast.TemplateLit: "string",
    ast.ArrayLit: "array",
}


def check_builtin_use(program: ast.Program, resolution: resolve.Resolution) -> list[Diagnostic]:
    """FLOW108, FLOW109, FLOW207 and FLOW405 for `program`, in source order."""
    checker = _BuiltinUse(resolution)
    trampoline(checker.statements(program.body))
    return sorted(checker.found, key=sort_key)


def method_names() -> frozenset[str]:
    """Every name that is a method (not a property) of some kind of value."""
    return frozenset(
        name
        for members in stdlib.METHODS.values()
        for name, builtin in members.items()
        if builtin.kind == "method"
    )


def member_kinds(name: str) -> tuple[str, ...]:
    """The kinds of value (`array`, `string`) that have a member called `name`."""
    return tuple(kind for kind, members in stdlib.METHODS.items() if name in members)


class _BuiltinUse:
    def __init__(self, resolution: resolve.Resolution) -> None:
        self._variables = resolution.references
        self._methods = method_names()
        self.found: list[Diagnostic] = []

    # ------------------------------------------------------------------------- statements

    def statements(self, statements: Sequence[ast.Stmt]) -> Visit:
        for statement in statements:
            yield self._statement(statement)

    def _statement(self, statement: ast.Stmt) -> Visit:
        match statement:
            case ast.VarDecl(declarators=declarators):
                for declarator in declarators:
                    if declarator.init is not None:
                        yield self._expression(declarator.init, Role.VALUE)
                    yield self._defaults(declarator.target)
            case ast.Block(body=body):
                yield self.statements(body)
            case ast.If(test=test, consequent=consequent, alternate=alternate):
                yield self._expression(test, Role.VALUE)
                yield self._statement(consequent)
                if alternate is not None:
                    yield self._statement(alternate)
            case ast.While(test=test, body=body):
                yield self._expression(test, Role.VALUE)
                yield self._statement(body)
            case ast.For(target=target, iterable=iterable, body=body):
                yield self._expression(iterable, Role.VALUE)
                yield self._defaults(target)
                yield self._statement(body)
            case ast.Try(block=block, handler=handler, finalizer=finalizer):
                yield self.statements(block.body)
                if handler is not None:
                    if handler.param is not None:
                        yield self._defaults(handler.param)
                    yield self.statements(handler.body.body)
                if finalizer is not None:
                    yield self.statements(finalizer.body)
            case ast.Return(value=value) if value is not None:
                yield self._expression(value, Role.VALUE)
            case ast.Throw(value=value):
                yield self._expression(value, Role.VALUE)
            case ast.ExprStmt(expression=expression):
                self._check_discarded_promise(expression)
                yield self._expression(expression, Role.VALUE)
            case ast.Assign(target=target, value=value):
                yield self._place(target)
                yield self._expression(value, Role.VALUE)
            case ast.Update(target=target):
                yield self._place(target)

    def _defaults(self, target: ast.Target) -> Visit:
        """The default expressions of a declaration pattern."""
        match target:
            case ast.ObjectPattern(properties=properties):
                for prop in properties:
                    if prop.default is not None:
                        yield self._expression(prop.default, Role.VALUE)
                    yield self._defaults(prop.target)
            case ast.ArrayPattern(elements=elements, rest=rest):
                for element in elements:
                    if element is not None:
                        if element.default is not None:
                            yield self._expression(element.default, Role.VALUE)
                        yield self._defaults(element.target)
                if rest is not None:
                    yield self._defaults(rest)

    def _place(self, place: ast.Expr) -> Visit:
        """An assignment target: only its key expressions are read. Writing through a builtin
        (`Math.x = 1`) is name resolution's FLOW105."""
        while isinstance(place, ast.Member | ast.Index):
            if isinstance(place, ast.Index):
                yield self._expression(place.index, Role.VALUE)
            place = place.object

    def _check_discarded_promise(self, expression: ast.Expr) -> None:
        if not isinstance(expression, ast.Call):
            return
        qualified = self._namespace_member_name(expression.callee)
        if qualified in DISCARD_WARNED:
            self.found.append(messages.discarded_promise(expression, qualified))

    # ------------------------------------------------------------------------- expressions

    def _expression(self, expression: ast.Expr | ast.Spread, role: Role) -> Visit:
        match expression:
            case ast.Name():
                self._check_name(expression, role)
            case ast.Member():
                self._check_member(expression, role)
                yield self._expression(expression.object, Role.RECEIVER)
            case ast.Call(callee=callee, arguments=arguments):
                callee_role = self._check_callee(expression)
                yield self._expression(callee, callee_role)
                yield self._all(arguments)
            case ast.Index(object=obj, index=index):
                yield self._expression(obj, Role.REPORTED if role is Role.REPORTED else Role.VALUE)
                yield self._expression(index, Role.VALUE)
            case ast.OptionalChain(expression=inner):
                yield self._expression(inner, role)
            case ast.Spread(expression=inner) | ast.Unary(operand=inner) | ast.Await(operand=inner):
                yield self._expression(inner, Role.VALUE)
            case ast.Binary(left=left, right=right) | ast.Logical(left=left, right=right):
                yield self._all((left, right))
            case ast.Conditional(test=test, consequent=consequent, alternate=alternate):
                yield self._all((test, consequent, alternate))
            case ast.TemplateLit(expressions=parts):
                yield self._all(parts)
            case ast.ArrayLit(elements=elements):
                yield self._all(elements)
            case ast.ObjectLit(members=members):
                for member in members:
                    if isinstance(member, ast.Property):
                        if member.computed is not None:
                            yield self._expression(member.computed, Role.VALUE)
                        yield self._expression(member.value, Role.VALUE)
                    else:
                        yield self._expression(member, Role.VALUE)

    def _all(self, expressions: Sequence[ast.Expr | ast.Spread]) -> Visit:
        for expression in expressions:
            yield self._expression(expression, Role.VALUE)

    # ------------------------------------------------------------------------- the rules

    def _builtin_global(self, expression: ast.Expr) -> stdlib.Global | None:
        """The builtin global `expression` names, if it is one (builtins cannot be shadowed)."""
        if not isinstance(expression, ast.Name) or self._is_variable(expression):
            return None
        return stdlib.GLOBALS.get(expression.name)

    def _is_variable(self, name: ast.Name) -> bool:
        """Whether `name` denotes a declared variable. The name must match too: the parser's
        recovery builds `Math.pow(a, b)` for `a ** b` with a `Math` node where `a` starts."""
        binding = self._variables.get(name.span.start)
        return binding is not None and binding.name == name.name

    def _is_undefined(self, expression: ast.Expr) -> bool:
        """Whether `expression` is a path rooted at an undefined name: FLOW101 covers it."""
        root = resolve.place_root(expression)
        return (
            isinstance(root, ast.Name)
            and not self._is_variable(root)
            and root.name not in stdlib.GLOBALS
        )

    def _namespace_member_name(self, callee: ast.Expr) -> str | None:
        """`Signal.next` for the callee `Signal.next` (or `Signal?.next`), if it names one."""
        if not isinstance(callee, ast.Member):
            return None
        owner = self._builtin_global(callee.object)
        if owner is None or owner.kind != "namespace":
            return None
        return f"{owner.name}.{callee.name}"

    def _check_name(self, name: ast.Name, role: Role) -> None:
        builtin = self._builtin_global(name)
        if builtin is None or role in (Role.RECEIVER, Role.REPORTED):
            return
        if role is Role.VALUE and builtin.kind != "value":
            self.found.append(messages.global_used_as_value(name, builtin))

    def _check_member(self, member: ast.Member, role: Role) -> None:
        owner = self._builtin_global(member.object)
        if owner is not None:
            self._check_builtin_member(member, owner, role)
            return
        kind = _LITERAL_KINDS.get(type(member.object))
        if kind is None or role in (Role.CALLEE, Role.REPORTED):
            return
        builtin = stdlib.lookup_method(kind, member.name)
        if builtin is not None and builtin.kind == "method":
            self.found.append(messages.method_used_as_value(member, builtin))

    def _check_builtin_member(self, member: ast.Member, owner: stdlib.Global, role: Role) -> None:
        """`Math.floor`, `Context.executionId`, `String.raw`: the member must exist, and a
        namespace function must be called. `Inputs` is the checker's (FLOW306)."""
        if owner.kind == "namespace":
            builtin = stdlib.lookup_member(owner.name, member.name)
            if builtin is None:
                known = tuple(stdlib.NAMESPACE_MEMBERS[owner.name])
                self.found.append(messages.unknown_member(member, owner, known))
            elif builtin.kind != "property" and role in (Role.VALUE, Role.RECEIVER):
                self.found.append(messages.member_used_as_value(member, builtin))
        elif owner.kind == "function":
            self.found.append(messages.unknown_member(member, owner, ()))
        elif owner.type is not None and owner.name == "Context":
            fields = _field_names(owner.type)
            if member.name not in fields:
                self.found.append(messages.unknown_member(member, owner, fields))

    def _check_callee(self, call: ast.Call) -> Role:
        """Report a callee that is not a builtin function or method (FLOW207); return the role
        in which to visit the callee, so that its misuse is not reported twice."""
        callee = call.callee
        if isinstance(callee, ast.Member):
            return self._check_method_call(call, callee)
        if isinstance(callee, ast.Name):
            builtin = self._builtin_global(callee)
            if builtin is not None:
                if builtin.kind != "function":
                    self.found.append(messages.global_called(callee, builtin))
                return Role.REPORTED
            if self._is_variable(callee):
                self.found.append(messages.variable_called(callee))
            return Role.REPORTED
        self.found.append(messages.expression_called(call, self._methods))
        return Role.REPORTED

    def _check_method_call(self, call: ast.Call, callee: ast.Member) -> Role:
        receiver = callee.object
        owner = self._builtin_global(receiver)
        if owner is not None:
            if owner.kind == "value" and self._names_no_method(owner, callee.name):
                self.found.append(messages.not_a_method(call, callee, self._methods))
            return Role.CALLEE
        if self._already_reported_receiver(receiver) or self._is_undefined(receiver):
            return Role.CALLEE
        literal_kind = _LITERAL_KINDS.get(type(receiver))
        kinds = member_kinds(callee.name)
        if callee.name in self._methods or (literal_kind is not None and literal_kind not in kinds):
            return Role.CALLEE
        self.found.append(messages.not_a_method(call, callee, self._methods))
        return Role.CALLEE

    def _names_no_method(self, owner: stdlib.Global, name: str) -> bool:
        """`Context.executionId()` calls a field; `Context.id()` is already FLOW108."""
        if owner.name == "Context" and owner.type is not None:
            return name in _field_names(owner.type)
        return name not in self._methods

    def _already_reported_receiver(self, receiver: ast.Expr) -> bool:
        """`Math.floor.call(x)`, `Number.isInteger.call(x)`: the receiver is itself a misused
        builtin member (FLOW108 or FLOW109), which is the one report for this cause."""
        if isinstance(receiver, ast.OptionalChain):
            receiver = receiver.expression
        if not isinstance(receiver, ast.Member):
            return False
        owner = self._builtin_global(receiver.object)
        return owner is not None and owner.kind != "value"


def _field_names(fields_of: types.Type) -> tuple[str, ...]:
    if not isinstance(fields_of, types.ObjectType):
        return ()
    return tuple(field.name for field in fields_of.fields)
