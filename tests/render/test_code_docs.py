"""The documentation of every diagnostic code, `flowc explain` and the generated docs page."""

from __future__ import annotations

import re

import pytest

from flowlang.compiler.codes import CODES, explain, find_code
from flowlang.render import FORMATS, render
from flowlang.render.docs import DOCS_PATH, codes_markdown

FENCE = re.compile(r"^(`{3,})js$(.*?)^\1$", re.MULTILINE | re.DOTALL)


@pytest.mark.parametrize("code", CODES.values(), ids=list(CODES))
def test_every_code_is_documented_with_an_example_and_a_fix(code):
    text = code.explanation
    assert 8 <= len(text.splitlines()) <= 30
    assert "\nExample:\n" in text
    assert re.search(r"^Fix\b", text, re.MULTILINE)
    blocks = FENCE.findall(text)
    assert len(blocks) == 2, "one example block and one fix block"
    assert blocks[0][1] != blocks[1][1]


@pytest.mark.parametrize("code", CODES.values(), ids=list(CODES))
def test_summaries_follow_the_message_style(code):
    assert code.summary == code.summary.strip()
    assert not code.summary.endswith(".")
    assert not code.summary[0].isupper() or code.summary.startswith("JavaScript")


@pytest.mark.parametrize("spelling", ["FLOW101", "flow101", "Flow101", "101", " FLOW101 "])
def test_explain_accepts_loose_spellings(spelling):
    assert find_code(spelling) is CODES["FLOW101"]


def test_short_numbers_are_padded():
    assert find_code("1") is CODES["FLOW001"]


@pytest.mark.parametrize("spelling", ["FLOW999", "E0425", "", "FLOW", "flow-101", "１０１"])
def test_explain_rejects_unknown_codes(spelling):
    assert explain(spelling) is None


def test_explain_starts_with_the_code_severity_and_summary():
    text = explain("flow402")
    assert text is not None
    first, blank, *rest = text.splitlines()
    assert (first, blank) == ("FLOW402 (warning): unused variable", "")
    assert "\n".join(rest) == CODES["FLOW402"].explanation


def test_the_docs_page_has_one_section_per_code():
    sections = re.findall(r"^## (FLOW\d{3})$", codes_markdown(), re.MULTILINE)
    assert sections == list(CODES)


def test_the_committed_docs_page_is_up_to_date():
    assert DOCS_PATH.read_text(encoding="utf-8") == codes_markdown(), (
        "docs/diagnostics.md is stale: run `python -m flowlang.render.docs`"
    )


def test_unknown_formats_are_rejected(reports):
    assert FORMATS == ("text", "json", "sarif", "github")
    with pytest.raises(ValueError, match="unknown format `xml`"):
        render("xml", reports)
