"""The VS Code grammar (editors/vscode) highlights the words the compiler knows, and no others.

Its word lists are written out in the grammar's regular expressions; these tests compare them
with the lexer's keywords and reserved words and with the standard library's globals, so that
a word added to the language cannot be forgotten in the editor. The grammar's own behaviour is
tested by `npm test` in editors/vscode.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from flowlang.compiler.lexer import KEYWORDS, RESERVED
from flowlang.compiler.stdlib import GLOBALS

GRAMMAR = Path(__file__).resolve().parent.parent / "editors/vscode/syntaxes/flow.tmLanguage.json"
REPOSITORY = json.loads(GRAMMAR.read_text(encoding="utf-8"))["repository"]
# A whole-word alternation, `(?<![A-Za-z0-9_$])(?:await|break|…)(?![A-Za-z0-9_$])`.
WORDS = re.compile(r"\(\?:([A-Za-z_$|]+)\)")


def words_of(rule: dict[str, str]) -> set[str]:
    [alternation] = WORDS.findall(rule["match"])
    return set(alternation.split("|"))


def words_by_scope(name: str) -> dict[str, set[str]]:
    rule = REPOSITORY[name]
    return {entry["name"]: words_of(entry) for entry in rule.get("patterns", [rule])}


def test_the_keywords_are_the_lexers() -> None:
    highlighted = set().union(*words_by_scope("keywords").values())

    assert highlighted == KEYWORDS


def test_the_reserved_words_are_the_lexers() -> None:
    assert set().union(*words_by_scope("reserved-words").values()) == RESERVED


def test_the_builtins_are_the_standard_librarys_globals_by_kind() -> None:
    scopes = {
        "namespace": "support.class.builtin.flow",
        "function": "support.function.builtin.flow",
        "value": "support.variable.builtin.flow",
    }
    expected = {
        scope: {name for name, entry in GLOBALS.items() if entry.kind == kind}
        for kind, scope in scopes.items()
    }

    assert words_by_scope("builtins") == expected
