"""The checker's type algebra (LANGUAGE.md §4.3, §11.2–§11.4): structural, gradual, closed or
open object types, literal types, `Promise<T>` and `never`.

Types are frozen values; build unions only through `union()`, which keeps them normal
(flat, without duplicates, `any` absorbing, `never` vanishing), so that equal types compare
equal. The operations on types (assignability, widening, narrowing, property and element
types, display) live below the data model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


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
    """Exactly one value: `"pro"`, `42`, `-1`, `true`. Integral numbers are `int`."""

    value: str | int | float | bool


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
