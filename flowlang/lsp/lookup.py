"""Questions features ask of an analysis: what is in scope at an offset, what a name is bound
to, the type of an expression, and what can be read from a value of a type.

Offsets here are in the analysed text; features translate the cursor first (`documents.py`).
"""

from __future__ import annotations

from dataclasses import dataclass

from flowlang.compiler.analysis import Analysis
from flowlang.compiler.environment import Environment, WorkflowSignature
from flowlang.compiler.resolve import Binding, Scope
from flowlang.compiler.source import Span
from flowlang.compiler.stdlib import GLOBALS, METHODS, Builtin
from flowlang.compiler.types import (
    ANY,
    NULL,
    ArrayType,
    LiteralType,
    ObjectType,
    PrimitiveType,
    TupleType,
    Type,
    from_type_expr,
    members,
    property_type,
    remove_null,
    union,
)

# --- scopes ---------------------------------------------------------------------------------


def scope_chain(analysis: Analysis, offset: int) -> list[Scope]:
    """The scopes that contain `offset`, innermost first."""
    scopes = analysis.resolution.scopes
    inside = [s for s in scopes if s.span.start <= offset <= s.span.end]
    if not inside:
        return [scopes[0]] if scopes else []
    innermost = max(inside, key=lambda scope: scope.depth)
    chain = [innermost]
    while chain[-1].parent is not None:
        chain.append(scopes[chain[-1].parent])
    return chain


def visible_bindings(analysis: Analysis, offset: int) -> list[Binding]:
    """The variables a name written at `offset` can read: declared before it in a scope that
    contains it, the innermost of each name only."""
    chain = [scope.id for scope in scope_chain(analysis, offset)]
    depth_of = {scope_id: depth for depth, scope_id in enumerate(chain)}
    found: dict[str, Binding] = {}
    for binding in analysis.resolution.bindings:
        if binding.scope not in depth_of or binding.span.start >= offset:
            continue
        known = found.get(binding.name)
        if known is None or depth_of[binding.scope] < depth_of[known.scope]:
            found[binding.name] = binding
    return sorted(found.values(), key=lambda binding: binding.span.start)


def binding_named(analysis: Analysis, name: str, offset: int) -> Binding | None:
    return next((b for b in visible_bindings(analysis, offset) if b.name == name), None)


def binding_at(analysis: Analysis, offset: int) -> tuple[Binding, Span] | None:
    """The variable whose declaration or use covers `offset` (a cursor just after the name
    counts), with the span of the name there."""
    for binding in analysis.resolution.bindings:
        if binding.span.start <= offset <= binding.span.end:
            return binding, binding.span
    for use in analysis.resolution.uses:
        if use.span.start <= offset <= use.span.end:
            return use.binding, use.span
    return None


# --- types ----------------------------------------------------------------------------------


def declared_type(analysis: Analysis, binding: Binding) -> Type | None:
    """The type the checker gave the variable where it is declared."""
    return analysis.types.get(binding.span)


def inputs_type(analysis: Analysis) -> Type:
    """The type of `Inputs`: the front matter's `inputs`, else an open object."""
    declared = analysis.front_matter.inputs
    if declared is not None:
        return from_type_expr(declared)
    return GLOBALS["Inputs"].type or ANY


def global_value_type(analysis: Analysis, name: str) -> Type | None:
    """The type of a builtin value global (`Inputs`, `Context`); None for namespaces and
    functions."""
    if name == "Inputs":
        return inputs_type(analysis)
    entry = GLOBALS.get(name)
    return None if entry is None else entry.type


def chain_type(analysis: Analysis, names: tuple[str, ...], offset: int) -> Type | None:
    """The type of `a.b.c` written at `offset`, from the declared type of `a` (or the value
    global `a`) and the properties of the types on the way; None when unknown."""
    root, *rest = names
    binding = binding_named(analysis, root, offset)
    if binding is not None:
        current = declared_type(analysis, binding)
    else:
        current = global_value_type(analysis, root)
    for name in rest:
        if current is None or current is ANY:
            return None
        current = property_type(remove_null(current), name).type
    return None if current is ANY else current


def known_workflows(environment: Environment) -> dict[str, WorkflowSignature]:
    """The members of the workflow set (a partial set answers any name with an untyped
    workflow, but lists only the members it knows)."""
    workflows = environment.workflows or {}
    return {name: workflows[name] for name in workflows}


# --- what can be read from a value ----------------------------------------------------------


@dataclass(frozen=True)
class MemberInfo:
    """One property or method of a value: a field of an object type (its type), or a builtin
    method or property of arrays or strings (its table entry)."""

    name: str
    type: Type | None = None
    builtin: Builtin | None = None


def readable_members(t: Type) -> list[MemberInfo]:
    """The fields, methods and properties of the values of `t`, `null` aside, each once."""
    found: dict[str, MemberInfo] = {}
    for member in members(t):
        if member == NULL:
            continue
        for info in _members_of(member):
            known = found.get(info.name)
            if known is None:
                found[info.name] = info
            elif known.type is not None and info.type is not None:
                found[info.name] = MemberInfo(info.name, union(known.type, info.type))
    return list(found.values())


def _members_of(t: Type) -> list[MemberInfo]:
    match t:
        case ObjectType(fields=fields):
            return [
                MemberInfo(f.name, union(f.type, NULL) if f.optional else f.type) for f in fields
            ]
        case ArrayType() | TupleType():
            return [MemberInfo(name, builtin=entry) for name, entry in METHODS["array"].items()]
        case PrimitiveType(name="string") | LiteralType(value=str()):
            return [MemberInfo(name, builtin=entry) for name, entry in METHODS["string"].items()]
    return []


def receiver_kind(t: Type | None) -> str | None:
    """`array` or `string` when every non-null value of `t` is one (methods are looked up by
    it); None otherwise."""
    if t is None or t is ANY:
        return None
    kinds = set()
    for member in members(remove_null(t)):
        match member:
            case ArrayType() | TupleType():
                kinds.add("array")
            case PrimitiveType(name="string") | LiteralType(value=str()):
                kinds.add("string")
            case _:
                return None
    return kinds.pop() if len(kinds) == 1 else None
