"""Source text -> AST + syntax diagnostics (LANGUAGE.md §2, §3.1, §5, §6). Never raises.

lark builds the LALR(1) tables from grammar.lark (once per process) and the callbacks that
build the tree (tree_builder.py); this module drives them itself, feeding the tokens of
lexer.py. Driving the tables directly is what makes three things possible:

* choosing between two terminals for one token where the grammar needs it (see the comment
  at the top of grammar.lark), by asking the tables which one the parser can shift;
* error recovery (recovery.py): the driver owns the state and value stacks;
* speed: no lark lexer, no parse tree, and single-child reductions cost a stack update.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any

import lark
from lark.lexer import Lexer
from lark.parsers.lalr_analysis import Shift

from flowlang.compiler import ast
from flowlang.compiler.codes import diagnostic
from flowlang.compiler.diagnostics import Diagnostic, sort_key
from flowlang.compiler.lexer import END, Token, tokenize
from flowlang.compiler.recovery import Recovery
from flowlang.compiler.source import Span
from flowlang.compiler.tree_builder import TreeBuilder

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ParseResult:
    program: ast.Program  # always a Program, even for garbage input
    diagnostics: tuple[Diagnostic, ...]
    # 1-based line -> codes listed by a `// flow-disable-next-line FLOW402, FLOW405` comment on
    # the line before
    suppressions: dict[int, frozenset[str]]
    # Names in statements dropped by error recovery (see `resolve()`).
    names_in_broken_code: frozenset[str] = frozenset()


def parse(text: str) -> ParseResult:
    """Parse a `.flow` source text. Never raises: problems are diagnostics."""
    with _cyclic_gc_paused():
        lexed = tokenize(text)
        builder = TreeBuilder(len(text), lexed.front_matter)
        driver = Driver(tables(), lexed.tokens, builder, text, quiet_at_end=lexed.unterminated)
        try:
            program = driver.run()
        except Exception:  # a bug, not bad input: keep the editor alive and say so
            logger.exception("internal error while parsing")
            program = ast.Program(Span(0, len(text)), lexed.front_matter, ())
            driver.diagnostics.append(
                diagnostic("FLOW001", "internal parser error", Span(0, 0), help="please report it")
            )
    found = [*lexed.diagnostics, *builder.diagnostics, *driver.diagnostics]
    return ParseResult(
        program,
        tuple(sorted(found, key=sort_key)),
        lexed.suppressions,
        frozenset(driver.recovery.names_dropped),
    )


@contextlib.contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """Parsing allocates some ten objects per token, none of them in a cycle; the cyclic
    collector would traverse them all again and again (it halves the speed on long files)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


# ---------------------------------------------------------------------------- the tables


class _NoLexer(Lexer):
    """lark wants a lexer to build a parser; the driver feeds tokens itself, so lark's lexer is
    never asked for one."""

    def __init__(self, conf: Any) -> None:
        pass

    def lex(self, lexer_state: Any, parser_state: Any) -> Any:
        raise NotImplementedError("tokens are fed by flowlang.compiler.parser.Driver")


@dataclass(frozen=True)
class Tables:
    """What the driver needs from lark, computed once per process.

    `actions[state][symbol]` is the next state (>= 0) for a shift or a goto, and `-1 - n` for
    a reduction by `rules[n]`.
    """

    actions: list[dict[str, int]]
    start_state: int
    end_state: int
    terminal_of: dict[str, str]  # token kind -> terminal name
    tree_builder: Any  # lark's ParseTreeBuilder: makes the callbacks for a TreeBuilder
    rules: list[Any]
    statement_lists: frozenset[int]  # states where a statement of a block or program may start


@functools.cache
def tables() -> Tables:
    grammar = resources.files("flowlang.compiler").joinpath("grammar.lark").read_text()
    parser = lark.Lark(grammar, parser="lalr", lexer=_NoLexer, strict=True, keep_all_tokens=True)
    table = parser.parser.parser.parser.parse_table
    rules = list(parser.rules)
    number = {rule: n for n, rule in enumerate(rules)}
    actions: list[dict[str, int]] = [{} for _ in range(len(table.states))]
    for state, row in table.states.items():
        for symbol, (action, argument) in row.items():
            actions[state][str(symbol)] = argument if action is Shift else -1 - number[argument]
    terminal_of = {t.pattern.value: str(t.name) for t in parser.terminals}
    for kind in ("NAME", "NUMBER", "STRING", END):
        terminal_of[kind] = kind
    for kind in ("TEMPLATE", "TEMPLATE_HEAD", "TEMPLATE_MIDDLE", "TEMPLATE_TAIL"):
        terminal_of[kind] = kind
    statement_lists = frozenset(
        state
        for state, row in enumerate(actions)
        if "statement" in row and (terminal_of["}"] in row or END in row)
    )
    return Tables(
        actions=actions,
        start_state=table.start_states["start"],
        end_state=table.end_states["start"],
        terminal_of=terminal_of,
        tree_builder=parser._parse_tree_builder,
        rules=rules,
        statement_lists=statement_lists,
    )


# ---------------------------------------------------------------------------- the driver

_OPENERS = frozenset(("(", "[", "{", "TEMPLATE_HEAD"))
_BRACKETS = _OPENERS | {")", "]", "}", "TEMPLATE_TAIL"}
_EXPR_START = "EXPR_START"


class Driver:
    """Runs the LALR automaton over the tokens, building the tree through the callbacks."""

    def __init__(
        self,
        tables: Tables,
        tokens: list[Token],
        builder: TreeBuilder,
        text: str,
        *,
        quiet_at_end: bool,
    ) -> None:
        self.tables = tables
        self.actions = tables.actions
        self.terminal_of = tables.terminal_of
        self.tokens = tokens
        self.text = text
        self.state_stack: list[int] = [tables.start_state]
        self.value_stack: list[Any] = []
        # Open brackets the parser has shifted: (token, its index in the value stack).
        self.brackets: list[tuple[Token, int]] = []
        self.diagnostics: list[Diagnostic] = []
        self.shifted = True  # a token was shifted since the last syntax error
        self.reductions = self.reductions_for(builder)
        self.recovery = Recovery(self, quiet_at_end=quiet_at_end)
        # Token kinds whose terminal depends on the parser state, in order of preference.
        self.choices = {
            ";": (self.terminal_of[";"], "EMPTY_SEMI"),
            "++": (self.terminal_of["++"], "PREFIX_INC"),
            "--": (self.terminal_of["--"], "PREFIX_DEC"),
            "of": (self.terminal_of["of"], "NAME"),
            "return": (self.terminal_of["return"],),
        }

    def reductions_for(self, builder: TreeBuilder) -> list[tuple[int, str, Any]]:
        """Per rule: (length, nonterminal, callback); no callback passes the one child on."""
        callbacks = self.tables.tree_builder.create_callback(builder)
        reductions = []
        for rule in self.tables.rules:
            size = len(rule.expansion)
            passes_child_on = (
                rule.options.expand1
                and not rule.alias
                and size == 1
                and not rule.expansion[0].name.startswith("_")
            )
            callback = None if passes_child_on else callbacks[rule]
            reductions.append((size, str(rule.origin.name), callback))
        return reductions

    def run(self) -> ast.Program:
        """The main loop: shift and reduce until the program is complete."""
        tokens = self.tokens
        actions = self.actions
        state_stack = self.state_stack
        value_stack = self.value_stack
        reductions = self.reductions
        terminal_of = self.terminal_of
        choices = self.choices
        end_state = self.tables.end_state
        index = 0
        while True:
            token = tokens[index]
            kind = token.kind
            terminal = self.choose(index) if kind in choices else terminal_of[kind]
            while True:
                action = actions[state_stack[-1]].get(terminal)
                if action is None:
                    index = self.adapt_or_recover(index)
                    break
                if action >= 0:
                    state_stack.append(action)
                    value_stack.append(token)
                    if kind in _BRACKETS:
                        self.note_bracket(token)
                    self.shifted = True
                    index += 1
                    break
                size, origin, callback = reductions[-1 - action]
                if callback is None:
                    state_stack.pop()
                else:
                    children = value_stack[-size:] if size else []
                    if size:
                        del state_stack[-size:]
                        del value_stack[-size:]
                    value_stack.append(callback(children))
                state_stack.append(actions[state_stack[-1]][origin])
                if terminal == END and state_stack[-1] == end_state:
                    return value_stack[-1]

    def note_bracket(self, token: Token) -> None:
        if token.kind in _OPENERS:
            self.brackets.append((token, len(self.value_stack) - 1))
        elif self.brackets:
            self.brackets.pop()

    def choose(self, index: int) -> str:
        """The terminal for a token whose terminal depends on what the parser can shift."""
        token = self.tokens[index]
        candidates = self.choices[token.kind]
        if token.kind == "return" and self.tokens[index + 1].kind in ("}", ";", END):
            candidates = ("RETURN_BARE", *candidates)
        for candidate in candidates:
            if self.accepts(candidate):
                return candidate
        return candidates[0]

    def candidates(self, token: Token) -> tuple[str, ...]:
        return self.choices.get(token.kind, (self.terminal_of[token.kind],))

    def adapt_or_recover(self, index: int) -> int:
        """The token cannot be shifted as it is: start an expression statement before it, read
        a reserved word as a name (FLOW007), or report a syntax error and recover."""
        token = self.tokens[index]
        if self.accepts_after(_EXPR_START, self.candidates(token)):
            self.feed(Token(_EXPR_START, "", token.start, token.start), _EXPR_START)
            return index
        return self.recovery.handle(index)

    # ------------------------------------------------------------------ table queries

    def accepts(self, terminal: str, stack: list[int] | None = None) -> bool:
        """Whether `terminal` would be shifted now (after the reductions it triggers).

        LALR tables may reduce on a lookahead they cannot shift in the end; this follows the
        reductions on a copy of the state stack, so the answer is exact.
        """
        stack = list(self.state_stack) if stack is None else stack
        actions = self.actions
        reductions = self.reductions
        while True:
            action = actions[stack[-1]].get(terminal)
            if action is None:
                return False
            if action >= 0:
                stack.append(action)
                return True
            size, origin, _ = reductions[-1 - action]
            if size:
                del stack[-size:]
            stack.append(actions[stack[-1]][origin])
            if terminal == END and stack[-1] == self.tables.end_state:
                return True

    def accepts_after(self, first: str, then: tuple[str, ...]) -> bool:
        """Whether `first` and then one of `then` would be shifted."""
        stack = list(self.state_stack)
        if not self.accepts(first, stack):
            return False
        return any(self.accepts(candidate, list(stack)) for candidate in then)

    def expected(self) -> set[str]:
        """The terminals the parser could shift now (only used to describe an error)."""
        row = self.actions[self.state_stack[-1]]
        return {name for name in row if name.isupper() and self.accepts(name)}

    # ------------------------------------------------------------------ feeding

    def feed(self, token: Token, terminal: str) -> None:
        """Shift one token the caller knows is acceptable, with the reductions before it."""
        self.reduce_before(terminal)
        self.state_stack.append(self.actions[self.state_stack[-1]][terminal])
        self.value_stack.append(token)
        if token.kind in _BRACKETS:
            self.note_bracket(token)
        self.shifted = True

    def reduce_before(self, terminal: str) -> None:
        """Make the reductions that precede shifting `terminal`, which the caller knows is
        acceptable."""
        actions = self.actions
        state_stack = self.state_stack
        value_stack = self.value_stack
        while True:
            action = actions[state_stack[-1]][terminal]
            if action >= 0:
                return
            size, origin, callback = self.reductions[-1 - action]
            if callback is None:
                state_stack.pop()
            else:
                children = value_stack[-size:] if size else []
                if size:
                    del state_stack[-size:]
                    del value_stack[-size:]
                value_stack.append(callback(children))
            state_stack.append(actions[state_stack[-1]][origin])

    def pop_to(self, height: int) -> None:
        """Drop the partial constructs above `height` entries of the value stack."""
        del self.value_stack[height:]
        del self.state_stack[height + 1 :]
        while self.brackets and self.brackets[-1][1] >= height:
            self.brackets.pop()
