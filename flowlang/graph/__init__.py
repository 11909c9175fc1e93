"""Drawings of workflow graphs (`flowlang.compiler.graph`): DOT, SVG, PNG and Mermaid.

`render_graph()` is the entry point of `flowc graph` and `rhythm graph`; `graph_format()` decides
the format from the options they are given. Each renderer reads the model only, and the
colours of an execution's progress come in as a mapping from node id to `NodeState`.
"""

from __future__ import annotations

from pathlib import PurePath

from flowlang.compiler.graph import Graph, NodeStates
from flowlang.graph.dot import to_dot
from flowlang.graph.image import IMAGE_FORMATS, ImageError, render_image
from flowlang.graph.mermaid import to_mermaid

GRAPH_FORMATS = ("dot", "svg", "png", "mermaid")
# The format an output file's extension asks for.
EXTENSIONS = {
    ".dot": "dot",
    ".gv": "dot",
    ".svg": "svg",
    ".png": "png",
    ".mmd": "mermaid",
    ".mermaid": "mermaid",
}
BINARY_FORMATS = frozenset({"png"})

__all__ = [
    "BINARY_FORMATS",
    "EXTENSIONS",
    "GRAPH_FORMATS",
    "GraphFormatError",
    "ImageError",
    "graph_format",
    "render_graph",
]


class GraphFormatError(Exception):
    """The output's format cannot be told; the message lists what is accepted."""


def graph_format(given: str | None, output: str | None) -> str:
    """The format to write: `given` (`--format`), else the one the extension of `output` asks
    for, else DOT."""
    if given is not None:
        return given
    if output is None:
        return "dot"
    extension = PurePath(output).suffix.lower()
    if extension in EXTENSIONS:
        return EXTENSIONS[extension]
    accepted = ", ".join(EXTENSIONS)
    shown = f"extension `{extension}`" if extension else "no extension"
    raise GraphFormatError(
        f"cannot tell the format of '{output}' ({shown}): name it with one of {accepted}, "
        f"or give --format {'|'.join(GRAPH_FORMATS)}"
    )


def render_graph(
    graph: Graph,
    format_name: str,
    states: NodeStates | None = None,
    caption: str | None = None,
) -> bytes:
    """`graph` in `format_name`, coloured by `states` when given, with `caption` under its
    title; text formats are UTF-8."""
    if format_name == "mermaid":
        return to_mermaid(graph, states, caption).encode("utf-8")
    source = to_dot(graph, states, caption)
    if format_name in IMAGE_FORMATS:
        return render_image(source, format_name)
    if format_name == "dot":
        return source.encode("utf-8")
    raise GraphFormatError(
        f"unknown graph format `{format_name}`; expected one of {', '.join(GRAPH_FORMATS)}"
    )
