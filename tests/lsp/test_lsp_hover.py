"""Hover: variables with their (narrowed) types, builtins with their documentation, the task,
child workflow or signal a name refers to, properties and any expression's type."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsp_helpers import (
    ONBOARD,
    FlowClient,
    Session,
    cursor,
    identifier,
    open_file,
    position,
    published,
    view_at,
)
from lsprotocol import types

from flowlang.lsp.hover import hover


def hover_text(marked: str, path: Path | None = None) -> str | None:
    view, offset = view_at(marked, path)
    found = hover(view, offset)
    if found is None:
        return None
    assert isinstance(found.contents, types.MarkupContent)
    return found.contents.value


def at(marked_word: str) -> str:
    """ONBOARD with the cursor inside the first occurrence of `marked_word` (which holds `‸`)."""
    return ONBOARD.replace(marked_word.replace("‸", ""), marked_word, 1)


def test_a_variable_shows_its_declaration_and_type(workflows: Path) -> None:
    assert hover_text(at("let rec‸eipt"), workflows / "onboard.flow") == (
        "```flow\nlet receipt: { id: string }\n```"
    )


def test_a_variable_shows_its_narrowed_type_where_it_is_used() -> None:
    text = (
        "```\ninputs:\n  nick?: string\n```\n"
        "const nick = Inputs.nick\n"
        "if (nick != null) {\n  return nick.length\n}\nreturn nick\n"
    )
    declared = text.replace("const nick", "const ni‸ck")
    assert hover_text(declared) == "```flow\nconst nick: string | null\n```"
    checked = text.replace("return nick.length", "return ni‸ck.length")
    assert hover_text(checked) == "```flow\nconst nick: string\n```"
    after = text.replace("return nick\n", "return ni‸ck\n")
    assert hover_text(after) == "```flow\nconst nick: null\n```"


def test_builtins_show_signature_documentation_and_example() -> None:
    floor = hover_text("let x = Math.fl‸oor(2.5)\nreturn x\n")
    assert floor is not None
    assert floor.startswith("```flow\nMath.floor(x: number): number\n```\n\nRounds down.")
    namespace = hover_text("let x = Ma‸th.floor(2.5)\nreturn x\n")
    assert namespace is not None and namespace.startswith("```flow\nnamespace Math\n```")
    method = hover_text('return "a b".spl‸it(" ")\n')
    assert method is not None and method.startswith(
        "```flow\nstring.split(sep?: string, limit?: number): string[]\n```"
    )


def test_inputs_shows_the_front_matter_type(workflows: Path) -> None:
    shown = hover_text(at("} = Inp‸uts"), workflows / "onboard.flow")
    assert shown is not None
    assert shown.startswith("```flow\nInputs: { user_id: string, email: string }\n```")


def test_a_task_name_shows_the_task(workflows: Path) -> None:
    shown = hover_text(at('"send-‸email"'), workflows / "onboard.flow")
    tasks_py = (workflows.parent / "app" / "tasks.py").as_uri()
    assert shown == (
        '```flow\ntask "send-email"\n  inputs: { to: string, body?: string }\n'
        "  result: { id: string }\n  queue: default\n```\n\nSend one email.\n\n"
        f"Defined in [app/tasks.py:4]({tasks_py}#L4)"
    )


def test_a_workflow_name_shows_the_child_workflow(workflows: Path) -> None:
    shown = hover_text(at('"cha‸rge"'), workflows / "onboard.flow")
    assert shown is not None
    assert shown.startswith(
        '```flow\nworkflow "charge"\n  inputs: { amount: number }\n'
        "  output: { charged: boolean }\n```"
    )
    assert "[workflows/charge.flow:1]" in shown


def test_a_signal_name_shows_its_payload(workflows: Path) -> None:
    assert hover_text(at('Signal.next("appr‸oval")'), workflows / "onboard.flow") == (
        '```flow\nsignal "approval"\n  payload: { approved: boolean, approver: string }\n```'
    )


def test_a_property_and_an_expression_show_their_types(workflows: Path) -> None:
    assert hover_text(at("receipt.i‸d"), workflows / "onboard.flow") == (
        "```flow\n(property) id: string\n```"
    )
    assert hover_text("let x = 1 ‸+ 2\nreturn x\n") == "```flow\nnumber\n```"


def test_types_come_from_the_last_good_parse_while_the_text_is_broken(workflows: Path) -> None:
    session = Session(ONBOARD, workflows / "onboard.flow")
    broken, offset = cursor(ONBOARD.replace("let rec", "let rec‸") + "let broken = (\n")
    session.type(broken.replace("let rec", "let rec‸", 1))
    session.analyze()
    assert session.document.latest is not None and not session.document.latest.parsed_cleanly
    found = hover(session.view(), offset)
    assert found is not None and isinstance(found.contents, types.MarkupContent)
    assert found.contents.value == "```flow\nlet receipt: { id: string }\n```"


@pytest.mark.asyncio
@pytest.mark.timeout(60)
async def test_hover_over_stdio(client: FlowClient, workflows: Path) -> None:
    text, offset = cursor(at("let rec‸eipt"))
    uri = open_file(client, workflows / "onboard.flow", text)
    await published(client, uri, 1)
    found = await client.text_document_hover_async(
        types.HoverParams(identifier(uri), position(text, offset))
    )
    assert found is not None and isinstance(found.contents, types.MarkupContent)
    assert found.contents.value == "```flow\nlet receipt: { id: string }\n```"
    line = text[:offset].count("\n")
    assert found.range == types.Range(types.Position(line, 4), types.Position(line, 11))
