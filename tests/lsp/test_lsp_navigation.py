"""Go to definition (variables, tasks, child workflows, signals), references and rename."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsp_helpers import (
    ONBOARD,
    FlowClient,
    cursor,
    identifier,
    open_file,
    position,
    published,
    view_at,
)
from lsprotocol import types
from pygls.exceptions import JsonRpcInvalidParams

from flowlang.lsp.navigation import (
    RenameRefused,
    definition,
    prepare_rename,
    references,
    rename,
)
from flowlang.lsp.positions import Positions


def marked(word: str, text: str = ONBOARD, occurrence: int = 1) -> str:
    """`text` with the cursor in the `occurrence`-th occurrence of `word` (which holds `‸`)."""
    plain = word.replace("‸", "")
    index = -1
    for _ in range(occurrence):
        index = text.index(plain, index + 1)
    return text[:index] + word + text[index + len(plain) :]


def spans(text: str, locations: list[types.Location] | None) -> list[str]:
    """The text of each location (all in `text`)."""
    assert locations is not None
    positions = Positions(text)
    return [text[slice(*_offsets(positions, location.range))] for location in locations]


def _offsets(positions: Positions, range_: types.Range) -> tuple[int, int]:
    span = positions.span(range_)
    return span.start, span.end


def test_a_variable_goes_to_its_declaration(workflows: Path) -> None:
    view, offset = view_at(marked("recei‸pt.id"), workflows / "onboard.flow")
    [location] = definition(view, offset) or []
    assert location.uri == view.uri
    line = ONBOARD.split("\n").index('let receipt = await Task.run("send-email", { to: email })')
    assert location.range == types.Range(types.Position(line, 4), types.Position(line, 11))


def test_a_task_name_goes_to_its_python_function(workflows: Path) -> None:
    view, offset = view_at(marked('"send-em‸ail"'), workflows / "onboard.flow")
    [location] = definition(view, offset) or []
    assert location.uri == (workflows.parent / "app" / "tasks.py").as_uri()
    assert location.range.start == types.Position(3, 0)  # the catalog's line 4


def test_a_workflow_name_goes_to_its_file(workflows: Path) -> None:
    view, offset = view_at(marked('"char‸ge"'), workflows / "onboard.flow")
    [location] = definition(view, offset) or []
    assert location.uri == (workflows / "charge.flow").as_uri()
    assert location.range.start == types.Position(0, 0)


def test_a_signal_name_goes_to_its_declaration_in_the_front_matter(workflows: Path) -> None:
    view, offset = view_at(marked('Signal.next("appr‸oval")'), workflows / "onboard.flow")
    assert spans(ONBOARD, definition(view, offset)) == ["approval"]
    [location] = definition(view, offset) or []
    assert location.range.start.line == 5


def test_builtins_and_literals_have_no_definition() -> None:
    view, offset = view_at("let x = Ma‸th.floor(1)\nreturn x\n")
    assert definition(view, offset) is None


def test_references_of_a_variable(workflows: Path) -> None:
    view, offset = view_at(marked("appro‸val", occurrence=2), workflows / "onboard.flow")
    found = references(view, offset, include_declaration=True)
    assert spans(ONBOARD, found) == ["approval"] * 3
    assert len(references(view, offset, include_declaration=False) or []) == 2


def test_rename_renames_every_use_and_keeps_shorthand_properties(workflows: Path) -> None:
    view, offset = view_at(marked("user_‸id", occurrence=3), workflows / "onboard.flow")
    placeholder = prepare_rename(view, offset)
    assert placeholder is not None and placeholder.placeholder == "user_id"
    edit = rename(view, offset, "uid")
    assert edit is not None and edit.changes is not None
    renamed = _apply(ONBOARD, edit.changes[view.uri])
    assert "const { user_id: uid, email } = Inputs" in renamed
    assert "charged: charge.charged, user_id: uid }" in renamed
    assert "  user_id: string" in renamed  # the front matter names the input, not the variable


def test_rename_refuses_names_that_would_change_the_meaning(workflows: Path) -> None:
    view, offset = view_at(marked("rece‸ipt"), workflows / "onboard.flow")
    for new_name, reason in [
        ("approval", r"already a variable here \(declared on line 10\)"),
        ("await", "reserved word"),
        ("Math", "builtin"),
        ("2fast", "not a name"),
    ]:
        with pytest.raises(RenameRefused, match=reason):
            rename(view, offset, new_name)


def test_only_variables_can_be_renamed() -> None:
    view, offset = view_at("let x = Ma‸th.floor(1)\nreturn x\n")
    assert prepare_rename(view, offset) is None
    assert rename(view, offset, "y") is None


def _apply(text: str, edits: list[types.TextEdit]) -> str:
    positions = Positions(text)
    for edit in sorted(edits, key=lambda e: positions.offset(e.range.start), reverse=True):
        span = positions.span(edit.range)
        text = text[: span.start] + edit.new_text + text[span.end :]
    return text


@pytest.mark.asyncio
@pytest.mark.timeout(60)
async def test_navigation_over_stdio(client: FlowClient, workflows: Path) -> None:
    text, offset = cursor(marked('"send-em‸ail"'))
    uri = open_file(client, workflows / "onboard.flow", text)
    await published(client, uri, 1)
    found = await client.text_document_definition_async(
        types.DefinitionParams(identifier(uri), position(text, offset))
    )
    assert isinstance(found, list)
    assert [location.uri for location in found] == [(workflows.parent / "app/tasks.py").as_uri()]

    _, receipt = cursor(marked("rece‸ipt"))
    edit = await client.text_document_rename_async(
        types.RenameParams(identifier(uri), position(text, receipt), "message")
    )
    assert edit is not None and edit.changes is not None
    assert len(edit.changes[uri]) == 2
    with pytest.raises(JsonRpcInvalidParams, match="reserved word"):
        await client.text_document_rename_async(
            types.RenameParams(identifier(uri), position(text, receipt), "while")
        )
    found_references = await client.text_document_references_async(
        types.ReferenceParams(
            text_document=identifier(uri),
            position=position(text, receipt),
            context=types.ReferenceContext(include_declaration=True),
        )
    )
    assert found_references is not None and len(found_references) == 2
