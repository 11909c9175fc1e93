"""Diagnostics over stdio: published with their version, debounced, the same as `flowc check`."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from lsp_helpers import (
    CHARGE,
    ONBOARD,
    FlowClient,
    change_file,
    open_file,
    published,
    write_project,
)
from lsprotocol import types

from flowlang.cli import main as flowc

pytestmark = [pytest.mark.asyncio, pytest.mark.timeout(60)]


async def test_diagnostics_carry_the_version_they_were_computed_for(
    client: FlowClient, workflows: Path
) -> None:
    broken = ONBOARD.replace("if (!approval.approved)", "if (!aproval.approved)")
    uri = open_file(client, workflows / "onboard.flow", broken)
    first = await published(client, uri, 1)
    [undefined] = first.diagnostics
    assert (undefined.code, undefined.severity) == ("FLOW101", types.DiagnosticSeverity.Error)
    assert undefined.message == (
        "undefined name `aproval`\nhelp: a variable with a similar name exists: `approval`"
    )
    assert undefined.range == types.Range(types.Position(10, 5), types.Position(10, 12))
    assert undefined.source == "flowc"

    change_file(client, uri, 2, ONBOARD)
    assert not (await published(client, uri, 2)).diagnostics


async def test_the_catalog_of_the_project_checks_task_calls(
    client: FlowClient, workflows: Path
) -> None:
    text = ONBOARD.replace("{ to: email }", '{ to: email, subjct: "hi" }')
    uri = open_file(client, workflows / "onboard.flow", text)
    [unknown_field] = (await published(client, uri, 1)).diagnostics
    assert unknown_field.code == "FLOW303"
    assert "subjct" in unknown_field.message


async def test_a_changed_task_catalog_checks_the_open_documents_again(
    client: FlowClient, workflows: Path
) -> None:
    """A task module or catalog that changes on disk changes what an open `.flow` may call:
    told of it (`workspace/didChangeWatchedFiles`, which the VS Code extension sends for
    Python, JSON and pyproject.toml files), the server checks the open documents again."""
    text = ONBOARD.replace("{ to: email }", '{ to: email, subjct: "hi" }')
    uri = open_file(client, workflows / "onboard.flow", text)
    [unknown_field] = (await published(client, uri, 1)).diagnostics
    assert unknown_field.code == "FLOW303"
    catalog_path = workflows.parent / "catalog.json"
    catalog = json.loads(catalog_path.read_text(encoding="utf-8"))
    catalog["tasks"]["send-email"]["inputs"]["properties"]["subjct"] = {"type": "string"}
    catalog_path.write_text(json.dumps(catalog), encoding="utf-8")
    before = len(client.published)
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams(
            [types.FileEvent(catalog_path.as_uri(), types.FileChangeType.Changed)]
        )
    )
    for _ in range(2000):
        again = [params for params in client.published[before:] if params.uri == uri]
        if again:
            break
        await asyncio.sleep(0.01)
    assert again and again[-1].version == 1 and not again[-1].diagnostics


async def test_the_server_reports_what_flowc_check_reports(
    client: FlowClient,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    write_project(
        tmp_path,
        {
            "onboard.flow": ONBOARD.replace('"charge"', '"chrage"').replace(
                "receipt.id", "receipt.idd"
            ),
            "charge.flow": CHARGE.replace("Inputs.amount", "Inputs.amout"),
            "copy.flow": "```\nname: charge\n```\nlet unused = 1\nreturn null\n",
            "broken.flow": "let x = (1 +\nlet y = x\n",
        },
    )
    monkeypatch.chdir(tmp_path)
    assert flowc(["check", "--format", "json"]) == 1
    expected: dict[str, list[tuple[object, ...]]] = {}
    for found in json.loads(capsys.readouterr().out)["diagnostics"]:
        expected.setdefault(found["file"], []).append(
            (
                found["code"],
                found["severity"],
                found["message"],
                found["line"] - 1,
                found["column"] - 1,
                found["endLine"] - 1,
                found["endColumn"] - 1,
            )
        )
    assert set(expected) == {
        "workflows/onboard.flow",
        "workflows/charge.flow",
        "workflows/copy.flow",
        "workflows/broken.flow",
    }
    severities = {
        types.DiagnosticSeverity.Error: "error",
        types.DiagnosticSeverity.Warning: "warning",
    }
    for shown, diagnostics in expected.items():
        uri = open_file(client, tmp_path / shown)
        got = (await published(client, uri, 1)).diagnostics
        assert [
            (
                d.code,
                severities[d.severity],
                d.message.split("\n")[0],
                d.range.start.line,
                d.range.start.character,
                d.range.end.line,
                d.range.end.character,
            )
            for d in got
        ] == diagnostics, shown


async def test_a_burst_of_changes_is_checked_for_its_last_version(
    client: FlowClient, workflows: Path
) -> None:
    uri = open_file(client, workflows / "charge.flow")
    await published(client, uri, 1)
    for version in range(2, 7):
        change_file(
            client, uri, version, CHARGE + f"// edit {version}\n" + "let x = " * (version == 6)
        )
    last = await published(client, uri, 6)
    assert [d.code for d in last.diagnostics] == ["FLOW001"]
    versions = [p.version for p in client.published if p.uri == uri]
    assert versions == sorted(versions)
    assert len(versions) < 6  # the debounce coalesced the burst


async def test_closing_a_document_clears_its_diagnostics(
    client: FlowClient, workflows: Path
) -> None:
    uri = open_file(client, workflows / "charge.flow", CHARGE + "let unused = 1\n")
    assert (await published(client, uri, 1)).diagnostics
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri))
    )
    await published(client, uri, None)  # type: ignore[arg-type]
    assert not client.diagnostics[uri]


async def test_positions_count_utf16_code_units(client: FlowClient, tmp_path: Path) -> None:
    path = tmp_path / "emoji.flow"
    text = 'let greeting = "👋 héllo\u2028"; let x = undefinedName\nreturn greeting\n'
    path.write_text(text, encoding="utf-8")
    uri = open_file(client, path)
    [undefined] = [d for d in (await published(client, uri, 1)).diagnostics if d.code == "FLOW101"]
    # U+1F44B is two UTF-16 code units; U+2028 ends no line for the editor.
    start = len('let greeting = "👋 héllo\u2028"; let x = ') + 1
    assert undefined.range == types.Range(
        types.Position(0, start), types.Position(0, start + len("undefinedName"))
    )


async def test_positions_count_utf8_bytes_when_the_client_asks(
    utf8_client: FlowClient, tmp_path: Path
) -> None:
    path = tmp_path / "emoji.flow"
    text = 'let greeting = "👋 héllo"; let x = undefinedName\nreturn greeting\n'
    path.write_text(text, encoding="utf-8")
    uri = open_file(utf8_client, path)
    diagnostics = (await published(utf8_client, uri, 1)).diagnostics
    [undefined] = [d for d in diagnostics if d.code == "FLOW101"]
    start = len('let greeting = "👋 héllo"; let x = '.encode())
    assert undefined.range.start == types.Position(0, start)


async def test_a_configuration_problem_is_shown_and_the_file_still_checked(
    client: FlowClient, tmp_path: Path
) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.flowc]\ntasks = ["missing.json"]\n')
    path = tmp_path / "alone.flow"
    path.write_text("let unused = 1\nreturn null\n")
    uri = open_file(client, path)
    [unused] = (await published(client, uri, 1)).diagnostics
    assert unused.code == "FLOW402"
    assert list(unused.tags or ()) == [types.DiagnosticTag.Unnecessary]
    [message] = client.messages
    assert message.type == types.MessageType.Warning
    assert "task catalog source 'missing.json' does not exist" in message.message


async def test_a_document_that_is_not_a_file_is_checked_alone(client: FlowClient) -> None:
    uri = "untitled:Untitled-1"
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri, "flow", 1, 'await Task.run("anything")\nreturn nul\n')
        )
    )
    assert [d.code for d in (await published(client, uri, 1)).diagnostics] == ["FLOW101"]
