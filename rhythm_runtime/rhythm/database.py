"""Which database Rhythm uses, and connections to it.

The URL comes from the caller, else `RHYTHM_DATABASE_URL`, else the embedded PostgreSQL
(`rhythm.embedded`), started on demand. Every message that names a server uses `redact`, so a
password never reaches a log, an exception or a terminal.
"""

from __future__ import annotations

import os
import re
from urllib.parse import parse_qsl, urlencode, urlsplit

import psycopg
from psycopg_pool import ConnectionPool, PoolTimeout

from rhythm import embedded
from rhythm.errors import DatabaseError
from rhythm.store.sessions import prefer_indexes

URL_VARIABLE = "RHYTHM_DATABASE_URL"
URL_SCHEMES = ("postgresql", "postgres")
HIDDEN = "***"
CONNECT_TIMEOUT_S = 10
# psycopg_pool replaces a lost connection with attempts whose waits double from 1 s until
# `reconnect_timeout` (default 5 min): after a long outage its next attempt could come a
# minute or more after the server is back (measured: 20 s late after a 100 s outage). Giving up
# after 10 s, the pool starts again with 1 s waits the next time a caller needs a connection,
# so attempts never lie more than a few seconds apart (2 s late after the same outage).
RECONNECT_TIMEOUT_S = 10.0
APPLICATION_NAME = "rhythm"

# `password=...` in a key/value conninfo: a bare word or a quoted value with \' escapes.
_KEYWORD_PASSWORD = re.compile(r"(\bpassword\s*=\s*)('(?:[^'\\]|\\.)*'|\S+)")
_URI_AUTHORITY = re.compile(r"(?P<scheme>[^:/?#]+://)(?P<authority>[^/?#]*)")
_QUERY_PASSWORD = re.compile(r"([?&]password=)[^&#]*")


def resolve_database_url(explicit: str | None = None) -> str:
    """The database to use: `explicit`, else `RHYTHM_DATABASE_URL`, else the embedded server
    in `./.rhythm/postgres` (started if it is not running)."""
    if explicit:
        return _checked(explicit, "the database_url argument")
    from_environment = os.environ.get(URL_VARIABLE, "").strip()
    if from_environment:
        return _checked(from_environment, URL_VARIABLE)
    return embedded.start()


def _checked(url: str, origin: str) -> str:
    """`url` if libpq can parse it; otherwise a DatabaseError naming where it came from."""
    try:
        psycopg.conninfo.conninfo_to_dict(url)
        parsed = True
    except psycopg.ProgrammingError:
        parsed = False
    if not parsed:
        # Raised here, not in the `except` block: libpq's message quotes the whole URL, password
        # included, and would stay attached to ours as its `__context__`.
        raise DatabaseError(
            f"{origin} is not a valid PostgreSQL connection string: {redact(url)!r}; "
            "write it as postgresql://USER[:PASSWORD]@HOST[:PORT]/DATABASE"
        )
    return url


def redact(url: str) -> str:
    """`url` with any password replaced by `***`, for messages and logs."""
    scheme, separator, _ = url.partition("://")
    if separator and scheme.lower() in URL_SCHEMES:
        return _redact_uri(url)
    return _KEYWORD_PASSWORD.sub(lambda match: match.group(1) + HIDDEN, url)


def _redact_uri(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:  # a URI Python cannot split (an unclosed `[` of an IPv6 address)
        return _redact_unsplittable_uri(url)
    netloc = parts.netloc
    if "@" in netloc:
        credentials, _, hosts = netloc.rpartition("@")
        user, has_password, password = credentials.partition(":")
        if has_password and password:
            netloc = f"{user}:{HIDDEN}@{hosts}"
    query = parts.query
    pairs = parse_qsl(query, keep_blank_values=True)
    if any(key == "password" for key, _ in pairs):
        query = urlencode(
            [(key, HIDDEN if key == "password" else value) for key, value in pairs], safe="/*"
        )
    # Not urlunsplit: it drops the `//` of an empty host (`postgresql:///db?host=/socket`).
    return f"{parts.scheme}://{netloc}{parts.path}" + (f"?{query}" if query else "")


def _redact_unsplittable_uri(url: str) -> str:
    """The password of the authority (between `user:` and its last `@`) and of a `password`
    query parameter hidden, read without `urlsplit`."""

    def hide(match: re.Match[str]) -> str:
        credentials, at, hosts = match["authority"].rpartition("@")
        user, colon, _ = credentials.partition(":")
        authority = f"{user}:{HIDDEN}@{hosts}" if at and colon else match["authority"]
        return match["scheme"] + authority

    hidden = _URI_AUTHORITY.sub(hide, url, count=1)
    return _QUERY_PASSWORD.sub(lambda match: match.group(1) + HIDDEN, hidden)


def connect(url: str, *, autocommit: bool = False) -> psycopg.Connection:
    """A connection to `url`, or a DatabaseError that says which server failed and why."""
    try:
        return psycopg.connect(
            url,
            autocommit=autocommit,
            connect_timeout=CONNECT_TIMEOUT_S,
            application_name=APPLICATION_NAME,
        )
    except psycopg.OperationalError as error:
        raise DatabaseError(_unreachable(url, error)) from None


def create_pool(url: str, *, min_size: int = 1, max_size: int = 4) -> ConnectionPool:
    """An open connection pool on `url`; the first connection is made before returning, so a
    wrong URL fails here with the server's reason rather than later with a pool timeout. Its
    sessions plan with indexes (`rhythm.store.sessions`)."""
    connect(url).close()
    pool = ConnectionPool(
        url,
        min_size=min_size,
        max_size=max_size,
        kwargs={"application_name": APPLICATION_NAME},
        configure=prefer_indexes,
        name=APPLICATION_NAME,
        reconnect_timeout=RECONNECT_TIMEOUT_S,
        open=False,
    )
    try:
        pool.open(wait=True, timeout=CONNECT_TIMEOUT_S)
    except PoolTimeout:
        pool.close()
        raise DatabaseError(
            f"cannot open {min_size} connection(s) to the database at {redact(url)} within "
            f"{CONNECT_TIMEOUT_S} s; check the server's max_connections and load"
        ) from None
    return pool


def _unreachable(url: str, error: psycopg.OperationalError) -> str:
    # libpq's reason (refused, unknown host, authentication failed) never contains the password.
    reason = str(error).strip().replace("\n", " ")
    return (
        f"cannot connect to the database at {redact(url)}: {reason}; check that the server "
        f"is running and the URL (the database_url argument or {URL_VARIABLE}) is right"
    )
