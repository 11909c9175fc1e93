"""Hypothesis strategies that write valid `.flow` programs, shared by the VM's property tests
(tests/runtime/test_resume_property.py) and the fuzzing of the reliability suite
(tests/reliability/test_fuzz_vm.py).

* `awaiting_programs()` — small programs that await tasks (`double`, `echo`), timers and
  signals (`s`) inside expressions (array literals, arguments, operands), loops,
  `try`/`catch`/`finally` and branches. Their results are numbers and arrays of them.
* `chaotic_programs()` — programs over inputs of unknown type: `a`, `b` and `c` come from
  `Inputs`, so the checker types them `any` and stays silent (LANGUAGE.md §11.6), and at run
  time every operator, builtin, method, destructuring pattern and loop meets values of every
  kind. They throw what they compute, loop on conditions of any value, and await the task
  `echo` (which returns its input `v`). Draw them with `chaotic_inputs()`.

Both write only programs that compile; what a chaotic program does is up to its inputs.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

from hypothesis import strategies as st

# -------------------------------------------------------------------- awaiting programs


class _Names:
    """Fresh variable names, so nested loops never shadow one another."""

    def __init__(self) -> None:
        self.count = 0

    def fresh(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"


@st.composite
def _number_expressions(draw: st.DrawFn, depth: int = 0) -> str:
    leaves = [
        "n",
        str(draw(st.integers(0, 9))),
        '(await Task.run("double", { n }))',
        '(await Task.run("double", { n: 1 }) + n)',
        '(await Promise.race([Task.run("double", { n }), Timer.delay(1)]))',
        "((await Timer.delay(2)) ?? 3)",
        '((await Signal.next("s")) ?? 0)',
        '(await Promise.all([Task.run("double", { n: 2 }), 5]))[0]',
    ]
    if depth < 2 and draw(st.booleans()):
        left = draw(_number_expressions(depth + 1))
        right = draw(_number_expressions(depth + 1))
        return f"({left} {draw(st.sampled_from(['+', '-', '*']))} {right})"
    return draw(st.sampled_from(leaves))


@st.composite
def _awaiting_statements(draw: st.DrawFn, names: _Names, depth: int = 0) -> str:
    count = draw(st.integers(1, 3))
    return "\n".join(draw(_awaiting_statement(names, depth)) for _ in range(count))


@st.composite
def _awaiting_statement(draw: st.DrawFn, names: _Names, depth: int) -> str:
    simple = [
        "acc.push({e})",
        "n = {e}",
        "acc.push([n, {e}, `t${{n}}`])",
        "if (n > 40) throw Error(`big ${{n}}`)",
        'acc.push({{ k: {e}, v: await Task.run("echo", {{ v: n }}) }})',
    ]
    kinds = ["simple"] if depth >= 2 else ["simple", "for", "while", "try", "finally", "if"]
    kind = draw(st.sampled_from(kinds))
    if kind == "simple":
        return draw(st.sampled_from(simple)).format(e=draw(_number_expressions()))
    body = draw(_awaiting_statements(names, depth + 1))
    if kind == "for":
        item = names.fresh("item")
        items = f"[1, {draw(_number_expressions())}]"
        return f"for (const {item} of {items}) {{\n  n += {item}\n{body}\n}}"
    if kind == "while":
        k = names.fresh("k")
        return f"let {k} = 0\nwhile ({k} < 2) {{\n  {k}++\n{body}\n}}"
    if kind == "try":
        other = draw(_awaiting_statements(names, depth + 1))
        return f"try {{\n{body}\n}} catch (e) {{\n  acc.push(e.message)\n{other}\n}}"
    if kind == "finally":
        echo = 'acc.push(await Task.run("echo", { v: "f" }))'
        return f"try {{\n{body}\n}} finally {{\n  {echo}\n}}"
    other = draw(_awaiting_statements(names, depth + 1))
    return f"if (n % 2 == 0) {{\n{body}\n}} else {{\n{other}\n}}"


@st.composite
def awaiting_programs(draw: st.DrawFn) -> str:
    body = draw(_awaiting_statements(_Names()))
    return f"let acc = []\nlet n = 1\n{body}\nreturn {{ acc, n }}\n"


# -------------------------------------------------------------------- chaotic programs

# Variables typed `any`: assigned nothing but `any` expressions, so no narrowing gives them a
# type the checker could hold against a later use.
_ANY_VARIABLES = ("a", "b", "c")
_ANY_LEAVES = (*_ANY_VARIABLES, "Inputs.a", "Inputs.d")
_KEYS = ("k", "length", "0", "constructor", "__proto__", "toString", "é", "")
# The methods that do not change their receiver (a ✎ method on `Inputs.a` is FLOW105).
_METHODS = (
    "at", "concat", "endsWith", "includes", "indexOf", "join", "padEnd", "padStart", "replace",
    "replaceAll", "slice", "split", "startsWith", "toLowerCase", "toUpperCase", "trim",
)  # fmt: skip
# Builtin functions by arity (None: any number of arguments). Not `Array.isArray`: as a
# condition it narrows its argument to an array, which the checker then holds it to.
_FUNCTIONS: dict[str, int | None] = {
    "String": 1, "Number": 1, "Boolean": 1, "Error": 1, "Math.floor": 1, "Math.ceil": 1,
    "Math.trunc": 1, "Math.round": 1, "Math.abs": 1, "Math.sign": 1, "Math.min": None,
    "Math.max": None, "Math.pow": 2, "Math.sqrt": 1, "Date.parse": 1, "Date.iso": 1,
    "JSON.stringify": 1, "JSON.parse": 1, "Object.keys": 1, "Object.values": 1,
    "Object.entries": 1, "Object.fromEntries": 1, "Object.hasOwn": 2,
}  # fmt: skip
_OPERATORS = ("+", "-", "*", "/", "%", "<", "<=", ">", ">=", "==", "!=", "===", "!==")
_LITERALS = (
    "0", "1", "-1", "2.5", "1e308", "9007199254740993", "0.1", '""', '"x"', '"0x1f"', '"é🎉"',
    "null", "true", "false", "[]", "{}", "[1, [2, [3]]]", '{ k: { k: "v" } }',
)  # fmt: skip
_MAX_DEPTH = 3


class _Tape:
    """Choices read from bytes. Hypothesis draws one byte string per program (one draw is cheap
    where the thousands of small draws of a composite strategy are not) and shrinks it towards
    zeros and towards shorter: a zero, and the end of the tape, pick the first option of every
    choice, which is always the simplest (a leaf, one statement)."""

    def __init__(self, data: bytes) -> None:
        self.data = data
        self.position = 0

    def number(self, bound: int) -> int:
        if self.position >= len(self.data):
            return 0
        self.position += 1
        return self.data[self.position - 1] % bound

    def pick(self, options: Sequence[str]) -> str:
        return options[self.number(len(options))]


class _ChaoticWriter:
    def __init__(self, tape: _Tape) -> None:
        self.tape = tape
        self.names = _Names()

    def program(self) -> str:
        body = self.statements(0, loop=False)
        declarations = "\n".join(f"let {name} = Inputs.{name}" for name in _ANY_VARIABLES)
        return f"{declarations}\nlet out = [Inputs.d]\n{body}\nreturn {self.value(0)}\n"

    def any_expression(self, depth: int) -> str:
        """An expression the checker types `any`."""
        form = 0 if depth >= _MAX_DEPTH else self.tape.number(8)
        if form <= 1:
            return self.tape.pick(_ANY_LEAVES)
        inner = self.any_expression(depth + 1)
        if form == 2:
            return f"{inner}.{self.tape.pick(('k', 'length', 'x', 'constructor'))}"
        if form == 3:
            return f"{inner}[{self.value(depth + 1)}]"
        if form == 4:
            return f"{inner}?.{self.tape.pick(('k', 'x'))}"
        if form == 5:
            arguments = ", ".join(self.value(depth + 1) for _ in range(self.tape.number(4)))
            return f"{inner}.{self.tape.pick(_METHODS)}({arguments})"
        if form == 6:
            operator = self.tape.pick(("&&", "||", "??"))
            return f"({inner} {operator} {self.any_expression(depth + 1)})"
        return f'(await Task.run("echo", {{ v: {self.value(depth + 1)} }}))'

    def value(self, depth: int) -> str:
        """An expression of any type; at least one operand of every operator is `any`."""
        form = 0 if depth >= _MAX_DEPTH else self.tape.number(12)
        if form == 0:
            return self.any_expression(depth + 1)
        if form == 1:
            return self.tape.pick(_LITERALS)
        left = self.any_expression(depth + 1)
        if form == 2:
            operator = self.tape.pick(_OPERATORS)
            right = self.value(depth + 1)
            return (
                f"({left} {operator} {right})"
                if self.tape.number(2)
                else f"({right} {operator} {left})"
            )
        if form == 3:
            return f"{self.tape.pick(('!', '-', 'typeof '))}{left}"
        if form == 4:  # arguments of any type, so the checker leaves the call alone
            function = self.tape.pick(sorted(_FUNCTIONS))
            count = _FUNCTIONS[function] or 1 + self.tape.number(3)
            others = [self.any_expression(depth + 1) for _ in range(count - 1)]
            return f"{function}({', '.join([left, *others])})"
        if form == 5:
            items = [
                f"...{self.any_expression(depth + 1)}"
                if self.tape.number(3) == 0
                else self.value(depth + 1)
                for _ in range(self.tape.number(4))
            ]
            return f"[{', '.join(items)}]"
        if form == 6:
            key = json.dumps(self.tape.pick(_KEYS))
            rest = self.any_expression(depth + 1)
            return f"{{ {key}: {self.value(depth + 1)}, [{left}]: 1, ...{rest} }}"
        if form == 7:
            return f"`${{{left}}}-${{{self.value(depth + 1)}}}`"
        if form == 8:
            return f"({left} ? {self.value(depth + 1)} : {self.value(depth + 1)})"
        if form == 9:
            return f"Math.max(...{left})"
        return left

    def statements(self, depth: int, loop: bool) -> str:
        count = 1 + self.tape.number(3)
        return "\n".join(self.statement(depth, loop) for _ in range(count))

    def statement(self, depth: int, loop: bool) -> str:
        kind = 0 if depth >= 2 else self.tape.number(9)
        if kind <= 3:
            return self.simple_statement(loop)
        if kind == 4:
            body, other = self.statements(depth + 1, loop), self.statements(depth + 1, loop)
            return f"if ({self.value(0)}) {{\n{body}\n}} else {{\n{other}\n}}"
        if kind == 5:
            return f"while ({self.value(0)}) {{\n{self.statements(depth + 1, True)}\n}}"
        if kind in (6, 7):
            item = self.names.fresh("item")
            iteration = "of" if kind == 6 else "in"
            head = f"for (const {item} {iteration} {self.any_expression(0)})"
            return f"{head} {{\n  out.push({item})\n{self.statements(depth + 1, True)}\n}}"
        body = self.statements(depth + 1, loop)
        error = self.names.fresh("e")
        handler = self.statements(depth + 1, loop)
        cleanup = self.statements(depth + 1, loop)
        return (
            f"try {{\n{body}\n}} catch ({error}) {{\n  out.push({error})\n{handler}\n}}"
            f" finally {{\n{cleanup}\n}}"
        )

    def simple_statement(self, loop: bool) -> str:
        variable = self.tape.pick(_ANY_VARIABLES)
        forms = [
            lambda: f"out.push({self.value(0)})",
            lambda: f"{variable} = {self.any_expression(0)}",
            lambda: f"{variable}.k = {self.value(0)}",
            lambda: f"{variable}[{self.value(0)}] = {self.value(0)}",
            lambda: f"{variable}.k.push({self.value(0)})",
            lambda: f"{variable}.{self.tape.pick(('push', 'pop', 'reverse'))}({self.value(0)})",
            lambda: f"if ({self.value(0)}) throw {self.value(0)}",
            self.object_pattern,
            self.array_pattern,
        ]
        if loop:
            forms += [
                lambda: f"if ({self.value(0)}) break",
                lambda: f"if ({self.value(0)}) continue",
            ]
        return forms[self.tape.number(len(forms))]()

    def object_pattern(self) -> str:
        k, m, rest = (self.names.fresh("f") for _ in range(3))
        pattern = f"{{ k: {k}, m: {m} = {self.value(0)}, ...{rest} }}"
        return f"let {pattern} = {self.any_expression(0)}\nout.push([{k}, {m}, {rest}])"

    def array_pattern(self) -> str:
        first, second, rest = (self.names.fresh("f") for _ in range(3))
        pattern = f"[{first}, , {second} = {self.value(0)}, ...{rest}]"
        return f"let {pattern} = {self.any_expression(0)}\nout.push([{first}, {second}, {rest}])"


def chaotic_programs(min_size: int = 64, max_size: int = 400) -> st.SearchStrategy[str]:
    """Programs over `any` inputs (see the module documentation), written from `min_size` to
    `max_size` choices."""
    return st.binary(min_size=min_size, max_size=max_size).map(
        lambda data: _ChaoticWriter(_Tape(data)).program()
    )


def json_values() -> st.SearchStrategy[object]:
    """JSON data as a workflow may receive it."""
    return st.recursive(
        st.none()
        | st.booleans()
        | st.integers(-(2**53), 2**53)
        | st.floats(allow_nan=False, allow_infinity=False)
        | st.text(max_size=8),
        lambda children: (
            st.lists(children, max_size=4)
            | st.dictionaries(st.sampled_from(["k", "x", "0", "length", ""]), children, max_size=3)
        ),
        max_leaves=12,
    )


def chaotic_inputs() -> st.SearchStrategy[dict[str, object]]:
    """Inputs for `chaotic_programs()`."""
    return st.fixed_dictionaries({name: json_values() for name in (*_ANY_VARIABLES, "d")})
