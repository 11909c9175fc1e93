"""The invariants of ARCHITECTURE.md that an import statement could break."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


def modules_under(folder: str) -> list[Path]:
    return sorted((ROOT / folder).rglob("*.py"))


@pytest.mark.parametrize("path", modules_under("flowlang"), ids=lambda p: p.name)
def test_flowlang_never_imports_rhythm(path: Path) -> None:
    assert not {m for m in imported_modules(path) if m.split(".")[0] == "rhythm"}


@pytest.mark.parametrize("path", modules_under("flowlang/compiler"), ids=lambda p: p.name)
def test_the_compiler_knows_nothing_of_its_front_ends(path: Path) -> None:
    edges = ("flowlang.cli", "flowlang.config", "flowlang.render", "flowlang.lsp", "flowlang.graph")
    assert not {m for m in imported_modules(path) if m.startswith(edges)}
