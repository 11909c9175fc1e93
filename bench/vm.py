"""How fast is the VM? Instructions per second on a loop, against CPython running the same loop,
and the cost of one resume after 10 and after 10,000 awaits in one execution.

    python bench/vm.py
    python bench/vm.py --iterations 200000 --awaits 10 10000

**Throughput.** A `while` loop of integer arithmetic, comparisons, an array read and a
property write runs in one step (the per-step budget raised so the step never yields); the
instruction count comes from the snapshot's counters when the workflow then suspends on a
signal that never comes. The same loop written in Python runs as a plain function, so the
ratio reads "how many times slower than CPython on the equivalent code".

**Resume cost.** A workflow awaits one task per loop iteration. A bench host settles the first
N tasks at once, so the VM runs through N awaits (yielding whenever a step reaches its effect
budget) and suspends on task N+1. One resume is then: parse the snapshot JSON, settle task
N+1, run the step until it suspends on task N+2, serialise the new snapshot. The issue
requires the cost after 10,000 awaits to stay within 1.5x of the cost after 10: the snapshot
must not grow with history.

This is not a test; it prints numbers only.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import flowlang
from flowlang.compiler.bytecode import Program
from rhythm.promises import Outcome
from rhythm.vm import Limits, run_step

EPOCH_MS = 1_767_225_600_000

LOOP_SOURCE = """
let total = 0
let i = 0
let cells = [0, 0, 0, 0]
let box = { hits: 0 }
while (i < Inputs.n) {
  total = (total + i * 3) % 1000003
  cells[i % 4] = total
  if (total > cells[0]) box.hits += 1
  i++
}
await Signal.next("never")
return [total, box.hits]
"""

AWAIT_SOURCE = """
let i = 0
let total = 0
while (true) {
  total += await Task.run("step", { i })
  i++
}
"""


def python_loop(n: int) -> list[int]:
    """`LOOP_SOURCE` in Python."""
    total = 0
    i = 0
    cells = [0, 0, 0, 0]
    box = {"hits": 0}
    while i < n:
        total = (total + i * 3) % 1000003
        cells[i % 4] = total
        if total > cells[0]:
            box["hits"] += 1
        i += 1
    return [total, box["hits"]]


@dataclass
class BenchHost:
    """A host whose first `settled` tasks (in the order the VM first asks about them) are
    fulfilled with 1; every later task, and every signal, is pending."""

    inputs_value: dict[str, object]
    settled: int = 0
    order: dict[str, int] = field(default_factory=dict)

    def now(self) -> int:
        return EPOCH_MS

    def inputs(self) -> object:
        return self.inputs_value

    def context(self) -> dict[str, object]:
        return {
            "executionId": "bench",
            "workflowName": "bench",
            "parentExecutionId": None,
            "startedAt": EPOCH_MS,
        }

    def leaf_outcome(self, record: dict[str, object]) -> Outcome | None:
        if record["kind"] != "task":
            return None
        position = self.order.setdefault(str(record["id"]), len(self.order))
        return Outcome(True, 1, EPOCH_MS) if position < self.settled else None


def measure_throughput(iterations: int) -> None:
    program = flowlang.compile(LOOP_SOURCE)
    host = BenchHost({"n": iterations})
    limits = Limits(instructions_per_step=10**12, instructions_per_execution=10**12)
    started = time.perf_counter()
    result = run_step(program, None, host, limits)
    vm_seconds = time.perf_counter() - started
    assert result.status == "suspended", result.status
    instructions = result.snapshot["counters"]["instructions"]
    python_seconds = best_of(5, lambda: python_loop(iterations))
    print(f"loop iterations          {iterations}")
    print(f"instructions             {instructions}")
    print(f"vm seconds               {vm_seconds:.3f}")
    print(f"instructions/s           {instructions / vm_seconds:,.0f}")
    print(f"cpython seconds          {python_seconds:.4f}")
    print(f"vm / cpython             {vm_seconds / python_seconds:.1f}x")


def snapshot_after(awaits: int, program: Program) -> tuple[str, BenchHost]:
    """The snapshot text of the execution suspended on its `awaits + 1`-th task."""
    host = BenchHost({}, settled=awaits)
    snapshot = None
    while True:
        result = run_step(program, snapshot, host)
        snapshot = json.loads(json.dumps(result.snapshot))
        if result.status == "suspended":
            return json.dumps(result.snapshot), host
        assert result.status == "yielded", result.status


def measure_resume(awaits: int, program: Program, repeats: int) -> tuple[float, int]:
    """The median seconds of one resume after `awaits` awaits, and the snapshot's size."""
    text, host = snapshot_after(awaits, program)
    host.settled = awaits + 1

    def resume() -> None:
        result = run_step(program, json.loads(text), host)
        assert result.status == "suspended", result.status
        json.dumps(result.snapshot)

    resume()  # the program's decoded form is cached after its first load
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        resume()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples), len(text.encode())


def best_of(repeats: int, run: Callable[[], object]) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--iterations", type=int, default=300_000)
    parser.add_argument("--awaits", type=int, nargs="+", default=[10, 10_000])
    parser.add_argument("--repeats", type=int, default=200)
    arguments = parser.parse_args()
    measure_throughput(arguments.iterations)
    program = flowlang.compile(AWAIT_SOURCE)
    costs = {}
    for awaits in arguments.awaits:
        seconds, size = measure_resume(awaits, program, arguments.repeats)
        costs[awaits] = seconds
        print(f"resume after {awaits:<6} awaits  {seconds * 1e6:8.1f} us   snapshot {size} bytes")
    first, last = arguments.awaits[0], arguments.awaits[-1]
    print(f"resume cost ratio        {costs[last] / costs[first]:.2f}x ({last} vs {first} awaits)")


if __name__ == "__main__":
    main()
