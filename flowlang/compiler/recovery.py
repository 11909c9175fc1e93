"""Syntax errors: the message (FLOW001, or FLOW005/FLOW007 for words used the JavaScript way)
and recovery, so that one file reports each of its independent mistakes.

Recovery is yacc's `error` rule done by hand on the driver's stacks: drop the partial
statement by popping back to the innermost block or program that can start a statement, then
skip tokens until one that can start a statement there — at the start of a line or after `;`,
once the brackets opened by the dropped text are closed — or a `}` that closes the block, or
the end of the file. A file that ends inside blocks gets the missing `}`s, silently.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from flowlang.compiler.codes import diagnostic
from flowlang.compiler.diagnostics import Diagnostic, Label
from flowlang.compiler.lexer import END, KEYWORDS, RESERVED, Token
from flowlang.compiler.parser_habits import habit, reserved_word_as_name
from flowlang.compiler.source import SourceFile, Span

if TYPE_CHECKING:
    from flowlang.compiler.parser import Driver

MAX_SYNTAX_ERRORS = 100

_LINE_BREAK = re.compile("[\n\r\u2028\u2029]")
_PAIRS = {"(": ")", "[": "]", "{": "}", "TEMPLATE_HEAD": "TEMPLATE_TAIL"}
_CLOSING = {closer: opener for opener, closer in _PAIRS.items()}
# Words that start a statement and never appear inside an expression: a line starting with one
# ends whatever the dropped text left open.
_STATEMENT_WORDS = frozenset(
    [
        "let",
        "const",
        "var",
        "if",
        "while",
        "for",
        "return",
        "throw",
        "try",
        "break",
        "continue",
        "function",
        "async",
        "do",
        "class",
        "switch",
        "import",
        "export",
    ]
)
# Reserved words whose JavaScript meaning gets its own FLOW005 message rather than FLOW007.
_HABIT_WORDS = frozenset(
    ("class", "switch", "case", "default", "import", "export", "this", "super")
    + ("yield", "with", "debugger", "async")
)
_EXPRESSION_STARTS = frozenset(
    ["NAME", "NUMBER", "STRING", "TEMPLATE", "TEMPLATE_HEAD", "PREFIX_INC", "PREFIX_DEC"]
)
_SILENT = frozenset(("EXPR_START", "EMPTY_SEMI", "RETURN_BARE"))
_DESCRIPTIONS = {
    "NAME": "a name",
    "NUMBER": "a number",
    "STRING": "a string",
    "TEMPLATE": "a template literal",
    "TEMPLATE_HEAD": "a template literal",
    "TEMPLATE_MIDDLE": "the rest of the template literal",
    "TEMPLATE_TAIL": "the end of the template literal",
    END: "end of file",
}
_FIRST = (")", "]", "}", ":", "=", ",", ";", "(", "{", "of", "in", "while", "catch", "finally")


class Recovery:
    def __init__(self, driver: Driver, *, quiet_at_end: bool) -> None:
        self.driver = driver
        # The lexer already reported the file's end (an unterminated string or comment).
        self.quiet_at_end = quiet_at_end
        self.reported = 0
        self.names_dropped: set[str] = set()
        self._source: SourceFile | None = None
        self._symbols = {name: text for text, name in driver.terminal_of.items()}

    # ------------------------------------------------------------------ entry point

    def handle(self, index: int) -> int:
        """Deal with a token the parser cannot shift; the index to continue at."""
        driver = self.driver
        token = driver.tokens[index]
        if token.kind in KEYWORDS | RESERVED and self.read_word_as_name(token):
            return index + 1
        if token.kind == END:
            self.close_at_end(index)
            return index
        if token.kind == "export":
            # `export const x = 1`: the declaration is still worth checking.
            self.report(habit("export", token.span))
            return index + (2 if driver.tokens[index + 1].kind == "default" else 1)
        self.report(self.describe_error(index))
        return self.resume_point(index)

    def read_word_as_name(self, token: Token) -> bool:
        """A reserved word where a name may stand: FLOW007 (or FLOW005 for a JavaScript
        construct), and the parse goes on with the word as a name."""
        driver = self.driver
        binding = driver.accepts("NAME") and not driver.accepts("NUMBER")
        if not binding and (token.kind in _HABIT_WORDS | _STATEMENT_WORDS | KEYWORDS):
            return False
        if not driver.accepts("NAME"):
            if binding or not driver.accepts_after("EXPR_START", ("NAME",)):
                return False
            driver.feed(Token("EXPR_START", "", token.start, token.start), "EXPR_START")
        self.report(reserved_word_as_name(token))
        driver.feed(token, "NAME")
        return True

    # ------------------------------------------------------------------ messages

    def describe_error(self, index: int) -> Diagnostic:
        """What went wrong, in words: a short list of what could come here, or the bracket
        left open when the line ends without closing it, or just the token that cannot."""
        token = self.driver.tokens[index]
        if token.kind in _HABIT_WORDS or token.kind in ("=>", "var", "function", "new"):
            key = "arrow" if token.kind == "=>" else token.kind
            return habit(key, token.span)
        found = _describe_token(token)
        on_a_new_line = token.kind == END or self.begins_line_or_follows_semicolon(index)
        expected = self.driver.expected()
        statement_may_start = "EXPR_START" in expected
        wanted = self.describe_expected(expected)
        bracket = self.driver.brackets[-1][0] if self.driver.brackets else None
        closer = _PAIRS.get(bracket.kind) if bracket is not None else None
        closes = f"`{closer}`" in wanted and (token.kind == END or not statement_may_start)
        only_closes = closes and set(wanted) <= {f"`{closer}`", "`,`"}
        short_list = 0 < len(wanted) <= 3 and not statement_may_start
        if short_list and not on_a_new_line and not only_closes:
            listed = wanted[0] if len(wanted) == 1 else ", ".join(wanted[:-1]) + " or " + wanted[-1]
            return diagnostic(
                "FLOW001",
                f"expected {listed}, found {found}",
                token.span,
                label=f"expected {listed}",
            )
        if bracket is not None and closes:
            line, column = self.source().line_col(bracket.start)
            return diagnostic(
                "FLOW001",
                f"expected `{closer}` to close the `{bracket.text}` at {line}:{column}",
                token.span,
                label=f"found {found}",
                labels=(Label(bracket.span, f"`{bracket.text}` opened here"),),
            )
        if 0 < len(wanted) <= 3 and not statement_may_start:
            listed = wanted[0] if len(wanted) == 1 else ", ".join(wanted[:-1]) + " or " + wanted[-1]
            return diagnostic(
                "FLOW001",
                f"expected {listed}, found {found}",
                token.span,
                label=f"expected {listed}",
            )
        return diagnostic("FLOW001", f"unexpected {found}", token.span, label="not expected here")

    def describe_expected(self, expected: set[str]) -> list[str]:
        symbols = {self._symbols.get(t, t) for t in expected} - _SILENT
        described = []
        if "NUMBER" in symbols:
            described.append("an expression")
            symbols -= _EXPRESSION_STARTS | {"(", "[", "{", "!", "-", "+", "~", "typeof", "..."}
            symbols -= {"await", "true", "false", "null", "function", "new", "void", "delete"}
        elif {"NAME", "{", "["} <= symbols:
            described.append("a name or a destructuring pattern")
            symbols -= {"NAME", "{", "["}
        ordered = sorted(symbols, key=lambda s: (_FIRST.index(s) if s in _FIRST else 99, s))
        described[:0] = [_DESCRIPTIONS.get(s, f"`{s}`") for s in ordered if s in _FIRST]
        described.extend(_DESCRIPTIONS.get(s, f"`{s}`") for s in ordered if s not in _FIRST)
        return described

    def report(self, found: Diagnostic) -> None:
        if self.reported < MAX_SYNTAX_ERRORS:
            self.driver.diagnostics.append(found)
        self.reported += 1
        self.driver.shifted = False

    def source(self) -> SourceFile:
        if self._source is None:
            self._source = SourceFile(self.driver.text)
        return self._source

    # ------------------------------------------------------------------ recovery

    def statement_list_height(self) -> int:
        """The value-stack height of the innermost block or program on the stack."""
        driver = self.driver
        lists = driver.tables.statement_lists
        height = len(driver.value_stack)
        while height > 0 and driver.state_stack[height] not in lists:
            height -= 1
        return height

    def resume_point(self, index: int) -> int:
        """Drop the broken statement and find the token to go on with."""
        driver = self.driver
        if driver.accepts("EMPTY_SEMI"):
            driver.reduce_before("EMPTY_SEMI")  # the statement before the error is complete
        height = self.statement_list_height()
        dropped_from = _first_offset(driver.value_stack[height:], driver.tokens[index].start)
        # Brackets opened by the dropped text and not closed yet: skip to their closers.
        pending = [token.kind for token, at in driver.brackets if at >= height]
        driver.pop_to(height)
        resume = self.skip_to_restart(index, pending)
        self.note_names_dropped(dropped_from, driver.tokens[resume].start)
        return resume

    def note_names_dropped(self, start: int, end: int) -> None:
        """Remember the names in the dropped text: later phases must not report a name as
        undefined or unused only because the statement that declared or read it was broken."""
        for token in self.driver.tokens:
            if token.start >= end:
                break
            if token.start >= start and token.kind == "NAME":
                self.names_dropped.add(token.text)

    def skip_to_restart(self, index: int, pending: list[str]) -> int:
        """The first token after the broken statement where parsing can go on."""
        driver = self.driver
        tokens = driver.tokens
        start = index
        while True:
            token = tokens[index]
            kind = token.kind
            if kind == END:
                return index
            if kind in _CLOSING:
                opener = _CLOSING[kind]
                if pending and pending[-1] == opener:
                    pending.pop()
                elif opener in pending:
                    del pending[len(pending) - 1 - pending[::-1].index(opener) :]
                elif kind == "}" and driver.accepts(driver.terminal_of["}"]):
                    return index  # closes the block the dropped statement was in
            elif kind == ";":
                # No `(`, `[` or template left open by the dropped text can contain a `;`.
                while pending and pending[-1] != "{":
                    pending.pop()
                if self.can_restart_at(index, pending, first=index == start):
                    return index
            elif self.can_restart_at(index, pending, first=index == start):
                return index
            elif kind in _PAIRS:
                pending.append(kind)
            index += 1

    def can_restart_at(self, index: int, pending: list[str], *, first: bool) -> bool:
        """Whether to go on parsing at this token. A JavaScript construct at the start of a
        later line is a place to go on too: parsing it reports it."""
        token = self.driver.tokens[index]
        if pending and ("{" in pending or token.kind not in _STATEMENT_WORDS):
            return False
        if not self.begins_line_or_follows_semicolon(index):
            return False
        return (not first and token.kind in _HABIT_WORDS) or self.can_start_statement(token)

    def begins_line_or_follows_semicolon(self, index: int) -> bool:
        if index == 0:
            return True
        previous = self.driver.tokens[index - 1]
        if previous.kind == ";":
            return True
        token = self.driver.tokens[index]
        return _LINE_BREAK.search(self.driver.text, previous.end, token.start) is not None

    def can_start_statement(self, token: Token) -> bool:
        driver = self.driver
        candidates = driver.candidates(token)
        if token.kind == "return":
            candidates = ("RETURN_BARE", *candidates)
        if any(driver.accepts(c) for c in candidates):
            return True
        return driver.accepts_after("EXPR_START", candidates)

    def close_at_end(self, index: int) -> None:
        """The file ends inside a construct: report it (once), then close the open blocks."""
        driver = self.driver
        token = driver.tokens[index]
        if self.driver.shifted and not self.quiet_at_end:
            self.report(self.describe_error(index))
        close = driver.terminal_of["}"]
        # Each round closes one open block or drops one construct: the start state, with
        # nothing on the stack, accepts the end. Every drop goes below the one before, or a
        # `}` that closes a block whose owner cannot end here (`try { { }` wants `catch`)
        # would be fed and dropped again forever.
        floor = len(driver.value_stack) + 1
        while not driver.accepts(END):
            if driver.accepts_after(close, (END, close)):
                driver.feed(Token("}", "", token.start, token.start), close)
                continue
            height = self.statement_list_height()
            if height == len(driver.value_stack):
                # A block whose statement cannot end here (`do { ... }` wants `while`): drop
                # the block, then the statement that owns it.
                braces = [i for i, v in enumerate(driver.value_stack) if _is_brace(v)]
                height = braces[-1] if braces else height - 1
            floor = max(min(height, floor - 1), 0)
            driver.pop_to(floor)


def _first_offset(values: list[object], default: int) -> int:
    """Where the first of the parser's partial values starts (tokens, nodes or lists)."""
    for value in values:
        while isinstance(value, list | tuple) and value:
            value = value[0]
        if isinstance(value, Token):
            return value.start
        span = getattr(value, "span", None)
        if isinstance(span, Span):
            return span.start
    return default


def _is_brace(value: object) -> bool:
    return isinstance(value, Token) and value.kind == "{"


def _describe_token(token: Token) -> str:
    if token.kind in _DESCRIPTIONS and token.kind not in ("NAME", "NUMBER"):
        return _DESCRIPTIONS[token.kind]
    text = token.text if len(token.text) <= 24 else token.text[:21] + "..."
    return f"`{text}`"
