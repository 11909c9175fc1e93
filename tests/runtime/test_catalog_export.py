"""`rhythm.catalog`: task schemas from type hints, the catalog document, the command."""

from __future__ import annotations

import dataclasses
import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any, NotRequired

import pytest
from pydantic import BaseModel, ConfigDict
from typing_extensions import TypedDict

from rhythm.catalog import (
    FORMAT,
    CatalogExportError,
    build_catalog,
    catalog_entry,
    export_catalog,
    main,
)
from rhythm.tasks import REGISTRY, TaskDefinition, task


@pytest.fixture(autouse=True)
def empty_registry() -> Iterator[None]:
    REGISTRY.clear()
    yield
    REGISTRY.clear()


class Address(BaseModel):
    city: str
    postcode: str


class Order(BaseModel):
    order_id: str
    address: Address
    note: str | None = None


class Flexible(BaseModel):
    model_config = ConfigDict(extra="allow")
    kind: str


class Email(TypedDict):
    to: str
    cc: NotRequired[list[str]]


@dataclasses.dataclass
class Point:
    x: float
    y: float


class Receipt(BaseModel):
    id: str
    amount: float


def define(function: Any, **options: Any) -> TaskDefinition:
    task(**options)(function)
    definition = REGISTRY.all()[-1]
    return definition


def entry_of(function: Any, **options: Any) -> dict[str, Any]:
    return catalog_entry(define(function, **options))


def object_schemas(schema: Any) -> Iterator[dict[str, Any]]:
    """Every object schema inside `schema`, `$defs` included."""
    if isinstance(schema, dict):
        if schema.get("type") == "object":
            yield schema
        for value in schema.values():
            yield from object_schemas(value)
    elif isinstance(schema, list):
        for item in schema:
            yield from object_schemas(item)


# --- input schemas ------------------------------------------------------------------------


def send_email(to: str, subject: str, body: str = "") -> None:
    """Send one email."""


def test_keyword_parameters_are_a_closed_object_with_required_fields_without_defaults() -> None:
    inputs = entry_of(send_email)["inputs"]

    assert inputs["type"] == "object"
    assert list(inputs["properties"]) == ["to", "subject", "body"]
    assert inputs["properties"]["to"]["type"] == "string"
    assert inputs["required"] == ["to", "subject"]
    assert inputs["additionalProperties"] is False


def log(message, level="info"):  # unannotated on purpose
    pass


def test_unannotated_keyword_parameters_accept_any_value() -> None:
    inputs = entry_of(log)["inputs"]

    assert "type" not in inputs["properties"]["message"]
    assert inputs["required"] == ["message"]
    assert inputs["additionalProperties"] is False


def tag(name: str, **labels: int) -> None:
    pass


def anything(name: str, **rest) -> None:
    pass


def test_keyword_arguments_open_the_object_with_their_type() -> None:
    assert entry_of(tag)["inputs"]["additionalProperties"] == {"type": "integer"}
    assert entry_of(anything)["inputs"]["additionalProperties"] is True


def no_inputs() -> None:
    pass


def test_no_parameters_is_a_closed_empty_object() -> None:
    inputs = entry_of(no_inputs)["inputs"]

    assert inputs["properties"] == {}
    assert inputs["additionalProperties"] is False


def ship(order: Order) -> None:
    pass


def test_a_single_model_parameter_is_the_inputs_and_nested_models_are_closed_too() -> None:
    inputs = entry_of(ship)["inputs"]
    root = inputs["$defs"][inputs["$ref"].rsplit("/", 1)[-1]] if "$ref" in inputs else inputs

    assert list(root["properties"]) == ["order_id", "address", "note"]
    assert root["required"] == ["order_id", "address"]
    assert all(schema["additionalProperties"] is False for schema in object_schemas(inputs))


def classify(item: Flexible) -> None:
    pass


def test_a_model_that_allows_extra_keys_stays_open() -> None:
    assert entry_of(classify)["inputs"]["additionalProperties"] is True


def mail(message: Email) -> None:
    pass


def test_a_typed_dict_is_closed_and_not_required_keys_are_optional() -> None:
    inputs = entry_of(mail)["inputs"]

    assert list(inputs["properties"]) == ["to", "cc"]
    assert inputs["required"] == ["to"]
    assert inputs["additionalProperties"] is False


def plot(point: Point) -> None:
    pass


def test_a_dataclass_is_closed() -> None:
    inputs = entry_of(plot)["inputs"]

    assert inputs["required"] == ["x", "y"]
    assert inputs["additionalProperties"] is False


def legacy(inputs: dict) -> dict:  # type: ignore[type-arg]
    return inputs


def untyped(inputs):
    return inputs


def counted(inputs: dict[str, int]) -> None:
    pass


def test_a_single_inputs_parameter_is_the_inputs() -> None:
    assert entry_of(legacy)["inputs"] == {"additionalProperties": True, "type": "object"}
    assert entry_of(untyped)["inputs"] == {"additionalProperties": True, "type": "object"}
    assert entry_of(counted)["inputs"]["additionalProperties"] == {"type": "integer"}


def test_a_single_parameter_of_a_plain_type_is_one_field() -> None:
    def lookup(order_id: str) -> None:
        pass

    inputs = entry_of(lookup)["inputs"]

    assert inputs["required"] == ["order_id"]
    assert inputs["additionalProperties"] is False


# --- result schemas -----------------------------------------------------------------------


async def charge(amount: float) -> Receipt:
    return Receipt(id="ch_1", amount=amount)


def test_the_return_annotation_is_the_result_and_async_functions_are_awaited() -> None:
    result = entry_of(charge)["result"]

    assert list(result["properties"]) == ["id", "amount"]
    assert result["additionalProperties"] is False


def test_without_a_return_annotation_there_is_no_result() -> None:
    assert "result" not in entry_of(untyped)
    assert entry_of(send_email)["result"] == {"type": "null"}


# --- the catalog document -----------------------------------------------------------------


def test_an_entry_has_the_keys_of_the_format_in_order() -> None:
    entry = entry_of(send_email, name="send-email", queue="mail")

    assert list(entry) == ["inputs", "result", "queue", "doc", "source"]
    assert entry["queue"] == "mail"
    assert entry["doc"] == "Send one email."
    assert entry["source"]["file"].endswith("tests/runtime/test_catalog_export.py")
    assert isinstance(entry["source"]["line"], int)


def test_the_catalog_lists_tasks_sorted_by_name() -> None:
    definitions = [define(send_email, name="b-send"), define(no_inputs, name="a-nothing")]

    catalog = build_catalog(definitions)

    assert catalog["format"] == FORMAT == "flow-task-catalog/1"
    assert list(catalog["tasks"]) == ["a-nothing", "b-send"]
    assert json.loads(json.dumps(catalog)) == catalog


# --- errors -------------------------------------------------------------------------------


def positional(order_id: str, /) -> None:
    pass


def unresolvable(order: Missing) -> None:  # type: ignore[name-defined]  # noqa: F821
    pass


def not_a_schema(callback: Any) -> Iterator[int]:  # type: ignore[misc]
    yield 1


def test_a_positional_only_parameter_cannot_receive_an_input() -> None:
    with pytest.raises(CatalogExportError) as raised:
        entry_of(positional)

    message = str(raised.value)
    assert message.startswith("task `positional` (")
    assert "test_catalog_export.py:" in message
    assert "parameter `order_id` cannot receive a named input" in message


def test_hints_that_cannot_be_evaluated_name_the_task() -> None:
    with pytest.raises(CatalogExportError) as raised:
        entry_of(unresolvable)

    message = str(raised.value)
    assert message.startswith("task `unresolvable` (")
    assert message.endswith("cannot read its type hints: NameError: name 'Missing' is not defined")


def test_hints_pydantic_cannot_turn_into_a_schema_name_the_task() -> None:
    with pytest.raises(CatalogExportError) as raised:
        entry_of(not_a_schema)

    assert str(raised.value).startswith("task `not_a_schema` (")
    assert "cannot turn its type hints into a schema" in str(raised.value)


# --- importing modules and the command ----------------------------------------------------

TASKS_MODULE = '''
from __future__ import annotations

from pydantic import BaseModel

from rhythm import task


class Charge(BaseModel):
    order_id: str
    amount: float


@task(name="charge-card", queue="payments")
async def charge(inputs: Charge) -> dict[str, str]:
    """Charge the customer's card."""
    return {"id": "ch_1"}
'''


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def test_a_module_file_is_imported_and_its_tasks_exported(tmp_path: Path) -> None:
    module = write(tmp_path / "billing_tasks_for_export.py", TASKS_MODULE)

    catalog = export_catalog([str(module)])

    entry = catalog["tasks"]["charge-card"]
    assert entry["inputs"]["required"] == ["order_id", "amount"]
    assert entry["result"] == {"additionalProperties": {"type": "string"}, "type": "object"}
    assert entry["source"]["line"] == 14


def test_the_command_prints_the_catalog_or_writes_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    module = write(tmp_path / "payments_tasks_for_export.py", TASKS_MODULE)
    assert main([str(module)]) == 0
    printed = capsys.readouterr().out
    assert json.loads(printed)["format"] == FORMAT

    output = tmp_path / "catalog.json"
    REGISTRY.clear()
    assert main([str(module), "-o", str(output)]) == 0
    assert output.read_text(encoding="utf-8") == printed


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("import not_a_module_anywhere\n", "ModuleNotFoundError: No module named"),
        ("x = 1 / 0\n", "ZeroDivisionError: division by zero"),
    ],
)
def test_a_module_that_fails_to_import_exits_2_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], source: str, message: str
) -> None:
    module = write(tmp_path / "broken_tasks_for_export.py", source)

    assert main([str(module)]) == 2

    err = capsys.readouterr().err
    assert err.startswith(f"rhythm.catalog: error: cannot import `{module}`: ")
    assert message in err
    assert "Traceback" not in err


def test_a_missing_file_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([str(tmp_path / "nope.py")]) == 2

    assert capsys.readouterr().err.endswith("nope.py`: no such file\n")


def test_the_module_runs_as_a_program_by_dotted_name(tmp_path: Path) -> None:
    write(tmp_path / "shop" / "__init__.py", "")
    write(tmp_path / "shop" / "jobs.py", TASKS_MODULE)

    finished = subprocess.run(
        [sys.executable, "-m", "rhythm.catalog", "shop.jobs"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )

    assert finished.returncode == 0, finished.stderr
    catalog = json.loads(finished.stdout)
    assert catalog["tasks"]["charge-card"]["source"] == {"file": "shop/jobs.py", "line": 14}
