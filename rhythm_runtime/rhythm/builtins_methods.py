"""The methods of arrays (LANGUAGE.md §9.11) and strings (§9.12).

Each receives its receiver and arguments already checked against the stdlib table by
`builtins`. Positions count UTF-16 code units: string methods that take or give a position work
on the unit string (`values_text`) and convert their result back. The ✎ methods (`push`, `pop`,
`reverse`) change the receiver list in place; `builtins` hands it back for the VM to store.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Final

from rhythm.values import (
    MAX_ARRAY_LENGTH,
    MAX_STRING_LENGTH,
    Value,
    check_size,
    check_string,
    copy,
    equals,
    range_error,
    to_string,
)
from rhythm.values_text import JS_WHITESPACE, from_units, to_units

_NO_LIMIT: Final = 2**32


def _relative(position: int | float | None, length: int, default: int) -> int:
    """A JavaScript relative position: truncated, negative counts from the end, clamped."""
    if position is None:
        return default
    index = math.trunc(position)
    return max(length + index, 0) if index < 0 else min(index, length)


def _clamped(position: int | float | None, length: int, default: int) -> int:
    """A JavaScript absolute position: truncated and clamped to `[0, length]`."""
    return default if position is None else max(0, min(math.trunc(position), length))


# -- arrays (§9.11)


def array_at(items: list[Value], i: int | float) -> Value:
    index = math.trunc(i)
    if index < 0:
        index += len(items)
    return items[index] if 0 <= index < len(items) else None


def array_concat(items: list[Value], *more: Value) -> list[Value]:
    result = list(items)
    for item in more:
        if type(item) is list:
            result.extend(item)
        else:
            result.append(item)
    check_size(result)
    return result


def _search_start(items: list[Value], start: int | float | None) -> int:
    return _relative(start, len(items), 0)


def array_index_of(items: list[Value], x: Value, start: int | float | None = None) -> int:
    for index in range(_search_start(items, start), len(items)):
        if equals(items[index], x):
            return index
    return -1


def array_includes(items: list[Value], x: Value, start: int | float | None = None) -> bool:
    return array_index_of(items, x, start) >= 0


def array_join(items: list[Value], sep: str = ",") -> str:
    return check_string(sep.join("" if item is None else to_string(item) for item in items))


def array_slice(
    items: list[Value], start: int | float | None = None, end: int | float | None = None
) -> list[Value]:
    length = len(items)
    return items[_relative(start, length, 0) : _relative(end, length, length)]


def array_reverse(items: list[Value]) -> list[Value]:
    items.reverse()
    return items


def array_push(items: list[Value], *more: Value) -> int:
    if len(items) + len(more) > MAX_ARRAY_LENGTH:
        raise range_error("Invalid array length")
    # Copied: the receiver owns its elements, and pushing an array into itself must not nest it.
    items.extend([copy(item) for item in more])
    return len(items)


def array_pop(items: list[Value]) -> Value:
    return items.pop() if items else None


# -- strings (§9.12)


def string_includes(text: str, s: str, pos: int | float | None = None) -> bool:
    units = to_units(text)
    return units.find(to_units(s), _clamped(pos, len(units), 0)) >= 0


def string_starts_with(text: str, s: str, pos: int | float | None = None) -> bool:
    units = to_units(text)
    return units.startswith(to_units(s), _clamped(pos, len(units), 0))


def string_ends_with(text: str, s: str, end: int | float | None = None) -> bool:
    units = to_units(text)
    return units.endswith(to_units(s), 0, _clamped(end, len(units), len(units)))


def string_index_of(text: str, s: str, start: int | float | None = None) -> int:
    units = to_units(text)
    return units.find(to_units(s), _clamped(start, len(units), 0))


def string_slice(
    text: str, start: int | float | None = None, end: int | float | None = None
) -> str:
    units = to_units(text)
    length = len(units)
    return from_units(units[_relative(start, length, 0) : _relative(end, length, length)])


def string_split(text: str, sep: str | None = None, limit: int | float | None = None) -> list[str]:
    """No `sep`: `[text]`; `""`: the code units; a `limit` keeps that many pieces (JavaScript
    reads it as an unsigned 32-bit count, so a negative limit keeps them all)."""
    count = _NO_LIMIT if limit is None else math.trunc(limit) % _NO_LIMIT
    if sep is None:
        pieces = [text]
    elif sep == "":
        pieces = [from_units(unit) for unit in to_units(text)]
    else:
        pieces = text.split(sep)  # whole characters on both sides: no pair is ever cut
    return pieces[:count]


def string_trim(text: str) -> str:
    return text.strip(JS_WHITESPACE)


def string_to_upper_case(text: str) -> str:
    return check_string(text.upper())


def string_to_lower_case(text: str) -> str:
    return check_string(text.lower())


def string_replace(text: str, pattern: str, replacement: str) -> str:
    units, target = to_units(text), to_units(pattern)
    found = units.find(target)
    if found < 0:
        return text
    end = found + len(target)
    inserted = _substitute(to_units(replacement), units, found, end)
    return from_units(_checked_units(units[:found] + inserted + units[end:]))


def string_replace_all(text: str, pattern: str, replacement: str) -> str:
    """Every non-overlapping occurrence, left to right; an empty pattern matches between every
    two code units and at both ends, as in JavaScript."""
    units, target, spec = to_units(text), to_units(pattern), to_units(replacement)
    pieces: list[str] = []
    size = 0
    last = 0
    found = units.find(target)
    while found >= 0:
        end = found + len(target)
        inserted = _substitute(spec, units, found, end)
        pieces += (units[last:found], inserted)
        size += found - last + len(inserted)
        if size > MAX_STRING_LENGTH:
            raise range_error("Invalid string length")
        last = end
        found = units.find(target, end + (not target)) if end < len(units) or target else -1
    pieces.append(units[last:])
    return from_units(_checked_units("".join(pieces)))


def _substitute(spec: str, units: str, start: int, end: int) -> str:
    """`replacement` with JavaScript's `$$`, `$&`, `` $` `` and `$'` expanded for the match
    `units[start:end]`; any other `$` stays as it is (a string pattern has no groups)."""
    if "$" not in spec:
        return spec
    expansions = {"$": "$", "&": units[start:end], "`": units[:start], "'": units[end:]}
    pieces: list[str] = []
    index = 0
    while index < len(spec):
        char = spec[index]
        following = spec[index + 1 : index + 2]
        if char == "$" and following in expansions:
            pieces.append(expansions[following])
            index += 2
        else:
            pieces.append(char)
            index += 1
    return "".join(pieces)


def _checked_units(units: str) -> str:
    if len(units) > MAX_STRING_LENGTH:
        raise range_error("Invalid string length")
    return units


def _padding(text: str, length: int | float, pad: str) -> str:
    """The code units `padStart`/`padEnd` add to reach `length`."""
    units = to_units(text)
    target = math.trunc(length)
    if target <= len(units) or pad == "":
        return ""
    if target > MAX_STRING_LENGTH:
        raise range_error("Invalid string length")
    fill = to_units(pad)
    missing = target - len(units)
    return (fill * (missing // len(fill) + 1))[:missing]


def string_pad_start(text: str, length: int | float, pad: str = " ") -> str:
    return from_units(_padding(text, length, pad) + to_units(text))


def string_pad_end(text: str, length: int | float, pad: str = " ") -> str:
    return from_units(to_units(text) + _padding(text, length, pad))


ARRAY_METHODS: Final[dict[str, Callable[..., Value]]] = {
    "at": array_at,
    "concat": array_concat,
    "includes": array_includes,
    "indexOf": array_index_of,
    "join": array_join,
    "slice": array_slice,
    "reverse": array_reverse,
    "push": array_push,
    "pop": array_pop,
}

STRING_METHODS: Final[dict[str, Callable[..., Value]]] = {
    "includes": string_includes,
    "startsWith": string_starts_with,
    "endsWith": string_ends_with,
    "indexOf": string_index_of,
    "slice": string_slice,
    "split": string_split,
    "trim": string_trim,
    "toUpperCase": string_to_upper_case,
    "toLowerCase": string_to_lower_case,
    "replace": string_replace,
    "replaceAll": string_replace_all,
    "padStart": string_pad_start,
    "padEnd": string_pad_end,
}
