"""A database of its own for one benchmark run, on the server of a URL, dropped at the end.

The benchmarks import this by its folder (`python bench/x.py` puts `bench/` on `sys.path`; a
worker importing the benchmark as a task module puts its folder there too).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg

import rhythm
from rhythm.database import connect
from rhythm.store import databases


@contextmanager
def fresh_database(server_url: str, purpose: str) -> Iterator[str]:
    """The URL of a new database `rhythm_<purpose>_<random>` on `server_url`."""
    name = f"rhythm_{purpose}_{uuid.uuid4().hex[:12]}"
    with connect(server_url, autocommit=True) as admin:
        databases.create(admin, name)
    try:
        yield psycopg.conninfo.make_conninfo(server_url, dbname=name)
    finally:
        rhythm.app.shutdown()
        with connect(server_url, autocommit=True) as admin:
            databases.drop(admin, name)
