"""Type expressions as written in front matter (LANGUAGE.md §4.2), parsed by hand.

`parse_type("{ id: string, tags?: string[] }")` gives the tree of frozen dataclasses below. The
tree mirrors the text: parentheses leave no node and nothing is normalised; the checker maps it
to its type algebra (`types.py`). Parsing never raises: a syntax error is one FLOW012 diagnostic
and no tree; a duplicate field or a second index signature is reported and parsing goes on, but
the result is still `None` so that no later phase works from a type the author did not mean.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal, cast

from flowlang.compiler.codes import diagnostic
from flowlang.compiler.diagnostics import Diagnostic, Label
from flowlang.compiler.source import Span
from flowlang.compiler.suggest import closest
from flowlang.compiler.typesyntax_lexer import Lexer, Token, TypeSyntaxError

PrimitiveName = Literal["string", "number", "boolean", "null", "any"]
PRIMITIVE_NAMES: tuple[PrimitiveName, ...] = ("string", "number", "boolean", "null", "any")
_PRIMITIVES: dict[str, PrimitiveName] = {name: name for name in PRIMITIVE_NAMES}


@dataclass(frozen=True, slots=True)
class PrimitiveType:
    name: PrimitiveName
    span: Span


@dataclass(frozen=True, slots=True)
class LiteralType:
    """`"pro"`, `42`, `-1.5`, `true`: exactly that value (numbers as in `ast.NumberLit`)."""

    value: str | int | float | bool
    span: Span


@dataclass(frozen=True, slots=True)
class ArrayType:
    element: TypeExpr
    span: Span


@dataclass(frozen=True, slots=True)
class TupleType:
    elements: tuple[TypeExpr, ...]
    span: Span


@dataclass(frozen=True, slots=True)
class Field:
    """`name?: type` in an object type; `span` covers the whole field."""

    name: str
    optional: bool
    type: TypeExpr
    span: Span
    name_span: Span


@dataclass(frozen=True, slots=True)
class IndexSignature:
    """`[key: string]: value`: every key not listed as a field holds a `value`."""

    key: str
    value: TypeExpr
    span: Span


@dataclass(frozen=True, slots=True)
class ObjectType:
    """Closed when `index` is None: no keys other than `fields` (§4.3)."""

    fields: tuple[Field, ...]
    index: IndexSignature | None
    span: Span


@dataclass(frozen=True, slots=True)
class UnionType:
    members: tuple[TypeExpr, ...]
    span: Span


TypeExpr = PrimitiveType | LiteralType | ArrayType | TupleType | ObjectType | UnionType

# Deep enough for any real contract, shallow enough that recursion never hits Python's limit.
MAX_NESTING = 64

_ARRAY_HELP = "array types are written `T[]`, e.g. `string[]`; a tuple type is `[string, number]`"

# Words people write out of TypeScript, Python or JSON Schema habit, with what to write instead.
_WORD_HELP = {
    "undefined": "there is no `undefined` in .flow: use `null`, or mark the field optional (`x?:`)",
    "void": "there is no `void` in .flow: use `null`",
    "object": "write an object type such as `{ id: string }`, or `{[key: string]: any}` for any",
    "unknown": "use `any`",
    "int": "use `number`",
    "integer": "use `number`",
    "float": "use `number`",
    "str": "use `string`",
    "bool": "use `boolean`",
    "Array": "write array types as `T[]`, e.g. `string[]`",
    "Record": "write `{[key: string]: T}` for an object with any keys",
}


def parse_type(
    text: str, *, base: int = 0, span: Span | None = None
) -> tuple[TypeExpr | None, list[Diagnostic]]:
    """Parse `text` as a type; the type is None exactly when there are diagnostics.

    `base` is the offset of `text` in the `.flow` file, so spans point into the file. When the
    text does not appear verbatim in the file (a YAML scalar with escapes or folded lines), pass
    `span` instead: every span, in the tree and in diagnostics, is then that one.
    """
    if span is None:

        def locate(start: int, end: int) -> Span:
            return Span(base + start, base + end)
    else:

        def locate(start: int, end: int) -> Span:
            return span

    parser = _Parser(text, locate)
    try:
        result = parser.parse()
    except TypeSyntaxError as error:
        return None, [*parser.diagnostics, error.failure]
    return (None if parser.diagnostics else result), parser.diagnostics


def describe(type_expr: TypeExpr) -> str:
    """What kind of type this is, for messages ("an array type")."""
    match type_expr:
        case PrimitiveType(name=name):
            return f"`{name}`"
        case LiteralType():
            return "a literal type"
        case ArrayType():
            return "an array type"
        case TupleType():
            return "a tuple type"
        case ObjectType():
            return "an object type"
        case UnionType():
            return "a union type"


class _Parser:
    """Recursive descent over the grammar of LANGUAGE.md §4.2."""

    def __init__(self, text: str, locate: Callable[[int, int], Span]) -> None:
        self.lexer = Lexer(text, locate)
        self.locate = locate
        self.diagnostics: list[Diagnostic] = []
        self.depth = 0
        self.token = Token("end", "", "", 0, 0)

    # -- tokens

    def advance(self) -> Token:
        token = self.token
        self.token = self.lexer.next_token()
        return token

    def at(self, punct: str) -> bool:
        return self.token.kind == "punct" and self.token.text == punct

    def accept(self, punct: str) -> Token | None:
        return self.advance() if self.at(punct) else None

    def expect(
        self, punct: str, after: str, opened: Token | None = None, help: str | None = None
    ) -> Token:
        if token := self.accept(punct):
            return token
        labels: tuple[Label, ...] = ()
        if opened is not None:
            labels = (Label(self.span_of(opened), f"`{opened.text}` opened here"),)
        message = f"expected `{punct}` {after}, found {_found(self.token)}"
        raise self.fail(message, labels=labels, help=help)

    def span_of(self, token: Token) -> Span:
        return self.locate(token.start, token.end)

    def fail(
        self, message: str, *, labels: tuple[Label, ...] = (), help: str | None = None
    ) -> TypeSyntaxError:
        span = self.span_of(self.token)
        return TypeSyntaxError(diagnostic("FLOW012", message, span, labels=labels, help=help))

    def report(self, message: str, span: Span, first: Span, first_label: str) -> None:
        """A non-syntax error: recorded, and parsing goes on."""
        labels = (Label(first, first_label),)
        self.diagnostics.append(diagnostic("FLOW012", message, span, labels=labels))

    # -- grammar

    def parse(self) -> TypeExpr:
        self.token = self.lexer.next_token()
        result = self.type()
        if self.token.kind != "end":
            raise self.fail(
                f"expected the end of the type, found {_found(self.token)}",
                help="join alternatives with `|`; quote the whole type in YAML",
            )
        return result

    def type(self) -> TypeExpr:
        """Type ::= "|"? Member ( "|" Member )*"""
        leading = self.accept("|")
        members = [self.member()]
        while self.accept("|"):
            members.append(self.member())
        if len(members) == 1:
            return members[0]
        start = self.span_of(leading) if leading else members[0].span
        return UnionType(tuple(members), start.cover(members[-1].span))

    def member(self) -> TypeExpr:
        """Member ::= Primary ( "[" "]" )*"""
        start = self.span_of(self.token)  # a parenthesis leaves no node but is in the array's span
        result = self.primary()
        while opened := self.accept("["):
            close = self.expect("]", "after `[`", opened, help=_ARRAY_HELP)
            result = ArrayType(result, start.cover(self.span_of(close)))
        return result

    def primary(self) -> TypeExpr:
        token = self.token
        if token.kind == "word":
            return self.named(token)
        if token.kind == "string":
            self.advance()
            return LiteralType(token.value, self.span_of(token))
        if token.kind == "number":
            self.advance()
            return LiteralType(token.value, self.span_of(token))
        if self.at("-"):
            return self.negative_number()
        if self.at("{") or self.at("[") or self.at("("):
            return self.nested()
        raise self.fail(f"expected a type, found {_found(token)}")

    def named(self, token: Token) -> TypeExpr:
        word = token.text
        if (primitive := _PRIMITIVES.get(word)) is not None:
            self.advance()
            return PrimitiveType(primitive, self.span_of(token))
        if word in ("true", "false"):
            self.advance()
            return LiteralType(word == "true", self.span_of(token))
        raise self.fail(f"unknown type `{word}`", help=_unknown_word_help(word))

    def negative_number(self) -> TypeExpr:
        minus = self.advance()
        if self.token.kind != "number":
            raise self.fail(f"expected a number after `-`, found {_found(self.token)}")
        number = self.advance()
        value = -cast("int | float", number.value) or 0  # `-0` is `0` (LANGUAGE.md §7.3)
        return LiteralType(value, self.span_of(minus).cover(self.span_of(number)))

    def nested(self) -> TypeExpr:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise self.fail("type is nested too deeply")
        result: TypeExpr
        if self.at("{"):
            result = self.object_type()
        elif self.at("["):
            result = self.tuple_type()
        else:
            opened = self.advance()
            result = self.type()
            self.expect(")", "to close the parenthesis", opened)
        self.depth -= 1
        return result

    def tuple_type(self) -> TupleType:
        """TupleType ::= "[" ( Type ( "," Type )* ","? )? "]" """
        opened = self.advance()
        elements: list[TypeExpr] = []
        while not self.at("]"):
            elements.append(self.type())
            if not self.accept(","):
                self.expect_close("]", opened)
        close = self.advance()
        return TupleType(tuple(elements), self.span_of(opened).cover(self.span_of(close)))

    def object_type(self) -> ObjectType:
        """ObjectType ::= "{" ( Field ( ( "," | ";" ) Field )* ( "," | ";" )? )? "}" """
        opened = self.advance()
        fields: dict[str, Field] = {}
        index: IndexSignature | None = None
        while not self.at("}"):
            if self.at("["):
                signature = self.index_signature()
                if index is None:
                    index = signature
                else:
                    self.report(
                        "more than one index signature",
                        signature.span,
                        index.span,
                        "the first index signature",
                    )
            else:
                self.add_field(fields, self.field())
            if not (self.accept(",") or self.accept(";")):
                self.expect_close("}", opened)
        close = self.advance()
        span = self.span_of(opened).cover(self.span_of(close))
        return ObjectType(tuple(fields.values()), index, span)

    def expect_close(self, close: str, opened: Token) -> None:
        """After an element of a tuple or object type: only a separator or the end may follow."""
        if not self.at(close):
            label = Label(self.span_of(opened), f"`{opened.text}` opened here")
            found = _found(self.token)
            raise self.fail(f"expected `,` or `{close}`, found {found}", labels=(label,))

    def add_field(self, fields: dict[str, Field], field: Field) -> None:
        if first := fields.get(field.name):
            self.report(
                f"duplicate field `{field.name}`",
                field.name_span,
                first.name_span,
                "first declared here",
            )
        else:
            fields[field.name] = field

    def field(self) -> Field:
        """Field ::= FieldName "?"? ":" Type"""
        name = self.token
        if name.kind not in ("word", "string"):
            raise self.fail(f"expected a field name, found {_found(name)}")
        self.advance()
        optional = self.accept("?") is not None
        self.expect(":", f"after the field name `{name.value}`")
        field_type = self.type()
        name_span = self.span_of(name)
        return Field(
            str(name.value), optional, field_type, name_span.cover(field_type.span), name_span
        )

    def index_signature(self) -> IndexSignature:
        """ "[" IDENT ":" "string" "]" ":" Type"""
        opened = self.advance()
        key = self.token
        if key.kind != "word":
            raise self.fail(f"expected the name of the key, found {_found(key)}")
        self.advance()
        self.expect(":", "after the key name of an index signature")
        if not (self.token.kind == "word" and self.token.text == "string"):
            raise self.fail(
                f"an index signature's key must be `string`, found {_found(self.token)}",
                help="object keys are always strings: write `[key: string]: T`",
            )
        self.advance()
        self.expect("]", "to close the index signature", opened)
        self.expect(":", "after the index signature")
        value = self.type()
        return IndexSignature(key.text, value, self.span_of(opened).cover(value.span))


def _found(token: Token) -> str:
    return "the end of the type" if token.kind == "end" else f"`{token.text}`"


def _unknown_word_help(word: str) -> str:
    if hint := _WORD_HELP.get(word):
        return hint
    if suggestion := closest(word, PRIMITIVE_NAMES):
        return f"did you mean `{suggestion}`?"
    return (
        "the types are `string`, `number`, `boolean`, `null` and `any`; "
        f"for the literal string write `'{word}'`"
    )
