"""Bad input to the toolchain (issue #8, item 5): whatever the text, the parser and the checker
answer with diagnostics, never an internal error, and a text they accept compiles to a program
that verifies on load.

Three sources of text: random Unicode; the corpus with its tokens deleted, inserted (tokens of
the corpus and JavaScript habits), swapped and duplicated, which keeps most of a file intact so
the checker sees almost-valid programs; and the corpus with characters cut and pasted, which
breaks tokens themselves (strings, templates, comments, the front matter fence). The realistic
corpus folder is checked against its task catalog, so the task checks (FLOW3xx) are fuzzed too.

Each runs Hypothesis's default number of examples in a plain `pytest` and 10,000 with
`--hypothesis-profile=reliability` (docs/reliability.md has the timings).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

from deadlines import at_most
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flowlang.compiler.analysis import NO_ENVIRONMENT, analyze
from flowlang.compiler.bytecode import Program
from flowlang.compiler.codegen import generate
from flowlang.compiler.environment import Environment, TaskSignature
from flowlang.compiler.lexer import tokenize
from flowlang.render import render
from flowlang.task_sources import TaskSource, load_task_catalog

REPO = Path(__file__).resolve().parents[2]
CORPUS = REPO / "corpus"
TASKS_MODULE = "tasks.py"
# What the parser reports when it catches a fault of its own (flowlang/compiler/parser.py).
INTERNAL_ERROR = "internal parser error"

# JavaScript habits and broken punctuation, inserted among the corpus's own tokens.
HABITS = (
    "var", "function", "=>", "class", "new", "this", "delete", "void", "yield", "async",
    "import", "export", "switch", "case", "do", ";", ",", "**", "&", "|", "^", "~", "<<",
    "?.", "?.(", "...", "`", "${", "}", "/*", "//", "\n", "'", '"', "\\", "```", "#", "@",
    "undefined", "NaN", "Infinity", "globalThis", "require", "eval", "__proto__",
)  # fmt: skip

FUZZ = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@dataclass(frozen=True)
class CorpusFile:
    """A corpus file cut into its tokens and the text between them (`gaps[i]` comes before
    `tokens[i]`; the last gap ends the file)."""

    name: str
    gaps: tuple[str, ...]
    tokens: tuple[str, ...]

    @classmethod
    def read(cls, path: Path) -> CorpusFile:
        text = path.read_text(encoding="utf-8-sig")
        tokens = [token for token in tokenize(text).tokens if token.kind != "$END"]
        gaps, position = [], 0
        for token in tokens:
            gaps.append(text[position : token.start])
            position = token.end
        gaps.append(text[position:])
        name = path.relative_to(CORPUS).as_posix()
        return cls(name, tuple(gaps), tuple(token.text for token in tokens))

    def text(self, tokens: list[str]) -> str:
        """The file with `tokens` in place of its own: the i-th after the i-th gap (a space
        when the file has fewer tokens), then the end of the file."""
        before = self.gaps[:-1]
        pieces = [
            (before[index] if index < len(before) else " ") + token
            for index, token in enumerate(tokens)
        ]
        return "".join(pieces) + self.gaps[-1]


@functools.cache
def corpus() -> tuple[CorpusFile, ...]:
    return tuple(CorpusFile.read(path) for path in sorted(CORPUS.rglob("*.flow")))


@functools.cache
def token_pool() -> tuple[str, ...]:
    return tuple(sorted({token for file in corpus() for token in file.tokens} | set(HABITS)))


@functools.cache
def realistic_catalog() -> dict[str, TaskSignature]:
    """The task catalog of corpus/valid/realistic (exported once, in a subprocess)."""
    folder = CORPUS / "valid" / "realistic"
    catalog = load_task_catalog([TaskSource(TASKS_MODULE, folder)])
    assert catalog, "the realistic corpus folder has a task catalog"
    return catalog


def environment_of(name: str) -> Environment:
    return (
        Environment(tasks=realistic_catalog())
        if name.startswith("valid/realistic/")
        else Environment()
    )


def assert_no_internal_error(text: str, environment: Environment = NO_ENVIRONMENT) -> None:
    """The toolchain's answer to `text`, within `deadlines.EXAMPLE_S`: diagnostics within the
    text that render, and for a text without errors a program that verifies on load."""
    with at_most():
        analysis = analyze(text, environment=environment)
        diagnostics = analysis.diagnostics
        assert all(d.message != INTERNAL_ERROR for d in diagnostics)
        assert all(0 <= d.span.start <= d.span.end <= len(text) for d in diagnostics)
        assert render("text", [(analysis.source, list(diagnostics))], color=False) is not None
        if not any(d.is_error for d in diagnostics):
            program = generate(analysis, "fuzzed")
            assert Program.from_json(program.to_json()) == program


@st.composite
def token_mutations(draw: st.DrawFn) -> tuple[str, str]:
    """(corpus file name, its text with one to four token mutations)."""
    file = draw(st.sampled_from(corpus()))
    tokens = list(file.tokens)
    for _ in range(draw(st.integers(1, 4))):
        if not tokens:
            break
        index = draw(st.integers(0, len(tokens) - 1))
        action = draw(st.sampled_from(["delete", "insert", "swap", "duplicate"]))
        if action == "delete":
            del tokens[index]
        elif action == "insert":
            tokens.insert(index, draw(st.sampled_from(token_pool())))
        elif action == "swap":
            other = draw(st.integers(0, len(tokens) - 1))
            tokens[index], tokens[other] = tokens[other], tokens[index]
        else:
            tokens.insert(index, tokens[index])
    return file.name, file.text(tokens)


@st.composite
def character_mutations(draw: st.DrawFn) -> tuple[str, str]:
    """(corpus file name, its text with one to four cuts and pastes of characters)."""
    file = draw(st.sampled_from(corpus()))
    text = file.text(list(file.tokens))
    for _ in range(draw(st.integers(1, 4))):
        start = draw(st.integers(0, len(text)))
        length = draw(st.integers(1, 16))
        piece = text[start : start + length]
        action = draw(st.sampled_from(["delete", "duplicate", "move"]))
        if action == "delete":
            text = text[:start] + text[start + length :]
        elif action == "duplicate":
            text = text[:start] + piece + text[start:]
        else:
            rest = text[:start] + text[start + length :]
            target = draw(st.integers(0, len(rest)))
            text = rest[:target] + piece + rest[target:]
    return file.name, text


@FUZZ
@given(st.text())
def test_random_text_gets_diagnostics_not_internal_errors(text: str) -> None:
    assert_no_internal_error(text)


@FUZZ
@given(token_mutations())
def test_corpus_files_with_tokens_deleted_inserted_and_swapped(mutated: tuple[str, str]) -> None:
    name, text = mutated
    assert_no_internal_error(text, environment_of(name))


@FUZZ
@given(character_mutations())
def test_corpus_files_with_characters_cut_and_pasted(mutated: tuple[str, str]) -> None:
    name, text = mutated
    assert_no_internal_error(text, environment_of(name))


def test_the_corpus_reads_back_from_its_tokens() -> None:
    for file in corpus():
        original = (CORPUS / file.name).read_text(encoding="utf-8-sig")
        assert file.text(list(file.tokens)) == original, file.name
    assert len(token_pool()) > 200
