"""`flowc graph`, driven through `main()` as a user runs it."""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from flowlang.cli import main

ORDER = """\
```yaml
name: order
```
let stock = await Task.run("reserve", { sku: Inputs.sku })
if (!stock.ok) return { status: "out-of-stock" }
await Task.run("ship", { sku: Inputs.sku })
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "flows").mkdir()
    (tmp_path / "flows" / "order.flow").write_text(ORDER, encoding="utf-8")
    return tmp_path


def test_dot_goes_to_stdout_by_default(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["graph", "flows/order.flow"]) == 0

    out = capsys.readouterr().out
    assert out.startswith("digraph order {\n")
    assert "n1 [label=reserve class=task" in out
    assert 'tooltip="flows/order.flow:4"' in out


@pytest.mark.parametrize(
    ("name", "starts"),
    [
        ("order.dot", b"digraph order {"),
        ("order.gv", b"digraph order {"),
        ("order.svg", b"<?xml"),
        ("order.png", b"\x89PNG\r\n\x1a\n"),
        ("order.mmd", b'---\ntitle: "order"\n---\nflowchart TD'),
    ],
)
def test_the_extension_of_the_output_picks_the_format(
    project: Path, capsys: pytest.CaptureFixture[str], name: str, starts: bytes
) -> None:
    assert main(["graph", "flows/order.flow", "-o", name]) == 0

    assert (project / name).read_bytes().startswith(starts)
    assert capsys.readouterr() == ("", "")


def test_format_wins_over_the_extension(project: Path) -> None:
    assert main(["graph", "flows/order.flow", "--format", "mermaid", "-o", "README.md"]) == 0

    assert "flowchart TD" in (project / "README.md").read_text(encoding="utf-8")


def test_svg_on_stdout_is_an_svg_with_tooltips(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["graph", "flows/order.flow", "--format", "svg"]) == 0

    svg = ElementTree.fromstring(capsys.readouterr().out)
    titles = [
        link.get("{http://www.w3.org/1999/xlink}title")
        for link in svg.iter("{http://www.w3.org/2000/svg}a")
    ]
    assert "flows/order.flow:6" in titles


def test_an_unknown_extension_is_a_usage_error(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["graph", "flows/order.flow", "-o", "order.pdf"]) == 2

    assert capsys.readouterr().err == (
        "flowc: error: cannot tell the format of 'order.pdf' (extension `.pdf`): name it with "
        "one of .dot, .gv, .svg, .png, .mmd, .mermaid, or give --format dot|svg|png|mermaid\n"
    )
    assert not (project / "order.pdf").exists()


def test_an_unknown_format_is_refused_by_the_parser(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["graph", "x.flow", "--format", "pdf"]) == 2

    err = capsys.readouterr().err
    assert "argument --format: invalid choice: 'pdf'" in err
    assert all(name in err for name in ("dot", "svg", "png", "mermaid"))


def test_a_file_with_errors_is_reported_and_not_drawn(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "flows" / "broken.flow").write_text("return nope\n", encoding="utf-8")

    assert main(["graph", "flows/broken.flow", "-o", "broken.svg"]) == 1

    captured = capsys.readouterr()
    assert captured.out == ""
    assert "error[FLOW101]: undefined name `nope`" in captured.err
    assert "--> flows/broken.flow:1:8" in captured.err
    assert captured.err.endswith("flowc: not drawn: flows/broken.flow has errors\n")
    assert not (project / "broken.svg").exists()


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("missing.flow", "flowc: error: no such file: 'missing.flow'\n"),
        ("flows", "flowc: error: 'flows' is a folder: `flowc graph` draws one .flow file\n"),
    ],
)
def test_a_missing_file_or_a_folder_is_a_usage_error(
    project: Path, capsys: pytest.CaptureFixture[str], path: str, message: str
) -> None:
    assert main(["graph", path]) == 2

    assert capsys.readouterr().err == message


def test_png_is_not_written_to_a_terminal(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)

    assert main(["graph", "flows/order.flow", "--format", "png"]) == 2

    assert capsys.readouterr() == (
        "",
        "flowc: error: PNG is binary: write it to a file with -o OUT\n",
    )


def test_an_unwritable_output_is_a_usage_error(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["graph", "flows/order.flow", "-o", "no/such/folder/order.svg"]) == 2

    assert capsys.readouterr().err.startswith(
        "flowc: error: cannot write 'no/such/folder/order.svg': "
    )
