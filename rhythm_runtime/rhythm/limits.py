"""The limits of a deployment (LANGUAGE.md §10.8): what one step may do, and how large the
values the runtime stores may be.

```python
import rhythm
app = rhythm.init(database_url=..., limits=rhythm.Limits(inputs_bytes=256 * 1024))
```

Limits are configured per process: `rhythm.init(limits=...)` sets them for the client calls of
the application and for a `Worker` started in the same process (a `Worker(limits=...)` of its
own overrides them); without either, the defaults below apply. Give every process of a
deployment the same limits.

Sizes are bytes of a value's stored JSON text (compact, UTF-8), refused where the value enters:

* `inputs_bytes` — the inputs of `client.workflows.run` and `client.tasks.run`
  (`InvalidInputsError`, nothing stored), and of `Task.run` and `Workflow.run` in a workflow
  (a `RangeError` the workflow may catch);
* `payload_bytes` — the payload of `client.signals.send` (`InvalidSignalError`);
* `result_bytes` — what a task returns: the worker fails the attempt with `ResultTooLarge`
  (retries apply);
* `output_bytes` — what a workflow returns or throws: the execution fails with
  `OutputTooLarge`.

The other four bound the work of the VM (§10.8): a step yields after `instructions_per_step`
instructions or `effects_per_step` effects; an execution fails after
`instructions_per_execution` instructions (`InstructionLimitExceeded`) or when its state
outgrows `snapshot_bytes` (`SnapshotTooLarge`).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Final

from rhythm.json_data import dumps

MIB: Final = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """The limits of a deployment; see the module documentation."""

    instructions_per_step: int = 100_000
    effects_per_step: int = 1_000
    instructions_per_execution: int = 100_000_000
    snapshot_bytes: int = 4 * MIB
    inputs_bytes: int = 1 * MIB
    output_bytes: int = 1 * MIB
    result_bytes: int = 1 * MIB
    payload_bytes: int = 1 * MIB

    def __post_init__(self) -> None:
        for field in fields(self):
            value = getattr(self, field.name)
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(
                    f"Limits({field.name}={value!r}): a limit is a positive integer"
                    f" (the default is {field.default})"
                )


DEFAULT_LIMITS: Final = Limits()


def stored_size(value: object) -> int:
    """The bytes of `value`'s stored JSON text (`json_data.dumps`, UTF-8), for JSON data."""
    return len(dumps(value).encode("utf-8"))


def too_large(what: str, size: int, limit: int, field: str) -> str:
    """The message for a value over its limit: `inputs are 2000000 bytes of JSON, more than
    the limit of 1048576 bytes (Limits.inputs_bytes)`."""
    return f"{what} {size} bytes of JSON, more than the limit of {limit} bytes (Limits.{field})"
