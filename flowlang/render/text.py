"""The human rendering of diagnostics, laid out as rustc does (LANGUAGE.md §11.7).

```
error[FLOW101]: undefined name `totl`
  --> approval.flow:2:9
   |
 2 | let x = totl + 1
   |         ^^^^ not declared in this scope
   |
help: a variable with a similar name exists: `total`
```

The primary span is underlined with `^`, secondary spans with `-`. When several spans share a
line, the rightmost label is written inline and the others hang below their spans on `|`
connectors. A span that runs over several lines is underlined from its start to the end of its
first line. The `-->` location counts code points, but underlines are placed by display width:
tabs become four spaces, wide characters take two cells, and control characters (which could
reorder or restyle the terminal) are shown as U+FFFD.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from flowlang.compiler.diagnostics import Diagnostic, Severity
from flowlang.compiler.source import SourceFile, Span
from flowlang.render.color import Painter, Style
from flowlang.render.report import FileReport, count_by_severity

TAB_WIDTH = 4

# Characters that would move the cursor, restyle the terminal or reorder the text around them.
_BIDI_CONTROLS = frozenset(
    "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)


def render_text(reports: Sequence[FileReport], color: bool) -> str:
    """Every diagnostic of every report, separated by blank lines."""
    paint = Painter(color)
    blocks = [
        render_diagnostic(source, diagnostic, paint)
        for source, diagnostics in reports
        for diagnostic in diagnostics
    ]
    return "\n\n".join(blocks) + "\n" if blocks else ""


def summary(reports: Sequence[FileReport]) -> str:
    """The closing line of a run: `2 errors, 1 warning in 3 files`, `no problems in 1 file`."""
    errors, warnings = count_by_severity(reports)
    counts = [_plural(n, noun) for n, noun in ((errors, "error"), (warnings, "warning")) if n]
    return f"{', '.join(counts) or 'no problems'} in {_plural(len(reports), 'file')}"


def render_diagnostic(source: SourceFile, diagnostic: Diagnostic, paint: Painter) -> str:
    """One diagnostic: header, location, annotated source lines, notes and help."""
    annotations = _annotations_of(source, diagnostic)
    shown_lines = _lines_to_show({a.line for a in annotations})
    width = len(str(shown_lines[-1]))
    margin = " " * (width + 2)
    line, column = source.line_col(diagnostic.span.start)
    out = [
        _header(diagnostic, paint),
        f"{' ' * (width + 1)}{paint('-->', Style.GUTTER)} {source.path}:{line}:{column}",
        margin + paint("|", Style.GUTTER),
    ]
    out += _snippet(source, annotations, shown_lines, width, paint)
    help_text = diagnostic.help or (diagnostic.fix.description if diagnostic.fix else None)
    if diagnostic.notes or help_text:
        out.append(margin + paint("|", Style.GUTTER))
    for note in diagnostic.notes:
        prefix = f"{margin}{paint('=', Style.GUTTER)} {paint('note', Style.NOTE)}: "
        out.append(prefix + _hang(note, len(margin) + len("= note: ")))
    if help_text:
        out.append(f"{paint('help', Style.HELP)}: {_hang(help_text, len('help: '))}")
    return "\n".join(row.rstrip() for row in out)


def _header(diagnostic: Diagnostic, paint: Painter) -> str:
    style = _severity_style(diagnostic.severity)
    title = paint(f"{diagnostic.severity.value}[{diagnostic.code}]", style)
    return title + paint(f": {_hang(diagnostic.message, 0)}", Style.EMPHASIS)


def _severity_style(severity: Severity) -> str:
    return Style.ERROR if severity is Severity.ERROR else Style.WARNING


def _hang(text: str, indent: int) -> str:
    """Indent the continuation lines of a multi-line text to line up with its first line."""
    return _printable(text).replace("\n", "\n" + " " * indent)


def _printable(text: str) -> str:
    """`text` with the characters that could restyle or reorder the terminal made harmless.

    Messages quote source text (an invalid character, a string literal), so they get the same
    treatment as source lines; line breaks are kept.
    """
    return "".join(char if char in "\t\n" else _glyph(char) for char in text)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}{'' if count == 1 else 's'}"


@dataclass(frozen=True, slots=True)
class _Annotation:
    """An underline on one source line, in display cells: `[start, end)`."""

    line: int
    start: int
    end: int
    primary: bool
    message: str
    style: str


def _annotations_of(source: SourceFile, diagnostic: Diagnostic) -> list[_Annotation]:
    """The primary and secondary spans as underlines, in source order."""
    primary_style = _severity_style(diagnostic.severity)
    annotations = [_underline(source, diagnostic.span, diagnostic.label, True, primary_style)]
    annotations += [
        _underline(source, label.span, label.message, False, Style.SECONDARY)
        for label in diagnostic.labels
    ]
    return sorted(annotations, key=lambda a: (a.line, a.start, a.end, not a.primary))


def _underline(
    source: SourceFile, span: Span, message: str, primary: bool, style: str
) -> _Annotation:
    line, column = source.line_col(span.start)
    end_line, end_column = source.line_col(max(span.start, span.end))
    _, cells = display_line(source.line_text(line))
    start = cells[min(column - 1, len(cells) - 1)]
    end = cells[min(end_column - 1, len(cells) - 1)] if end_line == line else cells[-1]
    return _Annotation(line, start, max(end, start + 1), primary, _printable(message), style)


def display_line(text: str) -> tuple[str, list[int]]:
    """The line as shown, and the display cell at which each code point (and the end) starts."""
    shown: list[str] = []
    cells = [0]
    for char in text:
        glyph = _glyph(char)
        shown.append(glyph)
        cells.append(cells[-1] + _width(glyph))
    return "".join(shown), cells


def _glyph(char: str) -> str:
    if char == "\t":
        return " " * TAB_WIDTH
    if unicodedata.category(char) == "Cc" or char in _BIDI_CONTROLS:
        return "\ufffd"
    return char


def _width(glyph: str) -> int:
    """Terminal cells of one glyph: combining marks take none, East Asian wide ones two."""
    if len(glyph) > 1:  # an expanded tab
        return len(glyph)
    if unicodedata.combining(glyph) or unicodedata.category(glyph) in ("Mn", "Me", "Cf"):
        return 0
    return 2 if unicodedata.east_asian_width(glyph) in ("W", "F") else 1


def _lines_to_show(annotated: set[int]) -> list[int]:
    """The annotated lines, plus a single line between two of them (cheaper than `...`)."""
    lines = sorted(annotated)
    filled = set(lines)
    for before, after in zip(lines, lines[1:], strict=False):
        if after - before == 2:
            filled.add(before + 1)
    return sorted(filled)


def _snippet(
    source: SourceFile,
    annotations: list[_Annotation],
    lines: list[int],
    width: int,
    paint: Painter,
) -> list[str]:
    out: list[str] = []
    for index, line in enumerate(lines):
        if index and line - lines[index - 1] > 1:
            out.append(paint("...", Style.GUTTER))
        shown, _ = display_line(source.line_text(line))
        out.append(f" {paint(f'{line:>{width}} |', Style.GUTTER)} {shown}")
        on_line = [a for a in annotations if a.line == line]
        for row in _annotation_rows(on_line, paint):
            out.append(f"{' ' * (width + 2)}{paint('|', Style.GUTTER)} {row}")
    return out


class _Row:
    """A line of styled cells, so that underlines and labels can be placed by column."""

    def __init__(self) -> None:
        self.cells: list[tuple[str, str | None]] = []

    def put(self, column: int, text: str, style: str) -> None:
        self.cells.extend([(" ", None)] * (column - len(self.cells)))
        for offset, char in enumerate(text):
            if column + offset < len(self.cells):
                self.cells[column + offset] = (char, style)
            else:
                self.cells.append((char, style))

    def render(self, paint: Painter) -> str:
        runs: list[tuple[str, str | None]] = []
        for char, style in self.cells:
            if runs and runs[-1][1] == style:
                runs[-1] = (runs[-1][0] + char, style)
            else:
                runs.append((char, style))
        return "".join(paint(text, style) if style else text for text, style in runs)


def _annotation_rows(annotations: list[_Annotation], paint: Painter) -> list[str]:
    """The underline row, then the hanging labels that do not fit inline (rustc's layout)."""
    if not annotations:
        return []
    underline = _Row()
    # Secondaries first so that a primary span overlapping them keeps its `^`.
    for annotation in sorted(annotations, key=lambda a: a.primary):
        marker = "^" if annotation.primary else "-"
        width = annotation.end - annotation.start
        underline.put(annotation.start, marker * width, annotation.style)
    labelled = [a for a in annotations if a.message]
    inline = _inline_label(annotations, labelled)
    if inline is not None:
        underline.put(len(underline.cells) + 1, inline.message, inline.style)
    hanging = [a for a in labelled if a is not inline]
    rows = [underline]
    if hanging:
        rows.append(_connectors(hanging))
    for index in range(len(hanging) - 1, -1, -1):
        row = _connectors(hanging[:index])
        row.put(hanging[index].start, hanging[index].message, hanging[index].style)
        rows.append(row)
    return [row.render(paint) for row in rows]


def _inline_label(
    annotations: list[_Annotation], labelled: list[_Annotation]
) -> _Annotation | None:
    """The label that can follow the underlines: the rightmost, if nothing reaches past it."""
    if not labelled:
        return None
    last = max(labelled, key=lambda a: (a.start, a.end))
    others_end = max((a.end for a in annotations if a is not last), default=0)
    return last if others_end <= last.start else None


def _connectors(annotations: list[_Annotation]) -> _Row:
    row = _Row()
    for annotation in annotations:
        row.put(annotation.start, "|", annotation.style)
    return row
