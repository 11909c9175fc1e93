"""How `rhythm show` and `rhythm list` print executions: plain text for people.

A suspended workflow is shown with what it waits for and where: `file:line` of its `await` in
the version of the workflow it runs, with that source line beneath, as a diagnostic shows it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from flowlang.compiler.bytecode import Program
from rhythm.models import Execution, ExecutionStatus

_TABLE_COLUMNS = ("ID", "TYPE", "NAME", "STATUS", "ATTEMPT", "CREATED")
_NO_EXECUTIONS = "no executions"


def execution_details(execution: Execution, program: Program | None) -> str:
    """The `rhythm show` text of `execution`; `program` is the workflow version it runs (None
    for a task)."""
    lines = [
        f"{execution.type} {execution.name}  {execution.id}",
        f"  status:   {execution.status}",
        f"  attempt:  {execution.attempt}",
        f"  created:  {execution.created_at.isoformat(timespec='milliseconds')}",
    ]
    if execution.parent_id is not None:
        lines.append(f"  parent:   {execution.parent_id}")
    lines.append(f"  inputs:   {_json(execution.inputs)}")
    if execution.status.is_final:
        label = "output: " if execution.status == ExecutionStatus.COMPLETED else "error:  "
        lines.append(f"  {label}  {_json(execution.output)}")
    if execution.error_location is not None and program is not None:
        lines.extend(_where(program, execution.error_location, "thrown at"))
    if execution.status == ExecutionStatus.SUSPENDED and execution.waiting_for is not None:
        lines.append(f"  waiting:  {execution.waiting_for.get('description', 'a promise')}")
        if program is not None:
            lines.extend(_where(program, execution.waiting_for, "at"))
    return "\n".join(lines)


def _where(program: Program, location: dict[str, Any], label: str) -> list[str]:
    """`  at:       file:line:column` and the source line with a caret under the column."""
    line, column = location.get("line"), location.get("column")
    if not isinstance(line, int) or not isinstance(column, int):
        return []
    path = program.path or f"{program.workflow}.flow"
    source_lines = program.source.splitlines()
    shown = [f"  {label + ':':<9} {path}:{line}:{column}"]
    if 1 <= line <= len(source_lines):
        text = source_lines[line - 1]
        gutter = f"    {line} | "
        shown.append(f"{gutter}{text}")
        shown.append(" " * (len(gutter) + column - 1) + "^")
    return shown


def execution_table(executions: Sequence[Execution]) -> str:
    """`rhythm list`: one row per execution, columns aligned."""
    if not executions:
        return _NO_EXECUTIONS
    rows = [_TABLE_COLUMNS] + [
        (
            execution.id,
            str(execution.type),
            execution.name,
            str(execution.status),
            str(execution.attempt),
            execution.created_at.isoformat(timespec="seconds"),
        )
        for execution in executions
    ]
    widths = [max(len(row[column]) for row in rows) for column in range(len(_TABLE_COLUMNS))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False)
