"""The workflow set (LANGUAGE.md §3.4, §11.1): the workflows checked or registered together.

Each member contributes a `WorkflowSignature` read from its front matter: its name (the
front-matter `name`, else the file stem), its `inputs` and its `output`. `Workflow.run("x", …)`
to a member is checked against the member's `inputs` and typed with its `output`.

A set is *complete* when it is known to hold every workflow that can be started (the project's
configured workflows, a registration, the test runtime): then an unknown name is FLOW305.
Otherwise (`flowc check some/files.flow`) it is *partial*: the members are typed, and any other
name is a workflow the checker has not seen, whose inputs and output are `any`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import PurePath

from flowlang.compiler.analysis import Analysis, Prepared, complete
from flowlang.compiler.codes import diagnostic
from flowlang.compiler.diagnostics import Diagnostic
from flowlang.compiler.environment import Environment, TaskSignature, WorkflowSignature
from flowlang.compiler.frontmatter import FrontMatter
from flowlang.compiler.source import Span
from flowlang.compiler.types import from_type_expr


@dataclass(frozen=True)
class Member:
    """One file of the set: its path as shown to the user and its front matter."""

    path: str
    front_matter: FrontMatter


@dataclass(frozen=True)
class WorkflowSet:
    """The signatures by name, and per path the diagnostics of names used twice."""

    signatures: Mapping[str, WorkflowSignature]
    diagnostics: Mapping[str, tuple[Diagnostic, ...]] = field(default_factory=dict)


class PartialWorkflowSet(Mapping[str, WorkflowSignature]):
    """Known members typed; every other name an untyped workflow (no FLOW305).

    It answers every name, so a checker that looks a name up never finds it missing; iterating
    it gives the known members only (the candidates for "did you mean").
    """

    def __init__(self, known: Mapping[str, WorkflowSignature]) -> None:
        self._known = dict(known)

    def __getitem__(self, name: str) -> WorkflowSignature:
        return self._known.get(name) or WorkflowSignature(name)

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str)

    def __iter__(self) -> Iterator[str]:
        return iter(self._known)

    def __len__(self) -> int:
        return len(self._known)


def workflow_name(front_matter: FrontMatter, path: str) -> str:
    """The front-matter `name`, else the file stem (§3.3)."""
    return front_matter.name if front_matter.name is not None else PurePath(path).stem


def workflow_signature(member: Member) -> WorkflowSignature:
    front_matter = member.front_matter
    return WorkflowSignature(
        name=workflow_name(front_matter, member.path),
        inputs=None if front_matter.inputs is None else from_type_expr(front_matter.inputs),
        output=None if front_matter.output is None else from_type_expr(front_matter.output),
        path=member.path,
    )


def build_workflow_set(members: Sequence[Member]) -> WorkflowSet:
    """The set of `members`, in order; a name taken by an earlier member is FLOW309 on the
    later one (its signature is left out: calls resolve to the first)."""
    signatures: dict[str, WorkflowSignature] = {}
    diagnostics: dict[str, tuple[Diagnostic, ...]] = {}
    for member in members:
        signature = workflow_signature(member)
        first = signatures.get(signature.name)
        if first is None:
            signatures[signature.name] = signature
        else:
            diagnostics[member.path] = (_name_taken(member, signature.name, first),)
    return WorkflowSet(signatures, diagnostics)


def _name_taken(member: Member, name: str, first: WorkflowSignature) -> Diagnostic:
    front_matter = member.front_matter
    named_in_front_matter = front_matter.name is not None
    if named_in_front_matter:
        span = front_matter.value_spans.get("name", front_matter.span or Span(0, 0))
        label = "this name is taken"
    else:
        span = front_matter.span or Span(0, 0)
        label = f"named `{name}` after its file"
    return diagnostic(
        "FLOW309",
        f"workflow name `{name}` is already used by `{first.path}`",
        span,
        label=label,
        notes=("workflows checked or registered together need distinct names",),
        help=(
            "give this workflow another `name` in its front matter"
            if named_in_front_matter
            else "give this workflow its own `name` in its front matter, or rename the file"
        ),
    )


def analyze_together(
    files: Sequence[Prepared],
    *,
    tasks: Mapping[str, TaskSignature] | None,
    complete_set: bool,
) -> list[Analysis]:
    """Complete the analyses of `files` as one workflow set (complete or partial), against the
    task catalog `tasks`; the files were each parsed once, by `prepare()`."""
    workflow_set = build_workflow_set(
        [Member(file.source.path, file.front_matter) for file in files]
    )
    environment = set_environment(workflow_set, tasks=tasks, complete_set=complete_set)
    return [analyze_member(file, workflow_set, environment) for file in files]


def set_environment(
    workflow_set: WorkflowSet, *, tasks: Mapping[str, TaskSignature] | None, complete_set: bool
) -> Environment:
    """What the members of `workflow_set` are checked against: the task catalog `tasks` and the
    set itself, complete or partial."""
    workflows = (
        workflow_set.signatures if complete_set else PartialWorkflowSet(workflow_set.signatures)
    )
    return Environment(tasks=tasks, workflows=workflows)


def analyze_member(file: Prepared, workflow_set: WorkflowSet, environment: Environment) -> Analysis:
    """Complete the analysis of one member of `workflow_set` (the language server checks one
    file at a time against the set, as `analyze_together` checks each of them)."""
    additional = workflow_set.diagnostics.get(file.source.path, ())
    return complete(file, environment, additional=additional)
