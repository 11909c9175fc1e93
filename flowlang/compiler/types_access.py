"""Reading values of a type (LANGUAGE.md §7.11, §11.3): properties, indexing, iteration, and
the object type a path assignment leaves behind.
"""

from __future__ import annotations

from dataclasses import dataclass

from flowlang.compiler.literals import number_key
from flowlang.compiler.types_model import (
    ANY,
    NEVER,
    NULL,
    NUMBER,
    STRING,
    ArrayType,
    Field,
    LiteralType,
    NeverType,
    ObjectType,
    PrimitiveType,
    TupleType,
    Type,
    members,
    union,
)

# -- reading (§7.11, §11.3)


@dataclass(frozen=True, slots=True)
class PropertyLookup:
    """What reading `t.name` gives. `type` is the union over the members that are not `null`
    (a member without the property reads as `null`); `missing_on` lists the members where the
    property certainly does not exist, `null` included; `null_base` says `null` is a member
    (the read throws there). No member has it when `missing_on` holds every member."""

    type: Type
    missing_on: tuple[Type, ...]
    null_base: bool


def property_type(t: Type, name: str) -> PropertyLookup:
    """Reading `t.name` (§7.11, §11.3)."""
    if t is ANY:
        return PropertyLookup(ANY, (), False)
    found: list[Type] = []
    missing: list[Type] = []
    for member in members(t):
        value = _member_property(member, name)
        if value is None:
            missing.append(member)
            found.append(NULL)
        else:
            found.append(value)
    null_base = NULL in members(t)
    if null_base:
        found.remove(NULL)  # the read throws on `null`; it contributes no value
    return PropertyLookup(union(*found), tuple(missing), null_base)


def _member_property(t: Type, name: str) -> Type | None:
    """The type of `t.name` for a non-union `t`, or None where `t` certainly lacks it."""
    match t:
        case ObjectType():
            return _object_property(t, name)
        case ArrayType(element=element):
            return NUMBER if name == "length" else element if _is_index(name) else None
        case TupleType(elements=elements):
            if name == "length":
                return NUMBER
            if _is_index(name):
                return elements[int(name)] if int(name) < len(elements) else NULL
            return None
        case PrimitiveType(name="string") | LiteralType(value=str()):
            return NUMBER if name == "length" else STRING if _is_index(name) else None
        case NeverType():
            return NEVER
    return None


def _object_property(t: ObjectType, name: str) -> Type | None:
    for field in t.fields:
        if field.name == name:
            return union(field.type, NULL) if field.optional else field.type
    return t.index


def _is_index(name: str) -> bool:
    """A canonical array index (§7.11): `"2"`, not `"02"` or `"-1"`."""
    return name.isdigit() and name.isascii() and (name == "0" or name[0] != "0")


def index_type(t: Type, key: Type) -> Type:
    """The type of `t[key]` (§11.3): an element for arrays (not `T | null`), the element at a
    literal index of a tuple, the property named by a literal key, else the index type or the
    union of the field types of an object."""
    if t is ANY or key is ANY:
        return ANY
    return union(*(_member_index(m, key) for m in members(t) if m != NULL))


def _member_index(t: Type, key: Type) -> Type:
    if isinstance(key, LiteralType) and not isinstance(key.value, bool):
        name = key.value if isinstance(key.value, str) else number_key(key.value)
        value = _member_property(t, name)
        return NULL if value is None else value
    match t:
        case ArrayType(element=element):
            return element
        case TupleType(elements=elements):
            return union(*elements) if elements else NULL
        case PrimitiveType(name="string") | LiteralType(value=str()):
            return STRING
        case ObjectType(fields=fields, index=index):
            return union(
                *(f.type for f in fields), *(NULL for f in fields if f.optional), index or NEVER
            )
        case NeverType():
            return NEVER
    return NULL


def element_type(t: Type) -> Type | None:
    """The type `for…of` binds over `t`: array elements, `string` for strings; None when no
    member is iterable (the others are left to the caller: `kinds()` tells them)."""
    if t is ANY:
        return ANY
    found = [e for m in members(t) if (e := _member_element(m)) is not None]
    return union(*found) if found else None


def _member_element(t: Type) -> Type | None:
    match t:
        case ArrayType(element=element):
            return element
        case TupleType(elements=elements):
            return union(*elements)
        case PrimitiveType(name="string") | LiteralType(value=str()):
            return STRING
    return None


def with_field(t: ObjectType, name: str, value: Type) -> ObjectType:
    """`t` after a path assignment `v.name = value`: the field is replaced in place (and becomes
    required), or added last (§7.5: new keys go last)."""
    fields = tuple(f for f in t.fields if f.name != name)
    if len(fields) == len(t.fields):
        return ObjectType((*t.fields, Field(name, value)), t.index)
    return ObjectType(tuple(Field(name, value) if f.name == name else f for f in t.fields), t.index)
