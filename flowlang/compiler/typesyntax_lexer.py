"""The tokens of type expressions (LANGUAGE.md §4.2): words, numbers, strings, punctuation.

Numbers and strings follow the literals of the language (§2.6, §2.7), escapes included, so
`'caf\\u00e9'` in a type is the same string as in code. A lexical error ends the parse: the
lexer raises `TypeSyntaxError` carrying its FLOW012 diagnostic, which `typesyntax` catches.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from flowlang.compiler.codes import diagnostic
from flowlang.compiler.diagnostics import Diagnostic
from flowlang.compiler.source import Span

_SIMPLE_ESCAPES = {
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "b": "\b",
    "f": "\f",
    "v": "\v",
    "0": "\0",
}
_ESCAPE = re.compile(
    r"""\\(?:x(?P<x>[0-9A-Fa-f]{2})|u(?P<u>[0-9A-Fa-f]{4})|u\{(?P<ub>[0-9A-Fa-f]+)\}"""
    r"""|(?P<cont>\r\n|[\n\r\u2028\u2029])|(?P<simple>[nrtbfv]|0(?![0-9]))|(?P<self>['"`\\/$]))"""
)
_NUMBER = re.compile(
    r"(?:(?:0|[1-9][0-9]*)(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?(?P<tail>[0-9A-Za-z_$]*)"
)
_WORD = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")
_PUNCTUATION = frozenset("{}[]()|,;:?-")
_LINE_TERMINATORS = frozenset("\n\r\u2028\u2029")
_DIGITS = frozenset("0123456789")

TokenKind = Literal["word", "number", "string", "punct", "end"]


@dataclass(frozen=True, slots=True)
class Token:
    kind: TokenKind
    text: str
    value: str | int | float
    start: int
    end: int


class TypeSyntaxError(Exception):
    """A syntax error in a type; `parse_type` turns it into its diagnostic, never raising it."""

    def __init__(self, failure: Diagnostic) -> None:
        super().__init__(failure.message)
        self.failure = failure


class Lexer:
    """Turns type text into tokens on demand, so that errors come out in source order."""

    def __init__(self, text: str, locate: Callable[[int, int], Span]) -> None:
        self.text = text
        self.locate = locate
        self.pos = 0

    def error(
        self, message: str, start: int, end: int, *, help: str | None = None
    ) -> TypeSyntaxError:
        return TypeSyntaxError(diagnostic("FLOW012", message, self.locate(start, end), help=help))

    def next_token(self) -> Token:
        self.skip_whitespace()
        text, start = self.text, self.pos
        if start >= len(text):
            return Token("end", "", "", start, start)
        char = text[start]
        if text.startswith(("//", "/*"), start):
            raise self.error(
                "comments are not allowed in types",
                start,
                start + 2,
                help="in YAML, put the comment after the value: `output: string  # why`",
            )
        if word := _WORD.match(text, start):
            self.pos = word.end()
            return Token("word", word.group(), word.group(), start, word.end())
        if char in _DIGITS or (char == "." and text[start + 1 : start + 2] in _DIGITS):
            return self.number(start)
        if char in "'\"":
            return self.string(start)
        if char in _PUNCTUATION:
            self.pos = start + 1
            return Token("punct", char, char, start, start + 1)
        raise self.error(f"unexpected character `{char}` in a type", start, start + 1)

    def skip_whitespace(self) -> None:
        text, pos = self.text, self.pos
        while pos < len(text) and _is_whitespace(text[pos]):
            pos += 1
        self.pos = pos

    def number(self, start: int) -> Token:
        match = _NUMBER.match(self.text, start)
        end = match.end() if match else start + 1
        raw = self.text[start:end]
        if match is None or match.group("tail"):
            raise self.error(f"invalid number literal `{raw}`", start, end)
        value = float(raw)
        if value in (float("inf"), float("-inf")):
            raise self.error(f"number literal `{raw}` is too large", start, end)
        self.pos = end
        return Token("number", raw, _normalise_number(value), start, end)

    def string(self, start: int) -> Token:
        text, quote = self.text, self.text[start]
        out: list[str] = []
        pos = start + 1
        while True:
            if pos >= len(text):
                raise self.error("unterminated string literal", start, len(text))
            char = text[pos]
            if char == quote:
                self.pos = pos + 1
                return Token("string", text[start : pos + 1], "".join(out), start, pos + 1)
            if char == "\\":
                pos = self.escape(pos, out)
            elif char == "\r":
                out.append("\n")
                pos += 2 if text.startswith("\r\n", pos) else 1
            else:
                out.append(char)
                pos += 1

    def escape(self, pos: int, out: list[str]) -> int:
        """Decode the escape at `pos` (LANGUAGE.md §2.7) into `out`; return where it ends."""
        match = _ESCAPE.match(self.text, pos)
        if match is None:
            end = min(pos + 2, len(self.text))
            raise self.error(
                f"invalid escape sequence `{self.text[pos:end]}`",
                pos,
                end,
                help="write `\\\\` for a backslash",
            )
        if match.group("cont") is not None:
            return match.end()
        if (simple := match.group("simple")) is not None:
            out.append(_SIMPLE_ESCAPES[simple])
            return match.end()
        if (itself := match.group("self")) is not None:
            out.append(itself)
            return match.end()
        unit = _code_unit(match)
        if 0xDC00 <= unit <= 0xDFFF or unit > 0x10FFFF:
            raise self.error(f"invalid escape sequence `{match.group()}`", pos, match.end())
        if 0xD800 <= unit <= 0xDBFF:
            low = _ESCAPE.match(self.text, match.end())
            low_unit = _code_unit(low) if low and (low.group("u") or low.group("ub")) else -1
            if not 0xDC00 <= low_unit <= 0xDFFF:
                raise self.error(
                    f"lone surrogate escape `{match.group()}`",
                    pos,
                    match.end(),
                    help="a high surrogate must be followed by a low one: `\\uD83D\\uDE00`",
                )
            out.append(chr(0x10000 + ((unit - 0xD800) << 10) + (low_unit - 0xDC00)))
            return low.end() if low else match.end()
        out.append(chr(unit))
        return match.end()


def _is_whitespace(char: str) -> bool:
    return (
        char in "\t\v\f \u00a0\ufeff"
        or char in _LINE_TERMINATORS
        or unicodedata.category(char) == "Zs"
    )


def _normalise_number(value: float) -> int | float:
    """Integral values within 2**53 are ints, as everywhere in .flow (LANGUAGE.md §7.3)."""
    if value.is_integer() and abs(value) <= 2**53:
        return int(value)
    return value


def _code_unit(match: re.Match[str]) -> int:
    digits = match.group("x") or match.group("u") or match.group("ub")
    return int(digits, 16)
