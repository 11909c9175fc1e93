"""Compiling the workflows of a test run: the workflow under test and the children it may start,
checked together as one complete workflow set (LANGUAGE.md §3.4) and compiled to Programs.

The set is complete because the test run knows every workflow that can be started: a
`Workflow.run` of any other literal name is FLOW305 at compile time rather than a surprise at
run time. A child is registered under its key in `workflows`; a front-matter `name` that says
otherwise fails registration (§3.3). The workflow under test is named by its front-matter
`name`, else its path's stem, else `DEFAULT_NAME`.

Programs are cached by their sources, so a test suite running one workflow many times compiles
it once.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import PurePath

import flowlang
from flowlang.compiler.analysis import prepare
from flowlang.compiler.bytecode import Program
from flowlang.compiler.codegen import generate
from flowlang.compiler.workflow_set import analyze_together

CHILD_SUFFIX = ".flow"
DEFAULT_NAME = "workflow"


def compile_workflow_set(
    source: str, path: str | None, children: Mapping[str, str]
) -> tuple[Program, dict[str, Program]]:
    """The Program of `source` and those of `children` by name. Raises `flowlang.CompileError`
    for the first member with errors, `ValueError` for a child named otherwise than its key."""
    root, *programs = _compiled((source, path), *((text, name) for name, text in children.items()))
    return root, dict(zip(children, programs, strict=True))


@functools.lru_cache(maxsize=256)
def _compiled(root: tuple[str, str | None], *children: tuple[str, str]) -> tuple[Program, ...]:
    source, path = root
    members = [(source, path), *((text, name + CHILD_SUFFIX) for text, name in children)]
    prepared = [prepare(text, path=where) for text, where in members]
    for child, (_, name) in zip(prepared[1:], children, strict=True):
        declared = child.front_matter.name
        if declared is not None and declared != name:
            raise ValueError(
                f"child workflow registered as `{name}` is named `{declared}` in its front "
                f"matter; the two must agree"
            )
    analyses = analyze_together(prepared, tasks=None, complete_set=True)
    for analysis, (_, where) in zip(analyses, members, strict=True):
        if any(d.is_error for d in analysis.diagnostics):
            raise flowlang.CompileError(list(analysis.diagnostics), where, analysis.source)
    first, *others = analyses
    root_name = first.front_matter.name or (PurePath(path).stem if path else DEFAULT_NAME)
    return (
        generate(first, root_name, path),
        *(
            generate(analysis, name, None)
            for analysis, (_, name) in zip(others, children, strict=True)
        ),
    )
