"""The front matter: the fenced YAML block at the top of a `.flow` file (LANGUAGE.md §3.3, §4.4).

PyYAML composes the text into a node tree (every node carries marks, which are offsets into
the YAML text); this module walks that tree, so that every key, value and type gets a span in
the file. It never constructs Python values with PyYAML: the tree is what tells `queue: 3`
(a number) from `queue: "3"` (a string), and it is where duplicate keys are still visible.

Only data goes in: anchors, aliases and tags are refused, and types are either strings in the
syntax of §4.2 (parsed by `typesyntax`) or mappings that spell an object type field by field.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import yaml

from flowlang.compiler import ast
from flowlang.compiler.codes import diagnostic
from flowlang.compiler.diagnostics import Diagnostic, Label
from flowlang.compiler.frontmatter_yaml import (
    anchors_aliases_and_tags,
    describe_node,
    end_index,
    is_string,
    yaml_error_diagnostic,
)
from flowlang.compiler.source import Span
from flowlang.compiler.suggest import closest
from flowlang.compiler.typesyntax import (
    MAX_NESTING,
    Field,
    IndexSignature,
    ObjectType,
    TypeExpr,
    describe,
    parse_type,
)

KEYS = ("name", "description", "queue", "inputs", "output", "signals")

# Keys people carry over from task definitions: they belong to each `Task.run` call.
_TASK_OPTIONS = frozenset({"timeout", "retries", "retryDelay", "priority", "idempotencyKey"})

# `"[key: string]": T` as a key of a YAML mapping type is an index signature.
_INDEX_SIGNATURE_KEY = re.compile(r"\[\s*([A-Za-z_$][A-Za-z0-9_$]*)\s*:\s*string\s*\]")


@dataclass(frozen=True)
class FrontMatter:
    """What the front matter declares; a key that is absent or invalid is None.

    `key_spans` and `value_spans` map each key present (valid or not) to the span of the key
    and of its value; `signal_spans` maps each declared signal to the span of its name.
    """

    name: str | None = None
    description: str | None = None
    queue: str | None = None
    inputs: ObjectType | None = None
    output: TypeExpr | None = None
    signals: dict[str, TypeExpr] | None = None
    span: Span | None = None
    key_spans: dict[str, Span] = field(default_factory=dict)
    value_spans: dict[str, Span] = field(default_factory=dict)
    signal_spans: dict[str, Span] = field(default_factory=dict)


EMPTY = FrontMatter()


def read_front_matter(block: ast.FrontMatterBlock | None) -> tuple[FrontMatter, list[Diagnostic]]:
    """Read the block's YAML; never raises. Without a block, `EMPTY` and no diagnostics."""
    if block is None:
        return EMPTY, []
    reader = _Reader(block.text, block.text_span.start)
    root = reader.compose()
    if root is None:
        return FrontMatter(span=block.span), reader.diagnostics
    return reader.read_root(root, block.span), reader.diagnostics


class _Reader:
    """Walks the node tree of one front matter, collecting values and diagnostics."""

    def __init__(self, text: str, offset: int) -> None:
        self.text = text
        self.offset = offset
        self.diagnostics: list[Diagnostic] = []

    # -- spans

    def span(self, node: yaml.Node) -> Span:
        """The node's text in the file, without the trailing lines a block collection's end
        mark includes."""
        return Span(self.offset + node.start_mark.index, self.offset + end_index(node))

    def error(
        self,
        code: str,
        message: str,
        span: Span,
        *,
        label: str = "",
        labels: tuple[Label, ...] = (),
        help: str | None = None,
    ) -> None:
        self.diagnostics.append(
            diagnostic(code, message, span, label=label, labels=labels, help=help)
        )

    # -- the document

    def compose(self) -> yaml.Node | None:
        """The root node, or None if the YAML is empty or unusable (reported)."""
        try:
            events = list(yaml.parse(self.text, Loader=yaml.SafeLoader))
            for message, start, end in anchors_aliases_and_tags(self.text, events):
                span = Span(self.offset + start, self.offset + end)
                help = "write the value out in full; front matter is plain data"
                self.error("FLOW011", message, span, help=help)
            if self.diagnostics:
                return None
            return yaml.compose(self.text, Loader=yaml.SafeLoader)
        except yaml.YAMLError as error:
            self.diagnostics.append(yaml_error_diagnostic(error, self.text, self.offset))
        except RecursionError:
            whole = Span(self.offset, self.offset + len(self.text))
            self.error("FLOW011", "front matter is nested too deeply", whole)
        return None

    def read_root(self, root: yaml.Node, block_span: Span) -> FrontMatter:
        if not isinstance(root, yaml.MappingNode):
            self.error(
                "FLOW011",
                f"front matter must be a YAML mapping, found {describe_node(root)}",
                self.span(root),
                help="write one `key: value` per line, e.g. `name: order_approval`",
            )
            return FrontMatter(span=block_span)
        values: dict[str, Any] = {}
        key_spans: dict[str, Span] = {}
        value_spans: dict[str, Span] = {}
        signal_spans: dict[str, Span] = {}
        for key, value in root.value:
            if not self.is_new_key(key, key_spans, "front-matter key"):
                continue
            key_spans[key.value] = self.span(key)
            value_spans[key.value] = self.span(value)
            values[key.value] = self.read_entry(key, value, signal_spans)
        return FrontMatter(
            name=values.get("name"),
            description=values.get("description"),
            queue=values.get("queue"),
            inputs=values.get("inputs"),
            output=values.get("output"),
            signals=values.get("signals"),
            span=block_span,
            key_spans=key_spans,
            value_spans=value_spans,
            signal_spans=signal_spans,
        )

    def is_new_key(self, key: yaml.Node, seen: dict[str, Span], what: str) -> bool:
        """Whether `key` is a scalar not seen before in its mapping; reports it otherwise."""
        if not isinstance(key, yaml.ScalarNode):
            self.error(
                "FLOW309",
                f"expected a {what} name, found {describe_node(key)}",
                self.span(key),
            )
            return False
        if key.value in seen:
            self.error(
                "FLOW011",
                f"duplicate {what} `{key.value}`",
                self.span(key),
                labels=(Label(seen[key.value], "first defined here"),),
                help="remove one of them",
            )
            return False
        return True

    def read_entry(
        self, key: yaml.ScalarNode, value: yaml.Node, signal_spans: dict[str, Span]
    ) -> object:
        match key.value:
            case "name" | "description":
                return self.read_string(key, value)
            case "queue":
                return self.read_queue(key, value)
            case "inputs":
                return self.read_inputs(key, value)
            case "output":
                return self.read_type(key, value, f"`{key.value}`", depth=0)
            case "signals":
                return self.read_signals(key, value, signal_spans)
            case _:
                self.report_unknown_key(key)
                return None

    # -- keys

    def report_unknown_key(self, key: yaml.ScalarNode) -> None:
        if key.value in _TASK_OPTIONS:
            help = (
                f"`{key.value}` is an option of each task call: "
                f'`Task.run("name", inputs, {{ {key.value}: … }})`'
            )
        elif suggestion := closest(key.value, KEYS):
            help = f"did you mean `{suggestion}`?"
        else:
            help = "the keys are `name`, `description`, `queue`, `inputs`, `output` and `signals`"
        self.error(
            "FLOW309",
            f"unknown front-matter key `{key.value}`",
            self.span(key),
            label="not a front-matter key",
            help=help,
        )

    def read_string(self, key: yaml.ScalarNode, value: yaml.Node) -> str | None:
        if is_string(value):
            return value.value
        self.report_wrong_kind(key, value, "a string", f'{key.value}: "{self.source(value)}"')
        return None

    def read_queue(self, key: yaml.ScalarNode, value: yaml.Node) -> str | None:
        queue = self.read_string(key, value)
        if queue is not None and not queue.strip():
            self.error(
                "FLOW309",
                "`queue` must not be empty",
                self.span(value),
                help="name a queue, e.g. `queue: finance`, or remove the key to use the default",
            )
            return None
        return queue

    def report_wrong_kind(
        self, key: yaml.ScalarNode, value: yaml.Node, expected: str, quoted: str
    ) -> None:
        """`key` holds a value of the wrong YAML kind; `quoted` is the form to suggest."""
        found = describe_node(value)
        if isinstance(value, yaml.ScalarNode) and not self.source(value):
            help = f"write a value after `{key.value}:`"
            span = self.span(key)
        elif "\n" in self.source(value):
            help = f"write {expected} on the same line as `{key.value}:`"
            span = self.span(value)
        else:
            help = f"quote it so YAML reads it as text: `{quoted}`"
            span = self.span(value)
        self.error(
            "FLOW309",
            f"`{key.value}` must be {expected}, found {found}",
            span,
            label=found,
            help=help,
        )

    def read_inputs(self, key: yaml.ScalarNode, value: yaml.Node) -> ObjectType | None:
        inputs = self.read_type(key, value, "`inputs`", depth=0)
        if inputs is None or isinstance(inputs, ObjectType):
            return inputs
        self.error(
            "FLOW309",
            f"`inputs` must be an object type, found {describe(inputs)}",
            inputs.span,
            help="declare one field per line under `inputs:`, e.g. `orderId: string`",
        )
        return None

    def read_signals(
        self, key: yaml.ScalarNode, value: yaml.Node, signal_spans: dict[str, Span]
    ) -> dict[str, TypeExpr] | None:
        if not isinstance(value, yaml.MappingNode):
            self.error(
                "FLOW309",
                f"`signals` must map signal names to payload types, found {describe_node(value)}",
                self.span(value) if self.source(value) else self.span(key),
                help='write one signal per line, e.g. `approval: "{ ok: boolean }"`',
            )
            return None
        signals: dict[str, TypeExpr] = {}
        valid = True
        for name, payload in value.value:
            if not self.is_new_key(name, signal_spans, "signal"):
                valid = False
                continue
            signal_spans[name.value] = self.span(name)
            payload_type = self.read_type(
                name, payload, f"the payload of signal `{name.value}`", depth=0
            )
            if payload_type is None:
                valid = False
            else:
                signals[name.value] = payload_type
        return signals if valid else None

    # -- types

    def read_type(
        self, key: yaml.ScalarNode, node: yaml.Node, what: str, depth: int
    ) -> TypeExpr | None:
        """A type written as a YAML string (§4.2 syntax) or as a mapping (an object type)."""
        if depth > MAX_NESTING:
            self.error("FLOW012", "type is nested too deeply", self.span(node))
            return None
        if is_string(node):
            return self.parse_type_scalar(node)
        if isinstance(node, yaml.MappingNode):
            return self.read_object_type(node, depth)
        self.report_not_a_type(key, node, what)
        return None

    def report_not_a_type(self, key: yaml.ScalarNode, node: yaml.Node, what: str) -> None:
        found = describe_node(node)
        source = self.source(node)
        if isinstance(node, yaml.SequenceNode):
            help = 'write tuple and array types as quoted strings: `"[string, number]"`, `string[]`'
        elif not source:
            help = "write a type, e.g. `string`, or a mapping of field names to types"
        else:
            help = f'quote it so YAML reads it as a type: `{key.value}: "{source}"`'
        span = self.span(node)
        self.error("FLOW309", f"{what} must be a type, found {found}", span, label=found, help=help)

    def parse_type_scalar(self, node: yaml.ScalarNode) -> TypeExpr | None:
        """Parse a string scalar; its spans map into the file when the scalar's source text is
        its value (plain, or quoted without escapes), else they all cover the whole scalar."""
        source = self.source(node)
        start = self.offset + node.start_mark.index
        if node.style is None and source == node.value:
            parsed, found = parse_type(node.value, base=start)
        elif node.style in ("'", '"') and source[1:-1] == node.value:
            parsed, found = parse_type(node.value, base=start + 1)
        else:
            parsed, found = parse_type(node.value, span=self.span(node))
        self.diagnostics.extend(found)
        return parsed

    def read_object_type(self, node: yaml.MappingNode, depth: int) -> ObjectType | None:
        fields: dict[str, Field] = {}
        keys: dict[str, Span] = {}
        index: IndexSignature | None = None
        valid = True
        for key, value in node.value:
            if not self.is_new_key(key, keys, "field"):
                valid = False
                continue
            keys[key.value] = key_span = self.span(key)
            value_type = self.read_type(key, value, f"field `{key.value}`", depth + 1)
            if value_type is None:
                valid = False
            elif signature := _INDEX_SIGNATURE_KEY.fullmatch(key.value):
                entry = IndexSignature(
                    signature.group(1), value_type, key_span.cover(value_type.span)
                )
                valid = self.is_only_index_signature(index, entry) and valid
                index = index or entry
            else:
                entry_field = self.field(key, key_span, value_type)
                valid = self.is_new_field(fields, entry_field) and valid
                fields.setdefault(entry_field.name, entry_field)
        if not valid:
            return None
        return ObjectType(tuple(fields.values()), index, self.span(node))

    def field(self, key: yaml.ScalarNode, key_span: Span, value_type: TypeExpr) -> Field:
        optional = key.value.endswith("?")
        name = key.value[:-1] if optional else key.value
        return Field(name, optional, value_type, key_span.cover(value_type.span), key_span)

    def is_new_field(self, fields: dict[str, Field], entry: Field) -> bool:
        """`a` and `a?` are different YAML keys but the same field (FLOW012)."""
        first = fields.get(entry.name)
        if first is None:
            return True
        self.error(
            "FLOW012",
            f"duplicate field `{entry.name}`",
            entry.name_span,
            labels=(Label(first.name_span, "first declared here"),),
        )
        return False

    def is_only_index_signature(self, first: IndexSignature | None, entry: IndexSignature) -> bool:
        if first is None:
            return True
        self.error(
            "FLOW012",
            "more than one index signature",
            entry.span,
            labels=(Label(first.span, "the first index signature"),),
        )
        return False

    def source(self, node: yaml.Node) -> str:
        return self.text[node.start_mark.index : node.end_mark.index]
