"""Property tests: `parse()` never raises and always returns a Program, whatever the input."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flowlang.compiler import ast
from flowlang.compiler.parser import ParseResult, parse

CORPUS = Path(__file__).resolve().parents[2] / "corpus"

PROGRAMS = [
    """\
```yaml
name: order
inputs:
  orderId: string
```
const { orderId, amount } = Inputs
let check = await Task.run("validate-order", { orderId, amount })
if (!check.valid) return { status: "rejected", reason: check.reason }
let decision = await Promise.race([Signal.next("approval"), Timer.delay("24h")])
if (decision?.approved != true) return { status: "timed-out-or-declined" }
try {
  let charge = await Task.run("charge-card", { orderId, amount }, { retries: 3 })
  return { status: "paid", chargeId: charge.id }
} catch (err) {
  await Task.run("notify-ops", { orderId, problem: `${err.type}: ${err.message}` })
  throw err
}
""",
    """\
async function main() {
  let { id, customer: { email }, tier = "standard", ...rest } = Inputs.order
  let [first, , third = 0, ...others] = Inputs.items
  for (const [key, value] of Object.entries(rest)) {
    if (typeof value == "string" && value.length > 3) continue
    else if (value ?? false) { others.push(key) } else break
  }
  let i = 0
  while (i < 10) { i += 1; i-- ; ++i }
  return { first, third, count: others.length, ok: !!email, x: -1 * .5e3 % 2 }
}
""",
]

# Pieces of .flow, JavaScript habits and broken punctuation, to build token soups from.
FRAGMENTS = [
    "let", "const", "var", "if", "else", "while", "for", "of", "in", "try", "catch", "finally",
    "return", "throw", "break", "continue", "function", "async", "main", "class", "new", "=>",
    "await", "typeof", "x", "y", "Task", ".", "?.", "(", ")", "[", "]", "{", "}", ";", ",", ":",
    "?", "=", "+=", "++", "--", "+", "-", "*", "**", "/", "%", "==", "===", "!", "&&", "||",
    "??", "...", "1", "0x1", "1e", '"s"', "'\\q'", "`a${", "}b`", "`t`", "/*", "*/", "//",
    "\n", " ", "```", "```yaml\n", "é", "#", "\\", '"',
]  # fmt: skip

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_parses(text: str) -> ParseResult:
    result = parse(text)
    assert isinstance(result.program, ast.Program)
    assert result.program.span.end == len(text)
    assert all(d.message != "internal parser error" for d in result.diagnostics)
    assert all(0 <= d.span.start <= d.span.end <= len(text) for d in result.diagnostics)
    return result


def corpus_programs() -> list[str]:
    files = sorted(CORPUS.glob("**/*.flow")) if CORPUS.exists() else []
    return PROGRAMS + [path.read_text(encoding="utf-8") for path in files[:40]]


@SETTINGS
@given(st.text())
def test_random_text(text: str) -> None:
    assert_parses(text)


@SETTINGS
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=60).map(" ".join))
def test_token_soup(text: str) -> None:
    assert_parses(text)


@SETTINGS
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=60).map("".join))
def test_glued_token_soup(text: str) -> None:
    assert_parses(text)


@st.composite
def mutated_programs(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(corpus_programs()))
    for _ in range(draw(st.integers(1, 4))):
        position = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["delete", "duplicate", "insert"]))
        length = draw(st.integers(1, 12))
        if action == "delete":
            text = text[:position] + text[position + length :]
        elif action == "duplicate":
            text = text[:position] + text[position : position + length] + text[position:]
        else:
            text = text[:position] + draw(st.sampled_from(FRAGMENTS)) + text[position:]
    return text


@SETTINGS
@given(mutated_programs())
def test_mutated_programs(text: str) -> None:
    assert_parses(text)


def test_the_seed_programs_are_valid() -> None:
    for text in PROGRAMS:
        assert assert_parses(text).diagnostics == ()
