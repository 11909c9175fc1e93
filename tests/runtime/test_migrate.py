"""Migrations on a real server: applied once, in order, atomically, one process at a time."""

from __future__ import annotations

import subprocess
import sys
import time

import psycopg
import pytest

from rhythm import migrate as migrate_module
from rhythm.migrate import Migration, available_migrations, migrate, missing_migrations
from rhythm.store.migrations import MIGRATION_LOCK_KEY

EXPECTED_TABLES = {
    "migrations",
    "workflow_versions",
    "executions",
    "timers",
    "signals",
    "followers",
}
MIGRATE_IN_A_PROCESS = "import sys; from rhythm.migrate import migrate; print(migrate(sys.argv[1]))"
WAIT_FOR_WAITERS_S = 30.0


def tables(url: str) -> set[str]:
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'rhythm'"
        )
        return {name for (name,) in rows}


def recorded(url: str) -> list[tuple[int, str]]:
    with psycopg.connect(url) as conn:
        return conn.execute("SELECT version, name FROM rhythm.migrations ORDER BY 1").fetchall()


def test_the_package_ships_numbered_files_starting_at_one() -> None:
    versions = [migration.version for migration in available_migrations()]

    assert versions == list(range(1, len(versions) + 1))
    assert available_migrations()[0].name == "initial"


def test_a_fresh_database_is_migrated_then_migrating_again_does_nothing(database_url: str) -> None:
    everything = [migration.version for migration in available_migrations()]
    assert missing_migrations(database_url) == everything

    assert migrate(database_url) == everything
    assert tables(database_url) == EXPECTED_TABLES
    assert missing_migrations(database_url) == []

    assert migrate(database_url) == []
    assert recorded(database_url) == [(m.version, m.name) for m in available_migrations()]


def test_values_a_workflow_reads_back_are_json_never_jsonb(migrated_url: str) -> None:
    with psycopg.connect(migrated_url) as conn:
        types = {
            data_type
            for (data_type,) in conn.execute(
                "SELECT data_type FROM information_schema.columns WHERE table_schema = 'rhythm'"
            )
        }

    assert "json" in types
    assert "jsonb" not in types


def test_the_fixture_database_holds_the_whole_schema(migrated_url: str) -> None:
    assert tables(migrated_url) == EXPECTED_TABLES
    assert missing_migrations(migrated_url) == []


def test_a_failing_migration_leaves_the_database_untouched(
    database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = Migration(len(available_migrations()) + 1, "broken", "CREATE TABLE rhythm.x (")
    shipped = available_migrations()
    monkeypatch.setattr(migrate_module, "available_migrations", lambda: [*shipped, broken])

    with pytest.raises(psycopg.errors.SyntaxError):
        migrate(database_url)

    assert tables(database_url) == set()
    assert missing_migrations(database_url) == [*[m.version for m in shipped], broken.version]


def waiting_for_the_lock(conn: psycopg.Connection) -> int:
    row = conn.execute(
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted"
        " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    ).fetchone()
    assert row is not None
    return int(row[0])


def test_two_processes_migrating_at_once_apply_each_file_once(database_url: str) -> None:
    # Hold the lock so that both processes are certainly migrating at the same moment.
    with psycopg.connect(database_url, autocommit=True) as watcher:
        with psycopg.connect(database_url) as holder:
            holder.execute("SELECT pg_advisory_xact_lock(%s)", (MIGRATION_LOCK_KEY,))
            processes = [
                subprocess.Popen(
                    [sys.executable, "-c", MIGRATE_IN_A_PROCESS, database_url],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                for _ in range(2)
            ]
            deadline = time.monotonic() + WAIT_FOR_WAITERS_S
            while waiting_for_the_lock(watcher) < 2:
                assert time.monotonic() < deadline, "the processes never queued on the lock"
                time.sleep(0.02)
            holder.rollback()
        results = [process.communicate(timeout=WAIT_FOR_WAITERS_S) for process in processes]

    assert [process.returncode for process in processes] == [0, 0], results
    everything = [migration.version for migration in available_migrations()]
    assert sorted(out.strip() for out, _ in results) == sorted(["[]", str(everything)])
    assert recorded(database_url) == [(m.version, m.name) for m in available_migrations()]
