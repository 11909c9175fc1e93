"""Offsets and LSP positions: the protocol's lines, the negotiated code units, clamping."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from lsprotocol import types

from flowlang.compiler.source import Span
from flowlang.lsp.positions import UTF8, UTF16, UTF32, Positions

TEXT = 'let a = 1\r\nlet 👋 = "é\u2028x"\rreturn a\n'


def test_utf16_counts_astral_characters_twice() -> None:
    positions = Positions(TEXT, UTF16)
    wave = TEXT.index("👋")
    after = wave + 1
    assert positions.position(wave) == types.Position(1, 4)
    assert positions.position(after) == types.Position(1, 6)
    assert positions.offset(types.Position(1, 6)) == after
    # A column between the two halves of the surrogate pair is the character's start.
    assert positions.offset(types.Position(1, 5)) == wave


@pytest.mark.parametrize(("encoding", "column"), [(UTF8, 17), (UTF16, 12), (UTF32, 11)])
def test_each_encoding_counts_its_own_code_units(encoding: str, column: int) -> None:
    positions = Positions(TEXT, encoding)
    x = TEXT.index("x")
    assert positions.position(x) == types.Position(1, column)
    assert positions.offset(types.Position(1, column)) == x


def test_lines_end_at_lf_crlf_and_cr_only() -> None:
    positions = Positions(TEXT)
    assert positions.line_count == 4
    assert positions.position(TEXT.index("return")) == types.Position(2, 0)
    assert positions.position(TEXT.index("x")).line == 1  # U+2028 ends no line here


def test_out_of_range_positions_are_clamped() -> None:
    positions = Positions(TEXT)
    assert positions.offset(types.Position(0, 99)) == TEXT.index("\r\n")
    assert positions.offset(types.Position(99, 0)) == len(TEXT)
    assert positions.position(len(TEXT) + 5) == types.Position(3, 0)
    assert positions.span(types.Range(types.Position(2, 3), types.Position(0, 0))) == Span(
        TEXT.index("return") + 3, TEXT.index("return") + 3
    )


@given(
    st.text(alphabet=st.sampled_from("ab é👋\n\r\u2028\t{}")),
    st.sampled_from([UTF8, UTF16, UTF32]),
    st.data(),
)
def test_every_offset_survives_a_round_trip(text: str, encoding: str, data: st.DataObject) -> None:
    offset = data.draw(st.integers(0, len(text)))
    if 0 < offset < len(text) and text[offset - 1 : offset + 1] == "\r\n":
        offset += 1  # inside a line break there is no position
    positions = Positions(text, encoding)
    assert positions.offset(positions.position(offset)) == offset
