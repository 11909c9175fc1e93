"""Completion: keywords, variables in scope, builtins with their documentation, task, workflow
and signal names, input and option fields, `Inputs` fields and members of typed values."""

from __future__ import annotations

from pathlib import Path

import pytest
from lsp_helpers import (
    ONBOARD,
    FlowClient,
    Session,
    change_file,
    identifier,
    open_file,
    position,
    published,
)
from lsprotocol import types

from flowlang.lsp.completion import completion

AFTER_RETURN = "const { user_id, email } = Inputs\n"


def labels(result: types.CompletionList | None) -> list[str]:
    assert result is not None
    return [item.label for item in result.items]


def complete_while_typing(session: Session, marked: str) -> types.CompletionList | None:
    """Completion at the cursor of `marked`, typed after the last analysis (as it happens)."""
    offset = session.type(marked)
    return completion(session.view(), offset)


@pytest.fixture
def onboard(workflows: Path) -> Session:
    return Session(ONBOARD, workflows / "onboard.flow")


def typed_at_the_end(text: str) -> str:
    return ONBOARD + text + "‸"


def test_names_are_keywords_builtins_and_the_variables_in_scope(onboard: Session) -> None:
    marked = ONBOARD.replace("  return {", "  ‸\n  return {")
    found = complete_while_typing(onboard, marked)
    names = labels(found)
    assert {"let", "await", "return", "typeof"} <= set(names)
    assert {"Task", "Math", "Inputs", "String"} <= set(names)
    assert {"user_id", "email", "receipt", "approval"} <= set(names)
    assert "charge" not in names  # declared below the cursor
    assert found is not None
    [receipt] = [item for item in found.items if item.label == "receipt"]
    assert receipt.detail == "let receipt: { id: string }"
    assert receipt.kind == types.CompletionItemKind.Variable


def test_a_block_variable_is_not_offered_after_its_block(tmp_path: Path) -> None:
    session = Session("for (const item of [1, 2]) {\n  let inner = item\n}\nreturn null\n")
    inside = labels(
        complete_while_typing(
            session, "for (const item of [1, 2]) {\n  let inner = item\n  ‸\n}\nreturn null\n"
        )
    )
    assert {"item", "inner"} <= set(inside)
    after = labels(
        complete_while_typing(
            session, "for (const item of [1, 2]) {\n  let inner = item\n}\n‸\nreturn null\n"
        )
    )
    assert "item" not in after and "inner" not in after


def test_namespace_members_come_with_signature_and_documentation(onboard: Session) -> None:
    found = complete_while_typing(onboard, typed_at_the_end("let n = Math.fl"))
    assert labels(found)[:3] == ["floor", "ceil", "trunc"]
    assert found is not None
    floor = found.items[0]
    assert floor.kind == types.CompletionItemKind.Function
    assert floor.detail == "Math.floor(x: number): number"
    assert isinstance(floor.documentation, types.MarkupContent)
    assert "Math.floor(-3.2) → -4" in floor.documentation.value


def test_inputs_fields_come_from_the_front_matter(onboard: Session) -> None:
    assert labels(complete_while_typing(onboard, typed_at_the_end("let e = Inputs."))) == [
        "user_id",
        "email",
    ]


def test_members_of_a_typed_value(onboard: Session) -> None:
    assert labels(complete_while_typing(onboard, typed_at_the_end("let i = receipt."))) == ["id"]
    assert labels(complete_while_typing(onboard, typed_at_the_end("let a = approval?.appr"))) == [
        "approved",
        "approver",
    ]
    methods = labels(complete_while_typing(onboard, typed_at_the_end("let u = user_id.")))
    assert {"length", "slice", "toUpperCase"} <= set(methods)
    assert "push" not in methods


def test_task_names_inside_task_run(onboard: Session) -> None:
    found = complete_while_typing(onboard, typed_at_the_end('await Task.run("se'))
    assert labels(found) == ["charge-card", "send-email"]
    assert found is not None
    send_email = found.items[1]
    assert send_email.detail is not None and send_email.detail.startswith('Task.run("send-email"')
    assert isinstance(send_email.documentation, types.MarkupContent)
    assert "Send one email." in send_email.documentation.value
    assert isinstance(send_email.text_edit, types.TextEdit)
    line = ONBOARD.count("\n")
    column = len('await Task.run("')
    assert send_email.text_edit.range == types.Range(
        types.Position(line, column), types.Position(line, column + 2)
    )


def test_the_rest_of_a_name_being_corrected_is_replaced(onboard: Session) -> None:
    found = complete_while_typing(onboard, ONBOARD + 'await Task.run("se‸nd-emial")\n')
    assert found is not None
    edit = found.items[0].text_edit
    assert isinstance(edit, types.TextEdit)
    assert edit.range.end.character - edit.range.start.character == len("send-emial")


def test_workflow_and_signal_names(onboard: Session) -> None:
    assert labels(complete_while_typing(onboard, typed_at_the_end('await Workflow.run("'))) == [
        "charge",
        "onboard",
    ]
    assert labels(complete_while_typing(onboard, typed_at_the_end("await Signal.next('"))) == [
        "approval"
    ]


def test_input_fields_of_the_called_task_required_first(onboard: Session) -> None:
    found = complete_while_typing(onboard, typed_at_the_end('await Task.run("send-email", { '))
    assert labels(found) == ["to", "body"]
    assert found is not None
    assert [item.detail for item in found.items] == ["to: string", "body?: string"]
    assert labels(
        complete_while_typing(
            onboard, typed_at_the_end('await Task.run("send-email", { to: email, ')
        )
    ) == ["body"]
    assert labels(
        complete_while_typing(onboard, typed_at_the_end('await Workflow.run("charge", { '))
    ) == ["amount"]


def test_option_fields_of_task_run(onboard: Session) -> None:
    found = complete_while_typing(
        onboard, typed_at_the_end('await Task.run("send-email", {}, { ret')
    )
    assert {"retries", "retryDelay", "timeout", "queue"} <= set(labels(found))


@pytest.mark.parametrize(
    "typed",
    [
        "// Math.",
        '/* Task.run("',
        "let ",
        'let s = "Math.',
        "let s = `Math.",
    ],
    ids=["line comment", "block comment", "a new name", "another string", "template text"],
)
def test_nothing_is_offered_where_nothing_can_be_completed(onboard: Session, typed: str) -> None:
    assert complete_while_typing(onboard, typed_at_the_end(typed)) is None


def test_a_template_substitution_is_code(onboard: Session) -> None:
    assert labels(complete_while_typing(onboard, typed_at_the_end("let s = `for ${receipt."))) == [
        "id"
    ]


def test_nothing_is_offered_in_the_front_matter(onboard: Session) -> None:
    assert complete_while_typing(onboard, ONBOARD.replace("  email", "  em‸ail")) is None


@pytest.mark.asyncio
@pytest.mark.timeout(60)
async def test_completion_over_stdio_answers_before_the_edit_is_analysed(
    client: FlowClient, workflows: Path
) -> None:
    uri = open_file(client, workflows / "onboard.flow", ONBOARD)
    await published(client, uri, 1)
    text = ONBOARD + 'await Task.run("'
    change_file(client, uri, 2, text)
    result = await client.text_document_completion_async(
        types.CompletionParams(identifier(uri), position(text, len(text)))
    )
    assert isinstance(result, types.CompletionList)
    assert [item.label for item in result.items] == ["charge-card", "send-email"]


def test_members_right_after_a_name_the_last_analysis_ended_with() -> None:
    """Typing `.` just after `Promise`, analysed as a statement of its own: the statement the
    edit touches is lexed again, so the receiver is seen."""
    session = Session("let x = 1\nPromise\n")
    found = complete_while_typing(session, "let x = 1\nPromise.‸\n")
    assert {"all", "race", "allSettled"} <= set(labels(found))
