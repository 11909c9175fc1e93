"""The `rhythm` command: its database, catalog and usage paths, called through `main()`.

The commands that need workers (run --wait, show of a suspended workflow, signal, the demo) are
exercised end to end in test_end_to_end.py, with workers in subprocesses.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from rhythm.cli import main
from rhythm.tasks import REGISTRY

TASKS_PY = '''
from rhythm import task


@task(name="send-email", queue="mail")
def send_email(to: str, subject: str) -> dict[str, str]:
    """Send one email."""
    return {"id": "em-1"}
'''


@pytest.fixture(autouse=True)
def no_tasks() -> Iterator[None]:
    """The modules these tests import register tasks; forget them after each test."""
    REGISTRY.clear()
    yield
    REGISTRY.clear()


def test_migrate_applies_once_then_reports_up_to_date(
    database_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["migrate", "--database-url", database_url]) == 0
    assert capsys.readouterr().out.startswith("applied migrations 1, 2 to ")

    assert main(["migrate", "--database-url", database_url]) == 0
    assert capsys.readouterr().out.endswith(" is up to date\n")


def test_an_unreachable_database_is_an_error_without_the_password(
    capsys: pytest.CaptureFixture[str],
) -> None:
    url = "postgresql://ada:s3cret@127.0.0.1:1/nowhere"

    assert main(["migrate", "--database-url", url]) == 2

    err = capsys.readouterr().err
    assert err.startswith("rhythm: error: cannot connect to the database at ")
    assert "s3cret" not in err
    assert "***" in err


def test_tasks_export_prints_what_python_m_rhythm_catalog_prints(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mailer.py").write_text(TASKS_PY, encoding="utf-8")

    assert main(["tasks", "export", "mailer.py"]) == 0
    exported = capsys.readouterr().out
    reference = subprocess.run(
        [sys.executable, "-m", "rhythm.catalog", "mailer.py"],
        capture_output=True,
        text=True,
        check=True,
    )

    assert exported == reference.stdout
    assert json.loads(exported)["tasks"]["send-email"]["queue"] == "mail"


def test_tasks_export_writes_a_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "mailer.py").write_text(TASKS_PY, encoding="utf-8")

    assert main(["tasks", "export", "mailer.py", "-o", "catalog.json"]) == 0

    assert "send-email" in json.loads((tmp_path / "catalog.json").read_text())["tasks"]


def test_db_start_status_url_stop(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / ".rhythm" / "postgres"
    try:
        assert main(["db", "start"]) == 0
        assert capsys.readouterr().out.startswith("embedded Postgres running at postgresql://")

        assert main(["db", "status"]) == 0
        assert capsys.readouterr().out.startswith("running (pid ")

        assert main(["db", "url"]) == 0
        url = capsys.readouterr().out.strip()
        assert url.startswith("postgresql://")
        assert main(["migrate", "--database-url", url]) == 0
    finally:
        assert main(["db", "stop"]) == 0
    assert capsys.readouterr().out.endswith(f"embedded Postgres stopped ({folder})\n")

    assert main(["db", "status"]) == 3
    assert capsys.readouterr().out.startswith(f"stopped, data in {folder}")
    assert main(["db", "stop"]) == 0
    assert "was not running" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run", "x", "--inputs", "{oops}"], "--inputs is not valid JSON"),
        (["signal", "id-1", "approval", "--payload", "tru"], "--payload is not valid JSON"),
        (["worker", "-m", "no_such_module_here"], "cannot import `no_such_module_here`"),
        (["worker", "-m", "json", "--concurrency", "0"], "--concurrency must be 1 or more"),
        (["list", "--limit", "0"], "--limit must be 1 or more"),
    ],
)
def test_bad_arguments_are_errors_that_say_what_to_fix(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) == 2

    assert capsys.readouterr().err.startswith(f"rhythm: error: {message}")


@pytest.mark.parametrize("argv", [[], ["frobnicate"], ["db"], ["tasks"], ["run"]])
def test_usage_errors_exit_2(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(argv) == 2

    assert "usage: rhythm" in capsys.readouterr().err


def test_help_shows_examples(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--help"]) == 0

    out = capsys.readouterr().out
    assert "examples:" in out
    assert "rhythm demo" in out
