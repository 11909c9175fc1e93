"""rhythm: the durable runtime and SDK for `.flow` workflows.

The runtime arrives in later work: registering compiled workflows in Postgres, running them in a
bytecode VM that saves its state at every `await`, and Python workers that run tasks (see
ARCHITECTURE.md). Today it provides `@task`, which registers typed task functions, the task
catalog export (`python -m rhythm.catalog`) and the `rhythm` command, which reports its version.
The toolchain that checks `.flow` files is `flowlang` (`flowc`).
"""

from __future__ import annotations

from rhythm.models import Execution, ExecutionStatus, ExecutionType
from rhythm.tasks import task

__version__ = "0.1.0"

__all__ = ["Execution", "ExecutionStatus", "ExecutionType", "__version__", "task"]
