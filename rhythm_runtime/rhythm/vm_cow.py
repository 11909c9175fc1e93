"""Value semantics without copying: containers are shared, and copied only when written while
something else still sees them (LANGUAGE.md §7.2 "SHOULD share structure and copy on write").

The VM never copies a container when it stores, passes or builds one: `let b = a`, `[a]`, an
iterator over `a` and a task's inputs may all hold the very same list. What keeps that sound
is one invariant:

    a container is changed in place only while nothing but its owner (the variable's slot, or
    the one container it sits in) refers to it, and the same holds for every container on the
    path from the variable down to it.

Only two things change containers in place: writing a place (`a.b[i] = v`, the write-back of
a ✎ method) and the ✎ methods themselves (`push`, `pop`, `reverse`). Both first make the path
they write *writable*: walking from the slot, each container that anything else refers to is
replaced, in its owner, by a shallow copy (its children stay shared and are judged the same
way when a later write reaches them). So `out.push(x)` in a loop is O(1), and a copy happens
only when a second reference exists, exactly when JavaScript's sharing would be observable.

"Anything else refers to it" is CPython's reference count, the test CPython itself uses to
append to a string in place. Temporaries of the interpreter may or may not be counted
depending on the version, so the count of an owned container is measured once, at import,
through the same call shape every use site has: one owner, one local variable, one call of
`_references`. An extra reference only ever causes a copy, never a missed one.
"""

from __future__ import annotations

import sys
from typing import Final

from rhythm.values import Value, read_property, set_property

_CONTAINERS: Final = (list, dict)


def _references(value: object) -> int:
    return sys.getrefcount(value)


def _measure_owned() -> int:
    owner: list[list[object]] = [[]]
    value = owner[0]
    return _references(value)


# References to a container held by exactly one owner and one local variable of the caller.
_OWNED: Final = _measure_owned()


def is_shared(value: list[Value] | dict[str, Value]) -> bool:
    """Whether anything besides its owner and the caller's one local variable refers to the
    container `value`: then it must be copied before it is changed."""
    return _references(value) > _OWNED + 1  # + 1: this function's parameter


def writable_root(slots: list[Value], slot: int) -> Value:
    """The value of variable `slot`, made writable: an aliased container is replaced in the
    slot by a shallow copy."""
    root = slots[slot]
    if type(root) in _CONTAINERS and is_shared(root):
        root = root.copy()
        slots[slot] = root
    return root


def writable_child(parent: list[Value] | dict[str, Value], key: Value) -> Value:
    """Property `key` of the writable container `parent`, made writable in turn."""
    child = read_property(parent, key)
    if type(child) in _CONTAINERS and is_shared(child):
        child = child.copy()
        set_property(parent, key, child)
    return child


def writable_parent(slots: list[Value], slot: int, keys: list[Value]) -> Value:
    """Make the path `slots[slot][k1]…[k(n-1)]` writable and return the container the last key
    is set on, or None when the walk meets something that is not an array or object (the store
    then reports the error of §7.12 itself)."""
    base = writable_root(slots, slot)
    for key in keys[:-1]:
        if type(base) not in _CONTAINERS:
            return None
        base = writable_child(base, key)
    return base if type(base) in _CONTAINERS else None


def writable_receiver(receiver: list[Value]) -> list[Value]:
    """The receiver of a ✎ method (`push`, `pop`, `reverse`) read from a place whose path is
    writable: itself when only that place refers to it, else a shallow copy."""
    # Counted directly (not through `is_shared`): the caller's local and this parameter are the
    # two references besides the owner.
    return receiver.copy() if _references(receiver) > _OWNED + 1 else receiver
