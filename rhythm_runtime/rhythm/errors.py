"""The exceptions the SDK raises (`rhythm.init`, `rhythm.client`): one hierarchy under
`RhythmError`, so an application can catch everything the runtime refuses in one place.

Each message says what went wrong, where (the workflow, the execution, the file, the path of
the offending value) and what to do. Client calls validate before they write: when one of
these is raised, nothing was stored. The classes also derive from the built-in exception a
Python programmer would expect (`LookupError` for unknown names, `ValueError` for bad values),
so existing `except` clauses keep working.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from flowlang import Diagnostic, SourceFile
from flowlang.render import render


class RhythmError(Exception):
    """Base class of every error the runtime SDK raises on purpose."""


class NotInitializedError(RhythmError):
    """The client was used before `rhythm.init(...)` configured the application."""


class DatabaseError(RhythmError):
    """The database cannot be reached, lacks the runtime's schema, or holds a workflow version
    that cannot be loaded (changed after registration). The message names the server by its
    URL with any password hidden."""


class UnknownWorkflowError(RhythmError, LookupError):
    """No version of a workflow of this name is registered."""


class InvalidInputsError(RhythmError, ValueError):
    """Inputs that are not JSON data, or that do not match the workflow's declared `inputs`."""


class UnknownExecutionError(RhythmError, LookupError):
    """No execution has this id."""


class ExecutionFinishedError(RhythmError):
    """The execution is already completed or failed, so it takes no signal or cancellation."""


class InvalidSignalError(RhythmError, ValueError):
    """A signal the workflow does not accept: an undeclared name, a payload of the wrong type
    or not JSON, or a target that is a task."""


class InvalidTaskError(RhythmError):
    """A registered `@task` whose signature cannot be turned into a catalog entry, so the
    workflows cannot be checked against it."""


class WorkflowFileError(RhythmError):
    """A workflow file that cannot be registered: missing, of an unknown kind, not a valid
    compiled program, or named otherwise than it is registered under."""


@dataclass(frozen=True)
class FileDiagnostics:
    """The error diagnostics of one workflow file, with its source for rendering."""

    path: str
    source: SourceFile
    diagnostics: tuple[Diagnostic, ...]


class WorkflowCompileError(RhythmError):
    """Workflows with error diagnostics: `rhythm.init` refuses to start. `.files` holds every
    file with errors and its diagnostics; the message renders all of them as `flowc check`
    does (location, source line, carets)."""

    def __init__(self, files: Sequence[FileDiagnostics]) -> None:
        self.files = tuple(files)
        count = sum(len(file.diagnostics) for file in self.files)
        rendered = render(
            "text", [(file.source, list(file.diagnostics)) for file in self.files], color=False
        ).rstrip()
        names = ", ".join(file.path for file in self.files)
        super().__init__(
            f"cannot register the workflows: {count} error(s) in {names}; fix them (check with "
            f"`flowc check`) and start again\n{rendered}"
        )

    @property
    def diagnostics(self) -> list[Diagnostic]:
        """Every error diagnostic, file after file."""
        return [diagnostic for file in self.files for diagnostic in file.diagnostics]
