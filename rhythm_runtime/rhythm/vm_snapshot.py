"""The snapshot a step resumes from, checked before the VM trusts it (LANGUAGE.md §10.5).

A snapshot is plain JSON read back from the store (`vm_machine` lists its fields), and the VM
checks nothing at run time: a verified program cannot make it fail, but a snapshot could. So a
snapshot this runtime did not write for this program is refused here, before anything runs,
with what is wrong and where. "Not written by this runtime for this program" means:

* another program's or another format's (`SnapshotMismatch`: the execution must run on the
  version it started with);
* malformed (`CorruptSnapshot`, as every case below): not an object; a field missing, extra or
  of the wrong JSON type; a negative counter;
* a state the program cannot be in: a `pc` no path of the program reaches; not one slot per
  variable; handler records other than the try regions open at `pc`; stack entries that do
  not fit the frame of `pc` (`flowlang.compiler.bytecode_frames`): an iterator that is not
  `[items, position]` with the position within the items, an array or object being built that
  is not one, a completion whose `jump` resumes where no `JUMP_FINALLY` of its finally block
  does;
* a promise table the VM cannot have built: a record of an unknown kind, or with a field
  missing, extra or of the wrong type; an effect numbered beyond the effects counter, a signal
  claim beyond the claims counter; a reference (in the stack, the slots or a combinator's
  items) to a record that does not exist;
* values no program makes: a number that is not finite, nesting deeper than §10.8 allows.

What no check can tell is whether the values themselves — a variable's text, a task's recorded
inputs — are the ones the execution computed: the store is trusted with the data. What this
check guarantees is that whatever a snapshot holds, the VM either refuses it here or runs the
program from a state the program can be in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

from flowlang.compiler.bytecode import Program
from flowlang.compiler.bytecode_frames import ARRAY, ITERATOR, OBJECT, Completion, Entry, Frame

SNAPSHOT_FORMAT: Final = 1

FIELDS: Final = (
    "format",
    "program",
    "pc",
    "stack",
    "slots",
    "handlers",
    "promises",
    "counters",
    "waiting_for",
)

_RECORD_FIELDS: Final[dict[str, frozenset[str]]] = {
    "task": frozenset({"kind", "id", "name", "inputs", "options", "created_at"}),
    "workflow": frozenset({"kind", "id", "name", "inputs", "options", "created_at"}),
    "timer": frozenset({"kind", "id", "due"}),
    "signal": frozenset({"kind", "id", "name", "claim", "claimed_at"}),
    **{
        kind: frozenset({"kind", "items", "created_at"})
        for kind in ("all", "allSettled", "any", "race", "any_kv", "race_kv")
    },
}


class SnapshotMismatch(ValueError):
    """A snapshot that this program cannot resume: another program's, or another format."""


class CorruptSnapshot(SnapshotMismatch):
    """A snapshot this runtime did not write: malformed, or a state the program cannot be in.
    The message names the field and what is wrong with it."""

    def __init__(self, where: str, problem: str) -> None:
        super().__init__(
            f"corrupt snapshot: `{where}`: {problem}; this runtime did not write it for this"
            " program (was it changed in the database?), so the execution cannot resume"
        )


def check_snapshot(program: Program, snapshot: object) -> None:
    """Refuse a snapshot `program` cannot resume from (see the module documentation); the
    values inside are checked when they are decoded (`values.decode`)."""
    if not isinstance(snapshot, dict):
        raise CorruptSnapshot("snapshot", f"{_kind(snapshot)} is not a JSON object")
    _check_identity(program, snapshot)
    missing = [name for name in FIELDS if name not in snapshot]
    extra = sorted(set(snapshot) - set(FIELDS))
    if missing or extra:
        problems = [
            f"{what} field {', '.join(f'`{name}`' for name in names)}"
            for what, names in (("missing", missing), ("unknown", extra))
            if names
        ]
        raise CorruptSnapshot("snapshot", "; ".join(problems))
    frame = _frame_at(program, snapshot["pc"])
    slots = _array(snapshot["slots"], "slots")
    if len(slots) != program.slot_count:
        raise CorruptSnapshot(
            "slots", f"{len(slots)} slots, but the program has {program.slot_count} variables"
        )
    _check_stack(program, snapshot["pc"], frame, _array(snapshot["stack"], "stack"))
    _check_handlers(frame, snapshot["handlers"], snapshot["pc"])
    effects, claims = _counters(snapshot["counters"])
    _check_promises(_array(snapshot["promises"], "promises"), effects, claims)
    waiting_for = snapshot["waiting_for"]
    if waiting_for is not None and not isinstance(waiting_for, dict):
        raise CorruptSnapshot("waiting_for", f"{_kind(waiting_for)} is neither an object nor null")


def _check_identity(program: Program, snapshot: dict[str, Any]) -> None:
    if snapshot.get("format") != SNAPSHOT_FORMAT:
        raise SnapshotMismatch(
            f"snapshot format {snapshot.get('format')!r} is not {SNAPSHOT_FORMAT}: it was written"
            " by another runtime version"
        )
    if snapshot.get("program") != program.version_hash:
        raise SnapshotMismatch(
            f"the snapshot belongs to program {snapshot.get('program')}, not to"
            f" {program.version_hash} ({program.workflow}): an execution runs to its end on the"
            " program it started with"
        )


def _frame_at(program: Program, pc: object) -> Frame:
    frames = program.stack_map.frames
    if not isinstance(pc, int) or isinstance(pc, bool) or not 0 <= pc < len(frames):
        raise CorruptSnapshot("pc", f"{pc!r} is not an instruction (0..{len(frames) - 1})")
    frame = frames[pc]
    if frame is None:
        raise CorruptSnapshot("pc", f"no path of the program reaches instruction {pc}")
    return frame


def _check_stack(program: Program, pc: int, frame: Frame, stack: list[Any]) -> None:
    if len(stack) != len(frame.stack):
        raise CorruptSnapshot(
            "stack", f"{len(stack)} entries, but instruction {pc} runs with {len(frame.stack)}"
        )
    for position, (entry, kind) in enumerate(zip(stack, frame.stack, strict=True)):
        problem = _entry_problem(program, entry, kind)
        if problem is not None:
            raise CorruptSnapshot(f"stack[{position}]", problem)


def _entry_problem(program: Program, entry: Any, kind: Entry) -> str | None:
    """What is wrong with a stack entry (in its JSON encoding) for its kind, or None."""
    if isinstance(kind, Completion):
        return _completion_problem(program, entry, kind)
    if kind == ARRAY:
        return None if isinstance(entry, list) else f"{_kind(entry)} where an array is built"
    if kind == OBJECT:
        is_object = isinstance(entry, dict) and list(entry) != ["$promise"]
        return None if is_object else f"{_kind(entry)} where an object is built"
    if kind == ITERATOR:
        if (
            isinstance(entry, list)
            and len(entry) == 2
            and isinstance(entry[0], list | str)
            and _is_int(entry[1])
            and 0 <= entry[1] <= len(entry[0])
        ):
            return None
        return f"{_shown(entry)} is not a loop iterator [items, position]"
    return None  # a value: checked when decoded


def _completion_problem(program: Program, entry: Any, kind: Completion) -> str | None:
    shape = entry[0] if isinstance(entry, list) and entry else None
    if shape == "jump" and len(entry) == 2:
        resumes = program.stack_map.resumes.get(kind.finally_pc, frozenset())
        if _is_int(entry[1]) and entry[1] in resumes:
            return None
        return (
            f"a completion resuming at {entry[1]!r}, where the finally block at"
            f" {kind.finally_pc} never resumes ({sorted(resumes)})"
        )
    if shape == "throw" and len(entry) == 3:
        if _is_int(entry[2]) and 0 <= entry[2] < len(program.code):
            return None
        return f"a completion thrown at {entry[2]!r}, which is not an instruction"
    if shape == "return" and len(entry) == 2:
        if _promise_tags(entry[1]):  # RETURN refuses a value holding a promise
            return "a completion returning a promise"
        return None
    return f"{_shown(entry)} is not the completion of the finally block at {kind.finally_pc}"


def _check_handlers(frame: Frame, handlers: object, pc: int) -> None:
    expected = [list(record) for record in frame.handlers]
    if not (
        isinstance(handlers, list)
        and len(handlers) == len(expected)
        and all(_same_record(got, want) for got, want in zip(handlers, expected, strict=True))
    ):
        raise CorruptSnapshot(
            "handlers",
            f"{_shown(handlers)} are not the try regions open at instruction {pc} ({expected})",
        )


def _same_record(got: object, want: list[int | None]) -> bool:
    """Equal, and of the same JSON types (`true` is not `1`)."""
    return (
        isinstance(got, list)
        and len(got) == len(want)
        and all(g is w is None or (_is_int(g) and g == w) for g, w in zip(got, want, strict=True))
    )


def _counters(counters: object) -> tuple[int, dict[str, int]]:
    """The number of effects made and the claims per signal name, checked."""
    if not isinstance(counters, dict) or sorted(counters) != ["claims", "effects", "instructions"]:
        raise CorruptSnapshot("counters", f"{_shown(counters)} is not the VM's counters")
    for name in ("instructions", "effects"):
        _count(counters[name], f"counters.{name}")
    claims = counters["claims"]
    if not isinstance(claims, dict):
        raise CorruptSnapshot("counters.claims", f"{_kind(claims)} is not an object")
    for name, count in claims.items():
        _count(count, f"counters.claims[{name!r}]")
    return counters["effects"], claims


def _check_promises(records: list[Any], effects: int, claims: dict[str, int]) -> None:
    for index, record in enumerate(records):
        where = f"promises[{index}]"
        kind = record.get("kind") if isinstance(record, dict) else None
        fields = _RECORD_FIELDS.get(kind) if isinstance(kind, str) else None
        if fields is None:
            raise CorruptSnapshot(where, f"{_shown(record)} is not a promise record")
        if set(record) != fields:
            raise CorruptSnapshot(where, f"a {kind} record has the fields {sorted(fields)}")
        for field, check in _FIELD_CHECKS.items():
            if field in record and not check(record[field]):
                raise CorruptSnapshot(f"{where}.{field}", f"{_shown(record[field])} is not valid")
        if "id" in record:
            _check_effect_number(record["id"], effects, f"{where}.id")
        if record["kind"] == "signal" and record["claim"] >= claims.get(record["name"], 0):
            raise CorruptSnapshot(
                f"{where}.claim",
                f"claim {record['claim']} of signal {record['name']!r}, but the counters say"
                f" {claims.get(record['name'], 0)} were made",
            )
        members = _promise_tags(record.get("items"))
        if any(not _is_int(member) or member >= index for member in members):
            # A combinator is made after its members: a later member would make a cycle.
            raise CorruptSnapshot(f"{where}.items", "a member promise made after the combinator")


def _check_effect_number(effect_id: str, effects: int, where: str) -> None:
    """An effect's id is `<execution id>:<n>`, n counting from 1 up to the effects made."""
    number = effect_id.rpartition(":")[2]
    if not (number.isascii() and number.isdigit()) or not 1 <= int(number) <= effects:
        raise CorruptSnapshot(
            where, f"{effect_id!r} is not one of the {effects} effects the counters say were made"
        )


def _promise_tags(encoded: object) -> list[Any]:
    """The indices of the promise tags in an encoded value (`values.encode`)."""
    found, pending = [], [encoded]
    while pending:
        value = pending.pop()
        if isinstance(value, list):
            pending.extend(value)
        elif isinstance(value, dict):
            if list(value) == ["$promise"]:
                found.append(value["$promise"])
            elif list(value) == ["$object"] and isinstance(value["$object"], dict):
                pending.extend(value["$object"].values())  # an escaped object, not a tag
            else:
                pending.extend(value.values())
    return found


def _is_int(value: object) -> bool:
    return type(value) is int


_FIELD_CHECKS: Final[dict[str, Callable[[Any], bool]]] = {
    "id": lambda value: isinstance(value, str) and value != "",
    "name": lambda value: isinstance(value, str),
    "inputs": lambda value: isinstance(value, dict),
    "options": lambda value: isinstance(value, dict),
    "created_at": _is_int,
    "due": _is_int,
    "claim": lambda value: _is_int(value) and value >= 0,
    "claimed_at": _is_int,
    "items": lambda value: isinstance(value, list | dict),
}


def _array(value: object, where: str) -> list[Any]:
    if not isinstance(value, list):
        raise CorruptSnapshot(where, f"{_kind(value)} is not an array")
    return value


def _count(value: object, where: str) -> None:
    if not _is_int(value) or value < 0:  # type: ignore[operator]
        raise CorruptSnapshot(where, f"{value!r} is not a count")


def _kind(value: object) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}.get(
        type(value), "null" if value is None else "a number"
    )


def _shown(value: object) -> str:
    """`value` as JSON-ish text for a message, cut short."""
    text = repr(value)
    return text if len(text) <= 80 else f"{text[:77]}..."
