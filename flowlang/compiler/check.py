"""The type checker (LANGUAGE.md §11): infers the type of every expression and variable,
narrows them by conditions, and reports the type diagnostics of the §11.8 catalogue.

Gradual and structural: `any` is silent, errors are certain, one report per cause
(§11.6). The walk goes over statements in execution order carrying *facts* (narrowed paths,
`check_flow.py`); expressions are typed by the layers below (`check_expressions.py`,
`check_conditions.py`, `check_calls.py`).

A variable's declared type comes from its declaration, unless an assignment anywhere in its
scope does not fit it — then it is `any` — or a path assignment adds to it (§11.3). Both can
happen after a use of the variable (in a loop, or simply later in the file), so when a walk
finds a declared type that must change, the program is walked again with the corrected types;
most programs are walked once, and the number of walks is bounded.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from flowlang.compiler import ast, frontmatter, resolve, stdlib
from flowlang.compiler import check_messages as messages
from flowlang.compiler.check_calls import Argument
from flowlang.compiler.check_flow import (
    Facts,
    MutationSites,
    forget,
    forget_roots,
    join,
    place_path,
    static_prefix,
    with_fact,
    with_facts,
    written_type,
)
from flowlang.compiler.check_operators import negation_outcome
from flowlang.compiler.check_patterns import PatternRules
from flowlang.compiler.check_walker import Program, Visit, is_silent, run
from flowlang.compiler.diagnostics import Diagnostic, sort_key
from flowlang.compiler.environment import Environment
from flowlang.compiler.reachability import CompletionTable
from flowlang.compiler.source import Span
from flowlang.compiler.types import (
    ANY,
    NULL,
    STRING,
    ObjectType,
    Type,
    element_type,
    from_type_expr,
    is_assignable,
    is_promise,
    union,
    widen,
)

# Walks before giving up on precision: a variable whose declared type still changes after
# them is `any` (§11.6: silence is always a correct answer).
_MAX_WALKS = 4


@dataclass(frozen=True)
class TypeCheck:
    diagnostics: tuple[Diagnostic, ...]
    types: Mapping[Span, Type]  # every expression node and binding name, by its span


def check_types(
    program: ast.Program,
    resolution: resolve.Resolution,
    front_matter: frontmatter.FrontMatter,
    environment: Environment,
) -> TypeCheck:
    """Infer types and report the type diagnostics of `program`. Never raises."""
    prepared = _prepare(program, resolution, front_matter, environment)
    overrides: dict[int, Type] = {}
    for walk in range(_MAX_WALKS):
        checker = _Checker(prepared, overrides)
        checker.check()
        if not checker.changed:
            break
        if walk == _MAX_WALKS - 2:
            overrides = {**overrides, **dict.fromkeys(checker.changed, ANY)}
        else:
            overrides = {**overrides, **checker.changed}
    return TypeCheck(
        diagnostics=tuple(sorted(checker.diagnostics, key=sort_key)),
        types=checker.types,
    )


def _prepare(
    program: ast.Program,
    resolution: resolve.Resolution,
    front_matter: frontmatter.FrontMatter,
    environment: Environment,
) -> Program:
    inputs: Type = stdlib.GLOBALS["Inputs"].type or ANY
    declared = front_matter.inputs
    if declared is not None:
        inputs = from_type_expr(declared)
    signals = front_matter.signals
    mutating = frozenset(name for name, b in stdlib.METHODS["array"].items() if b.mutates)
    return Program(
        tree=program,
        references=resolution.references,
        environment=environment,
        inputs=inputs,
        inputs_declared=isinstance(inputs, ObjectType) and inputs.index is None,
        output=None if front_matter.output is None else from_type_expr(front_matter.output),
        output_span=front_matter.value_spans.get("output"),
        signals=None if signals is None else {k: from_type_expr(v) for k, v in signals.items()},
        mutations=MutationSites(program, resolution.references, mutating),
        completions=CompletionTable(),
    )


class _Checker(PatternRules):
    """One walk over the statements."""

    def __init__(self, program: Program, overrides: dict[int, Type]) -> None:
        super().__init__(program, overrides)
        self._breaks: list[list[Facts]] = []  # per enclosing loop: the facts at its `break`s

    def check(self) -> None:
        run(self._statements(self.program.tree.body))
        self._check_end_of_program()

    def _statements(self, statements: Sequence[ast.Stmt]) -> Visit:
        for statement in statements:
            yield self._statement(statement)

    def _statement(self, statement: ast.Stmt) -> Visit:
        match statement:
            case ast.VarDecl():
                yield self._declaration(statement)
            case ast.Block(body=body):
                yield self._statements(body)
            case ast.If():
                yield self._if(statement)
            case ast.While():
                yield self._while(statement)
            case ast.For():
                yield self._for(statement)
            case ast.Try():
                yield self._try(statement)
            case ast.Return():
                yield self._return(statement)
            case ast.Throw(value=value):
                t = self.known(value) or (yield self.expression(value))
                self.require_value(value, t, "a thrown value")
            case ast.Break():
                if self._breaks:
                    self._breaks[-1].append(self.facts)
            case ast.ExprStmt(expression=expression):
                self.known(expression) or (yield self.expression(expression))
            case ast.Assign():
                yield self._assign(statement)
            case ast.Update():
                yield self._update(statement)

    def _completes(self, statement: ast.Stmt) -> bool:
        return self.program.completions.completes_normally(statement)

    # ------------------------------------------------------------------------- declarations

    def _declaration(self, statement: ast.VarDecl) -> Visit:
        for declarator in statement.declarators:
            init = declarator.init
            t = ANY if init is None else self.known(init) or (yield self.expression(init))
            yield self.bind(declarator.target, t, statement.kind, init)

    # ------------------------------------------------------------------------- control flow

    def _if(self, statement: ast.If) -> Visit:
        _, when_true, when_false = yield self.condition(statement.test)
        outer = self.facts
        self.facts = with_facts(outer, when_true)
        yield self._statement(statement.consequent)
        ends: list[Facts] = []
        if self._completes(statement.consequent):
            ends.append(self.facts)
        self.facts = with_facts(outer, when_false)
        if statement.alternate is not None:
            yield self._statement(statement.alternate)
        if statement.alternate is None or self._completes(statement.alternate):
            ends.append(self.facts)
        self.facts = join(*ends) if ends else outer

    def _loop_entry(self, loop: ast.While | ast.For) -> None:
        """Facts about variables the loop writes may not hold on a later iteration."""
        self.facts = forget_roots(self.facts, self.program.mutations.roots_within(loop.span))

    def _while(self, statement: ast.While) -> Visit:
        self._loop_entry(statement)
        _, when_true, when_false = yield self.condition(statement.test)
        entry = self.facts
        self.facts = with_facts(entry, when_true)
        self._breaks.append([])
        yield self._statement(statement.body)
        breaks = self._breaks.pop()
        endless = isinstance(statement.test, ast.BoolLit) and statement.test.value
        exits = breaks if endless else [with_facts(entry, when_false), *breaks]
        self.facts = join(*exits) if exits else entry

    def _for(self, statement: ast.For) -> Visit:
        iterable = statement.iterable
        t = self.known(iterable) or (yield self.expression(iterable))
        if statement.iteration == "in":
            element: Type = STRING
        elif is_silent(t) or self.require_value(iterable, t, "the iterable of `for…of`"):
            element = ANY
        else:
            found = element_type(t)
            if found is None:
                self.report(messages.not_iterable(iterable, t))
            element = ANY if found is None else found
        self._loop_entry(statement)
        entry = self.facts
        yield self.bind(statement.target, element, statement.kind, None)
        self._breaks.append([])
        yield self._statement(statement.body)
        self.facts = join(entry, *self._breaks.pop())

    def _try(self, statement: ast.Try) -> Visit:
        entry = self.facts
        # A `catch` or `finally` may start after any write of the `try` block.
        unsettled = forget_roots(entry, self.program.mutations.roots_within(statement.block.span))
        yield self._statements(statement.block.body)
        ends: list[Facts] = []
        if self._completes(statement.block):
            ends.append(self.facts)
        handler = statement.handler
        if handler is not None:
            self.facts = unsettled
            if handler.param is not None:
                yield self.bind(handler.param, ANY, "catch", None)
            yield self._statements(handler.body.body)
            if self._completes(handler.body):
                ends.append(self.facts)
        if statement.finalizer is not None:
            self.facts = forget_roots(
                unsettled, self.program.mutations.roots_within(statement.span)
            )
            yield self._statements(statement.finalizer.body)
        else:
            self.facts = join(*ends) if ends else entry

    # ------------------------------------------------------------------------- return

    def _return(self, statement: ast.Return) -> Visit:
        value = statement.value
        if value is None:
            self._check_output(statement, NULL)
            return
        t = self.known(value) or (yield self.expression(value))
        if self.require_value(value, t, "a returned value"):
            return
        self.report_promises_inside(value, "part of a returned value")
        self._check_output(value, t)

    def _check_output(self, node: ast.Node, t: Type) -> None:
        output = self.program.output
        if output is None or is_silent(t) or is_assignable(t, output):
            return
        target = node if isinstance(node, ast.Expr) else None
        if target is None:
            self.report(messages.end_without_return(node.span, output, self.program.output_span))
        else:
            self.report(messages.return_mismatch(target, t, output, self.program.output_span))

    def _check_end_of_program(self) -> None:
        """FLOW308: reaching the end returns `null`, which `output` may not allow."""
        output = self.program.output
        body = self.program.tree.body
        if output is None or is_assignable(NULL, output):
            return
        if not self.program.completions.sequence_completes_normally(body):
            return
        if body:
            end = body[-1].span.end
            span = Span(end - 1, end)
        else:
            span = self.program.output_span or Span(0, 0)
        self.report(messages.end_without_return(span, output, self.program.output_span))

    # ------------------------------------------------------------------------- assignments

    def _assign(self, statement: ast.Assign) -> Visit:
        target = statement.target
        if not isinstance(target, ast.Name):
            yield self._path_object(target)
        value = self.known(statement.value) or (yield self.expression(statement.value))
        if statement.operator != "=":
            current = self.known(target) or (yield self.expression(target))
            bad = self.require_value(statement.value, value, "an operand")
            if bad or is_silent(current):
                value = ANY
            else:
                operands = [(target, current), (statement.value, value)]
                value = self.operator_result(statement.span, statement.operator[0], operands)
        self.write(target, value, replaces=True)

    def _path_object(self, target: ast.Expr) -> Visit:
        """The object and keys of a path assignment's target are read (and checked)."""
        if isinstance(target, ast.Member):
            self.known(target.object) or (yield self.expression(target.object))
        elif isinstance(target, ast.Index):
            self.known(target.object) or (yield self.expression(target.object))
            self.known(target.index) or (yield self.expression(target.index))

    def _update(self, statement: ast.Update) -> Visit:
        t = self.known(statement.target) or (yield self.expression(statement.target))
        if not is_silent(t) and not self.require_value(statement.target, t, "an operand"):
            outcome = negation_outcome(t)
            self.report_outcome(
                statement.operator, statement.span, [(statement.target, t)], outcome
            )
        self.write(statement.target, ANY, replaces=False)

    def write(self, place: ast.Expr, value: Type, *, replaces: bool) -> None:
        """After `place = value`: facts about the place end; the variable's declared type must
        admit the value (else it becomes `any`), or takes the new field or element in; when
        `replaces`, the place is narrowed to the value's type."""
        path = place_path(place, self.references)
        if path is None:
            return
        root, names = path
        declared = self.declared_type(root)
        stored = NULL if value == NULL else widen(value)
        if not names:
            if replaces and not is_silent(declared) and not is_assignable(value, declared):
                self.change_declared_type(root, ANY)
        elif replaces:
            rewritten = written_type(declared, names, stored)
            if rewritten is not None:
                self.change_declared_type(root, rewritten)
        self.facts = forget(self.facts, root, static_prefix(names))
        # A fact only where it says more than the declaration (`if (n == null) n = 0`).
        if replaces and not names and stored is not ANY and stored != declared:
            self.facts = with_fact(self.facts, (root,), stored)

    def after_method_call(
        self, callee: ast.Member, receiver: Type, arguments: Sequence[Argument]
    ) -> None:
        """`push`, `pop`, `reverse` on a place change it (§6.5): facts about it end, and the
        elements pushed join the element type."""
        method = stdlib.lookup_method("array", callee.name)
        if method is None or not method.mutates:
            return
        path = place_path(callee.object, self.references)
        if path is None:
            return
        root, names = path
        self.facts = forget(self.facts, root, static_prefix(names))
        pushed = [(element_type(a.type) or ANY) if a.spread else widen(a.type) for a in arguments]
        if pushed and not is_promise(receiver):
            rewritten = written_type(self.declared_type(root), (*names, None), union(*pushed))
            if rewritten is not None:
                self.change_declared_type(root, rewritten)
