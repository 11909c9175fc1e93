"""The SQL of the migration bookkeeping: the advisory lock and the `rhythm.migrations` table.

The migration files themselves are plain SQL in `rhythm/migrations/`; `rhythm.migrate` decides
which to apply and runs them through `apply`.
"""

from __future__ import annotations

import psycopg

# "rhythm" in ASCII: one number every Rhythm process agrees on, unlikely to collide with the
# advisory locks of an application sharing the database.
MIGRATION_LOCK_KEY = 0x72_68_79_74_68_6D

LOCK = "SELECT pg_advisory_xact_lock(%(key)s)"

# Created here rather than in 0001: the table must exist before migrate can read which files
# were applied. Both statements are no-ops once the first migration ran.
CREATE_SCHEMA = "CREATE SCHEMA IF NOT EXISTS rhythm"
CREATE_TABLE = """
CREATE TABLE IF NOT EXISTS rhythm.migrations (
  version int PRIMARY KEY,
  name text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)
"""

TABLE_EXISTS = "SELECT to_regclass('rhythm.migrations') IS NOT NULL"
APPLIED = "SELECT version FROM rhythm.migrations ORDER BY version"
RECORD = "INSERT INTO rhythm.migrations (version, name) VALUES (%(version)s, %(name)s)"


def lock(conn: psycopg.Connection) -> None:
    """Wait for the migration lock; it is released when the caller's transaction ends."""
    conn.execute(LOCK, {"key": MIGRATION_LOCK_KEY})


def create_bookkeeping(conn: psycopg.Connection) -> None:
    conn.execute(CREATE_SCHEMA)
    conn.execute(CREATE_TABLE)


def applied_versions(conn: psycopg.Connection) -> list[int]:
    """The versions recorded so far; none when the database was never migrated."""
    exists = conn.execute(TABLE_EXISTS).fetchone()
    if not exists or not exists[0]:
        return []
    return [version for (version,) in conn.execute(APPLIED)]


def apply(conn: psycopg.Connection, version: int, name: str, script: str) -> None:
    """Run one migration file and record it, inside the caller's transaction."""
    # A file holds several statements and no parameters: psycopg sends it as one simple query.
    # Bytes, because the text comes from a file rather than a literal in the code.
    conn.execute(script.encode("utf-8"))
    conn.execute(RECORD, {"version": version, "name": name})
