"""The language guide teaches valid `.flow`: every example in it checks without errors."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import flowlang

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "language.md"
EXAMPLES = re.findall(r"```js\n(.*?)```", GUIDE.read_text(), re.S)


def test_the_guide_has_examples() -> None:
    assert len(EXAMPLES) >= 5


@pytest.mark.parametrize("example", EXAMPLES, ids=[f"example-{n}" for n in range(len(EXAMPLES))])
def test_guide_examples_have_no_errors(example: str) -> None:
    assert [d.message for d in flowlang.check(example) if d.is_error] == []
