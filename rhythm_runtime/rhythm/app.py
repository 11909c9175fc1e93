"""`rhythm.init`: configure the process's Application: database, schema, workflows.

```python
app = rhythm.init(database_url="postgresql://...", auto_migrate=True,
                  workflows=[rhythm.WorkflowFile(name="onboard_user",
                                                 file_path="./workflows/onboard_user.flow")])
```

`init` compiles every workflow first (`rhythm.registration`), so a program with errors stops
the app before it touches the database; then it resolves the database (`rhythm.database`),
brings its schema up to date (or, with `auto_migrate=False`, checks that it is), and registers
each Program under its version hash. New executions run the newest registered version of a
name; running ones stay on the version they started with (LANGUAGE.md §10.6).

The Application is the one global of the runtime, like the task registry: `rhythm.client`'s
calls and the worker use the last one configured. Calling `init` again (a reload, a test)
closes the previous Application and replaces it.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping, Sequence
from types import MappingProxyType, TracebackType

from psycopg import Connection
from psycopg_pool import ConnectionPool

from flowlang.compiler.bytecode import Program, ProgramLoadError
from rhythm.database import create_pool, redact, resolve_database_url
from rhythm.errors import DatabaseError, NotInitializedError
from rhythm.limits import DEFAULT_LIMITS, Limits
from rhythm.migrate import migrate, missing_migrations
from rhythm.registration import WorkflowFile, compile_workflows
from rhythm.store import workflows as store

POOL_MAX_SIZE = 8  # client calls are short transactions; a few connections serve many threads


class Application:
    """A configured runtime: the database pool and the workflows this process registered.

    * `pool` — the psycopg connection pool every client call borrows from;
    * `workflows` — the Programs registered by `init`, by name (read-only);
    * `limits` — the `rhythm.Limits` of this process (client calls, and a `Worker` started
      here without limits of its own);
    * `program(conn, hash)` — any registered version, loaded once per process.

    `close()` (or leaving a `with` block) closes the pool. The URL is kept for the worker;
    `repr()` shows it with the password hidden.
    """

    def __init__(
        self,
        database_url: str,
        pool: ConnectionPool,
        workflows: Mapping[str, Program],
        limits: Limits = DEFAULT_LIMITS,
    ) -> None:
        self.database_url = database_url
        self.pool = pool
        self.limits = limits
        self.workflows: Mapping[str, Program] = MappingProxyType(dict(workflows))
        self._programs: dict[str, Program] = {p.version_hash: p for p in workflows.values()}
        self._programs_lock = threading.Lock()

    def program(self, conn: Connection, version_hash: str) -> Program:
        """The Program of a registered version (from this process's cache, else the store)."""
        with self._programs_lock:
            cached = self._programs.get(version_hash)
        if cached is not None:
            return cached
        text = store.program_text(conn, version_hash)
        if text is None:
            raise DatabaseError(
                f"workflow version {version_hash} is not registered in the database at "
                f"{redact(self.database_url)}; was the database reset while executions "
                f"referred to it?"
            )
        try:
            program = Program.from_json(text, pinned=version_hash)
        except ProgramLoadError as error:
            raise DatabaseError(
                f"workflow version {version_hash} stored in the database at "
                f"{redact(self.database_url)} cannot be loaded: {error}"
            ) from None
        with self._programs_lock:
            self._programs[version_hash] = program
        return program

    def close(self) -> None:
        self.pool.close()

    def __enter__(self) -> Application:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def __repr__(self) -> str:
        names = ", ".join(self.workflows) or "none"
        return f"<rhythm.Application database={redact(self.database_url)} workflows: {names}>"


_current: Application | None = None
_current_lock = threading.Lock()


def init(
    database_url: str | None = None,
    auto_migrate: bool = True,
    workflows: Sequence[WorkflowFile] = (),
    workflow_paths: Sequence[str | os.PathLike[str]] = (),
    limits: Limits | None = None,
) -> Application:
    """Configure this process's Application and return it (see the module documentation).

    `database_url`: else `RHYTHM_DATABASE_URL`, else the embedded PostgreSQL in
    `./.rhythm/postgres`. `workflows`: `WorkflowFile(name=, file_path=)` items;
    `workflow_paths`: more workflow files, or folders whose `.flow` / `.flowc.json` files are
    all registered (named by their front matter, else their file name). Import the modules
    that define your `@task` functions before calling `init`: the workflows are checked
    against them. `limits`: the `rhythm.Limits` of this process (default: `Limits()`).

    Raises `WorkflowFileError` / `WorkflowCompileError` (listing every diagnostic) when a
    workflow cannot be registered, `DatabaseError` when the database is unreachable or, with
    `auto_migrate=False`, lacks part of the schema.
    """
    if limits is not None and not isinstance(limits, Limits):
        raise TypeError(f"rhythm.init(limits=...) takes a rhythm.Limits, not {limits!r}")
    programs = compile_workflows(workflows, workflow_paths)
    url = resolve_database_url(database_url)
    if auto_migrate:
        migrate(url)
    else:
        _require_schema(url)
    pool = create_pool(url, max_size=POOL_MAX_SIZE)
    try:
        _register(pool, programs)
    except BaseException:
        pool.close()
        raise
    application = Application(url, pool, programs, limits or DEFAULT_LIMITS)
    _replace_current(application)
    return application


def _require_schema(url: str) -> None:
    missing = missing_migrations(url)
    if missing:
        versions = ", ".join(f"{version:04d}" for version in missing)
        raise DatabaseError(
            f"the database at {redact(url)} lacks the runtime's schema migrations {versions}; "
            f"run `rhythm migrate`, or call rhythm.init(auto_migrate=True)"
        )


def _register(pool: ConnectionPool, programs: Mapping[str, Program]) -> None:
    """Store every Program in one transaction: a crash leaves all of them or none."""
    with pool.connection() as conn, conn.transaction():
        for name, program in programs.items():
            store.register_version(
                conn, program.version_hash, name, program.to_json().decode("utf-8")
            )


def _replace_current(application: Application) -> None:
    global _current
    with _current_lock:
        previous, _current = _current, application
    if previous is not None:
        previous.close()


def current() -> Application:
    """The Application `rhythm.init` configured; NotInitializedError before that."""
    application = _current
    if application is None:
        raise NotInitializedError(
            "rhythm is not initialised in this process: call rhythm.init(...) first (it "
            "connects to the database and registers your workflows)"
        )
    return application


def configured_database_url(explicit: str | None = None) -> str:
    """The database a component without its own URL uses: `explicit`, else the current
    Application's (so `Worker()` after `rhythm.init(database_url=...)` serves that database),
    else what `rhythm.database.resolve_database_url` finds."""
    if explicit:
        return resolve_database_url(explicit)
    application = _current
    return application.database_url if application is not None else resolve_database_url(None)


def configured_limits(explicit: Limits | None = None) -> Limits:
    """The limits a component without its own uses: `explicit`, else the current
    Application's, else the defaults."""
    if explicit is not None:
        return explicit
    application = _current
    return application.limits if application is not None else DEFAULT_LIMITS


def shutdown() -> None:
    """Close and forget the current Application (tests, or an app's orderly exit)."""
    global _current
    with _current_lock:
        previous, _current = _current, None
    if previous is not None:
        previous.close()
