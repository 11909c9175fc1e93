"""Walk trees of any depth without Python recursion.

The parser drives LALR tables with explicit stacks, so it happily builds trees thousands of
levels deep (`x + x + … + x`, `[[[[…]]]]`, `if (a) if (b) …`). A recursive visitor would hit
Python's recursion limit on them; a phase that must never raise writes its visitor as
generators instead. A visit method *yields* the visits of its children, unstarted, and
`trampoline()` runs them on an explicit stack, resuming the parent when the child finishes:

    def visit(self, node) -> Visit:
        self.before(node)
        for child in node.children:
            yield self.visit(child)      # runs the whole child visit, then continues here
        self.after(node)
"""

from __future__ import annotations

from collections.abc import Generator
from typing import TypeAlias

Visit: TypeAlias = Generator["Visit", None, None]


def trampoline(visit: Visit) -> None:
    """Run `visit` and every visit it yields, depth first, in order."""
    stack = [visit]
    while stack:
        child = next(stack[-1], None)
        if child is None:
            stack.pop()
        else:
            stack.append(child)
