"""Building the AST while the LALR parser reduces (one method per grammar rule or alias).

The parser calls a method with the children of the rule it reduced — tokens (`lexer.Token`)
and whatever the methods for sub-rules returned — so the tree is built in the same pass as the
parse. Rules that only pass one child through (`?rule` in grammar.lark) never get here.

The parser-level rules live here too: FLOW008 (`??` mixed with `&&`/`||`), FLOW009 (what may
be assigned), FLOW010 (assignment and `++` used as a value), FLOW013 (the `main` wrapper),
FLOW014 (missing initializers), FLOW015 (declarations as bodies) and the JavaScript habits
the grammar accepts (FLOW005), each rewritten into the nearest .flow so checking goes on.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flowlang.compiler import ast
from flowlang.compiler.diagnostics import Diagnostic
from flowlang.compiler.lexer import Token
from flowlang.compiler.literals import number_key
from flowlang.compiler.parser_habits import (
    BITWISE,
    bitwise_habit,
    compound_assignment_habit,
    habit,
    new_habit,
    reserved_word_as_name,
    var_fix,
)
from flowlang.compiler.parser_rules import (
    declaration_as_body,
    effect_used_as_value,
    invalid_target,
    missing_initializer,
    nullish_mixed_with_logical,
)
from flowlang.compiler.program_form import apply_wrapper, misplaced_function
from flowlang.compiler.source import Span
from flowlang.compiler.syntax_parts import (
    Arguments,
    Effect,
    ForHead,
    Function,
    Part,
    cover,
    is_place,
)

_ASSIGN_OPERATORS = frozenset(("=", "+=", "-=", "*=", "/=", "%="))
_LOGICAL_MIX = {"??": ("&&", "||"), "&&": ("??",), "||": ("??",)}


class TreeBuilder:
    """The grammar callbacks of one parse; collects the diagnostics they find."""

    def __init__(self, text_length: int, front_matter: ast.FrontMatterBlock | None) -> None:
        self.text_length = text_length
        self.front_matter = front_matter
        self.diagnostics: list[Diagnostic] = []
        # Expressions written in parentheses (by id), with the span of the parentheses: they
        # end optional chains and `??` mixes, and an arrow's parameters start there.
        self.parenthesized: dict[int, Span] = {}
        # `(a, b)` is the comma operator unless `=>` follows; reported when the parse ends.
        self.comma_groups: dict[int, Span] = {}

    # ------------------------------------------------------------------ program and statements

    def start(self, c: list[Any]) -> ast.Program:
        for span in self.comma_groups.values():
            self.diagnostics.append(habit("comma", span))
        body, wrapper = apply_wrapper(c, self.diagnostics)
        return ast.Program(
            span=Span(0, self.text_length),
            front_matter=self.front_matter,
            body=body,
            wrapper=wrapper,
        )

    def block(self, c: list[Any]) -> ast.Block:
        body = []
        for item in c[1:-1]:
            if isinstance(item, Function):
                self.diagnostics.append(misplaced_function(item))
            else:
                body.append(item)
        return ast.Block(cover(c[0], c[-1]), tuple(body))

    def if_stmt(self, c: list[Any]) -> ast.If:
        alternate = self.body(c[6], "else") if len(c) > 5 else None
        return ast.If(
            cover(c[0], c[-1]),
            test=self.condition(c[2]),
            consequent=self.body(c[4], "if"),
            alternate=alternate,
        )

    def while_stmt(self, c: list[Any]) -> ast.While:
        return ast.While(cover(c[0], c[-1]), self.condition(c[2]), self.body(c[4], "while"))

    def for_stmt(self, c: list[Any]) -> ast.For:
        head: ForHead = c[0]
        return ast.For(
            cover(head, c[1]),
            kind=head.kind,
            target=head.target,
            iteration=head.iteration,
            iterable=head.iterable,
            body=self.body(c[1], "for"),
        )

    def for_head(self, c: list[Any]) -> ForHead:
        return ForHead(
            cover(c[0], c[-1]),
            kind=self.declaration_kind(c[2]),
            target=c[3],
            iteration="of" if c[4].text == "of" else "in",
            iterable=self.value(c[5]),
        )

    def c_for_stmt(self, c: list[Any]) -> ast.Stmt:
        """`for (init; test; update) body` -> `{ init; while (test) { body; update } }`."""
        head: Part = c[0]
        init, test, update = head.parts
        span = cover(head, c[1])
        self.diagnostics.append(habit("c-for", head.span))
        loop_body: list[ast.Stmt] = [self.body(c[1], "for")]
        if update is not None:
            loop_body.append(self.statement(update, update.span))
        test = self.value(test) if test is not None else ast.BoolLit(span, True)
        loop = ast.While(span, test, ast.Block(c[1].span, tuple(loop_body)))
        return ast.Block(span, (init, loop)) if init is not None else loop

    def c_for_head(self, c: list[Any]) -> Part:
        parts: list[list[Any]] = [[]]
        for child in c[2:-1]:
            if isinstance(child, Token) and child.kind == ";":
                parts.append([])
            else:
                parts[-1].append(child)
        init, test, update = (part[0] if part else None for part in parts)
        return Part(cover(c[0], c[-1]), parts=(init, test, update))

    def c_for_declaration(self, c: list[Any]) -> ast.VarDecl:
        return self.declaration(c)

    def c_for_expression(self, c: list[Any]) -> ast.Stmt:
        return self.statement(c[0], _span_of(c[0]))

    def do_while_stmt(self, c: list[Any]) -> ast.While:
        self.diagnostics.append(habit("do", c[0].span))
        return ast.While(cover(c[0], c[-1]), self.condition(c[4]), self.body(c[1], "do"))

    def return_stmt(self, c: list[Any]) -> ast.Return:
        value = c[1] if len(c) > 1 and not isinstance(c[1], Token) else None
        return ast.Return(cover(c[0], c[-1]), self.value(value) if value is not None else None)

    def throw_stmt(self, c: list[Any]) -> ast.Throw:
        return ast.Throw(cover(c[0], c[-1]), self.value(c[1]))

    def break_stmt(self, c: list[Any]) -> ast.Break:
        return ast.Break(cover(c[0], c[-1]))

    def continue_stmt(self, c: list[Any]) -> ast.Continue:
        return ast.Continue(cover(c[0], c[-1]))

    def empty_stmt(self, c: list[Any]) -> ast.Empty:
        return ast.Empty(c[0].span)

    def expression_stmt(self, c: list[Any]) -> ast.Stmt:
        return self.statement(c[1], cover(c[1], c[-1]))

    def declaration(self, c: list[Any]) -> ast.VarDecl:
        kind = self.declaration_kind(c[0])
        declarators = [d for d in c[1:] if isinstance(d, ast.Declarator)]
        for declarator in declarators:
            problem = missing_initializer(kind, declarator) if declarator.init is None else None
            if problem is not None:
                self.diagnostics.append(problem)
        return ast.VarDecl(cover(c[0], c[-1]), kind, tuple(declarators))

    def declarator(self, c: list[Any]) -> ast.Declarator:
        init = self.value(c[2]) if len(c) > 2 else None
        return ast.Declarator(cover(c[0], c[-1]), c[0], init)

    def try_stmt(self, c: list[Any]) -> ast.Try:
        handler = next((x for x in c[2:] if isinstance(x, ast.CatchClause)), None)
        finalizer = next((x for x in c[2:] if isinstance(x, ast.Block)), None)
        return ast.Try(cover(c[0], c[-1]), c[1], handler, finalizer)

    def catch_clause(self, c: list[Any]) -> ast.CatchClause:
        param = c[2] if len(c) > 2 else None
        return ast.CatchClause(cover(c[0], c[-1]), param, c[-1])

    def finally_clause(self, c: list[Any]) -> ast.Block:
        return c[1]

    def function_declaration(self, c: list[Any]) -> Function:
        is_async = c[0].kind == "async"
        keyword = c[1] if is_async else c[0]
        name = c[c.index(keyword) + 1]
        parameters = next((x for x in c if isinstance(x, Part)), None)
        return Function(
            cover(c[0], c[-1]),
            is_async=is_async,
            keyword=keyword,
            name=name if name.kind == "NAME" else None,
            parameters=parameters,
            header=Span(c[0].start, c[-1].span.start + 1),
            body=c[-1],
        )

    def parameters(self, c: list[Any]) -> Part:
        return Part(cover(c[0], c[-1]))

    def parameter(self, c: list[Any]) -> Part:
        return Part(cover(c[0], c[-1]))

    # ------------------------------------------------------------------ patterns

    def binding_name(self, c: list[Any]) -> ast.BindingName:
        return ast.BindingName(c[0].span, c[0].text)

    def object_pattern(self, c: list[Any]) -> ast.ObjectPattern:
        properties = next((x for x in c if isinstance(x, list)), [])
        rest = next((x for x in c if isinstance(x, ast.BindingName)), None)
        return ast.ObjectPattern(cover(c[0], c[-1]), tuple(properties), rest)

    def property_patterns(self, c: list[Any]) -> list[ast.PatternProperty]:
        return _extend(c)

    def shorthand_pattern(self, c: list[Any]) -> ast.PatternProperty:
        name: Token = c[0]
        default = self.value(c[2]) if len(c) > 2 else None
        target = ast.BindingName(name.span, name.text)
        return ast.PatternProperty(cover(c[0], c[-1]), name.text, name.span, target, default)

    def reserved_shorthand_pattern(self, c: list[Any]) -> ast.PatternProperty:
        """`{ default }`: FLOW007, then read as the name it would be."""
        self.diagnostics.append(reserved_word_as_name(c[0]))
        return self.shorthand_pattern(c)

    def keyed_pattern(self, c: list[Any]) -> ast.PatternProperty:
        key: Token = c[0]
        default = self.value(c[4]) if len(c) > 3 else None
        return ast.PatternProperty(cover(c[0], c[-1]), _key_text(key), key.span, c[2], default)

    def rest_name(self, c: list[Any]) -> ast.BindingName:
        return ast.BindingName(c[1].span, c[1].text)

    def array_pattern(self, c: list[Any]) -> ast.ArrayPattern:
        slots = c[1] if isinstance(c[1], list) else []
        rest = c[-2] if len(c) > 3 else None
        if rest is None and slots and slots[-1] is None:
            slots.pop()  # `[a, ]`: a trailing comma adds nothing; `[]` is one empty slot
        return ast.ArrayPattern(cover(c[0], c[-1]), tuple(slots), rest)

    def pattern_slots(self, c: list[Any]) -> list[ast.PatternElement | None]:
        return _extend(c)

    def element_pattern(self, c: list[Any]) -> ast.PatternElement:
        default = self.value(c[2]) if len(c) > 2 else None
        return ast.PatternElement(cover(c[0], c[-1]), c[0], default)

    def hole(self, c: list[Any]) -> None:
        return None

    # ------------------------------------------------------------------ expressions

    def assign_expr(self, c: list[Any]) -> Effect:
        target, operator, value = c[0], c[1], self.value(c[2])
        span = cover(target, value)
        if not is_place(target):
            self.diagnostics.append(invalid_target(target, operator.text))
        if operator.text in _ASSIGN_OPERATORS:
            op = operator.text
        else:
            self.diagnostics.append(compound_assignment_habit(operator.text, operator.span))
            op = "="
        return Effect(span, ast.Assign(span, op, target, value), stand_in=value)

    def prefix_update(self, c: list[Any]) -> Effect:
        return self.update(c[0], self.value(c[1]), cover(c[0], c[1]), prefix=True)

    def postfix_update(self, c: list[Any]) -> Effect:
        return self.update(c[1], self.value(c[0]), cover(c[0], c[1]), prefix=False)

    def update(self, operator: Token, target: ast.Expr, span: Span, *, prefix: bool) -> Effect:
        if not is_place(target):
            self.diagnostics.append(invalid_target(target, operator.text))
        op = "++" if operator.text == "++" else "--"
        return Effect(span, ast.Update(span, op, target, prefix), stand_in=target)

    def conditional(self, c: list[Any]) -> ast.Conditional:
        test, consequent, alternate = self.value(c[0]), self.value(c[2]), self.value(c[4])
        return ast.Conditional(cover(test, alternate), test, consequent, alternate)

    def logical(self, c: list[Any]) -> ast.Logical:
        left, operator, right = self.value(c[0]), c[1], self.value(c[2])
        node = ast.Logical(cover(left, right), operator.text, left, right, operator.span)
        for operand in (left, right):
            if (
                isinstance(operand, ast.Logical)
                and operand.operator in _LOGICAL_MIX[operator.text]
                and id(operand) not in self.parenthesized
            ):
                self.diagnostics.append(nullish_mixed_with_logical(node, operand))
                break
        return node

    def binary(self, c: list[Any]) -> ast.Binary:
        left, operator, right = self.value(c[0]), c[1], self.value(c[2])
        return ast.Binary(cover(left, right), operator.text, left, right, operator.span)

    def habit_binary(self, c: list[Any]) -> ast.Expr:
        """`**` -> `Math.pow`, `in` -> `Object.hasOwn`; the others keep their left operand."""
        left, operator, right = self.value(c[0]), c[1], self.value(c[2])
        span = cover(left, right)
        op = operator.text
        if op in BITWISE:
            self.diagnostics.append(bitwise_habit(op, operator.span))
            return left
        self.diagnostics.append(habit(op, operator.span))
        if op == "**":
            return _builtin_call(span, "Math", "pow", (left, right))
        if op == "in":
            return _builtin_call(span, "Object", "hasOwn", (right, left))
        return left

    def unary(self, c: list[Any]) -> ast.Expr:
        operator, operand = c[0], self.value(c[1])
        span = cover(operator, operand)
        if operator.text == "await":
            return ast.Await(span, operand)
        return ast.Unary(span, operator.text, operand)

    def habit_unary(self, c: list[Any]) -> ast.Expr:
        operator, operand = c[0], self.value(c[1])
        span = cover(operator, operand)
        op = operator.text
        if op == "new":
            self.diagnostics.append(new_habit(operator.span, _callee_name(operand)))
            return operand
        self.diagnostics.append(habit(op, operator.span))
        if op == "+":
            return ast.Call(span, ast.Name(operator.span, "Number"), (operand,))
        if op == "void":
            return ast.NullLit(span)
        return operand

    def chain(self, c: list[Any]) -> ast.Expr:
        end = c[0]
        link = end
        while isinstance(link, ast.Member | ast.Index | ast.Call):
            if isinstance(link, ast.Member | ast.Index) and link.optional:
                return ast.OptionalChain(end.span, end)
            link = link.callee if isinstance(link, ast.Call) else link.object
        return end

    def member(self, c: list[Any]) -> ast.Member:
        name: Token = c[2]
        return ast.Member(cover(c[0], name), c[0], name.text, name.span)

    def optional_member(self, c: list[Any]) -> ast.Member:
        name: Token = c[2]
        return ast.Member(cover(c[0], name), c[0], name.text, name.span, optional=True)

    def index(self, c: list[Any]) -> ast.Index:
        return ast.Index(cover(c[0], c[-1]), c[0], self.value(c[2]))

    def optional_index(self, c: list[Any]) -> ast.Index:
        return ast.Index(cover(c[0], c[-1]), c[0], self.value(c[3]), optional=True)

    def call(self, c: list[Any]) -> ast.Call:
        arguments: Arguments = c[1]
        return ast.Call(cover(c[0], arguments), c[0], arguments.items)

    def arguments(self, c: list[Any]) -> Arguments:
        items = c[1] if isinstance(c[1], list) else []
        return Arguments(cover(c[0], c[-1]), tuple(items))

    def argument_list(self, c: list[Any]) -> list[ast.Expr | ast.Spread]:
        item = c[-1]
        if not isinstance(item, ast.Spread):
            item = self.value(item)
        if len(c) == 1:
            return [item]
        c[0].append(item)
        return c[0]

    def spread(self, c: list[Any]) -> ast.Spread:
        return ast.Spread(cover(c[0], c[1]), self.value(c[1]))

    def name(self, c: list[Any]) -> ast.Name:
        return ast.Name(c[0].span, c[0].text)

    def number(self, c: list[Any]) -> ast.NumberLit:
        return ast.NumberLit(c[0].span, c[0].value, c[0].text)

    def string(self, c: list[Any]) -> ast.StringLit:
        return ast.StringLit(c[0].span, c[0].value)

    def true(self, c: list[Any]) -> ast.BoolLit:
        return ast.BoolLit(c[0].span, True)

    def false(self, c: list[Any]) -> ast.BoolLit:
        return ast.BoolLit(c[0].span, False)

    def null(self, c: list[Any]) -> ast.NullLit:
        return ast.NullLit(c[0].span)

    def template(self, c: list[Any]) -> ast.TemplateLit:
        quasis = tuple(piece.value for piece in c[0::2])
        expressions = tuple(self.value(e) for e in c[1::2])
        return ast.TemplateLit(cover(c[0], c[-1]), quasis, expressions)

    def array(self, c: list[Any]) -> ast.ArrayLit:
        items = c[1] if isinstance(c[1], list) else []
        return ast.ArrayLit(cover(c[0], c[-1]), tuple(items))

    def object(self, c: list[Any]) -> ast.ObjectLit:
        members = c[1] if isinstance(c[1], list) else []
        return ast.ObjectLit(cover(c[0], c[-1]), tuple(members))

    def object_members(self, c: list[Any]) -> list[ast.Property | ast.Spread]:
        return _extend(c)

    def property(self, c: list[Any]) -> ast.Property:
        key: Token = c[0]
        value = self.value(c[2])
        return ast.Property(cover(key, value), _key_text(key), key.span, None, value)

    def shorthand_property(self, c: list[Any]) -> ast.Property:
        name: Token = c[0]
        value = ast.Name(name.span, name.text)
        return ast.Property(name.span, name.text, name.span, None, value, shorthand=True)

    def computed_property(self, c: list[Any]) -> ast.Property:
        value = self.value(c[4])
        key_span = cover(c[0], c[2])
        return ast.Property(cover(c[0], value), None, key_span, self.value(c[1]), value)

    def parens(self, c: list[Any]) -> ast.Expr:
        inner = self.value(c[-2])
        if len(c) > 3:
            self.comma_groups[id(inner)] = cover(c[0], c[-1])
        self.parenthesized[id(inner)] = cover(c[0], c[-1])
        return inner

    def arrow_function(self, c: list[Any]) -> ast.NullLit:
        self.comma_groups.pop(id(c[0]), None)
        parameters = self.parenthesized.get(id(c[0]))
        span = cover(c[0], c[-1]) if parameters is None else Span(parameters.start, c[-1].span.end)
        self.diagnostics.append(habit("arrow", span))
        return ast.NullLit(span)

    def arrow_body(self, c: list[Any]) -> Any:
        return c[-1]

    def function_expression(self, c: list[Any]) -> ast.NullLit:
        span = cover(c[0], c[-1])
        self.diagnostics.append(habit("function", c[0].span))
        return ast.NullLit(span)

    # ------------------------------------------------------------------ helpers

    def value(self, expr: Any) -> ast.Expr:
        """An expression used for its value: an assignment or `++` here is FLOW010."""
        if isinstance(expr, Effect):
            self.diagnostics.append(effect_used_as_value(expr))
            return expr.stand_in
        return expr

    def condition(self, expr: Any) -> ast.Expr:
        statement = expr.statement if isinstance(expr, Effect) else None
        if isinstance(statement, ast.Assign) and statement.operator == "=":
            self.diagnostics.append(effect_used_as_value(expr, help="did you mean `==`?"))
            return expr.stand_in
        return self.value(expr)

    def statement(self, expr: Any, span: Span) -> ast.Stmt:
        """An expression statement; an assignment or update becomes its own statement."""
        if isinstance(expr, Effect):
            return _with_span(expr.statement, span)
        return ast.ExprStmt(span, expr)

    def body(self, stmt: Any, keyword: str) -> ast.Stmt:
        if isinstance(stmt, Function):
            self.diagnostics.append(misplaced_function(stmt))
            return ast.Empty(stmt.span)
        if isinstance(stmt, ast.VarDecl):
            self.diagnostics.append(declaration_as_body(stmt, keyword))
        return stmt

    def declaration_kind(self, token: Token) -> str:
        if token.kind == "var":
            self.diagnostics.append(habit("var", token.span, fix=var_fix(token.span)))
            return "let"
        return token.kind


def _extend(c: list[Any]) -> list[Any]:
    """A left-recursive list rule: `item` or `list "," item`."""
    if len(c) == 1:
        return [c[0]]
    c[0].append(c[-1])
    return c[0]


def _key_text(key: Token) -> str:
    if key.kind == "STRING":
        return str(key.value)
    if key.kind == "NUMBER":
        return number_key(key.value)  # type: ignore[arg-type]
    return key.text


def _span_of(node: Any) -> Span:
    return node.span


def _callee_name(operand: ast.Expr) -> str | None:
    callee = operand.callee if isinstance(operand, ast.Call) else operand
    return callee.name if isinstance(callee, ast.Name) else None


def _builtin_call(span: Span, namespace: str, method: str, args: Sequence[ast.Expr]) -> ast.Call:
    callee = ast.Member(span, ast.Name(span, namespace), method, span)
    return ast.Call(span, callee, tuple(args))


def _with_span(statement: ast.Assign | ast.Update, span: Span) -> ast.Stmt:
    if isinstance(statement, ast.Assign):
        return ast.Assign(span, statement.operator, statement.target, statement.value)
    return ast.Update(span, statement.operator, statement.target, statement.prefix)
