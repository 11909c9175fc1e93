"""Character offsets to LSP positions and back, at the edge of the server.

The compiler speaks in character offsets (`Span`). An LSP position is a 0-based line and a
0-based column counted in the code units of the negotiated encoding: UTF-16 unless the client
offers UTF-8 or UTF-32 (`initialize` picks one; pygls records it on the workspace).

Lines are the protocol's, not the language's: LSP ends a line at `\\n`, `\\r\\n` or `\\r` only,
while `.flow` also ends one at U+2028 and U+2029 (LANGUAGE.md §2.1). A U+2028 in a string is
therefore one line to `flowc check` and two characters of one line to the editor; positions sent
to the editor must count it the editor's way.

A position past the end of its line is clamped to the line's end, a line past the last to the
end of the text, and a column inside a surrogate pair (UTF-16) or a multi-byte sequence (UTF-8)
to the start of that character: clients send such positions, and a wrong position must never
become an exception.
"""

from __future__ import annotations

import bisect
import re

from lsprotocol import types

from flowlang.compiler.source import Span

_LINE_BREAK = re.compile("\r\n|\n|\r")

UTF8 = types.PositionEncodingKind.Utf8
UTF16 = types.PositionEncodingKind.Utf16
UTF32 = types.PositionEncodingKind.Utf32


def code_units(text: str, encoding: str) -> int:
    """How many code units of `encoding` the client counts in `text`."""
    if encoding == UTF32 or text.isascii():
        return len(text)
    if encoding == UTF8:
        return len(text.encode("utf-8", "surrogatepass"))
    return len(text) + sum(1 for char in text if ord(char) > 0xFFFF)


class Positions:
    """The line index of one text, and conversions between its offsets and LSP positions."""

    def __init__(self, text: str, encoding: str = UTF16) -> None:
        self.text = text
        self.encoding = encoding
        self._line_starts = [0] + [match.end() for match in _LINE_BREAK.finditer(text)]

    @property
    def line_count(self) -> int:
        return len(self._line_starts)

    def line_start(self, line: int) -> int:
        """The offset where 0-based `line` starts (clamped to the text)."""
        if line >= len(self._line_starts):
            return len(self.text)
        return self._line_starts[max(line, 0)]

    def line_end(self, line: int) -> int:
        """The offset of the line terminator of 0-based `line` (the text's end on the last)."""
        if line + 1 >= len(self._line_starts):
            return len(self.text)
        end = self._line_starts[line + 1]
        while end > self._line_starts[line] and self.text[end - 1] in "\r\n":
            end -= 1
        return end

    def line_of(self, offset: int) -> int:
        """The 0-based line that contains `offset`."""
        offset = max(0, min(offset, len(self.text)))
        return bisect.bisect_right(self._line_starts, offset) - 1

    def position(self, offset: int) -> types.Position:
        """The LSP position of `offset` (clamped to the text)."""
        offset = max(0, min(offset, len(self.text)))
        line = self.line_of(offset)
        start = self._line_starts[line]
        return types.Position(line, code_units(self.text[start:offset], self.encoding))

    def range(self, span: Span) -> types.Range:
        return types.Range(self.position(span.start), self.position(max(span.start, span.end)))

    def offset(self, position: types.Position) -> int:
        """The offset of an LSP position, clamped as the module docstring says."""
        if position.line >= len(self._line_starts):
            return len(self.text)
        start = self._line_starts[position.line]
        line = self.text[start : self.line_end(position.line)]
        wanted = position.character
        if self.encoding == UTF32 or line.isascii():
            return start + min(wanted, len(line))
        counted = 0
        for index, char in enumerate(line):
            width = code_units(char, self.encoding)
            if counted + width > wanted:
                return start + index
            counted += width
        return start + len(line)

    def span(self, range_: types.Range) -> Span:
        start = self.offset(range_.start)
        return Span(start, max(start, self.offset(range_.end)))
