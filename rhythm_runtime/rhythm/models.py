"""What the runtime reports about executions: `Execution`, `ExecutionStatus`, `ExecutionType`.

An execution is one run of a workflow or a task. The in-memory test runtime (`rhythm.testing`)
returns these, and the Postgres runtime stores them, so the models are plain data: JSON values,
strings and one timestamp, with `to_json()` / `from_json()` that round-trip exactly (object key
order included, LANGUAGE.md §7.5).
"""

from __future__ import annotations

import enum
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict


class ExecutionStatus(enum.StrEnum):
    """Where an execution is in its life (LANGUAGE.md §3.2). A `StrEnum`, so
    `execution.status == "completed"` reads naturally."""

    PENDING = "pending"  # created, never run
    RUNNING = "running"  # a worker is running a step of it
    SUSPENDED = "suspended"  # waiting on a promise; `waiting_for` says which
    COMPLETED = "completed"  # `output` is the returned value
    FAILED = "failed"  # `output` is the failure output (§8.6)

    @property
    def is_final(self) -> bool:
        return self in (ExecutionStatus.COMPLETED, ExecutionStatus.FAILED)


class ExecutionType(enum.StrEnum):
    TASK = "task"
    WORKFLOW = "workflow"


class Execution(BaseModel):
    """One execution of a workflow or a task.

    * `output` — the returned value when `completed`; the error object when `failed`.
    * `attempt` — the attempt that produced the current state (1-based; tasks retry).
    * `waiting_for` — when `suspended`: the promise awaited and where (line, column, a
      description such as `Task.run("charge-card")`), as the VM reports it.
    * `error_location` — when `failed` by a throw: `{line, column, end_line, end_column}` of
      the throw in the workflow's source (§8.6 keeps it outside the output value).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    type: ExecutionType
    name: str
    status: ExecutionStatus
    inputs: Any = None
    output: Any = None
    attempt: int = 1
    parent_id: str | None = None
    created_at: datetime
    waiting_for: dict[str, Any] | None = None
    error_location: dict[str, Any] | None = None

    def to_json(self) -> str:
        """Compact JSON, keys in field order, values' key order kept."""
        return self.model_dump_json()

    @classmethod
    def from_json(cls, text: str | bytes) -> Execution:
        return cls.model_validate_json(text)


def timestamp(epoch_ms: int) -> datetime:
    """The UTC datetime of an epoch-milliseconds clock reading (the VM's unit of time)."""
    return datetime.fromtimestamp(epoch_ms / 1000, tz=UTC)
