"""The workflow set: signatures from front matter, duplicate names, partial sets."""

from __future__ import annotations

from flowlang.compiler.analysis import prepare
from flowlang.compiler.environment import WorkflowSignature
from flowlang.compiler.frontmatter import FrontMatter
from flowlang.compiler.types import NUMBER, STRING, Field, ObjectType
from flowlang.compiler.workflow_set import (
    Member,
    PartialWorkflowSet,
    analyze_together,
    build_workflow_set,
    workflow_name,
)

CHARGE = """```yaml
name: charge
inputs:
  orderId: string
output: "{ chargeId: string, amount: number }"
```
return { chargeId: Inputs.orderId, amount: 1 }
"""


def member(text: str, path: str) -> Member:
    return Member(path, prepare(text, path=path).front_matter)


def test_the_name_is_the_front_matter_name_else_the_file_stem() -> None:
    assert workflow_name(FrontMatter(name="charge"), "flows/pay.flow") == "charge"
    assert workflow_name(FrontMatter(), "flows/pay.flow") == "pay"


def test_a_signature_has_the_types_of_the_front_matter() -> None:
    workflow_set = build_workflow_set([member(CHARGE, "flows/pay.flow")])

    assert workflow_set.signatures == {
        "charge": WorkflowSignature(
            name="charge",
            inputs=ObjectType((Field("orderId", STRING),)),
            output=ObjectType((Field("chargeId", STRING), Field("amount", NUMBER))),
            path="flows/pay.flow",
        )
    }
    assert workflow_set.diagnostics == {}


def test_without_front_matter_types_are_left_unstated() -> None:
    workflow_set = build_workflow_set([member("return 1\n", "notify.flow")])

    assert workflow_set.signatures == {"notify": WorkflowSignature("notify", path="notify.flow")}


def test_a_name_used_twice_is_flow309_on_the_later_file_and_the_first_keeps_it() -> None:
    first = member(CHARGE, "a/charge.flow")
    second_text = "```yaml\nname: charge\n```\nreturn 1\n"
    second = member(second_text, "b/other.flow")

    workflow_set = build_workflow_set([first, second])

    assert workflow_set.signatures["charge"].path == "a/charge.flow"
    [problem] = workflow_set.diagnostics["b/other.flow"]
    assert problem.code == "FLOW309"
    assert problem.message == "workflow name `charge` is already used by `a/charge.flow`"
    assert second_text[problem.span.start : problem.span.end] == "charge"
    assert problem.help == "give this workflow another `name` in its front matter"


def test_a_stem_used_twice_points_at_the_start_of_the_file() -> None:
    workflow_set = build_workflow_set(
        [member("return 1\n", "a/charge.flow"), member("return 2\n", "b/charge.flow")]
    )

    [problem] = workflow_set.diagnostics["b/charge.flow"]
    assert (problem.span.start, problem.label) == (0, "named `charge` after its file")
    assert problem.help is not None and "rename the file" in problem.help


def test_a_partial_set_types_its_members_and_answers_every_other_name_untyped() -> None:
    known = WorkflowSignature("charge", inputs=ObjectType(()))
    workflows = PartialWorkflowSet({"charge": known})

    assert workflows["charge"] is known
    assert workflows.get("elsewhere") == WorkflowSignature("elsewhere")
    assert "elsewhere" in workflows
    assert list(workflows) == ["charge"] and len(workflows) == 1


def test_analyze_together_adds_the_set_diagnostics_to_their_file() -> None:
    files = [
        prepare(CHARGE, path="charge.flow"),
        prepare("```yaml\nname: charge\n```\nreturn 1\n", path="copy.flow"),
    ]

    first, second = analyze_together(files, tasks=None, complete_set=True)

    assert first.diagnostics == ()
    assert [d.code for d in second.diagnostics] == ["FLOW309"]
