"""The colours of workflow graphs, shared by every renderer: one per node kind for a plain
graph, one per state for a graph drawn over an execution's progress.

Shapes are not here: each renderer says them in its own notation.
"""

from __future__ import annotations

from dataclasses import dataclass

from flowlang.compiler.graph import Node, NodeKind, NodeState


@dataclass(frozen=True, slots=True)
class Colors:
    fill: str
    stroke: str
    font: str = "#212121"


KIND_COLORS: dict[NodeKind, Colors] = {
    NodeKind.START: Colors("#37474f", "#263238", "#ffffff"),
    NodeKind.END: Colors("#37474f", "#263238", "#ffffff"),
    NodeKind.TASK: Colors("#e3f2fd", "#1565c0"),
    NodeKind.WORKFLOW: Colors("#ede7f6", "#4527a0"),
    NodeKind.TIMER: Colors("#fff8e1", "#ff8f00"),
    NodeKind.SIGNAL: Colors("#fce4ec", "#ad1457"),
    NodeKind.DECISION: Colors("#ffffff", "#455a64"),
    NodeKind.LOOP: Colors("#eceff1", "#455a64"),
    NodeKind.FORK: Colors("#e0f2f1", "#00695c"),
    NodeKind.JOIN: Colors("#e0f2f1", "#00695c"),
    NodeKind.PROMISE: Colors("#ffffff", "#00695c"),
    NodeKind.CATCH: Colors("#ffebee", "#b71c1c"),
    NodeKind.FINALLY: Colors("#fff3e0", "#e65100"),
    NodeKind.RETURN: Colors("#f1f8e9", "#33691e"),
    NodeKind.THROW: Colors("#ffcdd2", "#b71c1c"),
}

STATE_COLORS: dict[NodeState, Colors] = {
    NodeState.COMPLETED: Colors("#c8e6c9", "#2e7d32"),
    NodeState.FAILED: Colors("#ffcdd2", "#c62828"),
    NodeState.CURRENT: Colors("#ffe082", "#e65100"),
    NodeState.NOT_REACHED: Colors("#f5f5f5", "#bdbdbd", "#9e9e9e"),
}

# A node the execution's progress says nothing about (a decision it may not have passed yet).
UNKNOWN_STATE = Colors("#ffffff", "#757575")

CLUSTER_COLOR = "#90a4ae"  # the dashed outline of parallel and `try` regions
CLUSTER_FONT = "#546e7a"
ERROR_COLOR = "#c62828"
BACK_COLOR = "#546e7a"
EDGE_COLOR = "#37474f"

# The words under an overlaid graph, so that a reader needs no other key to its colours.
STATE_KEY = (
    "green: completed · red: failed · amber: waiting here or still running · grey: not reached"
)


def display_label(node: Node) -> str:
    """A node's label as drawn: signal waits and child workflows say what they are, since a
    bare name reads as a task."""
    prefix = _KIND_WORDS.get(node.kind)
    return node.label if prefix is None else f"{prefix} {node.label}"


_KIND_WORDS = {NodeKind.SIGNAL: "signal", NodeKind.WORKFLOW: "workflow"}


def state_class(state: NodeState) -> str:
    """The state as one word, for SVG classes and Mermaid class names."""
    return state.value.replace(" ", "-")
