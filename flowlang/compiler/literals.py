"""The values of literals: escape sequences (LANGUAGE.md §2.7), number literals (§2.6) and the
text of a number used as an object key (§7.8)."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from flowlang.compiler.codes import diagnostic
from flowlang.compiler.diagnostics import Diagnostic
from flowlang.compiler.source import Span

_ESCAPE = re.compile(
    r"\\(?:"
    r"(?P<simple>[nrtbfv'\"`\\/$])"
    r"|(?P<zero>0)(?![0-9])"
    r"|x(?P<hex>[0-9A-Fa-f]{2})"
    r"|u\{(?P<point>[0-9A-Fa-f]+)\}"
    r"|u(?P<unit>[0-9A-Fa-f]{4})"
    r"|(?P<continuation>\r\n|[\n\r\u2028\u2029])"
    r"|(?P<other>[\s\S]?)"
    r")"
    r"|(?P<raw_cr>\r\n?)"
)
_SIMPLE = {
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "b": "\b",
    "f": "\f",
    "v": "\v",
}
_HIGH_SURROGATES = range(0xD800, 0xDC00)
_LOW_SURROGATES = range(0xDC00, 0xE000)

_NUMBER = re.compile(
    r"(?P<int>\d*)(?P<fraction>\.\d*)?(?P<exponent>[eE][+-]?\d+)?(?P<tail>[\w$]*)", re.ASCII
)
_MAX_EXACT_INTEGER = 2**53


def decode_escapes(body: str, offset: int, diagnostics: list[Diagnostic]) -> str:
    """The value of the text between the quotes of a string or template piece.

    `offset` is where `body` starts in the file; bad escapes are reported (FLOW003) there and
    decode to nothing. Raw CR LF and CR line breaks become LF.
    """
    if "\\" not in body and "\r" not in body:
        return body
    pieces: list[str] = []
    matches = list(_ESCAPE.finditer(body))
    last = 0
    index = 0
    while index < len(matches):
        m = matches[index]
        pieces.append(body[last : m.start()])
        last = m.end()
        index += 1
        kind = m.lastgroup
        if kind == "simple":
            char = m.group("simple")
            pieces.append(_SIMPLE.get(char, char))
        elif kind == "zero":
            pieces.append("\0")
        elif kind == "hex":
            pieces.append(chr(int(m.group("hex"), 16)))
        elif kind in ("unit", "point"):
            code = int(m.group(kind), 16)
            following = matches[index] if index < len(matches) else None
            if (
                kind == "unit"
                and code in _HIGH_SURROGATES
                and following is not None
                and following.start() == m.end()
                and following.lastgroup == "unit"
                and int(following.group("unit"), 16) in _LOW_SURROGATES
            ):
                low = int(following.group("unit"), 16)
                pieces.append(chr(0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)))
                last = following.end()
                index += 1
            elif code > 0x10FFFF:
                diagnostics.append(_bad_escape(m, offset, "is beyond the last code point U+10FFFF"))
            elif code in _HIGH_SURROGATES or code in _LOW_SURROGATES:
                diagnostics.append(
                    diagnostic(
                        "FLOW003",
                        f"lone surrogate escape `{m.group()}`",
                        _span(m, offset),
                        help="a surrogate escape must be a high surrogate (`\\uD800`-`\\uDBFF`)"
                        " directly followed by a low one (`\\uDC00`-`\\uDFFF`),"
                        " or write the code point as `\\u{1F600}`",
                    )
                )
            else:
                pieces.append(chr(code))
        elif kind == "raw_cr":
            pieces.append("\n")
        elif kind == "other":
            diagnostics.append(_unknown_escape(m, offset))
    pieces.append(body[last:])
    return "".join(pieces)


def _span(m: re.Match[str], offset: int) -> Span:
    return Span(offset + m.start(), offset + m.end())


def _bad_escape(m: re.Match[str], offset: int, problem: str) -> Diagnostic:
    return diagnostic("FLOW003", f"escape `{m.group()}` {problem}", _span(m, offset))


def _unknown_escape(m: re.Match[str], offset: int) -> Diagnostic:
    char = m.group("other")
    if char == "":
        return diagnostic("FLOW003", "a `\\` ends the text", _span(m, offset))
    if char == "x":
        return diagnostic(
            "FLOW003",
            "`\\x` must be followed by two hexadecimal digits",
            _span(m, offset),
            help="write a character as `\\x41` or `\\u0041`",
        )
    if char == "u":
        return diagnostic(
            "FLOW003",
            "`\\u` must be followed by four hexadecimal digits or `{...}`",
            _span(m, offset),
            help="write a character as `\\u00e9` or `\\u{1F600}`",
        )
    if char.isdigit():
        return diagnostic(
            "FLOW003",
            f"octal escape `\\{char}` is not allowed",
            _span(m, offset),
            help="write a character as `\\x07` or `\\u0007`",
        )
    return diagnostic(
        "FLOW003",
        f"unknown escape sequence `\\{char}`",
        _span(m, offset),
        help="write `\\\\` for a backslash",
    )


@dataclass(frozen=True, slots=True)
class NumberProblem:
    message: str
    help: str | None = None


def number_value(raw: str) -> tuple[int | float, NumberProblem | None]:
    """The value of a number literal and, if it is not a valid literal (FLOW004), why.

    The value is an int when it is integral with magnitude at most 2**53 (§7.3). An invalid
    literal still gets the value of its valid prefix (or 0), so checking can go on.
    """
    m = _NUMBER.fullmatch(raw)
    if m is None:
        return 0, NumberProblem(f"invalid number literal `{raw}`")
    digits, fraction, exponent, tail = m.group("int", "fraction", "exponent", "tail")
    literal = raw[: len(raw) - len(tail)]
    value = _value_of(literal)
    if tail:
        return value, _tail_problem(raw, digits, fraction, tail)
    if len(digits) > 1 and digits.startswith("0"):
        fixed = digits.lstrip("0") or "0"
        return value, NumberProblem(
            f"number literal `{raw}` has a leading zero",
            help=f"write `{fixed}{fraction or ''}{exponent or ''}`",
        )
    if isinstance(value, float) and math.isinf(value):
        return 0, NumberProblem(
            f"number literal `{raw}` is too large", help="numbers must be at most about 1.8e308"
        )
    return value, None


def _value_of(literal: str) -> int | float:
    try:
        value = float(literal)
    except ValueError:
        return 0
    if value.is_integer() and abs(value) <= _MAX_EXACT_INTEGER:
        return int(value)
    return value


def _tail_problem(raw: str, digits: str, fraction: str | None, tail: str) -> NumberProblem:
    if digits == "0" and not fraction and tail[0] in "xXoObB":
        base = {"x": 16, "o": 8, "b": 2}[tail[0].lower()]
        name = {16: "hexadecimal", 8: "octal", 2: "binary"}[base]
        try:
            decimal = f"write the decimal value `{int(tail[1:], base)}`"
        except ValueError:
            decimal = "write the number in decimal"
        return NumberProblem(f"{name} literal `{raw}` is not allowed", help=decimal)
    if "_" in tail and tail.replace("_", "").isdigit():
        return NumberProblem(
            f"numeric separators are not allowed in `{raw}`",
            help=f"write `{raw.replace('_', '')}`",
        )
    if tail[0] in "eE" and (len(tail) == 1 or not tail[1:].isdigit()):
        return NumberProblem(
            f"the exponent of `{raw}` has no digits", help="write digits after the `e`: `1e3`"
        )
    return NumberProblem(
        f"invalid number literal `{raw}`: a number cannot be followed directly by `{tail}`",
        help="put a space or an operator between the number and the name",
    )


def number_key(value: int | float) -> str:
    """A number as an object key: JavaScript's Number-to-String (§7.8)."""
    if isinstance(value, int) or value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    sign = "-" if value < 0 else ""
    digits, exponent = _shortest_digits(abs(value))
    k, n = len(digits), exponent
    if k <= n <= 21:
        text = digits + "0" * (n - k)
    elif 0 < n <= 21:
        text = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        text = "0." + "0" * -n + digits
    else:
        mantissa = digits[0] + ("." + digits[1:] if k > 1 else "")
        text = f"{mantissa}e{'+' if n - 1 >= 0 else '-'}{abs(n - 1)}"
    return sign + text


def _shortest_digits(value: float) -> tuple[str, int]:
    """The shortest digit string `s` and exponent `n` with value = 0.s x 10**n."""
    mantissa, _, exponent = f"{value!r}".partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction).lstrip("0")
    point = len(whole) + (int(exponent) if exponent else 0)
    point -= len(whole + fraction) - len((whole + fraction).lstrip("0"))
    return digits.rstrip("0") or "0", point
