"""Bad input to the VM (issue #8, item 5): random valid programs, run on random inputs, end as
workflows end — completed with a JSON output, or failed with an error object — and never with
a Python exception escaping the runtime.

The chaotic programs (`flow_programs.chaotic_programs`) read their values from `Inputs`, which
the checker types `any`, so they compile, and at run time every operator, builtin, method,
pattern and loop meets values of every kind: null where an object is expected, strings where
numbers are, huge numbers, nested arrays, `__proto__` keys. The resume property's programs
(`flow_programs.awaiting_programs`) run with tasks that fail. All run in the in-memory runtime,
which round-trips every snapshot through JSON, with an instruction budget of 5,000 so that a
loop that never ends fails quickly with `InstructionLimitExceeded` (also a workflow failure).
"""

from __future__ import annotations

import json
from typing import Any

from deadlines import at_most
from flow_programs import awaiting_programs, chaotic_inputs, chaotic_programs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rhythm.models import ExecutionStatus
from rhythm.testing import Runtime
from rhythm.vm import Limits

BUDGET = Limits(instructions_per_execution=5_000)
FUZZ = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def echo(inputs: dict[str, Any]) -> Any:
    return inputs.get("v")


@FUZZ
@given(chaotic_programs(), chaotic_inputs())
def test_random_programs_end_as_workflows_end(source: str, inputs: dict[str, Any]) -> None:
    with at_most():
        execution = Runtime(tasks={"echo": echo}, limits=BUDGET).run(source, inputs=inputs)
    assert execution.status in (ExecutionStatus.COMPLETED, ExecutionStatus.FAILED), source
    assert json.loads(json.dumps(execution.output, allow_nan=False)) == execution.output
    if execution.status == ExecutionStatus.FAILED:
        assert isinstance(execution.output, dict)
        assert isinstance(execution.output.get("type"), str)
        assert isinstance(execution.output.get("message"), str)


# The resume property's strategy draws a program piece by piece, twenty times slower than the
# byte tape of the chaotic programs: a tenth of the profile's examples (1,000 in CI).
AWAITING = settings(FUZZ, max_examples=max(settings().max_examples // 10, 10))


class Flaky(Exception):
    """What the tasks of `test_awaiting_programs_with_failing_tasks_end_as_workflows_end` raise."""


@AWAITING
@given(awaiting_programs(), st.frozensets(st.integers(0, 60), max_size=8))
def test_awaiting_programs_with_failing_tasks_end_as_workflows_end(
    source: str, failing: frozenset[int]
) -> None:
    """The resume property's programs (tasks, timers and signals awaited everywhere), with
    tasks that fail for some inputs and signals never sent: completed, failed or suspended."""

    def double(inputs: dict[str, Any]) -> Any:
        if inputs["n"] in failing:
            raise Flaky(f"no double of {inputs['n']}")
        return inputs["n"] * 2

    runtime = Runtime(tasks={"double": double, "echo": echo}, limits=BUDGET)
    with at_most():
        execution = runtime.run(source)
    assert execution.status in (
        ExecutionStatus.COMPLETED,
        ExecutionStatus.FAILED,
        ExecutionStatus.SUSPENDED,
    )
    json.dumps(execution.output, allow_nan=False)


def test_the_generator_reaches_both_ends() -> None:
    """The programs do complete and do fail: the fuzzing is not stuck on one road."""
    statuses = set()

    @settings(max_examples=60, database=None, deadline=None)
    @given(chaotic_programs(), chaotic_inputs())
    def run(source: str, inputs: dict[str, Any]) -> None:
        runtime = Runtime(tasks={"echo": echo}, limits=BUDGET)
        statuses.add(runtime.run(source, inputs=inputs).status)

    run()
    assert statuses == {ExecutionStatus.COMPLETED, ExecutionStatus.FAILED}
