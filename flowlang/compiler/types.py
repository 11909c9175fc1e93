"""The checker's type algebra (LANGUAGE.md §4.3, §11.2–§11.4): structural, gradual, closed or
open object types, literal types, `Promise<T>` and `never`, and the operations on them.

Import everything from here. The algebra is split by concept so that each part stays readable:

- `types_model` — the frozen type values and the normal form of unions (`union()`), literal
  types, kinds and promises;
- `types_ops` — assignability (§11.2), `let` widening (§11.3), narrowing (§11.4) and overlap;
- `types_access` — property, index and element types (§7.11), path assignment;
- `types_display` — the notation of §4 for messages and hovers.

Types are frozen values; build unions only through `union()`, which keeps them normal, so that
equal types compare equal.
"""

from __future__ import annotations

from flowlang.compiler.types_access import (
    PropertyLookup,
    element_type,
    index_type,
    property_type,
    with_field,
)
from flowlang.compiler.types_display import MAX_DISPLAYED_FIELDS, display
from flowlang.compiler.types_model import (
    ANY,
    BOOLEAN,
    FALSE,
    MAX_DEPTH,
    NEVER,
    NULL,
    NUMBER,
    OPEN_OBJECT,
    STRING,
    TRUE,
    AnyType,
    ArrayType,
    Field,
    Kind,
    LiteralType,
    NeverType,
    ObjectType,
    PrimitiveName,
    PrimitiveType,
    PromiseType,
    TupleType,
    Type,
    UnionType,
    awaited,
    contains_any,
    from_type_expr,
    is_promise,
    kind_of,
    kinds,
    literal_of,
    may_be_promise,
    members,
    primitive_of,
    union,
)
from flowlang.compiler.types_ops import (
    is_assignable,
    narrow_array,
    narrow_falsy,
    narrow_to_literal,
    narrow_truthy,
    narrow_typeof,
    overlaps,
    remove_null,
    widen,
    without_array,
    without_typeof,
)

__all__ = [
    "ANY",
    "BOOLEAN",
    "FALSE",
    "MAX_DEPTH",
    "MAX_DISPLAYED_FIELDS",
    "NEVER",
    "NULL",
    "NUMBER",
    "OPEN_OBJECT",
    "STRING",
    "TRUE",
    "AnyType",
    "ArrayType",
    "Field",
    "Kind",
    "LiteralType",
    "NeverType",
    "ObjectType",
    "PrimitiveName",
    "PrimitiveType",
    "PromiseType",
    "PropertyLookup",
    "TupleType",
    "Type",
    "UnionType",
    "awaited",
    "contains_any",
    "display",
    "element_type",
    "from_type_expr",
    "index_type",
    "is_assignable",
    "is_promise",
    "kind_of",
    "kinds",
    "literal_of",
    "may_be_promise",
    "members",
    "narrow_array",
    "narrow_falsy",
    "narrow_to_literal",
    "narrow_truthy",
    "narrow_typeof",
    "overlaps",
    "primitive_of",
    "property_type",
    "remove_null",
    "union",
    "widen",
    "with_field",
    "without_array",
    "without_typeof",
]
