"""Rhythm keeps to its own schema (issue #8, item 6): migrating a fresh database and
registering workflows creates objects in the schema `rhythm` and nowhere else — no table,
function, type, extension, trigger, rule, policy, role or schema of its own outside it — so
it can share a database with an application.

Every catalog of objects that `CREATE` can add is read before and after, by name and schema;
the difference must be the schema `rhythm` and what lives in it (with the TOAST tables Postgres
makes for its tables). Databases are not compared: the test fixtures create databases of their
own on the same server at the same time.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

import rhythm
from rhythm import app as app_module
from rhythm.migrate import migrate

SCHEMA = "rhythm"

# (catalog, SQL that lists its objects as (name, schema or NULL)); one row per object.
CATALOGS = {
    "schemas": "SELECT nspname, NULL FROM pg_namespace",
    # A TOAST table (and its index) counts in the schema of the table it stores values of.
    "relations": (
        "SELECT c.relname || ' (' || c.relkind::text || ')', coalesce(sn.nspname, n.nspname)"
        " FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace"
        " LEFT JOIN pg_index i ON i.indexrelid = c.oid AND n.nspname = 'pg_toast'"
        " LEFT JOIN pg_class s ON s.reltoastrelid = coalesce(i.indrelid, c.oid)"
        " LEFT JOIN pg_namespace sn ON sn.oid = s.relnamespace"
    ),
    "functions": (
        "SELECT p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')', n.nspname"
        " FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace"
    ),
    "types": (
        "SELECT t.typname, n.nspname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace"
    ),
    "operators": (
        "SELECT o.oprname, n.nspname FROM pg_operator o"
        " JOIN pg_namespace n ON n.oid = o.oprnamespace"
    ),
    "collations": (
        "SELECT c.collname, n.nspname FROM pg_collation c"
        " JOIN pg_namespace n ON n.oid = c.collnamespace"
    ),
    "conversions": (
        "SELECT c.conname, n.nspname FROM pg_conversion c"
        " JOIN pg_namespace n ON n.oid = c.connamespace"
    ),
    "extensions": (
        "SELECT e.extname, n.nspname FROM pg_extension e"
        " JOIN pg_namespace n ON n.oid = e.extnamespace"
    ),
    "triggers": (
        "SELECT t.tgname || ' on ' || c.relname, n.nspname FROM pg_trigger t"
        " JOIN pg_class c ON c.oid = t.tgrelid JOIN pg_namespace n ON n.oid = c.relnamespace"
    ),
    "rules": "SELECT rulename || ' on ' || tablename, schemaname FROM pg_rules",
    "policies": "SELECT policyname || ' on ' || tablename, schemaname FROM pg_policies",
    "event triggers": "SELECT evtname, NULL FROM pg_event_trigger",
    "casts": "SELECT castsource::regtype || ' as ' || casttarget::regtype, NULL FROM pg_cast",
    "languages": "SELECT lanname, NULL FROM pg_language",
    "publications": "SELECT pubname, NULL FROM pg_publication",
    "foreign servers": "SELECT srvname, NULL FROM pg_foreign_server",
    "default privileges": (
        "SELECT defaclobjtype::text, defaclnamespace::regnamespace::text FROM pg_default_acl"
    ),
    "large objects": "SELECT oid::text, NULL FROM pg_largeobject_metadata",
    "roles": "SELECT rolname, NULL FROM pg_roles",
    "tablespaces": "SELECT spcname, NULL FROM pg_tablespace",
}


@pytest.fixture(autouse=True)
def _no_application() -> Iterator[None]:
    yield
    app_module.shutdown()


def objects(url: str) -> dict[str, set[tuple[str, str | None]]]:
    with psycopg.connect(url, autocommit=True) as conn:
        return {
            catalog: {(str(name), schema) for name, schema in conn.execute(query)}
            for catalog, query in CATALOGS.items()
        }


def outside_rhythm(found: dict[str, set[tuple[str, str | None]]]) -> dict[str, set[object]]:
    return {
        catalog: {item for item in items if item[1] != SCHEMA and item != (SCHEMA, None)}
        for catalog, items in found.items()
    }


def test_migrating_and_registering_create_objects_only_in_the_rhythm_schema(
    database_url: str, tmp_path: Path
) -> None:
    before = objects(database_url)
    assert not any(schema == SCHEMA for items in before.values() for _, schema in items)

    migrate(database_url)
    (tmp_path / "hello.flow").write_text('return "hello"\n', encoding="utf-8")
    rhythm.init(database_url=database_url, workflow_paths=[tmp_path])
    after = objects(database_url)

    assert outside_rhythm(after) == outside_rhythm(before)
    created = {name for name, schema in after["relations"] if schema == SCHEMA}
    assert {"executions (r)", "migrations (r)", "workflow_versions (r)"} <= created
    assert (SCHEMA, None) in after["schemas"]


def test_the_comparison_sees_an_object_created_outside(database_url: str) -> None:
    before = outside_rhythm(objects(database_url))
    with psycopg.connect(database_url, autocommit=True) as conn:
        conn.execute("CREATE FUNCTION public.intruder() RETURNS int LANGUAGE sql AS 'SELECT 1'")
        conn.execute("CREATE TABLE public.squatter (body text)")
    after = outside_rhythm(objects(database_url))
    assert after["functions"] - before["functions"] == {("intruder()", "public")}
    assert ("squatter (r)", "public") in after["relations"] - before["relations"]
