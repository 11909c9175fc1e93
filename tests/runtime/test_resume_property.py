"""The resume property (LANGUAGE.md §10.5): suspending a workflow, serialising its snapshot to
JSON and resuming it in a fresh VM is indistinguishable from never stopping.

Hypothesis writes small random programs that await tasks, timers and signals inside
expressions (array literals, arguments, operands), loops, `try`/`catch`/`finally` and
branches (`flow_programs.awaiting_programs`, shared with the reliability suite). Each runs
twice in the in-memory runtime:

* **straight through** — `Runtime(durable=False)`: the VM's snapshot object is handed to the
  next step as it is, never serialised, with the default step budget. It still stops at every
  await of a pending promise (the runtime must run the task before the answer exists), but
  nothing is ever rebuilt from JSON.
* **durable, yielding anywhere** — `Runtime(durable=True)` with a random budget of 1 to 40
  instructions per step: every step ends in a JSON round trip into a fresh `run_step`, and the
  budget makes steps end at arbitrary instructions — mid-expression with operands on the stack,
  inside `finally` blocks carrying a completion, inside `for…of` with its iterator — not only
  at awaits.

Both must agree on the status, the output, where a suspended run waits, and the tasks started
(names and inputs, in order).
"""

from __future__ import annotations

from typing import Any

from flow_programs import awaiting_programs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rhythm.testing import Runtime
from rhythm.vm import Limits

SIGNALS = [("s", index) for index in range(4)]


def run(source: str, **runtime_options: Any) -> tuple[object, ...]:
    calls: list[tuple[str, object]] = []

    def recorded(name: str, result: Any) -> Any:
        def stub(inputs: dict[str, Any]) -> Any:
            calls.append((name, inputs))
            return result(inputs)

        return stub

    tasks = {
        "double": recorded("double", lambda inputs: inputs["n"] * 2),
        "echo": recorded("echo", lambda inputs: inputs["v"]),
    }
    runtime = Runtime(tasks=tasks, **runtime_options)
    execution = runtime.run(source, signals=SIGNALS)
    waiting = execution.waiting_for and execution.waiting_for.get("span")
    return execution.status, execution.output, waiting, calls


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(source=awaiting_programs(), budget=st.integers(1, 40))
def test_resuming_from_json_anywhere_equals_running_straight_through(
    source: str, budget: int
) -> None:
    straight = run(source, durable=False)
    durable = run(source, durable=True, limits=Limits(instructions_per_step=budget))
    assert durable == straight, source


def test_the_generator_writes_programs_that_suspend() -> None:
    source = (
        'let acc = []\nlet n = 1\nacc.push([n, (await Task.run("double", { n })), `t${n}`])\n'
        "return { acc, n }\n"
    )
    status, output, _, calls = run(source, durable=True, limits=Limits(instructions_per_step=1))
    assert (status, output, calls) == (
        "completed",
        {"acc": [[1, 2, "t1"]], "n": 1},
        [("double", {"n": 1})],
    )
