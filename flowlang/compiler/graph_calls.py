"""What the workflow graph reads from calls: which builtin a call is, and the words of its node.

Builtins cannot be shadowed (FLOW105), so a call's callee text alone says which builtin it is.
Labels are source text on one line, cut to `LABEL_WIDTH` characters with `...`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from flowlang.compiler import ast
from flowlang.compiler.graph import NodeKind
from flowlang.compiler.source import SourceFile

LABEL_WIDTH = 40

# The calls that are steps of a workflow, and the kind of their nodes.
EFFECTS = {
    "Task.run": NodeKind.TASK,
    "Workflow.run": NodeKind.WORKFLOW,
    "Timer.delay": NodeKind.TIMER,
    "Timer.until": NodeKind.TIMER,
    "Signal.next": NodeKind.SIGNAL,
}
# The combinators, and whether awaiting one can throw (`allSettled` never rejects).
COMBINATORS = {
    f"Promise.{name}": name != "allSettled"
    for name in ("all", "allSettled", "any", "race", "any_kv", "race_kv")
}

SourceText = Callable[[ast.Node], str]


def source_text(source: SourceFile, node: ast.Node) -> str:
    """The source of `node` on one line, cut to `LABEL_WIDTH` characters."""
    start, end = _with_parentheses(source.text, node.span.start, node.span.end)
    text = " ".join(source.text[start:end].split())
    return text if len(text) <= LABEL_WIDTH else text[: LABEL_WIDTH - 3] + "..."


def _with_parentheses(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen `[start, end)` over the parentheses its code closes or opens without the other
    half: parentheses leave no node, so `(await t).ok` has a span starting at `await`."""
    opened, closed = _parentheses(text[start:end])
    while closed > opened:
        before = len(text[:start].rstrip())
        if before == 0 or text[before - 1] != "(":
            break
        start, opened = before - 1, opened + 1
    while opened > closed:
        after = len(text) - len(text[end:].lstrip())
        if after >= len(text) or text[after] != ")":
            break
        end, closed = after + 1, closed + 1
    return start, end


def _parentheses(code: str) -> tuple[int, int]:
    """How many `(` and `)` the code has outside string and template literals."""
    opened = closed = 0
    quote = None
    escaped = False
    for character in code:
        if quote is not None:
            if escaped:
                escaped = False
            elif character == "\\":
                escaped = True
            elif character == quote:
                quote = None
        elif character in "\"'`":
            quote = character
        elif character == "(":
            opened += 1
        elif character == ")":
            closed += 1
    return opened, closed


def builtin_name(callee: ast.Expr) -> str | None:
    """`Task.run` for a call of a namespace member, else None."""
    if isinstance(callee, ast.Member) and isinstance(callee.object, ast.Name):
        return f"{callee.object.name}.{callee.name}"
    return None


def called_name(kind: NodeKind, call: ast.Call) -> str | None:
    """The task, workflow or signal name a call names with a string literal."""
    first = call.arguments[0] if call.arguments else None
    if kind is NodeKind.TIMER or not isinstance(first, ast.StringLit):
        return None
    return first.value


def call_label(qualified: str, call: ast.Call, text: SourceText) -> str:
    """The task, workflow or signal name (or the expression that computes it); what a timer
    waits for."""
    argument = call.arguments[0] if call.arguments else None
    shown = "" if argument is None else text(argument)
    if qualified.startswith("Timer."):
        verb = "delay" if qualified == "Timer.delay" else "until"
        match argument:
            case ast.StringLit():
                return f"{verb} {argument.value}"
            case ast.NumberLit() if verb == "delay":
                return f"{verb} {argument.raw}s"  # a number of seconds (§9.4)
        return f"{verb} {shown}".rstrip()
    if isinstance(argument, ast.StringLit):
        return argument.value
    # Renderers name the kind of a workflow or signal node, but not of a task node (the most
    # common kind): there, a name that is not a literal shows the call.
    return f"{qualified}({shown})" if qualified == "Task.run" else shown


def call_queue(call: ast.Call, default: str | None, text: SourceText) -> str | None:
    """The queue a task or child workflow goes to, as far as the source says: its `queue`
    option, else the front matter's `queue` (`default`, §9.2)."""
    options = call.arguments[2] if len(call.arguments) > 2 else None
    if isinstance(options, ast.ObjectLit):
        for option in options.members:
            if isinstance(option, ast.Property) and option.key == "queue":
                value = option.value
                return value.value if isinstance(value, ast.StringLit) else text(value)
    return default


def combinator_members(
    items: ast.Expr | ast.Spread | None,
) -> Iterator[tuple[str | None, ast.Expr | ast.Spread]]:
    """The members of a combinator's argument with their keys: the elements of an array
    literal, the values of an object literal, or the argument itself as one member."""
    match items:
        case None:
            return
        case ast.ArrayLit():
            for element in items.elements:
                yield None, element
        case ast.ObjectLit():
            for member in items.members:
                if isinstance(member, ast.Property):
                    yield member.key, member.value
                else:
                    yield None, member
        case _:
            yield None, items
