"""The Program envelope: canonical JSON, the version hash, and load-time verification with one
error class per kind of problem."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import flowlang
from flowlang.compiler.bytecode import (
    FORMAT_CHANGELOG,
    FORMAT_VERSION,
    OPCODES,
    CorruptProgram,
    InvalidInstruction,
    NotAProgram,
    Program,
    UnsupportedFormatVersion,
)

SOURCE = """```yaml
name: greet
queue: people
inputs:
  who: string
  tags?: "('a' | 'b')[]"
output: "{ text: string }"
signals:
  poke: "{ n: number }"
```
let n = 0
for (const t of Inputs.tags ?? []) n += 1
return { text: `hi ${Inputs.who} (${n}) é` }
"""


def _document() -> dict[str, object]:
    return json.loads(flowlang.compile(SOURCE).to_json())


def _load(document: dict[str, object]) -> Program:
    return Program.from_json(json.dumps(document))


def test_the_same_source_gives_the_same_bytes() -> None:
    first = flowlang.compile(SOURCE, path="greet.flow").to_json()
    assert flowlang.compile(SOURCE, path="greet.flow").to_json() == first


def test_another_process_gives_the_same_bytes() -> None:
    script = (
        "import sys, flowlang; "
        "sys.stdout.write(flowlang.compile(sys.stdin.read(), path='greet.flow').version_hash)"
    )
    other = subprocess.run(
        [sys.executable, "-c", script], input=SOURCE, capture_output=True, text=True, check=True
    )
    assert other.stdout == flowlang.compile(SOURCE, path="greet.flow").version_hash


def test_the_envelope_has_its_fields_in_a_fixed_order() -> None:
    assert list(_document()) == [
        "magic",
        "format",
        "compiler",
        "workflow",
        "path",
        "queue",
        "types",
        "source_sha256",
        "constants",
        "code",
        "spans",
        "source",
    ]
    text = flowlang.compile(SOURCE).to_json().decode()
    assert text == json.dumps(json.loads(text), ensure_ascii=False, separators=(",", ":"))


def test_a_loaded_program_equals_the_one_serialized() -> None:
    program = flowlang.compile(SOURCE, path="greet.flow")
    loaded = Program.from_json(program.to_json())
    assert loaded == program
    assert loaded.version_hash == program.version_hash


def test_declared_types_and_queue_are_in_the_envelope() -> None:
    program = flowlang.compile(SOURCE)
    assert (program.workflow, program.queue) == ("greet", "people")
    assert program.types == {
        "inputs": '{ who: string, tags?: ("a" | "b")[] }',
        "output": "{ text: string }",
        "signals": {"poke": "{ n: number }"},
    }


def test_location_gives_1_based_line_and_column() -> None:
    program = flowlang.compile("let x = 1\nreturn x + Inputs.y")
    binary = next(pc for pc, i in enumerate(program.code) if i[0] == "BINARY")
    assert program.location(binary) == (2, 8, 2, 20)
    assert program.location(len(program.code) - 1) is None


def test_the_format_version_has_a_changelog_entry() -> None:
    assert FORMAT_VERSION in FORMAT_CHANGELOG
    assert _document()["format"] == "1.0"


@pytest.mark.parametrize(
    "data",
    [b"\xff\xfe", b"not json", b"[1, 2]", json.dumps({"magic": "something else"}).encode()],
    ids=["not-utf8", "not-json", "not-an-object", "wrong-magic"],
)
def test_data_that_is_not_a_program_is_refused(data: bytes) -> None:
    with pytest.raises(NotAProgram, match="flowc build"):
        Program.from_json(data)


@pytest.mark.parametrize("version", ["2.0", "1.1", "0.9", "one", None])
def test_an_unsupported_format_version_is_refused(version: object) -> None:
    document = _document()
    document["format"] = version
    with pytest.raises(UnsupportedFormatVersion, match=r"reads format 1\.x"):
        _load(document)


def test_a_source_that_does_not_match_its_hash_is_corrupt() -> None:
    document = _document()
    document["source"] = str(document["source"]).replace("hi", "ho")
    with pytest.raises(CorruptProgram, match="does not match its sha256"):
        _load(document)


@pytest.mark.parametrize(
    ("field", "value"),
    [("code", None), ("constants", [[1]]), ("spans", [[1, 2, 3]]), ("types", {"inputs": 1})],
)
def test_an_ill_typed_field_is_corrupt(field: str, value: object) -> None:
    document = _document()
    document[field] = value
    with pytest.raises(CorruptProgram, match=field):
        _load(document)


def test_a_missing_or_extra_field_is_corrupt() -> None:
    document = _document()
    del document["workflow"]
    with pytest.raises(CorruptProgram, match="workflow"):
        _load(document)
    document = _document()
    document["extra"] = 1
    with pytest.raises(CorruptProgram, match="extra"):
        _load(document)


def _with_code(code: list[list[object]], constants: list[object] | None = None) -> Program:
    document = _document()
    document["code"] = code
    document["spans"] = [None] * len(code)
    document["constants"] = [None] if constants is None else constants
    return _load(document)


@pytest.mark.parametrize(
    ("code", "problem"),
    [
        ([["NOPE"], ["RETURN"]], "unknown opcode 'NOPE'"),
        ([[], ["RETURN"]], "no opcode"),
        ([["JUMP", 7]], "jump target 7 is outside the code"),
        ([["JUMP", -1]], "jump target -1"),
        ([["JUMP", True]], "jump target True"),
        ([["LOAD_CONST", 1], ["RETURN"]], "not a constant index"),
        ([["LOAD_CONST"], ["RETURN"]], "takes 1 operand"),
        ([["LOAD_SLOT", 1.5], ["RETURN"]], "not a count or slot"),
        ([["CALL_BUILTIN", "Math.random", 0], ["RETURN"]], "not a builtin function"),
        ([["CALL_METHOD", "map", 1], ["RETURN"]], "not a builtin method"),
        ([["BINARY", "**"], ["RETURN"]], "not a binary operator"),
        ([["LOAD_GLOBAL", "Math"], ["RETURN"]], "not a global value"),
        ([["PATTERN_OBJECT_REST", ["a", 1]], ["RETURN"]], "not a list of property names"),
        ([["GET_PROP", ["a"]], ["RETURN"]], "not a property name"),
        ([["ROT", 1], ["RETURN"]], "n >= 2"),
        ([["STORE_PATH", 0, 0], ["RETURN"]], "at least one key"),
        ([["SETUP_TRY", None, None], ["RETURN"]], "a handler, a finally or both"),
        ([["LOAD_CONST", 0]], "run past its last instruction"),
        ([], "run past its last instruction"),
    ],
)
def test_a_bad_instruction_is_refused(code: list[list[object]], problem: str) -> None:
    with pytest.raises(InvalidInstruction, match="invalid program") as raised:
        _with_code(code)
    assert problem in str(raised.value)


def test_spans_must_match_the_code_and_the_source() -> None:
    document = _document()
    document["spans"] = document["spans"][:-1]  # type: ignore[index]
    with pytest.raises(InvalidInstruction, match="spans for"):
        _load(document)
    document = _document()
    document["spans"][0] = [0, 10_000]  # type: ignore[index]
    with pytest.raises(InvalidInstruction, match="outside the source"):
        _load(document)


def test_a_well_formed_hand_written_program_loads() -> None:
    program = _with_code(
        [["SETUP_TRY", None, 3], ["LOAD_CONST", 0], ["RETURN"], ["END_FINALLY"]], [1.5]
    )
    assert program.code[0] == ("SETUP_TRY", None, 3)
    assert program.slot_count == 0


def test_every_opcode_documents_its_stack_effect() -> None:
    for opcode in OPCODES.values():
        assert "->" in opcode.stack, opcode.name
        assert opcode.doc.endswith("."), opcode.name
