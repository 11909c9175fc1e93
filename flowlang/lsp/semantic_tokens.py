"""Semantic tokens: what each name is, which a grammar cannot tell.

A grammar colours `total` in `total + 1` one way wherever it appears; the resolver knows whether
it is a `const` or a `let`, and where it is declared, and the stdlib table knows that `Math` is
a namespace, `String` a function and `Inputs` a read-only value. So every name is a variable
(`declaration`, `readonly` for `const`), a builtin namespace, function or value
(`defaultLibrary`), a property (object keys and `.name` reads) or a method (`.name(...)` calls).
Keywords, strings and numbers are included for editors without a `.flow` grammar.

Tokens never span lines (not every client supports multi-line tokens): a string or template
that does is sent one line at a time.
"""

from __future__ import annotations

from dataclasses import dataclass

from lsprotocol import types

from flowlang.compiler import ast
from flowlang.compiler.lexer import END, WORDS, tokenize
from flowlang.compiler.resolve import Binding
from flowlang.compiler.stdlib import GLOBALS, lookup_member, lookup_method
from flowlang.lsp import lookup
from flowlang.lsp.documents import View
from flowlang.lsp.positions import code_units
from flowlang.lsp.syntax import walk

TOKEN_TYPES = (
    "namespace",
    "function",
    "method",
    "property",
    "variable",
    "keyword",
    "string",
    "number",
)
TOKEN_MODIFIERS = ("declaration", "readonly", "defaultLibrary")
LEGEND = types.SemanticTokensLegend(
    token_types=list(TOKEN_TYPES), token_modifiers=list(TOKEN_MODIFIERS)
)

_TYPE = {name: index for index, name in enumerate(TOKEN_TYPES)}
_DECLARATION, _READONLY, _DEFAULT_LIBRARY = (1 << index for index in range(3))
_GLOBAL_TOKEN = {
    "namespace": (_TYPE["namespace"], _DEFAULT_LIBRARY),
    "function": (_TYPE["function"], _DEFAULT_LIBRARY),
    "value": (_TYPE["variable"], _READONLY | _DEFAULT_LIBRARY),
}


@dataclass(frozen=True, slots=True)
class _Token:
    start: int
    end: int
    type: int
    modifiers: int


def semantic_tokens(view: View) -> types.SemanticTokens | None:
    latest = view.latest
    if latest is None or not latest.shift.unchanged:
        return None
    names = _classify_names(view)
    found: list[_Token] = []
    for token in tokenize(view.text).tokens:
        kind = token.kind
        if kind == "NAME":
            classified = names.get(token.start)
            if classified is not None:
                found.append(_Token(token.start, token.end, *classified))
        elif kind in WORDS and token.text.isalpha():
            found.append(_Token(token.start, token.end, _TYPE["keyword"], 0))
        elif kind == "STRING" or kind.startswith("TEMPLATE"):
            found.append(_Token(token.start, token.end, _TYPE["string"], 0))
        elif kind == "NUMBER":
            found.append(_Token(token.start, token.end, _TYPE["number"], 0))
        elif kind == END:
            break
    return types.SemanticTokens(data=_encode(view, found))


def _classify_names(view: View) -> dict[int, tuple[int, int]]:
    """Token type and modifiers of every name the analysis knows, by start offset."""
    assert view.latest is not None
    analysis = view.latest.analysis
    resolution = analysis.resolution
    names: dict[int, tuple[int, int]] = {}
    for binding in resolution.bindings:
        names[binding.span.start] = (_TYPE["variable"], _DECLARATION | _readonly(binding))
    for use in resolution.uses:
        names[use.span.start] = (_TYPE["variable"], _readonly(use.binding))
    callees = set()
    members: list[ast.Member] = []
    for node in walk(analysis.program):
        match node:
            case ast.Call(callee=ast.Member() as callee):
                callees.add(callee.name_span.start)
            case ast.Member():
                members.append(node)
            case ast.Name(name=name) if name in GLOBALS and node.span.start not in names:
                names[node.span.start] = _GLOBAL_TOKEN[GLOBALS[name].kind]
            case ast.Property(key=str(), shorthand=False):
                names[node.key_span.start] = (_TYPE["property"], 0)
            case ast.PatternProperty() if node.key_span != node.target.span:
                names[node.key_span.start] = (_TYPE["property"], 0)
    for member in members:
        called = member.name_span.start in callees
        names[member.name_span.start] = _member_token(view, member, called=called)
    return names


def _member_token(view: View, node: ast.Member, *, called: bool) -> tuple[int, int]:
    receiver = node.object
    builtin = None
    if isinstance(receiver, ast.Name) and receiver.name in GLOBALS:
        builtin = lookup_member(receiver.name, node.name)
    else:
        kind = lookup.receiver_kind(view.type_of_latest(receiver.span))
        builtin = lookup_method(kind, node.name) if kind is not None else None
    modifiers = _DEFAULT_LIBRARY if builtin is not None else 0
    if called or (builtin is not None and builtin.kind != "property"):
        return _TYPE["method"], modifiers
    return _TYPE["property"], modifiers


def _readonly(binding: Binding) -> int:
    return _READONLY if binding.is_const else 0


def _encode(view: View, tokens: list[_Token]) -> list[int]:
    """The relative encoding of LSP: per token, the line and start delta from the previous
    token, its length, type and modifiers; a token that spans lines becomes one per line."""
    positions = view.positions
    data: list[int] = []
    previous_line, previous_start = 0, 0
    for token in sorted(tokens, key=lambda t: t.start):
        first, last = positions.line_of(token.start), positions.line_of(token.end)
        for line in range(first, last + 1):
            start = max(token.start, positions.line_start(line))
            end = min(token.end, positions.line_end(line))
            if end <= start:
                continue
            position = positions.position(start)
            length = code_units(view.text[start:end], positions.encoding)
            delta_line = position.line - previous_line
            delta_start = position.character - (previous_start if delta_line == 0 else 0)
            data.extend((delta_line, delta_start, length, token.type, token.modifiers))
            previous_line, previous_start = position.line, position.character
    return data
