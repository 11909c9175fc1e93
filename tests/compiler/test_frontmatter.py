"""Front matter (LANGUAGE.md §3.3, §4.4): keys, types in YAML, FLOW011/FLOW012/FLOW309 and spans."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flowlang.compiler.ast import FrontMatterBlock
from flowlang.compiler.diagnostics import Diagnostic
from flowlang.compiler.frontmatter import EMPTY, FrontMatter, read_front_matter
from flowlang.compiler.source import Span
from flowlang.compiler.typesyntax import (
    ArrayType,
    Field,
    LiteralType,
    ObjectType,
    PrimitiveType,
    TypeExpr,
    UnionType,
    parse_type,
)

EXPENSE_APPROVAL = """\
```yaml
name: expense_approval
description: Validate, wait for a manager (24 h), then pay.
queue: finance
inputs:
  requestId: string
  amount: number
  tier: "'standard' | 'priority'"
  note?: string
output: "{ status: 'paid' | 'rejected', paymentId?: string }"
signals:
  manager-approval: "{ approved: boolean, approver: string }"
```
const { requestId, amount } = Inputs
"""

TYPES_IN_YAML = """\
```yaml
inputs:
  ids: string[]                          # plain YAML scalar
  mode: "'fast' | 'safe'"               # literal types inside a quoted string
  limits: "{ max: number, min?: number }"
  owner:                                 # nested mapping = object type
    email: string
    team?: string | null
```
"""


def block_of(source: str) -> FrontMatterBlock:
    """The block the parser would produce for a file that starts with a fence."""
    head = source.index("```") + 3
    if source.startswith("yaml", head):
        head += 4
    close = source.index("```", head)
    return FrontMatterBlock(Span(0, close + 3), source[head:close], Span(head, close))


def read(source: str) -> tuple[FrontMatter, list[Diagnostic]]:
    return read_front_matter(block_of(source))


def fenced(yaml_text: str) -> str:
    return f"```yaml\n{yaml_text}\n```\nreturn 1\n"


def only_error(source: str, code: str) -> tuple[Diagnostic, str]:
    """The one diagnostic of `source`, checked to have `code`, and the text it underlines."""
    _, diagnostics = read(source)
    assert [d.code for d in diagnostics] == [code], diagnostics
    error = diagnostics[0]
    return error, source[error.span.start : error.span.end]


def without_spans(type_expr: TypeExpr, source: str) -> TypeExpr:
    """The type parsed again from its own text: the same tree when spans were mapped right."""
    text = source[type_expr.span.start : type_expr.span.end]
    reparsed, _ = parse_type(text, base=type_expr.span.start)
    assert reparsed is not None
    return reparsed


# ----------------------------------------------------------------------------- reading


def test_no_block_is_the_empty_front_matter() -> None:
    assert read_front_matter(None) == (EMPTY, [])
    assert EMPTY.signals is None and EMPTY.inputs is None and EMPTY.span is None


@pytest.mark.parametrize("yaml_text", ["", "\n\n", "# only a comment"])
def test_empty_yaml_declares_nothing(yaml_text: str) -> None:
    source = fenced(yaml_text)
    front_matter, diagnostics = read(source)
    assert diagnostics == []
    assert front_matter == FrontMatter(span=block_of(source).span)


def test_example_of_section_3_3() -> None:
    front_matter, diagnostics = read(EXPENSE_APPROVAL)
    assert diagnostics == []
    assert front_matter.name == "expense_approval"
    assert front_matter.description == "Validate, wait for a manager (24 h), then pay."
    assert front_matter.queue == "finance"

    inputs = front_matter.inputs
    assert isinstance(inputs, ObjectType) and inputs.index is None
    assert [(f.name, f.optional) for f in inputs.fields] == [
        ("requestId", False),
        ("amount", False),
        ("tier", False),
        ("note", True),
    ]
    tier = inputs.fields[2].type
    assert isinstance(tier, UnionType)
    assert [m.value for m in tier.members if isinstance(m, LiteralType)] == ["standard", "priority"]

    output = front_matter.output
    assert isinstance(output, ObjectType)
    assert [(f.name, f.optional) for f in output.fields] == [("status", False), ("paymentId", True)]

    assert front_matter.signals is not None
    payload = front_matter.signals["manager-approval"]
    assert isinstance(payload, ObjectType)
    assert [f.name for f in payload.fields] == ["approved", "approver"]


def test_spans_of_types_point_into_the_file() -> None:
    source = EXPENSE_APPROVAL
    front_matter, _ = read(source)
    assert front_matter.inputs is not None and front_matter.output is not None
    tier = front_matter.inputs.fields[2]
    assert source[tier.name_span.start : tier.name_span.end] == "tier"
    assert source[tier.type.span.start : tier.type.span.end] == "'standard' | 'priority'"
    output = front_matter.output
    assert source[output.span.start : output.span.end].startswith("{ status:")
    assert without_spans(output, source) == output


def test_key_value_and_signal_spans() -> None:
    source = EXPENSE_APPROVAL
    front_matter, _ = read(source)

    def text(span: Span) -> str:
        return source[span.start : span.end]

    assert {key: text(span) for key, span in front_matter.key_spans.items()} == {
        "name": "name",
        "description": "description",
        "queue": "queue",
        "inputs": "inputs",
        "output": "output",
        "signals": "signals",
    }
    assert text(front_matter.value_spans["queue"]) == "finance"
    assert text(front_matter.value_spans["inputs"]).endswith("note?: string")
    assert text(front_matter.signal_spans["manager-approval"]) == "manager-approval"
    assert front_matter.span == Span(0, source.index("```\nconst") + 3)


def test_example_of_section_4_4() -> None:
    source = TYPES_IN_YAML
    front_matter, diagnostics = read(source)
    assert diagnostics == []
    inputs = front_matter.inputs
    assert isinstance(inputs, ObjectType)
    ids, mode, limits, owner = inputs.fields
    assert isinstance(ids.type, ArrayType) and ids.type.element == PrimitiveType(
        "string", ids.type.element.span
    )
    assert isinstance(mode.type, UnionType)
    assert source[mode.type.span.start : mode.type.span.end] == "'fast' | 'safe'"
    assert isinstance(limits.type, ObjectType)
    assert [(f.name, f.optional) for f in limits.type.fields] == [("max", False), ("min", True)]
    assert isinstance(owner.type, ObjectType)
    email, team = owner.type.fields
    assert email == Field(
        "email", False, PrimitiveType("string", email.type.span), email.span, email.name_span
    )
    assert team.optional and isinstance(team.type, UnionType)
    assert source[team.span.start : team.span.end] == "team?: string | null"


def test_flow_mapping_and_index_signature_key_spell_object_types() -> None:
    source = fenced("inputs: {id: string, '[key: string]': number}\noutput: {}")
    front_matter, diagnostics = read(source)
    assert diagnostics == []
    assert front_matter.inputs is not None and front_matter.inputs.index is not None
    assert front_matter.inputs.index.key == "key"
    assert [f.name for f in front_matter.inputs.fields] == ["id"]
    assert isinstance(front_matter.output, ObjectType)
    assert front_matter.output.fields == () and front_matter.output.index is None


def test_empty_signals_mapping_declares_no_signals() -> None:
    front_matter, diagnostics = read(fenced("signals: {}"))
    assert diagnostics == [] and front_matter.signals == {}


def test_quoted_type_with_escapes_reports_on_the_whole_scalar() -> None:
    source = fenced('output: "\\u0041 | numbr"')
    error, underlined = only_error(source, "FLOW012")
    assert underlined == '"\\u0041 | numbr"'


# ----------------------------------------------------------------------------- FLOW011


@pytest.mark.parametrize(
    ("yaml_text", "message", "underlined"),
    [
        (
            "name: [",
            "invalid YAML: expected the node content, but found the end of the front matter",
            "[",
        ),
        (
            "description: Validate: then pay",
            "invalid YAML: mapping values are not allowed here",
            ":",
        ),
        ("- a\n- b", "front matter must be a YAML mapping, found a list", "- a\n- b"),
        ("just text", "front matter must be a YAML mapping, found a string", "just text"),
        (
            "a: 1\n---\nb: 2",
            "invalid YAML: expected a single document in the stream, but found another document",
            "-",
        ),
        ("name: &n x", "YAML anchors are not allowed in front matter", "&n"),
        ("name: !!str 3", "YAML tags are not allowed in front matter", "!!str"),
        (
            "inputs:\n\ta: string",
            "invalid YAML: found character `\\t` that cannot start any token",
            "\t",
        ),
        ("name: \x07", "the character U+0007 is not allowed in front matter", "\x07"),
    ],
)
def test_malformed_yaml(yaml_text: str, message: str, underlined: str) -> None:
    error, text = only_error(fenced(yaml_text), "FLOW011")
    assert error.message == message
    assert text == underlined


def test_aliases_are_refused_with_their_anchor() -> None:
    source = fenced("name: &n x\ndescription: *n")
    _, diagnostics = read(source)
    assert [d.message for d in diagnostics] == [
        "YAML anchors are not allowed in front matter",
        "YAML aliases are not allowed in front matter",
    ]
    alias = diagnostics[1].span
    assert source[alias.start : alias.end] == "*n"


def test_duplicate_key_keeps_the_first_and_labels_it() -> None:
    source = fenced("name: a\nqueue: q\nname: b")
    front_matter, diagnostics = read(source)
    assert front_matter.name == "a" and front_matter.queue == "q"
    [error] = diagnostics
    assert (error.code, error.message) == ("FLOW011", "duplicate front-matter key `name`")
    assert error.span.start == source.index("name: b")
    assert error.labels[0].span.start == source.index("name: a")


def test_duplicate_field_key_in_a_type_mapping_is_a_yaml_duplicate() -> None:
    error, text = only_error(fenced("inputs:\n  a: string\n  a: number"), "FLOW011")
    assert error.message == "duplicate field `a`"
    assert text == "a"


def test_duplicate_signal_is_a_yaml_duplicate() -> None:
    error, _ = only_error(fenced("signals:\n  go: string\n  go: number"), "FLOW011")
    assert error.message == "duplicate signal `go`"


def test_unquoted_type_with_yaml_syntax_gets_quoting_help() -> None:
    error, _ = only_error(fenced("output: { status: 'paid' | 'rejected' }"), "FLOW011")
    assert (
        error.help
        == "if this is one value, quote it: `output: \"{ status: 'paid' | 'rejected' }\"`"
    )


def test_tab_indentation_gets_help() -> None:
    error, _ = only_error(fenced("inputs:\n\ta: string"), "FLOW011")
    assert error.help == "indent with spaces: YAML does not allow tabs"


# ----------------------------------------------------------------------------- FLOW012


def test_type_errors_in_strings_point_at_the_character() -> None:
    source = fenced('inputs: "{n: numbr[}"')
    error, text = only_error(source, "FLOW012")
    assert (error.message, error.help, text) == (
        "unknown type `numbr`",
        "did you mean `number`?",
        "numbr",
    )


def test_type_errors_in_plain_and_nested_scalars_point_at_the_character() -> None:
    source = fenced("inputs:\n  owner:\n    team?: strng | null")
    error, text = only_error(source, "FLOW012")
    assert text == "strng"


def test_optional_and_required_spellings_of_one_field_are_a_duplicate_field() -> None:
    source = fenced("inputs:\n  c?: string\n  c: number")
    error, text = only_error(source, "FLOW012")
    assert error.message == "duplicate field `c`"
    assert text == "c" and source[error.labels[0].span.start :].startswith("c?")


def test_two_index_signature_keys_are_reported() -> None:
    source = fenced("inputs:\n  '[a: string]': any\n  '[b: string]': number")
    error, _ = only_error(source, "FLOW012")
    assert error.message == "more than one index signature"


def test_invalid_types_leave_the_key_unset_but_keep_the_others() -> None:
    front_matter, diagnostics = read(fenced("name: ok\noutput: 'numbr'"))
    assert front_matter.name == "ok" and front_matter.output is None
    assert [d.code for d in diagnostics] == ["FLOW012"]


# ----------------------------------------------------------------------------- FLOW309


@pytest.mark.parametrize(
    ("yaml_text", "message", "underlined", "help"),
    [
        (
            "timeout: 5",
            "unknown front-matter key `timeout`",
            "timeout",
            '`timeout` is an option of each task call: `Task.run("name", inputs, { timeout: … })`',
        ),
        (
            "outputs: string",
            "unknown front-matter key `outputs`",
            "outputs",
            "did you mean `output`?",
        ),
        ("version: 2", "unknown front-matter key `version`", "version", None),
        (
            "queue: 3",
            "`queue` must be a string, found a number",
            "3",
            'quote it so YAML reads it as text: `queue: "3"`',
        ),
        ("queue: ''", "`queue` must not be empty", "''", None),
        ("name: true", "`name` must be a string, found a boolean", "true", None),
        ("name:", "`name` must be a string, found nothing", "name", "write a value after `name:`"),
        ("description: [a]", "`description` must be a string, found a list", "[a]", None),
        (
            "output: 42",
            "`output` must be a type, found a number",
            "42",
            'quote it so YAML reads it as a type: `output: "42"`',
        ),
        (
            "output: null",
            "`output` must be a type, found null",
            "null",
            'quote it so YAML reads it as a type: `output: "null"`',
        ),
        (
            "output: [string, number]",
            "`output` must be a type, found a list",
            "[string, number]",
            None,
        ),
        ("inputs: string", "`inputs` must be an object type, found `string`", "string", None),
        (
            'inputs: "{a: string}[]"',
            "`inputs` must be an object type, found an array type",
            "{a: string}[]",
            None,
        ),
        (
            "inputs:\n  n: 3",
            "field `n` must be a type, found a number",
            "3",
            'quote it so YAML reads it as a type: `n: "3"`',
        ),
        (
            "signals: approval",
            "`signals` must map signal names to payload types, found a string",
            "approval",
            None,
        ),
        (
            "signals:\n  go: true",
            "the payload of signal `go` must be a type, found a boolean",
            "true",
            None,
        ),
        ("{a: 1}: x", "expected a front-matter key name, found a mapping", "{a: 1}", None),
    ],
)
def test_invalid_keys_and_values(
    yaml_text: str, message: str, underlined: str, help: str | None
) -> None:
    error, text = only_error(fenced(yaml_text), "FLOW309")
    assert error.message == message
    assert text == underlined
    if help is not None:
        assert error.help == help


def test_unknown_key_without_suggestion_lists_the_keys() -> None:
    error, _ = only_error(fenced("version: 2"), "FLOW309")
    assert (
        error.help
        == "the keys are `name`, `description`, `queue`, `inputs`, `output` and `signals`"
    )


def test_every_problem_is_reported_not_only_the_first() -> None:
    source = fenced("queue: 3\ntimeout: 5\ninputs:\n  a: numbr\n  b: 3")
    _, diagnostics = read(source)
    assert [d.code for d in diagnostics] == ["FLOW309", "FLOW309", "FLOW012", "FLOW309"]


# ----------------------------------------------------------------------------- robustness

_YAMLISH = st.sampled_from(
    [
        *"{}[]:-?'\"#&*!|>\n\t ,",
        "name",
        "inputs",
        "signals",
        "output",
        "queue",
        "  ",
        "string",
        "number[]",
        "'a' | 'b'",
        "x",
        "3",
        "\\u00",
    ]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_YAMLISH, max_size=40))
def test_never_raises_on_yaml_like_text(pieces: list[str]) -> None:
    source = fenced("".join(pieces))
    front_matter, diagnostics = read(source)
    assert front_matter.span is not None
    for diagnostic in diagnostics:
        assert 0 <= diagnostic.span.start <= diagnostic.span.end <= len(source)


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    _, diagnostics = read(fenced("inputs: " + "[" * 600 + "]" * 600))
    assert [d.message for d in diagnostics] == ["front matter is nested too deeply"]
    nested = "inputs:\n" + "".join("  " * depth + f"f{depth}:\n" for depth in range(1, 80))
    _, diagnostics = read(fenced(nested + "  " * 80 + "x: string"))
    assert [d.message for d in diagnostics] == ["type is nested too deeply"]
