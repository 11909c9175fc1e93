"""One analysis of one source text: every front-end phase run once, in order.

The CLI, the public `check()` and (later) the language server all call `analyze()`, so a
document is parsed once per edit and every phase shares the result.
"""

from __future__ import annotations

from dataclasses import dataclass

from flowlang.compiler import frontmatter, parser, resolve
from flowlang.compiler.ast import Program
from flowlang.compiler.diagnostics import Diagnostic, sort_key
from flowlang.compiler.source import SourceFile


@dataclass(frozen=True)
class Analysis:
    source: SourceFile
    program: Program
    front_matter: frontmatter.FrontMatter
    resolution: resolve.Resolution
    diagnostics: tuple[Diagnostic, ...]


def analyze(text: str, *, path: str | None = None) -> Analysis:
    source = SourceFile(text, path or "<input>")
    parsed = parser.parse(text)
    front_matter, front_matter_diagnostics = frontmatter.read_front_matter(
        parsed.program.front_matter
    )
    resolution = resolve.resolve(parsed.program, names_in_broken_code=parsed.names_in_broken_code)
    found = [*parsed.diagnostics, *front_matter_diagnostics, *resolution.diagnostics]
    kept = [d for d in found if d.is_error or not _suppressed(source, d, parsed.suppressions)]
    return Analysis(
        source=source,
        program=parsed.program,
        front_matter=front_matter,
        resolution=resolution,
        diagnostics=tuple(sorted(kept, key=sort_key)),
    )


def _suppressed(
    source: SourceFile, diagnostic: Diagnostic, suppressions: dict[int, frozenset[str]]
) -> bool:
    """Whether a `// flow-disable-next-line CODE` comment covers this warning (§2.3)."""
    line, _ = source.line_col(diagnostic.span.start)
    return diagnostic.code in suppressions.get(line, frozenset())
