"""Open documents: the editor's changes applied in the protocol's units, and the shift that maps
offsets between a text and an older one."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from lsprotocol import types

from flowlang.lsp.documents import Document, TextShift


def change(
    start: tuple[int, int], end: tuple[int, int], text: str
) -> types.TextDocumentContentChangePartial:
    return types.TextDocumentContentChangePartial(
        range=types.Range(types.Position(*start), types.Position(*end)), text=text
    )


def test_changes_apply_in_order_in_utf16_units() -> None:
    document = Document("file:///w.flow", 'let a = "👋"\nreturn a\n', 1)
    document.apply(
        [
            change((0, 12), (0, 12), "!"),  # after the emoji (two code units) and the quote
            change((1, 7), (1, 8), "a.length"),
        ],
        2,
    )
    assert document.text == 'let a = "👋"!\nreturn a.length\n'
    assert document.version == 2
    document.apply([types.TextDocumentContentChangeWholeDocument(text="return 1\n")], 3)
    assert document.text == "return 1\n"


def test_a_shift_maps_offsets_around_the_edit() -> None:
    old = "let total = 1\nreturn total\n"
    new = "let total = 1 + 2\nreturn total\n"
    shift = TextShift(old, new)
    assert shift.to_old(new.index("return")) == old.index("return")
    assert shift.to_new(old.index("total")) == new.index("total")
    assert shift.to_old(new.index("2")) is None
    assert shift.nearest_old(new.index("2")) == shift.prefix


@given(st.text(alphabet="ab\n{}"), st.text(alphabet="ab\n{}"), st.data())
def test_offsets_outside_the_edit_point_at_the_same_characters(
    old: str, new: str, data: st.DataObject
) -> None:
    shift = TextShift(old, new)
    assert shift.prefix + shift.suffix <= min(len(old), len(new))
    offset = data.draw(st.integers(0, len(new)))
    mapped = shift.to_old(offset)
    outside = offset < shift.prefix or offset >= len(new) - shift.suffix
    if outside:
        assert mapped is not None and shift.to_new(mapped) == offset
        if offset < len(new):
            assert old[mapped] == new[offset]
    elif offset == shift.prefix:
        assert mapped == shift.prefix
    else:
        assert mapped is None
