"""The globals, global functions and namespaces of the standard library table, in the order
and words of LANGUAGE.md §9.1–§9.10 (the methods of §9.11–§9.12 are in `stdlib_methods`).

Each entry is data: a signature, one line of documentation from §9's behaviour column and an
example from its example column. `stdlib` indexes them; nothing else lists builtins.
"""

from __future__ import annotations

from flowlang.compiler.stdlib_model import (
    CONTEXT,
    DURATION,
    ERROR,
    OBJECT_OR_ARRAY,
    TASK_OPTIONS,
    TIMESTAMP,
    WORKFLOW_OPTIONS,
    Builtin,
    Global,
    Param,
    Rule,
)
from flowlang.compiler.stdlib_values import Check
from flowlang.compiler.types import (
    ANY,
    BOOLEAN,
    NULL,
    NUMBER,
    OPEN_OBJECT,
    STRING,
    ArrayType,
    Field,
    ObjectType,
    PromiseType,
    TupleType,
    Type,
    union,
)


def _optional(name: str, type: Type) -> Param:
    return Param(name, type, optional=True)


def _function(
    qualified: str,
    params: tuple[Param, ...],
    result: Type,
    doc: str,
    example: str,
    rule: Rule | None = None,
) -> Builtin:
    return Builtin(qualified, "function", params, result, doc, example, rule=rule)


_X = (Param("x", NUMBER),)
_ANY_X = (Param("x", ANY),)
_ITEMS = (Param("items", OBJECT_OR_ARRAY),)
_RACE_ITEMS = (Param("items", OBJECT_OR_ARRAY, check=Check.NON_EMPTY_ITEMS),)
_OBJECT = (Param("o", OBJECT_OR_ARRAY),)
_KEY_VALUE = ObjectType((Field("key", union(NUMBER, STRING)), Field("value", ANY)))
_PROMISE_ANY = PromiseType(ANY)

GLOBAL_VALUES = (
    Global(
        "Inputs",
        "value",
        "the execution's input object, typed by the front-matter `inputs`; read-only",
        OPEN_OBJECT,
        rule=Rule.INPUTS,
    ),
    Global(
        "Context",
        "value",
        "facts about this execution; read-only; `startedAt` is the creation time in epoch ms",
        CONTEXT,
    ),
)

GLOBAL_FUNCTIONS = (
    _function(
        "String", _ANY_X, STRING, "converts a value to a string (§7.8)", 'String([1, 2]) → "[1,2]"'
    ),
    _function(
        "Number", _ANY_X, NUMBER, "converts a value to a number (§7.9)", 'Number(" 12.5 ") → 12.5'
    ),
    _function("Boolean", _ANY_X, BOOLEAN, "the truthiness of a value", "Boolean([]) → true"),
    _function(
        "Error",
        (Param("message", STRING),),
        ERROR,
        "builds an error object",
        'throw Error("bad input")',
    ),
)

# Namespace name -> (documentation of the namespace, its members).
NAMESPACES: tuple[tuple[str, str, tuple[Builtin, ...]], ...] = (
    (
        "Task",
        "starts tasks (§9.2)",
        (
            _function(
                "Task.run",
                (
                    Param("name", STRING, check=Check.NON_EMPTY),
                    _optional("inputs", OPEN_OBJECT),
                    _optional("options", TASK_OPTIONS),
                ),
                _PROMISE_ANY,
                "starts task `name` with `inputs` when the current step commits; fulfils with its "
                "result, rejects with a task error",
                'await Task.run("send-email", { to, subject })',
                Rule.TASK_RUN,
            ),
        ),
    ),
    (
        "Workflow",
        "starts child workflows (§9.3)",
        (
            _function(
                "Workflow.run",
                (
                    Param("name", STRING, check=Check.NON_EMPTY),
                    _optional("inputs", OPEN_OBJECT),
                    _optional("options", WORKFLOW_OPTIONS),
                ),
                _PROMISE_ANY,
                "starts child workflow `name`; fulfils with the child's output, rejects with "
                "`WorkflowFailed`",
                'let c = await Workflow.run("charge", { orderId })',
                Rule.WORKFLOW_RUN,
            ),
        ),
    ),
    (
        "Timer",
        "durable timers (§9.4)",
        (
            _function(
                "Timer.delay",
                (Param("d", DURATION, check=Check.DURATION),),
                PromiseType(NULL),
                "fulfils with `null` once `d` has passed since the call",
                'await Timer.delay("90s")',
            ),
            _function(
                "Timer.until",
                (Param("t", TIMESTAMP, check=Check.TIMESTAMP),),
                PromiseType(NULL),
                "fulfils with `null` at timestamp `t` (`Date.parse` text or epoch ms)",
                'await Timer.until("2026-12-24T18:00:00Z")',
            ),
        ),
    ),
    (
        "Signal",
        "signals sent to this execution (§9.5)",
        (
            _function(
                "Signal.next",
                (Param("name", STRING),),
                _PROMISE_ANY,
                "claims the next signal called `name` and fulfils with its payload",
                'let d = await Signal.next("approval")',
                Rule.SIGNAL_NEXT,
            ),
        ),
    ),
    (
        "Promise",
        "combinators over arrays or objects of promises (§9.6)",
        (
            _function(
                "Promise.all",
                _ITEMS,
                _PROMISE_ANY,
                "fulfils with all values in the input's shape; rejects with the first error",
                "let [u, o] = await Promise.all([getUser, getOrder])",
                Rule.PROMISE_ALL,
            ),
            _function(
                "Promise.allSettled",
                _ITEMS,
                _PROMISE_ANY,
                "fulfils with `{status, value}` or `{status, reason}` of every member; "
                "never rejects",
                "await Promise.allSettled(handles)",
                Rule.PROMISE_ALL_SETTLED,
            ),
            _function(
                "Promise.any",
                _ITEMS,
                _PROMISE_ANY,
                "fulfils with the earliest member to fulfil; `AggregateError` if all reject",
                "await Promise.any([primary, backup])",
                Rule.PROMISE_ANY,
            ),
            _function(
                "Promise.race",
                _RACE_ITEMS,
                _PROMISE_ANY,
                "settles as the earliest member to settle",
                "await Promise.race([t, Timer.delay(60)])",
                Rule.PROMISE_RACE,
            ),
            _function(
                "Promise.any_kv",
                _ITEMS,
                PromiseType(_KEY_VALUE),
                "fulfils with `{key, value}` of the earliest member to fulfil",
                "let {key, value} = await Promise.any_kv({a, b})",
                Rule.PROMISE_ANY_KV,
            ),
            _function(
                "Promise.race_kv",
                _RACE_ITEMS,
                PromiseType(_KEY_VALUE),
                "settles as the earliest member to settle, fulfilling with `{key, value}`",
                'await Promise.race_kv({done: t, timeout: Timer.delay("1h")})',
                Rule.PROMISE_RACE_KV,
            ),
        ),
    ),
    (
        "Math",
        "arithmetic on numbers (§9.7)",
        (
            _function("Math.floor", _X, NUMBER, "rounds down", "Math.floor(-3.2) → -4"),
            _function("Math.ceil", _X, NUMBER, "rounds up", "Math.ceil(-3.2) → -3"),
            _function("Math.trunc", _X, NUMBER, "rounds toward zero", "Math.trunc(-3.7) → -3"),
            _function(
                "Math.round",
                _X,
                NUMBER,
                "rounds to the nearest integer, halves toward +∞",
                "Math.round(2.5) → 3, Math.round(-2.5) → -2",
            ),
            _function("Math.abs", _X, NUMBER, "absolute value", "Math.abs(-3) → 3"),
            _function("Math.sign", _X, NUMBER, "`-1`, `0` or `1`", "Math.sign(-3) → -1"),
            _function(
                "Math.min",
                (Param("xs", NUMBER, rest=True),),
                NUMBER,
                "the smallest argument; at least one",
                "Math.min(...scores)",
            ),
            _function(
                "Math.max",
                (Param("xs", NUMBER, rest=True),),
                NUMBER,
                "the largest argument; at least one",
                "Math.max(...scores)",
            ),
            _function(
                "Math.pow",
                (Param("x", NUMBER), Param("y", NUMBER)),
                NUMBER,
                "`x` to the power `y`",
                "Math.pow(2, 10) → 1024",
            ),
            _function("Math.sqrt", _X, NUMBER, "square root", "Math.sqrt(-1) → RangeError"),
        ),
    ),
    (
        "Date",
        "the runtime's clock and timestamps (§9.8)",
        (
            _function(
                "Date.now",
                (),
                NUMBER,
                "current time, epoch milliseconds (integer)",
                "let t0 = Date.now()",
            ),
            _function(
                "Date.parse",
                (Param("s", STRING, check=Check.TIMESTAMP),),
                NUMBER,
                "epoch ms of an ISO-8601 timestamp",
                'Date.parse("2026-01-02T03:04:05+01:00")',
            ),
            _function(
                "Date.iso",
                (_optional("ms", NUMBER),),
                STRING,
                "`YYYY-MM-DDTHH:MM:SS.sssZ` of `ms` (default: now)",
                'Date.iso(0) → "1970-01-01T00:00:00.000Z"',
            ),
        ),
    ),
    (
        "JSON",
        "JSON text (§9.9)",
        (
            _function(
                "JSON.stringify",
                (
                    Param("value", ANY),
                    _optional("replacer", NULL),
                    _optional("indent", union(NUMBER, STRING)),
                ),
                STRING,
                "JSON text of a value, keys in insertion order",
                'JSON.stringify({a: [1]}) → "{\\"a\\":[1]}"',
            ),
            _function(
                "JSON.parse",
                (Param("text", STRING),),
                ANY,
                "the value of strict JSON text",
                'JSON.parse("[1, 2]") → [1, 2]',
            ),
        ),
    ),
    (
        "Object",
        "keys and values of objects and arrays (§9.10)",
        (
            _function(
                "Object.keys",
                _OBJECT,
                ArrayType(STRING),
                "keys in order",
                'Object.keys({b: 1, a: 2}) → ["b", "a"]',
            ),
            _function(
                "Object.values",
                _OBJECT,
                ArrayType(ANY),
                "values in key order",
                "Object.values({a: 1}) → [1]",
            ),
            _function(
                "Object.entries",
                _OBJECT,
                ArrayType(TupleType((STRING, ANY))),
                "`[key, value]` pairs",
                "for (const [k, v] of Object.entries(o))",
            ),
            _function(
                "Object.fromEntries",
                (Param("e", ArrayType(TupleType((ANY, ANY)))),),
                OPEN_OBJECT,
                "an object from `[key, value]` pairs; a later duplicate wins",
                'Object.fromEntries([["a", 1]]) → {a: 1}',
            ),
            _function(
                "Object.hasOwn",
                (*_OBJECT, Param("k", union(STRING, NUMBER))),
                BOOLEAN,
                "whether the key exists (tells a missing key from a `null` value)",
                'Object.hasOwn({a: null}, "a") → true',
            ),
        ),
    ),
    (
        "Array",
        "telling arrays apart (§9.10)",
        (
            _function(
                "Array.isArray",
                _ANY_X,
                BOOLEAN,
                "whether `x` is an array",
                "Array.isArray([]) → true",
            ),
        ),
    ),
)
