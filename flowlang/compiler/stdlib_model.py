"""The shape of the standard library table (LANGUAGE.md §9): what one builtin entry says, the
special inference rules an entry may name, and the types §9 gives names to.

The entries themselves are in `stdlib_entries`; `stdlib` gathers them and is what the rest of
the toolchain imports.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Literal

from flowlang.compiler.stdlib_values import Check
from flowlang.compiler.types import (
    ANY,
    NULL,
    NUMBER,
    OPEN_OBJECT,
    STRING,
    ArrayType,
    Field,
    ObjectType,
    Type,
    literal_of,
    union,
)


class Rule(enum.StrEnum):
    """The special inference rules of §9 and §11.3 that the checker applies on top of an
    entry's declared signature, where the result depends on the arguments, the receiver or the
    environment. The declared signature stays the fallback (for `any` arguments)."""

    # Array methods typed by the receiver's element type `T`: `at`/`pop` give `T | null`,
    # `slice`/`reverse` give `T[]` (a tuple receiver's `T` is the union of its elements).
    ELEMENT = "element"
    # `Promise.all`: the input's shape with each promise member awaited (tuple to tuple, `T[]`
    # to array, object to object with the same keys).
    PROMISE_ALL = "promise-all"
    # `Promise.allSettled`: the input's shape, each member `{status: "fulfilled", value: V} |
    # {status: "rejected", reason: any}`.
    PROMISE_ALL_SETTLED = "promise-allSettled"
    # `Promise.any` / `Promise.race`: the union of the awaited member types.
    PROMISE_ANY = "promise-any"
    PROMISE_RACE = "promise-race"
    # `Promise.any_kv` / `Promise.race_kv`: `{key: K, value: V}`, `K` the member's index
    # (`number`) or key (the union of the literal keys), `V` the union of awaited members.
    PROMISE_ANY_KV = "promise-any_kv"
    PROMISE_RACE_KV = "promise-race_kv"
    # `Task.run`: with a catalog and a literal name, the task must exist (FLOW301), the inputs
    # match its input type (FLOW302-304) and the result is `Promise<R>` of its result type.
    TASK_RUN = "task-run"
    # `Workflow.run`: as `Task.run`, against the workflow set (FLOW305) and the child's front
    # matter (`inputs`, `output`).
    WORKFLOW_RUN = "workflow-run"
    # `Signal.next`: with declared `signals`, the name must be one (FLOW307) and the result is
    # `Promise<P>` of its payload type.
    SIGNAL_NEXT = "signal-next"
    # `Inputs`: the front-matter `inputs` type, closed, when declared (FLOW306 on unknown
    # fields); the declared open object otherwise.
    INPUTS = "inputs"


@dataclass(frozen=True, slots=True)
class Param:
    """One parameter. A `rest` parameter takes every remaining argument, each of `type`: zero
    or more when `optional`, at least one otherwise (`Math.max(...xs)`). `check` names the value
    rule a literal argument must keep (FLOW203)."""

    name: str
    type: Type
    optional: bool = False
    rest: bool = False
    check: Check | None = None


BuiltinKind = Literal["function", "method", "property"]


@dataclass(frozen=True, slots=True)
class Builtin:
    """One member of §9. `qualified` is the name §9 and runtime messages use (`Math.floor`,
    `Task.run`, `array.join`, `string.slice`, `String`, `array.length`); a property has no
    parameters and `result` is its type."""

    qualified: str
    kind: BuiltinKind
    params: tuple[Param, ...]
    result: Type
    doc: str
    example: str
    mutates: bool = False  # ✎ in §9.11: changes its receiver
    rule: Rule | None = None

    @property
    def name(self) -> str:
        """The member's own name: `floor` for `Math.floor`, `String` for `String`."""
        return self.qualified.rpartition(".")[2]


GlobalKind = Literal["namespace", "function", "value"]


@dataclass(frozen=True, slots=True)
class Global:
    """A name of the outermost, read-only scope (§9.1). `type` is the type of a value global
    (`Inputs`, `Context`); namespaces and functions are not values and have None."""

    name: str
    kind: GlobalKind
    doc: str
    type: Type | None
    rule: Rule | None = None


def arity(builtin: Builtin) -> tuple[int, int | None]:
    """The fewest and most arguments `builtin` takes; None when a rest parameter takes any
    number."""
    least = sum(1 for p in builtin.params if not p.optional)
    if any(p.rest for p in builtin.params):
        return least, None
    return least, len(builtin.params)


def describe_arity(builtin: Builtin) -> str:
    """How many arguments `builtin` takes, in the words of §8.2: `expects 1 argument`,
    `expects at least 1 argument`, `expects 1 to 2 arguments`."""
    least, most = arity(builtin)
    if most is None:
        if least == 0:
            return "accepts any number of arguments"
        return f"expects at least {_arguments(least)}"
    if least == most:
        return f"expects {_arguments(least)}"
    return f"expects {least} to {most} arguments"


def _arguments(count: int) -> str:
    return f"{count} argument" if count == 1 else f"{count} arguments"


# -- the types §9 names

DURATION: Type = union(NUMBER, STRING)  # §9.4: seconds, or a duration string
TIMESTAMP: Type = union(STRING, NUMBER)  # §9.4 `Timer.until`: `Date.parse` text or epoch ms
OBJECT_OR_ARRAY: Type = union(OPEN_OBJECT, ArrayType(ANY))  # `object | array` in §9.10


def _options(*fields: tuple[str, Type]) -> ObjectType:
    """A closed options object: every option optional, unknown keys are errors (§9.2)."""
    return ObjectType(tuple(Field(name, t, optional=True) for name, t in fields))


TASK_OPTIONS = _options(
    ("queue", STRING),
    ("priority", NUMBER),
    ("retries", NUMBER),
    ("retryDelay", DURATION),
    ("timeout", DURATION),
    ("idempotencyKey", STRING),
)
WORKFLOW_OPTIONS = _options(("queue", STRING), ("priority", NUMBER), ("idempotencyKey", STRING))

# The value rules of the options of §9.2 that a literal option value can break (FLOW203).
OPTION_CHECKS: Mapping[str, Check] = MappingProxyType(
    {
        "queue": Check.NON_EMPTY,
        "retries": Check.RETRIES,
        "retryDelay": Check.DURATION,
        "timeout": Check.DURATION,
        "idempotencyKey": Check.NON_EMPTY,
    }
)

CONTEXT = ObjectType(
    (
        Field("executionId", STRING),
        Field("workflowName", STRING),
        Field("parentExecutionId", union(STRING, NULL)),
        Field("startedAt", NUMBER),
    )
)
ERROR = ObjectType((Field("type", literal_of("Error")), Field("message", STRING)))
