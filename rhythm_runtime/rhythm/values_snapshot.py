"""Values leaving the program: the failure output of an uncaught throw (LANGUAGE.md §8.6) and
the plain-JSON encoding of values inside snapshots (design: promises tagged, look-alikes escaped).

Encoding: a promise is `{"$promise": n}`; a user object whose only key is `"$promise"` or
`"$object"` is escaped as `{"$object": {...}}`, so no user value is ever read back as a tag.
Everything else is its own JSON. `decode(encode(v), n)` equals `v`, key order included, and
`decode` refuses what `encode` cannot have written (`rhythm.vm_snapshot` says why it matters).
"""

from __future__ import annotations

import math
from typing import Final

from rhythm.values_core import MAX_DEPTH, PromiseRef, Value, contains_promise, error, to_string

_PROMISE: Final = "$promise"
_OBJECT: Final = "$object"
_TAGS: Final = frozenset({_PROMISE, _OBJECT})
# The stack, the slots and the promise table are arrays, and hold values inside at most one
# VM-private wrapper (an iterator, a completion, a promise record): two levels above a value.
_SNAPSHOT_DEPTH: Final = MAX_DEPTH + 2
# Values that decode to themselves (a float is checked to be finite first).
_PLAIN: Final = frozenset({str, int, bool, type(None)})


def failure_output(thrown: Value) -> dict[str, Value]:
    """The output of an execution ended by an uncaught throw of `thrown` (§8.6): an
    error-shaped object as it is, anything else wrapped; a promise cannot be an output."""
    if contains_promise(thrown):
        return error("TypeError", "Cannot serialize a promise")
    if is_error_shaped(thrown):
        return thrown  # type: ignore[no-any-return]  # checked to be a dict
    return error("Error", to_string(thrown), value=thrown)


def is_error_shaped(value: Value) -> bool:
    """An object whose `type` and `message` are strings (§8.6)."""
    return (
        type(value) is dict and type(value.get("type")) is str and type(value.get("message")) is str
    )


def encode(value: Value) -> Value:
    """`value` as plain JSON for a snapshot."""
    kind_of = type(value)
    if kind_of is list:
        return [encode(item) for item in value]
    if kind_of is dict:
        encoded = {key: encode(item) for key, item in value.items()}
        if len(encoded) == 1 and next(iter(encoded)) in _TAGS:
            return {_OBJECT: encoded}
        return encoded
    if kind_of is PromiseRef:
        return {_PROMISE: value.index}
    return value


def decode(data: Value, promise_count: int) -> Value:
    """The value `encode` turned into `data`, whose promises index a table of `promise_count`
    records. `ValueError`, saying what is wrong, for data `encode` cannot have written: a
    promise tag that names no record, an escaped object that is not an object, a number that
    is not finite, nesting deeper than values can."""
    return _decode(data, promise_count, 0)


def _decode(data: Value, promise_count: int, depth: int) -> Value:
    kind_of = type(data)
    if kind_of is list or kind_of is dict:
        if depth >= _SNAPSHOT_DEPTH:
            raise ValueError(f"values nest deeper than {MAX_DEPTH} levels")
        depth += 1
    if kind_of is list:
        return [
            item if type(item) in _PLAIN else _decode(item, promise_count, depth) for item in data
        ]
    if kind_of is dict:
        if len(data) == 1:
            tag = next(iter(data))
            if tag == _PROMISE:
                return _promise(data[_PROMISE], promise_count)
            if tag == _OBJECT:
                escaped = data[_OBJECT]
                if type(escaped) is not dict:
                    raise ValueError(f"`{_OBJECT}` escapes {escaped!r}, which is not an object")
                data = escaped
        return {
            key: item if type(item) in _PLAIN else _decode(item, promise_count, depth)
            for key, item in data.items()
        }
    if kind_of is float and not math.isfinite(data):
        raise ValueError(f"{data} is not a number a workflow can hold")
    return data


def _promise(index: Value, promise_count: int) -> PromiseRef:
    if type(index) is not int or not 0 <= index < promise_count:
        raise ValueError(
            f"`{_PROMISE}: {index!r}` names no record of the promise table"
            f" ({promise_count} records)"
        )
    return PromiseRef(index)
