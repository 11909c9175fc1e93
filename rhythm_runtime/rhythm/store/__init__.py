"""All of Rhythm's SQL: one module per table family, queries as named constants.

Nothing outside this package writes SQL (ARCHITECTURE.md). Queries take parameters, never
values pasted into strings; the few statements that need an identifier (a database name) build
it with `psycopg.sql.Identifier`.
"""
