"""The open documents: their text as the editor has it, and the analyses features read.

The server keeps its own copy of each open document's text and applies the editor's changes to
it with `positions.py`, in the protocol's lines and code units (pygls's copy splits lines where
Python's `str.splitlines` does, which includes U+2028 and form feeds that LSP does not count).

Analyses lag behind the text: one runs some milliseconds after the last change (`analyses.py`),
and while a statement is half typed its parse has errors, which leaves no types. So a document
keeps two analyses besides its text: the newest one, and the newest one whose text parsed
cleanly (the last good parse, with types). A feature reads them through a `TextShift`, which
says where an offset of the current text was in the analysed text: offsets before the first
changed character and after the last one map, offsets inside the edited region do not.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from lsprotocol import types
from pygls.uris import to_fs_path

from flowlang.compiler.analysis import Analysis
from flowlang.compiler.environment import Environment, WorkflowSignature
from flowlang.compiler.source import Span
from flowlang.compiler.types import Type
from flowlang.lsp.positions import UTF16, Positions


@dataclass(frozen=True, eq=False)
class Analyzed:
    """One analysis of one version of a document, with what it was checked against."""

    version: int
    text: str
    analysis: Analysis
    environment: Environment
    # The folder that paths of the workflow set and of task sources are relative to; None for
    # a document that is not a file.
    root: Path | None
    # The text parsed without errors, so `analysis.types` is complete.
    parsed_cleanly: bool
    # The document's own entry in the workflow set (other documents depend on it).
    signature: WorkflowSignature | None = None
    # Why the analysis could not use the project's configuration or task catalog, if it could
    # not (shown to the user once per message).
    problems: tuple[str, ...] = ()


class TextShift:
    """Where offsets of a newer text were in an older one, and back (see the module doc)."""

    def __init__(self, old: str, new: str) -> None:
        self.prefix = _common_prefix(old, new)
        self.suffix = _common_suffix(old, new, self.prefix)
        self.old_length = len(old)
        self.new_length = len(new)

    @property
    def unchanged(self) -> bool:
        return self.prefix == self.old_length == self.new_length

    def to_old(self, offset: int) -> int | None:
        """The offset in the old text of `offset` in the new one; None inside the edit. The
        edit's start maps to where it started (an insertion point)."""
        if offset >= self.new_length - self.suffix:
            return offset - self.new_length + self.old_length
        if offset <= self.prefix:
            return offset
        return None

    def to_new(self, offset: int) -> int | None:
        if offset >= self.old_length - self.suffix:
            return offset - self.old_length + self.new_length
        if offset <= self.prefix:
            return offset
        return None

    def span_to_new(self, span: Span) -> Span | None:
        """Where an old span is now; None when the edit touched it."""
        start, end = self.to_new(span.start), self.to_new(span.end)
        if start is None or end is None or end < start:
            return None
        if span.start < self.prefix < span.end or (
            span.start < self.old_length - self.suffix < span.end
        ):
            return None
        return Span(start, end)

    def nearest_old(self, offset: int) -> int:
        """`to_old`, or where the edit starts for an offset inside it: the best place in the
        old text to ask what is in scope while the new text is being typed."""
        old = self.to_old(offset)
        return self.prefix if old is None else old


def _common_prefix(a: str, b: str) -> int:
    """The length of the longest common prefix, by bisection (slices compare at C speed)."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[low:middle] == b[low:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _common_suffix(a: str, b: str, prefix: int) -> int:
    """The length of the longest common suffix that does not overlap the common prefix."""
    low, high = 0, min(len(a), len(b)) - prefix
    while low < high:
        middle = (low + high + 1) // 2
        if a[len(a) - middle : len(a) - low] == b[len(b) - middle : len(b) - low]:
            low = middle
        else:
            high = middle - 1
    return low


@dataclass
class Document:
    """One open document: the editor's text and version, and the newest analyses of it."""

    uri: str
    text: str
    version: int
    encoding: str = UTF16
    latest: Analyzed | None = None
    typed: Analyzed | None = None
    _positions: Positions | None = field(default=None, repr=False)
    _shifts: dict[int, TextShift] = field(default_factory=dict, repr=False)

    @property
    def path(self) -> Path | None:
        """The file of a `file:` URI; None for an unsaved or virtual document."""
        if not self.uri.startswith("file:"):
            return None
        path = to_fs_path(self.uri)
        return Path(os.path.normpath(path)) if path else None

    @property
    def positions(self) -> Positions:
        if self._positions is None:
            self._positions = Positions(self.text, self.encoding)
        return self._positions

    def apply(self, changes: Sequence[types.TextDocumentContentChangeEvent], version: int) -> None:
        """Apply the changes of one `didChange`, in order (each is relative to the text the
        previous one left)."""
        for change in changes:
            if isinstance(change, types.TextDocumentContentChangePartial):
                span = self.positions.span(change.range)
                self.text = self.text[: span.start] + change.text + self.text[span.end :]
            else:
                self.text = change.text
            self._positions = None
        self.version = version
        self._shifts.clear()

    def record(self, analyzed: Analyzed) -> None:
        """Keep an analysis if it is newer than the ones kept."""
        if self.latest is None or analyzed.version >= self.latest.version:
            self.latest = analyzed
        if analyzed.parsed_cleanly and (
            self.typed is None or analyzed.version >= self.typed.version
        ):
            self.typed = analyzed

    def view(self) -> View:
        """What one request reads: the current text and both analyses, with their shifts."""
        return View(
            uri=self.uri,
            text=self.text,
            version=self.version,
            positions=self.positions,
            latest=self._mapped(self.latest),
            typed=self._mapped(self.typed),
        )

    def _mapped(self, analyzed: Analyzed | None) -> Mapped | None:
        if analyzed is None:
            return None
        shift = self._shifts.get(analyzed.version)
        if shift is None:
            shift = self._shifts[analyzed.version] = TextShift(analyzed.text, self.text)
        return Mapped(analyzed, shift)


@dataclass(frozen=True)
class Mapped:
    """An analysis seen from the current text."""

    analyzed: Analyzed
    shift: TextShift

    @property
    def analysis(self) -> Analysis:
        return self.analyzed.analysis

    @property
    def environment(self) -> Environment:
        return self.analyzed.environment

    def to_analysis(self, offset: int) -> int | None:
        return self.shift.to_old(offset)

    def span_now(self, span: Span) -> Span | None:
        return self.shift.span_to_new(span)


@dataclass(frozen=True)
class View:
    """One request's picture of a document (features are functions of a view and a position).

    `latest` is the newest analysis, `typed` the newest with types; either may be of an older
    text than `text`, and both are None before the first analysis finishes.
    """

    uri: str
    text: str
    version: int
    positions: Positions
    latest: Mapped | None
    typed: Mapped | None

    def type_now(self, span: Span | None) -> Type | None:
        """The type the newest analysis with types inferred for the expression or name now at
        `span` of the current text; None when unknown or touched by an edit since."""
        typed = self.typed
        if typed is None or span is None:
            return None
        start, end = typed.to_analysis(span.start), typed.to_analysis(span.end)
        if start is None or end is None:
            return None
        return typed.analysis.types.get(Span(start, end))

    def type_of_latest(self, span: Span) -> Type | None:
        """`type_now` of a span of the newest analysis."""
        return None if self.latest is None else self.type_now(self.latest.span_now(span))
