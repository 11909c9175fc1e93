"""The type of the value a member is read from, in the text being typed (`items.` or
`items.push(`): completion lists that value's members, signature help finds its method.
"""

from __future__ import annotations

from flowlang.compiler.types import ANY, STRING, Type
from flowlang.lsp import lookup
from flowlang.lsp.cursor import Cursor, receiver_span
from flowlang.lsp.documents import View


def receiver_type(
    view: View, cursor: Cursor, dot: int, names: tuple[str, ...] | None
) -> Type | None:
    """The type of what precedes `cursor.tokens[dot]` (a `.` or `?.`): `Inputs` from the
    newest front matter; a string for a string literal; else what the last analysis with types
    inferred for that very expression (narrowing included) if no edit has touched it since;
    else the declared types along a chain of names (`order.items`)."""
    if names == ("Inputs",) and view.latest is not None:
        return lookup.inputs_type(view.latest.analysis)
    if dot >= 1 and cursor.tokens[dot - 1].kind in ("STRING", "TEMPLATE"):
        return STRING  # `"a,b".split(`: a literal just typed, which no analysis has seen
    typed = view.typed
    if typed is None:
        return None
    found = view.type_now(receiver_span(cursor.tokens, dot))
    if found is not None and found is not ANY:
        return found
    if names is None:
        return None
    return lookup.chain_type(typed.analysis, names, typed.shift.nearest_old(cursor.offset))
