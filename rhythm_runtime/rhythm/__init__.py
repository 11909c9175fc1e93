"""rhythm: the durable runtime and SDK for `.flow` workflows.

This package is a placeholder so far. The runtime arrives in later work: registering compiled
workflows in Postgres, running them in a bytecode VM that saves its state at every `await`, and
Python workers that run tasks (see ARCHITECTURE.md). Today it provides only the `rhythm` command,
which reports its version. The toolchain that checks `.flow` files is `flowlang` (`flowc`).
"""

from __future__ import annotations

__version__ = "0.1.0"
