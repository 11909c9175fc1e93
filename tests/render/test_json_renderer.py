from __future__ import annotations

import json

from flowlang.compiler.source import SourceFile
from flowlang.render import render


def test_json_rendering(reports, snapshot):
    assert render("json", reports) == snapshot


def test_the_envelope_is_versioned_and_summarised(reports):
    document = json.loads(render("json", reports))
    assert list(document) == ["version", "tool", "diagnostics", "summary"]
    assert (document["version"], document["tool"]) == (1, "flowc")
    assert document["summary"] == {"errors": 5, "warnings": 2, "files": 2}
    assert len(document["diagnostics"]) == 7


def test_positions_are_one_based_with_an_exclusive_end(reports):
    first = json.loads(render("json", reports))["diagnostics"][0]
    assert first["file"] == "approval.flow"
    assert (first["line"], first["column"], first["endLine"], first["endColumn"]) == (3, 9, 3, 13)


def test_columns_count_code_points(reports):
    by_code = {d["code"]: d for d in json.loads(render("json", reports))["diagnostics"]}
    assert (by_code["FLOW006"]["column"], by_code["FLOW006"]["endColumn"]) == (8, 9)
    string_label = by_code["FLOW201"]["labels"][0]
    assert (string_label["column"], string_label["endColumn"]) == (25, 29)


def test_an_empty_span_at_the_end_of_input_has_equal_columns(reports):
    last = json.loads(render("json", reports))["diagnostics"][5]
    assert (last["line"], last["column"], last["endLine"], last["endColumn"]) == (13, 20, 13, 20)


def test_fixes_and_missing_fixes(reports):
    diagnostics = json.loads(render("json", reports))["diagnostics"]
    assert diagnostics[0]["fix"] is None
    assert diagnostics[4]["fix"] == {
        "line": 1,
        "column": 1,
        "endLine": 1,
        "endColumn": 6,
        "replacement": "let",
        "description": "declare it with `let`",
    }


def test_a_run_without_diagnostics_is_still_an_envelope():
    document = json.loads(render("json", [(SourceFile("", "a.flow"), [])]))
    assert document["diagnostics"] == []
    assert document["summary"] == {"errors": 0, "warnings": 0, "files": 1}
