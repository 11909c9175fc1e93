"""Declared types of variables (LANGUAGE.md §11.3): what a declaration, a `for` head or a
`catch` binds, through destructuring patterns.

A `let` takes the widened type of its value, since it may be assigned another; a `const`
keeps the type of its value, literal types included (`const tier = "pro"` is `"pro"`, and a
`const` result of `Promise.race_kv` keeps the record per key that testing `key` narrows); a
`catch` binding is `any`. Destructured names get the field or element type, `T | null` for an
optional field or a position beyond a tuple's length, joined with the default's type when there
is one. Reading a field in a pattern is a property read: the same FLOW204/FLOW306/FLOW404 rules
apply.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

from flowlang.compiler import ast
from flowlang.compiler import check_messages as messages
from flowlang.compiler.check_expressions import ExpressionRules
from flowlang.compiler.check_flow import forget_roots
from flowlang.compiler.check_walker import Visit, is_silent
from flowlang.compiler.resolve import Binding
from flowlang.compiler.types import (
    ANY,
    NEVER,
    NULL,
    ArrayType,
    ObjectType,
    TupleType,
    Type,
    element_type,
    members,
    property_type,
    remove_null,
    union,
    widen,
)

BindingKind = Literal["let", "const", "catch"]


def declared(t: Type, kind: BindingKind) -> Type:
    """The declared type of a variable bound to a value of type `t`."""
    if kind == "catch":
        return ANY
    return t if kind == "const" else widen(t)


class PatternRules(ExpressionRules):
    """Binding names and patterns to types."""

    def bind(
        self, target: ast.Target, t: Type, kind: BindingKind, source: ast.Expr | None
    ) -> Visit:
        """Bind `target` to a value of type `t`; `source` is the expression it comes from, when
        there is one (`const {x} = Inputs` reads `Inputs.x`)."""
        match target:
            case ast.BindingName(span=span):
                offset = span.start
                found = self.overrides.get(offset) or declared(t, kind)
                self.declared[offset] = found
                self.facts = forget_roots(self.facts, (offset,))  # a new iteration's binding
                self.record(target, found)
            case ast.ObjectPattern():
                yield self._object_pattern(target, t, kind, source)
            case ast.ArrayPattern():
                yield self._array_pattern(target, t, kind)

    def _object_pattern(
        self, pattern: ast.ObjectPattern, t: Type, kind: BindingKind, source: ast.Expr | None
    ) -> Visit:
        base = self._destructured(pattern, t, source)
        for prop in pattern.properties:
            field = ANY if is_silent(base) else self._pattern_field(prop, base, source)
            if prop.default is not None:
                # A default is there for a key that may be absent: absent is no mistake.
                default = self.known(prop.default) or (yield self.expression(prop.default))
                field = union(field, default)
            yield self.bind(prop.target, field, kind, None)
        if pattern.rest is not None:
            yield self.bind(pattern.rest, _rest_object(base, pattern), kind, None)

    def _destructured(self, pattern: ast.ObjectPattern, t: Type, source: ast.Expr | None) -> Type:
        """The type whose fields a pattern reads: `any` after a promise (FLOW206) or a `null`
        that always fails (FLOW204); a `null` member is FLOW404 and is left out."""
        if is_silent(t):
            return ANY
        if source is not None and self.require_value(source, t, "a destructured value"):
            return ANY
        first = pattern.properties[0] if pattern.properties else None
        if t == NULL:
            if first is not None:
                self.report(messages.property_missing(first.key, first.key_span, t, ()))
            return ANY
        if NULL in members(t) and first is not None and source is not None:
            self.report(messages.read_of_maybe_null(first.key, first.key_span, source, call=False))
        return remove_null(t)

    def _pattern_field(
        self, prop: ast.PatternProperty, base: Type, source: ast.Expr | None
    ) -> Type:
        lookup = property_type(base, prop.key)
        if len(lookup.missing_on) < len(members(base)):
            return lookup.type
        if prop.default is not None and not _is_inputs(source, self.references):
            return NEVER  # absent: the default applies
        names = [f.name for m in members(base) if isinstance(m, ObjectType) for f in m.fields]
        if _is_inputs(source, self.references):
            if self.program.inputs_declared:
                self.report(messages.input_not_declared(prop.key, prop.key_span, names))
        elif not _is_context(source):
            self.report(messages.property_missing(prop.key, prop.key_span, base, names))
        return ANY

    def _array_pattern(self, pattern: ast.ArrayPattern, t: Type, kind: BindingKind) -> Visit:
        elements = self._elements(pattern, t)
        for position, element in enumerate(pattern.elements):
            if element is None:
                continue
            item = elements(position)
            if element.default is not None:
                default = self.known(element.default) or (yield self.expression(element.default))
                item = union(item, default)
            yield self.bind(element.target, item, kind, None)
        if pattern.rest is not None:
            rest = t if isinstance(t, TupleType) else None
            start = len(pattern.elements)
            rest_type: Type = (
                TupleType(rest.elements[start:])
                if rest is not None
                else ArrayType(element_type(t) or ANY)
                if not is_silent(t)
                else ANY
            )
            yield self.bind(pattern.rest, rest_type, kind, None)

    def _elements(self, pattern: ast.ArrayPattern, t: Type) -> _ElementAt:
        """The type at each position of an array pattern; FLOW205 when `t` is not iterable."""
        if is_silent(t):
            return _ElementAt(ANY)
        if isinstance(t, TupleType):
            return _ElementAt(NULL, t.elements)
        found = element_type(t)
        if found is None:
            self.report(messages.not_iterable_pattern(pattern, t))
            return _ElementAt(ANY)
        return _ElementAt(found)


class _ElementAt:
    """Position -> element type: a tuple's element (`null` beyond its length), else the
    element type of the array or string."""

    def __init__(self, otherwise: Type, elements: tuple[Type, ...] = ()) -> None:
        self._otherwise = otherwise
        self._elements = elements

    def __call__(self, position: int) -> Type:
        if position < len(self._elements):
            return self._elements[position]
        return self._otherwise


def _rest_object(base: Type, pattern: ast.ObjectPattern) -> Type:
    """`...rest`: the remaining fields of an object type, in order."""
    if not isinstance(base, ObjectType):
        return ObjectType((), ANY)
    taken = {prop.key for prop in pattern.properties}
    return ObjectType(tuple(f for f in base.fields if f.name not in taken), base.index)


def _is_inputs(source: ast.Expr | None, references: Mapping[int, Binding]) -> bool:
    return (
        isinstance(source, ast.Name)
        and source.name == "Inputs"
        and source.span.start not in references
    )


def _is_context(source: ast.Expr | None) -> bool:
    """`const {id} = Context`: an unknown member of `Context` is FLOW108 (builtin rules)."""
    return isinstance(source, ast.Name) and source.name == "Context"
