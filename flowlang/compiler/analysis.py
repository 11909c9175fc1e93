"""One analysis of one source text: every phase run once, in order.

The CLI, the public `check()` and (later) the language server all go through here, so a
document is parsed once per edit and every phase shares the result.

Analysis has two stages, because the type checker needs to know about the other files:
`prepare()` runs what depends on the text alone (parse, front matter, names, builtin use,
reachability); `complete()` adds what depends on the environment (the task catalog and the
workflow set, which is built from the *prepared* front matter of every file checked together).
`analyze()` is both stages for a file checked on its own.

Types are checked only when the file parses without errors: recovery drops broken statements,
and checking what remains would report consequences of the syntax error (a variable that
looks unassigned, a branch that looks empty) rather than causes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from flowlang.compiler import frontmatter, parser, resolve
from flowlang.compiler.ast import Program
from flowlang.compiler.builtin_use import check_builtin_use
from flowlang.compiler.check import check_types
from flowlang.compiler.diagnostics import Diagnostic, sort_key
from flowlang.compiler.environment import NO_ENVIRONMENT, Environment
from flowlang.compiler.reachability import check_reachability
from flowlang.compiler.source import SourceFile, Span
from flowlang.compiler.types import Type


@dataclass(frozen=True)
class Prepared:
    """A file after the phases that need nothing but its text."""

    source: SourceFile
    program: Program
    front_matter: frontmatter.FrontMatter
    resolution: resolve.Resolution
    diagnostics: tuple[Diagnostic, ...]  # unsorted, before suppression
    suppressions: Mapping[int, frozenset[str]]
    parsed_cleanly: bool


@dataclass(frozen=True)
class Analysis:
    source: SourceFile
    program: Program
    front_matter: frontmatter.FrontMatter
    resolution: resolve.Resolution
    diagnostics: tuple[Diagnostic, ...]
    # The inferred type of every expression and binding name, by span (hover, inlay hints);
    # empty when types were not checked (the file has syntax errors).
    types: Mapping[Span, Type]


def prepare(text: str, *, path: str | None = None) -> Prepared:
    """Parse `text` and run the phases that depend on it alone."""
    source = SourceFile(text, path or "<input>")
    parsed = parser.parse(text)
    front_matter, front_matter_diagnostics = frontmatter.read_front_matter(
        parsed.program.front_matter
    )
    resolution = resolve.resolve(parsed.program, names_in_broken_code=parsed.names_in_broken_code)
    found = (
        *parsed.diagnostics,
        *front_matter_diagnostics,
        *resolution.diagnostics,
        *check_builtin_use(parsed.program, resolution),
        *check_reachability(parsed.program),
    )
    return Prepared(
        source=source,
        program=parsed.program,
        front_matter=front_matter,
        resolution=resolution,
        diagnostics=found,
        suppressions=parsed.suppressions,
        parsed_cleanly=not any(d.is_error for d in parsed.diagnostics),
    )


def complete(
    prepared: Prepared,
    environment: Environment = NO_ENVIRONMENT,
    *,
    additional: Sequence[Diagnostic] = (),
) -> Analysis:
    """Check the types of a prepared file against `environment`; `additional` diagnostics
    (found across files, such as a workflow name used twice) join the file's own."""
    found = [*prepared.diagnostics, *additional]
    types: Mapping[Span, Type] = {}
    if prepared.parsed_cleanly:
        type_check = check_types(
            prepared.program, prepared.resolution, prepared.front_matter, environment
        )
        found.extend(type_check.diagnostics)
        types = type_check.types
    source = prepared.source
    kept = [d for d in found if d.is_error or not _suppressed(source, d, prepared.suppressions)]
    return Analysis(
        source=source,
        program=prepared.program,
        front_matter=prepared.front_matter,
        resolution=prepared.resolution,
        diagnostics=tuple(sorted(kept, key=sort_key)),
        types=types,
    )


def analyze(
    text: str, *, path: str | None = None, environment: Environment = NO_ENVIRONMENT
) -> Analysis:
    """Every phase over `text`, checked against `environment` (default: no catalog, no set)."""
    return complete(prepare(text, path=path), environment)


def _suppressed(
    source: SourceFile, diagnostic: Diagnostic, suppressions: Mapping[int, frozenset[str]]
) -> bool:
    """Whether a `// flow-disable-next-line CODE` comment covers this warning (§2.3)."""
    line, _ = source.line_col(diagnostic.span.start)
    return diagnostic.code in suppressions.get(line, frozenset())
