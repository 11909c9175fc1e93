"""The values of `.flow` at run time and their semantics (LANGUAGE.md §7, §8.1, §8.6, §10.8).

A value is a plain Python JSON value — `None`, `bool`, `int`, `float`, `str`, `list`, `dict`
(insertion-ordered) — or a `PromiseRef`, an index into the execution's promise table. Numbers
follow §7.3: an integral value of magnitude ≤ 2^53 is always an `int`, every other number a
finite `float`; no NaN, infinity or -0 ever exists. Containers are never shared between two
places (§7.2): the VM copies a container when it stores one (`copy`), so the helpers here may
mutate the containers they are given where they say so.

Runtime errors are `FlowError`s carrying the error object of §8.2; the VM turns one into a
throw at the current instruction. The operators are the VM's hot path: they test exact types
(`type(x) is int`) and try the common case first.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from json.encoder import encode_basestring
from typing import Any, Final

from flowlang.compiler.literals import number_key
from rhythm.values_text import JS_WHITESPACE, utf16_length

Value = Any  # None | bool | int | float | str | list | dict | PromiseRef

MAX_SAFE_INTEGER: Final = 2**53
MAX_STRING_LENGTH: Final = 2**22  # code units (§10.8)
MAX_ARRAY_LENGTH: Final = 2**20  # elements of an array, keys of an object
MAX_DEPTH: Final = 256  # nesting of arrays and objects; a scalar has depth 0
_SAFE: Final = MAX_SAFE_INTEGER  # integer results beyond it are floats (§7.3)


@dataclass(frozen=True, slots=True)
class PromiseRef:
    """A promise value: the index of its record in the execution's promise table (§10.1).
    Two references are equal exactly when they name the same promise (§7.7)."""

    index: int


class FlowError(Exception):
    """A catchable runtime error: `error` is the thrown error object (§8.1, §8.2)."""

    def __init__(self, error: dict[str, Value]) -> None:
        super().__init__(error["message"])
        self.error = error


def error(type: str, message: str, **extra: Value) -> dict[str, Value]:
    """An error object: `type` and `message` first, then the documented extra keys (§8.1)."""
    return {"type": type, "message": message, **extra}


def type_error(message: str) -> FlowError:
    return FlowError(error("TypeError", message))


def range_error(message: str) -> FlowError:
    return FlowError(error("RangeError", message))


# -- kinds (§7.1)

_KINDS: Final[dict[type, str]] = {
    type(None): "null",
    bool: "boolean",
    int: "number",
    float: "number",
    str: "string",
    list: "array",
    dict: "object",
    PromiseRef: "promise",
}
_TYPEOF: Final[dict[type, str]] = {bool: "boolean", int: "number", float: "number", str: "string"}


def kind(value: Value) -> str:
    """The kind of `value` in the words error messages use: `null`, `array`, `promise`, …"""
    return _KINDS[type(value)]


def typeof(value: Value) -> str:
    """The `typeof` operator: `boolean`, `number`, `string`, or `object` for the rest (§7.1)."""
    return _TYPEOF.get(type(value), "object")


def is_number(value: Value) -> bool:
    kind_of = type(value)
    return kind_of is int or kind_of is float


# -- truthiness and equality (§7.6, §7.7)


def truthy(value: Value) -> bool:
    """Falsy: `null`, `false`, `0`, `""`; everything else is truthy, promises included."""
    kind_of = type(value)
    if kind_of is bool:
        return value  # type: ignore[no-any-return]
    if kind_of is int or kind_of is float or kind_of is str:
        return bool(value)
    return value is not None


_ABSENT: Final = object()  # no value is this: stands for a key missing from the other object


def equals(a: Value, b: Value) -> bool:
    """Structural equality without coercion (§7.7): kinds must match (`1 == true` is false),
    arrays element-wise, objects by key set ignoring order, promises by identity."""
    type_a, type_b = type(a), type(b)
    if type_a is not type_b:
        return (type_a is int or type_a is float) and (type_b is int or type_b is float) and a == b
    if type_a is list:
        return len(a) == len(b) and all(equals(x, y) for x, y in zip(a, b, strict=True))
    if type_a is dict:
        if len(a) != len(b):
            return False
        return all(equals(value, b.get(key, _ABSENT)) for key, value in a.items())
    return bool(a == b)


# -- numbers (§7.3)


def number(result: float, operation: str) -> int | float:
    """A float result as a `.flow` number: integral values ≤ 2^53 as `int` (which also turns
    -0 into 0); a non-finite result is a RangeError naming `operation`."""
    if result.is_integer():
        return int(result) if -MAX_SAFE_INTEGER <= result <= MAX_SAFE_INTEGER else result
    if math.isfinite(result):
        return result
    raise range_error(f"Result of {operation} is not a finite number")


def integer(result: int) -> int | float:
    """An exact integer result: kept as `int` up to 2^53, rounded to a float beyond (§7.3)."""
    if -MAX_SAFE_INTEGER <= result <= MAX_SAFE_INTEGER:
        return result
    return number(float(result), "an integer operation")


def number_to_string(value: int | float) -> str:
    """JavaScript's Number-to-String (§7.8): `42`, `0.000001`, `1e+21`, `1e-7`."""
    return str(value) if type(value) is int else number_key(value)


# -- conversions (§7.8, §7.9)


def to_string(value: Value) -> str:
    """`String(x)`: the conversion of §7.8 used by `+`, templates, `join` and property keys."""
    kind_of = type(value)
    if kind_of is str:
        return value
    if kind_of is int:
        return str(value)
    if kind_of is float:
        return number_key(value)
    if value is None:
        return "null"
    if kind_of is bool:
        return "true" if value else "false"
    if kind_of is PromiseRef:
        raise type_error("Cannot convert a promise to a string")
    return stringify(value)


def to_number(value: Value) -> int | float:
    """`Number(x)` (§7.9)."""
    kind_of = type(value)
    if kind_of is int or kind_of is float:
        return value
    if value is None:
        return 0
    if kind_of is bool:
        return 1 if value else 0
    if kind_of is str:
        return string_to_number(value)
    raise type_error(f"Cannot convert {kind(value)} to a number")


_DECIMAL: Final = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?", re.ASCII)
_NON_DECIMAL: Final = re.compile(r"0(?:[xX][0-9a-fA-F]+|[oO][0-7]+|[bB][01]+)", re.ASCII)
_BASES: Final = {"x": 16, "o": 8, "b": 2}


def string_to_number(text: str) -> int | float:
    """JavaScript's StringToNumber without `Infinity` (§7.9): surrounding whitespace ignored,
    `""` is 0, decimal text with optional sign, fraction and exponent, or an unsigned `0x`,
    `0o`, `0b` integer. Anything else is a RangeError quoting `text`."""
    body = text.strip(JS_WHITESPACE)
    if not body:
        return 0
    try:
        if _DECIMAL.fullmatch(body):
            return number(float(body), "Number")
        if _NON_DECIMAL.fullmatch(body):
            return integer(int(body[2:], _BASES[body[1].lower()]))
    except (FlowError, OverflowError):
        pass  # a value beyond the finite numbers is not a number either
    raise range_error(f'Cannot convert "{text}" to a number')


# -- operators (§7.10)


def _operator_error(op: str, a: Value, b: Value) -> FlowError:
    return type_error(f"Operator '{op}' cannot be applied to {kind(a)} and {kind(b)}")


def add(a: Value, b: Value) -> Value:
    type_a, type_b = type(a), type(b)
    if type_a is int and type_b is int:
        result = a + b
        return result if -_SAFE <= result <= _SAFE else integer(result)
    if type_a is str and type_b is str:
        return check_string(a + b)
    if (type_a is int or type_a is float) and (type_b is int or type_b is float):
        return number(a + b, "+")
    if type_a is str or type_b is str:
        return check_string(to_string(a) + to_string(b))
    raise _operator_error("+", a, b)


def subtract(a: Value, b: Value) -> Value:
    type_a, type_b = type(a), type(b)
    if type_a is int and type_b is int:
        result = a - b
        return result if -_SAFE <= result <= _SAFE else integer(result)
    if (type_a is int or type_a is float) and (type_b is int or type_b is float):
        return number(a - b, "-")
    raise _operator_error("-", a, b)


def multiply(a: Value, b: Value) -> Value:
    type_a, type_b = type(a), type(b)
    if type_a is int and type_b is int:
        result = a * b
        return result if -_SAFE <= result <= _SAFE else integer(result)
    if (type_a is int or type_a is float) and (type_b is int or type_b is float):
        return number(a * b, "*")
    raise _operator_error("*", a, b)


def divide(a: Value, b: Value) -> Value:
    type_a, type_b = type(a), type(b)
    if not ((type_a is int or type_a is float) and (type_b is int or type_b is float)):
        raise _operator_error("/", a, b)
    if b == 0:
        raise range_error("Division by zero")
    if type_a is int and type_b is int and a % b == 0:
        return a // b
    return number(a / b, "/")


def remainder(a: Value, b: Value) -> Value:
    """JavaScript's `%`: the sign of the dividend (`-7 % 3` is `-1`); `math.fmod` is exact."""
    type_a, type_b = type(a), type(b)
    if not ((type_a is int or type_a is float) and (type_b is int or type_b is float)):
        raise _operator_error("%", a, b)
    if b == 0:
        raise range_error("Division by zero")
    if type_a is int and type_b is int:
        result = abs(a) % abs(b)
        return -result if a < 0 else result
    return number(math.fmod(a, b), "%")


def _comparable(op: str, a: Value, b: Value) -> None:
    type_a, type_b = type(a), type(b)
    if (type_a is int or type_a is float) and (type_b is int or type_b is float):
        return
    if type_a is str and type_b is str:
        return  # Python orders `str` by code point, as §7.4 requires
    raise _operator_error(op, a, b)


def less(a: Value, b: Value) -> bool:
    _comparable("<", a, b)
    return bool(a < b)


def less_equal(a: Value, b: Value) -> bool:
    _comparable("<=", a, b)
    return bool(a <= b)


def greater(a: Value, b: Value) -> bool:
    _comparable(">", a, b)
    return bool(a > b)


def greater_equal(a: Value, b: Value) -> bool:
    _comparable(">=", a, b)
    return bool(a >= b)


def not_equals(a: Value, b: Value) -> bool:
    return not equals(a, b)


# The binary operators by their source text; `===`/`!==` are exact aliases (§6.1).
BINARY_OPERATORS: Final = {
    "+": add,
    "-": subtract,
    "*": multiply,
    "/": divide,
    "%": remainder,
    "<": less,
    "<=": less_equal,
    ">": greater,
    ">=": greater_equal,
    "==": equals,
    "!=": not_equals,
    "===": equals,
    "!==": not_equals,
}


def negate(value: Value) -> Value:
    """Unary `-`: a number only; `-0` is `0`."""
    kind_of = type(value)
    if kind_of is int:
        return -value
    if kind_of is float:
        return number(-value, "-")
    raise type_error(f"Operator '-' cannot be applied to {kind(value)}")


def step(value: Value, operator: str) -> Value:
    """`place++` / `place--` (§5.4): `operator` is `"++"` or `"--"`."""
    if type(value) is bool or not is_number(value):
        raise type_error(f"Operator '{operator}' cannot be applied to {kind(value)}")
    return add(value, 1) if operator == "++" else subtract(value, 1)


# -- limits (§10.8)


def check_string(text: str) -> str:
    """`text`, or a RangeError when it is longer than the string limit."""
    if len(text) > MAX_STRING_LENGTH // 2 and utf16_length(text) > MAX_STRING_LENGTH:
        raise range_error("Invalid string length")
    return text


def check_size(container: list[Value] | dict[str, Value]) -> None:
    """A RangeError when an array or object holds more than the limit allows."""
    if len(container) > MAX_ARRAY_LENGTH:
        raise range_error("Invalid array length")


def nesting_depth(value: Value, limit: int = MAX_DEPTH) -> int:
    """How deeply arrays and objects nest in `value` (a scalar: 0, `[]`: 1), counted no further
    than `limit + 1`."""
    kind_of = type(value)
    if kind_of is list:
        children: Iterable[Value] = value
    elif kind_of is dict:
        children = value.values()
    else:
        return 0
    deepest = 0
    for child in children:
        if type(child) is list or type(child) is dict:
            deepest = max(deepest, nesting_depth(child, limit - 1))
            if deepest >= limit:
                break
    return deepest + 1


def check_depth(value: Value, extra: int = 0) -> None:
    """A RangeError when `value`, placed `extra` levels deep, nests deeper than the limit."""
    if nesting_depth(value, MAX_DEPTH - extra) + extra > MAX_DEPTH:
        raise range_error("Maximum nesting depth exceeded")


def check_container(container: list[Value] | dict[str, Value]) -> list[Value] | dict[str, Value]:
    """A newly built array or object, checked against the size and depth limits."""
    check_size(container)
    check_depth(container)
    return container


# -- copies and serialisation


def copy(value: Value) -> Value:
    """A deep copy of a container (scalars and promise references are immutable)."""
    kind_of = type(value)
    if kind_of is list:
        return [copy(item) if type(item) in _CONTAINERS else item for item in value]
    if kind_of is dict:
        return {k: copy(v) if type(v) in _CONTAINERS else v for k, v in value.items()}
    return value


_CONTAINERS: Final = frozenset({list, dict})


def contains_promise(value: Value) -> bool:
    kind_of = type(value)
    if kind_of is PromiseRef:
        return True
    if kind_of is list:
        return any(contains_promise(item) for item in value)
    if kind_of is dict:
        return any(contains_promise(item) for item in value.values())
    return False


def check_serializable(value: Value) -> Value:
    """`value`, or `TypeError: Cannot serialize a promise` when a promise is inside it: the rule
    for outputs, task and child inputs and `JSON.stringify` (§8.2)."""
    if contains_promise(value):
        raise type_error("Cannot serialize a promise")
    return value


def stringify(value: Value, indent: str = "") -> str:
    """The JSON text of `value` as JavaScript's `JSON.stringify` writes it: keys in insertion
    order, numbers by §7.8, `indent` (at most 10 characters) between levels, `": "` after keys
    when indenting. A promise anywhere is a TypeError."""
    pieces: list[str] = []
    _write_json(value, indent, "\n" if indent else "", pieces)
    return check_string("".join(pieces))


def _write_json(value: Value, indent: str, margin: str, out: list[str]) -> None:
    # `margin` is what starts a line at the current level: "" when compact, else a newline
    # and the indentation so far.
    kind_of = type(value)
    if kind_of is str:
        out.append(encode_basestring(value))
    elif kind_of is int:
        out.append(str(value))
    elif value is None:
        out.append("null")
    elif kind_of is bool:
        out.append("true" if value else "false")
    elif kind_of is float:
        out.append(number_key(value))
    elif kind_of is list:
        if not value:
            out.append("[]")
            return
        inner = margin + indent
        out.append("[")
        for position, item in enumerate(value):
            out.append("," + inner if position else inner)
            _write_json(item, indent, inner, out)
        out.append(margin + "]")
    elif kind_of is dict:
        if not value:
            out.append("{}")
            return
        inner = margin + indent
        colon = ": " if indent else ":"
        out.append("{")
        for position, (key, item) in enumerate(value.items()):
            out.append("," + inner if position else inner)
            out.append(encode_basestring(key) + colon)
            _write_json(item, indent, inner, out)
        out.append(margin + "}")
    else:
        raise type_error("Cannot serialize a promise")
