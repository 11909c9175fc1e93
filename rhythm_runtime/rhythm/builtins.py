"""The runtime side of the standard library table (LANGUAGE.md §9): the VM calls every pure
builtin function and method through `call_function` and `call_method`.

Names, arities and parameter kinds come from `flowlang.compiler.stdlib`, the one table of
builtins; this module turns each entry into a runtime check (§9.0: the count first, then each
argument's kind, with the messages of §8.2, never coercing) in front of the implementation in
`builtins_functions` or `builtins_methods`. The effectful members (`Task`, `Workflow`, `Timer`,
`Signal`, `Promise`) create promises and belong to the VM, through `rhythm.promises`, which
checks their arguments with `check_arguments` too.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType
from typing import Final

from flowlang.compiler.stdlib import Builtin, all_builtins, arity, describe_arity
from flowlang.compiler.types import Type, kind_of, members
from rhythm.builtins_functions import CLOCK_FUNCTIONS, FUNCTIONS, Clock
from rhythm.builtins_methods import ARRAY_METHODS, STRING_METHODS
from rhythm.values import Value, kind, type_error

_ARTICLES: Final = {"array": "an array", "object": "an object", "null": "null"}

Accepts = tuple[frozenset[str] | None, str]  # the kinds a parameter takes (None: any), in words


@dataclass(frozen=True, slots=True)
class Signature:
    """What the runtime checks of one builtin: its qualified name (for messages), the fewest and
    most arguments (`most` None: any number) and what each parameter accepts; the last entry of
    `params` repeats for a rest parameter."""

    qualified: str
    least: int
    most: int | None
    arity_text: str
    params: tuple[Accepts, ...]


@dataclass(frozen=True, slots=True)
class MethodResult:
    """What a method call gives: its value, and the receiver after the call — changed for the ✎
    methods (§6.5), which the VM writes back to the receiver's place; the receiver unchanged
    otherwise."""

    value: Value
    receiver: Value


def accepts(param_type: Type) -> Accepts:
    """What a parameter of type `param_type` accepts: its kinds in order, and how §8.2 words
    them (`a number or string`)."""
    ordered: list[str] = []
    for member in members(param_type):
        found = kind_of(member)
        if found is None:  # `any`
            return None, "any value"
        if found not in ordered:
            ordered.append(found)
    words = " or ".join([_ARTICLES.get(ordered[0], f"a {ordered[0]}"), *ordered[1:]])
    return frozenset(ordered), words


def _signature(builtin: Builtin) -> Signature:
    least, most = arity(builtin)
    params = tuple(accepts(param.type) for param in builtin.params)
    return Signature(builtin.qualified, least, most, describe_arity(builtin), params)


SIGNATURES: Final[Mapping[str, Signature]] = MappingProxyType(
    {b.qualified: _signature(b) for b in all_builtins() if b.kind != "property"}
)


def check_arguments(signature: Signature, args: Sequence[Value]) -> None:
    """A TypeError unless `args` fit `signature`: the count first, then each kind (§9.0)."""
    count = len(args)
    if count < signature.least or (signature.most is not None and count > signature.most):
        raise type_error(f"{signature.qualified} {signature.arity_text}, got {count}")
    params = signature.params
    last = len(params) - 1
    for position, arg in enumerate(args):
        allowed, expected = params[position if position < last else last]
        if allowed is not None and kind(arg) not in allowed:
            raise type_error(
                f"{signature.qualified}: argument {position + 1} must be {expected}, "
                f"got {kind(arg)}"
            )


def call_function(qualified: str, args: list[Value], clock: Clock) -> Value:
    """Call the pure builtin `qualified` (`Math.floor`, `String`, `Date.now`). `clock` gives the
    runtime's time in epoch milliseconds, read only by `Date.now` and `Date.iso()`."""
    check_arguments(SIGNATURES[qualified], args)
    implementation = FUNCTIONS[qualified]
    if qualified in CLOCK_FUNCTIONS:
        return implementation(*args, clock=clock)
    return implementation(*args)


_METHODS: Final[dict[type, tuple[str, dict[str, Callable[..., Value]]]]] = {
    list: ("array", ARRAY_METHODS),
    str: ("string", STRING_METHODS),
}


def call_method(name: str, receiver: Value, args: list[Value]) -> MethodResult:
    """Call method `name` on `receiver` (`items.push(x)`): a value of another kind, or a name
    that is no method of its kind, is `TypeError: <kind> has no method '<name>'` (§7.11)."""
    entry = _METHODS.get(type(receiver))
    implementation = entry[1].get(name) if entry is not None else None
    if entry is None or implementation is None:
        raise type_error(f"{kind(receiver)} has no method '{name}'")
    check_arguments(SIGNATURES[f"{entry[0]}.{name}"], args)
    return MethodResult(implementation(receiver, *args), receiver)
