"""THE table of the standard library (LANGUAGE.md §9): every builtin global, global function,
namespace member and method, with its signature, documentation and example.

One table, read by everything that knows about builtins: name resolution (the global names),
the checker (signatures, FLOW108, FLOW202, FLOW203), and later codegen, the VM and the language
server (hover, completion). Nothing about a builtin is written anywhere else. The entries are
data (`stdlib_entries`, `stdlib_methods`); the few results that depend on the arguments, the
receiver or the environment name a `Rule` the checker applies on top of the declared
signature; the value rules a literal argument can break are `Check`s (`stdlib_values`),
shared with the VM.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import MappingProxyType
from typing import Literal

from flowlang.compiler.stdlib_entries import GLOBAL_FUNCTIONS, GLOBAL_VALUES, NAMESPACES
from flowlang.compiler.stdlib_methods import ARRAY_METHODS, STRING_METHODS
from flowlang.compiler.stdlib_model import (
    CONTEXT,
    DURATION,
    ERROR,
    OBJECT_OR_ARRAY,
    OPTION_CHECKS,
    TASK_OPTIONS,
    TIMESTAMP,
    WORKFLOW_OPTIONS,
    Builtin,
    BuiltinKind,
    Global,
    GlobalKind,
    Param,
    Rule,
    arity,
    describe_arity,
)
from flowlang.compiler.stdlib_values import (
    MAX_DURATION_MS,
    Check,
    duration_ms,
    literal_problem,
    parse_duration,
    parse_timestamp,
)

MethodReceiver = Literal["array", "string"]


def _by_name(builtins: tuple[Builtin, ...]) -> Mapping[str, Builtin]:
    return MappingProxyType({b.name: b for b in builtins})


FUNCTIONS: Mapping[str, Builtin] = _by_name(GLOBAL_FUNCTIONS)

NAMESPACE_MEMBERS: Mapping[str, Mapping[str, Builtin]] = MappingProxyType(
    {name: _by_name(entries) for name, _, entries in NAMESPACES}
)

METHODS: Mapping[MethodReceiver, Mapping[str, Builtin]] = MappingProxyType(
    {"array": _by_name(ARRAY_METHODS), "string": _by_name(STRING_METHODS)}
)

GLOBALS: Mapping[str, Global] = MappingProxyType(
    {
        **{g.name: g for g in GLOBAL_VALUES},
        **{f.name: Global(f.name, "function", f.doc, None) for f in GLOBAL_FUNCTIONS},
        **{name: Global(name, "namespace", doc, None) for name, doc, _ in NAMESPACES},
    }
)


def lookup_member(namespace: str, name: str) -> Builtin | None:
    """The member `name` of builtin namespace `namespace` (`Math`, `floor`), or None."""
    members = NAMESPACE_MEMBERS.get(namespace)
    return None if members is None else members.get(name)


def lookup_method(kind: str, name: str) -> Builtin | None:
    """The method or property `name` of values of `kind` (`array`, `string`), or None."""
    methods = METHODS.get(kind)  # type: ignore[call-overload]  # any kind may be asked
    return None if methods is None else methods.get(name)


def all_builtins() -> Iterator[Builtin]:
    """Every entry of the table, in the order of §9."""
    yield from GLOBAL_FUNCTIONS
    for _, _, entries in NAMESPACES:
        yield from entries
    yield from ARRAY_METHODS
    yield from STRING_METHODS


__all__ = [
    "CONTEXT",
    "DURATION",
    "ERROR",
    "FUNCTIONS",
    "GLOBALS",
    "MAX_DURATION_MS",
    "METHODS",
    "NAMESPACE_MEMBERS",
    "OBJECT_OR_ARRAY",
    "OPTION_CHECKS",
    "TASK_OPTIONS",
    "TIMESTAMP",
    "WORKFLOW_OPTIONS",
    "Builtin",
    "BuiltinKind",
    "Check",
    "Global",
    "GlobalKind",
    "MethodReceiver",
    "Param",
    "Rule",
    "all_builtins",
    "arity",
    "describe_arity",
    "duration_ms",
    "literal_problem",
    "lookup_member",
    "lookup_method",
    "parse_duration",
    "parse_timestamp",
]
