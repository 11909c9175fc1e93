"""Tasks for the end-to-end tests' worker processes (`rhythm worker -m .../e2e_tasks.py`).

What the tasks do is read from the JSON file named by `RHYTHM_E2E_TASKS`, so one module serves
every test:

* `"scripted"`: task name -> list of `[ok, value]` outcomes, as the corpus's `task` and
  `task-error` directives state them: successive calls take successive outcomes and the last
  repeats; a failure raises an exception of class `value["type"]` with `value["message"]`.
* `"slow"`: task name -> seconds the task sleeps before returning its inputs; it first appends
  a line `<name> <inputs as JSON>` to the file `RHYTHM_E2E_LOG` (one write, so lines of
  several processes never mix), which tells the test that it started and how often.
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Callable
from typing import Any

from rhythm import task

SCRIPT_VARIABLE = "RHYTHM_E2E_TASKS"
LOG_VARIABLE = "RHYTHM_E2E_LOG"


def _scripted(name: str, outcomes: list[tuple[bool, Any]]) -> Callable[[dict[str, Any]], Any]:
    calls = 0
    lock = threading.Lock()

    def run(inputs: dict[str, Any]) -> Any:
        nonlocal calls
        with lock:
            ok, value = outcomes[min(calls, len(outcomes) - 1)]
            calls += 1
        if ok:
            return value
        error_class = type(value["type"], (Exception,), {})
        error = error_class(value["message"])
        if "details" in value:
            error.details = value["details"]  # type: ignore[attr-defined]
        raise error

    run.__name__ = run.__qualname__ = f"scripted_{name}".replace("-", "_")
    return run


def _slow(name: str, seconds: float) -> Callable[[dict[str, Any]], Any]:
    def run(inputs: dict[str, Any]) -> Any:
        line = f"{name} {json.dumps(inputs, sort_keys=True)}\n".encode()
        descriptor = os.open(os.environ[LOG_VARIABLE], os.O_WRONLY | os.O_APPEND | os.O_CREAT)
        try:
            os.write(descriptor, line)
        finally:
            os.close(descriptor)
        time.sleep(seconds)
        return inputs

    run.__name__ = run.__qualname__ = f"slow_{name}".replace("-", "_")
    return run


def _register() -> None:
    with open(os.environ[SCRIPT_VARIABLE], encoding="utf-8") as file:
        script = json.load(file)
    for name, outcomes in script.get("scripted", {}).items():
        task(name=name)(_scripted(name, [(bool(ok), value) for ok, value in outcomes]))
    for name, seconds in script.get("slow", {}).items():
        task(name=name)(_slow(name, float(seconds)))


_register()
