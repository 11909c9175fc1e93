"""Inlay hints: the types of awaited results after the names that receive them."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsp_helpers import ONBOARD, FlowClient, identifier, open_file, published, view_at
from lsprotocol import types

from flowlang.lsp.inlay_hints import inlay_hints

EVERYWHERE = types.Range(types.Position(0, 0), types.Position(99, 0))


def hints(found: list[types.InlayHint] | None) -> list[tuple[int, int, str]]:
    assert found is not None
    return [(h.position.line, h.position.character, str(h.label)) for h in found]


def test_awaited_results_show_their_types(workflows: Path) -> None:
    view, _ = view_at(ONBOARD + "‸", workflows / "onboard.flow")
    assert hints(inlay_hints(view, EVERYWHERE)) == [
        (8, 11, ": { id: string }"),
        (9, 12, ": { approved: boolean, approver: string }"),
        (13, 10, ": { charged: boolean }"),
    ]


def test_each_destructured_name_gets_its_hint_and_any_gets_none(workflows: Path) -> None:
    text = (
        'const { chargeId, amount } = await Task.run("charge-card", { amount: 1 })\n'
        'let unknown = await Task.run("not-in-the-catalog")\n'
        "return [chargeId, amount, unknown]\n"
    )
    view, _ = view_at(text + "‸", workflows / "new.flow")
    assert hints(inlay_hints(view, EVERYWHERE)) == [(0, 16, ": string"), (0, 24, ": number")]


def test_only_hints_in_the_requested_range(workflows: Path) -> None:
    view, _ = view_at(ONBOARD + "‸", workflows / "onboard.flow")
    first_lines = types.Range(types.Position(0, 0), types.Position(9, 0))
    assert hints(inlay_hints(view, first_lines)) == [(8, 11, ": { id: string }")]


@pytest.mark.asyncio
@pytest.mark.timeout(60)
async def test_inlay_hints_over_stdio(client: FlowClient, workflows: Path) -> None:
    uri = open_file(client, workflows / "charge.flow")
    await published(client, uri, 1)
    found = await client.text_document_inlay_hint_async(
        types.InlayHintParams(identifier(uri), EVERYWHERE)
    )
    assert hints(found) == [(5, 10, ": { chargeId: string, amount: number }")]
