"""Reaching into values: property reads (LANGUAGE.md §7.11) and writes (§7.12), iteration
(§5.7), spread (§6.3) and destructuring (§5.2).

Writes mutate the container they are given: the VM hands them the value a variable owns (values
are never shared, §7.2), so changing it in place is changing that variable.
"""

from __future__ import annotations

from typing import Final

from rhythm.values_core import (
    MAX_ARRAY_LENGTH,
    Value,
    check_depth,
    kind,
    range_error,
    to_string,
    type_error,
)
from rhythm.values_text import code_unit_at, from_units, to_units, utf16_length


class _Missing:
    """The type of `MISSING`."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "MISSING"


# What a pattern reads where the source has no such property or element: the signal to use the
# default (§5.2), as distinct from a present `null`. Never a value of the language.
MISSING: Final = _Missing()


def array_index(key: Value) -> int | None:
    """The array index a key denotes: a non-negative `int`, or a canonical index string (`"2"`,
    not `"02"` or `"+2"`); None for any other key."""
    kind_of = type(key)
    if kind_of is int:
        return key if key >= 0 else None
    if kind_of is str and key.isascii() and key.isdigit() and (key[0] != "0" or key == "0"):
        return int(key)
    return None


# -- reads (§7.11)


def read_property(base: Value, key: Value) -> Value:
    """`base.key` / `base[key]`: `null` for what is absent; reading from `null` is a TypeError."""
    kind_of = type(base)
    if kind_of is dict:
        return base.get(key if type(key) is str else to_string(key))
    if kind_of is list:
        index = key if type(key) is int else array_index(key)
        if index is not None and 0 <= index < len(base):
            return base[index]
        return len(base) if key == "length" else None
    if kind_of is str:
        index = key if type(key) is int else array_index(key)
        if index is not None:
            return code_unit_at(base, index) if index >= 0 else None
        return utf16_length(base) if key == "length" else None
    if base is None:
        raise type_error(f"Cannot read properties of null (reading '{to_string(key)}')")
    return None


def read_path(root: Value, keys: list[Value]) -> Value:
    """The value at `root[k1][k2]…`, reading each step with `read_property`."""
    for key in keys:
        root = read_property(root, key)
    return root


# -- writes (§7.12)


def set_property(base: Value, key: Value, value: Value) -> None:
    """`base[key] = value`, changing `base` in place (an object or array; anything else is a
    TypeError). `value` must already be the stored copy."""
    kind_of = type(base)
    if kind_of is dict:
        name = key if type(key) is str else to_string(key)
        if name not in base and len(base) >= MAX_ARRAY_LENGTH:
            raise range_error("Invalid array length")
        base[name] = value
    elif kind_of is list:
        _set_element(base, key, value)
    elif base is None:
        raise type_error(f"Cannot set properties of null (setting '{to_string(key)}')")
    else:
        raise type_error(f"Cannot create property '{to_string(key)}' on {kind(base)}")


def _set_element(items: list[Value], key: Value, value: Value) -> None:
    index = array_index(key)
    if index is None:
        if key == "length":
            raise type_error("Cannot assign to 'length' of array")
        raise type_error(f"Cannot create property '{to_string(key)}' on array")
    if index < len(items):
        items[index] = value
        return
    if index >= MAX_ARRAY_LENGTH:
        raise range_error("Invalid array length")
    items.extend([None] * (index - len(items)))
    items.append(value)


def store_path(root: Value, keys: list[Value], value: Value) -> Value:
    """`root[k1]…[kn] = value` (§5.4, §7.12) for a non-empty key path; changes the containers
    along the path in place and returns `root`. A missing intermediate key reads as `null`, so
    writing through it is `Cannot set properties of null`."""
    check_depth(value, len(keys))
    base = root
    for key in keys[:-1]:
        if base is None:
            raise type_error(f"Cannot set properties of null (setting '{to_string(key)}')")
        base = read_property(base, key)
    set_property(base, keys[-1], value)
    return root


# -- iteration and spread (§5.7, §6.3)


def for_of_items(value: Value) -> list[Value]:
    """What `for (… of value)` iterates, fixed at the start of the loop: the elements of an
    array, the code points of a string; anything else is not iterable. The list is a new one
    (its elements are shared: the VM copies each as it binds it)."""
    kind_of = type(value)
    if kind_of is list:
        return list(value)
    if kind_of is str:
        return list(value)
    raise type_error(f"{kind(value)} is not iterable")


# Spreading into an array literal or an argument list (`[...e]`, `f(...e)`) iterates the same way.
spread_items = for_of_items


def for_in_keys(value: Value) -> list[str]:
    """What `for (… in value)` iterates: object keys in order, array and string indices as
    strings (a string's in UTF-16 code units); nothing for the other kinds."""
    kind_of = type(value)
    if kind_of is dict:
        return list(value)
    if kind_of is list:
        return [str(index) for index in range(len(value))]
    if kind_of is str:
        return [str(index) for index in range(utf16_length(value))]
    return []


def spread_entries(value: Value) -> list[tuple[str, Value]]:
    """The members `{...value}` copies into an object literal: an object's entries, an array's
    or string's index keys with their elements or code units; nothing for the other kinds."""
    kind_of = type(value)
    if kind_of is dict:
        return list(value.items())
    if kind_of is list:
        return [(str(index), item) for index, item in enumerate(value)]
    if kind_of is str:
        units = to_units(value)
        return [(str(i), from_units(unit)) for i, unit in enumerate(units)]
    return []


# -- destructuring (§5.2)


def destructure_object(value: Value) -> Value:
    """The source of an object pattern: anything but `null` (`let {length} = "ab"` reads 2)."""
    if value is None:
        raise type_error("Cannot destructure null")
    return value


def pattern_property(source: Value, key: str) -> Value:
    """The property `key` of an object pattern's source, or `MISSING` when it is absent."""
    kind_of = type(source)
    if kind_of is dict:
        return source.get(key, MISSING)
    if kind_of is list or kind_of is str:
        if key == "length":
            return read_property(source, key)
        index = array_index(key)
        if index is None:
            return MISSING
        if kind_of is list:
            return source[index] if index < len(source) else MISSING
        unit = code_unit_at(source, index)
        return MISSING if unit is None else unit
    return MISSING


def object_rest(source: Value, taken: list[str]) -> dict[str, Value]:
    """`...rest` of an object pattern: the source's remaining entries, in order."""
    excluded = set(taken)
    return {key: item for key, item in spread_entries(source) if key not in excluded}


def destructure_array(value: Value) -> list[Value]:
    """The elements an array pattern takes apart: an array's, or a string's code points."""
    if value is None:
        raise type_error("Cannot destructure null")
    return for_of_items(value)


def pattern_element(items: list[Value], index: int) -> Value:
    """Element `index` of an array pattern's source, or `MISSING` beyond its end."""
    return items[index] if index < len(items) else MISSING


def array_rest(items: list[Value], start: int) -> list[Value]:
    """`...rest` of an array pattern: the elements from `start` on."""
    return items[start:]
