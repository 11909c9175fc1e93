"""Hand-made diagnostics over small sources, covering every feature a renderer must show."""

from __future__ import annotations

import pytest

from flowlang.compiler.codes import diagnostic
from flowlang.compiler.diagnostics import Fix, Label
from flowlang.compiler.source import SourceFile, Span
from flowlang.render import FileReport

APPROVAL = (
    "const limit = 10\n"  # 1
    "let total = 0\n"  # 2
    "let x = totl + 1\n"  # 3
    '\tif (x > limit) total = "日本" - 1\n'  # 4: a tab and wide characters before the spans
    "let items = [\n"  # 5
    "  1,\n"  # 6
    "]\n"  # 7
    "let café = 1\n"  # 8
    "\n"  # 9
    "\n"  # 10
    "\n"  # 11
    "limit = 2\n"  # 12
    'return Task.run("t"'  # 13, no final newline: the end of input is on this line
)

OTHER = "let a = 1\n"


def span_of(text: str, needle: str, occurrence: int = 0) -> Span:
    """The span of the `occurrence`-th appearance of `needle` in `text`."""
    start = -1
    for _ in range(occurrence + 1):
        start = text.index(needle, start + 1)
    return Span(start, start + len(needle))


def approval_report() -> FileReport:
    text = APPROVAL
    subtraction = span_of(text, " - ")
    minus = Span(subtraction.start + 1, subtraction.start + 2)
    multi_line = Span(text.index("["), text.index("]") + 1)
    end = Span(len(text), len(text))
    return FileReport(
        SourceFile(text, "approval.flow"),
        [
            diagnostic(
                "FLOW101",
                "undefined name `totl`",
                span_of(text, "totl"),
                label="not declared in this scope",
                help="a variable with a similar name exists: `total`",
            ),
            diagnostic(
                "FLOW201",
                "operator `-` cannot be applied to `string` and `number`",
                minus,
                label="no implicit conversion",
                labels=(
                    Label(span_of(text, '"日本"'), "this is a `string`"),
                    Label(Span(minus.end + 1, minus.end + 2), "this is a `number`"),
                ),
                help="convert explicitly: `Number(text)`",
            ),
            diagnostic(
                "FLOW404",
                "array spans several lines",
                multi_line,
                label="this array",
            ),
            diagnostic(
                "FLOW006",
                "invalid character `é` in an identifier",
                span_of(text, "é"),
                label="identifiers are ASCII only",
            ),
            diagnostic(
                "FLOW103",
                "assignment to a constant `limit`",
                span_of(text, "limit", 2),
                label="cannot assign",
                labels=(Label(span_of(text, "const"), "declared as a constant here"),),
                notes=("a `const` binding never changes", "its contents may"),
                fix=Fix(span_of(text, "const"), "let", "declare it with `let`"),
            ),
            diagnostic("FLOW001", "unexpected end of input, expected `)`", end),
        ],
    )


def other_report() -> FileReport:
    text = OTHER
    return FileReport(
        SourceFile(text, "dir, with: commas/other.flow"),
        [
            diagnostic(
                "FLOW402",
                "unused variable `a`\n100% unused, really: never read",
                span_of(text, "a"),
                label="declared here",
                help="prefix it with `_` to keep it",
            )
        ],
    )


@pytest.fixture
def reports() -> list[FileReport]:
    return [approval_report(), other_report()]
