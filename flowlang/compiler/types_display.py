"""Types written out in the notation of LANGUAGE.md §4, as diagnostics and hovers show them."""

from __future__ import annotations

import json
import re

from flowlang.compiler.literals import number_key
from flowlang.compiler.types_model import (
    MAX_DEPTH,
    AnyType,
    ArrayType,
    LiteralType,
    NeverType,
    ObjectType,
    PrimitiveType,
    PromiseType,
    TupleType,
    Type,
    UnionType,
)

# Past this many fields an object type is shown as `{ a: string, ... }`: messages stay one line.
MAX_DISPLAYED_FIELDS = 6

_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*\Z")


def display(t: Type) -> str:
    """`t` in the notation of §4, as messages and hovers show it: `{ id: string, tags?:
    string[] }`, `(string | number)[]`, `"a" | "b"`, `Promise<number>`."""
    return _display(t, 0)


def _display(t: Type, depth: int) -> str:
    if depth > MAX_DEPTH:
        return "..."
    depth += 1
    match t:
        case AnyType():
            return "any"
        case NeverType():
            return "never"
        case PrimitiveType(name=name):
            return name
        case LiteralType(value=value):
            return _display_literal(value)
        case ArrayType(element=element):
            text = _display(element, depth)
            return f"({text})[]" if isinstance(element, UnionType) else f"{text}[]"
        case TupleType(elements=elements):
            return "[" + ", ".join(_display(e, depth) for e in elements) + "]"
        case ObjectType():
            return _display_object(t, depth)
        case UnionType(members=union_members):
            return " | ".join(_display(m, depth) for m in union_members)
        case PromiseType(value=value):
            return f"Promise<{_display(value, depth)}>"


def _display_literal(value: str | int | float | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return number_key(value)


def _display_object(t: ObjectType, depth: int) -> str:
    parts = [
        f"{_display_name(f.name)}{'?' if f.optional else ''}: {_display(f.type, depth)}"
        for f in t.fields[:MAX_DISPLAYED_FIELDS]
    ]
    if len(t.fields) > MAX_DISPLAYED_FIELDS:
        parts.append("...")
    elif t.index is not None:
        parts.append(f"[key: string]: {_display(t.index, depth)}")
    return "{ " + ", ".join(parts) + " }" if parts else "{}"


def _display_name(name: str) -> str:
    return name if _IDENTIFIER.match(name) else json.dumps(name, ensure_ascii=False)
