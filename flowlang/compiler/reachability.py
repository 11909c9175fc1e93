"""Reachability: which statements can complete normally, and FLOW401 for code that never runs.

A statement *completes normally* when control can fall through to the statement after it. The
analysis computes, for each statement, the set of ways it can complete — normally, by `break`,
`continue`, `return` or `throw` — as JavaScript's completion records do, so that a `break`
decides whether a `while (true)` ends and a `finally` that exits replaces the pending completion.

Per §11.6 rule 4 the checker does not evaluate expressions: `if (true) return` completes
normally, and the only constant recognised is the literal test of `while (true)`. A `catch`
block is always considered reachable, because nearly every expression may throw.

The type checker also asks `completes_normally()` to narrow after a branch that always exits
(§11.4), and whether the end of the program is reachable (FLOW308).

Trees can be thousands of levels deep (`if (a) if (b) …`), so the walk runs on `trampoline()`.
"""

from __future__ import annotations

import enum
from collections.abc import Generator, Iterable, Sequence
from dataclasses import dataclass

from flowlang.compiler import ast, codes
from flowlang.compiler.diagnostics import Diagnostic, Label, sort_key
from flowlang.compiler.source import Span
from flowlang.compiler.trampoline import Visit, trampoline


class Completion(enum.Enum):
    """One way a statement can end (ECMAScript's completion types)."""

    NORMAL = "normal"
    BREAK = "break"
    CONTINUE = "continue"
    RETURN = "return"
    THROW = "throw"


Completions = frozenset[Completion]

# A visit that yields the visits of its children and returns the completions they add up to.
_Fold = Generator[Visit, None, Completions]

_NORMAL: Completions = frozenset({Completion.NORMAL})
_LOOP_JUMPS: Completions = frozenset({Completion.BREAK, Completion.CONTINUE})
_JUMPS: dict[type[ast.Node], Completions] = {
    ast.Return: frozenset({Completion.RETURN}),
    ast.Throw: frozenset({Completion.THROW}),
    ast.Break: frozenset({Completion.BREAK}),
    ast.Continue: frozenset({Completion.CONTINUE}),
}


class CompletionTable:
    """The completions of statements, computed on demand and remembered.

    Entries are keyed by node identity; the table is meant to live as long as one walk over one
    tree (which keeps the nodes, and so their identities, alive). A checker that asks about many
    nested statements should share one table, which makes all its questions cost linear time.
    """

    def __init__(self) -> None:
        self._known: dict[int, Completions] = {}

    def completions(self, statement: ast.Stmt) -> Completions:
        """Every way `statement` can complete."""
        known = self._known.get(id(statement))
        if known is None:
            trampoline(self._visit(statement))
            known = self._known[id(statement)]
        return known

    def completes_normally(self, statement: ast.Stmt) -> bool:
        """Whether control can reach the statement after `statement`."""
        return Completion.NORMAL in self.completions(statement)

    def sequence_completes_normally(self, statements: Iterable[ast.Stmt]) -> bool:
        """Whether control can reach the end of a statement list (a block body, the program)."""
        return all(self.completes_normally(statement) for statement in statements)

    def _visit(self, statement: ast.Stmt) -> Visit:
        if id(statement) in self._known:
            return
        jump = _JUMPS.get(type(statement))
        if jump is not None:
            result = jump
        elif isinstance(statement, ast.Block):
            yield from self._visit_sequence(statement.body)
            result = self._sequence_completions(statement.body)
        elif isinstance(statement, ast.If):
            result = yield from self._visit_if(statement)
        elif isinstance(statement, ast.While):
            yield self._visit(statement.body)
            result = _while_completions(statement, self._known[id(statement.body)])
        elif isinstance(statement, ast.For):
            yield self._visit(statement.body)
            result = _for_completions(self._known[id(statement.body)])
        elif isinstance(statement, ast.Try):
            result = yield from self._visit_try(statement)
        else:
            result = _NORMAL
        self._known[id(statement)] = result

    def _visit_sequence(self, statements: Sequence[ast.Stmt]) -> Visit:
        """Visit statements in order up to the first one that cannot complete normally: the
        ones after it never run, so they contribute nothing (a `break` there ends no loop)."""
        for statement in statements:
            yield self._visit(statement)
            if Completion.NORMAL not in self._known[id(statement)]:
                return

    def _sequence_completions(self, statements: Sequence[ast.Stmt]) -> Completions:
        result: set[Completion] = {Completion.NORMAL}
        for statement in statements:
            result.discard(Completion.NORMAL)
            result |= self._known[id(statement)]
            if Completion.NORMAL not in result:
                break
        return frozenset(result)

    def _visit_if(self, statement: ast.If) -> _Fold:
        yield self._visit(statement.consequent)
        consequent = self._known[id(statement.consequent)]
        if statement.alternate is None:
            return consequent | _NORMAL
        yield self._visit(statement.alternate)
        return consequent | self._known[id(statement.alternate)]

    def _visit_try(self, statement: ast.Try) -> _Fold:
        yield self._visit(statement.block)
        pending = self._known[id(statement.block)]
        if statement.handler is not None:
            yield self._visit(statement.handler.body)
            caught = self._known[id(statement.handler.body)]
            pending = (pending - {Completion.THROW}) | caught
        if statement.finalizer is None:
            return pending
        yield self._visit(statement.finalizer)
        final = self._known[id(statement.finalizer)]
        if Completion.NORMAL not in final:
            return final
        return (final - _NORMAL) | pending


def _while_completions(loop: ast.While, body: Completions) -> Completions:
    """A loop consumes its `break`s and `continue`s; `while (true)` ends only by a `break`."""
    endless = isinstance(loop.test, ast.BoolLit) and loop.test.value
    ends = not endless or Completion.BREAK in body
    return (body - _LOOP_JUMPS - _NORMAL) | (_NORMAL if ends else frozenset())


def _for_completions(body: Completions) -> Completions:
    """A `for` may run zero times, so it always may complete normally."""
    return (body - _LOOP_JUMPS) | _NORMAL


def completes_normally(statement: ast.Stmt) -> bool:
    """False if `statement` always returns, throws, breaks or continues (or is `while (true)`
    without a `break` that targets it): then the statement after it is unreachable (§11.6)."""
    return CompletionTable().completes_normally(statement)


def check_reachability(program: ast.Program) -> list[Diagnostic]:
    """FLOW401 for each run of statements that can never run, labelled on its first statement,
    in source order. Code inside an unreachable run is not examined further: one report per
    cause. A `break` or `continue` outside a loop is FLOW107, not an exit."""
    table = CompletionTable()
    found: list[Diagnostic] = []
    pending: list[tuple[Sequence[ast.Stmt], bool]] = [
        (statements, False) for statements in _top_level_runs(program)
    ]
    while pending:
        statements, in_loop = pending.pop()
        for index, statement in enumerate(statements):
            inner_in_loop = in_loop or isinstance(statement, ast.While | ast.For)
            pending.extend((nested, inner_in_loop) for nested in _nested_sequences(statement))
            if _always_exits(table.completions(statement), in_loop=in_loop):
                unreachable = _first_statement_that_does_something(statements[index + 1 :])
                if unreachable is not None:
                    found.append(_unreachable(unreachable, statement, table))
                break
    return sorted(found, key=sort_key)


def _top_level_runs(program: ast.Program) -> list[Sequence[ast.Stmt]]:
    """The wrapper's body, and apart from it the statements written beside the wrapper: those
    are FLOW013, and a `return` in `main` does not make them unreachable (one report per cause)."""
    wrapper = program.wrapper
    if wrapper is None:
        return [program.body]
    inside = [s for s in program.body if wrapper.start <= s.span.start < wrapper.end]
    beside = [s for s in program.body if not wrapper.start <= s.span.start < wrapper.end]
    return [inside, beside]


def _always_exits(completions: Completions, *, in_loop: bool) -> bool:
    if Completion.NORMAL in completions:
        return False
    return in_loop or not (completions & _LOOP_JUMPS)


def _nested_sequences(statement: ast.Stmt) -> list[Sequence[ast.Stmt]]:
    """The statement lists directly inside `statement` (a lone body counts as a list of one)."""
    if isinstance(statement, ast.Block):
        return [statement.body]
    if isinstance(statement, ast.If):
        branches = (statement.consequent, statement.alternate)
        return [(branch,) for branch in branches if branch is not None]
    if isinstance(statement, ast.While | ast.For):
        return [(statement.body,)]
    if isinstance(statement, ast.Try):
        handler = statement.handler.body if statement.handler is not None else None
        blocks = (statement.block, handler, statement.finalizer)
        return [block.body for block in blocks if block is not None]
    return []


def _first_statement_that_does_something(statements: Sequence[ast.Stmt]) -> ast.Stmt | None:
    """A lone `;` after a `return` is harmless punctuation, not dead code."""
    return next((s for s in statements if not isinstance(s, ast.Empty)), None)


@dataclass(frozen=True, slots=True)
class _Cause:
    """How to tell the reader why code is unreachable: the keyword that starts the exiting
    statement (underlined), the reason, and the fix."""

    keyword: str
    reason: str
    help: str


def _unreachable(statement: ast.Stmt, exiting: ast.Stmt, table: CompletionTable) -> Diagnostic:
    cause = _describe_cause(exiting, table)
    keyword_span = Span(exiting.span.start, exiting.span.start + len(cause.keyword))
    return codes.diagnostic(
        "FLOW401",
        "unreachable code",
        statement.span,
        label="this statement never runs",
        labels=(Label(keyword_span, cause.reason),),
        help=cause.help,
    )


def _describe_cause(exiting: ast.Stmt, table: CompletionTable) -> _Cause:
    if isinstance(exiting, ast.Return | ast.Throw | ast.Break | ast.Continue):
        keyword = type(exiting).__name__.lower()
        return _Cause(
            keyword,
            f"any code after this `{keyword}` is unreachable",
            f"remove the unreachable code, or move it before the `{keyword}`",
        )
    if isinstance(exiting, ast.While):
        return _Cause(
            "while",
            "this loop never ends: no `break` leaves it",
            "add a `break` that leaves the loop, or remove the unreachable code",
        )
    move = "remove the unreachable code, or move it into the branch that should run it"
    if isinstance(exiting, ast.If):
        return _Cause("if", "every branch of this `if` exits", move)
    if isinstance(exiting, ast.Try):
        if exiting.finalizer is not None and not table.completes_normally(exiting.finalizer):
            return _Cause("try", "the `finally` block of this `try` always exits", move)
        if exiting.handler is None:
            return _Cause("try", "the block of this `try` always exits", move)
        return _Cause("try", "both the `try` block and its `catch` block always exit", move)
    return _Cause("{", "this block always exits", move)
