"""The task catalog (`flow-task-catalog/1`, LANGUAGE.md §11.5): JSON in, task signatures out.

    {"format": "flow-task-catalog/1",
     "tasks": {"send_email": {"inputs": <JSON Schema>, "result": <JSON Schema>,
                              "queue": "default", "doc": "...",
                              "source": {"file": "app/tasks.py", "line": 12}}}}

The catalog is produced from Python (`python -m rhythm.catalog`, `flowc catalog`), but flowlang
only ever reads the JSON: this module validates a document with pydantic, at the edge, and turns
each task's schemas into checker types (`schema.type_from_schema`). A document that does not
fit is a `CatalogError` naming the catalog and the JSON path of every problem, never a
half-read catalog. `inputs` is required (the generator always writes it); a missing `result`
is `any`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator
from pydantic_core import ErrorDetails

from flowlang.compiler.environment import SourceLocation, TaskSignature
from flowlang.compiler.schema import type_from_schema
from flowlang.compiler.suggest import closest
from flowlang.compiler.types import ANY

FORMAT = "flow-task-catalog/1"

Catalog = Mapping[str, TaskSignature]


class CatalogError(Exception):
    """A catalog that cannot be used; the message names it and says what is wrong where."""


class _Model(BaseModel):
    # Strict: `"line": "12"` is as wrong as a misspelt key; both are reported, not coerced.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class _Source(_Model):
    file: str
    line: int


class _Task(_Model):
    inputs: Any
    result: Any = None
    queue: str | None = None
    doc: str = ""
    source: _Source | None = None

    @field_validator("inputs", "result")
    @classmethod
    def _is_a_schema(cls, value: Any) -> Any:
        # JSON Schema is an object or a boolean; `None` is how an absent `result` arrives.
        if value is None or isinstance(value, dict | bool):
            return value
        raise ValueError("must be a JSON Schema (an object or a boolean)")


class _Document(_Model):
    format: Literal["flow-task-catalog/1"]
    tasks: dict[str, _Task]


# --- reading --------------------------------------------------------------------------------


def read_catalog_file(path: Path, *, shown_as: str | None = None) -> dict[str, TaskSignature]:
    """The tasks of the catalog file at `path` (`shown_as` names it in messages)."""
    origin = shown_as or str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise CatalogError(f"cannot read the task catalog `{origin}`: {error.strerror}") from None
    except UnicodeDecodeError:
        raise CatalogError(f"the task catalog `{origin}` is not UTF-8 text") from None
    return parse_catalog(text, origin=origin)


def parse_catalog(text: str, *, origin: str) -> dict[str, TaskSignature]:
    """The tasks of a catalog given as JSON text."""
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise CatalogError(
            f"the task catalog `{origin}` is not JSON: {error.msg} at line {error.lineno}, "
            f"column {error.colno}"
        ) from None
    return catalog_from_document(document, origin=origin)


def catalog_from_document(document: object, *, origin: str) -> dict[str, TaskSignature]:
    """The tasks of an already parsed catalog document, in the document's order."""
    try:
        valid = _Document.model_validate(document)
    except ValidationError as error:
        problems = "\n".join(f"  {_describe_problem(problem)}" for problem in error.errors())
        raise CatalogError(f"the task catalog `{origin}` is not valid:\n{problems}") from None
    return {name: _signature(name, task) for name, task in valid.tasks.items()}


def _signature(name: str, task: _Task) -> TaskSignature:
    return TaskSignature(
        name=name,
        # `$ref`s inside a task's schema point into its own `$defs` (as pydantic writes them),
        # which is where `type_from_schema` resolves them by default.
        inputs=type_from_schema(task.inputs),
        result=ANY if task.result is None else type_from_schema(task.result),
        queue=task.queue,
        doc=task.doc,
        source=None if task.source is None else SourceLocation(task.source.file, task.source.line),
    )


def merge_catalogs(catalogs: Iterable[tuple[str, Catalog]]) -> dict[str, TaskSignature]:
    """One catalog of several `(origin, catalog)` pairs; a task in two of them is an error."""
    merged: dict[str, TaskSignature] = {}
    origins: dict[str, str] = {}
    for origin, catalog in catalogs:
        for name, signature in catalog.items():
            if name in merged:
                raise CatalogError(
                    f"task `{name}` is in two task catalogs: `{origins[name]}` and `{origin}`"
                )
            merged[name] = signature
            origins[name] = origin
    return merged


# --- messages ------------------------------------------------------------------------------

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

_EXPECTED = {
    "string_type": "must be a string",
    "int_type": "must be an integer",
    "dict_type": "must be an object",
    "model_type": "must be an object",
    "model_attributes_type": "must be an object",
}


def _describe_problem(problem: ErrorDetails) -> str:
    """One problem of a pydantic validation, in the catalog's own terms: `where: what`."""
    location = tuple(problem["loc"])
    kind = problem["type"]
    if kind == "missing":
        return f"{_json_path(location[:-1])}: missing key `{location[-1]}`"
    if kind == "extra_forbidden":
        return f"{_json_path(location[:-1])}: {_unknown_key_message(location)}"
    if kind == "literal_error" and location == ("format",):
        return f'`format` must be "{FORMAT}", not {json.dumps(problem["input"])}'
    if kind in _EXPECTED:
        return f"{_json_path(location)}: {_EXPECTED[kind]}"
    if kind == "value_error":
        return f"{_json_path(location)}: {problem['ctx']['error']}"
    return f"{_json_path(location)}: {problem['msg'][:1].lower()}{problem['msg'][1:]}"


def _unknown_key_message(location: tuple[Any, ...]) -> str:
    key = str(location[-1])
    known = _known_keys(location[:-1])
    suggestion = closest(key, known)
    hint = f" (did you mean `{suggestion}`?)" if suggestion else ""
    return f"unknown key `{key}`{hint}"


def _known_keys(parent: tuple[Any, ...]) -> tuple[str, ...]:
    """The keys allowed at `parent`: the document, a task, or a task's `source`."""
    if not parent:
        return tuple(_Document.model_fields)
    if parent[-1] == "source":
        return tuple(_Source.model_fields)
    return tuple(_Task.model_fields)


def _json_path(location: tuple[Any, ...]) -> str:
    """`tasks["send-email"].result` for pydantic's `('tasks', 'send-email', 'result')`."""
    if not location:
        return "the document"
    path = ""
    for part in location:
        text = str(part)
        if _IDENTIFIER.fullmatch(text):
            path += f".{text}" if path else text
        else:
            path += f"[{json.dumps(text)}]"
    return f"`{path}`"
