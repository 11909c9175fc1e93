"""The pure global functions and namespace members of the standard library (LANGUAGE.md §9.1,
§9.7–§9.10): `String`, `Number`, `Boolean`, `Error`, `Math.*`, `Date.*`, `JSON.*`, `Object.*`,
`Array.isArray`.

Each function receives arguments already checked against the stdlib table (count and kinds) by
`builtins`; what is left here is each function's own domain (`Math.sqrt(-1)`, a bad timestamp)
and its semantics. Integer parameters truncate toward zero (§9.0).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Final

from flowlang.compiler.stdlib import Check, literal_problem, parse_timestamp
from rhythm.values import (
    FlowError,
    Value,
    array_index,
    check_size,
    error,
    integer,
    kind,
    number,
    parse_json,
    range_error,
    stringify,
    to_number,
    to_string,
    truthy,
    type_error,
)
from rhythm.values_text import from_units, to_units

Clock = Callable[[], int]

# §9.8: the range of JavaScript dates, ±100,000,000 days around the epoch.
_MAX_TIME_MS: Final = 8_640_000_000_000_000
_DAY_MS: Final = 86_400_000
_MAX_INDENT: Final = 10


def _finite(fn: str, compute: Callable[[], float]) -> int | float:
    """The result of `compute` as a number; an overflow or a value outside the reals is the
    RangeError `<fn>: result is not a finite number` (§8.2)."""
    try:
        return number(float(compute()), fn)
    except (OverflowError, ValueError, ZeroDivisionError, FlowError):
        raise range_error(f"{fn}: result is not a finite number") from None


# -- globals (§9.1)


def error_object(message: str) -> dict[str, Value]:
    return error("Error", message)


# -- Math (§9.7)


def math_floor(x: int | float) -> int | float:
    return x if type(x) is int else integer(math.floor(x))


def math_ceil(x: int | float) -> int | float:
    return x if type(x) is int else integer(math.ceil(x))


def math_trunc(x: int | float) -> int | float:
    return x if type(x) is int else integer(math.trunc(x))


def math_round(x: int | float) -> int | float:
    """Halves toward +∞: `r = floor(x)`, `r + 1` if `x - r ≥ 0.5` (JavaScript's rule)."""
    if type(x) is int:
        return x
    lower = math.floor(x)
    return integer(lower + 1 if x - lower >= 0.5 else lower)


def math_abs(x: int | float) -> int | float:
    return abs(x)


def math_sign(x: int | float) -> int:
    return (x > 0) - (x < 0)


def math_min(*xs: int | float) -> int | float:
    return min(xs)


def math_max(*xs: int | float) -> int | float:
    return max(xs)


def math_pow(x: int | float, y: int | float) -> int | float:
    # An exact integer power when its result can still be a finite double (2^1100 cannot).
    if isinstance(x, int) and isinstance(y, int) and y >= 0:
        base, exponent = x, y
        if abs(base) <= 1 or exponent * math.log2(abs(base)) < 1100:
            return _finite("Math.pow", lambda: integer(base**exponent))  # exact, rounded once
    return _finite("Math.pow", lambda: math.pow(x, y))


def math_sqrt(x: int | float) -> int | float:
    return _finite("Math.sqrt", lambda: math.sqrt(x))


# -- Date (§9.8)


def date_now(*, clock: Clock) -> int:
    return clock()


def date_parse(s: str) -> int:
    milliseconds = parse_timestamp(s)
    if milliseconds is None:
        raise range_error(f"Date.parse: {literal_problem(Check.TIMESTAMP, s)}")
    return milliseconds


def date_iso(ms: int | float | None = None, *, clock: Clock) -> str:
    """`YYYY-MM-DDTHH:MM:SS.sssZ` of `ms`, or of now."""
    time = clock() if ms is None else math.trunc(ms)
    if not is_valid_time(time):
        raise range_error(f"Date.iso: invalid time value {to_string(ms)}")
    return iso_text(time)


def is_valid_time(ms: int) -> bool:
    """Whether `ms` is within JavaScript's range of dates."""
    return abs(ms) <= _MAX_TIME_MS


def iso_text(time: int) -> str:
    """`YYYY-MM-DDTHH:MM:SS.sssZ`; years outside 0–9999 as JavaScript writes them (`+012345`)."""
    days, in_day = divmod(time, _DAY_MS)
    year, month, day = _civil_from_days(days)
    seconds, millis = divmod(in_day, 1000)
    minutes, second = divmod(seconds, 60)
    hour, minute = divmod(minutes, 60)
    year_text = f"{year:04d}" if 0 <= year <= 9999 else f"{'-' if year < 0 else '+'}{abs(year):06d}"
    return f"{year_text}-{month:02d}-{day:02d}T{hour:02d}:{minute:02d}:{second:02d}.{millis:03d}Z"


def _civil_from_days(days: int) -> tuple[int, int, int]:
    """Year, month, day of `days` since 1970-01-01 (Howard Hinnant's `civil_from_days`, the
    inverse of the one `parse_timestamp` uses)."""
    days += 719468
    era = days // 146097
    day_of_era = days - era * 146097
    year_of_era = (
        day_of_era - day_of_era // 1460 + day_of_era // 36524 - day_of_era // 146096
    ) // 365
    day_of_year = day_of_era - (365 * year_of_era + year_of_era // 4 - year_of_era // 100)
    shifted_month = (5 * day_of_year + 2) // 153
    day = day_of_year - (153 * shifted_month + 2) // 5 + 1
    month = shifted_month + 3 if shifted_month < 10 else shifted_month - 9
    return year_of_era + era * 400 + (month <= 2), month, day


# -- JSON (§9.9)


def json_stringify(value: Value, replacer: None = None, indent: int | float | str = "") -> str:
    """JavaScript's `JSON.stringify(value, null, indent)`: a number indents by that many spaces
    (at most 10), a string by its first 10 code units."""
    if isinstance(indent, str):
        text = from_units(to_units(indent)[:_MAX_INDENT])
    else:
        text = " " * max(0, min(_MAX_INDENT, math.trunc(indent)))
    return stringify(value, text)


def json_parse(text: str) -> Value:
    return parse_json(text)


# -- Object and Array (§9.10)


def object_keys(o: dict[str, Value] | list[Value]) -> list[str]:
    return list(o) if type(o) is dict else [str(i) for i in range(len(o))]


def object_values(o: dict[str, Value] | list[Value]) -> list[Value]:
    return list(o.values()) if type(o) is dict else list(o)


def object_entries(o: dict[str, Value] | list[Value]) -> list[list[Value]]:
    pairs = o.items() if type(o) is dict else enumerate(o)
    return [[str(key), value] for key, value in pairs]


def object_from_entries(e: list[Value]) -> dict[str, Value]:
    """Keys converted by §7.8; a later duplicate wins, at the first position. Each entry must
    be an array; a missing key or value is `null`."""
    result: dict[str, Value] = {}
    for position, entry in enumerate(e):
        if type(entry) is not list:
            raise type_error(
                "Object.fromEntries: argument 1 must be an array of [key, value] arrays, "
                f"got {kind(entry)} at index {position}"
            )
        result[to_string(entry[0] if entry else None)] = entry[1] if len(entry) > 1 else None
    check_size(result)
    return result


def object_has_own(o: dict[str, Value] | list[Value], k: str | int | float) -> bool:
    if type(o) is dict:
        return to_string(k) in o
    index = array_index(k)
    return index < len(o) if index is not None else k == "length"


def array_is_array(x: Value) -> bool:
    return type(x) is list


# Every pure function of §9.1 and §9.7–§9.10 by its qualified name.
FUNCTIONS: Final[dict[str, Callable[..., Value]]] = {
    "String": to_string,
    "Number": to_number,
    "Boolean": truthy,
    "Error": error_object,
    "Math.floor": math_floor,
    "Math.ceil": math_ceil,
    "Math.trunc": math_trunc,
    "Math.round": math_round,
    "Math.abs": math_abs,
    "Math.sign": math_sign,
    "Math.min": math_min,
    "Math.max": math_max,
    "Math.pow": math_pow,
    "Math.sqrt": math_sqrt,
    "Date.now": date_now,
    "Date.parse": date_parse,
    "Date.iso": date_iso,
    "JSON.stringify": json_stringify,
    "JSON.parse": json_parse,
    "Object.keys": object_keys,
    "Object.values": object_values,
    "Object.entries": object_entries,
    "Object.fromEntries": object_from_entries,
    "Object.hasOwn": object_has_own,
    "Array.isArray": array_is_array,
}

# The functions that read the runtime's clock: they take it as the keyword `clock`.
CLOCK_FUNCTIONS: Final = frozenset({"Date.now", "Date.iso"})
