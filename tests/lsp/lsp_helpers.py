"""A sample project on disk, cursors written into texts, and the two ways the tests drive the
language server: its features called in-process on a view, and the real server over stdio."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import pytest_lsp
from lsprotocol import types
from pygls.protocol import default_converter
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features

from flowlang.lsp.documents import Document, View
from flowlang.lsp.positions import Positions
from flowlang.lsp.projects import AnalysisRequest, Projects

CURSOR = "‸"

TASKS_PY = '''\
from rhythm import task


@task(name="send-email")
def send_email(to: str, body: str = "") -> dict[str, str]:
    """Send one email."""
    return {"id": "m-1"}


@task(name="charge-card")
def charge_card(amount: float) -> dict[str, object]:
    """Charge the customer's card."""
    return {"chargeId": "ch-1", "amount": amount}
'''

CATALOG = {
    "format": "flow-task-catalog/1",
    "tasks": {
        "charge-card": {
            "inputs": {
                "type": "object",
                "properties": {"amount": {"type": "number"}},
                "required": ["amount"],
                "additionalProperties": False,
            },
            "result": {
                "type": "object",
                "properties": {"chargeId": {"type": "string"}, "amount": {"type": "number"}},
                "required": ["chargeId", "amount"],
                "additionalProperties": False,
            },
            "queue": "default",
            "doc": "Charge the customer's card.",
            "source": {"file": "app/tasks.py", "line": 10},
        },
        "send-email": {
            "inputs": {
                "type": "object",
                "properties": {"to": {"type": "string"}, "body": {"type": "string"}},
                "required": ["to"],
                "additionalProperties": False,
            },
            "result": {
                "type": "object",
                "properties": {"id": {"type": "string"}},
                "required": ["id"],
                "additionalProperties": False,
            },
            "queue": "default",
            "doc": "Send one email.",
            "source": {"file": "app/tasks.py", "line": 4},
        },
    },
}

ONBOARD = """\
```
inputs:
  user_id: string
  email: string
signals:
  approval: "{ approved: boolean, approver: string }"
```
const { user_id, email } = Inputs
let receipt = await Task.run("send-email", { to: email })
let approval = await Signal.next("approval")
if (!approval.approved) {
  return { status: "rejected", by: approval.approver }
}
let charge = await Workflow.run("charge", { amount: 10 })
return { status: "approved", receipt: receipt.id, charged: charge.charged, user_id }
"""

CHARGE = """\
```
inputs:
  amount: number
output: "{ charged: boolean }"
```
let result = await Task.run("charge-card", { amount: Inputs.amount })
return { charged: result.amount > 0 }
"""


def write_project(root: Path, workflows: dict[str, str] | None = None) -> Path:
    """A project with `[tool.flowc]`, a task catalog, the Python file the catalog points to
    and `workflows` (file name -> text) in `workflows/`; returns the workflows folder."""
    (root / "pyproject.toml").write_text(
        '[tool.flowc]\nworkflows = ["workflows"]\ntasks = ["catalog.json"]\n', encoding="utf-8"
    )
    (root / "catalog.json").write_text(json.dumps(CATALOG, indent=2), encoding="utf-8")
    (root / "app").mkdir()
    (root / "app" / "tasks.py").write_text(TASKS_PY, encoding="utf-8")
    folder = root / "workflows"
    folder.mkdir()
    for name, text in (workflows or {"onboard.flow": ONBOARD, "charge.flow": CHARGE}).items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def cursor(text: str) -> tuple[str, int]:
    """`text` without its `‸` marker, and the offset where the marker was."""
    offset = text.index(CURSOR)
    return text[:offset] + text[offset + 1 :], offset


# --- in-process ------------------------------------------------------------------------------


class Session:
    """A document, analysed as the server analyses it, and edited as the editor edits it."""

    def __init__(self, text: str, path: Path | None = None) -> None:
        uri = path.as_uri() if path is not None else "untitled:Untitled-1"
        self.document = Document(uri, text, 1)
        self.projects = Projects()
        self.analyze()

    def analyze(self) -> None:
        document = self.document
        request = AnalysisRequest(document.uri, document.path, document.text, document.version)
        document.record(self.projects.analyze(request))

    def type(self, marked: str) -> int:
        """Replace the text with `marked` (without analysing it), as typing does; the cursor."""
        text, offset = cursor(marked)
        change = types.TextDocumentContentChangeWholeDocument(text=text)
        self.document.apply([change], self.document.version + 1)
        return offset

    def view(self) -> View:
        return self.document.view()


def view_at(marked: str, path: Path | None = None) -> tuple[View, int]:
    """A freshly analysed view of `marked` and the offset of its cursor."""
    text, offset = cursor(marked)
    return Session(text, path).view(), offset


# --- over stdio ------------------------------------------------------------------------------


class FlowClient(pytest_lsp.LanguageClient):
    """The test client, keeping every `publishDiagnostics` with its version."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.published: list[types.PublishDiagnosticsParams] = []


def make_client() -> FlowClient:
    client = FlowClient(converter_factory=default_converter)
    features = dict(DEFAULT_CLIENT_FEATURES)
    features[types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS] = _record_diagnostics
    register_lsp_features(client, features)
    return client


def _record_diagnostics(client: FlowClient, params: types.PublishDiagnosticsParams) -> None:
    client.published.append(params)
    client.diagnostics[params.uri] = params.diagnostics


SERVER = pytest_lsp.ClientServerConfig(
    server_command=[sys.executable, "-m", "flowlang", "lsp"], client_factory=make_client
)


def open_file(client: FlowClient, path: Path, text: str | None = None) -> str:
    """Open `path` in the editor (with `text`, else its content on disk); its URI."""
    uri = path.as_uri()
    content = path.read_text(encoding="utf-8") if text is None else text
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "flow", 1, content))
    )
    return uri


def change_file(client: FlowClient, uri: str, version: int, text: str) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            [types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


async def published(
    client: FlowClient, uri: str, version: int, *, timeout: float = 20
) -> types.PublishDiagnosticsParams:
    """The diagnostics published for `version` of `uri`, waiting for them if need be."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        for params in client.published:
            if params.uri == uri and params.version == version:
                return params
        if loop.time() > deadline:
            raise AssertionError(f"no diagnostics for version {version} of {uri}")
        await asyncio.sleep(0.01)


def position(text: str, offset: int) -> types.Position:
    return Positions(text).position(offset)


def identifier(uri: str) -> types.TextDocumentIdentifier:
    return types.TextDocumentIdentifier(uri=uri)
