"""Which database Rhythm uses, connecting to it, and passwords kept out of every message."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest

from rhythm import embedded
from rhythm.database import URL_VARIABLE, connect, create_pool, redact, resolve_database_url
from rhythm.errors import DatabaseError

SECRET = "s3cr3t-pw"
# Port 1 on the loopback: nothing listens there, so the connection is refused at once.
NOBODY_LISTENS = f"postgresql://app:{SECRET}@127.0.0.1:1/rhythm"


@pytest.mark.parametrize(
    ("url", "shown"),
    [
        (
            f"postgresql://app:{SECRET}@db.internal:5433/rhythm",
            "postgresql://app:***@db.internal:5433/rhythm",
        ),
        (
            f"postgres://app:{SECRET}@h1:5432,h2:5432/rhythm?sslmode=require",
            "postgres://app:***@h1:5432,h2:5432/rhythm?sslmode=require",
        ),
        (
            f"postgresql:///rhythm?host=/run/pg&password={SECRET}&user=app",
            "postgresql:///rhythm?host=/run/pg&password=***&user=app",
        ),
        (f"host=db user=app password={SECRET} dbname=x", "host=db user=app password=*** dbname=x"),
        ("host=db password = 'a b\\' c' dbname=x", "host=db password = *** dbname=x"),
        ("postgresql://app@db/rhythm", "postgresql://app@db/rhythm"),
        (
            "postgresql://postgres:@/postgres?host=/tmp/x",
            "postgresql://postgres:@/postgres?host=/tmp/x",
        ),
    ],
)
def test_redact_hides_the_password_and_keeps_the_rest(url: str, shown: str) -> None:
    assert redact(url) == shown


def test_the_argument_wins_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(URL_VARIABLE, "postgresql://from-environment/db")

    assert resolve_database_url("postgresql://from-argument/db") == "postgresql://from-argument/db"
    assert resolve_database_url(None) == "postgresql://from-environment/db"


def test_a_malformed_url_is_refused_naming_its_origin_without_the_password(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(URL_VARIABLE, f"host=db password={SECRET} port")

    with pytest.raises(DatabaseError) as raised:
        resolve_database_url(None)

    message = str(raised.value)
    assert message.startswith(f"{URL_VARIABLE} is not a valid PostgreSQL connection string")
    assert "postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE" in message
    assert SECRET not in message


def test_without_a_url_the_embedded_server_of_the_current_folder_is_started(
    embedded_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(URL_VARIABLE, raising=False)
    project = embedded_folder.parent.parent
    monkeypatch.chdir(project)

    url = resolve_database_url(None)

    assert embedded.status() == embedded.status(embedded_folder)
    assert embedded.status().running
    with psycopg.connect(url) as conn:
        assert conn.execute("SELECT 1").fetchone() == (1,)


def test_an_unreachable_server_is_reported_with_the_reason_and_no_password() -> None:
    with pytest.raises(DatabaseError) as raised:
        connect(NOBODY_LISTENS)

    message = str(raised.value)
    assert message.startswith("cannot connect to the database at postgresql://app:***@127.0.0.1:1")
    assert "refused" in message
    assert SECRET not in message
    with pytest.raises(DatabaseError, match="cannot connect") as from_pool:
        create_pool(NOBODY_LISTENS)
    assert SECRET not in str(from_pool.value)


def test_a_pool_serves_connections_to_the_database(migrated_url: str) -> None:
    pool = create_pool(migrated_url, min_size=1, max_size=2)
    try:
        with pool.connection() as conn:
            row = conn.execute("SELECT current_setting('application_name')").fetchone()
        assert row == ("rhythm",)
    finally:
        pool.close()
