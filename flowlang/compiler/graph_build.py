"""Build the `Graph` of a workflow (graph.py says what it shows) in one walk of its tree.

The walk carries a *cursor*: the open ends (`_Exit`s) that the next node connects to. Code that
adds no node passes the cursor on unchanged; `return`, `throw`, `break` and `continue` empty it
and leave their exits where they lead (the end, a handler, after the loop, its head).
Expressions are walked in evaluation order, so `Task.run("b", { a: await Task.run("a") })`
draws `a` before `b`.

A decision, loop or `try` around plain computation would only add noise, so each is built
speculatively and rolled back when it turned out to hold no node that acts (a call, a fork, a
`return`, a `throw`) and, for decisions and `try`, no `break`/`continue` that leaves it.
Rolling back truncates the node, edge and cluster lists to a checkpoint, which keeps ids
consecutive.

Trees can be thousands of levels deep, so the walk runs on `trampoline()`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import NamedTuple

from flowlang.compiler import ast
from flowlang.compiler.frontmatter import FrontMatter
from flowlang.compiler.graph import (
    Cluster,
    ClusterKind,
    Edge,
    EdgeKind,
    Graph,
    Node,
    NodeKind,
)
from flowlang.compiler.graph_calls import (
    COMBINATORS,
    EFFECTS,
    builtin_name,
    call_label,
    call_queue,
    called_name,
    combinator_members,
    source_text,
)
from flowlang.compiler.source import SourceFile, Span
from flowlang.compiler.trampoline import Visit, trampoline

# Nodes that only shape the flow; every other kind acts (starts, waits, returns, throws),
# which makes the decision, loop or `try` around it worth drawing.
_CONTROL_KINDS = frozenset(
    {NodeKind.START, NodeKind.END, NodeKind.DECISION, NodeKind.LOOP}
    | {NodeKind.CATCH, NodeKind.FINALLY}
)
# How a short-circuit operator's right operand is reached, and how it is skipped.
_LOGICAL_BRANCHES = {"&&": ("truthy", "falsy"), "||": ("falsy", "truthy"), "??": ("null", "set")}


def build_graph(
    program: ast.Program, source: SourceFile, front_matter: FrontMatter, *, name: str
) -> Graph:
    """The graph of `program`, a file that parsed without errors; `name` is the workflow's."""
    builder = _Builder(source, front_matter.queue)
    trampoline(builder.program(program))
    return Graph(
        name=name,
        description=front_matter.description,
        queue=front_matter.queue,
        source=source,
        nodes=tuple(builder.nodes),
        edges=tuple(builder.edges),
        clusters=tuple(builder.non_empty_clusters()),
    )


@dataclass(frozen=True, slots=True)
class _Exit:
    """An edge waiting for its target: from `source`, of `kind`, with `label`."""

    source: str
    kind: EdgeKind = EdgeKind.NEXT
    label: str | None = None

    def labelled(self, label: str) -> _Exit:
        """This exit with `label`, unless it already names its branch."""
        return self if self.label is not None else _Exit(self.source, self.kind, label)

    def as_error(self, label: str) -> _Exit:
        return _Exit(self.source, EdgeKind.ERROR, label)


Cursor = tuple[_Exit, ...]


@dataclass
class _Loop:
    head: str
    label: str
    breaks: list[_Exit] = field(default_factory=list)


class _Checkpoint(NamedTuple):
    nodes: int
    edges: int
    clusters: int
    actions: int
    jumps: int


class _Builder:
    def __init__(self, source: SourceFile, default_queue: str | None) -> None:
        self.source = source
        self.default_queue = default_queue
        self.nodes: list[Node] = []
        self.edges: list[Edge] = []
        self.clusters: list[Cluster] = []
        self.cursor: Cursor = ()
        self.returns: list[_Exit] = []
        self.loops: list[_Loop] = []
        # Where an error thrown now is caught: the error exits of the innermost `try` block (or
        # of a `catch` block that a `finally` follows) being built; empty outside any.
        self.catchers: list[list[_Exit]] = []
        self.open_clusters: list[str] = []
        self.actions = 0  # nodes made so far that act: calls, forks, joins, returns, throws
        self.jumps = 0  # `break`s and `continue`s met so far

    # --- nodes, edges, clusters ------------------------------------------------------------

    def add_node(
        self,
        kind: NodeKind,
        label: str,
        span: Span,
        name: str | None = None,
        queue: str | None = None,
    ) -> str:
        """A new node that the cursor flows into; the cursor then leaves from it."""
        node_id = self.new_node(kind, label, span, name, queue)
        self.connect(self.cursor, node_id)
        self.cursor = (_Exit(node_id),)
        return node_id

    def new_node(
        self,
        kind: NodeKind,
        label: str,
        span: Span,
        name: str | None = None,
        queue: str | None = None,
    ) -> str:
        node_id = f"n{len(self.nodes)}"
        cluster = self.open_clusters[-1] if self.open_clusters else None
        self.nodes.append(Node(node_id, kind, label, span, cluster, name, queue))
        if kind not in _CONTROL_KINDS:
            self.actions += 1
        return node_id

    def connect(self, exits: Cursor | list[_Exit], target: str) -> None:
        for exit_ in exits:
            self.edges.append(Edge(exit_.source, target, exit_.kind, exit_.label))

    def open_cluster(self, kind: ClusterKind, label: str) -> None:
        parent = self.open_clusters[-1] if self.open_clusters else None
        cluster_id = f"c{len(self.clusters)}"
        self.clusters.append(Cluster(cluster_id, kind, label, parent))
        self.open_clusters.append(cluster_id)

    def close_cluster(self) -> None:
        self.open_clusters.pop()

    def non_empty_clusters(self) -> Iterator[Cluster]:
        """The clusters that hold a node, directly or in a nested cluster."""
        used = {node.cluster for node in self.nodes if node.cluster is not None}
        for cluster in reversed(self.clusters):  # nested clusters come after their parents
            if cluster.id in used and cluster.parent is not None:
                used.add(cluster.parent)
        return (cluster for cluster in self.clusters if cluster.id in used)

    def may_throw(self, exits: Cursor, label: str = "error") -> None:
        """Errors leaving `exits` go to the innermost handler being built, if there is one
        (once per node: a task that ends a `finally` does not also rethrow)."""
        if not self.catchers:
            return
        catcher = self.catchers[-1]
        known = {exit_.source for exit_ in catcher}
        catcher.extend(exit_.as_error(label) for exit_ in exits if exit_.source not in known)

    def checkpoint(self) -> _Checkpoint:
        return _Checkpoint(
            len(self.nodes), len(self.edges), len(self.clusters), self.actions, self.jumps
        )

    def rollback(self, checkpoint: _Checkpoint) -> None:
        del self.nodes[checkpoint.nodes :]
        del self.edges[checkpoint.edges :]
        del self.clusters[checkpoint.clusters :]
        self.actions, self.jumps = checkpoint.actions, checkpoint.jumps

    def keep_or_roll_back(self, checkpoint: _Checkpoint, before: Cursor, *, jumps: bool) -> None:
        """Undo the region built since `checkpoint` (restoring `before` as the cursor) when it
        made no node that acts and, if `jumps` counts, no jump."""
        if self.actions > checkpoint.actions or (jumps and self.jumps > checkpoint.jumps):
            return
        self.rollback(checkpoint)
        self.cursor = before

    def text(self, node: ast.Node) -> str:
        return source_text(self.source, node)

    # --- statements ------------------------------------------------------------------------

    def program(self, program: ast.Program) -> Visit:
        first = program.body[0].span.start if program.body else 0
        self.add_node(NodeKind.START, "start", Span(first, first))
        for statement in program.body:
            yield self.statement(statement)
        end = len(self.source.text)
        end_id = self.new_node(NodeKind.END, "end", Span(end, end))
        self.connect(self.returns, end_id)
        self.connect(self.cursor, end_id)

    def statement(self, node: ast.Stmt) -> Visit:
        match node:
            case ast.Block():
                for statement in node.body:
                    yield self.statement(statement)
            case ast.VarDecl():
                for declarator in node.declarators:
                    if declarator.init is not None:
                        yield self.expression(declarator.init)
                    yield self.pattern(declarator.target)
            case ast.ExprStmt():
                yield self.expression(node.expression)
            case ast.Assign():
                yield self.expression(node.target)
                yield self.expression(node.value)
            case ast.Update():
                yield self.expression(node.target)
            case ast.If():
                yield self.if_statement(node)
            case ast.While():
                yield self.while_loop(node)
            case ast.For():
                yield self.for_loop(node)
            case ast.Try():
                yield self.try_statement(node)
            case ast.Return():
                if node.value is not None:
                    yield self.expression(node.value)
                label = "return" if node.value is None else f"return {self.text(node.value)}"
                self.add_node(NodeKind.RETURN, label, node.span)
                self.returns.extend(self.cursor)
                self.cursor = ()
            case ast.Throw():
                yield self.expression(node.value)
                self.add_node(NodeKind.THROW, f"throw {self.text(node.value)}", node.span)
                self.may_throw(self.cursor)
                self.cursor = ()
            case ast.Break():
                self.loops[-1].breaks.extend(self.cursor)
                self.jumps += 1
                self.cursor = ()
            case ast.Continue():
                self.loop_back(self.loops[-1])
                self.jumps += 1
            case ast.Empty():
                pass

    def pattern(self, target: ast.Target) -> Visit:
        """The defaults of a destructuring pattern, which may start steps of their own."""
        match target:
            case ast.ObjectPattern():
                for prop in target.properties:
                    yield self.pattern(prop.target)
                    if prop.default is not None:
                        yield self.expression(prop.default)
            case ast.ArrayPattern():
                for element in target.elements:
                    if element is not None:
                        yield self.pattern(element.target)
                        if element.default is not None:
                            yield self.expression(element.default)
                if target.rest is not None:
                    yield self.pattern(target.rest)
            case ast.BindingName():
                pass

    def if_statement(self, node: ast.If) -> Visit:
        yield self.expression(node.test)
        checkpoint, before = self.checkpoint(), self.cursor
        decision = self.add_node(NodeKind.DECISION, self.text(node.test), node.test.span)
        self.cursor = (_Exit(decision, label="true"),)
        yield self.statement(node.consequent)
        after_consequent = self.cursor
        self.cursor = (_Exit(decision, label="false"),)
        if node.alternate is not None:
            yield self.statement(node.alternate)
        self.cursor = after_consequent + self.cursor
        self.keep_or_roll_back(checkpoint, before, jumps=True)

    def while_loop(self, node: ast.While) -> Visit:
        checkpoint, before = self.checkpoint(), self.cursor
        label = f"while {self.text(node.test)}"
        loop = _Loop(self.add_node(NodeKind.LOOP, label, _head(node, node.body)), label)
        yield self.expression(node.test)  # evaluated before every iteration
        tested = self.cursor
        self.cursor = tuple(exit_.labelled("true") for exit_ in tested)
        yield self.loop_body(loop, node.body)
        endless = isinstance(node.test, ast.BoolLit) and node.test.value
        leave = () if endless else tuple(exit_.labelled("false") for exit_ in tested)
        self.cursor = leave + tuple(loop.breaks)
        self.keep_or_roll_back(checkpoint, before, jumps=False)

    def for_loop(self, node: ast.For) -> Visit:
        yield self.expression(node.iterable)  # evaluated once, before the first iteration
        checkpoint, before = self.checkpoint(), self.cursor
        label = f"for {self.text(node.target)} {node.iteration} {self.text(node.iterable)}"
        loop = _Loop(self.add_node(NodeKind.LOOP, label, _head(node, node.body)), label)
        self.cursor = (_Exit(loop.head, label="each"),)
        yield self.loop_body(loop, node.body)
        self.cursor = (_Exit(loop.head, label="done"), *loop.breaks)
        self.keep_or_roll_back(checkpoint, before, jumps=False)

    def loop_body(self, loop: _Loop, body: ast.Stmt) -> Visit:
        self.loops.append(loop)
        yield self.statement(body)
        self.loops.pop()
        self.loop_back(loop)

    def loop_back(self, loop: _Loop) -> None:
        """Close the cursor with back edges to `loop`'s head, labelled with the head."""
        for exit_ in self.cursor:
            label = loop.label if exit_.label is None else f"{exit_.label}: {loop.label}"
            self.edges.append(Edge(exit_.source, loop.head, EdgeKind.BACK, label))
        self.cursor = ()

    def try_statement(self, node: ast.Try) -> Visit:
        checkpoint, before = self.checkpoint(), self.cursor
        errors: list[_Exit] = []
        self.open_cluster(ClusterKind.TRY, "try")
        self.catchers.append(errors)
        yield self.statement(node.block)
        self.catchers.pop()
        self.close_cluster()
        if not errors:
            # Nothing in the block is known to throw, but plain code can (a TypeError, a
            # RangeError): the handler is entered from where the block starts.
            errors = [exit_.as_error("error") for exit_ in before]
        finished = list(self.cursor)
        if node.handler is not None:
            param = node.handler.param
            label = "catch" if param is None else f"catch ({self.text(param)})"
            handler = self.new_node(NodeKind.CATCH, label, node.handler.span)
            self.connect(errors, handler)
            self.cursor = (_Exit(handler),)
            errors = []  # now: what the `catch` block throws, which the `finally` sees first
            if node.finalizer is not None:
                self.catchers.append(errors)
            yield self.statement(node.handler.body)
            if node.finalizer is not None:
                self.catchers.pop()
            finished.extend(self.cursor)
        if node.finalizer is not None:
            finalizer = self.new_node(NodeKind.FINALLY, "finally", node.finalizer.span)
            self.connect(finished, finalizer)
            self.connect(errors, finalizer)
            self.cursor = (_Exit(finalizer),)
            yield self.statement(node.finalizer)
            if errors:  # an error that entered the `finally` is thrown again after it
                self.may_throw(self.cursor, "rethrow")
        else:
            self.cursor = tuple(finished)
        self.keep_or_roll_back(checkpoint, before, jumps=True)

    # --- expressions -----------------------------------------------------------------------

    def expression(self, node: ast.Expr | ast.Spread) -> Visit:
        """Walk `node` in evaluation order, drawing the steps and decisions in it."""
        match node:
            case ast.Call():
                yield self.call(node, awaited=False)
            case ast.Await(operand=ast.Call() as call):
                yield self.call(call, awaited=True)
            case ast.Await() | ast.Unary():
                yield self.expression(node.operand)
            case ast.Conditional():
                yield self.conditional(node)
            case ast.Logical():
                yield self.logical(node)
            case ast.Binary():
                yield self.expression(node.left)
                yield self.expression(node.right)
            case ast.Member():
                yield self.expression(node.object)
            case ast.Index():
                yield self.expression(node.object)
                yield self.expression(node.index)
            case ast.OptionalChain() | ast.Spread():
                yield self.expression(node.expression)
            case ast.TemplateLit():
                for part in node.expressions:
                    yield self.expression(part)
            case ast.ArrayLit():
                for element in node.elements:
                    yield self.expression(element)
            case ast.ObjectLit():
                for member in node.members:
                    if isinstance(member, ast.Spread):
                        yield self.expression(member)
                        continue
                    if member.computed is not None:
                        yield self.expression(member.computed)
                    yield self.expression(member.value)
            case _:  # names and literals
                pass

    def conditional(self, node: ast.Conditional) -> Visit:
        yield self.expression(node.test)
        checkpoint, before = self.checkpoint(), self.cursor
        decision = self.add_node(NodeKind.DECISION, self.text(node.test), node.test.span)
        self.cursor = (_Exit(decision, label="true"),)
        yield self.expression(node.consequent)
        after_consequent = self.cursor
        self.cursor = (_Exit(decision, label="false"),)
        yield self.expression(node.alternate)
        self.cursor = after_consequent + self.cursor
        self.keep_or_roll_back(checkpoint, before, jumps=False)

    def logical(self, node: ast.Logical) -> Visit:
        yield self.expression(node.left)
        checkpoint, before = self.checkpoint(), self.cursor
        label = f"{self.text(node.left)} {node.operator}"
        decision = self.add_node(NodeKind.DECISION, label, node.left.span)
        evaluated, skipped = _LOGICAL_BRANCHES[node.operator]
        self.cursor = (_Exit(decision, label=evaluated),)
        yield self.expression(node.right)
        self.cursor = (*self.cursor, _Exit(decision, label=skipped))
        self.keep_or_roll_back(checkpoint, before, jumps=False)

    def call(self, node: ast.Call, *, awaited: bool) -> Visit:
        qualified = builtin_name(node.callee)
        if qualified in EFFECTS:
            for argument in node.arguments:
                yield self.expression(argument)
            kind = EFFECTS[qualified]
            label = call_label(qualified, node, self.text)
            queue = (
                call_queue(node, self.default_queue, self.text)
                if kind in (NodeKind.TASK, NodeKind.WORKFLOW)
                else None
            )
            step = self.add_node(kind, label, node.span, called_name(kind, node), queue)
            if awaited and kind in (NodeKind.TASK, NodeKind.WORKFLOW):
                self.may_throw((_Exit(step),))
        elif qualified in COMBINATORS:
            yield self.combinator(node, qualified, awaited=awaited and COMBINATORS[qualified])
        else:
            if isinstance(node.callee, ast.Member):
                yield self.expression(node.callee.object)
            for argument in node.arguments:
                yield self.expression(argument)

    def combinator(self, node: ast.Call, qualified: str, *, awaited: bool) -> Visit:
        """A fork, one branch per member (a member made elsewhere is a `promise` node), and a
        join, in a cluster labelled with the combinator."""
        self.open_cluster(ClusterKind.PARALLEL, qualified)
        fork = self.add_node(NodeKind.FORK, qualified, node.span)
        branches: list[_Exit] = []
        items = node.arguments[0] if node.arguments else None
        for key, member in combinator_members(items):
            self.cursor = (_Exit(fork, label=key),)
            made = len(self.nodes)
            yield self.expression(member)
            if len(self.nodes) == made:
                self.add_node(NodeKind.PROMISE, self.text(member), member.span)
            branches.extend(self.cursor)
        self.cursor = tuple(branches) or (_Exit(fork),)
        join = self.add_node(NodeKind.JOIN, qualified, node.span)
        self.close_cluster()
        if awaited:
            self.may_throw((_Exit(join),))


def _head(loop: ast.While | ast.For, body: ast.Stmt) -> Span:
    """The span of a loop's head: from `while`/`for` to its body."""
    return Span(loop.span.start, max(loop.span.start, body.span.start))
