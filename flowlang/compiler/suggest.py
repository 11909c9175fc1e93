"""Suggestions for "did you mean": the nearest candidate name by edit distance (LANGUAGE.md §11.7).

Every phase that reports an unknown name (variables, builtin members, properties, tasks,
workflows, signals) asks `closest()` for a suggestion, so they all agree on what is "close".
A suggestion is also a mechanical fix (`name_fix`, `string_fix`): editors offer it as a quick
fix and SARIF carries it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from flowlang.compiler.diagnostics import Fix
from flowlang.compiler.source import Span

_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*\Z")

# §11.7: a candidate is offered within edit distance 2, or 1 for names of at most 4 characters,
# where a larger budget would suggest nearly any other short name.
_SHORT_NAME_LENGTH = 4
_SHORT_NAME_BUDGET = 1
_NAME_BUDGET = 2


def closest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate nearest to `name` within the §11.7 budget, or None.

    Ties go to the alphabetically first candidate, so suggestions are stable. A candidate equal
    to `name` is never suggested (the caller asks because `name` did not match), nor one that
    changes every character of it (`y` is not a typo of `x`).
    """
    budget = _SHORT_NAME_BUDGET if len(name) <= _SHORT_NAME_LENGTH else _NAME_BUDGET
    budget = min(budget, len(name) - 1)
    best: tuple[int, str] | None = None
    for candidate in set(candidates):
        if candidate == name or abs(len(candidate) - len(name)) > budget:
            continue
        distance = edit_distance(name, candidate)
        if distance <= budget and (best is None or (distance, candidate) < best):
            best = (distance, candidate)
    return best[1] if best else None


def edit_distance(a: str, b: str) -> int:
    """The optimal-string-alignment distance: insertions, deletions, substitutions and swaps of
    two adjacent characters each cost 1 (`totla` is one typo away from `total`, not two)."""
    previous_row: list[int] | None = None
    row = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        before_previous, previous_row = previous_row, row
        row = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            substitution = 0 if a[i - 1] == b[j - 1] else 1
            row[j] = min(
                previous_row[j] + 1,
                row[j - 1] + 1,
                previous_row[j - 1] + substitution,
            )
            if _is_swap(a, b, i, j) and before_previous is not None:
                row[j] = min(row[j], before_previous[j - 2] + 1)
    return row[len(b)]


def _is_swap(a: str, b: str, i: int, j: int) -> bool:
    """Whether the last two characters of `a[:i]` are those of `b[:j]` in the other order."""
    return (
        i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1] and a[i - 1] != b[j - 1]
    )


def name_fix(span: Span, similar: str | None) -> Fix | None:
    """Replace the misspelt name written at `span` with `similar` (when it can be written as a
    name: a property may be named `first-name`, which `.first-name` cannot read)."""
    if similar is None or not _IDENTIFIER.match(similar):
        return None
    return Fix(span, similar, f"replace with `{similar}`")


def string_fix(span: Span, similar: str | None) -> Fix | None:
    """Replace the string literal at `span` (a misspelt task, workflow or signal name) with
    the string `similar`."""
    if similar is None:
        return None
    return Fix(span, json.dumps(similar, ensure_ascii=False), f"replace with `{similar}`")


def key_fix(span: Span, similar: str | None, *, shorthand_of: str | None = None) -> Fix | None:
    """Replace the misspelt key written at `span` of an object literal with `similar`, quoted
    when it is not a name; a shorthand property (`{ emial }`) keeps its value: `email: emial`."""
    if similar is None:
        return None
    key = similar if _IDENTIFIER.match(similar) else json.dumps(similar, ensure_ascii=False)
    replacement = key if shorthand_of is None else f"{key}: {shorthand_of}"
    return Fix(span, replacement, f"replace with `{similar}`")
