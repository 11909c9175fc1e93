"""`docs/diagnostics.md`, generated from the code registry in `flowlang/compiler/codes.py`.

Regenerate it with `python -m flowlang.render.docs` after changing a code; a test fails while
the committed file differs from what this module generates.
"""

from __future__ import annotations

import sys
from pathlib import Path

from flowlang.compiler.codes import CODES, Code

DOCS_PATH = Path(__file__).resolve().parents[2] / "docs" / "diagnostics.md"

_HEADER = """\
# Diagnostics

<!-- Generated from flowlang/compiler/codes.py by `python -m flowlang.render.docs`.
     Do not edit by hand. -->

Every diagnostic `flowc` reports has a stable code. Errors block building and registration;
warnings never do, and can be suppressed for one line with
`// flow-disable-next-line FLOW402, FLOW405`. `flowc explain FLOW101` prints the section of a
code below. The language reference (LANGUAGE.md §11) describes the checks themselves.
"""


def codes_markdown() -> str:
    """The whole document: a header, an index table, then one section per code."""
    parts = [_HEADER, _index(), *(_section(code) for code in CODES.values())]
    return "\n".join(parts)


def _index() -> str:
    rows = [
        f"| [{code.code}](#{code.code.lower()}) | {code.severity.value} | {_cell(code.summary)} |"
        for code in CODES.values()
    ]
    return "\n".join(["| code | severity | summary |", "|---|---|---|", *rows]) + "\n"


def _cell(text: str) -> str:
    # GitHub-flavoured Markdown splits table cells at `|`, even inside code spans.
    return text.replace("|", "\\|")


def _section(code: Code) -> str:
    return f"## {code.code}\n\n**{code.severity.value}**: {code.summary}\n\n{code.explanation}\n"


def main(argv: list[str] | None = None) -> int:
    """Write the document to the given path, or to `docs/diagnostics.md` in the repository."""
    args = sys.argv[1:] if argv is None else argv
    target = Path(args[0]) if args else DOCS_PATH
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(codes_markdown(), encoding="utf-8")
    print(f"wrote {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
