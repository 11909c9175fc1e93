from __future__ import annotations

import unicodedata

from flowlang.compiler.codes import diagnostic
from flowlang.compiler.diagnostics import Fix, Label
from flowlang.compiler.source import SourceFile, Span
from flowlang.render import FileReport, render, summary
from flowlang.render.text import display_line


def test_text_rendering(reports, snapshot):
    assert render("text", reports) == snapshot


def test_text_rendering_in_color(reports, snapshot):
    # The escape character is made visible so that the snapshot file stays plain text.
    assert render("text", reports, color=True).replace("\x1b", "␛") == snapshot


def test_without_color_there_are_no_escape_codes(reports):
    assert "\x1b" not in render("text", reports)


def test_color_marks_errors_red_and_warnings_yellow(reports):
    rendered = render("text", reports, color=True)
    assert "\x1b[1;31merror[FLOW101]\x1b[0m" in rendered
    assert "\x1b[1;33mwarning[FLOW402]\x1b[0m" in rendered


def test_the_layout_of_the_language_reference():
    source = SourceFile("let total = 1\nlet x = totl + 1\n", "approval.flow")
    start = source.text.index("totl")
    found = diagnostic(
        "FLOW101",
        "undefined name `totl`",
        Span(start, start + 4),
        label="not declared in this scope",
        help="a variable with a similar name exists: `total`",
    )
    assert render("text", [FileReport(source, [found])]) == (
        "error[FLOW101]: undefined name `totl`\n"
        "  --> approval.flow:2:9\n"
        "   |\n"
        " 2 | let x = totl + 1\n"
        "   |         ^^^^ not declared in this scope\n"
        "   |\n"
        "help: a variable with a similar name exists: `total`\n"
    )


def rendered_rows(text: str, span: Span, **details) -> list[str]:
    source = SourceFile(text, "t.flow")
    return render("text", [(source, [diagnostic("FLOW001", "m", span, **details)])]).splitlines()


def test_an_empty_span_shows_one_caret():
    rows = rendered_rows("let x = ", Span(8, 8))
    assert rows[-1] == "   |         ^"


def test_carets_line_up_under_tabs_and_wide_characters():
    text = '\t"日本" + x'
    start = text.index("x")
    source_row, caret_row = rendered_rows(text, Span(start, start + 1))[3:5]
    assert "\t" not in source_row
    assert cells(source_row[: source_row.index("x")]) == cells(caret_row[: caret_row.index("^")])


def cells(text: str) -> int:
    """The terminal width of `text`: East Asian wide characters take two cells."""
    return sum(2 if unicodedata.east_asian_width(char) == "W" else 1 for char in text)


def test_the_location_counts_code_points_not_display_cells():
    text = '\t"日本" + x'
    start = text.index("x")
    assert rendered_rows(text, Span(start, start + 1))[1] == "  --> t.flow:1:9"


def test_control_characters_are_not_written_to_the_terminal():
    rows = rendered_rows("let a = 1\x1b[2J\u202e", Span(0, 3))
    assert "\x1b" not in rows[3] and "\u202e" not in rows[3]
    assert rows[3].endswith("1\ufffd[2J\ufffd")


def test_a_multi_line_span_is_underlined_to_the_end_of_its_first_line():
    rows = rendered_rows("let a = [\n  1\n]", Span(8, 15), label="here")
    assert rows[3:5] == [" 1 | let a = [", "   |         ^ here"]


def test_distant_lines_are_elided_and_the_gutter_fits_the_widest_number():
    text = "".join(f"line{n}\n" for n in range(1, 13))
    rows = rendered_rows(
        text,
        span_of_line(text, 12),
        labels=(Label(span_of_line(text, 1), "first"),),
    )
    assert rows[1:8] == [
        "   --> t.flow:12:1",
        "    |",
        "  1 | line1",
        "    | ----- first",
        "...",
        " 12 | line12",
        "    | ^^^^^^",
    ]


def test_a_single_line_between_two_shown_lines_is_shown_instead_of_elided():
    text = "a\nb\nc\n"
    rows = rendered_rows(text, Span(4, 5), labels=(Label(Span(0, 1), "here"),))
    assert [row for row in rows if "|" in row and row.lstrip()[0].isdigit()] == [
        " 1 | a",
        " 2 | b",
        " 3 | c",
    ]


def test_labels_on_one_line_hang_below_their_spans():
    rows = rendered_rows(
        "a + b",
        Span(4, 5),
        label="right",
        labels=(Label(Span(0, 1), "left"),),
    )
    assert rows[4:7] == ["   | -   ^ right", "   | |", "   | left"]


def test_a_fix_is_described_when_there_is_no_help():
    rows = rendered_rows("var x = 1", Span(0, 3), fix=Fix(Span(0, 3), "let", "use `let`"))
    assert rows[-1] == "help: use `let`"


def test_help_wins_over_the_fix_description():
    fix = Fix(Span(0, 3), "let", "use `let`")
    rows = rendered_rows("var x = 1", Span(0, 3), help="write `let`", fix=fix)
    assert rows[-1] == "help: write `let`"


def test_multi_line_notes_are_indented_under_their_first_line():
    rows = rendered_rows("x", Span(0, 1), notes=("one\ntwo",))
    assert rows[-2:] == ["   = note: one", "           two"]


def test_display_line_maps_code_points_to_cells():
    assert display_line("\ta日") == ("    a日", [0, 4, 5, 7])


def test_no_diagnostics_render_as_nothing():
    assert render("text", [(SourceFile("", "a.flow"), [])]) == ""


def test_summary_counts_errors_warnings_and_files(reports):
    assert summary(reports) == "5 errors, 2 warnings in 2 files"
    assert summary([reports[1]]) == "1 warning in 1 file"
    assert summary([(SourceFile("", "a.flow"), [])] * 3) == "no problems in 3 files"


def span_of_line(text: str, line: int) -> Span:
    source = SourceFile(text)
    start = source.offset(line, 1)
    return Span(start, start + len(source.line_text(line)))


def test_control_characters_in_messages_are_made_harmless():
    rows = rendered_rows("x", Span(0, 1), label="a\x1bb", help="c\u202ed\ne")
    assert rows[0] == "error[FLOW001]: m"
    assert rows[4] == "   | ^ a\ufffdb"
    assert rows[-2:] == ["help: c\ufffdd", "      e"]
