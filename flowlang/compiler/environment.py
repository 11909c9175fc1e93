"""What a workflow is checked against from outside its file (LANGUAGE.md §11.1, §11.5): the
task catalog and the set of workflows registered together.

Both are optional: without a catalog, task names are not checked and task results are `any`;
without a workflow set, child workflow names are not checked and their outputs are `any`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from flowlang.compiler.types import ANY, Type


@dataclass(frozen=True)
class SourceLocation:
    """Where a definition lives, for the editor's go-to-definition (`file:line`)."""

    file: str
    line: int


@dataclass(frozen=True)
class TaskSignature:
    """One task of the catalog: its input and result types and what tooling shows of it."""

    name: str
    inputs: Type = ANY
    result: Type = ANY
    queue: str | None = None
    doc: str = ""
    source: SourceLocation | None = None


@dataclass(frozen=True)
class WorkflowSignature:
    """One workflow of the set, from its front matter (`None` when not declared: `any`)."""

    name: str
    inputs: Type | None = None
    output: Type | None = None
    path: str | None = None


@dataclass(frozen=True)
class Environment:
    tasks: Mapping[str, TaskSignature] | None = None  # None: no catalog given
    workflows: Mapping[str, WorkflowSignature] | None = None  # None: no workflow set given


NO_ENVIRONMENT = Environment()
