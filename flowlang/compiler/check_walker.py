"""The state the type checker carries through one walk over a program, and how it walks.

The checker is split by concept into layers, each a class building on the one below:
`Walker` (this module: state, reporting, the value-returning trampoline), `CallRules`
(`check_calls.py`: builtin calls), `ExpressionRules` (`check_expressions.py`: every expression
form and the narrowing conditions give) and the statement walker in `check.py`.

Expression visits return the expression's type. Trees can be thousands of levels deep, so a
visit is a generator that *yields* the visits of its children and receives their types back:
`left = yield self.expression(node.left)`. `run()` drives them on an explicit stack (the
value-returning sibling of `trampoline.py`).
"""

from __future__ import annotations

from collections.abc import Generator, Mapping
from dataclasses import dataclass
from typing import Any, TypeAlias

from flowlang.compiler import ast
from flowlang.compiler.check_flow import NO_FACTS, Facts, MutationSites, PathKey
from flowlang.compiler.check_messages import promise_used_as_value
from flowlang.compiler.diagnostics import Diagnostic
from flowlang.compiler.environment import Environment
from flowlang.compiler.reachability import CompletionTable
from flowlang.compiler.resolve import Binding
from flowlang.compiler.source import Span
from flowlang.compiler.types import ANY, NEVER, Type, is_promise

# A visit yields child visits (receiving each one's result) and returns its own result.
Visit: TypeAlias = Generator["Visit", Any, Any]
TypeVisit: TypeAlias = Generator[Visit, Any, Type]


def run(visit: Visit) -> Any:
    """Run `visit` and every visit it yields, depth first; return the value `visit` returns."""
    stack = [visit]
    value: Any = None
    while stack:
        try:
            child = stack[-1].send(value)
        except StopIteration as finished:
            stack.pop()
            value = finished.value
        else:
            stack.append(child)
            value = None
    return value


@dataclass(frozen=True)
class Program:
    """What stays the same for every walk over one program: the inputs of `check_types()`
    turned into types, and the indexes built once."""

    tree: ast.Program
    references: Mapping[int, Binding]
    environment: Environment
    inputs: Type  # the type of `Inputs`
    inputs_declared: bool  # front matter `inputs` is present and closed: FLOW306 applies
    output: Type | None  # front matter `output`
    output_span: Span | None
    signals: Mapping[str, Type] | None  # front matter `signals`: payload types
    mutations: MutationSites
    completions: CompletionTable


def is_silent(t: Type) -> bool:
    """Whether no diagnostic may be caused by a value of `t`: `any` (§11.6 rule 1), or `never`,
    the type of a value in code that cannot run or of a branch a condition excludes."""
    return t is ANY or t is NEVER


class Walker:
    """One walk over the program: facts, the types found, the diagnostics, and the declared
    types of variables. `overrides` are declared types that an earlier walk found to differ from
    what the declarations alone give (see `check.check_types`)."""

    def __init__(self, program: Program, overrides: Mapping[int, Type]) -> None:
        self.program = program
        self.references = program.references
        self.overrides = overrides
        self.facts: Facts = NO_FACTS
        self.types: dict[Span, Type] = {}
        self.diagnostics: list[Diagnostic] = []
        self.declared: dict[int, Type] = {}  # binding declaration offset -> its type
        self.changed: dict[int, Type] = {}  # declared types this walk found wrong
        self.chain_may_be_null = False  # set by a `?.` link that met a nullable value

    def report(self, diagnostic: Diagnostic) -> None:
        self.diagnostics.append(diagnostic)

    def record(self, node: ast.Node, t: Type) -> Type:
        self.types[node.span] = t
        return t

    def fact(self, key: PathKey | None) -> Type | None:
        """The type a path is narrowed to here, if it is."""
        if key is None or not self.facts:
            return None
        return self.facts.get(key)

    def declared_type(self, binding_offset: int) -> Type:
        """A variable's type, before narrowing; `any` before its declaration ran (FLOW106, or
        code the parser dropped)."""
        return self.declared.get(binding_offset, ANY)

    def change_declared_type(self, binding_offset: int, new: Type) -> None:
        """The variable needs another declared type (an assignment does not fit it, or a path
        assignment adds to it): the walk is repeated with it."""
        self.changed[binding_offset] = new

    def require_value(
        self, node: ast.Expr, t: Type, where: str, *, help: str | None = None
    ) -> bool:
        """FLOW206 when `t` is certainly a promise where data is needed; True if reported."""
        if is_promise(t):
            self.report(promise_used_as_value(node, t, where=where, help=help))
            return True
        return False

    def report_promises_inside(self, value: ast.Expr, where: str) -> None:
        """FLOW206 for promises written inside an array or object literal that must be data
        (a returned value, task inputs): serialising it would throw (§5.9)."""
        pending: list[ast.Expr] = [value]
        while pending:
            node = pending.pop()
            if isinstance(node, ast.ObjectLit):
                parts = [
                    m.value if isinstance(m, ast.Property) else m.expression for m in node.members
                ]
            elif isinstance(node, ast.ArrayLit):
                parts = [e.expression if isinstance(e, ast.Spread) else e for e in node.elements]
            else:
                continue
            for part in parts:
                if not self.require_value(part, self.types.get(part.span, ANY), where):
                    pending.append(part)
