"""The pure standard library at run time (LANGUAGE.md §9.1, §9.7–§9.12): each builtin's
behaviour, the argument checks of §9.0 in the words of §8.2, and UTF-16 positions (§7.4)."""

from __future__ import annotations

import pytest

from flowlang.compiler.stdlib import all_builtins
from rhythm.builtins import SIGNATURES, call_function, call_method
from rhythm.builtins_functions import FUNCTIONS
from rhythm.builtins_methods import ARRAY_METHODS, STRING_METHODS
from rhythm.values import FlowError, PromiseRef

NOW = 1_767_225_600_000  # 2026-01-01T00:00:00Z


def clock() -> int:
    return NOW


def error(message: str, type_: str = "TypeError") -> dict[str, str]:
    return {"type": type_, "message": message}


def call(qualified: str, *args: object) -> object:
    try:
        return call_function(qualified, list(args), clock)
    except FlowError as problem:
        return problem.error


def method(receiver: object, name: str, *args: object) -> object:
    try:
        return call_method(name, receiver, list(args)).value
    except FlowError as problem:
        return problem.error


def test_every_pure_builtin_of_the_table_is_implemented() -> None:
    effects = ("Task.", "Workflow.", "Timer.", "Signal.", "Promise.")
    table = {b.qualified for b in all_builtins() if b.kind != "property"}
    implemented = {*FUNCTIONS, *(f"array.{n}" for n in ARRAY_METHODS)}
    implemented |= {f"string.{n}" for n in STRING_METHODS}
    assert implemented == {q for q in table if not q.startswith(effects)}
    assert set(SIGNATURES) == table


@pytest.mark.parametrize(
    ("qualified", "args", "expected"),
    [
        ("String", [[1, 2]], "[1,2]"),
        ("Number", [" 12.5 "], 12.5),
        ("Boolean", [[]], True),
        ("Boolean", [""], False),
        ("Error", ["bad input"], {"type": "Error", "message": "bad input"}),
        ("Math.floor", [-3.2], -4),
        ("Math.floor", [7], 7),
        ("Math.ceil", [-3.2], -3),
        ("Math.trunc", [-3.7], -3),
        ("Math.round", [2.5], 3),
        ("Math.round", [-2.5], -2),
        ("Math.round", [0.49999999999999994], 0),
        ("Math.round", [1e300], 1e300),
        ("Math.abs", [-3], 3),
        ("Math.sign", [-3], -1),
        ("Math.sign", [0], 0),
        ("Math.sign", [0.5], 1),
        ("Math.min", [3, 1.5, 2], 1.5),
        ("Math.max", [3, 1.5, 2], 3),
        ("Math.pow", [2, 10], 1024),
        ("Math.pow", [2, -1], 0.5),
        ("Math.pow", [2, 0.5], 2**0.5),
        ("Math.pow", [3, 40], float(3**40)),
        ("Math.sqrt", [16], 4),
        ("Math.sqrt", [2], 2**0.5),
        ("Date.now", [], NOW),
        ("Date.parse", ["2026-01-02T03:04:05+01:00"], 1_767_319_445_000),
        ("Date.parse", ["1970-01-01"], 0),
        ("Date.iso", [0], "1970-01-01T00:00:00.000Z"),
        ("Date.iso", [-1], "1969-12-31T23:59:59.999Z"),
        ("Date.iso", [1.9], "1970-01-01T00:00:00.001Z"),
        ("Date.iso", [], "2026-01-01T00:00:00.000Z"),
        ("Date.iso", [253402300800000], "+010000-01-01T00:00:00.000Z"),
        ("JSON.stringify", [{"a": [1]}], '{"a":[1]}'),
        (
            "JSON.stringify",
            [{"a": [1], "b": {}}, None, 2],
            '{\n  "a": [\n    1\n  ],\n  "b": {}\n}',
        ),
        ("JSON.stringify", [[1], None, "\t"], "[\n\t1\n]"),
        ("JSON.stringify", [[1], None, 0], "[1]"),
        ("JSON.stringify", [[1], None, 20], "[\n" + " " * 10 + "1\n]"),
        ("JSON.stringify", [[1], None, "abcdefghijkl"], "[\nabcdefghij1\n]"),
        ("JSON.stringify", ["é\u2028"], '"é\u2028"'),
        ("JSON.parse", ["[1, 2]"], [1, 2]),
        ("JSON.parse", ['{"a": 1, "b": 2, "a": 3}'], {"a": 3, "b": 2}),
        ("Object.keys", [{"b": 1, "a": 2}], ["b", "a"]),
        ("Object.keys", [["x", "y"]], ["0", "1"]),
        ("Object.values", [{"a": 1}], [1]),
        ("Object.entries", [{"a": 1}], [["a", 1]]),
        ("Object.entries", [["x"]], [["0", "x"]]),
        ("Object.fromEntries", [[["a", 1], [2, "b"], ["a", 3]]], {"a": 3, "2": "b"}),
        ("Object.fromEntries", [[[]]], {"null": None}),
        ("Object.hasOwn", [{"a": None}, "a"], True),
        ("Object.hasOwn", [{"1": None}, 1], True),
        ("Object.hasOwn", [{}, "a"], False),
        ("Object.hasOwn", [[5], 0], True),
        ("Object.hasOwn", [[5], "1"], False),
        ("Array.isArray", [[]], True),
        ("Array.isArray", [{}], False),
    ],
)
def test_functions(qualified: str, args: list[object], expected: object) -> None:
    result = call(qualified, *args)
    assert result == expected and type(result) is type(expected)


@pytest.mark.parametrize(
    ("qualified", "args", "expected"),
    [
        ("String", [], error("String expects 1 argument, got 0")),
        ("String", [1, 2], error("String expects 1 argument, got 2")),
        ("Error", [1], error("Error: argument 1 must be a string, got number")),
        ("Math.floor", ["3"], error("Math.floor: argument 1 must be a number, got string")),
        ("Math.max", [], error("Math.max expects at least 1 argument, got 0")),
        ("Math.max", [1, None], error("Math.max: argument 2 must be a number, got null")),
        ("Math.pow", [1], error("Math.pow expects 2 arguments, got 1")),
        ("Math.pow", [10, 400], error("Math.pow: result is not a finite number", "RangeError")),
        ("Math.pow", [2, 1050], error("Math.pow: result is not a finite number", "RangeError")),
        ("Math.pow", [0, -1], error("Math.pow: result is not a finite number", "RangeError")),
        ("Math.pow", [-8, 1 / 3], error("Math.pow: result is not a finite number", "RangeError")),
        ("Math.sqrt", [-1], error("Math.sqrt: result is not a finite number", "RangeError")),
        ("Date.now", [1], error("Date.now expects 0 arguments, got 1")),
        ("Date.iso", [1, 2], error("Date.iso expects 0 to 1 arguments, got 2")),
        ("Date.iso", [1e300], error("Date.iso: invalid time value 1e+300", "RangeError")),
        ("Date.parse", ["5 May"], error('Date.parse: invalid timestamp "5 May"', "RangeError")),
        (
            "Date.parse",
            ["2026-02-30"],
            error('Date.parse: invalid timestamp "2026-02-30"', "RangeError"),
        ),
        ("JSON.stringify", [PromiseRef(0)], error("Cannot serialize a promise")),
        ("JSON.stringify", [{"a": [PromiseRef(0)]}], error("Cannot serialize a promise")),
        ("JSON.stringify", [1, 2], error("JSON.stringify: argument 2 must be null, got number")),
        (
            "JSON.stringify",
            [1, None, True],
            error("JSON.stringify: argument 3 must be a number or string, got boolean"),
        ),
        ("JSON.parse", ["[1,]"], error("Invalid JSON at position 3", "SyntaxError")),
        ("JSON.parse", ['"é" x'], error("Invalid JSON at position 4", "SyntaxError")),
        ("JSON.parse", ["[NaN]"], error("Invalid JSON at position 1", "SyntaxError")),
        ("JSON.parse", ["{'a': 1}"], error("Invalid JSON at position 1", "SyntaxError")),
        ("JSON.parse", ["// c\n1"], error("Invalid JSON at position 0", "SyntaxError")),
        (
            "JSON.parse",
            ["1e999"],
            error("Result of JSON.parse is not a finite number", "RangeError"),
        ),
        (
            "JSON.parse",
            ["[" * 257 + "]" * 257],
            error("Maximum nesting depth exceeded", "RangeError"),
        ),
        (
            "Object.keys",
            [None],
            error("Object.keys: argument 1 must be an object or array, got null"),
        ),
        (
            "Object.values",
            ["ab"],
            error("Object.values: argument 1 must be an object or array, got string"),
        ),
        (
            "Object.fromEntries",
            [[1]],
            error(
                "Object.fromEntries: argument 1 must be an array of [key, value] arrays, "
                "got number at index 0"
            ),
        ),
        (
            "Object.hasOwn",
            [{}, None],
            error("Object.hasOwn: argument 2 must be a string or number, got null"),
        ),
    ],
)
def test_function_errors(qualified: str, args: list[object], expected: object) -> None:
    assert call(qualified, *args) == expected


def test_json_parse_reads_numbers_as_flow_numbers_and_repairs_lone_surrogates() -> None:
    parsed = call(
        "JSON.parse", '[1.0, -0.0, 2.5, 12345678901234567890, "\\ud83d\\ude00", "\\ud800"]'
    )
    assert parsed == [1, 0, 2.5, 12345678901234567890.0, "😀", "\ufffd"]
    assert [type(x) for x in parsed] == [int, int, float, float, str, str]  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("receiver", "name", "args", "expected"),
    [
        ([1, 2], "at", [-1], 2),
        ([1, 2], "at", [1.9], 2),
        ([1, 2], "at", [5], None),
        ([1], "concat", [[2], 3, [[4]]], [1, 2, 3, [4]]),
        ([{"a": 1}], "includes", [{"a": 1}], True),
        ([1, 2, 3], "includes", [1, 1], False),
        ([1, 2, 3], "includes", [3, -1], True),
        (["a", "b"], "indexOf", ["b"], 1),
        ([1, 1], "indexOf", [1, -1], 1),
        ([True], "indexOf", [1], -1),
        ([1, None, "x"], "join", ["-"], "1--x"),
        ([1, [2, 3], {"a": 1}], "join", [], '1,[2,3],{"a":1}'),
        ([1, 2, 3], "slice", [1], [2, 3]),
        ([1, 2, 3], "slice", [-2, -1], [2]),
        ([1, 2, 3], "slice", [2, 1], []),
        ([1, 2, 3], "slice", [], [1, 2, 3]),
        ([], "pop", [], None),
        ("abc", "includes", ["b"], True),
        ("abc", "includes", ["a", 1], False),
        ("abc", "startsWith", ["ab"], True),
        ("abc", "startsWith", ["bc", 1], True),
        ("a.flow", "endsWith", [".flow"], True),
        ("abc", "endsWith", ["ab", 2], True),
        ("banana", "indexOf", ["an"], 1),
        ("banana", "indexOf", ["an", 2], 3),
        ("abc", "indexOf", ["", 10], 3),
        ("😀a", "indexOf", ["a"], 2),
        ("😀a", "indexOf", ["a", 1], 2),
        ("hello", "slice", [-3], "llo"),
        ("hello", "slice", [1, -1], "ell"),
        ("😀x", "slice", [1], "\ufffdx"),
        ("😀x", "slice", [0, 2], "😀"),
        ("a,b", "split", [","], ["a", "b"]),
        ("a,b,c", "split", [",", 2], ["a", "b"]),
        ("a,b", "split", [",", -1], ["a", "b"]),
        ("a,b", "split", [], ["a,b"]),
        ("a😀", "split", [""], ["a", "\ufffd", "\ufffd"]),
        ("", "split", [""], []),
        ("", "split", [","], [""]),
        ("\ufeff\u00a0 x \n\u2028", "trim", [], "x"),
        ("ß", "toUpperCase", [], "SS"),
        ("ÀBC", "toLowerCase", [], "àbc"),
        ("a-b-c", "replace", ["-", "+"], "a+b-c"),
        ("a-b", "replace", ["-", "[$&|$`|$'|$$|$1]"], "a[-|a|b|$|$1]b"),
        ("abc", "replace", ["", "_"], "_abc"),
        ("abc", "replace", ["x", "_"], "abc"),
        ("a-b-c", "replaceAll", ["-", ""], "abc"),
        ("aaa", "replaceAll", ["aa", "b"], "ba"),
        ("ab", "replaceAll", ["", "-"], "-a-b-"),
        ("a-b", "replaceAll", ["-", "$`"], "aab"),
        ("7", "padStart", [3, "0"], "007"),
        ("7", "padEnd", [3, "0"], "700"),
        ("abc", "padStart", [6, "12"], "121abc"),
        ("x", "padStart", [3], "  x"),
        ("x", "padStart", [3, ""], "x"),
        ("x", "padStart", [2, "😀"], "\ufffdx"),
        ("héllo", "padEnd", [2.9], "héllo"),
    ],
)
def test_methods(receiver: object, name: str, args: list[object], expected: object) -> None:
    assert method(receiver, name, *args) == expected


@pytest.mark.parametrize(
    ("receiver", "name", "args", "expected"),
    [
        (5, "push", [1], error("number has no method 'push'")),
        (None, "at", [0], error("null has no method 'at'")),
        ({"push": 1}, "push", [1], error("object has no method 'push'")),
        ("abc", "push", [1], error("string has no method 'push'")),
        ([1], "trim", [], error("array has no method 'trim'")),
        ("abc", "length", [], error("string has no method 'length'")),
        ([1], "at", [], error("array.at expects 1 argument, got 0")),
        ([1], "at", ["0"], error("array.at: argument 1 must be a number, got string")),
        ([1], "pop", [1], error("array.pop expects 0 arguments, got 1")),
        ([1], "slice", [0, 1, 2], error("array.slice expects 0 to 2 arguments, got 3")),
        ([1], "join", [1], error("array.join: argument 1 must be a string, got number")),
        ([PromiseRef(1)], "join", [], error("Cannot convert a promise to a string")),
        ("a1", "includes", [1], error("string.includes: argument 1 must be a string, got number")),
        ("a", "slice", [None], error("string.slice: argument 1 must be a number, got null")),
        ("a", "replace", ["a"], error("string.replace expects 2 arguments, got 1")),
        ("a", "padStart", [2**22 + 1], error("Invalid string length", "RangeError")),
    ],
)
def test_method_errors(receiver: object, name: str, args: list[object], expected: object) -> None:
    assert method(receiver, name, *args) == expected


def test_mutating_methods_change_and_return_the_receiver() -> None:
    items = [1, 2]
    pushed = call_method("push", items, [3, [4]])
    assert (pushed.value, pushed.receiver) == (4, [1, 2, 3, [4]])
    assert pushed.receiver is items
    popped = call_method("pop", items, [])
    assert (popped.value, popped.receiver) == ([4], [1, 2, 3])
    reversed_ = call_method("reverse", items, [])
    assert reversed_.value == [3, 2, 1] == reversed_.receiver


def test_push_of_the_receiver_into_itself_copies_it() -> None:
    items: list[object] = [1]
    call_method("push", items, [items])
    assert items == [1, [1]]


def test_non_mutating_methods_leave_the_receiver_alone() -> None:
    items = [3, 1]
    result = call_method("slice", items, [0, 1])
    assert (result.value, result.receiver, items) == ([3], [3, 1], [3, 1])
