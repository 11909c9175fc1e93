"""How fast is the checker? Parse + resolve, and the full check with types, against CPython's
own `compile()`.

    python bench/compiler.py              # a 10,000-line program
    python bench/compiler.py --lines 2000

The program is generated deterministically from a seed: chunks of the statements real
workflows are made of (declarations, templates, `if`/`else if`, `for…of` and `while` loops,
`await Task.run` with object literals, `Promise.race` of a signal and a timer, `try`/`catch`,
nested blocks), every name declared and used. The same statements are also written as Python
(assignments, `if`/`elif`, `for`, `await` inside an `async def`, dicts, f-strings,
`try`/`except`), so `compile()` on it is a fair yardstick for "how fast can a parser be here".
Python has no closing-brace lines, so its line count is lower for the same statements; the
speed ratio therefore compares times for the same statements, not lines per second.

The full check is `analyze()` — every phase `flowc check` runs on a file, types included —
against a task catalog of the generated program's tasks, so that task inputs and results are
checked too. The issue's budget for it is 15x `compile()`.

This is not a test; `tests/test_cli.py` only checks that the generated program stays valid.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from flowlang.compiler import parser, resolve
from flowlang.compiler.analysis import analyze
from flowlang.compiler.catalog import catalog_from_document
from flowlang.compiler.environment import Environment

SEED = 20261124
TASKS = ("charge-card", "send-email", "reserve-stock", "create-invoice", "notify-ops")
FIELDS = ("price", "quantity", "weight", "discount")

_STEP_INPUTS = {
    "type": "object",
    "properties": {
        "orderId": {"type": "string"},
        "amount": {"type": "number"},
        "total": {"type": "number"},
        "tags": {"type": "array", "items": {"type": "string"}},
        "problem": {"type": "string"},
    },
    "additionalProperties": False,
}
_STEP_RESULT = {
    "type": "object",
    "properties": {
        "amount": {"anyOf": [{"type": "number"}, {"type": "null"}]},
        "ok": {"type": "boolean"},
    },
    "required": ["amount", "ok"],
    "additionalProperties": False,
}
# The catalog the full check runs against: every task the generator calls, typed.
CATALOG_DOCUMENT = {
    "format": "flow-task-catalog/1",
    "tasks": {task: {"inputs": _STEP_INPUTS, "result": _STEP_RESULT} for task in TASKS},
}
CATALOG = catalog_from_document(CATALOG_DOCUMENT, origin="bench")
ENVIRONMENT = Environment(tasks=CATALOG)
FULL_CHECK_BUDGET = 15  # times `compile()`, from the issue


@dataclass(frozen=True)
class Program:
    """One generated workflow, as `.flow` source and as Python source of the same statements."""

    flow: str
    python: str

    @property
    def flow_lines(self) -> int:
        return self.flow.count("\n")

    @property
    def python_lines(self) -> int:
        return self.python.count("\n")


class _Writer:
    """Accumulates both translations of each statement side by side, with indentation."""

    def __init__(self) -> None:
        self.flow: list[str] = []
        self.python: list[str] = []
        self.depth = 0

    def both(self, flow: str, python: str) -> None:
        self.flow.append("  " * self.depth + flow)
        self.python.append("    " * (self.depth + 1) + python)

    def flow_only(self, flow: str) -> None:
        """A line with no Python counterpart: a closing brace."""
        self.flow.append("  " * self.depth + flow)

    def open(self, flow: str, python: str) -> None:
        self.both(flow, python)
        self.depth += 1

    def switch(self, flow: str, python: str) -> None:
        """From one branch to the next: `} else {` / `else:`."""
        self.depth -= 1
        self.open(flow, python)

    def close(self, flow: str = "}", python: str | None = None) -> None:
        """End a block: a closing brace, which Python writes only after a bracketed literal."""
        self.depth -= 1
        if python is None:
            self.flow_only(flow)
        else:
            self.both(flow, python)


Chunk = Callable[[_Writer, int, random.Random], None]


def _arithmetic(out: _Writer, n: int, rng: random.Random) -> None:
    factor, offset = rng.randint(2, 9), rng.randint(1, 99)
    out.both(
        f"let total_{n} = amount * {factor} + {offset}", f"total_{n} = amount * {factor} + {offset}"
    )
    out.both(
        f"let label_{n} = `order ${{orderId}}: ${{total_{n}}} (step {n})`",
        f'label_{n} = f"order {{orderId}}: {{total_{n}}} (step {n})"',
    )
    out.open(
        f'if (total_{n} > {offset * 10} && label_{n} != "") {{',
        f'if total_{n} > {offset * 10} and label_{n} != "":',
    )
    out.both(f"total_{n} = total_{n} - {offset}", f"total_{n} = total_{n} - {offset}")
    out.switch(f"}} else if (total_{n} < 0) {{", f"elif total_{n} < 0:")
    out.both(f"total_{n} = 0", f"total_{n} = 0")
    out.switch("} else {", "else:")
    out.both(f"total_{n} += 1", f"total_{n} += 1")
    out.close()
    out.both(f"grand += total_{n}", f"grand += total_{n}")


def _loop(out: _Writer, n: int, rng: random.Random) -> None:
    field, limit = rng.choice(FIELDS), rng.randint(5, 50)
    out.both(f"let sum_{n} = 0", f"sum_{n} = 0")
    out.both(f"let names_{n} = []", f"names_{n} = []")
    out.open("for (const item of items) {", "for item in items:")
    out.open(f"if (item.{field} > {limit}) {{", f'if item["{field}"] > {limit}:')
    out.both(f"sum_{n} += item.{field}", f'sum_{n} += item["{field}"]')
    out.both(f"names_{n}.push(item.name.toUpperCase())", f'names_{n}.append(item["name"].upper())')
    out.switch("} else {", "else:")
    out.both("continue", "continue")
    out.close()
    out.close()
    out.both(f"grand += sum_{n} + names_{n}.length", f"grand += sum_{n} + len(names_{n})")


def _task(out: _Writer, n: int, rng: random.Random) -> None:
    task, retries = rng.choice(TASKS), rng.randint(0, 5)
    out.open(
        f'let result_{n} = await Task.run("{task}", {{', f'result_{n} = await Task.run("{task}", {{'
    )
    out.both("orderId: orderId,", '"orderId": orderId,')
    out.both(f"amount: amount + {n},", f'"amount": amount + {n},')
    out.both(f'tags: ["step-{n}", "{task}"],', f'"tags": ["step-{n}", "{task}"],')
    out.close(
        f'}}, {{ retries: {retries}, timeout: "30s" }})',
        f'}}, {{"retries": {retries}, "timeout": "30s"}})',
    )
    out.both(
        f"grand += result_{n}.amount ?? 0",
        f'grand += result_{n}["amount"] if result_{n}["amount"] is not None else 0',
    )


def _guarded_task(out: _Writer, n: int, rng: random.Random) -> None:
    task = rng.choice(TASKS)
    out.open("try {", "try:")
    out.both(
        f'let receipt_{n} = await Task.run("{task}", {{ orderId, total: grand }})',
        f'receipt_{n} = await Task.run("{task}", {{"orderId": orderId, "total": grand}})',
    )
    out.open(f"if (!receipt_{n}.ok) {{", f'if not receipt_{n}["ok"]:')
    out.both(f'throw Error("{task} refused step {n}")', f'raise Error("{task} refused step {n}")')
    out.close()
    out.switch("} catch (err) {", "except Exception as err:")
    out.both(
        'await Task.run("notify-ops", { problem: `${err.type}: ${err.message}` })',
        'await Task.run("notify-ops", {"problem": f"{err.type}: {err.message}"})',
    )
    out.close()


def _race(out: _Writer, n: int, rng: random.Random) -> None:
    hours = rng.randint(1, 72)
    race = f'Promise.race([Signal.next("approval-{n}"), Timer.delay("{hours}h")])'
    out.both(f"let decision_{n} = await {race}", f"decision_{n} = await {race}")
    out.open(
        f"if (decision_{n}?.approved != true) {{", f'if decision_{n}.get("approved") is not True:'
    )
    out.both(
        f'return {{ status: "declined", step: {n}, grand }}',
        f'return {{"status": "declined", "step": {n}, "grand": grand}}',
    )
    out.close()


def _retry_loop(out: _Writer, n: int, rng: random.Random) -> None:
    attempts = rng.randint(2, 6)
    out.both(f"let attempt_{n} = 0", f"attempt_{n} = 0")
    out.open(f"while (attempt_{n} < {attempts}) {{", f"while attempt_{n} < {attempts}:")
    out.both(f"attempt_{n}++", f"attempt_{n} += 1")
    out.open("{", "if True:")
    out.both(f"let ratio_{n} = attempt_{n} / {attempts}", f"ratio_{n} = attempt_{n} / {attempts}")
    out.open(f"if (ratio_{n} >= 0.5) {{", f"if ratio_{n} >= 0.5:")
    out.both("break", "break")
    out.close()
    out.close()
    out.close()
    out.both(f"grand += attempt_{n}", f"grand += attempt_{n}")


CHUNKS: tuple[Chunk, ...] = (_arithmetic, _loop, _task, _guarded_task, _race, _retry_loop)


def generate(lines: int, seed: int = SEED) -> Program:
    """A valid workflow of at least `lines` lines (a little more: chunks are not split)."""
    rng = random.Random(seed)
    out = _Writer()
    out.both(
        "const { orderId, amount, items } = Inputs",
        'orderId, amount, items = Inputs["orderId"], Inputs["amount"], Inputs["items"]',
    )
    out.both("let grand = 0", "grand = 0")
    n = 0
    while len(out.flow) < lines - 1:
        rng.choice(CHUNKS)(out, n, rng)
        n += 1
    out.both('return { status: "done", grand }', 'return {"status": "done", "grand": grand}')
    python = ["async def main(Inputs, Task, Promise, Signal, Timer, Error):", *out.python]
    return Program(flow="\n".join(out.flow) + "\n", python="\n".join(python) + "\n")


def best_of(repeat: int, run: Callable[[], object]) -> float:
    """The fastest of `repeat` runs, in seconds: the least disturbed by the machine."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def parse_and_resolve(text: str) -> resolve.Resolution:
    return resolve.resolve(parser.parse(text).program)


def error_count(flow: str) -> int:
    """The full check: `analyze()` with types against the catalog; its number of errors."""
    analysis = analyze(flow, path="bench.flow", environment=ENVIRONMENT)
    return sum(1 for problem in analysis.diagnostics if problem.is_error)


def measure(lines: int, repeat: int) -> None:
    program = generate(lines)
    errors = error_count(program.flow)
    if errors:
        raise SystemExit(f"the generated program has {errors} errors: fix the generator first")
    flow_time = best_of(repeat, lambda: parse_and_resolve(program.flow))
    full_time = best_of(repeat, lambda: error_count(program.flow))
    python_time = best_of(repeat, lambda: compile(program.python, "<bench>", "exec"))
    check_time = _check_wall_time()
    print(_speed_line("flow   parse + resolve", program.flow_lines, flow_time))
    print(_speed_line("flow   full check", program.flow_lines, full_time))
    print(_speed_line("python compile()", program.python_lines, python_time))
    print(f"same statements: parse + resolve takes {flow_time / python_time:.1f}x `compile()`")
    print(
        f"same statements: the full check takes {full_time / python_time:.1f}x `compile()` "
        f"(budget: {FULL_CHECK_BUDGET}x)"
    )
    print(f"analyze() of a 2,000-line file (what `flowc check` runs): {check_time * 1000:.1f} ms")


def _speed_line(what: str, lines: int, seconds: float) -> str:
    rate = lines / seconds
    return f"{what:<24}{lines:>7,} lines {seconds * 1000:8.1f} ms {rate:>10,.0f} lines/s"


def _check_wall_time() -> float:
    """Wall time of one `flowc check`-style analysis: read a 2,000-line file, analyze it."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "bench.flow")
        path.write_text(generate(2000).flow, encoding="utf-8")
        start = time.perf_counter()
        analyze(path.read_text(encoding="utf-8-sig"), path=str(path), environment=ENVIRONMENT)
        return time.perf_counter() - start


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument(
        "--lines", type=int, default=10_000, help="size of the program (default: 10000)"
    )
    arguments.add_argument(
        "--repeat", type=int, default=5, help="runs per measurement; the best counts"
    )
    options = arguments.parse_args()
    measure(options.lines, options.repeat)


if __name__ == "__main__":
    main()
