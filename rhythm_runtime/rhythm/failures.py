"""The values a failed task or child workflow settles its awaiting promise with (LANGUAGE.md
§8.3, §8.4, §10.9), and the JSON normalisation of data crossing into workflows (§7.3).

Shared by the in-memory test runtime (`rhythm.testing`) and the Postgres worker, so both give
workflows exactly the same failure objects.
"""

from __future__ import annotations

import contextlib
import json
from typing import Any

from rhythm.json_data import loads

EXECUTION_CANCELLED: dict[str, Any] = {
    "type": "CancelledError",
    "message": "Execution cancelled",
}


def task_failure(
    error: BaseException | None,
    *,
    name: str,
    execution_id: str,
    attempts: int,
    error_type: str | None = None,
    message: str | None = None,
) -> dict[str, Any]:
    """The value a failed task rejects with (§8.3): from the exception of the last attempt, or
    from `error_type` and `message` when the failure was not an exception of the task's own
    (a timeout, a cancellation, a worker that does not know the task)."""
    failure: dict[str, Any] = {
        "type": error_type or type(error).__name__,
        "message": message if message is not None else str(error),
        "task": name,
        "executionId": execution_id,
        "attempts": attempts,
    }
    details = getattr(error, "details", None)
    if details is not None:
        with contextlib.suppress(TypeError):  # §8.3: details only when they are JSON
            failure["details"] = as_json(details, "details")
    return failure


def task_cancelled(name: str, execution_id: str, attempts: int) -> dict[str, Any]:
    """The failure of a task cancelled with its workflow (§8.3, §10.9)."""
    return task_failure(
        None,
        name=name,
        execution_id=execution_id,
        attempts=attempts,
        error_type="CancelledError",
        message=f"Task '{name}' was cancelled",
    )


def workflow_failed(name: str, execution_id: str, cause: object) -> dict[str, Any]:
    """What a parent awaiting a failed child workflow sees (§8.4)."""
    message = cause.get("message") if isinstance(cause, dict) else None
    return {
        "type": "WorkflowFailed",
        "message": f"Workflow '{name}' failed: {message}",
        "workflow": name,
        "executionId": execution_id,
        "cause": cause,
    }


def as_json(value: object, what: str) -> object:
    """`value` as it comes back from JSON storage: tuples become lists, keys strings, integral
    numbers `int` (§7.3). Not JSON (a set, NaN, an object): TypeError naming `what`."""
    try:
        text = json.dumps(value, allow_nan=False, ensure_ascii=False)
    except (TypeError, ValueError) as error:
        raise TypeError(f"{what} must be JSON data: {error}") from None
    return loads(text)
