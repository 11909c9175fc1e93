"""Signature help for builtin functions, namespace members, methods and tasks."""

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

from flowlang.lsp.signature_help import signature_help


def help_at(session: Session, marked: str) -> types.SignatureHelp | None:
    offset = session.type(marked)
    return signature_help(session.view(), offset)


@pytest.fixture
def onboard(workflows: Path) -> Session:
    return Session(ONBOARD, workflows / "onboard.flow")


def labels(found: types.SignatureHelp | None) -> list[str]:
    assert found is not None
    return [signature.label for signature in found.signatures]


def test_a_builtin_with_its_active_parameter(onboard: Session) -> None:
    found = help_at(onboard, ONBOARD + "let t = await Timer.delay(‸")
    assert labels(found) == ["Timer.delay(d: number | string): Promise<null>"]
    assert found is not None and found.active_parameter == 0
    [signature] = found.signatures
    assert signature.parameters is not None
    start, end = signature.parameters[0].label  # type: ignore[misc]
    assert signature.label[start:end] == "d: number | string"


def test_a_rest_parameter_takes_every_further_argument(onboard: Session) -> None:
    found = help_at(onboard, ONBOARD + "let m = Math.max(1, 2, ‸")
    assert labels(found) == ["Math.max(...xs: number): number"]
    assert found is not None and found.active_parameter == 0


def test_a_task_call_shows_the_task_and_follows_nested_objects(onboard: Session) -> None:
    found = help_at(onboard, ONBOARD + 'await Task.run("send-email", { to: [email, ‸')
    assert labels(found) == [
        'Task.run("send-email", inputs: { to: string, body?: string }, options?: '
        "{ queue?: string, priority?: number, retries?: number, retryDelay?: number | string, "
        "timeout?: number | string, idempotencyKey?: string }): Promise<{ id: string }>"
    ]
    assert found is not None and found.active_parameter == 1
    documentation = found.signatures[0].documentation
    assert isinstance(documentation, types.MarkupContent)
    assert "Send one email." in documentation.value


def test_a_method_of_a_typed_receiver(onboard: Session) -> None:
    found = help_at(onboard, ONBOARD + "let s = receipt.id.slice(0, ‸")
    assert labels(found) == ["string.slice(start?: number, end?: number): string"]
    assert found is not None and found.active_parameter == 1


def test_a_method_of_an_unknown_receiver_shows_every_method_of_that_name(
    onboard: Session,
) -> None:
    assert labels(help_at(onboard, ONBOARD + "let s = somethingNew.slice(‸")) == [
        "array.slice(start?: number, end?: number): any[]",
        "string.slice(start?: number, end?: number): string",
    ]


def test_no_signature_outside_calls(onboard: Session) -> None:
    assert help_at(onboard, ONBOARD + "if (‸") is None
    assert help_at(onboard, ONBOARD + "let x = (1 + ‸") is None
    assert help_at(onboard, ONBOARD + "let x = unknownFunction(‸") is None


@pytest.mark.asyncio
@pytest.mark.timeout(60)
async def test_signature_help_over_stdio(client: FlowClient, workflows: Path) -> None:
    uri = open_file(client, workflows / "onboard.flow", ONBOARD)
    await published(client, uri, 1)
    text = ONBOARD + "let n = Math.floor("
    change_file(client, uri, 2, text)
    found = await client.text_document_signature_help_async(
        types.SignatureHelpParams(identifier(uri), position(text, len(text)))
    )
    assert found is not None
    assert [s.label for s in found.signatures] == ["Math.floor(x: number): number"]
