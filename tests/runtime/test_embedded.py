"""The embedded PostgreSQL: started on demand, one server per data folder shared by every
process, surviving the SIGKILL of the process that started it, stopped on request."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from rhythm import embedded
from rhythm.errors import DatabaseError

# Starts the server of the folder in argv[1], prints its pid, then waits to be killed.
START_AND_HANG = (
    "import sys, time; from rhythm import embedded; embedded.start(sys.argv[1]); "
    "print(embedded.status(sys.argv[1]).pid, flush=True); time.sleep(600)"
)
START_AND_REPORT = (
    "import sys; from rhythm import embedded; embedded.start(sys.argv[1]); "
    "print(embedded.status(sys.argv[1]).pid)"
)
PROCESS_TIMEOUT_S = 60


def python(code: str, folder: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", code, str(folder)], stdout=subprocess.PIPE, text=True
    )


def test_start_reuse_stop_and_restart_keep_the_data(embedded_folder: Path) -> None:
    folder = embedded_folder
    assert embedded.status(folder) == embedded.Status(folder, False, None, None)
    assert embedded.url(folder) is None

    url = embedded.start(folder)
    first = embedded.status(folder)
    assert (first.running, first.url) == (True, url)
    assert embedded.start(folder) == url
    assert embedded.status(folder).pid == first.pid
    with psycopg.connect(url) as conn:
        conn.execute("CREATE TABLE kept (n int)")

    assert embedded.stop(folder) is True
    assert not embedded.status(folder).running
    assert embedded.stop(folder) is False

    with psycopg.connect(embedded.start(folder)) as conn:
        assert conn.execute("SELECT count(*) FROM kept").fetchone() == (0,)
    assert embedded.status(folder).pid != first.pid


def test_processes_share_one_server_even_after_its_starter_is_killed(
    embedded_folder: Path,
) -> None:
    folder = embedded_folder
    starters = [python(START_AND_HANG, folder) for _ in range(2)]
    try:
        assert starters[0].stdout is not None and starters[1].stdout is not None
        pids = {int(starter.stdout.readline()) for starter in starters}
    finally:
        for starter in starters:
            os.kill(starter.pid, signal.SIGKILL)
            starter.wait()

    assert len(pids) == 1, "two processes starting at once started two servers"
    (server,) = pids
    assert embedded.status(folder).pid == server

    later = python(START_AND_REPORT, folder)
    out, _ = later.communicate(timeout=PROCESS_TIMEOUT_S)
    assert int(out) == server


def test_a_server_that_cannot_start_is_reported_with_its_folder(embedded_folder: Path) -> None:
    embedded_folder.parent.mkdir(parents=True)
    embedded_folder.write_text("a file where the data folder should be")

    with pytest.raises(DatabaseError) as raised:
        embedded.start(embedded_folder)

    message = str(raised.value)
    assert message.startswith(f"could not start the embedded PostgreSQL in {embedded_folder}: ")
    assert message.endswith("Set RHYTHM_DATABASE_URL to use another server instead")
