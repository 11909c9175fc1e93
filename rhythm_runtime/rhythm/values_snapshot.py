"""Values leaving the program: the failure output of an uncaught throw (LANGUAGE.md §8.6) and
the plain-JSON encoding of values inside snapshots (design: promises tagged, look-alikes escaped).

Encoding: a promise is `{"$promise": n}`; a user object whose only key is `"$promise"` or
`"$object"` is escaped as `{"$object": {...}}`, so no user value is ever read back as a tag.
Everything else is its own JSON. `decode(encode(v))` equals `v`, key order included.
"""

from __future__ import annotations

from typing import Final

from rhythm.values_core import PromiseRef, Value, contains_promise, error, to_string

_PROMISE: Final = "$promise"
_OBJECT: Final = "$object"
_TAGS: Final = frozenset({_PROMISE, _OBJECT})


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


def decode(data: Value) -> Value:
    """The value `encode` turned into `data`."""
    kind_of = type(data)
    if kind_of is list:
        return [decode(item) for item in data]
    if kind_of is dict:
        if len(data) == 1:
            tag = next(iter(data))
            if tag == _PROMISE:
                return PromiseRef(data[_PROMISE])
            if tag == _OBJECT:
                return {key: decode(item) for key, item in data[_OBJECT].items()}
        return {key: decode(item) for key, item in data.items()}
    return data
