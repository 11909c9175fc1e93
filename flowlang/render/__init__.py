"""Renderings of diagnostics: one model (`flowlang.compiler.diagnostics`), many formats.

`render(format, reports)` is the entry point for the CLI: `text` for people (rustc-style, with
optional ANSI colour), `json` for scripts, `sarif` for code-scanning services and `github` for
GitHub Actions annotations. `summary()` is the closing line of a text run, and `use_color()`
decides whether a stream gets colour.
"""

from __future__ import annotations

from collections.abc import Sequence

from flowlang.render.color import use_color
from flowlang.render.github import render_github
from flowlang.render.json_format import render_json
from flowlang.render.report import FileReport
from flowlang.render.sarif import render_sarif
from flowlang.render.text import render_text, summary

FORMATS = ("text", "json", "sarif", "github")

__all__ = ["FORMATS", "FileReport", "render", "summary", "use_color"]


def render(format: str, reports: Sequence[FileReport], *, color: bool = False) -> str:
    """All diagnostics of `reports` in `format`; `color` applies to `text` only."""
    if format == "text":
        return render_text(reports, color)
    if format == "json":
        return render_json(reports)
    if format == "sarif":
        return render_sarif(reports)
    if format == "github":
        return render_github(reports)
    raise ValueError(f"unknown format `{format}`; expected one of {', '.join(FORMATS)}")
