"""JSON Schema to types (LANGUAGE.md §11.5): one test per row of the table, the schemas pydantic
writes, and that no JSON value makes the mapping raise."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flowlang.compiler.schema import type_from_schema
from flowlang.compiler.types import ANY, Type, display


def shown(schema: object, root: dict[str, Any] | None = None) -> str:
    return display(type_from_schema(schema, root=root))


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        # `"type": "string"` / `"number"` or `"integer"` / `"boolean"` / `"null"`
        ({"type": "string"}, "string"),
        ({"type": "number"}, "number"),
        ({"type": "integer"}, "number"),
        ({"type": "boolean"}, "boolean"),
        ({"type": "null"}, "null"),
        # `"type": [...]`, `anyOf`, `oneOf`: union
        ({"type": ["string", "null"]}, "string | null"),
        ({"anyOf": [{"type": "integer"}, {"type": "string"}]}, "number | string"),
        ({"oneOf": [{"type": "boolean"}, {"type": "null"}]}, "boolean | null"),
        # `enum`, `const`: literal types
        ({"enum": ["fast", "safe"]}, '"fast" | "safe"'),
        ({"enum": [1, 2.5, True, None]}, "1 | 2.5 | true | null"),
        ({"const": "pro"}, '"pro"'),
        ({"const": 3.0}, "3"),
        ({"type": "string", "enum": ["a"]}, '"a"'),
        # arrays with `items`; with `prefixItems`
        ({"type": "array", "items": {"type": "string"}}, "string[]"),
        ({"type": "array"}, "any[]"),
        (
            {"type": "array", "prefixItems": [{"type": "string"}, {"type": "number"}]},
            "[string, number]",
        ),
        ({"type": "array", "items": [{"type": "string"}]}, "[string]"),
        # objects with `properties` and `required`; `additionalProperties`
        (
            {
                "type": "object",
                "properties": {"to": {"type": "string"}, "cc": {"type": "string"}},
                "required": ["to"],
                "additionalProperties": False,
            },
            "{ to: string, cc?: string }",
        ),
        (
            {"type": "object", "properties": {"to": {"type": "string"}}, "required": ["to"]},
            "{ to: string, [key: string]: any }",
        ),
        (
            {"type": "object", "properties": {}, "additionalProperties": True},
            "{ [key: string]: any }",
        ),
        (
            {"type": "object", "additionalProperties": {"type": "number"}},
            "{ [key: string]: number }",
        ),
        ({"type": "object"}, "{ [key: string]: any }"),
        # anything else: `any`
        ({"allOf": [{"type": "string"}]}, "any"),
        ({"not": {"type": "string"}}, "any"),
        ({"if": {"type": "string"}, "then": {}}, "any"),
        ({}, "any"),
        (True, "any"),
        (False, "any"),
        ({"type": "date"}, "any"),
        ({"type": []}, "any"),
        ({"enum": []}, "any"),
        ({"const": [1, 2]}, "any"),
        ({"enum": ["a", {"b": 1}]}, "any"),
        ({"anyOf": []}, "any"),
        ({"type": ["string", "thing"]}, "any"),
        (
            {"type": "object", "properties": {"a": {}}, "required": [["a"], {}]},
            "{ a?: any, [key: string]: any }",
        ),
        ({"type": "object", "properties": [], "required": "a"}, "{ [key: string]: any }"),
    ],
)
def test_table_of_section_11_5(schema: object, expected: str) -> None:
    assert shown(schema) == expected


def test_references_resolve_against_the_root() -> None:
    schema = {
        "$defs": {"Tag": {"enum": ["a", "b"]}},
        "definitions": {"Old": {"type": "integer"}},
        "type": "object",
        "properties": {
            "tags": {"type": "array", "items": {"$ref": "#/$defs/Tag"}},
            "n": {"$ref": "#/definitions/Old"},
        },
        "required": ["tags", "n"],
        "additionalProperties": False,
    }
    assert shown(schema) == '{ tags: ("a" | "b")[], n: number }'


def test_a_reference_may_be_resolved_against_another_root() -> None:
    root = {"$defs": {"Id": {"type": "string"}}}
    assert shown({"$ref": "#/$defs/Id"}, root=root) == "string"


def test_json_pointer_escapes() -> None:
    root = {"$defs": {"a/b": {"type": "string"}, "c~d": {"type": "number"}}}
    assert shown({"$ref": "#/$defs/a~1b"}, root=root) == "string"
    assert shown({"$ref": "#/$defs/c~0d"}, root=root) == "number"


@pytest.mark.parametrize(
    "reference",
    ["#/$defs/Missing", "#/properties/x", "other.json#/$defs/Id", "#", "", 42, "#/$defs/Id/x/9"],
)
def test_references_that_cannot_be_followed_are_any(reference: object) -> None:
    root = {"$defs": {"Id": {"type": "string"}}, "properties": {"x": {"type": "string"}}}
    assert type_from_schema({"$ref": reference}, root=root) is ANY


def test_a_recursive_reference_is_any() -> None:
    schema = {
        "$defs": {
            "Node": {
                "type": "object",
                "properties": {"children": {"type": "array", "items": {"$ref": "#/$defs/Node"}}},
                "required": ["children"],
                "additionalProperties": False,
            }
        },
        "$ref": "#/$defs/Node",
    }
    assert shown(schema) == "{ children: any[] }"


def test_mutually_recursive_references_are_any() -> None:
    schema = {
        "$defs": {"A": {"$ref": "#/$defs/B"}, "B": {"$ref": "#/$defs/A"}},
        "$ref": "#/$defs/A",
    }
    assert type_from_schema(schema) is ANY


def test_references_that_fan_out_exponentially_stay_bounded() -> None:
    defs = {f"D{i}": {"type": "array", "prefixItems": [{"$ref": f"#/$defs/D{i + 1}"}] * 2}
            for i in range(40)}  # fmt: skip
    defs["D40"] = {"type": "string"}
    assert type_from_schema({"$defs": defs, "$ref": "#/$defs/D0"}) is not None


def test_a_pydantic_model_schema() -> None:
    # What pydantic 2 writes for `class Email(BaseModel, extra="forbid")` with an Optional,
    # a Literal, a nested model and a list.
    schema = {
        "$defs": {
            "Address": {
                "additionalProperties": False,
                "properties": {"email": {"title": "Email", "type": "string"}},
                "required": ["email"],
                "title": "Address",
                "type": "object",
            }
        },
        "additionalProperties": False,
        "properties": {
            "to": {"$ref": "#/$defs/Address"},
            "cc": {"items": {"$ref": "#/$defs/Address"}, "title": "Cc", "type": "array"},
            "note": {"anyOf": [{"type": "string"}, {"type": "null"}], "default": None},
            "mode": {"enum": ["fast", "safe"], "title": "Mode", "type": "string"},
        },
        "required": ["to", "cc", "mode"],
        "title": "Email",
        "type": "object",
    }
    assert shown(schema) == (
        '{ to: { email: string }, cc: { email: string }[], note?: string | null, mode: "fast" | '
        '"safe" }'
    )


def test_deep_schemas_do_not_raise() -> None:
    schema: dict[str, Any] = {"type": "string"}
    for _ in range(5000):
        schema = {"type": "array", "items": schema}
    assert display(type_from_schema(schema)).endswith("[]")


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True)
    | st.text(max_size=8)
    | st.sampled_from(["string", "object", "array", "#/$defs/a", "#/definitions/b", "#"]),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(
        st.sampled_from(
            [
                "type", "items", "prefixItems", "properties", "required", "enum", "const",
                "anyOf", "oneOf", "allOf", "additionalProperties", "$ref", "$defs",
                "definitions", "a", "b",
            ]
        ) | st.text(max_size=4),
        children,
        max_size=5,
    ),
    max_leaves=30,
)  # fmt: skip


@given(json_values, json_values)
def test_never_raises_on_any_json_value(schema: object, root: object) -> None:
    result: Type = type_from_schema(schema, root=root if isinstance(root, dict) else None)
    assert isinstance(display(result), str)
