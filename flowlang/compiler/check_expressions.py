"""Types of expressions (LANGUAGE.md §11.3) and the diagnostics found while computing them.

Every expression form is a visit that returns the expression's type and records it. Names and
literals are typed without a visit (`known()`), since they are most of the nodes of a program.
Property reads follow §11.6 rule 2: FLOW204 only when no possible type of the base has the
property, FLOW404 when the base may be `null`; after an error the expression is `any` (rule 3).
Conditions (`&&`, `||`, `!`, `?:`) and what they narrow are in `check_conditions.py`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from flowlang.compiler import ast, stdlib
from flowlang.compiler import check_messages as messages
from flowlang.compiler.check_calls import Argument
from flowlang.compiler.check_conditions import ConditionRules
from flowlang.compiler.check_flow import path_key
from flowlang.compiler.check_operators import (
    EQUALITY,
    TYPEOF_RESULT,
    Outcome,
    binary_outcome,
    negation_outcome,
)
from flowlang.compiler.check_walker import Program, TypeVisit, Visit, is_silent
from flowlang.compiler.source import Span
from flowlang.compiler.types import (
    ANY,
    BOOLEAN,
    NEVER,
    NULL,
    STRING,
    ArrayType,
    Field,
    LiteralType,
    ObjectType,
    TupleType,
    Type,
    awaited,
    element_type,
    index_type,
    is_promise,
    kind_of,
    kinds,
    literal_of,
    may_be_promise,
    members,
    overlaps,
    property_type,
    remove_null,
    union,
)

_TYPEOF_WORDS = frozenset({"string", "number", "boolean", "object"})


class ExpressionRules(ConditionRules):
    """The visits of every expression form."""

    def __init__(self, program: Program, overrides: dict[int, Type]) -> None:
        super().__init__(program, overrides)
        self._visits: dict[type, Callable[..., TypeVisit]] = {
            ast.TemplateLit: self._template,
            ast.ArrayLit: self._array,
            ast.ObjectLit: self._object,
            ast.Member: self._member,
            ast.Index: self._index,
            ast.Call: self._call,
            ast.OptionalChain: self._optional_chain,
            ast.Unary: self._unary,
            ast.Await: self._await,
            ast.Binary: self._binary,
            ast.Logical: self._logical,
            ast.Conditional: self._conditional,
        }

    # ------------------------------------------------------------------------- dispatch

    def expression(self, node: ast.Expr) -> TypeVisit:
        """The visit that types `node` (a leaf is typed at once and its visit returns it)."""
        visit = self._visits.get(type(node))
        if visit is None:
            return self._leaf_visit(node)
        return visit(node)

    def _leaf_visit(self, node: ast.Expr) -> TypeVisit:
        return self.known(node) or ANY
        yield  # a generator, so that every expression has a visit

    def known(self, node: ast.Expr) -> Type | None:
        """The type of a name or literal, recorded; None for other expressions (they need a
        visit: `t = self.known(e) or (yield self.expression(e))`)."""
        match node:
            case ast.Name():
                return self.record(node, self._name_type(node))
            case ast.StringLit(value=value) | ast.NumberLit(value=value) | ast.BoolLit(value=value):
                return self.record(node, LiteralType(value))
            case ast.NullLit():
                return self.record(node, NULL)
            case ast.TemplateLit(expressions=()):
                return self.record(node, STRING)
        return None

    def _name_type(self, node: ast.Name) -> Type:
        binding = self.references.get(node.span.start)
        if binding is not None:
            offset = binding.span.start
            return self.fact((offset,)) or self.declared_type(offset)
        if node.name == "Inputs":
            return self.fact(("Inputs",)) or self.program.inputs
        if node.name == "Context":
            return self.fact(("Context",)) or stdlib.CONTEXT
        return ANY  # a namespace or function used as a value (FLOW109), or undefined (FLOW101)

    def _is_builtin(self, node: ast.Expr, *kinds_: str) -> bool:
        """Whether `node` names a builtin global of one of these kinds (not a variable)."""
        if not isinstance(node, ast.Name) or node.span.start in self.references:
            return False
        found = stdlib.GLOBALS.get(node.name)
        return found is not None and found.kind in kinds_

    # ------------------------------------------------------------------------- literals

    def _template(self, node: ast.TemplateLit) -> TypeVisit:
        for part in node.expressions:
            t = self.known(part) or (yield self.expression(part))
            self.require_value(part, t, "a template substitution")
        return self.record(node, STRING)

    def _array(self, node: ast.ArrayLit) -> TypeVisit:
        elements: list[Type] = []
        exact = True  # no spread of unknown length: the literal is a tuple
        for element in node.elements:
            if isinstance(element, ast.Spread):
                spread = yield self.spread(element)
                if isinstance(spread, TupleType):
                    elements.extend(spread.elements)
                else:
                    exact = False
                    elements.append(element_type(spread) or ANY)
            else:
                elements.append(self.known(element) or (yield self.expression(element)))
        if not node.elements:
            return self.record(node, ArrayType(ANY))  # §11.3: `[]` is `any[]`
        if exact:
            return self.record(node, TupleType(tuple(elements)))
        return self.record(node, ArrayType(union(*elements)))

    def spread(self, node: ast.Spread) -> TypeVisit:
        """`...e` in an array literal or arguments: `e` must be iterable (FLOW205); returns
        `e`'s type (`any` after an error)."""
        t = self.known(node.expression) or (yield self.expression(node.expression))
        if not is_silent(t) and element_type(t) is None:
            self.report(messages.not_iterable(node.expression, t))
            return ANY
        return t

    def _object(self, node: ast.ObjectLit) -> TypeVisit:
        fields: dict[str, Field] = {}
        first_key: dict[str, ast.Property] = {}
        index: Type | None = None
        for member in node.members:
            if isinstance(member, ast.Spread):
                spread = self.known(member.expression) or (yield self.expression(member.expression))
                index = _merge_spread(fields, spread, index)
                continue
            if member.computed is not None:
                self.known(member.computed) or (yield self.expression(member.computed))
            value = self.known(member.value) or (yield self.expression(member.value))
            if member.key is None:
                index = ANY  # §11.3: a computed key makes the object open
                continue
            first = first_key.get(member.key)
            if first is not None:
                self.report(messages.duplicate_key(member.key, member.key_span, first.key_span))
            else:
                first_key[member.key] = member
            fields[member.key] = Field(member.key, value)  # first position, last value
        if not node.members:
            return self.record(node, ObjectType((), ANY))  # §11.3: `{}` is open
        return self.record(node, ObjectType(tuple(fields.values()), index))

    # ------------------------------------------------------------------------- property reads

    def _member(self, node: ast.Member) -> TypeVisit:
        if self._is_builtin(node.object, "namespace", "function"):
            self.record(node.object, ANY)
            return self.record(node, ANY)  # `Math.floor` as a value: FLOW108/FLOW109
        base = self.known(node.object) or (yield self.expression(node.object))
        narrowed = self.fact(path_key(node, self.references))
        if narrowed is not None:
            return self.record(node, narrowed)
        t = self.read_property(node, base, node.name, node.name_span, optional=node.optional)
        return self.record(node, t)

    def _index(self, node: ast.Index) -> TypeVisit:
        base = self.known(node.object) or (yield self.expression(node.object))
        key = self.known(node.index) or (yield self.expression(node.index))
        if isinstance(node.index, ast.StringLit):
            narrowed = self.fact(path_key(node, self.references))
            if narrowed is not None:
                return self.record(node, narrowed)
            name = node.index.value
            t = self.read_property(node, base, name, node.index.span, optional=node.optional)
            return self.record(node, t)
        base = self.through_optional(base) if node.optional else base
        if is_silent(base) or is_silent(key):
            return self.record(node, ANY)
        if is_promise(base):
            self.require_value(node.object, base, "the base of an index")
            return self.record(node, ANY)
        if base == NULL:
            self.report(messages.property_missing("[…]", node.index.span, base, ()))
            return self.record(node, ANY)
        if NULL in members(base):
            self.report(
                messages.read_of_maybe_null("[…]", node.index.span, node.object, call=False)
            )
        return self.record(node, index_type(base, key))

    def through_optional(self, base: Type) -> Type:
        """The base of a `?.` link: without `null`, which short-circuits the whole chain to
        `null` (added back where the chain ends, `_optional_chain`)."""
        if base is ANY:
            return ANY
        if NULL in members(base):
            self.chain_may_be_null = True
        return remove_null(base)

    def _optional_chain(self, node: ast.OptionalChain) -> TypeVisit:
        outer = self.chain_may_be_null
        self.chain_may_be_null = False
        t = yield self.expression(node.expression)
        if self.chain_may_be_null and t is not ANY:
            t = union(t, NULL)
        self.chain_may_be_null = outer
        return self.record(node, t)

    def read_property(
        self,
        node: ast.Member | ast.Index,
        base: Type,
        name: str,
        name_span: Span,
        *,
        optional: bool,
    ) -> Type:
        """Reading `base.name` (§7.11), reporting FLOW206, FLOW306, FLOW204 or FLOW404."""
        if optional:
            if base == NULL:
                self.chain_may_be_null = True
                return NEVER
            base = self.through_optional(base)
        if is_silent(base):
            return ANY
        if is_promise(base):
            base_text = messages.describe(node.object) or "..."
            help = f"write `(await {base_text}).{name}`"
            self.require_value(node.object, base, "the base of a property read", help=help)
            return ANY
        if self._is_builtin(node.object, "value"):
            return self._read_global(node, base, name, name_span)
        if self._is_method(base, name):
            return ANY  # a method read without a call: FLOW109 for literals, else `null`
        lookup = property_type(base, name)
        if len(lookup.missing_on) == len(members(base)):
            candidates = _property_names(base)
            self.report(messages.property_missing(name, name_span, base, candidates))
            return ANY
        if lookup.null_base:
            self.report(messages.read_of_maybe_null(name, name_span, node.object, call=False))
        return lookup.type

    def _read_global(
        self, node: ast.Member | ast.Index, base: Type, name: str, name_span: Span
    ) -> Type:
        """`Inputs.x` (FLOW306 when `inputs` is declared) and `Context.x` (an unknown member is
        FLOW108, reported with the builtin rules)."""
        assert isinstance(node.object, ast.Name)
        lookup = property_type(base, name)
        if len(lookup.missing_on) < len(members(base)):
            return lookup.type
        if node.object.name == "Inputs" and self.program.inputs_declared:
            self.report(messages.input_not_declared(name, name_span, _property_names(base)))
        return ANY

    def _is_method(self, base: Type, name: str) -> bool:
        found = kinds(base) or frozenset()
        return any(
            (b := stdlib.lookup_method(k, name)) is not None and b.kind == "method"
            for k in ("array", "string")
            if k in found
        )

    # ------------------------------------------------------------------------- calls

    def _call(self, node: ast.Call) -> TypeVisit:
        callee = node.callee
        builtin = self._builtin_callee(callee)
        if builtin is not None:
            arguments = yield self.arguments(node.arguments)
            return self.record(node, self.builtin_call(node, builtin, arguments))
        if isinstance(callee, ast.Member) and not self._is_builtin(
            callee.object, "namespace", "function"
        ):
            receiver = self.known(callee.object) or (yield self.expression(callee.object))
            if callee.optional:
                receiver = self.through_optional(receiver)
            arguments = yield self.arguments(node.arguments)
            t = self.method_call(node, callee, receiver, arguments)
            self.after_method_call(callee, receiver, arguments)
            return self.record(node, t)
        # Not a builtin (FLOW207) or an unknown namespace member (FLOW108): reported with the
        # builtin rules; the arguments are still typed.
        if not isinstance(callee, ast.Member | ast.Name):
            yield self.expression(callee)
        yield self.arguments(node.arguments)
        return self.record(node, ANY)

    def _builtin_callee(self, callee: ast.Expr) -> stdlib.Builtin | None:
        if isinstance(callee, ast.Name) and self._is_builtin(callee, "function"):
            return stdlib.FUNCTIONS.get(callee.name)
        if isinstance(callee, ast.Member) and self._is_builtin(callee.object, "namespace"):
            assert isinstance(callee.object, ast.Name)
            return stdlib.lookup_member(callee.object.name, callee.name)
        return None

    def arguments(self, nodes: Sequence[ast.Expr | ast.Spread]) -> Visit:
        found: list[Argument] = []
        for node in nodes:
            if isinstance(node, ast.Spread):
                t = yield self.spread(node)
                found.append(Argument(node.expression, t, spread=True))
            else:
                t = self.known(node) or (yield self.expression(node))
                found.append(Argument(node, t))
        return found

    def after_method_call(
        self, callee: ast.Member, receiver: Type, arguments: Sequence[Argument]
    ) -> None:
        """Overridden by the statement walker: a mutating method changes its place."""

    # ------------------------------------------------------------------------- operators

    def _unary(self, node: ast.Unary) -> TypeVisit:
        if node.operator == "!":
            return (yield self._negation(node))
        if node.operator == "-" and isinstance(node.operand, ast.NumberLit):
            self.known(node.operand)
            return self.record(node, literal_of(-node.operand.value))
        operand = self.known(node.operand) or (yield self.expression(node.operand))
        if node.operator == "typeof":
            return self.record(node, TYPEOF_RESULT)
        if is_silent(operand) or self.require_value(node.operand, operand, "an operand"):
            return self.record(node, ANY)
        outcome = negation_outcome(operand)
        self.report_outcome("-", node.span, [(node.operand, operand)], outcome)
        return self.record(node, outcome.result)

    def _await(self, node: ast.Await) -> TypeVisit:
        operand = self.known(node.operand) or (yield self.expression(node.operand))
        if is_silent(operand):
            return self.record(node, ANY)
        if not may_be_promise(operand):
            self.report(messages.await_of_non_promise(node.span, node.operand, operand))
        return self.record(node, awaited(operand))

    def _binary(self, node: ast.Binary) -> TypeVisit:
        left = self.known(node.left) or (yield self.expression(node.left))
        right = self.known(node.right) or (yield self.expression(node.right))
        if node.operator in EQUALITY:
            self._check_comparison(node, left, right)
            return self.record(node, BOOLEAN)
        bad_left = self.require_value(node.left, left, "an operand")
        bad_right = self.require_value(node.right, right, "an operand")
        if bad_left or bad_right:
            return self.record(node, ANY)
        operands = [(node.left, left), (node.right, right)]
        return self.record(node, self.operator_result(node.operator_span, node.operator, operands))

    def operator_result(
        self, span: Span, operator: str, operands: list[tuple[ast.Expr, Type]]
    ) -> Type:
        """The type of an arithmetic, `+` or relational operation on the two `operands`, after
        reporting what is wrong with it."""
        (_, left), (_, right) = operands
        outcome = binary_outcome(operator, left, right)
        self.report_outcome(operator, span, operands, outcome)
        return outcome.result

    def report_outcome(
        self, operator: str, span: Span, operands: list[tuple[ast.Expr, Type]], outcome: Outcome
    ) -> None:
        kinds_found = {k for _, t in operands for k in (kinds(t) or ())}
        help = messages.operator_help(operator, kinds_found)
        if outcome.never:
            self.report(messages.operator_never_applies(operator, span, operands, help))
        elif outcome.sometimes:
            if outcome.failing_left is not None and operands:
                culprit, failing = operands[0][0], outcome.failing_left
            elif outcome.failing_right is not None and len(operands) > 1:
                culprit, failing = operands[1][0], outcome.failing_right
            else:
                culprit, failing = operands[0][0], operands[0][1]
            help = messages.operator_help(operator, kinds(failing) or ())
            self.report(messages.operator_may_fail(operator, span, culprit, failing, help))

    def _check_comparison(self, node: ast.Binary, left: Type, right: Type) -> None:
        """FLOW403: `==` between types with no value in common (§7.7 never converts)."""
        word = _typeof_word(node.left, node.right) or _typeof_word(node.right, node.left)
        if word is not None and word not in _TYPEOF_WORDS:
            self.report(messages.comparison_constant(node.span, node.operator, left, right, word))
        elif (
            word is None and not overlaps(left, right) and not (is_silent(left) or is_silent(right))
        ):
            self.report(messages.comparison_constant(node.span, node.operator, left, right, None))


def _typeof_word(typeof: ast.Expr, word: ast.Expr) -> str | None:
    if (
        isinstance(typeof, ast.Unary)
        and typeof.operator == "typeof"
        and isinstance(word, ast.StringLit)
    ):
        return word.value
    return None


def _merge_spread(fields: dict[str, Field], spread: Type, index: Type | None) -> Type | None:
    """`{...e}`: an object's fields are copied in order; anything else makes the result open."""
    if isinstance(spread, ObjectType):
        for field in spread.fields:
            fields[field.name] = field
        if spread.index is None:
            return index
        return union(index, spread.index) if index is not None else spread.index
    if kind_of(spread) in ("null", "number", "boolean", "promise"):
        return index  # §6.3: these copy nothing
    return ANY


def _property_names(base: Type) -> list[str]:
    """Names a property read could have meant, for "did you mean"."""
    names: list[str] = []
    for member in members(base):
        if isinstance(member, ObjectType):
            names.extend(f.name for f in member.fields)
        elif kind_of(member) in ("string", "array"):
            names.append("length")
    return names
