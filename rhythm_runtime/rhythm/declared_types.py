"""Checking values against the types a workflow declares (LANGUAGE.md §4.5).

The runtime checks three boundaries: the inputs of a new execution (front-matter `inputs`),
signal payloads when sent (`signals`) and the inputs a child workflow is started with. A
compiled `Program` carries its declared types as display strings (`types` in the envelope), so
they are parsed back with the front matter's own type syntax and meaning (§4.2, §4.3): one
notation, one interpretation, in the checker and at run time.

`mismatch()` returns the first problem as a message naming the path of the offending value
(`inputs.owner.email: expected string, got number`), or None when the value matches.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from flowlang.compiler.types import (
    ANY,
    ArrayType,
    LiteralType,
    ObjectType,
    PrimitiveType,
    TupleType,
    Type,
    UnionType,
    display,
    from_type_expr,
    kind_of,
)
from flowlang.compiler.typesyntax import parse_type


def parse_declared(text: str | None) -> Type | None:
    """The type a declared-type string of a Program denotes; None for None (not declared)."""
    if text is None:
        return None
    expression, problems = parse_type(text)
    if expression is None:
        raise ValueError(f"the program declares a type that does not parse: {text!r} ({problems})")
    return from_type_expr(expression)


def mismatch(value: object, expected: Type, path: str) -> str | None:
    """The first way `value` fails to match `expected`, or None when it matches."""
    return next(_mismatches(value, expected, path), None)


def kind_name(value: object) -> str:
    """The §7.1 kind of a JSON value, as messages name it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def _mismatches(value: object, expected: Type, path: str) -> Iterator[str]:
    if expected is ANY:
        return
    match expected:
        case UnionType(members=members):
            yield from _union_mismatches(value, members, path)
        case PrimitiveType(name=name):
            if kind_name(value) != name:
                yield _expected(expected, value, path)
        case LiteralType():
            if not _equals_literal(value, expected):
                yield _expected(expected, value, path)
        case ArrayType(element=element):
            yield from _array_mismatches(value, element, path, expected)
        case TupleType(elements=elements):
            yield from _tuple_mismatches(value, elements, path, expected)
        case ObjectType():
            yield from _object_mismatches(value, expected, path)
        case _:  # promise and never types are not declarable in front matter
            yield _expected(expected, value, path)


def _union_mismatches(value: object, members: tuple[Type, ...], path: str) -> Iterator[str]:
    if any(mismatch(value, member, path) is None for member in members):
        return
    # One member of the value's kind: its problem is the precise one (a wrong field deep inside
    # the only object member), rather than "expected A | B".
    same_kind = [m for m in members if kind_of(m) == kind_name(value)]
    if len(same_kind) == 1 and not isinstance(same_kind[0], LiteralType):
        yield from _mismatches(value, same_kind[0], path)
    else:
        yield _expected(UnionType(members), value, path)


def _array_mismatches(value: object, element: Type, path: str, whole: Type) -> Iterator[str]:
    if not isinstance(value, list):
        yield _expected(whole, value, path)
        return
    for index, item in enumerate(value):
        yield from _mismatches(item, element, f"{path}[{index}]")


def _tuple_mismatches(
    value: object, elements: tuple[Type, ...], path: str, whole: Type
) -> Iterator[str]:
    if not isinstance(value, list):
        yield _expected(whole, value, path)
        return
    if len(value) != len(elements):
        yield f"{path}: expected {len(elements)} elements, got {len(value)}"
        return
    for index, (item, element) in enumerate(zip(value, elements, strict=True)):
        yield from _mismatches(item, element, f"{path}[{index}]")


def _object_mismatches(value: object, expected: ObjectType, path: str) -> Iterator[str]:
    if not isinstance(value, dict):
        yield _expected(expected, value, path)
        return
    declared = {field.name for field in expected.fields}
    for field in expected.fields:
        present = value.get(field.name)
        if present is None and field.optional:
            continue
        if field.name not in value:
            yield f"{_member(path, field.name)}: missing (expected {display(field.type)})"
            continue
        yield from _mismatches(present, field.type, _member(path, field.name))
    for key, item in value.items():
        if key in declared:
            continue
        if expected.index is None:
            yield f"{_member(path, key)}: unexpected key"
        else:
            yield from _mismatches(item, expected.index, _member(path, key))


def _equals_literal(value: object, literal: LiteralType) -> bool:
    if isinstance(value, bool) or isinstance(literal.value, bool):
        return value is literal.value
    return type(value) in (int, float, str) and value == literal.value


def _member(path: str, key: str) -> str:
    return f"{path}.{key}" if key.isidentifier() else f"{path}[{json.dumps(key)}]"


def _expected(expected: Type, value: object, path: str) -> str:
    got = kind_name(value)
    if isinstance(value, str | int | float | bool) and _mentions_literals(expected):
        got = f"{got} {json.dumps(value, ensure_ascii=False)}"
    return f"{path}: expected {display(expected)}, got {got}"


def _mentions_literals(expected: Type) -> bool:
    members = expected.members if isinstance(expected, UnionType) else (expected,)
    return any(isinstance(member, LiteralType) for member in members)
