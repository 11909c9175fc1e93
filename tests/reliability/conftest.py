"""The reliability suite (issue #8, docs/reliability.md): every test in this folder is marked
`reliability`, so `pytest -m reliability` runs exactly this suite and `-m "not reliability"`
everything else, whatever marks a module sets itself.

A plain `pytest` runs it too, with Hypothesis's default number of examples; CI runs it as a
stage of its own with the `reliability` profile (10,000 examples per fuzz test, registered in
tests/conftest.py).
"""

from __future__ import annotations

from pathlib import Path

import pytest

SUITE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if SUITE in item.path.parents:
            item.add_marker(pytest.mark.reliability)
