"""Name resolution: scopes, bindings and the name rules of LANGUAGE.md §5.3.

One walk over the tree, in evaluation order, with a stack of lexical scopes. Each scope is
hoisted on entry (every `let`/`const` of the scope is declared before any statement runs), so
a name always resolves to the nearest scope that declares it anywhere; the walk marks bindings
initialized as it passes their declarations, and a use of a binding not yet initialized is the
temporal dead zone (FLOW106). Because `.flow` has no functions, source order within a scope is
execution order, which makes this check exact.

The parser builds trees of any depth, so the walk is written as generators run by
`trampoline()`: a visit yields the visits of its children instead of calling them.

The result maps every `Name` node that denotes a variable to its `Binding`; codegen turns those
into slots and the language server uses them for go-to-definition, references and rename.
Builtin globals live in an outer read-only scope and never appear in that map.
"""

from __future__ import annotations

import enum
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

from flowlang.compiler import ast
from flowlang.compiler import resolve_messages as messages
from flowlang.compiler.diagnostics import Diagnostic, sort_key
from flowlang.compiler.lexer import WORDS
from flowlang.compiler.source import Span
from flowlang.compiler.stdlib import GLOBALS, METHODS
from flowlang.compiler.suggest import closest
from flowlang.compiler.trampoline import Visit, trampoline

# LANGUAGE.md §9.1–§9.10: the names of the outermost, read-only scope, from the stdlib table.
BUILTIN_GLOBALS: frozenset[str] = frozenset(GLOBALS)

# §9.11 ✎: methods that write their result back into a receiver that is a place (§6.5).
MUTATING_METHODS: frozenset[str] = frozenset(
    b.name for methods in METHODS.values() for b in methods.values() if b.mutates
)


class BindingKind(enum.Enum):
    """What declared a binding; `for-*` are loop variables, `catch` a catch parameter."""

    LET = "let"
    CONST = "const"
    FOR_LET = "for-let"
    FOR_CONST = "for-const"
    CATCH = "catch"

    @property
    def is_const(self) -> bool:
        return self in (BindingKind.CONST, BindingKind.FOR_CONST)


class Access(enum.Enum):
    """How a use touches its binding: `x` reads, `x = v` writes, `x += v` and `x++` do both."""

    READ = "read"
    WRITE = "write"
    READ_WRITE = "read-write"


@dataclass(frozen=True, slots=True)
class Scope:
    """A lexical scope: the program (id 0), a block, a `for` head or a catch block."""

    id: int
    parent: int | None
    span: Span
    depth: int


@dataclass(frozen=True, slots=True)
class Binding:
    """One declared name. `span` is its `BindingName` node; `scope` the id of its `Scope`."""

    name: str
    kind: BindingKind
    span: Span
    scope: int

    @property
    def is_const(self) -> bool:
        return self.kind.is_const


@dataclass(frozen=True, slots=True)
class Use:
    """A `Name` node that denotes a variable."""

    span: Span
    binding: Binding
    access: Access


@dataclass(frozen=True)
class Resolution:
    diagnostics: tuple[Diagnostic, ...]
    bindings: tuple[Binding, ...]  # every declaration, in source order
    references: dict[int, Binding]  # `Name` span start -> its binding (variables only)
    uses: tuple[Use, ...]  # every use of a variable, in source order
    scopes: tuple[Scope, ...]  # indexed by `Scope.id`

    def uses_of(self, binding: Binding) -> tuple[Use, ...]:
        return tuple(use for use in self.uses if use.binding == binding)


def resolve(
    program: ast.Program, *, names_in_broken_code: frozenset[str] = frozenset()
) -> Resolution:
    """Resolve every name of `program`. Never raises on a tree the parser can build.

    `names_in_broken_code` are the names in statements the parser dropped after a syntax
    error: they are never reported as undefined or unused, since the dropped code may have
    declared or read them (one report per cause, LANGUAGE.md §11.6).
    """
    return _Resolver(names_in_broken_code).resolve(program)


def binding_names(target: ast.Target) -> Iterator[ast.BindingName]:
    """The names a declaration target introduces, in source order (patterns nest to any
    depth, so this walks them with a stack rather than by recursion)."""
    pending: list[ast.Target] = [target]
    while pending:
        node = pending.pop()
        match node:
            case ast.BindingName():
                yield node
            case ast.ObjectPattern(properties=properties, rest=rest):
                pending.extend(reversed([*(prop.target for prop in properties), *_some(rest)]))
            case ast.ArrayPattern(elements=elements, rest=rest):
                targets = (element.target for element in elements if element is not None)
                pending.extend(reversed([*targets, *_some(rest)]))


def _some(target: ast.Target | None) -> tuple[ast.Target, ...]:
    return () if target is None else (target,)


def place_root(place: ast.Expr) -> ast.Expr:
    """The expression a `Member`/`Index` chain starts from (`q` in `q.a[0].b`)."""
    while isinstance(place, ast.Member | ast.Index):
        place = place.object
    return place


class _Resolver:
    def __init__(self, names_in_broken_code: frozenset[str]) -> None:
        self._names_in_broken_code = names_in_broken_code
        self._scopes: list[Scope] = []
        self._names: list[dict[str, Binding]] = []  # per scope id: the names it declares
        self._chain: list[int] = []  # ids of the enclosing scopes, innermost last
        self._bindings: list[Binding] = []
        self._declared_at: dict[int, Binding] = {}  # `BindingName` span start -> binding
        self._initialized: set[Binding] = set()
        self._uses: list[Use] = []
        self._diagnostics: list[Diagnostic] = []
        self._loop_depth = 0

    def resolve(self, program: ast.Program) -> Resolution:
        trampoline(self._scoped_statements(program.body, program.span))
        self._report_unused_bindings()
        uses = sorted(self._uses, key=lambda use: use.span.start)
        return Resolution(
            diagnostics=tuple(sorted(self._diagnostics, key=sort_key)),
            bindings=tuple(sorted(self._bindings, key=lambda binding: binding.span.start)),
            references={use.span.start: use.binding for use in uses},
            uses=tuple(uses),
            scopes=tuple(self._scopes),
        )

    # ------------------------------------------------------------------------- scopes

    def _enter_scope(self, span: Span) -> None:
        parent = self._chain[-1] if self._chain else None
        scope = Scope(id=len(self._scopes), parent=parent, span=span, depth=len(self._chain))
        self._scopes.append(scope)
        self._names.append({})
        self._chain.append(scope.id)

    def _leave_scope(self) -> None:
        self._chain.pop()

    def _scoped_statements(self, statements: Sequence[ast.Stmt], span: Span) -> Visit:
        self._enter_scope(span)
        self._hoist(statements)
        yield self._statements(statements)
        self._leave_scope()

    def _hoist(self, statements: Sequence[ast.Stmt]) -> None:
        """Declare every `let`/`const` of a scope before its first statement runs."""
        for statement in statements:
            if isinstance(statement, ast.VarDecl):
                kind = BindingKind.CONST if statement.kind == "const" else BindingKind.LET
                for declarator in statement.declarators:
                    self._declare_target(declarator.target, kind)

    def _declare_target(self, target: ast.Target, kind: BindingKind) -> None:
        for node in binding_names(target):
            self._declare(node, kind)

    def _declare(self, node: ast.BindingName, kind: BindingKind) -> None:
        if node.name in BUILTIN_GLOBALS:
            self._report(messages.builtin_declared(node))
            return
        names = self._names[self._chain[-1]]
        first = names.get(node.name)
        if first is not None:
            self._report(messages.declared_twice(node, first.span))
            return
        binding = Binding(name=node.name, kind=kind, span=node.span, scope=self._chain[-1])
        names[node.name] = binding
        self._declared_at[node.span.start] = binding
        self._bindings.append(binding)

    def _lookup(self, name: str) -> Binding | None:
        for scope_id in reversed(self._chain):
            binding = self._names[scope_id].get(name)
            if binding is not None:
                return binding
        return None

    def _shadowed_by(self, binding: Binding) -> Binding | None:
        """The binding of the same name that `binding` hides in an enclosing scope, if any."""
        outer = self._chain[: self._chain.index(binding.scope)]
        for scope_id in reversed(outer):
            hidden = self._names[scope_id].get(binding.name)
            if hidden is not None:
                return hidden
        return None

    def _visible_names(self) -> set[str]:
        names = set(BUILTIN_GLOBALS)
        for scope_id in self._chain:
            names.update(self._names[scope_id])
        return names

    def _ended_declaration(self, name: str) -> Span | None:
        """The latest declaration of `name` in a scope that has already ended (called when no
        enclosing scope declares `name`, so every declaration found is out of scope)."""
        ended = (binding.span for binding in reversed(self._bindings) if binding.name == name)
        return next(ended, None)

    # ------------------------------------------------------------------------- statements

    def _statements(self, statements: Sequence[ast.Stmt]) -> Visit:
        for statement in statements:
            yield self._statement(statement, in_statement_list=True)

    def _statement(self, statement: ast.Stmt, *, in_statement_list: bool) -> Visit:
        match statement:
            case ast.VarDecl(declarators=declarators):
                for declarator in declarators:
                    if declarator.init is not None:
                        yield self._read(declarator.init)
                    yield self._initialize(declarator.target)
            case ast.Block(body=body, span=span):
                yield self._scoped_statements(body, span)
            case ast.If(test=test, consequent=consequent, alternate=alternate):
                yield self._read(test)
                yield self._body(consequent)
                if alternate is not None:
                    yield self._body(alternate)
            case ast.While(test=test, body=body):
                yield self._read(test)
                yield self._loop_body(body)
            case ast.For():
                yield self._for(statement)
            case ast.Try(block=block, handler=handler, finalizer=finalizer):
                yield self._scoped_statements(block.body, block.span)
                if handler is not None:
                    yield self._catch(handler)
                if finalizer is not None:
                    yield self._scoped_statements(finalizer.body, finalizer.span)
            case ast.Return(value=value):
                if value is not None:
                    yield self._read(value)
            case ast.Throw(value=value):
                yield self._read(value)
            case ast.Break() | ast.Continue():
                if self._loop_depth == 0:
                    self._report(messages.outside_loop(statement))
            case ast.ExprStmt(expression=expression):
                yield self._read(expression)
            case ast.Assign():
                yield self._assign(statement, declarable=in_statement_list)
            case ast.Update(target=target):
                yield self._write(target, Access.READ_WRITE, statement, declarable=False)

    def _body(self, statement: ast.Stmt) -> Visit:
        """The body of `if`/`else`/`while`/`for`. A declaration there (FLOW015, reported by the
        parser) gets a scope of its own so that its names cannot leak into the enclosing one."""
        if isinstance(statement, ast.VarDecl):
            yield self._scoped_statements((statement,), statement.span)
        else:
            yield self._statement(statement, in_statement_list=False)

    def _loop_body(self, statement: ast.Stmt) -> Visit:
        self._loop_depth += 1
        yield self._body(statement)
        self._loop_depth -= 1

    def _for(self, statement: ast.For) -> Visit:
        """The head is a scope of its own: as in JavaScript, the iterable is evaluated inside
        it, so `for (const x of x)` sees the loop's `x` in its temporal dead zone."""
        self._enter_scope(statement.span)
        kind = BindingKind.FOR_CONST if statement.kind == "const" else BindingKind.FOR_LET
        self._declare_target(statement.target, kind)
        yield self._read(statement.iterable)
        yield self._initialize(statement.target)
        yield self._loop_body(statement.body)
        self._leave_scope()

    def _catch(self, clause: ast.CatchClause) -> Visit:
        """The parameter belongs to the scope of the catch block, so a `let` of the same name
        at the top of that block is declared twice."""
        self._enter_scope(clause.body.span)
        if clause.param is not None:
            self._declare_target(clause.param, BindingKind.CATCH)
        self._hoist(clause.body.body)
        if clause.param is not None:
            yield self._initialize(clause.param)
        yield self._statements(clause.body.body)
        self._leave_scope()

    def _initialize(self, target: ast.Target) -> Visit:
        """Pass a declaration target in evaluation order: each default is evaluated just
        before its own target is bound, after the names to its left."""
        match target:
            case ast.BindingName(span=span):
                binding = self._declared_at.get(span.start)
                if binding is not None:
                    self._initialized.add(binding)
            case ast.ObjectPattern(properties=properties, rest=rest):
                for prop in properties:
                    if prop.default is not None:
                        yield self._read(prop.default)
                    yield self._initialize(prop.target)
                if rest is not None:
                    yield self._initialize(rest)
            case ast.ArrayPattern(elements=elements, rest=rest):
                for element in elements:
                    if element is None:
                        continue
                    if element.default is not None:
                        yield self._read(element.default)
                    yield self._initialize(element.target)
                if rest is not None:
                    yield self._initialize(rest)

    # ------------------------------------------------------------------------- assignments

    def _assign(self, statement: ast.Assign, *, declarable: bool) -> Visit:
        access = Access.WRITE if statement.operator == "=" else Access.READ_WRITE
        yield self._write(statement.target, access, statement, declarable=declarable)
        yield self._read(statement.value)

    def _write(
        self,
        target: ast.Expr,
        access: Access,
        statement: ast.Assign | ast.Update,
        *,
        declarable: bool,
    ) -> Visit:
        """The target of `=`, `op=`, `++` or `--`. A path (`q.a = 1`) only reads its base
        variable, but may not be rooted at a builtin."""
        if not isinstance(target, ast.Name):
            self._forbid_builtin_mutation(target)
            yield self._read(target)
            return
        binding = self._lookup(target.name)
        if binding is None:
            if target.name not in self._names_in_broken_code:
                self._report_write_to_undeclared(target, statement, declarable=declarable)
            return
        self._use(target, binding, access)
        if binding.is_const:
            loop_variable = binding.kind is BindingKind.FOR_CONST
            self._report(messages.const_assigned(target, binding.span, loop_variable=loop_variable))

    def _report_write_to_undeclared(
        self, target: ast.Name, statement: ast.Assign | ast.Update, *, declarable: bool
    ) -> None:
        if target.name in BUILTIN_GLOBALS:
            self._report(messages.builtin_assigned(target))
            return
        plain = declarable and isinstance(statement, ast.Assign) and statement.operator == "="
        self._report(
            messages.undeclared_assigned(
                target,
                statement,
                similar=closest(target.name, self._visible_names()),
                declarable=plain,
            )
        )

    def _forbid_builtin_mutation(self, place: ast.Expr) -> None:
        root = place_root(place)
        if isinstance(root, ast.Name) and root.name in BUILTIN_GLOBALS:
            self._report(messages.builtin_mutated(root))

    # ------------------------------------------------------------------------- expressions

    def _read(self, expression: ast.Expr | ast.Spread) -> Visit:
        match expression:
            case ast.Name():
                self._read_name(expression)
            case ast.TemplateLit(expressions=parts):
                yield self._read_all(parts)
            case ast.ArrayLit(elements=elements):
                yield self._read_all(elements)
            case ast.ObjectLit(members=members):
                for member in members:
                    if isinstance(member, ast.Spread):
                        yield self._read(member.expression)
                        continue
                    if member.computed is not None:
                        yield self._read(member.computed)
                    yield self._read(member.value)
            case ast.Spread(expression=inner) | ast.OptionalChain(expression=inner):
                yield self._read(inner)
            case ast.Member(object=obj):
                yield self._read(obj)
            case ast.Index(object=obj, index=index):
                yield self._read(obj)
                yield self._read(index)
            case ast.Call(callee=callee, arguments=arguments):
                if isinstance(callee, ast.Member) and callee.name in MUTATING_METHODS:
                    self._forbid_builtin_mutation(callee.object)
                yield self._read(callee)
                yield self._read_all(arguments)
            case ast.Unary(operand=operand) | ast.Await(operand=operand):
                yield self._read(operand)
            case ast.Binary(left=left, right=right) | ast.Logical(left=left, right=right):
                yield self._read(left)
                yield self._read(right)
            case ast.Conditional(test=test, consequent=consequent, alternate=alternate):
                yield self._read_all((test, consequent, alternate))

    def _read_all(self, expressions: Sequence[ast.Expr | ast.Spread]) -> Visit:
        for expression in expressions:
            yield self._read(expression)

    def _read_name(self, name: ast.Name) -> None:
        binding = self._lookup(name.name)
        if binding is not None:
            self._use(name, binding, Access.READ)
        elif name.name not in BUILTIN_GLOBALS and name.name not in self._names_in_broken_code:
            similar = closest(name.name, self._visible_names())
            self._report(
                messages.undefined_name(
                    name,
                    similar=similar,
                    similar_is_builtin=similar in BUILTIN_GLOBALS,
                    ended=self._ended_declaration(name.name),
                )
            )

    def _use(self, name: ast.Name, binding: Binding, access: Access) -> None:
        self._uses.append(Use(span=name.span, binding=binding, access=access))
        if binding not in self._initialized:
            hidden = self._shadowed_by(binding)
            self._report(
                messages.used_before_declaration(
                    name,
                    binding.span,
                    hidden=hidden.span if hidden else None,
                    write=access is not Access.READ,
                )
            )

    # ------------------------------------------------------------------------- reporting

    def _report(self, diagnostic: Diagnostic) -> None:
        self._diagnostics.append(diagnostic)

    def _report_unused_bindings(self) -> None:
        """FLOW402. Only reads count as uses: a variable that is only ever assigned (including
        `x += 1` and `x++`) is never used."""
        read = {use.binding for use in self._uses if use.access is Access.READ}
        for binding in self._bindings:
            # A reserved word as a name is already FLOW007: one report per cause (§11.6).
            exempt = (
                binding.kind is BindingKind.CATCH
                or binding.name.startswith("_")
                or binding.name in WORDS
                or binding.name in self._names_in_broken_code
            )
            if not exempt and binding not in read:
                loop_variable = binding.kind in (BindingKind.FOR_LET, BindingKind.FOR_CONST)
                self._report(
                    messages.unused(binding.name, binding.span, loop_variable=loop_variable)
                )
