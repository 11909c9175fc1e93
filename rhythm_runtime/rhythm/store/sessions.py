"""How Rhythm sets up its pooled sessions (the application's and the worker's).

Every statement Rhythm prepares looks its rows up through an index. A prepared statement keeps
the generic plan Postgres makes after its first few runs; made while `rhythm.executions` is
small and never analyzed (a new database, or a server without autovacuum), the plans of the
wake, the outcome read and the step update scan the table, and each run of them then costs
more as the history grows. With sequential scans disabled in the session, plans use the
indexes whatever the statistics say; a statement that has no index to use (listing
executions) still scans.
"""

from __future__ import annotations

from psycopg import Connection

PREFER_INDEXES = "SET enable_seqscan = off"


def prefer_indexes(conn: Connection) -> None:
    """Set up a pooled session (`PREFER_INDEXES`); leaves it idle."""
    conn.execute(PREFER_INDEXES)
    conn.commit()
