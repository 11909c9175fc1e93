from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

import flowlang
from flowlang.compiler.diagnostics import Fix
from flowlang.compiler.source import Span
from flowlang.compiler.suggest import closest, edit_distance, key_fix, name_fix, string_fix


@pytest.mark.parametrize(
    ("a", "b", "distance"),
    [
        ("", "", 0),
        ("", "abc", 3),
        ("total", "total", 0),
        ("totl", "total", 1),  # deletion
        ("totaal", "total", 1),  # insertion
        ("totel", "total", 1),  # substitution
        ("totla", "total", 1),  # adjacent swap
        ("kitten", "sitting", 3),
        ("ca", "abc", 3),  # optimal string alignment: no edits of a swapped pair
    ],
)
def test_edit_distance_counts_insertions_deletions_substitutions_and_swaps(
    a: str, b: str, distance: int
) -> None:
    assert edit_distance(a, b) == distance
    assert edit_distance(b, a) == distance


def test_a_long_name_gets_a_candidate_within_two_edits() -> None:
    assert closest("totla", ["total", "count"]) == "total"
    assert closest("ammount", ["amount"]) == "amount"
    assert closest("requestIdd", ["requestId"]) == "requestId"
    assert closest("amnt", ["amount"]) is None  # 4 characters: one edit at most
    assert closest("abcdefgh", ["abcdxyzh"]) is None  # three edits


def test_a_short_name_gets_a_candidate_within_one_edit() -> None:
    assert closest("totl", ["total"]) == "total"
    assert closest("tl", ["total"]) is None
    assert closest("ab", ["ac"]) == "ac"


def test_a_candidate_that_changes_every_character_is_not_suggested() -> None:
    assert closest("x", ["y", "z"]) is None


def test_the_nearest_candidate_wins_then_the_alphabetically_first() -> None:
    assert closest("counter", ["count", "counte"]) == "counte"
    assert closest("abcd", ["abcf", "abce"]) == "abce"


def test_the_name_itself_is_never_suggested() -> None:
    assert closest("total", ["total"]) is None
    assert closest("total", ["total", "totals"]) == "totals"


def test_no_candidates_means_no_suggestion() -> None:
    assert closest("total", []) is None


@given(st.text(max_size=8), st.text(max_size=8))
def test_edit_distance_is_a_symmetric_bound_by_the_longer_length(a: str, b: str) -> None:
    distance = edit_distance(a, b)
    assert distance == edit_distance(b, a)
    assert abs(len(a) - len(b)) <= distance <= max(len(a), len(b))
    assert (distance == 0) == (a == b)


# --- a suggestion is a fix ------------------------------------------------------------------

_CATALOG = {
    "format": "flow-task-catalog/1",
    "tasks": {
        "send-email": {
            "inputs": {
                "type": "object",
                "properties": {"email": {"type": "string"}},
                "additionalProperties": False,
            },
            "result": {
                "type": "object",
                "properties": {"id": {"type": "string"}},
                "required": ["id"],
                "additionalProperties": False,
            },
        }
    },
}


def _fixed(source: str, code: str) -> str:
    [found] = [d for d in flowlang.check(source, catalog=_CATALOG) if d.code == code]
    assert found.fix is not None
    assert found.fix.description.startswith("replace with `")
    return source[: found.fix.span.start] + found.fix.replacement + source[found.fix.span.end :]


def test_did_you_mean_fixes_replace_the_misspelt_name() -> None:
    assert _fixed("let total = 1\nreturn totl\n", "FLOW101") == "let total = 1\nreturn total\n"
    assert _fixed('await Task.run("send-emial", {})\n', "FLOW301") == (
        'await Task.run("send-email", {})\n'
    )
    receipt = 'let r = await Task.run("send-email", {})\nreturn r.idd\n'
    assert _fixed(receipt, "FLOW204") == receipt.replace("r.idd", "r.id")


def test_a_misspelt_shorthand_key_keeps_its_value() -> None:
    source = 'let emial = "a@b.c"\nawait Task.run("send-email", { emial })\n'
    assert _fixed(source, "FLOW303") == source.replace("{ emial }", "{ email: emial }")


def test_helpers_quote_what_is_not_a_name() -> None:
    assert string_fix(Span(0, 3), 'say "hi"') == Fix(
        Span(0, 3), '"say \\"hi\\""', 'replace with `say "hi"`'
    )
    assert key_fix(Span(0, 1), "first-name") == Fix(
        Span(0, 1), '"first-name"', "replace with `first-name`"
    )
    assert name_fix(Span(0, 1), "first-name") is None
    assert name_fix(Span(0, 1), None) is None
