"""The `.flow` lexer: source text -> tokens, front matter and lexical diagnostics (LANGUAGE.md §2).

One compiled master regex finds the next token; a stack of open braces tells a `}` that closes
a template substitution (`${ ... }`) from one that closes a block or an object, so template
literals nest. Lexing never stops at an error: it reports FLOW002/3/4/6 with the span of the
offending text and produces the most useful token it can, so parsing goes on.

A token's `kind` is its own text for punctuators and words (keywords, reserved words and the
contextual `of`), and one of `NAME`, `NUMBER`, `STRING`, `TEMPLATE`, `TEMPLATE_HEAD`,
`TEMPLATE_MIDDLE`, `TEMPLATE_TAIL` or `$END` otherwise.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flowlang.compiler import ast
from flowlang.compiler.codes import diagnostic
from flowlang.compiler.diagnostics import Diagnostic
from flowlang.compiler.literals import decode_escapes, number_value
from flowlang.compiler.source import SourceFile, Span

KEYWORDS = frozenset(
    [
        "await",
        "break",
        "catch",
        "const",
        "continue",
        "else",
        "false",
        "finally",
        "for",
        "if",
        "in",
        "let",
        "null",
        "return",
        "throw",
        "true",
        "try",
        "typeof",
        "while",
    ]
)
RESERVED = frozenset(
    [
        "async",
        "case",
        "class",
        "debugger",
        "default",
        "delete",
        "do",
        "enum",
        "export",
        "extends",
        "function",
        "implements",
        "import",
        "instanceof",
        "interface",
        "new",
        "package",
        "private",
        "protected",
        "public",
        "static",
        "super",
        "switch",
        "this",
        "var",
        "void",
        "with",
        "yield",
    ]
)
# Every word the lexer does not report as a NAME: `of` is a NAME outside a `for` head, and the
# parser makes that choice.
WORDS = KEYWORDS | RESERVED | {"of"}

END = "$END"

_LINE_BREAKS = "\n\r\u2028\u2029"
_WHITESPACE = "\t\v\f \u00a0\ufeff\u1680\u2000-\u200a\u202f\u205f\u3000"

# Longest first, so that `===` is not read as `==` `=`. `?.` before a digit is `?` then a
# number (`a?.5:1` is `a ? .5 : 1`).
_PUNCTUATORS = sorted(
    [
        "...",
        "===",
        "!==",
        "**=",
        "<<=",
        ">>=",
        ">>>=",
        "&&=",
        "||=",
        "??=",
        "=>",
        "==",
        "!=",
        "<=",
        ">=",
        "&&",
        "||",
        "??",
        "++",
        "--",
        "+=",
        "-=",
        "*=",
        "/=",
        "%=",
        "&=",
        "|=",
        "^=",
        "**",
        "<<",
        ">>",
        ">>>",
        "(",
        ")",
        "[",
        "]",
        ";",
        ",",
        "<",
        ">",
        "+",
        "-",
        "*",
        "/",
        "%",
        "&",
        "|",
        "^",
        "!",
        "~",
        "?",
        ":",
        "=",
        ".",
    ],
    key=len,
    reverse=True,
)

_MASTER = re.compile(
    "|".join(
        (
            rf"(?P<skip>(?:[{_WHITESPACE}{_LINE_BREAKS}]+|//[^{_LINE_BREAKS}]*|/\*[\s\S]*?\*/)+)",
            r"(?P<open_comment>/\*)",
            r"(?P<name>(?:[^\W\d]|\$)[\w$]*)",
            r"(?P<number>(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?[\w$]*)",
            r"(?P<string>\"(?:[^\"\\]|\\[\s\S])*\"|'(?:[^'\\]|\\[\s\S])*')",
            r"(?P<punct>\?\.(?!\d)|" + "|".join(re.escape(p) for p in _PUNCTUATORS) + ")",
            r"(?P<open_brace>\{)",
            r"(?P<close_brace>\})",
            r"(?P<backtick>`)",
            r"(?P<open_string>[\"'])",
            r"(?P<invalid>[\s\S])",
        )
    )
)
_TEMPLATE_TEXT = re.compile(r"(?:[^`\\$]|\\[\s\S]|\$(?!\{))*")
_SUPPRESSION = re.compile(rf"//[ \t]*flow-disable-next-line\b([^{_LINE_BREAKS}]*)")
_CODE = re.compile(r"FLOW\d{3}")
_FENCE_TAG = re.compile(r"```([A-Za-z0-9_-]*)")

# Characters people paste from word processors, with what they meant.
_LOOKALIKES = {
    "\u201c": '"',
    "\u201d": '"',
    "\u2018": "'",
    "\u2019": "'",
    "\u2013": "-",
    "\u2014": "-",
    "\u00d7": "*",
    "\u2264": "<=",
    "\u2265": ">=",
    "\u2260": "!=",
}


class Token:
    """One token: its kind, source text, offsets and decoded value (strings, numbers)."""

    __slots__ = ("kind", "text", "start", "end", "value")

    def __init__(
        self, kind: str, text: str, start: int, end: int, value: str | float | None = None
    ) -> None:
        self.kind = kind
        self.text = text
        self.start = start
        self.end = end
        self.value = value

    @property
    def span(self) -> Span:
        return Span(self.start, self.end)

    def __repr__(self) -> str:
        return f"Token({self.kind!r}, {self.text!r}, {self.start}, {self.end})"


@dataclass
class LexResult:
    """The tokens (ending with one `$END`), the front matter and what went wrong.

    `unterminated` is set when a string, template or comment runs to the end of the file: the
    parser then does not report the missing tokens at the end again.
    """

    tokens: list[Token]
    front_matter: ast.FrontMatterBlock | None = None
    diagnostics: list[Diagnostic] = field(default_factory=list)
    suppressions: dict[int, frozenset[str]] = field(default_factory=dict)
    unterminated: bool = False


def tokenize(text: str) -> LexResult:
    """Split `text` into tokens. Never raises."""
    return _Lexer(text).run()


class _Lexer:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens: list[Token] = []
        self.result = LexResult(self.tokens)
        # One entry per open `{` or `${`: True for a template substitution.
        self.braces: list[bool] = []
        self._source: SourceFile | None = None

    def run(self) -> LexResult:
        position = self.read_front_matter()
        if position is not None:
            self.read_tokens(position)
        end = len(self.text)
        self.tokens.append(Token(END, "", end, end))
        return self.result

    # ------------------------------------------------------------------ front matter

    def read_front_matter(self) -> int | None:
        """Read the fence at the top of the file, if any; where tokens start (None: nowhere)."""
        text = self.text
        skipped = _MASTER.match(text, 0)
        start = skipped.end() if skipped and skipped.lastgroup == "skip" else 0
        if not text.startswith("```", start):
            return 0
        if skipped and skipped.lastgroup == "skip":
            self.note_suppressions(skipped.group(), 0)
        tag = _FENCE_TAG.match(text, start)
        assert tag is not None
        body_start = tag.end()
        if tag.group(1) not in ("", "yaml"):
            self.report(
                "FLOW011",
                f"unknown front matter language `{tag.group(1)}`",
                Span(start + 3, body_start),
                help="tag the fence `yaml` or leave it untagged",
            )
        close = text.find("```", body_start)
        if close < 0:
            self.report(
                "FLOW011",
                "unclosed front matter fence",
                Span(start, body_start),
                label="this fence is never closed",
                help="end the front matter with a line of three backticks: ```",
            )
            return None
        self.result.front_matter = ast.FrontMatterBlock(
            span=Span(start, close + 3),
            text=text[body_start:close],
            text_span=Span(body_start, close),
        )
        return close + 3

    # ------------------------------------------------------------------ tokens

    def read_tokens(self, position: int) -> None:
        text = self.text
        tokens = self.tokens
        match = _MASTER.match
        end = len(text)
        while position < end:
            m = match(text, position)
            assert m is not None  # the last alternative matches any character
            group = m.lastgroup
            start, position = position, m.end()
            if group == "skip":
                if "flow-disable-next-line" in m.group():
                    self.note_suppressions(m.group(), start)
            elif group == "name":
                word = m.group()
                if word in WORDS:
                    tokens.append(Token(word, word, start, position))
                elif word.isascii():
                    tokens.append(Token("NAME", word, start, position, word))
                else:
                    self.add_non_ascii_name(word, start, position)
            elif group == "punct":
                word = m.group()
                tokens.append(Token(word, word, start, position))
            elif group == "number":
                self.add_number(m.group(), start, position)
            elif group == "string":
                self.add_string(m.group(), start, position)
            elif group == "open_brace":
                self.braces.append(False)
                tokens.append(Token("{", "{", start, position))
            elif group == "close_brace":
                if self.braces and self.braces.pop():
                    position = self.add_template_part(start, head=False)
                else:
                    tokens.append(Token("}", "}", start, position))
            elif group == "backtick":
                position = self.add_template_part(start, head=True)
            elif group == "open_comment":
                position = self.unterminated_comment(start)
            elif group == "open_string":
                position = self.unterminated_string(start)
            else:
                self.invalid_character(start)

    def add_non_ascii_name(self, word: str, start: int, end: int) -> None:
        """`café`: FLOW006 for the characters, and a NAME so that the parse goes on."""
        for run in re.finditer(r"[^\x00-\x7f]+", word):
            self.report(
                "FLOW006",
                f"non-ASCII character `{run.group()}` in the name `{word}`",
                Span(start + run.start(), start + run.end()),
                help="names are made of ASCII letters, digits, `_` and `$`",
            )
        self.tokens.append(Token("NAME", word, start, end, word))

    def add_number(self, raw: str, start: int, end: int) -> None:
        value, problem = number_value(raw)
        if problem is not None:
            self.report("FLOW004", problem.message, Span(start, end), help=problem.help)
        self.tokens.append(Token("NUMBER", raw, start, end, value))

    def add_string(self, raw: str, start: int, end: int) -> None:
        value = decode_escapes(raw[1:-1], start + 1, self.result.diagnostics)
        self.tokens.append(Token("STRING", raw, start, end, value))

    def add_template_part(self, start: int, *, head: bool) -> int:
        """Read template text from the `` ` `` or `}` at `start` to its end; the end offset."""
        text = self.text
        body = _TEMPLATE_TEXT.match(text, start + 1)
        assert body is not None  # the pattern matches the empty string
        body_end = body.end()
        value = decode_escapes(body.group(), start + 1, self.result.diagnostics)
        if text.startswith("${", body_end):
            self.braces.append(True)
            kind, end = ("TEMPLATE_HEAD" if head else "TEMPLATE_MIDDLE"), body_end + 2
        elif body_end < len(text):
            kind, end = ("TEMPLATE" if head else "TEMPLATE_TAIL"), body_end + 1
        else:
            kind, end = ("TEMPLATE" if head else "TEMPLATE_TAIL"), body_end
            self.report_unterminated("template literal", start, "`")
        self.tokens.append(Token(kind, text[start:end], start, end, value))
        return end

    def unterminated_comment(self, start: int) -> int:
        self.report_unterminated("block comment", start, "*/")
        return len(self.text)

    def unterminated_string(self, start: int) -> int:
        """A string without its closing quote runs to the end of the file (raw line breaks are
        allowed in strings), so the rest of the file is its text."""
        quote = self.text[start]
        self.report_unterminated("string", start, quote)
        value = decode_escapes(self.text[start + 1 :], start + 1, self.result.diagnostics)
        end = len(self.text)
        self.tokens.append(Token("STRING", self.text[start:end], start, end, value))
        return end

    def report_unterminated(self, what: str, start: int, closer: str) -> None:
        self.result.unterminated = True
        line_end = start + 1
        while line_end < len(self.text) and self.text[line_end] not in _LINE_BREAKS:
            line_end += 1
        self.report(
            "FLOW002",
            f"unterminated {what}",
            Span(start, line_end),
            label=f"this {what} is never closed",
            help=f"add the closing `{closer}`",
        )

    def invalid_character(self, start: int) -> None:
        char = self.text[start]
        previous = self.result.diagnostics[-1] if self.result.diagnostics else None
        if previous is not None and previous.code == "FLOW006" and previous.span.end == start:
            # A run of invalid characters is one mistake: widen the previous report.
            self.result.diagnostics[-1] = diagnostic(
                "FLOW006", "invalid characters", Span(previous.span.start, start + 1)
            )
            return
        shown = f"`{char}`" if char.isprintable() else "a control character"
        if not char.isascii():
            shown += f" (U+{ord(char):04X})"
        meant = _LOOKALIKES.get(char)
        self.report(
            "FLOW006",
            f"invalid character {shown}",
            Span(start, start + 1),
            help=f"did you mean `{meant}`?" if meant else None,
        )

    # ------------------------------------------------------------------ comments

    def note_suppressions(self, skipped: str, offset: int) -> None:
        """Record `// flow-disable-next-line CODE, ...` comments (LANGUAGE.md §2.3)."""
        for comment in _SUPPRESSION.finditer(skipped):
            codes = frozenset(_CODE.findall(comment.group(1)))
            if not codes:
                continue
            if self._source is None:
                self._source = SourceFile(self.text)
            line, _ = self._source.line_col(offset + comment.start())
            suppressions = self.result.suppressions
            suppressions[line + 1] = suppressions.get(line + 1, frozenset()) | codes

    def report(
        self, code: str, message: str, span: Span, *, label: str = "", help: str | None = None
    ) -> None:
        self.result.diagnostics.append(diagnostic(code, message, span, label=label, help=help))
