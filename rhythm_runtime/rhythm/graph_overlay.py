"""An execution's progress over its workflow's graph (`rhythm graph`): a `NodeState` per node.

flowlang builds and draws graphs and never sees a database; this module reads what the store
knows of one workflow execution — its status, what it waits for and where (`waiting_for`),
where it threw, the tasks, child workflows and timers it started, the signals sent to it — and
says, per node of the graph of the version it runs, whether that step completed, failed, is
where the execution waits (or is still running), or was not reached.

The runtime does not record which call started a task, so records are matched to nodes by
name: the calls of one task (or child workflow) go to the nodes that call that name, in call
order, taking the nodes in turn — exact for straight-line code and for a loop that calls each
name once per iteration. Calls of a name that no node names with a literal go to the nodes
whose name is computed. Timers are matched to the timer nodes the same way.

Nodes that are not steps (decisions, loops, forks, `catch`, …) are marked completed when every
path to a step the execution reached passes through them (they dominate it), and a handler
when a step with an error edge into it failed; nothing else is known of them, and they are
left unmarked.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from flowlang.compiler.analysis import prepare
from flowlang.compiler.bytecode import Program
from flowlang.compiler.graph import STEP_KINDS, EdgeKind, Graph, Node, NodeKind, NodeState
from flowlang.compiler.graph_build import build_graph
from flowlang.compiler.source import Span
from rhythm.models import Execution, ExecutionStatus
from rhythm.store.inspection import Child, TimerState

_REACHED = frozenset({NodeState.COMPLETED, NodeState.FAILED, NodeState.CURRENT})
_CHILD_STATES = {
    "completed": NodeState.COMPLETED,
    "failed": NodeState.FAILED,
}  # pending, running and suspended children are still at work: CURRENT
_WAITING_KINDS = frozenset({NodeKind.FORK, NodeKind.JOIN, NodeKind.PROMISE})
_FAILING_KINDS = frozenset({NodeKind.THROW, NodeKind.JOIN})


@dataclass(frozen=True)
class Progress:
    """What the store knows of one workflow execution."""

    execution: Execution
    children: Sequence[Child]  # in call order
    timers: Sequence[TimerState]  # in call order
    signals: Mapping[str, int]  # signals received, per name


def workflow_graph(program: Program) -> Graph:
    """The graph of a registered workflow version, from the source it keeps."""
    path = program.path or f"{program.workflow}.flow"
    prepared = prepare(program.source, path=path)
    return build_graph(
        prepared.program, prepared.source, prepared.front_matter, name=program.workflow
    )


def node_states(graph: Graph, progress: Progress) -> dict[str, NodeState]:
    """The state of every node that `progress` tells anything about."""
    execution = progress.execution
    states: dict[str, NodeState] = {}
    started: dict[str, str] = {}  # record id -> node id
    for kind, records in (
        (NodeKind.TASK, [c for c in progress.children if c.type == "task"]),
        (NodeKind.WORKFLOW, [c for c in progress.children if c.type == "workflow"]),
    ):
        matched = [(c.id, c.name, _CHILD_STATES.get(c.status, NodeState.CURRENT)) for c in records]
        _match(_nodes_of(graph, kind), matched, states, started)
    timers = [
        (t.id, None, NodeState.COMPLETED if t.elapsed else NodeState.CURRENT)
        for t in progress.timers
    ]
    _match(_nodes_of(graph, NodeKind.TIMER), timers, states, started)
    for node in _nodes_of(graph, NodeKind.SIGNAL):
        if node.name is not None and progress.signals.get(node.name, 0) > 0:
            states[node.id] = NodeState.COMPLETED
    if execution.status == ExecutionStatus.SUSPENDED and execution.waiting_for is not None:
        _mark_waiting(graph, execution.waiting_for, progress.signals, states)
    if execution.status == ExecutionStatus.FAILED and execution.error_location is not None:
        _mark_failure(graph, execution.error_location, states)
    start, end = graph.nodes[0], graph.nodes[-1]
    pending = execution.status == ExecutionStatus.PENDING
    states[start.id] = NodeState.CURRENT if pending else NodeState.COMPLETED
    completed = execution.status == ExecutionStatus.COMPLETED
    states[end.id] = NodeState.COMPLETED if completed else NodeState.NOT_REACHED
    for edge in graph.edges:  # a failure that was caught entered its handler
        if edge.kind is EdgeKind.ERROR and states.get(edge.source) is NodeState.FAILED:
            states.setdefault(edge.target, NodeState.COMPLETED)
    _mark_dominators(graph, states)
    for node in graph.nodes:
        not_returned = node.kind is NodeKind.RETURN and not completed
        if node.id not in states and (node.kind in STEP_KINDS | {NodeKind.THROW} or not_returned):
            states[node.id] = NodeState.NOT_REACHED
    return states


def caption(graph: Graph, execution: Execution) -> str:
    """The line under the graph's title: which execution, its status and where it waits."""
    text = f"execution {execution.id}: {execution.status}"
    waiting = execution.waiting_for
    if execution.status == ExecutionStatus.SUSPENDED and waiting is not None:
        text += f", waiting for {waiting.get('description', 'a promise')}"
        if isinstance(waiting.get("line"), int):
            text += f" at {graph.source.path}:{waiting['line']}"
    return text


def _nodes_of(graph: Graph, kind: NodeKind) -> list[Node]:
    return [node for node in graph.nodes if node.kind is kind]


def _match(
    nodes: list[Node],
    records: Sequence[tuple[str, str | None, NodeState]],
    states: dict[str, NodeState],
    started: dict[str, str],
) -> None:
    """Give each record (id, name, state) to a node of `nodes`, by name and in turn (see the
    module's documentation); a node's state is CURRENT while one of its records is at work,
    else that of its latest record."""
    named: dict[str | None, list[Node]] = defaultdict(list)
    for node in nodes:
        named[node.name].append(node)
    turns: Counter[str | None] = Counter()
    given: dict[str, list[NodeState]] = defaultdict(list)
    for record_id, name, state in records:
        key = name if name in named else None
        group = named.get(key)
        if not group:
            continue
        node = group[turns[key] % len(group)]
        turns[key] += 1
        given[node.id].append(state)
        started[record_id] = node.id
    for node_id, record_states in given.items():
        at_work = NodeState.CURRENT in record_states
        states[node_id] = NodeState.CURRENT if at_work else record_states[-1]


def _mark_waiting(
    graph: Graph,
    waiting_for: Mapping[str, Any],
    signals: Mapping[str, int],
    states: dict[str, NodeState],
) -> None:
    """The `await` the execution is suspended at: the combinator there, the steps inside it,
    and the signal claims it waits for that no signal has answered yet."""
    span = waiting_for.get("span")
    at = Span(span[0], span[1]) if isinstance(span, list) and len(span) == 2 else None
    for node in graph.nodes:
        if at is None or not _inside(node.span, at):
            continue
        if node.kind in _WAITING_KINDS or (node.kind in STEP_KINDS and node.id not in states):
            states[node.id] = NodeState.CURRENT
    for leaf in _leaves(waiting_for.get("promise")):
        name, claim = leaf.get("name"), leaf.get("claim")
        if leaf.get("kind") != "signal" or not isinstance(name, str) or not isinstance(claim, int):
            continue
        if signals.get(name, 0) > claim:
            continue  # answered: the claim is settled
        claimers = [n for n in _nodes_of(graph, NodeKind.SIGNAL) if n.name == name]
        inside = [n for n in claimers if at is not None and _inside(n.span, at)]
        for node in inside or claimers:
            states[node.id] = NodeState.CURRENT


def _leaves(promise: Any) -> Iterator[Mapping[str, Any]]:
    """The task, workflow, timer and signal records of a promise view (rhythm.vm), looking
    through combinators."""
    pending = [promise]
    while pending:
        record = pending.pop()
        if not isinstance(record, dict):
            continue
        items = record.get("items")
        if items is None:
            yield record
        else:
            pending.extend(items.values() if isinstance(items, dict) else items)


def _mark_failure(graph: Graph, location: Mapping[str, Any], states: dict[str, NodeState]) -> None:
    """The `throw` (or awaited combinator) the execution failed at. A failed task or child has
    its state from its own record already."""
    try:
        start = graph.source.offset(location["line"], location["column"])
        end = graph.source.offset(location["end_line"], location["end_column"])
    except (KeyError, TypeError):
        return
    for node in graph.nodes:
        if node.kind in _FAILING_KINDS and node.span.start < end and start < node.span.end:
            states[node.id] = NodeState.FAILED


def _mark_dominators(graph: Graph, states: dict[str, NodeState]) -> None:
    """Mark COMPLETED every unmarked node that lies on every path to a reached node."""
    dominators = _dominators(graph)
    for index, node in enumerate(graph.nodes):
        if states.get(node.id) not in _REACHED:
            continue
        for dominator in _bits(dominators[index]):
            states.setdefault(graph.nodes[dominator].id, NodeState.COMPLETED)


def _dominators(graph: Graph) -> list[int]:
    """For each node (by index), the bit set of the nodes that every path from the start to it
    passes through (the iterative algorithm over reverse postorder; sets are ints)."""
    count = len(graph.nodes)
    position = {node.id: index for index, node in enumerate(graph.nodes)}
    successors: list[list[int]] = [[] for _ in range(count)]
    predecessors: list[list[int]] = [[] for _ in range(count)]
    for edge in graph.edges:
        source, target = position[edge.source], position[edge.target]
        successors[source].append(target)
        predecessors[target].append(source)
    order = _reverse_postorder(successors)
    reachable = set(order)
    everything = (1 << count) - 1
    dominators = [1 << index if index not in reachable else everything for index in range(count)]
    dominators[0] = 1
    changed = True
    while changed:
        changed = False
        for index in order[1:]:
            found = everything
            for predecessor in predecessors[index]:
                if predecessor in reachable:
                    found &= dominators[predecessor]
            found |= 1 << index
            if found != dominators[index]:
                dominators[index], changed = found, True
    return dominators


def _reverse_postorder(successors: list[list[int]]) -> list[int]:
    """The nodes reachable from node 0, in reverse postorder, without recursion."""
    seen, postorder = {0}, []
    stack = [(0, iter(successors[0]))]
    while stack:
        node, following = stack[-1]
        step = next((s for s in following if s not in seen), None)
        if step is None:
            stack.pop()
            postorder.append(node)
        else:
            seen.add(step)
            stack.append((step, iter(successors[step])))
    return postorder[::-1]


def _bits(value: int) -> Iterator[int]:
    index = 0
    while value:
        if value & 1:
            yield index
        value >>= 1
        index += 1


def _inside(span: Span, outer: Span) -> bool:
    return outer.start <= span.start and span.end <= outer.end
