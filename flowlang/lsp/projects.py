"""What a document is checked against, found as `flowc check` finds it, and its analysis.

The project of a document is the nearest `pyproject.toml` with a `[tool.flowc]` table above the
document's folder (`config.py`), and its folder is where paths are shown from, as if `flowc`
ran there. From it come:

* the task catalog: the configured `tasks`, loaded by the same code as `flowc check`
  (`task_catalog` in `cli.py`), kept until the pyproject, a catalog file, a configured Python
  file or the file of a catalogued task changes on disk (exporting Python tasks takes a
  subprocess, so never once per keystroke);
* the workflow set: when the configured `workflows` (or, without that key, the project's
  folder) hold the document, those files form the complete set, exactly as `flowc check` with
  no PATH; any other document is checked with the `.flow` files of its own folder as a partial
  set, as `flowc check *.flow` in that folder would. Open documents count with their text in
  the editor, other members with the file on disk; a member's front matter is read once per
  version of its text.

A configuration or a catalog that cannot be used does not stop the analysis: the document is
checked without it, and the reason travels with the analysis for the server to show.

`Projects` holds the caches and is used by one thread only (the analysis thread).
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from flowlang.cli import UsageError, display_path, flow_files_under, task_catalog
from flowlang.compiler import frontmatter, parser
from flowlang.compiler.analysis import Prepared, prepare
from flowlang.compiler.catalog import CatalogError
from flowlang.compiler.environment import TaskSignature
from flowlang.compiler.workflow_set import (
    Member,
    analyze_member,
    build_workflow_set,
    set_environment,
    workflow_signature,
)
from flowlang.config import ConfigError, FlowcConfig, find_pyproject, read_config
from flowlang.lsp.documents import Analyzed

Tasks = Mapping[str, TaskSignature] | None
# What a file looked like when it was last read: its text (open documents) or its mtime and
# size (files on disk); a changed stamp means read it again.
Stamp = tuple[object, ...]


@dataclass(frozen=True)
class AnalysisRequest:
    """One version of one open document, and the text of the other open documents."""

    uri: str
    path: Path | None
    text: str
    version: int
    open_texts: Mapping[Path, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Project:
    """The folder paths are relative to, and its `[tool.flowc]` settings (None: none)."""

    root: Path
    config: FlowcConfig | None


@dataclass
class _CatalogEntry:
    stamp: Stamp
    tasks: Tasks
    problem: str | None


class Projects:
    """Analyses of open documents against their projects; the caches that make them cheap."""

    def __init__(self) -> None:
        self._catalogs: dict[tuple[Path, object], _CatalogEntry] = {}
        self._members: dict[Path, tuple[Stamp, frontmatter.FrontMatter | None]] = {}

    def analyze(self, request: AnalysisRequest) -> Analyzed:
        if request.path is None:
            return self._analyze_alone(request)
        problems: list[str] = []
        project = self._project(request.path, problems)
        tasks = self._tasks(project, problems)
        files, complete_set = self._workflow_files(project, request.path, problems)
        shown = display_path(request.path, project.root)
        prepared = prepare(request.text, path=shown)
        members = [
            Member(shown, prepared.front_matter)
            if file == request.path
            else self._member(file, project.root, request.open_texts)
            for file in files
        ]
        return _analyzed(
            request,
            prepared,
            CheckedWith([member for member in members if member is not None], tasks, complete_set),
            root=project.root,
            problems=problems,
        )

    def _analyze_alone(self, request: AnalysisRequest) -> Analyzed:
        """A document that is not a file (`untitled:Untitled-1`): checked on its own, as
        `flowc check` checks one file, without a catalog."""
        shown = request.uri.rpartition("/")[2].rpartition(":")[2] or "untitled"
        prepared = prepare(request.text, path=shown)
        members = [Member(shown, prepared.front_matter)]
        return _analyzed(request, prepared, CheckedWith(members, None, False), None, [])

    # --- the project ---------------------------------------------------------------------

    def _project(self, path: Path, problems: list[str]) -> Project:
        folder = path.parent
        try:
            pyproject = find_pyproject(folder)
            if pyproject is None:
                return Project(folder, None)
            return Project(pyproject.parent, read_config(pyproject))
        except ConfigError as error:
            problems.append(f"{error}; checking without the project's configuration")
            return Project(folder, None)

    # --- the task catalog -----------------------------------------------------------------

    def _tasks(self, project: Project, problems: list[str]) -> Tasks:
        config = project.config
        if config is None or not config.tasks:
            return None
        key = (project.root, config.tasks)
        entry = self._catalogs.get(key)
        if entry is None or entry.stamp != _catalog_stamp(project, config, entry.tasks):
            entry = self._load_catalog(project, config)
            self._catalogs[key] = entry
        if entry.problem is not None:
            problems.append(entry.problem)
        return entry.tasks

    def _load_catalog(self, project: Project, config: FlowcConfig) -> _CatalogEntry:
        try:
            tasks: Tasks = task_catalog(None, config, project.root)
            problem = None
        except (UsageError, CatalogError) as error:
            tasks = None
            problem = f"{error}; task names, inputs and results are not checked"
        return _CatalogEntry(_catalog_stamp(project, config, tasks), tasks, problem)

    # --- the workflow set -----------------------------------------------------------------

    def _workflow_files(
        self, project: Project, path: Path, problems: list[str]
    ) -> tuple[list[Path], bool]:
        """The members of the document's workflow set, in `flowc check`'s order, and whether
        they are the complete set."""
        if project.config is not None:
            configured = _configured_workflow_files(project, project.config, problems)
            if path in configured:
                return configured, True
        siblings = sorted(
            Path(os.path.normpath(entry)) for entry in path.parent.glob("*.flow") if entry.is_file()
        )
        return (siblings if path in siblings else [*siblings, path]), False

    def _member(self, path: Path, root: Path, open_texts: Mapping[Path, str]) -> Member | None:
        """The member of a file other than the analysed one; None when it cannot be read as
        UTF-8 (`flowc check` leaves such a file out of the set too)."""
        text = open_texts.get(path)
        stamp: Stamp = ("open", text) if text is not None else ("disk", *_file_stamp(path))
        cached = self._members.get(path)
        if cached is None or cached[0] != stamp:
            if text is None:
                text = _read_text(path)
            cached = (stamp, None if text is None else _front_matter(text))
            self._members[path] = cached
        front_matter = cached[1]
        return None if front_matter is None else Member(display_path(path, root), front_matter)


@dataclass(frozen=True)
class CheckedWith:
    """What a document is checked with: the members of its workflow set, whether they are
    the complete set, and the task catalog."""

    members: list[Member]
    tasks: Tasks
    complete: bool


def _analyzed(
    request: AnalysisRequest,
    prepared: Prepared,
    checked_with: CheckedWith,
    root: Path | None,
    problems: list[str],
) -> Analyzed:
    """Complete the analysis of the prepared document as a member of its workflow set."""
    workflow_set = build_workflow_set(checked_with.members)
    environment = set_environment(
        workflow_set, tasks=checked_with.tasks, complete_set=checked_with.complete
    )
    return Analyzed(
        version=request.version,
        text=request.text,
        analysis=analyze_member(prepared, workflow_set, environment),
        environment=environment,
        root=root,
        parsed_cleanly=prepared.parsed_cleanly,
        signature=workflow_signature(Member(prepared.source.path, prepared.front_matter)),
        problems=tuple(problems),
    )


def _configured_workflow_files(
    project: Project, config: FlowcConfig, problems: list[str]
) -> list[Path]:
    """What `flowc check` with no PATH checks: the configured `workflows`, else the project's
    folder; a configured entry that does not exist is reported and skipped."""
    found: dict[Path, None] = {}
    for target in config.workflows or (project.root,):
        target = Path(os.path.normpath(target))
        if target.is_dir():
            found.update(dict.fromkeys(flow_files_under(target)))
        elif target.exists():
            found[target] = None
        else:
            problems.append(
                f"`workflows` entry '{display_path(target, project.root)}' of {config.source} "
                "does not exist"
            )
    return list(found)


def _front_matter(text: str) -> frontmatter.FrontMatter:
    block = parser.parse(text).program.front_matter
    return frontmatter.read_front_matter(block)[0]


def _read_text(path: Path) -> str | None:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return None


def _file_stamp(path: Path) -> Stamp:
    try:
        status = path.stat()
    except OSError:
        return (None,)
    return (status.st_mtime_ns, status.st_size)


def _catalog_stamp(project: Project, config: FlowcConfig, tasks: Tasks) -> Stamp:
    """The state of every file the catalog was made from."""
    files = dict.fromkeys(_catalog_files(project, config, tasks))  # each once, in order
    return tuple((path, *_file_stamp(path)) for path in files)


def _catalog_files(project: Project, config: FlowcConfig, tasks: Tasks) -> Iterator[Path]:
    if config.source is not None:
        yield config.source
    for source in config.tasks:
        if source.spec.endswith((".json", ".py")):
            yield source.path
    for task in (tasks or {}).values():
        if task.source is not None:
            yield project.root / task.source.file
