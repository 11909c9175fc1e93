"""Apply the numbered SQL files of `rhythm/migrations/` to a database, in order, once.

All of a run happens in one transaction that first takes an advisory lock: processes that
migrate at the same moment queue on the lock, and the later ones find nothing left to do. A
failing file rolls the whole run back, so a database is never left half migrated.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

from rhythm.database import connect
from rhythm.store import migrations as store

MIGRATIONS_PACKAGE = "rhythm"
MIGRATIONS_FOLDER = "migrations"
FILE_NAME = re.compile(r"(?P<version>\d{4})_(?P<name>[a-z0-9_]+)\.sql")


@dataclass(frozen=True)
class Migration:
    version: int
    name: str
    script: str


def available_migrations() -> list[Migration]:
    """The migration files shipped with this version of rhythm, by version."""
    folder = resources.files(MIGRATIONS_PACKAGE) / MIGRATIONS_FOLDER
    found: dict[int, Migration] = {}
    for entry in folder.iterdir():
        if not entry.name.endswith(".sql"):
            continue
        match = FILE_NAME.fullmatch(entry.name)
        if match is None:
            raise ValueError(
                f"migration file {entry.name!r} is misnamed: name it NNNN_lowercase_words.sql"
            )
        version = int(match["version"])
        if version in found:
            raise ValueError(f"two migration files have version {version:04d}: renumber one")
        found[version] = Migration(version, match["name"], entry.read_text(encoding="utf-8"))
    return [found[version] for version in sorted(found)]


def migrate(conninfo: str) -> list[int]:
    """Bring the database at `conninfo` up to date; the versions applied now (empty when it
    already was)."""
    with connect(conninfo) as conn, conn.transaction():
        store.lock(conn)
        store.create_bookkeeping(conn)
        done = set(store.applied_versions(conn))
        pending = [m for m in available_migrations() if m.version not in done]
        for migration in pending:
            store.apply(conn, migration.version, migration.name, migration.script)
    return [migration.version for migration in pending]


def missing_migrations(conninfo: str) -> list[int]:
    """The versions this rhythm needs that the database lacks (all of them when it was never
    migrated); writes nothing."""
    with connect(conninfo) as conn:
        done = set(store.applied_versions(conn))
    return [m.version for m in available_migrations() if m.version not in done]
