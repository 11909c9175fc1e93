from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from flowlang.compiler.suggest import closest, edit_distance


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
