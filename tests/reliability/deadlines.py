"""A time limit for one fuzzing example: a toolchain or VM that loops forever on some input
fails that example (and Hypothesis reports and shrinks it) instead of hanging the suite.

The alarm raises a `BaseException`, so that the toolchain's own `except Exception` (the parser
turns a fault into an "internal parser error" diagnostic) cannot take it for an error of its
own; it becomes an `AssertionError` once it has left the code under test.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

# Far above what any example takes on a loaded machine (most take milliseconds; a program
# whose state grows at every await, a few seconds).
EXAMPLE_S = 60.0


class _Expired(BaseException):
    pass


@contextmanager
def at_most(seconds: float = EXAMPLE_S) -> Iterator[None]:
    """Fail with an AssertionError when the block runs longer than `seconds` (main thread)."""

    def expire(_signal: int, _frame: FrameType | None) -> None:
        raise _Expired

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    except _Expired:
        raise AssertionError(f"the example took longer than {seconds} s") from None
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
