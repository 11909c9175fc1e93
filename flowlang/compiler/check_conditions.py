"""Conditions and what they narrow (LANGUAGE.md §11.4).

`condition()` types an expression whose truthiness decides something (an `if` or `while` test,
an operand of `&&`/`||`/`!`, the test of `?:`) and returns, with its type, the facts that hold
where it is truthy and where it is falsy. The short-circuit operators type their right operand
where the left one has decided, which is why `&&`, `||`, `!` and `?:` are typed here.

| condition | narrows `x` to |
|---|---|
| `x != null` (and the `else` of `== null`) | without `null` |
| `x` truthy | without `null`, `false`, `0`, `""` |
| `typeof x == "string"` | the members of that kind |
| `Array.isArray(x)` | the array members |
| `x == <literal>` | that literal |
"""

from __future__ import annotations

from collections.abc import Callable

from flowlang.compiler import ast, stdlib
from flowlang.compiler.check_calls import CallRules
from flowlang.compiler.check_flow import NO_FACTS, Facts, PathKey, join, path_key, with_facts
from flowlang.compiler.check_operators import EQUALITY
from flowlang.compiler.check_walker import TypeVisit, Visit
from flowlang.compiler.types import (
    ANY,
    BOOLEAN,
    NULL,
    ObjectType,
    Type,
    literal_of,
    members,
    narrow_array,
    narrow_falsy,
    narrow_to_literal,
    narrow_truthy,
    narrow_typeof,
    overlaps,
    property_type,
    remove_null,
    union,
    without_array,
    without_typeof,
)


class ConditionRules(CallRules):
    """Typing conditions and the facts they establish."""

    # Provided by `ExpressionRules`, the layer above, which types every other expression.
    expression: Callable[[ast.Expr], TypeVisit]
    known: Callable[[ast.Expr], Type | None]

    def condition(self, node: ast.Expr, *, tested: bool = True) -> Visit:
        """Type `node`; return `(type, facts where truthy, facts where falsy)`. `tested` says
        that its truthiness is used (a promise there is FLOW206: it is always truthy)."""
        match node:
            case ast.Logical(operator="&&" | "||"):
                return (yield self._short_circuit(node, tested=tested))
            case ast.Unary(operator="!", operand=operand):
                _, when_true, when_false = yield self.condition(operand)
                return self.record(node, BOOLEAN), when_false, when_true
            case ast.Binary(operator=operator) if operator in EQUALITY:
                t = yield self.expression(node)
                return (t, *self._equality_facts(node))
            case ast.Call() if self._is_array_test(node):
                t = yield self.expression(node)
                return (t, *self._array_facts(node))
        t = self.known(node) or (yield self.expression(node))
        if tested and self.require_value(node, t, "a condition"):
            return ANY, NO_FACTS, NO_FACTS
        key = path_key(node, self.references)
        if key is None or t is ANY:
            return t, NO_FACTS, NO_FACTS
        when_true = {**self._non_null_links(node), key: narrow_truthy(t)}
        return t, when_true, {key: narrow_falsy(t)}

    # ------------------------------------------------------------------------- visits

    def _logical(self, node: ast.Logical) -> TypeVisit:
        if node.operator == "??":
            return (yield self._nullish(node))
        t, _, _ = yield self._short_circuit(node, tested=False)
        return t

    def _negation(self, node: ast.Unary) -> TypeVisit:
        t, _, _ = yield self.condition(node)
        return t

    def _conditional(self, node: ast.Conditional) -> TypeVisit:
        _, when_true, when_false = yield self.condition(node.test)
        outer = self.facts
        self.facts = with_facts(outer, when_true)
        consequent = self.known(node.consequent) or (yield self.expression(node.consequent))
        self.facts = with_facts(outer, when_false)
        alternate = self.known(node.alternate) or (yield self.expression(node.alternate))
        self.facts = outer
        return self.record(node, union(consequent, alternate))

    def _nullish(self, node: ast.Logical) -> TypeVisit:
        """`a ?? b`: `a` without `null`, joined with `b` (§11.4)."""
        left = self.known(node.left) or (yield self.expression(node.left))
        right = self.known(node.right) or (yield self.expression(node.right))
        return self.record(node, ANY if left is ANY else union(remove_null(left), right))

    def _short_circuit(self, node: ast.Logical, *, tested: bool) -> Visit:
        """`a && b`, `a || b`: `b` is typed where `a` has decided; the result is `a`'s falsy
        (for `&&`) or truthy (for `||`) part joined with `b`."""
        both = node.operator == "&&"
        left, left_true, left_false = yield self.condition(node.left)
        outer = self.facts
        self.facts = with_facts(outer, left_true if both else left_false)
        right, right_true, right_false = yield self.condition(node.right, tested=tested)
        self.facts = outer
        if left is ANY:
            t: Type = ANY
        else:
            t = union(narrow_falsy(left) if both else narrow_truthy(left), right)
        if both:
            when_true = with_facts(left_true, right_true)
            when_false = join(left_false, with_facts(left_true, right_false))
        else:
            when_true = join(left_true, with_facts(left_false, right_true))
            when_false = with_facts(left_false, right_false)
        return self.record(node, t), when_true, when_false

    # ------------------------------------------------------------------------- facts

    def _equality_facts(self, node: ast.Binary) -> tuple[Facts, Facts]:
        """`x == null`, `x != "a"`, `typeof x == "string"` (either operand order)."""
        for subject, other in ((node.left, node.right), (node.right, node.left)):
            found = self._comparison_facts(subject, other)
            if found is not None:
                equal, unequal = found
                return (equal, unequal) if node.operator in ("==", "===") else (unequal, equal)
        return NO_FACTS, NO_FACTS

    def _comparison_facts(self, subject: ast.Expr, other: ast.Expr) -> tuple[Facts, Facts] | None:
        if isinstance(subject, ast.Unary) and subject.operator == "typeof":
            if not isinstance(other, ast.StringLit):
                return None
            key, t = self._path(subject.operand)
            if key is None or t is None:
                return None
            word = other.value
            return {key: narrow_typeof(t, word)}, {key: without_typeof(t, word)}
        literal = _literal_type(other)
        key, t = self._path(subject)
        if literal is None or key is None or t is None or t is ANY:
            return None
        equal = {
            **self._discriminant(subject, literal, equal=True),
            key: narrow_to_literal(t, literal),
        }
        unequal = {
            **self._discriminant(subject, literal, equal=False),
            key: _without_literal(t, literal),
        }
        links = self._non_null_links(subject)
        if literal == NULL:
            return equal, {**links, **unequal}
        return {**links, **equal}, unequal

    def _discriminant(
        self, subject: ast.Expr, literal: Type, *, equal: bool
    ) -> dict[PathKey, Type]:
        """`r.key == "ack"` also narrows `r` to the members of its union whose `key` can be
        `"ack"` (and `!=` drops those whose `key` is exactly it), as TypeScript does."""
        if isinstance(subject, ast.OptionalChain):
            subject = subject.expression
        if isinstance(subject, ast.Member):
            name = subject.name
        elif isinstance(subject, ast.Index) and isinstance(subject.index, ast.StringLit):
            name = subject.index.value
        else:
            return {}
        key, t = self._path(subject.object)
        if key is None or t is None or len(members(t)) < 2:
            return {}
        kept: list[Type]
        if equal:
            kept = [
                m
                for m in members(t)
                if isinstance(m, ObjectType) and overlaps(property_type(m, name).type, literal)
            ]
        else:
            kept = [m for m in members(t) if not _is_exactly(m, name, literal)]
        return {key: union(*kept)}

    def _is_array_test(self, node: ast.Call) -> bool:
        callee = node.callee
        return (
            isinstance(callee, ast.Member)
            and callee.name == "isArray"
            and isinstance(callee.object, ast.Name)
            and callee.object.name == "Array"
            and callee.object.span.start not in self.references
            and stdlib.lookup_member("Array", "isArray") is not None
            and len(node.arguments) == 1
            and not isinstance(node.arguments[0], ast.Spread)
        )

    def _array_facts(self, node: ast.Call) -> tuple[Facts, Facts]:
        argument = node.arguments[0]
        assert not isinstance(argument, ast.Spread)
        key, t = self._path(argument)
        if key is None or t is None:
            return NO_FACTS, NO_FACTS
        return {key: narrow_array(t)}, {key: without_array(t)}

    def _path(self, node: ast.Expr) -> tuple[PathKey | None, Type | None]:
        """The key of a path expression and the type it was just given."""
        return path_key(node, self.references), self.types.get(node.span)

    def _non_null_links(self, node: ast.Expr) -> dict[PathKey, Type]:
        """Where `a?.b` is not `null` (truthy, or `!= null`), `a` is not `null` either."""
        facts: dict[PathKey, Type] = {}
        while isinstance(node, ast.OptionalChain | ast.Member | ast.Index):
            if isinstance(node, ast.OptionalChain):
                node = node.expression
                continue
            if node.optional:
                key, t = self._path(node.object)
                if key is not None and t is not None and t is not ANY:
                    facts[key] = remove_null(t)
            node = node.object
        return facts


def _literal_type(node: ast.Expr) -> Type | None:
    match node:
        case ast.NullLit():
            return NULL
        case ast.StringLit(value=value) | ast.NumberLit(value=value) | ast.BoolLit(value=value):
            return literal_of(value)
        case ast.Unary(operator="-", operand=ast.NumberLit(value=value)):
            return literal_of(-value)
    return None


def _is_exactly(t: Type, name: str, literal: Type) -> bool:
    """Whether every value of `t` has `literal` under `name` (so `!=` excludes `t`)."""
    return isinstance(t, ObjectType) and property_type(t, name).type == literal


def _without_literal(t: Type, literal: Type) -> Type:
    """`t` where `x != literal`: only a member that is exactly that value can go."""
    if literal == NULL:
        return remove_null(t)
    return union(*(m for m in members(t) if m != literal))
