"""Source text and positions.

Everything inside the compiler speaks in character offsets (`Span`). Lines and columns exist
only at the edges: 1-based code-point columns for people, JSON and SARIF; the language server
converts to 0-based UTF-16 itself.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass, field

# LANGUAGE.md §2.1: LF, CR LF, CR, U+2028 and U+2029 end a line.
_LINE_BREAK = re.compile("\r\n|[\n\r\u2028\u2029]")


@dataclass(frozen=True, slots=True)
class Span:
    """A half-open range `[start, end)` of character offsets into a source text."""

    start: int
    end: int

    def cover(self, other: Span) -> Span:
        """The smallest span containing both."""
        return Span(min(self.start, other.start), max(self.end, other.end))


@dataclass(frozen=True)
class SourceFile:
    """A source text with its (display) path and a line index."""

    text: str
    path: str = "<input>"
    _line_starts: list[int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        starts = [0] + [m.end() for m in _LINE_BREAK.finditer(self.text)]
        object.__setattr__(self, "_line_starts", starts)

    @property
    def line_count(self) -> int:
        return len(self._line_starts)

    def line_col(self, offset: int) -> tuple[int, int]:
        """1-based line and 1-based code-point column of `offset`."""
        offset = max(0, min(offset, len(self.text)))
        index = bisect.bisect_right(self._line_starts, offset) - 1
        return index + 1, offset - self._line_starts[index] + 1

    def offset(self, line: int, column: int) -> int:
        """The offset of a 1-based line and column (clamped to the text)."""
        line = max(1, min(line, self.line_count))
        return min(self._line_starts[line - 1] + column - 1, len(self.text))

    def line_text(self, line: int) -> str:
        """The text of a 1-based line, without its line terminator."""
        start = self._line_starts[line - 1]
        end = self._line_starts[line] if line < self.line_count else len(self.text)
        return _LINE_BREAK.sub("", self.text[start:end])
