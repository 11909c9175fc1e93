"""JSON Schema to checker types (LANGUAGE.md §11.5): how the task catalog's input and result
schemas become `Type`s.

The mapping follows the table of §11.5 exactly and is total: any JSON value maps to a type
without raising, and whatever the table does not cover (`allOf`, `not`, `if`, `{}`, `true`, a
reference that cannot be followed) is `any`, which checks nothing. So a schema the generator
got wrong can only make checking weaker, never report an error in a correct workflow.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from flowlang.compiler.types import (
    ANY,
    BOOLEAN,
    MAX_DEPTH,
    NULL,
    NUMBER,
    STRING,
    ArrayType,
    Field,
    ObjectType,
    TupleType,
    Type,
    literal_of,
    union,
)

_PRIMITIVES: dict[str, Type] = {
    "string": STRING,
    "number": NUMBER,
    "integer": NUMBER,
    "boolean": BOOLEAN,
    "null": NULL,
}
_REFERENCE_ROOTS = ("$defs", "definitions")

# Schemas whose references fan out (`A` uses `B` twice, `B` uses `C` twice, ...) expand
# exponentially; past this many schema nodes the rest maps to `any`.
_NODE_BUDGET = 10_000


def type_from_schema(schema: object, *, root: Mapping[str, Any] | None = None) -> Type:
    """The type of the values `schema` describes (§11.5). `$ref`s to `#/$defs/…` or
    `#/definitions/…` resolve against `root` (by default `schema` itself); a reference to a
    schema it is already inside of (a recursive type) is `any`."""
    if root is None and isinstance(schema, Mapping):
        root = schema
    return _Mapper(root or {}).map(schema, 0)


class _Mapper:
    def __init__(self, root: Mapping[str, Any]) -> None:
        self.root = root
        self.following: set[str] = set()  # the references being expanded, to stop recursion
        self.budget = _NODE_BUDGET

    def map(self, schema: object, depth: int) -> Type:
        self.budget -= 1
        if not isinstance(schema, Mapping) or depth > MAX_DEPTH or self.budget < 0:
            return ANY
        depth += 1
        if "$ref" in schema:
            return self.reference(schema["$ref"], depth)
        if "const" in schema:
            return _literal(schema["const"])
        if "enum" in schema:
            return _enum(schema["enum"])
        for keyword in ("anyOf", "oneOf"):
            if keyword in schema:
                return self.alternatives(schema[keyword], depth)
        declared = schema.get("type")
        if isinstance(declared, list):
            return (
                union(*(self.typed(schema, name, depth) for name in declared)) if declared else ANY
            )
        return self.typed(schema, declared, depth)

    def typed(self, schema: Mapping[str, Any], name: object, depth: int) -> Type:
        if name == "array":
            return self.array_type(schema, depth)
        if name == "object":
            return self.object_type(schema, depth)
        return _PRIMITIVES.get(name, ANY) if isinstance(name, str) else ANY

    def alternatives(self, options: object, depth: int) -> Type:
        if not isinstance(options, list) or not options:
            return ANY
        return union(*(self.map(option, depth) for option in options))

    def array_type(self, schema: Mapping[str, Any], depth: int) -> Type:
        elements = schema.get("prefixItems")
        items = schema.get("items")
        if isinstance(items, list) and elements is None:
            elements = items  # drafts before 2020-12 wrote tuples as `items: [...]`
        if isinstance(elements, list):
            return TupleType(tuple(self.map(element, depth) for element in elements))
        return ArrayType(self.map(items, depth))

    def object_type(self, schema: Mapping[str, Any], depth: int) -> Type:
        properties = schema.get("properties")
        required = schema.get("required")
        required_names = (
            {r for r in required if isinstance(r, str)} if isinstance(required, list) else set()
        )
        fields: tuple[Field, ...] = ()
        if isinstance(properties, Mapping):
            fields = tuple(
                Field(name, self.map(value, depth), optional=name not in required_names)
                for name, value in properties.items()
                if isinstance(name, str)
            )
        extra = schema.get("additionalProperties", True)
        if extra is False:
            return ObjectType(fields)
        return ObjectType(fields, self.map(extra, depth))

    def reference(self, reference: object, depth: int) -> Type:
        if not isinstance(reference, str) or reference in self.following:
            return ANY
        target = self.resolve(reference)
        if target is None:
            return ANY
        self.following.add(reference)
        try:
            return self.map(target, depth)
        finally:
            self.following.discard(reference)

    def resolve(self, reference: str) -> object | None:
        """The schema a local JSON pointer into `$defs` or `definitions` names, or None."""
        path = reference.removeprefix("#/").split("/")
        if reference == path[0] or path[0] not in _REFERENCE_ROOTS:
            return None
        node: object = self.root
        for part in path:
            key = part.replace("~1", "/").replace("~0", "~")
            if isinstance(node, Mapping):
                node = node.get(key)
            elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
                node = node[int(key)]
            else:
                return None
        return node


def _literal(value: object) -> Type:
    if isinstance(value, float) and not math.isfinite(value):
        return ANY  # not a value of the language (§7.3)
    if value is None or isinstance(value, str | bool | int | float):
        return literal_of(value)
    return ANY  # an array or object constant: no literal type denotes it


def _enum(values: object) -> Type:
    if not isinstance(values, list) or not values:
        return ANY
    return union(*(_literal(value) for value in values))
