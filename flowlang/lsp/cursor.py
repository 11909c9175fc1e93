"""What surrounds the cursor in the text being typed: the word, the string, the open brackets.

Completion and signature help answer while the user types, so the text at the cursor is newer
than any analysis and usually does not parse. They read it with the lexer instead: the tokens
from the start of the statement the cursor is in (a place where the lexer is known to be outside
any string, comment or template) up to the cursor, and the brackets still open there. An open
`(` knows the callee written before it and how many commas it has seen (the argument the cursor
is in); an open `{` knows the keys written in it so far.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from flowlang.compiler import ast
from flowlang.compiler.lexer import END, KEYWORDS, Token, tokenize
from flowlang.compiler.source import Span

_CLOSERS = {")": "(", "]": "[", "}": "{"}
_CHAIN_LINKS = frozenset({".", "?."})
_NOT_CALLEES = KEYWORDS
# The tokens of a template literal that end in its text (the others end with `${`).
_TEMPLATE_TEXT = frozenset({"TEMPLATE", "TEMPLATE_TAIL"})
_COMMENT = re.compile(r"//[^\n\r\u2028\u2029]*|/\*[\s\S]*?(?:\*/|\Z)")


@dataclass
class Bracket:
    """A bracket open at the cursor. For `(`: the name of the function or method called (None
    when the parenthesis is not a call), the whole callee when it is a chain of names
    (`("Task", "run")`; None for `"a b".split(`), and the index of the argument the cursor is
    in. For `{`: the keys written so far."""

    kind: str  # `(`, `[`, `{` or `${`
    position: int  # index of the opening token in the cursor's tokens
    function: str | None = None
    callee: tuple[str, ...] | None = None
    argument: int = 0
    keys: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Cursor:
    offset: int
    tokens: tuple[Token, ...]  # up to the cursor, offsets in the document's text
    brackets: tuple[Bracket, ...]  # outermost first
    word: Token | None  # a name or keyword that ends at the cursor: the prefix being typed
    string: Token | None  # an unterminated string the cursor is in
    in_comment: bool
    in_template_text: bool  # in the text of a template literal, not in a `${…}`
    in_front_matter: bool

    @property
    def in_prose(self) -> bool:
        """Whether the cursor is where no code is written: a comment, template text or the
        front matter."""
        return self.in_comment or self.in_template_text or self.in_front_matter

    def before(self) -> Token | None:
        """The token before the word being typed (or before the cursor)."""
        index = len(self.tokens) - 1 - (1 if self.word or self.string else 0)
        return self.tokens[index] if index >= 0 else None

    def call(self) -> Bracket | None:
        """The innermost open call parenthesis (through any brackets opened inside it)."""
        for bracket in reversed(self.brackets):
            if bracket.kind == "(" and bracket.function is not None:
                return bracket
        return None

    def first_string_argument(self, parenthesis: Bracket) -> str | None:
        """The first argument of an open call when it is a complete string literal followed by
        a comma (`Task.run("send-email", |`)."""
        index = parenthesis.position + 1
        tokens = self.tokens
        if index + 1 < len(tokens) and tokens[index].kind == "STRING":
            value = tokens[index].value
            if tokens[index + 1].kind == "," and isinstance(value, str):
                return value
        return None

    def argument_object(self) -> tuple[Bracket, Bracket] | None:
        """When the cursor is directly in an object literal that is a whole argument of a call
        (`Task.run("x", { | })`): the call's parenthesis and the object's brace."""
        if len(self.brackets) < 2:
            return None
        brace, parenthesis = self.brackets[-1], self.brackets[-2]
        if brace.kind != "{" or parenthesis.kind != "(" or parenthesis.function is None:
            return None
        opener = self.tokens[brace.position - 1] if brace.position > 0 else None
        if opener is None or opener.kind not in ("(", ","):
            return None
        return parenthesis, brace


def cursor_at(text: str, offset: int, start: int = 0) -> Cursor:
    """The cursor at `offset`, lexing from `start` (0, or a statement start before the cursor
    that no edit has touched)."""
    offset = max(0, min(offset, len(text)))
    start = max(0, min(start, offset))
    lexed = tokenize(text[start:offset])
    tokens = tuple(
        Token(t.kind, t.text, t.start + start, t.end + start, t.value)
        for t in lexed.tokens
        if t.kind != END
    )
    in_front_matter = start == 0 and _in_front_matter(text, offset, lexed.front_matter, tokens)
    last = tokens[-1] if tokens else None
    gap = text[last.end if last else start : offset]
    # A string or template that reaches the cursor unterminated holds it (one that ends there
    # is closed, and the cursor is after it).
    open_literal = last if last and last.end == offset and lexed.unterminated else None
    string = open_literal if open_literal and open_literal.kind == "STRING" else None
    word = last if last and last.end == offset and _is_word(last) else None
    return Cursor(
        offset=offset,
        tokens=tokens,
        brackets=_open_brackets(tokens),
        word=word,
        string=string,
        in_comment=_in_comment(gap),
        in_template_text=open_literal is not None and open_literal.kind in _TEMPLATE_TEXT,
        in_front_matter=in_front_matter,
    )


def _is_word(token: Token) -> bool:
    return token.kind == "NAME" or token.text.isidentifier()


def _in_front_matter(
    text: str, offset: int, block: ast.FrontMatterBlock | None, tokens: tuple[Token, ...]
) -> bool:
    if block is not None:
        return offset < block.span.end
    # An unclosed fence: the lexer gave no tokens, the rest of the file is front matter.
    return not tokens and text[:offset].lstrip().startswith("```")


def _in_comment(gap: str) -> bool:
    """Whether the whitespace and comments between the last token and the cursor end inside a
    comment: a line comment running to the cursor, or a block comment not closed before it."""
    for comment in _COMMENT.finditer(gap):
        if comment.end() == len(gap):
            text = comment.group()
            closed = len(text) >= 4 and text.startswith("/*") and text.endswith("*/")
            return not closed
    return False


def _open_brackets(tokens: tuple[Token, ...]) -> tuple[Bracket, ...]:
    stack: list[Bracket] = []
    for index, token in enumerate(tokens):
        kind = token.kind
        if kind in ("(", "[", "{") or kind in ("TEMPLATE_HEAD", "TEMPLATE_MIDDLE"):
            if kind == "TEMPLATE_MIDDLE" and stack and stack[-1].kind == "${":
                stack.pop()
            bracket = Bracket("${" if kind.startswith("TEMPLATE") else kind, index)
            if kind == "(":
                bracket.function, bracket.callee = _callee(tokens, index)
            stack.append(bracket)
        elif kind in _CLOSERS or kind == "TEMPLATE_TAIL":
            _close(stack, "${" if kind == "TEMPLATE_TAIL" else _CLOSERS[kind])
        elif kind == "," and stack:
            stack[-1].argument += 1
            _note_shorthand_key(stack[-1], tokens, index)
        elif kind == ":" and stack and stack[-1].kind == "{":
            _note_key(stack[-1], tokens, index)
    return tuple(stack)


def _close(stack: list[Bracket], opener: str) -> None:
    """Pop up to the matching opener; an unmatched closer is ignored."""
    for depth in range(len(stack) - 1, -1, -1):
        if stack[depth].kind == opener:
            del stack[depth:]
            return


def _note_key(brace: Bracket, tokens: tuple[Token, ...], colon: int) -> None:
    """`key:` in an object: the token before the colon, when it follows `{` or `,`."""
    if colon >= 2 and tokens[colon - 2].kind in ("{", ","):
        key = tokens[colon - 1]
        if key.kind == "STRING" and isinstance(key.value, str):
            brace.keys.append(key.value)
        elif _is_word(key):
            brace.keys.append(key.text)


def _note_shorthand_key(brace: Bracket, tokens: tuple[Token, ...], comma: int) -> None:
    """`{ orderId, ...`: a shorthand property is a key too."""
    if (
        brace.kind == "{"
        and comma >= 2
        and tokens[comma - 2].kind in ("{", ",")
        and tokens[comma - 1].kind == "NAME"
    ):
        brace.keys.append(tokens[comma - 1].text)


def _callee(
    tokens: tuple[Token, ...], parenthesis: int
) -> tuple[str | None, tuple[str, ...] | None]:
    """The name called by the `(` at `parenthesis` (None when it is not a call: `if (`,
    `(a + b)`), and the chain of names it is read from when there is one."""
    before = tokens[parenthesis - 1] if parenthesis > 0 else None
    if before is None or not _is_word(before) or before.kind in _NOT_CALLEES:
        return None, None
    chain = receiver_chain(tokens, parenthesis)
    return before.text, None if chain is None else chain[0]


def receiver_chain(tokens: tuple[Token, ...], end: int) -> tuple[tuple[str, ...], Span] | None:
    """The names of a `a.b?.c` chain whose last token is just before `tokens[end]`, and its
    span; None when what precedes is not such a chain (`f().c`, `x[0].c`, a number)."""
    names: list[str] = []
    index = end - 1
    while True:
        if index < 0 or not _is_word(tokens[index]):
            return None
        names.append(tokens[index].text)
        if index >= 1 and tokens[index - 1].kind in _CHAIN_LINKS:
            index -= 2
            continue
        return tuple(reversed(names)), Span(tokens[index].start, tokens[end - 1].end)


def receiver_span(tokens: tuple[Token, ...], dot: int) -> Span | None:
    """The span of the expression before `tokens[dot]` (a `.` or `?.`) that the member is
    read from: a name followed by any number of `.name`, `?.name`, `[...]` and `(...)`."""
    index = dot - 1
    while index >= 0:
        token = tokens[index]
        if token.kind in (")", "]"):
            opener = _matching_opener(tokens, index)
            if opener is None:
                return None
            index = opener - 1
            continue
        if _is_word(token) or token.kind in ("STRING", "NUMBER", "TEMPLATE"):
            if index >= 1 and tokens[index - 1].kind in _CHAIN_LINKS:
                index -= 2
                continue
            return Span(token.start, tokens[dot - 1].end)
        return None
    return None


def _matching_opener(tokens: tuple[Token, ...], closer: int) -> int | None:
    depth = 0
    for index in range(closer, -1, -1):
        kind = tokens[index].kind
        if kind in (")", "]", "}"):
            depth += 1
        elif kind in ("(", "[", "{"):
            depth -= 1
            if depth == 0:
                return index
    return None
