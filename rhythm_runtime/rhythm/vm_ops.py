"""The instructions the dispatch loop delegates: one handler per opcode, in the order of
`vm_decode.HANDLED_NAMES`. A handler takes the machine and the decoded operands `a`, `b`,
and returns None to go on with the next instruction or the pc to continue at. Stack pictures
are in `flowlang.compiler.bytecode`; value semantics are `rhythm.values`'.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from rhythm.promises import settlement
from rhythm.values import (
    MISSING,
    PromiseRef,
    Value,
    array_rest,
    check_container,
    check_depth,
    check_serializable,
    check_size,
    check_string,
    destructure_array,
    destructure_object,
    for_in_keys,
    for_of_items,
    object_rest,
    pattern_element,
    pattern_property,
    read_path,
    read_property,
    spread_entries,
    spread_items,
    step,
    store_path,
    to_string,
)
from rhythm.vm_calls import (
    call_builtin,
    call_method_on_place,
    call_method_value,
    creates_effect,
)
from rhythm.vm_control import (
    Suspended,
    Thrown,
    YieldAfter,
    end_finally,
    return_through_finally,
)
from rhythm.vm_cow import writable_parent, writable_receiver
from rhythm.vm_decode import HANDLED_NAMES
from rhythm.vm_machine import Machine

Handler = Callable[[Machine, Any, Any], int | None]


def _take(stack: list[Value], count: int) -> list[Value]:
    """Pop the top `count` values, in stack order."""
    cut = len(stack) - count
    taken = stack[cut:]
    del stack[cut:]
    return taken


def _property_key(key: Value) -> str:
    return key if type(key) is str else to_string(key)


# -- stack, globals, literals


def rot(m: Machine, count: int, _: None) -> None:
    stack = m.stack
    top = stack.pop()
    stack.insert(len(stack) - count + 1, top)


def load_global(m: Machine, name: str, _: None) -> None:
    m.stack.append(m.host.inputs() if name == "Inputs" else m.host.context())


def build_array(m: Machine, count: int, _: None) -> None:
    m.stack.append(check_container(_take(m.stack, count)))


def array_append(m: Machine, _a: None, _b: None) -> None:
    value = m.stack.pop()
    check_depth(value, 1)
    items = m.stack[-1]
    items.append(value)
    check_size(items)


def array_extend(m: Machine, _a: None, _b: None) -> None:
    spread = spread_items(m.stack.pop())
    items = m.stack[-1]
    items.extend(spread)
    check_size(items)
    m.work += len(spread)


def build_object(m: Machine, count: int, _: None) -> None:
    pairs = _take(m.stack, 2 * count)
    built = {_property_key(pairs[i]): pairs[i + 1] for i in range(0, 2 * count, 2)}
    m.stack.append(check_container(built))


def object_set(m: Machine, _a: None, _b: None) -> None:
    value = m.stack.pop()
    key = _property_key(m.stack.pop())
    check_depth(value, 1)
    target = m.stack[-1]
    target[key] = value
    check_size(target)


def object_spread(m: Machine, _a: None, _b: None) -> None:
    entries = spread_entries(m.stack.pop())
    target = m.stack[-1]
    target.update(entries)
    check_size(target)
    m.work += len(entries)


def build_template(m: Machine, count: int, _: None) -> None:
    parts = _take(m.stack, count)
    m.stack.append(check_string("".join([to_string(part) for part in parts])))


# -- places (§5.4): the path is made writable before anything is changed (see vm_cow)


def load_path(m: Machine, slot: int, count: int) -> None:
    keys = m.stack[len(m.stack) - count :]
    writable_parent(m.slots, slot, keys)
    m.stack.append(read_path(m.slots[slot], keys))


def store_path_(m: Machine, slot: int, count: int) -> None:
    value = m.stack.pop()
    keys = _take(m.stack, count)
    parent = writable_parent(m.slots, slot, keys)
    if parent is not None and read_property(parent, keys[-1]) is value:
        return  # a ✎ method's receiver written back: it was changed where it is
    m.slots[slot] = store_path(m.slots[slot], keys, value)


def update(m: Machine, operator: str, _: None) -> None:
    m.stack[-1] = step(m.stack[-1], operator)


# -- await and calls


def await_(m: Machine, _a: None, _b: None) -> None:
    value = m.stack[-1]
    if type(value) is not PromiseRef:
        return
    outcome = settlement(value, m.promises, m.host.leaf_outcome)
    if outcome is None:
        raise Suspended(value)
    m.stack.pop()
    if not outcome.ok:
        raise Thrown(outcome.value)
    m.stack.append(outcome.value)


def _push_call_result(m: Machine, qualified: str, result: Value) -> None:
    m.stack.append(result)
    if creates_effect(qualified) and len(m.effects) >= m.effect_limit:
        raise YieldAfter


def call_builtin_(m: Machine, qualified: str, count: int) -> None:
    args = _take(m.stack, count)
    _push_call_result(m, qualified, call_builtin(m, qualified, args))


def call_builtin_spread(m: Machine, qualified: str, _: None) -> None:
    args = m.stack.pop()
    _push_call_result(m, qualified, call_builtin(m, qualified, args))


def _call_method(m: Machine, name: str, mutating: bool, args: list[Value]) -> None:
    receiver = m.stack.pop()
    if mutating and type(receiver) is list:
        receiver = receiver.copy()  # not a place: only the result is kept (§6.5)
    m.stack.append(call_method_value(m, name, receiver, args))


def call_method(m: Machine, name: str, shape: tuple[int, bool]) -> None:
    count, mutating = shape
    _call_method(m, name, mutating, _take(m.stack, count))


def call_method_spread(m: Machine, name: str, shape: tuple[None, bool]) -> None:
    _call_method(m, name, shape[1], m.stack.pop())


def _call_method_on_place(m: Machine, name: str, args: list[Value]) -> None:
    receiver = m.stack.pop()
    if type(receiver) is list:
        receiver = writable_receiver(receiver)
    changed, result = call_method_on_place(m, name, receiver, args)
    m.stack.append(changed)
    m.stack.append(result)


def call_method_mut(m: Machine, name: str, count: int) -> None:
    _call_method_on_place(m, name, _take(m.stack, count))


def call_method_mut_spread(m: Machine, name: str, _: None) -> None:
    _call_method_on_place(m, name, m.stack.pop())


# -- iteration: an iterator is [items, position]; items an array, a string (iterated by code
# point, which is how Python indexes it) or the list of keys of `for…in`. An array is iterated
# in place: it cannot change under the loop, since a write copies a container the iterator
# still refers to (vm_cow).


def get_iter(m: Machine, iteration: str, _: None) -> None:
    value = m.stack[-1]
    if iteration == "in":
        items: Value = for_in_keys(value)
    elif type(value) is list or type(value) is str:
        items = value
    else:
        items = for_of_items(value)  # not iterable: the TypeError of §5.7
    m.stack[-1] = [items, 0]


# -- destructuring (§5.2)


def object_pattern(m: Machine, _a: None, _b: None) -> None:
    destructure_object(m.stack[-1])


def pattern_prop(m: Machine, key: str, _: None) -> None:
    m.stack.append(read_property(m.stack[-1], key))


def pattern_prop_default(m: Machine, key: str, target: int) -> int | None:
    value = pattern_property(m.stack[-1], key)
    if value is MISSING:
        return None
    m.stack.append(value)
    return target


def pattern_object_rest(m: Machine, keys: list[str], _: None) -> None:
    m.stack[-1] = object_rest(m.stack[-1], keys)


def array_pattern(m: Machine, _a: None, _b: None) -> None:
    m.stack[-1] = destructure_array(m.stack[-1])


def pattern_element_(m: Machine, index: int, _: None) -> None:
    items = m.stack[-1]
    m.stack.append(items[index] if index < len(items) else None)


def pattern_element_default(m: Machine, index: int, target: int) -> int | None:
    value = pattern_element(m.stack[-1], index)
    if value is MISSING:
        return None
    m.stack.append(value)
    return target


def pattern_array_rest(m: Machine, index: int, _: None) -> None:
    m.stack[-1] = array_rest(m.stack[-1], index)


# -- try regions and exits (vm_control)


def setup_try(m: Machine, catch: int | None, finally_: int | None) -> None:
    m.handlers.append([catch, finally_, len(m.stack)])


def pop_try(m: Machine, _a: None, _b: None) -> None:
    m.handlers.pop()


def jump_finally(m: Machine, finally_: int, resume: int) -> int:
    m.stack.append(["jump", resume])
    return finally_


def end_finally_(m: Machine, _a: None, _b: None) -> int:
    return end_finally(m, m.stack.pop())


def throw(m: Machine, _a: None, _b: None) -> None:
    raise Thrown(m.stack.pop())


def return_(m: Machine, _a: None, _b: None) -> int:
    return return_through_finally(m, check_serializable(m.stack.pop()))


_BY_NAME: Final[dict[str, Handler]] = {
    "ROT": rot,
    "LOAD_GLOBAL": load_global,
    "BUILD_ARRAY": build_array,
    "ARRAY_APPEND": array_append,
    "ARRAY_EXTEND": array_extend,
    "BUILD_OBJECT": build_object,
    "OBJECT_SET": object_set,
    "OBJECT_SPREAD": object_spread,
    "BUILD_TEMPLATE": build_template,
    "LOAD_PATH": load_path,
    "STORE_PATH": store_path_,
    "UPDATE": update,
    "AWAIT": await_,
    "CALL_BUILTIN": call_builtin_,
    "CALL_BUILTIN_SPREAD": call_builtin_spread,
    "CALL_METHOD": call_method,
    "CALL_METHOD_SPREAD": call_method_spread,
    "CALL_METHOD_MUT": call_method_mut,
    "CALL_METHOD_MUT_SPREAD": call_method_mut_spread,
    "GET_ITER": get_iter,
    "OBJECT_PATTERN": object_pattern,
    "PATTERN_PROP": pattern_prop,
    "PATTERN_PROP_DEFAULT": pattern_prop_default,
    "PATTERN_OBJECT_REST": pattern_object_rest,
    "ARRAY_PATTERN": array_pattern,
    "PATTERN_ELEMENT": pattern_element_,
    "PATTERN_ELEMENT_DEFAULT": pattern_element_default,
    "PATTERN_ARRAY_REST": pattern_array_rest,
    "SETUP_TRY": setup_try,
    "POP_TRY": pop_try,
    "JUMP_FINALLY": jump_finally,
    "END_FINALLY": end_finally_,
    "THROW": throw,
    "RETURN": return_,
}

HANDLERS: Final[tuple[Handler, ...]] = tuple(_BY_NAME[name] for name in HANDLED_NAMES)
