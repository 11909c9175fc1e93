"""Database passwords never leave the URL they are in (issue #8, item 6): not in an exception
(its message, its cause, its traceback), not in a log record of the runtime or of psycopg, not
on the terminal of the `rhythm` command or of a worker process. Every message that names a
server shows it as `rhythm.database.redact` does: `postgresql://user:***@host/db`.

Both spellings of a URL are tested: a URI (`postgresql://user:password@host/db`) and a libpq
keyword string (`host=... password=...`). The test servers trust every connection, so a URL
with a password reaches them as well as one without.
"""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import time
import traceback
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import psycopg
import pytest

import rhythm
from rhythm import app as app_module
from rhythm import client
from rhythm.errors import DatabaseError
from rhythm.tasks import REGISTRY, task
from rhythm.worker import Worker

SECRET = "s3cret-Pa55w0rd"
FAST = {"lease": 2.0, "poll_interval": 0.2, "sweep_interval": 0.02, "shutdown_timeout": 5.0}
TASKS_PY = """
from rhythm import task


@task(name="explode")
def explode() -> None:
    raise RuntimeError("the task failed")
"""


@pytest.fixture(autouse=True)
def _fresh_process_state() -> Iterator[None]:
    REGISTRY.clear()
    yield
    app_module.shutdown()
    REGISTRY.clear()


def uri_with_password(url: str) -> str:
    """`url` as a URI whose user has the password `SECRET`."""
    parameters = psycopg.conninfo.conninfo_to_dict(url)
    user = parameters.pop("user", "postgres")
    host = str(parameters.pop("host", "localhost"))
    port = parameters.pop("port", None)
    database = parameters.pop("dbname", "postgres")
    if host.startswith("/"):  # a unix socket goes in the query
        parameters["host"] = host
        netloc = f"{quote(str(user))}:{SECRET}@"
    else:
        netloc = f"{quote(str(user))}:{SECRET}@{host}" + (f":{port}" if port else "")
    query = "&".join(f"{key}={quote(str(value), safe='/')}" for key, value in parameters.items())
    return f"postgresql://{netloc}/{database}" + (f"?{query}" if query else "")


def keywords_with_password(url: str) -> str:
    return psycopg.conninfo.make_conninfo(url, password=SECRET)


SPELLINGS = {"uri": uri_with_password, "keywords": keywords_with_password}
UNREACHABLE = "postgresql://ada@127.0.0.1:1/nowhere"


def assert_hidden(text: str) -> None:
    assert SECRET not in text
    assert "***" in text, text


def everything_logged(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(
        record.getMessage() + ("\n" + "".join(traceback.format_exception(*record.exc_info)))
        if record.exc_info
        else record.getMessage()
        for record in caplog.records
    )


@pytest.mark.parametrize("spelling", sorted(SPELLINGS))
def test_init_with_an_unreachable_database_hides_the_password(
    spelling: str, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with pytest.raises(DatabaseError) as refused:
        rhythm.init(database_url=SPELLINGS[spelling](UNREACHABLE))
    assert_hidden(str(refused.value))
    assert SECRET not in "".join(traceback.format_exception(refused.value))
    assert SECRET not in repr(refused.value.__context__)
    assert SECRET not in everything_logged(caplog)


@pytest.mark.parametrize(
    "url",
    [
        f"postgresql://ada:{SECRET}@[::1/db",
        f"postgresql://ada:{SECRET}@localhost/db?sslmode",
        f"host=127.0.0.1 password={SECRET} port",
        f"host=127.0.0.1 password='{SECRET} with spaces' nonsense",
    ],
)
def test_a_malformed_url_is_refused_without_its_password(url: str) -> None:
    with pytest.raises(DatabaseError, match="is not a valid PostgreSQL connection string") as bad:
        rhythm.init(database_url=url)
    assert_hidden(str(bad.value))
    assert SECRET not in "".join(traceback.format_exception(bad.value))
    assert bad.value.__context__ is None  # libpq's own message quotes the password


@pytest.mark.parametrize("spelling", sorted(SPELLINGS))
def test_the_application_and_the_worker_never_show_the_password(
    spelling: str, migrated_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    url = SPELLINGS[spelling](migrated_url)

    @task(name="explode")
    def explode() -> None:
        raise RuntimeError("the task failed")

    (tmp_path / "w.flow").write_text('return await Task.run("explode", {})\n', encoding="utf-8")
    application = rhythm.init(database_url=url, workflow_paths=[tmp_path])
    assert_hidden(repr(application))
    execution_id = client.workflows.run("w")
    worker = Worker(database_url=url, **FAST)  # type: ignore[arg-type]
    worker.run_until_idle(timeout=20)
    assert client.executions.get(execution_id).output["type"] == "RuntimeError"
    logged = everything_logged(caplog)
    assert "the task failed" in logged  # the worker did log, with a traceback
    assert_hidden(logged)


def rhythm_command(*arguments: str, cwd: Path) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "rhythm.cli", *arguments],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )


def test_a_worker_process_logs_its_database_without_the_password(
    migrated_url: str, tmp_path: Path
) -> None:
    (tmp_path / "tasks_module.py").write_text(TASKS_PY, encoding="utf-8")
    url = uri_with_password(migrated_url)
    worker = rhythm_command("worker", "-m", "tasks_module.py", "--database-url", url, cwd=tmp_path)
    assert worker.stdout is not None
    lines = []
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        line = worker.stdout.readline()
        lines.append(line)
        if "serving queue" in line or not line:
            break
    worker.send_signal(signal.SIGTERM)
    rest, _ = worker.communicate(timeout=30)
    output = "".join(lines) + rest
    assert worker.returncode == 0, output
    assert "serving queue" in output
    assert_hidden(output)


def test_rhythm_commands_on_an_unreachable_database_hide_the_password(tmp_path: Path) -> None:
    (tmp_path / "tasks_module.py").write_text(TASKS_PY, encoding="utf-8")
    url = uri_with_password(UNREACHABLE)
    for command in (
        ("worker", "-m", "tasks_module.py", "--database-url", url),
        ("list", "--database-url", url),
        ("show", "some-id", "--database-url", url),
    ):
        process = rhythm_command(*command, cwd=tmp_path)
        output, _ = process.communicate(timeout=60)
        assert process.returncode == 2, output
        assert output.startswith("rhythm: error: cannot connect to the database at "), output
        assert_hidden(output)
