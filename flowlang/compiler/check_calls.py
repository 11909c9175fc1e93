"""Calls of builtins (LANGUAGE.md §9, §11.3, §11.5): arity (FLOW202), argument types, options
and literal arguments the runtime would reject (FLOW203), promises passed where data is needed
(FLOW206), and the rules whose result depends on the arguments or the environment: `Task.run`
against the task catalog (FLOW301–FLOW304), `Workflow.run` against the workflow set (FLOW305,
FLOW302–FLOW304), `Signal.next` against the front matter (FLOW307), the `Promise` combinators,
and array methods typed by the receiver's element type.

Everything here works on types already computed: the expression walker types the receiver and
the arguments, then asks `builtin_call()` or `method_call()` for the call's type.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

from flowlang.compiler import ast, stdlib
from flowlang.compiler import check_call_messages as messages
from flowlang.compiler.check_messages import (
    method_may_be_missing,
    promise_used_as_value,
    property_missing,
    read_of_maybe_null,
)
from flowlang.compiler.check_walker import Walker, is_silent
from flowlang.compiler.stdlib import Builtin, Param, Rule
from flowlang.compiler.suggest import closest
from flowlang.compiler.types import (
    ANY,
    NULL,
    NUMBER,
    STRING,
    ArrayType,
    Field,
    LiteralType,
    ObjectType,
    PromiseType,
    TupleType,
    Type,
    awaited,
    is_assignable,
    is_promise,
    kind_of,
    kinds,
    literal_of,
    members,
    union,
)

# §8.2: these convert or serialise their argument, and a promise there throws ("Cannot convert
# a promise to a string", "Cannot serialize a promise"), although their parameter is `any`.
_SERIALISING = frozenset({"String", "Number", "JSON.stringify"})

# §9.11: `T` is the element type; these give `T | null`, the other `Rule.ELEMENT` methods `T[]`.
_ELEMENT_OR_NULL = frozenset({"at", "pop"})

_METHOD_KINDS: tuple[stdlib.MethodReceiver, ...] = ("array", "string")

# §9.6 `Promise.allSettled`: the rejected member; its reason is any thrown value.
_REJECTED = ObjectType((Field("status", LiteralType("rejected")), Field("reason", ANY)))


@dataclass(frozen=True, slots=True)
class Argument:
    """One argument as written (`node` is the expression after `...` for a spread) and its
    type."""

    node: ast.Expr
    type: Type
    spread: bool = False


class CallRules(Walker):
    """Typing and checking calls of builtin functions and methods."""

    # ------------------------------------------------------------------------- functions

    def builtin_call(
        self,
        call: ast.Call,
        builtin: Builtin,
        arguments: Sequence[Argument],
        *,
        receiver: Type | None = None,
        check_arguments: bool = True,
    ) -> Type:
        """The type of a call of `builtin`, after reporting what is wrong with its arguments."""
        if check_arguments:
            self._check_arity(call, builtin, arguments)
            self._check_argument_types(builtin, arguments)
            if builtin.rule in (Rule.TASK_RUN, Rule.WORKFLOW_RUN) and len(arguments) > 1:
                self.report_promises_inside(arguments[1].node, "part of the inputs")
        match builtin.rule:
            case Rule.ELEMENT:
                return _element_result(builtin, receiver)
            case Rule.TASK_RUN:
                return self._task_run(arguments)
            case Rule.WORKFLOW_RUN:
                return self._workflow_run(arguments)
            case Rule.SIGNAL_NEXT:
                return self._signal_next(arguments)
            case Rule.PROMISE_ALL | Rule.PROMISE_ALL_SETTLED | Rule.PROMISE_ANY | Rule.PROMISE_RACE:
                return _combinator_result(builtin.rule, _first_type(arguments))
            case Rule.PROMISE_ANY_KV | Rule.PROMISE_RACE_KV:
                return _combinator_result(builtin.rule, _first_type(arguments))
        return builtin.result

    def _check_arity(self, call: ast.Call, builtin: Builtin, arguments: Sequence[Argument]) -> None:
        if any(argument.spread for argument in arguments):
            return  # how many a spread gives is known at run time only
        least, most = stdlib.arity(builtin)
        if len(arguments) < least or (most is not None and len(arguments) > most):
            self.report(messages.wrong_argument_count(call, builtin, len(arguments)))

    def _check_argument_types(self, builtin: Builtin, arguments: Sequence[Argument]) -> None:
        for position, (argument, param) in enumerate(_matched(builtin, arguments), start=1):
            if argument.spread:
                continue
            if param.type is stdlib.TASK_OPTIONS or param.type is stdlib.WORKFLOW_OPTIONS:
                self._check_options(builtin, argument, param.type)
            elif not self._check_argument(builtin, position, argument, param):
                continue
            if param.check is not None:
                problem = stdlib.literal_problem(param.check, _literal_value(argument.node))
                if problem is not None:
                    self.report(messages.rejected_literal(builtin, argument.node, problem))

    def _check_argument(
        self, builtin: Builtin, position: int, argument: Argument, param: Param
    ) -> bool:
        """Report an argument of a wrong type; True when it is fine (or `any`)."""
        t = argument.type
        if is_silent(t):
            return True
        if is_promise(t) and (
            builtin.qualified in _SERIALISING or not is_assignable(t, param.type)
        ):
            where = f"an argument of `{builtin.qualified}`"
            self.report(promise_used_as_value(argument.node, t, where=where))
            return False
        if is_assignable(t, param.type):
            return True
        failing = [m for m in members(t) if not is_assignable(m, param.type)]
        if len(failing) == len(members(t)):
            self.report(messages.wrong_argument_type(builtin, position, argument.node, t, param))
        else:
            self.report(
                messages.argument_may_be_wrong(
                    builtin, position, argument.node, union(*failing), param
                )
            )
        return False

    def _check_options(self, builtin: Builtin, argument: Argument, options: Type) -> None:
        """An options object: unknown keys and wrong values are FLOW203, each at its key or
        value; literal values must keep the option's rule (`timeout: "5 minutes"`)."""
        assert isinstance(options, ObjectType)
        node = argument.node
        if not isinstance(node, ast.ObjectLit):
            self._check_argument(builtin, 3, argument, stdlib.Param("options", options))
            return
        known = {f.name: f for f in options.fields}
        for member in node.members:
            if not isinstance(member, ast.Property) or member.key is None:
                continue
            field = known.get(member.key)
            if field is None:
                self.report(messages.unknown_option(builtin, member, known))
                continue
            value = self.types.get(member.value.span, ANY)
            if not is_silent(value) and not is_assignable(value, field.type):
                self.report(messages.wrong_option_type(builtin, member, value, field.type))
                continue
            check = stdlib.OPTION_CHECKS.get(member.key)
            problem = check and stdlib.literal_problem(check, _literal_value(member.value))
            if problem:
                self.report(messages.rejected_option(builtin, member, problem))

    # ------------------------------------------------------------------------- environment

    def _task_run(self, arguments: Sequence[Argument]) -> Type:
        """`Task.run(name, inputs)`: with a catalog and a literal name, the task must exist and
        its inputs must fit; the promise fulfils with the task's result type."""
        tasks = self.program.environment.tasks
        name = _literal_name(arguments)
        if tasks is None or name is None:
            return PromiseType(ANY)
        task = tasks.get(name.value)
        if task is None:
            self.report(messages.unknown_task(name, tasks))
            return PromiseType(ANY)
        self._check_inputs(f"task `{task.name}`", arguments, task.inputs)
        return PromiseType(task.result)

    def _workflow_run(self, arguments: Sequence[Argument]) -> Type:
        """`Workflow.run(name, inputs)` against the workflow set and the child's front matter."""
        workflows = self.program.environment.workflows
        name = _literal_name(arguments)
        if workflows is None or name is None:
            return PromiseType(ANY)
        child = workflows.get(name.value)
        if child is None:
            self.report(messages.unknown_workflow(name, workflows))
            return PromiseType(ANY)
        if child.inputs is not None:
            self._check_inputs(f"workflow `{child.name}`", arguments, child.inputs)
        return PromiseType(ANY if child.output is None else child.output)

    def _signal_next(self, arguments: Sequence[Argument]) -> Type:
        signals = self.program.signals
        name = _literal_name(arguments)
        if signals is None or name is None:
            return PromiseType(ANY)
        payload = signals.get(name.value)
        if payload is None:
            self.report(messages.unknown_signal(name, signals))
            return PromiseType(ANY)
        return PromiseType(payload)

    def _check_inputs(self, owner: str, arguments: Sequence[Argument], expected: Type) -> None:
        """The inputs of a task or child (FLOW302–FLOW304), field by field for an object
        literal, as a whole otherwise. Promises inside are already FLOW206 (the literal's
        fields are checked for them by the walker)."""
        given = arguments[1] if len(arguments) > 1 else None
        if given is not None and (given.spread or is_silent(given.type) or is_promise(given.type)):
            return
        if not isinstance(expected, ObjectType):
            return
        if given is None:
            self._report_missing(owner, expected, (), arguments[0].node, None)
        elif isinstance(given.node, ast.ObjectLit):
            self._check_input_literal(owner, given.node, expected)
        elif isinstance(given.type, ObjectType) and not is_assignable(given.type, expected):
            self.report(messages.inputs_mismatch(owner, given.node, given.type, expected))

    def _check_input_literal(
        self, owner: str, literal: ast.ObjectLit, expected: ObjectType
    ) -> None:
        wanted = {f.name: f for f in expected.fields}
        written: list[str] = []
        complete = True  # whether the literal's keys are all known statically
        for member in literal.members:
            if not isinstance(member, ast.Property) or member.key is None:
                spread_type = (
                    self.types.get(member.expression.span, ANY)
                    if isinstance(member, ast.Spread)
                    else ANY
                )
                complete = (
                    complete and isinstance(spread_type, ObjectType) and spread_type.index is None
                )
                if isinstance(spread_type, ObjectType):
                    written.extend(f.name for f in spread_type.fields)
                continue
            written.append(member.key)
            if self._check_input_field(owner, member, wanted.get(member.key), expected):
                # A misspelt key is one mistake: the field it was meant to be is not missing.
                written.append(closest(member.key, wanted) or member.key)
        if complete:
            self._report_missing(owner, expected, written, literal, literal)

    def _check_input_field(
        self, owner: str, member: ast.Property, field: Field | None, expected: ObjectType
    ) -> bool:
        """FLOW303 or FLOW304 for one written field; True when its key is unknown."""
        value = self.types.get(member.value.span, ANY)
        if field is None and expected.index is None:
            self.report(messages.unknown_input(owner, member, [f.name for f in expected.fields]))
            return True
        target = expected.index if field is None else field.type
        if field is not None and field.optional:
            target = union(target, NULL) if target is not None else None
        if target is None or is_silent(value) or is_promise(value):
            return False
        if not is_assignable(value, target):
            self.report(messages.wrong_input_type(owner, member, value, target))
        return False

    def _report_missing(
        self,
        owner: str,
        expected: ObjectType,
        written: Sequence[str],
        anchor: ast.Node,
        literal: ast.ObjectLit | None,
    ) -> None:
        missing = [f for f in expected.fields if not f.optional and f.name not in written]
        if missing:
            self.report(messages.missing_inputs(owner, missing, anchor, literal is not None))

    # ------------------------------------------------------------------------- methods

    def method_call(
        self,
        call: ast.Call,
        callee: ast.Member,
        receiver: Type,
        arguments: Sequence[Argument],
    ) -> Type:
        """`value.name(…)`: the method must exist on the receiver's type. A name that is no
        method of any kind is FLOW207, reported with the builtin rules (`builtin_use.py`),
        except on a string or array literal, whose type is certain."""
        if is_silent(receiver):
            return ANY
        if is_promise(receiver):
            where = f"the receiver of `.{callee.name}(...)`"
            self.report(promise_used_as_value(callee.object, receiver, where=where))
            return ANY
        owners = {k: b for k in _METHOD_KINDS if (b := stdlib.lookup_method(k, callee.name))}
        methods = {k: b for k, b in owners.items() if b.kind == "method"}
        receiver_kinds = kinds(receiver) or frozenset()
        if not methods:
            literal_kind = _literal_kind(callee.object)
            if literal_kind is not None and literal_kind not in owners:
                self._report_missing_method(callee, receiver, {literal_kind})
            return ANY
        having = [k for k in _METHOD_KINDS if k in receiver_kinds and k in methods]
        if not having:
            self._report_missing_method(callee, receiver, receiver_kinds)
            return ANY
        lacking = [m for m in members(receiver) if kind_of(m) not in having]
        if lacking == [NULL]:
            self.report(read_of_maybe_null(callee.name, callee.name_span, callee.object, call=True))
        elif lacking:
            self.report(
                method_may_be_missing(callee.name, callee.name_span, callee.object, union(*lacking))
            )
        results = [
            self.builtin_call(
                call,
                methods[k],
                arguments,
                receiver=union(*(m for m in members(receiver) if kind_of(m) == k)),
                check_arguments=len(having) == 1,
            )
            for k in having
        ]
        return union(*results)

    def _report_missing_method(
        self, callee: ast.Member, receiver: Type, receiver_kinds: Collection[str]
    ) -> None:
        candidates = [
            name
            for k in _METHOD_KINDS
            if k in receiver_kinds
            for name, b in stdlib.METHODS[k].items()
            if b.kind == "method"
        ]
        owners = [k for k in _METHOD_KINDS if stdlib.lookup_method(k, callee.name) is not None]
        self.report(
            property_missing(
                callee.name,
                callee.name_span,
                receiver,
                candidates,
                owner=owners[0] if owners else None,
            )
        )


# ----------------------------------------------------------------------------- helpers


def _matched(builtin: Builtin, arguments: Sequence[Argument]) -> list[tuple[Argument, Param]]:
    """Each argument with the parameter it binds to; a rest parameter takes the remainder."""
    pairs: list[tuple[Argument, Param]] = []
    params = builtin.params
    for index, argument in enumerate(arguments):
        if index < len(params):
            pairs.append((argument, params[index]))
        elif params and params[-1].rest:
            pairs.append((argument, params[-1]))
    return pairs


def _literal_value(node: ast.Expr) -> object:
    """The value of a literal argument as `stdlib.literal_problem` reads it; `...` (Ellipsis)
    for an expression that is not a literal."""
    match node:
        case ast.StringLit(value=value) | ast.NumberLit(value=value) | ast.BoolLit(value=value):
            return value
        case ast.Unary(operator="-", operand=ast.NumberLit(value=value)):
            return -value
        case ast.ArrayLit(elements=elements):
            return list(elements)
        case ast.ObjectLit(members=literal_members):
            return {index: member for index, member in enumerate(literal_members)}
    return ...


def _literal_name(arguments: Sequence[Argument]) -> ast.StringLit | None:
    """The first argument when it is a string literal (a task, workflow or signal name)."""
    if arguments and isinstance(arguments[0].node, ast.StringLit) and not arguments[0].spread:
        return arguments[0].node
    return None


def _literal_kind(node: ast.Expr) -> str | None:
    if isinstance(node, ast.StringLit | ast.TemplateLit):
        return "string"
    if isinstance(node, ast.ArrayLit):
        return "array"
    return None


def _first_type(arguments: Sequence[Argument]) -> Type:
    if not arguments or arguments[0].spread:
        return ANY
    return arguments[0].type


def _element_result(builtin: Builtin, receiver: Type | None) -> Type:
    """`Rule.ELEMENT`: `at`/`pop` give `T | null`, `slice`/`reverse` give `T[]`."""
    if receiver is None or is_silent(receiver):
        return builtin.result
    elements = [_element_of(m) for m in members(receiver)]
    element = union(*elements)
    return union(element, NULL) if builtin.name in _ELEMENT_OR_NULL else ArrayType(element)


def _element_of(t: Type) -> Type:
    match t:
        case ArrayType(element=element):
            return element
        case TupleType(elements=elements):
            return union(*elements) if elements else ANY
    return ANY


def _combinator_result(rule: Rule, items: Type) -> Type:
    """§11.3: `all` keeps the shape, `allSettled` too with settled records, `race`/`any` give
    the union of the awaited members, the `_kv` forms `{key, value}`."""
    if is_silent(items) or len(members(items)) != 1:
        return PromiseType(ANY)
    match rule:
        case Rule.PROMISE_ALL:
            return PromiseType(_map_shape(items, awaited))
        case Rule.PROMISE_ALL_SETTLED:
            return PromiseType(_map_shape(items, _settled))
        case Rule.PROMISE_ANY | Rule.PROMISE_RACE:
            return PromiseType(_member_union(items))
        case Rule.PROMISE_ANY_KV | Rule.PROMISE_RACE_KV:
            return PromiseType(_keyed_records(items))
    return PromiseType(ANY)


def _settled(member: Type) -> Type:
    fulfilled = ObjectType(
        (Field("status", LiteralType("fulfilled")), Field("value", awaited(member)))
    )
    return union(fulfilled, _REJECTED)


def _map_shape(items: Type, each: Callable[[Type], Type]) -> Type:
    """The input's shape with `each` applied to every member (§9.6: results keep the shape)."""
    match items:
        case TupleType(elements=elements):
            return TupleType(tuple(each(e) for e in elements))
        case ArrayType(element=element):
            return ArrayType(each(element))
        case ObjectType(fields=fields, index=index):
            return ObjectType(
                tuple(Field(f.name, each(f.type), f.optional) for f in fields),
                None if index is None else each(index),
            )
    return ANY


def _member_union(items: Type) -> Type:
    match items:
        case TupleType(elements=elements):
            return union(*(awaited(e) for e in elements))
        case ArrayType(element=element):
            return awaited(element)
        case ObjectType(fields=fields, index=index):
            found = [awaited(f.type) for f in fields]
            return union(*found, *(() if index is None else (awaited(index),)))
    return ANY


def _keyed_records(items: Type) -> Type:
    """The `{key, value}` a `_kv` combinator fulfils with: one record type per member, so that
    testing `r.key` narrows `r.value` (each record is a `{key: K, value: V}` of §11.3)."""
    pairs: list[tuple[Type, Type]] = []
    match items:
        case TupleType(elements=elements):
            pairs = [(literal_of(i), e) for i, e in enumerate(elements)]
        case ArrayType(element=element):
            pairs = [(NUMBER, element)]
        case ObjectType(fields=fields, index=index):
            pairs = [(literal_of(f.name), f.type) for f in fields]
            if index is not None:
                pairs.append((STRING, index))
    if not pairs:
        return ANY
    return union(
        *(ObjectType((Field("key", key), Field("value", awaited(value)))) for key, value in pairs)
    )
