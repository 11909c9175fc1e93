"""`flowc`, the command line of the flowlang toolchain.

Each command is one `add_*_command` function that declares its arguments and names the function
that runs it; `COMMANDS` lists them, so adding a command is writing one function and one entry.
`main()` owns the exit codes: 0 when clean, 1 when the checked files have errors, 2 for a usage
error, a bad configuration or a bug in flowc. A bug never ends in a bare traceback.
"""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from flowlang import CompileError, __version__, workflow_name
from flowlang import compile as compile_source
from flowlang.compiler.analysis import Analysis, Prepared, prepare
from flowlang.compiler.bytecode import Program, ProgramLoadError
from flowlang.compiler.catalog import CatalogError
from flowlang.compiler.codegen import generate
from flowlang.compiler.codes import CODES, diagnostic, explain
from flowlang.compiler.disasm import disassemble
from flowlang.compiler.environment import TaskSignature
from flowlang.compiler.graph_build import build_graph
from flowlang.compiler.source import SourceFile, Span
from flowlang.compiler.workflow_set import analyze_together
from flowlang.config import ConfigError, FlowcConfig, load_config
from flowlang.graph import (
    BINARY_FORMATS,
    GRAPH_FORMATS,
    GraphFormatError,
    ImageError,
    graph_format,
    render_graph,
)
from flowlang.render import FORMATS, FileReport, render, summary, use_color
from flowlang.task_sources import TaskSource, export_catalog, load_task_catalog

EXIT_CLEAN = 0
EXIT_PROBLEMS = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130

# Folders a recursive search never enters: tool caches and environments, not workflows.
_SKIPPED_FOLDERS = frozenset({"node_modules", ".venv"})

Command = Callable[[argparse.Namespace], int]


class UsageError(Exception):
    """The command cannot run as given; the message says why (exit code 2)."""


def main(argv: list[str] | None = None) -> int:
    """Run `flowc` with `argv` (default: the process arguments) and return the exit code."""
    try:
        return _run(argv)
    except (UsageError, ConfigError, CatalogError) as error:
        print(f"flowc: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_PROBLEMS
    except Exception as error:  # the last line of defence: report it, never crash
        _report_internal_error(error)
        return EXIT_USAGE


def _run(argv: list[str] | None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_request:  # --help, --version and argparse's own usage errors
        return exit_request.code if isinstance(exit_request.code, int) else EXIT_USAGE
    command: Command = args.run
    return command(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="flowc",
        description="Check .flow workflows, export task catalogs and explain diagnostics.",
        epilog=(
            "examples:\n"
            "  flowc check                        check the project's workflows\n"
            "  flowc check workflows/ --format sarif -o flowc.sarif\n"
            "  flowc check --tasks app/tasks.py   check against the @task functions of a module\n"
            "  flowc catalog app.tasks -o catalog.json\n"
            "  flowc graph order.flow -o out.svg  draw what a workflow does\n"
            "  flowc explain FLOW101              what an error means and how to fix it\n"
            "\n"
            "Run `flowc COMMAND --help` for the options of a command."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"flowc {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", dest="command")
    commands.required = True
    for add_command in COMMANDS:
        add_command(commands)
    return parser


# --- flowc check ---------------------------------------------------------------------------


def add_check_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "check",
        help="report the diagnostics of .flow files",
        description=(
            "Parse and check .flow files and report every diagnostic. Folders are searched\n"
            "recursively for *.flow files (hidden folders and node_modules are skipped).\n"
            "Without a PATH, flowc checks the `workflows` of [tool.flowc] in the nearest\n"
            "pyproject.toml, or else the current folder.\n"
            "\n"
            "With a task catalog (--tasks, or `tasks` in [tool.flowc]) task names, inputs and\n"
            "results are checked. The checked files are checked together: `Workflow.run` of\n"
            "one of them is checked against its front matter. Whether another name is an\n"
            "error depends on whether the checked files are the complete workflow set: they\n"
            "are when flowc checks the configured `workflows` (no PATH), or with\n"
            "--workflow-set."
        ),
        epilog=(
            "exit status: 0 no errors, 1 errors found (or warnings, with\n"
            "--warnings-as-errors), 2 usage or configuration error\n"
            "\n"
            "examples:\n"
            "  flowc check onboard_user.flow\n"
            "  flowc check workflows/ --warnings-as-errors\n"
            "  flowc check --tasks catalog.json --tasks app/more_tasks.py workflows/\n"
            "  flowc check workflows/ --workflow-set   unknown child workflows are errors\n"
            "  flowc check --format github     annotations in a GitHub Actions log\n"
            "  flowc check --format sarif -o flowc.sarif"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("paths", nargs="*", metavar="PATH", help=".flow files and folders")
    parser.add_argument(
        "--format", choices=FORMATS, default="text", help="output format (default: text)"
    )
    parser.add_argument(
        "--color",
        choices=("auto", "always", "never"),
        default="auto",
        help="colour the text output (default: auto, which honours NO_COLOR and FORCE_COLOR)",
    )
    parser.add_argument(
        "--warnings-as-errors",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="exit with status 1 when there are warnings (default: from [tool.flowc], else no)",
    )
    parser.add_argument(
        "--tasks",
        action="append",
        metavar="SOURCE",
        help=(
            "the task catalog: a .json catalog, a .py file or a module name whose @task "
            "functions are exported (repeatable; replaces `tasks` of [tool.flowc])"
        ),
    )
    parser.add_argument(
        "--workflow-set",
        action=argparse.BooleanOptionalAction,
        default=None,
        help=(
            "the checked files are every workflow there is, so `Workflow.run` of any other "
            "name is an error (default: yes without PATH, no with PATH)"
        ),
    )
    parser.add_argument(
        "-o", "--output", metavar="FILE", help="write the report to FILE instead of stdout"
    )
    parser.set_defaults(run=run_check)


def run_check(args: argparse.Namespace) -> int:
    cwd = Path.cwd()
    config = load_config(cwd)
    files = collect_flow_files(_check_targets(args.paths, config, cwd), cwd)
    if not files:
        print("flowc: warning: no .flow files found", file=sys.stderr)
    tasks = task_catalog(args.tasks, config, cwd)
    complete_set = not args.paths if args.workflow_set is None else args.workflow_set
    reports = check_together(
        [(path, display_path(path, cwd)) for path in files], tasks, complete_set=complete_set
    )
    with _report_stream(args.output) as stream:
        report = render(args.format, reports, color=use_color(args.color, stream))
        if args.format == "text":
            # A blank line keeps the summary apart from the last diagnostic's help line.
            report = f"{report}\n{summary(reports)}\n" if report else f"{summary(reports)}\n"
        stream.write(report)
    warnings_fail = (
        config.warnings_as_errors if args.warnings_as_errors is None else args.warnings_as_errors
    )
    return EXIT_PROBLEMS if _fails(reports, warnings_fail=warnings_fail) else EXIT_CLEAN


def task_catalog(
    given: list[str] | None, config: FlowcConfig, cwd: Path
) -> dict[str, TaskSignature] | None:
    """The catalog of `--tasks` (relative to `cwd`), else of the configured `tasks`; None when
    there are neither (task names and results are then unchecked)."""
    sources = [TaskSource(spec, cwd) for spec in given] if given else list(config.tasks)
    if not sources:
        return None
    for source in sources:
        if source.spec.endswith((".json", ".py")) and not source.path.is_file():
            raise UsageError(f"task catalog source '{source.spec}' does not exist")
    return load_task_catalog(sources)


def check_together(
    files: Sequence[tuple[Path, str]],
    tasks: dict[str, TaskSignature] | None,
    *,
    complete_set: bool,
) -> list[FileReport]:
    """Check `files` (path, displayed path) as one workflow set, each file read and parsed once;
    a file that is not UTF-8 is reported as such and left out of the set."""
    return [_report_of(item) for item in analyze_files(files, tasks, complete_set=complete_set)]


def analyze_files(
    files: Sequence[tuple[Path, str]],
    tasks: dict[str, TaskSignature] | None,
    *,
    complete_set: bool,
) -> list[Analysis | FileReport]:
    """The analyses of `files` checked together, in order; the report of a file that is not
    UTF-8 in its place."""
    prepared = [prepare_file(path, display) for path, display in files]
    analyses = iter(
        analyze_together(
            [item for item in prepared if isinstance(item, Prepared)],
            tasks=tasks,
            complete_set=complete_set,
        )
    )
    return [next(analyses) if isinstance(item, Prepared) else item for item in prepared]


def _check_targets(paths: list[str], config: FlowcConfig, cwd: Path) -> list[Path]:
    """The command-line paths, else the configured workflows, else the current folder."""
    if paths:
        return [Path(path) for path in paths]
    for configured in config.workflows:
        if not configured.exists():
            raise ConfigError(
                f"`workflows` entry '{display_path(configured, cwd)}' of {config.source} "
                "does not exist"
            )
    return list(config.workflows) or [Path(".")]


def collect_flow_files(targets: Sequence[Path], cwd: Path) -> list[Path]:
    """Files as given and the `*.flow` files under folders, in order, each once (absolute)."""
    found: dict[Path, None] = {}
    for target in targets:
        absolute = _absolute(target, cwd)
        if absolute.is_dir():
            found.update(dict.fromkeys(flow_files_under(absolute)))
        elif absolute.exists():
            found[absolute] = None
        else:
            raise UsageError(f"no such file or directory: '{target}'")
    return list(found)


def flow_files_under(folder: Path) -> list[Path]:
    """Every `*.flow` file below `folder`, sorted, outside hidden and dependency folders."""
    found: list[Path] = []
    for root, subfolders, names in os.walk(folder):
        subfolders[:] = [name for name in subfolders if not _is_skipped_folder(name)]
        found.extend(Path(root, name) for name in names if name.endswith(".flow"))
    return sorted(found)


def _is_skipped_folder(name: str) -> bool:
    return name.startswith(".") or name in _SKIPPED_FOLDERS


def display_path(path: Path, cwd: Path) -> str:
    """`path` relative to the working directory when it is inside it, else absolute."""
    absolute = _absolute(path, cwd)
    try:
        return absolute.relative_to(cwd).as_posix()
    except ValueError:
        return str(absolute)


def _absolute(path: Path, cwd: Path) -> Path:
    """`path` from `cwd`, with `.` and `..` folded so that one file has one name."""
    return Path(os.path.normpath(cwd / path))


def prepare_file(path: Path, display: str) -> Prepared | FileReport:
    """The prepared analysis of one file, or the report of a file that is not UTF-8."""
    try:
        data = path.read_bytes()
    except OSError as error:
        raise UsageError(f"cannot read '{display}': {error.strerror}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        return _undecodable_file_report(data, error, display)
    return prepare(text, path=display)


def _undecodable_file_report(data: bytes, error: UnicodeDecodeError, display: str) -> FileReport:
    """A FLOW006 at the first byte that is not UTF-8; the rest of the file is not checked.

    Analysing a text with replacement characters in it would only add noise: every later
    diagnostic of such a file is suspect until it is saved as UTF-8.
    """
    source = SourceFile(data.decode("utf-8-sig", errors="replace"), display)
    offset = len(data[: error.start].decode("utf-8-sig"))
    byte = data[error.start]
    problem = diagnostic(
        "FLOW006",
        "file is not valid UTF-8",
        Span(offset, offset + 1),
        label=f"byte 0x{byte:02x}: {error.reason}",
        help=".flow files are UTF-8: save the file in that encoding",
    )
    return FileReport(source, (problem,))


def _fails(reports: Sequence[FileReport], *, warnings_fail: bool) -> bool:
    return any(
        problem.is_error or warnings_fail for _, diagnostics in reports for problem in diagnostics
    )


@contextmanager
def _report_stream(output: str | None) -> Iterator[TextIO]:
    if output is None:
        yield sys.stdout
        return
    try:
        stream = open(output, "w", encoding="utf-8")  # noqa: SIM115 - closed below
    except OSError as error:
        raise UsageError(f"cannot write '{output}': {error.strerror}") from None
    with stream:
        yield stream


# --- flowc explain -------------------------------------------------------------------------


def add_explain_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "explain",
        help="explain a diagnostic code",
        description="Print the documentation of a diagnostic code: what it means and the fix.",
        epilog="examples:\n  flowc explain FLOW101\n  flowc explain 402\n  flowc explain --list",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("code", nargs="?", metavar="CODE", help="a code such as FLOW101")
    parser.add_argument("--list", action="store_true", help="list every code with its summary")
    parser.set_defaults(run=run_explain)


def run_explain(args: argparse.Namespace) -> int:
    if args.list:
        print(code_list())
        return EXIT_CLEAN
    if args.code is None:
        raise UsageError("name a code, as in `flowc explain FLOW101`, or use `--list`")
    documentation = explain(args.code)
    if documentation is None:
        raise UsageError(
            f"unknown diagnostic code `{args.code}`\n  run `flowc explain --list` to see every code"
        )
    print(documentation)
    return EXIT_CLEAN


def code_list() -> str:
    """One line per code: the code, its severity and its summary."""
    return "\n".join(
        f"{code.code}  {code.severity.value:<7}  {code.summary}" for code in CODES.values()
    )


# --- flowc catalog -------------------------------------------------------------------------


def add_catalog_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "catalog",
        help="export the task catalog of Python modules",
        description=(
            "Import Python modules and print the task catalog of their @task functions\n"
            "(flow-task-catalog/1 JSON): each task's input and result schemas, queue,\n"
            "docstring and file:line. The modules run in a separate Python process\n"
            "(`python -m rhythm.catalog`), with the current folder on the import path."
        ),
        epilog=(
            "exit status: 0 exported, 2 a module or a task could not be exported\n"
            "\n"
            "examples:\n"
            "  flowc catalog app.tasks\n"
            "  flowc catalog app/tasks.py app/billing.py -o catalog.json\n"
            "  flowc check --tasks catalog.json"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "modules", nargs="+", metavar="MODULE", help="module names or paths to .py files"
    )
    parser.add_argument(
        "-o", "--output", metavar="FILE", help="write the catalog to FILE instead of stdout"
    )
    parser.set_defaults(run=run_catalog)


def run_catalog(args: argparse.Namespace) -> int:
    text = export_catalog(args.modules, folder=Path.cwd())
    with _report_stream(args.output) as stream:
        stream.write(text)
    return EXIT_CLEAN


# --- flowc build, flowc disasm -------------------------------------------------------------


def add_build_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "build",
        help="compile .flow files to programs the runtime runs",
        description=(
            "Check .flow files together (as `flowc check` does) and write the compiled program\n"
            "of each one without errors to DIR/<workflow>.flowc.json, where <workflow> is the\n"
            "front matter's `name`, else the file stem. A file with errors is refused: its\n"
            "diagnostics are printed to stderr and nothing is written for it. The output is\n"
            "deterministic: the same source and flowlang version give the same bytes."
        ),
        epilog=(
            "exit status: 0 every file built, 1 a file had errors, 2 usage error\n"
            "\n"
            "examples:\n"
            "  flowc build workflows/ -o build/\n"
            "  flowc build order.flow --tasks app/tasks.py -o build/"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("paths", nargs="+", metavar="PATH", help=".flow files and folders")
    parser.add_argument("-o", "--output", metavar="DIR", required=True, help="output folder")
    parser.add_argument("--tasks", action="append", metavar="SOURCE", help="as for check")
    parser.add_argument(
        "--workflow-set",
        action=argparse.BooleanOptionalAction,
        default=False,
        help="the files are every workflow there is (as for check; default: no)",
    )
    parser.set_defaults(run=run_build)


def run_build(args: argparse.Namespace) -> int:
    cwd = Path.cwd()
    files = collect_flow_files([Path(path) for path in args.paths], cwd)
    tasks = task_catalog(args.tasks, load_config(cwd), cwd)
    items = analyze_files(
        [(path, display_path(path, cwd)) for path in files], tasks, complete_set=args.workflow_set
    )
    folder = _output_folder(args.output)
    refused: list[FileReport] = []
    for item in items:
        if isinstance(item, FileReport) or any(d.is_error for d in item.diagnostics):
            refused.append(_report_of(item))
            continue
        path = item.source.path
        program = generate(item, workflow_name(item, path), path)
        target = folder / f"{program.workflow}.flowc.json"
        target.write_bytes(program.to_json())
        print(f"{path} -> {display_path(target, cwd)}")
    if refused:
        sys.stderr.write(render("text", refused, color=use_color("auto", sys.stderr)))
        sys.stderr.write(f"\nflowc: not built: {', '.join(r.source.path for r in refused)}\n")
    return EXIT_PROBLEMS if refused else EXIT_CLEAN


def _report_of(item: Analysis | FileReport) -> FileReport:
    return item if isinstance(item, FileReport) else FileReport(item.source, item.diagnostics)


def _output_folder(output: str) -> Path:
    folder = Path(output)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(f"cannot create '{output}': {error.strerror}") from None
    return folder


def add_disasm_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "disasm",
        help="print the bytecode of a workflow",
        description=(
            "Print the instructions of a compiled program (.flowc.json, verified as the\n"
            "runtime loads it) or of a .flow file compiled on the fly: pc, source line:column,\n"
            "opcode, operands, and a comment decoding constants, variables and jump targets."
        ),
        epilog="examples:\n  flowc disasm build/order.flowc.json\n  flowc disasm order.flow",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", metavar="FILE", help="a .flowc.json program or a .flow file")
    parser.set_defaults(run=run_disasm)


def run_disasm(args: argparse.Namespace) -> int:
    path = Path(args.file)
    try:
        data = path.read_bytes()
    except OSError as error:
        raise UsageError(f"cannot read '{args.file}': {error.strerror}") from None
    try:
        program = _program_of(path, data)
    except CompileError as error:
        report = FileReport(
            SourceFile(data.decode("utf-8-sig", "replace"), args.file), error.diagnostics
        )
        sys.stderr.write(render("text", [report], color=use_color("auto", sys.stderr)))
        return EXIT_PROBLEMS
    except ProgramLoadError as error:
        print(f"flowc: error: {args.file}: {error}", file=sys.stderr)
        return EXIT_PROBLEMS
    sys.stdout.write(disassemble(program))
    return EXIT_CLEAN


def _program_of(path: Path, data: bytes) -> Program:
    if path.suffix != ".flow":
        return Program.from_json(data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UsageError(f"'{path}' is not UTF-8: {error.reason}") from None
    return compile_source(text, path=str(path))


# --- flowc graph ---------------------------------------------------------------------------


def add_graph_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "graph",
        help="draw the control flow of a workflow (DOT, SVG, PNG or Mermaid)",
        description=(
            "Check a .flow file and draw its control flow: tasks, child workflows, timers,\n"
            "signals, decisions, loops, parallel regions (Promise.*), try/catch/finally,\n"
            "return and throw, each node with the file:line of its code. The format is\n"
            "--format, else the extension of OUT (.dot/.gv, .svg, .png, .mmd/.mermaid), else\n"
            "DOT on stdout. SVG and PNG are drawn by Graphviz's `dot` when it is installed,\n"
            "else by graphviz-pure. A file with errors is not drawn: its diagnostics are\n"
            "printed to stderr."
        ),
        epilog=(
            "exit status: 0 drawn, 1 the file has errors, 2 usage error\n"
            "\n"
            "examples:\n"
            "  flowc graph order.flow                  DOT on stdout\n"
            "  flowc graph order.flow -o order.svg\n"
            "  flowc graph order.flow --format mermaid > order.mmd"
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("file", metavar="FILE", help="a .flow file")
    parser.add_argument(
        "-o", "--output", metavar="OUT", help="write the graph to OUT instead of stdout"
    )
    parser.add_argument(
        "--format",
        choices=GRAPH_FORMATS,
        help="dot, svg, png or mermaid (default: from the extension of OUT, else dot)",
    )
    parser.set_defaults(run=run_graph)


def run_graph(args: argparse.Namespace) -> int:
    try:
        format_name = graph_format(args.format, args.output)
    except GraphFormatError as error:
        raise UsageError(str(error)) from None
    if format_name in BINARY_FORMATS and args.output is None and sys.stdout.isatty():
        raise UsageError(f"{format_name.upper()} is binary: write it to a file with -o OUT")
    cwd = Path.cwd()
    path = _absolute(Path(args.file), cwd)
    if path.is_dir():
        raise UsageError(f"'{args.file}' is a folder: `flowc graph` draws one .flow file")
    if not path.exists():
        raise UsageError(f"no such file: '{args.file}'")
    [item] = analyze_files([(path, display_path(path, cwd))], None, complete_set=False)
    if isinstance(item, FileReport) or any(d.is_error for d in item.diagnostics):
        report = _report_of(item)
        sys.stderr.write(render("text", [report], color=use_color("auto", sys.stderr)))
        sys.stderr.write(f"\nflowc: not drawn: {report.source.path} has errors\n")
        return EXIT_PROBLEMS
    name = workflow_name(item, item.source.path)
    graph = build_graph(item.program, item.source, item.front_matter, name=name)
    try:
        drawing = render_graph(graph, format_name)
    except ImageError as error:
        raise UsageError(str(error)) from None
    _write_graph(drawing, args.output, binary=format_name in BINARY_FORMATS)
    return EXIT_CLEAN


def _write_graph(drawing: bytes, output: str | None, *, binary: bool) -> None:
    if output is None:
        if binary:
            sys.stdout.buffer.write(drawing)
        else:
            sys.stdout.write(drawing.decode("utf-8"))
        return
    try:
        Path(output).write_bytes(drawing)
    except OSError as error:
        raise UsageError(f"cannot write '{output}': {error.strerror}") from None


# --- flowc lsp ---------------------------------------------------------------------------


def add_lsp_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = commands.add_parser(
        "lsp",
        help="run the language server (for editors)",
        description=(
            "Run the .flow language server on stdin/stdout, as editors start it (or listening\n"
            "on a TCP port with --tcp). It checks open documents as `flowc check` does, with the\n"
            "[tool.flowc] configuration of their project, and offers completion, hover, go to\n"
            "definition, references, rename, symbols, semantic tokens, folding, quick fixes and\n"
            "inlay hints."
        ),
        epilog="examples:\n  flowc lsp\n  flowc lsp --tcp 127.0.0.1:2087",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--tcp", metavar="HOST:PORT", help="listen on a TCP port instead of using stdio"
    )
    parser.set_defaults(run=run_lsp)


def run_lsp(args: argparse.Namespace) -> int:
    # Imported here: only this command needs pygls, and the server itself reuses this module.
    from flowlang.lsp.server import serve

    return serve(tcp=None if args.tcp is None else _tcp_address(args.tcp))


def _tcp_address(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    if not host or not port.isdigit() or not 0 < int(port) < 65536:
        raise UsageError(f"--tcp takes HOST:PORT, such as 127.0.0.1:2087, not '{text}'")
    return host, int(port)


COMMANDS = (
    add_check_command,
    add_build_command,
    add_disasm_command,
    add_graph_command,
    add_catalog_command,
    add_explain_command,
    add_lsp_command,
)


# --- failures of flowc itself --------------------------------------------------------------


def _report_internal_error(error: Exception) -> None:
    print(f"flowc: internal error: {type(error).__name__}: {error}", file=sys.stderr)
    print(
        "this is a bug in flowc, not in your workflow: please report it with the command and\n"
        "the file that caused it",
        file=sys.stderr,
    )
    if os.environ.get("FLOWC_DEBUG", "0") not in ("", "0"):
        traceback.print_exception(error, file=sys.stderr)
    else:
        print("set FLOWC_DEBUG=1 to see the traceback", file=sys.stderr)


def _silence_stdout() -> None:
    """Point stdout at /dev/null so that the interpreter's final flush cannot fail again.

    A reader that closed the pipe early (`flowc check | head`) is not an error worth a
    traceback; this is the recipe of Python's `signal` documentation.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
