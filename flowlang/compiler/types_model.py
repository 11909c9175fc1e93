"""The checker's types (LANGUAGE.md §4.3, §11.2): structural, gradual, closed or open object
types, literal types, `Promise<T>` and `never`; and the normal form of unions.

Types are frozen values; build unions only through `union()`, which keeps them normal (flat,
without duplicates, `any` absorbing, `never` vanishing, literals absorbed by their primitive),
so that equal types compare equal. Import from `types`, which gathers the whole algebra.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from flowlang.compiler import typesyntax as syntax
from flowlang.compiler.typesyntax import TypeExpr


@dataclass(frozen=True, slots=True)
class AnyType:
    """Every value; disables checking (§11.6 rule 1)."""


@dataclass(frozen=True, slots=True)
class NeverType:
    """No value: the type of code that cannot complete, and of an empty union."""


PrimitiveName = Literal["string", "number", "boolean", "null"]


@dataclass(frozen=True, slots=True)
class PrimitiveType:
    name: PrimitiveName


@dataclass(frozen=True, slots=True)
class LiteralType:
    """Exactly one value: `"pro"`, `42`, `-1`, `true`. Integral numbers are `int`; build them
    with `literal_of()`, which normalises.

    Equality tells booleans from numbers: Python's `True == 1` would otherwise make the literal
    types `true` and `1` equal and collapse them in a union.
    """

    value: str | int | float | bool

    def __eq__(self, other: object) -> bool:
        return isinstance(other, LiteralType) and _literal_key(self.value) == _literal_key(
            other.value
        )

    def __hash__(self) -> int:
        return hash(_literal_key(self.value))


def _literal_key(value: str | int | float | bool) -> tuple[type, str | int | float | bool]:
    kind = bool if isinstance(value, bool) else str if isinstance(value, str) else float
    return kind, value


@dataclass(frozen=True, slots=True)
class ArrayType:
    element: Type


@dataclass(frozen=True, slots=True)
class TupleType:
    elements: tuple[Type, ...]


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    type: Type
    optional: bool = False


@dataclass(frozen=True, slots=True)
class ObjectType:
    """Fields in declaration order. `index` is None for a closed type (no other keys); for an
    open type it is the type of every other key's value (`ANY` when unstated)."""

    fields: tuple[Field, ...]
    index: Type | None = None


@dataclass(frozen=True, slots=True)
class UnionType:
    """At least two members, none a union, `any` or `never`; build with `union()`."""

    members: tuple[Type, ...]


@dataclass(frozen=True, slots=True)
class PromiseType:
    value: Type


Type = (
    AnyType
    | NeverType
    | PrimitiveType
    | LiteralType
    | ArrayType
    | TupleType
    | ObjectType
    | UnionType
    | PromiseType
)

ANY = AnyType()
NEVER = NeverType()
STRING = PrimitiveType("string")
NUMBER = PrimitiveType("number")
BOOLEAN = PrimitiveType("boolean")
NULL = PrimitiveType("null")
OPEN_OBJECT = ObjectType((), ANY)  # `{}` and `{[key: string]: any}`

Kind = Literal["null", "boolean", "number", "string", "array", "object", "promise"]

# Types inferred from literals can be as deep as the parser's trees (`[[[[…]]]]`, thousands of
# levels). The operations recurse on structure, so past this depth they treat a type as `any`:
# no check is made there, which is the gradual answer, and Python's recursion limit is never hit.
MAX_DEPTH = 100

TRUE = LiteralType(True)
FALSE = LiteralType(False)


# -- building


def union(*types: Type) -> Type:
    """The normal union of `types`: flat, without duplicates, `any` absorbing, `never`
    vanishing, literals absorbed by their primitive and `true | false` as `boolean`; members in
    order of first occurrence; no members is `never` and one is itself."""
    found: list[Type] = []
    scalars: set[Type] = set()  # primitives and literals: hashed, since enums can be long
    for candidate in types:
        for member in candidate.members if isinstance(candidate, UnionType) else (candidate,):
            if member is ANY:
                return ANY
            if isinstance(member, PrimitiveType | LiteralType):
                if member not in scalars:
                    scalars.add(member)
                    found.append(member)
            elif member is not NEVER and not any(_same(member, f, 0) for f in found):
                found.append(member)
    if TRUE in scalars and FALSE in scalars:
        scalars.add(BOOLEAN)
        first = next(i for i, m in enumerate(found) if m in (TRUE, FALSE))
        found[first] = BOOLEAN
    result = [m for m in found if not _absorbed(m, scalars)]
    if not result:
        return NEVER
    return result[0] if len(result) == 1 else UnionType(tuple(result))


def _absorbed(member: Type, scalars: set[Type]) -> bool:
    return isinstance(member, LiteralType) and primitive_of(member) in scalars


def _same(a: Type, b: Type, depth: int) -> bool:
    """Structural equality that stops at `MAX_DEPTH` (dataclass `==` would recurse without
    bound)."""
    if a is b or depth > MAX_DEPTH:
        return True
    depth += 1
    match a, b:
        case ArrayType(element=x), ArrayType(element=y):
            return _same(x, y, depth)
        case PromiseType(value=x), PromiseType(value=y):
            return _same(x, y, depth)
        case TupleType(elements=xs), TupleType(elements=ys):
            return _same_all(xs, ys, depth)
        case UnionType(members=xs), UnionType(members=ys):
            return _same_all(xs, ys, depth)
        case ObjectType(), ObjectType():
            return _same_object(a, b, depth)
    return type(a) is type(b) and a == b


def _same_all(xs: tuple[Type, ...], ys: tuple[Type, ...], depth: int) -> bool:
    return len(xs) == len(ys) and all(_same(x, y, depth) for x, y in zip(xs, ys, strict=True))


def _same_object(a: ObjectType, b: ObjectType, depth: int) -> bool:
    if len(a.fields) != len(b.fields) or (a.index is None) != (b.index is None):
        return False
    if a.index is not None and b.index is not None and not _same(a.index, b.index, depth):
        return False
    return all(
        f.name == g.name and f.optional == g.optional and _same(f.type, g.type, depth)
        for f, g in zip(a.fields, b.fields, strict=True)
    )


def literal_of(value: str | int | float | bool | None) -> Type:
    """The literal type of one value; `None` is `null`, integral floats become `int`, `-0` is
    `0` (§7.3)."""
    if value is None:
        return NULL
    if isinstance(value, float) and value.is_integer() and abs(value) <= 2**53:
        value = int(value)
    return LiteralType(value)


def from_type_expr(expr: TypeExpr) -> Type:
    """The type a front-matter type expression denotes (§4.3)."""
    return _from_expr(expr, 0)


def _from_expr(expr: TypeExpr, depth: int) -> Type:
    if depth > MAX_DEPTH:
        return ANY
    depth += 1
    match expr:
        case syntax.PrimitiveType(name=name):
            return ANY if name == "any" else PrimitiveType(name)
        case syntax.LiteralType(value=value):
            return literal_of(value)
        case syntax.ArrayType(element=element):
            return ArrayType(_from_expr(element, depth))
        case syntax.TupleType(elements=elements):
            return TupleType(tuple(_from_expr(e, depth) for e in elements))
        case syntax.ObjectType(fields=fields, index=index):
            return ObjectType(
                tuple(Field(f.name, _from_expr(f.type, depth), f.optional) for f in fields),
                None if index is None else _from_expr(index.value, depth),
            )
        case syntax.UnionType(members=union_members):
            return union(*(_from_expr(m, depth) for m in union_members))


# -- inspecting


def members(t: Type) -> tuple[Type, ...]:
    """The members of a union, or `(t,)` for any other type (including `never` and `any`)."""
    return t.members if isinstance(t, UnionType) else (t,)


def contains_any(t: Type) -> bool:
    """Whether checking must stay silent about `t` (§11.6 rule 1). A normal union never holds
    `any` (it absorbs), so this is `t is ANY`, named for what the checker asks."""
    return t is ANY


def kind_of(t: Type) -> Kind | None:
    """The runtime kind of the values of a non-union type; None for `any` and `never`."""
    match t:
        case PrimitiveType(name=name):
            return name
        case LiteralType():
            return _kind_of_literal(t)
        case ArrayType() | TupleType():
            return "array"
        case ObjectType():
            return "object"
        case PromiseType():
            return "promise"
    return None


def primitive_of(t: LiteralType) -> PrimitiveType:
    """The primitive type a literal belongs to (`"a"` -> `string`)."""
    return PrimitiveType(_kind_of_literal(t))


def _kind_of_literal(t: LiteralType) -> PrimitiveName:
    value = t.value
    return (
        "boolean" if isinstance(value, bool) else "string" if isinstance(value, str) else "number"
    )


def kinds(t: Type) -> frozenset[Kind] | None:
    """The runtime kinds a value of `t` may have; None for `any`, empty for `never`."""
    if t is ANY:
        return None
    return frozenset(k for m in members(t) if (k := kind_of(m)) is not None)


def is_promise(t: Type) -> bool:
    """Whether every value of `t` is a promise (`never` and `any` are not)."""
    return t is not NEVER and all(isinstance(m, PromiseType) for m in members(t))


def may_be_promise(t: Type) -> bool:
    """Whether some member of `t` is a promise (`any` may hold one, but is silent: False)."""
    return any(isinstance(m, PromiseType) for m in members(t))


def awaited(t: Type) -> Type:
    """The type of `await e` for `e: t`: promise members unwrapped, others unchanged (§6.6)."""
    return union(*(m.value if isinstance(m, PromiseType) else m for m in members(t)))
