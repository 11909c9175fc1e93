"""The declared types of a program's envelope (`types`), written in the notation of
LANGUAGE.md §4.2 so that the runtime parses them back with `parse_type` and checks inputs and
signal payloads with the meaning the checker gave them (§4.5).

The checker's `display()` is for messages and abbreviates large objects; this text never
abbreviates: it is the declaration, not a summary of it.
"""

from __future__ import annotations

import json
import re

from flowlang.compiler.frontmatter import FrontMatter
from flowlang.compiler.literals import number_key
from flowlang.compiler.typesyntax import (
    ArrayType,
    LiteralType,
    ObjectType,
    PrimitiveType,
    TupleType,
    TypeExpr,
    UnionType,
)

_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*\Z")


def declared_types(front_matter: FrontMatter) -> dict[str, object]:
    """`{"inputs": T | None, "output": T | None, "signals": {name: T} | None}`."""
    signals = front_matter.signals
    return {
        "inputs": None if front_matter.inputs is None else type_text(front_matter.inputs),
        "output": None if front_matter.output is None else type_text(front_matter.output),
        "signals": None if signals is None else {k: type_text(v) for k, v in signals.items()},
    }


def type_text(expression: TypeExpr) -> str:
    """`expression` written out in full in the §4.2 notation (nesting is at most
    `typesyntax.MAX_NESTING` deep, so recursion is bounded)."""
    match expression:
        case PrimitiveType(name=name):
            return name
        case LiteralType(value=value):
            return _literal_text(value)
        case ArrayType(element=element):
            text = type_text(element)
            return f"({text})[]" if isinstance(element, UnionType) else f"{text}[]"
        case TupleType(elements=elements):
            return "[" + ", ".join(type_text(e) for e in elements) + "]"
        case ObjectType(fields=fields, index=index):
            parts = [
                f"{_field_name(f.name)}{'?' if f.optional else ''}: {type_text(f.type)}"
                for f in fields
            ]
            if index is not None:
                parts.append(f"[{index.key}: string]: {type_text(index.value)}")
            return "{ " + ", ".join(parts) + " }" if parts else "{}"
        case UnionType(members=members):
            return " | ".join(type_text(m) for m in members)


def _literal_text(value: str | int | float | bool) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    return number_key(value)


def _field_name(name: str) -> str:
    return name if _IDENTIFIER.match(name) else json.dumps(name, ensure_ascii=False)
