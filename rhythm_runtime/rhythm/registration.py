"""Compiling the workflows `rhythm.init` registers (LANGUAGE.md §3.3, §3.4, §11.1).

The workflows of one `init` are one complete workflow set: `Workflow.run("x", ...)` must name a
member, and child inputs and outputs are typed by the member's front matter. They are checked
against the task catalog of the tasks registered in this process (the `@task` functions
imported so far): unknown tasks and wrong task inputs are errors, as in `flowc check --tasks`.
A process that has registered no task (a web app that only starts workflows) checks without a
catalog, like `flowc check` without `--tasks`.

A member is a `.flow` source, or a `.flowc.json` Program built by `flowc build`, whose embedded
source is checked like a `.flow` file's while the Program itself is registered unchanged. Its
registered name is the `WorkflowFile`'s `name`, else the front matter's `name`, else the file
stem; a front-matter `name` that disagrees with the registered one is an error (§3.3).

Nothing is compiled unless every member is free of errors: `WorkflowCompileError` lists the
diagnostics of all members at once, so one run of the app shows everything to fix.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from flowlang import Diagnostic
from flowlang.compiler.analysis import Analysis, Prepared, complete, prepare
from flowlang.compiler.bytecode import Program, ProgramLoadError
from flowlang.compiler.catalog import catalog_from_document
from flowlang.compiler.codegen import generate
from flowlang.compiler.codes import diagnostic
from flowlang.compiler.environment import Environment, TaskSignature, WorkflowSignature
from flowlang.compiler.source import Span
from flowlang.compiler.workflow_set import Member, workflow_signature
from rhythm.catalog import CatalogExportError, build_catalog
from rhythm.errors import FileDiagnostics, InvalidTaskError, WorkflowCompileError, WorkflowFileError
from rhythm.tasks import REGISTRY, shown_path

SOURCE_SUFFIX = ".flow"
COMPILED_SUFFIX = ".flowc.json"
REGISTRY_ORIGIN = "the tasks registered in this process"


@dataclass(frozen=True)
class WorkflowFile:
    """A workflow to register: `name` is what `client.workflows.run(name)` and
    `Workflow.run(name)` use; `file_path` a `.flow` source or a `.flowc.json` program."""

    name: str
    file_path: str | os.PathLike[str]


@dataclass(frozen=True)
class _Member:
    """One workflow of the set: parsed source, registered name, the loaded Program for a
    `.flowc.json` file (None for a source, which is compiled here)."""

    prepared: Prepared
    name: str | None  # None: from the front matter or the file stem
    compiled: Program | None


def compile_workflows(
    files: Sequence[WorkflowFile], paths: Sequence[str | os.PathLike[str]]
) -> dict[str, Program]:
    """The Program of every workflow of `files` and of the files found under `paths`, by
    registered name. Raises `WorkflowFileError` for files that cannot be read or loaded and
    `WorkflowCompileError` with the diagnostics of every member that has errors."""
    _check_names(files)
    entries = [(Path(file.file_path), file.name) for file in files]
    entries += [(path, None) for path in _found_under(paths)]
    members = _load_all(entries)
    tasks = registered_task_catalog()
    signatures, cross_file = _workflow_set(members)
    environment = Environment(tasks=tasks, workflows=signatures)
    analyses = [
        complete(m.prepared, environment, additional=cross_file.get(id(m), ())) for m in members
    ]
    failing = [
        FileDiagnostics(a.source.path, a.source, tuple(d for d in a.diagnostics if d.is_error))
        for a in analyses
        if any(d.is_error for d in a.diagnostics)
    ]
    if failing:
        raise WorkflowCompileError(failing)
    return {
        _registered_name(member): _program(member, analysis)
        for member, analysis in zip(members, analyses, strict=True)
    }


def registered_task_catalog() -> dict[str, TaskSignature] | None:
    """The `@task` functions of this process as a task catalog; None when there are none."""
    definitions = REGISTRY.all()
    if not definitions:
        return None
    try:
        document = build_catalog(definitions)
    except CatalogExportError as error:
        raise InvalidTaskError(f"cannot check the workflows against the tasks: {error}") from None
    return catalog_from_document(document, origin=REGISTRY_ORIGIN)


def _check_names(files: Sequence[WorkflowFile]) -> None:
    for file in files:
        if not isinstance(file, WorkflowFile):
            raise TypeError(
                f"`workflows` takes rhythm.WorkflowFile(name=..., file_path=...) items, "
                f"not {type(file).__name__}"
            )
        if not isinstance(file.name, str) or not file.name:
            raise WorkflowFileError(
                f"the WorkflowFile for {file.file_path} has no name; give it "
                f'`name="..."`, the name executions are started by'
            )


def _found_under(paths: Sequence[str | os.PathLike[str]]) -> Iterable[Path]:
    """The workflow files of `paths`: a file as given, a folder's `.flow` and `.flowc.json`
    files at any depth, in name order."""
    for entry in map(Path, paths):
        if entry.is_dir():
            yield from sorted(
                p for p in entry.rglob("*") if p.is_file() and _kind(p.name) is not None
            )
        else:
            yield entry


def _kind(file_name: str) -> str | None:
    if file_name.endswith(COMPILED_SUFFIX):
        return COMPILED_SUFFIX
    return SOURCE_SUFFIX if file_name.endswith(SOURCE_SUFFIX) else None


def _load_all(entries: Sequence[tuple[Path, str | None]]) -> list[_Member]:
    """Every member loaded, or one `WorkflowFileError` listing every file that could not be."""
    members: list[_Member] = []
    problems: list[str] = []
    for path, name in entries:
        try:
            members.append(_load(path, name))
        except WorkflowFileError as problem:
            problems.append(str(problem))
    if problems:
        raise WorkflowFileError("cannot register the workflows:\n  " + "\n  ".join(problems))
    return members


def _load(path: Path, name: str | None) -> _Member:
    shown = shown_path(str(path))
    kind = _kind(path.name)
    if kind is None:
        raise WorkflowFileError(
            f"{shown}: not a workflow file; expected a `{SOURCE_SUFFIX}` source or a "
            f"`{COMPILED_SUFFIX}` program built by `flowc build`"
        )
    try:
        data = path.read_bytes()
    except OSError as error:
        raise WorkflowFileError(f"{shown}: cannot read it: {error.strerror}") from None
    if kind == COMPILED_SUFFIX:
        return _load_compiled(data, shown, name)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise WorkflowFileError(f"{shown}: not UTF-8 text") from None
    return _Member(prepare(text, path=shown), name, None)


def _load_compiled(data: bytes, shown: str, name: str | None) -> _Member:
    try:
        program = Program.from_json(data)
    except ProgramLoadError as error:
        raise WorkflowFileError(f"{shown}: {error}") from None
    if name is not None and name != program.workflow:
        raise WorkflowFileError(
            f"{shown}: the program was built as workflow `{program.workflow}`, but it is "
            f"registered as `{name}`; register it under `{program.workflow}`, or rebuild it "
            f"from a source whose front-matter `name` is `{name}`"
        )
    return _Member(prepare(program.source, path=program.path or shown), program.workflow, program)


def _registered_name(member: _Member) -> str:
    if member.name is not None:
        return member.name
    front_matter = member.prepared.front_matter
    if front_matter.name is not None:
        return front_matter.name
    return Path(member.prepared.source.path).name.removesuffix(SOURCE_SUFFIX)


def _workflow_set(
    members: Sequence[_Member],
) -> tuple[Mapping[str, WorkflowSignature], dict[int, tuple[Diagnostic, ...]]]:
    """The signatures of the set by registered name, and the diagnostics found across members
    (keyed by `id(member)`): a front-matter name other than the registered one, a name taken
    twice."""
    signatures: dict[str, WorkflowSignature] = {}
    cross_file: dict[int, tuple[Diagnostic, ...]] = {}
    for member in members:
        name = _registered_name(member)
        prepared = member.prepared
        signature = workflow_signature(Member(prepared.source.path, prepared.front_matter))
        problem = _name_problem(member, name, signatures)
        if problem is not None:
            cross_file[id(member)] = (problem,)
        if name not in signatures:
            signatures[name] = dataclasses.replace(signature, name=name)
    return signatures, cross_file


def _name_problem(
    member: _Member, name: str, signatures: Mapping[str, WorkflowSignature]
) -> Diagnostic | None:
    front_matter = member.prepared.front_matter
    span = front_matter.value_spans.get("name", front_matter.span or Span(0, 0))
    if front_matter.name is not None and front_matter.name != name:
        return diagnostic(
            "FLOW309",
            f"the front matter names this workflow `{front_matter.name}`, but it is registered "
            f"as `{name}`",
            span,
            label="must be the registered name",
            help=f"write `name: {name}`, or register the file under `{front_matter.name}`",
        )
    first = signatures.get(name)
    if first is not None:
        return diagnostic(
            "FLOW309",
            f"workflow name `{name}` is already registered by `{first.path}`",
            span,
            label="this name is taken",
            notes=("workflows registered together need distinct names",),
            help="register one of them under another name",
        )
    return None


def _program(member: _Member, analysis: Analysis) -> Program:
    if member.compiled is not None:
        return member.compiled
    return generate(analysis, _registered_name(member), member.prepared.source.path)
