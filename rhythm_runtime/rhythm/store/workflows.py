"""Registered workflow versions (`rhythm.workflow_versions`): one row per compiled Program.

A Program is stored under its version hash as its canonical JSON text. The newest version of a
name is the one registered last (`seq`); registering a hash that is already stored makes it the
newest again, so reverting a workflow file to earlier code and restarting runs that code for
new executions. Executions pin the hash they started with, so they never change version.
"""

from __future__ import annotations

from psycopg import Connection

# Insert the version, or, when the hash is stored but another version of the name was
# registered after it, make it the newest again. `RETURNING` yields a row only when something
# changed, which tells the caller whether the registration was news.
REGISTER_VERSION = """
INSERT INTO rhythm.workflow_versions AS v (hash, name, program)
VALUES (%(hash)s, %(name)s, %(program)s)
ON CONFLICT (hash) DO UPDATE
  SET seq = nextval(pg_get_serial_sequence('rhythm.workflow_versions', 'seq')),
      registered_at = now()
  WHERE v.seq < (SELECT max(seq) FROM rhythm.workflow_versions WHERE name = v.name)
RETURNING v.hash
"""

NEWEST_VERSION = """
SELECT hash FROM rhythm.workflow_versions WHERE name = %(name)s ORDER BY seq DESC LIMIT 1
"""

PROGRAM_TEXT = "SELECT program FROM rhythm.workflow_versions WHERE hash = %(hash)s"

REGISTERED_NAMES = "SELECT DISTINCT name FROM rhythm.workflow_versions ORDER BY name"


def register_version(conn: Connection, version_hash: str, name: str, program: str) -> bool:
    """Store `program` (its canonical JSON text) as the newest version of `name`; True when
    this changed anything (a new hash, or an older one made the newest again)."""
    row = conn.execute(
        REGISTER_VERSION, {"hash": version_hash, "name": name, "program": program}
    ).fetchone()
    return row is not None


def newest_version(conn: Connection, name: str) -> str | None:
    """The hash of the newest registered version of `name`, or None when there is none."""
    row = conn.execute(NEWEST_VERSION, {"name": name}).fetchone()
    return None if row is None else str(row[0])


def program_text(conn: Connection, version_hash: str) -> str | None:
    """The stored Program JSON of a version, or None for an unknown hash."""
    row = conn.execute(PROGRAM_TEXT, {"hash": version_hash}).fetchone()
    return None if row is None else str(row[0])


def registered_names(conn: Connection) -> list[str]:
    """Every workflow name with a registered version, sorted (for "known workflows: ...")."""
    return [str(row[0]) for row in conn.execute(REGISTERED_NAMES)]
