"""Checks against what is outside the file (LANGUAGE.md §11.5): the task catalog (FLOW301–304,
typed results), the workflow set (FLOW305, child inputs and outputs), declared signals."""

from __future__ import annotations

import pytest
from check_helpers import codes, covered, diagnostics, only, type_check

from flowlang.compiler.environment import Environment, TaskSignature, WorkflowSignature
from flowlang.compiler.types import (
    NUMBER,
    STRING,
    ArrayType,
    Field,
    ObjectType,
    display,
)

EMAIL_INPUTS = ObjectType(
    (Field("to", STRING), Field("subject", STRING), Field("cc", ArrayType(STRING), optional=True))
)
RECEIPT = ObjectType((Field("id", STRING), Field("amount", NUMBER)))
CATALOG = Environment(
    tasks={
        "send_email": TaskSignature("send_email", inputs=EMAIL_INPUTS),
        "charge": TaskSignature(
            "charge", inputs=ObjectType((Field("amount", NUMBER),)), result=RECEIPT
        ),
        "log_event": TaskSignature("log_event", inputs=ObjectType((), NUMBER)),
    }
)
WORKFLOWS = Environment(
    workflows={
        "charge_payment": WorkflowSignature(
            "charge_payment",
            inputs=ObjectType((Field("orderId", STRING),)),
            output=ObjectType((Field("chargeId", STRING),)),
        ),
        "untyped": WorkflowSignature("untyped"),
    }
)

CATALOG_CASES = [
    ('await Task.run("send_emial", { to: "a", subject: "b" })', ["FLOW301"]),
    ('await Task.run("send_email", { to: "a", subject: "b" })', []),
    ('await Task.run("send_email", { to: "a" })', ["FLOW302"]),
    ('await Task.run("send_email")', ["FLOW302"]),
    ('await Task.run("send_email", { to: "a", subject: "b", cc: ["c"] })', []),
    ('await Task.run("send_email", { to: "a", subject: "b", cc: null })', []),
    ('await Task.run("send_email", { to: "a", subject: "b", bcc: [] })', ["FLOW303"]),
    ('await Task.run("charge", { amount: "5" })', ["FLOW304"]),
    ('await Task.run("charge", { amount: Inputs.amount })', []),
    ('await Task.run("charge", Inputs.payload)', []),
    ('await Task.run("charge", { ...Inputs.payload })', []),
    ('await Task.run("log_event", { anything: 1 })', []),
    ('await Task.run("log_event", { anything: "x" })', ["FLOW304"]),
    ('let name = "charge"\nawait Task.run(name, { amount: "5" })', []),
    ('let r = await Task.run("charge", { amount: 1 })\nreturn r.amout', ["FLOW204"]),
    ('let r = await Task.run("charge", { amount: 1 })\nreturn r.amount', []),
    ('let r = Task.run("charge", { amount: 1 })\nreturn r.amount', ["FLOW206"]),
    (
        'let t = Task.run("charge", { amount: 1 })\nawait Task.run("log_event", { t: 1, p: t })',
        ["FLOW206"],
    ),
]


@pytest.mark.parametrize(("text", "expected"), CATALOG_CASES)
def test_task_calls_are_checked_against_the_catalog(text: str, expected: list[str]) -> None:
    assert codes(text, CATALOG) == expected


def test_without_a_catalog_task_names_and_results_are_not_checked() -> None:
    assert codes('let r = await Task.run("send_emial", { x: 1 })\nreturn r.anything') == []


def test_a_typo_in_a_task_name_is_one_error_with_a_suggestion() -> None:
    text = 'await Task.run("send_emial", { to: "a", subject: "b" })'
    found = only(text, "FLOW301", CATALOG)
    assert found.message == "unknown task `send_emial`"
    assert found.help == "did you mean `send_email`?"
    assert covered(text, found) == '"send_emial"'


def test_a_typo_in_an_input_field_is_one_error_not_also_a_missing_field() -> None:
    text = 'await Task.run("send_email", { to: "a", subjct: "b" })'
    found = only(text, "FLOW303", CATALOG)
    assert found.message == "task `send_email` has no input `subjct`"
    assert found.help == "did you mean `subject`?"
    assert covered(text, found) == "subjct"


def test_a_typo_in_a_result_property_is_one_error_with_a_suggestion() -> None:
    text = 'let r = await Task.run("charge", { amount: 1 })\nreturn r.amout'
    found = only(text, "FLOW204", CATALOG)
    assert found.help == "did you mean `amount`?"


def test_a_task_result_used_without_await_is_one_error() -> None:
    text = 'let r = Task.run("charge", { amount: 1 })\nreturn r.amount'
    found = only(text, "FLOW206", CATALOG)
    assert found.message == "`r` is a promise: did you forget `await`?"
    assert found.help == "write `(await r).amount`"


def test_a_missing_input_names_the_field_and_its_type() -> None:
    found = only('await Task.run("send_email", { to: "a" })', "FLOW302", CATALOG)
    assert found.message == "missing required input `subject` of task `send_email`"
    assert found.help == "add subject: string"


def test_the_awaited_result_has_the_catalog_result_type() -> None:
    checked = type_check('const r = await Task.run("charge", { amount: 1 })\nreturn r', CATALOG)
    assert "{ id: string, amount: number }" in {display(t) for t in checked.types.values()}


WORKFLOW_CASES = [
    ('await Workflow.run("chrage_payment", { orderId: "1" })', ["FLOW305"]),
    ('await Workflow.run("charge_payment", { orderId: "1" })', []),
    ('await Workflow.run("charge_payment", {})', ["FLOW302"]),
    ('await Workflow.run("charge_payment", { orderId: 1 })', ["FLOW304"]),
    ('await Workflow.run("charge_payment", { orderId: "1", extra: 1 })', ["FLOW303"]),
    (
        'let c = await Workflow.run("charge_payment", { orderId: "1" })\nreturn c.chargeID',
        ["FLOW204"],
    ),
    ('let u = await Workflow.run("untyped", { any: 1 })\nreturn u.whatever', []),
]


@pytest.mark.parametrize(("text", "expected"), WORKFLOW_CASES)
def test_child_workflows_are_checked_against_the_set(text: str, expected: list[str]) -> None:
    assert codes(text, WORKFLOWS) == expected


def test_without_a_workflow_set_child_names_are_not_checked() -> None:
    assert codes('await Workflow.run("chrage_payment", {})') == []


def test_a_declared_signal_types_its_payload() -> None:
    text = (
        '```yaml\nsignals:\n  approval: "{ approved: boolean }"\n```\n'
        'let d = await Signal.next("approval")\nreturn d.aproved'
    )
    found = only(text, "FLOW204")
    assert found.help == "did you mean `approved`?"


def test_an_undeclared_signal_suggests_the_declared_one() -> None:
    text = '```yaml\nsignals:\n  approval: "{ ok: boolean }"\n```\nawait Signal.next("aproval")'
    (found,) = diagnostics(text)
    assert found.code == "FLOW307"
    assert found.help == "did you mean `approval`?"
