"""Document symbols: the workflow and its inputs and signals, then every variable."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsp_helpers import ONBOARD, FlowClient, identifier, open_file, published, view_at
from lsprotocol import types

from flowlang.lsp.symbols import document_symbols


def outline(symbols: list[types.DocumentSymbol] | None) -> list[tuple[str, str, object]]:
    assert symbols is not None
    return [
        (symbol.name, symbol.kind.name, [child.name for child in symbol.children or ()])
        for symbol in symbols
    ]


def test_the_workflow_then_its_variables(workflows: Path) -> None:
    view, _ = view_at(ONBOARD + "‸", workflows / "onboard.flow")
    symbols = document_symbols(view)
    assert outline(symbols) == [
        ("onboard", "Module", ["user_id", "email", "approval"]),
        ("user_id", "Constant", []),
        ("email", "Constant", []),
        ("receipt", "Variable", []),
        ("approval", "Variable", []),
        ("charge", "Variable", []),
    ]
    assert symbols is not None
    assert [symbol.detail for symbol in symbols[1:4]] == [
        "const user_id: string",
        "const email: string",
        "let receipt: { id: string }",
    ]
    receipt = symbols[3]
    assert receipt.selection_range == types.Range(types.Position(8, 4), types.Position(8, 11))
    assert receipt.range.start == types.Position(8, 4)


def test_loop_variables_and_catch_parameters_are_variables_too() -> None:
    view, _ = view_at(
        "```\nname: loops\n```\nfor (const item of [1, 2]) {\n  let doubled = item * 2\n}\n"
        'try {\n  throw Error("x")\n} catch (err) {\n  return err.message\n}\n‸'
    )
    assert [(name, kind) for name, kind, _ in outline(document_symbols(view))] == [
        ("loops", "Module"),
        ("item", "Constant"),
        ("doubled", "Variable"),
        ("err", "Variable"),
    ]


@pytest.mark.asyncio
@pytest.mark.timeout(60)
async def test_document_symbols_over_stdio(client: FlowClient, workflows: Path) -> None:
    uri = open_file(client, workflows / "charge.flow")
    await published(client, uri, 1)
    found = await client.text_document_document_symbol_async(
        types.DocumentSymbolParams(identifier(uri))
    )
    assert found is not None
    assert [symbol.name for symbol in found] == ["charge", "result"]  # type: ignore[union-attr]
