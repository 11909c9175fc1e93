"""The type syntax of LANGUAGE.md §4.2: trees, spans and FLOW012 diagnostics."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flowlang.compiler.diagnostics import Diagnostic
from flowlang.compiler.source import Span
from flowlang.compiler.typesyntax import (
    PRIMITIVE_NAMES,
    ArrayType,
    Field,
    IndexSignature,
    LiteralType,
    ObjectType,
    PrimitiveName,
    PrimitiveType,
    TupleType,
    TypeExpr,
    UnionType,
    describe,
    parse_type,
)


def parsed(text: str) -> TypeExpr:
    result, diagnostics = parse_type(text)
    assert diagnostics == []
    assert result is not None
    return result


def failure(text: str) -> Diagnostic:
    """The one diagnostic of `text`, checked to be FLOW012 with no type."""
    result, diagnostics = parse_type(text)
    assert result is None
    assert [d.code for d in diagnostics] == ["FLOW012"]
    return diagnostics[0]


def covered(text: str, span: Span) -> str:
    return text[span.start : span.end]


# ----------------------------------------------------------------------------- trees


@pytest.mark.parametrize("name", PRIMITIVE_NAMES)
def test_primitive_names_are_primitive_types(name: PrimitiveName) -> None:
    assert parsed(name) == PrimitiveType(name, Span(0, len(name)))


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("'pro'", "pro"),
        ('"pro"', "pro"),
        ("42", 42),
        ("-1", -1),
        ("- 1", -1),
        ("2.5", 2.5),
        ("-0", 0),
        ("1e3", 1000),
        (".5", 0.5),
        ("true", True),
        ("false", False),
        (r"'a\nb'", "a\nb"),
        (r"'it\'s'", "it's"),
        (r"'\x41\u0042\u{43}'", "ABC"),
        (r"'\uD83D\uDE00'", "\U0001f600"),
        ("'a\\\nb'", "ab"),
    ],
)
def test_literals_have_their_values(text: str, value: str | int | float | bool) -> None:
    result = parsed(text)
    assert result == LiteralType(value, Span(0, len(text)))
    assert isinstance(result, LiteralType) and type(result.value) is type(value)


def test_array_suffixes_bind_tighter_than_union() -> None:
    result = parsed("string | number[]")
    assert isinstance(result, UnionType)
    assert result.members[1] == ArrayType(PrimitiveType("number", Span(9, 15)), Span(9, 17))


def test_parenthesised_union_of_arrays_leaves_no_parenthesis_node() -> None:
    result = parsed("(string | number)[][]")
    assert isinstance(result, ArrayType)
    assert result.span == Span(0, 21)
    inner = result.element
    assert isinstance(inner, ArrayType) and isinstance(inner.element, UnionType)
    assert inner.element.span == Span(1, 16)


def test_leading_bar_is_part_of_the_union() -> None:
    result = parsed("| 'a' | 'b'")
    assert result == UnionType(
        (LiteralType("a", Span(2, 5)), LiteralType("b", Span(8, 11))), Span(0, 11)
    )


def test_leading_bar_before_a_single_member_is_that_member() -> None:
    assert parsed("| string") == PrimitiveType("string", Span(2, 8))


@pytest.mark.parametrize(("text", "length"), [("[]", 0), ("[string]", 1), ("[string, number,]", 2)])
def test_tuples(text: str, length: int) -> None:
    result = parsed(text)
    assert isinstance(result, TupleType) and len(result.elements) == length


def test_object_type_with_optional_reserved_and_quoted_field_names() -> None:
    text = "{ if: string; 'a-b'?: null, id: number, }"
    result = parsed(text)
    assert isinstance(result, ObjectType)
    assert result.index is None
    assert [(f.name, f.optional) for f in result.fields] == [
        ("if", False),
        ("a-b", True),
        ("id", False),
    ]
    second = result.fields[1]
    assert covered(text, second.name_span) == "'a-b'"
    assert covered(text, second.span) == "'a-b'?: null"


def test_index_signature_makes_an_open_object_type() -> None:
    result = parsed("{id: string, [key: string]: number | null}")
    assert isinstance(result, ObjectType)
    assert [f.name for f in result.fields] == ["id"]
    assert isinstance(result.index, IndexSignature)
    assert result.index.key == "key"
    assert isinstance(result.index.value, UnionType)


def test_whitespace_including_newlines_separates_tokens() -> None:
    result = parsed("{\n  a: string,\n\tb?: number[]\n}")
    assert isinstance(result, ObjectType) and len(result.fields) == 2


def test_spans_are_offset_by_base() -> None:
    result, _ = parse_type("{a: string}", base=100)
    assert result == ObjectType(
        (
            Field(
                "a", False, PrimitiveType("string", Span(104, 110)), Span(101, 110), Span(101, 102)
            ),
        ),
        None,
        Span(100, 111),
    )


def test_a_fixed_span_replaces_every_span() -> None:
    whole = Span(7, 30)
    result, _ = parse_type("{a: string}", span=whole)
    assert isinstance(result, ObjectType)
    assert result.span == whole and result.fields[0].type.span == whole
    _, diagnostics = parse_type("{a: numbr}", span=whole)
    assert diagnostics[0].span == whole


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("string", "`string`"),
        ("'a'", "a literal type"),
        ("string[]", "an array type"),
        ("[string]", "a tuple type"),
        ("{}", "an object type"),
        ("'a' | 'b'", "a union type"),
    ],
)
def test_describe_names_the_kind_of_type(text: str, kind: str) -> None:
    assert describe(parsed(text)) == kind


# ----------------------------------------------------------------------------- errors


@pytest.mark.parametrize(
    ("text", "message", "at"),
    [
        ("}", "expected a type, found `}`", "}"),
        ("", "expected a type, found the end of the type", ""),
        ("{a: }", "expected a type, found `}`", "}"),
        ("{a string}", "expected `:` after the field name `a`, found `string`", "string"),
        ("{a: string b: number}", "expected `,` or `}`, found `b`", "b"),
        ("[string", "expected `,` or `]`, found the end of the type", ""),
        ("(string", "expected `)` to close the parenthesis, found the end of the type", ""),
        ("string number", "expected the end of the type, found `number`", "number"),
        ("string[number]", "expected `]` after `[`, found `number`", "number"),
        ("{,}", "expected a field name, found `,`", ","),
        ("-x", "expected a number after `-`, found `x`", "x"),
        (
            "{[k: number]: any}",
            "an index signature's key must be `string`, found `number`",
            "number",
        ),
        ("007", "invalid number literal `007`", "007"),
        ("3px", "invalid number literal `3px`", "3px"),
        ("1_000", "invalid number literal `1_000`", "1_000"),
        ("1e999", "number literal `1e999` is too large", "1e999"),
        ("'abc", "unterminated string literal", "'abc"),
        (r"'C:\data'", r"invalid escape sequence `\d`", r"\d"),
        (r"'\uD83D'", r"lone surrogate escape `\uD83D`", r"\uD83D"),
        (r"'\uDE00'", r"invalid escape sequence `\uDE00`", r"\uDE00"),
        ("string // why", "comments are not allowed in types", "//"),
        ("Array<string>", "unknown type `Array`", "Array"),
        ("€", "unexpected character `€` in a type", "€"),
    ],
)
def test_syntax_errors_say_what_was_expected_and_where(text: str, message: str, at: str) -> None:
    error = failure(text)
    assert error.message == message
    assert covered(text, error.span) == at


def test_unclosed_bracket_is_labelled_where_it_opened() -> None:
    text = "{a: string"
    error = failure(text)
    assert [(covered(text, label.span), label.message) for label in error.labels] == [
        ("{", "`{` opened here")
    ]


@pytest.mark.parametrize(
    ("word", "help"),
    [
        ("numbr", "did you mean `number`?"),
        ("strng", "did you mean `string`?"),
        (
            "undefined",
            "there is no `undefined` in .flow: use `null`, or mark the field optional (`x?:`)",
        ),
        ("int", "use `number`"),
        ("standard", "for the literal string write `'standard'`"),
    ],
)
def test_unknown_type_names_get_help(word: str, help: str) -> None:
    error = failure(f"{{tier: {word}}}")
    assert error.message == f"unknown type `{word}`"
    assert error.help is not None and error.help.endswith(help)


def test_example_of_the_catalogue_points_at_the_misspelt_name() -> None:
    text = "{n: numbr[}"
    error = failure(text)
    assert covered(text, error.span) == "numbr"


def test_duplicate_fields_are_all_reported_with_the_first_as_label() -> None:
    text = "{a: string, b: number, a: null, 'b': any}"
    result, diagnostics = parse_type(text)
    assert result is None
    assert [d.message for d in diagnostics] == ["duplicate field `a`", "duplicate field `b`"]
    assert [covered(text, d.span) for d in diagnostics] == ["a", "'b'"]
    assert covered(text, diagnostics[0].labels[0].span) == "a"
    assert diagnostics[0].labels[0].span.start == 1


def test_second_index_signature_is_reported() -> None:
    text = "{[a: string]: any, [b: string]: number}"
    result, diagnostics = parse_type(text)
    assert result is None
    assert [d.message for d in diagnostics] == ["more than one index signature"]
    assert covered(text, diagnostics[0].span) == "[b: string]: number"
    assert covered(text, diagnostics[0].labels[0].span) == "[a: string]: any"


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    error = failure("[" * 500 + "]" * 500)
    assert error.message == "type is nested too deeply"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([*"{}[]()|,;:?-'\"\\ \nab0.5eux", "string", "[k: string]"])))
def test_never_raises_on_type_like_text(pieces: list[str]) -> None:
    result, diagnostics = parse_type("".join(pieces), base=3)
    assert (result is None) == bool(diagnostics)
    assert all(d.code == "FLOW012" for d in diagnostics)


@settings(max_examples=100, deadline=None)
@given(st.text())
def test_never_raises_on_any_text(text: str) -> None:
    parse_type(text)
