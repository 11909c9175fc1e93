"""The conformance corpus: every `corpus/**/*.flow` checked against the expectations it states.

A file states its diagnostics inline, on the line where each one's primary span starts
(`// error[FLOW101]`, `// warning[FLOW402]`); the reported multiset of (line, severity, code)
must equal the annotated one exactly. `corpus/README.md` documents the format.

A file is checked alone, unless its folder checks its files together: a folder with a
`tasks.py` (the task catalog exported from it applies to every file of the folder) or a folder
whose name ends in `_set` (its files are the complete workflow set, so an unknown child workflow
is FLOW305). Files checked together form a workflow set, as `flowc check FOLDER` makes one.
"""

from __future__ import annotations

import functools
import json
import re
from collections import Counter
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import NamedTuple

import pytest
from syrupy.assertion import SnapshotAssertion

from flowlang.compiler.analysis import Analysis, analyze, prepare
from flowlang.compiler.codes import CODES
from flowlang.compiler.diagnostics import Diagnostic
from flowlang.compiler.environment import TaskSignature
from flowlang.compiler.source import SourceFile
from flowlang.compiler.workflow_set import analyze_together
from flowlang.render import render
from flowlang.task_sources import TaskSource, load_task_catalog

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO / "corpus"
VALID = CORPUS / "valid"
INVALID = CORPUS / "invalid"

# The catalogue of LANGUAGE.md §11.8: every code has an invalid file that expects it.
CATALOGUE_CODES = frozenset(CODES)

TASKS_MODULE = "tasks.py"
COMPLETE_SET_SUFFIX = "_set"

MINIMUM_FILES_PER_KIND = 60

# An annotation list follows `//` (also inside a YAML `#` comment or an unterminated literal,
# since lines are searched as raw text): `// error[FLOW101] warning[FLOW402]`.
_ANNOTATION_LIST = re.compile(r"//\s*((?:(?:error|warning)\[FLOW\d{3}\][ \t]*)+)")
_ANNOTATION = re.compile(r"(error|warning)\[(FLOW\d{3})\]")
_DIRECTIVE = re.compile(r"^\s*//\s*(expect|inputs):(.*)$")


class Expectation(NamedTuple):
    line: int
    severity: str
    code: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.severity}[{self.code}]"


def corpus_files(root: Path = CORPUS) -> list[Path]:
    return sorted(root.rglob("*.flow"))


def display_path(path: Path) -> str:
    """The path diagnostics are rendered with: relative to the repository, POSIX separators."""
    return path.relative_to(REPO).as_posix()


def read_source(path: Path) -> str:
    """The exact text of a file: line terminators and a byte-order mark are kept as written."""
    with path.open(encoding="utf-8", newline="") as file:
        return file.read()


def source_lines(text: str) -> list[str]:
    """The lines of `text`, split by the same line terminators as diagnostics' positions."""
    source = SourceFile(text)
    return [source.line_text(line) for line in range(1, source.line_count + 1)]


def annotations_in(text: str) -> Counter[Expectation]:
    expected: Counter[Expectation] = Counter()
    for number, line in enumerate(source_lines(text), start=1):
        for annotation_list in _ANNOTATION_LIST.finditer(line):
            for severity, code in _ANNOTATION.findall(annotation_list.group(1)):
                expected[Expectation(number, severity, code)] += 1
    return expected


def directives_in(text: str) -> list[tuple[int, str, str]]:
    """The `// expect: <json>` and `// inputs: <json>` lines as (line, kind, raw JSON)."""
    found = []
    for number, line in enumerate(source_lines(text), start=1):
        directive = _DIRECTIVE.match(line)
        if directive:
            found.append((number, directive.group(1), directive.group(2).strip()))
    return found


def reported_by(analysis: Analysis) -> Counter[Expectation]:
    return Counter(_as_expectation(analysis.source, d) for d in analysis.diagnostics)


def _as_expectation(source: SourceFile, diagnostic: Diagnostic) -> Expectation:
    line, _ = source.line_col(diagnostic.span.start)
    return Expectation(line, diagnostic.severity.value, diagnostic.code)


def analyze_file(path: Path) -> Analysis:
    """The analysis of a corpus file, alone or together with its folder."""
    if checks_files_together(path.parent):
        return analyses_of_folder(path.parent)[path]
    return analyze(read_source(path), path=display_path(path))


def checks_files_together(folder: Path) -> bool:
    return (folder / TASKS_MODULE).is_file() or is_complete_set(folder)


def is_complete_set(folder: Path) -> bool:
    return folder.name.endswith(COMPLETE_SET_SUFFIX)


@functools.cache
def analyses_of_folder(folder: Path) -> Mapping[Path, Analysis]:
    """Every `.flow` file of `folder`, checked together (each parsed once)."""
    paths = sorted(folder.glob("*.flow"))
    prepared = [prepare(read_source(path), path=display_path(path)) for path in paths]
    analyses = analyze_together(
        prepared, tasks=task_catalog_of(folder), complete_set=is_complete_set(folder)
    )
    return dict(zip(paths, analyses, strict=True))


def task_catalog_of(folder: Path) -> dict[str, TaskSignature] | None:
    """The catalog exported from the folder's `tasks.py` (by `python -m rhythm.catalog`, as
    `flowc check --tasks tasks.py` does), or None."""
    if not (folder / TASKS_MODULE).is_file():
        return None
    return load_task_catalog([TaskSource(TASKS_MODULE, folder)])


def mismatch_report(path: Path, analysis: Analysis, expected: Counter[Expectation]) -> str:
    """Which annotated diagnostics are missing and which reported ones are unexpected."""
    reported = reported_by(analysis)
    missing = sorted((expected - reported).elements())
    unexpected = sorted((reported - expected).elements())
    messages = _messages_by_expectation(analysis)
    lines = [f"{display_path(path)}: the diagnostics differ from the annotations"]
    if missing:
        lines.append("  missing (annotated, not reported):")
        lines.extend(f"    {item}" for item in missing)
    if unexpected:
        lines.append("  unexpected (reported, not annotated):")
        lines.extend(f"    {item} {messages[item]}" for item in _unique(unexpected))
    return "\n".join(lines)


def _messages_by_expectation(analysis: Analysis) -> dict[Expectation, str]:
    messages: dict[Expectation, list[str]] = {}
    for diagnostic in analysis.diagnostics:
        key = _as_expectation(analysis.source, diagnostic)
        messages.setdefault(key, []).append(diagnostic.message)
    return {key: " | ".join(texts) for key, texts in messages.items()}


def _unique(items: Iterable[Expectation]) -> list[Expectation]:
    return list(dict.fromkeys(items))


def _ids(paths: list[Path]) -> list[str]:
    return [path.relative_to(CORPUS).as_posix() for path in paths]


ALL_FILES = corpus_files()
VALID_FILES = corpus_files(VALID)
INVALID_FILES = corpus_files(INVALID)


@pytest.mark.parametrize("path", ALL_FILES, ids=_ids(ALL_FILES))
def test_diagnostics_match_the_annotations(path: Path) -> None:
    expected = annotations_in(read_source(path))
    analysis = analyze_file(path)
    assert reported_by(analysis) == expected, mismatch_report(path, analysis, expected)


@pytest.mark.parametrize("path", INVALID_FILES, ids=_ids(INVALID_FILES))
def test_rendered_diagnostics_of_invalid_files(path: Path, snapshot: SnapshotAssertion) -> None:
    analysis = analyze_file(path)
    assert render("text", [(analysis.source, analysis.diagnostics)], color=False) == snapshot


def test_valid_files_expect_no_errors() -> None:
    offenders = [
        f"{display_path(path)}: {item}"
        for path in VALID_FILES
        for item in annotations_in(read_source(path))
        if item.severity == "error"
    ]
    assert not offenders, "valid files may only annotate warnings:\n" + "\n".join(offenders)


def test_every_invalid_file_expects_an_error() -> None:
    """Members of a complete workflow set may be the valid children the others call."""
    offenders = [
        display_path(path)
        for path in INVALID_FILES
        if not is_complete_set(path.parent)
        and not any(item.severity == "error" for item in annotations_in(read_source(path)))
    ]
    assert not offenders, "invalid files without an error annotation:\n" + "\n".join(offenders)


def test_every_invalid_workflow_set_expects_an_error() -> None:
    folders = {path.parent for path in INVALID_FILES if is_complete_set(path.parent)}
    offenders = [
        display_path(folder)
        for folder in sorted(folders)
        if not any(
            item.severity == "error"
            for path in folder.glob("*.flow")
            for item in annotations_in(read_source(path))
        )
    ]
    assert not offenders, "invalid workflow sets without an error annotation:\n" + "\n".join(
        offenders
    )


def test_invalid_files_cover_the_whole_catalogue() -> None:
    covered = {item.code for path in INVALID_FILES for item in annotations_in(read_source(path))}
    missing = sorted(CATALOGUE_CODES - covered)
    assert not missing, f"no invalid corpus file expects: {', '.join(missing)}"


def test_annotations_name_codes_of_the_catalogue() -> None:
    stray = sorted(
        f"{display_path(path)}: {item}"
        for path in ALL_FILES
        for item in annotations_in(read_source(path))
        if item.code not in CATALOGUE_CODES
    )
    assert not stray, "annotations for codes that do not exist:\n" + "\n".join(stray)


def test_realistic_workflows_are_checked_against_their_tasks() -> None:
    catalog = task_catalog_of(VALID / "realistic")

    assert catalog is not None
    used = {
        name
        for path in (VALID / "realistic").glob("*.flow")
        for name in re.findall(r'Task\.run\(\s*"([^"]+)"', read_source(path))
    }
    assert used == set(catalog), "tasks.py and the workflows disagree on the task names"


def test_corpus_is_large_enough() -> None:
    assert len(VALID_FILES) >= MINIMUM_FILES_PER_KIND
    assert len(INVALID_FILES) >= MINIMUM_FILES_PER_KIND


def test_run_directives_are_json_in_valid_files() -> None:
    problems = []
    for path in ALL_FILES:
        for line, kind, raw in directives_in(read_source(path)):
            where = f"{display_path(path)}:{line}"
            if path.is_relative_to(INVALID):
                problems.append(f"{where}: `// {kind}:` belongs in valid files only")
                continue
            try:
                value = json.loads(raw)
            except json.JSONDecodeError as error:
                problems.append(f"{where}: `// {kind}:` is not JSON ({error})")
                continue
            if kind == "inputs" and not isinstance(value, dict):
                problems.append(f"{where}: `// inputs:` must be a JSON object")
    assert not problems, "\n".join(problems)


def test_annotations_are_read_from_raw_lines() -> None:
    text = 'let s = "open // error[FLOW002]\n```yaml # // warning[FLOW402] error[FLOW101]\n'
    assert annotations_in(text) == Counter(
        {
            Expectation(1, "error", "FLOW002"): 1,
            Expectation(2, "warning", "FLOW402"): 1,
            Expectation(2, "error", "FLOW101"): 1,
        }
    )
