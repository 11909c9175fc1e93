"""Export the task catalog (`flow-task-catalog/1`, LANGUAGE.md §11.5) from Python modules.

    python -m rhythm.catalog app.tasks [more.tasks | path/to/tasks.py ...] [-o catalog.json]

Importing the modules runs their `@task` decorators; every registered task becomes one entry:
its input schema, its result schema, queue, docstring and `file:line`. `flowc catalog` and
`flowc check --tasks MODULE` run this module in a subprocess, since flowlang never imports
rhythm (the checker only ever reads the JSON).

Input schemas come from the function's signature (the rules are in `input_schema`); the result
schema from the return annotation, in serialization mode (what the worker sends back). Object
types are closed (`additionalProperties: false`) unless extra keys are really accepted: a key a
model would silently ignore is a typo the checker should report.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import inspect
import json
import sys
import sysconfig
import traceback
import typing
import warnings
from collections.abc import Sequence
from pathlib import Path
from types import GenericAlias, ModuleType
from typing import Any

import pydantic
import typing_extensions
from pydantic import BaseModel, ConfigDict, TypeAdapter
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue, PydanticJsonSchemaWarning
from pydantic_core import core_schema

from rhythm.tasks import REGISTRY, TaskDefinition, TaskDefinitionError, shown_path

FORMAT = "flow-task-catalog/1"
EXIT_OK = 0
EXIT_ERROR = 2
# `flowc` recognises this prefix on the subprocess's stderr and shows the message as its own.
ERROR_PREFIX = "rhythm.catalog: error: "

Schema = dict[str, Any]


class CatalogExportError(Exception):
    """A module or a task that cannot be exported; the message says which and where."""


class ClosedObjectSchemas(GenerateJsonSchema):
    """pydantic's JSON Schema, with models, TypedDicts and dataclasses closed unless their
    config says `extra="allow"` (pydantic leaves `extra="ignore"` types open)."""

    def model_schema(self, schema: core_schema.ModelSchema) -> JsonSchemaValue:
        return _closed(super().model_schema(schema))

    def typed_dict_schema(self, schema: core_schema.TypedDictSchema) -> JsonSchemaValue:
        return _closed(super().typed_dict_schema(schema))

    def dataclass_schema(self, schema: core_schema.DataclassSchema) -> JsonSchemaValue:
        return _closed(super().dataclass_schema(schema))


def _closed(schema: JsonSchemaValue) -> JsonSchemaValue:
    if schema.get("type") == "object":
        schema.setdefault("additionalProperties", False)
    return schema


# --- schemas of one task ------------------------------------------------------------------


def input_schema(definition: TaskDefinition) -> Schema:
    """The schema of the inputs a workflow passes to `Task.run`.

    * one parameter annotated with a pydantic model, a TypedDict or a dataclass: that type;
    * one parameter named `inputs`: its type (unannotated or `dict`: any object);
    * otherwise every parameter is one input field, required when it has no default and
      typed by its annotation (unannotated: any value); the object is closed unless the
      function takes `**kwargs`, whose annotation types the other fields.
    """
    parameters = list(definition.signature.parameters.values())
    hints = _type_hints(definition)
    if len(parameters) == 1 and _is_single_inputs_parameter(parameters[0], hints):
        annotation = hints.get(parameters[0].name, dict)
        return _schema_of(annotation, mode="validation")
    return _schema_of(_keyword_inputs_model(definition, parameters, hints), mode="validation")


def result_schema(definition: TaskDefinition) -> Schema | None:
    """The schema of the task's result, or None when the function has no return annotation."""
    hints = _type_hints(definition)
    if "return" not in hints:
        return None
    return _schema_of(hints["return"], mode="serialization")


def _is_single_inputs_parameter(parameter: inspect.Parameter, hints: dict[str, Any]) -> bool:
    if parameter.kind in (inspect.Parameter.VAR_POSITIONAL, inspect.Parameter.VAR_KEYWORD):
        return False
    return parameter.name == "inputs" or _is_structured(hints.get(parameter.name))


def _is_structured(annotation: object) -> bool:
    """A type whose fields are the inputs: a pydantic model, a TypedDict or a dataclass."""
    if not isinstance(annotation, type):
        return False
    return (
        issubclass(annotation, BaseModel)
        or typing_extensions.is_typeddict(annotation)
        or hasattr(annotation, "__dataclass_fields__")
    )


def _keyword_inputs_model(
    definition: TaskDefinition, parameters: list[inspect.Parameter], hints: dict[str, Any]
) -> type[BaseModel]:
    """A pydantic model with one field per parameter: what `**inputs` must fit."""
    annotations: dict[str, Any] = {}
    namespace: dict[str, Any] = {"__annotations__": annotations, "__module__": __name__}
    extra: typing.Literal["allow", "forbid"] = "forbid"
    for parameter in parameters:
        if parameter.kind is inspect.Parameter.VAR_KEYWORD:
            extra = "allow"
            if parameter.name in hints:
                # pydantic types the extra keys of a model by this annotation.
                annotations["__pydantic_extra__"] = GenericAlias(dict, (str, hints[parameter.name]))
            continue
        if parameter.kind in (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.VAR_POSITIONAL):
            raise CatalogExportError(
                f"{_task_named(definition)}: parameter `{parameter.name}` cannot receive a "
                "named input; make it a keyword parameter, or take one `inputs` parameter"
            )
        annotations[parameter.name] = hints.get(parameter.name, Any)
        if parameter.default is not inspect.Parameter.empty:
            namespace[parameter.name] = parameter.default
    namespace["model_config"] = ConfigDict(extra=extra, title=f"{definition.name} inputs")
    return type(f"{definition.function.__name__}_inputs", (BaseModel,), namespace)


def _schema_of(annotation: Any, *, mode: typing.Literal["validation", "serialization"]) -> Schema:
    with warnings.catch_warnings():
        # A default that is not JSON (an object, a function) is left out of the schema: the
        # checker only needs to know that the field is optional.
        warnings.simplefilter("ignore", PydanticJsonSchemaWarning)
        return TypeAdapter(annotation).json_schema(schema_generator=ClosedObjectSchemas, mode=mode)


def _type_hints(definition: TaskDefinition) -> dict[str, Any]:
    """The annotations of the task function, with string annotations evaluated."""
    try:
        return typing.get_type_hints(definition.function, include_extras=True)
    except Exception as error:  # NameError, TypeError, ... from evaluating the annotations
        raise CatalogExportError(
            f"{_task_named(definition)}: cannot read its type hints: {_describe(error)}"
        ) from None


def _task_named(definition: TaskDefinition) -> str:
    return f"task `{definition.name}` ({definition.location})"


# --- the catalog --------------------------------------------------------------------------


def catalog_entry(definition: TaskDefinition) -> Schema:
    """One task of the catalog, keys in the order of LANGUAGE.md §11.5."""
    try:
        inputs = input_schema(definition)
        result = result_schema(definition)
    except (pydantic.PydanticUserError, pydantic.PydanticSchemaGenerationError) as error:
        raise CatalogExportError(
            f"{_task_named(definition)}: cannot turn its type hints into a schema: "
            f"{_first_line(str(error))}"
        ) from None
    entry: Schema = {"inputs": inputs}
    if result is not None:
        entry["result"] = result
    entry["queue"] = definition.queue
    entry["doc"] = definition.doc
    entry["source"] = {"file": definition.file, "line": definition.line}
    return entry


def build_catalog(definitions: Sequence[TaskDefinition]) -> Schema:
    """The catalog document of `definitions`, tasks sorted by name (stable output)."""
    ordered = sorted(definitions, key=lambda definition: definition.name)
    return {"format": FORMAT, "tasks": {d.name: catalog_entry(d) for d in ordered}}


def export_catalog(modules: Sequence[str]) -> Schema:
    """Import `modules` (dotted names or paths to `.py` files) and export every task
    registered by then."""
    for module in modules:
        import_module(module)
    return build_catalog(REGISTRY.all())


def import_module(spec: str) -> ModuleType:
    """Import a module by dotted name, or a `.py` file by path (its folder goes on `sys.path`
    first, so that it can import its neighbours)."""
    try:
        if spec.endswith(".py") or "/" in spec or "\\" in spec:
            return _import_file(Path(spec))
        return importlib.import_module(spec)
    except CatalogExportError:
        raise
    except Exception as error:  # anything the module's own code raises while importing
        raise CatalogExportError(f"cannot import `{spec}`: {_describe(error)}") from None


def _import_file(path: Path) -> ModuleType:
    if not path.is_file():
        raise CatalogExportError(f"cannot import `{path}`: no such file")
    folder = str(path.resolve().parent)
    if folder not in sys.path:
        sys.path.insert(0, folder)
    name = _free_module_name(path)
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise CatalogExportError(f"cannot import `{path}`: not a Python module")
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def _free_module_name(path: Path) -> str:
    """The file's stem, unless a module of that name is loaded (`email.py` must not replace
    the standard library's `email`)."""
    name = path.stem
    counter = 1
    while name in sys.modules:
        counter += 1
        name = f"{path.stem}_{counter}"
    return name


def _describe(error: BaseException) -> str:
    """`file:line: Kind: message`, at the innermost frame of the user's own code (not
    importlib's nor rhythm's); a `@task` error already names its place."""
    if isinstance(error, TaskDefinitionError):
        return str(error)
    frames = [frame for frame in traceback.extract_tb(error.__traceback__) if _is_user_code(frame)]
    where = f"{shown_path(frames[-1].filename)}:{frames[-1].lineno}: " if frames else ""
    return f"{where}{type(error).__name__}: {_first_line(str(error))}"


def _is_user_code(frame: traceback.FrameSummary) -> bool:
    if frame.filename.startswith("<"):
        return False
    path = Path(frame.filename).resolve()
    return not any(path.is_relative_to(folder) for folder in _LIBRARY_FOLDERS)


# Where the frames of rhythm itself, the standard library and installed packages live.
_LIBRARY_FOLDERS = (
    Path(__file__).resolve().parent,
    *{Path(sysconfig.get_paths()[key]).resolve() for key in ("stdlib", "platstdlib", "purelib")},
)


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0] if text.strip() else ""


def to_json(catalog: Schema) -> str:
    return json.dumps(catalog, indent=2, ensure_ascii=False) + "\n"


# --- command line -------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """`python -m rhythm.catalog MODULE... [-o FILE]`: 0 on success, 2 on any error."""
    parser = argparse.ArgumentParser(
        prog="python -m rhythm.catalog",
        description="Print the task catalog (flow-task-catalog/1 JSON) of Python modules.",
    )
    parser.add_argument("modules", nargs="+", metavar="MODULE", help="module names or .py paths")
    parser.add_argument("-o", "--output", metavar="FILE", help="write the catalog to FILE")
    args = parser.parse_args(argv)
    try:
        text = to_json(export_catalog(args.modules))
    except CatalogExportError as error:
        return _fail(str(error))
    return _write(text, args.output)


def _write(text: str, output: str | None) -> int:
    if output is None:
        sys.stdout.write(text)
        return EXIT_OK
    try:
        Path(output).write_text(text, encoding="utf-8")
    except OSError as error:
        return _fail(f"cannot write `{output}`: {error.strerror}")
    return EXIT_OK


def _fail(message: str) -> int:
    print(f"{ERROR_PREFIX}{message}", file=sys.stderr)
    return EXIT_ERROR


if __name__ == "__main__":
    sys.exit(main())
