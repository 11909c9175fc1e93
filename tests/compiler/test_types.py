"""The type algebra (LANGUAGE.md §4.3, §11.2–§11.4): union normal form, assignability, widening,
narrowing, reading, overlap and display."""

from __future__ import annotations

import pytest
from syrupy.assertion import SnapshotAssertion

from flowlang.compiler.types import (
    ANY,
    BOOLEAN,
    NEVER,
    NULL,
    NUMBER,
    OPEN_OBJECT,
    STRING,
    TRUE,
    Field,
    LiteralType,
    ObjectType,
    PromiseType,
    PropertyLookup,
    TupleType,
    Type,
    UnionType,
    awaited,
    contains_any,
    display,
    element_type,
    from_type_expr,
    index_type,
    is_assignable,
    is_promise,
    kinds,
    literal_of,
    may_be_promise,
    members,
    narrow_array,
    narrow_falsy,
    narrow_to_literal,
    narrow_truthy,
    narrow_typeof,
    overlaps,
    property_type,
    remove_null,
    union,
    widen,
    with_field,
    without_array,
    without_typeof,
)
from flowlang.compiler.typesyntax import parse_type


def t(text: str) -> Type:
    """A type from the notation of §4.2 (plus `never` and `Promise<T>`, which only the checker
    writes)."""
    if text == "never":
        return NEVER
    if text.startswith("Promise<") and text.endswith(">"):
        return PromiseType(t(text[len("Promise<") : -1]))
    expr, diagnostics = parse_type(text)
    assert expr is not None, diagnostics
    return from_type_expr(expr)


# -- union normal form


@pytest.mark.parametrize(
    ("parts", "expected"),
    [
        (["string", "number", "string"], "string | number"),
        (["string | number", "boolean | string"], "string | number | boolean"),
        (["string", "any"], "any"),
        (["never", "number"], "number"),
        (["never"], "never"),
        (['"a"', "string"], "string"),
        (["string", '"a"'], "string"),
        (['"a"', "number", "string"], "number | string"),
        (["1", "1", "2"], "1 | 2"),
        (["true", "false"], "boolean"),
        (["true", "null", "false"], "boolean | null"),
        (["true", "boolean"], "boolean"),
        (["true", "1"], "true | 1"),
        (["string[]", "string[]"], "string[]"),
        (["{ a: string }", "{ a: string }"], "{ a: string }"),
        (["{ a: string }", "{ a?: string }"], "{ a: string } | { a?: string }"),
    ],
)
def test_union_is_normal(parts: list[str], expected: str) -> None:
    assert display(union(*(t(p) for p in parts))) == expected


def test_union_of_nothing_is_never_and_of_one_is_itself() -> None:
    assert union() is NEVER
    assert union(STRING) == STRING
    assert isinstance(union(STRING, NUMBER), UnionType)


def test_literal_types_tell_booleans_from_numbers() -> None:
    assert LiteralType(True) != LiteralType(1)
    assert LiteralType(False) != LiteralType(0)
    assert LiteralType(1) == LiteralType(1.0)
    assert not is_assignable(LiteralType(True), LiteralType(1))


def test_literal_of_normalises_numbers() -> None:
    assert literal_of(None) == NULL
    assert literal_of(2.0) == LiteralType(2)
    assert isinstance(literal_of(2.0), LiteralType)
    assert type(literal_of(2.0).value) is int  # type: ignore[union-attr]
    assert type(literal_of(-0.0).value) is int  # type: ignore[union-attr]
    assert literal_of(1.5) == LiteralType(1.5)
    assert literal_of(True) == LiteralType(True)


# -- assignability (§11.2, one group per rule)


@pytest.mark.parametrize(
    ("source", "target", "expected"),
    [
        # `any` both ways, `never` below everything
        ("any", "string", True),
        ("{ a: number }", "any", True),
        ("never", "string", True),
        ("string", "never", False),
        # literals and primitives
        ('"pro"', "string", True),
        ("42", "number", True),
        ("-1", "number", True),
        ("true", "boolean", True),
        ('"1"', "number", False),
        ("1", "boolean", False),
        ("string", '"pro"', False),
        ('"a"', '"a"', True),
        ('"a"', '"b"', False),
        ("null", "string", False),
        ("null", "string | null", True),
        # unions
        ("string", "string | number", True),
        ('"a" | "b"', "string", True),
        ('"a" | 1', "string", False),
        ("string | number", "number | string | null", True),
        ("boolean", "true | false", True),
        # arrays are covariant, tuples elementwise, tuple <= array
        ('"a"[]', "string[]", True),
        ("string[]", '"a"[]', False),
        ("[string, number]", "[string, number]", True),
        ("[string, number]", "[string]", False),
        ("[1, 2]", "number[]", True),
        ('[1, "a"]', "number[]", False),
        ('[1, "a"]', "(number | string)[]", True),
        ("number[]", "[number]", False),
        ("[]", "string[]", True),
        # objects: required fields
        ("{ id: string, n: number }", "{ id: string }", False),
        ("{ id: string, n: number }", "{ id: string, [key: string]: any }", True),
        ("{ id: string }", "{ id: string, n: number }", False),
        ("{ id: string, n?: number }", "{ id: string, n: number }", False),
        ('{ id: "x" }', "{ id: string }", True),
        ("{ id: number }", "{ id: string }", False),
        # objects: optional target fields accept absent, null or T
        ("{}", "{ note?: string }", True),
        ("{ note: null }", "{ note?: string }", True),
        ("{ note: string }", "{ note?: string }", True),
        ("{ note?: string }", "{ note?: string }", True),
        ("{ note: number }", "{ note?: string }", False),
        # closed targets reject extra required fields, not extra optional ones
        ("{ a: string, extra: number }", "{ a: string }", False),
        ("{ a: string, extra?: number }", "{ a: string }", True),
        # open targets: extra fields hold the index type
        ("{ a: string, b: number }", "{ a: string, [key: string]: number }", True),
        ("{ a: string, b: string }", "{ a: string, [key: string]: number }", False),
        ("{ [key: string]: string }", "{ [key: string]: number }", False),
        ("{ [key: string]: number }", "{ [key: string]: number }", True),
        # an open source cannot promise a required field it does not list
        ("{ [key: string]: any }", "{ id: string }", False),
        ("{ [key: string]: any }", "{ id?: string }", True),
        # promises are covariant
        ("Promise<1>", "Promise<number>", True),
        ("Promise<string>", "Promise<number>", False),
        ("Promise<number>", "number", False),
        ("number", "Promise<number>", False),
    ],
)
def test_assignability(source: str, target: str, expected: bool) -> None:
    assert is_assignable(t(source), t(target)) is expected


# -- widening (§11.3)


@pytest.mark.parametrize(
    ("initializer", "variable"),
    [
        ('"a"', "string"),
        ("1", "number"),
        ("true", "boolean"),
        ("null", "any"),
        ("[]", "any[]"),
        ('[1, "a"]', "(number | string)[]"),
        ("[1, 2]", "number[]"),
        ("[[1], [2, 3]]", "number[][]"),
        ('{ a: 1, b: { c: "x" }, d?: true }', "{ a: number, b: { c: string }, d?: boolean }"),
        ("{ a: null }", "{ a: any }"),
        ('"a" | null', "string | null"),
        ('"a" | "b"', "string"),
        ("string[]", "string[]"),
        ("Promise<1>", "Promise<1>"),
        ("{ [key: string]: 1 }", "{ [key: string]: 1 }"),
    ],
)
def test_widen(initializer: str, variable: str) -> None:
    assert display(widen(t(initializer))) == variable


# -- narrowing (§11.4)


@pytest.mark.parametrize(
    ("function", "before", "after"),
    [
        (remove_null, "string | null", "string"),
        (remove_null, "null", "never"),
        (remove_null, "any", "any"),
        (narrow_truthy, 'string | null | false | 0 | ""', "string"),
        (narrow_truthy, "boolean | null", "true"),
        (narrow_truthy, "{ a: number } | null", "{ a: number }"),
        (narrow_truthy, "any", "any"),
        (narrow_falsy, "string | number | boolean | null", '"" | 0 | false | null'),
        (narrow_falsy, "{ a: number } | null", "null"),
        (narrow_falsy, "string[]", "never"),
        (narrow_falsy, '"a" | ""', '""'),
        (narrow_falsy, "any", "any"),
        (narrow_array, "string[] | [number] | string | null", "string[] | [number]"),
        (narrow_array, "any", "any[]"),
        (without_array, "string[] | string | null", "string | null"),
        (without_array, "any", "any"),
    ],
)
def test_narrowing(function: object, before: str, after: str) -> None:
    assert display(function(t(before))) == after  # type: ignore[operator]


_EVERY_KIND = '"a" | number | null | number[] | { a: 1 } | Promise<number> | true'


@pytest.mark.parametrize(
    ("kind", "narrowed", "rest"),
    [
        ("string", '"a"', "number | null | number[] | { a: 1 } | Promise<number> | true"),
        ("number", "number", '"a" | null | number[] | { a: 1 } | Promise<number> | true'),
        ("boolean", "true", '"a" | number | null | number[] | { a: 1 } | Promise<number>'),
        ("object", "null | number[] | { a: 1 } | Promise<number>", '"a" | number | true'),
        ("undefined", "never", _EVERY_KIND),
    ],
)
def test_typeof_narrowing(kind: str, narrowed: str, rest: str) -> None:
    before = union(t('"a" | number | null | number[] | { a: 1 }'), PromiseType(NUMBER), TRUE)
    assert display(before) == _EVERY_KIND
    assert display(narrow_typeof(before, kind)) == narrowed
    assert display(without_typeof(before, kind)) == rest


def test_typeof_narrows_any_to_the_primitive() -> None:
    assert narrow_typeof(ANY, "string") == STRING
    assert narrow_typeof(ANY, "object") is ANY
    assert narrow_typeof(ANY, "undefined") is NEVER
    assert without_typeof(ANY, "string") is ANY


@pytest.mark.parametrize(
    ("before", "literal", "after"),
    [
        ("string | null", '"a"', '"a"'),
        ('"a" | "b"', '"b"', '"b"'),
        ('"a" | "b"', '"c"', "never"),
        ("number", '"1"', "never"),
        ("any", "3", "3"),
        ("string | null", "null", "null"),
    ],
)
def test_narrow_to_literal(before: str, literal: str, after: str) -> None:
    assert display(narrow_to_literal(t(before), t(literal))) == after


# -- kinds and promises


def test_kinds() -> None:
    assert kinds(ANY) is None
    assert kinds(NEVER) == frozenset()
    assert kinds(t('"a" | 1 | true | null | [1] | string[] | {}')) == {
        "string",
        "number",
        "boolean",
        "null",
        "array",
        "object",
    }
    assert kinds(PromiseType(ANY)) == {"promise"}


def test_members_and_any() -> None:
    assert members(t("string | null")) == (STRING, NULL)
    assert members(STRING) == (STRING,)
    assert contains_any(ANY)
    assert not contains_any(t("string | null"))


def test_promises() -> None:
    both = union(PromiseType(NUMBER), PromiseType(STRING))
    mixed = union(PromiseType(NUMBER), NULL)
    assert is_promise(both) and may_be_promise(both)
    assert not is_promise(mixed) and may_be_promise(mixed)
    assert not is_promise(ANY) and not may_be_promise(ANY)
    assert not is_promise(NEVER)
    assert display(awaited(both)) == "number | string"
    assert display(awaited(mixed)) == "number | null"
    assert awaited(NUMBER) == NUMBER
    assert awaited(ANY) is ANY


# -- reading (§7.11, §11.3)


def test_property_of_a_closed_object() -> None:
    obj = t("{ id: string, note?: string }")
    assert property_type(obj, "id") == PropertyLookup(STRING, (), False)
    assert display(property_type(obj, "note").type) == "string | null"
    missing = property_type(obj, "nope")
    assert missing.type == NULL and missing.missing_on == (obj,) and not missing.null_base


def test_property_of_an_open_object_is_its_index_type() -> None:
    assert property_type(t("{ id: string, [key: string]: number }"), "x").type == NUMBER
    assert property_type(OPEN_OBJECT, "x") == PropertyLookup(ANY, (), False)


def test_property_on_a_union_unions_the_members_that_have_it() -> None:
    a, b = t("{ kind: 1, a: string }"), t("{ kind: 2 }")
    lookup = property_type(union(a, b), "a")
    assert display(lookup.type) == "string | null"
    assert lookup.missing_on == (b,)


def test_property_of_null_throws_and_is_missing() -> None:
    lookup = property_type(t("string | null"), "length")
    assert lookup.type == NUMBER and lookup.null_base and lookup.missing_on == (NULL,)
    only_null = property_type(NULL, "x")
    assert only_null.type is NEVER and only_null.missing_on == (NULL,) and only_null.null_base


@pytest.mark.parametrize(
    ("base", "name", "value", "missing"),
    [
        ("string", "length", "number", False),
        ('"abc"', "0", "string", False),
        ("string", "toUppercase", "null", True),
        ("number[]", "length", "number", False),
        ("number[]", "2", "number", False),
        ("number[]", "02", "null", True),
        ("number[]", "map", "null", True),
        ("[string, number]", "1", "number", False),
        ("[string, number]", "2", "null", False),
        ("[string, number]", "length", "number", False),
        ("number", "x", "null", True),
        ("boolean", "x", "null", True),
        ("Promise<number>", "value", "null", True),
    ],
)
def test_property_of_other_kinds(base: str, name: str, value: str, missing: bool) -> None:
    lookup = property_type(t(base), name)
    assert display(lookup.type) == value
    assert bool(lookup.missing_on) is missing


def test_property_of_any_is_any() -> None:
    assert property_type(ANY, "x") == PropertyLookup(ANY, (), False)


@pytest.mark.parametrize(
    ("base", "key", "value"),
    [
        ("string[]", "number", "string"),
        ("string[]", "0", "string"),
        ("string[]", '"length"', "number"),
        ("[string, number]", "1", "number"),
        ("[string, number]", "5", "null"),
        ("[string, number]", "number", "string | number"),
        ("{ a: string, b?: number }", '"a"', "string"),
        ("{ a: string, b?: number }", "string", "string | number | null"),
        ("{ a: string, [key: string]: boolean }", "string", "string | boolean"),
        ("{ a: string, [key: string]: boolean }", '"zz"', "boolean"),
        ("string", "number", "string"),
        ("number", "number", "null"),
        ("string[] | null", "number", "string"),
        ("any", "number", "any"),
        ("string[]", "any", "any"),
    ],
)
def test_index_type(base: str, key: str, value: str) -> None:
    assert display(index_type(t(base), t(key))) == value


@pytest.mark.parametrize(
    ("iterable", "element"),
    [
        ("string[]", "string"),
        ('[1, "a"]', '1 | "a"'),
        ("string", "string"),
        ('"abc"', "string"),
        ("number[] | null", "number"),
        ("any", "any"),
    ],
)
def test_element_type(iterable: str, element: str) -> None:
    found = element_type(t(iterable))
    assert found is not None and display(found) == element


@pytest.mark.parametrize("not_iterable", ["number", "{ a: 1 }", "null", "Promise<string[]>"])
def test_no_element_type(not_iterable: str) -> None:
    assert element_type(t(not_iterable)) is None


def test_with_field_replaces_in_place_or_appends() -> None:
    obj = t("{ a?: string, b: number }")
    assert isinstance(obj, ObjectType)
    assert display(with_field(obj, "a", NUMBER)) == "{ a: number, b: number }"
    assert display(with_field(obj, "c", BOOLEAN)) == "{ a?: string, b: number, c: boolean }"


# -- overlap (FLOW403)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [
        ("number", '"3"', False),
        ("number", "3", True),
        ('"a" | "b"', '"c"', False),
        ('"a" | "b"', '"b"', True),
        ("string | null", "null", True),
        ("string", "null", False),
        ("[1, 2]", "[1]", False),
        ("number[]", "[1]", True),
        ("{ a: 1 }", "{ b: 2 }", True),
        ("any", "string", True),
        ("never", "string", False),
        ("true", "1", False),
    ],
)
def test_overlaps(a: str, b: str, expected: bool) -> None:
    assert overlaps(t(a), t(b)) is expected


# -- display


def test_display(snapshot: SnapshotAssertion) -> None:
    many = ObjectType(tuple(Field(name, STRING) for name in "abcdefgh"))
    shown = [
        display(t("{ id: string, tags?: string[] }")),
        display(t("(string | number)[]")),
        display(t("'a' | 'b'")),
        display(PromiseType(NUMBER)),
        display(t("[string, number]")),
        display(NEVER),
        display(ANY),
        display(OPEN_OBJECT),
        display(t("{}")),
        display(t("{ id: string, [key: string]: number }")),
        display(t("{ 'my-key': 1, class: 2 }")),
        display(many),
        display(t("1e21 | 1.5e-10 | 0.000001 | -2 | 123.456")),
        display(t("'say \"hi\"\\n'")),
        display(t("((string | null)[] | number)[]")),
        display(PromiseType(union(NUMBER, NULL))),
    ]
    assert "\n".join(shown) == snapshot


# -- depth


def test_types_deeper_than_the_recursion_limit_do_not_raise() -> None:
    deep: Type = NUMBER
    other: Type = NUMBER
    for _ in range(3000):
        deep = TupleType((deep, LiteralType(1)))
        other = TupleType((other, LiteralType(1)))
    assert display(widen(deep)).startswith("(((")
    assert is_assignable(deep, other) and overlaps(deep, other)
    assert union(deep, other, deep) is not None
    assert element_type(deep) is not None
    assert display(deep).startswith("[[[[")
    nested_expr, _ = parse_type("string" + "[]" * 3000)
    assert nested_expr is not None
    assert display(from_type_expr(nested_expr)).endswith("[][]")
