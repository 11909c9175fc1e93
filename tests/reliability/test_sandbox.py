"""The `.flow` sandbox (issue #8, item 6): a workflow cannot reach Python, files, the
environment or the network, and cannot make the runtime spend more than its budgets.

Three layers, each tested here:

* The checker rejects every way out a JavaScript programmer would try — globals (`globalThis`,
  `require`, `process`, `eval`, `Function`, `fetch`), `import`, `new`, prototypes and
  constructors, calls of anything but a builtin.
* What compiles meets plain data: objects have no prototype, so `constructor`, `__proto__` and
  `toString` are ordinary keys, and setting them changes that one object and nothing else.
* The VM executes only the stdlib table (the loader refuses any other global or builtin), its
  modules import nothing that reaches files, processes, the network or the environment, and
  loops and allocations end in the failures of LANGUAGE.md §10.8.
"""

from __future__ import annotations

import ast
import json
from pathlib import Path
from typing import Any

import pytest

import flowlang
from flowlang.compiler.bytecode import InvalidInstruction, Program
from rhythm.models import ExecutionStatus
from rhythm.testing import Runtime
from rhythm.vm import Limits

RUNTIME = Path(__file__).resolve().parents[2] / "rhythm_runtime" / "rhythm"

ESCAPES = {
    "globalThis": ("return globalThis", "FLOW101"),
    "window": ("return window.location", "FLOW101"),
    "require": ('return require("fs")', "FLOW101"),
    "process": ("return process.env.HOME", "FLOW101"),
    "eval": ('return eval("1 + 1")', "FLOW101"),
    "Function": ('return Function("return process")()', "FLOW101"),
    "new Function": ('return new Function("return 1")', "FLOW005"),
    "dynamic import": ('let fs = await import("fs")\nreturn fs', "FLOW005"),
    "static import": ('import fs from "fs"\nreturn 1', "FLOW005"),
    "fetch": ('return await fetch("http://example.com")', "FLOW101"),
    "setTimeout": ("setTimeout(1)\nreturn 1", "FLOW101"),
    "Python's open": ('return open("/etc/passwd")', "FLOW101"),
    "Python's __import__": ('return __import__("os")', "FLOW101"),
    "Reflect": ("return Reflect.ownKeys(Inputs)", "FLOW101"),
    "Proxy": ("return new Proxy({}, {})", "FLOW005"),
    "this": ("return this", "FLOW005"),
    "arguments": ("return arguments", "FLOW101"),
    "constructor of a string": ('return "x".constructor("return 1")', "FLOW204"),
    "constructor chain": ('return Inputs.constructor.constructor("return process")()', "FLOW207"),
    "__proto__ method": ("return Inputs.__proto__.toString()", "FLOW207"),
    "toString": ("return Inputs.toString()", "FLOW207"),
    "valueOf": ("let o = Inputs\nreturn o.valueOf()", "FLOW207"),
    "a computed method": ('let k = "constructor"\nreturn Inputs[k]("x")', "FLOW207"),
    "a namespace's constructor": ("return Math.constructor", "FLOW108"),
    "a builtin's prototype": ("return Object.prototype", "FLOW108"),
    "a builtin as a value": ('let parse = JSON.parse\nreturn parse("1")', "FLOW109"),
    "a builtin's call": ('return JSON.parse.call(null, "1")', "FLOW109"),
    "with": ("with (Inputs) { return 1 }", "FLOW005"),
    "a function": ("function f() { return 1 }\nreturn f()", "FLOW005"),
    "an arrow": ("let f = () => 1\nreturn f()", "FLOW005"),
    "a class": ("class A {}\nreturn 1", "FLOW005"),
}


@pytest.mark.parametrize("name", sorted(ESCAPES))
def test_the_checker_rejects_ways_out(name: str) -> None:
    source, code = ESCAPES[name]
    assert code in [d.code for d in flowlang.check(source) if d.is_error]


def run(source: str, limits: Limits = Limits(), **inputs: Any) -> Any:  # noqa: B008 - frozen
    execution = Runtime(tasks={"t": None}, limits=limits).run(source, inputs=inputs)
    return execution


def test_prototype_names_are_ordinary_keys() -> None:
    source = """
let o = {}
o["__proto__"] = { polluted: true }
let key = "constructor"
o[key] = "mine"
let other = {}
let parsed = JSON.parse('{"__proto__": {"polluted": true}, "toString": 1}')
return {
  o,
  keys: Object.keys(o),
  otherPolluted: other.polluted,
  otherConstructor: other.constructor,
  inputConstructor: Inputs.constructor,
  parsed,
  parsedPolluted: {}.polluted,
  text: `${{ toString: "not called" }}`,
  string: String({ valueOf: 1 }),
}
"""
    execution = run(source, constructor="from the inputs")
    assert execution.status == ExecutionStatus.COMPLETED
    assert execution.output == {
        "o": {"__proto__": {"polluted": True}, "constructor": "mine"},
        "keys": ["__proto__", "constructor"],
        "otherPolluted": None,
        "otherConstructor": None,
        "inputConstructor": "from the inputs",
        "parsed": {"__proto__": {"polluted": True}, "toString": 1},
        "parsedPolluted": None,
        "text": '{"toString":"not called"}',
        "string": '{"valueOf":1}',
    }


def test_a_forged_program_cannot_name_anything_outside_the_stdlib() -> None:
    document = json.loads(flowlang.compile("return 1").to_json())
    for instruction, problem in (
        (["LOAD_GLOBAL", "process"], "is not a global value"),
        (["CALL_BUILTIN", "eval", 0], "is not a builtin function"),
        (["CALL_BUILTIN", "__import__", 0], "is not a builtin function"),
        (["CALL_METHOD", "__class__", 0], "is not a builtin method"),
    ):
        document["code"] = [instruction, ["RETURN"]]
        document["spans"] = [None, None]
        with pytest.raises(InvalidInstruction, match=problem):
            Program.from_json(json.dumps(document))


# The VM and what it calls: the values, the builtins, the promises and the runtime's limits.
SANDBOX_MODULES = sorted(
    path
    for pattern in (
        "vm*.py",
        "values*.py",
        "builtins*.py",
        "promises.py",
        "limits.py",
        "json_data.py",
    )
    for path in RUNTIME.glob(pattern)
)
# Everything those modules may import: pure computation, no I/O.
ALLOWED_IMPORTS = {
    "__future__", "array", "collections", "collections.abc", "dataclasses", "datetime",
    "decimal", "json", "json.encoder", "math", "re", "sys", "types", "typing", "uuid",
    "flowlang.compiler.bytecode", "flowlang.compiler.bytecode_frames",
    "flowlang.compiler.literals", "flowlang.compiler.stdlib", "flowlang.compiler.types",
}  # fmt: skip
FORBIDDEN_CALLS = {"open", "eval", "exec", "compile", "__import__", "input", "breakpoint"}


def test_the_vm_imports_nothing_that_reaches_outside() -> None:
    assert len(SANDBOX_MODULES) > 15
    reached = []
    for path in SANDBOX_MODULES:
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                modules = [node.module or ""]
            else:
                modules = []
            reached += [
                f"{path.name} imports {module}"
                for module in modules
                if module not in ALLOWED_IMPORTS and not module.startswith("rhythm.")
            ]
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in FORBIDDEN_CALLS
            ):
                reached.append(f"{path.name}:{node.lineno} calls {node.func.id}")
    rhythm_imports = {
        node.module
        for path in SANDBOX_MODULES
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("rhythm.")
    }
    sandbox_names = {f"rhythm.{path.stem}" for path in SANDBOX_MODULES}
    assert reached == []
    assert rhythm_imports <= sandbox_names, rhythm_imports - sandbox_names


# Budgets small enough to fail fast, large enough for the failure each case is about.
TINY, SMALL, LARGE = 50_000, 1_000_000, 20_000_000

EXHAUSTION = {
    "an endless loop": ("while (true) {}\nreturn 1", SMALL, "InstructionLimitExceeded"),
    "a string doubled": ('let s = "x"\nwhile (true) { s = s + s }\nreturn s', SMALL, "RangeError"),
    "an array doubled": (
        "let a = [1]\nwhile (true) { a = a.concat(a) }\nreturn a",
        LARGE,
        "RangeError",
    ),
    "arrays nested": ("let a = []\nwhile (true) { a = [a] }\nreturn a", SMALL, "RangeError"),
    "a string padded": ('return "x".padEnd(1000000000)', SMALL, "RangeError"),
    "a number too large": ("return Math.pow(10, 400)", SMALL, "RangeError"),
    "a division by zero": ("return 1 / 0", SMALL, "RangeError"),
    "work in builtins": (
        'let n = 0\nwhile (true) { n += Inputs.big.join(",").length }\nreturn n',
        SMALL,
        "InstructionLimitExceeded",
    ),
    "state too large to keep": (
        'let keep = []\nlet s = "x".padEnd(1000000)\n'
        "for (const i of [1, 2, 3, 4, 5]) { keep.push(s + i) }\n"
        "await Timer.delay(1)\nreturn keep.length",
        LARGE,
        "SnapshotTooLarge",
    ),
    "tasks started without end": (
        'while (true) { Task.run("t", {}) }\nreturn 1',
        TINY,
        "InstructionLimitExceeded",
    ),
}


@pytest.mark.parametrize("name", sorted(EXHAUSTION))
def test_loops_and_allocations_end_in_their_budget(name: str) -> None:
    source, budget, failure = EXHAUSTION[name]
    limits = Limits(instructions_per_execution=budget)
    execution = run(source, limits, big=list(range(1000)))
    assert execution.status == ExecutionStatus.FAILED
    assert execution.output["type"] == failure
