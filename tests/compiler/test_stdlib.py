"""THE stdlib table (LANGUAGE.md §9): every member present, arity wording (§8.2), and the value
rules literal arguments are checked against (durations §9.4, timestamps §9.8)."""

from __future__ import annotations

import pytest

from flowlang.compiler import resolve
from flowlang.compiler.stdlib import (
    FUNCTIONS,
    GLOBALS,
    METHODS,
    NAMESPACE_MEMBERS,
    TASK_OPTIONS,
    WORKFLOW_OPTIONS,
    Check,
    Rule,
    all_builtins,
    arity,
    describe_arity,
    duration_ms,
    literal_problem,
    lookup_member,
    lookup_method,
    parse_duration,
    parse_timestamp,
)
from flowlang.compiler.types import NUMBER, STRING, display

# Copied by hand from LANGUAGE.md §9 (not generated from the table), so that a member missing
# from the table fails here.
SPEC_GLOBALS = {
    "Inputs": "value",
    "Context": "value",
    "String": "function",
    "Number": "function",
    "Boolean": "function",
    "Error": "function",
    "Task": "namespace",
    "Workflow": "namespace",
    "Timer": "namespace",
    "Signal": "namespace",
    "Promise": "namespace",
    "Math": "namespace",
    "Date": "namespace",
    "JSON": "namespace",
    "Object": "namespace",
    "Array": "namespace",
}
SPEC_MEMBERS = {
    "Task": {"run"},
    "Workflow": {"run"},
    "Timer": {"delay", "until"},
    "Signal": {"next"},
    "Promise": {"all", "allSettled", "any", "race", "any_kv", "race_kv"},
    "Math": {"floor", "ceil", "trunc", "round", "abs", "sign", "min", "max", "pow", "sqrt"},
    "Date": {"now", "parse", "iso"},
    "JSON": {"stringify", "parse"},
    "Object": {"keys", "values", "entries", "fromEntries", "hasOwn"},
    "Array": {"isArray"},
}
SPEC_METHODS = {
    "array": {
        "length", "at", "concat", "includes", "indexOf", "join", "slice", "reverse", "push", "pop",
    },
    "string": {
        "length", "includes", "startsWith", "endsWith", "indexOf", "slice", "split", "trim",
        "toUpperCase", "toLowerCase", "replace", "replaceAll", "padStart", "padEnd",
    },
}  # fmt: skip


def test_every_global_of_the_spec_is_in_the_table() -> None:
    assert {name: g.kind for name, g in GLOBALS.items()} == SPEC_GLOBALS
    assert set(FUNCTIONS) == {n for n, kind in SPEC_GLOBALS.items() if kind == "function"}


def test_every_namespace_member_of_the_spec_is_in_the_table() -> None:
    assert {ns: set(members) for ns, members in NAMESPACE_MEMBERS.items()} == SPEC_MEMBERS


def test_every_method_of_the_spec_is_in_the_table() -> None:
    assert {kind: set(methods) for kind, methods in METHODS.items()} == SPEC_METHODS


def test_name_resolution_reads_the_globals_and_mutating_methods_from_the_table() -> None:
    assert set(SPEC_GLOBALS) == resolve.BUILTIN_GLOBALS
    assert {"push", "pop", "reverse"} == resolve.MUTATING_METHODS


def test_every_entry_is_documented_on_one_line() -> None:
    for builtin in all_builtins():
        assert builtin.doc and "\n" not in builtin.doc, builtin.qualified
        assert builtin.example and "\n" not in builtin.example, builtin.qualified
        assert builtin.doc == builtin.doc.rstrip("."), builtin.qualified
    for global_ in GLOBALS.values():
        assert global_.doc and "\n" not in global_.doc


def test_qualified_names_are_those_of_the_spec() -> None:
    for namespace, members in NAMESPACE_MEMBERS.items():
        for name, builtin in members.items():
            assert builtin.qualified == f"{namespace}.{name}" and builtin.kind == "function"
    for kind, methods in METHODS.items():
        for name, builtin in methods.items():
            assert builtin.qualified == f"{kind}.{name}"
            assert builtin.kind == ("property" if name == "length" else "method")


def test_lookups() -> None:
    assert lookup_member("Math", "floor") is NAMESPACE_MEMBERS["Math"]["floor"]
    assert lookup_member("Math", "maxx") is None
    assert lookup_member("Inputs", "x") is None
    assert lookup_method("string", "trim") is METHODS["string"]["trim"]
    assert lookup_method("array", "map") is None
    assert lookup_method("number", "toFixed") is None


def test_only_push_pop_and_reverse_mutate() -> None:
    assert {b.qualified for b in all_builtins() if b.mutates} == {
        "array.push",
        "array.pop",
        "array.reverse",
    }


def test_the_special_rules() -> None:
    ruled = {b.qualified: b.rule for b in all_builtins() if b.rule is not None}
    assert ruled == {
        "Task.run": Rule.TASK_RUN,
        "Workflow.run": Rule.WORKFLOW_RUN,
        "Signal.next": Rule.SIGNAL_NEXT,
        "Promise.all": Rule.PROMISE_ALL,
        "Promise.allSettled": Rule.PROMISE_ALL_SETTLED,
        "Promise.any": Rule.PROMISE_ANY,
        "Promise.race": Rule.PROMISE_RACE,
        "Promise.any_kv": Rule.PROMISE_ANY_KV,
        "Promise.race_kv": Rule.PROMISE_RACE_KV,
        "array.at": Rule.ELEMENT,
        "array.slice": Rule.ELEMENT,
        "array.reverse": Rule.ELEMENT,
        "array.pop": Rule.ELEMENT,
    }
    assert GLOBALS["Inputs"].rule is Rule.INPUTS
    assert Rule.PROMISE_ALL == "promise-all"


def test_signatures_follow_the_spec() -> None:
    floor = NAMESPACE_MEMBERS["Math"]["floor"]
    assert [p.type for p in floor.params] == [NUMBER] and floor.result == NUMBER
    assert display(NAMESPACE_MEMBERS["Task"]["run"].result) == "Promise<any>"
    assert display(NAMESPACE_MEMBERS["Timer"]["delay"].params[0].type) == "number | string"
    assert display(NAMESPACE_MEMBERS["Timer"]["delay"].result) == "Promise<null>"
    assert display(NAMESPACE_MEMBERS["Object"]["entries"].result) == "[string, any][]"
    assert display(FUNCTIONS["Error"].result) == '{ type: "Error", message: string }'
    assert display(GLOBALS["Context"].type) == (  # type: ignore[arg-type]
        "{ executionId: string, workflowName: string, parentExecutionId: string | null, "
        "startedAt: number }"
    )
    assert display(GLOBALS["Inputs"].type) == "{ [key: string]: any }"  # type: ignore[arg-type]
    assert METHODS["string"]["length"].result == NUMBER
    assert METHODS["string"]["split"].params[0].type == STRING


def test_options_objects_are_closed() -> None:
    assert TASK_OPTIONS.index is None and WORKFLOW_OPTIONS.index is None
    assert [f.name for f in TASK_OPTIONS.fields] == [
        "queue",
        "priority",
        "retries",
        "retryDelay",
        "timeout",
        "idempotencyKey",
    ]
    assert [f.name for f in WORKFLOW_OPTIONS.fields] == ["queue", "priority", "idempotencyKey"]
    assert all(f.optional for f in TASK_OPTIONS.fields + WORKFLOW_OPTIONS.fields)


@pytest.mark.parametrize(
    ("qualified", "counts", "wording"),
    [
        ("Math.floor", (1, 1), "expects 1 argument"),
        ("Math.pow", (2, 2), "expects 2 arguments"),
        ("Math.max", (1, None), "expects at least 1 argument"),
        ("Date.now", (0, 0), "expects 0 arguments"),
        ("Date.iso", (0, 1), "expects 0 to 1 arguments"),
        ("Task.run", (1, 3), "expects 1 to 3 arguments"),
        ("array.push", (0, None), "accepts any number of arguments"),
        ("string.replace", (2, 2), "expects 2 arguments"),
        ("string.padStart", (1, 2), "expects 1 to 2 arguments"),
    ],
)
def test_arity(qualified: str, counts: tuple[int, int | None], wording: str) -> None:
    builtin = next(b for b in all_builtins() if b.qualified == qualified)
    assert arity(builtin) == counts
    assert describe_arity(builtin) == wording


@pytest.mark.parametrize(
    ("text", "milliseconds"),
    [
        ("500ms", 500),
        ("30s", 30_000),
        ("1h30m", 5_400_000),
        ("7d", 604_800_000),
        ("1.5s", 1_500),
        ("0s", 0),
        ("1m5ms", 60_005),
        ("0.0015s", 1),  # truncated to whole milliseconds
        ("1.005s", 1_005),  # exact decimal arithmetic, no float rounding
        ("1s1s", 2_000),
        ("3650d", 3650 * 86_400_000),
        ("3651d", None),
        ("", None),
        ("5 minutes", None),
        ("1h 30m", None),
        ("-1s", None),
        ("+1s", None),
        ("1", None),
        ("1.s", None),
        (".5s", None),
        ("1S", None),
        ("1w", None),
        ("١s", None),  # non-ASCII digits
    ],
)
def test_parse_duration(text: str, milliseconds: int | None) -> None:
    assert parse_duration(text) == milliseconds


@pytest.mark.parametrize(
    ("value", "milliseconds"),
    [
        (0, 0),
        (90, 90_000),
        (0.001, 1),
        (1.5, 1_500),
        (3650 * 86_400, 3650 * 86_400_000),
        (3650 * 86_400 + 1, None),
        (-1, None),
        (float("inf"), None),
        (True, None),
        (None, None),
        ("90s", 90_000),
    ],
)
def test_duration_ms(value: object, milliseconds: int | None) -> None:
    assert duration_ms(value) == milliseconds


@pytest.mark.parametrize(
    ("text", "epoch_ms"),
    [
        ("1970-01-01", 0),
        ("2026-01-02T03:04:05+01:00", 1_767_319_445_000),
        ("2026-12-24T18:00:00Z", 1_798_135_200_000),
        ("2026-12-24T18:00", 1_798_135_200_000),
        ("2026-12-24T18:00-02:30", 1_798_135_200_000 + 9_000_000),
        ("1969-12-31T23:59:59.999Z", -1),
        ("1970-01-01T00:00:00.1239Z", 123),
        ("2024-02-29", 1_709_164_800_000),
        ("2000-02-29", 951_782_400_000),
        ("0000-01-01", -62_167_219_200_000),
        ("2023-02-29", None),
        ("1900-02-29", None),
        ("2026-13-01", None),
        ("2026-04-31", None),
        ("2026-01-00", None),
        ("2026-01-01T24:00", None),
        ("2026-01-01T00:60", None),
        ("2026-01-01T00:00:60", None),
        ("2026-01-01T00:00+24:00", None),
        ("2026-01-01t00:00z", None),
        ("2026-01-01T00:00:00.Z", None),
        ("2026-01-01 00:00", None),
        ("2026-1-1", None),
        ("26-01-01", None),
        ("", None),
        ("tomorrow", None),
    ],
)
def test_parse_timestamp(text: str, epoch_ms: int | None) -> None:
    assert parse_timestamp(text) == epoch_ms


@pytest.mark.parametrize(
    ("check", "value", "problem"),
    [
        (Check.DURATION, "5 minutes", 'invalid duration "5 minutes"'),
        (Check.DURATION, -1, "invalid duration -1"),
        (Check.DURATION, -1.5, "invalid duration -1.5"),
        (Check.DURATION, "90s", None),
        (Check.DURATION, 60, None),
        (Check.DURATION, None, None),  # a wrong kind is the type check's report, not this one
        (Check.TIMESTAMP, "2026-13-01", 'invalid timestamp "2026-13-01"'),
        (Check.TIMESTAMP, "2026-12-24T18:00:00Z", None),
        (Check.TIMESTAMP, 0, None),
        (Check.NON_EMPTY, "", "the string must not be empty"),
        (Check.NON_EMPTY, "send-email", None),
        (Check.RETRIES, 101, "retries must be from 0 to 100"),
        (Check.RETRIES, -1, "retries must be from 0 to 100"),
        (Check.RETRIES, 100.9, None),
        (Check.RETRIES, 0, None),
        (Check.NON_EMPTY_ITEMS, [], "requires at least one item"),
        (Check.NON_EMPTY_ITEMS, {}, "requires at least one item"),
        (Check.NON_EMPTY_ITEMS, [1], None),
    ],
)
def test_literal_problem(check: Check, value: object, problem: str | None) -> None:
    assert literal_problem(check, value) == problem


def test_literal_checked_parameters() -> None:
    checked = {(b.qualified, p.name): p.check for b in all_builtins() for p in b.params if p.check}
    assert checked == {
        ("Task.run", "name"): Check.NON_EMPTY,
        ("Workflow.run", "name"): Check.NON_EMPTY,
        ("Timer.delay", "d"): Check.DURATION,
        ("Timer.until", "t"): Check.TIMESTAMP,
        ("Promise.race", "items"): Check.NON_EMPTY_ITEMS,
        ("Promise.race_kv", "items"): Check.NON_EMPTY_ITEMS,
        ("Date.parse", "s"): Check.TIMESTAMP,
    }
