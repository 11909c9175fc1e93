"""Creating and dropping whole databases on a server: what the test fixtures use to give each
test a database of its own."""

from __future__ import annotations

import psycopg
from psycopg import sql

# CREATE/DROP DATABASE take no parameters: the name goes in as a quoted identifier.
CREATE = sql.SQL("CREATE DATABASE {name}")
CREATE_FROM_TEMPLATE = sql.SQL("CREATE DATABASE {name} TEMPLATE {template}")
# FORCE disconnects sessions a test left open (a killed worker's, say) instead of failing.
DROP = sql.SQL("DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def create(admin: psycopg.Connection, name: str, template: str | None = None) -> None:
    """Create database `name`, empty or as a copy of `template` (which must have no sessions).
    `admin` must be in autocommit mode: these statements cannot run in a transaction."""
    if template is None:
        admin.execute(CREATE.format(name=sql.Identifier(name)))
    else:
        admin.execute(
            CREATE_FROM_TEMPLATE.format(
                name=sql.Identifier(name), template=sql.Identifier(template)
            )
        )


def drop(admin: psycopg.Connection, name: str) -> None:
    admin.execute(DROP.format(name=sql.Identifier(name)))
