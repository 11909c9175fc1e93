"""Operators on types (LANGUAGE.md §7.10, §11.3, §11.6 rule 2): which kinds of operands an
operator accepts, the type it gives, and whether it fails for every combination of the
operands' possible kinds (an error, FLOW201) or only for some (a warning, FLOW404).

Pure functions of types; the expression walker reports what they find.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import product

from flowlang.compiler.types import (
    ANY,
    BOOLEAN,
    NUMBER,
    STRING,
    Kind,
    Type,
    kind_of,
    kinds,
    literal_of,
    members,
    union,
)

ARITHMETIC = frozenset({"-", "*", "/", "%"})
RELATIONAL = frozenset({"<", "<=", ">", ">="})
EQUALITY = frozenset({"==", "!=", "===", "!=="})

# §11.3: what `typeof` gives; §7.1: it never yields "undefined" or "function".
TYPEOF_RESULT: Type = union(
    *(literal_of(word) for word in ("string", "number", "boolean", "object"))
)


def accepts(operator: str, left: Kind, right: Kind) -> bool:
    """Whether `left operator right` is defined for operands of these kinds (§7.10)."""
    if operator == "+":
        if left == "number" and right == "number":
            return True
        # Either operand a string: both are converted by §7.8, which fails only for promises.
        return "string" in (left, right) and "promise" not in (left, right)
    if operator in RELATIONAL:
        return left == right and left in ("number", "string")
    return left == "number" and right == "number"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What an operator does with its operands' types.

    `never` is True when it fails for every combination of kinds (FLOW201); otherwise
    `failing_left`/`failing_right` hold the members of an operand that fail whatever the other
    operand is (FLOW404 names them), and `sometimes` says that some combination fails."""

    result: Type
    never: bool = False
    sometimes: bool = False
    failing_left: Type | None = None
    failing_right: Type | None = None


def binary_outcome(operator: str, left: Type, right: Type) -> Outcome:
    """`left operator right` for an arithmetic, `+` or relational operator."""
    result: Type = BOOLEAN if operator in RELATIONAL else NUMBER
    left_kinds, right_kinds = kinds(left), kinds(right)
    if left_kinds is None or right_kinds is None or not left_kinds or not right_kinds:
        return Outcome(ANY if operator == "+" else result)
    pairs = list(product(left_kinds, right_kinds))
    good = [(a, b) for a, b in pairs if accepts(operator, a, b)]
    if not good:
        return Outcome(ANY, never=True)
    if operator == "+":
        added = [NUMBER if a == b == "number" else STRING for a, b in good]
        result = union(*added)
    if len(good) == len(pairs):
        return Outcome(result)
    return Outcome(
        result,
        sometimes=True,
        failing_left=_always_failing(operator, left, right_kinds, on_left=True),
        failing_right=_always_failing(operator, right, left_kinds, on_left=False),
    )


def _always_failing(
    operator: str, operand: Type, others: frozenset[Kind], *, on_left: bool
) -> Type | None:
    """The members of `operand` for which the operator fails whatever the other operand."""
    failing = []
    for member in members(operand):
        kind = kind_of(member)
        if kind is None:
            continue
        pairs = ((kind, other) if on_left else (other, kind) for other in others)
        if not any(accepts(operator, a, b) for a, b in pairs):
            failing.append(member)
    return union(*failing) if failing else None


def negation_outcome(operand: Type) -> Outcome:
    """Unary `-`: numbers only."""
    operand_kinds = kinds(operand)
    if not operand_kinds:
        return Outcome(NUMBER)
    if "number" not in operand_kinds:
        return Outcome(ANY, never=True)
    if operand_kinds == {"number"}:
        return Outcome(NUMBER)
    failing = union(*(m for m in members(operand) if kind_of(m) != "number"))
    return Outcome(NUMBER, sometimes=True, failing_left=failing)
