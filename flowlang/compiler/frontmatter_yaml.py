"""PyYAML's nodes and errors in the words of .flow diagnostics, for `frontmatter`.

PyYAML marks are offsets into the YAML text; the functions here add the offset of that text in
the `.flow` file, so every span they produce points into the file.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TypeGuard

import yaml

from flowlang.compiler.codes import diagnostic
from flowlang.compiler.diagnostics import Diagnostic, Label
from flowlang.compiler.source import Span


def end_index(node: yaml.Node) -> int:
    """Where a node's text ends: a block collection ends with its last item, not at the next
    line's start where PyYAML puts its end mark."""
    if (
        isinstance(node, yaml.MappingNode | yaml.SequenceNode)
        and node.value
        and not node.flow_style
    ):
        last = node.value[-1]
        return end_index(last[1] if isinstance(node, yaml.MappingNode) else last)
    return node.end_mark.index


_KIND_BY_TAG = {
    "str": "a string",
    "int": "a number",
    "float": "a number",
    "bool": "a boolean",
    "null": "null",
    "timestamp": "a date",
}

# PyYAML names tokens in angle brackets; users know them by other names.
_TOKEN_NAMES = {
    "stream end": "the end of the front matter",
    "block end": "the end of the block",
    "scalar": "a value",
    "block mapping start": "a mapping",
    "block sequence start": "a list",
}
_TOKEN_NAME = re.compile(r"'?<([a-z ]+)>'?")
_QUOTED = re.compile(r"'([^']+)'|\"([^\"]+)\"")
# A value with these characters is read by YAML as its own syntax unless quoted.
_YAML_SYNTAX = re.compile(r"[{}\[\]'\"|>&*!%@`]|: | #")
_KEY_VALUE_LINE = re.compile(r"\s*([^\s:#'\"][^:#]*?):\s+(.*?)\s*")
_CONTEXT = re.compile(r"while (?:parsing|scanning)(?: for)? (?:an? |the )?(.*)")


def is_string(node: yaml.Node) -> TypeGuard[yaml.ScalarNode]:
    """A scalar YAML reads as text: quoted, or plain and not a number, boolean, null or date."""
    return isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:str"


def describe_node(node: yaml.Node) -> str:
    """The kind of a node, for messages ("a number", "a list")."""
    if isinstance(node, yaml.MappingNode):
        return "a mapping"
    if isinstance(node, yaml.SequenceNode):
        return "a list"
    if node.tag == "tag:yaml.org,2002:null" and node.value == "":
        return "nothing"
    kind = node.tag.rsplit(":", 1)[-1]
    return _KIND_BY_TAG.get(kind, f"a YAML `{kind}`")


def anchors_aliases_and_tags(text: str, events: list[yaml.Event]) -> Iterator[tuple[str, int, int]]:
    """(message, start, end) for each anchor, alias and tag, in source order."""
    for event in events:
        if event.start_mark is None or event.end_mark is None:
            continue  # never happens with events from the parser; the stubs allow it
        start = event.start_mark.index
        if isinstance(event, yaml.AliasEvent):
            yield "YAML aliases are not allowed in front matter", start, event.end_mark.index
            continue
        if getattr(event, "anchor", None):
            yield "YAML anchors are not allowed in front matter", *_property_at(text, start, "&")
        if getattr(event, "tag", None):
            yield "YAML tags are not allowed in front matter", *_property_at(text, start, "!")


def _property_at(text: str, start: int, sigil: str) -> tuple[int, int]:
    """The extent of the `&anchor` or `!tag` that starts at or after `start`."""
    begin = text.find(sigil, start)
    end = begin
    while end < len(text) and not text[end].isspace():
        end += 1
    return begin, end


def yaml_error_diagnostic(error: yaml.YAMLError, text: str, offset: int) -> Diagnostic:
    """FLOW011 for PyYAML's error, at the offending character, with its context as a label."""
    if isinstance(error, yaml.reader.ReaderError):
        character = error.character if isinstance(error.character, int) else ord(error.character)
        span = Span(offset + error.position, offset + error.position + 1)
        message = f"the character U+{character:04X} is not allowed in front matter"
        return diagnostic("FLOW011", message, span)
    problem_mark = getattr(error, "problem_mark", None)
    context_mark = getattr(error, "context_mark", None)
    problem = _tidy(getattr(error, "problem", None) or str(error))
    context = getattr(error, "context", None) or ""
    labels: tuple[Label, ...] = ()
    started = _CONTEXT.fullmatch(context)
    if started and context_mark is not None:
        if problem_mark is None or context_mark.index != problem_mark.index:
            label = f"the {_tidy(started.group(1))} starts here"
            labels = (Label(_char_span(context_mark.index, text, offset), label),)
    elif context and not started:  # a context that is part of the sentence
        problem = f"{_tidy(context)}, {problem}"
    mark = problem_mark or context_mark
    span = _char_span(mark.index, text, offset) if mark else Span(offset, offset + len(text))
    lines = [m.index for m in (context_mark, problem_mark) if m is not None]
    help = _tab_help(problem) or _quoting_help(text, lines)
    return diagnostic("FLOW011", f"invalid YAML: {problem}", span, labels=labels, help=help)


def _char_span(index: int, text: str, offset: int) -> Span:
    """One character at `index`; at the end of the text, the last character that is not
    whitespace, which is where the unfinished construct is."""
    index = min(index, max(len(text.rstrip()) - 1, 0))
    return Span(offset + index, offset + min(index + 1, len(text)))


def _tidy(text: str) -> str:
    """PyYAML's wording in our style: token names in words, quoted text in backticks."""
    text = _TOKEN_NAME.sub(lambda m: _TOKEN_NAMES.get(m.group(1), m.group(1)), text)
    return _QUOTED.sub(lambda m: f"`{m.group(1) or m.group(2)}`", text)


def _tab_help(problem: str) -> str | None:
    return "indent with spaces: YAML does not allow tabs" if "`\\t`" in problem else None


def _quoting_help(text: str, indices: list[int]) -> str | None:
    """When the broken line is `key: value`, suggest quoting the value: YAML reads `{`, `[`,
    quotes, `: ` and ` #` as its own syntax, and types often contain them (§4.4)."""
    for index in indices:
        line_start = text.rfind("\n", 0, index) + 1
        line_end = text.find("\n", index)
        line = text[line_start : line_end if line_end >= 0 else len(text)]
        match = _KEY_VALUE_LINE.fullmatch(line)
        if match is None or not _YAML_SYNTAX.search(match.group(2)):
            continue
        key, value = match.groups()
        for quote in ('"', "'"):
            if quote not in value:
                return f"if this is one value, quote it: `{key}: {quote}{value}{quote}`"
    return None
