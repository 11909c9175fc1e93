"""`rhythm.init`: compiling, checking and registering workflows; the database it uses."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest

import rhythm
from flowlang import compile as compile_flow
from rhythm import app as app_module
from rhythm.errors import (
    DatabaseError,
    NotInitializedError,
    WorkflowCompileError,
    WorkflowFileError,
)
from rhythm.store import workflows as versions
from rhythm.tasks import REGISTRY

GREET = """\
```yaml
inputs:
  name: string
```
return "hello " + Inputs.name
"""

PARENT = """\
let child = await Workflow.run("greet", { name: "ada" })
return child
"""


@pytest.fixture(autouse=True)
def _fresh_process_state() -> Iterator[None]:
    REGISTRY.clear()
    yield
    app_module.shutdown()
    REGISTRY.clear()


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def stored_versions(url: str) -> list[tuple[str, str, int]]:
    with psycopg.connect(url) as conn:
        rows = conn.execute("SELECT hash, name, seq FROM rhythm.workflow_versions ORDER BY seq")
        return [(str(h), str(n), int(s)) for h, n, s in rows]


def test_init_registers_each_workflow_under_its_version_hash(
    migrated_url: str, tmp_path: Path
) -> None:
    greet = write(tmp_path, "greet.flow", GREET)
    app = rhythm.init(
        database_url=migrated_url,
        workflows=[rhythm.WorkflowFile(name="greet", file_path=greet)],
    )
    program = app.workflows["greet"]
    assert [(h, n) for h, n, _ in stored_versions(migrated_url)] == [
        (program.version_hash, "greet")
    ]
    assert app_module.current() is app
    assert program.version_hash == compile_flow(GREET, path=str(greet)).version_hash


def test_init_again_with_the_same_code_registers_nothing_new(
    migrated_url: str, tmp_path: Path
) -> None:
    greet = write(tmp_path, "greet.flow", GREET)
    files = [rhythm.WorkflowFile(name="greet", file_path=greet)]
    rhythm.init(database_url=migrated_url, workflows=files)
    before = stored_versions(migrated_url)
    rhythm.init(database_url=migrated_url, workflows=files)
    assert stored_versions(migrated_url) == before


def test_newest_registration_wins_and_reverting_makes_the_old_version_newest_again(
    migrated_url: str, tmp_path: Path
) -> None:
    path = write(tmp_path, "greet.flow", GREET)
    files = [rhythm.WorkflowFile(name="greet", file_path=path)]
    first = rhythm.init(database_url=migrated_url, workflows=files).workflows["greet"]
    write(tmp_path, "greet.flow", GREET.replace("hello ", "hi "))
    second = rhythm.init(database_url=migrated_url, workflows=files).workflows["greet"]
    assert first.version_hash != second.version_hash
    with psycopg.connect(migrated_url) as conn:
        assert versions.newest_version(conn, "greet") == second.version_hash
    write(tmp_path, "greet.flow", GREET)
    rhythm.init(database_url=migrated_url, workflows=files)
    with psycopg.connect(migrated_url) as conn:
        assert versions.newest_version(conn, "greet") == first.version_hash
    assert len(stored_versions(migrated_url)) == 2


def test_workflow_paths_register_every_workflow_of_a_folder(
    migrated_url: str, tmp_path: Path
) -> None:
    write(tmp_path, "flows/greet.flow", GREET)
    write(tmp_path, "flows/nested/parent.flow", PARENT)
    write(tmp_path, "flows/notes.txt", "not a workflow")
    app = rhythm.init(database_url=migrated_url, workflow_paths=[tmp_path / "flows"])
    assert sorted(app.workflows) == ["greet", "parent"]


def test_a_compiled_program_is_registered_unchanged(migrated_url: str, tmp_path: Path) -> None:
    program = compile_flow(GREET, path="greet.flow")
    built = tmp_path / "greet.flowc.json"
    built.write_bytes(program.to_json())
    app = rhythm.init(
        database_url=migrated_url,
        workflows=[rhythm.WorkflowFile(name="greet", file_path=built)],
    )
    assert app.workflows["greet"].version_hash == program.version_hash


def test_a_compiled_program_registered_under_another_name_is_refused(
    migrated_url: str, tmp_path: Path
) -> None:
    built = tmp_path / "greet.flowc.json"
    built.write_bytes(compile_flow(GREET, path="greet.flow").to_json())
    with pytest.raises(WorkflowFileError, match="built as workflow `greet`.*registered as `hi`"):
        rhythm.init(
            database_url=migrated_url, workflows=[rhythm.WorkflowFile(name="hi", file_path=built)]
        )


def test_init_lists_the_diagnostics_of_every_workflow_and_writes_nothing(
    migrated_url: str, tmp_path: Path
) -> None:
    bad_one = write(tmp_path, "one.flow", "let x = \nreturn y\n")
    bad_two = write(tmp_path, "two.flow", 'await Workflow.run("nowhere", {})\n')
    with pytest.raises(WorkflowCompileError) as raised:
        rhythm.init(
            database_url=migrated_url,
            workflows=[
                rhythm.WorkflowFile(name="one", file_path=bad_one),
                rhythm.WorkflowFile(name="two", file_path=bad_two),
            ],
        )
    error = raised.value
    assert [file.path for file in error.files] == [str(bad_one), str(bad_two)]
    assert "FLOW305" in {d.code for d in error.diagnostics}  # the set is complete
    message = str(error)
    assert "one.flow" in message and "two.flow" in message and "nowhere" in message
    assert stored_versions(migrated_url) == []
    with pytest.raises(NotInitializedError):
        app_module.current()


def test_child_workflows_are_checked_against_the_registered_set(
    migrated_url: str, tmp_path: Path
) -> None:
    greet = write(tmp_path, "greet.flow", GREET)
    parent = write(tmp_path, "parent.flow", 'return await Workflow.run("greet", { name: 3 })\n')
    with pytest.raises(WorkflowCompileError, match="parent.flow"):
        rhythm.init(
            database_url=migrated_url,
            workflows=[
                rhythm.WorkflowFile(name="greet", file_path=greet),
                rhythm.WorkflowFile(name="parent", file_path=parent),
            ],
        )


def test_workflows_are_checked_against_the_tasks_registered_in_this_process(
    migrated_url: str, tmp_path: Path
) -> None:
    @rhythm.task(name="send-email")
    def send_email(to: str, body: str) -> dict[str, bool]:
        return {"sent": True}

    good = write(tmp_path, "good.flow", 'return await Task.run("send-email", {to: "a", body: "b"})')
    bad = write(tmp_path, "bad.flow", 'return await Task.run("send-email", {to: 1, body: "b"})')
    unknown = write(tmp_path, "unknown.flow", 'return await Task.run("send-mail", {})')
    rhythm.init(database_url=migrated_url, workflows=[rhythm.WorkflowFile("good", good)])
    with pytest.raises(WorkflowCompileError) as raised:
        rhythm.init(
            database_url=migrated_url,
            workflows=[rhythm.WorkflowFile("bad", bad), rhythm.WorkflowFile("unknown", unknown)],
        )
    assert [file.path for file in raised.value.files] == [str(bad), str(unknown)]
    assert "send-email" in str(raised.value)  # "did you mean" names the registered task


def test_a_front_matter_name_must_match_the_registered_name(
    migrated_url: str, tmp_path: Path
) -> None:
    path = write(tmp_path, "greet.flow", "```yaml\nname: welcome\n```\nreturn 1\n")
    with pytest.raises(WorkflowCompileError, match="registered as `greet`"):
        rhythm.init(
            database_url=migrated_url, workflows=[rhythm.WorkflowFile("greet", file_path=path)]
        )


def test_two_workflows_under_one_name_are_refused(migrated_url: str, tmp_path: Path) -> None:
    one = write(tmp_path, "a/greet.flow", "return 1\n")
    two = write(tmp_path, "b/greet.flow", "return 2\n")
    with pytest.raises(WorkflowCompileError, match="already registered"):
        rhythm.init(database_url=migrated_url, workflow_paths=[one, two])


def test_missing_and_unknown_files_are_all_reported(migrated_url: str, tmp_path: Path) -> None:
    notes = write(tmp_path, "notes.txt", "hello")
    broken = write(tmp_path, "broken.flowc.json", json.dumps({"magic": "nope"}))
    with pytest.raises(WorkflowFileError) as raised:
        rhythm.init(
            database_url=migrated_url,
            workflows=[
                rhythm.WorkflowFile("a", tmp_path / "missing.flow"),
                rhythm.WorkflowFile("b", notes),
                rhythm.WorkflowFile("c", broken),
            ],
        )
    message = str(raised.value)
    assert "missing.flow: cannot read it" in message
    assert "notes.txt: not a workflow file" in message
    assert "broken.flowc.json" in message


def test_auto_migrate_creates_the_schema(database_url: str, tmp_path: Path) -> None:
    greet = write(tmp_path, "greet.flow", GREET)
    rhythm.init(database_url=database_url, workflows=[rhythm.WorkflowFile("greet", greet)])
    assert len(stored_versions(database_url)) == 1


def test_without_auto_migrate_an_unmigrated_database_is_refused(database_url: str) -> None:
    with pytest.raises(DatabaseError, match="rhythm migrate") as raised:
        rhythm.init(database_url=database_url, auto_migrate=False)
    assert "0001" in str(raised.value)


def test_an_unreachable_database_is_reported_without_its_password(tmp_path: Path) -> None:
    url = "postgresql://someone:s3cret@127.0.0.1:1/nothing"
    with pytest.raises(DatabaseError) as raised:
        rhythm.init(database_url=url)
    assert "s3cret" not in str(raised.value)
    assert "127.0.0.1" in str(raised.value)


def test_the_database_url_comes_from_the_environment(
    migrated_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RHYTHM_DATABASE_URL", migrated_url)
    app = rhythm.init()
    assert app.database_url == migrated_url


def test_init_again_replaces_and_closes_the_previous_application(migrated_url: str) -> None:
    first = rhythm.init(database_url=migrated_url)
    second = rhythm.init(database_url=migrated_url)
    assert app_module.current() is second
    assert first.pool.closed and not second.pool.closed


def test_the_application_hides_the_password_in_its_repr(migrated_url: str) -> None:
    app = rhythm.init(database_url=migrated_url)
    assert "Application" in repr(app)


def test_a_suspended_execution_finishes_on_its_old_code_after_a_new_version(
    migrated_url: str, tmp_path: Path
) -> None:
    path = write(tmp_path, "pinned.flow", 'let s = await Signal.next("go")\nreturn "old " + s\n')
    rhythm.init(database_url=migrated_url, workflow_paths=[path])
    old = rhythm.client.workflows.run("pinned")
    worker = rhythm.Worker(database_url=migrated_url, poll_interval=0.1)
    worker.run_until_idle(timeout=10)
    assert rhythm.client.executions.get(old).status == "suspended"
    write(tmp_path, "pinned.flow", 'let s = await Signal.next("go")\nreturn "new " + s\n')
    rhythm.init(database_url=migrated_url, workflow_paths=[path])
    new = rhythm.client.workflows.run("pinned")
    for execution_id in (old, new):
        rhythm.client.signals.send(workflow_id=execution_id, signal_name="go", payload="code")
    worker.run_until_idle(timeout=10)
    assert rhythm.client.executions.get(old).output == "old code"
    assert rhythm.client.executions.get(new).output == "new code"


def test_a_worker_without_a_url_serves_the_initialised_database(migrated_url: str) -> None:
    rhythm.init(database_url=migrated_url)
    assert app_module.configured_database_url() == migrated_url
    assert app_module.configured_database_url("postgresql://elsewhere/db") != migrated_url
