"""Code actions: the fixes attached to diagnostics, offered as preferred quick fixes."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsp_helpers import FlowClient, identifier, open_file, published, view_at
from lsprotocol import types

from flowlang.lsp.code_actions import code_actions
from flowlang.lsp.positions import Positions

EVERYWHERE = types.Range(types.Position(0, 0), types.Position(99, 0))


def fixed(text: str, action: types.CodeAction) -> str:
    assert action.edit is not None and action.edit.changes is not None
    [edits] = action.edit.changes.values()
    positions = Positions(text)
    for edit in sorted(edits, key=lambda e: positions.offset(e.range.start), reverse=True):
        span = positions.span(edit.range)
        text = text[: span.start] + edit.new_text + text[span.end :]
    return text


def test_did_you_mean_and_javascript_habits_are_quick_fixes() -> None:
    text = "var total = Math.flor(2.5)\nreturn total\n"
    view, _ = view_at(text + "‸")
    found = code_actions(view, EVERYWHERE, types.CodeActionContext(diagnostics=[]))
    assert found is not None
    assert [(a.title, a.kind, a.is_preferred) for a in found] == [
        ("replace `var` with `let`", types.CodeActionKind.QuickFix, True),
        ("replace with `floor`", types.CodeActionKind.QuickFix, True),
    ]
    assert fixed(text, found[1]) == "var total = Math.floor(2.5)\nreturn total\n"
    assert [d.code for a in found for d in a.diagnostics or ()] == ["FLOW005", "FLOW108"]


def test_did_you_mean_of_a_variable_and_a_task_name(workflows: Path) -> None:
    text = 'let total = 1\nawait Task.run("send-emial", { to: "a" })\nreturn totl\n'
    view, _ = view_at(text + "‸", workflows / "new.flow")
    found = code_actions(view, EVERYWHERE, types.CodeActionContext(diagnostics=[]))
    assert found is not None
    assert [a.title for a in found] == ["replace with `send-email`", "replace with `total`"]
    assert fixed(fixed(text, found[1]), found[0]) == (
        'let total = 1\nawait Task.run("send-email", { to: "a" })\nreturn total\n'
    )


def test_only_fixes_of_diagnostics_in_the_range_are_offered() -> None:
    text = "var total = Math.flor(2.5)\nreturn total\n"
    view, _ = view_at(text + "‸")
    on_floor = types.Range(types.Position(0, 18), types.Position(0, 18))
    found = code_actions(view, on_floor, types.CodeActionContext(diagnostics=[]))
    assert [a.title for a in found or ()] == ["replace with `floor`"]
    refactorings = types.CodeActionContext(diagnostics=[], only=[types.CodeActionKind.Refactor])
    assert code_actions(view, EVERYWHERE, refactorings) is None


@pytest.mark.asyncio
@pytest.mark.timeout(60)
async def test_code_actions_over_stdio(client: FlowClient, tmp_path: Path) -> None:
    path = tmp_path / "fix.flow"
    path.write_text("let n = Math.flor(2.5)\nreturn n\n")
    uri = open_file(client, path)
    shown = (await published(client, uri, 1)).diagnostics
    found = await client.text_document_code_action_async(
        types.CodeActionParams(
            identifier(uri), shown[0].range, types.CodeActionContext(list(shown))
        )
    )
    assert found is not None
    [action] = found
    assert isinstance(action, types.CodeAction)
    assert action.title == "replace with `floor`"
    assert action.diagnostics is not None and action.diagnostics[0].message == shown[0].message
