"""SARIF output, checked against the facts of the SARIF 2.1.0 specification that consumers
(GitHub code scanning in particular) rely on."""

from __future__ import annotations

import json

from flowlang import __version__
from flowlang.compiler.codes import CODES
from flowlang.render import render
from flowlang.render.sarif import artifact_uri


def sarif(reports) -> dict:
    return json.loads(render("sarif", reports))


def test_sarif_rendering(reports, snapshot):
    assert render("sarif", reports).replace(__version__, "<version>") == snapshot


def test_the_log_has_one_run_of_flowc(reports):
    log = sarif(reports)
    assert log["version"] == "2.1.0"
    assert log["$schema"].endswith("sarif-schema-2.1.0.json")
    [run] = log["runs"]
    assert run["tool"]["driver"]["name"] == "flowc"
    assert run["tool"]["driver"]["version"] == __version__
    assert run["columnKind"] == "unicodeCodePoints"


def test_every_code_used_has_exactly_one_rule(reports):
    [run] = sarif(reports)["runs"]
    rules = run["tool"]["driver"]["rules"]
    rule_ids = [rule["id"] for rule in rules]
    assert sorted(set(rule_ids)) == rule_ids
    assert set(rule_ids) == {result["ruleId"] for result in run["results"]}
    for result in run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    for rule in rules:
        code = CODES[rule["id"]]
        assert rule["shortDescription"]["text"] == code.summary
        assert rule["fullDescription"]["text"]
        assert rule["defaultConfiguration"]["level"] == code.severity.value
        assert rule["help"]["markdown"] == code.explanation
        assert "helpUri" not in rule


def test_results_carry_level_message_and_one_based_regions(reports):
    [run] = sarif(reports)["runs"]
    for result in run["results"]:
        assert result["level"] in ("error", "warning")
        assert result["message"]["text"]
        [location] = result["locations"]
        physical = location["physicalLocation"]
        assert physical["artifactLocation"]["uri"]
        region = physical["region"]
        assert region["startLine"] >= 1 and region["startColumn"] >= 1
        assert (region["endLine"], region["endColumn"]) >= (
            region["startLine"],
            region["startColumn"],
        )
    first = run["results"][0]["locations"][0]
    assert first["physicalLocation"]["region"] == {
        "startLine": 3,
        "startColumn": 9,
        "endLine": 3,
        "endColumn": 13,
    }
    assert first["message"]["text"] == "not declared in this scope"


def test_labels_become_related_locations_and_fixes_become_replacements(reports):
    [run] = sarif(reports)["runs"]
    constant = run["results"][4]
    [related] = constant["relatedLocations"]
    assert related["id"] == 1
    assert related["message"]["text"] == "declared as a constant here"
    [fix] = constant["fixes"]
    assert fix["description"]["text"] == "declare it with `let`"
    [change] = fix["artifactChanges"]
    assert change["artifactLocation"]["uri"] == "approval.flow"
    [replacement] = change["replacements"]
    assert replacement["insertedContent"]["text"] == "let"
    assert replacement["deletedRegion"]["startColumn"] == 1
    assert "fixes" not in run["results"][0] and "relatedLocations" not in run["results"][0]


def test_notes_and_help_follow_the_message(reports):
    [run] = sarif(reports)["runs"]
    assert run["results"][4]["message"]["text"] == (
        "assignment to a constant `limit`\n"
        "note: a `const` binding never changes\n"
        "note: its contents may\n"
        "help: declare it with `let`"
    )


def test_artifact_uris_are_uri_references():
    assert artifact_uri("flows/approval.flow") == "flows/approval.flow"
    assert artifact_uri("my flows\\a b.flow") == "my%20flows/a%20b.flow"
    assert artifact_uri("/srv/flows/a.flow") == "file:///srv/flows/a.flow"
    assert artifact_uri("C:\\flows\\a.flow") == "file:///C:/flows/a.flow"
