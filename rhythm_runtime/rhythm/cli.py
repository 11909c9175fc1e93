"""`rhythm`, the command of the runtime: the database, workers, executions and the demo.

Each command is one `add_*` function that declares its arguments and names the function that
runs it; `COMMANDS` lists them. `main()` owns the exit codes: 0 on success, 1 when an execution
that `run --wait` waited for failed, 2 when the command could not do what was asked (bad
arguments, bad inputs, an unknown execution, an unreachable database), 3 from `db status` when
the embedded server is stopped, 130 on Ctrl-C. A bug
never ends in a bare traceback unless `RHYTHM_DEBUG` is set.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

import rhythm
from flowlang.compiler.bytecode import Program
from flowlang.graph import (
    BINARY_FORMATS,
    GRAPH_FORMATS,
    GraphFormatError,
    ImageError,
    graph_format,
    render_graph,
)
from rhythm import __version__, catalog, graph_overlay
from rhythm.app import current as current_application
from rhythm.cli_format import execution_details, execution_table
from rhythm.database import redact, resolve_database_url
from rhythm.errors import RhythmError
from rhythm.models import ExecutionStatus
from rhythm.store import inspection

EXIT_OK = 0
EXIT_EXECUTION_FAILED = 1
EXIT_STOPPED = 3  # `rhythm db status` of a stopped server, as `pg_ctl status` says it
EXIT_ERROR = 2
EXIT_INTERRUPTED = 130
DEFAULT_LIST_LIMIT = 20
DEFAULT_LEASE_S = 30.0  # as `Worker`'s own default
LOG_FORMAT = "%(name)s: %(message)s"

Command = Callable[[argparse.Namespace], int]
Commands = argparse._SubParsersAction  # argparse exposes no public name for it


class UsageError(Exception):
    """The command cannot run as given; the message says why and what to do (exit code 2)."""


def main(argv: list[str] | None = None) -> int:
    """Run `rhythm` with `argv` (default: the process arguments) and return the exit code."""
    try:
        return _run(argv)
    except (UsageError, RhythmError) as error:
        print(f"rhythm: error: {error}", file=sys.stderr)
        return EXIT_ERROR
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Exception as error:  # the last line of defence: report it, never crash
        _report_internal_error(error)
        return EXIT_ERROR


def _run(argv: list[str] | None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exit_request:  # --help, --version and argparse's own usage errors
        return exit_request.code if isinstance(exit_request.code, int) else EXIT_ERROR
    command: Command = args.run
    return command(args)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="rhythm",
        description="Run durable .flow workflows on Postgres: workers, executions, the database.",
        epilog=(
            "examples:\n"
            "  rhythm demo                          see a workflow run end to end\n"
            "  rhythm worker -m app.tasks --concurrency 8\n"
            '  rhythm run onboard_user --inputs \'{"userId": "u-1"}\' --wait\n'
            "  rhythm show EXECUTION_ID             status, output, what it waits for\n"
            "  rhythm graph EXECUTION_ID -o x.svg   its progress over the workflow's graph\n"
            "  rhythm signal EXECUTION_ID manager-approval --payload '{\"approved\": true}'\n"
            "\n"
            "The database is --database-url, else $RHYTHM_DATABASE_URL, else the embedded\n"
            "Postgres in ./.rhythm/postgres (started on demand). To check workflows, use\n"
            "`flowc check`. Run `rhythm COMMAND --help` for the options of a command."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"rhythm {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", dest="command")
    commands.required = True
    for add_command in COMMANDS:
        add_command(commands)
    return parser


def _command(
    commands: Commands, name: str, help_text: str, run: Command, description: str = ""
) -> argparse.ArgumentParser:
    parser: argparse.ArgumentParser = commands.add_parser(
        name,
        help=help_text,
        description=description or help_text,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.set_defaults(run=run)
    return parser


def _database_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--database-url",
        metavar="URL",
        help="Postgres to use (default: $RHYTHM_DATABASE_URL, else the embedded Postgres)",
    )


def _json_argument(text: str, option: str) -> Any:
    """The JSON value of a command-line option; a usage error saying what is wrong."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise UsageError(
            f"{option} is not valid JSON ({error.msg} at character {error.pos}); "
            f"""quote it for the shell, e.g. {option} '{{"key": "value"}}'"""
        ) from None


def _connect(args: argparse.Namespace) -> None:
    """Configure the SDK on the chosen database (migrating it), for the client commands."""
    rhythm.init(database_url=args.database_url)


# --- rhythm migrate ------------------------------------------------------------------------


def add_migrate(commands: Commands) -> None:
    parser = _command(
        commands,
        "migrate",
        "apply the database migrations that are not applied yet",
        run_migrate,
        "Apply the numbered migrations of the `rhythm` schema in order, under an advisory\n"
        "lock (concurrent runs wait for each other). Running it again does nothing.",
    )
    _database_option(parser)


def run_migrate(args: argparse.Namespace) -> int:
    from rhythm.migrate import migrate

    url = resolve_database_url(args.database_url)
    applied = migrate(url)
    if applied:
        numbers = ", ".join(str(version) for version in applied)
        print(f"applied migration{'s' if len(applied) > 1 else ''} {numbers} to {redact(url)}")
    else:
        print(f"{redact(url)} is up to date")
    return EXIT_OK


# --- rhythm worker -------------------------------------------------------------------------


def add_worker(commands: Commands) -> None:
    parser = _command(
        commands,
        "worker",
        "run tasks and workflow steps of a queue",
        run_worker,
        "Import the modules that define your @task functions, then claim and run the tasks\n"
        "and workflow steps of one queue until SIGINT or SIGTERM (it then stops claiming and\n"
        "finishes or releases what it holds).\n"
        "\n"
        "example:\n"
        "  rhythm worker -m app.tasks --queue default --concurrency 8",
    )
    parser.add_argument(
        "-m",
        "--module",
        dest="modules",
        action="append",
        required=True,
        metavar="MODULE",
        help="a module name or .py path whose @task functions the worker runs (repeatable)",
    )
    parser.add_argument(
        "--queue", default="default", help="the queue to work on (default: %(default)s)"
    )
    parser.add_argument(
        "--concurrency", type=int, default=8, help="tasks run at once (default: %(default)s)"
    )
    parser.add_argument(
        "--lease",
        type=float,
        default=DEFAULT_LEASE_S,
        metavar="SECONDS",
        help="how long work of a worker that died stays claimed (default: %(default)g)",
    )
    _database_option(parser)


def _import_from_working_directory() -> None:
    """Let `-m app.tasks` find the project's modules, as `python -m` would: the `rhythm`
    script's own folder is on `sys.path`, the working directory is not."""
    if os.getcwd() not in sys.path and "" not in sys.path:
        sys.path.insert(0, os.getcwd())


def run_worker(args: argparse.Namespace) -> int:
    if args.concurrency < 1:
        raise UsageError(f"--concurrency must be 1 or more, not {args.concurrency}")
    if args.lease <= 0:
        raise UsageError(f"--lease must be a positive number of seconds, not {args.lease:g}")
    _import_from_working_directory()
    for module in args.modules:
        try:
            catalog.import_module(module)
        except catalog.CatalogExportError as error:
            raise UsageError(str(error)) from None
    # The worker reports through `logging` (restarts, lost leases, crashed steps): show it.
    logging.basicConfig(level=logging.INFO, format=LOG_FORMAT, stream=sys.stderr)
    url = resolve_database_url(args.database_url)
    from rhythm.worker import Worker  # its threads and pools only when a worker runs

    worker = Worker(
        queue=args.queue, concurrency=args.concurrency, database_url=url, lease=args.lease
    )
    worker.run()
    return EXIT_OK


# --- rhythm run ----------------------------------------------------------------------------


def add_run(commands: Commands) -> None:
    parser = _command(
        commands,
        "run",
        "start a workflow (or a task) and print its execution id",
        run_run,
        "Start the newest registered version of workflow NAME (or task NAME, with --task)\n"
        "and print the execution id; with --wait, wait for it and print its output.\n"
        "\n"
        "example:\n"
        '  rhythm run onboard_user --inputs \'{"userId": "u-1"}\' --wait',
    )
    parser.add_argument("name", metavar="NAME")
    parser.add_argument("--inputs", default="{}", metavar="JSON", help="the inputs (default: {})")
    parser.add_argument("--task", action="store_true", help="NAME is a task, not a workflow")
    parser.add_argument(
        "--queue", help="the queue (default: the task's own; for a workflow, `default`)"
    )
    parser.add_argument("--priority", type=int, default=0, help="higher runs first (default: 0)")
    parser.add_argument("--idempotency-key", metavar="KEY", help="start it at most once per KEY")
    parser.add_argument("--wait", action="store_true", help="wait until it completes or fails")
    parser.add_argument(
        "--timeout", type=float, metavar="SECONDS", help="with --wait: give up after SECONDS"
    )
    _database_option(parser)


def run_run(args: argparse.Namespace) -> int:
    inputs = _json_argument(args.inputs, "--inputs")
    _connect(args)
    starter = rhythm.client.tasks if args.task else rhythm.client.workflows
    options: dict[str, Any] = {"priority": args.priority}
    if args.queue is not None:
        options["queue"] = args.queue
    if args.idempotency_key is not None:
        options["idempotency_key"] = args.idempotency_key
    execution_id = starter.run(args.name, inputs=inputs, **options)
    print(execution_id, flush=True)
    if not args.wait:
        return EXIT_OK
    try:
        execution = rhythm.client.executions.wait(execution_id, timeout=args.timeout)
    except TimeoutError:
        raise UsageError(
            f"execution {execution_id} did not finish within {args.timeout} s; it goes on: "
            f"see `rhythm show {execution_id}`"
        ) from None
    print(f"{execution.status}: {json.dumps(execution.output, ensure_ascii=False)}")
    return EXIT_OK if execution.status == ExecutionStatus.COMPLETED else EXIT_EXECUTION_FAILED


# --- rhythm show / list --------------------------------------------------------------------


def add_show(commands: Commands) -> None:
    parser = _command(
        commands,
        "show",
        "show an execution: status, output, attempts, what it waits for and where",
        run_show,
    )
    parser.add_argument("id", metavar="ID")
    parser.add_argument("--json", action="store_true", help="print the execution as JSON")
    _database_option(parser)


def run_show(args: argparse.Namespace) -> int:
    _connect(args)
    execution = rhythm.client.executions.get(args.id)
    if args.json:
        print(execution.to_json())
    else:
        print(execution_details(execution, _program_of(execution.id)))
    return EXIT_OK


def _program_of(execution_id: str) -> Program | None:
    """The workflow version `execution_id` runs (None for a task), for its source lines."""
    with current_application().pool.connection() as conn:
        text = inspection.program_of_execution(conn, execution_id)
    return None if text is None else Program.from_json(text)


def add_graph(commands: Commands) -> None:
    parser = _command(
        commands,
        "graph",
        "draw a workflow execution's progress over its graph",
        run_graph,
        "Draw the graph of the workflow version execution ID runs (as `flowc graph` draws\n"
        "it) with each step coloured: completed (green), failed (red), where it waits or\n"
        "still at work (amber), not reached (grey). The format is --format, else the\n"
        "extension of OUT (.dot/.gv, .svg, .png, .mmd/.mermaid), else DOT on stdout.\n"
        "\n"
        "example:\n"
        "  rhythm graph EXECUTION_ID -o progress.svg",
    )
    parser.add_argument("id", metavar="ID")
    parser.add_argument("-o", "--output", metavar="OUT", help="write the graph to OUT")
    parser.add_argument(
        "--format",
        choices=GRAPH_FORMATS,
        help="dot, svg, png or mermaid (default: from the extension of OUT, else dot)",
    )
    _database_option(parser)


def run_graph(args: argparse.Namespace) -> int:
    try:
        format_name = graph_format(args.format, args.output)
    except GraphFormatError as error:
        raise UsageError(str(error)) from None
    if format_name in BINARY_FORMATS and args.output is None and sys.stdout.isatty():
        raise UsageError(f"{format_name.upper()} is binary: write it to a file with -o OUT")
    _connect(args)
    execution = rhythm.client.executions.get(args.id)
    program = _program_of(execution.id)
    if program is None:
        raise UsageError(
            f"{execution.id} is a task, and only workflows have a graph; "
            f"see `rhythm show {execution.id}`"
        )
    with current_application().pool.connection() as conn:
        progress = graph_overlay.Progress(
            execution,
            inspection.children_of_execution(conn, execution.id),
            inspection.timers_of_execution(conn, execution.id),
            inspection.signals_received(conn, execution.id),
        )
    graph = graph_overlay.workflow_graph(program)
    states = graph_overlay.node_states(graph, progress)
    try:
        drawing = render_graph(graph, format_name, states, graph_overlay.caption(graph, execution))
    except ImageError as error:
        raise UsageError(str(error)) from None
    if args.output is None:
        sys.stdout.buffer.write(drawing)
        sys.stdout.flush()
    else:
        try:
            Path(args.output).write_bytes(drawing)
        except OSError as error:
            raise UsageError(f"cannot write '{args.output}': {error.strerror}") from None
        print(f"wrote {args.output}")
    return EXIT_OK


def add_list(commands: Commands) -> None:
    parser = _command(commands, "list", "list executions, newest first", run_list)
    parser.add_argument("--status", choices=[status.value for status in ExecutionStatus])
    parser.add_argument("--name", help="only executions of this workflow or task")
    parser.add_argument(
        "--limit", type=int, default=DEFAULT_LIST_LIMIT, help="at most this many (default: 20)"
    )
    _database_option(parser)


def run_list(args: argparse.Namespace) -> int:
    if args.limit < 1:
        raise UsageError(f"--limit must be 1 or more, not {args.limit}")
    _connect(args)
    executions = rhythm.client.executions.list(status=args.status, name=args.name, limit=args.limit)
    print(execution_table(executions))
    return EXIT_OK


# --- rhythm signal / cancel ----------------------------------------------------------------


def add_signal(commands: Commands) -> None:
    parser = _command(
        commands,
        "signal",
        "send a signal to a workflow execution",
        run_signal,
        "Send signal NAME with a JSON payload to workflow execution ID; the workflow's\n"
        "next `Signal.next(NAME)` receives it (signals of one name queue up in order).\n"
        "\n"
        "example:\n"
        "  rhythm signal EXECUTION_ID manager-approval --payload '{\"approved\": true}'",
    )
    parser.add_argument("id", metavar="ID")
    parser.add_argument("name", metavar="NAME")
    parser.add_argument("--payload", default="null", metavar="JSON", help="(default: null)")
    _database_option(parser)


def run_signal(args: argparse.Namespace) -> int:
    payload = _json_argument(args.payload, "--payload")
    _connect(args)
    rhythm.client.signals.send(workflow_id=args.id, signal_name=args.name, payload=payload)
    print(f"sent {args.name!r} to {args.id}")
    return EXIT_OK


def add_cancel(commands: Commands) -> None:
    parser = _command(
        commands,
        "cancel",
        "cancel an execution, its unfinished children and its timers",
        run_cancel,
    )
    parser.add_argument("id", metavar="ID")
    _database_option(parser)


def run_cancel(args: argparse.Namespace) -> int:
    _connect(args)
    rhythm.client.executions.cancel(args.id)
    print(f"cancelled {args.id}")
    return EXIT_OK


# --- rhythm tasks export -------------------------------------------------------------------


def add_tasks(commands: Commands) -> None:
    parser = _command(commands, "tasks", "task commands", _missing_subcommand)
    subcommands = parser.add_subparsers(title="commands", metavar="COMMAND", dest="tasks_command")
    subcommands.required = True
    export = _command(
        subcommands,
        "export",
        "print the task catalog of Python modules (as `python -m rhythm.catalog`)",
        run_tasks_export,
    )
    export.add_argument("modules", nargs="+", metavar="MODULE", help="module names or .py paths")
    export.add_argument("-o", "--output", metavar="FILE", help="write the catalog to FILE")


def run_tasks_export(args: argparse.Namespace) -> int:
    _import_from_working_directory()
    arguments = [*args.modules, *(["-o", args.output] if args.output else [])]
    return catalog.main(arguments)


def _missing_subcommand(args: argparse.Namespace) -> int:  # argparse requires one first
    raise UsageError("a subcommand is required")


# --- rhythm db -----------------------------------------------------------------------------


def add_db(commands: Commands) -> None:
    parser = _command(
        commands,
        "db",
        "start, stop or locate the embedded Postgres (./.rhythm/postgres)",
        _missing_subcommand,
    )
    subcommands = parser.add_subparsers(title="commands", metavar="COMMAND", dest="db_command")
    subcommands.required = True
    for name, help_text in (
        ("start", "start the embedded Postgres (reuses a running one)"),
        ("stop", "stop the embedded Postgres"),
        ("status", "say whether the embedded Postgres runs, and where"),
        ("url", "print the embedded Postgres URL (starting it if needed)"),
    ):
        _command(subcommands, name, help_text, run_db).set_defaults(db_action=name)


def run_db(args: argparse.Namespace) -> int:
    from rhythm import embedded

    folder = embedded.data_directory()
    if args.db_action == "start":
        print(f"embedded Postgres running at {embedded.start()} (data in {folder})")
    elif args.db_action == "stop":
        stopped = embedded.stop()
        print(f"embedded Postgres {'stopped' if stopped else 'was not running'} ({folder})")
    elif args.db_action == "status":
        state = embedded.status()
        if state.running:
            print(f"running (pid {state.pid}) at {state.url}, data in {state.directory}")
        else:
            print(f"stopped, data in {state.directory}; `rhythm db start` starts it")
            return EXIT_STOPPED
    else:
        print(embedded.start())
    return EXIT_OK


# --- rhythm demo ---------------------------------------------------------------------------


def add_demo(commands: Commands) -> None:
    parser = _command(
        commands,
        "demo",
        "run example workflows end to end and tell what happened",
        run_demo,
        "Start the embedded Postgres (or use --database-url), register the example\n"
        "workflows of rhythm.demo, start a worker process and run an example app against\n"
        "it: tasks, retries, a child workflow, a timer and a signal. Takes a few seconds.",
    )
    _database_option(parser)


def run_demo(args: argparse.Namespace) -> int:
    from rhythm.demo.app import run_demo as demo

    return demo(args.database_url)


COMMANDS = (
    add_demo,
    add_worker,
    add_run,
    add_show,
    add_graph,
    add_list,
    add_signal,
    add_cancel,
    add_migrate,
    add_tasks,
    add_db,
)


def _report_internal_error(error: Exception) -> None:
    if os.environ.get("RHYTHM_DEBUG"):
        traceback.print_exc()
    print(
        f"rhythm: internal error: {type(error).__name__}: {error}\n"
        "  this is a bug in rhythm; please report it (set RHYTHM_DEBUG=1 for the traceback)",
        file=sys.stderr,
    )


if __name__ == "__main__":
    sys.exit(main())
