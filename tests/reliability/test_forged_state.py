"""Forged and corrupt state (issue #8, item 5): a snapshot or a program that this runtime did
not write is refused when it is loaded, with a message that says what is wrong and where; it
never crashes the VM, nor makes it run the program from a state the program cannot be in.

* Snapshots: each kind of forgery that `rhythm.vm_snapshot` defines is refused with its field
  named; random mutations of real snapshots (taken at every instruction budget of a program
  with loops, finally blocks carrying each kind of completion, and promises of every kind) are
  either refused or resumed to a workflow's end.
* Programs: random mutations of a compiled program (opcodes, operands, instructions moved,
  constants, the envelope) are either refused by the loader or run to a workflow's end.
* In the worker: a workflow whose stored snapshot or program was changed fails with the
  reason, and the worker goes on serving.
"""

from __future__ import annotations

import copy
import functools
import hashlib
import json
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
from deadlines import at_most
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import flowlang
import rhythm
from flowlang.compiler.bytecode import OPCODES, Program, ProgramLoadError
from rhythm import app as app_module
from rhythm import client
from rhythm.errors import DatabaseError
from rhythm.models import ExecutionStatus
from rhythm.promises import Outcome
from rhythm.tasks import REGISTRY, task
from rhythm.vm import CorruptSnapshot, Limits, SnapshotMismatch, StepResult, run_step
from rhythm.worker import Worker

SOURCE = """
let acc = []
try {
  for (const x of Inputs.items) {
    try {
      acc.push([x, await Task.run("t", { x })])
      if (x == 2) continue
      if (x == 3) throw Error("three")
    } finally {
      acc.push(await Promise.race([Timer.delay(5), Signal.next("s")]))
    }
  }
} catch (e) {
  acc.push(e.message)
} finally {
  acc.push({ $promise: 1, $object: 2 })
}
let { k, ...rest } = Inputs
let [first, ...others] = [...Inputs.items, ...acc]
try {
  let both = await Promise.all({ a: Task.run("t", {}), b: Workflow.run("child", {}) })
  return { acc: [...acc, k, rest, first, others], both }
} finally {
  acc.push(await Task.run("t", { last: true }))
}
"""
NOW = 1_000
MAX_STEPS = 200
SMALL = Limits(instructions_per_execution=5_000)
FUZZ = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
FAST = {"lease": 2.0, "poll_interval": 0.2, "sweep_interval": 0.02, "shutdown_timeout": 5.0}


class LaterHost:
    """Every task, child, timer and signal is pending the first step that asks for it and
    fulfilled (with its record's inputs) from the next, as if the runtime ran it in between."""

    def __init__(self) -> None:
        self.settled: set[str] = set()
        self.asked: set[str] = set()

    def now(self) -> int:
        return NOW

    def inputs(self) -> Any:
        return {"items": [1, 2, 3], "k": "v"}

    def context(self) -> dict[str, Any]:
        return {"executionId": "x", "workflowName": "w", "parentExecutionId": None, "startedAt": 0}

    def leaf_outcome(self, record: dict[str, Any]) -> Outcome | None:
        if record["id"] in self.settled:
            return Outcome(True, record.get("inputs"), NOW)
        self.asked.add(record["id"])
        return None

    def step(self, program: Program, snapshot: dict[str, Any] | None, limits: Limits) -> StepResult:
        result = run_step(program, snapshot, self, limits)
        self.settled |= self.asked
        return result


def run_to_end(program: Program, snapshot: dict[str, Any] | None, limits: Limits) -> StepResult:
    """Steps from `snapshot` (through JSON, as the store keeps it) until the workflow ends or
    `MAX_STEPS` have run."""
    host = LaterHost()
    result = host.step(program, snapshot, limits)
    for _ in range(MAX_STEPS):
        if result.status in ("completed", "failed"):
            break
        result = host.step(program, json.loads(json.dumps(result.snapshot)), limits)
    return result


@functools.cache
def seed() -> Program:
    return flowlang.compile(SOURCE)


@functools.cache
def seed_snapshots() -> tuple[str, ...]:
    """Every snapshot of a run of the seed program that stops at every jump, as JSON text."""
    host, snapshots, snapshot = LaterHost(), [], None
    while True:
        result = host.step(seed(), snapshot, Limits(instructions_per_step=1))
        if result.status in ("completed", "failed"):
            return tuple(snapshots)
        text = json.dumps(result.snapshot)
        snapshots.append(text)
        snapshot = json.loads(text)


def snapshot_where(test: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    """The first seed snapshot `test` accepts."""
    for text in seed_snapshots():
        snapshot = json.loads(text)
        if test(snapshot):
            return snapshot
    raise AssertionError("no seed snapshot is like that")


def has_entry(shape: str) -> Callable[[dict[str, Any]], bool]:
    def test(snapshot: dict[str, Any]) -> bool:
        return any(
            isinstance(entry, list) and len(entry) > 1 and entry[0] == shape
            for entry in snapshot["stack"]
        )

    return test


def has_iterator(snapshot: dict[str, Any]) -> bool:
    return any(
        isinstance(e, list) and len(e) == 2 and isinstance(e[1], int) and isinstance(e[0], list)
        for e in snapshot["stack"]
    )


def position_of(snapshot: dict[str, Any], test: Callable[[Any], bool]) -> int:
    return next(i for i, entry in enumerate(snapshot["stack"]) if test(entry))


def test_the_seed_covers_every_kind_of_state() -> None:
    assert seed_snapshots(), "the seed program stops"
    for shape in ("jump", "throw", "return"):
        snapshot_where(has_entry(shape))
    snapshot_where(has_iterator)
    kinds = {r["kind"] for text in seed_snapshots() for r in json.loads(text)["promises"]}
    assert kinds == {"task", "workflow", "timer", "signal", "race", "all"}
    assert run_to_end(seed(), None, Limits()).status == "completed"


# -- each forgery, refused with its field named


def _iterator(snapshot: dict[str, Any]) -> list[Any]:
    return snapshot["stack"][position_of(snapshot, lambda e: isinstance(e, list) and len(e) == 2)]


def _completion(snapshot: dict[str, Any], shape: str) -> list[Any]:
    return snapshot["stack"][
        position_of(snapshot, lambda e: isinstance(e, list) and e[:1] == [shape])
    ]


def _unreachable_pc() -> int:
    return next(pc for pc, frame in enumerate(seed().stack_map.frames) if frame is None)


def _with_promises(snapshot: dict[str, Any]) -> bool:
    kinds = [record["kind"] for record in snapshot["promises"]]
    return "race" in kinds and "signal" in kinds


def _race(snapshot: dict[str, Any]) -> dict[str, Any]:
    return next(r for r in snapshot["promises"] if r["kind"] == "race")


def _signal(snapshot: dict[str, Any]) -> dict[str, Any]:
    return next(r for r in snapshot["promises"] if r["kind"] == "signal")


def _nested(depth: int) -> Any:
    value: Any = 0
    for _ in range(depth):
        value = [value]
    return value


FORGERIES: dict[
    str, tuple[Callable[[dict[str, Any]], bool], Callable[[dict[str, Any]], Any], str]
] = {
    # name: (which seed snapshot, the forgery, what the message names)
    "not an object": (has_iterator, lambda s: None, "`snapshot`: an array is not a JSON object"),
    "a field missing": (has_iterator, lambda s: s.pop("counters"), "missing field `counters`"),
    "an unknown field": (has_iterator, lambda s: s.update(extra=1), "unknown field `extra`"),
    "pc past the code": (has_iterator, lambda s: s.update(pc=10_000), "`pc`: 10000 is not an"),
    "pc of a boolean": (has_iterator, lambda s: s.update(pc=True), "`pc`: True is not an"),
    "pc unreachable": (
        has_iterator,
        lambda s: s.update(pc=_unreachable_pc()),
        "`pc`: no path of the program reaches instruction",
    ),
    "pc elsewhere": (
        has_iterator,
        lambda s: s.update(pc=0),
        "entries, but instruction 0 runs with 0",
    ),
    "a slot missing": (has_iterator, lambda s: s["slots"].pop(), "`slots`: "),
    "an iterator past its items": (
        has_iterator,
        lambda s: _iterator(s).__setitem__(1, 99),
        "is not a loop iterator [items, position]",
    ),
    "an iterator that is a number": (
        has_iterator,
        lambda s: s["stack"].__setitem__(0, 7),
        "`stack[0]`: 7 is not a loop iterator",
    ),
    "a jump completion elsewhere": (
        has_entry("jump"),
        lambda s: _completion(s, "jump").__setitem__(1, 0),
        "a completion resuming at 0, where the finally block",
    ),
    "a throw completion elsewhere": (
        has_entry("throw"),
        lambda s: _completion(s, "throw").__setitem__(2, -1),
        "a completion thrown at -1",
    ),
    "a return completion with a promise": (
        has_entry("return"),
        lambda s: _completion(s, "return").__setitem__(1, {"$promise": 0}),
        "a completion returning a promise",
    ),
    "a handler moved": (
        has_iterator,
        lambda s: s["handlers"][0].__setitem__(1, 0),
        "`handlers`: ",
    ),
    "a handler of booleans": (
        has_iterator,
        lambda s: s["handlers"][0].__setitem__(2, bool(s["handlers"][0][2])),
        "`handlers`: ",
    ),
    "a handler too many": (
        has_iterator,
        lambda s: s["handlers"].append([None, 0, 0]),
        "are not the try regions open at instruction",
    ),
    "a record of an unknown kind": (
        _with_promises,
        lambda s: s["promises"][0].update(kind="thread"),
        "`promises[0]`: ",
    ),
    "a record field missing": (
        _with_promises,
        lambda s: _signal(s).pop("claimed_at"),
        "a signal record has the fields",
    ),
    "a record field of another type": (
        _with_promises,
        lambda s: _signal(s).update(claim="first"),
        ".claim`: 'first' is not valid",
    ),
    "an effect beyond the counter": (
        _with_promises,
        lambda s: s["promises"][0].update(id="x:999"),
        "is not one of the",
    ),
    "a claim beyond the counter": (
        _with_promises,
        lambda s: _signal(s).update(claim=5),
        "claim 5 of signal 's', but the counters say",
    ),
    "a combinator of later promises": (
        _with_promises,
        lambda s: _race(s)["items"].append({"$promise": len(s["promises"])}),
        "a member promise made after the combinator",
    ),
    "a reference to no record": (
        has_iterator,
        lambda s: s["slots"].__setitem__(0, {"$promise": 99}),
        "`slots`: `$promise: 99` names no record of the promise table",
    ),
    "an escape of no object": (
        has_iterator,
        lambda s: s["slots"].__setitem__(0, {"$object": 5}),
        "`slots`: `$object` escapes 5, which is not an object",
    ),
    "a number that is not finite": (
        has_iterator,
        lambda s: s["slots"].__setitem__(0, float("nan")),
        "`slots`: nan is not a number a workflow can hold",
    ),
    "nesting past the limit": (
        has_iterator,
        lambda s: s["slots"].__setitem__(0, _nested(300)),
        "`slots`: values nest deeper than 256 levels",
    ),
    "a negative counter": (
        has_iterator,
        lambda s: s["counters"].update(effects=-1),
        "`counters.effects`: -1 is not a count",
    ),
}


@pytest.mark.parametrize("name", sorted(FORGERIES))
def test_a_forged_snapshot_is_refused_with_its_field_named(name: str) -> None:
    which, forge, named = FORGERIES[name]
    snapshot = snapshot_where(which)
    forged = [snapshot] if name == "not an object" else snapshot
    forge(snapshot)
    with pytest.raises(CorruptSnapshot) as refused:
        run_step(seed(), forged, LaterHost())  # type: ignore[arg-type]
    message = str(refused.value)
    assert message.startswith("corrupt snapshot: `"), message
    assert named in message, message
    assert message.endswith("so the execution cannot resume")


def test_a_snapshot_of_another_program_or_format_is_a_mismatch() -> None:
    snapshot = json.loads(seed_snapshots()[0])
    other = flowlang.compile(SOURCE + "\n// another version")
    with pytest.raises(SnapshotMismatch, match="an execution runs to its end on the program"):
        run_step(other, snapshot, LaterHost())
    snapshot["format"] = 2
    with pytest.raises(SnapshotMismatch, match="snapshot format 2 is not 1"):
        run_step(seed(), snapshot, LaterHost())


def test_every_seed_snapshot_resumes_to_the_end() -> None:
    for text in seed_snapshots():
        assert run_to_end(seed(), json.loads(text), Limits()).status == "completed"


# -- random mutations of snapshots

JSON_NODES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-3, 300)
    | st.sampled_from(["jump", "throw", "return", "x:1", "s", "", "$promise", "$object"])
    | st.floats(allow_nan=True, allow_infinity=True),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(["$promise", "$object", "kind", "id", "k"]), children)
    ),
    max_leaves=6,
)


def _paths(node: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    yield path
    if isinstance(node, list):
        for index, item in enumerate(node):
            yield from _paths(item, (*path, index))
    elif isinstance(node, dict):
        for key, item in node.items():
            yield from _paths(item, (*path, key))


@st.composite
def mutated_snapshots(draw: st.DrawFn) -> dict[str, Any]:
    snapshot = json.loads(draw(st.sampled_from(seed_snapshots())))
    for _ in range(draw(st.integers(1, 3))):
        paths = [path for path in _paths(snapshot) if path]
        path = draw(st.sampled_from(paths))
        parent = functools.reduce(lambda node, key: node[key], path[:-1], snapshot)
        key = path[-1]
        action = draw(st.sampled_from(["replace", "delete", "insert", "nudge", "copy"]))
        if action == "replace":
            parent[key] = draw(JSON_NODES)
        elif action == "delete":
            del parent[key]
        elif action == "insert" and isinstance(parent, list):
            parent.insert(key, draw(JSON_NODES))
        elif action == "insert":
            parent[draw(st.sampled_from(["k", "$promise", "extra"]))] = draw(JSON_NODES)
        elif action == "nudge" and type(parent[key]) is int:
            parent[key] += draw(st.integers(-2, 2))
        else:  # a copy of another part of the snapshot
            source = draw(st.sampled_from(paths))
            parent[key] = copy.deepcopy(functools.reduce(lambda n, k: n[k], source, snapshot))
    return snapshot


@FUZZ
@given(mutated_snapshots())
def test_a_mutated_snapshot_is_refused_or_resumes_to_an_end(snapshot: dict[str, Any]) -> None:
    try:
        with at_most():
            result = run_to_end(seed(), snapshot, SMALL)
    except SnapshotMismatch:
        return
    assert result.status in ("completed", "failed", "suspended", "yielded")
    json.dumps(result.output, allow_nan=False)


# -- random mutations of programs

OPERAND_VALUES = st.one_of(
    st.integers(-2, 80),
    st.none(),
    st.booleans(),
    st.sampled_from(["of", "in", "+", "!", "Task.run", "push", "Inputs", "k", ""]),
    st.lists(st.sampled_from(["a", "k"]), max_size=2),
)


@st.composite
def mutated_programs(draw: st.DrawFn) -> str:
    document = json.loads(seed().to_json())
    code: list[list[Any]] = document["code"]
    for _ in range(draw(st.integers(1, 3))):
        index = draw(st.integers(0, len(code) - 1))
        action = draw(st.sampled_from(["opcode", "operand", "delete", "move", "constant"]))
        if action == "opcode":
            code[index][0] = draw(st.sampled_from(sorted(OPCODES)))
        elif action == "operand" and len(code[index]) > 1:
            position = draw(st.integers(1, len(code[index]) - 1))
            code[index][position] = draw(OPERAND_VALUES)
        elif action == "delete" and len(code) > 1:
            del code[index]
            del document["spans"][index]
        elif action == "move":
            target = draw(st.integers(0, len(code) - 1))
            code.insert(target, code.pop(index))
            document["spans"].insert(target, document["spans"].pop(index))
        else:
            constants = document["constants"]
            constants[draw(st.integers(0, len(constants) - 1))] = draw(OPERAND_VALUES)
    return json.dumps(document)


@FUZZ
@given(mutated_programs())
def test_a_mutated_program_is_refused_or_runs_to_an_end(text: str) -> None:
    try:
        program = Program.from_json(text)
    except ProgramLoadError:
        return
    with at_most():
        result = run_to_end(program, None, SMALL)
    assert result.status in ("completed", "failed", "suspended", "yielded")
    json.dumps(result.output, allow_nan=False)


# -- in the worker


@pytest.fixture
def application(migrated_url: str, tmp_path: Path) -> Iterator[rhythm.Application]:
    REGISTRY.clear()

    @task(name="t")
    def t(x: int = 0) -> int:
        return x

    (tmp_path / "waits.flow").write_text(
        'let a = await Task.run("t", { x: 1 })\nlet s = await Signal.next("go")\nreturn [a, s]\n',
        encoding="utf-8",
    )
    yield rhythm.init(database_url=migrated_url, workflow_paths=[tmp_path])
    app_module.shutdown()
    REGISTRY.clear()


def _drain(url: str) -> None:
    Worker(database_url=url, concurrency=2, **FAST).run_until_idle(timeout=20)  # type: ignore[arg-type]


def _sql(url: str, query: str, *parameters: object) -> list[tuple[Any, ...]]:
    with psycopg.connect(url, autocommit=True) as conn:
        cursor = conn.execute(query, parameters)  # type: ignore[arg-type]
        return cursor.fetchall() if cursor.description else []


def test_the_worker_fails_a_workflow_whose_snapshot_was_forged(
    application: rhythm.Application, migrated_url: str
) -> None:
    forged = client.workflows.run("waits")
    _drain(migrated_url)
    (text,) = _sql(
        migrated_url, "SELECT snapshot::text FROM rhythm.executions WHERE id = %s", forged
    )[0]
    snapshot = json.loads(text)
    snapshot["pc"] = 10_000
    _sql(
        migrated_url,
        "UPDATE rhythm.executions SET snapshot = %s WHERE id = %s",
        json.dumps(snapshot),
        forged,
    )
    client.signals.send(forged, "go", payload=1)
    intact = client.workflows.run("waits")
    _drain(migrated_url)
    client.signals.send(intact, "go", payload=2)
    _drain(migrated_url)
    failed = client.executions.get(forged)
    assert failed.status == ExecutionStatus.FAILED
    assert failed.output["type"] == "InternalError"
    assert failed.output["message"].startswith(
        "the runtime could not run a step of this workflow (CorruptSnapshot: corrupt snapshot: `pc`"
    )
    assert client.executions.get(intact).output == [1, 2]


def test_a_program_changed_in_the_database_is_refused(
    application: rhythm.Application, migrated_url: str
) -> None:
    started = client.workflows.run("waits")
    (version,) = _sql(migrated_url, "SELECT hash FROM rhythm.workflow_versions")[0]
    tampered = application.workflows["waits"].source.replace("x: 1", "x: 2")
    changed = json.loads(application.workflows["waits"].to_json())
    changed["source"] = tampered
    changed["source_sha256"] = hashlib.sha256(tampered.encode()).hexdigest()
    _sql(
        migrated_url,
        "UPDATE rhythm.workflow_versions SET program = %s WHERE hash = %s",
        json.dumps(changed, ensure_ascii=False, separators=(",", ":")),
        version,
    )
    _drain(migrated_url)
    failed = client.executions.get(started)
    assert failed.status == ExecutionStatus.FAILED
    assert f"not to the version {version} it was registered under" in failed.output["message"]
    app_module.shutdown()  # a fresh process: nothing cached
    rhythm.init(database_url=migrated_url)
    with pytest.raises(DatabaseError, match="cannot be loaded: corrupt program: it hashes to"):
        client.workflows.run("waits")
