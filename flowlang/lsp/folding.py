"""Folding ranges: the front matter, blocks, multi-line object and array literals, calls and
templates, and runs of `//` comment lines.

A range folds from the line where its node starts to the line before the one where it ends, so
that the closing `}` (or `]`, `)`) stays visible, as editors fold braces.
"""

from __future__ import annotations

import re

from lsprotocol import types

from flowlang.compiler import ast
from flowlang.compiler.source import Span
from flowlang.lsp.documents import View
from flowlang.lsp.syntax import walk

_FOLDED = (ast.Block, ast.ObjectLit, ast.ArrayLit, ast.Call, ast.TemplateLit, ast.ObjectPattern)
_LINE_COMMENT = re.compile(r"[ \t]*//")


def folding_ranges(view: View) -> list[types.FoldingRange] | None:
    latest = view.latest
    if latest is None:
        return None
    ranges: dict[int, types.FoldingRange] = {}
    program = latest.analysis.program
    if program.front_matter is not None:
        _add(view, latest.span_now(program.front_matter.span), ranges, keep_last_line=True)
    for node in walk(program):
        if isinstance(node, _FOLDED):
            _add(view, latest.span_now(node.span), ranges, keep_last_line=False)
    ranges_list = list(ranges.values())
    ranges_list.extend(_comment_runs(view))
    return sorted(ranges_list, key=lambda r: (r.start_line, r.end_line))


def _add(
    view: View,
    span: Span | None,
    ranges: dict[int, types.FoldingRange],
    *,
    keep_last_line: bool,
) -> None:
    """Add the range of `span` unless a range already starts on its line (the outer node on a
    line folds; `foo({` folds once)."""
    if span is None:
        return
    start = view.positions.line_of(span.start)
    end = view.positions.line_of(span.end)
    if not keep_last_line:
        end -= 1
    if end > start and start not in ranges:
        ranges[start] = types.FoldingRange(start_line=start, end_line=end)


def _comment_runs(view: View) -> list[types.FoldingRange]:
    """Two or more consecutive lines that are `//` comments."""
    found = []
    positions = view.positions
    run_start: int | None = None
    for line in range(positions.line_count + 1):
        is_comment = line < positions.line_count and bool(
            _LINE_COMMENT.match(view.text, positions.line_start(line), positions.line_end(line))
        )
        if is_comment and run_start is None:
            run_start = line
        elif not is_comment and run_start is not None:
            if line - 1 > run_start:
                found.append(
                    types.FoldingRange(
                        start_line=run_start,
                        end_line=line - 1,
                        kind=types.FoldingRangeKind.Comment,
                    )
                )
            run_start = None
    return found
