"""`JSON.parse` (LANGUAGE.md §9.9): strict JSON to `.flow` values.

Python's C decoder does the parsing, with hooks for what `.flow` reads differently: numbers
become `.flow` numbers (integral values as `int`, a non-finite one is a RangeError), `NaN` and
`Infinity` are not JSON, an error is a SyntaxError at a code-point offset, duplicate keys keep
the first position and the last value (a dict built from the pairs does exactly that), and an
escaped lone surrogate (`"\\ud800"`) becomes U+FFFD (§7.4). `JSON.stringify` is
`values_core.stringify`, shared with the string conversion of §7.8.
"""

from __future__ import annotations

import json
import re
from typing import Final

from rhythm.values_core import (
    MAX_ARRAY_LENGTH,
    MAX_DEPTH,
    FlowError,
    Value,
    error,
    integer,
    number,
    range_error,
)
from rhythm.values_text import from_units

_CONSTANT: Final = re.compile(r'"(?:[^"\\]|\\.)*"|(NaN|Infinity)', re.DOTALL)
_ESCAPED_SURROGATE: Final = re.compile(r"\\u[dD][89a-fA-F]")


def parse_json(text: str) -> Value:
    """The value of the JSON text `text`."""
    decoder = json.JSONDecoder(
        parse_float=_parse_float,
        parse_int=_parse_int,
        parse_constant=lambda name: _raise(_syntax_error(_constant_position(text))),
    )
    try:
        value = decoder.decode(text)
    except json.JSONDecodeError as problem:
        raise _syntax_error(problem.pos) from None
    except RecursionError:
        raise range_error("Maximum nesting depth exceeded") from None
    return _checked(value, MAX_DEPTH, _ESCAPED_SURROGATE.search(text) is not None)


def _parse_float(text: str) -> int | float:
    return number(float(text), "JSON.parse")


def _parse_int(text: str) -> int | float:
    try:
        return integer(int(text))
    except OverflowError:
        raise range_error("Result of JSON.parse is not a finite number") from None


def _raise(problem: FlowError) -> Value:
    raise problem


def _syntax_error(position: int) -> FlowError:
    return FlowError(error("SyntaxError", f"Invalid JSON at position {position}"))


def _constant_position(text: str) -> int:
    """Where the first `NaN` or `Infinity` outside a string starts: the decoder names the
    constant it rejects but not its place, and it stops at the first one."""
    for match in _CONSTANT.finditer(text):
        if match[1]:
            return match.start(1)
    return 0


def _checked(value: Value, depth: int, surrogates: bool) -> Value:
    """`value` within the limits of §10.8, lone surrogates replaced when `surrogates`."""
    kind_of = type(value)
    if kind_of is str:
        return from_units(value) if surrogates else value
    if kind_of is not list and kind_of is not dict:
        return value
    if depth == 0:
        raise range_error("Maximum nesting depth exceeded")
    if len(value) > MAX_ARRAY_LENGTH:
        raise range_error("Invalid array length")
    if kind_of is list:
        return [_checked(item, depth - 1, surrogates) for item in value]
    return {
        (from_units(key) if surrogates else key): _checked(item, depth - 1, surrogates)
        for key, item in value.items()
    }
