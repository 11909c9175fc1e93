"""Value semantics (LANGUAGE.md §7, §8.6, §10.8): operators, conversions, equality, property
access, iteration, destructuring, limits and snapshot encoding, table by table."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rhythm import values as v
from rhythm.values import FlowError, PromiseRef

P = PromiseRef(0)


def raises(message: str, type_: str = "TypeError") -> object:
    """A marker for an expected error object."""
    return {"type": type_, "message": message}


def outcome(function: object, *args: object) -> object:
    try:
        return function(*args)  # type: ignore[operator]
    except FlowError as problem:
        return problem.error


def same(a: object, b: object) -> bool:
    """Equal and of the same Python types throughout (`1` is not `1.0`, `True` is not `1`)."""
    return json.dumps(a) == json.dumps(b) and type(a) is type(b)


@pytest.mark.parametrize(
    ("op", "a", "b", "expected"),
    [
        ("+", 1, 2, 3),
        ("+", 0.1, 0.2, 0.30000000000000004),
        ("+", 0.5, 0.5, 1),
        ("+", 2**53, 1, 2**53),
        ("+", 2**53, 2, float(2**53 + 2)),
        ("+", "a", 1, "a1"),
        ("+", 1.5, "x", "1.5x"),
        ("+", "n", None, "nnull"),
        ("+", "", [1, {"a": True}], '[1,{"a":true}]'),
        ("+", 1, True, raises("Operator '+' cannot be applied to number and boolean")),
        ("+", None, None, raises("Operator '+' cannot be applied to null and null")),
        ("+", "x", P, raises("Cannot convert a promise to a string")),
        ("-", 5, 7, -2),
        ("-", 0.5, 0.5, 0),
        ("-", "5", 1, raises("Operator '-' cannot be applied to string and number")),
        ("*", 3, 4, 12),
        ("*", -0.0, 5, 0),
        ("*", 1e308, 10, raises("Result of * is not a finite number", "RangeError")),
        ("*", [], 1, raises("Operator '*' cannot be applied to array and number")),
        ("/", 6, 3, 2),
        ("/", 7, 2, 3.5),
        ("/", -7, 7, -1),
        ("/", 0, -5, 0),
        ("/", 1, 3, 1 / 3),
        ("/", 1, 0, raises("Division by zero", "RangeError")),
        ("/", 1.5, 0.0, raises("Division by zero", "RangeError")),
        ("/", 1e308, 1e-10, raises("Result of / is not a finite number", "RangeError")),
        ("%", -7, 3, -1),
        ("%", 7, -3, 1),
        ("%", 7.5, 2, 1.5),
        ("%", -4, 2, 0),
        ("%", 5, 0, raises("Division by zero", "RangeError")),
        ("%", {}, 2, raises("Operator '%' cannot be applied to object and number")),
        ("<", 1, 2, True),
        ("<", "B", "a", True),
        ("<", "\uffff", "😀", True),  # code point order, not UTF-16 code unit order
        (">=", 2, 2.0, True),
        ("<=", "a", 1, raises("Operator '<=' cannot be applied to string and number")),
        (">", None, 1, raises("Operator '>' cannot be applied to null and number")),
        ("==", 1, 1.0, True),
        ("==", 1, "1", False),
        ("===", True, 1, False),
        ("!=", [1, [2]], [1, [2]], False),
        ("!==", {"a": 1, "b": 2}, {"b": 2, "a": 1}, False),
        ("==", {"a": None}, {"b": None}, False),
        ("==", P, PromiseRef(0), True),
        ("==", P, PromiseRef(1), False),
        ("==", [True], [1], False),
    ],
)
def test_binary_operators_follow_section_7_10(
    op: str, a: object, b: object, expected: object
) -> None:
    result = outcome(v.BINARY_OPERATORS[op], a, b)
    assert result == expected
    assert same(result, expected) or isinstance(expected, dict)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0, "0"),
        (-5, "-5"),
        (1.5, "1.5"),
        (-1.5, "-1.5"),
        (123.456, "123.456"),
        (0.000001, "0.000001"),
        (1e-7, "1e-7"),
        (1.5e-10, "1.5e-10"),
        (1e20, "100000000000000000000"),
        (1e21, "1e+21"),
        (1.5e25, "1.5e+25"),
        (float(2**53 + 2), "9007199254740994"),
        (0.1 + 0.2, "0.30000000000000004"),
        (None, "null"),
        (True, "true"),
        ("héllo", "héllo"),
        ([1, "a", None, 2.5], '[1,"a",null,2.5]'),
        ({"b": 1, "a": [{}]}, '{"b":1,"a":[{}]}'),
        ({"q": '"\n\u0001'}, '{"q":"\\"\\n\\u0001"}'),
        (P, raises("Cannot convert a promise to a string")),
        ([P], raises("Cannot serialize a promise")),
    ],
)
def test_to_string_is_section_7_8(value: object, expected: object) -> None:
    assert outcome(v.to_string, value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, 0),
        (True, 1),
        (False, 0),
        (2.5, 2.5),
        ("", 0),
        ("  \n", 0),
        (" 12.5 ", 12.5),
        ("1.", 1),
        (".5", 0.5),
        ("-2e3", -2000),
        ("+7", 7),
        ("0x1F", 31),
        ("0o17", 15),
        ("0B101", 5),
        ("\u00a012\ufeff", 12),
        ("1e400", raises('Cannot convert "1e400" to a number', "RangeError")),
        ("Infinity", raises('Cannot convert "Infinity" to a number', "RangeError")),
        ("-0x1", raises('Cannot convert "-0x1" to a number', "RangeError")),
        ("1_000", raises('Cannot convert "1_000" to a number', "RangeError")),
        ("12px", raises('Cannot convert "12px" to a number', "RangeError")),
        ([], raises("Cannot convert array to a number")),
        (P, raises("Cannot convert promise to a number")),
    ],
)
def test_to_number_is_section_7_9(value: object, expected: object) -> None:
    result = outcome(v.to_number, value)
    assert result == expected and (isinstance(expected, dict) or same(result, expected))


@pytest.mark.parametrize(
    ("value", "truthy", "typeof", "kind"),
    [
        (None, False, "object", "null"),
        (False, False, "boolean", "boolean"),
        (True, True, "boolean", "boolean"),
        (0, False, "number", "number"),
        (0.5, True, "number", "number"),
        ("", False, "string", "string"),
        ("0", True, "string", "string"),
        ("false", True, "string", "string"),
        ([], True, "object", "array"),
        ({}, True, "object", "object"),
        (P, True, "object", "promise"),
    ],
)
def test_truthiness_typeof_and_kinds(value: object, truthy: bool, typeof: str, kind: str) -> None:
    assert (v.truthy(value), v.typeof(value), v.kind(value)) == (truthy, typeof, kind)


@pytest.mark.parametrize(
    ("value", "op", "expected"),
    [
        (1, "++", 2),
        (1.5, "--", 0.5),
        (2**53, "++", 2**53),
        ("1", "++", raises("Operator '++' cannot be applied to string")),
        (True, "--", raises("Operator '--' cannot be applied to boolean")),
    ],
)
def test_increment_and_decrement(value: object, op: str, expected: object) -> None:
    assert outcome(v.step, value, op) == expected


def test_negation_never_gives_minus_zero() -> None:
    assert same(v.negate(0), 0) and same(v.negate(0.0), 0) and v.negate(2.5) == -2.5
    assert outcome(v.negate, "1") == raises("Operator '-' cannot be applied to string")


@pytest.mark.parametrize(
    ("base", "key", "expected"),
    [
        ({"a": 1}, "a", 1),
        ({"a": 1}, "b", None),
        ({"1": "x"}, 1, "x"),
        ({"null": 2}, None, 2),
        ([10, 20], 1, 20),
        ([10, 20], "1", 20),
        ([10, 20], "01", None),
        ([10, 20], 2, None),
        ([10, 20], -1, None),
        ([10, 20], 0.5, None),
        ([10, 20], "length", 2),
        ("a😀", "length", 3),
        ("a😀", 0, "a"),
        ("a😀", 1, "\ufffd"),
        ("a😀", 3, None),
        ("héllo", "1", "é"),
        (5, "x", None),
        (True, "length", None),
        (P, "x", None),
        (None, "name", raises("Cannot read properties of null (reading 'name')")),
        (None, 3, raises("Cannot read properties of null (reading '3')")),
    ],
)
def test_reading_properties_is_section_7_11(base: object, key: object, expected: object) -> None:
    assert outcome(v.read_property, base, key) == expected


@pytest.mark.parametrize(
    ("root", "keys", "value", "expected"),
    [
        ({"a": 1}, ["b"], 2, {"a": 1, "b": 2}),
        ({"a": 1, "b": 2}, ["a"], 3, {"a": 3, "b": 2}),
        ({"a": {"b": [1]}}, ["a", "b", 0], 9, {"a": {"b": [9]}}),
        ([1], [3], "x", [1, None, None, "x"]),
        ([1], ["0"], 5, [5]),
        ({}, [1.5], True, {"1.5": True}),
        ([1], ["length"], 0, raises("Cannot assign to 'length' of array")),
        ([1], ["x"], 0, raises("Cannot create property 'x' on array")),
        ([1], [-1], 0, raises("Cannot create property '-1' on array")),
        ({"s": "ab"}, ["s", 0], "x", raises("Cannot create property '0' on string")),
        ({"n": 1}, ["n", "k"], 0, raises("Cannot create property 'k' on number")),
        ({}, ["missing", "k"], 0, raises("Cannot set properties of null (setting 'k')")),
        ({}, ["a", "b", "c"], 0, raises("Cannot set properties of null (setting 'b')")),
        ([], [2**20], 0, raises("Invalid array length", "RangeError")),
    ],
)
def test_writing_paths_is_section_7_12(
    root: object, keys: list[object], value: object, expected: object
) -> None:
    assert outcome(v.store_path, root, keys, value) == expected


def test_iteration_is_section_5_7() -> None:
    assert v.for_of_items([1, 2]) == [1, 2]
    assert v.for_of_items("a😀") == ["a", "😀"]
    assert outcome(v.for_of_items, {"a": 1}) == raises("object is not iterable")
    assert outcome(v.spread_items, None) == raises("null is not iterable")
    assert v.for_in_keys({"b": 1, "a": 2}) == ["b", "a"]
    assert v.for_in_keys(["x", "y"]) == ["0", "1"]
    assert v.for_in_keys("a😀") == ["0", "1", "2"]
    assert [v.for_in_keys(x) for x in (None, 3, True, P)] == [[], [], [], []]


def test_object_spread_is_section_6_3() -> None:
    assert v.spread_entries({"a": 1}) == [("a", 1)]
    assert v.spread_entries(["x"]) == [("0", "x")]
    assert v.spread_entries("😀") == [("0", "\ufffd"), ("1", "\ufffd")]
    assert [v.spread_entries(x) for x in (None, 1, P)] == [[], [], []]


def test_destructuring_is_section_5_2() -> None:
    source = v.destructure_object({"a": None, "b": 2})
    assert v.pattern_property(source, "a") is None
    assert v.pattern_property(source, "z") is v.MISSING
    assert v.pattern_property("ab", "length") == 2
    assert v.pattern_property([None], "0") is None
    assert v.pattern_property([None], "1") is v.MISSING
    assert v.pattern_property(5, "x") is v.MISSING
    assert v.object_rest({"a": 1, "b": 2, "c": 3}, ["b"]) == {"a": 1, "c": 3}
    items = v.destructure_array("a😀")
    assert (v.pattern_element(items, 1), v.pattern_element(items, 2)) == ("😀", v.MISSING)
    assert v.array_rest([1, 2, 3], 1) == [2, 3]
    assert outcome(v.destructure_object, None) == raises("Cannot destructure null")
    assert outcome(v.destructure_array, None) == raises("Cannot destructure null")
    assert outcome(v.destructure_array, 1) == raises("number is not iterable")


def test_limits_of_section_10_8() -> None:
    deep: object = 0
    for _ in range(256):
        deep = [deep]
    v.check_depth(deep)
    assert outcome(v.check_container, [deep]) == raises(
        "Maximum nesting depth exceeded", "RangeError"
    )
    assert outcome(v.store_path, [0], [0], deep) == raises(
        "Maximum nesting depth exceeded", "RangeError"
    )
    long = "x" * 2**21
    assert outcome(v.add, long, long + "y") == raises("Invalid string length", "RangeError")
    assert len(v.add(long, long)) == 2**22
    assert outcome(v.check_size, [0] * (2**20 + 1)) == raises("Invalid array length", "RangeError")


def test_copy_is_deep() -> None:
    original = {"a": [1, {"b": [2]}], "p": P}
    copied = v.copy(original)
    copied["a"][1]["b"].append(3)
    assert original == {"a": [1, {"b": [2]}], "p": P}


@pytest.mark.parametrize(
    ("thrown", "expected"),
    [
        ({"type": "E", "message": "m", "x": 1}, {"type": "E", "message": "m", "x": 1}),
        ("boom", {"type": "Error", "message": "boom", "value": "boom"}),
        (
            {"type": 1, "message": "m"},
            {
                "type": "Error",
                "message": '{"type":1,"message":"m"}',
                "value": {"type": 1, "message": "m"},
            },
        ),
        (None, {"type": "Error", "message": "null", "value": None}),
        (P, {"type": "TypeError", "message": "Cannot serialize a promise"}),
        (
            {"type": "E", "message": "m", "p": P},
            {"type": "TypeError", "message": "Cannot serialize a promise"},
        ),
    ],
)
def test_failure_output_is_section_8_6(thrown: object, expected: object) -> None:
    assert v.failure_output(thrown) == expected


def test_snapshot_encoding_tags_promises_and_escapes_look_alikes() -> None:
    value = {"p": P, "list": [PromiseRef(3)], "tag": {"$promise": 1}, "obj": {"$object": {}}}
    encoded = v.encode(value)
    assert encoded == {
        "p": {"$promise": 0},
        "list": [{"$promise": 3}],
        "tag": {"$object": {"$promise": 1}},
        "obj": {"$object": {"$object": {}}},
    }
    assert v.decode(json.loads(json.dumps(encoded)), 4) == value


json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-(2**53), 2**53)
    | st.floats(allow_nan=False, allow_infinity=False).map(lambda x: v.number(x, "test"))
    | st.text(st.characters(blacklist_categories=("Cs",))),
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(
            st.sampled_from(["a", "b", "$promise", "$object", "é"]), children, max_size=3
        )
    ),
    max_leaves=20,
)
values_with_promises = st.recursive(
    json_values | st.builds(PromiseRef, st.integers(0, 5)),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(["$promise", "$object", "k"]), children, max_size=2)
    ),
    max_leaves=10,
)


@given(json_values)
def test_stringify_then_parse_gives_the_value_back(value: object) -> None:
    text = v.stringify(value)
    assert json.loads(text) == value
    parsed = v.parse_json(text)
    assert v.equals(parsed, value) and v.stringify(parsed) == text


@given(json_values, json_values)
def test_equality_is_reflexive_symmetric_and_agrees_with_json_text(a: object, b: object) -> None:
    assert v.equals(a, a) and v.equals(v.copy(a), a)
    assert v.equals(a, b) == v.equals(b, a)
    if v.equals(a, b):
        assert v.to_string(a) == v.to_string(b) or isinstance(a, dict)


@given(values_with_promises)
def test_encode_decode_round_trips_through_json(value: object) -> None:
    restored = v.decode(json.loads(json.dumps(v.encode(value))), 6)
    assert restored == value
    assert json.dumps(v.encode(restored)) == json.dumps(v.encode(value))


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_number_to_string_reads_back_as_the_same_number(x: float) -> None:
    n = v.number(x, "test")
    assert float(v.to_string(n)) == n
    assert v.to_number(v.to_string(n)) == n
