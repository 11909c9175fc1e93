"""`flowc build` and `flowc disasm`, driven through `main()` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flowlang.cli import main
from flowlang.compiler.bytecode import Program


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "flows").mkdir()
    (tmp_path / "flows" / "order.flow").write_text('return await Workflow.run("pay", {})\n')
    (tmp_path / "flows" / "payment.flow").write_text("```\nname: pay\n```\nreturn 1\n")
    return tmp_path


def test_build_writes_one_program_per_workflow(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["build", "flows", "-o", "out"]) == 0
    assert sorted(p.name for p in (project / "out").iterdir()) == [
        "order.flowc.json",
        "pay.flowc.json",
    ]
    program = Program.from_json((project / "out" / "pay.flowc.json").read_bytes())
    assert (program.workflow, program.path) == ("pay", "flows/payment.flow")
    assert "flows/payment.flow -> out/pay.flowc.json" in capsys.readouterr().out


def test_build_is_deterministic(project: Path) -> None:
    main(["build", "flows", "-o", "a"])
    main(["build", "flows", "-o", "b"])
    for name in ("order", "pay"):
        first = (project / "a" / f"{name}.flowc.json").read_bytes()
        assert (project / "b" / f"{name}.flowc.json").read_bytes() == first


def test_build_refuses_files_with_errors_and_builds_the_others(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "flows" / "broken.flow").write_text("return nope\n")
    assert main(["build", "flows", "-o", "out"]) == 1
    assert not (project / "out" / "broken.flowc.json").exists()
    assert (project / "out" / "pay.flowc.json").exists()
    err = capsys.readouterr().err
    assert "error[FLOW101]" in err and "not built: flows/broken.flow" in err


def test_build_checks_the_files_together(project: Path) -> None:
    (project / "flows" / "order.flow").write_text('return await Workflow.run("pay", 1)\n')
    assert main(["build", "flows", "-o", "out"]) == 1
    assert not (project / "out" / "order.flowc.json").exists()


def test_disasm_prints_a_built_program_and_a_flow_file_alike(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["build", "flows/payment.flow", "-o", "out"])
    capsys.readouterr()
    assert main(["disasm", "out/pay.flowc.json"]) == 0
    built = capsys.readouterr().out
    assert main(["disasm", "flows/payment.flow"]) == 0
    assert capsys.readouterr().out == built
    assert built.splitlines()[1].split() == ["0", "4:8", "LOAD_CONST", "0", "#", "1"]


def test_disasm_reports_a_file_that_is_not_a_program(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "x.json").write_text(json.dumps({"magic": "rhythm-flow-program", "format": "9.0"}))
    assert main(["disasm", "x.json"]) == 1
    assert "reads format 1.x" in capsys.readouterr().err


def test_disasm_of_a_flow_file_with_errors_prints_its_diagnostics(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "bad.flow").write_text("return nope\n")
    assert main(["disasm", "bad.flow"]) == 1
    assert "error[FLOW101]" in capsys.readouterr().err
