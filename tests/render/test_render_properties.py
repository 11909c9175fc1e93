"""Every renderer accepts any source text and any spans inside it."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from flowlang.compiler.codes import diagnostic
from flowlang.compiler.diagnostics import Fix, Label
from flowlang.compiler.source import SourceFile, Span
from flowlang.render import FORMATS, render

TEXT = st.text(
    alphabet=st.sampled_from("ab \t\n\r\u2028\u2029é日\u0301\x1b\u202e😀"),
    max_size=40,
)


@st.composite
def sources_with_spans(draw: st.DrawFn) -> tuple[SourceFile, list[Span]]:
    text = draw(TEXT)
    offsets = st.integers(min_value=0, max_value=len(text))
    spans = []
    for _ in range(3):
        start = draw(offsets)
        end = draw(st.integers(min_value=start, max_value=len(text)))
        spans.append(Span(start, end))
    return SourceFile(text, "p.flow"), spans


@given(sources_with_spans())
def test_every_format_renders_any_spans(case):
    source, (primary, secondary, fixed) = case
    found = diagnostic(
        "FLOW001",
        "message",
        primary,
        label="label",
        labels=(Label(secondary, "secondary"),),
        fix=Fix(fixed, "x", "replace it"),
    )
    for format in FORMATS:
        for color in (False, True):
            assert render(format, [(source, [found])], color=color)
    assert json.loads(render("json", [(source, [found])]))["diagnostics"][0]["line"] >= 1


@given(sources_with_spans())
def test_the_primary_span_always_gets_a_caret(case):
    source, (primary, _, _) = case
    rendered = render("text", [(source, [diagnostic("FLOW001", "message", primary)])])
    assert "^" in rendered
