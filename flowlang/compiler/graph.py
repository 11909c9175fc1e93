"""The control-flow graph of a workflow, for people: what it starts, waits for and decides.

The graph is a plain data structure built by one walk of the syntax tree (`graph_build.py`)
and drawn by the renderers of `flowlang.graph` (DOT, SVG, PNG, Mermaid), which know nothing of
the tree. It shows what matters for orchestration and leaves plain computation out:

* `start` and `end`; task calls (with the task's name and queue), child workflow calls, timers
  and signal waits — the steps of the workflow;
* decisions (`if`/`else`, a `? :` or `&&`/`||`/`??` whose branch starts a step), loops (with a
  back edge labelled with the loop head), `return` and `throw`;
* parallel regions of `Promise.all/allSettled/any/race/any_kv/race_kv` (a fork, one branch per
  member, a join, all inside a cluster labelled with the combinator);
* `try` regions (a cluster around the `try` block) with error edges from what can throw in it
  into its `catch` (or its `finally`).

Node ids are `n0, n1, …` in walk order and cluster ids `c0, c1, …`, so one source always gives
one graph, and its renderings are stable enough to snapshot. Every node keeps the span of the
code it stands for; `Graph.location()` turns it into `file:line` for tooltips.

An execution's progress is drawn over the same graph: the runtime computes a `NodeState` per
node id and hands the mapping to a renderer, so this model never learns about databases.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from flowlang.compiler.source import SourceFile, Span


class NodeKind(enum.StrEnum):
    START = "start"
    END = "end"
    TASK = "task"  # Task.run: label is the task's name
    WORKFLOW = "workflow"  # Workflow.run: label is the child workflow's name
    TIMER = "timer"  # Timer.delay / Timer.until
    SIGNAL = "signal"  # Signal.next: label is the signal's name
    DECISION = "decision"  # if / ? : / && || ?? whose branch holds steps
    LOOP = "loop"  # while / for…of / for…in: the loop head
    FORK = "fork"  # a Promise combinator starts waiting on its members
    JOIN = "join"  # … and settles
    PROMISE = "promise"  # a member of a combinator made elsewhere (`Promise.all(handles)`)
    CATCH = "catch"
    FINALLY = "finally"
    RETURN = "return"
    THROW = "throw"


# The kinds that stand for work the runtime does and records: an execution's progress is
# known for exactly these.
STEP_KINDS = frozenset({NodeKind.TASK, NodeKind.WORKFLOW, NodeKind.TIMER, NodeKind.SIGNAL})


class EdgeKind(enum.StrEnum):
    NEXT = "next"  # control flows on (a label names the branch: "true", "each", a member key)
    BACK = "back"  # the end of a loop body back to its head; labelled with the loop head
    ERROR = "error"  # an error thrown here is caught there


class ClusterKind(enum.StrEnum):
    PARALLEL = "parallel"  # fork, members and join of one combinator
    TRY = "try"  # the nodes of one `try` block


class NodeState(enum.StrEnum):
    """How far an execution got, per node (drawn by the renderers, computed by the runtime)."""

    COMPLETED = "completed"
    FAILED = "failed"
    CURRENT = "current"  # the execution waits here, or work started here has not finished
    NOT_REACHED = "not reached"


@dataclass(frozen=True, slots=True)
class Node:
    id: str
    kind: NodeKind
    label: str
    span: Span
    cluster: str | None = None  # the innermost cluster holding the node
    # Tasks, child workflows, signals: the name called, when it is a string literal.
    name: str | None = None
    queue: str | None = None  # tasks and child workflows: the queue, when the source says it


@dataclass(frozen=True, slots=True)
class Edge:
    source: str
    target: str
    kind: EdgeKind = EdgeKind.NEXT
    label: str | None = None


@dataclass(frozen=True, slots=True)
class Cluster:
    id: str
    kind: ClusterKind
    label: str
    parent: str | None = None  # the enclosing cluster, for nested regions


@dataclass(frozen=True)
class Graph:
    """The graph of one workflow: `name`, `description` and default `queue` come from its front
    matter (the name, else from its file)."""

    name: str
    description: str | None
    queue: str | None
    source: SourceFile
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]
    clusters: tuple[Cluster, ...]

    def line(self, node: Node) -> int:
        """The 1-based line where the code of `node` starts."""
        return self.source.line_col(node.span.start)[0]

    def location(self, node: Node) -> str:
        """`file:line` of `node`, as tooltips and links show it."""
        return f"{self.source.path}:{self.line(node)}"

    def node(self, node_id: str) -> Node:
        return self.nodes[int(node_id.removeprefix("n"))]


NodeStates = Mapping[str, NodeState]
