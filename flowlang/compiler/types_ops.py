"""Relations between types and the refinements of checking: assignability (LANGUAGE.md §11.2),
`let` widening (§11.3), narrowing by conditions (§11.4) and overlap for comparisons (FLOW403).

Every operation recurses on the structure of types and stops at `MAX_DEPTH` with the gradual
answer, so types as deep as the parser's trees never reach Python's recursion limit.
"""

from __future__ import annotations

from collections.abc import Callable

from flowlang.compiler.types_model import (
    ANY,
    BOOLEAN,
    FALSE,
    MAX_DEPTH,
    NEVER,
    NULL,
    NUMBER,
    STRING,
    TRUE,
    ArrayType,
    Field,
    Kind,
    LiteralType,
    ObjectType,
    PrimitiveType,
    PromiseType,
    TupleType,
    Type,
    UnionType,
    kind_of,
    members,
    primitive_of,
    union,
)

# -- assignability (§11.2)


def is_assignable(source: Type, target: Type) -> bool:
    """Whether every value of `source` is a value of `target` (`S ≤ T`, §11.2)."""
    return _assignable(source, target, 0)


def _assignable(s: Type, t: Type, depth: int) -> bool:
    if s is ANY or t is ANY or s is NEVER or s is t or depth > MAX_DEPTH:
        return True
    depth += 1
    if isinstance(s, UnionType):
        return all(_assignable(m, t, depth) for m in s.members)
    if isinstance(t, UnionType):
        return any(_assignable(s, m, depth) for m in t.members)
    match s, t:
        case PrimitiveType(name=mine), PrimitiveType(name=theirs):
            return mine == theirs
        case LiteralType(), LiteralType():
            return s == t
        case LiteralType(), PrimitiveType(name=name):
            return kind_of(s) == name
        case ArrayType(element=a), ArrayType(element=b):
            return _assignable(a, b, depth)
        case TupleType(elements=elements), ArrayType(element=b):
            return all(_assignable(e, b, depth) for e in elements)
        case TupleType(elements=mine), TupleType(elements=theirs):
            return len(mine) == len(theirs) and all(
                _assignable(a, b, depth) for a, b in zip(mine, theirs, strict=True)
            )
        case ObjectType(), ObjectType():
            return _object_assignable(s, t, depth)
        case PromiseType(value=a), PromiseType(value=b):
            return _assignable(a, b, depth)
    return False


def _object_assignable(s: ObjectType, t: ObjectType, depth: int) -> bool:
    mine = {f.name: f for f in s.fields}
    for wanted in t.fields:
        field = mine.get(wanted.name)
        if field is None:
            if not wanted.optional:
                return False
        elif wanted.optional:
            if not _assignable(field.type, union(wanted.type, NULL), depth):
                return False
        elif field.optional or not _assignable(field.type, wanted.type, depth):
            return False
    theirs = {f.name for f in t.fields}
    extra = [f for f in s.fields if f.name not in theirs]
    if t.index is None:
        return all(f.optional for f in extra)
    # An open target takes any other key, holding its index type.
    return all(_assignable(f.type, t.index, depth) for f in extra if not f.optional) and (
        s.index is None or _assignable(s.index, t.index, depth)
    )


# -- inference (§11.3)


def widen(t: Type) -> Type:
    """The type a `let` takes from its initializer (§11.3): literals become their primitive,
    `null` becomes `any`, tuples become arrays of the union of their widened elements (`[]` is
    `any[]`), object fields widen recursively. A `null` member of a union stays: `"a" | null`
    widens to `string | null`, since only a bare `null` says nothing about the variable's kind."""
    return _widen(t, 0)


def _widen(t: Type, depth: int) -> Type:
    if depth > MAX_DEPTH:
        return ANY
    depth += 1
    match t:
        case LiteralType():
            return primitive_of(t)
        case PrimitiveType(name="null"):
            return ANY
        case TupleType(elements=()):
            return ArrayType(ANY)
        case TupleType(elements=elements):
            return ArrayType(union(*(_widen(e, depth) for e in elements)))
        case ObjectType(fields=fields, index=index):
            return ObjectType(
                tuple(Field(f.name, _widen(f.type, depth), f.optional) for f in fields), index
            )
        case UnionType(members=union_members):
            return union(*(m if m == NULL else _widen(m, depth) for m in union_members))
    return t


# -- narrowing (§11.4)

_FALSY_LITERALS = (FALSE, LiteralType(0), LiteralType(""))


def remove_null(t: Type) -> Type:
    """`t` where it is known not to be `null` (`x != null`, the left of `??`)."""
    return _keep(t, lambda m: m != NULL)


def narrow_truthy(t: Type) -> Type:
    """`t` where a value of it is truthy (§7.6): without `null` and the falsy literals;
    `boolean` becomes `true`."""
    if t is ANY:
        return ANY
    return union(*(TRUE if m == BOOLEAN else m for m in members(t) if not _always_falsy(m)))


def narrow_falsy(t: Type) -> Type:
    """`t` where a value of it is falsy: its members that can be; a falsy string is `""`, a
    falsy number `0` and a falsy boolean `false`, exactly (there is no `NaN` or `-0`)."""
    if t is ANY:
        return ANY
    return union(*(f for m in members(t) if (f := _falsy_part(m)) is not None))


def _always_falsy(t: Type) -> bool:
    return t == NULL or t in _FALSY_LITERALS


def _falsy_part(t: Type) -> Type | None:
    match t:
        case PrimitiveType(name="null"):
            return NULL
        case PrimitiveType(name="string"):
            return LiteralType("")
        case PrimitiveType(name="number"):
            return LiteralType(0)
        case PrimitiveType(name="boolean"):
            return FALSE
        case LiteralType():
            return t if t in _FALSY_LITERALS else None
    return None


_TYPEOF_KINDS: dict[str, frozenset[Kind]] = {
    "string": frozenset({"string"}),
    "number": frozenset({"number"}),
    "boolean": frozenset({"boolean"}),
    "object": frozenset({"null", "array", "object", "promise"}),
}
_TYPEOF_OF_ANY: dict[str, Type] = {"string": STRING, "number": NUMBER, "boolean": BOOLEAN}


def narrow_typeof(t: Type, kind: str) -> Type:
    """`t` where `typeof x == kind` holds (§7.1: `"object"` is null, arrays, objects and
    promises); `never` for a kind `typeof` never yields."""
    matching = _TYPEOF_KINDS.get(kind, frozenset())
    if t is ANY:
        return _TYPEOF_OF_ANY.get(kind, ANY if matching else NEVER)
    return _keep(t, lambda m: kind_of(m) in matching)


def without_typeof(t: Type, kind: str) -> Type:
    """`t` where `typeof x == kind` does not hold."""
    matching = _TYPEOF_KINDS.get(kind, frozenset())
    return _keep(t, lambda m: kind_of(m) not in matching)


def narrow_array(t: Type) -> Type:
    """`t` where `Array.isArray(x)` holds: its array and tuple members (`any[]` from `any`)."""
    if t is ANY:
        return ArrayType(ANY)
    return _keep(t, lambda m: kind_of(m) == "array")


def without_array(t: Type) -> Type:
    """`t` where `Array.isArray(x)` does not hold."""
    return _keep(t, lambda m: kind_of(m) != "array")


def narrow_to_literal(t: Type, literal: Type) -> Type:
    """`t` where `x == literal` holds: the literal (or `null`), or `never` if `t` excludes it."""
    return literal if overlaps(t, literal) else NEVER


def _keep(t: Type, wanted: Callable[[Type], bool]) -> Type:
    if t is ANY:
        return ANY
    return union(*(m for m in members(t) if wanted(m)))


def overlaps(a: Type, b: Type) -> bool:
    """Whether some value of `a` may equal some value of `b` (§7.7: values of different kinds
    are never equal, nor are distinct literals); always true with `any`."""
    if a is ANY or b is ANY:
        return True
    return any(_members_overlap(x, y) for x in members(a) for y in members(b))


def _members_overlap(a: Type, b: Type) -> bool:
    kind = kind_of(a)
    if kind is None or kind != kind_of(b):
        return False
    match a, b:
        case LiteralType(), LiteralType():
            return a == b
        case TupleType(elements=xs), TupleType(elements=ys):
            return len(xs) == len(ys)
    return True
