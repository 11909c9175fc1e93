"""A workflow graph as Graphviz DOT text, built with the `graphviz` package.

The text is deterministic (attributes in a fixed order, nodes and edges in the model's order),
so it is snapshot-tested and the images rendered from it are stable. Each node carries its
model id as its SVG `id`, its kind (and state) as its SVG `class`, and `file:line` as its
tooltip, which SVG viewers show on hover.
"""

from __future__ import annotations

import re
import textwrap

import graphviz

from flowlang.compiler.graph import (
    Edge,
    EdgeKind,
    Graph,
    Node,
    NodeKind,
    NodeState,
    NodeStates,
)
from flowlang.graph.style import (
    BACK_COLOR,
    CLUSTER_COLOR,
    CLUSTER_FONT,
    EDGE_COLOR,
    ERROR_COLOR,
    KIND_COLORS,
    STATE_COLORS,
    STATE_KEY,
    UNKNOWN_STATE,
    Colors,
    display_label,
    state_class,
)

FONT = "Helvetica"
DESCRIPTION_WIDTH = 60
CAPTION_WIDTH = 100

# Graphviz shape and style per kind; every node is also `filled`.
_SHAPES: dict[NodeKind, tuple[str, str]] = {
    NodeKind.START: ("circle", ""),
    NodeKind.END: ("doublecircle", ""),
    NodeKind.TASK: ("box", "rounded"),
    NodeKind.WORKFLOW: ("box3d", ""),
    NodeKind.TIMER: ("ellipse", ""),
    NodeKind.SIGNAL: ("cds", ""),
    NodeKind.DECISION: ("diamond", ""),
    NodeKind.LOOP: ("hexagon", ""),
    NodeKind.FORK: ("trapezium", ""),
    NodeKind.JOIN: ("invtrapezium", ""),
    NodeKind.PROMISE: ("box", "dashed"),
    NodeKind.CATCH: ("box", ""),
    NodeKind.FINALLY: ("box", ""),
    NodeKind.RETURN: ("box", "rounded"),
    NodeKind.THROW: ("octagon", ""),
}

# An `&` that Graphviz would read as the start of an entity (`&amp;`, `&#35;`); `a && b` is
# left as it is.
_ENTITY_START = re.compile(r"&(?=#?\w+;)")

_CLUSTER_STYLE = {"style": "rounded,dashed", "color": CLUSTER_COLOR, "fontcolor": CLUSTER_FONT}


def to_dot(graph: Graph, states: NodeStates | None = None, caption: str | None = None) -> str:
    """The DOT text of `graph`; with `states`, each node is coloured by its state instead of
    its kind, and `caption` is written under the title."""
    dot = graphviz.Digraph(
        graphviz.escape(graph.name),
        graph_attr={
            "label": _label(graph.name, *_description(graph), *_notes(graph, states, caption)),
            "labelloc": "t",
            "fontname": FONT,
            "fontsize": "14",
            "rankdir": "TB",
            "nodesep": "0.3",
            "ranksep": "0.35",
        },
        node_attr={"fontname": FONT, "fontsize": "11", "penwidth": "1.2"},
        edge_attr={"fontname": FONT, "fontsize": "9", "color": EDGE_COLOR, "arrowsize": "0.7"},
    )
    bodies = {
        cluster.id: _cluster_body(cluster.id, cluster.kind, cluster.label)
        for cluster in graph.clusters
    }
    depths: dict[str, int] = {}
    for cluster in graph.clusters:  # a parent comes before its nested clusters
        depths[cluster.id] = 0 if cluster.parent is None else depths[cluster.parent] + 1
    for node in graph.nodes:
        target = dot if node.cluster is None else bodies[node.cluster]
        target.node(node.id, **_node_attributes(graph, node, states))
    # A cluster is copied into its parent when it is complete: innermost first, and siblings
    # in their order.
    for cluster in sorted(graph.clusters, key=lambda c: -depths[c.id]):
        parent = dot if cluster.parent is None else bodies[cluster.parent]
        parent.subgraph(bodies[cluster.id])
    for edge in graph.edges:
        dot.edge(edge.source, edge.target, **_edge_attributes(edge))
    return dot.source


def _cluster_body(cluster_id: str, kind: str, label: str) -> graphviz.Digraph:
    body = graphviz.Digraph(f"cluster_{cluster_id}")
    body.attr(id=cluster_id, label=_label(label), **{"class": kind}, **_CLUSTER_STYLE)
    return body


def _node_attributes(graph: Graph, node: Node, states: NodeStates | None) -> dict[str, str]:
    shape, style = _SHAPES[node.kind]
    state = None if states is None else states.get(node.id)
    colors = _colors(node, states)
    lines = [display_label(node)]
    if node.queue is not None and node.queue != graph.queue:
        lines.append(f"queue: {node.queue}")
    attributes = {
        "label": _label(*lines),
        "id": node.id,
        "class": node.kind.value if state is None else f"{node.kind.value} {state_class(state)}",
        "shape": shape,
        "style": ",".join(part for part in (style, "filled") if part),
        "fillcolor": colors.fill,
        "color": colors.stroke,
        "fontcolor": colors.font,
        "tooltip": _label(graph.location(node)),
    }
    if node.kind in (NodeKind.START, NodeKind.END):
        attributes.update(width="0.5", fixedsize="true", fontsize="9")
    if state is NodeState.CURRENT:
        attributes["penwidth"] = "3"
    return attributes


def _colors(node: Node, states: NodeStates | None) -> Colors:
    if states is None:
        return KIND_COLORS[node.kind]
    state = states.get(node.id)
    return UNKNOWN_STATE if state is None else STATE_COLORS[state]


def _edge_attributes(edge: Edge) -> dict[str, str]:
    attributes = {} if edge.label is None else {"label": _label(edge.label)}
    if edge.kind is EdgeKind.ERROR:
        attributes.update(style="dashed", color=ERROR_COLOR, fontcolor=ERROR_COLOR)
    elif edge.kind is EdgeKind.BACK:
        # A back edge must not rank the loop's head below its body.
        attributes.update(color=BACK_COLOR, fontcolor=BACK_COLOR, constraint="false")
    return attributes


def _description(graph: Graph) -> list[str]:
    if not graph.description:
        return []
    return _wrap(graph.description, DESCRIPTION_WIDTH)


def _notes(graph: Graph, states: NodeStates | None, caption: str | None) -> list[str]:
    """The lines under the title: the default queue, the caption, the key to the colours."""
    notes = [] if graph.queue is None else [f"queue: {graph.queue}"]
    if caption is not None:
        notes.extend(_wrap(caption, CAPTION_WIDTH))
    if states is not None:
        notes.append(STATE_KEY)
    return notes


def _wrap(text: str, width: int) -> list[str]:
    """Lines of the title, broken between words only: ids and paths stay whole."""
    return textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False)


def _label(*lines: str) -> str:
    """Lines of plain text as one DOT label: backslashes, `<…>` and `&…;` entities lose
    their meaning."""
    escaped = (_ENTITY_START.sub("&amp;", line.replace("\\", "\\\\")) for line in lines)
    return graphviz.nohtml("\\n".join(escaped))
