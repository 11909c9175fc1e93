"""Running the type checker on a source text, for the `test_check*.py` tests."""

from __future__ import annotations

from flowlang.compiler import frontmatter, parser, resolve
from flowlang.compiler.check import TypeCheck, check_types
from flowlang.compiler.diagnostics import Diagnostic
from flowlang.compiler.environment import NO_ENVIRONMENT, Environment
from flowlang.compiler.types import display


def type_check(text: str, environment: Environment = NO_ENVIRONMENT) -> TypeCheck:
    parsed = parser.parse(text)
    resolution = resolve.resolve(parsed.program, names_in_broken_code=parsed.names_in_broken_code)
    front_matter, _ = frontmatter.read_front_matter(parsed.program.front_matter)
    return check_types(parsed.program, resolution, front_matter, environment)


def diagnostics(text: str, environment: Environment = NO_ENVIRONMENT) -> tuple[Diagnostic, ...]:
    return type_check(text, environment).diagnostics


def codes(text: str, environment: Environment = NO_ENVIRONMENT) -> list[str]:
    return [d.code for d in diagnostics(text, environment)]


def only(text: str, code: str, environment: Environment = NO_ENVIRONMENT) -> Diagnostic:
    found = diagnostics(text, environment)
    assert [d.code for d in found] == [code], found
    return found[0]


def type_of(text: str, name: str) -> str:
    """The declared type of the (last) variable called `name`, displayed."""
    parsed = parser.parse(text)
    resolution = resolve.resolve(parsed.program)
    front_matter, _ = frontmatter.read_front_matter(parsed.program.front_matter)
    checked = check_types(parsed.program, resolution, front_matter, NO_ENVIRONMENT)
    binding = [b for b in resolution.bindings if b.name == name][-1]
    return display(checked.types[binding.span])


def covered(text: str, diagnostic: Diagnostic) -> str:
    return text[diagnostic.span.start : diagnostic.span.end]


def with_inputs(fields: str, body: str) -> str:
    """`body` under a front matter declaring `inputs` (YAML mapping lines, two-space indented)."""
    return f"```yaml\ninputs:\n{fields}\n```\n{body}"
