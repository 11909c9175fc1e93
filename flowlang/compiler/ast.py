"""The syntax tree of a `.flow` program: frozen dataclasses, each node with its `Span`.

The tree is what the parser produces and every later phase reads (names, types, codegen,
graphs, the language server). It holds no parser artefacts: parentheses leave no node, except
that an optional chain (`a?.b.c`) is wrapped in `OptionalChain` where it ends, because a
parenthesis ends a chain (LANGUAGE.md §6.4). Syntax errors leave no node either: a broken
statement is dropped and reported as a diagnostic.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from flowlang.compiler.source import Span


@dataclass(frozen=True, slots=True)
class Node:
    span: Span


# ----------------------------------------------------------------------------- expressions


@dataclass(frozen=True, slots=True)
class Name(Node):
    """A reference to a variable or a builtin global (`total`, `Inputs`, `Math`)."""

    name: str


@dataclass(frozen=True, slots=True)
class NumberLit(Node):
    value: int | float  # int when the literal is integral and |value| <= 2**53 (§7.3)
    raw: str


@dataclass(frozen=True, slots=True)
class StringLit(Node):
    value: str  # escapes decoded


@dataclass(frozen=True, slots=True)
class TemplateLit(Node):
    """`` `a${x}b` ``: `quasis` has one more element than `expressions`."""

    quasis: tuple[str, ...]
    expressions: tuple[Expr, ...]


@dataclass(frozen=True, slots=True)
class BoolLit(Node):
    value: bool


@dataclass(frozen=True, slots=True)
class NullLit(Node):
    pass


@dataclass(frozen=True, slots=True)
class Spread(Node):
    """`...expr` in an array literal, an object literal or an argument list."""

    expression: Expr


@dataclass(frozen=True, slots=True)
class ArrayLit(Node):
    elements: tuple[Expr | Spread, ...]


@dataclass(frozen=True, slots=True)
class Property(Node):
    """One `key: value` member of an object literal.

    `key` is the static key text (identifier, reserved word, string or number converted to its
    string, §6.3); `computed` holds the expression of `[expr]: value` (then `key` is None).
    `shorthand` marks `{short}`, whose value is `Name("short")`.
    """

    key: str | None
    key_span: Span
    computed: Expr | None
    value: Expr
    shorthand: bool = False


@dataclass(frozen=True, slots=True)
class ObjectLit(Node):
    members: tuple[Property | Spread, ...]


@dataclass(frozen=True, slots=True)
class Member(Node):
    """`object.name` or `object?.name`."""

    object: Expr
    name: str
    name_span: Span
    optional: bool = False


@dataclass(frozen=True, slots=True)
class Index(Node):
    """`object[index]` or `object?.[index]`."""

    object: Expr
    index: Expr
    optional: bool = False


@dataclass(frozen=True, slots=True)
class Call(Node):
    """`callee(args)`: the callee is a `Name` (`String(x)`) or a `Member` (`Task.run(...)`,
    `items.push(x)`); anything else is reported by the checker (FLOW207)."""

    callee: Expr
    arguments: tuple[Expr | Spread, ...]


@dataclass(frozen=True, slots=True)
class OptionalChain(Node):
    """The end of a chain that contains `?.`: if any optional link meets `null`, the whole
    `expression` evaluates to `null` (§6.4)."""

    expression: Expr


UnaryOp = Literal["!", "-", "typeof"]


@dataclass(frozen=True, slots=True)
class Unary(Node):
    operator: UnaryOp
    operand: Expr


@dataclass(frozen=True, slots=True)
class Await(Node):
    operand: Expr


BinaryOp = Literal["*", "/", "%", "+", "-", "<", "<=", ">", ">=", "==", "!=", "===", "!=="]


@dataclass(frozen=True, slots=True)
class Binary(Node):
    operator: BinaryOp
    left: Expr
    right: Expr
    operator_span: Span


LogicalOp = Literal["&&", "||", "??"]


@dataclass(frozen=True, slots=True)
class Logical(Node):
    """Short-circuit operators: they return one of their operands (§6.7)."""

    operator: LogicalOp
    left: Expr
    right: Expr
    operator_span: Span


@dataclass(frozen=True, slots=True)
class Conditional(Node):
    test: Expr
    consequent: Expr
    alternate: Expr


Expr = (
    Name
    | NumberLit
    | StringLit
    | TemplateLit
    | BoolLit
    | NullLit
    | ArrayLit
    | ObjectLit
    | Member
    | Index
    | Call
    | OptionalChain
    | Unary
    | Await
    | Binary
    | Logical
    | Conditional
)

# ----------------------------------------------------------------------------- patterns


@dataclass(frozen=True, slots=True)
class BindingName(Node):
    """A name introduced by a declaration, a `for` head or a `catch` clause."""

    name: str


@dataclass(frozen=True, slots=True)
class PatternProperty(Node):
    """`key`, `key = default`, `key: target` or `key: target = default` in an object pattern."""

    key: str
    key_span: Span
    target: Target
    default: Expr | None = None


@dataclass(frozen=True, slots=True)
class ObjectPattern(Node):
    properties: tuple[PatternProperty, ...]
    rest: BindingName | None = None


@dataclass(frozen=True, slots=True)
class PatternElement(Node):
    """`target` or `target = default` in an array pattern."""

    target: Target
    default: Expr | None = None


@dataclass(frozen=True, slots=True)
class ArrayPattern(Node):
    """`elements` holds None for a skipped slot (`[a, , c]`)."""

    elements: tuple[PatternElement | None, ...]
    rest: Target | None = None


Target = BindingName | ObjectPattern | ArrayPattern

# ----------------------------------------------------------------------------- statements


@dataclass(frozen=True, slots=True)
class Declarator(Node):
    target: Target
    init: Expr | None


@dataclass(frozen=True, slots=True)
class VarDecl(Node):
    kind: Literal["let", "const"]
    declarators: tuple[Declarator, ...]


@dataclass(frozen=True, slots=True)
class Block(Node):
    body: tuple[Stmt, ...]


@dataclass(frozen=True, slots=True)
class If(Node):
    test: Expr
    consequent: Stmt
    alternate: Stmt | None


@dataclass(frozen=True, slots=True)
class While(Node):
    test: Expr
    body: Stmt


@dataclass(frozen=True, slots=True)
class For(Node):
    """`for (let|const target of|in iterable) body`."""

    kind: Literal["let", "const"]
    target: Target
    iteration: Literal["of", "in"]
    iterable: Expr
    body: Stmt


@dataclass(frozen=True, slots=True)
class CatchClause(Node):
    param: Target | None
    body: Block


@dataclass(frozen=True, slots=True)
class Try(Node):
    block: Block
    handler: CatchClause | None
    finalizer: Block | None


@dataclass(frozen=True, slots=True)
class Return(Node):
    value: Expr | None


@dataclass(frozen=True, slots=True)
class Throw(Node):
    value: Expr


@dataclass(frozen=True, slots=True)
class Break(Node):
    pass


@dataclass(frozen=True, slots=True)
class Continue(Node):
    pass


@dataclass(frozen=True, slots=True)
class Empty(Node):
    """A lone `;`."""


@dataclass(frozen=True, slots=True)
class ExprStmt(Node):
    expression: Expr


AssignOp = Literal["=", "+=", "-=", "*=", "/=", "%="]


@dataclass(frozen=True, slots=True)
class Assign(Node):
    """`place op value`; `target` is a `Name`, `Member` or `Index` chain rooted at a `Name`
    (the parser reports any other target as FLOW009)."""

    operator: AssignOp
    target: Expr
    value: Expr


@dataclass(frozen=True, slots=True)
class Update(Node):
    """`place++`, `++place`, `place--`, `--place` (prefix and postfix are the same statement)."""

    operator: Literal["++", "--"]
    target: Expr
    prefix: bool


Stmt = (
    VarDecl
    | Block
    | If
    | While
    | For
    | Try
    | Return
    | Throw
    | Break
    | Continue
    | Empty
    | ExprStmt
    | Assign
    | Update
)

# ----------------------------------------------------------------------------- program


@dataclass(frozen=True, slots=True)
class FrontMatterBlock(Node):
    """The fenced block at the top of the file, unparsed: `frontmatter.py` reads the YAML.
    `text_span` covers the YAML text between the fences."""

    text: str
    text_span: Span


@dataclass(frozen=True, slots=True)
class Program(Node):
    front_matter: FrontMatterBlock | None
    body: tuple[Stmt, ...]
    wrapper: Span | None = None  # span of `async function main() { ... }` in the wrapper form
