"""The methods and properties of arrays (LANGUAGE.md §9.11) and strings (§9.12), in the order
and words of §9: entries of the standard library table, indexed by `stdlib`.
"""

from __future__ import annotations

from flowlang.compiler.stdlib_model import Builtin, Param, Rule
from flowlang.compiler.types import ANY, BOOLEAN, NUMBER, STRING, ArrayType, Type


def _optional(name: str, type: Type) -> Param:
    return Param(name, type, optional=True)


def _method(
    qualified: str,
    params: tuple[Param, ...],
    result: Type,
    doc: str,
    example: str,
    *,
    mutates: bool = False,
    rule: Rule | None = None,
) -> Builtin:
    return Builtin(qualified, "method", params, result, doc, example, mutates, rule)


def _length(qualified: str, doc: str, example: str) -> Builtin:
    return Builtin(qualified, "property", (), NUMBER, doc, example)


_POSITION = (_optional("start", NUMBER), _optional("end", NUMBER))
_ANY_ITEMS = (Param("items", ANY, optional=True, rest=True),)

# §9.11: `T` is the receiver's element type; these entries say `any` and `Rule.ELEMENT` refines.
ARRAY_METHODS = (
    _length("array.length", "element count", "[1, 2].length → 2"),
    _method(
        "array.at",
        (Param("i", NUMBER),),
        ANY,
        "element at `i` (negative from the end) or `null`",
        "[1, 2].at(-1) → 2",
        rule=Rule.ELEMENT,
    ),
    _method(
        "array.concat",
        _ANY_ITEMS,
        ArrayType(ANY),
        "new array; array arguments flattened one level",
        "[1].concat([2], 3) → [1, 2, 3]",
    ),
    _method(
        "array.includes",
        (Param("x", ANY), _optional("from", NUMBER)),
        BOOLEAN,
        "whether an element equals `x` (§7.7)",
        "[{a: 1}].includes({a: 1}) → true",
    ),
    _method(
        "array.indexOf",
        (Param("x", ANY), _optional("from", NUMBER)),
        NUMBER,
        "first index of `x` or `-1`",
        '["a", "b"].indexOf("b") → 1',
    ),
    _method(
        "array.join",
        (_optional("sep", STRING),),
        STRING,
        'the elements joined by `sep` (default `","`); `null` elements as `""`',
        '[1, null, "x"].join("-") → "1--x"',
    ),
    _method(
        "array.slice",
        _POSITION,
        ArrayType(ANY),
        "JavaScript slice",
        "[1, 2, 3].slice(1) → [2, 3]",
        rule=Rule.ELEMENT,
    ),
    _method(
        "array.reverse",
        (),
        ArrayType(ANY),
        "reverses in place, returns the result",
        "xs.reverse()",
        mutates=True,
        rule=Rule.ELEMENT,
    ),
    _method(
        "array.push",
        _ANY_ITEMS,
        NUMBER,
        "appends in place, returns the new length",
        "out.push(r)",
        mutates=True,
    ),
    _method(
        "array.pop",
        (),
        ANY,
        "removes and returns the last element (`null` if empty)",
        "let last = stack.pop()",
        mutates=True,
        rule=Rule.ELEMENT,
    ),
)

_SEARCH = (Param("s", STRING), _optional("pos", NUMBER))
_REPLACE = (Param("pattern", STRING), Param("replacement", STRING))
_PAD = (Param("length", NUMBER), _optional("pad", STRING))

# §9.12: positions count UTF-16 code units.
STRING_METHODS = (
    _length("string.length", "code units", '"héllo".length → 5'),
    _method(
        "string.includes",
        _SEARCH,
        BOOLEAN,
        "substring test from `pos`",
        '"abc".includes("b") → true',
    ),
    _method(
        "string.startsWith",
        _SEARCH,
        BOOLEAN,
        "prefix test from `pos`",
        '"abc".startsWith("ab") → true',
    ),
    _method(
        "string.endsWith",
        (Param("s", STRING), _optional("end", NUMBER)),
        BOOLEAN,
        "suffix test ending at `end`",
        '"a.flow".endsWith(".flow") → true',
    ),
    _method(
        "string.indexOf",
        (Param("s", STRING), _optional("from", NUMBER)),
        NUMBER,
        "first index or `-1`",
        '"banana".indexOf("an") → 1',
    ),
    _method("string.slice", _POSITION, STRING, "JavaScript slice", '"hello".slice(-3) → "llo"'),
    _method(
        "string.split",
        (_optional("sep", STRING), _optional("limit", NUMBER)),
        ArrayType(STRING),
        'no `sep`: `[s]`; `""` splits into code units',
        '"a,b".split(",") → ["a", "b"]',
    ),
    _method(
        "string.trim",
        (),
        STRING,
        "strips JavaScript whitespace and line terminators at both ends",
        '" x ".trim() → "x"',
    ),
    _method(
        "string.toUpperCase",
        (),
        STRING,
        "locale-independent Unicode upper case",
        '"ß".toUpperCase() → "SS"',
    ),
    _method(
        "string.toLowerCase",
        (),
        STRING,
        "locale-independent Unicode lower case",
        '"ABC".toLowerCase() → "abc"',
    ),
    _method(
        "string.replace",
        _REPLACE,
        STRING,
        "replaces the first occurrence; `$$`, `$&`, `` $` ``, `$'` as in JavaScript",
        '"a-b-c".replace("-", "+") → "a+b-c"',
    ),
    _method(
        "string.replaceAll",
        _REPLACE,
        STRING,
        "replaces every occurrence",
        '"a-b-c".replaceAll("-", "") → "abc"',
    ),
    _method(
        "string.padStart",
        _PAD,
        STRING,
        'pads at the start with `pad` (default `" "`)',
        '"7".padStart(3, "0") → "007"',
    ),
    _method(
        "string.padEnd",
        _PAD,
        STRING,
        'pads at the end with `pad` (default `" "`)',
        '"7".padEnd(3, "0") → "700"',
    ),
)
