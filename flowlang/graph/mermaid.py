"""A workflow graph as Mermaid `flowchart` text, which GitHub renders in Markdown.

Node ids are the model's (`n0`, `n1`, …), never names from the source, and every label is
quoted, with HTML entities for the characters Mermaid's syntax or HTML would read (`"`, `#`,
`<`, `>`, `&`, backticks), so any source text is safe in a label. Mermaid has no tooltips
that GitHub shows, so each node's `file:line` is a comment above it.
"""

from __future__ import annotations

import json
from collections import defaultdict

from flowlang.compiler.graph import EdgeKind, Graph, Node, NodeKind, NodeStates
from flowlang.graph.style import (
    BACK_COLOR,
    CLUSTER_COLOR,
    CLUSTER_FONT,
    ERROR_COLOR,
    KIND_COLORS,
    STATE_COLORS,
    STATE_KEY,
    UNKNOWN_STATE,
    Colors,
    display_label,
)

INDENT = "    "

# Mermaid's shape brackets per kind.
_SHAPES: dict[NodeKind, tuple[str, str]] = {
    NodeKind.START: ("([", "])"),
    NodeKind.END: ("((", "))"),
    NodeKind.TASK: ("(", ")"),
    NodeKind.WORKFLOW: ("[[", "]]"),
    NodeKind.TIMER: ("[/", "/]"),
    NodeKind.SIGNAL: (">", "]"),
    NodeKind.DECISION: ("{", "}"),
    NodeKind.LOOP: ("{{", "}}"),
    NodeKind.FORK: ("[/", "\\]"),
    NodeKind.JOIN: ("[\\", "/]"),
    NodeKind.PROMISE: ("[", "]"),
    NodeKind.CATCH: ("[", "]"),
    NodeKind.FINALLY: ("[", "]"),
    NodeKind.RETURN: ("([", "])"),
    NodeKind.THROW: ("[\\", "\\]"),
}

# HTML's named entities, which Mermaid leaves to the browser. Not Mermaid's own codes
# (`#quot;`): Mermaid 11 shows them as mangled text, and its reading of `#…;` is why `#` itself
# needs escaping.
_ENTITIES = {
    "&": "&amp;",
    '"': "&quot;",
    "<": "&lt;",
    ">": "&gt;",
    "#": "&num;",
    "`": "&grave;",
}
# Class names carry a prefix: `end` alone is a Mermaid keyword.
_UNKNOWN = "state_unknown"


def to_mermaid(graph: Graph, states: NodeStates | None = None, caption: str | None = None) -> str:
    """The Mermaid text of `graph`; with `states`, nodes are classed by state (see dot.py)."""
    title = graph.name if caption is None else f"{graph.name}: {caption}"
    lines = ["---", f"title: {json.dumps(title, ensure_ascii=False)}", "---", "flowchart TD"]
    if graph.description:
        lines.append(f"{INDENT}%% {' '.join(graph.description.split())}")
    if graph.queue is not None:
        lines.append(f"{INDENT}%% queue: {graph.queue}")
    if states is not None:
        lines.append(f"{INDENT}%% {STATE_KEY}")
    lines.extend(_nodes_and_clusters(graph))
    lines.extend(_edges(graph))
    lines.extend(_classes(graph, states))
    lines.extend(
        f"{INDENT}style {cluster.id} fill:none,stroke:{CLUSTER_COLOR},color:{CLUSTER_FONT},"
        "stroke-dasharray:5 3"
        for cluster in graph.clusters
    )
    return "\n".join(lines) + "\n"


def _nodes_and_clusters(graph: Graph) -> list[str]:
    """Every node declared inside its cluster's `subgraph … end` block, clusters nested as in
    the model, without recursion (regions can nest deeply)."""
    nodes_in: dict[str | None, list[Node]] = defaultdict(list)
    for node in graph.nodes:
        nodes_in[node.cluster].append(node)
    clusters_in: dict[str | None, list[str]] = defaultdict(list)
    labels = {}
    for cluster in graph.clusters:
        clusters_in[cluster.parent].append(cluster.id)
        labels[cluster.id] = cluster.label
    lines: list[str] = []
    # Work items: a cluster id to open (with its depth), or the `end` of one.
    pending: list[tuple[str | None, int, bool]] = [(None, 0, True)]
    while pending:
        cluster_id, depth, opening = pending.pop()
        indent = INDENT * (depth + 1)
        if not opening:
            lines.append(f"{INDENT * depth}end")
            continue
        if cluster_id is not None:
            lines.append(f'{INDENT * depth}subgraph {cluster_id} ["{_escape(labels[cluster_id])}"]')
        for node in nodes_in[cluster_id]:
            lines.append(f"{indent}%% {graph.location(node)}")
            opening_bracket, closing_bracket = _SHAPES[node.kind]
            lines.append(
                f'{indent}{node.id}{opening_bracket}"{_node_text(graph, node)}"{closing_bracket}'
            )
        if cluster_id is not None:
            pending.append((cluster_id, depth, False))
        for nested in reversed(clusters_in[cluster_id]):
            pending.append((nested, depth + 1, True))
    return lines


def _node_text(graph: Graph, node: Node) -> str:
    text = _escape(display_label(node))
    if node.queue is not None and node.queue != graph.queue:
        text += f"<br>queue: {_escape(node.queue)}"
    return text


def _edges(graph: Graph) -> list[str]:
    lines = []
    for edge in graph.edges:
        arrow = "-.->" if edge.kind is EdgeKind.ERROR else "-->"
        label = "" if edge.label is None else f'|"{_escape(edge.label)}"|'
        lines.append(f"{INDENT}{edge.source} {arrow}{label} {edge.target}")
    for kind, color in ((EdgeKind.ERROR, ERROR_COLOR), (EdgeKind.BACK, BACK_COLOR)):
        indexes = [str(i) for i, edge in enumerate(graph.edges) if edge.kind is kind]
        if indexes:
            lines.append(f"{INDENT}linkStyle {','.join(indexes)} stroke:{color},color:{color}")
    return lines


def _classes(graph: Graph, states: NodeStates | None) -> list[str]:
    """A class per kind (or per state, over an execution) with its colours."""
    members: dict[str, list[str]] = defaultdict(list)
    colors: dict[str, Colors] = {}
    for node in graph.nodes:
        if states is None:
            name, color = f"kind_{node.kind.value}", KIND_COLORS[node.kind]
        elif (state := states.get(node.id)) is None:
            name, color = _UNKNOWN, UNKNOWN_STATE
        else:
            name, color = f"state_{state.name.lower()}", STATE_COLORS[state]
        members[name].append(node.id)
        colors[name] = color
    lines = []
    for name, ids in members.items():
        color = colors[name]
        style = f"fill:{color.fill},stroke:{color.stroke},color:{color.font}"
        if name == f"kind_{NodeKind.PROMISE.value}":
            style += ",stroke-dasharray:4 3"
        lines.append(f"{INDENT}classDef {name} {style}")
        lines.append(f"{INDENT}class {','.join(ids)} {name}")
    return lines


def _escape(text: str) -> str:
    return "".join(_ENTITIES.get(character, character) for character in text)
