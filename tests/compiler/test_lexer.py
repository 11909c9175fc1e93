"""The lexer: tokens, literal values, front matter, suppressions and lexical diagnostics."""

from __future__ import annotations

import pytest

from flowlang.compiler.lexer import END, tokenize
from flowlang.compiler.source import Span


def kinds(text: str) -> list[str]:
    return [t.kind for t in tokenize(text).tokens]


def codes(text: str) -> list[tuple[str, str]]:
    return [(d.code, text[d.span.start : d.span.end]) for d in tokenize(text).diagnostics]


def only_value(text: str) -> object:
    tokens = tokenize(text).tokens
    assert len(tokens) == 2, tokens
    return tokens[0].value


def test_keywords_are_whole_words() -> None:
    assert kinds("let letter trueValue awaitX returned of") == [
        "let",
        "NAME",
        "NAME",
        "NAME",
        "NAME",
        "of",
        END,
    ]


def test_punctuators_take_the_longest_match() -> None:
    assert kinds("a === b !== c ?? d ?. e ... f => g >>>= h") == [
        "NAME", "===", "NAME", "!==", "NAME", "??", "NAME", "?.", "NAME", "...", "NAME",
        "=>", "NAME", ">>>=", "NAME", END,
    ]  # fmt: skip


def test_question_dot_before_a_digit_is_a_conditional() -> None:
    assert kinds("a?.5:1") == ["NAME", "?", "NUMBER", ":", "NUMBER", END]


def test_comments_and_whitespace_are_skipped() -> None:
    assert kinds("a // line\n/* block\n */ b\u00a0\u2028c") == ["NAME", "NAME", "NAME", END]


def test_token_offsets() -> None:
    first, second, _ = tokenize("let  x").tokens
    assert (first.start, first.end, second.start, second.end) == (0, 3, 5, 6)
    assert second.span == Span(5, 6)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("42", 42),
        ("3.5", 3.5),
        (".5", 0.5),
        ("1.", 1),
        ("1e3", 1000),
        ("2.5E-4", 0.00025),
        ("9007199254740992", 2**53),
        ("9007199254740993", 2**53),
        ("9007199254740994", 9007199254740994.0),
        ("1e21", 1e21),
    ],
)
def test_number_values(text: str, value: float) -> None:
    found = only_value(text)
    assert found == value
    assert type(found) is type(value)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("007", "number literal `007` has a leading zero"),
        ("08", "number literal `08` has a leading zero"),
        ("1_000", "numeric separators are not allowed in `1_000`"),
        ("0x1F", "hexadecimal literal `0x1F` is not allowed"),
        ("1e999", "number literal `1e999` is too large"),
        ("3px", "invalid number literal `3px`: a number cannot be followed directly by `px`"),
        ("1e", "the exponent of `1e` has no digits"),
    ],
)
def test_bad_numbers_are_flow004(text: str, message: str) -> None:
    result = tokenize(f"x = {text}")
    [found] = result.diagnostics
    assert (found.code, found.message, found.span) == ("FLOW004", message, Span(4, 4 + len(text)))
    assert [t.kind for t in result.tokens] == ["NAME", "=", "NUMBER", END]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        (r'"a\nb\tc"', "a\nb\tc"),
        (r"'it\'s'", "it's"),
        (r'"\x41\u0042\u{43}"', "ABC"),
        (r'"\uD83D\uDE00"', "\U0001f600"),
        (r'"\0"', "\0"),
        ('"a\\\nb"', "ab"),
        ('"a\\\r\nb"', "ab"),
        ('"a\r\nb\rc"', "a\nb\nc"),
        (r'"\/\$\`"', "/$`"),
    ],
)
def test_string_escapes(text: str, value: str) -> None:
    assert only_value(text) == value
    assert tokenize(text).diagnostics == []


@pytest.mark.parametrize(
    ("text", "bad", "message"),
    [
        (r'"C:\data"', r"\d", r"unknown escape sequence `\d`"),
        (r'"\uD800"', r"\uD800", r"lone surrogate escape `\uD800`"),
        (
            r'"\u{110000}"',
            r"\u{110000}",
            r"escape `\u{110000}` is beyond the last code point U+10FFFF",
        ),
        (r'"\xZZ"', r"\x", r"`\x` must be followed by two hexadecimal digits"),
        (r'"\01"', r"\0", r"octal escape `\0` is not allowed"),
    ],
)
def test_bad_escapes_are_flow003(text: str, bad: str, message: str) -> None:
    [found] = tokenize(text).diagnostics
    assert found.code == "FLOW003"
    assert found.message == message
    assert text[found.span.start : found.span.end] == bad


def test_templates_nest() -> None:
    result = tokenize("`a${ {b: `c${d}`} }e`")
    assert [t.kind for t in result.tokens] == [
        "TEMPLATE_HEAD", "{", "NAME", ":", "TEMPLATE_HEAD", "NAME", "TEMPLATE_TAIL", "}",
        "TEMPLATE_TAIL", END,
    ]  # fmt: skip
    assert [t.value for t in result.tokens if t.kind.startswith("TEMPLATE")] == ["a", "c", "", "e"]


def test_template_middle_and_line_breaks() -> None:
    tokens = tokenize("`x${a}\r\ny${b}z`").tokens
    assert [(t.kind, t.value) for t in tokens if t.kind.startswith("TEMPLATE")] == [
        ("TEMPLATE_HEAD", "x"),
        ("TEMPLATE_MIDDLE", "\ny"),
        ("TEMPLATE_TAIL", "z"),
    ]


@pytest.mark.parametrize(
    ("text", "what", "span"),
    [
        ('let s = "abc\nlet t = 1', "unterminated string", Span(8, 12)),
        ("let s = `abc ${x}", "unterminated template literal", Span(16, 17)),
        ("let s = 1 /* never\nclosed", "unterminated block comment", Span(10, 18)),
    ],
)
def test_unterminated_is_flow002(text: str, what: str, span: Span) -> None:
    result = tokenize(text)
    [found] = result.diagnostics
    assert (found.code, found.message, found.span) == ("FLOW002", what, span)
    assert result.unterminated


def test_non_ascii_names_are_flow006_and_still_names() -> None:
    result = tokenize("let café = 1")
    [found] = result.diagnostics
    assert (found.code, found.message, found.span) == (
        "FLOW006",
        "non-ASCII character `é` in the name `café`",
        Span(7, 8),
    )
    assert [(t.kind, t.text) for t in result.tokens][:2] == [("let", "let"), ("NAME", "café")]


def test_invalid_characters_are_flow006_and_skipped() -> None:
    assert codes("a # b") == [("FLOW006", "#")]
    assert kinds("a # b") == ["NAME", "NAME", END]
    [smart] = tokenize("x = \u201chi\u201d").diagnostics[:1]
    assert smart.message == "invalid character `\u201c` (U+201C)"
    assert smart.help == 'did you mean `"`?'


def test_a_run_of_invalid_characters_is_one_diagnostic() -> None:
    assert codes("a ### b") == [("FLOW006", "###")]


def test_front_matter() -> None:
    text = "// header\n```yaml\nname: x\n```\nlet a = 1"
    result = tokenize(text)
    block = result.front_matter
    assert block is not None
    assert block.text == "\nname: x\n"
    assert text[block.span.start : block.span.end] == "```yaml\nname: x\n```"
    assert text[block.text_span.start : block.text_span.end] == block.text
    assert [t.kind for t in result.tokens] == ["let", "NAME", "=", "NUMBER", END]


def test_untagged_front_matter() -> None:
    block = tokenize("```\nname: x\n```").front_matter
    assert block is not None and block.text == "\nname: x\n"


def test_front_matter_only_at_the_start() -> None:
    assert tokenize("let a = 1\n```\nname: x\n```").front_matter is None


def test_unclosed_front_matter_is_flow011() -> None:
    result = tokenize("```yaml\nname: x\nlet a = 1")
    [found] = result.diagnostics
    assert (found.code, found.message, found.span) == (
        "FLOW011",
        "unclosed front matter fence",
        Span(0, 7),
    )
    assert result.front_matter is None
    assert [t.kind for t in result.tokens] == [END]


def test_front_matter_with_another_language_is_flow011() -> None:
    [found] = tokenize("```json\n{}\n```").diagnostics
    assert found.code == "FLOW011"
    assert found.message == "unknown front matter language `json`"


def test_suppression_comments() -> None:
    text = "let a = 1\n// flow-disable-next-line FLOW402, FLOW405\nlet b = 2\n"
    text += "let c = 3 // flow-disable-next-line FLOW401\nlet d = 4"
    assert tokenize(text).suppressions == {
        3: frozenset({"FLOW402", "FLOW405"}),
        5: frozenset({"FLOW401"}),
    }


def test_suppression_before_front_matter() -> None:
    text = "// flow-disable-next-line FLOW402\n```\n```"
    assert tokenize(text).suppressions == {2: frozenset({"FLOW402"})}
