"""The worker process of `rhythm demo`: `rhythm worker -m rhythm.demo.tasks ARGS...`, with log
records on one line each.

A demo task fails on purpose (to show a retry); the worker logs that failure with its
traceback, which in a demo's narration is noise. Configuring the log handler first makes the
command's own logging setup a no-op, so a record shows its first line and, for a traceback,
its last (the exception), nothing between.

    python -m rhythm.demo.worker --queue demo --database-url URL
"""

from __future__ import annotations

import logging
import sys

from rhythm.cli import LOG_FORMAT, main

TASKS_MODULE = "rhythm.demo.tasks"


class OneLineFormatter(logging.Formatter):
    """A record on one line: the first line of its text, and the last when there are more
    (after a traceback, the exception and its message)."""

    def format(self, record: logging.LogRecord) -> str:
        lines = super().format(record).strip().splitlines()
        return lines[0] if len(lines) == 1 else f"{lines[0]} {lines[-1]}"


def run(argv: list[str]) -> int:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(OneLineFormatter(LOG_FORMAT))
    logging.basicConfig(level=logging.INFO, handlers=[handler])
    return main(["worker", "-m", TASKS_MODULE, *argv])


if __name__ == "__main__":
    sys.exit(run(sys.argv[1:]))
