"""The realistic workflows of the corpus, drawn: DOT and Mermaid snapshots, SVGs that are XML
with a node per task call, a PNG that is a PNG.

Realistic means the folders that come with their tasks (a `tasks.py`) and the workflow sets
(`*_set`); paths in the drawings are relative to `corpus/valid`.
"""

from __future__ import annotations

import re
import struct
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from flowlang import workflow_name
from flowlang.compiler.analysis import analyze
from flowlang.compiler.graph import Graph
from flowlang.compiler.graph_build import build_graph
from flowlang.graph import render_graph

VALID = Path(__file__).resolve().parents[2] / "corpus" / "valid"
REALISTIC = sorted(
    path
    for folder in VALID.iterdir()
    if folder.is_dir() and ((folder / "tasks.py").exists() or folder.name.endswith("_set"))
    for path in folder.glob("*.flow")
)
IDS = [path.relative_to(VALID).as_posix() for path in REALISTIC]
SVG = "{http://www.w3.org/2000/svg}"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
TASK_CALL = re.compile(r"\bTask\.run\(")
WORKFLOW_CALL = re.compile(r"\bWorkflow\.run\(")


def corpus_graph(path: Path) -> Graph:
    display = path.relative_to(VALID).as_posix()
    analysis = analyze(path.read_text(encoding="utf-8"), path=display)
    assert [d for d in analysis.diagnostics if d.is_error] == []
    name = workflow_name(analysis, display)
    return build_graph(analysis.program, analysis.source, analysis.front_matter, name=name)


def test_the_realistic_corpus_is_found() -> None:
    assert len(REALISTIC) >= 12
    assert "realistic/order_fulfilment.flow" in IDS


@pytest.mark.parametrize("path", REALISTIC, ids=IDS)
def test_dot(path: Path, snapshot) -> None:
    assert render_graph(corpus_graph(path), "dot").decode("utf-8") == snapshot


@pytest.mark.parametrize("path", REALISTIC, ids=IDS)
def test_mermaid(path: Path, snapshot) -> None:
    assert render_graph(corpus_graph(path), "mermaid").decode("utf-8") == snapshot


@pytest.mark.parametrize("path", REALISTIC, ids=IDS)
def test_svg_is_xml_with_a_node_per_task_call(path: Path) -> None:
    svg = ElementTree.fromstring(render_graph(corpus_graph(path), "svg"))

    nodes = [group for group in svg.iter(f"{SVG}g") if "node" in group.get("class", "").split()]
    for kind, call in (("task", TASK_CALL), ("workflow", WORKFLOW_CALL)):
        drawn = [group for group in nodes if group.get("class", "").split()[1] == kind]
        assert len(drawn) == calls_in(path, call)
    # Each node says where its code is, on hover.
    for group in nodes:
        [link] = group.iter(f"{SVG}a")
        title = link.get("{http://www.w3.org/1999/xlink}title", "")
        assert re.fullmatch(rf"{re.escape(path.relative_to(VALID).as_posix())}:\d+", title)


def calls_in(path: Path, call: re.Pattern[str]) -> int:
    """The calls in the code of `path` (its comments hold directives, not calls)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return sum(len(call.findall(line)) for line in lines if not line.lstrip().startswith("//"))


def test_png_is_a_png() -> None:
    png = render_graph(corpus_graph(VALID / "realistic" / "order_fulfilment.flow"), "png")

    assert png[:8] == PNG_SIGNATURE
    length, chunk, width, height = struct.unpack(">I4sII", png[8:24])
    assert (length, chunk) == (13, b"IHDR")
    assert width > 200 and height > 400


def test_drawings_are_deterministic() -> None:
    path = VALID / "realistic" / "incident_escalation.flow"
    for graph_format in ("dot", "svg", "png", "mermaid"):
        assert render_graph(corpus_graph(path), graph_format) == render_graph(
            corpus_graph(path), graph_format
        )
