"""DOT, Mermaid and image renderings of workflow graphs: escaping, states, formats, failures."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from flowlang.compiler.analysis import analyze
from flowlang.compiler.graph import Graph, NodeKind, NodeState
from flowlang.compiler.graph_build import build_graph
from flowlang.graph import GraphFormatError, graph_format, image, render_graph
from flowlang.graph.dot import to_dot
from flowlang.graph.image import ImageError, render_image
from flowlang.graph.mermaid import to_mermaid
from flowlang.graph.style import STATE_COLORS, STATE_KEY, UNKNOWN_STATE

SVG = "{http://www.w3.org/2000/svg}"
AWKWARD_NAMES = ['say "hi"', "C:\\tmp\\n", "<b>bold</b>", "#1; &amp;", "`tick` | pipe"]


def graph_of(source: str, path: str = "t.flow") -> Graph:
    analysis = analyze(source, path=path)
    assert [d.message for d in analysis.diagnostics if d.is_error] == []
    return build_graph(analysis.program, analysis.source, analysis.front_matter, name="t")


def awkward_graph() -> Graph:
    calls = "\n".join(f"await Task.run({name!r})" for name in AWKWARD_NAMES)
    return graph_of(calls)


def svg_texts(svg: bytes) -> list[str]:
    return [text.text or "" for text in ElementTree.fromstring(svg).iter(f"{SVG}text")]


def test_awkward_names_are_drawn_literally() -> None:
    graph = awkward_graph()
    assert [node.label for node in graph.nodes[1:-1]] == AWKWARD_NAMES

    assert set(AWKWARD_NAMES) <= set(svg_texts(render_graph(graph, "svg")))


def test_mermaid_quotes_every_label_with_html_entities() -> None:
    text = to_mermaid(awkward_graph())

    labels = re.findall(r'^\s+n\d+\("(.*)"\)$', text, re.M)
    assert labels == [
        "say &quot;hi&quot;",
        "C:\\tmp\\n",
        "&lt;b&gt;bold&lt;/b&gt;",
        "&num;1; &amp;amp;",
        "&grave;tick&grave; | pipe",
    ]


def test_mermaid_ids_are_synthetic_and_end_is_not_a_class_name() -> None:
    text = to_mermaid(graph_of('await Workflow.run("end")'))

    assert re.findall(r"^\s+(\S+?)[\[(>{]", text, re.M) == ["n0", "n1", "n2"]
    assert 'n1[["workflow end"]]' in text
    assert "classDef kind_end " in text and "classDef end " not in text


def test_the_title_has_the_name_description_and_default_queue() -> None:
    source = (
        "```yaml\nname: approval\ndescription: Wait for a manager, then pay.\nqueue: finance\n"
        '```\nawait Task.run("pay")\nawait Task.run("log", {}, { queue: "audit" })\n'
    )
    graph = graph_of(source)
    dot = to_dot(graph)

    assert 'label="t\\nWait for a manager, then pay.\\nqueue: finance"' in dot
    assert "n1 [label=pay class=task" in dot
    assert 'n2 [label="log\\nqueue: audit" class=task' in dot
    mermaid = to_mermaid(graph)
    assert mermaid.startswith('---\ntitle: "t"\n---\nflowchart TD\n')
    assert "    %% Wait for a manager, then pay.\n    %% queue: finance\n" in mermaid
    assert 'n2("log<br>queue: audit")' in mermaid


def test_nested_regions_are_nested_clusters() -> None:
    dot = to_dot(graph_of('await Promise.all([Promise.race([Task.run("a")]), Task.run("b")])'))

    outer, inner = dot.index("subgraph cluster_c0 {"), dot.index("subgraph cluster_c1 {")
    assert outer < inner < dot.index("}", inner) < dot.rindex("}", outer, dot.index("n0 -> "))


def test_error_and_back_edges_have_their_own_style() -> None:
    source = """
for (const x of Inputs.xs) {
  try { await Task.run("a") } catch { await Task.run("b") }
}
"""
    dot = to_dot(graph_of(source))

    assert 'n2 -> n3 [label=error color="#c62828" fontcolor="#c62828" style=dashed]' in dot
    assert re.search(r'n4 -> n1 \[label="for x of Inputs.xs" [^]]*constraint=false', dot)


def test_states_colour_nodes_and_add_a_key() -> None:
    graph = graph_of('await Task.run("a")\nif (Inputs.x) await Task.run("b")\n')
    states = {"n0": NodeState.COMPLETED, "n1": NodeState.CURRENT, "n3": NodeState.NOT_REACHED}

    dot = to_dot(graph, states, caption="execution e-1: suspended")

    current, not_reached = STATE_COLORS[NodeState.CURRENT], STATE_COLORS[NodeState.NOT_REACHED]
    assert f'class="task current" color="{current.stroke}" fillcolor="{current.fill}"' in dot
    assert "penwidth=3" in dot
    assert f'class="task not-reached" color="{not_reached.stroke}"' in dot
    assert f'n2 [label="Inputs.x" class=decision color="{UNKNOWN_STATE.stroke}"' in dot
    assert f"execution e-1: suspended\\n{STATE_KEY}" in dot
    mermaid = to_mermaid(graph, states, caption="execution e-1: suspended")
    assert 'title: "t: execution e-1: suspended"' in mermaid
    assert "    class n1 state_current\n" in mermaid
    assert "    class n2,n4 state_unknown\n" in mermaid


def test_an_svg_over_states_has_state_classes() -> None:
    graph = graph_of('await Task.run("a")')
    svg = render_graph(graph, "svg", {"n1": NodeState.FAILED})

    classes = [
        group.get("class")
        for group in ElementTree.fromstring(svg).iter(f"{SVG}g")
        if group.get("id") == "n1"
    ]
    assert classes == ["node task failed"]


@pytest.mark.parametrize(
    ("given", "output", "expected"),
    [
        (None, None, "dot"),
        (None, "out.svg", "svg"),
        (None, "OUT.PNG", "png"),
        (None, "graphs/out.gv", "dot"),
        (None, "out.mmd", "mermaid"),
        (None, "out.mermaid", "mermaid"),
        ("mermaid", "out.md", "mermaid"),
        ("svg", "out.png", "svg"),
    ],
)
def test_the_format_is_given_or_follows_the_extension(
    given: str | None, output: str | None, expected: str
) -> None:
    assert graph_format(given, output) == expected


def test_an_unknown_extension_lists_the_accepted_ones() -> None:
    with pytest.raises(GraphFormatError) as raised:
        graph_format(None, "graph")
    assert str(raised.value) == (
        "cannot tell the format of 'graph' (no extension): name it with one of .dot, .gv, "
        ".svg, .png, .mmd, .mermaid, or give --format dot|svg|png|mermaid"
    )


def test_without_a_graphviz_program_the_error_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(shutil, "which", lambda *args, **kwargs: None)

    with pytest.raises(ImageError, match=r"pip install graphviz-pure"):
        render_image("digraph { a }", "svg")


def test_a_failing_graphviz_program_is_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(image, "graphviz_program", lambda: Path(shutil.which("false") or ""))

    with pytest.raises(ImageError, match=r"^false failed to draw the graph: no message$"):
        render_image("digraph { a }", "png")


def test_a_broken_dot_text_is_reported_with_the_programs_message() -> None:
    with pytest.raises(ImageError, match=r"failed to draw the graph: .*syntax"):
        render_image("digraph { a -> }", "svg")


def test_every_kind_has_a_shape_in_every_renderer() -> None:
    source = """
const s = Signal.next("go")
try {
  for (const x of Inputs.xs) {
    if (x) await Workflow.run("child")
  }
  await Promise.race([s, Timer.delay("1h"), Task.run("t")])
} catch { throw Error("no") } finally { return 1 }
"""
    graph = graph_of(source)
    assert {node.kind for node in graph.nodes} == set(NodeKind)
    assert "digraph" in to_dot(graph) and "flowchart TD" in to_mermaid(graph)
    assert len(svg_texts(render_graph(graph, "svg"))) >= len(graph.nodes)
