"""Strings as sequences of UTF-16 code units (LANGUAGE.md §7.4), over Python `str`.

A `.flow` string is stored as a Python `str` of code points that never holds a lone surrogate.
Operations that count positions work on its *unit string*: the same text with every astral
character written as its two surrogate code units, one Python character per UTF-16 code unit.
On a unit string Python's `len`, indexing, slicing and `find` are exactly JavaScript's; a result
goes back through `from_units`, which pairs surrogates again and turns lone ones into U+FFFD.
Most strings have no astral character and are their own unit string, so the conversions are
usually a check and nothing else.
"""

from __future__ import annotations

import re
from array import array

REPLACEMENT = "\ufffd"

_SURROGATE = re.compile("[\ud800-\udfff]")

# JavaScript's WhiteSpace and LineTerminator (ECMA-262 §12.2, §12.3): what `trim` and
# `Number(" 1 ")` strip. Python's `str.strip()` set differs (it has U+001C-U+001F, lacks U+FEFF).
JS_WHITESPACE = (
    "\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)


def is_bmp(text: str) -> bool:
    """Whether every character of `text` is one UTF-16 code unit (no astral characters)."""
    return text.isascii() or max(text) <= "\uffff"


def to_units(text: str) -> str:
    """The unit string of `text`: one Python character per UTF-16 code unit."""
    if is_bmp(text):
        return text
    return "".join(map(chr, array("H", text.encode("utf-16-le"))))


def from_units(units: str) -> str:
    """The string whose code units `units` holds, lone surrogates replaced by U+FFFD."""
    if units.isascii() or _SURROGATE.search(units) is None:
        return units
    return units.encode("utf-16-le", "surrogatepass").decode("utf-16-le", "replace")


def utf16_length(text: str) -> int:
    """The length of `text` in UTF-16 code units (`"😀".length` is 2)."""
    if is_bmp(text):
        return len(text)
    return len(text.encode("utf-16-le")) // 2


def code_unit_at(text: str, index: int) -> str | None:
    """The one-code-unit string at `index` (U+FFFD for half a surrogate pair), or None when
    `index` is out of range."""
    units = to_units(text)
    if 0 <= index < len(units):
        unit = units[index]
        return REPLACEMENT if "\ud800" <= unit <= "\udfff" else unit
    return None
