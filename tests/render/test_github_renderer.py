from __future__ import annotations

from flowlang.render import render
from flowlang.render.github import escape_data, escape_property


def test_github_rendering(reports, snapshot):
    assert render("github", reports) == snapshot


def test_one_command_per_diagnostic(reports):
    lines = render("github", reports).splitlines()
    assert len(lines) == 7
    assert lines[0] == (
        "::error file=approval.flow,line=3,col=9,endLine=3,endColumn=13,title=FLOW101"
        "::undefined name `totl`%0Ahelp: a variable with a similar name exists: `total`"
    )
    assert lines[-1].startswith("::warning file=dir%2C with%3A commas/other.flow,line=1,")


def test_message_escaping():
    assert escape_data("100%\r\nok: a, b") == "100%25%0D%0Aok: a, b"


def test_property_escaping():
    assert escape_property("a:b,c%\n") == "a%3Ab%2Cc%25%0A"
