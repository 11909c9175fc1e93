"""Spans as the 1-based lines and columns that machine-readable formats carry.

Columns count Unicode code points from 1 (LANGUAGE.md §2.1). A region's end is exclusive: its
`end_column` is the column just after the last character, so an empty span (an insertion point,
or end of input) has `end_column == column`. SARIF defines its regions the same way.
"""

from __future__ import annotations

from dataclasses import dataclass

from flowlang.compiler.source import SourceFile, Span


@dataclass(frozen=True, slots=True)
class Region:
    line: int
    column: int
    end_line: int
    end_column: int


def region_of(source: SourceFile, span: Span) -> Region:
    """The 1-based, end-exclusive line/column region of `span` in `source`."""
    line, column = source.line_col(span.start)
    end_line, end_column = source.line_col(max(span.start, span.end))
    return Region(line, column, end_line, end_column)
