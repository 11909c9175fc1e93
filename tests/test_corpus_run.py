"""The valid corpus, run: every `corpus/valid/**/*.flow` gives the result its directives state.

Each file runs through the in-memory runtime (`rhythm.testing`), with its snapshot serialised
to JSON and resumed by a fresh VM at every suspension, as `run_workflow` does. The directives
(`corpus/README.md`, "Run directives") give its inputs, task results, signals and limits, and
exactly one expectation: `expect` (completed with that output), `expect-failure` (failed with
that error object) or `expect-status: suspended`. Outputs are compared as JSON text, so object
key order counts (§7.5). Sibling files of a folder checked together are the workflow set the
file runs with (its children).

Every runtime error of LANGUAGE.md §8 and §10.8 is raised by some corpus case: the last test
looks for each message template among the error objects the expectations state.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from flowlang.compiler.analysis import prepare
from flowlang.compiler.workflow_set import workflow_name
from rhythm.testing import Runtime
from rhythm.testing_tasks import as_json
from rhythm.vm import Limits

REPO = Path(__file__).resolve().parent.parent
VALID = REPO / "corpus" / "valid"
TOGETHER_MARKERS = ("tasks.py",)
SET_SUFFIX = "_set"

# `// kind: json` or `// kind name: json`; names are task or signal names (no spaces, no colon).
_KINDS = "inputs|expect|expect-failure|expect-status|limits|task|task-error|signal|workflow"
_DIRECTIVE = re.compile(rf"^\s*//\s*(?P<kind>{_KINDS})(?:\s+(?P<name>[^\s:]+))?:(?P<json>.*)$")
_NAMED = {"task", "task-error", "signal", "workflow"}
SUSPENDED = "suspended"  # the one status `expect-status` states: the others carry an output


@dataclass
class Case:
    """What a corpus file's directives say about running it."""

    inputs: dict[str, Any] = field(default_factory=dict)
    tasks: dict[str, list[tuple[bool, Any]]] = field(default_factory=dict)  # name -> outcomes
    signals: list[tuple[str, Any]] = field(default_factory=list)
    workflows: dict[str, str] = field(default_factory=dict)  # name -> source of a stub child
    limits: dict[str, int] = field(default_factory=dict)
    expectations: list[tuple[str, Any]] = field(default_factory=list)

    @property
    def expectation(self) -> tuple[str, Any]:
        return self.expectations[0]


def read_source(path: Path) -> str:
    with path.open(encoding="utf-8", newline="") as file:
        return file.read()


def case_of(text: str) -> Case:
    """The directives of `text`. An empty file states nothing and returns null (§3.1)."""
    case = Case()
    for line in text.splitlines():
        match = _DIRECTIVE.match(line)
        if match is None:
            continue
        kind, name = match["kind"], match["name"]
        if (kind in _NAMED) != (name is not None):
            raise ValueError(f"malformed directive: {line.strip()}")
        raw = match["json"].strip()
        _add(case, kind, name, raw if kind == "expect-status" else json.loads(raw))
    if not text:
        case.expectations.append(("expect", None))
    return case


def _add(case: Case, kind: str, name: str | None, value: Any) -> None:
    if kind == "inputs":
        case.inputs = value
    elif kind == "limits":
        case.limits = value
    elif kind == "workflow":
        case.workflows[name] = f"return {json.dumps(value)}\n"
    elif kind == "signal":
        case.signals.append((name, value))
    elif kind in ("task", "task-error"):
        case.tasks.setdefault(name, []).append((kind == "task", value))
    else:
        case.expectations.append((kind, value))


def task_stub(outcomes: list[tuple[bool, Any]]) -> Any:
    """A stub giving the stated outcomes call after call; the last one repeats."""
    calls = iter(outcomes)
    last = outcomes[-1]

    def stub(inputs: object) -> object:
        ok, value = next(calls, last)
        if ok:
            return value
        raise stated_exception(value)

    return stub


def stated_exception(error: dict[str, Any]) -> Exception:
    """An exception whose class is named `type`, as a Python task would raise it (§8.3)."""
    exception = type(error["type"], (Exception,), {})(error["message"])
    if "details" in error:
        exception.details = error["details"]  # type: ignore[attr-defined]
    return exception


def children_of(path: Path) -> dict[str, str]:
    """The other workflows of the file's folder when it is checked together, by name."""
    folder = path.parent
    together = folder.name.endswith(SET_SUFFIX) or any(
        (folder / marker).is_file() for marker in TOGETHER_MARKERS
    )
    if not together:
        return {}
    return {
        workflow_name(prepare(read_source(sibling)).front_matter, str(sibling)): read_source(
            sibling
        )
        for sibling in sorted(folder.glob("*.flow"))
        if sibling != path
    }


@functools.cache
def run_file(path: Path) -> tuple[Case, Any]:
    text = read_source(path)
    case = case_of(text)
    runtime = Runtime(
        tasks={name: task_stub(outcomes) for name, outcomes in case.tasks.items()},
        workflows=children_of(path) | case.workflows,
        limits=Limits(**case.limits),
    )
    execution = runtime.run(
        text, path=path.relative_to(REPO).as_posix(), inputs=case.inputs, signals=case.signals
    )
    return case, execution


def as_text(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)


VALID_FILES = sorted(VALID.rglob("*.flow"))
IDS = [path.relative_to(VALID).as_posix() for path in VALID_FILES]


@pytest.mark.parametrize("path", VALID_FILES, ids=IDS)
def test_every_valid_file_states_one_result(path: Path) -> None:
    expectations = case_of(read_source(path)).expectations
    assert len(expectations) == 1, f"{len(expectations)} expectations (expect one)"


@pytest.mark.parametrize("path", VALID_FILES, ids=IDS)
def test_valid_file_gives_its_stated_result(path: Path) -> None:
    case, execution = run_file(path)
    kind, expected = case.expectation
    if kind == "expect-status":
        assert (execution.status, expected) == (SUSPENDED, SUSPENDED)
        assert execution.waiting_for is not None
        return
    status = "completed" if kind == "expect" else "failed"
    assert (execution.status, as_text(execution.output)) == (
        status,
        as_text(as_json(expected, kind)),
    )


# LANGUAGE.md §8.2 (every template), §8.3–§8.5, §4.5 (a child's inputs) and §10.8.
RUNTIME_ERRORS = {
    "operator on two kinds": ("TypeError", r"Operator '\S+' cannot be applied to \w+ and \w+"),
    "operator on one kind": ("TypeError", r"Operator '\S+' cannot be applied to \w+"),
    "read through null": ("TypeError", r"Cannot read properties of null \(reading '.*'\)"),
    "write through null": ("TypeError", r"Cannot set properties of null \(setting '.*'\)"),
    "property on a non-object": ("TypeError", r"Cannot create property '.*' on \w+"),
    "array length": ("TypeError", r"Cannot assign to 'length' of array"),
    "not iterable": ("TypeError", r"\w+ is not iterable"),
    "destructuring null": ("TypeError", r"Cannot destructure null"),
    "missing method": ("TypeError", r"\w+ has no method '\w+'"),
    "argument count": ("TypeError", r"\S+ expects \d+ arguments?, got \d+"),
    "argument count at least": ("TypeError", r"\S+ expects at least \d+ arguments?, got \d+"),
    "argument count range": ("TypeError", r"\S+ expects \d+ to \d+ arguments, got \d+"),
    "argument kind": ("TypeError", r"\S+: argument \d+ must be .+, got \w+"),
    "unknown option": ("TypeError", r"\S+: unknown option '.*'"),
    "promise as data": ("TypeError", r"Cannot serialize a promise"),
    "promise to string": ("TypeError", r"Cannot convert a promise to a string"),
    "kind to number": ("TypeError", r"Cannot convert \w+ to a number"),
    "division by zero": ("RangeError", r"Division by zero"),
    "non-finite result": ("RangeError", r"Result of \S+ is not a finite number"),
    "string length": ("RangeError", r"Invalid string length"),
    "array length limit": ("RangeError", r"Invalid array length"),
    "nesting depth": ("RangeError", r"Maximum nesting depth exceeded"),
    "argument domain": ("RangeError", r"[\w.]+: .+"),
    "numeric string": ("RangeError", r'Cannot convert ".*" to a number'),
    "invalid JSON": ("SyntaxError", r"Invalid JSON at position \d+"),
    "task failure": ("ValueError", r".+"),
    "child failure": ("WorkflowFailed", r"Workflow '.+' failed: .*"),
    "child inputs": ("TypeError", r"Invalid inputs: .+"),
    "all rejected": ("AggregateError", r"All promises were rejected"),
    "instruction budget": (
        "InstructionLimitExceeded",
        r"Execution exceeded its budget of \d+ instructions",
    ),
    "snapshot size": (
        "SnapshotTooLarge",
        r"Workflow state is \d+ bytes, more than the limit of \d+ bytes",
    ),
}


def error_objects(value: Any) -> Iterator[dict[str, Any]]:
    """Every error-shaped object (string `type` and `message`) inside `value`."""
    if isinstance(value, dict):
        if isinstance(value.get("type"), str) and isinstance(value.get("message"), str):
            yield value
        for item in value.values():
            yield from error_objects(item)
    elif isinstance(value, list):
        for item in value:
            yield from error_objects(item)


def test_every_runtime_error_is_raised_by_a_corpus_case() -> None:
    stated = [
        error
        for path in VALID_FILES
        for kind, value in case_of(read_source(path)).expectations
        if kind in ("expect", "expect-failure")
        for error in error_objects(value)
    ]
    missing = [
        what
        for what, (kind, template) in RUNTIME_ERRORS.items()
        if not any(e["type"] == kind and re.fullmatch(template, e["message"]) for e in stated)
    ]
    assert not missing, f"no corpus case raises: {', '.join(missing)}"


def test_directives_are_read() -> None:
    case = case_of(
        '// inputs: {"n": 1}\n// task a: 1\n// task a: 2\n// task-error b: {"type": "E", '
        '"message": "m"}\n// signal go: null\n// limits: {"snapshot_bytes": 9}\n// expect: 3\n'
    )
    assert (case.inputs, case.signals, case.limits, case.expectations) == (
        {"n": 1},
        [("go", None)],
        {"snapshot_bytes": 9},
        [("expect", 3)],
    )
    stub = task_stub(case.tasks["a"])
    assert [stub({}), stub({}), stub({})] == [1, 2, 2]
    with pytest.raises(Exception, match="^m$") as raised:
        task_stub(case.tasks["b"])({})
    assert type(raised.value).__name__ == "E"
