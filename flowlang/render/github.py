"""GitHub Actions workflow commands, which GitHub shows as annotations on the pull request.

`::error file=F,line=L,col=C,endLine=L2,endColumn=C2,title=FLOW101::message` (`::warning` for
warnings). Values are escaped as the Actions toolkit does: `%`, CR and LF in the message;
additionally `:` and `,` in property values. Notes and help follow the message on their own
lines, which GitHub shows in the annotation body.
"""

from __future__ import annotations

from collections.abc import Sequence

from flowlang.compiler.diagnostics import Diagnostic
from flowlang.compiler.source import SourceFile
from flowlang.render.positions import region_of
from flowlang.render.report import FileReport, message_with_help


def render_github(reports: Sequence[FileReport]) -> str:
    return "".join(
        workflow_command(source, diagnostic) + "\n"
        for source, diagnostics in reports
        for diagnostic in diagnostics
    )


def workflow_command(source: SourceFile, diagnostic: Diagnostic) -> str:
    region = region_of(source, diagnostic.span)
    properties = {
        "file": source.path,
        "line": region.line,
        "col": region.column,
        "endLine": region.end_line,
        "endColumn": region.end_column,
        "title": diagnostic.code,
    }
    listed = ",".join(f"{key}={escape_property(str(value))}" for key, value in properties.items())
    return f"::{diagnostic.severity.value} {listed}::{escape_data(message_with_help(diagnostic))}"


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")
