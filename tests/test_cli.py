from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pytest

from flowlang import cli
from flowlang.cli import main
from flowlang.compiler.codes import CODES
from flowlang.render import FORMATS

CLEAN = 'const { orderId } = Inputs\nreturn { orderId, status: "ok" }\n'
BROKEN = "let total = 1\nreturn totl + total\n"
UNUSED = "let tmp = 1\nreturn null\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An empty working directory, with no colour forced on or off from outside."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("FORCE_COLOR", raising=False)
    monkeypatch.delenv("FLOWC_DEBUG", raising=False)
    return tmp_path


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def files_with_diagnostics(output: str) -> list[str]:
    """The files a `--format json` report has diagnostics in, in order, each once."""
    files = [entry["file"] for entry in json.loads(output)["diagnostics"]]
    return list(dict.fromkeys(files))


# --- exit codes and the text report --------------------------------------------------------


def test_a_clean_file_exits_0_and_says_so(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "ok.flow", CLEAN)

    assert main(["check", "ok.flow"]) == 0

    assert capsys.readouterr().out == "no problems in 1 file\n"


def test_errors_exit_1_and_the_summary_follows_the_diagnostics(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "bad.flow", BROKEN)

    assert main(["check", "bad.flow"]) == 1

    out = capsys.readouterr().out
    assert out.startswith("error[FLOW101]: undefined name `totl`\n  --> bad.flow:2:8\n")
    assert out.endswith("\n1 error in 1 file\n")


def test_warnings_do_not_fail_unless_asked(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "warn.flow", UNUSED)

    assert main(["check", "warn.flow"]) == 0
    assert "warning[FLOW402]" in capsys.readouterr().out
    assert main(["check", "--warnings-as-errors", "warn.flow"]) == 1


def test_warnings_as_errors_comes_from_the_config_and_the_flag_overrides_it(
    project: Path,
) -> None:
    write(project / "pyproject.toml", "[tool.flowc]\nwarnings-as-errors = true\n")
    write(project / "warn.flow", UNUSED)

    assert main(["check", "warn.flow"]) == 1
    assert main(["check", "--no-warnings-as-errors", "warn.flow"]) == 0


def test_a_missing_path_is_a_usage_error(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "x.flow"]) == 2

    assert capsys.readouterr().err == "flowc: error: no such file or directory: 'x.flow'\n"


def test_a_file_that_is_not_utf8_is_a_diagnostic_of_that_file(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "latin1.flow").write_bytes("let café = 1\nreturn café\n".encode("latin-1"))
    write(project / "ok.flow", CLEAN)

    assert main(["check", "latin1.flow", "ok.flow"]) == 1

    out = capsys.readouterr().out
    assert "error[FLOW006]: file is not valid UTF-8\n  --> latin1.flow:1:8\n" in out
    assert "byte 0xe9: invalid continuation byte" in out
    assert out.endswith("1 error in 2 files\n")


def test_a_byte_order_mark_is_not_part_of_the_text(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "bom.flow").write_bytes(b"\xef\xbb\xbf" + BROKEN.encode())

    assert main(["check", "bom.flow"]) == 1

    assert "  --> bom.flow:2:8\n" in capsys.readouterr().out


def test_paths_outside_the_working_directory_are_shown_absolute(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    bad = write(project / "flows" / "bad.flow", BROKEN)
    monkeypatch.chdir(write(project / "elsewhere" / "x", "").parent)

    main(["check", "../flows/bad.flow"])

    assert f"  --> {bad}:2:8\n" in capsys.readouterr().out


def test_an_internal_error_exits_2_without_a_traceback(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write(project / "ok.flow", CLEAN)

    def explode(text: str, *, path: str | None = None) -> None:
        raise RuntimeError("the parser fell over")

    monkeypatch.setattr(cli, "prepare", explode)

    assert main(["check", "ok.flow"]) == 2

    err = capsys.readouterr().err
    assert err.startswith("flowc: internal error: RuntimeError: the parser fell over\n")
    assert "please report it" in err
    assert "Traceback" not in err

    monkeypatch.setenv("FLOWC_DEBUG", "1")
    assert main(["check", "ok.flow"]) == 2
    assert "Traceback (most recent call last)" in capsys.readouterr().err


# --- what gets checked ---------------------------------------------------------------------


def test_folders_are_searched_recursively_in_sorted_order_skipping_hidden_and_vendored(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ["flows/b.flow", "flows/a.flow", "flows/deep/c.flow", "top.flow"]:
        write(project / name, BROKEN)
    for name in [".git/x.flow", "flows/.cache/y.flow", "node_modules/z.flow", ".venv/v.flow"]:
        write(project / name, BROKEN)
    write(project / "flows" / "notes.txt", BROKEN)

    assert main(["check", "--format", "json"]) == 1

    assert files_with_diagnostics(capsys.readouterr().out) == [
        "flows/a.flow",
        "flows/b.flow",
        "flows/deep/c.flow",
        "top.flow",
    ]


def test_a_file_named_twice_is_checked_once(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "flows" / "a.flow", BROKEN)

    main(["check", "--format", "json", "flows/a.flow", "flows", "x/../flows/a.flow"])

    assert json.loads(capsys.readouterr().out)["summary"] == {
        "errors": 1,
        "warnings": 0,
        "files": 1,
    }


def test_without_paths_the_configured_workflows_are_checked(
    project: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write(project / "pyproject.toml", '[tool.flowc]\nworkflows = ["workflows"]\n')
    write(project / "workflows" / "a.flow", BROKEN)
    write(project / "other" / "b.flow", BROKEN)
    monkeypatch.chdir(write(project / "workflows" / "sub" / "x", "").parent)

    assert main(["check", "--format", "json"]) == 1

    assert files_with_diagnostics(capsys.readouterr().out) == [
        str(project / "workflows" / "a.flow")
    ]


def test_a_configured_folder_that_does_not_exist_names_the_pyproject(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "pyproject.toml", '[tool.flowc]\nworkflows = ["flows"]\n')

    assert main(["check"]) == 2

    assert capsys.readouterr().err == (
        f"flowc: error: `workflows` entry 'flows' of {project / 'pyproject.toml'} does not exist\n"
    )


def test_an_unknown_config_key_is_a_usage_error(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "pyproject.toml", "[tool.flowc]\nstrict = true\n")

    assert main(["check"]) == 2

    assert capsys.readouterr().err.startswith(
        f"flowc: error: unknown key `strict` in `[tool.flowc]` of {project / 'pyproject.toml'}\n"
    )


def test_no_files_at_all_is_clean_with_a_warning(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check"]) == 0

    captured = capsys.readouterr()
    assert captured.out == "no problems in 0 files\n"
    assert captured.err == "flowc: warning: no .flow files found\n"


# --- formats, colour and output ------------------------------------------------------------


@pytest.mark.parametrize("format", FORMATS)
def test_every_format_can_be_selected(
    project: Path, capsys: pytest.CaptureFixture[str], format: str
) -> None:
    write(project / "bad.flow", BROKEN)

    assert main(["check", "--format", format, "bad.flow"]) == 1

    out = capsys.readouterr().out
    assert "FLOW101" in out
    assert ("1 error in 1 file" in out) == (format == "text")


def test_json_and_sarif_are_json_documents(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "bad.flow", BROKEN)

    main(["check", "--format", "json", "bad.flow"])
    assert json.loads(capsys.readouterr().out)["summary"]["errors"] == 1

    main(["check", "--format", "sarif", "bad.flow"])
    assert json.loads(capsys.readouterr().out)["version"] == "2.1.0"


def test_github_format_writes_workflow_commands(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "bad.flow", BROKEN)

    main(["check", "--format", "github", "bad.flow"])

    assert capsys.readouterr().out.startswith("::error file=bad.flow,line=2,col=8,")


@pytest.mark.parametrize(
    ("flag", "environment", "coloured"),
    [
        ("always", {}, True),
        ("never", {"FORCE_COLOR": "1"}, False),
        ("auto", {}, False),
        ("auto", {"FORCE_COLOR": "1"}, True),
        ("auto", {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
    ],
)
def test_colour_follows_the_flag_and_the_environment(
    project: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    flag: str,
    environment: dict[str, str],
    coloured: bool,
) -> None:
    write(project / "bad.flow", BROKEN)
    for name, value in environment.items():
        monkeypatch.setenv(name, value)

    main(["check", "--color", flag, "bad.flow"])

    assert ("\x1b[" in capsys.readouterr().out) == coloured


def test_output_goes_to_a_file_when_asked(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "bad.flow", BROKEN)

    assert main(["check", "--format", "sarif", "-o", "report.sarif", "bad.flow"]) == 1

    assert capsys.readouterr().out == ""
    assert json.loads((project / "report.sarif").read_text(encoding="utf-8"))["runs"]


def test_an_unwritable_output_is_a_usage_error(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "ok.flow", CLEAN)

    assert main(["check", "-o", "missing/report.txt", "ok.flow"]) == 2

    assert capsys.readouterr().err.startswith("flowc: error: cannot write 'missing/report.txt'")


# --- explain, version, usage ---------------------------------------------------------------


def test_explain_prints_the_documentation_of_a_code(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "FLOW101"]) == 0

    out = capsys.readouterr().out
    assert "FLOW101" in out
    assert "undefined name" in out


def test_explain_accepts_a_short_spelling(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "101"]) == 0
    short = capsys.readouterr().out
    main(["explain", "FLOW101"])
    assert capsys.readouterr().out == short


def test_explain_of_an_unknown_code_points_to_the_list(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "FLOW999"]) == 2

    assert capsys.readouterr().err == (
        "flowc: error: unknown diagnostic code `FLOW999`\n"
        "  run `flowc explain --list` to see every code\n"
    )


def test_explain_without_a_code_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain"]) == 2

    assert "flowc explain FLOW101" in capsys.readouterr().err


def test_explain_list_shows_every_code_once(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "--list"]) == 0

    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == list(CODES)
    assert "FLOW402  warning  unused variable" in lines


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--version"]) == 0

    assert capsys.readouterr().out == "flowc 0.1.0\n"


@pytest.mark.parametrize("argv", [[], ["frobnicate"], ["check", "--format", "xml"]])
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2

    assert "usage: flowc" in capsys.readouterr().err


@pytest.mark.parametrize(
    "argv", [["--help"], ["check", "--help"], ["catalog", "--help"], ["explain", "--help"]]
)
def test_help_shows_examples(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 0

    assert "examples:" in capsys.readouterr().out


# --- task catalogs ---------------------------------------------------------------------------

TASKS_PY = """
from __future__ import annotations

from rhythm import task


@task(name="send_email")
def send_email(to: str, subject: str) -> dict[str, str]:
    \"\"\"Send one email.\"\"\"
    return {"id": "em_1"}
"""

CATALOG = {
    "format": "flow-task-catalog/1",
    "tasks": {
        "send_email": {
            "inputs": {
                "type": "object",
                "properties": {"to": {"type": "string"}, "subject": {"type": "string"}},
                "required": ["to", "subject"],
                "additionalProperties": False,
            }
        }
    },
}

TASK_TYPO = 'await Task.run("send_emial", { to: "a@b.c", subject: "hi" })\n'
TASK_OK = 'await Task.run("send_email", { to: "a@b.c", subject: "hi" })\n'


def codes_in(output: str) -> list[str]:
    return [entry["code"] for entry in json.loads(output)["diagnostics"]]


@pytest.mark.parametrize("source", ["catalog.json", "tasks.py"])
def test_tasks_from_a_catalog_file_or_a_python_module_are_checked(
    project: Path, capsys: pytest.CaptureFixture[str], source: str
) -> None:
    write(project / "catalog.json", json.dumps(CATALOG))
    write(project / "tasks.py", TASKS_PY)
    write(project / "typo.flow", TASK_TYPO)
    write(project / "ok.flow", TASK_OK)

    assert main(["check", "--format", "json", "--tasks", source, "ok.flow", "typo.flow"]) == 1

    assert codes_in(capsys.readouterr().out) == ["FLOW301"]


def test_without_a_catalog_task_names_are_not_checked(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "typo.flow", TASK_TYPO)

    assert main(["check", "typo.flow"]) == 0


def test_the_configured_tasks_apply_unless_tasks_are_given(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "pyproject.toml", '[tool.flowc]\ntasks = ["app/tasks.py"]\n')
    write(project / "app" / "tasks.py", TASKS_PY)
    write(project / "empty.json", json.dumps({"format": "flow-task-catalog/1", "tasks": {}}))
    write(project / "ok.flow", TASK_OK)

    assert main(["check", "ok.flow"]) == 0
    capsys.readouterr()
    assert main(["check", "--format", "json", "--tasks", "empty.json", "ok.flow"]) == 1
    assert codes_in(capsys.readouterr().out) == ["FLOW301"]


def test_a_task_in_two_sources_is_a_usage_error(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "catalog.json", json.dumps(CATALOG))
    write(project / "tasks.py", TASKS_PY)
    write(project / "ok.flow", TASK_OK)

    assert main(["check", "--tasks", "catalog.json", "--tasks", "tasks.py", "ok.flow"]) == 2

    assert capsys.readouterr().err == (
        "flowc: error: task `send_email` is in two task catalogs: `catalog.json` and `tasks.py`\n"
    )


@pytest.mark.parametrize(
    ("files", "source", "message"),
    [
        ({}, "nope.json", "flowc: error: task catalog source 'nope.json' does not exist\n"),
        (
            {"bad.json": "{"},
            "bad.json",
            "flowc: error: the task catalog `bad.json` is not JSON: Expecting property name "
            "enclosed in double quotes at line 1, column 2\n",
        ),
        (
            {"old.json": '{"format": "flow-task-catalog/0", "tasks": {}}'},
            "old.json",
            "flowc: error: the task catalog `old.json` is not valid:\n"
            '  `format` must be "flow-task-catalog/1", not "flow-task-catalog/0"\n',
        ),
        (
            {"broken.py": "import not_a_module_anywhere\n"},
            "broken.py",
            "flowc: error: cannot import `broken.py`: broken.py:1: ModuleNotFoundError: "
            "No module named 'not_a_module_anywhere'\n",
        ),
    ],
)
def test_a_catalog_that_cannot_be_used_is_a_usage_error(
    project: Path,
    capsys: pytest.CaptureFixture[str],
    files: dict[str, str],
    source: str,
    message: str,
) -> None:
    for name, text in files.items():
        write(project / name, text)
    write(project / "ok.flow", TASK_OK)

    assert main(["check", "--tasks", source, "ok.flow"]) == 2

    assert capsys.readouterr().err == message


def test_catalog_prints_the_catalog_of_modules(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "tasks.py", TASKS_PY)

    assert main(["catalog", "tasks.py"]) == 0

    catalog = json.loads(capsys.readouterr().out)
    entry = catalog["tasks"]["send_email"]
    assert entry["inputs"]["required"] == ["to", "subject"]
    assert entry["doc"] == "Send one email."
    assert entry["source"] == {"file": "tasks.py", "line": 7}


def test_catalog_writes_to_a_file_and_check_reads_it(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "tasks.py", TASKS_PY)
    write(project / "typo.flow", TASK_TYPO)

    assert main(["catalog", "tasks.py", "-o", "catalog.json"]) == 0
    assert capsys.readouterr().out == ""
    assert main(["check", "--format", "json", "--tasks", "catalog.json", "typo.flow"]) == 1
    assert codes_in(capsys.readouterr().out) == ["FLOW301"]


def test_catalog_of_a_module_that_fails_is_a_usage_error(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "tasks.py", "raise RuntimeError('no database in tests')\n")

    assert main(["catalog", "tasks.py"]) == 2

    assert capsys.readouterr().err == (
        "flowc: error: cannot import `tasks.py`: tasks.py:1: RuntimeError: no database in tests\n"
    )


# --- workflow sets -----------------------------------------------------------------------------

CHILD = """```yaml
name: charge
inputs:
  orderId: string
```
return { chargeId: Inputs.orderId }
"""
PARENT = 'await Workflow.run("charge", { orderId: "o1" })\nawait Workflow.run("refund", {})\n'
PARENT_BAD_INPUT = 'await Workflow.run("charge", { orderId: 1 })\n'


def test_files_given_as_paths_are_typed_together_but_not_a_complete_set(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "flows" / "charge.flow", CHILD)
    write(project / "flows" / "parent.flow", PARENT)
    write(project / "flows" / "bad.flow", PARENT_BAD_INPUT)

    assert main(["check", "--format", "json", "flows"]) == 1

    assert codes_in(capsys.readouterr().out) == ["FLOW304"]


def test_a_complete_set_reports_unknown_workflows(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "flows" / "charge.flow", CHILD)
    write(project / "flows" / "parent.flow", PARENT)

    assert main(["check", "--format", "json", "--workflow-set", "flows"]) == 1
    assert codes_in(capsys.readouterr().out) == ["FLOW305"]

    write(project / "pyproject.toml", '[tool.flowc]\nworkflows = ["flows"]\n')
    assert main(["check", "--format", "json"]) == 1
    assert codes_in(capsys.readouterr().out) == ["FLOW305"]
    assert main(["check", "--no-workflow-set"]) == 0


def test_two_workflows_with_one_name_is_flow309_on_the_second(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(project / "a.flow", CHILD)
    write(project / "b.flow", CHILD)

    assert main(["check", "--format", "json", "a.flow", "b.flow"]) == 1

    [entry] = json.loads(capsys.readouterr().out)["diagnostics"]
    assert (entry["file"], entry["code"]) == ("b.flow", "FLOW309")
    assert entry["message"] == "workflow name `charge` is already used by `a.flow`"


# --- the benchmark's program stays valid ---------------------------------------------------


def load_bench() -> ModuleType:
    path = Path(__file__).parents[1] / "bench" / "compiler.py"
    spec = importlib.util.spec_from_file_location("bench_compiler", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being created
    spec.loader.exec_module(module)
    return module


def test_the_benchmark_program_has_no_errors_and_its_python_twin_compiles() -> None:
    bench = load_bench()
    program = bench.generate(400)

    assert program.flow_lines >= 400
    assert bench.error_count(program.flow) == 0
    compile(program.python, "<bench>", "exec")
