"""Semantic tokens: variables (declarations, `const`), builtins, properties and methods."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsp_helpers import FlowClient, cursor, identifier, open_file, published, view_at
from lsprotocol import types

from flowlang.lsp.positions import Positions
from flowlang.lsp.semantic_tokens import LEGEND, TOKEN_MODIFIERS, semantic_tokens

SOURCE = """\
const limit = 10
let total = Math.max(limit, Inputs.n)
let o = { key: `a
b` }
return [o.key, total, String(total), "x".length, o.key.slice(0)]
"""


def decode(text: str, data: list[int]) -> list[tuple[str, str, tuple[str, ...]]]:
    """(token text, type, modifiers) of every token of the relative encoding."""
    positions = Positions(text)
    found = []
    line = character = 0
    for index in range(0, len(data), 5):
        delta_line, delta_start, length, kind, modifiers = data[index : index + 5]
        line += delta_line
        character = character + delta_start if delta_line == 0 else delta_start
        start = positions.offset(types.Position(line, character))
        end = positions.offset(types.Position(line, character + length))
        names = tuple(m for bit, m in enumerate(TOKEN_MODIFIERS) if modifiers & (1 << bit))
        found.append((text[start:end], LEGEND.token_types[kind], names))
    return found


def test_names_are_classified_by_what_they_denote() -> None:
    view, _ = view_at(SOURCE + "‸")
    found = semantic_tokens(view)
    assert found is not None
    tokens = decode(SOURCE, list(found.data))
    assert tokens[:6] == [
        ("const", "keyword", ()),
        ("limit", "variable", ("declaration", "readonly")),
        ("10", "number", ()),
        ("let", "keyword", ()),
        ("total", "variable", ("declaration",)),
        ("Math", "namespace", ("defaultLibrary",)),
    ]
    assert ("max", "method", ("defaultLibrary",)) in tokens
    assert ("limit", "variable", ("readonly",)) in tokens
    assert ("Inputs", "variable", ("readonly", "defaultLibrary")) in tokens
    assert ("n", "property", ()) in tokens
    assert ("key", "property", ()) in tokens
    assert ("String", "function", ("defaultLibrary",)) in tokens
    assert ("length", "property", ("defaultLibrary",)) in tokens
    assert ("slice", "method", ("defaultLibrary",)) in tokens


def test_a_token_over_two_lines_is_sent_line_by_line() -> None:
    view, _ = view_at(SOURCE + "‸")
    found = semantic_tokens(view)
    assert found is not None
    strings = [text for text, kind, _ in decode(SOURCE, list(found.data)) if kind == "string"]
    assert strings[:2] == ["`a", "b`"]


@pytest.mark.asyncio
@pytest.mark.timeout(60)
async def test_semantic_tokens_over_stdio(client: FlowClient, tmp_path: Path) -> None:
    path = tmp_path / "tokens.flow"
    text, _ = cursor(SOURCE + "‸")
    path.write_text(text)
    uri = open_file(client, path)
    await published(client, uri, 1)
    found = await client.text_document_semantic_tokens_full_async(
        types.SemanticTokensParams(identifier(uri))
    )
    assert found is not None
    assert decode(text, list(found.data))[1] == ("limit", "variable", ("declaration", "readonly"))
