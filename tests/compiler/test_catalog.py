"""Reading the task catalog (`flow-task-catalog/1`) into task signatures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

import flowlang
from flowlang.compiler.catalog import (
    FORMAT,
    CatalogError,
    catalog_from_document,
    merge_catalogs,
    parse_catalog,
    read_catalog_file,
)
from flowlang.compiler.environment import SourceLocation, TaskSignature
from flowlang.compiler.types import ANY, NUMBER, STRING, Field, ObjectType

SEND_EMAIL: dict[str, Any] = {
    "inputs": {
        "type": "object",
        "properties": {"to": {"type": "string"}, "retries": {"type": "integer"}},
        "required": ["to"],
        "additionalProperties": False,
    },
    "result": {"$ref": "#/$defs/Sent", "$defs": {"Sent": {"type": "object"}}},
    "queue": "mail",
    "doc": "Send one email.",
    "source": {"file": "app/tasks.py", "line": 12},
}


def document(**tasks: Any) -> dict[str, Any]:
    return {"format": FORMAT, "tasks": tasks}


def problems_of(value: object) -> str:
    with pytest.raises(CatalogError) as raised:
        catalog_from_document(value, origin="catalog.json")
    return str(raised.value)


def test_a_task_becomes_a_signature_with_types_from_its_schemas() -> None:
    catalog = catalog_from_document(document(send_email=SEND_EMAIL), origin="catalog.json")

    assert catalog["send_email"] == TaskSignature(
        name="send_email",
        inputs=ObjectType((Field("to", STRING), Field("retries", NUMBER, optional=True))),
        result=ObjectType((), ANY),  # the `$ref` resolves inside the task's own schema
        queue="mail",
        doc="Send one email.",
        source=SourceLocation("app/tasks.py", 12),
    )


def test_only_inputs_is_required_and_a_missing_result_is_any() -> None:
    catalog = catalog_from_document(document(ping={"inputs": True}), origin="catalog.json")

    assert catalog["ping"] == TaskSignature(name="ping", inputs=ANY, result=ANY)


def test_tasks_keep_the_document_order() -> None:
    tasks = {"b": {"inputs": {}}, "a": {"inputs": {}}}

    assert list(catalog_from_document(document(**tasks), origin="c.json")) == ["b", "a"]


def test_json_text_and_files_are_read(tmp_path: Path) -> None:
    text = json.dumps(document(send_email=SEND_EMAIL))
    path = tmp_path / "catalog.json"
    path.write_text(text, encoding="utf-8")

    assert parse_catalog(text, origin="x") == read_catalog_file(path)


def test_text_that_is_not_json_names_the_catalog_and_the_position() -> None:
    with pytest.raises(CatalogError) as raised:
        parse_catalog('{"format": ', origin="build/catalog.json")

    assert str(raised.value) == (
        "the task catalog `build/catalog.json` is not JSON: Expecting value at line 1, column 12"
    )


def test_a_missing_file_is_an_error_naming_it(tmp_path: Path) -> None:
    with pytest.raises(CatalogError) as raised:
        read_catalog_file(tmp_path / "nope.json", shown_as="nope.json")

    assert str(raised.value).startswith("cannot read the task catalog `nope.json`: ")


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        ([], "the document: must be an object"),
        ({"format": "flow-task-catalog/2", "tasks": {}}, '`format` must be "flow-task-catalog/1"'),
        ({"format": FORMAT}, "the document: missing key `tasks`"),
        ({"format": FORMAT, "tasks": {}, "task": {}}, "the document: unknown key `task`"),
        (document(t=5), "`tasks.t`: must be an object"),
        (document(t={}), "`tasks.t`: missing key `inputs`"),
        (document(t={"inputs": 3}), "`tasks.t.inputs`: must be a JSON Schema"),
        (document(t={"inputs": {}, "reslt": {}}), "unknown key `reslt` (did you mean `result`?)"),
        (document(t={"inputs": {}, "queue": 3}), "`tasks.t.queue`: must be a string"),
        (
            document(t={"inputs": {}, "source": {"file": "a.py", "line": "3"}}),
            "`tasks.t.source.line`: must be an integer",
        ),
        (document(**{"send-email": {}}), '`tasks["send-email"]`: missing key `inputs`'),
    ],
)
def test_invalid_documents_name_the_catalog_and_the_json_path(value: object, problem: str) -> None:
    message = problems_of(value)

    assert message.startswith("the task catalog `catalog.json` is not valid:\n  ")
    assert problem in message


def test_every_problem_is_reported_at_once() -> None:
    message = problems_of(document(a={}, b={"inputs": 1}))

    assert message.count("\n  ") == 2


def test_catalogs_merge_and_a_task_in_two_of_them_is_an_error() -> None:
    first = {"a": TaskSignature("a")}
    second = {"b": TaskSignature("b")}

    assert merge_catalogs([("one.json", first), ("two.json", second)]) == {**first, **second}
    with pytest.raises(CatalogError) as raised:
        merge_catalogs([("one.json", first), ("tasks.py", {"a": TaskSignature("a")})])
    assert str(raised.value) == "task `a` is in two task catalogs: `one.json` and `tasks.py`"


# --- flowlang.check(catalog=...) ----------------------------------------------------------

TYPO = 'await Task.run("send_emial", { to: "a@b.c" })\n'


def test_check_without_a_catalog_does_not_check_task_names() -> None:
    assert flowlang.check(TYPO) == []


def test_check_accepts_a_path_a_document_or_a_loaded_catalog(tmp_path: Path) -> None:
    raw = document(send_email=SEND_EMAIL)
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(raw), encoding="utf-8")
    loaded = catalog_from_document(raw, origin="test")

    reports = [flowlang.check(TYPO, catalog=catalog) for catalog in (path, str(path), raw, loaded)]

    assert all(report == reports[0] for report in reports)
    assert [d.code for d in reports[0]] == ["FLOW301"]


def test_check_refuses_a_mapping_that_is_not_a_catalog() -> None:
    with pytest.raises(TypeError):
        flowlang.check(TYPO, catalog={"send_email": {"inputs": {}}})
    with pytest.raises(CatalogError):
        flowlang.check(TYPO, catalog={"format": "nope"})
