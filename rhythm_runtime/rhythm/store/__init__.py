"""All of Rhythm's SQL: one module per table family, queries as named constants.

Nothing outside this package writes SQL (ARCHITECTURE.md). Queries take parameters, never
values pasted into strings; the few statements that need an identifier (a database name) build
it with `psycopg.sql.Identifier`.

Array parameters are sent in binary (`%(ids)b::text[]`): in text format psycopg escapes every
element of an array, which for a batch of snapshots or outputs cost more than the statement.
"""
