"""flowlang: the toolchain for `.flow` workflows.

The public API is small: `check()` returns the diagnostics of a source text, optionally against
a task catalog; `compile()` builds its `Program` (the bytecode the runtime runs); `CompileError`
carries the diagnostics of a program that cannot be built.
"""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from flowlang.compiler.analysis import Analysis, analyze
from flowlang.compiler.bytecode import Program
from flowlang.compiler.catalog import CatalogError, catalog_from_document, read_catalog_file
from flowlang.compiler.codegen import generate
from flowlang.compiler.diagnostics import Diagnostic, Fix, Label, Severity
from flowlang.compiler.environment import Environment, TaskSignature
from flowlang.compiler.source import SourceFile, Span
from flowlang.render import render
from flowlang.version import __version__

__all__ = [
    "Analysis",
    "CatalogError",
    "CompileError",
    "Diagnostic",
    "Fix",
    "Label",
    "Program",
    "Severity",
    "SourceFile",
    "Span",
    "__version__",
    "analyze",
    "check",
    "compile",
]


class CompileError(Exception):
    """A program has error diagnostics; `.diagnostics` holds all of them (errors first).

    Given the `source`, the exception reads like `flowc check`: every error rendered with its
    location and source line, so a failing test shows what to fix.
    """

    def __init__(
        self,
        diagnostics: list[Diagnostic],
        path: str | None = None,
        source: SourceFile | None = None,
    ) -> None:
        self.diagnostics = diagnostics
        self.path = path
        errors = [d for d in diagnostics if d.is_error]
        if source is not None and errors:
            super().__init__("\n" + render("text", [(source, errors)], color=False).rstrip())
            return
        where = f"{path}: " if path else ""
        first = errors[0].message if errors else "no errors"
        super().__init__(f"{where}{len(errors)} error(s); first: {first}")


def check(
    source: str,
    *,
    path: str | None = None,
    catalog: Mapping[str, object] | str | os.PathLike[str] | None = None,
) -> list[Diagnostic]:
    """Every diagnostic of `source` in source order. Never raises on bad source text.

    `catalog` is the task catalog to check task names, inputs and results against: a path to
    a `flow-task-catalog/1` JSON file, the parsed JSON document (a mapping with a `format`
    key), or an already loaded catalog (task name -> `TaskSignature`). Without it, task names
    are not checked and task results are `any`. A catalog that cannot be used raises
    `CatalogError`.
    """
    environment = Environment(tasks=_task_catalog(catalog))
    return list(analyze(source, path=path, environment=environment).diagnostics)


def compile(  # shadows the builtin on purpose: the toolchain's verb
    source: str,
    *,
    path: str | None = None,
    catalog: Mapping[str, object] | str | os.PathLike[str] | None = None,
) -> Program:
    """The compiled `Program` of `source`; raises `CompileError` with every diagnostic when
    the source has errors. `catalog` is as for `check()`.

    The workflow is named by the front matter's `name`, else by the stem of `path`
    (`orders/charge.flow` -> `charge`), else `main`.
    """
    environment = Environment(tasks=_task_catalog(catalog))
    analysis = analyze(source, path=path, environment=environment)
    if any(d.is_error for d in analysis.diagnostics):
        raise CompileError(errors_first(analysis.diagnostics), path, analysis.source)
    return generate(analysis, workflow_name(analysis, path), path)


def workflow_name(analysis: Analysis, path: str | None) -> str:
    """The front matter's `name`, else the file stem of `path`, else `main`."""
    if analysis.front_matter.name is not None:
        return analysis.front_matter.name
    return Path(path).stem if path else "main"


def errors_first(diagnostics: Sequence[Diagnostic]) -> list[Diagnostic]:
    """Errors, then warnings, each in source order (the order `CompileError` promises)."""
    return sorted(diagnostics, key=lambda d: not d.is_error)


def _task_catalog(
    catalog: Mapping[str, object] | str | os.PathLike[str] | None,
) -> Mapping[str, TaskSignature] | None:
    if catalog is None:
        return None
    if isinstance(catalog, str | os.PathLike):
        return read_catalog_file(Path(catalog))
    if all(isinstance(task, TaskSignature) for task in catalog.values()):
        return catalog  # type: ignore[return-value]  # every value checked just above
    if "format" in catalog:
        return catalog_from_document(catalog, origin="the catalog document")
    raise TypeError(
        "`catalog` must be a path, a catalog document or a mapping of task names to TaskSignature"
    )
