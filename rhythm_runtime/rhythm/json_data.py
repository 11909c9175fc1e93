"""JSON data at the runtime's edges: what may be stored as inputs, payloads and results.

Values that enter the store come from Python callers, so they are checked here rather than
trusted to `json.dumps`, which would accept `{1: "x"}` (turning the key into `"1"`), and whose
errors do not say where in the value the problem is. `json_data()` returns the value as the
store will hand it back (tuples as lists, integral floats as `int`, LANGUAGE.md §7.3) or raises
`NotJsonError` naming the path of the first offending part and how to convert it.

`dumps` / `loads` are the one text form: compact, key order kept, UTF-8 as is, and numbers read
back as `.flow` numbers.
"""

from __future__ import annotations

import datetime
import decimal
import json
import math
import uuid
from typing import Any

# §7.3: numbers are doubles; an integer beyond this is not exactly representable.
MAX_SAFE_INTEGER = 2**53


class NotJsonError(TypeError):
    """A value that is not JSON data; the message names its path (`inputs.when`)."""


def json_data(value: object, path: str) -> Any:
    """`value` as the store returns it; `NotJsonError` for anything that is not JSON data.
    `path` names the value in messages (`inputs`, `payload`)."""
    try:
        return _converted(value, path)
    except RecursionError:
        raise NotJsonError(f"{path}: nested too deeply to be stored") from None


def dumps(value: object) -> str:
    """The stored text of a value `json_data` accepted."""
    return json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))


def loads(text: str) -> Any:
    """A stored JSON text as a value, integral numbers as `int` (§7.3)."""
    return json.loads(text, parse_float=_number)


def _number(text: str) -> int | float:
    value = float(text)
    return int(value) if value.is_integer() and abs(value) <= MAX_SAFE_INTEGER else value


def _converted(value: object, path: str) -> Any:
    if value is None or isinstance(value, bool | str):
        return value
    if isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise NotJsonError(
                f"{path}: the integer {value} is larger than a workflow number can hold exactly "
                f"(2**53); pass it as a string"
            )
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise NotJsonError(f"{path}: {value} is not a JSON number; use null or a string")
        return int(value) if value.is_integer() and abs(value) <= MAX_SAFE_INTEGER else value
    if isinstance(value, list | tuple):
        return [_converted(item, f"{path}[{index}]") for index, item in enumerate(value)]
    if isinstance(value, dict):
        return _converted_object(value, path)
    raise NotJsonError(f"{path}: {_kind(value)} is not JSON data; {_advice(value)}")


def _converted_object(value: dict[object, object], path: str) -> dict[str, Any]:
    converted: dict[str, Any] = {}
    for key, item in value.items():
        if not isinstance(key, str):
            raise NotJsonError(
                f"{path}: the key {key!r} is {_kind(key)}; JSON object keys are strings"
            )
        converted[key] = _converted(item, member(path, key))
    return converted


def member(path: str, key: str) -> str:
    """The path of `key` inside the object at `path`: `inputs.user`, `inputs["first name"]`."""
    return f"{path}.{key}" if key.isidentifier() else f"{path}[{json.dumps(key)}]"


def _kind(value: object) -> str:
    name = type(value).__name__
    article = "an" if name[:1].lower() in "aeiou" else "a"
    return f"{article} {name}"


def _advice(value: object) -> str:
    if isinstance(value, datetime.date | datetime.time):
        return "convert it to a string first, e.g. with `.isoformat()`"
    if isinstance(value, bytes | bytearray | memoryview):
        return "decode it to a string first (e.g. base64)"
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return "convert it to a string (or a float) first"
    if isinstance(value, set | frozenset):
        return "convert it to a list first"
    if hasattr(value, "model_dump"):
        return 'convert it first with `.model_dump(mode="json")`'
    return "pass only dicts, lists, strings, numbers, booleans and None"
