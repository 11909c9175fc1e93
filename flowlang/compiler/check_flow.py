"""What the type checker knows at one point of the program: narrowed paths (LANGUAGE.md §11.4).

A *path* is a variable or a builtin global followed by property names: `order`, `order.customer`,
`Inputs.note`. Its key is a tuple: the binding (the offset of its declaration, which is unique)
or the global's name, then the names. *Facts* map keys to the type a path is narrowed to where
they hold; a path without a fact has the type its declaration (or its base) gives it.

Facts are never changed in place: a branch keeps a reference to the facts it started from, and
every change builds a new dict. That makes saving and restoring state at `if`, `&&`, `?:` and
loops free, and the dicts stay small (only narrowed paths are in them).

Because values are never shared (§7.2), a fact about a path can only be invalidated by an
assignment to that path, to a prefix of it, or by a mutating method called on one of them —
never by an `await` or by code elsewhere. `MutationSites` finds those writes once per program,
so a loop or a `try` can drop, on entry, the facts its body may invalidate on a later pass.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Iterator, Mapping
from typing import TypeAlias

from flowlang.compiler import ast
from flowlang.compiler.resolve import Binding
from flowlang.compiler.source import Span
from flowlang.compiler.types import (
    ANY,
    NEVER,
    ArrayType,
    ObjectType,
    TupleType,
    Type,
    is_assignable,
    members,
    property_type,
    union,
    with_field,
)

Root: TypeAlias = int | str  # a binding's declaration offset, or a builtin global's name
PathKey: TypeAlias = tuple[Root, ...]
Facts: TypeAlias = Mapping[PathKey, Type]

NO_FACTS: Facts = {}

# The globals whose properties are data, so paths through them can be narrowed; neither can be
# assigned (FLOW105), so facts about them hold until the end of their branch.
DATA_GLOBALS = frozenset({"Inputs", "Context"})

# Longer paths are never narrowed: real code tests `a.b.c`, and a bound keeps finding the key of
# each link of a chain thousands of names long linear rather than quadratic.
MAX_PATH_LENGTH = 16


def path_key(expression: ast.Expr, references: Mapping[int, Binding]) -> PathKey | None:
    """The key of `expression` if it is a path (`v`, `v.a.b`, `v["a"]`, `Inputs.x`, also through
    `?.`) of at most `MAX_PATH_LENGTH` names, else None."""
    names: list[str] = []
    node = expression
    while len(names) <= MAX_PATH_LENGTH:
        match node:
            case ast.Member(object=inner, name=name):
                names.append(name)
                node = inner
            case ast.Index(object=inner, index=ast.StringLit(value=name)):
                names.append(name)
                node = inner
            case ast.OptionalChain(expression=inner):
                node = inner
            case ast.Name(span=span, name=name):
                binding = references.get(span.start)
                if binding is not None:
                    root: Root = binding.span.start
                elif name in DATA_GLOBALS:
                    root = name
                else:
                    return None
                names.reverse()
                return (root, *names)
            case _:
                return None
    return None


def place_path(
    place: ast.Expr, references: Mapping[int, Binding]
) -> tuple[int, tuple[str | None, ...]] | None:
    """The variable a place (`v`, `v.a[i].b`) is rooted at, and the names along it (None for a
    computed key); None when it is not rooted at a variable."""
    names: list[str | None] = []
    node = place
    while True:
        match node:
            case ast.Member(object=inner, name=name):
                names.append(name)
            case ast.Index(object=inner, index=ast.StringLit(value=name)):
                names.append(name)
            case ast.Index(object=inner):
                names.append(None)
            case ast.Name(span=span):
                binding = references.get(span.start)
                if binding is None:
                    return None
                names.reverse()
                return binding.span.start, tuple(names)
            case _:
                return None
        node = inner


def static_prefix(names: tuple[str | None, ...]) -> tuple[str, ...]:
    """The names of a path up to its first computed key."""
    prefix: list[str] = []
    for name in names:
        if name is None:
            break
        prefix.append(name)
    return tuple(prefix)


def written_type(t: Type, names: tuple[str | None, ...], value: Type) -> Type | None:
    """A variable's declared type `t` after a write of `value` at `v.names` (§11.3: a path
    assignment adds the field; a computed key makes an object open; an array's element type
    takes the value in), or None when `t` already admits it. `value` is already widened."""
    if not names:
        return None
    chain = [t]
    for name in names[:-1]:
        chain.append(_slot(chain[-1], name))
    if chain[-1] is ANY or is_assignable(value, _slot(chain[-1], names[-1])):
        return None
    written = value
    for parent, name in zip(reversed(chain), reversed(names), strict=True):
        written = _set_slot(parent, name, written)
    return None if written == t else written  # a write that fails at run time changes nothing


def _slot(t: Type, name: str | None) -> Type:
    """What a write at `t.name` (`t[?]` for None) replaces; `never` where nothing is there."""
    if t is ANY:
        return ANY
    found: list[Type] = []
    for member in members(t):
        match member:
            case ArrayType(element=element):
                found.append(element)
            case TupleType(elements=elements):
                found.extend(elements)
            case ObjectType(index=index):
                if name is None:
                    found.append(NEVER if index is None else index)
                else:
                    lookup = property_type(member, name)
                    found.append(NEVER if lookup.missing_on else lookup.type)
    return union(*found)


def _set_slot(t: Type, name: str | None, value: Type) -> Type:
    if t is ANY:
        return ANY
    written: list[Type] = []
    for member in members(t):
        match member:
            case ArrayType(element=element):
                written.append(ArrayType(union(element, value)))
            case TupleType(elements=elements):
                written.append(ArrayType(union(*elements, value)))
            case ObjectType(fields=fields):
                if name is None:  # §11.3: a computed key makes the object open
                    written.append(ObjectType(fields, ANY))
                else:
                    lookup = property_type(member, name)
                    old = () if lookup.missing_on else (lookup.type,)
                    written.append(with_field(member, name, union(*old, value)))
            case _:
                written.append(member)  # the write fails at run time, or reads back `null`
    return union(*written)


def with_fact(facts: Facts, key: PathKey, narrowed: Type) -> Facts:
    """`facts` plus one fact; the facts about longer paths under `key` are dropped, since they
    described the value `key` had before."""
    kept = {k: v for k, v in facts.items() if not _extends(k, key)}
    kept[key] = narrowed
    return kept


def with_facts(facts: Facts, more: Facts) -> Facts:
    """`facts` where `more` also holds (`more` wins on shared keys)."""
    if not more:
        return facts
    if not facts:
        return more
    return {**facts, **more}


def forget(facts: Facts, root: Root, names: tuple[str, ...] = ()) -> Facts:
    """`facts` after a write to the path `root.names`: facts about it and the paths under it
    end (§11.4). Facts about its prefixes stay: `o.a = 1` leaves `o != null` true."""
    key = (root, *names)
    if not any(_extends(k, key) for k in facts):
        return facts
    return {k: v for k, v in facts.items() if not _extends(k, key)}


def forget_roots(facts: Facts, roots: Iterable[Root]) -> Facts:
    """`facts` without anything about the given variables."""
    gone = set(roots)
    if not gone or not any(k[0] in gone for k in facts):
        return facts
    return {k: v for k, v in facts.items() if k[0] not in gone}


def join(*branches: Facts) -> Facts:
    """What holds where control arrives from any of `branches`: the paths narrowed in all of
    them, to the union of their types. A path narrowed in only some reverts to its declared
    type, which contains all of them."""
    if not branches:
        return NO_FACTS
    first, *others = branches
    if all(other is first for other in others):
        return first
    joined: dict[PathKey, Type] = {}
    for key, narrowed in first.items():
        types = [narrowed]
        for other in others:
            found = other.get(key)
            if found is None:
                break
            types.append(found)
        else:
            joined[key] = union(*types)
    return joined


def _extends(key: PathKey, prefix: PathKey) -> bool:
    return key[: len(prefix)] == prefix


class MutationSites:
    """Every place the program writes to a variable or through it: assignments, `++`/`--` and
    mutating method calls (`push`, `pop`, `reverse`) on a place, by offset. Built in one pass
    over the tree; a loop asks which variables are written inside its span in O(log n)."""

    def __init__(
        self,
        program: ast.Program,
        references: Mapping[int, Binding],
        mutating_methods: frozenset[str],
    ) -> None:
        sites: list[tuple[int, int]] = []
        for node in _nodes(program.body):
            place = _written_place(node, mutating_methods)
            if place is None:
                continue
            root = _place_root(place)
            binding = references.get(root.span.start) if isinstance(root, ast.Name) else None
            if binding is not None:
                sites.append((node.span.start, binding.span.start))
        sites.sort()
        self._offsets = [offset for offset, _ in sites]
        self._roots = [root for _, root in sites]

    def __bool__(self) -> bool:
        return bool(self._offsets)

    def roots_within(self, span: Span) -> set[int]:
        """The variables written somewhere inside `span`."""
        low = bisect.bisect_left(self._offsets, span.start)
        high = bisect.bisect_left(self._offsets, span.end)
        return set(self._roots[low:high])


def _written_place(node: ast.Node, mutating_methods: frozenset[str]) -> ast.Expr | None:
    match node:
        case ast.Assign(target=target) | ast.Update(target=target):
            return target
        case ast.Call(callee=ast.Member(object=receiver, name=name)) if name in mutating_methods:
            return receiver
    return None


def _place_root(place: ast.Expr) -> ast.Expr:
    while isinstance(place, ast.Member | ast.Index | ast.OptionalChain):
        place = place.object if not isinstance(place, ast.OptionalChain) else place.expression
    return place


def _nodes(statements: Iterable[ast.Stmt]) -> Iterator[ast.Node]:
    """Every statement and expression node under `statements`, without recursion."""
    pending: list[object] = list(statements)
    while pending:
        node = pending.pop()
        if isinstance(node, tuple):
            pending.extend(node)
            continue
        if not isinstance(node, ast.Node):
            continue
        yield node
        slots = _SLOTS.get(type(node))
        if slots is None:
            slots = _SLOTS[type(node)] = _child_slots(type(node))
        for slot in slots:
            pending.append(getattr(node, slot))


# Per node type, the slots that may hold children (values that are not nodes are skipped).
_SLOTS: dict[type, tuple[str, ...]] = {}
_LEAVES = (ast.Name, ast.NumberLit, ast.StringLit, ast.BoolLit, ast.NullLit, ast.BindingName)
_SCALAR_SLOTS = frozenset(
    {
        "span",
        "name",
        "name_span",
        "key",
        "key_span",
        "raw",
        "operator",
        "operator_span",
        "optional",
        "kind",
        "iteration",
        "shorthand",
        "prefix",
        "quasis",
    }
)


def _child_slots(node_type: type) -> tuple[str, ...]:
    if issubclass(node_type, _LEAVES):
        return ()
    slots: tuple[str, ...] = getattr(node_type, "__slots__", ())
    return tuple(slot for slot in slots if slot not in _SCALAR_SLOTS)
