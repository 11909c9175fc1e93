"""No document, however broken, stops the server; features keep working from the last good
parse; a failure inside a handler is logged and answered with an empty result."""

from __future__ import annotations

import asyncio
import itertools
import sys
import threading
from collections.abc import Callable, Coroutine, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
import pytest_lsp
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lsp_helpers import ONBOARD, FlowClient, Session, make_client, published, write_project
from lsprotocol import types

from flowlang.lsp import completion as completion_module
from flowlang.lsp import projects as projects_module
from flowlang.lsp.code_actions import code_actions
from flowlang.lsp.completion import completion
from flowlang.lsp.folding import folding_ranges
from flowlang.lsp.hover import hover
from flowlang.lsp.inlay_hints import inlay_hints
from flowlang.lsp.navigation import definition, prepare_rename, references
from flowlang.lsp.positions import Positions
from flowlang.lsp.semantic_tokens import semantic_tokens
from flowlang.lsp.server import build_server
from flowlang.lsp.signature_help import signature_help
from flowlang.lsp.symbols import document_symbols

T = TypeVar("T")

# Pieces of code and of broken code, and characters that trouble positions and lexers.
FRAGMENTS = [
    "let ",
    "const x = ",
    'await Task.run("',
    'Task.run("send-email", { ',
    "Workflow.run('",
    'Signal.next("',
    "Inputs.",
    "receipt.",
    "?.",
    ".",
    "{",
    "}",
    "(",
    ")",
    "[",
    "]",
    "`",
    "${",
    '"',
    "'",
    "/*",
    "*/",
    "//",
    "\n",
    "\r\n",
    "\r",
    "\u2028",
    "👋",
    "é",
    "```\n",
    "inputs:\n  a: string\n",
    "if (",
    "for (const i of ",
    "return ",
    "x",
    "1e999",
    "\\",
    "\x00",
    "var ",
    "=> ",
]

edits = st.lists(
    st.tuples(
        st.floats(0, 1),
        st.integers(0, 12),
        st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=6)),
    ),
    min_size=1,
    max_size=8,
)


def apply_edit(text: str, edit: tuple[float, int, str]) -> tuple[types.Range, str, str]:
    """The change `edit` describes (where, how much to remove, what to insert) in LSP terms,
    and the text after it."""
    where, removed, inserted = edit
    positions = Positions(text)
    start = int(where * len(text))
    end = min(len(text), start + removed)
    # Offsets are snapped to positions, as an editor would send them.
    change = types.Range(positions.position(start), positions.position(end))
    span = positions.span(change)
    return change, text[: span.start] + inserted + text[span.end :], inserted


# --- in-process ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_project(tmp_path_factory.mktemp("project"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits=edits, analyse_after=st.sets(st.integers(0, 7)), data=st.data())
def test_every_feature_answers_after_any_edits(
    project: Path, edits: list[tuple[float, int, str]], analyse_after: set[int], data: st.DataObject
) -> None:
    session = Session(ONBOARD, project / "workflows" / "onboard.flow")
    text = ONBOARD
    for index, edit in enumerate(edits):
        change, text, inserted = apply_edit(text, edit)
        session.document.apply(
            [types.TextDocumentContentChangePartial(range=change, text=inserted)],
            session.document.version + 1,
        )
        assert session.document.text == text
        if index in analyse_after:
            session.analyze()
    view = session.view()
    offset = data.draw(st.integers(0, len(text)))
    everywhere = types.Range(types.Position(0, 0), view.positions.position(len(text)))
    completion(view, offset)
    signature_help(view, offset)
    hover(view, offset)
    definition(view, offset)
    references(view, offset, include_declaration=True)
    prepare_rename(view, offset)
    document_symbols(view)
    folding_ranges(view)
    inlay_hints(view, everywhere)
    session.analyze()
    fresh = session.view()
    semantic_tokens(fresh)
    code_actions(fresh, everywhere, types.CodeActionContext(diagnostics=[]))
    assert session.document.latest is not None
    assert session.document.latest.version == session.document.version


def test_completion_keeps_the_types_of_the_last_good_parse(project: Path) -> None:
    session = Session(ONBOARD, project / "workflows" / "onboard.flow")
    offset = session.type(ONBOARD + "let broken = (\nlet id = receipt.‸")
    session.analyze()  # the text has a syntax error: this analysis has no types
    assert session.document.latest is not None and not session.document.latest.parsed_cleanly
    found = completion(session.view(), offset)
    assert found is not None and [item.label for item in found.items] == ["id"]


# --- over stdio ------------------------------------------------------------------------------


class BackgroundClient:
    """A client on an event loop of its own thread, so that synchronous tests (hypothesis
    drives synchronous tests) can share one server."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.client: FlowClient = make_client()
        self.uris = itertools.count()

    def run(self, work: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        return asyncio.run_coroutine_threadsafe(work, self.loop).result(timeout)

    def call(self, work: Callable[[], T]) -> T:
        """Run `work` on the client's loop (the client is not thread-safe)."""

        async def run() -> T:
            return work()

        return self.run(run())

    def stop(self) -> None:
        self.run(self.client.shutdown_session())
        self.run(self.client.stop())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)


@pytest.fixture(scope="module")
def background(project: Path) -> Iterator[BackgroundClient]:
    background = BackgroundClient()
    background.run(background.client.start_io(sys.executable, "-m", "flowlang", "lsp"))
    capabilities = pytest_lsp.client_capabilities("visual-studio-code")
    background.run(
        background.client.initialize_session(types.InitializeParams(capabilities=capabilities))
    )
    yield background
    background.stop()


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(edits=edits, where=st.floats(0, 1))
@pytest.mark.timeout(300)
def test_the_server_survives_random_edits(
    background: BackgroundClient, project: Path, edits: list[tuple[float, int, str]], where: float
) -> None:
    client = background.client
    uri = (project / "workflows" / f"edited-{next(background.uris)}.flow").as_uri()
    text = ONBOARD
    background.call(
        lambda: client.text_document_did_open(
            types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "flow", 1, text))
        )
    )
    for version, edit in enumerate(edits, start=2):
        change, text, inserted = apply_edit(text, edit)
        params = types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            [types.TextDocumentContentChangePartial(range=change, text=inserted)],
        )
        background.call(lambda params=params: client.text_document_did_change(params))
    document = types.TextDocumentIdentifier(uri=uri)
    at = Positions(text).position(int(where * len(text)))
    everywhere = types.Range(types.Position(0, 0), Positions(text).position(len(text)))
    background.run(client.text_document_completion_async(types.CompletionParams(document, at)))
    background.run(client.text_document_hover_async(types.HoverParams(document, at)))
    background.run(client.text_document_definition_async(types.DefinitionParams(document, at)))
    background.run(client.text_document_document_symbol_async(types.DocumentSymbolParams(document)))
    background.run(
        client.text_document_semantic_tokens_full_async(types.SemanticTokensParams(document))
    )
    background.run(
        client.text_document_inlay_hint_async(types.InlayHintParams(document, everywhere))
    )
    final = background.run(published(client, uri, len(edits) + 1))
    assert final.version == len(edits) + 1
    background.call(
        lambda: client.text_document_did_close(types.DidCloseTextDocumentParams(document))
    )
    errors = [m.message for m in client.log_messages if m.type == types.MessageType.Error]
    assert errors == []


# --- failures of the server itself -----------------------------------------------------------


def test_a_failing_handler_is_logged_and_answered_empty(monkeypatch: pytest.MonkeyPatch) -> None:
    server = build_server()
    logged: list[types.LogMessageParams] = []
    shown: list[types.ShowMessageParams] = []
    monkeypatch.setattr(server, "window_log_message", logged.append)
    monkeypatch.setattr(server, "window_show_message", shown.append)
    monkeypatch.setattr(server, "text_document_publish_diagnostics", lambda params: None)

    def broken_completion(*args: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(completion_module, "completion", broken_completion)
    features = server.protocol.fm.features
    uri = "untitled:Untitled-1"

    async def session() -> object:
        for _ in server.protocol.lsp_initialize(
            types.InitializeParams(capabilities=types.ClientCapabilities())
        ):
            pass
        features[types.TEXT_DOCUMENT_DID_OPEN](
            types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "flow", 1, "return 1\n"))
        )
        return features[types.TEXT_DOCUMENT_COMPLETION](
            types.CompletionParams(types.TextDocumentIdentifier(uri), types.Position(0, 0))
        )

    assert asyncio.run(session()) is None
    [log] = logged
    assert log.type == types.MessageType.Error
    assert "internal error while handling completion" in log.message
    assert "RuntimeError: a bug" in log.message
    [message] = shown
    assert "internal error while handling completion: RuntimeError" in message.message


def test_a_failing_analysis_is_logged_and_the_server_goes_on(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    server = build_server(debounce=0)
    logged: list[types.LogMessageParams] = []
    monkeypatch.setattr(server, "window_log_message", logged.append)
    monkeypatch.setattr(server, "window_show_message", lambda params: None)

    def broken_analysis(self: object, request: object) -> None:
        raise RuntimeError("a bug in the checker")

    monkeypatch.setattr(projects_module.Projects, "analyze", broken_analysis)
    uri = "untitled:Untitled-1"

    async def session() -> None:
        for _ in server.protocol.lsp_initialize(
            types.InitializeParams(capabilities=types.ClientCapabilities())
        ):
            pass
        server.open(types.TextDocumentItem(uri, "flow", 1, "return 1\n"))
        with pytest.raises(RuntimeError, match="a bug in the checker"):
            await server.analyses.current(uri)
        await asyncio.sleep(0.05)

    asyncio.run(session())
    assert any("internal error while analysing" in log.message for log in logged)
    assert server.documents[uri].text == "return 1\n"
